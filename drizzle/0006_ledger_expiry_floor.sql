-- Two fixes found by the torture run (issue #10), both about time:
--
-- 1. A spend could burn a lot that was already due. Its guarded update checked for due lots with a
--    sub-select, which reads the snapshot taken before the statement waited for the user's row lock; a
--    grant that committed during the wait (with its own, earlier, clock) could bring a lot due at the
--    spend's time, and the next statement burned it. Now the check lives on the locked row itself:
--    user_credit.earliest_expiry_at is a lower bound of the expiry of the user's lots with credits left,
--    kept by every writer under the lock, and READ COMMITTED re-reads the row after the wait. Lot reads
--    also skip due lots, so a due lot can never be drawn on, whatever the bound says.
-- 2. A call whose clock was earlier than the user's latest change could write history out of order and,
--    through a refund, refill a lot that had expired already (which the cron then expired a second time).
--    Now each user's ledger clock never goes backwards: every function, once it holds the user's lock,
--    applies the call at greatest(its now, user_credit.updated_at), the time of the user's latest change.

ALTER TABLE "user_credit" ADD COLUMN "earliest_expiry_at" timestamp with time zone;
--> statement-breakpoint

UPDATE user_credit uc SET
  earliest_expiry_at = (SELECT min(expires_at) FROM credit_lot l
    WHERE l.user_id = uc.user_id AND l.has_remaining AND l.expires_at IS NOT NULL),
  updated_at = greatest(uc.updated_at, (SELECT max(created_at) FROM credit_transaction t WHERE t.user_id = uc.user_id));
--> statement-breakpoint

-- Expires every lot of one user that is due at the user's clock (p_now, or the user's latest change when
-- that is later), one EXPIRE row per lot linked to its grant, and sets the user's earliest_expiry_at to
-- the exact soonest expiry of what is left. Takes the user's row lock first (a no-op when the caller
-- already holds it).
CREATE OR REPLACE FUNCTION credits_expire_user(p_user_id text, p_now timestamptz, p_source_type text)
RETURNS TABLE (r_lots integer, r_credits bigint) LANGUAGE plpgsql AS $$
DECLARE
  v_user record;
  v_now timestamptz;
  v_balance bigint;
  v_lot record;
  v_tx bigint;
  v_earliest timestamptz;
BEGIN
  r_lots := 0;
  r_credits := 0;
  SELECT current_credits, earliest_expiry_at, greatest(updated_at, p_now) AS at INTO v_user
  FROM user_credit WHERE user_id = p_user_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NEXT;
    RETURN;
  END IF;
  v_now := v_user.at;
  v_balance := v_user.current_credits;
  FOR v_lot IN
    SELECT id, remaining, grant_transaction_id FROM credit_lot
    WHERE user_id = p_user_id AND has_remaining AND expires_at <= v_now
    ORDER BY expires_at, id
  LOOP
    UPDATE credit_lot SET remaining = 0 WHERE id = v_lot.id;
    v_balance := v_balance - v_lot.remaining;
    INSERT INTO credit_transaction (user_id, type, amount, balance_after, source_type, related_transaction_id, created_at)
    VALUES (p_user_id, 'EXPIRE', -v_lot.remaining, v_balance, p_source_type, v_lot.grant_transaction_id, v_now)
    RETURNING id INTO v_tx;
    INSERT INTO credit_allocation (transaction_id, lot_id, amount) VALUES (v_tx, v_lot.id, v_lot.remaining);
    r_lots := r_lots + 1;
    r_credits := r_credits + v_lot.remaining;
  END LOOP;
  v_earliest := (SELECT min(expires_at) FROM credit_lot
    WHERE user_id = p_user_id AND has_remaining AND expires_at IS NOT NULL);
  IF r_lots > 0 OR v_earliest IS DISTINCT FROM v_user.earliest_expiry_at THEN
    UPDATE user_credit
    SET current_credits = current_credits - r_credits, lifetime_expired = lifetime_expired + r_credits,
      earliest_expiry_at = v_earliest, updated_at = CASE WHEN r_lots > 0 THEN v_now ELSE updated_at END
    WHERE user_id = p_user_id;
  END IF;
  RETURN NEXT;
END;
$$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION credits_grant(
  p_user_id text, p_amount integer, p_source_type text, p_expires_at timestamptz, p_payment_id bigint,
  p_description text, p_idempotency_key text, p_metadata jsonb, p_now timestamptz
) RETURNS TABLE (r_status text, r_transaction_id bigint, r_balance bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz := coalesce(p_now, now());
  v_fingerprint text;
  v_replay record;
  v_balance bigint;
  v_tx bigint;
BEGIN
  IF p_idempotency_key IS NOT NULL THEN
    -- The fingerprint covers what changes the balance (not the expiry date, which callers often derive
    -- from the current time, nor the description), so a retry computed a moment later is still a replay.
    v_fingerprint := md5(format('GRANT|%s|%s|%s', p_amount, p_source_type, p_payment_id));
    -- Deduplicate before taking the balance lock, so a replay costs no lock.
    SELECT * INTO v_replay FROM credits_find_replay(p_user_id, p_idempotency_key, v_fingerprint);
    IF FOUND THEN
      RETURN QUERY SELECT v_replay.r_status, v_replay.r_transaction_id, v_replay.r_balance;
      RETURN;
    END IF;
  END IF;
  IF p_payment_id IS NOT NULL THEN
    PERFORM 1 FROM payment WHERE id = p_payment_id AND user_id = p_user_id;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'payment % does not exist or belongs to another user', p_payment_id USING ERRCODE = 'CR004';
    END IF;
  END IF;

  -- Race-free lazy creation of the balance row; a foreign-key error here means the user is unknown.
  INSERT INTO user_credit (user_id, created_at, updated_at) VALUES (p_user_id, v_now, v_now) ON CONFLICT DO NOTHING;
  -- The user's lock: same-key and same-payment calls serialise on it, and the user's clock is read under it.
  SELECT greatest(updated_at, v_now) INTO v_now FROM user_credit WHERE user_id = p_user_id FOR UPDATE;
  IF p_expires_at IS NOT NULL AND p_expires_at <= v_now THEN
    RAISE EXCEPTION 'expiration date % is not after now (%)', p_expires_at, v_now USING ERRCODE = 'CR006';
  END IF;
  IF p_idempotency_key IS NOT NULL THEN
    SELECT * INTO v_replay FROM credits_find_replay(p_user_id, p_idempotency_key, v_fingerprint);
    IF FOUND THEN
      RETURN QUERY SELECT v_replay.r_status, v_replay.r_transaction_id, v_replay.r_balance;
      RETURN;
    END IF;
  END IF;
  IF p_payment_id IS NOT NULL THEN
    SELECT id, balance_after INTO v_replay FROM credit_transaction WHERE payment_id = p_payment_id AND type = 'GRANT';
    IF FOUND THEN
      RETURN QUERY SELECT 'duplicate'::text, v_replay.id, v_replay.balance_after;
      RETURN;
    END IF;
  END IF;

  UPDATE user_credit
  SET current_credits = current_credits + p_amount, lifetime_granted = lifetime_granted + p_amount,
    earliest_expiry_at = least(earliest_expiry_at, p_expires_at), updated_at = v_now
  WHERE user_id = p_user_id
  RETURNING current_credits INTO v_balance;
  INSERT INTO credit_transaction (
    user_id, type, amount, balance_after, source_type, idempotency_key, request_fingerprint,
    payment_id, expiration_date, description, metadata, created_at
  ) VALUES (
    p_user_id, 'GRANT', p_amount, v_balance, p_source_type, p_idempotency_key, v_fingerprint,
    p_payment_id, p_expires_at, p_description, p_metadata, v_now
  ) RETURNING id INTO v_tx;
  INSERT INTO credit_lot (user_id, grant_transaction_id, amount, remaining, expires_at, created_at)
  VALUES (p_user_id, v_tx, p_amount, p_amount, p_expires_at, v_now);
  RETURN QUERY SELECT 'ok'::text, v_tx, v_balance;
END;
$$;
--> statement-breakpoint

-- Takes p_amount from the user's lots in burn order (soonest expiry first, never-expiring last, ties by
-- creation) and records an allocation per lot. The caller holds the user's row lock, has already lowered
-- the balance and has expired what was due; lots due at p_now are skipped all the same, so a spend never
-- draws on an expired lot (if the rest does not cover it, that is a broken invariant and aborts). Each
-- pass touches at most 100 lots, so no statement is unbounded.
DROP FUNCTION credits_take_from_lots(text, bigint, integer);
--> statement-breakpoint

CREATE FUNCTION credits_take_from_lots(p_user_id text, p_transaction_id bigint, p_amount integer, p_now timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_left integer := p_amount;
  v_taken bigint;
BEGIN
  LOOP
    WITH candidate AS (
      SELECT id, remaining, sum(remaining) OVER (ORDER BY expires_at ASC NULLS LAST, id) AS running
      FROM (
        SELECT id, remaining, expires_at FROM credit_lot
        WHERE user_id = p_user_id AND has_remaining AND (expires_at IS NULL OR expires_at > p_now)
        ORDER BY expires_at ASC NULLS LAST, id
        LIMIT 100
      ) lot
    ), share AS (
      SELECT id, least(remaining, v_left - (running - remaining))::integer AS take
      FROM candidate WHERE running - remaining < v_left
    ), taken AS (
      UPDATE credit_lot SET remaining = credit_lot.remaining - share.take
      FROM share WHERE credit_lot.id = share.id
      RETURNING credit_lot.id, share.take
    ), allocated AS (
      INSERT INTO credit_allocation (transaction_id, lot_id, amount)
      SELECT p_transaction_id, id, take FROM taken
      RETURNING amount
    )
    SELECT coalesce(sum(amount), 0) INTO v_taken FROM allocated;
    IF v_taken = 0 THEN
      RAISE EXCEPTION 'ledger invariant broken: the unexpired lots of user % do not cover the balance', p_user_id
        USING ERRCODE = 'CR003';
    END IF;
    v_left := v_left - v_taken;
    EXIT WHEN v_left = 0;
  END LOOP;
END;
$$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION credits_consume(
  p_user_id text, p_amount integer, p_source_type text, p_description text, p_idempotency_key text,
  p_metadata jsonb, p_now timestamptz
) RETURNS TABLE (r_status text, r_transaction_id bigint, r_balance bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz := coalesce(p_now, now());
  v_fingerprint text;
  v_replay record;
  v_user record;
  v_balance bigint;
  v_tx bigint;
  v_spent_at timestamptz;
BEGIN
  IF p_idempotency_key IS NOT NULL THEN
    v_fingerprint := md5(format('CONSUME|%s|%s', p_amount, p_source_type));
    SELECT * INTO v_replay FROM credits_find_replay(p_user_id, p_idempotency_key, v_fingerprint);
    IF FOUND THEN
      RETURN QUERY SELECT v_replay.r_status, v_replay.r_transaction_id, v_replay.r_balance;
      RETURN;
    END IF;
    -- A concurrent call with the same key may have committed meanwhile: look again under the lock.
    PERFORM 1 FROM user_credit WHERE user_id = p_user_id FOR UPDATE;
    SELECT * INTO v_replay FROM credits_find_replay(p_user_id, p_idempotency_key, v_fingerprint);
    IF FOUND THEN
      RETURN QUERY SELECT v_replay.r_status, v_replay.r_transaction_id, v_replay.r_balance;
      RETURN;
    END IF;
  END IF;

  -- The guarded update checks and locks at once, and the log row goes in with it in the same statement.
  -- It matches when the balance covers the spend and no lot is due at the user's clock. Both are read
  -- from the user's row, which READ COMMITTED re-reads once the lock is granted, so a grant that committed
  -- while this spend waited (perhaps with a lot already due at this spend's time) is taken into account.
  -- When it does not match, decide under the lock: expire what is due (credits are never spent at or after
  -- their expiry, even before the cron has run), then either spend or answer what is really available.
  FOR v_attempt IN 1..2 LOOP
    WITH spent AS (
      UPDATE user_credit
      SET current_credits = current_credits - p_amount, lifetime_consumed = lifetime_consumed + p_amount,
        updated_at = greatest(updated_at, v_now)
      WHERE user_id = p_user_id AND current_credits >= p_amount
        AND (earliest_expiry_at IS NULL OR earliest_expiry_at > greatest(updated_at, v_now))
      RETURNING current_credits, updated_at
    )
    INSERT INTO credit_transaction (
      user_id, type, amount, balance_after, source_type, idempotency_key, request_fingerprint, description,
      metadata, created_at
    )
    SELECT p_user_id, 'CONSUME', -p_amount, current_credits, p_source_type, p_idempotency_key, v_fingerprint,
      p_description, p_metadata, updated_at
    FROM spent
    RETURNING id, balance_after, created_at INTO v_tx, v_balance, v_spent_at;
    IF FOUND THEN
      v_now := v_spent_at;
      EXIT;
    END IF;
    IF v_attempt = 2 THEN
      RAISE EXCEPTION 'ledger invariant broken: the spend of user % failed under its own lock', p_user_id
        USING ERRCODE = 'CR003';
    END IF;
    SELECT current_credits, earliest_expiry_at, greatest(updated_at, v_now) AS at INTO v_user
    FROM user_credit WHERE user_id = p_user_id FOR UPDATE;
    IF NOT FOUND THEN
      PERFORM 1 FROM "user" WHERE id = p_user_id;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown user %', p_user_id USING ERRCODE = 'CR002';
      END IF;
      RETURN QUERY SELECT 'insufficient'::text, NULL::bigint, 0::bigint;
      RETURN;
    END IF;
    v_balance := v_user.current_credits;
    IF v_user.earliest_expiry_at <= v_user.at THEN
      SELECT v_balance - r_credits INTO v_balance FROM credits_expire_user(p_user_id, v_now, 'expiration_inline');
    END IF;
    IF v_balance < p_amount THEN
      RETURN QUERY SELECT 'insufficient'::text, NULL::bigint, v_balance;
      RETURN;
    END IF;
  END LOOP;

  -- Lots are read in a later statement than the lock. Most spends fit in the first lot in burn order:
  -- take them there in one indexed UPDATE; otherwise walk the lots. Neither draws on a lot due at v_now.
  WITH taken AS (
    UPDATE credit_lot SET remaining = remaining - p_amount
    WHERE id = (
      SELECT id FROM credit_lot WHERE user_id = p_user_id AND has_remaining
      ORDER BY expires_at ASC NULLS LAST, id LIMIT 1
    ) AND remaining >= p_amount AND (expires_at IS NULL OR expires_at > v_now)
    RETURNING id
  )
  INSERT INTO credit_allocation (transaction_id, lot_id, amount) SELECT v_tx, id, p_amount FROM taken;
  IF NOT FOUND THEN
    PERFORM credits_take_from_lots(p_user_id, v_tx, p_amount, v_now);
  END IF;
  RETURN QUERY SELECT 'ok'::text, v_tx, v_balance;
END;
$$;
--> statement-breakpoint

-- Gives back up to what one CONSUME took, over all its refunds, to the lots it came from, latest-expiring
-- first. Credits returned to a lot that has expired by the user's clock expire at once: an EXPIRE row
-- linked to the refund (source 'expired_on_refund'), so a refund never resurrects expired credits.
CREATE OR REPLACE FUNCTION credits_refund(
  p_user_id text, p_consume_id bigint, p_amount integer, p_source_type text, p_description text,
  p_idempotency_key text, p_metadata jsonb, p_now timestamptz
) RETURNS TABLE (r_status text, r_transaction_id bigint, r_balance bigint, r_amount integer, r_expired bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz := coalesce(p_now, now());
  v_fingerprint text;
  v_replay record;
  v_user record;
  v_consume record;
  v_refundable integer;
  v_amount integer;
  v_left integer;
  v_balance bigint;
  v_tx bigint;
  v_expire_tx bigint;
  v_lot record;
  v_give integer;
  v_expired bigint := 0;
  v_earliest timestamptz;
BEGIN
  IF p_idempotency_key IS NOT NULL THEN
    v_fingerprint := md5(format('REFUND|%s|%s|%s', p_consume_id, coalesce(p_amount::text, 'rest'), p_source_type));
    SELECT * INTO v_replay FROM credits_find_refund_replay(p_user_id, p_idempotency_key, v_fingerprint);
    IF FOUND THEN
      RETURN QUERY SELECT v_replay.r_status, v_replay.r_transaction_id, v_replay.r_balance, v_replay.r_amount, v_replay.r_expired;
      RETURN;
    END IF;
  END IF;
  SELECT earliest_expiry_at, greatest(updated_at, v_now) AS at INTO v_user
  FROM user_credit WHERE user_id = p_user_id FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM 1 FROM "user" WHERE id = p_user_id;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'unknown user %', p_user_id USING ERRCODE = 'CR002';
    END IF;
    RAISE EXCEPTION 'consume % of user % not found', p_consume_id, p_user_id USING ERRCODE = 'CR005';
  END IF;
  v_now := v_user.at;
  IF v_user.earliest_expiry_at <= v_now THEN
    PERFORM credits_expire_user(p_user_id, v_now, 'expiration_inline');
  END IF;
  IF p_idempotency_key IS NOT NULL THEN
    SELECT * INTO v_replay FROM credits_find_refund_replay(p_user_id, p_idempotency_key, v_fingerprint);
    IF FOUND THEN
      RETURN QUERY SELECT v_replay.r_status, v_replay.r_transaction_id, v_replay.r_balance, v_replay.r_amount, v_replay.r_expired;
      RETURN;
    END IF;
  END IF;

  SELECT id, amount INTO v_consume FROM credit_transaction WHERE id = p_consume_id AND user_id = p_user_id AND type = 'CONSUME';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'consume % of user % not found', p_consume_id, p_user_id USING ERRCODE = 'CR005';
  END IF;
  -- Read under the user lock, so concurrent refunds of one consume can never add up to more than it took.
  v_refundable := -v_consume.amount - coalesce(
    (SELECT sum(amount) FROM credit_transaction WHERE related_transaction_id = p_consume_id AND type = 'REFUND'), 0);
  v_amount := coalesce(p_amount, v_refundable);
  IF v_amount > v_refundable OR v_amount = 0 THEN
    RETURN QUERY SELECT 'exceeds_refundable'::text, NULL::bigint, NULL::bigint, v_refundable, 0::bigint;
    RETURN;
  END IF;

  UPDATE user_credit
  SET current_credits = current_credits + v_amount, lifetime_refunded = lifetime_refunded + v_amount, updated_at = v_now
  WHERE user_id = p_user_id
  RETURNING current_credits INTO v_balance;
  INSERT INTO credit_transaction (
    user_id, type, amount, balance_after, source_type, idempotency_key, request_fingerprint,
    related_transaction_id, description, metadata, created_at
  ) VALUES (
    p_user_id, 'REFUND', v_amount, v_balance, p_source_type, p_idempotency_key, v_fingerprint,
    p_consume_id, p_description, p_metadata, v_now
  ) RETURNING id INTO v_tx;

  v_left := v_amount;
  FOR v_lot IN
    SELECT lot.id, lot.expires_at, taken.amount - coalesce(returned.amount, 0) AS returnable
    FROM credit_allocation taken
    JOIN credit_lot lot ON lot.id = taken.lot_id
    LEFT JOIN (
      SELECT a.lot_id, sum(a.amount)::integer AS amount
      FROM credit_allocation a JOIN credit_transaction t ON t.id = a.transaction_id
      WHERE t.related_transaction_id = p_consume_id AND t.type = 'REFUND' AND t.id <> v_tx
      GROUP BY a.lot_id
    ) returned ON returned.lot_id = lot.id
    WHERE taken.transaction_id = p_consume_id
    ORDER BY lot.expires_at DESC NULLS FIRST, lot.id DESC
  LOOP
    EXIT WHEN v_left = 0;
    CONTINUE WHEN v_lot.returnable <= 0;
    v_give := least(v_left, v_lot.returnable);
    UPDATE credit_lot SET remaining = remaining + v_give WHERE id = v_lot.id;
    INSERT INTO credit_allocation (transaction_id, lot_id, amount) VALUES (v_tx, v_lot.id, v_give);
    v_left := v_left - v_give;
    IF v_lot.expires_at <= v_now THEN
      UPDATE credit_lot SET remaining = remaining - v_give WHERE id = v_lot.id;
      v_expired := v_expired + v_give;
      INSERT INTO credit_transaction (user_id, type, amount, balance_after, source_type, related_transaction_id, created_at)
      VALUES (p_user_id, 'EXPIRE', -v_give, v_balance - v_expired, 'expired_on_refund', v_tx, v_now)
      RETURNING id INTO v_expire_tx;
      INSERT INTO credit_allocation (transaction_id, lot_id, amount) VALUES (v_expire_tx, v_lot.id, v_give);
    ELSE
      -- A lot refilled with credits that still expire later keeps the user's earliest expiry a lower bound.
      v_earliest := least(v_earliest, v_lot.expires_at);
    END IF;
  END LOOP;
  IF v_left <> 0 THEN
    RAISE EXCEPTION 'ledger invariant broken: consume % has no lots to return % credits to', p_consume_id, v_left
      USING ERRCODE = 'CR003';
  END IF;
  IF v_expired > 0 OR v_earliest IS NOT NULL THEN
    UPDATE user_credit
    SET current_credits = current_credits - v_expired, lifetime_expired = lifetime_expired + v_expired,
      earliest_expiry_at = least(earliest_expiry_at, v_earliest)
    WHERE user_id = p_user_id;
  END IF;
  RETURN QUERY SELECT 'ok'::text, v_tx, v_balance - v_expired, v_amount, v_expired;
END;
$$;
--> statement-breakpoint

CREATE OR REPLACE FUNCTION credits_clawback(
  p_user_id text, p_amount integer, p_payment_id bigint, p_source_type text, p_description text,
  p_idempotency_key text, p_metadata jsonb, p_now timestamptz
) RETURNS TABLE (r_status text, r_transaction_id bigint, r_balance bigint, r_amount integer)
LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz := coalesce(p_now, now());
  v_fingerprint text;
  v_replay record;
  v_user record;
  v_balance bigint;
  v_take integer;
  v_tx bigint;
  v_first integer;
BEGIN
  IF p_idempotency_key IS NOT NULL THEN
    v_fingerprint := md5(format('CLAWBACK|%s|%s|%s', p_amount, p_source_type, p_payment_id));
    SELECT * INTO v_replay FROM credits_find_replay(p_user_id, p_idempotency_key, v_fingerprint);
    IF FOUND THEN
      RETURN QUERY SELECT v_replay.r_status, v_replay.r_transaction_id, v_replay.r_balance, -v_replay.r_amount;
      RETURN;
    END IF;
  END IF;
  PERFORM 1 FROM payment WHERE id = p_payment_id AND user_id = p_user_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'payment % does not exist or belongs to another user', p_payment_id USING ERRCODE = 'CR004';
  END IF;
  SELECT current_credits, earliest_expiry_at, greatest(updated_at, v_now) AS at INTO v_user
  FROM user_credit WHERE user_id = p_user_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'nothing'::text, NULL::bigint, 0::bigint, 0;
    RETURN;
  END IF;
  v_now := v_user.at;
  v_balance := v_user.current_credits;
  -- Credits past their expiry are gone already: expire them first, so they are not counted as taken back.
  IF v_user.earliest_expiry_at <= v_now THEN
    SELECT v_balance - r_credits INTO v_balance FROM credits_expire_user(p_user_id, v_now, 'expiration_inline');
  END IF;
  IF p_idempotency_key IS NOT NULL THEN
    SELECT * INTO v_replay FROM credits_find_replay(p_user_id, p_idempotency_key, v_fingerprint);
    IF FOUND THEN
      RETURN QUERY SELECT v_replay.r_status, v_replay.r_transaction_id, v_replay.r_balance, -v_replay.r_amount;
      RETURN;
    END IF;
  END IF;
  v_take := least(p_amount::bigint, v_balance)::integer;
  IF v_take = 0 THEN
    RETURN QUERY SELECT 'nothing'::text, NULL::bigint, v_balance, 0;
    RETURN;
  END IF;

  UPDATE user_credit
  SET current_credits = current_credits - v_take, lifetime_consumed = lifetime_consumed + v_take, updated_at = v_now
  WHERE user_id = p_user_id
  RETURNING current_credits INTO v_balance;
  INSERT INTO credit_transaction (
    user_id, type, amount, balance_after, source_type, idempotency_key, request_fingerprint, payment_id,
    description, metadata, created_at
  ) VALUES (
    p_user_id, 'CONSUME', -v_take, v_balance, p_source_type, p_idempotency_key, v_fingerprint, p_payment_id,
    p_description, p_metadata, v_now
  ) RETURNING id INTO v_tx;

  -- The payment's own grant first (lots of a GRANT row carrying this payment's id), if it is not due.
  WITH own AS (
    SELECT lot.id, least(lot.remaining, v_take) AS take
    FROM credit_lot lot JOIN credit_transaction grant_tx ON grant_tx.id = lot.grant_transaction_id
    WHERE grant_tx.payment_id = p_payment_id AND grant_tx.type = 'GRANT' AND lot.has_remaining
      AND (lot.expires_at IS NULL OR lot.expires_at > v_now)
  ), taken AS (
    UPDATE credit_lot SET remaining = credit_lot.remaining - own.take FROM own
    WHERE credit_lot.id = own.id
    RETURNING credit_lot.id, own.take
  ), allocated AS (
    INSERT INTO credit_allocation (transaction_id, lot_id, amount) SELECT v_tx, id, take FROM taken
    RETURNING amount
  )
  SELECT coalesce(sum(amount), 0) INTO v_first FROM allocated;
  IF v_take > v_first THEN
    PERFORM credits_take_from_lots(p_user_id, v_tx, v_take - v_first, v_now);
  END IF;
  RETURN QUERY SELECT 'ok'::text, v_tx, v_balance, v_take;
END;
$$;
