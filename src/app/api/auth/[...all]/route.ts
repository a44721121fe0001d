import { parseEnv } from '@/env';
import { getAuth } from '@/lib/auth';
import { clientAddressSetting, withClientAddress } from '@/lib/client-address';
import { refuseCrossSite, refuseNonJson } from '@/lib/http';

// Every better-auth endpoint (sign-up, sign-in, sign-out, session) under /api/auth/*.
export const dynamic = 'force-dynamic';

/** better-auth sees the client's address as the deployment's shape finds it (src/lib/client-address.ts). */
function handle(request: Request): Promise<Response> {
  const { source } = clientAddressSetting(parseEnv(process.env));
  return getAuth().handler(withClientAddress(request, source));
}

export function GET(request: Request): Promise<Response> {
  return handle(request);
}

/** better-auth checks the origin itself when a cookie is sent; this refuses any cross-site post first. */
export async function POST(request: Request): Promise<Response> {
  return refuseCrossSite(request) ?? refuseNonJson(request) ?? handle(request);
}
