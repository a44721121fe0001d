import type { Sql } from 'postgres';

/**
 * Reconciliation: checks every invariant of docs/ledger.md for every user, read-only. `npm run
 * credits:verify` runs it against DATABASE_URL; the tests run it after every concurrency and property
 * test. An empty list means the ledger is consistent.
 */
export interface LedgerViolation {
  invariant: string;
  userId: string | null;
  detail: string;
}

interface Check {
  invariant: string;
  /** Returns one row per violation, with `user_id` and a human-readable `detail`. */
  query: (sql: Sql) => Promise<{ user_id: string | null; detail: string }[]>;
}

const checks: Check[] = [
  {
    invariant: '1. balance equals the sum of the log',
    query: (sql) => sql`
      SELECT uc.user_id, format('balance %s, log sums to %s', uc.current_credits, coalesce(t.total, 0)) AS detail
      FROM user_credit uc
      LEFT JOIN (SELECT user_id, sum(amount) AS total FROM credit_transaction GROUP BY user_id) t USING (user_id)
      WHERE uc.current_credits <> coalesce(t.total, 0)
      UNION ALL
      SELECT t.user_id, format('log sums to %s but there is no balance row', sum(t.amount))
      FROM credit_transaction t LEFT JOIN user_credit uc USING (user_id)
      WHERE uc.user_id IS NULL GROUP BY t.user_id`,
  },
  {
    invariant: '1. balance equals the unspent remainder of the lots',
    query: (sql) => sql`
      SELECT uc.user_id, format('balance %s, lots hold %s', uc.current_credits, coalesce(l.total, 0)) AS detail
      FROM user_credit uc
      LEFT JOIN (SELECT user_id, sum(remaining) AS total FROM credit_lot GROUP BY user_id) l USING (user_id)
      WHERE uc.current_credits <> coalesce(l.total, 0)`,
  },
  {
    invariant: '1. lifetime totals equal the log per type',
    query: (sql) => sql`
      SELECT uc.user_id, format('lifetime granted/consumed/expired/refunded %s/%s/%s/%s, log %s/%s/%s/%s',
        uc.lifetime_granted, uc.lifetime_consumed, uc.lifetime_expired, uc.lifetime_refunded,
        coalesce(t.granted, 0), coalesce(t.consumed, 0), coalesce(t.expired, 0), coalesce(t.refunded, 0)) AS detail
      FROM user_credit uc
      LEFT JOIN (
        SELECT user_id,
          sum(amount) FILTER (WHERE type = 'GRANT') AS granted, -sum(amount) FILTER (WHERE type = 'CONSUME') AS consumed,
          -sum(amount) FILTER (WHERE type = 'EXPIRE') AS expired, sum(amount) FILTER (WHERE type = 'REFUND') AS refunded
        FROM credit_transaction GROUP BY user_id
      ) t USING (user_id)
      WHERE (uc.lifetime_granted, uc.lifetime_consumed, uc.lifetime_expired, uc.lifetime_refunded)
        <> (coalesce(t.granted, 0), coalesce(t.consumed, 0), coalesce(t.expired, 0), coalesce(t.refunded, 0))`,
  },
  {
    invariant: '1. each balance_after is the running sum of the log',
    query: (sql) => sql`
      SELECT user_id, format('transaction %s has balance_after %s, running sum %s', id, balance_after, running) AS detail
      FROM (
        SELECT id, user_id, balance_after, sum(amount) OVER (PARTITION BY user_id ORDER BY id) AS running
        FROM credit_transaction
      ) t WHERE balance_after <> running`,
  },
  {
    invariant: '2. no balance, lot or amount is negative',
    query: (sql) => sql`
      SELECT user_id, format('balance %s', current_credits) AS detail FROM user_credit WHERE current_credits < 0
      UNION ALL
      SELECT user_id, format('lot %s has remaining %s of %s', id, remaining, amount)
      FROM credit_lot WHERE remaining < 0 OR remaining > amount`,
  },
  {
    invariant: '3. the log is append-only (triggers present and enabled)',
    query: (sql) => sql`
      SELECT NULL::text AS user_id, format('trigger %s is missing or disabled', name) AS detail
      FROM unnest(ARRAY['credit_transaction_append_only', 'credit_transaction_no_truncate',
        'credit_allocation_append_only', 'credit_allocation_no_truncate']) AS name
      WHERE NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = name AND tgenabled = 'O')`,
  },
  {
    invariant: '5. every lot movement is recorded: allocations add up to each row and each lot',
    query: (sql) => sql`
      SELECT t.user_id, format('%s %s of %s has allocations summing to %s', t.type, t.id, t.amount, coalesce(a.total, 0)) AS detail
      FROM credit_transaction t
      LEFT JOIN (SELECT transaction_id, sum(amount) AS total FROM credit_allocation GROUP BY transaction_id) a
        ON a.transaction_id = t.id
      WHERE t.type <> 'GRANT' AND abs(t.amount) <> coalesce(a.total, 0)
      UNION ALL
      SELECT l.user_id, format('lot %s of %s has %s remaining, allocations say %s', l.id, l.amount, l.remaining,
        l.amount - coalesce(m.taken, 0))
      FROM credit_lot l
      LEFT JOIN (
        SELECT a.lot_id, sum(CASE WHEN t.type = 'REFUND' THEN -a.amount ELSE a.amount END) AS taken
        FROM credit_allocation a JOIN credit_transaction t ON t.id = a.transaction_id GROUP BY a.lot_id
      ) m ON m.lot_id = l.id
      WHERE l.remaining <> l.amount - coalesce(m.taken, 0)
      UNION ALL
      SELECT t.user_id, format('GRANT %s has %s lots', t.id, count(l.id))
      FROM credit_transaction t LEFT JOIN credit_lot l ON l.grant_transaction_id = t.id
      WHERE t.type = 'GRANT' GROUP BY t.id, t.user_id HAVING count(l.id) <> 1`,
  },
  {
    invariant: '6. a payment grants at most once, to its own user',
    query: (sql) => sql`
      SELECT t.user_id, format('GRANT %s is for payment %s of user %s', t.id, p.id, p.user_id) AS detail
      FROM credit_transaction t JOIN payment p ON p.id = t.payment_id
      WHERE t.type = 'GRANT' AND p.user_id <> t.user_id
      UNION ALL
      SELECT min(user_id), format('payment %s granted %s times', payment_id, count(*))
      FROM credit_transaction WHERE type = 'GRANT' AND payment_id IS NOT NULL
      GROUP BY payment_id HAVING count(*) > 1`,
  },
  {
    invariant: '7. refunds never exceed their consume',
    query: (sql) => sql`
      SELECT r.user_id, format('consume %s took %s, refunds give back %s', r.related_transaction_id,
        coalesce(-c.amount, 0), sum(r.amount)) AS detail
      FROM credit_transaction r LEFT JOIN credit_transaction c ON c.id = r.related_transaction_id
      WHERE r.type = 'REFUND'
      GROUP BY r.user_id, r.related_transaction_id, c.amount, c.type, c.user_id
      HAVING c.type IS DISTINCT FROM 'CONSUME' OR c.user_id <> r.user_id OR sum(r.amount) > -c.amount`,
  },
  {
    invariant: '8. expiry only removes the unspent remainder of a grant that is due, once',
    query: (sql) => sql`
      SELECT t.user_id, format('EXPIRE %s at %s touches lot %s expiring at %s', t.id, t.created_at, l.id, l.expires_at) AS detail
      FROM credit_transaction t
      JOIN credit_allocation a ON a.transaction_id = t.id
      JOIN credit_lot l ON l.id = a.lot_id
      WHERE t.type = 'EXPIRE' AND (l.expires_at IS NULL OR l.expires_at > t.created_at)
      UNION ALL
      SELECT l.user_id, format('lot %s expired by %s scheduled expiries', l.id, count(*))
      FROM credit_transaction t
      JOIN credit_allocation a ON a.transaction_id = t.id
      JOIN credit_lot l ON l.id = a.lot_id
      WHERE t.type = 'EXPIRE' AND t.source_type <> 'expired_on_refund'
      GROUP BY l.id, l.user_id HAVING count(*) > 1`,
  },
  {
    invariant: '9. every paid payment granted its credits, and only clawbacks take them back',
    query: (sql) => sql`
      SELECT p.user_id, format('payment %s is %s with %s credits but granted nothing', p.id, p.status, p.credits) AS detail
      FROM payment p
      WHERE p.status IN ('paid', 'partially_refunded', 'refunded', 'disputed', 'dispute_lost') AND p.credits > 0
        AND coalesce(p.metadata->>'grant', '') <> 'skipped_period_ended'
        AND NOT EXISTS (SELECT 1 FROM credit_transaction t WHERE t.payment_id = p.id AND t.type = 'GRANT')
      UNION ALL
      SELECT p.user_id, format('payment %s: clawback rows take %s, its refunds and disputes record %s',
        p.id, coalesce(c.taken, 0), coalesce(a.taken, 0))
      FROM payment p
      LEFT JOIN (SELECT payment_id, -sum(amount) AS taken FROM credit_transaction
        WHERE type = 'CONSUME' AND payment_id IS NOT NULL GROUP BY payment_id) c ON c.payment_id = p.id
      LEFT JOIN (SELECT payment_id, sum(credits_taken) AS taken FROM payment_adjustment GROUP BY payment_id) a
        ON a.payment_id = p.id
      WHERE coalesce(c.taken, 0) <> coalesce(a.taken, 0)
      UNION ALL
      SELECT p.user_id, format('payment %s of %s credits: its refunds and disputes ask back %s', p.id, p.credits, a.asked)
      FROM payment p
      JOIN (SELECT payment_id, sum(credits_requested) AS asked FROM payment_adjustment WHERE status <> 'won'
        GROUP BY payment_id) a ON a.payment_id = p.id
      WHERE a.asked > p.credits
      UNION ALL
      SELECT p.user_id, format('won dispute %s took %s and gave back %s', a.id, a.credits_taken, coalesce(r.amount, 0))
      FROM payment_adjustment a JOIN payment p ON p.id = a.payment_id
      LEFT JOIN credit_transaction r ON r.id = a.restore_transaction_id
      WHERE a.status = 'won' AND a.credits_taken <> coalesce(r.amount, 0)`,
  },
  {
    invariant: '10. no spend draws on a lot that had expired at its time',
    query: (sql) => sql`
      SELECT t.user_id, format('CONSUME %s at %s took %s from lot %s, which expired at %s',
        t.id, t.created_at, a.amount, l.id, l.expires_at) AS detail
      FROM credit_transaction t
      JOIN credit_allocation a ON a.transaction_id = t.id
      JOIN credit_lot l ON l.id = a.lot_id
      WHERE t.type = 'CONSUME' AND l.expires_at <= t.created_at
      UNION ALL
      SELECT uc.user_id, format('earliest_expiry_at is %s, but lot %s has %s left and expires at %s',
        coalesce(uc.earliest_expiry_at::text, 'null'), l.id, l.remaining, l.expires_at)
      FROM user_credit uc JOIN credit_lot l ON l.user_id = uc.user_id
      WHERE l.has_remaining AND l.expires_at IS NOT NULL
        AND (uc.earliest_expiry_at IS NULL OR l.expires_at < uc.earliest_expiry_at)`,
  },
  {
    invariant: "11. each user's history is in time order, and the user's clock is its latest time",
    query: (sql) => sql`
      SELECT user_id, format('transaction %s at %s comes after one at %s', id, created_at, previous) AS detail
      FROM (
        SELECT id, user_id, created_at, lag(created_at) OVER (PARTITION BY user_id ORDER BY id) AS previous
        FROM credit_transaction
      ) t WHERE created_at < previous
      UNION ALL
      SELECT uc.user_id, format('the user''s clock is %s, but the latest transaction is at %s', uc.updated_at, t.latest)
      FROM user_credit uc
      JOIN (SELECT user_id, max(created_at) AS latest FROM credit_transaction GROUP BY user_id) t USING (user_id)
      WHERE uc.updated_at < t.latest`,
  },
];

export async function verifyLedger(sql: Sql): Promise<LedgerViolation[]> {
  const violations: LedgerViolation[] = [];
  for (const check of checks) {
    const rows = await check.query(sql);
    for (const row of rows) {
      violations.push({ invariant: check.invariant, userId: row.user_id, detail: row.detail });
    }
  }
  return violations;
}

export function formatViolations(violations: LedgerViolation[]): string {
  return violations.map((v) => `[${v.invariant}] user ${v.userId ?? '-'}: ${v.detail}`).join('\n');
}
