import { z } from 'zod';
import type { CheckoutOrder } from '../checkout';
import type { PurchaseSnapshot } from '../events';

/**
 * The purchase snapshot the app writes into Stripe metadata at checkout (the session's, the payment
 * intent's and the subscription's), and reads back from webhooks. It is what a paid order grants, even
 * if the pack has since been removed from site.config.ts. Stripe metadata values are strings.
 */

/** Marks objects this app created, so payments of other products on the same Stripe account are left alone. */
export const APP_MARKER = 'saas-credits';

export type StripeMetadata = Record<string, string>;

export function purchaseMetadata(order: CheckoutOrder): StripeMetadata {
  const metadata: StripeMetadata = {
    app: APP_MARKER,
    userId: order.userId,
    type: order.type,
    scene: order.scene,
    credits: String(order.credits),
  };
  if (order.expiresInDays !== undefined)
    metadata.expiresInDays = order.expiresInDays === null ? 'never' : String(order.expiresInDays);
  return metadata;
}

const snapshotSchema = z.object({
  app: z.literal(APP_MARKER),
  userId: z.string().min(1).max(200),
  type: z.enum(['credit_pack', 'subscription', 'one_time']),
  scene: z.string().regex(/^[a-z0-9_]{1,60}$/),
  credits: z
    .string()
    .regex(/^[1-9]\d{0,9}$/)
    .transform(Number)
    .optional()
    .catch(undefined),
  expiresInDays: z
    .string()
    .regex(/^(never|[1-9]\d{0,4})$/)
    .transform((value) => (value === 'never' ? null : Number(value)))
    .optional()
    .catch(undefined),
});

export interface ParsedSnapshot {
  userId: string;
  purchase: PurchaseSnapshot;
}

/** The snapshot in an object's metadata; null when the object was not created by this app's checkout. */
export function readPurchaseMetadata(metadata: StripeMetadata | null | undefined): ParsedSnapshot | null {
  const parsed = snapshotSchema.safeParse(metadata ?? {});
  if (!parsed.success) return null;
  const { userId, type, scene, credits, expiresInDays } = parsed.data;
  return { userId, purchase: { type, scene, credits: credits ?? null, expiresInDays } };
}

/** Whether metadata carries the app's marker (even if the rest is damaged: then it needs attention). */
export function isOurs(metadata: StripeMetadata | null | undefined): boolean {
  return metadata?.app === APP_MARKER;
}
