import { describe, expect, it } from 'vitest';
import { parseEnv } from '@/env';

const SECRET = 'a-production-secret-of-at-least-32-chars';
const AUTH = { BETTER_AUTH_SECRET: SECRET, BETTER_AUTH_URL: 'https://app.example.com' };

describe('environment validation', () => {
  it('accepts an empty development environment with defaults', () => {
    expect(parseEnv({})).toMatchObject({ NODE_ENV: 'development', DATABASE_POOL_SIZE: 10 });
  });

  it('treats empty strings as unset', () => {
    expect(parseEnv({ CRON_SECRET: '', DATABASE_URL: '' }).CRON_SECRET).toBeUndefined();
  });

  it('coerces the pool size and bounds it', () => {
    expect(parseEnv({ DATABASE_POOL_SIZE: '4' }).DATABASE_POOL_SIZE).toBe(4);
    expect(() => parseEnv({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/);
    expect(() => parseEnv({ DATABASE_POOL_SIZE: 'many' })).toThrow(/DATABASE_POOL_SIZE/);
  });

  it('requires DATABASE_URL in production, but not while building', () => {
    expect(() => parseEnv({ NODE_ENV: 'production', ...AUTH })).toThrow(
      /DATABASE_URL is required in production/,
    );
    expect(
      parseEnv({ NODE_ENV: 'production', NEXT_PHASE: 'phase-production-build' }).DATABASE_URL,
    ).toBeUndefined();
    expect(
      parseEnv({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/app', ...AUTH }).DATABASE_URL,
    ).toBe('postgres://db/app');
  });

  it('requires BETTER_AUTH_SECRET in production, where a development secret would forge sessions', () => {
    const base = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db/app' };
    expect(() => parseEnv({ ...base, BETTER_AUTH_URL: AUTH.BETTER_AUTH_URL })).toThrow(
      /BETTER_AUTH_SECRET is required in production/,
    );
    // Without it, better-auth would derive origins from a localhost fallback and sign-in would fail.
    expect(() => parseEnv({ ...base, BETTER_AUTH_SECRET: SECRET })).toThrow(
      /BETTER_AUTH_URL is required in production/,
    );
    expect(() =>
      parseEnv({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://db/app',
        ...AUTH,
        BETTER_AUTH_SECRET: 'short',
      }),
    ).toThrow(/at least 32 characters/);
    expect(parseEnv({ NODE_ENV: 'development' }).BETTER_AUTH_SECRET).toBeUndefined();
  });

  it('reads TRUSTED_IP_HEADERS as a lower-cased list of header names', () => {
    expect(parseEnv({ TRUSTED_IP_HEADERS: 'CF-Connecting-IP,x-real-ip' }).TRUSTED_IP_HEADERS).toEqual([
      'cf-connecting-ip',
      'x-real-ip',
    ]);
    expect(parseEnv({}).TRUSTED_IP_HEADERS).toBeUndefined();
    expect(() => parseEnv({ TRUSTED_IP_HEADERS: 'x-real-ip, spaced' })).toThrow(/TRUSTED_IP_HEADERS/);
  });

  it('reads TRUSTED_PROXY_HOPS as 0 to 10 proxies, and refuses it together with TRUSTED_IP_HEADERS', () => {
    expect(parseEnv({ TRUSTED_PROXY_HOPS: '0' }).TRUSTED_PROXY_HOPS).toBe(0);
    expect(parseEnv({ TRUSTED_PROXY_HOPS: '2' }).TRUSTED_PROXY_HOPS).toBe(2);
    expect(parseEnv({}).TRUSTED_PROXY_HOPS).toBeUndefined();
    for (const value of ['-1', '11', '1.5', 'two']) {
      expect(() => parseEnv({ TRUSTED_PROXY_HOPS: value }), value).toThrow(/TRUSTED_PROXY_HOPS/);
    }
    expect(() => parseEnv({ TRUSTED_PROXY_HOPS: '1', TRUSTED_IP_HEADERS: 'x-real-ip' })).toThrow(/not both/);
  });

  it('names every invalid variable in one error', () => {
    const attempt = () =>
      parseEnv({ DATABASE_URL: 'mysql://db/app', CRON_SECRET: 'short', BETTER_AUTH_URL: 'nope' });
    expect(attempt).toThrow(/DATABASE_URL must be a postgres/);
    expect(attempt).toThrow(/CRON_SECRET must be at least 16 characters/);
    expect(attempt).toThrow(/BETTER_AUTH_URL/);
  });
});
