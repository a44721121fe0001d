import 'server-only';
import { env } from '@/env';

/**
 * The app's public origin, for the URLs handed to payment providers (return pages, notifications).
 * BETTER_AUTH_URL when set (required in production); in development, the origin the request came to.
 */
export function appOrigin(requestHeaders: Headers): string {
  if (env.BETTER_AUTH_URL) return new URL(env.BETTER_AUTH_URL).origin;
  const host = requestHeaders.get('x-forwarded-host') ?? requestHeaders.get('host') ?? 'localhost:3000';
  const protocol =
    requestHeaders.get('x-forwarded-proto') ?? (host.startsWith('localhost') ? 'http' : 'https');
  return `${protocol}://${host}`;
}
