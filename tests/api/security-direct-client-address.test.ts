import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * scripts/direct-client-address.cjs, the preload `npm start` runs with: exposed directly
 * (TRUSTED_PROXY_HOPS=0), the X-Forwarded-For that reaches the app is the connection's own address,
 * never what the client sent. It patches node:http, so it runs in a process of its own here: a plain
 * server created the way `next start` creates its own (http.createServer(listener)).
 */
const PRELOAD = path.resolve(import.meta.dirname, '../../scripts/direct-client-address.cjs');

const ECHO_SERVER = `
  const http = require('node:http');
  const server = http.createServer((request, response) => {
    response.end(JSON.stringify({
      forwardedFor: request.headers['x-forwarded-for'] ?? null,
      marked: globalThis[Symbol.for('saas-credits.direct-client-address')] === true,
    }));
  });
  server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill();
  child = undefined;
});

/** Starts the echo server with the preload under `env` and answers what one request saw. */
async function seenBehindPreload(env: Record<string, string>, forwardedFor: string) {
  child = spawn(process.execPath, ['--require', PRELOAD, '-e', ECHO_SERVER], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    child?.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child?.once('exit', (code) => reject(new Error(`the echo server exited with ${code}`)));
  });
  const response = await fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-forwarded-for': forwardedFor } });
  return (await response.json()) as { forwardedFor: string | null; marked: boolean };
}

describe('the direct-client-address preload', () => {
  it('replaces a client’s X-Forwarded-For with the connection’s address when exposed directly', async () => {
    const seen = await seenBehindPreload({ TRUSTED_PROXY_HOPS: '0' }, '203.0.113.9, 198.51.100.1');
    expect(seen.forwardedFor).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    expect(seen.marked).toBe(true);
  });

  it('changes nothing behind a proxy, where the proxy’s entries are what count', async () => {
    for (const env of [{ TRUSTED_PROXY_HOPS: '1' }, {}] as Record<string, string>[]) {
      const seen = await seenBehindPreload(env, '203.0.113.9, 198.51.100.1');
      expect(seen).toEqual({ forwardedFor: '203.0.113.9, 198.51.100.1', marked: false });
      child?.kill();
    }
  });
});
