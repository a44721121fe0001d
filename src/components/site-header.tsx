import { siteConfig } from '@site-config';
import Link from 'next/link';
import { unstable_rethrow } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { getSession } from '@/lib/session';
import { LanguageSwitcher } from './language-switcher';
import { SignOutButton } from './sign-out-button';

const linkClass =
  'whitespace-nowrap rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-200';

/**
 * The session, or null when it cannot be read. The header is on every page, so a database outage must not
 * take the whole layout down with it: the reader gets the signed-out header and the pages that need the
 * session fail on their own, inside their error boundaries. Next.js's own control-flow errors still
 * propagate.
 */
async function headerSession() {
  try {
    return await getSession();
  } catch (error) {
    unstable_rethrow(error);
    console.error('site header: could not read the session; showing the signed-out header', error);
    return null;
  }
}

export async function SiteHeader() {
  const t = await getTranslations('common');
  const session = await headerSession();
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
        <Link href="/" className="mr-2 text-base font-semibold text-slate-900">
          {siteConfig.name}
        </Link>
        <nav aria-label={t('nav.label')} className="flex flex-1 flex-wrap items-center gap-1">
          {session ? (
            <>
              <Link href="/settings/credits" className={linkClass}>
                {t('nav.credits')}
              </Link>
              <Link href="/settings/billing" className={linkClass}>
                {t('nav.billing')}
              </Link>
              <Link href="/ai" className={linkClass}>
                {t('nav.ai')}
              </Link>
            </>
          ) : null}
        </nav>
        <div className="flex flex-wrap items-center gap-2">
          <LanguageSwitcher />
          {session ? (
            <>
              <span
                className="hidden max-w-64 truncate text-sm text-slate-600 lg:inline"
                title={session.user.email}
                data-testid="signed-in-email"
              >
                {t('nav.signedInAs', { email: session.user.email })}
              </span>
              <SignOutButton />
            </>
          ) : (
            <>
              <Link href="/sign-in" className={linkClass}>
                {t('nav.signIn')}
              </Link>
              <Link
                href="/sign-up"
                className="rounded-md bg-indigo-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-800"
              >
                {t('nav.signUp')}
              </Link>
            </>
          )}
        </div>
      </div>
    </header>
  );
}
