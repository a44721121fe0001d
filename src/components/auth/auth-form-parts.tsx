import Link from 'next/link';
import { useTranslations } from 'next-intl';
import type { FormEvent, InputHTMLAttributes } from 'react';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@/lib/password';
import type { AuthFailure } from './auth-errors';

export const ERROR_ID = 'auth-error';

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  id: string;
  label: string;
  hint?: string;
  invalid: boolean;
}

export function AuthField({ id, label, hint, invalid, ...input }: FieldProps) {
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        id={id}
        aria-invalid={invalid || undefined}
        aria-describedby={[hintId, invalid ? ERROR_ID : undefined].filter(Boolean).join(' ') || undefined}
        className="block w-full rounded-md border border-slate-400 bg-white px-3 py-2 text-base text-slate-900 aria-[invalid=true]:border-red-700"
        {...input}
      />
      {hint ? (
        <p id={hintId} className="text-sm text-slate-600">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** The email and password a submitted sign-in or sign-up form holds; the email without stray spaces. */
export function readCredentials(event: FormEvent<HTMLFormElement>): { email: string; password: string } {
  const data = new FormData(event.currentTarget);
  return { email: String(data.get('email') ?? '').trim(), password: String(data.get('password') ?? '') };
}

/** The email field, the same on both forms. */
export function EmailField({ id, invalid }: { id: string; invalid: boolean }) {
  const t = useTranslations('auth.fields');
  return (
    <AuthField
      id={id}
      name="email"
      type="email"
      label={t('email')}
      autoComplete="email"
      inputMode="email"
      spellCheck={false}
      required
      invalid={invalid}
    />
  );
}

/** "No account yet? Create one" and its reverse: to the other form, keeping where to go afterwards. */
export function SwitchFormLink({
  prompt,
  label,
  path,
  next,
}: {
  prompt: string;
  label: string;
  path: string;
  next: string;
}) {
  return (
    <p className="text-center text-sm text-slate-700">
      {prompt}{' '}
      <Link
        href={`${path}?next=${encodeURIComponent(next)}`}
        className="font-medium text-indigo-700 underline"
      >
        {label}
      </Link>
    </p>
  );
}

/** Always rendered, so that screen readers announce each new message as it appears. */
export function AuthErrorMessage({ failure }: { failure: AuthFailure | null }) {
  const t = useTranslations('auth.errors');
  return (
    <div id={ERROR_ID} aria-live="assertive" aria-atomic="true">
      {failure ? (
        <p className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800">
          {t(failure.key, {
            min: PASSWORD_MIN_LENGTH,
            max: PASSWORD_MAX_LENGTH,
            seconds: failure.retryAfterSeconds ?? 0,
          })}
        </p>
      ) : null}
    </div>
  );
}

export function SubmitButton({
  pending,
  label,
  pendingLabel,
}: {
  pending: boolean;
  label: string;
  pendingLabel: string;
}) {
  return (
    <button
      type="submit"
      disabled={pending}
      className="w-full rounded-md bg-indigo-700 px-4 py-2 text-base font-medium text-white hover:bg-indigo-800 disabled:cursor-wait disabled:opacity-70"
    >
      {pending ? pendingLabel : label}
    </button>
  );
}
