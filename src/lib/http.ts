import 'server-only';
import type { z } from 'zod';
import { isCreditsError } from '@/credits/errors';
import { parseEnv } from '@/env';
import { getSession } from './session';

/**
 * Small helpers for the JSON route handlers: one shape for errors, typed input errors as 400, and the
 * two checks every state-changing route the app owns makes first (webhooks excepted: a signature
 * authenticates them, and they come from the provider's servers, not a browser).
 */

/** Every JSON answer is about one signed-in user, so no shared cache may keep it. */
export function jsonError(status: number, error: string, extra: Record<string, unknown> = {}): Response {
  return Response.json({ error, ...extra }, { status, headers: { 'cache-control': 'no-store' } });
}

export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
}

/**
 * Bad input reaching a domain function becomes 400 with its message; a database that could not be
 * reached or did not answer in time becomes 503 (the client may retry with the same request id);
 * anything else is a bug and rethrown.
 */
export function inputErrorResponse(error: unknown): Response {
  if (isCreditsError(error, 'INVALID_INPUT'))
    return jsonError(400, 'INVALID_INPUT', { message: error.message });
  if (isCreditsError(error, 'LEDGER_UNAVAILABLE')) {
    const response = jsonError(503, 'UNAVAILABLE', { retryable: true });
    response.headers.set('retry-after', '1');
    return response;
  }
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

/**
 * Whether `origin` is the app's own: the origin of its public URL (BETTER_AUTH_URL, required in
 * production), or without one (development, tests) the origin the request itself was sent to: its URL,
 * or its Host header (`next dev` builds the URL with `localhost` for a request to 127.0.0.1).
 */
function isOwnOrigin(origin: string, request: Request): boolean {
  const publicUrl = parseEnv(process.env).BETTER_AUTH_URL;
  if (publicUrl) return origin === new URL(publicUrl).origin;
  const url = new URL(request.url);
  const host = request.headers.get('host');
  return origin === url.origin || (host !== null && origin === `${url.protocol}//${host}`);
}

/**
 * 403 for a request another site made: a browser says where a request comes from in Sec-Fetch-Site
 * (only `same-origin` is ours) and, on every POST, in Origin (which must be the app's own; `null`, from
 * sandboxed frames and some redirects, is refused). A request with neither header is not from a
 * browser, so no browser's cookies were sent along without their owner's knowing: it is let through to
 * the route's own session check. SameSite=Lax cookies already keep most cross-site posts signed out;
 * this holds even where they would not (a sibling subdomain, an old browser).
 */
export function refuseCrossSite(request: Request): Response | null {
  const site = request.headers.get('sec-fetch-site');
  const origin = request.headers.get('origin');
  if ((site !== null && site !== 'same-origin') || (origin !== null && !isOwnOrigin(origin, request))) {
    return jsonError(403, 'CROSS_SITE_REQUEST');
  }
  return null;
}

/** Whether a Content-Type header is exactly `application/json`, with or without parameters. */
export function isJsonMediaType(contentType: string | null): boolean {
  const essence = contentType?.split(';')[0]?.trim().toLowerCase();
  return essence === 'application/json';
}

/**
 * 415 for a body that is not JSON. Besides saying what the route reads, it keeps out the posts a page
 * of another site can send without asking first (forms and `text/plain`), and `application/jsonx` or
 * `application/json-patch+json` are not JSON here.
 */
export function refuseNonJson(request: Request): Response | null {
  return isJsonMediaType(request.headers.get('content-type'))
    ? null
    : jsonError(415, 'UNSUPPORTED_MEDIA_TYPE');
}
