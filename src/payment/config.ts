import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { siteConfig } from '@site-config';
import { z } from 'zod';
import { type Currency, currencies } from '@/i18n/currency';

/**
 * Which payment providers this deployment can use, read from the environment and validated with zod.
 * A provider with none of its variables set is simply off (the app says payments are not configured);
 * one with some but not all of them is a mistake and fails loudly, listing what is missing. Every
 * variable is documented in `.env.example` and docs/payments.md.
 */

export interface StripeConfig {
  secretKey: string;
  webhookSecret: string;
  /** A different API server (a local fake in tests); the real API when absent. */
  apiUrl: URL | null;
  /** Stripe Price ids by `<product>:<currency>`; a product without one is sold with inline price data. */
  priceIds: ReadonlyMap<string, string>;
}

export interface WechatConfig {
  mchId: string;
  appId: string;
  /** The 32-byte APIv3 key that encrypts notification resources. */
  apiV3Key: Buffer;
  merchantSerialNo: string;
  merchantPrivateKey: KeyObject;
  /** Platform public keys by serial: `PUB_KEY_ID_…` (public-key mode) and certificate serials. */
  platformKeys: ReadonlyMap<string, KeyObject>;
  apiUrl: string;
  /** Where WeChat sends notifications; null means `<BETTER_AUTH_URL>/api/webhooks/wechat`. */
  notifyUrl: string | null;
}

export interface PaymentsConfig {
  stripe: StripeConfig | null;
  wechat: WechatConfig | null;
}

/** The products Stripe can have a Price id for: every pack and plan of site.config.ts. */
export function stripeProductKeys(): string[] {
  return [
    ...siteConfig.credits.packs.map((pack) => `credits_${pack.id}`),
    'pro_monthly',
    'pro_yearly',
    'lifetime',
  ];
}

/** `STRIPE_PRICE_CREDITS_STARTER_USD`, `STRIPE_PRICE_PRO_MONTHLY_CNY`, … */
export function stripePriceVariable(productKey: string, currency: Currency): string {
  return `STRIPE_PRICE_${productKey.toUpperCase()}_${currency}`;
}

const pem = (label: string) =>
  z
    .string()
    .transform((value) => value.replace(/\\n/g, '\n').trim())
    .refine((value) => value.includes(`-----BEGIN ${label}`), `must be a PEM (-----BEGIN ${label}…)`);

const stripeEnv = z.object({
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_\w+$/, 'must be a Stripe secret key (sk_test_… or sk_live_…)'),
  STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_\w+$/, 'must be a webhook signing secret (whsec_…)'),
  STRIPE_API_URL: z.url().optional(),
});

const wechatEnv = z
  .object({
    WECHAT_PAY_MCH_ID: z.string().regex(/^\d{6,20}$/, 'must be the merchant id (digits)'),
    WECHAT_PAY_APP_ID: z.string().regex(/^wx\w{8,30}$/, 'must be an app id (wx…)'),
    WECHAT_PAY_API_V3_KEY: z.string().length(32, 'must be the 32-character APIv3 key'),
    WECHAT_PAY_MERCHANT_SERIAL_NO: z
      .string()
      .regex(/^[0-9A-Fa-f]{8,64}$/, 'must be the merchant certificate serial'),
    WECHAT_PAY_MERCHANT_PRIVATE_KEY: pem('PRIVATE KEY'),
    WECHAT_PAY_PUBLIC_KEY_ID: z
      .string()
      .regex(/^PUB_KEY_ID_\w+$/, 'must start with PUB_KEY_ID_')
      .optional(),
    WECHAT_PAY_PUBLIC_KEY: pem('PUBLIC KEY').optional(),
    /** Certificate mode: a JSON object of certificate serial -> certificate (or public key) PEM. */
    WECHAT_PAY_PLATFORM_CERTIFICATES: z
      .string()
      .transform((value, ctx) => {
        try {
          return z.record(z.string().regex(/^[0-9A-Fa-f]{8,64}$/), z.string()).parse(JSON.parse(value));
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON object of serial -> PEM' });
          return z.NEVER;
        }
      })
      .optional(),
    WECHAT_PAY_API_URL: z.url().default('https://api.mch.weixin.qq.com'),
    WECHAT_PAY_NOTIFY_URL: z.url().optional(),
  })
  .refine((env) => Boolean(env.WECHAT_PAY_PUBLIC_KEY_ID) === Boolean(env.WECHAT_PAY_PUBLIC_KEY), {
    message: 'WECHAT_PAY_PUBLIC_KEY_ID and WECHAT_PAY_PUBLIC_KEY go together',
    path: ['WECHAT_PAY_PUBLIC_KEY'],
  })
  .refine((env) => env.WECHAT_PAY_PUBLIC_KEY || env.WECHAT_PAY_PLATFORM_CERTIFICATES, {
    message: 'set WECHAT_PAY_PUBLIC_KEY_ID + WECHAT_PAY_PUBLIC_KEY, or WECHAT_PAY_PLATFORM_CERTIFICATES',
    path: ['WECHAT_PAY_PUBLIC_KEY'],
  });

type Source = Record<string, string | undefined>;

/** Reads and validates both providers' settings. Throws one error listing every problem. */
export function readPaymentsConfig(source: Source = process.env): PaymentsConfig {
  const present = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ''),
  );
  const problems: string[] = [];
  const stripe = parseGroup(present, 'STRIPE_', stripeEnv, problems);
  const wechat = parseGroup(present, 'WECHAT_PAY_', wechatEnv, problems);
  const priceIds = readPriceIds(present, problems);
  const wechatConfig = wechat && toWechatConfig(wechat, problems);
  if (problems.length > 0) throw new Error(`Invalid payment settings:\n${problems.join('\n')}`);
  return {
    stripe: stripe && {
      secretKey: stripe.STRIPE_SECRET_KEY,
      webhookSecret: stripe.STRIPE_WEBHOOK_SECRET,
      apiUrl: stripe.STRIPE_API_URL ? new URL(stripe.STRIPE_API_URL) : null,
      priceIds,
    },
    wechat: wechatConfig,
  };
}

let cached: { key: string; config: PaymentsConfig } | undefined;

/** The process's payment settings, parsed once per distinct environment (tests change it between cases). */
export function getPaymentsConfig(): PaymentsConfig {
  const key = JSON.stringify(
    Object.entries(process.env).filter(
      ([name]) => name.startsWith('STRIPE_') || name.startsWith('WECHAT_PAY_'),
    ),
  );
  if (cached?.key !== key) cached = { key, config: readPaymentsConfig(process.env) };
  return cached.config;
}

function parseGroup<T extends z.ZodType>(
  present: Source,
  prefix: string,
  schema: T,
  problems: string[],
): z.output<T> | null {
  const names = Object.keys(present).filter(
    (name) => name.startsWith(prefix) && !name.startsWith('STRIPE_PRICE_'),
  );
  if (names.length === 0) return null;
  const parsed = schema.safeParse(present);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) problems.push(`  ${issue.path.join('.')}: ${issue.message}`);
  return null;
}

function readPriceIds(present: Source, problems: string[]): Map<string, string> {
  const priceIds = new Map<string, string>();
  const known = new Set<string>();
  for (const product of stripeProductKeys()) {
    for (const currency of currencies) {
      const name = stripePriceVariable(product, currency);
      known.add(name);
      const value = present[name];
      if (value === undefined) continue;
      if (/^price_\w+$/.test(value)) priceIds.set(`${product}:${currency}`, value);
      else problems.push(`  ${name}: must be a Stripe Price id (price_…)`);
    }
  }
  for (const name of Object.keys(present)) {
    if (name.startsWith('STRIPE_PRICE_') && !known.has(name)) {
      problems.push(
        `  ${name}: no pack or plan of site.config.ts is called that (expected one of ${[...known].join(', ')})`,
      );
    }
  }
  return priceIds;
}

function toWechatConfig(env: z.output<typeof wechatEnv>, problems: string[]): WechatConfig | null {
  const platformKeys = new Map<string, KeyObject>();
  const publicKey = env.WECHAT_PAY_PUBLIC_KEY;
  if (env.WECHAT_PAY_PUBLIC_KEY_ID && publicKey) {
    const key = readKey('WECHAT_PAY_PUBLIC_KEY', problems, () => createPublicKey(publicKey));
    if (key) platformKeys.set(env.WECHAT_PAY_PUBLIC_KEY_ID, key);
  }
  for (const [serial, text] of Object.entries(env.WECHAT_PAY_PLATFORM_CERTIFICATES ?? {})) {
    const value = text.replace(/\\n/g, '\n');
    const key = readKey(`WECHAT_PAY_PLATFORM_CERTIFICATES.${serial}`, problems, () =>
      value.includes('CERTIFICATE') ? new X509Certificate(value).publicKey : createPublicKey(value),
    );
    // Wechatpay-Serial carries certificate serials in upper-case hex.
    if (key) platformKeys.set(serial.toUpperCase(), key);
  }
  const privateKey = readKey('WECHAT_PAY_MERCHANT_PRIVATE_KEY', problems, () =>
    createPrivateKey(env.WECHAT_PAY_MERCHANT_PRIVATE_KEY),
  );
  if (!privateKey) return null;
  return {
    mchId: env.WECHAT_PAY_MCH_ID,
    appId: env.WECHAT_PAY_APP_ID,
    apiV3Key: Buffer.from(env.WECHAT_PAY_API_V3_KEY, 'utf8'),
    merchantSerialNo: env.WECHAT_PAY_MERCHANT_SERIAL_NO,
    merchantPrivateKey: privateKey,
    platformKeys,
    apiUrl: env.WECHAT_PAY_API_URL.replace(/\/$/, ''),
    notifyUrl: env.WECHAT_PAY_NOTIFY_URL ?? null,
  };
}

function readKey(name: string, problems: string[], read: () => KeyObject): KeyObject | null {
  try {
    return read();
  } catch (error) {
    problems.push(
      `  ${name}: not a readable key (${error instanceof Error ? error.message : String(error)})`,
    );
    return null;
  }
}
