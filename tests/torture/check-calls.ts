import type { CallRecord, Violation } from './calls';
import type { LedgerSnapshot, LogRow } from './ledger-snapshot';

export interface Resolution {
  /** Calls whose answer was lost, found in the log (applied) or not (not applied). */
  unknownApplied: number;
  unknownNotApplied: number;
}

const TYPE_OF: Record<string, LogRow['type']> = {
  grant: 'GRANT',
  payment_grant: 'GRANT',
  consume: 'CONSUME',
  refund: 'REFUND',
  clawback: 'CONSUME',
};

/** Codes a call may legitimately end with under this chaos; anything else is a defect. */
const EXPECTED_ERRORS = new Set(['LEDGER_UNAVAILABLE', 'INVALID_INPUT']);

/**
 * Each call's answer against the log: every acknowledged effect is there once, with the figures the
 * call was told; every refusal wrote nothing; a keyed call has one effect however often it was sent; a
 * call whose answer was lost is resolved from the log (its `metadata.t`).
 */
export function checkCalls(
  calls: CallRecord[],
  snapshot: LedgerSnapshot,
): { violations: Violation[]; resolution: Resolution } {
  const violations: Violation[] = [];
  const resolution: Resolution = { unknownApplied: 0, unknownNotApplied: 0 };
  const written = new Map<number, LogRow[]>();
  for (const row of snapshot.rows) {
    if (row.callId === null) continue;
    const list = written.get(row.callId) ?? [];
    list.push(row);
    written.set(row.callId, list);
  }
  const fail = (call: CallRecord, detail: string) =>
    violations.push({
      check: `call ${call.kind}`,
      detail: `#${call.id} (user ${call.userId}${call.key ? `, key ${call.key}` : ''}): ${detail}`,
    });

  for (const call of calls) {
    const rows = written.get(call.id) ?? [];
    if (rows.length > 1) fail(call, `wrote ${rows.length} rows`);
    if (call.hung)
      fail(call, `did not answer within the hang bound (then: ${call.errorCode ?? call.outcome})`);
    if (call.errorCode && !EXPECTED_ERRORS.has(call.errorCode)) fail(call, `ended with ${call.errorCode}`);
    if (call.kind === 'expire') continue;
    switch (call.outcome) {
      case 'ok':
        checkAcknowledged(call, rows, snapshot, (detail) => fail(call, detail));
        break;
      case 'refused':
        if (rows.length > 0)
          fail(call, `answered ${String(call.result?.reason)} but wrote row ${rows[0]?.id}`);
        checkRefusal(call, snapshot, (detail) => fail(call, detail));
        break;
      case 'invalid':
      case 'not_applied':
        if (rows.length > 0)
          fail(call, `was ${call.outcome} (${call.errorNote}) but wrote row ${rows[0]?.id}`);
        break;
      case 'unknown':
        if (rows.length > 0) resolution.unknownApplied += 1;
        else resolution.unknownNotApplied += 1;
        break;
    }
  }
  return { violations, resolution };
}

function checkAcknowledged(
  call: CallRecord,
  rows: LogRow[],
  snapshot: LedgerSnapshot,
  fail: (detail: string) => void,
) {
  const result = call.result ?? {};
  if (call.kind === 'clawback' && (result.alreadyRecorded || result.transactionId === null)) {
    if (result.transactionId === null && rows.length > 0) fail(`took nothing but wrote row ${rows[0]?.id}`);
    return;
  }
  const row = snapshot.byId.get(Number(result.transactionId));
  if (!row) {
    fail(`acknowledged transaction ${String(result.transactionId)} is not in the log`);
    return;
  }
  if (row.userId !== call.userId || row.type !== TYPE_OF[call.kind])
    fail(`points at ${row.type} ${row.id} of ${row.userId}`);
  if (result.replayed) {
    if (row.key !== call.key) fail(`replayed transaction ${row.id}, which has key ${row.key}`);
  } else if (row.callId !== call.id) {
    fail(`transaction ${row.id} was written by call ${row.callId}`);
  }
  const expectedAmount = expectedRowAmount(call);
  if (expectedAmount !== undefined && row.amount !== expectedAmount)
    fail(`row amount ${row.amount}, asked ${expectedAmount}`);
  const expired = Number(result.expiredAmount ?? 0);
  if (Number(result.balance) !== row.balanceAfter - expired) {
    fail(
      `answered balance ${String(result.balance)}, row says ${row.balanceAfter} (expired at once ${expired})`,
    );
  }
  if (call.kind === 'refund' && Number(result.amount) !== row.amount)
    fail(`answered amount ${String(result.amount)}`);
  if (call.kind === 'clawback' && -row.amount !== Number(result.taken))
    fail(`answered taken ${String(result.taken)}`);
}

function expectedRowAmount(call: CallRecord): number | undefined {
  switch (call.kind) {
    case 'grant':
    case 'payment_grant':
      return call.amount;
    case 'consume':
      return -(call.amount as number);
    case 'refund':
      return call.amount;
    default:
      return undefined;
  }
}

function checkRefusal(call: CallRecord, snapshot: LedgerSnapshot, fail: (detail: string) => void) {
  const result = call.result ?? {};
  switch (result.reason) {
    case 'INSUFFICIENT':
      if (!(Number(result.balance) >= 0 && Number(result.balance) < (call.amount as number))) {
        fail(`INSUFFICIENT for ${call.amount} with an available balance of ${String(result.balance)}`);
      }
      break;
    case 'CONFLICT':
      // Every key here is only ever sent with one request (retries and twins repeat it exactly).
      fail(
        `CONFLICT with transaction ${String(result.transactionId)} for a key only ever sent with one request`,
      );
      break;
    case 'DUPLICATE': {
      const row = snapshot.byId.get(Number(result.transactionId));
      if (row?.type !== 'GRANT' || row.paymentId !== call.paymentId)
        fail(`DUPLICATE of ${String(result.transactionId)}`);
      break;
    }
    case 'EXCEEDS_REFUNDABLE':
      if (Number(result.refundableAmount) >= (call.amount ?? 1)) {
        fail(`EXCEEDS_REFUNDABLE for ${call.amount} with ${String(result.refundableAmount)} refundable`);
      }
      break;
    default:
      fail(`refused with ${String(result.reason)}`);
  }
}
