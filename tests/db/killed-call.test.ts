import type { Sql } from 'postgres';
import { describe, expect, it } from 'vitest';
import { addCredits, consumeCredits } from '@/credits/server';
import { getSql } from '@/db';
import {
  balanceOf,
  concurrentPool,
  createUser,
  expectLedgerConsistent,
  untilWaitingForLock,
} from '../factories';

/** A ledger call whose connection is killed while it is in flight (see also unavailable.test.ts). */
describe('a call whose connection dies mid-flight', () => {
  it('answers unknown when its connection is killed mid-call, and the keyed retry has one effect', async () => {
    const userId = await createUser();
    await addCredits({ userId, amount: 10, sourceType: 'manual' });
    // Hold the user's lock so that the spend is in flight, waiting, when its connection is killed.
    const holder: Sql = concurrentPool(1);
    let release = () => {};
    let locked = () => {};
    const lockTaken = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const held = holder.begin(async (tx) => {
      await tx`SELECT 1 FROM user_credit WHERE user_id = ${userId} FOR UPDATE`;
      locked();
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    await lockTaken;
    const spend = consumeCredits({ userId, amount: 3, sourceType: 'ai_call', idempotencyKey: 'killed:1' });
    const failed = spend.then(
      () => undefined,
      (error: unknown) => error,
    );
    await untilWaitingForLock();
    await getSql()`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    expect(await failed).toMatchObject({ code: 'LEDGER_UNAVAILABLE', details: { outcome: 'unknown' } });
    release();
    await held;
    await holder.end();

    const retry = await consumeCredits({
      userId,
      amount: 3,
      sourceType: 'ai_call',
      idempotencyKey: 'killed:1',
    });
    expect(retry).toMatchObject({ ok: true, balance: 7 });
    expect(await balanceOf(userId)).toBe(7);
    await expectLedgerConsistent();
  });
});
