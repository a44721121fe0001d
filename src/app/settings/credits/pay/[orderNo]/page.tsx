import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { getFormatter, getLocale, getTranslations } from 'next-intl/server';
import { renderSVG } from 'uqr';
import { PageHeader, Panel } from '@/components/page-parts';
import { WechatOrderStatus } from '@/components/pay/wechat-order-status';
import { formatMoney, formatUtcDateTime } from '@/i18n/format';
import { requireUser } from '@/lib/session';
import { getWechatOrder, OUT_TRADE_NO, type WechatOrderView } from '@/payment/wechat/orders';

export const dynamic = 'force-dynamic';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('pay');
  return { title: t('title') };
}

/** The WeChat Pay page of one order: its QR code while it can be paid, and its live status. */
export default async function WechatPayPage({ params }: { params: Promise<{ orderNo: string }> }) {
  const { orderNo } = await params;
  if (!OUT_TRADE_NO.test(orderNo)) notFound();
  const user = await requireUser(`/settings/credits/pay/${orderNo}`);
  const order = await getWechatOrder(user.id, orderNo);
  if (!order) notFound();
  const [t, format, locale] = await Promise.all([getTranslations('pay'), getFormatter(), getLocale()]);
  const expiresAt = order.expiresAt ? new Date(order.expiresAt) : null;
  const item = order.scene.startsWith('credits_')
    ? t('order.pack', { id: order.scene.slice('credits_'.length) })
    : t('order.lifetime');
  const facts: Array<[string, string]> = [
    [t('order.item'), item],
    [t('order.amount'), formatMoney(format, order.amountMinor, order.currency)],
    [t('order.credits'), t('order.creditsValue', { count: order.credits })],
    [t('order.number'), order.outTradeNo],
  ];
  return (
    <div className="space-y-8">
      <PageHeader title={t('title')} description={t('description')} />
      <div className="grid gap-6 md:grid-cols-2">
        <Panel headingId="pay-qr-heading" heading={t('qr.heading')}>
          <QrCode order={order} label={t('qr.label')} unavailable={t('qr.unavailable')} />
          {order.status === 'pending' && order.codeUrl && (
            <p className="mt-4 text-sm text-slate-700">{t('qr.instructions')}</p>
          )}
          <div className="mt-4">
            <WechatOrderStatus
              orderNo={order.outTradeNo}
              initialStatus={order.status}
              credits={order.credits}
            />
          </div>
        </Panel>
        <Panel headingId="pay-order-heading" heading={t('order.heading')}>
          <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
            {facts.map(([term, value]) => (
              <div key={term} className="contents">
                <dt className="text-slate-600">{term}</dt>
                <dd className="font-medium text-slate-900 break-all">{value}</dd>
              </div>
            ))}
            {expiresAt && (
              <div className="contents">
                <dt className="text-slate-600">{t('order.expires')}</dt>
                <dd className="font-medium text-slate-900">
                  <time dateTime={expiresAt.toISOString()}>
                    {t('dateTime', { date: formatUtcDateTime(expiresAt, locale) })}
                  </time>
                </dd>
              </div>
            )}
          </dl>
          <Link
            href="/settings/credits"
            className="mt-4 inline-block text-sm font-medium text-indigo-700 underline-offset-2 hover:underline"
          >
            {t('backToCredits')}
          </Link>
        </Panel>
      </div>
    </div>
  );
}

/** The code_url as an inline SVG QR code, only while the order can still be paid. */
function QrCode({
  order,
  label,
  unavailable,
}: {
  order: WechatOrderView;
  label: string;
  unavailable: string;
}) {
  if (order.status !== 'pending') return null;
  if (!order.codeUrl) return <p className="text-sm text-amber-900">{unavailable}</p>;
  return (
    <div
      role="img"
      aria-label={label}
      className="mx-auto w-56 max-w-full rounded-lg border border-slate-200 bg-white p-2 [&>svg]:h-auto [&>svg]:w-full"
      // renderSVG builds the markup from the QR matrix alone (rects and paths): no text of ours is in it.
      // biome-ignore lint/security/noDangerouslySetInnerHtml: an SVG string generated locally by uqr.
      dangerouslySetInnerHTML={{ __html: renderSVG(order.codeUrl, { ecc: 'M' }) }}
    />
  );
}
