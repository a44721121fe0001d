'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { type FormEvent, useId, useState } from 'react';
import { PROMPT_MAX_LENGTH } from '@/ai/limits';
import { type Outcome, requestGeneration } from './request-generation';

interface AiDemoProps {
  cost: number;
  initialBalance: number;
}

/** The prompt form of the AI demo: posts to /api/ai/generate and shows the result and the live balance. */
export function AiDemo({ cost, initialBalance }: AiDemoProps) {
  const t = useTranslations('ai');
  const router = useRouter();
  const id = useId();
  const [prompt, setPrompt] = useState('');
  const [pending, setPending] = useState(false);
  const [balance, setBalance] = useState(initialBalance);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (pending) return;
    if (prompt.trim() === '') {
      setOutcome({ kind: 'empty' });
      return;
    }
    setPending(true);
    setOutcome(null);
    try {
      const next = await requestGeneration(prompt, crypto.randomUUID());
      setOutcome(next.outcome);
      if (next.balance !== undefined) setBalance(next.balance);
      // The header and other server-rendered figures show the balance too.
      if (next.outcome.kind === 'success' || next.outcome.kind === 'refunded') router.refresh();
    } finally {
      setPending(false);
    }
  }

  const hintId = `${id}-hint`;
  const countId = `${id}-count`;
  return (
    <div className="space-y-6">
      <p aria-live="polite" className="text-base font-medium text-slate-900" data-testid="ai-balance">
        {t('balance', { balance })}
      </p>
      <form onSubmit={submit} className="space-y-3" noValidate>
        <label htmlFor={`${id}-prompt`} className="block text-sm font-medium text-slate-900">
          {t('form.label')}
        </label>
        <textarea
          id={`${id}-prompt`}
          name="prompt"
          value={prompt}
          onChange={(event) => setPrompt(event.currentTarget.value)}
          maxLength={PROMPT_MAX_LENGTH}
          rows={5}
          required
          aria-describedby={`${hintId} ${countId}`}
          placeholder={t('form.placeholder')}
          className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-base text-slate-900 placeholder:text-slate-500 focus:border-indigo-700 focus:outline-2 focus:outline-offset-2 focus:outline-indigo-700"
        />
        <div className="flex flex-wrap justify-between gap-2 text-sm text-slate-600">
          <p id={hintId}>{t('form.hint', { max: PROMPT_MAX_LENGTH })}</p>
          <p id={countId}>{t('form.count', { count: prompt.length, max: PROMPT_MAX_LENGTH })}</p>
        </div>
        <button
          type="submit"
          disabled={pending}
          className="w-full rounded-md bg-indigo-700 px-4 py-2 text-base font-medium text-white hover:bg-indigo-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-700 disabled:cursor-not-allowed disabled:opacity-70 sm:w-auto"
        >
          {pending ? t('form.pending') : t('form.submit', { cost })}
        </button>
      </form>
      <div aria-live="polite" aria-busy={pending} data-testid="ai-result">
        {outcome ? <OutcomeView outcome={outcome} /> : null}
      </div>
    </div>
  );
}

function OutcomeView({ outcome }: { outcome: Outcome }) {
  const t = useTranslations('ai');
  const notice = 'rounded-md border px-4 py-3 text-sm';
  const warning = `${notice} border-amber-300 bg-amber-50 text-amber-950`;
  const linkClass = 'font-medium text-indigo-700 underline hover:text-indigo-900';
  switch (outcome.kind) {
    case 'success':
      return (
        <section aria-labelledby="ai-result-heading" className="space-y-2">
          <h2 id="ai-result-heading" className="text-lg font-semibold text-slate-900">
            {t('result.heading')}
          </h2>
          <p className="whitespace-pre-wrap break-words rounded-md bg-slate-50 p-4 text-slate-900">
            {outcome.text}
          </p>
          <p className="text-sm text-slate-600">{t('result.charged', { cost: outcome.cost })}</p>
        </section>
      );
    case 'insufficient':
      return (
        <p className={warning}>
          {t('errors.insufficient', { cost: outcome.cost, balance: outcome.balance })}{' '}
          <Link href={outcome.buyUrl} className={linkClass}>
            {t('errors.buyMore')}
          </Link>
        </p>
      );
    case 'refunded':
      return <p className={warning}>{t('errors.refunded', { refunded: outcome.refunded })}</p>;
    case 'signedOut':
      return (
        <p className={warning}>
          {t('errors.signedOut')}{' '}
          <Link href="/sign-in?next=%2Fai" className={linkClass}>
            {t('errors.signIn')}
          </Link>
        </p>
      );
    case 'invalid':
      return <p className={warning}>{t('errors.invalid', { max: PROMPT_MAX_LENGTH })}</p>;
    default:
      return (
        <p className={`${notice} border-red-300 bg-red-50 text-red-900`}>{t(`errors.${outcome.kind}`)}</p>
      );
  }
}
