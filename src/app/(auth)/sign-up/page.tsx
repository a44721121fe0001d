import { siteConfig } from '@site-config';
import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { SignUpForm } from '@/components/auth/sign-up-form';
import { type AuthPageProps, returnTargetOrRedirect } from '../return-target';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('auth.signUp');
  return { title: t('title') };
}

export default async function SignUpPage(props: AuthPageProps) {
  const next = await returnTargetOrRedirect(props);
  const t = await getTranslations('auth.signUp');
  const { amount, expiresInDays } = siteConfig.credits.registerGift;
  return (
    <section aria-labelledby="sign-up-heading" className="space-y-6">
      <div className="space-y-2">
        <h1 id="sign-up-heading" className="text-2xl font-semibold text-slate-900">
          {t('title')}
        </h1>
        <p className="text-slate-700">
          {expiresInDays === null
            ? t('giftPermanent', { amount })
            : t('giftExpiring', { amount, days: expiresInDays })}
        </p>
      </div>
      <SignUpForm next={next} />
    </section>
  );
}
