import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { HistoryFilter } from '@/components/credits/history-filter';
import { HistoryPagination } from '@/components/credits/history-pagination';
import { renderIn } from '../render';

describe('HistoryPagination', () => {
  it('links both ways in the middle, carrying the cursor and keeping the type filter and range', async () => {
    await renderIn(
      'en',
      <HistoryPagination view={{ range: 90, type: 'CONSUME' }} nextCursor="bzEy" prevCursor="bjIw" />,
    );
    expect(screen.getByRole('link', { name: 'Older' }).getAttribute('href')).toBe(
      '/settings/credits?range=90&type=CONSUME&cursor=bzEy#history',
    );
    expect(screen.getByRole('link', { name: 'Newer' }).getAttribute('href')).toBe(
      '/settings/credits?range=90&type=CONSUME&cursor=bjIw#history',
    );
  });

  it('shows "newer" as plain text, not as a link, on the first page (zh-CN)', async () => {
    await renderIn('zh-CN', <HistoryPagination view={{ range: 30 }} nextCursor="bzEy" prevCursor={null} />);
    expect(screen.getByRole('navigation', { name: '记录分页' })).toBeTruthy();
    expect(screen.getByRole('link', { name: '较早' }).getAttribute('href')).toBe(
      '/settings/credits?cursor=bzEy#history',
    );
    expect(screen.queryByRole('link', { name: '较新' })).toBeNull();
    const newer = screen.getByText('较新');
    expect(newer.closest('nav')).toBeTruthy();
    expect(newer.closest('a, button, [aria-disabled], [tabindex]')).toBeNull();
  });

  it('shows "older" as plain text on the last page', async () => {
    await renderIn(
      'en',
      <HistoryPagination view={{ range: 30, type: 'GRANT' }} nextCursor={null} prevCursor="bjIw" />,
    );
    expect(screen.queryByRole('link', { name: 'Older' })).toBeNull();
    const older = screen.getByText('Older');
    expect(older.closest('nav')).toBeTruthy();
    expect(older.closest('a, button, [aria-disabled], [tabindex]')).toBeNull();
    expect(screen.getByRole('link', { name: 'Newer' }).getAttribute('href')).toBe(
      '/settings/credits?type=GRANT&cursor=bjIw#history',
    );
  });

  it('renders nothing when everything fits on one page', async () => {
    const { container } = await renderIn(
      'en',
      <HistoryPagination view={{ range: 30 }} nextCursor={null} prevCursor={null} />,
    );
    expect(container.innerHTML).toBe('');
  });
});

describe('HistoryFilter', () => {
  it('offers every type, marks the current one, keeps the range and starts from the newest page', async () => {
    await renderIn('en', <HistoryFilter view={{ range: 90, type: 'REFUND' }} />);
    const links = screen.getAllByRole('link');
    expect(links.map((link) => link.textContent)).toEqual(['All', 'Grant', 'Spend', 'Expiry', 'Refund']);
    expect(links.map((link) => link.getAttribute('href'))).toEqual([
      '/settings/credits?range=90#history',
      '/settings/credits?range=90&type=GRANT#history',
      '/settings/credits?range=90&type=CONSUME#history',
      '/settings/credits?range=90&type=EXPIRE#history',
      '/settings/credits?range=90&type=REFUND#history',
    ]);
    expect(screen.getByRole('link', { name: 'Refund' }).getAttribute('aria-current')).toBe('true');
    expect(screen.getByRole('link', { name: 'All' }).getAttribute('aria-current')).toBeNull();
  });

  it('marks "All" without a filter (zh-CN)', async () => {
    await renderIn('zh-CN', <HistoryFilter view={{ range: 30 }} />);
    expect(screen.getByRole('navigation', { name: '按类型筛选' })).toBeTruthy();
    expect(screen.getByRole('link', { name: '全部' }).getAttribute('aria-current')).toBe('true');
    expect(screen.getByRole('link', { name: '过期' }).getAttribute('href')).toBe(
      '/settings/credits?type=EXPIRE#history',
    );
  });
});
