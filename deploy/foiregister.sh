#!/usr/bin/env bash
# The register's production processes, one script for the image and for CI.
#
#   deploy/foiregister.sh install   build $VENV from requirements.lock (uv, as `make install`)
#   deploy/foiregister.sh release   collect static files, then migrate the database
#   deploy/foiregister.sh web       gunicorn (deploy/gunicorn.conf.py) on $GUNICORN_BIND
#   deploy/foiregister.sh worker    a Celery worker
#   deploy/foiregister.sh beat      Celery beat (one per install)
#   deploy/foiregister.sh health [web|worker|beat]   exit 0 when that part is healthy
#   deploy/foiregister.sh smoke     all of it against PostgreSQL and Redis, then stop
#
# The image runs `install` and the static half of `release` at build time, then `web`,
# `worker` or `beat` (its entrypoint is this script). CI runs `smoke` (.ci/run): a fresh
# venv from the lock file, a database of its own (SMOKE_DATABASE_URL, default the `smoke`
# database of the machine's PostgreSQL, dropped and created anew), Redis database 14,
# gunicorn, a worker and beat started, then the health endpoint must show the database,
# the broker, the worker's heartbeat and beat's tick, and a public page and a static file
# must be served; everything started is stopped on the way out.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$HERE"
VENV="${VENV:-$HERE/.venv}"
PY="$VENV/bin/python"
UV_VERSION="${UV_VERSION:-0.13.8}"
SELF="$HERE/deploy/foiregister.sh"

log() { printf '%s foiregister.sh: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

install() {
  test -x "$PY" || python3 -m venv "$VENV"
  if ! test -x "$VENV/bin/uv"; then
    "$PY" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
  fi
  "$VENV/bin/uv" pip sync --quiet --python "$PY" requirements.lock
}

collect() { "$PY" manage.py collectstatic --noinput -v0; }

release() {
  collect
  "$PY" manage.py migrate --noinput -v0
}

web() {
  # Migrations run here, before the first request; several web replicas migrating at once
  # is safe (PostgreSQL serialises it), but RUN_MIGRATIONS=0 leaves them to a release job.
  if [ "${RUN_MIGRATIONS:-1}" = "1" ]; then
    "$PY" manage.py migrate --noinput -v0
  fi
  exec "$VENV/bin/gunicorn" -c deploy/gunicorn.conf.py config.wsgi:application
}

worker() {
  exec "$VENV/bin/celery" -A config worker --loglevel="${CELERY_LOG_LEVEL:-INFO}" \
    --concurrency="${CELERY_CONCURRENCY:-2}" --hostname="worker@%h" "$@"
}

beat() {
  exec "$VENV/bin/celery" -A config beat --loglevel="${CELERY_LOG_LEVEL:-INFO}" "$@"
}

# Exit 0 when the part named is healthy: web answers liveness on its port; worker and beat
# have a fresh heartbeat, and database and broker answer (manage.py health, in-process).
health() {
  local part="${1:-web}"
  if [ "$part" != web ]; then
    exec "$PY" manage.py health "$part"
  fi
  "$PY" - "http://127.0.0.1:${PORT:-8000}/health/" <<'PYEOF'
import json, sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=5) as answer:
        sys.exit(0 if json.load(answer).get("status") in {"ok", "degraded"} else 1)
except Exception as exc:  # any failure is unhealthy
    print(f"web: {sys.argv[1]} did not answer: {exc}", file=sys.stderr)
    sys.exit(1)
PYEOF
}

# ---------------------------------------------------------------------------------------
smoke() {
  started=()
  local rc=0
  tmp="$(mktemp -d /tmp/foiregister-smoke.XXXXXX)"
  local port="${SMOKE_PORT:-$("${PYTHON:-python3}" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')}"
  export DATABASE_URL="${SMOKE_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/smoke}"
  export CELERY_BROKER_URL="${SMOKE_BROKER_URL:-redis://127.0.0.1:6379/14}"
  export CELERY_RESULT_BACKEND="$CELERY_BROKER_URL"
  export CACHE_REDIS_URL="${SMOKE_CACHE_URL:-redis://127.0.0.1:6379/13}"
  export DJANGO_DEBUG=0 SECRET_KEY="smoke-test-secret-$(date +%s)-not-for-production"
  export ALLOWED_HOSTS=127.0.0.1,localhost SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO
  export EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend EMAIL_FILE_PATH="$tmp/mail"
  export DATA_DIR="$tmp" STATIC_ROOT="$tmp/static" MEDIA_ROOT="$tmp/media"
  export GUNICORN_BIND="127.0.0.1:$port" PORT="$port" WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}"
  export CELERY_CONCURRENCY=1 HEALTH_STALE_AFTER_SECONDS=120 LOG_LEVEL=INFO RUN_MIGRATIONS=0

  stop_all() {
    for pid in "${started[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${started[@]}"; do
      for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL "$pid" 2>/dev/null || true
    done
    rm -rf "$tmp"
  }
  trap stop_all EXIT

  log "smoke: installing requirements.lock into $VENV"
  install

  log "smoke: fresh database ${DATABASE_URL##*/}, Redis ${CELERY_BROKER_URL##*/} (db), port $port"
  "$PY" - <<'PYEOF'
import os, psycopg
from urllib.parse import urlsplit
url = urlsplit(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
admin = url._replace(path="/postgres").geturl()
with psycopg.connect(admin, autocommit=True) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{name}"')
PYEOF
  "$PY" -c "import redis,os; redis.Redis.from_url(os.environ['CELERY_BROKER_URL']).flushdb()"
  log "smoke: collectstatic and migrate"
  release
  log "smoke: starting gunicorn, a worker and beat"
  "$SELF" web >"$tmp/web.log" 2>&1 & started+=($!)
  "$SELF" worker >"$tmp/worker.log" 2>&1 & started+=($!)
  "$SELF" beat --schedule="$tmp/celerybeat-schedule" >"$tmp/beat.log" 2>&1 & started+=($!)

  local deadline=$((SECONDS + ${SMOKE_TIMEOUT:-180})) part
  for part in web worker beat; do
    until (health "$part") 2>"$tmp/health.err"; do
      if [ $SECONDS -ge $deadline ]; then
        log "smoke: FAILED: $part not healthy: $(cat "$tmp/health.err")"
        for f in web worker beat; do echo "--- $f.log"; tail -n 30 "$tmp/$f.log"; done >&2
        return 1
      fi
      sleep 1
    done
    log "smoke: $part healthy"
  done
  "$PY" - "$port" <<'PYEOF' || rc=$?
import json, sys, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
def get(path, **headers):
    req = urllib.request.Request(base + path, headers=headers)
    with urllib.request.urlopen(req, timeout=10) as answer:
        return answer.status, answer.headers, answer.read()
status, headers, body = get("/health/")
details = json.loads(body)
assert details["status"] == "ok", details
assert headers.get("X-Request-ID"), "no request id on the response"
status, headers, body = get("/", **{"X-Forwarded-Proto": "https"})
assert status == 200 and b"<html" in body.lower(), status
import re
stylesheet = re.search(rb'href="(/static/[^"]+\.css)"', body).group(1).decode()
status, headers, body = get(stylesheet, **{"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"})
assert status == 200 and headers.get("Content-Encoding") == "gzip", (stylesheet, status)
assert "immutable" in headers.get("Cache-Control", ""), headers.get("Cache-Control")
status, headers, body = get("/api/v1/organisations/", **{"X-Forwarded-Proto": "https"})
assert status == 200, status
print("smoke: health", json.dumps(details["checks"]))
PYEOF
  if [ "$rc" -ne 0 ]; then
    for f in web worker beat; do echo "--- $f.log"; tail -n 30 "$tmp/$f.log"; done >&2
    return "$rc"
  fi
  # The logs are JSON lines with a request id (gunicorn's access log included).
  grep -q '"name": "gunicorn.access"' "$tmp/web.log" || { log "smoke: no JSON access log"; return 1; }
  log "smoke: passed"
}

cmd="${1:-web}"
shift || true
case "$cmd" in
  install | release | collect | web | worker | beat | health | smoke) "$cmd" "$@" ;;
  *) echo "usage: $0 {install|release|collect|web|worker|beat|health [part]|smoke}" >&2; exit 2 ;;
esac
