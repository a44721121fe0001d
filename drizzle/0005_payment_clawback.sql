-- Taking back what a refunded or disputed payment bought. A CONSUME row (source 'payment_refunded' or
-- 'payment_disputed') carrying the payment's id, for at most what the user still has: a balance never goes
-- below zero, and the part already spent (the shortfall) is left for the caller to record. Credits are
-- taken from the payment's own grant first, then in burn order, so a refund removes those credits and
-- not, say, a gift that expires sooner.

CREATE FUNCTION credits_clawback(
  p_user_id text, p_amount integer, p_payment_id bigint, p_source_type text, p_description text,
  p_idempotency_key text, p_metadata jsonb, p_now timestamptz
) RETURNS TABLE (r_status text, r_transaction_id bigint, r_balance bigint, r_amount integer)
LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz := coalesce(p_now, now());
  v_fingerprint text;
  v_replay record;
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
  -- Credits past their expiry are gone already: expire them first, so they are not counted as taken back.
  PERFORM credits_expire_user(p_user_id, v_now, 'expiration_inline');
  SELECT current_credits INTO v_balance FROM user_credit WHERE user_id = p_user_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'nothing'::text, NULL::bigint, 0::bigint, 0;
    RETURN;
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

  -- The payment's own grant first (lots of a GRANT row carrying this payment's id).
  WITH own AS (
    SELECT lot.id, least(lot.remaining, v_take) AS take
    FROM credit_lot lot JOIN credit_transaction grant_tx ON grant_tx.id = lot.grant_transaction_id
    WHERE grant_tx.payment_id = p_payment_id AND grant_tx.type = 'GRANT' AND lot.has_remaining
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
    PERFORM credits_take_from_lots(p_user_id, v_tx, v_take - v_first);
  END IF;
  RETURN QUERY SELECT 'ok'::text, v_tx, v_balance, v_take;
END;
$$;
