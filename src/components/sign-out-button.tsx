'use client';

import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useState } from 'react';

/** Signs out through better-auth's endpoint, then goes home. */
export function SignOutButton() {
  const t = useTranslations('common.nav');
  const router = useRouter();
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      disabled={pending}
      onClick={async () => {
        setPending(true);
        await fetch('/api/auth/sign-out', {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json' },
        });
        router.push('/');
        router.refresh();
      }}
      className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-200 disabled:opacity-60"
    >
      {t('signOut')}
    </button>
  );
}
