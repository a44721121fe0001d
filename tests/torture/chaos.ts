import postgres from 'postgres';
import type { EmbeddedDatabase } from '../../src/db/embedded';
import { Random } from './random';

/**
 * Fault injection for the torture run: the app's connections terminated at random
 * (`pg_terminate_backend`, whatever they are doing: idle, mid-statement, mid-transaction, mid-COMMIT), and
 * the server itself killed with SIGKILL and restarted, as a power cut would, with commits durable
 * (fsync and synchronous_commit on).
 */
export class Chaos {
  kills = 0;
  crashes = 0;
  private stopped = false;
  private crashing: Promise<void> | undefined;
  private readonly random: Random;
  private readonly admin;
  private killer: Promise<void> | undefined;

  constructor(
    private readonly server: EmbeddedDatabase,
    adminUrl: string,
    private readonly database: string,
    private readonly applicationName: string,
    seed: number,
    private readonly killEveryMs: [number, number],
  ) {
    this.random = new Random(seed ^ 0x5eed);
    this.admin = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 5, idle_timeout: 1 });
  }

  start(): void {
    this.killer = this.killLoop();
  }

  /** Starts a crash unless one is under way; the workload keeps running (and failing) meanwhile. */
  crash(): void {
    if (this.crashing) return;
    this.crashing = this.server
      .crashAndRestart(this.random.int(100, 800))
      .then(() => {
        this.crashes += 1;
      })
      .finally(() => {
        this.crashing = undefined;
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.killer;
    await this.crashing;
    await this.admin.end({ timeout: 1 });
  }

  private async killLoop(): Promise<void> {
    while (!this.stopped) {
      await new Promise((resolve) => setTimeout(resolve, this.random.int(...this.killEveryMs)));
      if (this.crashing || this.stopped) continue;
      try {
        const [row] = await this.admin<{ killed: boolean | null }[]>`
          SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
          WHERE datname = ${this.database} AND application_name = ${this.applicationName}
          ORDER BY random() LIMIT 1`;
        if (row?.killed) this.kills += 1;
      } catch {
        // The server is restarting: the next round tries again.
      }
    }
  }
}
