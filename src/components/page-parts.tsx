import type { ReactNode } from 'react';

/** The title and one-line description at the top of a settings page. */
export function PageHeader({ title, description }: { title: string; description: string }) {
  return (
    <header>
      <h1 className="text-2xl font-semibold text-slate-900">{title}</h1>
      <p className="mt-1 text-slate-700">{description}</p>
    </header>
  );
}

/**
 * A titled card of a page: its h2 names the section for assistive technology (aria-labelledby), with an
 * optional control beside the heading (a filter, a range toggle).
 */
export function Panel({
  id,
  headingId,
  heading,
  aside,
  className = '',
  children,
}: {
  id?: string;
  headingId: string;
  heading: string;
  aside?: ReactNode;
  className?: string;
  children: ReactNode;
}) {
  return (
    <section
      id={id}
      aria-labelledby={headingId}
      className={`rounded-xl border border-slate-200 bg-white p-5 shadow-sm ${className}`}
    >
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <h2 id={headingId} className="text-lg font-semibold text-slate-900">
          {heading}
        </h2>
        {aside}
      </div>
      {children}
    </section>
  );
}
