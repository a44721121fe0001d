import { siteConfig } from '@site-config';
import { describe, expect, it } from 'vitest';
import { getSql } from '@/db';
import {
  type CheckoutAdapter,
  type CheckoutOrder,
  paymentsConfigured,
  startCheckout,
} from '@/payment/checkout';
import { createUser, ledgerRowCounts } from '../factories';

async function paymentRows(): Promise<number> {
  const [row] = await getSql()<{ count: string }[]>`SELECT count(*) FROM payment`;
  return Number(row?.count);
}

const APP = { appUrl: 'https://app.example.test' };

/** A provider that takes every currency and records the orders it was given. */
function recordingAdapter(
  orders: CheckoutOrder[],
  method: CheckoutAdapter['method'] = 'stripe',
): CheckoutAdapter {
  return {
    method,
    supports: () => true,
    createCheckout: async (order) => {
      orders.push(order);
      return { redirectUrl: `https://pay.example.test/${method}/${order.scene}` };
    },
  };
}

describe('startCheckout', () => {
  it('has no payment provider configured yet', () => {
    expect(paymentsConfigured()).toBe(false);
  });

  it.each([
    [{ kind: 'pack', id: 'starter' }, 'USD'],
    [{ kind: 'pack', id: 'pro' }, 'CNY'],
    [{ kind: 'plan', id: 'pro_monthly' }, 'USD'],
    [{ kind: 'plan', id: 'pro_yearly' }, 'CNY'],
    [{ kind: 'plan', id: 'lifetime' }, 'USD'],
  ] as const)('answers PAYMENTS_NOT_CONFIGURED for %j in %s, writing nothing', async (product, currency) => {
    const userId = await createUser();
    const before = { payments: await paymentRows(), ledger: await ledgerRowCounts(userId) };
    expect(await startCheckout({ userId, product, currency }, APP)).toEqual({
      ok: false,
      reason: 'PAYMENTS_NOT_CONFIGURED',
    });
    expect({ payments: await paymentRows(), ledger: await ledgerRowCounts(userId) }).toEqual(before);
  });

  it.each([
    ['an unknown pack', { kind: 'pack', id: 'mega' }, 'USD'],
    ['a plan id given as a pack', { kind: 'pack', id: 'lifetime' }, 'USD'],
    ['an unknown plan', { kind: 'plan', id: 'enterprise' }, 'USD'],
    ['a pack id given as a plan', { kind: 'plan', id: 'starter' }, 'CNY'],
    ['an unknown kind', { kind: 'gift', id: 'starter' }, 'USD'],
    ['an unknown currency', { kind: 'pack', id: 'starter' }, 'EUR'],
    ['a lower-case currency', { kind: 'plan', id: 'pro_monthly' }, 'usd'],
  ])(
    'answers INVALID_PRODUCT for %s, even with a provider, writing nothing',
    async (_, product, currency) => {
      const userId = await createUser();
      const orders: CheckoutOrder[] = [];
      const before = await paymentRows();
      const result = await startCheckout(
        { userId, product: product as never, currency: currency as never },
        { ...APP, adapters: [recordingAdapter(orders)] },
      );
      expect(result).toEqual({ ok: false, reason: 'INVALID_PRODUCT' });
      expect(orders).toEqual([]);
      expect(await paymentRows()).toBe(before);
    },
  );

  it('prices the order from site.config, in the chosen currency, when a provider takes it', async () => {
    const userId = await createUser();
    const orders: CheckoutOrder[] = [];
    const adapters = [recordingAdapter(orders)];
    const starter = siteConfig.credits.packs.find((pack) => pack.id === 'starter');

    expect(
      await startCheckout(
        { userId, product: { kind: 'pack', id: 'starter' }, currency: 'CNY' },
        { ...APP, adapters },
      ),
    ).toEqual({ ok: true, redirectUrl: 'https://pay.example.test/stripe/credits_starter' });
    await startCheckout(
      { userId, product: { kind: 'plan', id: 'pro_yearly' }, currency: 'USD' },
      { ...APP, adapters },
    );
    await startCheckout(
      { userId, product: { kind: 'plan', id: 'lifetime' }, currency: 'CNY' },
      { ...APP, adapters },
    );

    const { plans } = siteConfig.credits;
    expect(orders).toEqual([
      {
        userId,
        email: null,
        product: { kind: 'pack', id: 'starter' },
        currency: 'CNY',
        amountMinor: starter?.price.CNY,
        credits: starter?.credits,
        type: 'credit_pack',
        scene: 'credits_starter',
        expiresInDays: starter?.expiresInDays,
        description: `${starter?.credits} credits`,
      },
      {
        userId,
        email: null,
        product: { kind: 'plan', id: 'pro_yearly' },
        currency: 'USD',
        amountMinor: plans.pro_yearly.price.USD,
        credits: plans.pro_yearly.creditsPerPeriod,
        type: 'subscription',
        scene: 'pro_yearly',
        interval: 'year',
        description: 'Pro (yearly)',
      },
      {
        userId,
        email: null,
        product: { kind: 'plan', id: 'lifetime' },
        currency: 'CNY',
        amountMinor: plans.lifetime.price.CNY,
        credits: plans.lifetime.credits,
        type: 'one_time',
        scene: 'lifetime',
        description: 'Lifetime plan',
      },
    ]);
  });

  it('answers PAYMENTS_NOT_CONFIGURED when no provider takes the currency', async () => {
    const userId = await createUser();
    const orders: CheckoutOrder[] = [];
    const usdOnly: CheckoutAdapter = {
      ...recordingAdapter(orders),
      supports: ({ currency }) => currency === 'USD',
    };
    const result = await startCheckout(
      { userId, product: { kind: 'pack', id: 'starter' }, currency: 'CNY' },
      { ...APP, adapters: [usdOnly] },
    );
    expect(result).toEqual({ ok: false, reason: 'PAYMENTS_NOT_CONFIGURED' });
    expect(orders).toEqual([]);
  });

  it('uses the provider the buyer chose, and none other', async () => {
    const userId = await createUser();
    const stripeOrders: CheckoutOrder[] = [];
    const wechatOrders: CheckoutOrder[] = [];
    const adapters = [recordingAdapter(stripeOrders, 'stripe'), recordingAdapter(wechatOrders, 'wechat')];
    const pack = { userId, product: { kind: 'pack', id: 'starter' }, currency: 'CNY' } as const;
    expect(await startCheckout({ ...pack, method: 'wechat' }, { ...APP, adapters })).toEqual({
      ok: true,
      redirectUrl: 'https://pay.example.test/wechat/credits_starter',
    });
    expect(await startCheckout(pack, { ...APP, adapters })).toMatchObject({
      redirectUrl: expect.stringContaining('/stripe/'),
    });
    expect([stripeOrders.length, wechatOrders.length]).toEqual([1, 1]);
    expect(
      await startCheckout({ ...pack, method: 'wechat' }, { ...APP, adapters: adapters.slice(0, 1) }),
    ).toEqual({
      ok: false,
      reason: 'PAYMENTS_NOT_CONFIGURED',
    });
  });

  it('answers PROVIDER_UNAVAILABLE when the provider fails, and passes on the buyer’s email', async () => {
    const userId = await createUser();
    const seen: CheckoutOrder[] = [];
    const failing: CheckoutAdapter = {
      method: 'stripe',
      supports: () => true,
      createCheckout: async (order) => {
        seen.push(order);
        throw new Error('connect ECONNREFUSED');
      },
    };
    const result = await startCheckout(
      { userId, email: 'buyer@example.test', product: { kind: 'pack', id: 'starter' }, currency: 'USD' },
      { ...APP, adapters: [failing] },
    );
    expect(result).toEqual({ ok: false, reason: 'PROVIDER_UNAVAILABLE' });
    expect(seen[0]?.email).toBe('buyer@example.test');
  });
});
