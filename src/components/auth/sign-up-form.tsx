'use client';

import { useTranslations } from 'next-intl';
import type { FormEvent } from 'react';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from '@/lib/password';
import { byPasswordProblem, looksLikeEmail } from './auth-errors';
import {
  AuthErrorMessage,
  AuthField,
  EmailField,
  readCredentials,
  SubmitButton,
  SwitchFormLink,
} from './auth-form-parts';
import { useAuthSubmit } from './use-auth-submit';

/** Email and password sign-up. `next` is the safe same-site path to go to afterwards. */
export function SignUpForm({ next }: { next: string }) {
  const t = useTranslations('auth');
  const { pending, failure, setFailure, submit } = useAuthSubmit('/api/auth/sign-up/email', next);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const { email, password } = readCredentials(event);
    // The same rules the server enforces, checked first so an obvious mistake costs no rate-limited try.
    if (!looksLikeEmail(email)) return setFailure({ key: 'invalidEmail', field: 'email' });
    const problem = passwordProblem(password, { email });
    if (problem) return setFailure(byPasswordProblem[problem]);
    // better-auth requires a name; the part before the @ is a fair default the user can change later.
    void submit({ email, password, name: email.split('@')[0] ?? '' });
  }

  return (
    <form noValidate onSubmit={onSubmit} className="space-y-4">
      <EmailField id="sign-up-email" invalid={failure?.field === 'email'} />
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
      <SwitchFormLink
        prompt={t('signUp.haveAccount')}
        label={t('signUp.signInLink')}
        path="/sign-in"
        next={next}
      />
    </form>
  );
}
