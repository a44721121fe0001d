'use client';

import { type ErrorBoundaryProps, ErrorPanel } from '@/components/error-panel';

export default function RootError(props: ErrorBoundaryProps) {
  return <ErrorPanel messages="common.error" {...props} />;
}
