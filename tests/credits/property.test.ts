import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getCreditBalance } from '@/credits/queries';
import { addCredits, consumeCredits, expireDueCredits, refundCredits } from '@/credits/server';
import { getSql } from '@/db';
import { createUsers, expectLedgerConsistent } from '../factories';

/**
 * Model-based test: random sequences of grants (some expiring), spends, refunds, expiry runs and clock
 * moves across two users, applied to the real ledger and to a small in-memory model of the rules in
 * docs/ledger.md. After every step the results, balances, lifetime totals and every lot must agree; after
 * every sequence the whole ledger must reconcile.
 */

const HOUR_MS = 3_600_000;
const START = new Date('2026-01-01T00:00:00Z').getTime();
const USERS = 2;

// ---------------------------------------------------------------------------------------------------
// The reference model

interface ModelLot {
  amount: number;
  remaining: number;
  /** ms since the epoch, or null for never. */
  expiresAt: number | null;
}

interface ModelConsume {
  transactionId: number;
  user: number;
  /** lot index (within its user) → credits taken, and credits given back so far. */
  taken: Map<number, number>;
  returned: Map<number, number>;
}

interface ModelUser {
  lots: ModelLot[];
  balance: number;
  granted: number;
  consumed: number;
  expired: number;
  refunded: number;
}

interface Model {
  now: number;
  users: ModelUser[];
  consumes: ModelConsume[];
}

function newModel(): Model {
  return {
    now: START,
    users: Array.from({ length: USERS }, () => ({
      lots: [],
      balance: 0,
      granted: 0,
      consumed: 0,
      expired: 0,
      refunded: 0,
    })),
    consumes: [],
  };
}

const isDue = (lot: ModelLot, now: number) =>
  lot.remaining > 0 && lot.expiresAt !== null && lot.expiresAt <= now;

/** Expires every due lot of a user; returns the number of lots and credits expired. */
function expireDue(user: ModelUser, now: number): { lots: number; credits: number } {
  let lots = 0;
  let credits = 0;
  for (const lot of user.lots) {
    if (!isDue(lot, now)) continue;
    lots += 1;
    credits += lot.remaining;
    user.balance -= lot.remaining;
    user.expired += lot.remaining;
    lot.remaining = 0;
  }
  return { lots, credits };
}

/** Burn order: soonest expiry first, never-expiring last, ties by creation. */
function burnOrder(user: ModelUser): number[] {
  return user.lots
    .map((_, index) => index)
    .sort((a, b) => {
      const x = user.lots[a]?.expiresAt ?? Number.POSITIVE_INFINITY;
      const y = user.lots[b]?.expiresAt ?? Number.POSITIVE_INFINITY;
      return x - y || a - b;
    });
}

/** Refund order: latest expiry first, never-expiring first of all, ties by the newest lot. */
function refundOrder(user: ModelUser, indexes: number[]): number[] {
  return [...indexes].sort((a, b) => {
    const x = user.lots[a]?.expiresAt ?? Number.POSITIVE_INFINITY;
    const y = user.lots[b]?.expiresAt ?? Number.POSITIVE_INFINITY;
    return y - x || b - a;
  });
}

type ConsumeOutcome =
  | { ok: true; balance: number; taken: Map<number, number> }
  | { ok: false; balance: number };

function modelConsume(model: Model, userIndex: number, amount: number): ConsumeOutcome {
  const user = model.users[userIndex] as ModelUser;
  if (user.lots.some((lot) => isDue(lot, model.now))) expireDue(user, model.now);
  if (user.balance < amount) return { ok: false, balance: user.balance };
  user.balance -= amount;
  user.consumed += amount;
  const taken = new Map<number, number>();
  let left = amount;
  for (const index of burnOrder(user)) {
    const lot = user.lots[index] as ModelLot;
    if (left === 0) break;
    const take = Math.min(lot.remaining, left);
    if (take === 0) continue;
    lot.remaining -= take;
    left -= take;
    taken.set(index, take);
  }
  return { ok: true, balance: user.balance, taken };
}

type RefundOutcome =
  | { ok: true; amount: number; balance: number; expiredAmount: number }
  | { ok: false; refundableAmount: number };

function modelRefund(model: Model, consume: ModelConsume, amount: number | undefined): RefundOutcome {
  const user = model.users[consume.user] as ModelUser;
  if (user.lots.some((lot) => isDue(lot, model.now))) expireDue(user, model.now);
  const takenTotal = [...consume.taken.values()].reduce((sum, value) => sum + value, 0);
  const returnedTotal = [...consume.returned.values()].reduce((sum, value) => sum + value, 0);
  const refundable = takenTotal - returnedTotal;
  const give = amount ?? refundable;
  if (give > refundable || give === 0) return { ok: false, refundableAmount: refundable };
  user.balance += give;
  user.refunded += give;
  let left = give;
  let expiredAmount = 0;
  for (const index of refundOrder(user, [...consume.taken.keys()])) {
    if (left === 0) break;
    const returnable = (consume.taken.get(index) ?? 0) - (consume.returned.get(index) ?? 0);
    if (returnable <= 0) continue;
    const back = Math.min(left, returnable);
    consume.returned.set(index, (consume.returned.get(index) ?? 0) + back);
    left -= back;
    const lot = user.lots[index] as ModelLot;
    if (lot.expiresAt !== null && lot.expiresAt <= model.now) {
      // Returned to a lot that has expired meanwhile: the credits expire at once.
      user.balance -= back;
      user.expired += back;
      expiredAmount += back;
    } else {
      lot.remaining += back;
    }
  }
  return { ok: true, amount: give, balance: user.balance, expiredAmount };
}

// ---------------------------------------------------------------------------------------------------
// Commands

type Command =
  | { kind: 'grant'; user: number; amount: number; expiresInHours: number | null }
  | { kind: 'consume'; user: number; amount: number; key: boolean }
  | { kind: 'refund'; pick: number; amount: number | undefined }
  | { kind: 'expire' }
  | { kind: 'advance'; hours: number };

const user = fc.integer({ min: 0, max: USERS - 1 });
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('grant' as const),
      user,
      amount: fc.integer({ min: 1, max: 100 }),
      expiresInHours: fc.option(fc.integer({ min: 1, max: 72 }), { nil: null }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('consume' as const),
      user,
      amount: fc.integer({ min: 1, max: 60 }),
      key: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('refund' as const),
      pick: fc.nat(),
      amount: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'expire' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), hours: fc.integer({ min: 1, max: 48 }) }),
  },
);

// ---------------------------------------------------------------------------------------------------
// Running a sequence against both

async function apply(model: Model, userIds: string[], step: Command, index: number): Promise<void> {
  const now = new Date(model.now);
  switch (step.kind) {
    case 'grant': {
      const expiresAt = step.expiresInHours === null ? null : model.now + step.expiresInHours * HOUR_MS;
      const result = await addCredits(
        {
          userId: userIds[step.user] as string,
          amount: step.amount,
          sourceType: 'manual',
          expirationDate: expiresAt === null ? undefined : new Date(expiresAt),
        },
        { now },
      );
      const target = model.users[step.user] as ModelUser;
      target.lots.push({ amount: step.amount, remaining: step.amount, expiresAt });
      target.balance += step.amount;
      target.granted += step.amount;
      expect(result).toMatchObject({ ok: true, balance: target.balance, replayed: false });
      return;
    }
    case 'consume': {
      const result = await consumeCredits(
        {
          userId: userIds[step.user] as string,
          amount: step.amount,
          sourceType: 'ai_call',
          idempotencyKey: step.key ? `prop:${index}` : undefined,
        },
        { now },
      );
      const expected = modelConsume(model, step.user, step.amount);
      if (expected.ok) {
        expect(result).toMatchObject({ ok: true, balance: expected.balance, replayed: false });
        if (result.ok) {
          model.consumes.push({
            transactionId: result.transactionId,
            user: step.user,
            taken: expected.taken,
            returned: new Map(),
          });
        }
      } else {
        expect(result).toEqual({ ok: false, reason: 'INSUFFICIENT', balance: expected.balance });
      }
      return;
    }
    case 'refund': {
      if (model.consumes.length === 0) return;
      const consume = model.consumes[step.pick % model.consumes.length] as ModelConsume;
      const result = await refundCredits(
        {
          userId: userIds[consume.user] as string,
          transactionId: consume.transactionId,
          amount: step.amount,
          sourceType: 'failed_call',
        },
        { now },
      );
      const expected = modelRefund(model, consume, step.amount);
      if (expected.ok) expect(result).toMatchObject({ ...expected, replayed: false });
      else expect(result).toEqual({ reason: 'EXCEEDS_REFUNDABLE', ...expected });
      return;
    }
    case 'expire': {
      const result = await expireDueCredits({ now, batchSize: 2, timeBudgetMs: 30_000 });
      const expected = model.users.reduce(
        (sum, each) => {
          const done = expireDue(each, model.now);
          return { lots: sum.lots + done.lots, credits: sum.credits + done.credits };
        },
        { lots: 0, credits: 0 },
      );
      expect(result).toMatchObject({ expired: expected.lots, credits: expected.credits, more: false });
      return;
    }
    case 'advance':
      model.now += step.hours * HOUR_MS;
      return;
  }
}

async function expectDatabaseMatches(model: Model, userIds: string[]): Promise<void> {
  const sql = getSql();
  for (const [index, userId] of userIds.entries()) {
    const expected = model.users[index] as ModelUser;
    const [row] = await sql<Record<string, string>[]>`
      SELECT current_credits, lifetime_granted, lifetime_consumed, lifetime_expired, lifetime_refunded
      FROM user_credit WHERE user_id = ${userId}`;
    expect(row ? Object.values(row).map(Number) : [0, 0, 0, 0, 0]).toEqual([
      expected.balance,
      expected.granted,
      expected.consumed,
      expected.expired,
      expected.refunded,
    ]);
    const lots = await sql<{ remaining: number }[]>`
      SELECT remaining FROM credit_lot WHERE user_id = ${userId} ORDER BY id`;
    expect(lots.map((lot) => lot.remaining)).toEqual(expected.lots.map((lot) => lot.remaining));

    const balance = await getCreditBalance(userId, { now: new Date(model.now) });
    const due = expected.lots
      .filter((lot) => isDue(lot, model.now))
      .reduce((sum, lot) => sum + lot.remaining, 0);
    const upcoming = expected.lots.filter(
      (lot) => lot.remaining > 0 && lot.expiresAt !== null && lot.expiresAt > model.now,
    );
    const nextAt = Math.min(...upcoming.map((lot) => lot.expiresAt as number));
    expect(balance).toMatchObject({ current: expected.balance, available: expected.balance - due });
    expect(balance.nextExpiration).toEqual(
      upcoming.length === 0
        ? null
        : {
            amount: upcoming
              .filter((lot) => lot.expiresAt === nextAt)
              .reduce((sum, lot) => sum + lot.remaining, 0),
            expiresAt: new Date(nextAt),
          },
    );
  }
}

describe('the ledger against a reference model', () => {
  it('agrees with the model after every step of random sequences, and always reconciles', async () => {
    // Each sequence starts its clock after the previous one ended, so no earlier sequence's lots fall
    // due inside a later one by surprise: the clock only moves forward across the whole file.
    let epoch = START;
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 5, maxLength: 40, size: 'max' }), async (steps) => {
        const model = newModel();
        const maxShift = 40 * 48 * HOUR_MS + 100 * HOUR_MS;
        epoch += maxShift;
        model.now = epoch;
        // Lots of earlier sequences are all due by now: expire them, so the runs below see only ours.
        await expireDueCredits({ now: new Date(epoch), batchSize: 500, timeBudgetMs: 30_000 });
        const userIds = await createUsers(USERS);
        for (const [index, step] of steps.entries()) {
          await apply(model, userIds, step, index);
          await expectDatabaseMatches(model, userIds);
        }
        await expectLedgerConsistent();
      }),
      { numRuns: 40 },
    );
  });

  it('answers a repeated key with the original result and a changed payload with a conflict', async () => {
    const [userId] = await createUsers(1);
    if (!userId) throw new Error('no user');
    await addCredits({ userId, amount: 1_000_000, sourceType: 'manual' });
    let sequence = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 50 }),
        async (amount, other) => {
          const key = `replay:${sequence++}`;
          const first = await consumeCredits({ userId, amount, sourceType: 'ai_call', idempotencyKey: key });
          const [before] =
            await getSql()`SELECT count(*)::int AS rows, sum(amount)::int AS total FROM credit_transaction
          WHERE user_id = ${userId}`;
          const replay = await consumeCredits({ userId, amount, sourceType: 'ai_call', idempotencyKey: key });
          expect(replay).toEqual(first.ok ? { ...first, replayed: true } : first);
          if (other !== amount && first.ok) {
            expect(
              await consumeCredits({ userId, amount: other, sourceType: 'ai_call', idempotencyKey: key }),
            ).toEqual({
              ok: false,
              reason: 'CONFLICT',
              transactionId: first.transactionId,
            });
          }
          const [after] =
            await getSql()`SELECT count(*)::int AS rows, sum(amount)::int AS total FROM credit_transaction
          WHERE user_id = ${userId}`;
          expect(after).toEqual(before);
        },
      ),
      { numRuns: 60 },
    );
    await expectLedgerConsistent();
  });
});
