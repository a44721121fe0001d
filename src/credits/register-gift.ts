import 'server-only';
import { siteConfig } from '@site-config';
import { ledgerOptionsInput, parseInput, userIdInput } from './inputs';
import { type AddCreditsResult, addCredits, type LedgerOptions } from './server';
import { daysFrom } from './time';

/** The sign-up gift (50 credits expiring after 30 days by default), at most once per user. */
export async function addRegisterGiftCredits(
  userId: string,
  options: LedgerOptions = {},
): Promise<AddCreditsResult> {
  const id = parseInput(userIdInput, userId);
  const ledger = parseInput(ledgerOptionsInput, options) ?? {};
  const { amount, expiresInDays } = siteConfig.credits.registerGift;
  return addCredits(
    {
      userId: id,
      amount,
      sourceType: 'register_gift',
      expirationDate: daysFrom(ledger.now, expiresInDays),
      description: 'Welcome gift',
      idempotencyKey: `register_gift:${id}`,
    },
    ledger,
  );
}
