import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';
import { expectLedgerConsistent } from '../factories';

/**
 * The hooks every payment-provider suite shares: start the provider's fake once per file, point the app
 * at it before each test, and after each test drop stubbed variables and spies and reconcile the ledger.
 * `started` hands the fake to the file (`let fake; withFakeProvider(start, configure, (f) => { fake = f; })`).
 */
export function withFakeProvider<Fake extends { close(): Promise<void> }>(
  start: () => Promise<Fake>,
  configure: (fake: Fake) => void,
  started: (fake: Fake) => void,
): void {
  let current: Fake | undefined;
  beforeAll(async () => {
    current = await start();
    started(current);
  });
  beforeEach(() => {
    if (current) configure(current);
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    await expectLedgerConsistent();
  });
  afterAll(async () => {
    await current?.close();
  });
}
