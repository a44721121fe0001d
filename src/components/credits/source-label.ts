import type { useTranslations } from 'next-intl';

type CreditsTranslator = ReturnType<typeof useTranslations<'credits'>>;

/**
 * The human-readable name of a `source_type`, from `credits.source.*`. A source type an adopter added
 * to src/credits/source-types.ts without a label yet shows as its identifier rather than failing.
 */
export function sourceLabel(t: CreditsTranslator, sourceType: string): string {
  const key = `source.${sourceType}`;
  return t.has(key) ? t(key) : sourceType;
}
