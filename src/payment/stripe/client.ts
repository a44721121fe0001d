import 'server-only';
import Stripe from 'stripe';
import type { StripeConfig } from '../config';

/**
 * One Stripe SDK client per key and API server. The API version is pinned to the one the SDK was
 * built for, so the webhook payloads the adapter parses have the shapes it expects: configure the
 * webhook endpoint in the Stripe dashboard with the same version (docs/payments.md).
 */

export const STRIPE_API_VERSION = Stripe.API_VERSION;

const clients = new Map<string, Stripe>();

export function stripeClient(config: StripeConfig): Stripe {
  const key = `${config.secretKey}|${config.apiUrl?.href ?? ''}`;
  let client = clients.get(key);
  if (!client) {
    const api = config.apiUrl;
    client = new Stripe(config.secretKey, {
      apiVersion: STRIPE_API_VERSION,
      maxNetworkRetries: 2,
      timeout: 20_000,
      telemetry: false,
      appInfo: { name: 'saas-credits' },
      ...(api && {
        host: api.hostname,
        port: Number(api.port || (api.protocol === 'https:' ? 443 : 80)),
        protocol: api.protocol === 'https:' ? 'https' : 'http',
      }),
    });
    clients.set(key, client);
  }
  return client;
}
