import type { Violation } from './calls';
import type { LedgerSnapshot, LogRow } from './ledger-snapshot';

/**
 * The torture's own reference: an independent model of lots, burn order, expiry and refunds, replayed
 * over each user's log in the order the ledger serialised it (by id, under the user's lock). Every row
 * must be exactly what the model would have written at that row's time: a spend takes from the
 * soonest-expiring lots, never-expiring last, and no lot is due when it spends (due lots expire first);
 * a clawback takes from its payment's grant first; an expiry takes the whole remainder of a due lot; a
 * refund returns to its consume's lots, latest-expiring first, and what goes back to an expired lot
 * expires at once. At the end the model's lots equal the database's, and their sum the balance.
 */
interface ModelLot {
  id: number;
  expiresMs: number | null;
  remaining: number;
}

interface UserModel {
  /** Lots with credits left, in burn order. */
  live: ModelLot[];
  all: Map<number, ModelLot>;
  /** consume id -> lot id -> credits taken and not given back yet */
  outstanding: Map<number, Map<number, number>>;
  /** refund id -> lot id -> credits returned to an expired lot, to be expired at once */
  expireAtOnce: Map<number, Map<number, number>>;
  balance: number;
}

type Fail = (detail: string) => void;

export function replayLedger(snapshot: LedgerSnapshot): Violation[] {
  const violations: Violation[] = [];
  const models = new Map<string, UserModel>();
  const grantByPayment = new Map<number, number>();
  for (const row of snapshot.rows) {
    if (row.type === 'GRANT' && row.paymentId !== null) grantByPayment.set(row.paymentId, row.id);
  }

  for (const row of snapshot.rows) {
    const fail: Fail = (detail) =>
      violations.push({
        check: 'model replay',
        detail: `user ${row.userId}, ${row.type} ${row.id} (${row.sourceType}): ${detail}`,
      });
    const model = modelOf(models, row.userId);
    model.balance += row.amount;
    if (row.balanceAfter !== model.balance) fail(`balance_after ${row.balanceAfter}, model ${model.balance}`);
    const actual = snapshot.allocations.get(row.id) ?? new Map<number, number>();
    let expected: Map<number, number>;
    switch (row.type) {
      case 'GRANT':
        expected = grant(row, model, snapshot, fail);
        break;
      case 'CONSUME': {
        const own = row.paymentId === null ? undefined : grantByPayment.get(row.paymentId);
        const ownLot = own === undefined ? undefined : snapshot.lotByGrant.get(own)?.id;
        expected = spend(row, model, ownLot, fail);
        break;
      }
      case 'EXPIRE':
        expected = expiry(row, model, snapshot, fail);
        break;
      case 'REFUND':
        expected = refund(row, model);
        break;
    }
    if (!sameAllocations(actual, expected))
      fail(`allocations ${format(actual)}, model expects ${format(expected)}`);
    apply(row, actual, model);
  }

  for (const [userId, model] of models) {
    let sum = 0;
    for (const lot of model.all.values()) {
      sum += lot.remaining;
      const stored = snapshot.lots.get(lot.id);
      if (stored?.remaining !== lot.remaining) {
        violations.push({
          check: 'model replay',
          detail: `lot ${lot.id}: ${stored?.remaining} left, model ${lot.remaining}`,
        });
      }
    }
    const balance = snapshot.balances.get(userId) ?? 0;
    if (sum !== balance || model.balance !== balance) {
      violations.push({
        check: 'model replay',
        detail: `user ${userId}: balance ${balance}, lots ${sum}, log ${model.balance}`,
      });
    }
    for (const [refundId, pending] of model.expireAtOnce) {
      if (pending.size > 0) {
        violations.push({
          check: 'model replay',
          detail: `refund ${refundId} returned credits to an expired lot that did not expire`,
        });
      }
    }
  }
  return violations;
}

function modelOf(models: Map<string, UserModel>, userId: string): UserModel {
  let model = models.get(userId);
  if (!model) {
    model = { live: [], all: new Map(), outstanding: new Map(), expireAtOnce: new Map(), balance: 0 };
    models.set(userId, model);
  }
  return model;
}

function grant(row: LogRow, model: UserModel, snapshot: LedgerSnapshot, fail: Fail): Map<number, number> {
  const lot = snapshot.lotByGrant.get(row.id);
  if (!lot || lot.amount !== row.amount || lot.expiresMs !== row.expirationMs) {
    fail(`its lot is ${lot ? `${lot.amount} expiring at ${lot.expiresMs}` : 'missing'}`);
    return new Map();
  }
  if (isDue(lot, row.createdMs)) fail('granted a lot already due at its own time');
  const modelLot: ModelLot = { id: lot.id, expiresMs: lot.expiresMs, remaining: 0 };
  model.all.set(lot.id, modelLot);
  setRemaining(model, modelLot, row.amount);
  return new Map();
}

function spend(row: LogRow, model: UserModel, ownLotId: number | undefined, fail: Fail): Map<number, number> {
  // Burn order puts the soonest expiry first, so a due lot, if any, is the first live one.
  const first = model.live[0];
  if (first && isDue(first, row.createdMs)) fail(`spent while lot ${first.id} was due`);
  const take = new Map<number, number>();
  let left = -row.amount;
  const own = ownLotId === undefined ? undefined : model.all.get(ownLotId);
  const order = own && own.remaining > 0 ? [own, ...model.live.filter((lot) => lot !== own)] : model.live;
  for (const lot of order) {
    if (left === 0) break;
    if (isDue(lot, row.createdMs)) continue;
    const amount = Math.min(left, lot.remaining);
    take.set(lot.id, amount);
    left -= amount;
  }
  if (left > 0) fail(`${left} credits not covered by lots valid at its time`);
  return take;
}

function expiry(row: LogRow, model: UserModel, snapshot: LedgerSnapshot, fail: Fail): Map<number, number> {
  if (row.sourceType === 'expired_on_refund') {
    const pending = row.relatedId === null ? undefined : model.expireAtOnce.get(row.relatedId);
    const next = pending?.entries().next().value;
    if (!pending || !next) {
      fail('none of its refund went back to an expired lot');
      return new Map();
    }
    pending.delete(next[0]);
    return new Map([next]);
  }
  const stored = row.relatedId === null ? undefined : snapshot.lotByGrant.get(row.relatedId);
  const lot = stored ? model.all.get(stored.id) : undefined;
  if (!lot || !isDue(lot, row.createdMs)) {
    fail(`expires a lot that is ${lot ? 'not due' : 'not its grant\u2019s'}`);
    return new Map();
  }
  return new Map([[lot.id, lot.remaining]]);
}

function refund(row: LogRow, model: UserModel): Map<number, number> {
  const outstanding = row.relatedId === null ? undefined : model.outstanding.get(row.relatedId);
  const give = new Map<number, number>();
  if (!outstanding) return give;
  const lots = [...outstanding.keys()].map((id) => model.all.get(id) as ModelLot).sort(refundOrder);
  let left = row.amount;
  for (const lot of lots) {
    if (left === 0) break;
    const amount = Math.min(left, outstanding.get(lot.id) ?? 0);
    if (amount === 0) continue;
    give.set(lot.id, amount);
    left -= amount;
  }
  return give;
}

function apply(row: LogRow, allocations: Map<number, number>, model: UserModel): void {
  if (row.type === 'GRANT') return;
  for (const [lotId, amount] of allocations) {
    const lot = model.all.get(lotId);
    if (lot) setRemaining(model, lot, lot.remaining + (row.type === 'REFUND' ? amount : -amount));
  }
  if (row.type === 'CONSUME') model.outstanding.set(row.id, new Map(allocations));
  if (row.type === 'REFUND' && row.relatedId !== null) {
    const outstanding = model.outstanding.get(row.relatedId);
    const atOnce = new Map<number, number>();
    for (const [lotId, amount] of allocations)
      outstanding?.set(lotId, (outstanding.get(lotId) ?? 0) - amount);
    // The refund expires each due lot it refills as its walk reaches it: one EXPIRE row per lot, in the
    // walk's order (not the order the allocations happen to be read in).
    const refilled = [...allocations.keys()].flatMap((id) => model.all.get(id) ?? []).sort(refundOrder);
    for (const lot of refilled) {
      if (isDue(lot, row.createdMs)) atOnce.set(lot.id, allocations.get(lot.id) as number);
    }
    if (atOnce.size > 0) model.expireAtOnce.set(row.id, atOnce);
  }
}

/** Keeps `live` in burn order: soonest expiry first, never-expiring last, ties by creation (id). */
function setRemaining(model: UserModel, lot: ModelLot, remaining: number): void {
  const wasLive = lot.remaining > 0;
  lot.remaining = remaining;
  if (wasLive === remaining > 0) return;
  if (!wasLive) {
    let low = 0;
    let high = model.live.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (burnsBefore(model.live[middle] as ModelLot, lot)) low = middle + 1;
      else high = middle;
    }
    model.live.splice(low, 0, lot);
  } else {
    model.live.splice(model.live.indexOf(lot), 1);
  }
}

/** A refund gives back to the consume's lots latest-expiring first (never-expiring first of all), newest first on ties. */
function refundOrder(a: ModelLot, b: ModelLot): number {
  return (b.expiresMs ?? Infinity) - (a.expiresMs ?? Infinity) || b.id - a.id;
}

function burnsBefore(a: ModelLot, b: ModelLot): boolean {
  const ea = a.expiresMs ?? Infinity;
  const eb = b.expiresMs ?? Infinity;
  return ea < eb || (ea === eb && a.id < b.id);
}

function isDue(lot: { expiresMs: number | null }, atMs: number): boolean {
  return lot.expiresMs !== null && lot.expiresMs <= atMs;
}

function sameAllocations(a: Map<number, number>, b: Map<number, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [lot, amount] of a) if (b.get(lot) !== amount) return false;
  return true;
}

function format(allocations: Map<number, number>): string {
  return `{${[...allocations].map(([lot, amount]) => `${lot}:${amount}`).join(', ')}}`;
}
