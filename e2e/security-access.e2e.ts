import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { browserForThisFile, signUpInBrowser } from './browser';
import { baseUrl, type HttpUser, signUpOverHttp } from './http';

/**
 * Against the production server: no id in a URL, cursor or query reaches another user's data, and
 * what users type (their name, a prompt) is shown as text, never run as markup.
 */
const openPage = browserForThisFile();
const sql = postgres(inject('databaseUrl'), { max: 1, onnotice: () => {} });

afterAll(async () => {
  await sql.end();
});

/**
 * A history cursor, as encodeCursor (src/credits/queries.ts, server-only) writes it: base64url of
 * `o.<id>` (older than) or `n.<id>` (newer than).
 */
function encodeCursor({ direction, id }: { direction: 'older' | 'newer'; id: number }): string {
  return Buffer.from(`${direction === 'older' ? 'o' : 'n'}.${id}`).toString('base64url');
}

function get(path: string, user: HttpUser): Promise<Response> {
  return fetch(`${baseUrl}${path}`, { redirect: 'manual', headers: { cookie: user.cookie } });
}

async function transactionIds(userId: string): Promise<number[]> {
  const rows = await sql<{ id: string }[]>`SELECT id FROM credit_transaction WHERE user_id = ${userId}`;
  return rows.map((row) => Number(row.id));
}

/** A pending WeChat order of `userId`, straight into the table (the suite runs without WeChat keys). */
async function wechatOrderOf(userId: string): Promise<string> {
  const outTradeNo = `IDOR${crypto.randomUUID().replaceAll('-', '').slice(0, 20)}`;
  await sql`
    INSERT INTO payment (provider, provider_payment_id, user_id, type, scene, amount_minor, currency,
                         status, credits, metadata)
    VALUES ('wechat', ${outTradeNo}, ${userId}, 'credit_pack', 'credits_starter', 3500, 'CNY', 'pending', 100,
            ${sql.json({ codeUrl: 'weixin://wxpay/bizpayurl?pr=idor' })})`;
  return outTradeNo;
}

describe('another user’s ids', () => {
  it('reach nothing: receipts, payments, history cursors, WeChat orders and the checkout return', async () => {
    // The owner buys a pack through (fake) Stripe Checkout in the browser.
    const { page } = await openPage();
    const ownerEmail = `owner-${crypto.randomUUID()}@example.test`;
    await signUpInBrowser(page, ownerEmail, 'a sturdy passphrase 42');
    await page.getByTestId('pack-starter').getByRole('button').first().click();
    await page.waitForURL(/\/pay\/cs_/, { timeout: 20_000 });
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForURL(/checkout=success/, { timeout: 20_000 });
    const sessionId = new URL(page.url()).searchParams.get('session_id') ?? '';
    const [owner] = await sql<{ id: string; payment_id: string }[]>`
      SELECT "user".id, payment.id AS payment_id FROM "user" JOIN payment ON payment.user_id = "user".id
      WHERE email = ${ownerEmail} AND provider = 'stripe' AND status = 'paid'`;
    if (!owner) throw new Error('the purchase left no paid payment');
    const order = await wechatOrderOf(owner.id);
    const ownerIds = new Set(await transactionIds(owner.id));

    const stranger = await signUpOverHttp();
    // Receipts and WeChat orders answer another user's id exactly like an unknown one.
    expect((await get(`/api/billing/receipts/${owner.payment_id}`, stranger)).status).toBe(404);
    expect((await get('/api/billing/receipts/999999999', stranger)).status).toBe(404);
    expect((await get(`/api/payments/wechat/${order}`, stranger)).status).toBe(404);
    // Payments: a `before` past the owner's payment lists only the stranger's (none).
    const payments = await get(`/api/billing/payments?before=${Number(owner.payment_id) + 1}`, stranger);
    expect(((await payments.json()) as { payments: { items: unknown[] } }).payments.items).toEqual([]);
    // History cursors built from the owner's ids select only the stranger's rows.
    for (const cursor of [
      encodeCursor({ direction: 'older', id: Math.max(...ownerIds) + 1 }),
      encodeCursor({ direction: 'newer', id: 1 }),
    ]) {
      const history = await get(`/api/credits?cursor=${cursor}`, stranger);
      expect(history.status).toBe(200);
      const { items } = ((await history.json()) as { history: { items: { id: number }[] } }).history;
      expect(items.filter((item) => ownerIds.has(item.id))).toEqual([]);
    }
    // No parameter can name a user at all.
    expect((await get(`/api/credits?userId=${owner.id}`, stranger)).status).toBe(400);
    expect((await get(`/api/billing/payments?userId=${owner.id}`, stranger)).status).toBe(400);
    // The return page with the owner's checkout session says nothing of it, and grants nothing.
    const returnPage = await get(`/settings/credits?checkout=success&session_id=${sessionId}`, stranger);
    expect(await returnPage.text()).not.toContain('100 credits were added');
    const credits = await get('/api/credits', stranger);
    expect(((await credits.json()) as { balance: { current: number } }).balance.current).toBe(50);

    // The owner, asking the same, gets them: the answers above are about who asks.
    const ownerCookie = (await page.context().cookies())
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
    const ownerAsks = { userId: owner.id, email: ownerEmail, password: '', cookie: ownerCookie };
    expect((await get(`/api/billing/receipts/${owner.payment_id}`, ownerAsks)).status).toBe(303);
    expect((await get(`/api/payments/wechat/${order}`, ownerAsks)).status).toBe(200);
  });
});

describe('what users type', () => {
  const MARKUP = `<img src=x onerror="window.__injected=1"><script>window.__injected=2</script>`;

  it('is shown as text: a prompt echoed by the AI demo and a name given at sign-up', async () => {
    const { context, page } = await openPage();
    const user = await signUpOverHttp(MARKUP);
    await context.addCookies(
      user.cookie.split('; ').map((pair) => {
        const [name = '', value = ''] = pair.split('=');
        return { name, value, url: baseUrl };
      }),
    );
    for (const path of ['/', '/settings/credits', '/settings/billing', '/ai']) {
      await page.goto(path);
      expect(await page.evaluate(() => (window as { __injected?: number }).__injected), path).toBeUndefined();
      expect(await page.locator('img[src="x"]').count(), path).toBe(0);
    }
    await page.getByLabel('Prompt').fill(`Tell me about ${MARKUP}`);
    await page.getByRole('button', { name: /^Generate/ }).click();
    const result = page.getByTestId('ai-result');
    await result.getByText('5 credits were charged.').waitFor({ timeout: 15_000 });
    // The demo echoes words of the prompt; whatever comes back is text, and the prompt stays as typed.
    expect((await result.innerText()).length).toBeGreaterThan(30);
    expect(await result.locator('img, script').count()).toBe(0);
    expect(await page.getByLabel('Prompt').inputValue()).toContain(MARKUP);
    expect(await page.evaluate(() => (window as { __injected?: number }).__injected)).toBeUndefined();
    await context.close();
  });
});
