'use client';

import Link from 'next/link';
import { useTranslations } from 'next-intl';
import type { FormEvent } from 'react';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from '@/lib/password';
import { byPasswordProblem, looksLikeEmail } from './auth-errors';
import { AuthErrorMessage, AuthField, SubmitButton } from './auth-form-parts';
import { useAuthSubmit } from './use-auth-submit';

/** Email and password sign-up. `next` is the safe same-site path to go to afterwards. */
export function SignUpForm({ next }: { next: string }) {
  const t = useTranslations('auth');
  const { pending, failure, setFailure, submit } = useAuthSubmit('/api/auth/sign-up/email', next);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const email = String(data.get('email') ?? '').trim();
    const password = String(data.get('password') ?? '');
    // The same rules the server enforces, checked first so an obvious mistake costs no rate-limited try.
    if (!looksLikeEmail(email)) return setFailure({ key: 'invalidEmail', field: 'email' });
    const problem = passwordProblem(password, { email });
    if (problem) return setFailure(byPasswordProblem[problem]);
    // better-auth requires a name; the part before the @ is a fair default the user can change later.
    void submit({ email, password, name: email.split('@')[0] ?? '' });
  }

  return (
    <form noValidate onSubmit={onSubmit} className="space-y-4">
      <AuthField
        id="sign-up-email"
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
        id="sign-up-password"
        name="password"
        type="password"
        label={t('fields.password')}
        hint={t('fields.passwordHint', { min: PASSWORD_MIN_LENGTH })}
        autoComplete="new-password"
        minLength={PASSWORD_MIN_LENGTH}
        maxLength={PASSWORD_MAX_LENGTH}
        required
        invalid={failure?.field === 'password'}
      />
      <AuthErrorMessage failure={failure} />
      <SubmitButton pending={pending} label={t('signUp.submit')} pendingLabel={t('signUp.pending')} />
      <p className="text-center text-sm text-slate-700">
        {t('signUp.haveAccount')}{' '}
        <Link
          href={`/sign-in?next=${encodeURIComponent(next)}`}
          className="font-medium text-indigo-700 underline"
        >
          {t('signUp.signInLink')}
        </Link>
      </p>
    </form>
  );
}
