import { describe, expect, it } from 'vitest';
import { GET as billingGet } from '@/app/api/billing/payments/route';
import { GET as creditsGet } from '@/app/api/credits/route';
import { encodeCursor } from '@/credits/queries';
import { addCredits, consumeCredits } from '@/credits/server';
import { getSql } from '@/db';
import { createPayment } from '../factories';
import { ORIGIN, type SignedUpUser, signUp, withCookie } from '../http';

/**
 * A user can never read another user's credits or payments: the user is always the session's, no
 * parameter can name another, and cursors built from another user's ids select only the caller's rows.
 */

interface HistoryBody {
  balance: { current: number };
  history: { items: Record<string, unknown>[]; nextCursor: string | null; prevCursor: string | null };
}

/** The ids of a user's log rows, newest first, straight from the database. */
async function transactionIdsOf(userId: string): Promise<number[]> {
  const rows = await getSql()<{ id: string }[]>`
    SELECT id FROM credit_transaction WHERE user_id = ${userId} ORDER BY id DESC`;
  return rows.map((row) => Number(row.id));
}

const idsOf = (body: HistoryBody) => body.history.items.map((row) => row.id);

async function getCredits(user: SignedUpUser | null, query = ''): Promise<Response> {
  const headers = user ? withCookie(user.cookie) : new Headers();
  return creditsGet(new Request(`${ORIGIN}/api/credits${query}`, { headers }));
}

async function getBilling(user: SignedUpUser | null, query = ''): Promise<Response> {
  const headers = user ? withCookie(user.cookie) : new Headers();
  return billingGet(new Request(`${ORIGIN}/api/billing/payments${query}`, { headers }));
}

/** Two users with history and payments of their own; B's rows are interleaved with A's ids. */
async function twoUsers() {
  const alice = await signUp();
  const bob = await signUp();
  for (let i = 0; i < 3; i += 1) {
    await consumeCredits({ userId: alice.userId, amount: 1, sourceType: 'ai_call' });
    await consumeCredits({ userId: bob.userId, amount: 2, sourceType: 'ai_call' });
  }
  await addCredits({ userId: bob.userId, amount: 7, sourceType: 'manual' });
  const alicePayment = await createPayment({ userId: alice.userId });
  const bobPayment = await createPayment({ userId: bob.userId, amountMinor: 2_000, credits: 500 });
  return { alice, bob, alicePayment, bobPayment };
}

async function maxTransactionId(userId: string): Promise<number> {
  const [row] = await getSql()<
    { id: string }[]
  >`SELECT max(id) AS id FROM credit_transaction WHERE user_id = ${userId}`;
  return Number(row?.id);
}

describe('credits API: no access to another user', () => {
  it('answers 401 without a session and 401 for a forged session cookie', async () => {
    expect((await getCredits(null)).status).toBe(401);
    const forged = { cookie: 'better-auth.session_token=forged.value' } as SignedUpUser;
    expect((await getCredits(forged)).status).toBe(401);
  });

  it('serves only the caller’s balance and rows, and refuses a parameter naming another user', async () => {
    const { alice, bob } = await twoUsers();
    const body = (await (await getCredits(alice)).json()) as HistoryBody;
    expect(body.balance.current).toBe(47);
    expect(idsOf(body)).toEqual(await transactionIdsOf(alice.userId));
    expect(idsOf(body)).toHaveLength(4);
    // The server's bookkeeping stays on the server.
    for (const item of body.history.items) {
      expect(Object.keys(item)).not.toEqual(expect.arrayContaining(['idempotencyKey']));
      expect(item).not.toHaveProperty('requestFingerprint');
      expect(item).not.toHaveProperty('userId');
    }

    const named = await getCredits(alice, `?userId=${encodeURIComponent(bob.userId)}`);
    expect(named.status).toBe(400);
  });

  it('never lets a cursor built from another user’s ids reach that user’s rows', async () => {
    const { alice, bob } = await twoUsers();
    const bobNewest = await maxTransactionId(bob.userId);
    const aliceIds = await transactionIdsOf(alice.userId);
    const bobIds = new Set(await transactionIdsOf(bob.userId));
    for (const [cursor, expected] of [
      // Older than Bob's newest row: all of Alice's rows, which are older too, and none of Bob's.
      [encodeCursor({ direction: 'older', id: bobNewest + 1 }), aliceIds],
      [encodeCursor({ direction: 'older', id: bobNewest }), aliceIds],
      // Newer than the very first row: Alice's rows after it, oldest of the page last.
      [encodeCursor({ direction: 'newer', id: 1 }), aliceIds.filter((id) => id > 1)],
    ] as const) {
      const response = await getCredits(alice, `?cursor=${cursor}`);
      expect(response.status).toBe(200);
      const ids = idsOf((await response.json()) as HistoryBody);
      expect(ids.length).toBeGreaterThan(0);
      expect(ids).toEqual(expected);
      expect(ids.filter((id) => bobIds.has(id as number))).toEqual([]);
    }
  });

  it('rejects a malformed cursor with 400 rather than an error page', async () => {
    const { alice } = await twoUsers();
    const response = await getCredits(alice, '?cursor=not-a-cursor');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'INVALID_INPUT' });
  });
});

describe('billing API: no access to another user', () => {
  it('answers 401 without a session', async () => {
    expect((await getBilling(null)).status).toBe(401);
  });

  it('lists only the caller’s payments, whatever `before` says', async () => {
    const { alice, bob, alicePayment, bobPayment } = await twoUsers();
    const mine = (await (await getBilling(alice)).json()) as {
      payments: { items: Record<string, unknown>[] };
    };
    expect(mine.payments.items.map((row) => row.id)).toEqual([alicePayment]);
    expect(mine.payments.items[0]).not.toHaveProperty('providerPaymentId');
    expect(mine.payments.items[0]).not.toHaveProperty('metadata');

    const probe = (await (await getBilling(alice, `?before=${bobPayment + 1}`)).json()) as typeof mine;
    expect(probe.payments.items.map((row) => row.id)).toEqual([alicePayment]);

    const theirs = (await (await getBilling(bob)).json()) as typeof mine;
    expect(theirs.payments.items.map((row) => row.id)).toEqual([bobPayment]);
    expect((await getBilling(alice, `?userId=${bob.userId}`)).status).toBe(400);
  });
});
