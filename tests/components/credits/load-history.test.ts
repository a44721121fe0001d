import { siteConfig } from '@site-config';
import { describe, expect, it } from 'vitest';
import { loadHistory } from '@/app/settings/credits/history';
import { encodeCursor } from '@/credits/queries';
import { addCredits, consumeCredits } from '@/credits/server';
import { createUser } from '../../factories';

// The credits page's history loader, against PostgreSQL: what the page shows for whatever cursor the
// URL carries. (A server test beside the components it feeds: it needs the database.)
const PAGE = siteConfig.credits.limits.historyPageSize;

async function userWithRows(count: number): Promise<string> {
  const userId = await createUser();
  for (let index = 0; index < count; index += 1) {
    if (index % 4 === 3) await consumeCredits({ userId, amount: 1, sourceType: 'ai_call' });
    else await addCredits({ userId, amount: 2, sourceType: 'manual' });
  }
  return userId;
}

describe('loadHistory (the credits page)', () => {
  it('reads the first page, newest first, then the next one by its cursor', async () => {
    const userId = await userWithRows(PAGE + 5);
    const first = await loadHistory(userId, {});
    expect(first.page.items).toHaveLength(PAGE);
    expect(first.page.prevCursor).toBeNull();
    const ids = first.page.items.map((row) => row.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));

    const cursor = first.page.nextCursor ?? '';
    const second = await loadHistory(userId, { cursor });
    expect(second.cursor).toBe(cursor);
    expect(second.page.items).toHaveLength(5);
    expect(second.page.items[0]?.id).toBeLessThan(ids[ids.length - 1] ?? 0);
  });

  it.each([
    ['garbage', 'not-a-cursor!!'],
    ['a cursor of the wrong form', Buffer.from('x.12').toString('base64url')],
    ['a cursor past the end', encodeCursor({ direction: 'older', id: 1 })],
  ])('shows the first page for %s', async (_, cursor) => {
    const userId = await userWithRows(3);
    const result = await loadHistory(userId, { cursor });
    expect(result.cursor).toBeUndefined();
    expect(result.page.items).toHaveLength(3);
    expect(result.page.prevCursor).toBeNull();
  });

  it('keeps the type filter when it falls back to the first page', async () => {
    const userId = await userWithRows(8);
    const result = await loadHistory(userId, { type: 'CONSUME', cursor: 'bad' });
    expect(result.page.items.map((row) => row.type)).toEqual(['CONSUME', 'CONSUME']);
  });

  it('never shows another user’s rows, whatever cursor the URL carries', async () => {
    const mine = await userWithRows(3);
    const theirs = await userWithRows(3);
    const theirNewest = (await loadHistory(theirs, {})).page.items[0]?.id ?? 0;
    for (const direction of ['older', 'newer'] as const) {
      for (const id of [theirNewest, theirNewest + 1, 1]) {
        const { page } = await loadHistory(mine, { cursor: encodeCursor({ direction, id }) });
        expect(page.items.every((row) => row.userId === mine)).toBe(true);
      }
    }
  });
});
