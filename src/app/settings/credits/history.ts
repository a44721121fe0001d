import 'server-only';
import { siteConfig } from '@site-config';
import type { CreditHistoryPage } from '@/credits';
import { getCreditHistory, isCreditsError } from '@/credits';
import type { CreditTransactionType } from '@/db/schema';

/**
 * The requested history page of `userId`, the signed-in user (the query filters by it, so a cursor can
 * only ever select their rows). A malformed cursor, or one past the end, shows the first page instead,
 * and `cursor` says which cursor the page was actually read with.
 */
export async function loadHistory(
  userId: string,
  request: { type?: CreditTransactionType; cursor?: string },
): Promise<{ page: CreditHistoryPage; cursor: string | undefined }> {
  const first = { userId, limit: siteConfig.credits.limits.historyPageSize, type: request.type };
  if (!request.cursor) return { page: await getCreditHistory(first), cursor: undefined };
  try {
    const page = await getCreditHistory({ ...first, cursor: request.cursor });
    if (page.items.length > 0) return { page, cursor: request.cursor };
  } catch (error) {
    if (!isCreditsError(error, 'INVALID_INPUT')) throw error;
  }
  return { page: await getCreditHistory(first), cursor: undefined };
}
