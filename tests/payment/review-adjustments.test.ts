import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { getSql } from '@/db';
import type { PaymentEvent, PaymentSucceeded } from '@/payment/events';
import { handlePaymentEvent } from '@/payment/handlers/core';
import { balanceOf, createUser, expectLedgerConsistent } from '../factories';

afterEach(expectLedgerConsistent);

function paid(userId: string, scene = 'credits_starter', credits: number | null = 100): PaymentSucceeded {
  return {
    kind: 'payment.succeeded',
    provider: 'stripe',
    providerPaymentId: `cs_test_${randomUUID()}`,
    providerReference: `pi_${randomUUID()}`,
    order: {
      kind: 'snapshot',
      payer: { userId, customerId: null },
      purchase: { type: 'credit_pack', scene, credits, expiresInDays: 365 },
    },
    amountMinor: 500,
    currency: 'USD',
  };
}

const refund = (reference: string, total: number): PaymentEvent => ({
  kind: 'refund.succeeded',
  provider: 'stripe',
  payment: { providerReference: reference },
  refundId: `total:${total}`,
  refundedTotalMinor: total,
  currency: 'USD',
  owner: 'unknown',
});

const dispute = (
  kind: 'dispute.opened' | 'dispute.won' | 'dispute.lost',
  reference: string,
  amountMinor = 500,
): PaymentEvent => ({
  kind,
  provider: 'stripe',
  payment: { providerReference: reference },
  disputeId: 'du_1',
  amountMinor,
  currency: 'USD',
  owner: 'unknown',
});

async function statusOf(providerPaymentId: string): Promise<string | undefined> {
  const [row] = await getSql()<{ status: string }[]>`
    SELECT status FROM payment WHERE provider_payment_id = ${providerPaymentId}`;
  return row?.status;
}

describe('review: disputes', () => {
  it('a dispute of a payment stored as pending is retried, not acknowledged and dropped', async () => {
    const userId = await createUser();
    const event = paid(userId);
    await handlePaymentEvent({
      kind: 'payment.pending',
      provider: 'stripe',
      providerPaymentId: event.providerPaymentId,
      providerReference: event.providerReference,
      payer: { userId, customerId: null },
      purchase: { type: 'credit_pack', scene: 'credits_starter', credits: 100 },
      amountMinor: 500,
      currency: 'USD',
    });
    const reference = event.providerReference as string;
    // The row exists and is ours: the dispute must be retried until the payment's success is recorded.
    await expect(handlePaymentEvent(dispute('dispute.opened', reference))).rejects.toMatchObject({
      code: 'UNMATCHED_PAYMENT',
    });
  });

  it('a refund delivered while a dispute is open still counts once the dispute is won', async () => {
    const userId = await createUser();
    const event = paid(userId);
    const reference = event.providerReference as string;
    await handlePaymentEvent(event);
    // Half refunded, then the rest disputed; the refund's webhook is delivered after the dispute's.
    await handlePaymentEvent(dispute('dispute.opened', reference, 250));
    expect(await balanceOf(userId)).toBe(0);
    await handlePaymentEvent(refund(reference, 250));
    await handlePaymentEvent(dispute('dispute.won', reference, 250));
    // The merchant kept 250 of 500 cents: the user keeps half of the 100 credits, not all of them.
    expect(await balanceOf(userId)).toBe(50);
    expect(await statusOf(event.providerPaymentId)).toBe('partially_refunded');
  });

  it('a won dispute of a payment needing attention leaves it needing attention', async () => {
    const userId = await createUser();
    const event = paid(userId, 'credits_', null);
    event.order = {
      kind: 'snapshot',
      payer: { userId, customerId: null },
      purchase: { type: 'one_time', scene: 'mystery', credits: null },
    };
    expect(await handlePaymentEvent(event)).toMatchObject({ detail: 'needs_attention' });
    const reference = event.providerReference as string;
    await handlePaymentEvent(dispute('dispute.opened', reference));
    await handlePaymentEvent(dispute('dispute.won', reference));
    expect(await statusOf(event.providerPaymentId)).toBe('needs_attention');
  });
});
