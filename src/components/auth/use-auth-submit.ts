import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { safeReturnPath } from '@/lib/return-path';
import { type AuthFailure, describeAuthFailure } from './auth-errors';

export type AuthEndpoint = '/api/auth/sign-up/email' | '/api/auth/sign-in/email';

/**
 * Posts to better-auth's own endpoint with fetch (same origin, so its rate limiter and origin check
 * apply, which a server-side `auth.api.*` call would bypass), then goes to `next` and refreshes the server
 * components, so the header shows the new session. The page hands over a checked `next`; it is checked
 * again here, at the navigation itself, so that no caller can turn the form into an open redirect.
 */
export function useAuthSubmit(endpoint: AuthEndpoint, next: string) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<AuthFailure | null>(null);

  async function submit(body: Record<string, string>): Promise<void> {
    setPending(true);
    setFailure(null);
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.ok) {
        // Stay pending: the page is about to change.
        router.push(safeReturnPath(next));
        router.refresh();
        return;
      }
      setFailure(await describeAuthFailure(response));
    } catch {
      setFailure({ key: 'generic' });
    }
    setPending(false);
  }

  return { pending, failure, setFailure, submit };
}
