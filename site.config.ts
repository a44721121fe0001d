import { z } from 'zod';

/**
 * Everything an adopter tunes about credits lives here: what a new account receives, what each credit
 * pack and plan costs and grants, and the operational limits. Prices are integers in the currency's
 * minor unit (cents for USD, fen for CNY). The object is validated once at import, so a typo fails the
 * build and the tests instead of granting the wrong amount in production.
 */

const minorUnitPrices = z.object({
  USD: z.number().int().positive(),
  CNY: z.number().int().positive(),
});

const creditsAmount = z.number().int().positive().max(1_000_000_000);

const siteConfigSchema = z.object({
  name: z.string().min(1),
  description: z.string().min(1),
  credits: z.object({
    registerGift: z.object({
      amount: creditsAmount,
      /** Days until the gift expires; null means it never expires. */
      expiresInDays: z.number().int().positive().nullable(),
      /**
       * The daily backfill grants a missed gift to accounts created within this many days. Older accounts
       * without a gift (imported users, accounts from before the gift existed) are left alone.
       */
      backfillWithinDays: z.number().int().min(1).max(365),
    }),
    packs: z
      .array(
        z.object({
          id: z.string().regex(/^[a-z0-9_]{1,40}$/),
          credits: creditsAmount,
          price: minorUnitPrices,
          /** Days until the purchased credits expire; null means they never expire. */
          expiresInDays: z.number().int().positive().nullable(),
        }),
      )
      .min(1),
    plans: z.object({
      pro_monthly: z.object({
        price: minorUnitPrices,
        creditsPerPeriod: creditsAmount,
        interval: z.literal('month'),
        /** Whether a period's credits expire when the period ends (renewals never touch other credits). */
        creditsExpireAtPeriodEnd: z.boolean(),
      }),
      pro_yearly: z.object({
        price: minorUnitPrices,
        creditsPerPeriod: creditsAmount,
        interval: z.literal('year'),
        creditsExpireAtPeriodEnd: z.boolean(),
      }),
      lifetime: z.object({
        price: minorUnitPrices,
        /** Credits granted once at purchase; a lifetime plan's monthly allowance is a separate figure. */
        credits: creditsAmount,
        monthlyCredits: creditsAmount,
      }),
    }),
    /** The free plan: what every user without a paid plan receives each UTC calendar month (0: nothing). */
    freePlan: z.object({ monthlyCredits: z.number().int().min(0).max(1_000_000_000) }),
    /**
     * Whether monthly credits (the free plan's and the lifetime plan's) expire when their UTC month ends.
     * With false they accumulate for as long as the user keeps them.
     */
    monthlyCreditsExpireAtMonthEnd: z.boolean(),
    /** What each metered feature costs per call, in credits. */
    costs: z.object({
      /** One generation of the example AI feature (/ai). */
      aiDemo: creditsAmount,
    }),
    limits: z.object({
      /** The page size of the credits history (keyset pagination). */
      historyPageSize: z.number().int().min(1).max(100),
      /** The page size of the payments list on the billing page and its API. */
      paymentsPageSize: z.number().int().min(1).max(100),
      /** How many users one expiry batch (one transaction) may lock. */
      expiryBatchSize: z.number().int().min(1).max(5_000),
      /** How long one cron invocation may spend expiring before it stops and reports `more`. */
      expiryTimeBudgetMs: z.number().int().min(100).max(800_000),
      /** Users one monthly-credits query fetches, and how long one cron invocation may keep granting. */
      monthlyCreditsBatchSize: z.number().int().min(1).max(5_000),
      monthlyCreditsTimeBudgetMs: z.number().int().min(100).max(800_000),
      /** How long a WeChat Pay QR order stays payable. */
      wechatOrderMinutes: z
        .number()
        .int()
        .min(5)
        .max(24 * 60),
    }),
  }),
});

export type SiteConfig = z.infer<typeof siteConfigSchema>;
export type PlanId = keyof SiteConfig['credits']['plans'];

export const siteConfig: SiteConfig = siteConfigSchema.parse({
  name: 'saas-credits',
  description:
    'A Next.js SaaS starter whose credits ledger stays correct under concurrency, retries and refunds.',
  credits: {
    registerGift: { amount: 50, expiresInDays: 30, backfillWithinDays: 7 },
    packs: [
      { id: 'starter', credits: 100, price: { USD: 500, CNY: 3_500 }, expiresInDays: 365 },
      { id: 'standard', credits: 500, price: { USD: 2_000, CNY: 14_000 }, expiresInDays: 365 },
      { id: 'pro', credits: 2_000, price: { USD: 6_000, CNY: 42_000 }, expiresInDays: null },
    ],
    plans: {
      pro_monthly: {
        price: { USD: 1_500, CNY: 9_900 },
        creditsPerPeriod: 1_000,
        interval: 'month',
        creditsExpireAtPeriodEnd: true,
      },
      pro_yearly: {
        price: { USD: 15_000, CNY: 99_900 },
        creditsPerPeriod: 12_000,
        interval: 'year',
        creditsExpireAtPeriodEnd: true,
      },
      lifetime: { price: { USD: 29_900, CNY: 199_900 }, credits: 5_000, monthlyCredits: 500 },
    },
    freePlan: { monthlyCredits: 20 },
    monthlyCreditsExpireAtMonthEnd: true,
    costs: { aiDemo: 5 },
    limits: {
      historyPageSize: 20,
      paymentsPageSize: 20,
      expiryBatchSize: 200,
      expiryTimeBudgetMs: 50_000,
      monthlyCreditsBatchSize: 500,
      monthlyCreditsTimeBudgetMs: 50_000,
      wechatOrderMinutes: 120,
    },
  },
});
