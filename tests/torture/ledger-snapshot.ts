import type { Sql } from 'postgres';

/** The whole ledger, read once after the run (with no chaos any more), for the checks. */
export interface LogRow {
  id: number;
  userId: string;
  type: 'GRANT' | 'CONSUME' | 'EXPIRE' | 'REFUND';
  amount: number;
  balanceAfter: number;
  sourceType: string;
  key: string | null;
  relatedId: number | null;
  paymentId: number | null;
  expirationMs: number | null;
  /** metadata.t: the torture call that wrote the row (none for rows the ledger writes itself). */
  callId: number | null;
  createdMs: number;
}

export interface Lot {
  id: number;
  userId: string;
  grantId: number;
  amount: number;
  remaining: number;
  expiresMs: number | null;
}

export interface LedgerSnapshot {
  rows: LogRow[];
  byId: Map<number, LogRow>;
  lots: Map<number, Lot>;
  lotByGrant: Map<number, Lot>;
  /** transaction id -> lot id -> amount */
  allocations: Map<number, Map<number, number>>;
  balances: Map<string, number>;
}

const PAGE = 50_000;

export async function readLedger(sql: Sql): Promise<LedgerSnapshot> {
  const rows: LogRow[] = [];
  for (let after = 0; ; ) {
    const page = await sql<Record<string, unknown>[]>`
      SELECT id, user_id, type, amount, balance_after, source_type, idempotency_key, related_transaction_id,
        payment_id, expiration_date, metadata->>'t' AS t, created_at
      FROM credit_transaction WHERE id > ${after} ORDER BY id LIMIT ${PAGE}`;
    for (const row of page) rows.push(toLogRow(row));
    if (page.length < PAGE) break;
    after = rows[rows.length - 1]?.id ?? after;
  }
  const lots = new Map<number, Lot>();
  const lotByGrant = new Map<number, Lot>();
  for (const row of await sql<Record<string, unknown>[]>`
    SELECT id, user_id, grant_transaction_id, amount, remaining, expires_at FROM credit_lot`) {
    const lot: Lot = {
      id: Number(row.id),
      userId: String(row.user_id),
      grantId: Number(row.grant_transaction_id),
      amount: Number(row.amount),
      remaining: Number(row.remaining),
      expiresMs: row.expires_at ? (row.expires_at as Date).getTime() : null,
    };
    lots.set(lot.id, lot);
    lotByGrant.set(lot.grantId, lot);
  }
  const allocations = new Map<number, Map<number, number>>();
  await sql`SELECT transaction_id, lot_id, amount FROM credit_allocation`.cursor(PAGE, (page) => {
    for (const row of page) {
      const byLot = allocations.get(Number(row.transaction_id)) ?? new Map<number, number>();
      byLot.set(Number(row.lot_id), Number(row.amount));
      allocations.set(Number(row.transaction_id), byLot);
    }
  });
  const balances = new Map<string, number>();
  for (const row of await sql<{ user_id: string; current_credits: string }[]>`
    SELECT user_id, current_credits FROM user_credit`) {
    balances.set(row.user_id, Number(row.current_credits));
  }
  return { rows, byId: new Map(rows.map((row) => [row.id, row])), lots, lotByGrant, allocations, balances };
}

function toLogRow(row: Record<string, unknown>): LogRow {
  return {
    id: Number(row.id),
    userId: String(row.user_id),
    type: row.type as LogRow['type'],
    amount: Number(row.amount),
    balanceAfter: Number(row.balance_after),
    sourceType: String(row.source_type),
    key: (row.idempotency_key as string | null) ?? null,
    relatedId: row.related_transaction_id === null ? null : Number(row.related_transaction_id),
    paymentId: row.payment_id === null ? null : Number(row.payment_id),
    expirationMs: row.expiration_date ? (row.expiration_date as Date).getTime() : null,
    callId: row.t === null ? null : Number(row.t),
    createdMs: (row.created_at as Date).getTime(),
  };
}
