import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { POST } from '@/app/api/auth/[...all]/route';
import { parseEnv } from '@/env';
import { CLIENT_ADDRESS_HEADER, clientAddress, clientAddressSetting } from '@/lib/client-address';
import { ORIGIN } from '../http';

/**
 * The sign-in rate limit (5 a minute per client) under every deployment shape, through the real auth
 * route and better-auth's limiter on PostgreSQL: a client cannot escape it by varying what it sends,
 * and clients behind the same proxies never share one allowance. Each test uses its own addresses.
 */
afterEach(() => {
  vi.unstubAllEnvs();
});

function signIn(headers: Record<string, string>): Promise<Response> {
  return POST(
    new Request(`${ORIGIN}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN, ...headers },
      body: JSON.stringify({ email: `nobody-${randomUUID()}@example.test`, password: 'a wrong passphrase' }),
    }),
  );
}

/** The statuses of sign-ins sent one after another, each with the headers `nth` gives. */
async function statuses(count: number, nth: (n: number) => Record<string, string>): Promise<number[]> {
  const answers: number[] = [];
  for (let n = 1; n <= count; n += 1) answers.push((await signIn(nth(n))).status);
  return answers;
}

const LIMITED = [401, 401, 401, 401, 401, 429];

describe('one proxy that appends to X-Forwarded-For (the default, and TRUSTED_PROXY_HOPS=1)', () => {
  it('limits a client that varies the X-Forwarded-For it sends itself', async () => {
    // The client writes a new address each time; the proxy appends the one it was connected from.
    expect(await statuses(6, (n) => ({ 'x-forwarded-for': `203.0.113.${n}, 198.51.100.10` }))).toEqual(
      LIMITED,
    );
  });

  it('never locks out a client because others sent multi-entry headers', async () => {
    vi.stubEnv('TRUSTED_PROXY_HOPS', '1');
    // Five different clients behind the proxy, each with an entry of its own on the left.
    expect(await statuses(5, (n) => ({ 'x-forwarded-for': `192.0.2.1, 198.51.100.${20 + n}` }))).toEqual([
      401, 401, 401, 401, 401,
    ]);
    // A client that has never tried is not answered 429.
    expect((await signIn({ 'x-forwarded-for': '192.0.2.1, 198.51.100.40' })).status).toBe(401);
  });
});

describe('a chain of proxies (TRUSTED_PROXY_HOPS=2)', () => {
  it('limits a client by the entry the outer proxy wrote, whatever the client put before it', async () => {
    vi.stubEnv('TRUSTED_PROXY_HOPS', '2');
    expect(
      await statuses(6, (n) => ({ 'x-forwarded-for': `203.0.113.${n}, 198.51.100.50, 10.0.0.2` })),
    ).toEqual(LIMITED);
  });

  it('keeps clients behind the same inner proxy apart', async () => {
    vi.stubEnv('TRUSTED_PROXY_HOPS', '2');
    expect(await statuses(5, (n) => ({ 'x-forwarded-for': `198.51.100.${60 + n}, 10.0.0.2` }))).toEqual([
      401, 401, 401, 401, 401,
    ]);
    expect((await signIn({ 'x-forwarded-for': '198.51.100.70, 10.0.0.2' })).status).toBe(401);
  });
});

describe('Vercel (VERCEL=1)', () => {
  it('limits each client by the address Vercel writes, and keeps clients apart', async () => {
    vi.stubEnv('VERCEL', '1');
    expect(await statuses(6, () => ({ 'x-forwarded-for': '198.51.100.80' }))).toEqual(LIMITED);
    expect((await signIn({ 'x-forwarded-for': '198.51.100.81' })).status).toBe(401);
  });
});

describe('a proxy that sets its own header (TRUSTED_IP_HEADERS)', () => {
  it('limits by that header alone, whatever X-Forwarded-For says', async () => {
    vi.stubEnv('TRUSTED_IP_HEADERS', 'cf-connecting-ip');
    expect(
      await statuses(6, (n) => ({
        'cf-connecting-ip': '198.51.100.90',
        'x-forwarded-for': `203.0.113.${n}`,
      })),
    ).toEqual(LIMITED);
    expect((await signIn({ 'cf-connecting-ip': '198.51.100.91' })).status).toBe(401);
  });
});

describe('exposed directly (TRUSTED_PROXY_HOPS=0)', () => {
  it('limits by the connection’s address, which the preload puts in X-Forwarded-For', async () => {
    // scripts/direct-client-address.cjs replaces what the client sent (tests/api/security-direct-client-address.test.ts).
    vi.stubEnv('TRUSTED_PROXY_HOPS', '0');
    expect(await statuses(6, () => ({ 'x-forwarded-for': '198.51.100.100' }))).toEqual(LIMITED);
    expect((await signIn({ 'x-forwarded-for': '198.51.100.101' })).status).toBe(401);
  });
});

describe('the address header better-auth reads', () => {
  it('cannot be sent by the client: a forged value never buys a fresh allowance', async () => {
    expect(
      await statuses(6, (n) => ({
        [CLIENT_ADDRESS_HEADER]: `203.0.113.${n}`,
        'x-forwarded-for': '198.51.100.110',
      })),
    ).toEqual(LIMITED);
  });
});

describe('clientAddress', () => {
  const source = (env: Record<string, string>) => clientAddressSetting(parseEnv(env)).source;
  const from = (env: Record<string, string>, headers: Record<string, string>) =>
    clientAddress(new Headers(headers), source(env));

  it.each([
    [{}, { 'x-forwarded-for': '198.51.100.7' }, '198.51.100.7'],
    [{}, { 'x-forwarded-for': '198.51.100.7, 192.0.2.1' }, '192.0.2.1'],
    [{ TRUSTED_PROXY_HOPS: '2' }, { 'x-forwarded-for': '198.51.100.7, 192.0.2.1' }, '198.51.100.7'],
    [{ TRUSTED_PROXY_HOPS: '3' }, { 'x-forwarded-for': '198.51.100.7, 192.0.2.1' }, null],
    [{ TRUSTED_PROXY_HOPS: '0' }, { 'x-forwarded-for': '198.51.100.7' }, '198.51.100.7'],
    [{ VERCEL: '1' }, { 'x-forwarded-for': '2001:DB8::1' }, '2001:db8::1'],
    [{}, { 'x-forwarded-for': '198.51.100.7, not-an-address' }, null],
    [{}, { 'x-forwarded-for': '192.0.2.1:4711' }, '192.0.2.1'],
    [{}, { 'x-forwarded-for': '[2001:db8::2]:4711' }, '2001:db8::2'],
    [{}, {}, null],
    [{ TRUSTED_IP_HEADERS: 'x-real-ip' }, { 'x-real-ip': '198.51.100.8' }, '198.51.100.8'],
    [{ TRUSTED_IP_HEADERS: 'x-real-ip' }, { 'x-forwarded-for': '198.51.100.8' }, null],
    [{ TRUSTED_IP_HEADERS: 'a,b' }, { b: '198.51.100.9', 'x-forwarded-for': '1.1.1.1' }, '198.51.100.9'],
    [
      { TRUSTED_IP_HEADERS: 'x-forwarded-for' },
      { 'x-forwarded-for': '1.1.1.1, 198.51.100.9' },
      '198.51.100.9',
    ],
  ])('under %j reads %j as %j', (env, headers, expected) => {
    expect(from(env, headers)).toBe(expected);
  });

  it('says when the shape is a guess: only when no variable says it', () => {
    expect(clientAddressSetting(parseEnv({})).ambiguous).toBe(true);
    for (const env of [{ TRUSTED_PROXY_HOPS: '1' }, { TRUSTED_IP_HEADERS: 'x-real-ip' }, { VERCEL: '1' }]) {
      expect(clientAddressSetting(parseEnv(env)).ambiguous, JSON.stringify(env)).toBe(false);
    }
  });
});
