'use client';

import { type ErrorBoundaryProps, ErrorPanel } from '@/components/error-panel';

export default function AiError(props: ErrorBoundaryProps) {
  return <ErrorPanel messages="ai.error" {...props} />;
}
