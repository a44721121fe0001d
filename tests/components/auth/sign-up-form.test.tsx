import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { SignUpForm } from '@/components/auth/sign-up-form';
import type { Locale } from '@/i18n/locales';
import { renderIn } from '../render';
import { fetchMock, router, stubFetchAndRouter } from '../stubs';

vi.mock('next/navigation', async () => (await import('../stubs')).navigationModule);
stubFetchAndRouter();

/** An error answer shaped like better-auth's: `{ message, code }`, or its rate limiter's 429. */
function answer(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

const labels = {
  en: { email: 'Email', password: 'Password', submit: 'Create account' },
  'zh-CN': { email: '邮箱', password: '密码', submit: '注册' },
} as const;

async function fillAndSubmit(locale: Locale, email: string, password: string) {
  const user = userEvent.setup();
  await renderIn(locale, <SignUpForm next="/settings/credits?x=1" />);
  await user.type(screen.getByLabelText(labels[locale].email), email);
  await user.type(screen.getByLabelText(labels[locale].password), password);
  await user.click(screen.getByRole('button', { name: labels[locale].submit }));
}

/** The message in the form's live region. */
async function shownError(): Promise<string> {
  const region = document.getElementById('auth-error');
  await waitFor(() => expect(region?.textContent).not.toBe(''));
  expect(region?.getAttribute('aria-live')).toBe('assertive');
  return region?.textContent ?? '';
}

const serverErrors: [string, Response | (() => Response), Record<Locale, string>][] = [
  [
    'a taken email',
    () => answer(422, { code: 'USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL', message: 'User already exists.' }),
    {
      en: 'An account with this email already exists. Sign in, or use another email.',
      'zh-CN': '该邮箱已注册。请直接登录，或换一个邮箱。',
    },
  ],
  [
    'a weak password',
    () => answer(400, { code: 'WEAK_PASSWORD', message: 'Password is too easy to guess' }),
    {
      en: 'This password is too easy to guess. Choose a longer, less common one that is not your email.',
      'zh-CN': '这个密码太容易被猜到。请换一个更长、更少见且与邮箱无关的密码。',
    },
  ],
  [
    'a short password',
    () => answer(400, { code: 'PASSWORD_TOO_SHORT', message: 'Password too short' }),
    {
      en: 'This password is too short: use at least 10 characters.',
      'zh-CN': '密码太短：至少需要 10 个字符。',
    },
  ],
  [
    'an invalid email',
    () => answer(400, { code: 'VALIDATION_ERROR', message: '[body.email] Invalid email address' }),
    {
      en: 'Enter a valid email address, like name@example.com.',
      'zh-CN': '请输入有效的邮箱地址，例如 name@example.com。',
    },
  ],
  [
    'rate limiting with a wait',
    () => answer(429, { message: 'Too many requests. Please try again later.' }, { 'X-Retry-After': '42' }),
    { en: 'Too many attempts. Try again in 42 seconds.', 'zh-CN': '尝试次数过多，请在 42 秒后重试。' },
  ],
  [
    'rate limiting without a wait',
    () => answer(429, { message: 'Too many requests. Please try again later.' }),
    {
      en: 'Too many attempts. Wait a minute, then try again.',
      'zh-CN': '尝试次数过多，请稍等一分钟后重试。',
    },
  ],
  [
    'an unknown error',
    () => answer(500, { code: 'FAILED_TO_CREATE_USER', message: 'Failed to create user' }),
    {
      en: 'Something went wrong. Check your connection and try again.',
      'zh-CN': '出了点问题。请检查网络连接后重试。',
    },
  ],
];

describe.each(['en', 'zh-CN'] as const)('SignUpForm in %s', (locale) => {
  it.each(serverErrors)('explains %s', async (_name, response, messages) => {
    fetchMock.mockImplementation(async () => (typeof response === 'function' ? response() : response));
    await fillAndSubmit(locale, 'ada@example.com', 'a fine passphrase');
    expect(await shownError()).toBe(messages[locale]);
    expect(router.push).not.toHaveBeenCalled();
    // Ready for another try.
    expect(screen.getByRole('button', { name: labels[locale].submit })).toBeEnabled();
  });

  it('explains a network failure', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    await fillAndSubmit(locale, 'ada@example.com', 'a fine passphrase');
    expect(await shownError()).toBe(serverErrors[6]?.[2][locale]);
  });

  it.each([
    ['a short password', 'ada@example.com', 'short', 'password'],
    ['a common password', 'ada@example.com', 'qwertyuiop', 'password'],
    ['the email as password', 'ada.lovelace@example.com', 'ada.lovelace', 'password'],
    ['a malformed email', 'ada-at-example', 'a fine passphrase', 'email'],
  ])('answers %s at once, without a request, marking the field', async (_name, email, password, field) => {
    await fillAndSubmit(locale, email, password);
    await shownError();
    expect(fetchMock).not.toHaveBeenCalled();
    const input = screen.getByLabelText(labels[locale][field as 'email' | 'password']);
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(input.getAttribute('aria-describedby')).toContain('auth-error');
  });
});

describe('SignUpForm', () => {
  it('posts JSON to better-auth on the same origin, then goes to `next` and refreshes', async () => {
    fetchMock.mockResolvedValue(answer(200, { token: 't', user: { id: 'u1' } }));
    await fillAndSubmit('en', ' Ada@Example.com ', 'a fine passphrase');
    await waitFor(() => expect(router.push).toHaveBeenCalledWith('/settings/credits?x=1'));
    expect(router.refresh).toHaveBeenCalled();
    const [url, init] = fetchMock.mock.calls[0] ?? [];
    expect(url).toBe('/api/auth/sign-up/email');
    expect(init).toMatchObject({ method: 'POST', credentials: 'same-origin' });
    expect(new Headers(init?.headers).get('content-type')).toBe('application/json');
    expect(JSON.parse(String(init?.body))).toEqual({
      email: 'Ada@Example.com',
      password: 'a fine passphrase',
      name: 'Ada',
    });
  });

  it('shows that it is working and cannot be sent twice while the request runs', async () => {
    let finish: (response: Response) => void = () => {};
    fetchMock.mockReturnValue(new Promise<Response>((resolve) => (finish = resolve)));
    await fillAndSubmit('en', 'ada@example.com', 'a fine passphrase');
    const button = await screen.findByRole('button', { name: 'Creating your account…' });
    expect(button).toBeDisabled();
    finish(answer(422, { code: 'USER_ALREADY_EXISTS', message: 'User already exists.' }));
    expect(await shownError()).toMatch(/already exists/);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('labels its fields for password managers and links to sign-in keeping `next`', async () => {
    await renderIn('en', <SignUpForm next="/ai" />);
    expect(screen.getByLabelText('Email')).toHaveAttribute('autocomplete', 'email');
    const password = screen.getByLabelText('Password');
    expect(password).toHaveAttribute('autocomplete', 'new-password');
    expect(password).toHaveAccessibleDescription(
      'At least 10 characters. Avoid common passwords and your email address.',
    );
    expect(screen.getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', '/sign-in?next=%2Fai');
  });
});
