import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserForThisFile } from './browser';
import { baseUrl, clientAddress, type HttpUser, signUpOverHttp } from './http';

/**
 * No open redirect through `next`, against the production build: the server's redirect of someone
 * already signed in, and the client-side navigation after signing in through the form, in Chromium.
 */
const openPage = browserForThisFile();

const HOSTILE = [
  '/.//evil.com',
  '/%2e//evil.com',
  '/a/..//evil.com',
  '///evil.com',
  '//evil.com',
  '/\\evil.com',
];

let user: HttpUser;

beforeAll(async () => {
  user = await signUpOverHttp();
});

/** Where the server sends a signed-in user who opens `page?next=<next>`. */
async function serverRedirect(page: '/sign-in' | '/sign-up', next: string): Promise<URL> {
  const response = await fetch(`${baseUrl}${page}?next=${encodeURIComponent(next)}`, {
    redirect: 'manual',
    headers: { cookie: user.cookie, 'x-forwarded-for': clientAddress() },
  });
  expect(response.status).toBe(307);
  const location = response.headers.get('location') ?? '';
  expect(location.startsWith('//'), location).toBe(false);
  return new URL(location, `${baseUrl}${page}`);
}

describe('the redirect of a signed-in user', () => {
  it.each(HOSTILE)('sends %j to the credits page on this origin, from both pages', async (next) => {
    for (const page of ['/sign-in', '/sign-up'] as const) {
      const target = await serverRedirect(page, next);
      expect(target.origin).toBe(baseUrl);
      expect(target.pathname).toBe('/settings/credits');
    }
  });

  it('stays on this origin for every generated `next`', async () => {
    const pieces = fc.constantFrom('/', '//', '\\', '.', '..', '%2e', '%2f', '\t', '@', 'evil.com', 'a', ':');
    await fc.assert(
      fc.asyncProperty(fc.array(pieces, { maxLength: 8 }), async (parts) => {
        expect((await serverRedirect('/sign-in', parts.join(''))).origin).toBe(baseUrl);
      }),
      { numRuns: 60 },
    );
  });

  it('lands the browser on this origin', async () => {
    const { context, page } = await openPage();
    await context.addCookies(
      user.cookie.split('; ').map((pair) => {
        const [name = '', value = ''] = pair.split('=');
        return { name, value, url: baseUrl };
      }),
    );
    for (const next of HOSTILE) {
      // A navigation to evil.com would fail (no network here): what counts is where the browser went.
      await page.goto(`/sign-in?next=${encodeURIComponent(next)}`).catch(() => null);
      expect(new URL(page.url()).origin, next).toBe(baseUrl);
      expect(new URL(page.url()).pathname, next).toBe('/settings/credits');
    }
    await context.close();
  });
});

describe('the navigation after signing in through the form', () => {
  it.each(HOSTILE.slice(0, 3))('goes to the credits page on this origin, not to %j', async (next) => {
    const { context, page } = await openPage();
    await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // Waits for either outcome, so a redirect elsewhere fails here at once rather than timing out.
    await page.waitForURL((url) => url.origin !== baseUrl || url.pathname === '/settings/credits', {
      timeout: 20_000,
    });
    expect(new URL(page.url()).origin).toBe(baseUrl);
    expect(new URL(page.url()).pathname).toBe('/settings/credits');
    await context.close();
  });
});
