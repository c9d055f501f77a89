#!/usr/bin/env bash
# The deployment, stood up on this machine and tried through nginx (CI, after the tests):
#   nginx (Debian's package, installed if missing) with deploy/nginx/parskats.conf over TLS (a
#   certificate made on the fly), gunicorn with deploy/gunicorn.conf.py (4 workers), a fresh
#   PostgreSQL database, Redis as the cache; migrate, load_demo, collectstatic, check --deploy;
#   then deploy/smoke/test_through_nginx.py. A missing service is a failure, never a skip.
# Everything it starts it stops, and the database and cache keys it made go, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY="$ROOT/.venv/bin/python"
PG_ADMIN="${PARSKATS_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}"
REDIS_BASE="${PARSKATS_SMOKE_REDIS:-redis://127.0.0.1:6379/0}"
# CI's defaults above and below; on a shared machine give each run its own database, Redis db and
# ports (PARSKATS_SMOKE_DB, PARSKATS_SMOKE_REDIS, PARSKATS_SMOKE_HTTP_PORT / _HTTPS_PORT).
START=$(date +%s.%N)

step() { printf '=== %-44s (%5.1f s)\n' "$1" "$(echo "$(date +%s.%N) - $START" | bc)"; }
fail() { echo "ci-smoke: $*" >&2; exit 1; }

step "services"
pg_isready -q -d "$PG_ADMIN" -t 10 || fail "PostgreSQL is not reachable at $PG_ADMIN."
[ "$("$PY" -c "import redis,sys; print(redis.Redis.from_url(sys.argv[1], socket_timeout=3).ping())" "$REDIS_BASE" 2>&1)" = "True" ] \
  || fail "Redis is not reachable at $REDIS_BASE."
if ! command -v nginx >/dev/null; then
  step "installing nginx from Debian's packages"
  [ "$(id -u)" = 0 ] || fail "nginx is missing and installing it needs root."
  # The package would start the system's nginx on port 80; this run starts its own and nothing else.
  made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made_policy=1; fi
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null) || status=$?
  [ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
  [ "${status:-0}" = 0 ] || fail "apt-get install nginx failed."
fi
nginx -v 2>&1 | sed 's/^/    /'
id www-data >/dev/null || fail "no www-data user for nginx's workers."

WORK=$(mktemp -d /tmp/parskats-smoke.XXXXXX)
chmod 755 "$WORK"
DB="${PARSKATS_SMOKE_DB:-parskats_smoke_$$}"
PREFIX="smoke$$"
GUNICORN_PID=""
COLLECT_PID=""
CHECK_PID=""
NGINX_STARTED=0
cleanup() {
  status=$?
  set +e
  for pid in $COLLECT_PID $CHECK_PID; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  if [ "$NGINX_STARTED" = 1 ]; then nginx -c "$WORK/nginx.conf" -s stop 2>/dev/null; sleep 0.5; fi
  if [ -n "$GUNICORN_PID" ]; then kill -INT "$GUNICORN_PID" 2>/dev/null; wait "$GUNICORN_PID" 2>/dev/null; fi
  if [ "$status" != 0 ]; then
    for log in "$WORK"/gunicorn.log "$WORK"/log/*.log; do
      [ -s "$log" ] && { echo "--- last lines of $log"; tail -n 40 "$log"; }
    done
  fi
  psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1
  "$PY" -c "import redis,sys; r=redis.Redis.from_url(sys.argv[1]); keys=list(r.scan_iter(match=sys.argv[2]+':*')); keys and r.delete(*keys)" "$REDIS_BASE" "$PREFIX" 2>/dev/null
  rm -rf "$WORK"
  printf '=== %-44s (%5.1f s) exit %s\n' "stopped everything" "$(echo "$(date +%s.%N) - $START" | bc)" "$status"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ports=($("$PY" -c "
import socket
s=[socket.socket() for _ in range(2)]
[x.bind(('127.0.0.1',0)) for x in s]
print(*[x.getsockname()[1] for x in s])"))
HTTP_PORT=${PARSKATS_SMOKE_HTTP_PORT:-${ports[0]}}
HTTPS_PORT=${PARSKATS_SMOKE_HTTPS_PORT:-${ports[1]}}
BASE="https://127.0.0.1:$HTTPS_PORT"

export PARSKATS_ENV=production
export DJANGO_SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export DJANGO_ALLOWED_HOSTS="127.0.0.1"
export DJANGO_CSRF_TRUSTED_ORIGINS="$BASE"
export PARSKATS_BASE_URL="$BASE"
export DATABASE_URL="${PG_ADMIN%/*}/$DB"
export DATABASE_CONN_MAX_AGE=60
export REDIS_URL="$REDIS_BASE"
export PARSKATS_CACHE_PREFIX="$PREFIX"
export PARSKATS_TRUSTED_PROXIES=1
export PARSKATS_STATIC_ROOT="$WORK/var/static"
export PARSKATS_MEDIA_ROOT="$WORK/var/media"
export PARSKATS_MEDIA_ACCEL=/_protected_media/
export PARSKATS_BIND="unix:$WORK/gunicorn.sock"
export WEB_CONCURRENCY=4
export PARSKATS_RATE_API=30/3600
# Short, so that the growing delay (8 s, then 16 s) is seen within the run; production starts at 60 s.
# Not shorter: ten logins at once must all begin within it for exactly five to be checked.
export PARSKATS_LOGIN_FIRST_DELAY=8
export PYTHONDONTWRITEBYTECODE=1
unset DJANGO_DEBUG DJANGO_ALLOW_ASYNC_UNSAFE
mkdir -p "$PARSKATS_MEDIA_ROOT" "$WORK/log" "$WORK/tls" "$WORK/acme" "$WORK/nginx-tmp"

# collectstatic and check --deploy need no data: they run beside migrate and load_demo.
step "collectstatic, check --deploy (beside the database)"
"$PY" manage.py collectstatic --noinput -v0 >"$WORK/collectstatic.log" 2>&1 &
COLLECT_PID=$!
"$PY" manage.py check --deploy --fail-level WARNING >"$WORK/check.log" 2>&1 &
CHECK_PID=$!
step "database $DB"
psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" -c "CREATE DATABASE \"$DB\"" >/dev/null
step "migrate"
"$PY" manage.py migrate --noinput -v0
step "load_demo"
# The demo as the test suite sees it (its years move with the date; the smoke run tries the deployment,
# not the calendar): 2022 open, with a returned report that is complete enough to submit again.
"$PY" manage.py load_demo --today 2023-02-01 >"$WORK/load_demo.log"

step "TLS certificate for 127.0.0.1 (self-signed)"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$WORK/tls/privkey.pem" -out "$WORK/tls/fullchain.pem" 2>/dev/null

step "nginx configuration from deploy/nginx"
# The shipped file with this run's paths and ports; anything left unmapped stops the run.
sed -e "s|unix:/run/parskats/gunicorn.sock|unix:$WORK/gunicorn.sock|" \
    -e "s|/var/lib/parskats/|$WORK/var/|g" \
    -e "s|/etc/ssl/parskats/|$WORK/tls/|g" \
    -e "s|/etc/nginx/parskats-proxy.conf|$WORK/parskats-proxy.conf|g" \
    -e "s|/var/log/nginx/|$WORK/log/|g" \
    -e "s|/var/www/letsencrypt|$WORK/acme|g" \
    -e "s|listen 80;|listen 127.0.0.1:$HTTP_PORT;|" \
    -e "s|listen 443 ssl http2;|listen 127.0.0.1:$HTTPS_PORT ssl http2;|" \
    -e "/listen \[::\]/d" \
    -e "s|server_name parskats.example.lv;|server_name 127.0.0.1;|" \
    -e "/^[[:space:]]*#/d" \
    deploy/nginx/parskats.conf >"$WORK/parskats.conf"
cp deploy/nginx/parskats-proxy.conf "$WORK/parskats-proxy.conf"
if grep -nE '/run/parskats|/var/lib/parskats|/etc/ssl|/var/log|example\.lv|listen (80|443)' "$WORK/parskats.conf"; then
  fail "deploy/nginx/parskats.conf has a path or port this script does not map (above)."
fi
cat >"$WORK/nginx.conf" <<EOF
user www-data;
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/log/nginx.error.log;
events { worker_connections 512; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    server_tokens off;
    client_body_temp_path $WORK/nginx-tmp/body;
    proxy_temp_path $WORK/nginx-tmp/proxy;
    fastcgi_temp_path $WORK/nginx-tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx-tmp/uwsgi;
    scgi_temp_path $WORK/nginx-tmp/scgi;
    include $WORK/parskats.conf;
}
EOF
nginx -t -q -c "$WORK/nginx.conf"

step "collectstatic and check --deploy done"
wait "$COLLECT_PID" || { cat "$WORK/collectstatic.log"; fail "collectstatic failed."; }
COLLECT_PID=""
wait "$CHECK_PID" || { cat "$WORK/check.log"; fail "check --deploy found problems."; }
CHECK_PID=""
sed 's/^/    /' "$WORK/check.log"

step "gunicorn, $WEB_CONCURRENCY workers"
.venv/bin/gunicorn -c deploy/gunicorn.conf.py parskats.wsgi:application >"$WORK/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
for _ in $(seq 1 300); do
  [ -S "$WORK/gunicorn.sock" ] && [ "$(grep -c 'Booting worker' "$WORK/gunicorn.log")" -ge "$WEB_CONCURRENCY" ] && break
  kill -0 "$GUNICORN_PID" 2>/dev/null || fail "gunicorn exited."
  sleep 0.2
done
[ -S "$WORK/gunicorn.sock" ] || fail "gunicorn did not open its socket within 60 s."

step "nginx on 127.0.0.1:$HTTPS_PORT (TLS) and :$HTTP_PORT"
nginx -c "$WORK/nginx.conf"
NGINX_STARTED=1
for _ in $(seq 1 100); do
  curl -fsS --cacert "$WORK/tls/fullchain.pem" "$BASE/health/" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS --cacert "$WORK/tls/fullchain.pem" "$BASE/health/" >/dev/null || fail "no answer from $BASE/health/ through nginx."
[ "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$HTTP_PORT/x?y=1")" = "301 https://127.0.0.1/x?y=1" ] \
  || fail "plain HTTP does not redirect to HTTPS."

step "smoke test through nginx"
SMOKE_URL="$BASE" SMOKE_CA="$WORK/tls/fullchain.pem" SMOKE_DATABASE_URL="$DATABASE_URL" \
  SMOKE_GUNICORN_LOG="$WORK/gunicorn.log" SMOKE_API_LIMIT="${PARSKATS_RATE_API%/*}" \
  SMOKE_LOGIN_FIRST_DELAY="$PARSKATS_LOGIN_FIRST_DELAY" \
  .venv/bin/pytest -c /dev/null -p no:django -p no:cacheprovider -q -s --durations=0 \
  --rootdir deploy/smoke deploy/smoke/test_through_nginx.py
step "smoke test passed"

# The deadline-day load through nginx and the 4 workers (bench/loadrun.py): 0 errors and 0 lost saves
# or CI fails; p50/p95/p99 per endpoint and the CPU of each side are printed. The lockout test above
# left two accounts locked from this address, so their owners sit this one out.
step "load through nginx: ${PARSKATS_SMOKE_LOAD:=--reporters 50 --readers 200 --duration 60}"
# shellcheck disable=SC2086 # the arguments are words on purpose
"$PY" -m bench.loadrun --url "$BASE" --ca "$WORK/tls/fullchain.pem" --database-url "$DATABASE_URL" \
  --server-pid "$GUNICORN_PID" --exclude-accounts strenci@example.org,turna@example.org $PARSKATS_SMOKE_LOAD
step "load passed"
