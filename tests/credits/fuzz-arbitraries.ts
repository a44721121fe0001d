import fc from 'fast-check';
import { LEDGER_DATE_RANGE, MAX_CREDIT_AMOUNT, METADATA_LIMITS } from '@/credits/inputs';
import type { JsonObject, JsonValue } from '@/credits/json-input';

/**
 * Generators for the bad-input fuzzer: values that are certainly invalid for one kind of field (so a
 * call with one of them must be refused), and values of any shape at all (which must be answered with a
 * typed result or a typed error, whatever they are). Storable odd values feed the round-trip property.
 */

const MIN_MS = Date.parse(LEDGER_DATE_RANGE.min);
const MAX_MS = Date.parse(LEDGER_DATE_RANGE.max);

/** Characters PostgreSQL stores as they are, with the awkward ones over-represented. */
const oddCharacter = fc.constantFrom(
  '\u0001',
  '\t',
  '\n',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u200b',
  '\u200d',
  '\u202e',
  '\u2028',
  '\ufeff',
  '\ufffe',
  '\uffff',
  '\u{10ffff}',
  '😀',
  '👩‍👩‍👧',
  'e\u0301',
  '字',
  '\\',
  '"',
  "'",
  '%',
  '$1',
);
const storableUnit = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((char) => char !== '\u0000'),
  oddCharacter,
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
);
export const storableString = (maxLength: number) => fc.string({ unit: storableUnit, maxLength });

/** A NUL, or a surrogate half with no partner next to it. */
const unstorable = fc.oneof(
  fc.constant('\u0000'),
  fc.integer({ min: 0xd800, max: 0xdbff }).map((code) => `${String.fromCharCode(code)}x`),
  fc.integer({ min: 0xdc00, max: 0xdfff }).map((code) => `x${String.fromCharCode(code)}`),
);
export const unstorableString = fc
  .tuple(storableString(20), unstorable, storableString(20))
  .map(([before, bad, after]) => before + bad + after);

export const notAString = fc
  .anything({ maxDepth: 1 })
  .filter((value) => typeof value !== 'string' && value !== undefined);
const longString = (minLength: number) =>
  fc.integer({ min: minLength, max: Math.max(minLength * 4, 2_000_000) }).map((length) => 'y'.repeat(length));

/** Text that is unstorable, longer than `maxLength`, empty when it must not be, or not text at all. */
export function badText(maxLength: number, minLength = 0): fc.Arbitrary<unknown> {
  const arbitraries: fc.Arbitrary<unknown>[] = [unstorableString, longString(maxLength + 1), notAString];
  if (minLength > 0) arbitraries.push(fc.constant(''));
  return fc.oneof(...arbitraries);
}

class Instance {
  readonly field = 1;
}

/** Values that are not JSON data, or are JSON that PostgreSQL would refuse. */
const badLeaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  fc.bigInt(),
  fc.string().map((description) => Symbol(description)),
  fc.constant(() => 1),
  fc.date(),
  fc.constant(new Map([['a', 1]])),
  fc.constant(new Set([1])),
  fc.constant(new Instance()),
  fc.constant(new String('boxed')),
  fc.constant(/regex/),
  fc.constant(new Uint8Array(2)),
  unstorableString,
);

const key = storableString(12).filter((candidate) => candidate !== '__proto__');
export const jsonLeaf: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((value) => !Object.is(value, -0)),
  storableString(40),
);
/** Plain JSON within the limits by construction: at most 4 levels, 4 keys or items each. */
export const jsonObject = fc.letrec<{ value: JsonValue; object: JsonObject }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4, withCrossShrink: true },
    jsonLeaf,
    tie('object'),
    fc.array(tie('value'), { maxLength: 4 }),
  ),
  object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
})).object;

/** Puts `leaf` at the end of a random path of objects and arrays below a valid object's key. */
const buried = (leaf: fc.Arbitrary<unknown>) =>
  fc
    .tuple(jsonObject, key, fc.array(fc.oneof(key, fc.constant(0)), { maxLength: 3 }), leaf)
    .map(([object, at, path, value]) => {
      let inner = value;
      for (const step of path.reverse()) inner = step === 0 ? [inner] : { [step]: inner };
      return { ...object, [at]: inner };
    });

function nested(levels: number, asArray: boolean): unknown {
  let value: unknown = 1;
  for (let level = 0; level < levels; level += 1) value = asArray ? [value] : { n: value };
  return value;
}

export const badMetadata: fc.Arbitrary<unknown> = fc.oneof(
  buried(badLeaf),
  buried(fc.tuple(unstorableString, jsonLeaf).map(([name, value]) => ({ [name]: value }))),
  buried(jsonObject.map((object) => JSON.parse(`{"__proto__": ${JSON.stringify(object)}}`))),
  buried(jsonObject.map((object) => Object.create(object))),
  buried(
    jsonObject.map((object) => Object.defineProperty({ ...object }, 'g', { get: () => 1, enumerable: true })),
  ),
  buried(
    jsonObject.map(({ hidden: _visible, ...object }) =>
      Object.defineProperty(object, 'hidden', { value: 1 }),
    ),
  ),
  buried(fc.integer({ min: 1, max: 5 }).map((length) => Object.assign(new Array(length + 1), { 0: 1 }))),
  jsonObject.map((object) => {
    const cyclic: Record<string, unknown> = { ...object };
    cyclic.back = { to: [cyclic] };
    return cyclic;
  }),
  fc
    .tuple(fc.integer({ min: METADATA_LIMITS.maxDepth, max: 3_000 }), fc.boolean())
    .map(([levels, asArray]) => ({ deep: nested(levels, asArray) })),
  fc
    .integer({ min: METADATA_LIMITS.maxEntries + 1, max: 20_000 })
    .map((count) => ({ items: Array.from({ length: count - 1 }, () => 0) })),
  // Few UTF-16 units, many UTF-8 bytes: over the limit only when bytes are counted.
  fc.integer({ min: 1_366, max: 4_000 }).map((count) => ({ text: '字'.repeat(count) })),
  fc.integer({ min: 1_025, max: 2_000 }).map((count) => ({ text: '😀'.repeat(count) })),
  fc.integer({ min: 4_090, max: 200_000 }).map((count) => ({ text: 'x'.repeat(count) })),
  fc.oneof(fc.array(jsonLeaf), fc.constant(null), fc.date(), jsonLeaf, fc.constant(new Map())),
);

/** A Date in LEDGER_DATE_RANGE. */
export const validDate = fc.date({ min: new Date(MIN_MS), max: new Date(MAX_MS), noInvalidDate: true });

/** Anything but a Date in LEDGER_DATE_RANGE. */
export const badDate: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(new Date(Number.NaN)),
  fc.date({ max: new Date(MIN_MS - 1) }),
  fc.date({ min: new Date(MAX_MS + 1) }),
  fc.constantFrom(
    new Date(8.64e15),
    new Date(-8.64e15),
    Object.create(Date.prototype),
    new Proxy(new Date(), {}),
  ),
  fc
    .date({ min: new Date(MIN_MS), max: new Date(MAX_MS), noInvalidDate: true })
    .map((date) => date.toISOString()),
  fc.integer(),
  notAString,
);

/** Amounts and row ids that are not positive safe integers within their maximum. */
export const badPositiveInteger = (max: number) =>
  fc.oneof(
    fc.integer({ max: 0 }),
    fc.double({ noInteger: true }),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, max + 1, 2 ** 53, 1e21),
    fc.constantFrom('10', 10n, null, true, [5], new Number(5), {}),
  );
export const badAmount = badPositiveInteger(MAX_CREDIT_AMOUNT);

/** Integers outside [min, max], fractions, and non-numbers. */
export const outOfRange = (min: number, max: number) =>
  fc.oneof(
    fc.integer({ max: min - 1 }),
    fc.integer({ min: max + 1 }),
    fc.double({ noInteger: true }),
    fc.constantFrom(Number.NaN, '10', null, 10n),
  );

/** Values of every shape: the wholly random half of the fuzzer. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.anything({
      maxDepth: 3,
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withTypedArray: true,
      withSparseArray: true,
      withBoxedValues: true,
      stringUnit: 'binary',
    }),
  },
  { weight: 1, arbitrary: longString(1) },
  { weight: 2, arbitrary: fc.oneof(unstorableString, storableString(60)) },
  { weight: 1, arbitrary: fc.oneof(badAmount, fc.integer({ min: 1, max: 100 })) },
  { weight: 2, arbitrary: fc.oneof(badDate, validDate) },
  { weight: 2, arbitrary: fc.oneof(badMetadata, jsonObject) },
  {
    weight: 1,
    arbitrary: jsonObject.map((object) =>
      JSON.parse(`{"__proto__": {"polluted": true}, "x": ${JSON.stringify(object)}}`),
    ),
  },
  { weight: 1, arbitrary: fc.array(jsonLeaf, { maxLength: 5 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      new Proxy(
        {},
        {
          get: () => {
            throw new Error('trap');
          },
          ownKeys: () => {
            throw new Error('trap');
          },
        },
      ),
      Object.defineProperty({}, 'userId', {
        get: () => {
          throw new Error('getter');
        },
        enumerable: true,
      }),
    ),
  },
);
