#!/usr/bin/env bash
# `make run`: Redis (AOF on, loopback), one Celery worker (solo), the API and nginx in front of it (the same
# nginx/topicmap.conf as production, non-root, on a high port), stopped together on Ctrl-C.
# TOPICMAP_NO_NGINX=1 runs the bare API only (for debugging).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
API_PORT=${TOPICMAP_API_PORT:-8000}
HTTP_PORT=${TOPICMAP_HTTP_PORT:-8080}
NO_NGINX=${TOPICMAP_NO_NGINX:-0}
REDIS_PORT=${TOPICMAP_REDIS_PORT:-6379}
RUN_DIR=${TOPICMAP_RUN_DIR:-.run}
mkdir -p "$RUN_DIR/redis"
RUN_DIR=$(cd "$RUN_DIR" && pwd)

# A development API key on first run: only its hash goes into .env; the key itself stays in
# .dev-api-key (git-ignored, readable by you only) so it can be printed again.
if [ -z "${TOPICMAP_API_KEYS:-}" ] && ! grep -q '^TOPICMAP_API_KEYS=' .env 2>/dev/null; then
  read -r key digest < <("$VENV/bin/python" -c 'from api.security import new_key; print(*new_key())')
  umask 077
  echo "$key" > .dev-api-key
  echo "TOPICMAP_API_KEYS=dev:$digest" >> .env
  echo "Created a development API key (its hash is in .env)."
fi
if [ -z "${TOPICMAP_WEBHOOK_SECRET:-}" ] && ! grep -q '^TOPICMAP_WEBHOOK_SECRET=.' .env 2>/dev/null; then
  (umask 077; echo "TOPICMAP_WEBHOOK_SECRET=$("$VENV/bin/python" -c 'import secrets; print(secrets.token_hex(32))')" >> .env)
  echo "Created a webhook signing secret in .env (GET /api/webhooks/secret shows your key's)."
fi
KEY=$(cat .dev-api-key 2>/dev/null || echo "(see your .env: only the key's hash is stored there)")

export TOPICMAP_REDIS_URL=${TOPICMAP_REDIS_URL:-redis://127.0.0.1:$REDIS_PORT/0}
pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "Stopping topicmap…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  echo "Using the Redis already running on port $REDIS_PORT."
else
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --protected-mode yes --dir "$RUN_DIR/redis" \
    --appendonly yes --appendfsync everysec --maxmemory-policy noeviction --save "" \
    --logfile "$RUN_DIR/redis.log" &
  pids+=($!)
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

"$VENV/bin/celery" -A worker.tasks worker -P solo -c 1 --without-mingle --without-gossip -n "worker@%h" &
pids+=($!)
# Search queries get their own worker: they never wait behind a job (docs/architecture.md).
TOPICMAP_ROLE=queries "$VENV/bin/celery" -A worker.tasks worker -P solo -c 1 -Q queries \
  --without-mingle --without-gossip -n "queries@%h" &
pids+=($!)
# Webhook deliveries (queue "webhooks", threads) and the beat that relays due ones from the outbox.
TOPICMAP_ROLE=webhooks "$VENV/bin/celery" -A worker.tasks worker -P threads -c 4 -Q webhooks -B \
  -s "$RUN_DIR/celerybeat-schedule" --without-mingle --without-gossip -n "webhooks@%h" &
pids+=($!)
"$VENV/bin/uvicorn" api.main:app --host 127.0.0.1 --port "$API_PORT" &
pids+=($!)

for _ in $(seq 100); do curl -fs "http://127.0.0.1:$API_PORT/api/health" >/dev/null 2>&1 && break; sleep 0.2; done

URL="http://127.0.0.1:$API_PORT"
if [ "$NO_NGINX" != 1 ]; then
  NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)
  bash scripts/nginx-local.sh "$RUN_DIR/nginx" "127.0.0.1:$HTTP_PORT" "127.0.0.1:$API_PORT"
  "$NGINX_BIN" -p "$RUN_DIR/nginx" -c "$RUN_DIR/nginx/nginx.conf" -g 'daemon off;' &
  pids+=($!)
  URL="http://127.0.0.1:$HTTP_PORT"
  for _ in $(seq 50); do curl -fs "$URL/api/health" >/dev/null 2>&1 && break; sleep 0.2; done
  curl -fs "$URL/api/health" >/dev/null || { echo "nginx did not start: see $RUN_DIR/nginx/error.log"; exit 1; }
fi

cat <<INFO

  topicmap is running (the worker warms up for ~20 s before its first job).
    Web page:  $URL/
    API docs:  $URL/api/docs
    API key:   $KEY
  Try:  curl -H "X-API-Key: $KEY" $URL/api/health/ready
INFO
[ "$NO_NGINX" != 1 ] && echo "  nginx ($URL) fronts the API on 127.0.0.1:$API_PORT; TOPICMAP_NO_NGINX=1 make run skips it."
echo "  Ctrl-C stops everything."
echo
wait -n "${pids[@]}"
