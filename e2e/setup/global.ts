import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { findFreePort, openScratchServer, withDatabase } from '../../src/db/embedded';
import { runMigrations } from '../../src/db/migrate';
import { startFakeStripe } from '../../tests/support/fake-stripe';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

/**
 * The end-to-end suite runs against the production build (`npm run build` first): a fresh, migrated
 * database (on DATABASE_URL's server, or an embedded one), a local fake Stripe (its hosted checkout
 * page pays and delivers signed webhooks to the app, as Stripe does) and `next start` on a free port.
 */
export default async function setup(project: TestProject) {
  if (!existsSync(path.join(process.cwd(), '.next', 'BUILD_ID'))) {
    throw new Error('No production build found: run `npm run build` before `npm run test:e2e`.');
  }
  const scratch = await openScratchServer({ name: 'e2e', fast: true });
  const serverUrl = scratch.url;
  const database = `saas_credits_e2e_${process.pid}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE "${database}"`);
  const databaseUrl = withDatabase(serverUrl, database);
  await runMigrations(databaseUrl);

  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const stripe = await startFakeStripe({ webhookUrl: `${baseUrl}/api/webhooks/stripe` });
  const server = startNext(port, {
    DATABASE_URL: databaseUrl,
    BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
    BETTER_AUTH_URL: baseUrl,
    CRON_SECRET: randomBytes(24).toString('hex'),
    STRIPE_SECRET_KEY: 'sk_test_e2e',
    STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
    STRIPE_API_URL: stripe.url,
    // The browser contexts say who they are in X-Forwarded-For, as a proxy in front would (e2e/browser.ts).
    TRUSTED_PROXY_HOPS: '1',
  });
  await waitUntilServing(baseUrl, server);
  project.provide('baseUrl', baseUrl);

  return async () => {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve).once('error', resolve));
    await admin.unsafe(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
    await scratch.stop();
    await stripe.close();
  };
}

let serverLog = '';

/** `next start` as `npm start` runs it (with the direct-client-address preload), on 127.0.0.1. */
function startNext(port: number, env: Record<string, string>): ChildProcess {
  const nextBin = path.join(process.cwd(), 'node_modules', 'next', 'dist', 'bin', 'next');
  const preload = path.join(process.cwd(), 'scripts', 'direct-client-address.cjs');
  const child = spawn(
    process.execPath,
    ['--require', preload, nextBin, 'start', '--port', String(port), '--hostname', '127.0.0.1'],
    {
      env: { ...process.env, ...env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const keep = (chunk: Buffer) => {
    serverLog = `${serverLog}${chunk.toString()}`.slice(-20_000);
    if (process.env.E2E_SERVER_LOG) process.stderr.write(chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}

async function waitUntilServing(baseUrl: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`next start exited early:\n${serverLog}`);
    try {
      const response = await fetch(baseUrl, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  server.kill('SIGKILL');
  throw new Error(`next start did not serve ${baseUrl} within 60 s:\n${serverLog}`);
}
