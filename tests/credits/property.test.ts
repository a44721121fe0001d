import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CreditBalance, getCreditBalance } from '@/credits/queries';
import { addCredits, consumeCredits, expireDueCredits, refundCredits } from '@/credits/server';
import { consumeSourceTypes, grantSourceTypes, refundSourceTypes } from '@/credits/source-types';
import { getSql } from '@/db';
import { createUsers, expectLedgerConsistent, ledgerRowCounts, toDate } from '../factories';

/**
 * Model-based tests of the ledger (docs/ledger.md). Random sequences of grants (some expiring), spends,
 * refunds, expiry runs and clock moves over several users run against the real database and against a
 * small in-memory model of the rules in drizzle/0001_ledger_functions.sql. After every step the result,
 * the allocations, every balance, lifetime total, lot and log row (counted per type and source) and the
 * read side must agree with the model; the whole ledger must reconcile every few steps and after each run.
 */

const HOUR_MS = 3_600_000;
const START = Date.parse('2026-01-01T00:00:00Z');
const USERS = 3;
const MAX_COMMANDS = 30;
const MAX_ADVANCE_HOURS = 48;
const MAX_EXPIRY_HOURS = 72;
/**
 * The database outlives a run, so each run gets a stretch of time of its own, longer than any run can
 * span: every lot of an earlier run is due by the time the next run starts.
 */
const RUN_WINDOW_MS = (MAX_COMMANDS * MAX_ADVANCE_HOURS + MAX_EXPIRY_HOURS + 1) * HOUR_MS;
const CHECK_LEDGER_EVERY = 10;

const GRANT_SOURCE = 'manual';
const CONSUME_SOURCE = 'ai_call';
const REFUND_SOURCE = 'failed_call';

// ---------------------------------------------------------------------------------------------------
// The reference model: plain data and small pure functions.

interface Lot {
  readonly amount: number;
  readonly remaining: number;
  /** ms since the epoch, or null for never. */
  readonly expiresAt: number | null;
}

type ExpireSource = 'expiration_cron' | 'expiration_inline' | 'expired_on_refund';
/** A kind of log row: `TYPE:source_type`. */
type LogKey =
  | `GRANT:${typeof GRANT_SOURCE}`
  | `CONSUME:${typeof CONSUME_SOURCE}`
  | `REFUND:${typeof REFUND_SOURCE}`
  | `EXPIRE:${ExpireSource}`;
/** Rows and credits (absolute) written to a user's log, per kind of row. */
type Log = Readonly<Partial<Record<LogKey, { rows: number; credits: number }>>>;

interface UserModel {
  /** In creation order, which is also lot id order. */
  readonly lots: readonly Lot[];
  readonly log: Log;
}

/** Credits per lot, by the lot's index among its user's lots. */
type PerLot = ReadonlyMap<number, number>;

interface ConsumeModel {
  readonly user: number;
  readonly taken: PerLot;
  /** Given back so far by its refunds. */
  readonly returned: PerLot;
}

interface Model {
  now: number;
  users: UserModel[];
  /** Every successful consume of the run, in order. */
  consumes: ConsumeModel[];
}

const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + value, 0);

const balanceOf = (user: UserModel) => sum(user.lots.map((lot) => lot.remaining));

const hasExpired = (lot: Lot, now: number) => lot.expiresAt !== null && lot.expiresAt <= now;

/** Expiry is inclusive at `expires_at`. */
const isDue = (lot: Lot, now: number) => lot.remaining > 0 && hasExpired(lot, now);

const logged = (log: Log, key: LogKey, credits: number, rows = 1): Log => ({
  ...log,
  [key]: { rows: (log[key]?.rows ?? 0) + rows, credits: (log[key]?.credits ?? 0) + credits },
});

const loggedCredits = (user: UserModel, ...keys: LogKey[]) =>
  sum(keys.map((key) => user.log[key]?.credits ?? 0));

function lifetimeTotals(user: UserModel) {
  return {
    granted: loggedCredits(user, `GRANT:${GRANT_SOURCE}`),
    consumed: loggedCredits(user, `CONSUME:${CONSUME_SOURCE}`),
    expired: loggedCredits(
      user,
      'EXPIRE:expiration_cron',
      'EXPIRE:expiration_inline',
      'EXPIRE:expired_on_refund',
    ),
    refunded: loggedCredits(user, `REFUND:${REFUND_SOURCE}`),
  };
}

function grant(user: UserModel, amount: number, expiresAt: number | null): UserModel {
  return {
    lots: [...user.lots, { amount, remaining: amount, expiresAt }],
    log: logged(user.log, `GRANT:${GRANT_SOURCE}`, amount),
  };
}

/** Expires the unspent remainder of every lot due at `now`: one EXPIRE row per lot. */
function expireDue(user: UserModel, now: number, source: ExpireSource) {
  const due = user.lots.filter((lot) => isDue(lot, now));
  if (due.length === 0) return { user, lots: 0, credits: 0 };
  const credits = sum(due.map((lot) => lot.remaining));
  return {
    user: {
      lots: user.lots.map((lot) => (isDue(lot, now) ? { ...lot, remaining: 0 } : lot)),
      log: logged(user.log, `EXPIRE:${source}`, credits, due.length),
    },
    lots: due.length,
    credits,
  };
}

const NEVER = Number.POSITIVE_INFINITY;

/** Spend order: soonest expiry first, never-expiring last, ties to the older lot. */
function burnOrder(lots: readonly Lot[]): number[] {
  const at = (index: number) => lots[index]?.expiresAt ?? NEVER;
  return lots.map((_, index) => index).sort((a, b) => at(a) - at(b) || a - b);
}

/** Refund order: never-expiring first, then latest expiry first, ties to the newer lot. */
function refundOrder(lots: readonly Lot[], indexes: Iterable<number>): number[] {
  const at = (index: number) => lots[index]?.expiresAt ?? NEVER;
  return [...indexes].sort((a, b) => at(b) - at(a) || b - a);
}

type ConsumeOutcome = { ok: true; balance: number; taken: PerLot } | { ok: false; balance: number };

/**
 * Due lots expire first (`expiration_inline`), and stay expired even when the spend is then refused.
 * A refused spend writes nothing else.
 */
function consume(user: UserModel, now: number, amount: number): { user: UserModel; outcome: ConsumeOutcome } {
  const current = expireDue(user, now, 'expiration_inline').user;
  const balance = balanceOf(current);
  if (balance < amount) return { user: current, outcome: { ok: false, balance } };
  const lots = [...current.lots];
  const taken = new Map<number, number>();
  let left = amount;
  for (const index of burnOrder(lots)) {
    const lot = lots[index] as Lot;
    const take = Math.min(lot.remaining, left);
    if (take === 0) continue;
    lots[index] = { ...lot, remaining: lot.remaining - take };
    taken.set(index, take);
    left -= take;
  }
  return {
    user: { lots, log: logged(current.log, `CONSUME:${CONSUME_SOURCE}`, amount) },
    outcome: { ok: true, balance: balance - amount, taken },
  };
}

type RefundOutcome =
  | { ok: true; amount: number; balance: number; expiredAmount: number; given: PerLot }
  | { ok: false; refundableAmount: number };

/**
 * Due lots expire first (`expiration_inline`), whatever the outcome. A consume gives back at most what it
 * took over all its refunds (no amount: all the rest; nothing left: refused). Credits go back to the lots
 * they came from in refund order; those returned to an expired lot expire at once (`expired_on_refund`).
 */
function refund(
  user: UserModel,
  record: ConsumeModel,
  now: number,
  amount: number | undefined,
): { user: UserModel; record: ConsumeModel; outcome: RefundOutcome } {
  const current = expireDue(user, now, 'expiration_inline').user;
  const refundable = sum(record.taken.values()) - sum(record.returned.values());
  const give = amount ?? refundable;
  if (give === 0 || give > refundable) {
    return { user: current, record, outcome: { ok: false, refundableAmount: refundable } };
  }
  const lots = [...current.lots];
  const returned = new Map(record.returned);
  const given = new Map<number, number>();
  let left = give;
  let expiredAmount = 0;
  let expiredRows = 0;
  for (const index of refundOrder(lots, record.taken.keys())) {
    const back = Math.min(left, (record.taken.get(index) ?? 0) - (returned.get(index) ?? 0));
    if (back <= 0) continue;
    returned.set(index, (returned.get(index) ?? 0) + back);
    given.set(index, back);
    left -= back;
    const lot = lots[index] as Lot;
    if (hasExpired(lot, now)) {
      expiredAmount += back;
      expiredRows += 1;
    } else {
      lots[index] = { ...lot, remaining: lot.remaining + back };
    }
  }
  let log = logged(current.log, `REFUND:${REFUND_SOURCE}`, give);
  if (expiredRows > 0) log = logged(log, 'EXPIRE:expired_on_refund', expiredAmount, expiredRows);
  const next = { lots, log };
  return {
    user: next,
    record: { ...record, returned },
    outcome: { ok: true, amount: give, balance: balanceOf(next), expiredAmount, given },
  };
}

/** What getCreditBalance should answer. */
function balanceView(user: UserModel, now: number): CreditBalance {
  const current = balanceOf(user);
  const upcoming = user.lots.filter((lot) => lot.remaining > 0 && !hasExpired(lot, now));
  const nextAt = Math.min(...upcoming.map((lot) => lot.expiresAt ?? NEVER));
  const totals = lifetimeTotals(user);
  return {
    current,
    available: current - sum(user.lots.filter((lot) => isDue(lot, now)).map((lot) => lot.remaining)),
    lifetimeGranted: totals.granted,
    lifetimeConsumed: totals.consumed,
    lifetimeExpired: totals.expired,
    lifetimeRefunded: totals.refunded,
    nextExpiration:
      nextAt === NEVER
        ? null
        : {
            amount: sum(upcoming.filter((lot) => lot.expiresAt === nextAt).map((lot) => lot.remaining)),
            expiresAt: new Date(nextAt),
          },
  };
}

/** The model's own invariants, so that a bug in the model is not mistaken for one in the ledger. */
function expectModelSound(model: Model): void {
  for (const user of model.users) {
    const totals = lifetimeTotals(user);
    expect(balanceOf(user)).toBe(totals.granted + totals.refunded - totals.consumed - totals.expired);
    for (const lot of user.lots) expect(lot.remaining >= 0 && lot.remaining <= lot.amount).toBe(true);
  }
  for (const record of model.consumes) {
    for (const [index, back] of record.returned)
      expect(back).toBeLessThanOrEqual(record.taken.get(index) ?? 0);
  }
}

// ---------------------------------------------------------------------------------------------------
// The database side

interface Real {
  userIds: string[];
  /** The transaction id of each of `model.consumes`. */
  consumeIds: number[];
  steps: number;
}

const sortedEntries = (perLot: PerLot) => [...perLot].sort(([a], [b]) => a - b);

/** The credits one transaction moved, per lot, by the lot's index among its user's lots. */
async function allocationsOf(transactionId: number): Promise<[number, number][]> {
  const rows = await getSql()<{ lot: number; amount: number }[]>`
    SELECT (SELECT count(*) FROM credit_lot o WHERE o.user_id = l.user_id AND o.id < l.id)::int AS lot, a.amount
    FROM credit_allocation a JOIN credit_lot l ON l.id = a.lot_id
    WHERE a.transaction_id = ${transactionId}
    ORDER BY lot`;
  return rows.map((row) => [row.lot, row.amount]);
}

async function expectDatabaseMatches(model: Model, real: Real): Promise<void> {
  const sql = getSql();
  const { userIds } = real;
  const balances = await sql<Record<string, string>[]>`
    SELECT user_id, current_credits, lifetime_granted, lifetime_consumed, lifetime_expired, lifetime_refunded
    FROM user_credit WHERE user_id IN ${sql(userIds)}`;
  const lots = await sql<{ user_id: string; amount: number; remaining: number; expires_at: unknown }[]>`
    SELECT user_id, amount, remaining, expires_at FROM credit_lot WHERE user_id IN ${sql(userIds)} ORDER BY id`;
  const log = await sql<{ user_id: string; kind: LogKey; rows: number; credits: number }[]>`
    SELECT user_id, type || ':' || source_type AS kind, count(*)::int AS rows, sum(abs(amount))::int AS credits
    FROM credit_transaction WHERE user_id IN ${sql(userIds)}
    GROUP BY user_id, type, source_type`;

  for (const [index, userId] of userIds.entries()) {
    const user = model.users[index] as UserModel;
    const totals = lifetimeTotals(user);
    const row = balances.find((each) => each.user_id === userId);
    expect(
      row
        ? [
            row.current_credits,
            row.lifetime_granted,
            row.lifetime_consumed,
            row.lifetime_expired,
            row.lifetime_refunded,
          ].map(Number)
        : [0, 0, 0, 0, 0],
      `user ${index}: balance and lifetime granted/consumed/expired/refunded`,
    ).toEqual([balanceOf(user), totals.granted, totals.consumed, totals.expired, totals.refunded]);

    expect(
      lots
        .filter((lot) => lot.user_id === userId)
        .map((lot) => ({
          amount: lot.amount,
          remaining: lot.remaining,
          expiresAt: toDate(lot.expires_at)?.getTime() ?? null,
        })),
      `user ${index}: lots`,
    ).toEqual(user.lots);

    expect(
      Object.fromEntries(
        log
          .filter((each) => each.user_id === userId)
          .map((each) => [each.kind, { rows: each.rows, credits: each.credits }]),
      ),
      `user ${index}: log rows and credits per type and source`,
    ).toEqual(user.log);

    expect(
      await getCreditBalance(userId, { now: new Date(model.now) }),
      `user ${index}: getCreditBalance`,
    ).toEqual(balanceView(user, model.now));
  }
}

// ---------------------------------------------------------------------------------------------------
// Commands: each applies one step to both sides, compares the results, then the whole state.

type Command = fc.AsyncCommand<Model, Real>;

function command(
  label: string,
  run: (model: Model, real: Real) => Promise<void>,
  check = (_: Model) => true,
): Command {
  return {
    check,
    run: async (model, real) => {
      await run(model, real);
      real.steps += 1;
      expectModelSound(model);
      await expectDatabaseMatches(model, real);
      if (real.steps % CHECK_LEDGER_EVERY === 0) await expectLedgerConsistent();
    },
    toString: () => label,
  };
}

const userIndex = fc.integer({ min: 0, max: USERS - 1 });

const grantCommand = fc
  .record({
    user: userIndex,
    amount: fc.integer({ min: 1, max: 100 }),
    expiresInHours: fc.option(fc.integer({ min: 1, max: MAX_EXPIRY_HOURS }), { nil: null }),
  })
  .map(({ user, amount, expiresInHours }) =>
    command(
      `grant(user ${user}, ${amount}, expires ${expiresInHours === null ? 'never' : `+${expiresInHours}h`})`,
      async (model, real) => {
        const expiresAt = expiresInHours === null ? null : model.now + expiresInHours * HOUR_MS;
        const result = await addCredits(
          {
            userId: real.userIds[user] as string,
            amount,
            sourceType: GRANT_SOURCE,
            expirationDate: expiresAt === null ? undefined : new Date(expiresAt),
          },
          { now: new Date(model.now) },
        );
        const next = grant(model.users[user] as UserModel, amount, expiresAt);
        model.users[user] = next;
        expect(result).toEqual({
          ok: true,
          transactionId: expect.any(Number),
          balance: balanceOf(next),
          replayed: false,
        });
      },
    ),
  );

const consumeCommand = fc
  .record({ user: userIndex, amount: fc.integer({ min: 1, max: 60 }) })
  .map(({ user, amount }) =>
    command(`consume(user ${user}, ${amount})`, async (model, real) => {
      const result = await consumeCredits(
        { userId: real.userIds[user] as string, amount, sourceType: CONSUME_SOURCE },
        { now: new Date(model.now) },
      );
      const expected = consume(model.users[user] as UserModel, model.now, amount);
      model.users[user] = expected.user;
      const { outcome } = expected;
      if (!outcome.ok) {
        expect(result).toEqual({ ok: false, reason: 'INSUFFICIENT', balance: outcome.balance });
        return;
      }
      expect(result).toEqual({
        ok: true,
        transactionId: expect.any(Number),
        balance: outcome.balance,
        replayed: false,
      });
      if (!result.ok) return;
      expect(await allocationsOf(result.transactionId), 'lots the consume burned').toEqual(
        sortedEntries(outcome.taken),
      );
      model.consumes.push({ user, taken: outcome.taken, returned: new Map() });
      real.consumeIds.push(result.transactionId);
    }),
  );

const refundCommand = fc
  .record({ pick: fc.nat(), amount: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }) })
  .map(({ pick, amount }) =>
    command(
      `refund(consume #${pick}, ${amount ?? 'the rest'})`,
      async (model, real) => {
        const which = pick % model.consumes.length;
        const record = model.consumes[which] as ConsumeModel;
        const result = await refundCredits(
          {
            userId: real.userIds[record.user] as string,
            transactionId: real.consumeIds[which] as number,
            amount,
            sourceType: REFUND_SOURCE,
          },
          { now: new Date(model.now) },
        );
        const expected = refund(model.users[record.user] as UserModel, record, model.now, amount);
        model.users[record.user] = expected.user;
        model.consumes[which] = expected.record;
        const { outcome } = expected;
        if (!outcome.ok) {
          expect(result).toEqual({
            ok: false,
            reason: 'EXCEEDS_REFUNDABLE',
            refundableAmount: outcome.refundableAmount,
          });
          return;
        }
        const { given, ...fields } = outcome;
        expect(result).toEqual({ ...fields, transactionId: expect.any(Number), replayed: false });
        if (!result.ok) return;
        expect(await allocationsOf(result.transactionId), 'lots the refund gave back to').toEqual(
          sortedEntries(given),
        );
      },
      (model) => model.consumes.length > 0,
    ),
  );

const expireCommand = fc.constant(
  command('expire run', async (model) => {
    const result = await expireDueCredits({ now: new Date(model.now), batchSize: 50, timeBudgetMs: 10_000 });
    let lots = 0;
    let credits = 0;
    model.users = model.users.map((user) => {
      const expired = expireDue(user, model.now, 'expiration_cron');
      lots += expired.lots;
      credits += expired.credits;
      return expired.user;
    });
    expect(result).toEqual({ expired: lots, credits, batches: 1, more: false });
  }),
);

const advanceCommand = fc.integer({ min: 1, max: MAX_ADVANCE_HOURS }).map((hours) =>
  command(`advance ${hours}h`, async (model) => {
    model.now += hours * HOUR_MS;
  }),
);

const commands = fc.commands(
  [
    fc.oneof(
      { weight: 3, arbitrary: grantCommand },
      { weight: 4, arbitrary: consumeCommand },
      { weight: 3, arbitrary: refundCommand },
      { weight: 1, arbitrary: expireCommand },
      { weight: 2, arbitrary: advanceCommand },
    ),
  ],
  { maxCommands: MAX_COMMANDS, size: 'max' },
);

// ---------------------------------------------------------------------------------------------------
// Idempotency: a repeated key replays, a changed payload under the same key conflicts, neither writes.

/** Everything a call could change for one user. */
async function ledgerState(userId: string) {
  const sql = getSql();
  return {
    counts: await ledgerRowCounts(userId),
    balance: await sql`SELECT * FROM user_credit WHERE user_id = ${userId}`,
    lots: await sql`SELECT id, remaining FROM credit_lot WHERE user_id = ${userId} ORDER BY id`,
  };
}

const replayCase = fc.oneof(
  fc.record({
    kind: fc.constant('grant' as const),
    amount: fc.integer({ min: 1, max: 50 }),
    source: fc.constantFrom(...grantSourceTypes),
    change: fc.constantFrom('amount', 'source'),
  }),
  fc.record({
    kind: fc.constant('consume' as const),
    amount: fc.integer({ min: 1, max: 50 }),
    source: fc.constantFrom(...consumeSourceTypes),
    change: fc.constantFrom('amount', 'source'),
  }),
  fc.record({
    kind: fc.constant('refund' as const),
    amount: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
    source: fc.constantFrom(...refundSourceTypes),
    change: fc.constantFrom('amount', 'source', 'consume'),
  }),
);

/** Another member of `list` than `value`. */
const otherThan = <T>(list: readonly T[], value: T): T => list[(list.indexOf(value) + 1) % list.length] as T;

describe('the ledger against a reference model', () => {
  it('agrees with the model after every step of random sequences, and always reconciles', {
    timeout: 240_000,
  }, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(commands, async (steps) => {
        const start = START + run++ * RUN_WINDOW_MS;
        // Lots left by earlier runs are all due now: expire them, so expiry runs below see only this run's.
        await expireDueCredits({ now: new Date(start), batchSize: 500, timeBudgetMs: 30_000 });
        const userIds = await createUsers(USERS);
        const setup = () => ({
          model: { now: start, users: userIds.map(() => ({ lots: [], log: {} })), consumes: [] } as Model,
          real: { userIds, consumeIds: [], steps: 0 } as Real,
        });
        await fc.asyncModelRun(setup, steps);
        await expectLedgerConsistent();
      }),
      { numRuns: 50 },
    );
  });

  it('replays a repeated key and answers a changed payload under it with a conflict, writing nothing', async () => {
    const now = new Date(START);
    await fc.assert(
      fc.asyncProperty(replayCase, fc.stringMatching(/^[\x21-\x7e]{1,40}$/), async (call, idempotencyKey) => {
        const [userId] = await createUsers(1);
        if (!userId) throw new Error('no user');
        await addCredits({ userId, amount: 1_000, sourceType: 'manual' }, { now });
        const spends: number[] = [];
        for (let i = 0; i < 2; i++) {
          const spent = await consumeCredits({ userId, amount: 60, sourceType: 'ai_call' }, { now });
          if (spent.ok) spends.push(spent.transactionId);
        }
        const [spend, otherSpend] = spends as [number, number];

        const send = (changed: boolean) => {
          const change = changed ? call.change : undefined;
          switch (call.kind) {
            case 'grant':
              return addCredits(
                {
                  userId,
                  idempotencyKey,
                  amount: change === 'amount' ? call.amount + 1 : call.amount,
                  sourceType: change === 'source' ? otherThan(grantSourceTypes, call.source) : call.source,
                },
                { now },
              );
            case 'consume':
              return consumeCredits(
                {
                  userId,
                  idempotencyKey,
                  amount: change === 'amount' ? call.amount + 1 : call.amount,
                  sourceType: change === 'source' ? otherThan(consumeSourceTypes, call.source) : call.source,
                },
                { now },
              );
            case 'refund':
              return refundCredits(
                {
                  userId,
                  idempotencyKey,
                  transactionId: change === 'consume' ? otherSpend : spend,
                  // "The rest" and an explicit amount are different requests, even for the same credits.
                  amount:
                    change === 'amount' ? (call.amount === undefined ? 60 : call.amount + 1) : call.amount,
                  sourceType: change === 'source' ? otherThan(refundSourceTypes, call.source) : call.source,
                },
                { now },
              );
          }
        };

        const first = await send(false);
        expect(first).toMatchObject({ ok: true, replayed: false });
        if (!first.ok) return;
        const state = await ledgerState(userId);

        expect(await send(false)).toEqual({ ...first, replayed: true });
        expect(await ledgerState(userId)).toEqual(state);

        expect(await send(true)).toEqual({
          ok: false,
          reason: 'CONFLICT',
          transactionId: first.transactionId,
        });
        expect(await ledgerState(userId)).toEqual(state);
      }),
      { numRuns: 60 },
    );
    await expectLedgerConsistent();
  });
});
