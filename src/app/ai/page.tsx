import { siteConfig } from '@site-config';
import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { AiDemo } from '@/components/ai/ai-demo';
import { getCreditBalance } from '@/credits';
import { requireUser } from '@/lib/session';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('ai');
  return { title: t('metaTitle') };
}

/** The example AI feature: a paid prompt, charged before it runs and refunded if it fails. */
export default async function AiPage() {
  const user = await requireUser('/ai');
  const [t, balance] = await Promise.all([getTranslations('ai'), getCreditBalance(user.id)]);
  const cost = siteConfig.credits.costs.aiDemo;
  return (
    <section aria-labelledby="ai-heading" className="mx-auto max-w-2xl space-y-6">
      <div className="space-y-2">
        <h1 id="ai-heading" className="text-2xl font-semibold text-slate-900 sm:text-3xl">
          {t('title')}
        </h1>
        <p className="text-slate-700">{t('intro', { cost })}</p>
        <p className="text-slate-700">{t('failHint')}</p>
      </div>
      <AiDemo cost={cost} initialBalance={balance.available} />
    </section>
  );
}
