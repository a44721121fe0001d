import { describe, expect, it, vi } from 'vitest';
import { GET } from '@/app/api/payments/wechat/[orderNo]/route';
import { getPaymentsConfig } from '@/payment/config';
import { merchantOf } from '@/payment/wechat/checkout';
import { getWechatOrder } from '@/payment/wechat/orders';
import { wechatRequest } from '@/payment/wechat/protocol';
import { balanceOf, createUser, ledgerRowCounts } from '../factories';
import { ORIGIN, signUp, withCookie } from '../http';
import { type FakeWechat, startFakeWechat } from '../support/fake-wechat';
import { withFakeProvider } from '../support/provider-suite';
import {
  createPendingOrder,
  deliver,
  paymentLedgerRows,
  type StoredOrder,
  storedOrder,
  stubWechatEnv,
} from '../support/wechat-setup';

let fake: FakeWechat;
withFakeProvider(startFakeWechat, stubWechatEnv, (started) => {
  fake = started;
});

function poll(orderNo: string, cookie?: string): Promise<Response> {
  return GET(
    new Request(`${ORIGIN}/api/payments/wechat/${encodeURIComponent(orderNo)}`, {
      headers: cookie ? withCookie(cookie) : {},
    }),
    { params: Promise.resolve({ orderNo }) },
  );
}

/** The clock `seconds` after the order was created. */
function secondsAfter(order: StoredOrder, seconds: number): Date {
  return new Date(order.createdAt.getTime() + seconds * 1000);
}

/** The order queries the app sent WeChat for this order. */
function queriesOf(outTradeNo: string) {
  return fake.requests.filter(
    (request) =>
      request.method === 'GET' && request.path.startsWith(`/v3/pay/transactions/out-trade-no/${outTradeNo}?`),
  );
}

describe('GET /api/payments/wechat/[orderNo]', () => {
  it('answers 401 without a session', async () => {
    const order = await createPendingOrder(await createUser());
    const response = await poll(order.outTradeNo);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'UNAUTHENTICATED' });
  });

  it('answers 404 for another user’s order, exactly as for an unknown one', async () => {
    const owner = await signUp();
    const other = await signUp();
    const order = await createPendingOrder(owner.userId);

    const theirs = await poll(order.outTradeNo, other.cookie);
    const unknown = await poll('sc000000000000000000000000', other.cookie);

    expect(theirs.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(await theirs.json()).toEqual(await unknown.json());
    expect((await poll(order.outTradeNo, owner.cookie)).status).toBe(200);
  });

  it('answers 400 for an order number WeChat could not have', async () => {
    const user = await signUp();
    expect((await poll('no', user.cookie)).status).toBe(400);
    expect((await poll('sc<script>alert(1)</script>', user.cookie)).status).toBe(400);
  });

  it('answers the owner’s pending order without asking WeChat while it is fresh', async () => {
    const user = await signUp();
    const order = await createPendingOrder(user.userId);

    const response = await poll(order.outTradeNo, user.cookie);

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({
      outTradeNo: order.outTradeNo,
      status: 'pending',
      codeUrl: fake.orders.get(order.outTradeNo)?.codeUrl,
      amountMinor: 3_500,
      currency: 'CNY',
      credits: 100,
      scene: 'credits_starter',
      expiresAt: order.metadata.expiresAt,
      paymentId: order.paymentId,
    });
    expect(queriesOf(order.outTradeNo)).toEqual([]);
  });
});

describe('the order query fallback (a lost or late notification)', () => {
  it('does not ask WeChat about an order younger than 10 s', async () => {
    const userId = await createUser();
    const order = await createPendingOrder(userId);
    fake.markPaid(order.outTradeNo);

    expect(await getWechatOrder(userId, order.outTradeNo, { now: secondsAfter(order, 9) })).toMatchObject({
      status: 'pending',
    });
    expect(queriesOf(order.outTradeNo)).toEqual([]);
    expect(await balanceOf(userId)).toBe(0);
  });

  it('grants once from WeChat’s answer when no notification came, and a later notification is a duplicate', async () => {
    const userId = await createUser();
    const order = await createPendingOrder(userId);
    fake.markPaid(order.outTradeNo);
    const transactionId = fake.orders.get(order.outTradeNo)?.transactionId;

    const view = await getWechatOrder(userId, order.outTradeNo, { now: secondsAfter(order, 11) });

    expect(view).toMatchObject({ status: 'paid', paymentId: order.paymentId });
    expect(queriesOf(order.outTradeNo)).toHaveLength(1);
    expect(queriesOf(order.outTradeNo)[0]).toMatchObject({
      path: `/v3/pay/transactions/out-trade-no/${order.outTradeNo}?mchid=${fake.mchId}`,
      signatureValid: true,
    });
    expect(await storedOrder(order.outTradeNo)).toMatchObject({
      status: 'paid',
      providerReference: transactionId,
    });
    expect(await balanceOf(userId)).toBe(100);

    const after = await ledgerRowCounts(userId);
    const late = fake.notification('TRANSACTION.SUCCESS', fake.transactionPayload(order.outTradeNo));
    expect((await deliver(late)).status).toBe(204);
    // A paid order is not asked about again.
    await getWechatOrder(userId, order.outTradeNo, { now: secondsAfter(order, 30) });

    expect(await ledgerRowCounts(userId)).toEqual(after);
    expect((await paymentLedgerRows(order.paymentId)).grants).toBe(1);
    expect(queriesOf(order.outTradeNo)).toHaveLength(1);
  });

  it('grants once when polls race the notification', async () => {
    const userId = await createUser();
    const order = await createPendingOrder(userId);
    fake.markPaid(order.outTradeNo);
    const notification = fake.notification('TRANSACTION.SUCCESS', fake.transactionPayload(order.outTradeNo));

    const [views, responses] = await Promise.all([
      Promise.all(
        [11, 17, 23, 29].map((seconds) =>
          getWechatOrder(userId, order.outTradeNo, { now: secondsAfter(order, seconds) }),
        ),
      ),
      Promise.all([deliver(notification), deliver(notification)]),
    ]);

    expect(responses.map((response) => response.status)).toEqual([204, 204]);
    expect(views.every((view) => view?.status === 'pending' || view?.status === 'paid')).toBe(true);
    expect(await balanceOf(userId)).toBe(100);
    expect((await paymentLedgerRows(order.paymentId)).grants).toBe(1);
  });

  it('asks WeChat at most once per 5 s per order', async () => {
    const userId = await createUser();
    const order = await createPendingOrder(userId);

    for (const seconds of [11, 12, 15.9]) {
      expect(
        await getWechatOrder(userId, order.outTradeNo, { now: secondsAfter(order, seconds) }),
      ).toMatchObject({
        status: 'pending',
      });
    }
    expect(queriesOf(order.outTradeNo)).toHaveLength(1);

    await getWechatOrder(userId, order.outTradeNo, { now: secondsAfter(order, 16) });
    expect(queriesOf(order.outTradeNo)).toHaveLength(2);
  });

  it('expires an order WeChat closed', async () => {
    const userId = await createUser();
    const order = await createPendingOrder(userId);
    const config = getPaymentsConfig().wechat;
    if (!config) throw new Error('WeChat Pay is not configured');
    await wechatRequest({
      baseUrl: config.apiUrl,
      merchant: merchantOf(config),
      platformKeys: config.platformKeys,
      method: 'POST',
      pathWithQuery: `/v3/pay/transactions/out-trade-no/${order.outTradeNo}/close`,
      body: { mchid: fake.mchId },
    });
    expect(fake.orders.get(order.outTradeNo)?.tradeState).toBe('CLOSED');

    const view = await getWechatOrder(userId, order.outTradeNo, { now: secondsAfter(order, 11) });

    expect(view).toMatchObject({ status: 'expired' });
    expect(await storedOrder(order.outTradeNo)).toMatchObject({ status: 'expired' });
    expect(await ledgerRowCounts(userId)).toMatchObject({ credit_transaction: 0 });
  });

  it('keeps an unpaid order pending before its expiry and expires it after', async () => {
    const userId = await createUser();
    const order = await createPendingOrder(userId);

    expect(await getWechatOrder(userId, order.outTradeNo, { now: secondsAfter(order, 3_600) })).toMatchObject(
      {
        status: 'pending',
      },
    );
    const afterExpiry = new Date(Date.parse(String(order.metadata.expiresAt)) + 60_000);
    expect(await getWechatOrder(userId, order.outTradeNo, { now: afterExpiry })).toMatchObject({
      status: 'expired',
    });
    expect(queriesOf(order.outTradeNo)).toHaveLength(2);
  });

  it('still grants an expired order whose payment WeChat confirms later', async () => {
    const userId = await createUser();
    const order = await createPendingOrder(userId);
    const afterExpiry = new Date(Date.parse(String(order.metadata.expiresAt)) + 60_000);
    expect(await getWechatOrder(userId, order.outTradeNo, { now: afterExpiry })).toMatchObject({
      status: 'expired',
    });

    // Paid at the last second: WeChat's notification is the truth, and the order is still ours to grant.
    fake.markPaid(order.outTradeNo);
    const notification = fake.notification('TRANSACTION.SUCCESS', fake.transactionPayload(order.outTradeNo));
    expect((await deliver(notification)).status).toBe(204);
    expect(await storedOrder(order.outTradeNo)).toMatchObject({ status: 'paid' });
    expect(await balanceOf(userId)).toBe(100);
  });

  it('answers the stored state when WeChat cannot be reached', async () => {
    const userId = await createUser();
    const order = await createPendingOrder(userId);
    fake.markPaid(order.outTradeNo);
    vi.stubEnv('WECHAT_PAY_API_URL', 'http://127.0.0.1:9');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});

    const view = await getWechatOrder(userId, order.outTradeNo, { now: secondsAfter(order, 11) });

    expect(view).toMatchObject({ status: 'pending', outTradeNo: order.outTradeNo });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(await balanceOf(userId)).toBe(0);
  });

  it('answers null for another user’s order and never asks WeChat about it', async () => {
    const owner = await createUser();
    const order = await createPendingOrder(owner);
    fake.markPaid(order.outTradeNo);

    expect(
      await getWechatOrder(await createUser(), order.outTradeNo, { now: secondsAfter(order, 11) }),
    ).toBeNull();
    expect(queriesOf(order.outTradeNo)).toEqual([]);
    expect(await storedOrder(order.outTradeNo)).toMatchObject({ status: 'pending' });
  });
});
