import type { Sql, TransactionSql } from 'postgres';
import { isCreditsError, type UnavailableDetails, unavailableError } from '@/credits/errors';
import {
  addCredits,
  clawbackCredits,
  consumeCredits,
  expireDueCredits,
  refundCredits,
} from '@/credits/server';
import { getSql } from '@/db';
import type { CallRecord, Outcome } from './calls';
import { Random } from './random';

/**
 * The torture workload: workers issuing every ledger primitive through the app's own pool, keyed and
 * unkeyed, some inside a caller's transaction (some with a tiny statement timeout, some rolled back on
 * purpose), keyed calls retried with their key when the answer is unknown and sometimes sent twice at
 * once, refunds of one consume racing each other, payment grants claimed and redelivered, clawbacks
 * recorded as the payment module records them, and the expiry job, all on a ledger clock that moves
 * forward in jumps (and, now and then, a call with a clock a little behind). Every call is recorded with
 * what it answered; the checks compare those records with the log.
 */

/** The ledger's clock: real time sped up, plus jumps. */
export class LedgerClock {
  private offsetMs = 0;
  private readonly startedAt = Date.now();

  constructor(
    private readonly baseMs: number,
    private readonly speed: number,
  ) {}

  now(): Date {
    return new Date(this.baseMs + (Date.now() - this.startedAt) * this.speed + this.offsetMs);
  }

  jump(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface WorkloadOptions {
  ops: number;
  workers: number;
  users: string[];
  seed: number;
  clock: LedgerClock;
  /** Called before each call with its sequence number (the chaos schedules server crashes on it). */
  beforeCall: (sequence: number) => void;
  /** A call that has not answered after this long is a hang (a violation). */
  hangAfterMs: number;
}

export interface WorkloadResult {
  calls: CallRecord[];
  hangs: CallRecord[];
  elapsedMs: number;
}

type Mode = 'plain' | 'commit' | 'rollback' | 'tiny_timeout';
type Action = (sql: Sql | TransactionSql | undefined, now: Date) => Promise<Record<string, unknown>>;

interface Consumed {
  id: number;
  amount: number;
}

interface Paid {
  id: number;
  credits: number;
  asked: number;
}

const HOUR_MS = 3_600_000;

class PurposefulRollback extends Error {
  constructor(readonly result: Record<string, unknown>) {
    super('rolled back on purpose');
  }
}

export async function runWorkload(options: WorkloadOptions): Promise<WorkloadResult> {
  const calls: CallRecord[] = [];
  const hangs: CallRecord[] = [];
  const consumes = new Map<string, Consumed[]>();
  const payments = new Map<string, Paid[]>();
  let nextSequence = 0;
  const startedAt = Date.now();

  function record(fields: Omit<CallRecord, 'id' | 'outcome' | 'attempts' | 'latencyMs'>): CallRecord {
    const call: CallRecord = {
      ...fields,
      id: calls.length + 1,
      outcome: 'unknown',
      attempts: 0,
      latencyMs: 0,
    };
    calls.push(call);
    return call;
  }

  async function settle(call: CallRecord, action: Action, mode: Mode, random: Random): Promise<void> {
    let finished = false;
    const now = options.clock.now();
    try {
      const result =
        mode === 'plain'
          ? await action(undefined, now)
          : await getSql().begin(async (tx) => {
              if (mode === 'tiny_timeout') {
                await tx`SELECT set_config('statement_timeout', ${String(random.int(1, 4))}, true)`;
              }
              const answer = await action(tx, now);
              finished = true;
              if (mode === 'rollback') throw new PurposefulRollback(answer);
              return answer;
            });
      call.result = result as Record<string, unknown>;
      call.outcome = result.ok === false ? 'refused' : 'ok';
      call.errorCode = undefined;
    } catch (error) {
      call.result = undefined;
      if (error instanceof PurposefulRollback) {
        call.result = error.result;
        call.rolledBackOnPurpose = true;
        call.outcome = 'not_applied';
        return;
      }
      // In a caller's transaction, the caller's own statements (BEGIN, COMMIT, its inserts) fail with the
      // driver's errors; a plain call is one primitive, which must never throw anything untyped.
      const typed = isCreditsError(error) ? error : mode === 'plain' ? undefined : unavailableError(error);
      call.errorCode = typed ? typed.code : `untyped:${describe(error)}`;
      call.errorNote = `${mode}, ${describe(error)}, cause ${String((typed?.details as UnavailableDetails | undefined)?.cause)}, work ${finished ? 'finished' : 'unfinished'}, attempt ${call.attempts}`;
      // Work inside a caller's transaction that failed before COMMIT was sent was certainly rolled back,
      // and an error of the COMMIT itself leaves the outcome unknown, whatever its code (a statement
      // timeout can be reported for a COMMIT that did commit). A plain call is certainly not applied when
      // the ledger says so: the checks hold it to that.
      const certainlyRolledBack =
        mode !== 'plain'
          ? !finished
          : typed?.code === 'LEDGER_UNAVAILABLE' &&
            (typed.details as UnavailableDetails).outcome === 'not_applied';
      const refusedAtItsClock =
        typed?.code === 'INVALID_INPUT' &&
        call.expiresAt !== undefined &&
        /not after now/.test(typed.message);
      const outcome: Outcome = refusedAtItsClock
        ? 'invalid'
        : certainlyRolledBack
          ? 'not_applied'
          : 'unknown';
      call.outcome = outcome;
    }
  }

  /**
   * Runs a call, retrying it (a keyed call with its key, as a client would) while its outcome is not known
   * to be final.
   */
  async function run(
    call: CallRecord,
    action: Action,
    mode: Mode,
    random: Random,
    retry = call.key !== undefined,
  ) {
    const attempts = retry ? 4 : 1;
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      call.attempts += 1;
      const started = performance.now();
      // A retry is a plain call, or a plain transaction for work that needs one (no timeout, no rollback).
      const answered = settle(call, action, attempt === 0 || mode === 'plain' ? mode : 'commit', random);
      let timer: NodeJS.Timeout | undefined;
      const hung = await Promise.race([
        answered.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), options.hangAfterMs);
        }),
      ]);
      clearTimeout(timer);
      call.latencyMs = performance.now() - started;
      if (hung) {
        hangs.push(call);
        call.hung = true;
        // Whatever it answers later, the caller gave up: its outcome is unknown to the checks. A call that
        // never answers at all is left behind, so the run still ends.
        await Promise.race([answered, sleep(options.hangAfterMs * 4)]);
        call.outcome = call.outcome === 'ok' || call.outcome === 'refused' ? 'unknown' : call.outcome;
        return;
      }
      if (call.rolledBackOnPurpose || (call.outcome !== 'unknown' && call.outcome !== 'not_applied')) return;
      if (attempt + 1 < attempts) await sleep(random.int(1, 40));
    }
  }

  function userFor(random: Random): string {
    // Two hot users take a third of the calls: contention on one row is the common case, not the corner.
    const hot = options.users.slice(0, 2);
    return random.chance(0.33) ? random.pick(hot) : random.pick(options.users);
  }

  function modeFor(random: Random): Mode {
    const roll = random.next();
    if (roll < 0.08) return 'tiny_timeout';
    if (roll < 0.13) return 'commit';
    if (roll < 0.15) return 'rollback';
    return 'plain';
  }

  async function grant(userId: string, random: Random): Promise<void> {
    const expiring = random.chance(0.6);
    const base = record({ kind: 'grant', userId, amount: random.int(1, 200), sourceType: 'manual' });
    if (random.chance(0.3)) base.key = `grant:${base.id}`;
    const action =
      (call: CallRecord): Action =>
      (sql, now) => {
        // A short expiry relative to the clock, so that lots fall due throughout the run.
        if (expiring) call.expiresAt = new Date(now.getTime() + random.int(1, 3 * HOUR_MS));
        return addCredits(
          {
            userId,
            amount: call.amount as number,
            sourceType: 'manual',
            expirationDate: call.expiresAt,
            idempotencyKey: call.key,
            metadata: { t: call.id },
          },
          { sql, now },
        );
      };
    await withTwin(base, action, modeFor(random), random);
  }

  async function consume(userId: string, random: Random): Promise<void> {
    const sourceType = random.chance(0.8) ? 'ai_call' : 'image_generation';
    const base = record({ kind: 'consume', userId, amount: random.int(1, 60), sourceType });
    if (random.chance(0.4)) base.key = `spend:${base.id}`;
    const action =
      (call: CallRecord): Action =>
      (sql, now) =>
        consumeCredits(
          {
            userId,
            amount: call.amount as number,
            sourceType,
            idempotencyKey: call.key,
            metadata: { t: call.id },
          },
          { sql, now },
        );
    await withTwin(base, action, modeFor(random), random);
  }

  /** Keyed calls are sometimes sent twice at once with the same key, as a client that retries too early. */
  async function withTwin(
    base: CallRecord,
    action: (call: CallRecord) => Action,
    mode: Mode,
    random: Random,
  ): Promise<void> {
    if (base.key !== undefined && random.chance(0.08)) {
      const twin = record({
        kind: base.kind,
        userId: base.userId,
        amount: base.amount,
        sourceType: base.sourceType,
        key: base.key,
      });
      await Promise.all([run(base, action(base), mode, random), run(twin, action(twin), 'plain', random)]);
      rememberConsume(twin);
    } else {
      await run(base, action(base), mode, random);
    }
    rememberConsume(base);
  }

  function rememberConsume(call: CallRecord): void {
    if (call.kind !== 'consume' || call.outcome !== 'ok' || call.rolledBackOnPurpose) return;
    const id = Number(call.result?.transactionId);
    const list = consumes.get(call.userId) ?? [];
    if (!list.some((entry) => entry.id === id)) list.push({ id, amount: call.amount as number });
    consumes.set(call.userId, list);
  }

  async function refunds(userId: string, random: Random): Promise<void> {
    const list = consumes.get(userId);
    if (!list || list.length === 0) return consume(userId, random);
    const target = random.pick(list);
    const racing = random.int(1, 3);
    await Promise.all(
      Array.from({ length: racing }, () => {
        const amount = random.chance(0.5) ? undefined : random.int(1, target.amount);
        const sourceType = random.chance(0.8) ? 'failed_call' : 'manual_reversal';
        const call = record({ kind: 'refund', userId, amount, sourceType, consumeId: target.id });
        if (random.chance(0.5)) call.key = `refund:${call.id}`;
        const action: Action = (sql, now) =>
          refundCredits(
            {
              userId,
              transactionId: target.id,
              amount,
              sourceType,
              idempotencyKey: call.key,
              metadata: { t: call.id },
            },
            { sql, now },
          );
        return run(call, action, modeFor(random), random);
      }),
    );
  }

  async function paymentGrant(userId: string, random: Random): Promise<void> {
    const call = record({
      kind: 'payment_grant',
      userId,
      amount: random.int(10, 300),
      sourceType: 'credit_pack',
    });
    // As the payment dispatch does: claim the payment row, then grant, in one transaction.
    const action: Action = async (tx, now) => {
      if (!tx) throw new Error('a payment grant runs in a transaction');
      const [claimed] = await tx<{ id: string }[]>`
        INSERT INTO payment (provider, provider_payment_id, user_id, type, scene, amount_minor, currency, status, credits)
        VALUES ('torture', ${`pay_${call.id}`}, ${userId}, 'credit_pack', 'credits_starter', 500, 'USD', 'paid', ${call.amount as number})
        ON CONFLICT (provider, provider_payment_id) DO UPDATE SET updated_at = payment.updated_at
        RETURNING id`;
      call.paymentId = Number(claimed?.id);
      call.key = `credit_pack:${call.paymentId}`;
      return addCredits(
        {
          userId,
          amount: call.amount as number,
          sourceType: 'credit_pack',
          paymentId: call.paymentId,
          idempotencyKey: call.key,
          metadata: { t: call.id },
        },
        { sql: tx, now },
      );
    };
    // Always retried: like a webhook, the provider delivers again until it is answered.
    await run(call, action, 'commit', random, true);
    if (call.outcome !== 'ok') return;
    const list = payments.get(userId) ?? [];
    list.push({ id: call.paymentId as number, credits: call.amount as number, asked: 0 });
    payments.set(userId, list);
    if (random.chance(0.1)) await redeliver(userId, call, random);
  }

  /** A second delivery of a granted payment under another key: the payment must not grant again. */
  async function redeliver(userId: string, original: CallRecord, random: Random): Promise<void> {
    const call = record({
      kind: 'payment_grant',
      userId,
      amount: original.amount,
      sourceType: 'credit_pack',
      paymentId: original.paymentId,
      key: `credit_pack:${original.paymentId}:again`,
    });
    const action: Action = (sql, now) =>
      addCredits(
        {
          userId,
          amount: call.amount as number,
          sourceType: 'credit_pack',
          paymentId: call.paymentId,
          idempotencyKey: call.key,
          metadata: { t: call.id },
        },
        { sql, now },
      );
    await run(call, action, 'plain', random);
  }

  async function clawback(userId: string, random: Random): Promise<void> {
    const open = (payments.get(userId) ?? []).filter((payment) => payment.asked < payment.credits);
    if (open.length === 0) return paymentGrant(userId, random);
    const payment = random.pick(open);
    const amount = random.int(1, payment.credits - payment.asked);
    // Reserved before the call and never given back, so the refunds of a payment never ask for more than
    // it bought, whatever the outcome of this one.
    payment.asked += amount;
    const call = record({
      kind: 'clawback',
      userId,
      amount,
      sourceType: 'payment_refunded',
      paymentId: payment.id,
    });
    call.key = `clawback:${call.id}`;
    // As the payment module does: claim the refund's row first, take the credits back, record what was taken.
    const action: Action = async (tx, now) => {
      if (!tx) throw new Error('a clawback runs in a transaction');
      const [claimed] = await tx<{ id: string }[]>`
        INSERT INTO payment_adjustment (payment_id, kind, provider_reference, amount_minor, status, credits_requested, credits_taken)
        VALUES (${payment.id}, 'refund', ${`re_${call.id}`}, 0, 'applied', ${amount}, 0)
        ON CONFLICT DO NOTHING RETURNING id`;
      if (!claimed) return { ok: true, alreadyRecorded: true };
      const taken = await clawbackCredits(
        {
          userId,
          amount,
          paymentId: payment.id,
          sourceType: 'payment_refunded',
          idempotencyKey: call.key,
          metadata: { t: call.id },
        },
        { sql: tx, now },
      );
      await tx`UPDATE payment_adjustment SET credits_taken = ${taken.taken}, clawback_transaction_id = ${taken.transactionId}
        WHERE id = ${claimed.id}`;
      return { ...taken };
    };
    await run(call, action, 'commit', random);
  }

  async function expire(random: Random): Promise<void> {
    const call = record({ kind: 'expire', userId: '-' });
    await run(
      call,
      (_, now) =>
        expireDueCredits({ now, batchSize: 16, timeBudgetMs: 2_000 }) as unknown as Promise<
          Record<string, unknown>
        >,
      'plain',
      random,
    );
  }

  async function worker(index: number): Promise<void> {
    const random = new Random(options.seed * 7919 + index);
    for (;;) {
      const sequence = nextSequence;
      nextSequence += 1;
      if (sequence >= options.ops) return;
      options.beforeCall(sequence);
      if (random.chance(0.0005)) options.clock.jump(random.int(1, 45 * 60_000));
      const userId = userFor(random);
      const roll = random.next();
      if (roll < 0.2) await grant(userId, random);
      else if (roll < 0.25) await paymentGrant(userId, random);
      else if (roll < 0.67) await consume(userId, random);
      else if (roll < 0.83) await refunds(userId, random);
      else if (roll < 0.88) await clawback(userId, random);
      else if (roll < 0.895) await expire(random);
      else if (roll < 0.9) await staleClockConsume(userId, random);
      else await consume(userId, random);
    }
  }

  /** A call whose clock is a little behind the user's latest change: the ledger applies it at that change. */
  async function staleClockConsume(userId: string, random: Random): Promise<void> {
    const call = record({ kind: 'consume', userId, amount: random.int(1, 20), sourceType: 'ai_call' });
    const lagMs = random.int(1, 10 * 60_000);
    await run(
      call,
      (sql, now) =>
        consumeCredits(
          { userId, amount: call.amount as number, sourceType: 'ai_call', metadata: { t: call.id } },
          { sql, now: new Date(now.getTime() - lagMs) },
        ),
      'plain',
      random,
    );
    rememberConsume(call);
  }

  await Promise.all(Array.from({ length: options.workers }, (_, index) => worker(index)));
  return { calls, hangs, elapsedMs: Date.now() - startedAt };
}

function describe(error: unknown): string {
  if (error && typeof error === 'object') {
    const code = 'code' in error ? String(error.code) : '';
    const name = error instanceof Error ? error.name : 'object';
    return code ? `${name}/${code}` : `${name}: ${error instanceof Error ? error.message.slice(0, 80) : ''}`;
  }
  return String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
