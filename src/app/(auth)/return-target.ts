import 'server-only';
import { redirect } from 'next/navigation';
import { safeReturnPath } from '@/lib/return-path';
import { getSession } from '@/lib/session';

export interface AuthPageProps {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

/**
 * Where to go after signing in or up: the `next` query parameter when it is a same-site path, else the
 * credits page. Someone already signed in is sent there at once instead of seeing the form.
 */
export async function returnTargetOrRedirect({ searchParams }: AuthPageProps): Promise<string> {
  const { next } = await searchParams;
  const target = safeReturnPath(typeof next === 'string' ? next : null);
  if (await getSession()) redirect(target);
  return target;
}
