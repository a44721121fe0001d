import { siteConfig } from '@site-config';
import { describe, expect, it, vi } from 'vitest';
import { getSql } from '@/db';
import { startCheckout } from '@/payment/checkout';
import { getPaymentsConfig } from '@/payment/config';
import { wechatCheckout } from '@/payment/wechat/checkout';
import { createUser, ledgerRowCounts } from '../factories';
import { type FakeWechat, startFakeWechat } from '../support/fake-wechat';
import { withFakeProvider } from '../support/provider-suite';
import { APP_URL, createPendingOrder, NOTIFY_URL, storedOrder, stubWechatEnv } from '../support/wechat-setup';

let fake: FakeWechat;
withFakeProvider(startFakeWechat, stubWechatEnv, (started) => {
  fake = started;
});

async function wechatPaymentRows(): Promise<number> {
  const [row] = await getSql()<{ count: string }[]>`SELECT count(*) FROM payment WHERE provider = 'wechat'`;
  return Number(row?.count);
}

const starter = siteConfig.credits.packs.find((pack) => pack.id === 'starter');

/** "2026-11-23T20:00:00+08:00" as an instant. */
function fromChinaTime(value: string): number {
  expect(value).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
  return Date.parse(value);
}

describe('WeChat Pay Native checkout', () => {
  it('stores the pending order first, then sends WeChat a signed order for the configured price', async () => {
    const userId = await createUser();
    const before = Date.now();
    const order = await createPendingOrder(userId);
    const sent = fake.requests.at(-1);

    expect(sent).toMatchObject({
      method: 'POST',
      path: '/v3/pay/transactions/native',
      signatureValid: true,
      authorization: { mchid: fake.mchId, serial_no: fake.merchant.serialNo },
    });
    expect(sent?.body).toEqual({
      appid: fake.appId,
      mchid: fake.mchId,
      description: '100 credits',
      out_trade_no: order.outTradeNo,
      time_expire: expect.any(String),
      notify_url: NOTIFY_URL,
      amount: { total: starter?.price.CNY, currency: 'CNY' },
      attach: String(order.paymentId),
    });
    expect(starter?.price.CNY).toBe(3_500);
    expect(order.outTradeNo).toMatch(/^sc[0-9a-f]{24}$/);

    const expiresAt = fromChinaTime(
      String((sent?.body as { time_expire?: string } | undefined)?.time_expire),
    );
    expect(expiresAt - before).toBeGreaterThanOrEqual(2 * 3_600_000 - 1_000);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(2 * 3_600_000);
    expect(order).toMatchObject({
      status: 'pending',
      amountMinor: 3_500,
      currency: 'CNY',
      credits: starter?.credits,
      providerReference: null,
      metadata: {
        codeUrl: fake.orders.get(order.outTradeNo)?.codeUrl,
        expiresInDays: 365,
        description: '100 credits',
      },
    });
    expect(order.metadata.codeUrl).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/);
    expect(Date.parse(String(order.metadata.expiresAt))).toBe(expiresAt);
    // A pending order moves no credits.
    expect(await ledgerRowCounts(userId)).toMatchObject({ credit_transaction: 0, balances: 0 });
  });

  it('answers the app’s own pay page for the order', async () => {
    const userId = await createUser();
    const result = await startCheckout(
      { userId, product: { kind: 'pack', id: 'standard' }, currency: 'CNY', method: 'wechat' },
      { appUrl: APP_URL },
    );
    expect(result).toEqual({
      ok: true,
      redirectUrl: expect.stringMatching(/^\/settings\/credits\/pay\/sc[0-9a-f]{24}$/),
    });
    const outTradeNo = result.ok ? (result.redirectUrl.split('/').at(-1) ?? '') : '';
    expect(await storedOrder(outTradeNo)).toMatchObject({
      amountMinor: 14_000,
      credits: 500,
      status: 'pending',
    });
    expect(fake.orders.get(outTradeNo)?.body.amount).toEqual({ total: 14_000, currency: 'CNY' });
  });

  it('sells the lifetime plan as a one-off order without a pack expiry', async () => {
    const userId = await createUser();
    const order = await createPendingOrder(userId, { kind: 'plan', id: 'lifetime' });
    const [row] = await getSql()<{ type: string; scene: string }[]>`
      SELECT type, scene FROM payment WHERE id = ${order.paymentId}`;
    expect(row).toEqual({ type: 'one_time', scene: 'lifetime' });
    expect(order).toMatchObject({ amountMinor: siteConfig.credits.plans.lifetime.price.CNY, credits: 5_000 });
    expect(order.metadata).not.toHaveProperty('expiresInDays');
    expect(fake.orders.get(order.outTradeNo)?.body.description).toBe('Lifetime plan');
  });

  it('asks to be notified at the app’s own webhook when no notify URL is configured', async () => {
    stubWechatEnv(fake, { notifyUrl: null });
    expect(getPaymentsConfig().wechat?.notifyUrl).toBeNull();
    const order = await createPendingOrder(await createUser());
    expect(fake.orders.get(order.outTradeNo)?.body.notify_url).toBe(`${APP_URL}/api/webhooks/wechat`);
  });

  it('cuts a long description to 127 bytes of UTF-8 without splitting a character', async () => {
    const config = getPaymentsConfig().wechat;
    if (!config) throw new Error('WeChat Pay is not configured');
    const userId = await createUser();
    const { redirectUrl } = await wechatCheckout(config).createCheckout(
      {
        userId,
        email: null,
        product: { kind: 'pack', id: 'starter' },
        currency: 'CNY',
        amountMinor: 3_500,
        credits: 100,
        type: 'credit_pack',
        scene: 'credits_starter',
        expiresInDays: 365,
        description: '积分'.repeat(100),
      },
      { appUrl: APP_URL },
    );
    const sent = fake.orders.get(redirectUrl.split('/').at(-1) ?? '')?.body.description as string;
    expect(Buffer.byteLength(sent, 'utf8')).toBe(126);
    expect(sent).toBe('积分'.repeat(21));
  });

  it.each([
    ['WeChat refuses the order (another app id)', { WECHAT_PAY_APP_ID: 'wxanotherapp00001' }],
    ['WeChat cannot be reached', { WECHAT_PAY_API_URL: 'http://127.0.0.1:9' }],
  ])('marks the order expired and answers PROVIDER_UNAVAILABLE when %s', async (_, env) => {
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const userId = await createUser();
    const rowsBefore = await wechatPaymentRows();

    const result = await startCheckout(
      { userId, product: { kind: 'pack', id: 'starter' }, currency: 'CNY', method: 'wechat' },
      { appUrl: APP_URL },
    );

    expect(result).toEqual({ ok: false, reason: 'PROVIDER_UNAVAILABLE' });
    expect(await wechatPaymentRows()).toBe(rowsBefore + 1);
    const [row] = await getSql()<{ status: string; metadata: Record<string, unknown> }[]>`
      SELECT status, metadata FROM payment WHERE user_id = ${userId}`;
    expect(row?.status).toBe('expired');
    expect(row?.metadata).not.toHaveProperty('codeUrl');
    expect(await ledgerRowCounts(userId)).toMatchObject({ credit_transaction: 0 });
  });

  it.each([
    ['a pack in USD', { kind: 'pack', id: 'starter' }, 'USD'],
    ['the lifetime plan in USD', { kind: 'plan', id: 'lifetime' }, 'USD'],
    ['a monthly subscription in CNY', { kind: 'plan', id: 'pro_monthly' }, 'CNY'],
    ['a yearly subscription in CNY', { kind: 'plan', id: 'pro_yearly' }, 'CNY'],
  ] as const)(
    'does not offer %s: PAYMENTS_NOT_CONFIGURED, nothing sent or stored',
    async (_, product, currency) => {
      const userId = await createUser();
      const requestsBefore = fake.requests.length;
      const rowsBefore = await wechatPaymentRows();

      const result = await startCheckout(
        { userId, product, currency, method: 'wechat' },
        { appUrl: APP_URL },
      );

      expect(result).toEqual({ ok: false, reason: 'PAYMENTS_NOT_CONFIGURED' });
      expect(fake.requests.length).toBe(requestsBefore);
      expect(await wechatPaymentRows()).toBe(rowsBefore);
    },
  );

  it('supports CNY one-off purchases only', () => {
    const config = getPaymentsConfig().wechat;
    if (!config) throw new Error('WeChat Pay is not configured');
    const adapter = wechatCheckout(config);
    expect(adapter.method).toBe('wechat');
    expect(adapter.supports({ currency: 'CNY', type: 'credit_pack' })).toBe(true);
    expect(adapter.supports({ currency: 'CNY', type: 'one_time' })).toBe(true);
    expect(adapter.supports({ currency: 'CNY', type: 'subscription' })).toBe(false);
    expect(adapter.supports({ currency: 'USD', type: 'credit_pack' })).toBe(false);
  });
});
