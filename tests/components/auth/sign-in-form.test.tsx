import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { SignInForm } from '@/components/auth/sign-in-form';
import type { Locale } from '@/i18n/locales';
import { renderIn } from '../render';
import { fetchMock, router, stubFetchAndRouter } from '../stubs';

vi.mock('next/navigation', async () => (await import('../stubs')).navigationModule);
stubFetchAndRouter();

const text = {
  en: {
    email: 'Email',
    password: 'Password',
    submit: 'Sign in',
    wrong: 'Wrong email or password.',
    missing: 'Enter your password.',
    limited: 'Too many attempts. Try again in 1 second.',
  },
  'zh-CN': {
    email: '邮箱',
    password: '密码',
    submit: '登录',
    wrong: '邮箱或密码错误。',
    missing: '请输入密码。',
    limited: '尝试次数过多，请在 1 秒后重试。',
  },
} as const;

async function submit(locale: Locale, email: string, password: string) {
  const user = userEvent.setup();
  await renderIn(locale, <SignInForm next="/ai" />);
  await user.type(screen.getByLabelText(text[locale].email), email);
  if (password) await user.type(screen.getByLabelText(text[locale].password), password);
  await user.click(screen.getByRole('button', { name: text[locale].submit }));
}

async function shownError(): Promise<string> {
  const region = document.getElementById('auth-error');
  await waitFor(() => expect(region?.textContent).not.toBe(''));
  return region?.textContent ?? '';
}

describe.each(['en', 'zh-CN'] as const)('SignInForm in %s', (locale) => {
  it('says the email or password is wrong, without saying which', async () => {
    fetchMock.mockResolvedValue(
      Response.json(
        { code: 'INVALID_EMAIL_OR_PASSWORD', message: 'Invalid email or password' },
        { status: 401 },
      ),
    );
    await submit(locale, 'ada@example.com', 'not my passphrase');
    expect(await shownError()).toBe(text[locale].wrong);
    expect(router.push).not.toHaveBeenCalled();
  });

  it('counts the wait down to a singular second', async () => {
    fetchMock.mockResolvedValue(
      Response.json({ message: 'Too many requests.' }, { status: 429, headers: { 'X-Retry-After': '1' } }),
    );
    await submit(locale, 'ada@example.com', 'not my passphrase');
    expect(await shownError()).toBe(text[locale].limited);
  });

  it('asks for a missing password without sending anything', async () => {
    await submit(locale, 'ada@example.com', '');
    expect(await shownError()).toBe(text[locale].missing);
    expect(fetchMock).not.toHaveBeenCalled();
  });
});

describe('SignInForm', () => {
  it('signs in through better-auth and goes to `next`, applying no new-password rules', async () => {
    fetchMock.mockResolvedValue(Response.json({ token: 't', user: { id: 'u1' } }));
    // An old password shorter than today's minimum must still be accepted at sign-in.
    await submit('en', 'ada@example.com', 'short');
    await waitFor(() => expect(router.push).toHaveBeenCalledWith('/ai'));
    expect(router.refresh).toHaveBeenCalled();
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/auth/sign-in/email');
    expect(JSON.parse(String(fetchMock.mock.calls[0]?.[1]?.body))).toEqual({
      email: 'ada@example.com',
      password: 'short',
    });
  });

  it('labels its fields for password managers and links to sign-up keeping `next`', async () => {
    await renderIn('en', <SignInForm next="/settings/credits?x=1" />);
    expect(screen.getByLabelText('Email')).toHaveAttribute('autocomplete', 'email');
    expect(screen.getByLabelText('Password')).toHaveAttribute('autocomplete', 'current-password');
    expect(screen.getByRole('link', { name: 'Create one' })).toHaveAttribute(
      'href',
      '/sign-up?next=%2Fsettings%2Fcredits%3Fx%3D1',
    );
  });
});
