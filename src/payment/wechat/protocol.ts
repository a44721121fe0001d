/**
 * The WeChat Pay API v3 wire protocol, with node:crypto only (the popular npm library skips the GCM tag check).
 *
 * Protocol facts this module relies on (WeChat Pay API v3 rules):
 * - Requests are signed with the merchant's RSA key, SHA256withRSA (PKCS#1 v1.5), over
 *   `METHOD\nPATH_WITH_QUERY\nTIMESTAMP\nNONCE\nBODY\n`, and sent as `Authorization: WECHATPAY2-SHA256-RSA2048
 *   mchid="..",nonce_str="..",signature="..",timestamp="..",serial_no=".."` (serial of the merchant API certificate).
 * - WeChat signs notifications and API responses with a platform key over `TIMESTAMP\nNONCE\nRAW_BODY\n`, in the
 *   headers Wechatpay-Timestamp/-Nonce/-Signature/-Serial. The serial names the key: `PUB_KEY_ID_...` in public-key
 *   mode, a certificate serial in the older platform-certificate mode. Signatures starting `WECHATPAY/SIGNTEST/`
 *   are deliberate probes and must fail; timestamps more than 5 minutes off are rejected.
 * - Notification resources are AEAD_AES_256_GCM under the 32-byte APIv3 key: `nonce` is the IV, `associated_data`
 *   the AAD, and the base64 ciphertext ends with the 16-byte tag, which must be verified.
 * - A request whose signature WeChat rejects answers 401 SIGN_ERROR unsigned, so error answers cannot be verified.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  randomBytes,
  sign,
  verify,
  X509Certificate,
} from 'node:crypto';

/** Merchant identity: mchid, the merchant API certificate serial and its RSA private key. */
export interface MerchantCredentials {
  mchId: string;
  serialNo: string;
  privateKey: KeyObject;
}
/** Platform public keys by serial: `PUB_KEY_ID_...` (public-key mode) and certificate serials can share one map. */
export type PlatformKeys = ReadonlyMap<string, KeyObject>;
export type WechatSignatureFailure =
  | 'MISSING_HEADERS'
  | 'PROBE_SIGNATURE'
  | 'STALE_TIMESTAMP'
  | 'UNKNOWN_SERIAL'
  | 'BAD_SIGNATURE';
/** An encrypted notification resource, as it appears in the notification body. */
export interface EncryptedResource {
  algorithm: 'AEAD_AES_256_GCM';
  ciphertext: string;
  nonce: string;
  associated_data: string;
  original_type: string;
}
/** Thrown when a resource cannot be decrypted and authenticated (bad tag, key, nonce, AAD or shape). */
export class WechatDecryptError extends Error {}
/** A failed API call: WeChat's status and error code, or RESPONSE_SIGNATURE / INVALID_RESPONSE for untrusted answers. */
export class WechatApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const SCHEME = 'WECHATPAY2-SHA256-RSA2048';
const MAX_CLOCK_SKEW_SECONDS = 300;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The message WeChat signs for requests: `${method}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${body}\n`. */
export function requestMessage(
  method: string,
  pathWithQuery: string,
  timestamp: string,
  nonce: string,
  body: string,
): string {
  return `${method}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** SHA256withRSA (PKCS#1 v1.5) base64 signature. */
export function signMessage(message: string, key: KeyObject): string {
  return sign('RSA-SHA256', Buffer.from(message, 'utf8'), key).toString('base64');
}

/** 32 hexadecimal (so alphanumeric) characters from 16 random bytes. */
function newNonce(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

function nowSeconds(): string {
  return String(Math.floor(Date.now() / 1000));
}

/** Authorization header: `WECHATPAY2-SHA256-RSA2048 mchid="..",nonce_str="..",signature="..",timestamp="..",serial_no=".."`. */
export function authorizationHeader(
  merchant: MerchantCredentials,
  method: string,
  pathWithQuery: string,
  body: string,
  options: { timestamp?: string; nonce?: string } = {},
): string {
  const timestamp = options.timestamp ?? nowSeconds();
  const nonce = options.nonce ?? newNonce();
  const signature = signMessage(
    requestMessage(method, pathWithQuery, timestamp, nonce, body),
    merchant.privateKey,
  );
  return `${SCHEME} mchid="${merchant.mchId}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${merchant.serialNo}"`;
}

type AuthorizationFields = {
  mchid: string;
  nonce_str: string;
  signature: string;
  timestamp: string;
  serial_no: string;
};
const AUTHORIZATION_KEYS = ['mchid', 'nonce_str', 'signature', 'timestamp', 'serial_no'] as const;

/** Parses an Authorization header back into its fields (the fake server uses it); null when malformed. */
export function parseAuthorizationHeader(value: string): AuthorizationFields | null {
  if (!value.startsWith(`${SCHEME} `)) return null;
  const pairs = value
    .slice(SCHEME.length + 1)
    .split(',')
    .map((part) => /^([a-z_]+)="([^"]+)"$/.exec(part.trim()));
  const fields: Record<string, string> = {};
  for (const pair of pairs) if (pair?.[1] && pair[2]) fields[pair[1]] = pair[2];
  // Exactly the five known keys, each once: anything else is a malformed header.
  const complete =
    AUTHORIZATION_KEYS.every((key) => key in fields) && Object.keys(fields).length === pairs.length;
  return complete && pairs.length === AUTHORIZATION_KEYS.length ? (fields as AuthorizationFields) : null;
}

/**
 * Verifies a notification or API response signed by WeChat: message `${timestamp}\n${nonce}\n${rawBody}\n`, key
 * chosen by Wechatpay-Serial. Probes (`WECHATPAY/SIGNTEST/`) fail, as do timestamps more than 300 s from `now`
 * in either direction (a non-numeric timestamp counts as stale).
 */
export function verifyWechatSignature(
  headers: Headers,
  rawBody: string,
  keys: PlatformKeys,
  now: Date = new Date(),
): { ok: true } | { ok: false; reason: WechatSignatureFailure } {
  const timestamp = headers.get('wechatpay-timestamp');
  const nonce = headers.get('wechatpay-nonce');
  const signature = headers.get('wechatpay-signature');
  const serial = headers.get('wechatpay-serial');
  if (!timestamp || !nonce || !signature || !serial) return { ok: false, reason: 'MISSING_HEADERS' };
  if (signature.startsWith('WECHATPAY/SIGNTEST/')) return { ok: false, reason: 'PROBE_SIGNATURE' };
  const skewSeconds = Math.abs(now.getTime() / 1000 - Number(timestamp));
  if (!/^\d{1,12}$/.test(timestamp) || !(skewSeconds <= MAX_CLOCK_SKEW_SECONDS))
    return { ok: false, reason: 'STALE_TIMESTAMP' };
  const key = keys.get(serial);
  if (!key) return { ok: false, reason: 'UNKNOWN_SERIAL' };
  const message = Buffer.from(`${timestamp}\n${nonce}\n${rawBody}\n`, 'utf8');
  try {
    if (BASE64.test(signature) && verify('RSA-SHA256', message, key, Buffer.from(signature, 'base64')))
      return { ok: true };
  } catch {
    // A key of the wrong type makes verify throw; that is a bad signature like any other.
  }
  return { ok: false, reason: 'BAD_SIGNATURE' };
}

/** Signs a response/notification as WeChat does (for the fake server and tests): the four Wechatpay-* headers. */
export function wechatSignatureHeaders(
  rawBody: string,
  platform: { serial: string; privateKey: KeyObject },
  options: { timestamp?: string; nonce?: string } = {},
): Record<string, string> {
  const timestamp = options.timestamp ?? nowSeconds();
  const nonce = options.nonce ?? newNonce();
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': signMessage(`${timestamp}\n${nonce}\n${rawBody}\n`, platform.privateKey),
    'Wechatpay-Serial': platform.serial,
  };
}

const GCM_TAG_BYTES = 16;
const GCM_NONCE_BYTES = 12;

function aesKey(apiV3Key: Buffer): Buffer {
  if (apiV3Key.length !== 32) throw new WechatDecryptError('The APIv3 key must be 32 bytes');
  return apiV3Key;
}

/** AEAD_AES_256_GCM decryption of a notification resource; the auth tag (last 16 bytes) is always verified. */
export function decryptResource(resource: EncryptedResource, apiV3Key: Buffer): string {
  const key = aesKey(apiV3Key);
  const iv = Buffer.from(resource.nonce, 'utf8');
  const data = Buffer.from(resource.ciphertext, 'base64');
  if (resource.algorithm !== 'AEAD_AES_256_GCM')
    throw new WechatDecryptError(`Unsupported algorithm ${resource.algorithm}`);
  if (iv.length !== GCM_NONCE_BYTES) throw new WechatDecryptError('The nonce must be 12 bytes');
  if (!BASE64.test(resource.ciphertext) || data.length < GCM_TAG_BYTES)
    throw new WechatDecryptError('Malformed ciphertext');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
    decipher.setAAD(Buffer.from(resource.associated_data, 'utf8'));
    decipher.setAuthTag(data.subarray(data.length - GCM_TAG_BYTES));
    const body = decipher.update(data.subarray(0, data.length - GCM_TAG_BYTES));
    return Buffer.concat([body, decipher.final()]).toString('utf8');
  } catch {
    throw new WechatDecryptError('The resource failed authentication');
  }
}

/** Encrypts a resource as WeChat does (for the fake server and tests). */
export function encryptResource(
  plaintext: string,
  apiV3Key: Buffer,
  options: { nonce?: string; associatedData?: string; originalType?: string } = {},
): EncryptedResource {
  const nonce = options.nonce ?? randomBytes(GCM_NONCE_BYTES / 2).toString('hex');
  const associatedData = options.associatedData ?? 'transaction';
  const cipher = createCipheriv('aes-256-gcm', aesKey(apiV3Key), Buffer.from(nonce, 'utf8'), {
    authTagLength: GCM_TAG_BYTES,
  });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return {
    algorithm: 'AEAD_AES_256_GCM',
    ciphertext: body.toString('base64'),
    nonce,
    associated_data: associatedData,
    original_type: options.originalType ?? 'transaction',
  };
}

/**
 * Sends one signed API request and answers { status, body } (parsed JSON, or null when empty). A 2xx answer is
 * trusted only after its Wechatpay-* signature verifies (else RESPONSE_SIGNATURE); a non-2xx answer throws
 * WechatApiError with WeChat's code without verification (WeChat leaves SIGN_ERROR answers unsigned), so an
 * unverified answer can only ever fail a call. Network errors propagate as thrown by fetch.
 */
export async function wechatRequest(options: {
  baseUrl: string;
  merchant: MerchantCredentials;
  platformKeys: PlatformKeys;
  method: 'GET' | 'POST';
  pathWithQuery: string;
  body?: unknown;
  fetch?: typeof fetch;
  now?: Date;
}): Promise<{ status: number; body: unknown }> {
  const body = options.body === undefined ? '' : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    Authorization: authorizationHeader(options.merchant, options.method, options.pathWithQuery, body),
    Accept: 'application/json',
    'User-Agent': 'saas-credits-wechatpay/1.0',
  };
  if (body) headers['Content-Type'] = 'application/json';
  const response = await (options.fetch ?? fetch)(options.baseUrl + options.pathWithQuery, {
    method: options.method,
    headers,
    body: body || undefined,
  });
  const raw = await response.text();
  if (!response.ok) {
    const error = parseJson(raw) as { code?: unknown; message?: unknown } | undefined;
    const code = typeof error?.code === 'string' ? error.code : 'UNKNOWN_ERROR';
    throw new WechatApiError(
      response.status,
      code,
      typeof error?.message === 'string' ? error.message : `WeChat Pay answered ${response.status}`,
    );
  }
  const verdict = verifyWechatSignature(response.headers, raw, options.platformKeys, options.now);
  if (!verdict.ok)
    throw new WechatApiError(
      response.status,
      'RESPONSE_SIGNATURE',
      `Response signature rejected: ${verdict.reason}`,
    );
  if (raw === '') return { status: response.status, body: null };
  const parsed = parseJson(raw);
  if (parsed === undefined)
    throw new WechatApiError(response.status, 'INVALID_RESPONSE', 'Response body is not JSON');
  return { status: response.status, body: parsed };
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Env vars often hold PEM text with literal `\n` escapes; turn them back into newlines. */
function unescapePem(pem: string): string {
  return pem.replace(/\\n/g, '\n').trim();
}

function assertRsa(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'rsa')
    throw new Error(`WeChat Pay keys are RSA, got ${key.asymmetricKeyType}`);
  return key;
}

/** Loads the merchant RSA private key from PEM text, possibly with literal "\n" escapes. */
export function loadPrivateKey(pem: string): KeyObject {
  return assertRsa(createPrivateKey(unescapePem(pem)));
}

/** Loads a platform public key from a PUBLIC KEY PEM or an X.509 CERTIFICATE PEM (certificate mode). */
export function loadPublicKey(pemOrCertificate: string): KeyObject {
  const pem = unescapePem(pemOrCertificate);
  return assertRsa(
    pem.includes('BEGIN CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem),
  );
}
