import { randomUUID } from 'node:crypto';
import { siteConfig } from '@site-config';
import { afterEach, describe, expect, it } from 'vitest';
import { consumeCredits } from '@/credits';
import { getSql } from '@/db';
import type { PaymentEvent, PaymentSucceeded, PurchaseSnapshot } from '@/payment/events';
import { handlePaymentEvent } from '@/payment/handlers/core';
import { balanceOf, createUser, expectLedgerConsistent, ledgerRowCounts, toDate } from '../factories';

// The provider-neutral dispatch: what every adapter's events become. Provider specifics (signatures,
// payload shapes) are tested per provider; here, the rules that hold whoever sent the event.

afterEach(expectLedgerConsistent);

const starter = siteConfig.credits.packs.find((pack) => pack.id === 'starter');
if (!starter) throw new Error('the tests expect a "starter" pack in site.config.ts');

function paid(
  userId: string,
  overrides: Partial<PaymentSucceeded> & { purchase?: Partial<PurchaseSnapshot> } = {},
) {
  const { purchase, ...rest } = overrides;
  return {
    kind: 'payment.succeeded',
    provider: 'stripe',
    providerPaymentId: `cs_test_${randomUUID()}`,
    providerReference: `pi_${randomUUID()}`,
    order: {
      kind: 'snapshot',
      payer: { userId, customerId: null },
      purchase: {
        type: 'credit_pack',
        scene: 'credits_starter',
        credits: 100,
        expiresInDays: 365,
        ...purchase,
      },
    },
    amountMinor: 500,
    currency: 'USD',
    ...rest,
  } satisfies PaymentEvent as PaymentSucceeded;
}

function refund(reference: string, refundedTotalMinor: number): PaymentEvent {
  return {
    kind: 'refund.succeeded',
    provider: 'stripe',
    payment: { providerReference: reference },
    refundId: `total:${refundedTotalMinor}`,
    refundedTotalMinor,
    currency: 'USD',
    owner: 'unknown',
  };
}

function dispute(
  kind: 'dispute.opened' | 'dispute.won' | 'dispute.lost',
  reference: string,
  id = 'du_1',
  amountMinor = 500,
): PaymentEvent {
  return {
    kind,
    provider: 'stripe',
    payment: { providerReference: reference },
    disputeId: id,
    amountMinor,
    currency: 'USD',
    owner: 'unknown',
  };
}

async function paymentRow(providerPaymentId: string) {
  const [row] = await getSql()<
    { id: string; status: string; credits: number; refunded_minor: string; metadata: unknown }[]
  >`
    SELECT id, status, credits, refunded_minor, metadata FROM payment WHERE provider_payment_id = ${providerPaymentId}`;
  return row;
}

async function adjustments(paymentId: string) {
  return getSql()<{ kind: string; status: string; credits_requested: number; credits_taken: number }[]>`
    SELECT kind, status, credits_requested, credits_taken FROM payment_adjustment WHERE payment_id = ${paymentId} ORDER BY id`;
}

describe('a payment succeeding', () => {
  it('grants the snapshot once, however often and however concurrently it is delivered', async () => {
    const userId = await createUser();
    const event = paid(userId);
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => handlePaymentEvent(event)));
    expect(outcomes.filter((outcome) => outcome.outcome === 'granted')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.outcome === 'duplicate')).toHaveLength(49);
    expect(await balanceOf(userId)).toBe(100);
    expect((await ledgerRowCounts(userId)).credit_transaction).toBe(1);
    expect((await handlePaymentEvent(event)).outcome).toBe('duplicate');
  });

  it('grants a pack that has left the config from the snapshot, with the snapshot’s expiry', async () => {
    const userId = await createUser();
    const now = new Date('2026-11-23T10:00:00Z');
    const event = paid(userId, { purchase: { scene: 'credits_retired', credits: 777, expiresInDays: 10 } });
    expect(await handlePaymentEvent(event, { now })).toMatchObject({ outcome: 'granted' });
    const [grant] = await getSql()<{ amount: number; expiration_date: string }[]>`
      SELECT amount, expiration_date FROM credit_transaction WHERE user_id = ${userId}`;
    expect(grant?.amount).toBe(777);
    expect(toDate(grant?.expiration_date)).toEqual(new Date('2026-12-03T10:00:00Z'));
  });

  it('records a purchase that resolves to nothing as needing attention, granting nothing, once', async () => {
    const userId = await createUser();
    const event = paid(userId, { purchase: { type: 'one_time', scene: 'mystery', credits: null } });
    expect(await handlePaymentEvent(event)).toMatchObject({ outcome: 'recorded', detail: 'needs_attention' });
    expect(await handlePaymentEvent(event)).toMatchObject({ outcome: 'duplicate' });
    expect((await paymentRow(event.providerPaymentId))?.status).toBe('needs_attention');
    expect(await balanceOf(userId)).toBe(0);
  });

  it('refuses a payment it cannot match to a user, with a retryable error, writing nothing', async () => {
    const event = paid('no-such-user');
    const before = await ledgerRowCounts();
    await expect(handlePaymentEvent(event)).rejects.toMatchObject({ code: 'UNMATCHED_PAYMENT', status: 500 });
    expect(await paymentRow(event.providerPaymentId)).toBeUndefined();
    expect(await ledgerRowCounts()).toEqual(before);
  });

  it('completes a stored order only when amount and currency match it', async () => {
    const userId = await createUser();
    const pending = paid(userId);
    await handlePaymentEvent({
      ...pending,
      kind: 'payment.pending',
      payer: { userId, customerId: null },
      purchase: {
        type: 'credit_pack',
        scene: 'credits_starter',
        credits: 100,
      },
    });
    const stored = { ...pending, order: { kind: 'stored' } } as const;
    await expect(handlePaymentEvent({ ...stored, amountMinor: 499 })).rejects.toMatchObject({
      code: 'ORDER_MISMATCH',
    });
    await expect(handlePaymentEvent({ ...stored, currency: 'CNY' })).rejects.toMatchObject({
      code: 'ORDER_MISMATCH',
    });
    expect((await paymentRow(pending.providerPaymentId))?.status).toBe('pending');
    expect(await balanceOf(userId)).toBe(0);
    expect(await handlePaymentEvent(stored)).toMatchObject({ outcome: 'granted' });
    expect(await handlePaymentEvent(stored)).toMatchObject({ outcome: 'duplicate' });
    expect(await balanceOf(userId)).toBe(100);
    await expect(handlePaymentEvent({ ...stored, providerPaymentId: 'never-created' })).rejects.toMatchObject(
      {
        code: 'UNMATCHED_PAYMENT',
      },
    );
  });
});

describe('refunds', () => {
  it('take back credits in proportion to the money, adding up to the whole over partial refunds', async () => {
    const userId = await createUser();
    const event = paid(userId, { amountMinor: 300 });
    await handlePaymentEvent(event);
    const reference = event.providerReference ?? '';
    await handlePaymentEvent(refund(reference, 100));
    expect(await balanceOf(userId)).toBe(67);
    await handlePaymentEvent(refund(reference, 100)); // redelivered
    await handlePaymentEvent(refund(reference, 200));
    expect(await balanceOf(userId)).toBe(34);
    expect((await paymentRow(event.providerPaymentId))?.status).toBe('partially_refunded');
    await handlePaymentEvent(refund(reference, 300));
    await handlePaymentEvent(refund(reference, 200)); // stale, after the full refund
    expect(await balanceOf(userId)).toBe(0);
    const row = await paymentRow(event.providerPaymentId);
    expect(row).toMatchObject({ status: 'refunded', refunded_minor: '300' });
    expect((await adjustments(row?.id ?? '')).map((a) => a.credits_taken)).toEqual([33, 33, 34]);
  });

  it('take at most what the user still has, never below zero, recording the shortfall', async () => {
    const userId = await createUser();
    const event = paid(userId);
    await handlePaymentEvent(event);
    await consumeCredits({ userId, amount: 70, sourceType: 'ai_call' });
    expect(await handlePaymentEvent(refund(event.providerReference ?? '', 500))).toMatchObject({
      outcome: 'recorded',
    });
    expect(await balanceOf(userId)).toBe(0);
    const row = await paymentRow(event.providerPaymentId);
    expect(await adjustments(row?.id ?? '')).toEqual([
      { kind: 'refund', status: 'applied', credits_requested: 100, credits_taken: 30 },
    ]);
  });

  it('take the refunded payment’s own credits first, leaving other credits that expire sooner', async () => {
    const userId = await createUser();
    const gift = paid(userId, { purchase: { scene: 'credits_gift', credits: 50, expiresInDays: 5 } });
    const pack = paid(userId, { purchase: { credits: 100, expiresInDays: null } });
    await handlePaymentEvent(gift);
    await handlePaymentEvent(pack);
    await handlePaymentEvent(refund(pack.providerReference ?? '', 500));
    const lots = await getSql()<{ remaining: number; expires_at: string | null }[]>`
      SELECT remaining, expires_at FROM credit_lot WHERE user_id = ${userId} ORDER BY id`;
    expect(lots.map((lot) => lot.remaining)).toEqual([50, 0]);
  });

  it('of a payment the app never saw are ignored when nothing says it is ours, and retried when it is', async () => {
    const userId = await createUser();
    expect(await handlePaymentEvent(refund('pi_unknown', 100))).toMatchObject({ outcome: 'ignored' });
    await expect(
      handlePaymentEvent({
        ...(refund('pi_unknown', 100) as object),
        owner: { userId, customerId: null },
      } as PaymentEvent),
    ).rejects.toMatchObject({ code: 'UNMATCHED_PAYMENT' });
  });
});

describe('disputes', () => {
  it('take the credits back when opened and give back what was taken when won, once', async () => {
    const userId = await createUser();
    const event = paid(userId);
    await handlePaymentEvent(event);
    await consumeCredits({ userId, amount: 40, sourceType: 'ai_call' });
    const reference = event.providerReference ?? '';
    await handlePaymentEvent(dispute('dispute.opened', reference));
    await handlePaymentEvent(dispute('dispute.opened', reference));
    expect(await balanceOf(userId)).toBe(0);
    expect((await paymentRow(event.providerPaymentId))?.status).toBe('disputed');
    await handlePaymentEvent(dispute('dispute.won', reference));
    await handlePaymentEvent(dispute('dispute.won', reference));
    expect(await balanceOf(userId)).toBe(60);
    expect((await paymentRow(event.providerPaymentId))?.status).toBe('paid');
    const [restore] = await getSql()<{ type: string; source_type: string; amount: number }[]>`
      SELECT type, source_type, amount FROM credit_transaction WHERE user_id = ${userId} ORDER BY id DESC LIMIT 1`;
    expect(restore).toEqual({ type: 'REFUND', source_type: 'dispute_won', amount: 60 });
  });

  it('lost keeps the credits taken; a close that arrives before its opening still takes them once', async () => {
    const userId = await createUser();
    const event = paid(userId);
    await handlePaymentEvent(event);
    const reference = event.providerReference ?? '';
    await handlePaymentEvent(dispute('dispute.lost', reference));
    await handlePaymentEvent(dispute('dispute.opened', reference));
    await handlePaymentEvent(dispute('dispute.won', reference)); // a stale outcome after the final one
    expect(await balanceOf(userId)).toBe(0);
    const row = await paymentRow(event.providerPaymentId);
    expect(row?.status).toBe('dispute_lost');
    expect(await adjustments(row?.id ?? '')).toEqual([
      { kind: 'dispute', status: 'lost', credits_requested: 100, credits_taken: 100 },
    ]);
  });

  it('after a partial refund ask back only the rest', async () => {
    const userId = await createUser();
    const event = paid(userId);
    await handlePaymentEvent(event);
    const reference = event.providerReference ?? '';
    await handlePaymentEvent(refund(reference, 250));
    await handlePaymentEvent(dispute('dispute.opened', reference));
    const row = await paymentRow(event.providerPaymentId);
    expect((await adjustments(row?.id ?? '')).map((a) => a.credits_requested)).toEqual([50, 50]);
    expect(await balanceOf(userId)).toBe(0);
  });

  it('of a payment still pending are retried, and apply once the payment lands', async () => {
    const userId = await createUser();
    const event = paid(userId);
    const reference = event.providerReference ?? '';
    await handlePaymentEvent({
      kind: 'payment.pending',
      provider: 'stripe',
      providerPaymentId: event.providerPaymentId,
      providerReference: reference,
      payer: { userId, customerId: null },
      purchase: { type: 'credit_pack', scene: 'credits_starter', credits: 100 },
      amountMinor: 500,
      currency: 'USD',
    });
    await expect(handlePaymentEvent(dispute('dispute.opened', reference))).rejects.toMatchObject({
      code: 'UNMATCHED_PAYMENT',
    });
    await handlePaymentEvent({ ...event, order: { kind: 'stored' } });
    expect(await balanceOf(userId)).toBe(100);
    await handlePaymentEvent(dispute('dispute.opened', reference));
    expect(await balanceOf(userId)).toBe(0);
  });

  it('won after a refund arrived during it still leaves the refund’s share taken', async () => {
    const userId = await createUser();
    const event = paid(userId);
    const reference = event.providerReference ?? '';
    await handlePaymentEvent(event);
    await handlePaymentEvent(dispute('dispute.opened', reference, 'du_1', 250));
    expect(await balanceOf(userId)).toBe(0);
    await handlePaymentEvent(refund(reference, 250));
    await handlePaymentEvent(dispute('dispute.won', reference, 'du_1', 250));
    await handlePaymentEvent(dispute('dispute.won', reference, 'du_1', 250));
    expect(await balanceOf(userId)).toBe(50);
    expect((await paymentRow(event.providerPaymentId))?.status).toBe('partially_refunded');
  });

  it('and refunds of a payment needing attention leave it needing attention', async () => {
    for (const steps of [['refund'], ['opened', 'won']]) {
      const userId = await createUser();
      const event = paid(userId, { purchase: { type: 'one_time', scene: 'mystery', credits: null } });
      await handlePaymentEvent(event);
      const reference = event.providerReference ?? '';
      for (const step of steps) {
        await handlePaymentEvent(
          step === 'refund'
            ? refund(reference, 100)
            : dispute(step === 'opened' ? 'dispute.opened' : 'dispute.won', reference),
        );
      }
      expect((await paymentRow(event.providerPaymentId))?.status).toBe('needs_attention');
      expect(await balanceOf(userId)).toBe(0);
    }
  });
});
