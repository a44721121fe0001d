import { randomUUID } from 'node:crypto';
import { siteConfig } from '@site-config';
import { z } from 'zod';
import {
  addCreditPackCredits,
  addRegisterGiftCredits,
  addSubscriptionCredits,
  backfillRegisterGifts,
  chargeCredits,
  getBalanceSeries,
  getCreditBalance,
  getCreditHistory,
  grantMonthlyCredits,
} from '@/credits';
import {
  addCredits,
  clawbackCredits,
  consumeCredits,
  expireDueCredits,
  refundCredits,
} from '@/credits/server';
import { createPayment, createUser, DAY_MS } from '../factories';

/**
 * Every public entry point of the credits module, each with a valid call (its "base"), the fields it
 * takes by kind, and the shape of what it answers. The bad-input table and the fuzzer replace one field
 * of a base at a time, so a rejection is always caused by that field.
 */

export interface Fixture {
  /** Holds credits that never expire, a consume to refund, and a pack and a subscription payment. */
  userId: string;
  consumeId: number;
  packPaymentId: number;
  subscriptionPaymentId: number;
}

export const pack = siteConfig.credits.packs[0] ?? { id: 'missing' };

export async function createFixture(): Promise<Fixture> {
  const userId = await createUser();
  await addCredits({ userId, amount: 1_000_000, sourceType: 'manual' });
  const consume = await consumeCredits({ userId, amount: 100, sourceType: 'ai_call' });
  if (!consume.ok) throw new Error('fixture: the consume failed');
  // Pending, so that verifyLedger does not expect them granted: the grant helpers do not read the status.
  return {
    userId,
    consumeId: consume.transactionId,
    packPaymentId: await createPayment({ userId, scene: `credits_${pack.id}`, status: 'pending' }),
    subscriptionPaymentId: await createPayment({
      userId,
      type: 'subscription',
      scene: 'pro_monthly',
      status: 'pending',
    }),
  };
}

type Args = Record<string, unknown>;

export interface EntryPoint {
  name: string;
  /** Valid arguments, flat: `call` places each where the entry point takes it. */
  base: (fixture: Fixture) => Args;
  call: (args: Args) => Promise<unknown>;
  /** Strings stored or sent as text, metadata objects, and dates. */
  text: string[];
  metadata: string[];
  dates: string[];
  /** What a call answers when it does not throw. */
  result: z.ZodType;
}

const count = z.number().int().nonnegative();
const ledgerResult = z.union([
  z.looseObject({ ok: z.literal(true), transactionId: count, balance: count, replayed: z.boolean() }),
  z.looseObject({ ok: z.literal(false), reason: z.enum(['CONFLICT', 'DUPLICATE', 'INSUFFICIENT']) }),
  z.looseObject({ ok: z.literal(false), reason: z.literal('EXCEEDS_REFUNDABLE'), refundableAmount: count }),
]);
const chargeResult = z.union([
  ledgerResult,
  z.looseObject({ ok: z.literal(true), transactionId: count, balance: count }),
  z.looseObject({ ok: z.literal(false), reason: z.enum(['ALREADY_PROCESSED', 'FAILED']) }),
]);

const later = () => new Date(Date.now() + 30 * DAY_MS);
const unique = () => `fuzz:${randomUUID()}`;
const metadata = () => ({ origin: 'entry-points', n: 1 });

// The untyped calls are the point: these are the arguments an untyped caller can send.
// biome-ignore-start lint/suspicious/noExplicitAny: deliberately ill-typed input
export const entryPoints: EntryPoint[] = [
  {
    name: 'addCredits',
    base: (fx) => ({
      userId: fx.userId,
      amount: 5,
      sourceType: 'manual',
      expirationDate: later(),
      description: 'base grant',
      metadata: metadata(),
    }),
    call: ({ now, ...input }) => addCredits(input as any, { now: now as any }),
    text: ['userId', 'description'],
    metadata: ['metadata'],
    dates: ['expirationDate', 'now'],
    result: ledgerResult,
  },
  {
    name: 'consumeCredits',
    base: (fx) => ({
      userId: fx.userId,
      amount: 1,
      sourceType: 'ai_call',
      description: 'base spend',
      metadata: metadata(),
    }),
    call: ({ now, ...input }) => consumeCredits(input as any, { now: now as any }),
    text: ['userId', 'description'],
    metadata: ['metadata'],
    dates: ['now'],
    result: ledgerResult,
  },
  {
    name: 'refundCredits',
    base: (fx) => ({
      userId: fx.userId,
      transactionId: fx.consumeId,
      amount: 1,
      sourceType: 'failed_call',
      description: 'base refund',
      metadata: metadata(),
    }),
    call: ({ now, ...input }) => refundCredits(input as any, { now: now as any }),
    text: ['userId', 'description'],
    metadata: ['metadata'],
    dates: ['now'],
    result: ledgerResult,
  },
  {
    name: 'clawbackCredits',
    base: (fx) => ({
      userId: fx.userId,
      amount: 1,
      paymentId: fx.packPaymentId,
      sourceType: 'payment_refunded',
      description: 'base clawback',
      metadata: metadata(),
    }),
    call: ({ now, ...input }) => clawbackCredits(input as any, { now: now as any }),
    text: ['userId', 'description'],
    metadata: ['metadata'],
    dates: ['now'],
    result: z.object({
      transactionId: count.nullable(),
      taken: count,
      shortfall: count,
      balance: count,
      replayed: z.boolean(),
    }),
  },
  {
    name: 'expireDueCredits',
    base: () => ({ batchSize: 100, timeBudgetMs: 10_000 }),
    call: (args) => expireDueCredits(args as any),
    text: [],
    metadata: [],
    dates: ['now'],
    result: z.object({ expired: count, credits: count, batches: count, more: z.boolean() }),
  },
  {
    name: 'chargeCredits',
    base: (fx) => ({
      userId: fx.userId,
      amount: 1,
      sourceType: 'ai_call',
      idempotencyKey: unique(),
      description: 'base charge',
      metadata: metadata(),
    }),
    call: (input) => chargeCredits(input as any, async () => 'done'),
    text: ['userId', 'description'],
    metadata: ['metadata'],
    dates: [],
    result: chargeResult,
  },
  {
    name: 'addRegisterGiftCredits',
    base: (fx) => ({ userId: fx.userId }),
    call: ({ userId, now }) => addRegisterGiftCredits(userId as any, { now: now as any }),
    text: ['userId'],
    metadata: [],
    dates: ['now'],
    result: ledgerResult,
  },
  {
    name: 'addSubscriptionCredits',
    base: (fx) => ({
      userId: fx.userId,
      plan: 'pro_monthly',
      paymentId: fx.subscriptionPaymentId,
      periodEnd: later(),
    }),
    call: ({ now, ...input }) => addSubscriptionCredits(input as any, { now: now as any }),
    text: ['userId'],
    metadata: [],
    dates: ['periodEnd', 'now'],
    result: ledgerResult,
  },
  {
    name: 'addCreditPackCredits',
    base: (fx) => ({ userId: fx.userId, packId: pack.id, paymentId: fx.packPaymentId }),
    call: ({ now, ...input }) => addCreditPackCredits(input as any, { now: now as any }),
    text: ['userId', 'packId'],
    metadata: [],
    dates: ['now'],
    result: ledgerResult,
  },
  {
    name: 'grantMonthlyCredits',
    base: () => ({ batchSize: 100, timeBudgetMs: 10_000 }),
    call: (args) => grantMonthlyCredits(args as any),
    text: [],
    metadata: [],
    dates: ['now'],
    result: z.object({
      period: z.string(),
      granted: count,
      credits: count,
      failed: count,
      more: z.boolean(),
    }),
  },
  {
    name: 'backfillRegisterGifts',
    base: () => ({ limit: 10 }),
    call: (args) => backfillRegisterGifts(args as any),
    text: [],
    metadata: [],
    dates: ['now'],
    result: z.object({ granted: count, checked: count, failed: count, more: z.boolean() }),
  },
  {
    name: 'getCreditBalance',
    base: (fx) => ({ userId: fx.userId }),
    call: ({ userId, now }) => getCreditBalance(userId as any, { now: now as any }),
    text: ['userId'],
    metadata: [],
    dates: ['now'],
    result: z.looseObject({ current: count, available: count, lifetimeGranted: count }),
  },
  {
    name: 'getCreditHistory',
    base: (fx) => ({ userId: fx.userId, limit: 10 }),
    call: (args) => getCreditHistory(args as any),
    text: ['userId', 'cursor'],
    metadata: [],
    dates: [],
    result: z.object({
      items: z.array(z.looseObject({ id: count })),
      nextCursor: z.string().nullable(),
      prevCursor: z.string().nullable(),
    }),
  },
  {
    name: 'getBalanceSeries',
    base: (fx) => ({ userId: fx.userId, days: 30 }),
    call: (args) => getBalanceSeries(args as any),
    text: ['userId'],
    metadata: [],
    dates: ['now'],
    result: z.array(z.object({ day: z.date(), balance: count })),
  },
];
// biome-ignore-end lint/suspicious/noExplicitAny: deliberately ill-typed input
