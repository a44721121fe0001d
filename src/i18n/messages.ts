import type { Locale } from './locales';

/**
 * Messages are split by namespace (messages/<locale>/<namespace>.json) so that each feature owns its
 * own file. Both locales must have the same keys; tests/i18n/messages.test.ts checks it.
 */
export const namespaces = ['common', 'auth', 'credits', 'billing', 'ai', 'home', 'pay'] as const;
export type Namespace = (typeof namespaces)[number];
export type Messages = Record<Namespace, Record<string, unknown>>;

export async function loadMessages(locale: Locale): Promise<Messages> {
  const entries = await Promise.all(
    namespaces.map(
      async (namespace) =>
        [namespace, (await import(`../../messages/${locale}/${namespace}.json`)).default] as const,
    ),
  );
  return Object.fromEntries(entries) as Messages;
}
