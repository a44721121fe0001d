import { isIP } from 'node:net';
import type { Env } from '@/env';

/**
 * The client's address, for the auth rate limits (src/lib/auth.ts), read the one way the deployment's
 * shape makes trustworthy. Only the hop the deployer's own proxy wrote can be trusted: everything to
 * its left in X-Forwarded-For was sent by the client and is whatever the client wants it to be.
 *
 * - Vercel: its edge overwrites X-Forwarded-For with the client's address (one entry).
 * - One proxy, or a chain of N, each appending the address it was connected from (nginx's
 *   $proxy_add_x_forwarded_for, load balancers, Cloudflare): the Nth entry from the right.
 * - A proxy that writes the client's address into a header of its own, replacing what the client sent
 *   (cf-connecting-ip, X-Real-IP): that header (TRUSTED_IP_HEADERS).
 * - Exposed directly (TRUSTED_PROXY_HOPS=0): the connection's own address. `next start` puts it in
 *   X-Forwarded-For only when the client sent none, so scripts/direct-client-address.cjs, loaded by
 *   `npm start`, replaces what the client sent first.
 */
export type ClientAddressSource =
  | { kind: 'header'; headers: readonly string[] }
  | { kind: 'forwarded-for'; hops: number };

/** The header better-auth is told to read; always written (or removed) by the auth route itself. */
export const CLIENT_ADDRESS_HEADER = 'x-saas-credits-client-address';

/** Set on globalThis by scripts/direct-client-address.cjs when it is active. */
export const DIRECT_CLIENT_ADDRESS_MARK = Symbol.for('saas-credits.direct-client-address');

export interface ClientAddressSetting {
  source: ClientAddressSource;
  /** Said at start-up in production: the shape, or why it is a guess. */
  description: string;
  /** Nothing says what is in front of the server: the default is a guess that may be wrong. */
  ambiguous: boolean;
}

/** How this deployment finds the client's address, from the environment. */
export function clientAddressSetting(env: Env): ClientAddressSetting {
  if (env.TRUSTED_IP_HEADERS) {
    const headers = env.TRUSTED_IP_HEADERS;
    return {
      source: { kind: 'header', headers },
      description: `the ${headers.join(' or ')} header a trusted proxy sets`,
      ambiguous: false,
    };
  }
  if (env.TRUSTED_PROXY_HOPS !== undefined) {
    const hops = env.TRUSTED_PROXY_HOPS;
    return {
      source: { kind: 'forwarded-for', hops },
      description:
        hops === 0
          ? 'the connection itself (exposed directly)'
          : `X-Forwarded-For, ${hops} trusted ${hops === 1 ? 'proxy' : 'proxies'} from the right`,
      ambiguous: false,
    };
  }
  if (env.VERCEL === '1') {
    return {
      source: { kind: 'forwarded-for', hops: 1 },
      description: 'X-Forwarded-For as Vercel overwrites it',
      ambiguous: false,
    };
  }
  return {
    source: { kind: 'forwarded-for', hops: 1 },
    description: 'X-Forwarded-For as one proxy appends it (a guess: neither variable is set)',
    ambiguous: true,
  };
}

/**
 * The client's address under `source`, normalised, or null when the request carries none that can be
 * trusted (fewer X-Forwarded-For entries than trusted proxies, or something that is not an address).
 */
export function clientAddress(headers: Headers, source: ClientAddressSource): string | null {
  if (source.kind === 'header') {
    for (const name of source.headers) {
      const value = headers.get(name);
      // A proxy that appends to its header leaves the client's claims on the left: take its own entry.
      if (value !== null) return parseAddress(lastEntry(value));
    }
    return null;
  }
  const entries = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  // Exposed directly, the one entry is the connection's own (scripts/direct-client-address.cjs).
  const index = entries.length - Math.max(source.hops, 1);
  return index >= 0 ? parseAddress(entries[index] ?? '') : null;
}

function lastEntry(value: string): string {
  return value.split(',').at(-1)?.trim() ?? '';
}

/** An IPv4 or IPv6 address, also with a port (`192.0.2.1:4711`, `[2001:db8::1]:4711`), else null. */
function parseAddress(value: string): string | null {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(value);
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(value);
  const address = bracketed?.[1] ?? withPort?.[1] ?? value;
  return isIP(address) === 0 ? null : address.toLowerCase();
}

/** Whether scripts/direct-client-address.cjs runs in this process. */
export function directClientAddressActive(): boolean {
  return (globalThis as Record<symbol, unknown>)[DIRECT_CLIENT_ADDRESS_MARK] === true;
}

/**
 * A copy of the request whose CLIENT_ADDRESS_HEADER is the client's address as this deployment finds
 * it, never a value the client sent under that name.
 */
export function withClientAddress(request: Request, source: ClientAddressSource): Request {
  const headers = new Headers(request.headers);
  headers.delete(CLIENT_ADDRESS_HEADER);
  const address = clientAddress(request.headers, source);
  if (address) headers.set(CLIENT_ADDRESS_HEADER, address);
  return new Request(request, { headers });
}
