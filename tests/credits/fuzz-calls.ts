import { siteConfig } from '@site-config';
import fc from 'fast-check';
import {
  addCreditPackCredits,
  addRegisterGiftCredits,
  addSubscriptionCredits,
  backfillRegisterGifts,
  chargeCredits,
  getBalanceSeries,
  getCreditBalance,
  getCreditHistory,
  grantMonthlyCredits,
} from '@/credits';
import { IDEMPOTENCY_KEY_PATTERN, LEDGER_DATE_RANGE, METADATA_LIMITS } from '@/credits/inputs';
import { decodeCursor } from '@/credits/queries';
import {
  addCredits,
  clawbackCredits,
  consumeCredits,
  expireDueCredits,
  refundCredits,
} from '@/credits/server';
import {
  clawbackSourceTypes,
  consumeSourceTypes,
  expireSourceTypes,
  grantSourceTypes,
  refundSourceTypes,
} from '@/credits/source-types';
import { creditTransactionType } from '@/db/schema';
import { DAY_MS } from '../factories';
import { type EntryPoint, entryPoints, type Fixture } from './entry-points';
import {
  anyValue,
  badAmount,
  badDate,
  badMetadata,
  badPositiveInteger,
  badText,
  jsonObject,
  notAString,
  outOfRange,
  storableString,
  validDate,
} from './fuzz-arbitraries';

/** The calls the fuzzer makes, as data (so a failure prints a readable counterexample), and how to run them. */

type Expect = 'named' | 'source' | 'unknownKey' | 'refused';
interface BadField {
  field: string;
  expect: Expect;
  patch: fc.Arbitrary<Record<string, unknown>>;
}

const bad = (field: string, value: fc.Arbitrary<unknown>, expect: Expect = 'named'): BadField => ({
  field,
  expect,
  patch: value.map((chosen) => ({ [field]: chosen })),
});

const allSources: string[] = [
  ...grantSourceTypes,
  ...consumeSourceTypes,
  ...clawbackSourceTypes,
  ...refundSourceTypes,
  ...expireSourceTypes,
];
const badSource = (valid: readonly string[]) =>
  bad(
    'sourceType',
    fc
      .oneof(fc.string(), fc.constantFrom(...allSources), notAString)
      .filter((value) => !valid.includes(value as string)),
    'source',
  );
const badKey = fc.oneof(
  fc.constant(''),
  fc
    .string({ unit: 'binary', minLength: 1, maxLength: 40 })
    .filter((key) => !IDEMPOTENCY_KEY_PATTERN.test(key)),
  fc.integer({ min: 201, max: 5_000 }).map((length) => 'k'.repeat(length)),
  notAString,
);
const badChargeKey = fc.oneof(
  badKey,
  fc.constant(undefined),
  fc.integer({ min: 181, max: 200 }).map((length) => 'k'.repeat(length)),
  fc.stringMatching(/^[\x21-\x7e]{1,100}$/).map((key) => `${key}:refund`),
);
const badId = badPositiveInteger(Number.MAX_SAFE_INTEGER);
const missingId = fc.bigInt({ min: 10n ** 12n, max: BigInt(Number.MAX_SAFE_INTEGER) }).map(Number);
const ghost = bad(
  'userId',
  fc.uuid().map((id) => `ghost_${id}`),
  'refused',
);
const decodes = (cursor: string) => {
  try {
    decodeCursor(cursor);
    return true;
  } catch {
    return false;
  }
};

const textFields: Record<string, fc.Arbitrary<unknown>> = {
  userId: badText(200, 1),
  description: badText(500),
  packId: fc.oneof(
    badText(40, 1),
    fc.string().filter((id) => !/^[a-z0-9_]{1,40}$/.test(id)),
  ),
  cursor: fc.oneof(
    badText(100),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/).filter((cursor) => !decodes(cursor)),
  ),
};

const MIN_DATE = new Date(LEDGER_DATE_RANGE.min);
const extraFields: Record<string, BadField[]> = {
  addCredits: [
    bad('amount', badAmount),
    badSource(grantSourceTypes),
    bad('paymentId', badId),
    bad('idempotencyKey', badKey),
    ghost,
    bad('paymentId', missingId, 'refused'),
    bad(
      'expirationDate',
      fc.date({ min: MIN_DATE, max: new Date(Date.now() - DAY_MS), noInvalidDate: true }),
      'refused',
    ),
  ],
  consumeCredits: [
    bad('amount', badAmount),
    badSource(consumeSourceTypes),
    bad('idempotencyKey', badKey),
    ghost,
  ],
  refundCredits: [
    bad('transactionId', badId),
    bad('amount', badAmount),
    badSource(refundSourceTypes),
    bad('idempotencyKey', badKey),
    ghost,
    bad('transactionId', missingId, 'refused'),
  ],
  clawbackCredits: [
    bad('amount', badAmount),
    bad('paymentId', badId),
    badSource(clawbackSourceTypes),
    bad('idempotencyKey', badKey),
    ghost,
    bad('paymentId', missingId, 'refused'),
  ],
  expireDueCredits: [bad('batchSize', outOfRange(1, 5_000))],
  chargeCredits: [
    bad('amount', badAmount),
    badSource(consumeSourceTypes),
    bad('idempotencyKey', badChargeKey),
    ghost,
  ],
  addRegisterGiftCredits: [ghost],
  addSubscriptionCredits: [
    bad(
      'plan',
      fc
        .oneof(
          fc.string(),
          fc.constantFrom('constructor', '__proto__', 'toString', 'free', 'PRO_MONTHLY'),
          notAString,
        )
        .filter((plan) => typeof plan !== 'string' || !Object.hasOwn(siteConfig.credits.plans, plan)),
    ),
    bad('paymentId', badId),
    ghost,
    bad('paymentId', missingId, 'refused'),
  ],
  addCreditPackCredits: [bad('paymentId', badId), ghost, bad('paymentId', missingId, 'refused')],
  grantMonthlyCredits: [bad('batchSize', outOfRange(1, 5_000)), bad('timeBudgetMs', outOfRange(1, 800_000))],
  backfillRegisterGifts: [bad('limit', outOfRange(1, 5_000))],
  getCreditHistory: [
    bad('limit', outOfRange(1, 100)),
    bad(
      'type',
      fc
        .oneof(fc.string(), notAString)
        .filter((type) => !creditTransactionType.enumValues.includes(type as never)),
    ),
  ],
  getBalanceSeries: [
    bad(
      'days',
      fc.oneof(
        fc.integer().filter((days) => days !== 30 && days !== 90),
        fc.constantFrom('30', 30.5, null),
      ),
    ),
  ],
};

/** Entry points whose extra keys are not refused: the positional ones drop them, expiry does not check them. */
const looseKeys = new Set(['addRegisterGiftCredits', 'getCreditBalance', 'expireDueCredits']);
const knownKeys = new Set([
  'now',
  'userId',
  'amount',
  'sourceType',
  'expirationDate',
  'paymentId',
  'description',
]);
for (const key of ['idempotencyKey', 'metadata', 'transactionId', 'batchSize', 'timeBudgetMs', 'plan'])
  knownKeys.add(key);
for (const key of ['periodEnd', 'packId', 'limit', 'cursor', 'type', 'days']) knownKeys.add(key);
const strayKey: BadField = {
  field: 'an unknown key',
  expect: 'unknownKey',
  patch: fc
    .tuple(
      fc.string().filter((key) => !knownKeys.has(key)),
      anyValue,
    )
    .map(([key, value]) => ({ [key]: value })),
};

function badFieldsOf(target: EntryPoint): BadField[] {
  return [
    ...target.text.map((field) => bad(field, textFields[field] ?? badText(200))),
    ...target.metadata.map((field) => bad(field, badMetadata)),
    ...target.dates.map((field) => bad(field, badDate)),
    ...(extraFields[target.name] ?? []),
    ...(looseKeys.has(target.name) ? [] : [strayKey]),
  ];
}

/** A valid call of one entry point with one field replaced by a value that is certainly bad for it. */
export const badCall = fc
  .constantFrom(...entryPoints)
  .chain((target) =>
    fc
      .constantFrom(...badFieldsOf(target))
      .chain(({ field, expect, patch }) =>
        patch.map((values) => ({ entry: target.name, field, expect, patch: values })),
      ),
  );

// Wholly random calls. `raw` passes any value as each argument; `fields` keeps, drops or replaces each of
// the entry point's own fields.
const raw: Record<string, (first: unknown, second: unknown) => Promise<unknown>> = {
  addCredits: (first, options) => addCredits(first as never, options as never),
  consumeCredits: (first, options) => consumeCredits(first as never, options as never),
  refundCredits: (first, options) => refundCredits(first as never, options as never),
  clawbackCredits: (first, options) => clawbackCredits(first as never, options as never),
  expireDueCredits: (first) => expireDueCredits(first as never),
  chargeCredits: (first, work) => chargeCredits(first as never, work as never),
  addRegisterGiftCredits: (first, options) => addRegisterGiftCredits(first as never, options as never),
  addSubscriptionCredits: (first, options) => addSubscriptionCredits(first as never, options as never),
  addCreditPackCredits: (first, options) => addCreditPackCredits(first as never, options as never),
  grantMonthlyCredits: (first) => grantMonthlyCredits(first as never),
  backfillRegisterGifts: (first) => backfillRegisterGifts(first as never),
  getCreditBalance: (first, options) => getCreditBalance(first as never, options as never),
  getCreditHistory: (first) => getCreditHistory(first as never),
  getBalanceSeries: (first) => getBalanceSeries(first as never),
};

const shapeFixture: Fixture = { userId: 'u', consumeId: 1, packPaymentId: 1, subscriptionPaymentId: 1 };
const randomValue = fc.oneof(anyValue, badDate, validDate).map((value) => ({ value }));
const fieldChoice = fc.oneof(
  { weight: 3, arbitrary: fc.constant('keep' as const) },
  { weight: 1, arbitrary: fc.constant('drop' as const) },
  { weight: 2, arbitrary: randomValue },
);

type FieldChoice = 'keep' | 'drop' | { value: unknown };
type RandomCall =
  | { entry: string; mode: 'raw'; first: unknown; second: unknown }
  | { entry: string; mode: 'fields'; fields: Record<string, FieldChoice>; stray?: string };

function randomCall(names: string[]): fc.Arbitrary<RandomCall> {
  return fc.constantFrom(...names).chain((name): fc.Arbitrary<RandomCall> => {
    const target = entryPoint(name);
    const keys = [
      ...Object.keys(target.base(shapeFixture)),
      ...(target.dates.includes('now') ? ['now'] : []),
    ];
    const rawCall = fc.record({
      entry: fc.constant(name),
      mode: fc.constant('raw' as const),
      first: anyValue,
      second: anyValue,
    });
    return fc.oneof(
      { weight: 1, arbitrary: rawCall },
      {
        weight: 2,
        arbitrary: fc.record({
          entry: fc.constant(name),
          mode: fc.constant('fields' as const),
          fields: fc.oneof(
            fc.record(Object.fromEntries(keys.map((key) => [key, fieldChoice]))),
            // A valid call but for one field, given any value at all: often valid too, and then it is
            // the ledger that stores it, so this is where what validation lets through meets PostgreSQL.
            fc
              .tuple(fc.constantFrom(...keys), randomValue)
              .map(([replaced, value]) =>
                Object.fromEntries(keys.map((key) => [key, key === replaced ? value : ('keep' as const)])),
              ),
          ),
          stray: fc.oneof(
            { weight: 7, arbitrary: fc.constant(undefined) },
            { weight: 1, arbitrary: fc.string() },
          ),
        }),
      },
    );
  });
}

function entryPoint(name: string): EntryPoint {
  const target = entryPoints.find((candidate) => candidate.name === name);
  if (!target) throw new Error(`no entry point ${name}`);
  return target;
}

/** Runs a random call; a kept `userId` is `user`, the call's own user. */
export function runRandomCall(call: RandomCall, fixture: Fixture, user: string): Promise<unknown> {
  const target = entryPoint(call.entry);
  if (call.mode === 'raw') {
    const run = raw[call.entry];
    if (!run) throw new Error(`no raw call for ${call.entry}`);
    return run(call.first, call.second);
  }
  const base: Record<string, unknown> = { ...target.base(fixture), userId: user };
  const args: Record<string, unknown> = {};
  // Defined, not assigned: a stray key may be "__proto__", which an assignment would turn into a prototype.
  const put = (key: string, value: unknown) =>
    Object.defineProperty(args, key, { value, enumerable: true, writable: true, configurable: true });
  for (const [key, choice] of Object.entries(call.fields)) {
    if (choice === 'keep' && key in base) put(key, base[key]);
    if (typeof choice === 'object') put(key, choice.value);
  }
  if (call.stray !== undefined) put(call.stray, true);
  return target.call(args);
}

const batchJobs = ['expireDueCredits', 'grantMonthlyCredits', 'backfillRegisterGifts'];
export const batchJobCall = randomCall(batchJobs);
export const wholeRandomCall = randomCall(
  entryPoints.map((target) => target.name).filter((name) => !batchJobs.includes(name)),
);

function withinLimits(value: Record<string, unknown>): boolean {
  let entries = 0;
  const count = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    for (const child of Object.values(node)) {
      entries += 1;
      count(child);
    }
  };
  count(value);
  return (
    entries <= METADATA_LIMITS.maxEntries &&
    Buffer.byteLength(JSON.stringify(value)) <= METADATA_LIMITS.maxBytes
  );
}

const sideFields = fc.record(
  {
    description: storableString(100).filter((text) => text.length <= 500),
    metadata: jsonObject.filter(withinLimits),
  },
  { requiredKeys: [] },
);

/** A grant, a spend of 1 and its refund, each with odd but storable text and metadata. */
export const roundTrip = fc.record({
  amount: fc.integer({ min: 2, max: 1_000_000 }),
  expiresInDays: fc.option(fc.integer({ min: 1, max: 365_000 }), { nil: null }),
  grant: sideFields,
  consume: sideFields,
  refund: sideFields,
});
