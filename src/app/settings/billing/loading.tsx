import { getTranslations } from 'next-intl/server';
import { PageSkeleton } from '@/components/page-skeleton';

export default async function BillingLoading() {
  const t = await getTranslations('billing');
  return <PageSkeleton label={t('loading')} blocks={['h-8 w-40', 'h-32', 'h-64']} />;
}
