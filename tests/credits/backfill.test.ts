import { siteConfig } from '@site-config';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addRegisterGiftCredits, backfillRegisterGifts } from '@/credits';
import { GIFT_BACKFILL_BATCH_SIZE } from '@/credits/backfill';
import { getSql } from '@/db';
import { createUser, createUsers, DAY_MS, daysAfter, expectLedgerConsistent, toDate } from '../factories';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Every register_gift GRANT of these users, as rows. */
async function giftsOf(userIds: string[]) {
  return getSql()<{ user_id: string; amount: number; expiration_date: unknown; idempotency_key: string }[]>`
    SELECT user_id, amount, expiration_date, idempotency_key FROM credit_transaction
    WHERE type = 'GRANT' AND source_type = 'register_gift' AND user_id IN ${getSql()(userIds)}
    ORDER BY user_id`;
}

const HOUR_MS = 3_600_000;

async function setCreatedAt(userId: string, createdAt: Date): Promise<void> {
  await getSql()`UPDATE "user" SET created_at = ${createdAt.toISOString()}::timestamptz WHERE id = ${userId}`;
}

/** Gives every user already in this file's database a gift, so each test counts only its own users. */
async function settleEarlierUsers(): Promise<void> {
  let result = await backfillRegisterGifts({ limit: 5_000 });
  while (result.more) result = await backfillRegisterGifts({ limit: 5_000 });
}

describe('backfillRegisterGifts', () => {
  it('grants one gift to each user the sign-up hook missed, and nothing on a second run', async () => {
    await settleEarlierUsers();
    // createUser writes the user row only: exactly what a failed hook leaves behind.
    const users = await createUsers(3);
    const now = new Date('2026-03-01T00:00:00Z');

    expect(await backfillRegisterGifts({ limit: 100, now })).toEqual({
      granted: 3,
      checked: 3,
      failed: 0,
      more: false,
    });
    const gifts = await giftsOf(users);
    expect(gifts.map((gift) => gift.user_id).sort()).toEqual([...users].sort());
    for (const gift of gifts) {
      expect(gift.amount).toBe(50);
      expect(gift.idempotency_key).toBe(`register_gift:${gift.user_id}`);
      expect(toDate(gift.expiration_date)).toEqual(daysAfter(now, 30));
    }

    expect(await backfillRegisterGifts({ limit: 100, now })).toEqual({
      granted: 0,
      checked: 0,
      failed: 0,
      more: false,
    });
    expect(await giftsOf(users)).toHaveLength(3);
    await expectLedgerConsistent();
  });

  it('leaves users who already have their gift untouched', async () => {
    await settleEarlierUsers();
    const gifted = await createUser();
    const first = await addRegisterGiftCredits(gifted, { now: new Date('2026-01-01T00:00:00Z') });
    if (!first.ok) throw new Error(`the gift was refused: ${first.reason}`);
    const missing = await createUser();

    expect(await backfillRegisterGifts({ limit: 100 })).toEqual({
      granted: 1,
      checked: 1,
      failed: 0,
      more: false,
    });
    const gifts = await giftsOf([gifted, missing]);
    expect(gifts).toHaveLength(2);
    // The gifted user's log is still its one original row, with its original expiry.
    const rows = await getSql()<{ id: string; expiration_date: unknown }[]>`
      SELECT id, expiration_date FROM credit_transaction WHERE user_id = ${gifted}`;
    expect(rows.map((row) => Number(row.id))).toEqual([first.transactionId]);
    expect(toDate(rows[0]?.expiration_date)).toEqual(new Date('2026-01-31T00:00:00Z'));
  });

  it('examines at most `limit` users, oldest first, and says when more remain', async () => {
    await settleEarlierUsers();
    const users: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const id = await createUser();
      await setCreatedAt(id, new Date(Date.now() - (5 - i) * HOUR_MS));
      users.push(id);
    }

    expect(await backfillRegisterGifts({ limit: 2 })).toEqual({
      granted: 2,
      checked: 2,
      failed: 0,
      more: true,
    });
    expect((await giftsOf(users)).map((gift) => gift.user_id).sort()).toEqual(users.slice(0, 2).sort());
    expect(await backfillRegisterGifts({ limit: 2 })).toEqual({
      granted: 2,
      checked: 2,
      failed: 0,
      more: true,
    });
    expect(await backfillRegisterGifts({ limit: 2 })).toEqual({
      granted: 1,
      checked: 1,
      failed: 0,
      more: false,
    });
    expect(await giftsOf(users)).toHaveLength(5);
  });

  it('grants each user exactly one gift when ten backfills run at once', async () => {
    await settleEarlierUsers();
    const users = await createUsers(40);
    const runs = await Promise.all(Array.from({ length: 10 }, () => backfillRegisterGifts({ limit: 100 })));

    // Every run saw the same users; between them they granted each gift once.
    expect(runs.reduce((sum, run) => sum + run.granted, 0)).toBe(40);
    const gifts = await giftsOf(users);
    expect(gifts).toHaveLength(40);
    expect(new Set(gifts.map((gift) => gift.user_id)).size).toBe(40);
    await expectLedgerConsistent();
  });

  it('rejects a limit that is not a positive integer up to 5000, before any grant', async () => {
    await settleEarlierUsers();
    const user = await createUser();
    for (const limit of [0, -1, 1.5, Number.NaN, 5_001]) {
      await expect(backfillRegisterGifts({ limit })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
    expect(await giftsOf([user])).toHaveLength(0);
  });

  it('leaves accounts older than the backfill window alone', async () => {
    await settleEarlierUsers();
    const recent = await createUser();
    const old = await createUser();
    const windowDays = siteConfig.credits.registerGift.backfillWithinDays;
    await setCreatedAt(recent, new Date(Date.now() - (windowDays - 1) * DAY_MS));
    await setCreatedAt(old, new Date(Date.now() - (windowDays + 1) * DAY_MS));

    expect(await backfillRegisterGifts({ limit: GIFT_BACKFILL_BATCH_SIZE })).toMatchObject({
      granted: 1,
      checked: 1,
    });
    expect((await giftsOf([recent, old])).map((gift) => gift.user_id)).toEqual([recent]);
  });

  it('goes on past a user whose grant fails, counts the failure, and grants that user on a later run', async () => {
    await settleEarlierUsers();
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const [first, broken, last] = await createUsers(3);
    if (!first || !broken || !last) throw new Error('users missing');
    await setCreatedAt(first, new Date(Date.now() - 3 * HOUR_MS));
    await setCreatedAt(broken, new Date(Date.now() - 2 * HOUR_MS));
    await setCreatedAt(last, new Date(Date.now() - HOUR_MS));
    // The database refuses this one user's ledger writes, as a failing disk or a lock timeout would.
    await getSql().unsafe(`
      CREATE FUNCTION test_refuse_user() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused for the test'; END $$;
      CREATE TRIGGER test_refuse_user BEFORE INSERT ON user_credit
        FOR EACH ROW WHEN (NEW.user_id = '${broken}') EXECUTE FUNCTION test_refuse_user();`);
    try {
      expect(await backfillRegisterGifts({ limit: 100 })).toEqual({
        granted: 2,
        checked: 3,
        failed: 1,
        more: false,
      });
      expect((await giftsOf([first, broken, last])).map((gift) => gift.user_id).sort()).toEqual(
        [first, last].sort(),
      );
    } finally {
      await getSql().unsafe(
        'DROP TRIGGER test_refuse_user ON user_credit; DROP FUNCTION test_refuse_user();',
      );
    }
    expect(await backfillRegisterGifts({ limit: 100 })).toEqual({
      granted: 1,
      checked: 1,
      failed: 0,
      more: false,
    });
    expect(await giftsOf([broken])).toHaveLength(1);
    await expectLedgerConsistent();
  });
});
