'use client';

import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useState } from 'react';

/**
 * Signs out through better-auth's endpoint, then goes home. If the endpoint cannot be reached or refuses,
 * the reader stays signed in and is told so, and the button can be pressed again.
 */
export function SignOutButton() {
  const t = useTranslations('common.nav');
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [failed, setFailed] = useState(false);
  async function signOut() {
    setPending(true);
    setFailed(false);
    try {
      const response = await fetch('/api/auth/sign-out', {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      if (!response.ok) {
        setFailed(true);
        return;
      }
      router.push('/');
      router.refresh();
    } catch {
      setFailed(true);
    } finally {
      setPending(false);
    }
  }
  return (
    <span className="flex flex-wrap items-center gap-2">
      <button
        type="button"
        disabled={pending}
        onClick={signOut}
        className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-200 disabled:opacity-60"
      >
        {t('signOut')}
      </button>
      <span role="alert" className="text-sm text-rose-800 empty:hidden">
        {failed ? t('signOutFailed') : null}
      </span>
    </span>
  );
}
