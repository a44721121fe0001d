import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { SignInForm } from '@/components/auth/sign-in-form';
import { type AuthPageProps, returnTargetOrRedirect } from '../return-target';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('auth.signIn');
  return { title: t('title') };
}

export default async function SignInPage(props: AuthPageProps) {
  const next = await returnTargetOrRedirect(props);
  const t = await getTranslations('auth.signIn');
  return (
    <section aria-labelledby="sign-in-heading" className="space-y-6">
      <div className="space-y-2">
        <h1 id="sign-in-heading" className="text-2xl font-semibold text-slate-900">
          {t('title')}
        </h1>
        <p className="text-slate-700">{t('intro')}</p>
      </div>
      <SignInForm next={next} />
    </section>
  );
}
