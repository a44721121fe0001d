import { beforeAll, describe, expect, it } from 'vitest';
import { chargeCredits } from '@/credits';
import { CreditsError } from '@/credits/errors';
import { LEDGER_DATE_RANGE, METADATA_LIMITS } from '@/credits/inputs';
import { addCredits, consumeCredits } from '@/credits/server';
import { getSql } from '@/db';
import { createUser, ledgerRowCounts, toDate } from '../factories';
import { badDates, badMetadata, badText } from './bad-values';
import { createFixture, entryPoints, type Fixture } from './entry-points';

// Every public entry point of the credits module, given a valid call with one field replaced by a bad
// value: each answers CreditsError INVALID_INPUT whose message starts with that field's name, raised by
// validation (its zod issues attached) before the database sees anything, and no ledger table gains a row.

let fixture: Fixture;
beforeAll(async () => {
  fixture = await createFixture();
});

type Case = [entryPoint: string, field: string, value: string, make: () => unknown];

const cases: Case[] = entryPoints.flatMap((entry) => [
  ...entry.text.flatMap((field) =>
    badText.map(([name, text]): Case => [entry.name, field, name, () => text]),
  ),
  ...entry.metadata.flatMap((field) =>
    badMetadata.map(([name, make]): Case => [entry.name, field, name, make]),
  ),
  ...entry.dates.flatMap((field) => badDates.map(([name, make]): Case => [entry.name, field, name, make])),
]);

async function rejection(call: Promise<unknown>): Promise<CreditsError> {
  const outcome = await call.then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`accepted: ${JSON.stringify(outcome.result)}`);
  expect(outcome.error).toBeInstanceOf(CreditsError);
  return outcome.error as CreditsError;
}

describe('bad input to every entry point', () => {
  it.each(cases)('%s refuses %s with %s, writing nothing', async (name, field, _value, make) => {
    const entry = entryPoints.find((candidate) => candidate.name === name);
    if (!entry) throw new Error(`no entry point ${name}`);
    const before = await ledgerRowCounts();

    const error = await rejection(entry.call({ ...entry.base(fixture), [field]: make() }));

    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(new RegExp(`^${field}[.:]`));
    expect(error.details).toEqual(expect.any(Array));
    expect(await ledgerRowCounts()).toEqual(before);
  });

  it('refuses a byte over the metadata limit counted in UTF-8', async () => {
    const before = await ledgerRowCounts();
    // {"t":"…"} is 8 bytes around 1,362 three-byte characters and 3 ASCII ones: 4,097 bytes, 1,367 units.
    const metadata = { t: `${'字'.repeat(1_362)}abc` };
    const error = await rejection(
      consumeCredits({ userId: fixture.userId, amount: 1, sourceType: 'ai_call', metadata }),
    );
    expect(error.message).toBe(
      `metadata: must serialise to at most ${METADATA_LIMITS.maxBytes} bytes of JSON (UTF-8)`,
    );
    expect(await ledgerRowCounts()).toEqual(before);
  });

  it('leaves Object.prototype untouched by every polluting key it refused', () => {
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});

describe('odd input that is valid is stored exactly as given', () => {
  async function storedGrant(input: {
    metadata?: Record<string, unknown>;
    description?: string;
    expirationDate?: Date;
  }) {
    const userId = await createUser();
    const result = await addCredits({ userId, amount: 1, sourceType: 'manual', ...input } as never);
    expect(result).toMatchObject({ ok: true });
    const [row] = await getSql()<{ metadata: unknown; description: string; expiration_date: string }[]>`
      SELECT metadata, description, expiration_date FROM credit_transaction WHERE user_id = ${userId}`;
    return row;
  }

  it('keeps metadata at each limit: depth, keys, and exactly 4,096 UTF-8 bytes', async () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let level = 1; level < METADATA_LIMITS.maxDepth; level += 1) deep = { n: deep };
    const wide = Object.fromEntries(
      Array.from({ length: METADATA_LIMITS.maxEntries }, (_, i) => [`k${i}`, i]),
    );
    const full = { t: `${'字'.repeat(1_362)}ab` };
    expect(Buffer.byteLength(JSON.stringify(full))).toBe(METADATA_LIMITS.maxBytes);
    for (const metadata of [deep, wide, full]) {
      expect((await storedGrant({ metadata }))?.metadata).toEqual(metadata);
    }
  });

  it('keeps keys named like Object.prototype members as own keys, and a null-prototype object', async () => {
    const metadata = { constructor: 'c', prototype: { toString: 't' }, hasOwnProperty: 1, valueOf: null };
    expect((await storedGrant({ metadata }))?.metadata).toEqual(metadata);
    const bare = Object.assign(Object.create(null), { a: 1 });
    expect((await storedGrant({ metadata: bare }))?.metadata).toEqual({ a: 1 });
  });

  it('keeps odd but storable text verbatim: pairs, combining marks, controls, noncharacters', async () => {
    const description = 'emoji 😀 e\u0301 \u202eRTL\u202c tab\t bell\u0007 del\u007f \uFEFF \uFFFF 字';
    expect(await storedGrant({ description, metadata: { [description]: description } })).toMatchObject({
      description,
      metadata: { [description]: description },
    });
  });

  it('accepts both ends of the date range', async () => {
    const max = new Date(LEDGER_DATE_RANGE.max);
    expect(toDate((await storedGrant({ expirationDate: max }))?.expiration_date)).toEqual(max);
    const user = await createUser();
    const atStart = await addCredits(
      { userId: user, amount: 1, sourceType: 'manual' },
      { now: new Date(LEDGER_DATE_RANGE.min) },
    );
    expect(atStart).toMatchObject({ ok: true, balance: 1 });
  });

  it('reads a Date by its real time, whatever its own toISOString claims', async () => {
    const expirationDate = new Date(Date.now() + 86_400_000);
    expirationDate.toISOString = () => '+010000-01-01T00:00:00.000Z';
    const row = await storedGrant({ expirationDate });
    expect(toDate(row?.expiration_date)?.getTime()).toBe(expirationDate.getTime());
  });

  it('cuts a failed charge’s refund description without splitting a surrogate pair', async () => {
    const userId = await createUser();
    await addCredits({ userId, amount: 10, sourceType: 'manual' });
    // "Refund: " (8 units) + 491 units puts the emoji's two halves at units 499 and 500: a cut at 500 splits it.
    const description = `${'x'.repeat(491)}😀`;
    const result = await chargeCredits(
      { userId, amount: 2, sourceType: 'ai_call', idempotencyKey: 'ai:cut', description },
      async () => {
        throw new Error('provider down');
      },
    );
    expect(result).toMatchObject({ ok: false, reason: 'FAILED', refunded: 2 });
    const [row] = await getSql()<{ description: string }[]>`
      SELECT description FROM credit_transaction WHERE user_id = ${userId} AND type = 'REFUND'`;
    expect(row?.description).toBe(`Refund: ${'x'.repeat(491)}`);
  });
});

// Last, so that it proves every base above was valid: each rejection was the replaced field's doing.
describe('the base calls', () => {
  it.each(entryPoints.map((entry) => [entry.name]))('%s accepts its base call', async (name) => {
    const entry = entryPoints.find((candidate) => candidate.name === name);
    if (!entry) throw new Error(`no entry point ${name}`);
    expect(entry.result.safeParse(await entry.call(entry.base(fixture))).error).toBeUndefined();
  });
});
