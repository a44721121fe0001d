import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { vi } from 'vitest';
import { POST as wechatWebhook } from '@/app/api/webhooks/wechat/route';
import { getSql } from '@/db';
import { startCheckout } from '@/payment/checkout';
import type { FakeWechat } from './fake-wechat';

/**
 * Shared set-up of the WeChat Pay tests: the app configured (through its real environment variables)
 * with the identities of a local fake WeChat Pay, pending orders created through the real checkout, and
 * notifications delivered to the real webhook route.
 */

export const APP_URL = 'https://app.example.test';
export const NOTIFY_URL = `${APP_URL}/api/webhooks/wechat`;

/**
 * Points the app at `fake`: public-key mode (`PUB_KEY_ID_…`) by default; `certificates` adds a
 * WECHAT_PAY_PLATFORM_CERTIFICATES map of certificate serial -> PEM (and drops the public key when
 * `publicKey` is false). getPaymentsConfig() re-reads whenever these change.
 */
export function stubWechatEnv(
  fake: FakeWechat,
  options: { certificates?: Record<string, string>; publicKey?: boolean; notifyUrl?: string | null } = {},
): void {
  const publicKey = options.publicKey ?? true;
  vi.stubEnv('WECHAT_PAY_MCH_ID', fake.mchId);
  vi.stubEnv('WECHAT_PAY_APP_ID', fake.appId);
  vi.stubEnv('WECHAT_PAY_API_V3_KEY', fake.apiV3Key.toString('utf8'));
  vi.stubEnv('WECHAT_PAY_MERCHANT_SERIAL_NO', fake.merchant.serialNo);
  vi.stubEnv('WECHAT_PAY_MERCHANT_PRIVATE_KEY', fake.merchant.privateKeyPem);
  vi.stubEnv('WECHAT_PAY_PUBLIC_KEY_ID', publicKey ? fake.platform.serial : undefined);
  vi.stubEnv('WECHAT_PAY_PUBLIC_KEY', publicKey ? fake.platform.publicKeyPem : undefined);
  vi.stubEnv(
    'WECHAT_PAY_PLATFORM_CERTIFICATES',
    options.certificates ? JSON.stringify(options.certificates) : undefined,
  );
  vi.stubEnv('WECHAT_PAY_API_URL', fake.baseUrl);
  vi.stubEnv(
    'WECHAT_PAY_NOTIFY_URL',
    options.notifyUrl === null ? undefined : (options.notifyUrl ?? NOTIFY_URL),
  );
}

/** A self-signed X.509 certificate for the fake's certificate-mode platform key, with its serial. */
export function platformCertificate(fake: FakeWechat): string {
  // node:crypto cannot issue certificates, so the openssl CLI makes one.
  const dir = mkdtempSync(path.join(tmpdir(), 'wechat-cert-'));
  try {
    const keyFile = path.join(dir, 'platform.key');
    const certFile = path.join(dir, 'platform.pem');
    writeFileSync(keyFile, fake.certificatePlatform.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-new',
        '-key',
        keyFile,
        '-out',
        certFile,
        '-days',
        '1',
        '-subj',
        '/CN=Tenpay.com Root CA',
        '-set_serial',
        `0x${fake.certificatePlatform.serial}`,
      ],
      { stdio: 'ignore' },
    );
    return readFileSync(certFile, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface StoredOrder {
  outTradeNo: string;
  paymentId: number;
  status: string;
  amountMinor: number;
  currency: string;
  credits: number;
  providerReference: string | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
}

/** The stored WeChat order of that number, as the database holds it. */
export async function storedOrder(outTradeNo: string): Promise<StoredOrder | null> {
  const [row] = await getSql()<
    {
      id: string;
      status: string;
      amount_minor: string;
      currency: string;
      credits: number;
      provider_reference: string | null;
      metadata: Record<string, unknown> | null;
      created_at: string | Date;
    }[]
  >`SELECT id, status, amount_minor, currency, credits, provider_reference, metadata, created_at
    FROM payment WHERE provider = 'wechat' AND provider_payment_id = ${outTradeNo}`;
  if (!row) return null;
  return {
    outTradeNo,
    paymentId: Number(row.id),
    status: row.status,
    amountMinor: Number(row.amount_minor),
    currency: row.currency,
    credits: row.credits,
    providerReference: row.provider_reference,
    metadata: row.metadata ?? {},
    createdAt: new Date(row.created_at),
  };
}

/**
 * A pending WeChat order for the user, made by the real checkout (a starter pack in CNY unless told):
 * the payment row and the fake's order both exist afterwards.
 */
export async function createPendingOrder(
  userId: string,
  product: { kind: 'pack'; id: string } | { kind: 'plan'; id: 'lifetime' } = { kind: 'pack', id: 'starter' },
): Promise<StoredOrder> {
  const result = await startCheckout(
    { userId, product, currency: 'CNY', method: 'wechat' },
    { appUrl: APP_URL },
  );
  if (!result.ok) throw new Error(`WeChat checkout failed: ${result.reason}`);
  const outTradeNo = result.redirectUrl.split('/').at(-1) ?? '';
  const order = await storedOrder(outTradeNo);
  if (!order) throw new Error(`checkout answered ${result.redirectUrl} but stored no order`);
  return order;
}

/** Delivers a notification to the real webhook route, exactly as WeChat would POST it. */
export function deliver(notification: { body: string; headers: Record<string, string> }): Promise<Response> {
  return wechatWebhook(
    new Request(NOTIFY_URL, { method: 'POST', headers: notification.headers, body: notification.body }),
  );
}

/** Counts of the user's GRANT rows for the payment and of its clawback (CONSUME) rows. */
export async function paymentLedgerRows(paymentId: number): Promise<{ grants: number; clawbacks: number[] }> {
  const rows = await getSql()<{ type: string; amount: string; source_type: string }[]>`
    SELECT type, amount, source_type FROM credit_transaction WHERE payment_id = ${paymentId} ORDER BY id`;
  return {
    grants: rows.filter((row) => row.type === 'GRANT').length,
    clawbacks: rows
      .filter((row) => row.type === 'CONSUME' && row.source_type === 'payment_refunded')
      .map((row) => Math.abs(Number(row.amount))),
  };
}
