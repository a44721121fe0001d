import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { findFreePort } from '../../src/db/embedded';

/**
 * A real PgBouncer (Debian's `pgbouncer` package) in transaction mode in front of the test server, so
 * the suites can prove what the README promises: the ledger works through a transaction-mode pooler.
 * Every database name is forwarded (`*`), so each test file's own database works through it too.
 */
export interface Bouncer {
  /** A URL of the pooler for the `postgres` database (replace the name per test file). */
  url: string;
  stop: () => Promise<void>;
}

const BINARY = process.env.PGBOUNCER_PATH ?? '/usr/sbin/pgbouncer';

export async function startPgBouncer(serverUrl: string): Promise<Bouncer> {
  const server = new URL(serverUrl);
  const port = await findFreePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'saas-credits-pgbouncer-'));
  chmodSync(dir, 0o777);
  const password = decodeURIComponent(server.password);
  writeFileSync(
    path.join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || 5432} user=${decodeURIComponent(server.username)}${password ? ` password=${password}` : ''}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = any',
      'pool_mode = transaction',
      'max_client_conn = 1000',
      'default_pool_size = 20',
      `logfile = ${path.join(dir, 'pgbouncer.log')}`,
      '',
    ].join('\n'),
  );
  // PgBouncer refuses to run as root; CI runs as root, and the postgres system user exists there.
  const asRoot = userInfo().uid === 0 ? ['-u', 'postgres'] : [];
  const child: ChildProcess = spawn(BINARY, [...asRoot, path.join(dir, 'pgbouncer.ini')], {
    stdio: 'ignore',
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`pgbouncer exited with ${code}; see ${dir}/pgbouncer.log`)),
    ),
  );
  await Promise.race([untilListening(port), exited]);
  const url = new URL(serverUrl);
  url.port = String(port);
  return {
    url: url.toString(),
    stop: async () => {
      child.removeAllListeners('exit');
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function untilListening(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`pgbouncer did not listen on port ${port}`);
}
