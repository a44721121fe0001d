import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { SignInForm } from '@/components/auth/sign-in-form';
import { SignUpForm } from '@/components/auth/sign-up-form';
import { RETURN_FALLBACK, safeReturnPath } from '@/lib/return-path';
import { renderIn } from '../render';
import { fetchMock, router, stubFetchAndRouter } from '../stubs';

vi.mock('next/navigation', async () => (await import('../stubs')).navigationModule);
stubFetchAndRouter();

/**
 * The client-side navigation after signing in or up: the forms go where `next` says only when it is a
 * same-site path, whatever the page handed them (the page checks too; this is the second line).
 */
const APP = 'https://app.example.com';

const forms = {
  'sign-in': { Form: SignInForm, submit: 'Sign in' },
  'sign-up': { Form: SignUpForm, submit: 'Create account' },
} as const;

/** Renders the form with `next`, signs in successfully and answers where the router was sent. */
async function navigationAfterSuccess(form: keyof typeof forms, next: string): Promise<string> {
  const { Form, submit } = forms[form];
  fetchMock.mockResolvedValue(Response.json({ token: 't', user: { id: 'u1' } }));
  router.push.mockClear();
  await renderIn('en', <Form next={next} />);
  // fireEvent rather than userEvent: the property below submits the form many times.
  fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'ada@example.com' } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'a sturdy passphrase 42' } });
  fireEvent.click(screen.getByRole('button', { name: submit }));
  await waitFor(() => expect(router.push).toHaveBeenCalledTimes(1));
  const target = String(router.push.mock.calls[0]?.[0]);
  cleanup();
  return target;
}

/** Where the browser lands for a client-side navigation to `target` from the sign-in page. */
function landing(target: string): URL {
  return new URL(target, `${APP}/sign-in`);
}

describe.each(Object.keys(forms) as (keyof typeof forms)[])('the %s form', (form) => {
  it.each(['//evil.com', '/\\evil.com', 'https://evil.com', 'javascript:alert(1)', '/.//evil.com'])(
    'goes to the credits page, not to %j',
    async (next) => {
      expect(await navigationAfterSuccess(form, next)).toBe(RETURN_FALLBACK);
    },
  );

  it('goes to a same-site `next` as given', async () => {
    expect(await navigationAfterSuccess(form, '/ai?from=home')).toBe('/ai?from=home');
  });
});

describe('the navigation after sign-in, for generated `next` values', () => {
  const pieces = fc.constantFrom('/', '//', '\\', '.', '..', '%2e', '\t', '@', ':', 'evil.com', 'a');
  const anyNext = fc.oneof(
    fc.array(pieces, { maxLength: 8 }).map((parts) => parts.join('')),
    fc.webUrl(),
    fc.string({ maxLength: 20 }),
  );

  it('always stays on the same origin, with a path the page check would keep as it is', async () => {
    await fc.assert(
      fc.asyncProperty(anyNext, async (next) => {
        const target = await navigationAfterSuccess('sign-in', next);
        expect(landing(target).origin).toBe(APP);
        expect(safeReturnPath(target)).toBe(target);
      }),
      { numRuns: 40 },
    );
  });
});
