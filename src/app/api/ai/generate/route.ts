import { z } from 'zod';
import { PROMPT_MAX_LENGTH, PROMPT_MIN_LENGTH } from '@/ai/demo-generator';
import { runDemoGeneration } from '@/ai/run-demo';
import { BUY_MORE_HREF } from '@/components/credits/buy-href';
import { inputErrorResponse, json, jsonError, refuseCrossSite, refuseNonJson } from '@/lib/http';
import { getSession } from '@/lib/session';

export const dynamic = 'force-dynamic';
// The work runs inside the request: a charge whose work is cut off by the platform is not refunded (see
// docs/app.md, "When the process dies mid-call"), so give the work room and keep provider timeouts below.
export const maxDuration = 60;

const generateInput = z.strictObject({
  prompt: z.string().trim().min(PROMPT_MIN_LENGTH).max(PROMPT_MAX_LENGTH),
  /** A fresh UUID per submission from the client: the charge's idempotency key. */
  requestId: z.uuid(),
});

/** POST /api/ai/generate: one paid generation of the demo for the signed-in user. */
export async function POST(request: Request): Promise<Response> {
  const crossSite = refuseCrossSite(request);
  if (crossSite) return crossSite;
  const session = await getSession(request.headers);
  if (!session) return jsonError(401, 'UNAUTHENTICATED');
  // JSON only: a cross-site form post (text/plain, urlencoded) cannot reach the charge.
  const notJson = refuseNonJson(request);
  if (notJson) return notJson;

  const parsed = generateInput.safeParse(await request.json().catch(() => undefined));
  if (!parsed.success) {
    const issues = parsed.error.issues.map(({ path, message }) => ({ path: path.join('.'), message }));
    return jsonError(400, 'INVALID_INPUT', { issues });
  }

  let result: Awaited<ReturnType<typeof runDemoGeneration>>;
  try {
    result = await runDemoGeneration({ userId: session.user.id, ...parsed.data });
  } catch (error) {
    return inputErrorResponse(error);
  }
  if (result.ok) {
    const { text, cost, balance, transactionId } = result;
    return json({ text, cost, balance, transactionId });
  }
  switch (result.reason) {
    case 'INSUFFICIENT':
      return jsonError(402, 'INSUFFICIENT', {
        balance: result.balance,
        cost: result.cost,
        buyUrl: BUY_MORE_HREF,
      });
    case 'ALREADY_PROCESSED':
    case 'CONFLICT':
      return jsonError(409, result.reason);
    case 'GENERATION_FAILED':
      return jsonError(502, 'GENERATION_FAILED', { refunded: result.refunded, balance: result.balance });
  }
}
