import { act, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { POLL_INTERVAL_MS, WechatOrderStatus } from '@/components/pay/wechat-order-status';
import { renderIn } from '../render';
import { fetchMock, router, stubFetchAndRouter } from '../stubs';

vi.mock('next/navigation', async () => (await import('../stubs')).navigationModule);
stubFetchAndRouter();

const ORDER = 'sc0123456789abcdef01234567';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

function answer(status: string, credits = 100): Response {
  return Response.json({ outTradeNo: ORDER, status, credits }, { status: 200 });
}

/** Lets `ms` of polling time pass, and the fetches it started settle. */
async function elapse(ms: number): Promise<void> {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

describe('WechatOrderStatus', () => {
  it('polls the order every 2 s while it is pending, saying so', async () => {
    fetchMock.mockImplementation(async () => answer('pending'));
    await renderIn('en', <WechatOrderStatus orderNo={ORDER} initialStatus="pending" credits={100} />);

    expect(screen.getByRole('status')).toHaveTextContent('Waiting for your payment…');
    expect(fetchMock).not.toHaveBeenCalled();
    await elapse(POLL_INTERVAL_MS);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(fetchMock.mock.calls[0]?.[0]).toBe(`/api/payments/wechat/${ORDER}`);
    await elapse(POLL_INTERVAL_MS * 3);
    expect(fetchMock).toHaveBeenCalledTimes(4);
    expect(POLL_INTERVAL_MS).toBe(2_000);
    expect(screen.getByRole('status')).toHaveTextContent('Waiting for your payment…');
    expect(router.refresh).not.toHaveBeenCalled();
  });

  it('announces the payment, links back to the credits, refreshes the page and stops polling', async () => {
    fetchMock.mockResolvedValueOnce(answer('pending')).mockImplementation(async () => answer('paid', 500));
    await renderIn('en', <WechatOrderStatus orderNo={ORDER} initialStatus="pending" credits={100} />);

    await elapse(POLL_INTERVAL_MS * 2);

    const status = screen.getByRole('status');
    expect(status).toHaveAttribute('aria-live', 'polite');
    expect(status).toHaveTextContent('Payment received: 500 credits added.');
    expect(screen.getByRole('link', { name: 'Back to your credits' })).toHaveAttribute(
      'href',
      '/settings/credits',
    );
    expect(router.refresh).toHaveBeenCalledTimes(1);
    await elapse(POLL_INTERVAL_MS * 5);
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it('says when the order expired, offers to buy again and stops polling', async () => {
    fetchMock.mockImplementation(async () => answer('expired'));
    await renderIn('en', <WechatOrderStatus orderNo={ORDER} initialStatus="pending" credits={100} />);

    await elapse(POLL_INTERVAL_MS);

    expect(screen.getByRole('status')).toHaveTextContent('This order has expired and can no longer be paid.');
    expect(screen.getByRole('link', { name: 'Buy again' })).toHaveAttribute('href', '/settings/credits#buy');
    await elapse(POLL_INTERVAL_MS * 5);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(router.refresh).not.toHaveBeenCalled();
  });

  it('keeps polling through failed requests', async () => {
    fetchMock
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
      .mockResolvedValueOnce(Response.json({ error: 'INTERNAL' }, { status: 500 }))
      .mockImplementation(async () => answer('paid'));
    await renderIn('en', <WechatOrderStatus orderNo={ORDER} initialStatus="pending" credits={100} />);

    await elapse(POLL_INTERVAL_MS * 2);
    expect(screen.getByRole('status')).toHaveTextContent('Waiting for your payment…');
    await elapse(POLL_INTERVAL_MS);

    expect(fetchMock).toHaveBeenCalledTimes(3);
    expect(screen.getByRole('status')).toHaveTextContent('Payment received: 100 credits added.');
  });

  it('does not poll an order that is already settled', async () => {
    await renderIn('en', <WechatOrderStatus orderNo={ORDER} initialStatus="refunded" credits={100} />);
    await elapse(POLL_INTERVAL_MS * 3);
    expect(fetchMock).not.toHaveBeenCalled();
    expect(screen.getByRole('status')).toHaveTextContent('This order is closed.');
  });

  it('speaks Simplified Chinese', async () => {
    fetchMock.mockImplementation(async () => answer('paid', 2_000));
    await renderIn('zh-CN', <WechatOrderStatus orderNo={ORDER} initialStatus="pending" credits={2_000} />);
    expect(screen.getByRole('status')).toHaveTextContent('正在等待你的付款…');

    await elapse(POLL_INTERVAL_MS);

    expect(screen.getByRole('status')).toHaveTextContent('已收到付款：已添加 2,000 积分。');
    expect(screen.getByRole('link', { name: '返回积分页面' })).toHaveAttribute('href', '/settings/credits');
  });
});
