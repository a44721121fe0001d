'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

/** The settings sub-navigation; the tab for the current page carries aria-current="page". */
export function SettingsTabs({ label, tabs }: { label: string; tabs: { href: string; label: string }[] }) {
  const pathname = usePathname();
  return (
    <nav aria-label={label} className="mb-8 border-b border-slate-200">
      <ul className="-mb-px flex gap-6 text-sm">
        {tabs.map((tab) => {
          const current = pathname === tab.href || pathname.startsWith(`${tab.href}/`);
          return (
            <li key={tab.href}>
              <Link
                href={tab.href}
                aria-current={current ? 'page' : undefined}
                className={`inline-block border-b-2 px-1 pb-3 font-medium ${
                  current
                    ? 'border-indigo-700 text-indigo-800'
                    : 'border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900'
                }`}
              >
                {tab.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
