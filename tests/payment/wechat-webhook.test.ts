import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { POST } from '@/app/api/webhooks/wechat/route';
import { consumeCredits } from '@/credits/server';
import { getSql } from '@/db';
import { wechatSignatureHeaders } from '@/payment/wechat/protocol';
import { balanceOf, createUser, ledgerRowCounts } from '../factories';
import { type FakeWechat, startFakeWechat } from '../support/fake-wechat';
import { withFakeProvider } from '../support/provider-suite';
import {
  createPendingOrder,
  deliver,
  NOTIFY_URL,
  paymentLedgerRows,
  platformCertificate,
  type StoredOrder,
  storedOrder,
  stubWechatEnv,
} from '../support/wechat-setup';

let fake: FakeWechat;
withFakeProvider(startFakeWechat, stubWechatEnv, (started) => {
  fake = started;
});

/** A user with a pending starter order that the buyer has paid at WeChat. */
async function paidAtWechat(): Promise<{ userId: string; order: StoredOrder }> {
  const userId = await createUser();
  const order = await createPendingOrder(userId);
  fake.markPaid(order.outTradeNo);
  return { userId, order };
}

function paidNotification(outTradeNo: string, options: Parameters<FakeWechat['notification']>[2] = {}) {
  return fake.notification('TRANSACTION.SUCCESS', fake.transactionPayload(outTradeNo), options);
}

async function expectFail(response: Response, status: number | 'client'): Promise<void> {
  if (status === 'client') {
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  } else {
    expect(response.status).toBe(status);
  }
  expect(await response.json()).toEqual({ code: 'FAIL', message: expect.any(String) });
}

/** Runs `deliver` and asserts it wrote nothing: the order still pending, the ledger untouched. */
async function expectNothingWritten(order: StoredOrder, userId: string, deliver: () => Promise<void>) {
  const before = { ledger: await ledgerRowCounts(), mine: await ledgerRowCounts(userId) };
  await deliver();
  expect(await storedOrder(order.outTradeNo)).toMatchObject({ status: 'pending', providerReference: null });
  expect({ ledger: await ledgerRowCounts(), mine: await ledgerRowCounts(userId) }).toEqual(before);
}

describe('TRANSACTION.SUCCESS', () => {
  it('marks the order paid with its transaction id and grants the pack’s credits once, answering 204', async () => {
    const { userId, order } = await paidAtWechat();
    const transactionId = fake.orders.get(order.outTradeNo)?.transactionId;

    const response = await deliver(paidNotification(order.outTradeNo));

    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(await storedOrder(order.outTradeNo)).toMatchObject({
      status: 'paid',
      providerReference: transactionId,
      metadata: { transactionId, codeUrl: expect.any(String) },
    });
    expect(transactionId).toMatch(/^4200\d{24}$/);
    expect(await balanceOf(userId)).toBe(100);
    const grants = await getSql()<{ amount: string; source_type: string }[]>`
      SELECT amount, source_type FROM credit_transaction
      WHERE user_id = ${userId} AND type = 'GRANT' AND payment_id = ${order.paymentId}`;
    expect(grants.map((row) => Number(row.amount))).toEqual([100]);
  });

  it('answers a redelivery 204 and grants nothing more', async () => {
    const { userId, order } = await paidAtWechat();
    const notification = paidNotification(order.outTradeNo);
    expect((await deliver(notification)).status).toBe(204);
    const after = await ledgerRowCounts(userId);

    expect((await deliver(notification)).status).toBe(204);
    expect((await deliver(paidNotification(order.outTradeNo))).status).toBe(204);

    expect(await ledgerRowCounts(userId)).toEqual(after);
    expect(await balanceOf(userId)).toBe(100);
    expect((await paymentLedgerRows(order.paymentId)).grants).toBe(1);
  });

  it('grants once when 20 deliveries race', async () => {
    const { userId, order } = await paidAtWechat();
    // Separately signed deliveries of the same payment, as several WeChat servers send them.
    const notifications = Array.from({ length: 20 }, () => paidNotification(order.outTradeNo));

    const responses = await Promise.all(notifications.map((notification) => deliver(notification)));

    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(204));
    expect(await balanceOf(userId)).toBe(100);
    expect((await paymentLedgerRows(order.paymentId)).grants).toBe(1);
    expect(await storedOrder(order.outTradeNo)).toMatchObject({ status: 'paid' });
  });

  it('verifies a notification signed in certificate mode, by the certificate’s serial', async () => {
    const { userId, order } = await paidAtWechat();
    const certificate = platformCertificate(fake);
    stubWechatEnv(fake, {
      publicKey: false,
      certificates: { [fake.certificatePlatform.serial]: certificate },
    });

    // The public-key-mode key is no longer configured: its signature is refused, nothing written.
    await expectNothingWritten(order, userId, async () => {
      await expectFail(await deliver(paidNotification(order.outTradeNo)), 400);
    });
    const response = await deliver(paidNotification(order.outTradeNo, { signWith: 'certificatePlatform' }));

    expect(response.status).toBe(204);
    expect(await balanceOf(userId)).toBe(100);
  });

  it('answers 204 and grants nothing for a transaction that is not SUCCESS', async () => {
    const { userId, order } = await paidAtWechat();
    const notification = fake.notification(
      'TRANSACTION.SUCCESS',
      fake.transactionPayload(order.outTradeNo, { trade_state: 'NOTPAY', trade_state_desc: '订单未支付' }),
    );
    await expectNothingWritten(order, userId, async () => {
      expect((await deliver(notification)).status).toBe(204);
    });
  });

  it('ignores event types it does not handle, after verifying them', async () => {
    const { userId, order } = await paidAtWechat();
    const abnormal = fake.notification(
      'REFUND.ABNORMAL',
      fake.refundPayload(order.outTradeNo, {
        refundId: '50000000000000000001',
        refund: 3_500,
        status: 'ABNORMAL',
      }),
    );
    await expectNothingWritten(order, userId, async () => {
      expect((await deliver(abnormal)).status).toBe(204);
    });
  });
});

describe('notifications that must be refused, writing nothing', () => {
  function flipCiphertextByte(body: string): string {
    const parsed = JSON.parse(body) as { resource: { ciphertext: string } };
    const bytes = Buffer.from(parsed.resource.ciphertext, 'base64');
    bytes[5] = (bytes[5] ?? 0) ^ 0x01;
    parsed.resource.ciphertext = bytes.toString('base64');
    return JSON.stringify(parsed);
  }

  const refusals: Array<[string, (outTradeNo: string) => { body: string; headers: Record<string, string> }]> =
    [
      [
        'a tampered ciphertext, signed again (the GCM tag fails)',
        (outTradeNo) => {
          const body = flipCiphertextByte(paidNotification(outTradeNo).body);
          return {
            body,
            headers: { 'Content-Type': 'application/json', ...wechatSignatureHeaders(body, fake.platform) },
          };
        },
      ],
      [
        'a body with one changed byte',
        (outTradeNo) => {
          const notification = paidNotification(outTradeNo);
          const body = notification.body.replace(
            '"event_type":"TRANSACTION.SUCCESS"',
            '"event_type":"TRANSACTION.SUCCESZ"',
          );
          expect(body).not.toBe(notification.body);
          return { ...notification, body };
        },
      ],
      [
        'a resource encrypted with another APIv3 key',
        (outTradeNo) =>
          paidNotification(outTradeNo, { apiV3Key: Buffer.from(randomBytes(16).toString('hex'), 'ascii') }),
      ],
      [
        'a signature by another key under the platform serial',
        (outTradeNo) =>
          paidNotification(outTradeNo, {
            signWith: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
          }),
      ],
      [
        'an unknown serial',
        (outTradeNo) => paidNotification(outTradeNo, { serial: 'PUB_KEY_ID_0119999999999999999999' }),
      ],
      [
        'a WECHATPAY/SIGNTEST/ probe',
        (outTradeNo) => {
          const notification = paidNotification(outTradeNo);
          const signature = notification.headers['Wechatpay-Signature'];
          return {
            ...notification,
            headers: { ...notification.headers, 'Wechatpay-Signature': `WECHATPAY/SIGNTEST/${signature}` },
          };
        },
      ],
      [
        'a timestamp 6 minutes old',
        (outTradeNo) =>
          paidNotification(outTradeNo, { timestamp: String(Math.floor(Date.now() / 1000) - 360) }),
      ],
      [
        'a payment of a different amount',
        (outTradeNo) =>
          fake.notification(
            'TRANSACTION.SUCCESS',
            fake.transactionPayload(outTradeNo, {
              amount: { total: 1, payer_total: 1, currency: 'CNY', payer_currency: 'CNY' },
            }),
          ),
      ],
      [
        'a payment in another currency',
        (outTradeNo) =>
          fake.notification(
            'TRANSACTION.SUCCESS',
            fake.transactionPayload(outTradeNo, {
              amount: { total: 3_500, payer_total: 3_500, currency: 'USD', payer_currency: 'USD' },
            }),
          ),
      ],
      [
        'another merchant’s transaction',
        (outTradeNo) =>
          fake.notification(
            'TRANSACTION.SUCCESS',
            fake.transactionPayload(outTradeNo, { mchid: '1900000099' }),
          ),
      ],
      [
        'another app’s transaction',
        (outTradeNo) =>
          fake.notification(
            'TRANSACTION.SUCCESS',
            fake.transactionPayload(outTradeNo, { appid: 'wxanotherapp00001' }),
          ),
      ],
    ];

  it.each(refusals)('refuses %s with 4xx FAIL', async (_, build) => {
    const { userId, order } = await paidAtWechat();
    const notification = build(order.outTradeNo);
    await expectNothingWritten(order, userId, async () => {
      await expectFail(await deliver(notification), 'client');
    });
    // The genuine notification still grants: the refusal did not poison the order.
    expect((await deliver(paidNotification(order.outTradeNo))).status).toBe(204);
    expect(await balanceOf(userId)).toBe(100);
  });

  it('answers 500 FAIL for an order the app never created, so WeChat retries, writing nothing', async () => {
    const { userId, order } = await paidAtWechat();
    const stranger = fake.notification(
      'TRANSACTION.SUCCESS',
      fake.transactionPayload(order.outTradeNo, { out_trade_no: 'sc_never_created_by_us_01' }),
    );
    const paymentsBefore = await getSql()`SELECT id FROM payment`;
    await expectNothingWritten(order, userId, async () => {
      await expectFail(await deliver(stranger), 500);
    });
    expect((await getSql()`SELECT id FROM payment`).length).toBe(paymentsBefore.length);
  });

  it('answers 400 FAIL for a body that is not a notification', async () => {
    const body = JSON.stringify({ hello: 'world' });
    const response = await deliver({ body, headers: wechatSignatureHeaders(body, fake.platform) });
    await expectFail(response, 400);
  });

  it('answers 503 FAIL when WeChat Pay is not configured', async () => {
    vi.unstubAllEnvs();
    const response = await POST(new Request(NOTIFY_URL, { method: 'POST', body: '{}' }));
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ code: 'FAIL', message: 'WeChat Pay is not configured' });
  });
});

describe('REFUND.SUCCESS', () => {
  async function paidOrder(): Promise<{ userId: string; order: StoredOrder }> {
    const paid = await paidAtWechat();
    expect((await deliver(paidNotification(paid.order.outTradeNo))).status).toBe(204);
    return paid;
  }

  function refund(outTradeNo: string, refundId: string, amount: number) {
    return fake.notification('REFUND.SUCCESS', fake.refundPayload(outTradeNo, { refundId, refund: amount }));
  }

  it('takes back every credit of a full refund and marks the payment refunded', async () => {
    const { userId, order } = await paidOrder();
    expect(await balanceOf(userId)).toBe(100);

    expect((await deliver(refund(order.outTradeNo, '50300000000000000000000001', 3_500))).status).toBe(204);

    expect(await balanceOf(userId)).toBe(0);
    expect(await storedOrder(order.outTradeNo)).toMatchObject({ status: 'refunded' });
    const clawbacks = await getSql()<{ amount: string; payment_id: string }[]>`
      SELECT amount, payment_id FROM credit_transaction
      WHERE user_id = ${userId} AND type = 'CONSUME' AND source_type = 'payment_refunded'`;
    expect(clawbacks.map((row) => [Math.abs(Number(row.amount)), Number(row.payment_id)])).toEqual([
      [100, order.paymentId],
    ]);
  });

  it('takes back proportionally for partial refunds, once per refund id', async () => {
    const { userId, order } = await paidOrder();
    const first = refund(order.outTradeNo, '50300000000000000000000011', 1_750);

    expect((await deliver(first)).status).toBe(204);
    expect(await balanceOf(userId)).toBe(50);
    expect(await storedOrder(order.outTradeNo)).toMatchObject({ status: 'partially_refunded' });

    expect((await deliver(first)).status).toBe(204);
    expect((await deliver(refund(order.outTradeNo, '50300000000000000000000011', 1_750))).status).toBe(204);
    expect(await balanceOf(userId)).toBe(50);

    expect((await deliver(refund(order.outTradeNo, '50300000000000000000000012', 1_750))).status).toBe(204);
    expect(await balanceOf(userId)).toBe(0);
    expect((await paymentLedgerRows(order.paymentId)).clawbacks).toEqual([50, 50]);
    expect(await storedOrder(order.outTradeNo)).toMatchObject({ status: 'refunded' });
  });

  it('takes only what is left after the credits were spent, and records the shortfall', async () => {
    const { userId, order } = await paidOrder();
    const spent = await consumeCredits({ userId, amount: 80, sourceType: 'ai_call' });
    expect(spent.ok).toBe(true);

    expect((await deliver(refund(order.outTradeNo, '50300000000000000000000021', 3_500))).status).toBe(204);

    expect(await balanceOf(userId)).toBe(0);
    expect((await paymentLedgerRows(order.paymentId)).clawbacks).toEqual([20]);
    const adjustments = await getSql()<{ credits_requested: number; credits_taken: number; kind: string }[]>`
      SELECT kind, credits_requested, credits_taken FROM payment_adjustment WHERE payment_id = ${order.paymentId}`;
    expect(adjustments).toEqual([{ kind: 'refund', credits_requested: 100, credits_taken: 20 }]);
  });

  it('asks WeChat to retry a refund of an order that is not paid yet, writing nothing', async () => {
    const { userId, order } = await paidAtWechat();
    vi.spyOn(console, 'error').mockImplementation(() => {});
    await expectNothingWritten(order, userId, async () => {
      await expectFail(await deliver(refund(order.outTradeNo, '50300000000000000000000031', 3_500)), 500);
    });
  });
});
