import { generateKeyPairSync, verify, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizationHeader,
  decryptResource,
  type EncryptedResource,
  encryptResource,
  loadPrivateKey,
  loadPublicKey,
  type MerchantCredentials,
  type PlatformKeys,
  parseAuthorizationHeader,
  requestMessage,
  verifyWechatSignature,
  WechatApiError,
  WechatDecryptError,
  wechatRequest,
} from '@/payment/wechat/protocol';
import { type FakeWechat, startFakeWechat } from '../support/fake-wechat';
import { platformCertificate } from '../support/wechat-setup';

let fake: FakeWechat;
let merchant: MerchantCredentials;
let keys: PlatformKeys;

function nativeOrder(outTradeNo: string, total = 1990) {
  return {
    appid: fake.appId,
    mchid: fake.mchId,
    description: 'Pro credits pack',
    out_trade_no: outTradeNo,
    notify_url: 'https://app.example.test/api/payment/wechat/notify',
    amount: { total, currency: 'CNY' },
  };
}

function call(
  method: 'GET' | 'POST',
  pathWithQuery: string,
  body?: unknown,
  options: Partial<Parameters<typeof wechatRequest>[0]> = {},
) {
  return wechatRequest({
    baseUrl: fake.baseUrl,
    merchant,
    platformKeys: keys,
    method,
    pathWithQuery,
    body,
    ...options,
  });
}

/** The error a promise rejects with, so its code and status can be compared. */
async function failure(promise: Promise<unknown>): Promise<{ status: number; code: string }> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(WechatApiError);
  const { status, code } = error as WechatApiError;
  return { status, code };
}

beforeAll(async () => {
  fake = await startFakeWechat();
  merchant = { mchId: fake.mchId, serialNo: fake.merchant.serialNo, privateKey: fake.merchant.privateKey };
  keys = new Map([
    [fake.platform.serial, loadPublicKey(fake.platform.publicKeyPem)],
    [fake.certificatePlatform.serial, loadPublicKey(fake.certificatePlatform.publicKeyPem)],
  ]);
  await call('POST', '/v3/pay/transactions/native', nativeOrder('order_paid_0001'));
  fake.markPaid('order_paid_0001');
});

afterAll(async () => {
  await fake.close();
});

function paidNotification(options: Parameters<FakeWechat['notification']>[2] = {}) {
  const payload = fake.transactionPayload('order_paid_0001');
  return { payload, ...fake.notification('TRANSACTION.SUCCESS', payload, options) };
}

describe('verifyWechatSignature (notifications and responses signed by WeChat)', () => {
  it('accepts a notification built by the fake, whose resource decrypts to the payload', () => {
    const { payload, body, headers } = paidNotification();
    expect(verifyWechatSignature(new Headers(headers), body, keys)).toEqual({ ok: true });
    const parsed = JSON.parse(body) as { event_type: string; resource: EncryptedResource };
    expect(parsed.event_type).toBe('TRANSACTION.SUCCESS');
    expect(JSON.parse(decryptResource(parsed.resource, fake.apiV3Key))).toEqual(payload);
    expect(payload).toMatchObject({
      out_trade_no: 'order_paid_0001',
      trade_state: 'SUCCESS',
      mchid: fake.mchId,
    });
  });

  it('rejects a body with one changed byte', () => {
    const { body, headers } = paidNotification();
    const tampered = body.replace('TRANSACTION.SUCCESS', 'TRANSACTION.SUCCESZ');
    expect(tampered).not.toBe(body);
    expect(tampered.length).toBe(body.length);
    expect(verifyWechatSignature(new Headers(headers), tampered, keys)).toEqual({
      ok: false,
      reason: 'BAD_SIGNATURE',
    });
  });

  it('rejects a signature made with another key under a known serial', () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forged = paidNotification({ signWith: stranger });
    expect(forged.headers['Wechatpay-Serial']).toBe(fake.platform.serial);
    expect(verifyWechatSignature(new Headers(forged.headers), forged.body, keys)).toEqual({
      ok: false,
      reason: 'BAD_SIGNATURE',
    });
    // The other platform key is known too, but not under this serial.
    const crossed = paidNotification({ signWith: 'certificatePlatform', serial: fake.platform.serial });
    expect(verifyWechatSignature(new Headers(crossed.headers), crossed.body, keys)).toEqual({
      ok: false,
      reason: 'BAD_SIGNATURE',
    });
  });

  it('rejects a garbled signature without throwing', () => {
    const { body, headers } = paidNotification();
    const garbled = new Headers({ ...headers, 'Wechatpay-Signature': `${headers['Wechatpay-Signature']}!!` });
    expect(verifyWechatSignature(garbled, body, keys)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('rejects an unknown serial', () => {
    const { body, headers } = paidNotification({ serial: 'PUB_KEY_ID_0119999999999999999999' });
    expect(verifyWechatSignature(new Headers(headers), body, keys)).toEqual({
      ok: false,
      reason: 'UNKNOWN_SERIAL',
    });
  });

  it('fails WeChat’s signature probes', () => {
    const { body, headers } = paidNotification();
    const probe = new Headers({
      ...headers,
      'Wechatpay-Signature': `WECHATPAY/SIGNTEST/${headers['Wechatpay-Signature']}`,
    });
    expect(verifyWechatSignature(probe, body, keys)).toEqual({ ok: false, reason: 'PROBE_SIGNATURE' });
  });

  it.each([
    ['301 s old', -301, 'STALE_TIMESTAMP'],
    ['301 s in the future', 301, 'STALE_TIMESTAMP'],
    ['299 s old', -299, null],
    ['299 s in the future', 299, null],
  ])('judges a timestamp %s', (_, offsetSeconds, reason) => {
    const nowSeconds = 1_795_000_000;
    const { body, headers } = paidNotification({ timestamp: String(nowSeconds + offsetSeconds) });
    const verdict = verifyWechatSignature(new Headers(headers), body, keys, new Date(nowSeconds * 1000));
    expect(verdict).toEqual(reason ? { ok: false, reason } : { ok: true });
  });

  it('treats a non-numeric timestamp as stale', () => {
    const { body, headers } = paidNotification({ timestamp: 'soon' });
    expect(verifyWechatSignature(new Headers(headers), body, keys)).toEqual({
      ok: false,
      reason: 'STALE_TIMESTAMP',
    });
  });

  it.each(['Wechatpay-Timestamp', 'Wechatpay-Nonce', 'Wechatpay-Signature', 'Wechatpay-Serial'])(
    'rejects a notification without %s',
    (name) => {
      const { body, headers } = paidNotification();
      const incomplete = new Headers(headers);
      incomplete.delete(name);
      expect(verifyWechatSignature(incomplete, body, keys)).toEqual({ ok: false, reason: 'MISSING_HEADERS' });
    },
  );

  it('verifies certificate mode: a key loaded from an X.509 certificate PEM, chosen by the certificate serial', () => {
    const certificatePem = platformCertificate(fake);
    expect(certificatePem).toContain('BEGIN CERTIFICATE');
    expect(new X509Certificate(certificatePem).serialNumber).toBe(fake.certificatePlatform.serial);

    const certificateKeys = new Map([[fake.certificatePlatform.serial, loadPublicKey(certificatePem)]]);
    const signed = paidNotification({ signWith: 'certificatePlatform' });
    expect(signed.headers['Wechatpay-Serial']).toBe(fake.certificatePlatform.serial);
    expect(verifyWechatSignature(new Headers(signed.headers), signed.body, certificateKeys)).toEqual({
      ok: true,
    });
    const wrongKey = paidNotification({ signWith: 'platform', serial: fake.certificatePlatform.serial });
    expect(verifyWechatSignature(new Headers(wrongKey.headers), wrongKey.body, certificateKeys)).toEqual({
      ok: false,
      reason: 'BAD_SIGNATURE',
    });
  });
});

describe('decryptResource (AEAD_AES_256_GCM with the APIv3 key)', () => {
  const apiV3Key = Buffer.from('0123456789abcdefghijABCDEFGHIJ01', 'ascii');
  const plaintext = JSON.stringify({ out_trade_no: 'order_0001', trade_state: 'SUCCESS', note: '支付成功' });
  const resource = encryptResource(plaintext, apiV3Key, {
    nonce: 'n0nce0000001',
    associatedData: 'transaction',
  });

  function flipByte(base64: string, index: number): string {
    const bytes = Buffer.from(base64, 'base64');
    const at = index < 0 ? bytes.length + index : index;
    bytes[at] = (bytes[at] ?? 0) ^ 0x01;
    return bytes.toString('base64');
  }

  it('round-trips with encryptResource', () => {
    expect(resource).toMatchObject({
      algorithm: 'AEAD_AES_256_GCM',
      nonce: 'n0nce0000001',
      associated_data: 'transaction',
    });
    expect(Buffer.from(resource.ciphertext, 'base64').length).toBe(Buffer.byteLength(plaintext) + 16);
    expect(decryptResource(resource, apiV3Key)).toBe(plaintext);
    const defaults = encryptResource('{}', apiV3Key);
    expect(defaults.nonce).toMatch(/^[0-9a-f]{12}$/);
    expect(decryptResource(defaults, apiV3Key)).toBe('{}');
  });

  it.each([
    ['a tampered ciphertext byte', { ...resource, ciphertext: flipByte(resource.ciphertext, 0) }, apiV3Key],
    [
      'a tampered tag (last 16 bytes)',
      { ...resource, ciphertext: flipByte(resource.ciphertext, -1) },
      apiV3Key,
    ],
    [
      'a ciphertext cut before the tag',
      {
        ...resource,
        ciphertext: Buffer.from(resource.ciphertext, 'base64').subarray(0, 10).toString('base64'),
      },
      apiV3Key,
    ],
    ['the wrong key', resource, Buffer.from('0123456789abcdefghijABCDEFGHIJ02', 'ascii')],
    ['a key of the wrong length', resource, Buffer.from('short', 'ascii')],
    ['the wrong associated_data', { ...resource, associated_data: 'refund' }, apiV3Key],
    ['the wrong nonce', { ...resource, nonce: 'n0nce0000002' }, apiV3Key],
    ['a nonce of the wrong length', { ...resource, nonce: 'n0nce' }, apiV3Key],
    ['another algorithm', { ...resource, algorithm: 'AEAD_AES_128_GCM' as 'AEAD_AES_256_GCM' }, apiV3Key],
  ])('throws WechatDecryptError for %s', (_, tampered, key) => {
    expect(() => decryptResource(tampered, key)).toThrow(WechatDecryptError);
  });
});

describe('keys and the Authorization header', () => {
  it('loads a private key whose PEM holds literal "\\n" escapes, as env vars do', () => {
    const escaped = fake.merchant.privateKeyPem.trim().replace(/\n/g, '\\n');
    expect(escaped).not.toContain('\n');
    const key = loadPrivateKey(escaped);
    const header = authorizationHeader({ ...merchant, privateKey: key }, 'GET', '/v3/x', '', {
      timestamp: '1',
      nonce: 'N',
    });
    const signature = parseAuthorizationHeader(header)?.signature ?? '';
    expect(
      verify(
        'RSA-SHA256',
        Buffer.from(requestMessage('GET', '/v3/x', '1', 'N', '')),
        fake.merchant.publicKey,
        Buffer.from(signature, 'base64'),
      ),
    ).toBe(true);
    expect(loadPublicKey(fake.platform.publicKeyPem.replace(/\n/g, '\\n')).asymmetricKeyType).toBe('rsa');
  });

  it('refuses keys that are not RSA', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => loadPrivateKey(ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())).toThrow(
      /RSA/,
    );
    expect(() => loadPublicKey(ec.publicKey.export({ type: 'spki', format: 'pem' }).toString())).toThrow(
      /RSA/,
    );
  });

  it('round-trips authorizationHeader through parseAuthorizationHeader, signing the request message', () => {
    const body = '{"mchid":"1900000001"}';
    const header = authorizationHeader(merchant, 'POST', '/v3/pay/transactions/native', body, {
      timestamp: '1795000000',
      nonce: 'ABC123',
    });
    expect(header).toMatch(
      /^WECHATPAY2-SHA256-RSA2048 mchid="1900000001",nonce_str="ABC123",signature="[^"]+",timestamp="1795000000",serial_no="[0-9A-F]{40}"$/,
    );
    const fields = parseAuthorizationHeader(header);
    expect(fields).toMatchObject({
      mchid: fake.mchId,
      nonce_str: 'ABC123',
      timestamp: '1795000000',
      serial_no: merchant.serialNo,
    });
    const message = requestMessage('POST', '/v3/pay/transactions/native', '1795000000', 'ABC123', body);
    expect(message).toBe(`POST\n/v3/pay/transactions/native\n1795000000\nABC123\n${body}\n`);
    expect(
      verify(
        'RSA-SHA256',
        Buffer.from(message),
        fake.merchant.publicKey,
        Buffer.from(fields?.signature ?? '', 'base64'),
      ),
    ).toBe(true);
    const fresh = parseAuthorizationHeader(authorizationHeader(merchant, 'GET', '/v3/x', ''));
    expect(fresh?.nonce_str).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(Math.abs(Number(fresh?.timestamp) - Date.now() / 1000)).toBeLessThan(5);
  });

  it.each([
    ['another scheme', 'Bearer mchid="1",nonce_str="2",signature="3",timestamp="4",serial_no="5"'],
    ['a missing field', 'WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="2",signature="3",timestamp="4"'],
    [
      'a repeated field',
      'WECHATPAY2-SHA256-RSA2048 mchid="1",mchid="1",signature="3",timestamp="4",serial_no="5"',
    ],
    [
      'an unquoted value',
      'WECHATPAY2-SHA256-RSA2048 mchid=1,nonce_str="2",signature="3",timestamp="4",serial_no="5"',
    ],
    [
      'an extra field',
      'WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="2",signature="3",timestamp="4",serial_no="5",x="6"',
    ],
  ])('parses %s as null', (_, header) => {
    expect(parseAuthorizationHeader(header)).toBeNull();
  });
});

describe('wechatRequest against the fake WeChat Pay server', () => {
  it('creates, queries and closes an order with signed requests and verified answers', async () => {
    const sent: Array<{ url: string; headers: Headers }> = [];
    const recordingFetch: typeof fetch = (input, init) => {
      sent.push({ url: String(input), headers: new Headers(init?.headers) });
      return fetch(input, init);
    };
    const order = nativeOrder('order_flow_0001');
    const created = await call('POST', '/v3/pay/transactions/native', order, { fetch: recordingFetch });
    expect(created).toEqual({
      status: 200,
      body: { code_url: expect.stringMatching(/^weixin:\/\/wxpay\/bizpayurl\?pr=/) },
    });
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/v3/pay/transactions/native',
      body: order,
      signatureValid: true,
    });
    expect(sent[0]?.url).toBe(`${fake.baseUrl}/v3/pay/transactions/native`);
    expect(sent[0]?.headers.get('accept')).toBe('application/json');
    expect(sent[0]?.headers.get('content-type')).toBe('application/json');
    expect(sent[0]?.headers.get('user-agent')).toBeTruthy();

    const again = await call('POST', '/v3/pay/transactions/native', order);
    expect(again.body).toEqual(created.body);
    expect(
      await failure(
        call('POST', '/v3/pay/transactions/native', { ...order, amount: { total: 2990, currency: 'CNY' } }),
      ),
    ).toEqual({ status: 400, code: 'INVALID_REQUEST' });

    const queryPath = `/v3/pay/transactions/out-trade-no/order_flow_0001?mchid=${fake.mchId}`;
    expect((await call('GET', queryPath, undefined, { fetch: recordingFetch })).body).toMatchObject({
      out_trade_no: 'order_flow_0001',
      trade_state: 'NOTPAY',
    });
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: queryPath,
      body: null,
      signatureValid: true,
    });
    expect(sent[1]?.headers.get('content-type')).toBeNull();

    const closed = await call('POST', '/v3/pay/transactions/out-trade-no/order_flow_0001/close', {
      mchid: fake.mchId,
    });
    expect(closed).toEqual({ status: 204, body: null });
    expect((await call('GET', queryPath)).body).toMatchObject({ trade_state: 'CLOSED' });
  });

  it('reads a paid order as WeChat’s transaction object', async () => {
    await call('POST', '/v3/pay/transactions/native', nativeOrder('order_flow_0002', 4990));
    fake.markPaid('order_flow_0002');
    const { body } = await call(
      'GET',
      `/v3/pay/transactions/out-trade-no/order_flow_0002?mchid=${fake.mchId}`,
    );
    expect(body).toEqual(fake.transactionPayload('order_flow_0002'));
    expect(body).toMatchObject({
      appid: fake.appId,
      trade_type: 'NATIVE',
      trade_state: 'SUCCESS',
      transaction_id: expect.stringMatching(/^4200\d{24}$/),
      success_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/),
      amount: { total: 4990, payer_total: 4990, currency: 'CNY', payer_currency: 'CNY' },
    });
  });

  it('surfaces WeChat’s error codes', async () => {
    expect(
      await failure(call('GET', `/v3/pay/transactions/out-trade-no/order_none_0001?mchid=${fake.mchId}`)),
    ).toEqual({ status: 404, code: 'ORDER_NOT_EXIST' });
    expect(
      await failure(call('POST', '/v3/pay/transactions/native', nativeOrder('order_zero_0001', 0))),
    ).toEqual({ status: 400, code: 'PARAM_ERROR' });
    expect(
      await failure(
        call('POST', '/v3/pay/transactions/native', {
          ...nativeOrder('order_usd_0001'),
          amount: { total: 100, currency: 'USD' },
        }),
      ),
    ).toEqual({ status: 400, code: 'PARAM_ERROR' });
  });

  it('is refused with SIGN_ERROR when signed with the wrong key', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const error = await failure(
      call('POST', '/v3/pay/transactions/native', nativeOrder('order_forged_01'), {
        merchant: { ...merchant, privateKey: stranger },
      }),
    );
    expect(error).toEqual({ status: 401, code: 'SIGN_ERROR' });
    expect(fake.requests.at(-1)).toMatchObject({
      signatureValid: false,
      authorization: { mchid: fake.mchId },
    });
    expect(fake.orders.has('order_forged_01')).toBe(false);
  });

  it('rejects answers whose signature cannot be verified', async () => {
    const order = nativeOrder('order_answer_01');
    expect(
      await failure(call('POST', '/v3/pay/transactions/native', order, { platformKeys: new Map() })),
    ).toEqual({ status: 200, code: 'RESPONSE_SIGNATURE' });
    const later = new Date(Date.now() + 10 * 60_000);
    expect(await failure(call('POST', '/v3/pay/transactions/native', order, { now: later }))).toEqual({
      status: 200,
      code: 'RESPONSE_SIGNATURE',
    });
    expect((await call('POST', '/v3/pay/transactions/native', order)).status).toBe(200);
  });

  it('rejects every answer from a server whose response signatures are corrupt', async () => {
    const corrupt = await startFakeWechat({ corruptResponseSignatures: true });
    try {
      const options = {
        baseUrl: corrupt.baseUrl,
        merchant: {
          mchId: corrupt.mchId,
          serialNo: corrupt.merchant.serialNo,
          privateKey: corrupt.merchant.privateKey,
        },
        platformKeys: new Map([[corrupt.platform.serial, loadPublicKey(corrupt.platform.publicKeyPem)]]),
      };
      const order = { ...nativeOrder('order_corrupt_1'), appid: corrupt.appId, mchid: corrupt.mchId };
      expect(
        await failure(
          wechatRequest({
            ...options,
            method: 'POST',
            pathWithQuery: '/v3/pay/transactions/native',
            body: order,
          }),
        ),
      ).toEqual({ status: 200, code: 'RESPONSE_SIGNATURE' });
      expect(corrupt.requests.at(-1)?.signatureValid).toBe(true);
      expect(
        await failure(
          wechatRequest({
            ...options,
            method: 'POST',
            pathWithQuery: '/v3/pay/transactions/out-trade-no/order_corrupt_1/close',
            body: { mchid: corrupt.mchId },
          }),
        ),
      ).toEqual({ status: 204, code: 'RESPONSE_SIGNATURE' });
    } finally {
      await corrupt.close();
    }
  });

  it('verifies answers signed in certificate mode when the map holds that serial', async () => {
    const certificateMode = await startFakeWechat({ responseSigner: 'certificatePlatform' });
    try {
      const certificateKey = loadPublicKey(certificateMode.certificatePlatform.publicKeyPem);
      const options = {
        baseUrl: certificateMode.baseUrl,
        merchant: {
          mchId: certificateMode.mchId,
          serialNo: certificateMode.merchant.serialNo,
          privateKey: certificateMode.merchant.privateKey,
        },
      };
      const order = {
        ...nativeOrder('order_cert_0001'),
        appid: certificateMode.appId,
        mchid: certificateMode.mchId,
      };
      const create = {
        ...options,
        method: 'POST' as const,
        pathWithQuery: '/v3/pay/transactions/native',
        body: order,
      };
      const both = new Map([
        [certificateMode.platform.serial, loadPublicKey(certificateMode.platform.publicKeyPem)],
        [certificateMode.certificatePlatform.serial, certificateKey],
      ]);
      expect((await wechatRequest({ ...create, platformKeys: both })).status).toBe(200);
      const publicKeyModeOnly = new Map([
        [certificateMode.platform.serial, loadPublicKey(certificateMode.platform.publicKeyPem)],
      ]);
      expect(await failure(wechatRequest({ ...create, platformKeys: publicKeyModeOnly }))).toEqual({
        status: 200,
        code: 'RESPONSE_SIGNATURE',
      });
    } finally {
      await certificateMode.close();
    }
  });
});
