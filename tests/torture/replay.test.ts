import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { addCredits, consumeCredits, refundCredits } from '@/credits/server';
import { createUser, expectLedgerConsistent } from '../factories';
import { type LedgerSnapshot, readLedger } from './ledger-snapshot';
import { replayLedger } from './replay';

/**
 * The torture's reference model, checked on a ledger the real primitives wrote: it must accept what the
 * ledger correctly did however the snapshot happens to be read, and refuse a ledger that did it wrong.
 */
const T0 = Date.parse('2031-03-01T00:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

/** One user's part of the snapshot (the database holds other tests' users too). */
function only(snapshot: LedgerSnapshot, userId: string): LedgerSnapshot {
  const rows = snapshot.rows.filter((row) => row.userId === userId);
  const ids = new Set(rows.map((row) => row.id));
  const lots = new Map([...snapshot.lots].filter(([, lot]) => lot.userId === userId));
  return {
    rows,
    byId: new Map(rows.map((row) => [row.id, row])),
    lots,
    lotByGrant: new Map([...lots.values()].map((lot) => [lot.grantId, lot])),
    allocations: new Map([...snapshot.allocations].filter(([id]) => ids.has(id))),
    balances: new Map([[userId, snapshot.balances.get(userId) ?? 0]]),
  };
}

/** A refund of a consume whose two lots have both expired since: each goes back and expires at once. */
async function refundIntoTwoExpiredLots(): Promise<{ snapshot: LedgerSnapshot; refundId: number }> {
  const userId = await createUser();
  await addCredits({ userId, amount: 5, sourceType: 'manual', expirationDate: at(10) }, { now: at(0) });
  await addCredits({ userId, amount: 7, sourceType: 'manual', expirationDate: at(20) }, { now: at(0) });
  const spent = await consumeCredits({ userId, amount: 12, sourceType: 'ai_call' }, { now: at(1) });
  if (!spent.ok) throw new Error('the spend was refused');
  const refund = await refundCredits(
    { userId, transactionId: spent.transactionId, sourceType: 'failed_call' },
    { now: at(30) },
  );
  if (!refund.ok) throw new Error('the refund was refused');
  await expectLedgerConsistent();
  // Read as the torture reads it: a plain client of its own, with the driver's default types.
  const sql = postgres(process.env.DATABASE_URL as string, { max: 1, onnotice: () => {} });
  try {
    return { snapshot: only(await readLedger(sql), userId), refundId: refund.transactionId };
  } finally {
    await sql.end();
  }
}

describe('the torture model replay', () => {
  it('accepts a refund that expires what it returned to expired lots, in the refund walk order', async () => {
    const { snapshot, refundId } = await refundIntoTwoExpiredLots();
    const expiries = snapshot.rows.filter((row) => row.sourceType === 'expired_on_refund');
    expect(expiries.map((row) => [row.relatedId, -row.amount])).toEqual([
      [refundId, 7], // the later-expiring lot first
      [refundId, 5],
    ]);
    expect(replayLedger(snapshot)).toEqual([]);
  });

  it('does not depend on the order the refund allocations are read in', async () => {
    const { snapshot, refundId } = await refundIntoTwoExpiredLots();
    const read = snapshot.allocations.get(refundId) as Map<number, number>;
    // A heap read after updates and crash recovery may return the refund's allocations in either order.
    snapshot.allocations.set(refundId, new Map([...read].reverse()));
    expect(replayLedger(snapshot)).toEqual([]);
  });

  it('refuses a ledger that expired the returned credits in another order', async () => {
    const { snapshot } = await refundIntoTwoExpiredLots();
    const [first, second] = snapshot.rows.filter((row) => row.sourceType === 'expired_on_refund');
    if (!first || !second) throw new Error('expected two expiries on refund');
    const firstAllocations = snapshot.allocations.get(first.id) as Map<number, number>;
    snapshot.allocations.set(first.id, snapshot.allocations.get(second.id) as Map<number, number>);
    snapshot.allocations.set(second.id, firstAllocations);
    expect(replayLedger(snapshot).map((violation) => violation.check)).toContain('model replay');
  });
});
