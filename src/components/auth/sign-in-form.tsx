'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import type { FormEvent } from 'react';
import { looksLikeEmail } from './auth-errors';
import { AuthErrorMessage, AuthField, SubmitButton } from './auth-form-parts';
import { useAuthSubmit } from './use-auth-submit';

/** Email and password sign-in. `next` is the safe same-site path to go to afterwards. */
export function SignInForm({ next }: { next: string }) {
  const t = useTranslations('auth');
  const { pending, failure, setFailure, submit } = useAuthSubmit('/api/auth/sign-in/email', next);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const email = String(data.get('email') ?? '').trim();
    const password = String(data.get('password') ?? '');
    if (!looksLikeEmail(email)) return setFailure({ key: 'invalidEmail', field: 'email' });
    // Only emptiness is checked here: the password rules apply to new passwords, not to signing in.
    if (!password) return setFailure({ key: 'passwordRequired', field: 'password' });
    void submit({ email, password });
  }

  return (
    <form noValidate onSubmit={onSubmit} className="space-y-4">
      <AuthField
        id="sign-in-email"
        name="email"
        type="email"
        label={t('fields.email')}
        autoComplete="email"
        inputMode="email"
        spellCheck={false}
        required
        invalid={failure?.field === 'email'}
      />
      <AuthField
        id="sign-in-password"
        name="password"
        type="password"
        label={t('fields.password')}
        autoComplete="current-password"
        required
        invalid={failure?.field === 'password'}
      />
      <AuthErrorMessage failure={failure} />
      <SubmitButton pending={pending} label={t('signIn.submit')} pendingLabel={t('signIn.pending')} />
      <p className="text-center text-sm text-slate-700">
        {t('signIn.noAccount')}{' '}
        <Link
          href={`/sign-up?next=${encodeURIComponent(next)}`}
          className="font-medium text-indigo-700 underline"
        >
          {t('signIn.signUpLink')}
        </Link>
      </p>
    </form>
  );
}
