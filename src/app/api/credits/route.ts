import { siteConfig } from '@site-config';
import { z } from 'zod';
import { getCreditBalance, getCreditHistory } from '@/credits';
import { type CreditTransaction, creditTransactionType } from '@/db/schema';
import { inputErrorResponse, json, signedInQuery } from '@/lib/http';

export const dynamic = 'force-dynamic';

/**
 * What a client sees of a log row: never the idempotency key, the request fingerprint or the metadata,
 * which are the server's bookkeeping and would freeze the table's shape into the API.
 */
function toHistoryItem(row: CreditTransaction) {
  const { id, type, amount, balanceAfter, sourceType, description, paymentId, relatedTransactionId } = row;
  return {
    id,
    type,
    amount,
    balanceAfter,
    sourceType,
    description,
    paymentId,
    relatedTransactionId,
    expirationDate: row.expirationDate,
    createdAt: row.createdAt,
  };
}

const query = z.strictObject({
  cursor: z.string().max(100).optional(),
  type: z.enum(creditTransactionType.enumValues).optional(),
});

/**
 * GET /api/credits: the signed-in user's balance and one page of history (`cursor`, `type`). The user
 * is always the session's: nothing in the request can name another user, and a cursor only ever
 * selects the caller's rows.
 */
export async function GET(request: Request): Promise<Response> {
  const input = await signedInQuery(request, query);
  if (input instanceof Response) return input;
  try {
    const [balance, history] = await Promise.all([
      getCreditBalance(input.userId),
      getCreditHistory({
        userId: input.userId,
        limit: siteConfig.credits.limits.historyPageSize,
        ...input.query,
      }),
    ]);
    return json({ balance, history: { ...history, items: history.items.map(toHistoryItem) } });
  } catch (error) {
    return inputErrorResponse(error);
  }
}
