import 'server-only';
import { z } from 'zod';
import type { WechatConfig } from '../config';
import { PaymentError } from '../errors';
import type { PaymentEvent } from '../events';
import { decryptResource, verifyWechatSignature, WechatDecryptError } from './protocol';

/**
 * WeChat Pay's notifications, turned into the dispatch's provider-neutral events. Nothing here touches
 * the database: a notification is verified (signature, timestamp, platform key by serial), decrypted
 * (AES-GCM with its tag checked) and parsed with zod, then normalised. Whether the money matches the
 * stored order is decided by the dispatch against the row the checkout stored, never by this module.
 */

const envelope = z.object({
  id: z.string().min(1),
  create_time: z.string(),
  event_type: z.string().min(1),
  resource_type: z.string(),
  resource: z.object({
    algorithm: z.literal('AEAD_AES_256_GCM'),
    ciphertext: z.string().min(1),
    nonce: z.string(),
    associated_data: z.string(),
    original_type: z.string(),
  }),
});

/** What every transaction object says, whatever its state (an unpaid order may carry no transaction id). */
const transactionHead = z.object({
  appid: z.string(),
  mchid: z.string(),
  out_trade_no: z.string().min(1),
  trade_state: z.string().min(1),
});

/** A paid transaction: the money facts the dispatch compares with the stored order. */
const paidTransaction = transactionHead.extend({
  transaction_id: z.string().min(1),
  amount: z.object({
    total: z.number().int().nonnegative(),
    currency: z.string().regex(/^[A-Z]{3}$/),
  }),
});

const refund = z.object({
  mchid: z.string(),
  out_trade_no: z.string().min(1),
  refund_id: z.string().min(1),
  refund_status: z.string(),
  amount: z.object({ total: z.number().int().nonnegative(), refund: z.number().int().positive() }),
});

function invalid(reason: string): PaymentError {
  return new PaymentError('INVALID_NOTIFICATION', reason);
}

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(`${what} is malformed: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/**
 * Verifies one notification (the raw body exactly as received) and answers the event it means. Throws
 * PaymentError INVALID_NOTIFICATION for anything that does not check out (nothing may be written then),
 * ORDER_MISMATCH when it is about another merchant or app.
 */
export function readWechatNotification(
  headers: Headers,
  rawBody: string,
  config: WechatConfig,
  now: Date = new Date(),
): PaymentEvent {
  const verdict = verifyWechatSignature(headers, rawBody, config.platformKeys, now);
  if (!verdict.ok) throw invalid(`signature rejected: ${verdict.reason}`);
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw invalid('the body is not JSON');
  }
  const notification = parse(envelope, body, 'the notification');
  switch (notification.event_type) {
    case 'TRANSACTION.SUCCESS':
      return transactionEvent(decrypt(notification.resource, config), config);
    case 'REFUND.SUCCESS':
      return refundEvent(decrypt(notification.resource, config), config);
    case 'REFUND.ABNORMAL':
      // Not final: WeChat retries the refund or the merchant resolves it; a later REFUND.SUCCESS follows.
      return { kind: 'ignored', reason: 'REFUND.ABNORMAL is not final' };
    case 'REFUND.CLOSED':
      return { kind: 'ignored', reason: 'REFUND.CLOSED: no money went back' };
    default:
      return { kind: 'ignored', reason: `event ${notification.event_type} is not handled` };
  }
}

function decrypt(resource: z.output<typeof envelope>['resource'], config: WechatConfig): unknown {
  try {
    return JSON.parse(decryptResource(resource, config.apiV3Key));
  } catch (error) {
    if (error instanceof WechatDecryptError) throw invalid(error.message);
    throw invalid('the decrypted resource is not JSON');
  }
}

function expectMerchant(mchid: string, config: WechatConfig, what: string): void {
  if (mchid !== config.mchId) {
    throw new PaymentError('ORDER_MISMATCH', `${what} is for merchant ${mchid}, not ${config.mchId}`);
  }
}

/**
 * A transaction object (from a notification or the order query) as an event: a payment of the stored
 * order when its state is SUCCESS, otherwise nothing to do. Another merchant's or app's transaction is
 * an ORDER_MISMATCH: it must never pay one of our orders.
 */
export function transactionEvent(transaction: unknown, config: WechatConfig): PaymentEvent {
  const head = parse(transactionHead, transaction, 'the transaction');
  expectMerchant(head.mchid, config, `transaction ${head.out_trade_no}`);
  if (head.appid !== config.appId) {
    throw new PaymentError(
      'ORDER_MISMATCH',
      `transaction ${head.out_trade_no} is for app ${head.appid}, not ${config.appId}`,
    );
  }
  if (head.trade_state !== 'SUCCESS') {
    return { kind: 'ignored', reason: `transaction ${head.out_trade_no} is ${head.trade_state}` };
  }
  const paid = parse(paidTransaction, transaction, 'the paid transaction');
  return {
    kind: 'payment.succeeded',
    provider: 'wechat',
    providerPaymentId: paid.out_trade_no,
    providerReference: paid.transaction_id,
    order: { kind: 'stored' },
    amountMinor: paid.amount.total,
    currency: paid.amount.currency,
    details: { transactionId: paid.transaction_id },
  };
}

/** A refund notification: this refund's own amount (not a running total), keyed by WeChat's refund id. */
function refundEvent(resource: unknown, config: WechatConfig): PaymentEvent {
  const refunded = parse(refund, resource, 'the refund');
  expectMerchant(refunded.mchid, config, `refund ${refunded.refund_id}`);
  if (refunded.refund_status !== 'SUCCESS') {
    return { kind: 'ignored', reason: `refund ${refunded.refund_id} is ${refunded.refund_status}` };
  }
  return {
    kind: 'refund.succeeded',
    provider: 'wechat',
    payment: { providerPaymentId: refunded.out_trade_no },
    refundId: refunded.refund_id,
    refundMinor: refunded.amount.refund,
    // WeChat Pay (Native) settles in CNY only; refund notifications carry no currency of their own.
    currency: 'CNY',
    owner: 'merchant',
  };
}
