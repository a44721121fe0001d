'use client';

import { useTranslations } from 'next-intl';
import type { FormEvent } from 'react';
import { looksLikeEmail } from './auth-errors';
import {
  AuthErrorMessage,
  AuthField,
  EmailField,
  readCredentials,
  SubmitButton,
  SwitchFormLink,
} from './auth-form-parts';
import { useAuthSubmit } from './use-auth-submit';

/** Email and password sign-in. `next` is the safe same-site path to go to afterwards. */
export function SignInForm({ next }: { next: string }) {
  const t = useTranslations('auth');
  const { pending, failure, setFailure, submit } = useAuthSubmit('/api/auth/sign-in/email', next);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const { email, password } = readCredentials(event);
    if (!looksLikeEmail(email)) return setFailure({ key: 'invalidEmail', field: 'email' });
    // Only emptiness is checked here: the password rules apply to new passwords, not to signing in.
    if (!password) return setFailure({ key: 'passwordRequired', field: 'password' });
    void submit({ email, password });
  }

  return (
    <form noValidate onSubmit={onSubmit} className="space-y-4">
      <EmailField id="sign-in-email" invalid={failure?.field === 'email'} />
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
      <SwitchFormLink
        prompt={t('signIn.noAccount')}
        label={t('signIn.signUpLink')}
        path="/sign-up"
        next={next}
      />
    </form>
  );
}
