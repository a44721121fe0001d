'use client';

import { type ErrorBoundaryProps, ErrorPanel } from '@/components/error-panel';

export default function CreditsError(props: ErrorBoundaryProps) {
  return <ErrorPanel messages="credits.error" {...props} />;
}
