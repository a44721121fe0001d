import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AppRouterContext } from 'next/dist/shared/lib/app-router-context.shared-runtime';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AiDemo } from '@/components/ai/ai-demo';
import type { Locale } from '@/i18n/locales';
import { renderIn } from '../render';

/**
 * The component's HTTP boundary is the one place a fake stands in: fetch answers like the real route
 * (tests/api/ai-generate.test.ts pins those answers against the real handler).
 */
type Answer = { status: number; body: unknown } | 'offline';

function stubRoute(answer: Answer) {
  const calls: { prompt: string; requestId: string }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_url: string, init: RequestInit) => {
      calls.push(JSON.parse(String(init.body)));
      if (answer === 'offline') throw new TypeError('Failed to fetch');
      return Response.json(answer.body, { status: answer.status });
    }),
  );
  return calls;
}

/** Next's router, recording refreshes: the page re-renders its server figures after a paid call. */
function renderDemo(locale: Locale, initialBalance = 50) {
  const router = {
    refresh: vi.fn(),
    push: vi.fn(),
    replace: vi.fn(),
    back: vi.fn(),
    forward: vi.fn(),
    prefetch: vi.fn(),
    bfcacheId: 'test',
  };
  return renderIn(
    locale,
    <AppRouterContext.Provider value={router}>
      <AiDemo cost={5} initialBalance={initialBalance} />
    </AppRouterContext.Provider>,
  ).then(() => router);
}

async function submit(prompt: string, label: RegExp) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText(label), prompt);
  await user.click(screen.getByRole('button'));
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('AiDemo', () => {
  it('shows the result and the new balance, and refreshes the page (en)', async () => {
    const calls = stubRoute({
      status: 200,
      body: { text: 'Let us start with cats.', cost: 5, balance: 45, transactionId: 7 },
    });
    const router = await renderDemo('en');
    expect(screen.getByTestId('ai-balance')).toHaveProperty('textContent', 'Your balance: 50 credits');
    expect(screen.getByTestId('ai-balance').getAttribute('aria-live')).toBe('polite');
    expect(screen.getByRole('button').textContent).toBe('Generate (5 credits)');

    await submit('Tell me about cats', /^Prompt$/);

    expect(await screen.findByText('Let us start with cats.')).toBeTruthy();
    expect(screen.getByTestId('ai-balance').textContent).toBe('Your balance: 45 credits');
    expect(screen.getByTestId('ai-result').getAttribute('aria-live')).toBe('polite');
    expect(screen.getByText('5 credits were charged.')).toBeTruthy();
    expect(router.refresh).toHaveBeenCalledTimes(1);
    expect(calls[0]?.prompt).toBe('Tell me about cats');
    expect(calls[0]?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('uses a fresh request id for every submission', async () => {
    const calls = stubRoute({ status: 200, body: { text: 'ok', cost: 5, balance: 45, transactionId: 1 } });
    await renderDemo('en');
    const user = userEvent.setup();
    await user.type(screen.getByLabelText(/^Prompt$/), 'again');
    await user.click(screen.getByRole('button'));
    await screen.findByText('ok');
    await user.click(screen.getByRole('button'));
    await waitFor(() => expect(calls).toHaveLength(2));
    expect(calls[0]?.requestId).not.toBe(calls[1]?.requestId);
  });

  it('shows the pending state while the route answers', async () => {
    let answer: (response: Response) => void = () => {};
    vi.stubGlobal(
      'fetch',
      vi.fn(() => new Promise<Response>((resolve) => (answer = resolve))),
    );
    await renderDemo('en');
    await submit('slow', /^Prompt$/);
    const button = screen.getByRole('button');
    expect(button.textContent).toBe('Generating…');
    expect(button).toHaveProperty('disabled', true);
    expect(screen.getByTestId('ai-result').getAttribute('aria-busy')).toBe('true');
    answer(Response.json({ text: 'done', cost: 5, balance: 45, transactionId: 1 }));
    expect(await screen.findByText('done')).toBeTruthy();
    expect(screen.getByRole('button')).toHaveProperty('disabled', false);
  });

  it.each([
    ['en', /^Prompt$/, 'The generation failed. 5 credits were refunded.', 'Your balance: 50 credits'],
    ['zh-CN', /^提示词$/, '生成失败，已退还 5 积分。', '当前余额：50 积分'],
  ] as const)('reports a refunded failure (%s)', async (locale, label, message, balance) => {
    stubRoute({ status: 502, body: { error: 'GENERATION_FAILED', refunded: 5, balance: 50 } });
    const router = await renderDemo(locale);
    await submit('fail', label);
    expect(await screen.findByText(message)).toBeTruthy();
    expect(screen.getByTestId('ai-balance').textContent).toBe(balance);
    expect(router.refresh).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['en', /^Prompt$/, /you need 5 credits.*your balance is 2 credits/i, 'Buy more credits'],
    ['zh-CN', /^提示词$/, /需要 5 积分.*余额只有 2 积分/, '购买更多积分'],
  ] as const)(
    'explains insufficient credits with a link to buy more (%s)',
    async (locale, label, text, link) => {
      stubRoute({
        status: 402,
        body: { error: 'INSUFFICIENT', balance: 2, cost: 5, buyUrl: '/settings/credits#buy' },
      });
      const router = await renderDemo(locale, 2);
      await submit('hello', label);
      expect(await screen.findByText(text)).toBeTruthy();
      expect(screen.getByRole('link', { name: link }).getAttribute('href')).toBe('/settings/credits#buy');
      expect(router.refresh).not.toHaveBeenCalled();
    },
  );

  it.each([
    ['en', /^Prompt$/, /server could not be reached/],
    ['zh-CN', /^提示词$/, /无法连接服务器/],
  ] as const)('reports a network error (%s)', async (locale, label, text) => {
    stubRoute('offline');
    await renderDemo(locale);
    await submit('hello', label);
    expect(await screen.findByText(text)).toBeTruthy();
    expect(screen.getByRole('button')).toHaveProperty('disabled', false);
  });

  it('reports a repeated request and an ended session', async () => {
    stubRoute({ status: 409, body: { error: 'ALREADY_PROCESSED' } });
    await renderDemo('en');
    await submit('hello', /^Prompt$/);
    expect(await screen.findByText(/already processed/)).toBeTruthy();

    stubRoute({ status: 401, body: { error: 'UNAUTHENTICATED' } });
    await userEvent.setup().click(screen.getByRole('button'));
    expect(await screen.findByRole('link', { name: 'Sign in again' })).toBeTruthy();
  });

  it('asks for a prompt instead of sending an empty one', async () => {
    const calls = stubRoute({ status: 200, body: {} });
    await renderDemo('zh-CN');
    await submit('   ', /^提示词$/);
    expect(await screen.findByText('请先输入提示词。')).toBeTruthy();
    expect(calls).toHaveLength(0);
  });
});
