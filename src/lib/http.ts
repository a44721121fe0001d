import 'server-only';
import { isCreditsError } from '@/credits/errors';

/** Small helpers for the JSON route handlers: one shape for errors, typed input errors as 400. */

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
