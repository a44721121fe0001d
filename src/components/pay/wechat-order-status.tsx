'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';
import { BUY_MORE_HREF } from '@/components/credits/buy-href';

/** How often the page asks whether the order was paid. */
export const POLL_INTERVAL_MS = 2_000;

type Phase = 'pending' | 'paid' | 'expired' | 'closed';

/** The payment statuses the order route answers, reduced to what the buyer needs to know. */
function phaseOf(status: string): Phase {
  if (status === 'pending' || status === 'paid') return status;
  if (status === 'expired' || status === 'failed') return 'expired';
  return 'closed';
}

/**
 * The live status of a WeChat order: polls the order route until the order is paid or expired, and
 * says so in a live region. A failed poll (offline, a slow server) is simply retried at the next tick.
 */
export function WechatOrderStatus({
  orderNo,
  initialStatus,
  credits,
}: {
  orderNo: string;
  initialStatus: string;
  credits: number;
}) {
  const t = useTranslations('pay');
  const router = useRouter();
  const [phase, setPhase] = useState<Phase>(phaseOf(initialStatus));
  const [granted, setGranted] = useState(credits);

  useEffect(() => {
    if (phase !== 'pending') return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      try {
        const response = await fetch(`/api/payments/wechat/${encodeURIComponent(orderNo)}`, {
          cache: 'no-store',
        });
        if (response.ok) {
          const order = (await response.json()) as { status?: unknown; credits?: unknown };
          if (!stopped && typeof order.status === 'string') {
            if (typeof order.credits === 'number') setGranted(order.credits);
            const next = phaseOf(order.status);
            if (next !== 'pending') {
              setPhase(next);
              if (next === 'paid') router.refresh();
              return;
            }
          }
        }
      } catch {
        // Offline or the server is busy: the next tick asks again.
      }
      if (!stopped) timer = setTimeout(poll, POLL_INTERVAL_MS);
    };
    timer = setTimeout(poll, POLL_INTERVAL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [phase, orderNo, router]);

  const link = 'text-sm font-medium text-indigo-700 underline-offset-2 hover:underline';
  return (
    <div className="space-y-2">
      <p
        role="status"
        aria-live="polite"
        data-testid="order-status"
        className={
          phase === 'paid'
            ? 'font-medium text-emerald-800'
            : phase === 'pending'
              ? 'text-slate-700'
              : 'text-amber-900'
        }
      >
        {phase === 'paid' ? t('status.paid', { count: granted }) : t(`status.${phase}`)}
      </p>
      {phase === 'paid' && (
        <Link href="/settings/credits" className={link}>
          {t('backToCredits')}
        </Link>
      )}
      {(phase === 'expired' || phase === 'closed') && (
        <Link href={phase === 'expired' ? BUY_MORE_HREF : '/settings/credits'} className={link}>
          {phase === 'expired' ? t('buyAgain') : t('backToCredits')}
        </Link>
      )}
    </div>
  );
}
