import { randomUUID } from 'node:crypto';
import { siteConfig } from '@site-config';
import { describe, expect, it } from 'vitest';
import { POST } from '@/app/api/ai/generate/route';
import { getCreditBalance } from '@/credits';
import { consumeCredits } from '@/credits/server';
import { getSql } from '@/db';
import { expectLedgerConsistent, ledgerRowCounts } from '../factories';
import { freshIp, ORIGIN, signUp } from '../http';

const COST = siteConfig.credits.costs.aiDemo;
const GIFT = siteConfig.credits.registerGift.amount;

function generate(body: unknown, cookie?: string): Promise<Response> {
  return POST(
    new Request(`${ORIGIN}/api/ai/generate`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': freshIp(),
        ...(cookie ? { cookie } : {}),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

async function logOf(userId: string) {
  return getSql()<{ type: string; amount: number; source_type: string; idempotency_key: string | null }[]>`
    SELECT type, amount, source_type, idempotency_key FROM credit_transaction
    WHERE user_id = ${userId} AND type <> 'GRANT' ORDER BY id`;
}

describe('POST /api/ai/generate', () => {
  it('answers 401 without a session, and 401 with a forged cookie', async () => {
    const body = { prompt: 'hello', requestId: randomUUID() };
    const anonymous = await generate(body);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: 'UNAUTHENTICATED' });
    const forged = await generate(body, 'better-auth.session_token=forged.value');
    expect(forged.status).toBe(401);
  });

  it.each([
    ['malformed JSON', '{"prompt": '],
    ['no requestId', { prompt: 'hello' }],
    ['a requestId that is not a UUID', { prompt: 'hello', requestId: 'req-1' }],
    ['a blank prompt', { prompt: '   ', requestId: randomUUID() }],
    ['a prompt over 2000 characters', { prompt: 'x'.repeat(2_001), requestId: randomUUID() }],
    ['an unknown field', { prompt: 'hello', requestId: randomUUID(), amount: 0 }],
  ])('answers 400 INVALID_INPUT to %s and charges nothing', async (_name, body) => {
    const user = await signUp();
    const before = await ledgerRowCounts(user.userId);
    const response = await generate(body, user.cookie);
    expect(response.status).toBe(400);
    const answer = await response.json();
    expect(answer.error).toBe('INVALID_INPUT');
    expect(answer.issues.length).toBeGreaterThan(0);
    expect(await ledgerRowCounts(user.userId)).toEqual(before);
  });

  it('answers 415 to a body that is not JSON (a cross-site form post) and charges nothing', async () => {
    const { userId, cookie } = await signUp();
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
      const response = await POST(
        new Request(`${ORIGIN}/api/ai/generate`, {
          method: 'POST',
          headers: { 'content-type': contentType, cookie, 'x-forwarded-for': freshIp() },
          body: JSON.stringify({ prompt: 'hello', requestId: randomUUID() }),
        }),
      );
      expect(response.status).toBe(415);
    }
    expect((await getCreditBalance(userId)).current).toBe(GIFT);
  });

  it('generates text, charges the configured cost once and reports the new balance', async () => {
    const user = await signUp();
    const requestId = randomUUID();

    const response = await generate({ prompt: 'Explain idempotency keys', requestId }, user.cookie);

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = await response.json();
    expect(body).toMatchObject({ cost: COST, balance: GIFT - COST });
    expect(body.text.length).toBeGreaterThan(20);
    expect(Number.isInteger(body.transactionId)).toBe(true);
    expect(await logOf(user.userId)).toEqual([
      { type: 'CONSUME', amount: -COST, source_type: 'ai_call', idempotency_key: `ai:${requestId}` },
    ]);
    expect((await getCreditBalance(user.userId)).current).toBe(GIFT - COST);
    await expectLedgerConsistent();
  });

  it('answers 502 when the generation fails and refunds the charge in full', async () => {
    const user = await signUp();

    const response = await generate({ prompt: 'Please fail', requestId: randomUUID() }, user.cookie);

    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ error: 'GENERATION_FAILED', refunded: COST, balance: GIFT });
    expect(await logOf(user.userId)).toMatchObject([
      { type: 'CONSUME', amount: -COST, source_type: 'ai_call' },
      { type: 'REFUND', amount: COST, source_type: 'failed_call' },
    ]);
    expect((await getCreditBalance(user.userId)).current).toBe(GIFT);
    await expectLedgerConsistent();
  });

  it('answers 402 with a link to buy more once the balance no longer covers a call', async () => {
    const user = await signUp();
    await consumeCredits({ userId: user.userId, amount: GIFT - COST + 1, sourceType: 'manual' });
    const before = await ledgerRowCounts(user.userId);

    const response = await generate({ prompt: 'One more, please', requestId: randomUUID() }, user.cookie);

    expect(response.status).toBe(402);
    expect(await response.json()).toEqual({
      error: 'INSUFFICIENT',
      balance: COST - 1,
      cost: COST,
      buyUrl: '/settings/credits#buy',
    });
    expect(await ledgerRowCounts(user.userId)).toEqual(before);
  });

  it('answers 409 to a repeated requestId, with exactly one charge', async () => {
    const user = await signUp();
    const body = { prompt: 'Explain idempotency keys', requestId: randomUUID() };

    const first = await generate(body, user.cookie);
    const repeats = await Promise.all([generate(body, user.cookie), generate(body, user.cookie)]);

    expect(first.status).toBe(200);
    for (const repeat of repeats) {
      expect(repeat.status).toBe(409);
      expect(await repeat.json()).toEqual({ error: 'ALREADY_PROCESSED' });
    }
    expect((await logOf(user.userId)).filter((row) => row.type === 'CONSUME')).toHaveLength(1);
    expect((await getCreditBalance(user.userId)).current).toBe(GIFT - COST);
  });

  it('answers 409 to a retry of a refunded request rather than generating for free', async () => {
    const user = await signUp();
    const body = { prompt: 'fail', requestId: randomUUID() };
    expect((await generate(body, user.cookie)).status).toBe(502);

    const retry = await generate(body, user.cookie);

    expect(retry.status).toBe(409);
    expect(await logOf(user.userId)).toHaveLength(2);
    expect((await getCreditBalance(user.userId)).current).toBe(GIFT);
  });

  it('answers 409 CONFLICT when the request id was already spent on a different charge', async () => {
    const user = await signUp();
    const requestId = randomUUID();
    await consumeCredits({
      userId: user.userId,
      amount: COST + 1,
      sourceType: 'ai_call',
      idempotencyKey: `ai:${requestId}`,
    });

    const response = await generate({ prompt: 'hello', requestId }, user.cookie);

    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ error: 'CONFLICT' });
    expect(await logOf(user.userId)).toHaveLength(1);
  });
});
