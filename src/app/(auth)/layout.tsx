import type { ReactNode } from 'react';

/** The sign-in and sign-up pages: one narrow card, centred, that fits a 375px screen. */
export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="mx-auto w-full max-w-md rounded-lg border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
      {children}
    </div>
  );
}
