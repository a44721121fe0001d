'use server';

import { headers } from 'next/headers';
import { appOrigin } from '@/lib/app-url';
import { getSession } from '@/lib/session';
import { type CheckoutActionResult, startCheckout } from '@/payment/checkout';
import { parseCheckoutForm } from './checkout-form';

/** A buy button: the signed-in user starts a checkout for the pack or plan in the form. */
export async function checkout(formData: FormData): Promise<CheckoutActionResult> {
  const session = await getSession();
  if (!session) return { ok: false, reason: 'UNAUTHENTICATED' };
  const request = parseCheckoutForm(formData);
  if (!request) return { ok: false, reason: 'INVALID_PRODUCT' };
  return startCheckout(
    { userId: session.user.id, email: session.user.email, ...request },
    { appUrl: appOrigin(await headers()) },
  );
}
