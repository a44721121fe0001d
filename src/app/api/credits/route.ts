import { siteConfig } from '@site-config';
import { z } from 'zod';
import { getCreditBalance, getCreditHistory } from '@/credits';
import type { CreditTransaction } from '@/db/schema';
import { inputErrorResponse, json, jsonError } from '@/lib/http';
import { getSession } from '@/lib/session';

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
  type: z.enum(['GRANT', 'CONSUME', 'EXPIRE', 'REFUND']).optional(),
});

/**
 * GET /api/credits: the signed-in user's balance and one page of history (`cursor`, `type`). The user
 * is always the session's: nothing in the request can name another user, and a cursor only ever
 * selects the caller's rows.
 */
export async function GET(request: Request): Promise<Response> {
  const session = await getSession(request.headers);
  if (!session) return jsonError(401, 'UNAUTHENTICATED');
  const params = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!params.success) return jsonError(400, 'INVALID_INPUT', { issues: params.error.issues });
  try {
    const [balance, history] = await Promise.all([
      getCreditBalance(session.user.id),
      getCreditHistory({
        userId: session.user.id,
        limit: siteConfig.credits.limits.historyPageSize,
        ...params.data,
      }),
    ]);
    return json({ balance, history: { ...history, items: history.items.map(toHistoryItem) } });
  } catch (error) {
    return inputErrorResponse(error);
  }
}
