import { BUY_MORE_HREF } from '@/components/credits/buy-href';

/** What the demo shows after a submission, read from the route's answer (or its absence). */
export type Outcome =
  | { kind: 'success'; text: string; cost: number }
  | { kind: 'insufficient'; cost: number; balance: number; buyUrl: string }
  | { kind: 'refunded'; refunded: number }
  | { kind: 'alreadyProcessed' | 'conflict' | 'signedOut' | 'invalid' | 'network' | 'unexpected' | 'empty' };

/** Posts one submission and reads the route's answer into an outcome (and the new balance, if known). */
export async function requestGeneration(
  prompt: string,
  requestId: string,
): Promise<{ outcome: Outcome; balance?: number }> {
  let response: Response;
  try {
    response = await fetch('/api/ai/generate', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt, requestId }),
    });
  } catch {
    return { outcome: { kind: 'network' } };
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  const count = (value: unknown) => (typeof value === 'number' ? value : 0);
  const balance = typeof body.balance === 'number' ? body.balance : undefined;
  switch (response.status) {
    case 200:
      return { outcome: { kind: 'success', text: String(body.text ?? ''), cost: count(body.cost) }, balance };
    case 402: {
      const buyUrl = typeof body.buyUrl === 'string' ? body.buyUrl : BUY_MORE_HREF;
      return {
        outcome: { kind: 'insufficient', cost: count(body.cost), balance: count(body.balance), buyUrl },
        balance,
      };
    }
    case 502:
      return { outcome: { kind: 'refunded', refunded: count(body.refunded) }, balance };
    case 409:
      return { outcome: { kind: body.error === 'CONFLICT' ? 'conflict' : 'alreadyProcessed' } };
    case 401:
      return { outcome: { kind: 'signedOut' } };
    case 400:
      return { outcome: { kind: 'invalid' } };
    default:
      return { outcome: { kind: 'unexpected' } };
  }
}
