import { getTranslations } from 'next-intl/server';
import { PageSkeleton } from '@/components/page-skeleton';

/** In the page's shape: heading, balance card, chart, history. */
export default async function CreditsLoading() {
  const t = await getTranslations('credits');
  return <PageSkeleton label={t('loading')} blocks={['h-12 w-72 max-w-full', 'h-28', 'h-72', 'h-64']} />;
}
