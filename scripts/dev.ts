import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type EmbeddedDatabase, startEmbeddedPostgres, withDatabase } from '../src/db/embedded';
import { runMigrations } from '../src/db/migrate';

/**
 * `npm run dev` and `npm run start:local`: with DATABASE_URL, migrate it and run Next.js; without it,
 * start an embedded PostgreSQL whose data persists under .data/postgres, migrate, and run Next.js on it.
 */
const nextCommand = process.argv[2] === 'start' ? 'start' : 'dev';

async function main(): Promise<void> {
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const dataDir = path.join(process.cwd(), '.data', 'postgres');
    console.log(
      `[db] No DATABASE_URL: starting the embedded PostgreSQL in ${path.relative(process.cwd(), dataDir)}/`,
    );
    embedded = await startEmbeddedPostgres({ dataDir, persistent: true });
    databaseUrl = embedded.url;
    await ensureDatabase(databaseUrl, 'saas_credits');
    databaseUrl = withDatabase(databaseUrl, 'saas_credits');
  }
  await runMigrations(databaseUrl);
  console.log('[db] Migrations applied.');
  const authSecret = process.env.BETTER_AUTH_SECRET || localAuthSecret();
  // A production server (start:local) requires its public URL; on this machine that is localhost. The dev
  // server needs none: it accepts localhost and 127.0.0.1 on any port.
  const authUrl =
    process.env.BETTER_AUTH_URL ||
    (nextCommand === 'start' ? `http://localhost:${portArgument() ?? process.env.PORT ?? 3000}` : undefined);

  const nextBin = path.join(process.cwd(), 'node_modules', 'next', 'dist', 'bin', 'next');
  // As `npm start` does: with TRUSTED_PROXY_HOPS=0 the client address is the connection's own.
  const preload = nextCommand === 'start' ? ['--require', './scripts/direct-client-address.cjs'] : [];
  const child = spawn(process.execPath, [...preload, nextBin, nextCommand, ...process.argv.slice(3)], {
    stdio: 'inherit',
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      BETTER_AUTH_SECRET: authSecret,
      ...(authUrl ? { BETTER_AUTH_URL: authUrl } : {}),
      // A production server on this machine is reached directly, with no proxy in front.
      ...(nextCommand === 'start' && !process.env.TRUSTED_IP_HEADERS
        ? { TRUSTED_PROXY_HOPS: process.env.TRUSTED_PROXY_HOPS ?? '0' }
        : {}),
    },
  });
  const shutdown = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  child.on('exit', async (code) => {
    await embedded?.stop();
    process.exit(code ?? 0);
  });
}

/** The port passed to `next` (`--port 3100`, `-p 3100` or `--port=3100`), if any. */
function portArgument(): string | undefined {
  const args = process.argv.slice(3);
  for (const [index, arg] of args.entries()) {
    if (arg === '--port' || arg === '-p') return args[index + 1];
    if (arg.startsWith('--port=')) return arg.slice('--port='.length);
  }
  return undefined;
}

/**
 * Without BETTER_AUTH_SECRET, sessions are signed with a random secret kept in .data/auth-secret, so they
 * survive restarts and `npm run start:local` (a production server, which refuses to run without a
 * secret) works with no configuration. Never used when the variable is set.
 */
function localAuthSecret(): string {
  const file = path.join(process.cwd(), '.data', 'auth-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  const { default: postgres } = await import('postgres');
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    const [exists] = await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`;
    if (!exists) await admin.unsafe(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
