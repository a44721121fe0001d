import 'server-only';
import { siteConfig } from '@site-config';
import { chargeCredits } from '@/credits';
import { GenerationError, generateDemoText } from './demo-generator';

/** What one paid generation of the demo came to; the route maps each outcome to an HTTP status. */
export type RunDemoResult =
  | { ok: true; text: string; cost: number; balance: number; transactionId: number }
  | { ok: false; reason: 'INSUFFICIENT'; cost: number; balance: number }
  | { ok: false; reason: 'ALREADY_PROCESSED' | 'CONFLICT' }
  | { ok: false; reason: 'GENERATION_FAILED'; refunded: number; balance: number };

/**
 * One generation of the example AI feature, paid for with `siteConfig.credits.costs.aiDemo` credits:
 * charged before the generator runs, refunded in full if it fails. `requestId` is the client's id for
 * this submission, so a retried request is charged (and run) at most once.
 */
export async function runDemoGeneration(input: {
  userId: string;
  prompt: string;
  requestId: string;
}): Promise<RunDemoResult> {
  const cost = siteConfig.credits.costs.aiDemo;
  const result = await chargeCredits(
    {
      userId: input.userId,
      amount: cost,
      sourceType: 'ai_call',
      description: 'AI demo generation',
      idempotencyKey: `ai:${input.requestId}`,
      metadata: { feature: 'ai_demo', promptLength: input.prompt.length },
    },
    // A real provider call would go here; the demo generator is local and synchronous.
    async () => generateDemoText(input.prompt),
  );
  if (result.ok) {
    const { value: text, balance, transactionId } = result;
    return { ok: true, text, cost, balance, transactionId };
  }
  switch (result.reason) {
    case 'INSUFFICIENT':
      return { ok: false, reason: 'INSUFFICIENT', cost, balance: result.balance };
    case 'ALREADY_PROCESSED':
    case 'CONFLICT':
      return { ok: false, reason: result.reason };
    case 'FAILED':
      // A requested failure is the demo working as intended; anything else is a bug worth a log line.
      if (!(result.error instanceof GenerationError)) {
        console.error('[ai] demo generation failed unexpectedly; the charge was refunded', result.error);
      }
      return { ok: false, reason: 'GENERATION_FAILED', refunded: result.refunded, balance: result.balance };
  }
}
