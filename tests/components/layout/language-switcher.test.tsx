import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LanguageSwitcher } from '@/components/language-switcher';
import { renderIn } from '../render';

const actions = vi.hoisted(() => ({ setLocale: vi.fn(async (_data: FormData) => {}) }));
vi.mock('@/i18n/actions', () => actions);

afterEach(() => {
  actions.setLocale.mockClear();
});

describe.each([
  ['en', 'Language', 'English', '简体中文'],
  ['zh-CN', '语言', '简体中文', 'English'],
] as const)('LanguageSwitcher in %s', (locale, groupName, currentName, otherName) => {
  it('offers both languages as buttons in a labelled group, each in its own language, marking the current one', async () => {
    await renderIn(locale, <LanguageSwitcher />);
    const group = within(screen.getByRole('group', { name: groupName }));
    expect(screen.queryByRole('combobox')).toBeNull();
    const english = group.getByRole('button', { name: 'English' });
    const chinese = group.getByRole('button', { name: '简体中文' });
    expect(english).toHaveAttribute('lang', 'en');
    expect(chinese).toHaveAttribute('lang', 'zh-CN');
    for (const button of [english, chinese]) {
      expect(button).toHaveAttribute('type', 'submit');
      expect(button).toHaveAttribute('name', 'locale');
      expect(button).toBeEnabled();
    }
    expect(group.getByRole('button', { name: currentName })).toHaveAttribute('aria-current', 'true');
    expect(group.getByRole('button', { name: otherName })).not.toHaveAttribute('aria-current');
  });

  it('changes language only when a button is pressed, posting its locale to setLocale', async () => {
    const user = userEvent.setup();
    await renderIn(locale, <LanguageSwitcher />);
    const other = screen.getByRole('button', { name: otherName });
    // Moving through both buttons changes nothing (WCAG 3.2.1/3.2.2): only pressing one does.
    await user.tab();
    await user.tab();
    expect(screen.getByRole('button', { name: '简体中文' })).toHaveFocus();
    if (other.textContent === 'English') await user.tab({ shift: true });
    expect(other).toHaveFocus();
    expect(actions.setLocale).not.toHaveBeenCalled();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(actions.setLocale).toHaveBeenCalledTimes(1));
    const data = actions.setLocale.mock.calls[0]?.[0];
    expect(data?.get('locale')).toBe(otherName === 'English' ? 'en' : 'zh-CN');
  });
});
