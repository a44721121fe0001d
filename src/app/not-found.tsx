import Link from 'next/link';
import { getTranslations } from 'next-intl/server';

export default async function NotFound() {
  const t = await getTranslations('common.notFound');
  return (
    <section aria-labelledby="not-found-heading" className="mx-auto max-w-xl space-y-4 py-12 text-center">
      <h1 id="not-found-heading" className="text-3xl font-semibold text-slate-900">
        {t('title')}
      </h1>
      <p className="text-slate-700">{t('body')}</p>
      <Link
        href="/"
        className="inline-flex rounded-md bg-indigo-700 px-4 py-2 font-medium text-white hover:bg-indigo-800"
      >
        {t('home')}
      </Link>
    </section>
  );
}
