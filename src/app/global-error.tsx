'use client';

import { useEffect } from 'react';
import type { ErrorBoundaryProps } from '@/components/error-panel';
import './globals.css';

/**
 * The last resort, shown when the root layout itself fails. It replaces the layout, so it renders its
 * own document, and the message catalogues and the reader's locale may be exactly what failed: it says
 * the same thing in English and Simplified Chinese side by side, without next-intl.
 */
export default function GlobalError({ error, retry }: ErrorBoundaryProps) {
  useEffect(() => {
    // Server errors reach the browser as a digest only; it matches the entry in the server's logs.
    console.error(error);
  }, [error]);
  return (
    <html lang="en">
      <body className="min-h-screen">
        <main className="mx-auto max-w-xl px-4 py-16">
          <section
            role="alert"
            aria-labelledby="global-error-heading"
            className="space-y-4 rounded-xl border border-rose-200 bg-rose-50 p-6 text-rose-950"
          >
            <h1 id="global-error-heading" className="text-xl font-semibold">
              Something went wrong <span lang="zh-CN">· 出错了</span>
            </h1>
            <p className="text-sm">
              The page could not be loaded. Nothing was charged. Try again in a moment.
            </p>
            <p className="text-sm" lang="zh-CN">
              页面加载失败，未产生任何扣费。请稍后重试。
            </p>
            <button
              type="button"
              onClick={() => retry()}
              className="rounded-md bg-indigo-700 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-800"
            >
              Try again <span lang="zh-CN">· 重试</span>
            </button>
          </section>
        </main>
      </body>
    </html>
  );
}
