import { render, screen } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SettingsTabs } from '@/components/settings/settings-tabs';

// The tabs read the current path from the App Router, which is not mounted here.
const navigation = vi.hoisted(() => ({ pathname: '/settings/credits' }));
vi.mock('next/navigation', () => ({ usePathname: () => navigation.pathname }));

const tabs = [
  { href: '/settings/credits', label: 'Credits' },
  { href: '/settings/billing', label: 'Billing' },
];

describe('SettingsTabs', () => {
  beforeEach(() => {
    navigation.pathname = '/settings/credits';
  });

  it('marks the tab of the current page with aria-current="page"', () => {
    render(<SettingsTabs label="Settings" tabs={tabs} />);
    expect(screen.getByRole('navigation', { name: 'Settings' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Credits' }).getAttribute('aria-current')).toBe('page');
    expect(screen.getByRole('link', { name: 'Billing' }).getAttribute('aria-current')).toBeNull();
    expect(screen.getByRole('link', { name: 'Billing' }).getAttribute('href')).toBe('/settings/billing');
  });

  it('follows the path to the billing page', () => {
    navigation.pathname = '/settings/billing';
    render(<SettingsTabs label="设置" tabs={tabs} />);
    expect(screen.getByRole('link', { name: 'Billing' }).getAttribute('aria-current')).toBe('page');
    expect(screen.getByRole('link', { name: 'Credits' }).getAttribute('aria-current')).toBeNull();
  });
});
