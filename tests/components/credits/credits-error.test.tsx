import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import CreditsError from '@/app/settings/credits/error';
import { renderIn } from '../render';

describe('the credits page error boundary', () => {
  it.each([
    ['en', 'Your credits could not be loaded', 'Try again'],
    ['zh-CN', '无法加载积分信息', '重试'],
  ] as const)('says what happened and retries on request (%s)', async (locale, title, retryLabel) => {
    const retry = vi.fn();
    vi.spyOn(console, 'error').mockImplementation(() => {});
    await renderIn(locale, <CreditsError error={new Error('boom')} retry={retry} />);
    expect(screen.getByRole('alert')).toBeTruthy();
    expect(screen.getByRole('heading', { name: title })).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: retryLabel }));
    expect(retry).toHaveBeenCalledTimes(1);
  });
});
