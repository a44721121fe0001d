import { useFormatter, useLocale, useTranslations } from 'next-intl';
import { Panel } from '@/components/page-parts';
import { formatUtcDay } from '@/i18n/format';
import type { CreditsView } from './href';
import { RangeToggle } from './range-toggle';

export interface ChartPoint {
  /** Midnight UTC of the day. */
  day: Date;
  /** The balance at the end of the day. */
  balance: number;
}

const WIDTH = 1000;
const HEIGHT = 200;

/**
 * The top of the y axis: the smallest round number (1, 2, 4, 6 or 8 times a power of ten, at least 2) at
 * or above `value`, so that it and its half, the middle gridline, are whole numbers.
 */
export function niceCeiling(value: number): number {
  if (value <= 2) return 2;
  const power = 10 ** Math.floor(Math.log10(value));
  const factor = [1, 2, 4, 6, 8, 10].find((candidate) => candidate * power >= value) ?? 10;
  return factor * power;
}

/** SVG coordinates of the points, oldest at the left; the y axis runs from 0 to `top`. */
export function chartCoordinates(points: ChartPoint[], top: number): string {
  const last = Math.max(points.length - 1, 1);
  return points
    .map((point, index) => {
      const x = (index / last) * WIDTH;
      const y = HEIGHT - (point.balance / top) * HEIGHT;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

/**
 * The balance at the end of each UTC day, hand-drawn in SVG. The drawing is decorative for assistive
 * technology: a summary says what it shows, and a visually hidden table lists every day.
 */
export function BalanceChart({ points, view }: { points: ChartPoint[]; view: CreditsView }) {
  const t = useTranslations('credits.chart');
  const format = useFormatter();
  const locale = useLocale();
  const balances = points.map((point) => point.balance);
  const max = Math.max(0, ...balances);
  const first = points[0];
  const last = points[points.length - 1];
  return (
    <Panel id="chart" headingId="chart-heading" heading={t('heading')} aside={<RangeToggle view={view} />}>
      {max === 0 || !first || !last ? (
        <p className="rounded-lg border border-dashed border-slate-300 p-6 text-center text-slate-700">
          {t('empty', { days: view.range })}
        </p>
      ) : (
        <figure>
          <Plot points={points} top={niceCeiling(max)} />
          <div className="mt-1 ml-14 flex justify-between text-xs text-slate-600" aria-hidden="true">
            <span>{t('axisDay', { day: formatUtcDay(first.day, locale) })}</span>
            <span>{t('axisDay', { day: formatUtcDay(last.day, locale) })}</span>
          </div>
          <figcaption className="mt-3 text-sm text-slate-700">
            {t('summary', {
              days: view.range,
              start: first.balance,
              end: last.balance,
              min: Math.min(...balances),
              max,
            })}
          </figcaption>
          {/* Tables ignore overflow, so the visually hidden wrapper is a div: a hidden table stays hidden. */}
          <div className="sr-only">
            <table>
              <caption>{t('tableCaption', { days: view.range })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('columns.day')}</th>
                  <th scope="col">{t('columns.balance')}</th>
                </tr>
              </thead>
              <tbody>
                {points.map((point) => (
                  <tr key={point.day.toISOString()}>
                    <th scope="row">{formatUtcDay(point.day, locale)}</th>
                    <td>{format.number(point.balance)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </figure>
      )}
    </Panel>
  );
}

function Plot({ points, top }: { points: ChartPoint[]; top: number }) {
  const format = useFormatter();
  const line = chartCoordinates(points, top);
  return (
    <div className="grid grid-cols-[3rem_1fr] gap-2" aria-hidden="true">
      <div className="flex h-48 flex-col justify-between text-right text-xs tabular-nums text-slate-600">
        <span>{format.number(top)}</span>
        <span>{format.number(top / 2)}</span>
        <span>0</span>
      </div>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        aria-hidden="true"
        className="h-48 w-full overflow-visible"
        data-testid="balance-chart-plot"
      >
        {[0, HEIGHT / 2, HEIGHT].map((y) => (
          <line
            key={y}
            x1={0}
            x2={WIDTH}
            y1={y}
            y2={y}
            className="stroke-slate-200"
            strokeWidth={1}
            vectorEffect="non-scaling-stroke"
          />
        ))}
        <polygon points={`0,${HEIGHT} ${line} ${WIDTH},${HEIGHT}`} className="fill-indigo-100/70" />
        <polyline
          points={line}
          fill="none"
          className="stroke-indigo-700"
          strokeWidth={2}
          strokeLinejoin="round"
          vectorEffect="non-scaling-stroke"
        />
      </svg>
    </div>
  );
}
