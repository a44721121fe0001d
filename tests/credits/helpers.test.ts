import { siteConfig } from '@site-config';
import { describe, expect, it } from 'vitest';
import { isCreditsError } from '@/credits/errors';
import { addCreditPackCredits, addRegisterGiftCredits, addSubscriptionCredits } from '@/credits/index';
import { getSql } from '@/db';
import {
  createPayment,
  createUser,
  DAY_MS,
  expectLedgerConsistent,
  ledgerRowCounts,
  toDate,
} from '../factories';

const NOW = new Date('2026-11-01T10:00:00Z');

async function grantsOf(userId: string) {
  const rows = await getSql()`
    SELECT amount, source_type, expiration_date, payment_id, idempotency_key FROM credit_transaction
    WHERE user_id = ${userId} AND type = 'GRANT' ORDER BY id`;
  return rows.map((row) => ({ ...row, expiration_date: toDate(row.expiration_date) }));
}

describe('addRegisterGiftCredits', () => {
  it('grants the configured gift, expiring after the configured days, once per user', async () => {
    const { amount, expiresInDays } = siteConfig.credits.registerGift;
    expect({ amount, expiresInDays }).toEqual({ amount: 50, expiresInDays: 30 });
    const userId = await createUser();

    const first = await addRegisterGiftCredits(userId, { now: NOW });
    const again = await addRegisterGiftCredits(userId, { now: new Date(NOW.getTime() + 60_000) });

    expect(first).toMatchObject({ ok: true, balance: 50, replayed: false });
    expect(again).toMatchObject({ ok: true, balance: 50, replayed: true });
    expect(await grantsOf(userId)).toEqual([
      {
        amount: 50,
        source_type: 'register_gift',
        expiration_date: new Date(NOW.getTime() + 30 * DAY_MS),
        payment_id: null,
        idempotency_key: `register_gift:${userId}`,
      },
    ]);
  });

  it('rejects an unknown user with a typed error and writes nothing', async () => {
    const before = await ledgerRowCounts();
    await expect(addRegisterGiftCredits('no_such_user')).rejects.toSatisfy((error) =>
      isCreditsError(error, 'UNKNOWN_USER'),
    );
    expect(await ledgerRowCounts()).toEqual(before);
  });
});

describe('addCreditPackCredits', () => {
  const pack = siteConfig.credits.packs[0];
  if (!pack) throw new Error('site.config.ts defines no credit pack');

  it('grants the credits the payment snapshotted, expiring per the pack, once per payment', async () => {
    const userId = await createUser();
    const paymentId = await createPayment({ userId, scene: `credits_${pack.id}`, credits: pack.credits });

    const first = await addCreditPackCredits({ userId, packId: pack.id, paymentId }, { now: NOW });
    const redelivered = await addCreditPackCredits({ userId, packId: pack.id, paymentId }, { now: NOW });

    expect(first).toMatchObject({ ok: true, balance: pack.credits });
    expect(redelivered).toMatchObject({ ok: true, replayed: true, balance: pack.credits });
    const [grant] = await grantsOf(userId);
    expect(grant).toEqual({
      amount: pack.credits,
      source_type: 'credit_pack',
      expiration_date:
        pack.expiresInDays === null ? null : new Date(NOW.getTime() + pack.expiresInDays * DAY_MS),
      payment_id: String(paymentId),
      idempotency_key: `credit_pack:${paymentId}`,
    });
    await expectLedgerConsistent();
  });

  it('grants a pack that was removed from the config from the payment snapshot', async () => {
    const userId = await createUser();
    const paymentId = await createPayment({
      userId,
      scene: 'credits_retired',
      credits: 777,
      metadata: { expiresInDays: 10 },
    });

    expect(await addCreditPackCredits({ userId, packId: 'retired', paymentId }, { now: NOW })).toMatchObject({
      ok: true,
      balance: 777,
    });
    expect((await grantsOf(userId))[0]?.expiration_date).toEqual(new Date(NOW.getTime() + 10 * DAY_MS));
  });

  it('refuses a payment that bought something else or belongs to someone else, writing nothing', async () => {
    const userId = await createUser();
    const other = await createUser();
    const otherPack = await createPayment({ userId: other, scene: `credits_${pack.id}` });
    const subscription = await createPayment({ userId, type: 'subscription', scene: 'pro_monthly' });
    const before = await ledgerRowCounts();

    for (const paymentId of [otherPack, subscription, 987_654]) {
      await expect(addCreditPackCredits({ userId, packId: pack.id, paymentId })).rejects.toSatisfy((error) =>
        isCreditsError(error, 'PAYMENT_MISMATCH'),
      );
    }
    await expect(addCreditPackCredits({ userId, packId: pack.id, paymentId: -1 })).rejects.toSatisfy(
      (error) => isCreditsError(error, 'INVALID_INPUT'),
    );
    expect(await ledgerRowCounts()).toEqual(before);
  });
});

describe('addSubscriptionCredits', () => {
  it('grants one period of pro monthly credits per payment, expiring at the period end when configured', async () => {
    const plan = siteConfig.credits.plans.pro_monthly;
    const userId = await createUser();
    const periodEnd = new Date('2026-12-01T10:00:00Z');
    const january = await createPayment({ userId, type: 'subscription', scene: 'pro_monthly', credits: 0 });
    const february = await createPayment({ userId, type: 'subscription', scene: 'pro_monthly', credits: 0 });

    await addSubscriptionCredits(
      { userId, plan: 'pro_monthly', paymentId: january, periodEnd },
      { now: NOW },
    );
    await addSubscriptionCredits(
      { userId, plan: 'pro_monthly', paymentId: january, periodEnd },
      { now: NOW },
    );
    await addSubscriptionCredits(
      { userId, plan: 'pro_monthly', paymentId: february, periodEnd },
      { now: NOW },
    );

    const grants = await grantsOf(userId);
    expect(grants).toHaveLength(2);
    expect(grants[0]).toMatchObject({
      amount: plan.creditsPerPeriod,
      source_type: 'subscription',
      expiration_date: plan.creditsExpireAtPeriodEnd ? periodEnd : null,
      idempotency_key: `subscription:${january}`,
    });
  });

  it('grants the lifetime plan once, never expiring', async () => {
    const userId = await createUser();
    const paymentId = await createPayment({ userId, type: 'one_time', scene: 'lifetime', credits: 0 });
    await addSubscriptionCredits({ userId, plan: 'lifetime', paymentId }, { now: NOW });
    await addSubscriptionCredits({ userId, plan: 'lifetime', paymentId }, { now: NOW });
    expect(await grantsOf(userId)).toEqual([
      {
        amount: siteConfig.credits.plans.lifetime.credits,
        source_type: 'lifetime',
        expiration_date: null,
        payment_id: String(paymentId),
        idempotency_key: `lifetime:${paymentId}`,
      },
    ]);
  });

  it('refuses a payment for another plan', async () => {
    const userId = await createUser();
    const yearly = await createPayment({ userId, type: 'subscription', scene: 'pro_yearly' });
    await expect(
      addSubscriptionCredits({ userId, plan: 'pro_monthly', paymentId: yearly }),
    ).rejects.toSatisfy((error) => isCreditsError(error, 'PAYMENT_MISMATCH'));
    expect(await ledgerRowCounts(userId)).toMatchObject({ credit_transaction: 0 });
  });
});
