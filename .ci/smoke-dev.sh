#!/usr/bin/env bash
# The README's first command on a clean clone: `npm run dev` with no .env must serve the app from an
# embedded PostgreSQL. Starts it, checks the landing page, the cron route, and that a new account gets
# its 50-credit gift, then stops it again.
set -euo pipefail
cd "$(dirname "$0")/.."

port=3217
log=$(mktemp)
env -u DATABASE_URL -u CRON_SECRET setsid npm run dev -- --port "$port" >"$log" 2>&1 &
pid=$!
cleanup() {
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL -- "-$pid" 2>/dev/null || true
}
trap cleanup EXIT

for _ in $(seq 1 120); do
  grep -q 'Ready' "$log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "dev server exited early"; exit 1; }
  sleep 0.5
done

page=$(curl -fsS --max-time 120 "http://127.0.0.1:$port/")
grep -q 'saas-credits' <<<"$page" || { echo "landing page did not render"; cat "$log"; exit 1; }
cron=$(curl -fsS --max-time 60 "http://127.0.0.1:$port/api/cron/expire-credits")
grep -q '"more":false' <<<"$cron" || { echo "cron route answered: $cron"; cat "$log"; exit 1; }
signup=$(curl -fsS --max-time 60 -X POST "http://127.0.0.1:$port/api/auth/sign-up/email" \
  -H 'content-type: application/json' -H "origin: http://127.0.0.1:$port" -c "$log.cookies" \
  -d "{\"name\":\"Smoke\",\"email\":\"smoke-$RANDOM$RANDOM@example.test\",\"password\":\"a sturdy passphrase 42\"}")
grep -q '"user"' <<<"$signup" || { echo "sign-up answered: $signup"; cat "$log"; exit 1; }
credits=$(curl -fsS --max-time 60 -b "$log.cookies" "http://127.0.0.1:$port/api/credits")
grep -q '"current":50' <<<"$credits" || { echo "new account's credits: $credits"; cat "$log"; exit 1; }
# No payment keys on a fresh clone: the webhooks say so instead of failing, and the app still serves.
hook=$(curl -sS --max-time 60 -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/api/webhooks/stripe" -d '{}')
[ "$hook" = 503 ] || { echo "unconfigured Stripe webhook answered $hook"; cat "$log"; exit 1; }
echo "dev smoke test passed: landing page rendered, cron answered $cron"
