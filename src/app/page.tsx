import { siteConfig } from '@site-config';
import type { Metadata } from 'next';
import Link from 'next/link';
import { getFormatter, getTranslations } from 'next-intl/server';
import { formatMoney } from '@/i18n/format';
import { getSession } from '@/lib/session';

const GUARANTEES = ['noOverdraft', 'exactlyOnce', 'appendOnly', 'fairExpiry'] as const;

const primaryLink =
  'inline-flex items-center rounded-md bg-indigo-700 px-5 py-2.5 text-base font-medium text-white hover:bg-indigo-800';
const secondaryLink =
  'inline-flex items-center rounded-md border border-slate-300 bg-white px-5 py-2.5 text-base font-medium text-slate-800 hover:bg-slate-100';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('home');
  return { title: t('metaTitle') };
}

export default async function HomePage() {
  const t = await getTranslations('home');
  const signedIn = (await getSession()) !== null;
  const { amount, expiresInDays } = siteConfig.credits.registerGift;
  return (
    <div className="space-y-16">
      <section aria-labelledby="hero-heading" className="max-w-3xl space-y-5 pt-4">
        <p className="text-sm font-semibold uppercase tracking-wide text-indigo-700">{t('hero.eyebrow')}</p>
        <h1 id="hero-heading" className="text-4xl font-bold tracking-tight text-slate-900 sm:text-5xl">
          {siteConfig.name}
        </h1>
        <p className="text-lg text-slate-700">{t('hero.lead')}</p>
        <p className="inline-block rounded-md bg-indigo-50 px-3 py-2 font-medium text-indigo-900">
          {expiresInDays === null
            ? t('hero.giftPermanent', { amount })
            : t('hero.giftExpiring', { amount, days: expiresInDays })}
        </p>
        <div className="flex flex-wrap gap-3">
          {signedIn ? (
            <>
              <Link href="/settings/credits" className={primaryLink}>
                {t('cta.credits')}
              </Link>
              <Link href="/ai" className={secondaryLink}>
                {t('cta.ai')}
              </Link>
            </>
          ) : (
            <>
              <Link href="/sign-up" className={primaryLink}>
                {t('cta.signUp')}
              </Link>
              <Link href="/sign-in" className={secondaryLink}>
                {t('cta.signIn')}
              </Link>
            </>
          )}
        </div>
      </section>

      <section aria-labelledby="guarantees-heading" className="space-y-6">
        <h2 id="guarantees-heading" className="text-2xl font-semibold text-slate-900">
          {t('guarantees.heading')}
        </h2>
        <ul className="grid gap-4 sm:grid-cols-2">
          {GUARANTEES.map((key) => (
            <li key={key} className="rounded-lg border border-slate-200 bg-white p-5">
              <h3 className="font-semibold text-slate-900">{t(`guarantees.${key}.title`)}</h3>
              <p className="mt-2 text-slate-700">{t(`guarantees.${key}.body`)}</p>
            </li>
          ))}
        </ul>
      </section>

      <PacksSection />
    </div>
  );
}

async function PacksSection() {
  const t = await getTranslations('home.packs');
  const format = await getFormatter();
  const price = (minor: number, currency: 'USD' | 'CNY') => formatMoney(format, minor, currency);
  // A pack added to the config without a translated name is shown by its id.
  const name = (id: string) => (t.has(`names.${id}`) ? t(`names.${id}`) : id);
  const cell = 'px-4 py-3';
  return (
    <section aria-labelledby="packs-heading" className="space-y-6">
      <h2 id="packs-heading" className="text-2xl font-semibold text-slate-900">
        {t('heading')}
      </h2>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="w-full min-w-[32rem] text-left text-slate-800">
          <caption className="sr-only">{t('caption')}</caption>
          <thead className="bg-slate-100 text-sm text-slate-700">
            <tr>
              <th scope="col" className={cell}>
                {t('pack')}
              </th>
              <th scope="col" className={`${cell} text-right`}>
                {t('credits')}
              </th>
              <th scope="col" className={`${cell} text-right`}>
                {t('priceUsd')}
              </th>
              <th scope="col" className={`${cell} text-right`}>
                {t('priceCny')}
              </th>
              <th scope="col" className={cell}>
                {t('validity')}
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200">
            {siteConfig.credits.packs.map((pack) => (
              <tr key={pack.id}>
                <th scope="row" className={`${cell} font-medium`}>
                  {name(pack.id)}
                </th>
                <td className={`${cell} text-right tabular-nums`}>{format.number(pack.credits)}</td>
                <td className={`${cell} text-right tabular-nums`}>{price(pack.price.USD, 'USD')}</td>
                <td className={`${cell} text-right tabular-nums`}>{price(pack.price.CNY, 'CNY')}</td>
                <td className={cell}>
                  {pack.expiresInDays === null
                    ? t('neverExpires')
                    : t('validFor', { days: pack.expiresInDays })}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
