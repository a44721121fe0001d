import type Stripe from 'stripe';
import { describe, expect, it, vi } from 'vitest';
import { balanceOf, createUser } from '../factories';
import { type FakeStripe, startFakeStripe } from '../support/fake-stripe';
import { withFakeProvider } from '../support/provider-suite';
import { dispute, event } from '../support/stripe-events';
import {
  adjustmentsOf,
  buyPack,
  deliver,
  deliverOk,
  expectNothingWritten,
  openCheckout,
  paymentRow,
  raised,
  stubStripeEnv,
} from '../support/stripe-setup';

// Money going back over Stripe: charge.refunded (cumulative amounts) and disputes, delivered to the real
// webhook for payments made at the fake. The proportional arithmetic and the shortfall rules are the
// dispatch's, covered provider-neutrally in dispatch.test.ts; here, that Stripe's events reach them.

let fake: FakeStripe;
withFakeProvider(startFakeStripe, stubStripeEnv, (started) => {
  fake = started;
});

/** charge.refunded as Stripe sends it: the charge with its running refunded total. */
function refunded(paid: Stripe.Charge, amountRefunded: number) {
  return event('charge.refunded', {
    ...paid,
    amount_refunded: amountRefunded,
    refunded: amountRefunded >= paid.amount,
  });
}

function disputed(
  type: 'charge.dispute.created' | 'charge.dispute.closed',
  paid: Stripe.Charge,
  status: Stripe.Dispute.Status,
  id?: string,
) {
  return event(
    type,
    dispute({
      ...(id && { id }),
      charge: paid.id,
      payment_intent: paid.payment_intent as string,
      amount: paid.amount,
      currency: paid.currency,
      status,
    }),
  );
}

describe('charge.refunded', () => {
  it('takes back credits in proportion to the refunded total, once per total, up to all of them', async () => {
    const userId = await createUser();
    const { sessionId, charge } = await buyPack(fake, userId);
    expect(charge.amount).toBe(500);
    expect(charge.metadata).toMatchObject({ app: 'saas-credits', userId });

    expect(await deliverOk(fake, refunded(charge, 250))).toMatchObject({
      outcome: 'recorded',
      detail: 'partially_refunded',
    });
    expect(await balanceOf(userId)).toBe(50);
    expect(await deliverOk(fake, refunded(charge, 250))).toMatchObject({ outcome: 'duplicate' });
    expect(await balanceOf(userId)).toBe(50);
    expect(await paymentRow(sessionId)).toMatchObject({ status: 'partially_refunded', refundedMinor: 250 });

    expect(await deliverOk(fake, refunded(charge, 500))).toMatchObject({
      outcome: 'recorded',
      detail: 'refunded',
    });
    // A late redelivery of the first refund's event changes nothing.
    expect(await deliverOk(fake, refunded(charge, 250))).toMatchObject({ outcome: 'duplicate' });

    const paid = await paymentRow(sessionId);
    expect(paid).toMatchObject({ status: 'refunded', refundedMinor: 500 });
    expect(await balanceOf(userId)).toBe(0);
    expect(
      (await adjustmentsOf(paid?.id ?? 0)).map(({ kind, creditsTaken }) => ({ kind, creditsTaken })),
    ).toEqual([
      { kind: 'refund', creditsTaken: 50 },
      { kind: 'refund', creditsTaken: 50 },
    ]);
  });

  it('adds up to the whole when refunds of different totals arrive at once and out of order', async () => {
    const userId = await createUser();
    const { sessionId, charge } = await buyPack(fake, userId);

    const responses = await Promise.all(
      [250, 500, 400, 250, 500].map((total) => deliver(fake, refunded(charge, total))),
    );

    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    const paid = await paymentRow(sessionId);
    expect(paid).toMatchObject({ status: 'refunded', refundedMinor: 500 });
    expect(await balanceOf(userId)).toBe(0);
    const taken = (await adjustmentsOf(paid?.id ?? 0)).reduce(
      (sum, adjustment) => sum + adjustment.creditsTaken,
      0,
    );
    expect(taken).toBe(100);
  });

  it('of a payment of this app not recorded yet is answered 5xx, and applied once the payment arrives', async () => {
    const userId = await createUser();
    const sessionId = await openCheckout(fake, userId, { kind: 'pack', id: 'starter' });
    const events = await fake.complete(sessionId);
    const intent = fake.checkoutSessions.get(sessionId)?.payment_intent;
    const charge = [...fake.charges.values()].find((item) => item.payment_intent === intent);
    if (!charge) throw new Error('the fake made no charge');
    vi.spyOn(console, 'error').mockImplementation(() => {});

    await expectNothingWritten(async () => {
      const response = await deliver(fake, refunded(charge, 500));
      expect(response.status).toBeGreaterThanOrEqual(500);
      expect(await response.json()).toMatchObject({ error: 'UNMATCHED_PAYMENT' });
    });
    await deliverOk(fake, raised(events, 'checkout.session.completed'));
    expect(await balanceOf(userId)).toBe(100);
    expect(await deliverOk(fake, refunded(charge, 500))).toMatchObject({ detail: 'refunded' });
    expect(await balanceOf(userId)).toBe(0);
  });
});

describe('disputes', () => {
  it('take the credits back when opened and give them back when won', async () => {
    const userId = await createUser();
    const { sessionId, charge } = await buyPack(fake, userId);
    const id = `du_${sessionId.slice(-12)}`;

    expect(
      await deliverOk(fake, disputed('charge.dispute.created', charge, 'needs_response', id)),
    ).toMatchObject({
      outcome: 'recorded',
      detail: 'disputed',
    });
    expect(await balanceOf(userId)).toBe(0);
    expect(await paymentRow(sessionId)).toMatchObject({ status: 'disputed' });
    expect(
      await deliverOk(fake, disputed('charge.dispute.created', charge, 'needs_response', id)),
    ).toMatchObject({
      outcome: 'duplicate',
    });

    expect(await deliverOk(fake, disputed('charge.dispute.closed', charge, 'won', id))).toMatchObject({
      detail: 'dispute won',
    });
    expect(await deliverOk(fake, disputed('charge.dispute.closed', charge, 'won', id))).toMatchObject({
      outcome: 'duplicate',
    });
    expect(await balanceOf(userId)).toBe(100);
    expect(await paymentRow(sessionId)).toMatchObject({ status: 'paid' });
  });

  it('lost keep the credits taken', async () => {
    const userId = await createUser();
    const { sessionId, charge } = await buyPack(fake, userId);
    const id = `du_${sessionId.slice(-12)}`;

    await deliverOk(fake, disputed('charge.dispute.created', charge, 'needs_response', id));
    expect(await deliverOk(fake, disputed('charge.dispute.closed', charge, 'lost', id))).toMatchObject({
      detail: 'dispute lost',
    });

    expect(await balanceOf(userId)).toBe(0);
    const paid = await paymentRow(sessionId);
    expect(paid).toMatchObject({ status: 'dispute_lost' });
    expect(await adjustmentsOf(paid?.id ?? 0)).toMatchObject([
      { kind: 'dispute', status: 'lost', creditsTaken: 100 },
    ]);
  });

  it('an inquiry (warning_needs_response) withdraws no funds and is ignored', async () => {
    const userId = await createUser();
    const { sessionId, charge } = await buyPack(fake, userId);

    await expectNothingWritten(async () => {
      expect(
        await deliverOk(fake, disputed('charge.dispute.created', charge, 'warning_needs_response')),
      ).toMatchObject({
        outcome: 'ignored',
      });
    });
    expect(await balanceOf(userId)).toBe(100);
    expect(await paymentRow(sessionId)).toMatchObject({ status: 'paid' });
  });
});
