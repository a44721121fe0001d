import { spawn } from 'node:child_process';
import path from 'node:path';

/** A production server (`next start` on the build in .next/), started the way `npm start` starts it. */
export interface NextServer {
  url: string;
  /** The last 20,000 characters the server wrote to stdout and stderr. */
  output(): string;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * Starts `next start` on 127.0.0.1:`port` with NODE_ENV=production and `env`. With `preload` (the
 * default), as `npm start` runs it: node --require scripts/direct-client-address.cjs.
 */
export function startNext(
  port: number,
  env: Record<string, string>,
  options = { preload: true },
): NextServer {
  const nextBin = path.join(process.cwd(), 'node_modules', 'next', 'dist', 'bin', 'next');
  const preload = path.join(process.cwd(), 'scripts', 'direct-client-address.cjs');
  const child = spawn(
    process.execPath,
    [
      ...(options.preload ? ['--require', preload] : []),
      nextBin,
      'start',
      '--port',
      String(port),
      '--hostname',
      '127.0.0.1',
    ],
    {
      env: { ...process.env, ...env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  const keep = (chunk: Buffer) => {
    log = `${log}${chunk.toString()}`.slice(-20_000);
    if (process.env.E2E_SERVER_LOG) process.stderr.write(chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => log,
    exited,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Waits until the server answers its home page, or fails with its output (at most `timeoutMs`). */
export async function waitUntilServing(server: NextServer, timeoutMs = 60_000): Promise<void> {
  let exitCode: number | null | undefined;
  void server.exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`next start exited early (${exitCode}):\n${server.output()}`);
    try {
      const response = await fetch(server.url, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await server.stop();
  throw new Error(`next start did not serve ${server.url} within ${timeoutMs / 1000} s:\n${server.output()}`);
}
