/**
 * A local fake of the WeChat Pay API v3 (Native payments) for server tests and end-to-end runs. It holds generated
 * identities (merchant key pair, platform keys, APIv3 key), checks every request's Authorization signature the way
 * WeChat does, keeps orders in memory, signs every answer with a platform key, and builds notifications exactly
 * as WeChat sends them, so the app's real protocol code is exercised end to end without mocks.
 *
 * Served: POST /v3/pay/transactions/native, GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=..,
 * POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close. Anything else is 404.
 */
import { generateKeyPairSync, type KeyObject, randomBytes, randomUUID, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import {
  encryptResource,
  parseAuthorizationHeader,
  requestMessage,
  wechatSignatureHeaders,
} from '../../src/payment/wechat/protocol';

type TradeState = 'NOTPAY' | 'SUCCESS' | 'CLOSED';
type NotificationEvent = 'TRANSACTION.SUCCESS' | 'REFUND.SUCCESS' | 'REFUND.ABNORMAL' | 'REFUND.CLOSED';
type PlatformKey = { serial: string; privateKey: KeyObject; publicKeyPem: string };

export interface FakeWechatOptions {
  /** Sign every answer over a different body, so a client that checks response signatures must reject it. */
  corruptResponseSignatures?: boolean;
  /** Which platform key signs API answers (default 'platform', the public-key-mode key). */
  responseSigner?: 'platform' | 'certificatePlatform';
}

export interface FakeWechatRequest {
  method: string;
  /** The path with its query string, exactly as signed. */
  path: string;
  body: unknown;
  authorization: Record<string, string> | null;
  signatureValid: boolean;
}

export interface FakeWechatOrder {
  // biome-ignore lint/suspicious/noExplicitAny: the order body as the app sent it, for tests to inspect freely.
  body: any;
  tradeState: TradeState;
  codeUrl: string;
  transactionId?: string;
  successTime?: string;
}

export interface FakeWechat {
  baseUrl: string;
  mchId: string;
  appId: string;
  /** 32 ASCII characters, as WeChat's APIv3 keys are. */
  apiV3Key: Buffer;
  merchant: { serialNo: string; privateKey: KeyObject; privateKeyPem: string; publicKey: KeyObject };
  /** Public-key mode platform key: serial 'PUB_KEY_ID_' + digits. */
  platform: PlatformKey;
  /** Certificate-mode platform key: serial of 40 hex characters, like a certificate serial. */
  certificatePlatform: PlatformKey;
  requests: FakeWechatRequest[];
  orders: Map<string, FakeWechatOrder>;
  markPaid(outTradeNo: string): void;
  notification(
    eventType: NotificationEvent,
    payload: object,
    options?: {
      timestamp?: string;
      signWith?: 'platform' | 'certificatePlatform' | KeyObject;
      serial?: string;
      apiV3Key?: Buffer;
      resourceType?: string;
    },
  ): { body: string; headers: Record<string, string> };
  transactionPayload(outTradeNo: string, overrides?: object): object;
  refundPayload(
    outTradeNo: string,
    refund: {
      refundId: string;
      refund: number;
      status?: 'SUCCESS' | 'ABNORMAL' | 'CLOSED';
      outRefundNo?: string;
    },
  ): object;
  close(): Promise<void>;
}

/** An answer of the fake: a status and, unless it is 204, a JSON payload. */
type Reply = { status: number; payload?: unknown };

function reply(status: number, payload: unknown): Reply {
  return { status, payload };
}

const MAX_CLOCK_SKEW_SECONDS = 300;
const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
const SUMMARIES: Record<NotificationEvent, string> = {
  'TRANSACTION.SUCCESS': '支付成功',
  'REFUND.SUCCESS': '退款成功',
  'REFUND.ABNORMAL': '退款异常',
  'REFUND.CLOSED': '退款关闭',
};

function randomDigits(count: number): string {
  return Array.from(randomBytes(count), (byte) => String(byte % 10)).join('');
}

function rsaKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

function platformKey(serial: string): PlatformKey {
  const { privateKey, publicKey } = rsaKeyPair();
  return { serial, privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** RFC 3339 in China Standard Time, as WeChat writes times: 2026-11-23T20:00:00+08:00. */
function chinaTime(date: Date): string {
  return `${new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

/** The reasons a native order body is refused with PARAM_ERROR, or null when it is well formed. */
function nativeOrderProblem(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return 'body must be a JSON object';
  const order = body as Record<string, unknown>;
  for (const field of ['appid', 'mchid', 'description', 'notify_url'] as const) {
    if (typeof order[field] !== 'string' || order[field] === '') return `missing ${field}`;
  }
  if (typeof order.out_trade_no !== 'string' || !OUT_TRADE_NO.test(order.out_trade_no)) {
    return 'out_trade_no must be 6 to 32 of [0-9A-Za-z_-|*]';
  }
  if ((order.description as string).length > 127) return 'description is longer than 127 characters';
  const notifyUrl = absoluteUrl(order.notify_url as string);
  if (!notifyUrl || !/^https?:$/.test(notifyUrl.protocol) || notifyUrl.search) {
    return 'notify_url must be an absolute URL without a query string';
  }
  const amount = order.amount as { total?: unknown; currency?: unknown } | undefined;
  if (typeof amount !== 'object' || amount === null) return 'missing amount';
  if (!Number.isSafeInteger(amount.total) || (amount.total as number) <= 0) {
    return 'amount.total must be a positive integer (fen)';
  }
  if (amount.currency !== undefined && amount.currency !== 'CNY') return 'amount.currency must be CNY';
  return null;
}

/** Starts the fake on 127.0.0.1 at a random port. */
export async function startFakeWechat(options: FakeWechatOptions = {}): Promise<FakeWechat> {
  const mchId = '1900000001';
  const appId = 'wxtest0000000001';
  const apiV3Key = Buffer.from(randomBytes(16).toString('hex'), 'ascii');
  const merchantPair = rsaKeyPair();
  const merchant = {
    serialNo: randomBytes(20).toString('hex').toUpperCase(),
    privateKey: merchantPair.privateKey,
    privateKeyPem: merchantPair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: merchantPair.publicKey,
  };
  const platform = platformKey(`PUB_KEY_ID_01${mchId}${randomDigits(14)}`);
  const certificatePlatform = platformKey(randomBytes(20).toString('hex').toUpperCase());
  const responder = options.responseSigner === 'certificatePlatform' ? certificatePlatform : platform;
  const requests: FakeWechatRequest[] = [];
  const orders = new Map<string, FakeWechatOrder>();

  /** WeChat's request checks: mchid, merchant serial, 5-minute clock window, signature with the merchant key. */
  function signatureValid(
    method: string,
    path: string,
    rawBody: string,
    auth: Record<string, string> | null,
  ) {
    if (!auth || auth.mchid !== mchId || auth.serial_no !== merchant.serialNo) return false;
    const timestamp = Number(auth.timestamp);
    if (
      !Number.isSafeInteger(timestamp) ||
      Math.abs(Date.now() / 1000 - timestamp) > MAX_CLOCK_SKEW_SECONDS
    ) {
      return false;
    }
    const message = requestMessage(method, path, auth.timestamp ?? '', auth.nonce_str ?? '', rawBody);
    return verify(
      'RSA-SHA256',
      Buffer.from(message),
      merchant.publicKey,
      Buffer.from(auth.signature ?? '', 'base64'),
    );
  }

  function send(res: ServerResponse, status: number, payload: unknown, signed = true): void {
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const headers: Record<string, string> = { 'Request-ID': randomUUID() };
    if (body) headers['Content-Type'] = 'application/json';
    if (signed) {
      Object.assign(
        headers,
        wechatSignatureHeaders(options.corruptResponseSignatures ? `${body} ` : body, responder),
      );
    }
    res.writeHead(status, headers).end(body);
  }

  function transactionObject(outTradeNo: string, order: FakeWechatOrder): object {
    if (order.tradeState === 'SUCCESS') return transactionPayload(outTradeNo);
    return {
      appid: order.body.appid,
      mchid: order.body.mchid,
      out_trade_no: outTradeNo,
      trade_state: order.tradeState,
      trade_state_desc: order.tradeState === 'CLOSED' ? '订单已关闭' : '订单未支付',
      amount: { total: order.body.amount.total, currency: 'CNY', payer_currency: 'CNY' },
    };
  }

  function route(method: string, url: URL, body: unknown): Reply {
    if (method === 'POST' && url.pathname === '/v3/pay/transactions/native') {
      const problem = nativeOrderProblem(body);
      if (problem) return reply(400, { code: 'PARAM_ERROR', message: problem });
      const order = body as { appid: string; mchid: string; out_trade_no: string };
      if (order.appid !== appId || order.mchid !== mchId) {
        return reply(400, { code: 'APPID_MCHID_NOT_MATCH', message: 'appid and mchid do not match' });
      }
      const existing = orders.get(order.out_trade_no);
      if (existing?.tradeState === 'SUCCESS')
        return reply(400, { code: 'ORDERPAID', message: '该订单已支付' });
      if (existing?.tradeState === 'CLOSED')
        return reply(400, { code: 'ORDER_CLOSED', message: '订单已关闭' });
      if (existing && !isDeepStrictEqual(existing.body, body)) {
        return reply(400, { code: 'INVALID_REQUEST', message: '201 商户订单号重复' });
      }
      // A repeat of the same order is idempotent at WeChat: the same code_url comes back.
      const codeUrl = existing?.codeUrl ?? `weixin://wxpay/bizpayurl?pr=${randomBytes(6).toString('hex')}`;
      if (!existing) orders.set(order.out_trade_no, { body, tradeState: 'NOTPAY', codeUrl });
      return reply(200, { code_url: codeUrl });
    }
    const match = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)(\/close)?$/.exec(url.pathname);
    const outTradeNo = match?.[1] ? decodeURIComponent(match[1]) : undefined;
    const isQuery = method === 'GET' && match && !match[2];
    const isClose = method === 'POST' && match?.[2];
    if (!outTradeNo || !(isQuery || isClose))
      return reply(404, { code: 'NOT_FOUND', message: 'no such API' });
    const mchid = isQuery ? url.searchParams.get('mchid') : (body as { mchid?: unknown } | null)?.mchid;
    if (mchid !== mchId) return reply(400, { code: 'PARAM_ERROR', message: 'mchid is missing or wrong' });
    const order = orders.get(outTradeNo);
    if (!order) return reply(404, { code: 'ORDER_NOT_EXIST', message: '订单不存在' });
    if (isQuery) return reply(200, transactionObject(outTradeNo, order));
    if (order.tradeState === 'SUCCESS') return reply(400, { code: 'ORDERPAID', message: '该订单已支付' });
    order.tradeState = 'CLOSED';
    return { status: 204 };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    let body: unknown = null;
    try {
      body = rawBody ? JSON.parse(rawBody) : null;
    } catch {
      body = rawBody;
    }
    const authorization = parseAuthorizationHeader(req.headers.authorization ?? '');
    const valid = signatureValid(method, path, rawBody, authorization);
    requests.push({ method, path, body, authorization, signatureValid: valid });
    // WeChat cannot tell who sent a badly signed request, so its SIGN_ERROR answer is unsigned.
    if (!valid) return send(res, 401, { code: 'SIGN_ERROR', message: '签名错误' }, false);
    if (typeof body === 'string') return send(res, 400, { code: 'PARAM_ERROR', message: 'body is not JSON' });
    const answer = route(method, new URL(path, 'http://fake.invalid'), body);
    send(res, answer.status, answer.payload);
  }

  function transactionPayload(outTradeNo: string, overrides: object = {}): object {
    const order = orders.get(outTradeNo);
    if (!order?.transactionId || !order.successTime)
      throw new Error(`Order ${outTradeNo} is not paid: markPaid first`);
    const total = order.body.amount.total as number;
    return {
      appid: order.body.appid,
      mchid: order.body.mchid,
      out_trade_no: outTradeNo,
      transaction_id: order.transactionId,
      trade_type: 'NATIVE',
      trade_state: 'SUCCESS',
      trade_state_desc: '支付成功',
      bank_type: 'OTHERS',
      attach: order.body.attach ?? '',
      success_time: order.successTime,
      payer: { openid: 'oTestOpenId0000000000000001' },
      amount: { total, payer_total: total, currency: 'CNY', payer_currency: 'CNY' },
      ...overrides,
    };
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ code: 'SYSTEM_ERROR', message: String(error) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    mchId,
    appId,
    apiV3Key,
    merchant,
    platform,
    certificatePlatform,
    requests,
    orders,
    markPaid(outTradeNo) {
      const order = orders.get(outTradeNo);
      if (!order) throw new Error(`No order ${outTradeNo} at the fake WeChat Pay`);
      if (order.tradeState === 'CLOSED') throw new Error(`Order ${outTradeNo} is closed`);
      order.tradeState = 'SUCCESS';
      order.transactionId ??= `4200${randomDigits(24)}`;
      order.successTime ??= chinaTime(new Date());
    },
    notification(eventType, payload, notifyOptions = {}) {
      const signWith = notifyOptions.signWith ?? 'platform';
      const signer =
        signWith === 'platform'
          ? platform
          : signWith === 'certificatePlatform'
            ? certificatePlatform
            : undefined;
      const originalType = eventType.startsWith('REFUND.') ? 'refund' : 'transaction';
      const body = JSON.stringify({
        id: randomUUID(),
        create_time: chinaTime(new Date()),
        resource_type: notifyOptions.resourceType ?? 'encrypt-resource',
        event_type: eventType,
        summary: SUMMARIES[eventType],
        resource: encryptResource(JSON.stringify(payload), notifyOptions.apiV3Key ?? apiV3Key, {
          associatedData: originalType,
          originalType,
        }),
      });
      const key = {
        serial: notifyOptions.serial ?? signer?.serial ?? platform.serial,
        privateKey: signer?.privateKey ?? (signWith as KeyObject),
      };
      const signature = wechatSignatureHeaders(body, key, { timestamp: notifyOptions.timestamp });
      return {
        body,
        headers: {
          'Content-Type': 'application/json',
          'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
          ...signature,
        },
      };
    },
    transactionPayload,
    refundPayload(outTradeNo, refund) {
      const order = orders.get(outTradeNo);
      if (!order?.transactionId) throw new Error(`Order ${outTradeNo} is not paid: markPaid first`);
      const total = order.body.amount.total as number;
      const status = refund.status ?? 'SUCCESS';
      return {
        mchid: order.body.mchid,
        out_trade_no: outTradeNo,
        transaction_id: order.transactionId,
        out_refund_no: refund.outRefundNo ?? `RF${refund.refundId.slice(-20)}`,
        refund_id: refund.refundId,
        refund_status: status,
        ...(status === 'SUCCESS' ? { success_time: chinaTime(new Date()) } : {}),
        user_received_account: '支付用户零钱',
        amount: { total, refund: refund.refund, payer_total: total, payer_refund: refund.refund },
      };
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

function absoluteUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}
