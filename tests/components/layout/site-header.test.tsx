import { siteConfig } from '@site-config';
import { screen } from '@testing-library/react';
import { redirect } from 'next/navigation';
import { createTranslator } from 'next-intl';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SiteHeader } from '@/components/site-header';
import type { Locale } from '@/i18n/locales';
import { renderIn } from '../render';

// The header is an async server component: its session and server-side translations are stood in for
// here (a database outage cannot be produced in happy-dom), and its output is rendered as the layout would.
const session = vi.hoisted(() => ({ getSession: vi.fn() }));
vi.mock('@/lib/session', () => session);
const intl = vi.hoisted(() => ({ locale: 'en' as string }));
vi.mock('next-intl/server', async () => {
  const { loadMessages: load } = await import('@/i18n/messages');
  return {
    getTranslations: async (namespace: string) =>
      createTranslator({
        locale: intl.locale,
        messages: await load(intl.locale as Locale),
        namespace: namespace as 'common',
      }),
  };
});
vi.mock('@/i18n/actions', () => ({ setLocale: vi.fn() }));
vi.mock('next/navigation', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/navigation')>()),
  useRouter: () => ({ push: vi.fn(), refresh: vi.fn() }),
}));

async function renderHeader(locale: Locale) {
  intl.locale = locale;
  return renderIn(locale, await SiteHeader());
}

afterEach(() => {
  session.getSession.mockReset();
  vi.restoreAllMocks();
});

describe.each([
  ['en', 'Sign in', 'Credits', 'Sign out'],
  ['zh-CN', '登录', '积分', '退出登录'],
] as const)('SiteHeader in %s', (locale, signIn, credits, signOut) => {
  it('names the site from the config and shows the signed-in navigation', async () => {
    session.getSession.mockResolvedValue({ user: { email: 'ada@example.com' } });
    await renderHeader(locale);
    expect(screen.getByRole('link', { name: siteConfig.name })).toHaveAttribute('href', '/');
    expect(screen.getByRole('link', { name: credits })).toHaveAttribute('href', '/settings/credits');
    expect(screen.getByRole('button', { name: signOut })).toBeTruthy();
    expect(screen.queryByRole('link', { name: signIn })).toBeNull();
  });

  it('falls back to the signed-out header, and logs why, when the session cannot be read', async () => {
    const outage = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    session.getSession.mockRejectedValue(outage);
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    await renderHeader(locale);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('session'), outage);
    expect(screen.getByRole('link', { name: siteConfig.name })).toBeTruthy();
    expect(screen.getByRole('link', { name: signIn })).toHaveAttribute('href', '/sign-in');
    expect(screen.queryByRole('link', { name: credits })).toBeNull();
    expect(screen.queryByRole('button', { name: signOut })).toBeNull();
    expect(screen.getByRole('group', { name: locale === 'en' ? 'Language' : '语言' })).toBeTruthy();
  });
});

describe('SiteHeader', () => {
  it("lets Next.js's own control-flow errors through instead of hiding them as an outage", async () => {
    let control: unknown;
    try {
      redirect('/sign-in');
    } catch (error) {
      control = error;
    }
    session.getSession.mockRejectedValue(control);
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    await expect(SiteHeader()).rejects.toBe(control);
    expect(log).not.toHaveBeenCalled();
  });
});
