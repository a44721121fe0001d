import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CreditsError, creditsErrorCodes } from '@/credits/errors';
import { getCreditBalance, getCreditHistory } from '@/credits/queries';
import { addCredits, consumeCredits, refundCredits } from '@/credits/server';
import { getSql } from '@/db';
import { createUsers, DAY_MS, expectLedgerConsistent, ledgerRowCounts } from '../factories';
import { createFixture, type EntryPoint, entryPoints, type Fixture } from './entry-points';
import { badCall, batchJobCall, roundTrip, runRandomCall, wholeRandomCall } from './fuzz-calls';

// The bad-input fuzzer: FUZZ_RUNS generated inputs (10,000 by default) across every entry point, each
// answered with a typed result or a CreditsError from the catalogue, and no ledger row written by any
// input that was invalid. Seeded so that CI is reproducible; a failure prints its seed and the shrunk
// counterexample. Reproduce or run longer with FUZZ_SEED=<seed> FUZZ_RUNS=<n> npx vitest run <this file>.

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_101);
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
/** Calls per generated batch: ledger rows are counted once per batch, not once per call. */
const BATCH = 50;
/** A long run outgrows the default per-test timeout; 10,000 inputs take about 6 s on 2 cores. */
const TIMEOUT_MS = Math.max(60_000, RUNS * 10);
const settings = (share: number, perRun: number) => ({
  seed: SEED,
  numRuns: Math.ceil((RUNS * share) / perRun),
});

const byName = new Map(entryPoints.map((entry) => [entry.name, entry]));
const entry = (name: string): EntryPoint => byName.get(name) ?? fail(`no entry point ${name}`);
function fail(message: string): never {
  throw new Error(message);
}

let inputs = 0;
/** Answers by kind (`result`, or the error code), per property. */
const tallies = new Map<string, Map<string, number>>();
type Outcome = { threw: false; result: unknown } | { threw: true; error: CreditsError };

/** Runs one generated call; anything but a typed result or a catalogued CreditsError fails the property. */
async function outcomeOf(
  property: string,
  target: EntryPoint,
  call: () => Promise<unknown>,
): Promise<Outcome> {
  inputs += 1;
  let outcome: Outcome;
  try {
    outcome = { threw: false, result: await call() };
  } catch (error) {
    if (!(error instanceof CreditsError) || !creditsErrorCodes.includes(error.code)) {
      throw new Error(`${target.name} threw an untyped error: ${String(error)}`, { cause: error });
    }
    if (error.code === 'LEDGER_INVARIANT') {
      throw new Error(`${target.name}: ${error.message}`, { cause: error });
    }
    outcome = { threw: true, error };
  }
  if (!outcome.threw && !target.result.safeParse(outcome.result).success) {
    throw new Error(`${target.name} answered an untyped result: ${fc.stringify(outcome.result)}`);
  }
  const tally = tallies.get(property) ?? new Map<string, number>();
  const kind = outcome.threw ? outcome.error.code : 'result';
  tallies.set(property, tally.set(kind, (tally.get(kind) ?? 0) + 1));
  return outcome;
}

/** A property whose generators never reached a typed result, or never a refusal, tests less than it claims. */
function expectBothSides(property: string): void {
  const kinds = [...(tallies.get(property)?.keys() ?? [])];
  const reached = { result: kinds.includes('result'), refusal: kinds.some((kind) => kind !== 'result') };
  expect(reached, property).toEqual({ result: true, refusal: true });
}

const ledgerRows = (counts: Record<string, number>) =>
  (counts.user_credit ?? 0) +
  (counts.credit_transaction ?? 0) +
  (counts.credit_lot ?? 0) +
  (counts.credit_allocation ?? 0);

/** Ledger rows of each user, in one query. */
async function rowsOf(userIds: string[]): Promise<Map<string, number>> {
  const rows = await getSql()<{ id: string; rows: string }[]>`
    SELECT u.id,
      (SELECT count(*) FROM user_credit c WHERE c.user_id = u.id)
      + (SELECT count(*) FROM credit_transaction t WHERE t.user_id = u.id)
      + (SELECT count(*) FROM credit_lot l WHERE l.user_id = u.id)
      + (SELECT count(*) FROM credit_allocation a JOIN credit_transaction t ON t.id = a.transaction_id
         WHERE t.user_id = u.id) AS rows
    FROM unnest(${userIds}::text[]) AS u(id)`;
  return new Map(rows.map((row) => [row.id, Number(row.rows)]));
}

let fixture: Fixture;
let startedAt = 0;
beforeAll(async () => {
  startedAt = performance.now();
  fixture = await createFixture();
});

describe(`bad-input fuzzer (FUZZ_SEED=${SEED}, FUZZ_RUNS=${RUNS})`, { timeout: TIMEOUT_MS }, () => {
  // First, while the database holds only the fixture: a batch job that happens to be valid does real work
  // over every user, so each of these is checked on its own.
  it('answers batch jobs called with anything, and a refused one writes nothing', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    await fc.assert(
      fc.asyncProperty(batchJobCall, async (call) => {
        const before = await ledgerRowCounts();
        const outcome = await outcomeOf('batch jobs', entry(call.entry), () =>
          runRandomCall(call, fixture, fixture.userId),
        );
        if (outcome.threw) expect(await ledgerRowCounts()).toEqual(before);
      }),
      settings(0.05, 1),
    );
    // A grant a batch job could not make is logged and counted, never thrown; it must still be typed.
    for (const [, error] of logged.mock.calls) expect(error).toBeInstanceOf(CreditsError);
    logged.mockRestore();
    expectBothSides('batch jobs');
  });

  it('refuses every call with one bad field, typed and naming the field, and writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(badCall, { minLength: BATCH, maxLength: BATCH }), async (calls) => {
        const before = await ledgerRowCounts();
        for (const call of calls) {
          const target = entry(call.entry);
          const outcome = await outcomeOf('one bad field', target, () =>
            target.call({ ...target.base(fixture), ...call.patch }),
          );
          expectRefused(call, outcome);
        }
        expect(await ledgerRowCounts()).toEqual(before);
      }),
      settings(0.6, BATCH),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers wholly random arguments with a typed result or error; a refused call writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(wholeRandomCall, { minLength: BATCH, maxLength: BATCH }), async (calls) => {
        // Each call gets a user of its own, so its rows are its own doing.
        const users = await createUsers(BATCH);
        const before = ledgerRows(await ledgerRowCounts());
        const idle = new Set<string>();
        for (const [index, call] of calls.entries()) {
          const user = users[index] ?? fail('no user');
          const outcome = await outcomeOf('random', entry(call.entry), () =>
            runRandomCall(call, fixture, user),
          );
          if (wroteNothing(call.entry, outcome)) idle.add(user);
        }
        const rows = await rowsOf(users);
        for (const user of idle) expect(rows.get(user), `rows of ${user}, whose call did nothing`).toBe(0);
        const written = [...rows.values()].reduce((sum, count) => sum + count, 0);
        expect(ledgerRows(await ledgerRowCounts()) - before).toBe(written);
      }),
      settings(0.25, BATCH),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expectBothSides('random');
  });

  it('stores odd but valid text and metadata exactly as given', async () => {
    await fc.assert(
      fc.asyncProperty(roundTrip, async (trip) => {
        const [userId] = await createUsers(1);
        if (!userId) fail('no user');
        const expirationDate =
          trip.expiresInDays === null ? undefined : new Date(Date.now() + trip.expiresInDays * DAY_MS);
        const granted = await addCredits({
          userId,
          amount: trip.amount,
          sourceType: 'manual',
          expirationDate,
          ...trip.grant,
        });
        const spent = await consumeCredits({ userId, amount: 1, sourceType: 'ai_call', ...trip.consume });
        if (!spent.ok) fail(`the spend failed: ${spent.reason}`);
        const refunded = await refundCredits({
          userId,
          transactionId: spent.transactionId,
          sourceType: 'failed_call',
          ...trip.refund,
        });
        const history = await getCreditHistory({ userId, limit: 10 });
        const balance = await getCreditBalance(userId);
        inputs += 5;
        expect([granted.ok, refunded.ok, balance.current]).toEqual([true, true, trip.amount]);
        expect(history.items.map(({ description, metadata }) => ({ description, metadata }))).toEqual(
          [trip.refund, trip.consume, trip.grant].map((written) => ({
            description: written.description ?? null,
            metadata: written.metadata ?? null,
          })),
        );
      }),
      settings(0.1, 5),
    );
  });

  it(`ran at least ${RUNS} inputs and left the ledger consistent`, async () => {
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
    const answers = [...tallies].map(
      ([property, tally]) =>
        `${property}: ${[...tally].map(([kind, count]) => `${kind} ${count}`).join(', ')}`,
    );
    console.info(
      `[fuzz] ${inputs} inputs in ${seconds} s (FUZZ_SEED=${SEED}, FUZZ_RUNS=${RUNS}); ${answers.join('; ')}`,
    );
    expect(inputs).toBeGreaterThanOrEqual(RUNS);
    // Whatever was accepted left the ledger whole: balances, log, lots and allocations agree.
    await expectLedgerConsistent();
  });
});

const reads = new Set(['getCreditBalance', 'getCreditHistory', 'getBalanceSeries']);

/** A refusal, a read, and a "no" from the ledger (all but a charge that failed and was refunded) write nothing. */
function wroteNothing(name: string, outcome: Outcome): boolean {
  if (outcome.threw || reads.has(name)) return true;
  const result = outcome.result as { ok?: boolean; reason?: string };
  return result.ok === false && result.reason !== 'FAILED';
}

/** A call with one bad field is refused with the error its field calls for. */
function expectRefused(call: { entry: string; field: string; expect: string }, outcome: Outcome): void {
  const where = `${call.entry} with a bad ${call.field}`;
  if (call.expect === 'refused') {
    // A well-formed reference to nothing (a user, payment or consume that does not exist): a typed
    // refusal, from validation or from the ledger, or a result that did nothing.
    if (!outcome.threw) expect((outcome.result as { ok?: unknown }).ok, where).not.toBe(true);
    return;
  }
  if (!outcome.threw) fail(`${where} was accepted: ${fc.stringify(outcome.result)}`);
  if (call.expect === 'source') {
    expect(outcome.error.code, where).toBe('UNKNOWN_SOURCE_TYPE');
    return;
  }
  expect(outcome.error.code, where).toBe('INVALID_INPUT');
  const names = call.expect === 'unknownKey' ? /Unrecognized key/ : new RegExp(`\\b${call.field}\\b`);
  expect(outcome.error.message, where).toMatch(names);
}
