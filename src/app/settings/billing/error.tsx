'use client';

import { type ErrorBoundaryProps, ErrorPanel } from '@/components/error-panel';

export default function BillingError(props: ErrorBoundaryProps) {
  return <ErrorPanel messages="billing.error" {...props} />;
}
