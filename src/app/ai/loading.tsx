import { getTranslations } from 'next-intl/server';
import { PageSkeleton } from '@/components/page-skeleton';

export default async function AiLoading() {
  const t = await getTranslations('ai');
  return (
    <PageSkeleton label={t('loading')} blocks={['h-8 w-1/2', 'h-4 w-full', 'h-32 w-full', 'h-10 w-40']} />
  );
}
