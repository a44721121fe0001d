import 'server-only';
import type { z } from 'zod';
import { isCreditsError } from '@/credits/errors';
import { getSession } from './session';

/** Small helpers for the JSON route handlers: one shape for errors, typed input errors as 400. */

/** Every JSON answer is about one signed-in user, so no shared cache may keep it. */
export function jsonError(status: number, error: string, extra: Record<string, unknown> = {}): Response {
  return Response.json({ error, ...extra }, { status, headers: { 'cache-control': 'no-store' } });
}

export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
}

/** Bad input reaching a domain function becomes 400 with its message; anything else is a bug and rethrown. */
export function inputErrorResponse(error: unknown): Response {
  if (isCreditsError(error, 'INVALID_INPUT'))
    return jsonError(400, 'INVALID_INPUT', { message: error.message });
  throw error;
}

/**
 * The first two steps of every signed-in GET route: the session's user (401 without one) and the query
 * string parsed with `schema` (400 with zod's issues). Answers either those or the response to send.
 */
export async function signedInQuery<T extends z.ZodType>(
  request: Request,
  schema: T,
): Promise<{ userId: string; query: z.output<T> } | Response> {
  const session = await getSession(request.headers);
  if (!session) return jsonError(401, 'UNAUTHENTICATED');
  const params = schema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!params.success) return jsonError(400, 'INVALID_INPUT', { issues: params.error.issues });
  return { userId: session.user.id, query: params.data };
}
