import { describe, expect, it } from 'vitest';
import { currencies, preferredCurrency } from '@/i18n/currency';
import { locales, negotiateLocale } from '@/i18n/locales';
import { loadMessages, namespaces } from '@/i18n/messages';

/** Every key path of a message tree, e.g. `nav.signIn`. */
function keyPaths(tree: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'object' && value !== null
      ? keyPaths(value as Record<string, unknown>, `${prefix}${key}.`)
      : [`${prefix}${key}`],
  );
}

describe('message catalogues', () => {
  it('give English and Simplified Chinese exactly the same keys, none empty', async () => {
    const [en, zh] = await Promise.all(locales.map((locale) => loadMessages(locale)));
    for (const namespace of namespaces) {
      const enKeys = keyPaths(en?.[namespace] ?? {}).sort();
      expect(keyPaths(zh?.[namespace] ?? {}).sort(), namespace).toEqual(enKeys);
      expect(enKeys.length, `${namespace} has messages`).toBeGreaterThan(0);
    }
    for (const messages of [en, zh]) {
      const empty = keyPaths(messages ?? {}).filter((path) => {
        const value = path
          .split('.')
          .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], messages);
        return typeof value !== 'string' || value.trim() === '';
      });
      expect(empty).toEqual([]);
    }
  });
});

describe('locale and currency negotiation', () => {
  it.each([
    [null, 'en'],
    ['', 'en'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
    ['zh-TW', 'zh-CN'],
    ['en-GB,en;q=0.9,zh;q=0.8', 'en'],
    ['fr-FR,zh;q=0.5,en;q=0.4', 'zh-CN'],
    ['fr-FR,de;q=0.5', 'en'],
    ['en;q=0.2,zh;q=0.9', 'zh-CN'],
    ['zh;q=0,en', 'en'],
  ])('Accept-Language %j gives %s', (header, expected) => {
    expect(negotiateLocale(header)).toBe(expected);
  });

  it('shows CNY to Chinese visitors and USD otherwise, unless the visitor chose', () => {
    expect(preferredCurrency('zh-CN', undefined)).toBe('CNY');
    expect(preferredCurrency('en', undefined)).toBe('USD');
    expect(preferredCurrency('en', 'CNY')).toBe('CNY');
    expect(preferredCurrency('zh-CN', 'EUR')).toBe('CNY');
    expect(currencies).toEqual(['USD', 'CNY']);
  });
});
