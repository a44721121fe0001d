import 'server-only';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { getSql } from '@/db';
import type { CheckoutAdapter, CheckoutOrder } from '../checkout';
import type { WechatConfig } from '../config';
import { insertPayment, lockPayment, updatePayment } from '../store';
import { type MerchantCredentials, WechatApiError, wechatRequest } from './protocol';

/**
 * WeChat Pay Native checkout: the app creates the order, WeChat answers a `code_url` that the pay page
 * shows as a QR code. The pending payment row is written before WeChat hears of the order, so every
 * notification and order query for it finds the order it must match (amount, currency, credits); an
 * order WeChat refused is marked expired, never left pending. Native payments are one-off, so packs
 * and the lifetime plan only, in CNY.
 */

/** How long a QR code can be paid; WeChat refuses payment after `time_expire`. */
export const ORDER_LIFETIME_MS = 2 * 60 * 60 * 1000;
const DESCRIPTION_MAX_BYTES = 127;

const nativeOrderAnswer = z.object({ code_url: z.string().min(1) });

export function wechatCheckout(config: WechatConfig): CheckoutAdapter {
  return {
    method: 'wechat',
    supports: ({ currency, type }) => currency === 'CNY' && type !== 'subscription',
    async createCheckout(order, { appUrl }) {
      const outTradeNo = newOutTradeNo();
      // Whole seconds: time_expire has no finer unit, and the stored expiry must be the one WeChat enforces.
      const expiresAt = new Date(Math.floor((Date.now() + ORDER_LIFETIME_MS) / 1000) * 1000);
      const description = truncateUtf8(order.description, DESCRIPTION_MAX_BYTES);
      const paymentId = await storePendingOrder(order, outTradeNo, expiresAt, description);
      try {
        const answer = await wechatRequest({
          baseUrl: config.apiUrl,
          merchant: merchantOf(config),
          platformKeys: config.platformKeys,
          method: 'POST',
          pathWithQuery: '/v3/pay/transactions/native',
          body: {
            appid: config.appId,
            mchid: config.mchId,
            description,
            out_trade_no: outTradeNo,
            time_expire: chinaTime(expiresAt),
            notify_url: config.notifyUrl ?? `${appUrl}/api/webhooks/wechat`,
            amount: { total: order.amountMinor, currency: 'CNY' },
            attach: String(paymentId),
          },
        });
        const parsed = nativeOrderAnswer.safeParse(answer.body);
        if (!parsed.success)
          throw new WechatApiError(answer.status, 'INVALID_RESPONSE', 'No code_url in the answer');
        await changePendingOrder(outTradeNo, { metadata: { codeUrl: parsed.data.code_url } });
      } catch (error) {
        await changePendingOrder(outTradeNo, { status: 'expired' });
        throw error;
      }
      return { redirectUrl: `/settings/credits/pay/${outTradeNo}` };
    },
  };
}

export function merchantOf(config: WechatConfig): MerchantCredentials {
  return { mchId: config.mchId, serialNo: config.merchantSerialNo, privateKey: config.merchantPrivateKey };
}

/** `sc` + 24 hex characters: within WeChat's 6–32 of [0-9A-Za-z_-|*], and unguessable. */
function newOutTradeNo(): string {
  return `sc${randomBytes(12).toString('hex')}`;
}

/** RFC 3339 in China Standard Time, as WeChat writes and expects times: 2026-11-23T20:00:00+08:00. */
export function chinaTime(date: Date): string {
  return `${new Date(date.getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}

/** The longest prefix of `text` within `maxBytes` of UTF-8, never cutting a character in two. */
export function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    bytes += Buffer.byteLength(char, 'utf8');
    if (bytes > maxBytes) break;
    end += char.length;
  }
  return text.slice(0, end);
}

async function storePendingOrder(
  order: CheckoutOrder,
  outTradeNo: string,
  expiresAt: Date,
  description: string,
): Promise<number> {
  const row = await insertPayment(getSql(), {
    provider: 'wechat',
    providerPaymentId: outTradeNo,
    providerReference: null,
    userId: order.userId,
    type: order.type,
    scene: order.scene,
    amountMinor: order.amountMinor,
    currency: 'CNY',
    status: 'pending',
    credits: order.credits,
    metadata: {
      ...(order.expiresInDays !== undefined && { expiresInDays: order.expiresInDays }),
      expiresAt: expiresAt.toISOString(),
      description,
    },
    paidAt: null,
  });
  // 96 random bits: a clash is a broken random source, not bad luck.
  if (!row) throw new Error(`WeChat order number ${outTradeNo} exists already`);
  return row.id;
}

/**
 * Changes the order while it is still pending, under its row lock: nothing can have paid it before the
 * buyer saw its QR code, but the lock makes sure no late write undoes a payment either way.
 */
async function changePendingOrder(
  outTradeNo: string,
  change: { status?: 'expired'; metadata?: Record<string, unknown> },
): Promise<void> {
  await getSql().begin(async (tx) => {
    const stored = await lockPayment(tx, 'wechat', { providerPaymentId: outTradeNo });
    if (stored?.status !== 'pending') return;
    await updatePayment(tx, stored.id, { status: change.status ?? 'pending', metadata: change.metadata });
  });
}
