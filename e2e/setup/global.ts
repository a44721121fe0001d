import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { findFreePort, openScratchServer, withDatabase } from '../../src/db/embedded';
import { runMigrations } from '../../src/db/migrate';
import { startFakeStripe } from '../../tests/support/fake-stripe';
import { startNext, waitUntilServing } from '../server';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    /** The suite's database, for tests that start a server of their own (e2e/startup.e2e.ts). */
    databaseUrl: string;
    cronSecret: string;
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
  const cronSecret = randomBytes(24).toString('hex');
  const server = startNext(port, {
    DATABASE_URL: databaseUrl,
    BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
    BETTER_AUTH_URL: baseUrl,
    CRON_SECRET: cronSecret,
    STRIPE_SECRET_KEY: 'sk_test_e2e',
    STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
    STRIPE_API_URL: stripe.url,
    // The browser contexts say who they are in X-Forwarded-For, as a proxy in front would (e2e/browser.ts).
    TRUSTED_PROXY_HOPS: '1',
  });
  await waitUntilServing(server);
  project.provide('baseUrl', baseUrl);
  project.provide('databaseUrl', databaseUrl);
  project.provide('cronSecret', cronSecret);

  return async () => {
    await server.stop();
    await admin.unsafe(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
    await scratch.stop();
    await stripe.close();
  };
}
