import { LEDGER_DATE_RANGE, METADATA_LIMITS } from '@/credits/inputs';

/**
 * Named bad values for the bad-input table: strings PostgreSQL cannot store, metadata that is not
 * plain bounded JSON, and dates outside LEDGER_DATE_RANGE. Factories, so each case gets fresh objects.
 */

export const badText: [string, string][] = [
  ['a NUL character', 'a\u0000b'],
  ['a lone high surrogate', 'a\uD800b'],
  ['a lone low surrogate', 'a\uDC00b'],
  ['a surrogate pair in the wrong order', '\uDE00\uD83D'],
];

function nested(levels: number, inner: unknown, asArray = false): unknown {
  let value = inner;
  for (let level = 0; level < levels; level += 1) value = asArray ? [value] : { n: value };
  return value;
}

class Money {
  constructor(readonly cents: number) {}
}

export const badMetadata: [string, () => unknown][] = [
  ['a NUL in a key', () => ({ 'a\u0000b': 1 })],
  ['a NUL in a value', () => ({ a: 'x\u0000' })],
  ['a NUL in a nested array', () => ({ a: ['ok', { b: 'x\u0000' }] })],
  ['a lone surrogate in a key', () => ({ '\uD800': 1 })],
  ['a lone surrogate in a value', () => ({ a: 'x\uDC00' })],
  [
    'a circular object',
    () => {
      const value: Record<string, unknown> = { a: 1 };
      value.self = value;
      return value;
    },
  ],
  [
    'a cycle through an array',
    () => {
      const list: unknown[] = [];
      list.push({ list });
      return { list };
    },
  ],
  ['1,500 levels of objects (about 9 KiB)', () => nested(1_500, 1)],
  ['1,500 levels of arrays (about 3 KiB)', () => ({ a: nested(1_500, 1, true) })],
  ['one level deeper than the limit', () => nested(METADATA_LIMITS.maxDepth + 1, 1)],
  [
    'one key more than the limit',
    () => Object.fromEntries(Array.from({ length: METADATA_LIMITS.maxEntries + 1 }, (_, i) => [`k${i}`, 0])),
  ],
  ['3,000 CJK characters (9 KiB of UTF-8)', () => ({ text: '字'.repeat(3_000) })],
  ['1,100 emoji (4.4 KiB of UTF-8)', () => ({ text: '😀'.repeat(1_100) })],
  ['a "__proto__" key (as JSON.parse makes it)', () => JSON.parse('{"__proto__": {"admin": true}, "a": 1}')],
  ['an object with a polluted prototype', () => ({ a: Object.create({ admin: true }) })],
  ['a Date value', () => ({ at: new Date('2026-01-01T00:00:00Z') })],
  ['a Map value', () => ({ map: new Map([['a', 1]]) })],
  ['a Set value', () => ({ set: new Set([1]) })],
  ['a class instance', () => ({ price: new Money(5) })],
  ['a function', () => ({ run: () => 1 })],
  ['a BigInt', () => ({ big: 10n })],
  ['a symbol value', () => ({ s: Symbol('s') })],
  ['a symbol key', () => ({ [Symbol('s')]: 1 })],
  ['NaN', () => ({ n: Number.NaN })],
  ['Infinity', () => ({ n: Number.POSITIVE_INFINITY })],
  ['undefined', () => ({ u: undefined })],
  ['a boxed string', () => ({ s: new String('x') })],
  [
    'a sparse array',
    () => {
      const list = [1];
      list[2] = 3;
      return { list };
    },
  ],
  ['an array with a named property', () => ({ list: Object.assign([1], { extra: 2 }) })],
  [
    'a getter',
    () =>
      Object.defineProperty({}, 'a', {
        get: () => 1,
        enumerable: true,
      }),
  ],
  ['a non-enumerable property', () => Object.defineProperty({ a: 1 }, 'hidden', { value: 2 })],
  ['an array instead of an object', () => [1, 2]],
  ['a Date instead of an object', () => new Date()],
  ['a string instead of an object', () => 'metadata'],
];

function inYear(year: number): Date {
  const date = new Date('2000-01-01T00:00:00.000Z');
  date.setUTCFullYear(year);
  return date;
}

export const badDates: [string, () => unknown][] = [
  ['an invalid Date', () => new Date(Number.NaN)],
  ['year 0', () => inYear(0)],
  ['a year before 0', () => inYear(-1)],
  ['year 10000', () => inYear(10_000)],
  ['the largest Date, new Date(8.64e15)', () => new Date(8.64e15)],
  ['the smallest Date, new Date(-8.64e15)', () => new Date(-8.64e15)],
  ['a millisecond before the range', () => new Date(Date.parse(LEDGER_DATE_RANGE.min) - 1)],
  ['a millisecond after the range', () => new Date(Date.parse(LEDGER_DATE_RANGE.max) + 1)],
  ['an ISO string instead of a Date', () => '2030-01-01T00:00:00.000Z'],
  ['a number instead of a Date', () => Date.parse('2030-01-01T00:00:00.000Z')],
  ['an object that only claims to be a Date', () => Object.create(Date.prototype)],
];
