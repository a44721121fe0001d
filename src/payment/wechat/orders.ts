import 'server-only';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { getDb } from '@/db';
import { type Payment, payment } from '@/db/schema';
import { getPaymentsConfig, type WechatConfig } from '../config';
import { isPaymentError } from '../errors';
import { handlePaymentEvent } from '../handlers/core';
import { merchantOf } from './checkout';
import { transactionEvent } from './notifications';
import { wechatRequest } from './protocol';

/**
 * A WeChat order as its pay page and polling route see it. Notifications can be late or lost, so while
 * an order is pending and older than a few seconds the page's polls also ask WeChat for the order's
 * state, and settle it through the same dispatch a notification uses: whichever arrives first grants,
 * the other finds the order claimed.
 */

/** What WeChat accepts as out_trade_no, and so what the routes accept as an order number. */
export const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;

/** How old a pending order must be before WeChat is asked about it: a notification usually comes first. */
const QUERY_AFTER_MS = 10_000;
/** At most one query per order this often, however many tabs poll it. */
const QUERY_INTERVAL_MS = 5_000;

export interface WechatOrderView {
  outTradeNo: string;
  status: Payment['status'];
  /** What the QR code encodes; null when WeChat never answered one. */
  codeUrl: string | null;
  amountMinor: number;
  currency: string;
  credits: number;
  scene: string;
  /** When WeChat stops accepting payment (ISO 8601). */
  expiresAt: string | null;
  paymentId: number;
}

const storedMetadata = z.object({
  codeUrl: z.string().optional().catch(undefined),
  expiresAt: z.iso.datetime().optional().catch(undefined),
});

/**
 * The user's own WeChat order, or null when there is none of that number for this user (someone else's
 * order is answered exactly like an unknown one). `options.now` is the clock (tests move it).
 */
export async function getWechatOrder(
  userId: string,
  outTradeNo: string,
  options: { now?: Date } = {},
): Promise<WechatOrderView | null> {
  if (!OUT_TRADE_NO.test(outTradeNo)) return null;
  const stored = await readOrder(userId, outTradeNo);
  if (!stored) return null;
  if (stored.status !== 'pending') return toView(stored);
  const now = options.now ?? new Date();
  const config = getPaymentsConfig().wechat;
  if (
    !config ||
    now.getTime() - stored.createdAt.getTime() < QUERY_AFTER_MS ||
    !claimQuery(outTradeNo, now)
  ) {
    return toView(stored);
  }
  try {
    await settleFromWechat(config, toView(stored), now);
  } catch (error) {
    // Polling must keep answering while WeChat is slow or down: the stored state is still true. An
    // answer that contradicts the order (amount, merchant) is louder: someone must look at it.
    const log = isPaymentError(error) ? console.error : console.warn;
    log(`[payments] querying WeChat order ${outTradeNo} failed:`, error);
    return toView(stored);
  }
  return toView((await readOrder(userId, outTradeNo)) ?? stored);
}

async function readOrder(userId: string, outTradeNo: string): Promise<Payment | null> {
  const [row] = await getDb()
    .select()
    .from(payment)
    .where(
      and(
        eq(payment.provider, 'wechat'),
        eq(payment.providerPaymentId, outTradeNo),
        eq(payment.userId, userId),
      ),
    )
    .limit(1);
  return row ?? null;
}

function toView(row: Payment): WechatOrderView {
  const metadata = storedMetadata.parse(row.metadata ?? {});
  return {
    outTradeNo: row.providerPaymentId,
    status: row.status,
    codeUrl: metadata.codeUrl ?? null,
    amountMinor: row.amountMinor,
    currency: row.currency,
    credits: row.credits,
    scene: row.scene,
    expiresAt: metadata.expiresAt ?? null,
    paymentId: row.id,
  };
}

/**
 * When each order was last queried, in this process only: a throttle, not a guarantee. Several
 * instances may each query once per interval, which WeChat's rate limits easily allow, and a duplicate
 * query is harmless because the dispatch grants exactly once.
 */
const lastQueried = new Map<string, number>();
const MAX_TRACKED_ORDERS = 10_000;

function claimQuery(outTradeNo: string, now: Date): boolean {
  const last = lastQueried.get(outTradeNo);
  if (last !== undefined && Math.abs(now.getTime() - last) < QUERY_INTERVAL_MS) return false;
  if (lastQueried.size >= MAX_TRACKED_ORDERS) {
    for (const [order, at] of lastQueried)
      if (now.getTime() - at >= QUERY_INTERVAL_MS) lastQueried.delete(order);
    if (lastQueried.size >= MAX_TRACKED_ORDERS) lastQueried.clear();
  }
  lastQueried.set(outTradeNo, now.getTime());
  return true;
}

/** Asks WeChat for the order's state and applies it: paid grants (once), closed or past expiry expires. */
async function settleFromWechat(config: WechatConfig, order: WechatOrderView, now: Date): Promise<void> {
  const answer = await wechatRequest({
    baseUrl: config.apiUrl,
    merchant: merchantOf(config),
    platformKeys: config.platformKeys,
    method: 'GET',
    pathWithQuery: `/v3/pay/transactions/out-trade-no/${encodeURIComponent(order.outTradeNo)}?mchid=${encodeURIComponent(config.mchId)}`,
  });
  const event = transactionEvent(answer.body, config);
  if (event.kind === 'payment.succeeded') {
    if (event.providerPaymentId !== order.outTradeNo) {
      throw new Error(`WeChat answered order ${event.providerPaymentId} when asked for ${order.outTradeNo}`);
    }
    await handlePaymentEvent(event, { now });
    return;
  }
  const state = (answer.body as { trade_state?: unknown }).trade_state;
  const pastExpiry = order.expiresAt !== null && now.getTime() > Date.parse(order.expiresAt);
  if (state === 'CLOSED' || (state === 'NOTPAY' && pastExpiry)) {
    await handlePaymentEvent(
      { kind: 'payment.failed', provider: 'wechat', providerPaymentId: order.outTradeNo, status: 'expired' },
      { now },
    );
  }
}
