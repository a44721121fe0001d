-- The ledger's guarantees that a schema diff cannot express: the append-only log, the self-reference
-- of related transactions, and the four SQL functions that are the only writers of the ledger tables.
-- src/credits/server.ts is the only TypeScript caller of these functions (a test enforces it).
--
-- Why functions: each primitive is one round trip, and PL/pgSQL takes a fresh snapshot per statement
-- under READ COMMITTED, so lots are always read after the user's row lock is held (a CTE in the same
-- statement as the lock would read lots from the snapshot taken before waiting, and burn them twice).
--
-- Lock order everywhere: the user's user_credit row first, then that user's lots.
-- Error codes raised here (SQLSTATE class CR) are mapped to typed errors in src/credits/errors.ts.

-- Room on each page for the new row versions of frequent updates (every spend updates one user_credit
-- row and one credit_lot row), so they stay HOT updates: same page, no index writes.
ALTER TABLE "user_credit" SET (fillfactor = 80);
--> statement-breakpoint
ALTER TABLE "credit_lot" SET (fillfactor = 70);
--> statement-breakpoint

ALTER TABLE "credit_transaction" ADD CONSTRAINT "credit_transaction_related_transaction_id_fk"
  FOREIGN KEY ("related_transaction_id") REFERENCES "credit_transaction"("id");
--> statement-breakpoint

CREATE FUNCTION credits_reject_mutation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'CR001';
END;
$$;
--> statement-breakpoint

CREATE TRIGGER credit_transaction_append_only
  BEFORE UPDATE OR DELETE ON "credit_transaction"
  FOR EACH ROW EXECUTE FUNCTION credits_reject_mutation();
--> statement-breakpoint

CREATE TRIGGER credit_transaction_no_truncate
  BEFORE TRUNCATE ON "credit_transaction"
  FOR EACH STATEMENT EXECUTE FUNCTION credits_reject_mutation();
--> statement-breakpoint

CREATE TRIGGER credit_allocation_append_only
  BEFORE UPDATE OR DELETE ON "credit_allocation"
  FOR EACH ROW EXECUTE FUNCTION credits_reject_mutation();
--> statement-breakpoint

CREATE TRIGGER credit_allocation_no_truncate
  BEFORE TRUNCATE ON "credit_allocation"
  FOR EACH STATEMENT EXECUTE FUNCTION credits_reject_mutation();
--> statement-breakpoint

-- Expires every lot of one user that is due at p_now, one EXPIRE row per lot, linked to its grant.
-- Takes the user's row lock first (a no-op when the caller already holds it).
CREATE FUNCTION credits_expire_user(p_user_id text, p_now timestamptz, p_source_type text)
RETURNS TABLE (r_lots integer, r_credits bigint) LANGUAGE plpgsql AS $$
DECLARE
  v_balance bigint;
  v_lot record;
  v_tx bigint;
BEGIN
  r_lots := 0;
  r_credits := 0;
  SELECT current_credits INTO v_balance FROM user_credit WHERE user_id = p_user_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NEXT;
    RETURN;
  END IF;
  FOR v_lot IN
    SELECT id, remaining, grant_transaction_id FROM credit_lot
    WHERE user_id = p_user_id AND has_remaining AND expires_at <= p_now
    ORDER BY expires_at, id
  LOOP
    UPDATE credit_lot SET remaining = 0 WHERE id = v_lot.id;
    v_balance := v_balance - v_lot.remaining;
    INSERT INTO credit_transaction (user_id, type, amount, balance_after, source_type, related_transaction_id, created_at)
    VALUES (p_user_id, 'EXPIRE', -v_lot.remaining, v_balance, p_source_type, v_lot.grant_transaction_id, p_now)
    RETURNING id INTO v_tx;
    INSERT INTO credit_allocation (transaction_id, lot_id, amount) VALUES (v_tx, v_lot.id, v_lot.remaining);
    r_lots := r_lots + 1;
    r_credits := r_credits + v_lot.remaining;
  END LOOP;
  IF r_lots > 0 THEN
    UPDATE user_credit
    SET current_credits = current_credits - r_credits, lifetime_expired = lifetime_expired + r_credits, updated_at = p_now
    WHERE user_id = p_user_id;
  END IF;
  RETURN NEXT;
END;
$$;
--> statement-breakpoint

-- Looks up an earlier call with the same idempotency key: 'replayed' when its fingerprint matches,
-- 'conflict' when the key was used for a different request, NULL when the key is new.
CREATE FUNCTION credits_find_replay(p_user_id text, p_key text, p_fingerprint text)
RETURNS TABLE (r_status text, r_transaction_id bigint, r_balance bigint, r_amount integer)
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN request_fingerprint = p_fingerprint THEN 'replayed' ELSE 'conflict' END, id, balance_after, amount
  FROM credit_transaction
  WHERE user_id = p_user_id AND idempotency_key = p_key;
$$;
--> statement-breakpoint

CREATE FUNCTION credits_grant(
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
  IF p_expires_at IS NOT NULL AND p_expires_at <= v_now THEN
    RAISE EXCEPTION 'expiration date % is not after now (%)', p_expires_at, v_now USING ERRCODE = 'CR006';
  END IF;
  IF p_payment_id IS NOT NULL THEN
    PERFORM 1 FROM payment WHERE id = p_payment_id AND user_id = p_user_id;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'payment % does not exist or belongs to another user', p_payment_id USING ERRCODE = 'CR004';
    END IF;
  END IF;

  -- Race-free lazy creation of the balance row; a foreign-key error here means the user is unknown.
  INSERT INTO user_credit (user_id, created_at, updated_at) VALUES (p_user_id, v_now, v_now) ON CONFLICT DO NOTHING;
  IF p_idempotency_key IS NOT NULL OR p_payment_id IS NOT NULL THEN
    -- Same-key or same-payment calls serialise on this lock; re-check now that earlier ones committed.
    PERFORM 1 FROM user_credit WHERE user_id = p_user_id FOR UPDATE;
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
  END IF;

  UPDATE user_credit
  SET current_credits = current_credits + p_amount, lifetime_granted = lifetime_granted + p_amount, updated_at = v_now
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
-- creation) and records an allocation per lot. The caller holds the user's row lock and has already
-- lowered the balance; each pass touches at most 100 lots, so no statement is unbounded.
CREATE FUNCTION credits_take_from_lots(p_user_id text, p_transaction_id bigint, p_amount integer)
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
        WHERE user_id = p_user_id AND has_remaining
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
      RAISE EXCEPTION 'ledger invariant broken: the lots of user % do not cover the balance', p_user_id
        USING ERRCODE = 'CR003';
    END IF;
    v_left := v_left - v_taken;
    EXIT WHEN v_left = 0;
  END LOOP;
END;
$$;
--> statement-breakpoint

CREATE FUNCTION credits_consume(
  p_user_id text, p_amount integer, p_source_type text, p_description text, p_idempotency_key text,
  p_metadata jsonb, p_now timestamptz
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

  -- The guarded update checks and locks at once, and the log row goes in with it in the same statement:
  -- no row back means insufficient credits, or lots that are due and must expire first (credits are
  -- never spent at or after their expiry, even before the cron has run). Then expire them and try once
  -- more. (No lot can become due meanwhile: a grant's expiry is after its own, later, now.)
  FOR v_attempt IN 1..2 LOOP
    WITH spent AS (
      UPDATE user_credit
      SET current_credits = current_credits - p_amount, lifetime_consumed = lifetime_consumed + p_amount,
        updated_at = v_now
      WHERE user_id = p_user_id AND current_credits >= p_amount
        AND NOT EXISTS (
          SELECT 1 FROM credit_lot WHERE user_id = p_user_id AND has_remaining AND expires_at <= v_now)
      RETURNING current_credits
    )
    INSERT INTO credit_transaction (
      user_id, type, amount, balance_after, source_type, idempotency_key, request_fingerprint, description,
      metadata, created_at
    )
    SELECT p_user_id, 'CONSUME', -p_amount, current_credits, p_source_type, p_idempotency_key, v_fingerprint,
      p_description, p_metadata, v_now
    FROM spent
    RETURNING id, balance_after INTO v_tx, v_balance;
    EXIT WHEN FOUND;
    IF v_attempt = 1
      AND EXISTS (SELECT 1 FROM credit_lot WHERE user_id = p_user_id AND has_remaining AND expires_at <= v_now) THEN
      PERFORM credits_expire_user(p_user_id, v_now, 'expiration_inline');
      CONTINUE;
    END IF;
    SELECT current_credits INTO v_balance FROM user_credit WHERE user_id = p_user_id;
    IF NOT FOUND THEN
      PERFORM 1 FROM "user" WHERE id = p_user_id;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown user %', p_user_id USING ERRCODE = 'CR002';
      END IF;
      v_balance := 0;
    END IF;
    RETURN QUERY SELECT 'insufficient'::text, NULL::bigint, v_balance;
    RETURN;
  END LOOP;

  -- Lots are read in a later statement than the lock. Most spends fit in the first lot in burn order:
  -- take them there in one indexed UPDATE; otherwise walk the lots.
  WITH taken AS (
    UPDATE credit_lot SET remaining = remaining - p_amount
    WHERE id = (
      SELECT id FROM credit_lot WHERE user_id = p_user_id AND has_remaining
      ORDER BY expires_at ASC NULLS LAST, id LIMIT 1
    ) AND remaining >= p_amount
    RETURNING id
  )
  INSERT INTO credit_allocation (transaction_id, lot_id, amount) SELECT v_tx, id, p_amount FROM taken;
  IF NOT FOUND THEN
    PERFORM credits_take_from_lots(p_user_id, v_tx, p_amount);
  END IF;
  RETURN QUERY SELECT 'ok'::text, v_tx, v_balance;
END;
$$;
--> statement-breakpoint

-- A refund's replay also reports what expired at once with it (EXPIRE rows linked to the refund), so the
-- replayed result carries the same balance and expired amount as the original.
CREATE FUNCTION credits_find_refund_replay(p_user_id text, p_key text, p_fingerprint text)
RETURNS TABLE (r_status text, r_transaction_id bigint, r_balance bigint, r_amount integer, r_expired bigint)
LANGUAGE sql STABLE AS $$
  SELECT replay.r_status, replay.r_transaction_id, replay.r_balance - expired.amount, replay.r_amount, expired.amount
  FROM credits_find_replay(p_user_id, p_key, p_fingerprint) replay
  CROSS JOIN LATERAL (
    SELECT -coalesce(sum(amount), 0) AS amount FROM credit_transaction
    WHERE related_transaction_id = replay.r_transaction_id AND type = 'EXPIRE'
  ) expired;
$$;
--> statement-breakpoint

-- Gives back up to what one CONSUME took, over all its refunds, to the lots it came from, latest-expiring
-- first. Credits returned to a lot that has expired meanwhile expire at once: an EXPIRE row linked to the
-- refund (source 'expired_on_refund'), so a refund never resurrects expired credits.
CREATE FUNCTION credits_refund(
  p_user_id text, p_consume_id bigint, p_amount integer, p_source_type text, p_description text,
  p_idempotency_key text, p_metadata jsonb, p_now timestamptz
) RETURNS TABLE (r_status text, r_transaction_id bigint, r_balance bigint, r_amount integer, r_expired bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz := coalesce(p_now, now());
  v_fingerprint text;
  v_replay record;
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
BEGIN
  IF p_idempotency_key IS NOT NULL THEN
    v_fingerprint := md5(format('REFUND|%s|%s|%s', p_consume_id, coalesce(p_amount::text, 'rest'), p_source_type));
    SELECT * INTO v_replay FROM credits_find_refund_replay(p_user_id, p_idempotency_key, v_fingerprint);
    IF FOUND THEN
      RETURN QUERY SELECT v_replay.r_status, v_replay.r_transaction_id, v_replay.r_balance, v_replay.r_amount, v_replay.r_expired;
      RETURN;
    END IF;
  END IF;
  IF EXISTS (SELECT 1 FROM credit_lot WHERE user_id = p_user_id AND has_remaining AND expires_at <= v_now) THEN
    PERFORM credits_expire_user(p_user_id, v_now, 'expiration_inline');
  END IF;
  PERFORM 1 FROM user_credit WHERE user_id = p_user_id FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM 1 FROM "user" WHERE id = p_user_id;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'unknown user %', p_user_id USING ERRCODE = 'CR002';
    END IF;
    RAISE EXCEPTION 'consume % of user % not found', p_consume_id, p_user_id USING ERRCODE = 'CR005';
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
    END IF;
  END LOOP;
  IF v_left <> 0 THEN
    RAISE EXCEPTION 'ledger invariant broken: consume % has no lots to return % credits to', p_consume_id, v_left
      USING ERRCODE = 'CR003';
  END IF;
  IF v_expired > 0 THEN
    UPDATE user_credit
    SET current_credits = current_credits - v_expired, lifetime_expired = lifetime_expired + v_expired
    WHERE user_id = p_user_id;
  END IF;
  RETURN QUERY SELECT 'ok'::text, v_tx, v_balance - v_expired, v_amount, v_expired;
END;
$$;
--> statement-breakpoint

-- One expiry batch: locks up to p_batch_size users with due lots, in user id order, skipping users whose
-- row another transaction holds (a concurrent consume or another cron runner), and expires their lots.
CREATE FUNCTION credits_expire_due(p_now timestamptz, p_batch_size integer)
RETURNS TABLE (r_users integer, r_lots integer, r_credits bigint, r_more boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_user record;
  v_result record;
BEGIN
  r_users := 0;
  r_lots := 0;
  r_credits := 0;
  FOR v_user IN
    SELECT uc.user_id FROM user_credit uc
    WHERE uc.user_id IN (SELECT l.user_id FROM credit_lot l WHERE l.has_remaining AND l.expires_at <= p_now)
    ORDER BY uc.user_id
    LIMIT p_batch_size
    FOR UPDATE OF uc SKIP LOCKED
  LOOP
    SELECT * INTO v_result FROM credits_expire_user(v_user.user_id, p_now, 'expiration_cron');
    r_users := r_users + 1;
    r_lots := r_lots + v_result.r_lots;
    r_credits := r_credits + v_result.r_credits;
  END LOOP;
  r_more := EXISTS (SELECT 1 FROM credit_lot WHERE has_remaining AND expires_at <= p_now);
  RETURN NEXT;
END;
$$;
