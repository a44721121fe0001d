import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ExpiringNotice } from '@/components/credits/expiring-notice';
import { renderIn } from '../render';

describe('ExpiringNotice', () => {
  const expiration = { amount: 20, expiresAt: new Date('2026-12-22T10:00:00Z') };

  it('gives the exact amount, date, time and time zone in English', async () => {
    await renderIn('en', <ExpiringNotice expiration={expiration} />);
    const notice = screen.getByTestId('expiring-notice');
    expect(notice.querySelector('p')?.textContent).toBe('20 credits expire on 22 Dec 2026, 10:00 UTC');
    expect(within(notice).getByText('22 Dec 2026, 10:00 UTC').getAttribute('datetime')).toBe(
      '2026-12-22T10:00:00.000Z',
    );
  });

  it('gives the same in Simplified Chinese', async () => {
    await renderIn('zh-CN', <ExpiringNotice expiration={expiration} />);
    expect(screen.getByTestId('expiring-notice').querySelector('p')?.textContent).toBe(
      '20 积分将于 2026年12月22日 10:00 UTC 到期',
    );
  });

  it('uses the singular for one credit and shows the time in UTC whatever the instant', async () => {
    await renderIn(
      'en',
      <ExpiringNotice expiration={{ amount: 1, expiresAt: new Date('2027-01-01T23:59:00-05:00') }} />,
    );
    expect(screen.getByTestId('expiring-notice').querySelector('p')?.textContent).toBe(
      '1 credit expires on 2 Jan 2027, 04:59 UTC',
    );
  });

  it.each(['en', 'zh-CN'] as const)('renders nothing when nothing expires (%s)', async (locale) => {
    const { container } = await renderIn(locale, <ExpiringNotice expiration={null} />);
    expect(container.innerHTML).toBe('');
  });
});
