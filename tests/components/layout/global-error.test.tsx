import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import GlobalError from '@/app/global-error';

// The root boundary renders a whole document and runs without the intl provider (it may be what failed),
// so it is rendered on its own, as Next.js does when the root layout throws.
function renderDocument(ui: React.ReactElement) {
  return render(ui, { container: document });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('GlobalError', () => {
  it('renders its own document saying what happened in English and Chinese, and retries', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const error = Object.assign(new Error('layout failed'), { digest: '123' });
    const retry = vi.fn();
    renderDocument(<GlobalError error={error} retry={retry} />);
    expect(document.documentElement).toHaveAttribute('lang', 'en');
    const alert = screen.getByRole('alert');
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Something went wrong · 出错了');
    expect(alert).toHaveTextContent('The page could not be loaded. Nothing was charged.');
    const chinese = screen.getByText('页面加载失败，未产生任何扣费。请稍后重试。');
    expect(chinese).toHaveAttribute('lang', 'zh-CN');
    expect(log.mock.calls).toEqual([[error]]);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Try again · 重试' }));
    expect(retry).toHaveBeenCalledTimes(1);
  });
});
