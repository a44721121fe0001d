'use server';

import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { appOrigin } from '@/lib/app-url';
import { getSession } from '@/lib/session';
import { getPaymentsConfig } from '@/payment/config';
import { createPortalSession } from '@/payment/stripe/checkout';

export type PortalActionResult = {
  ok: false;
  reason: 'UNAUTHENTICATED' | 'NO_CUSTOMER' | 'PROVIDER_UNAVAILABLE';
};

/** "Manage subscription": opens the Stripe Customer Portal for the signed-in user and sends them there. */
export async function openBillingPortal(): Promise<PortalActionResult> {
  const session = await getSession();
  if (!session) return { ok: false, reason: 'UNAUTHENTICATED' };
  const stripe = getPaymentsConfig().stripe;
  if (!stripe) return { ok: false, reason: 'NO_CUSTOMER' };
  let url: string | null;
  try {
    url = await createPortalSession(
      stripe,
      session.user.id,
      `${appOrigin(await headers())}/settings/billing`,
    );
  } catch (error) {
    console.error('[payments] customer portal failed:', error);
    return { ok: false, reason: 'PROVIDER_UNAVAILABLE' };
  }
  if (!url) return { ok: false, reason: 'NO_CUSTOMER' };
  redirect(url);
}
