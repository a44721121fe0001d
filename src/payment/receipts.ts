import 'server-only';
import { getSql } from '@/db';
import { getPaymentsConfig } from './config';
import { chargeReceiptUrl } from './stripe/checkout';

/**
 * Where the buyer can see the provider's receipt for one of their payments: a subscription invoice's
 * hosted page (stored when it was paid), or a one-off charge's receipt (asked of Stripe on demand).
 * WeChat Pay sends its own payment notice in WeChat, so there is no receipt link for its payments.
 */
export async function receiptUrlFor(userId: string, paymentId: number): Promise<string | null> {
  const [row] = await getSql()<{ provider: string; reference: string | null; invoiceUrl: string | null }[]>`
    SELECT provider, provider_reference AS reference, metadata->>'invoiceUrl' AS "invoiceUrl"
    FROM payment WHERE id = ${paymentId} AND user_id = ${userId} AND status <> 'pending'`;
  if (row?.provider !== 'stripe') return null;
  if (row.invoiceUrl?.startsWith('https://') || row.invoiceUrl?.startsWith('http://')) return row.invoiceUrl;
  const stripe = getPaymentsConfig().stripe;
  if (!stripe || !row.reference) return null;
  return chargeReceiptUrl(stripe, row.reference);
}
