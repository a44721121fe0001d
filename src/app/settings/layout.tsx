import { getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import { SettingsTabs } from '@/components/settings/settings-tabs';

/** The settings pages (credits, billing) under one tab bar. Each page checks the session itself. */
export default async function SettingsLayout({ children }: { children: ReactNode }) {
  const [t, nav] = await Promise.all([getTranslations('credits.settingsNav'), getTranslations('common.nav')]);
  return (
    <div>
      <SettingsTabs
        label={t('label')}
        tabs={[
          { href: '/settings/credits', label: nav('credits') },
          { href: '/settings/billing', label: nav('billing') },
        ]}
      />
      {children}
    </div>
  );
}
