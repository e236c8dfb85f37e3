#!/usr/bin/env bash
# Thread page throughput against Spirit (django-spirit 0.14.3), side by side.
#
# Installs Spirit in a throwaway virtualenv, seeds a topic of 21 comments there
# and a thread of 21 posts here, serves both with the same gunicorn settings on
# PostgreSQL (databases of their own, dropped and made again), then alternates
# wrk runs against the two thread pages at each concurrency.
#
#   bench/forum_vs_spirit.sh                 # 20 s runs at 20 and 50 connections
#   DURATION=10s ROUNDS=1 bench/forum_vs_spirit.sh
#
# Needs: wrk (apt-get install wrk), PostgreSQL on 127.0.0.1:5432 (user postgres,
# trust auth), redis-server on PATH (a private one is started on a free port and
# stopped at the end; the shared Redis is never touched), the project's .venv.
# Our page is fetched signed in as a learner (threads are members-only); Spirit's
# topic is public and fetched signed out, which favours Spirit if anything.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

DURATION=${DURATION:-20s}
ROUNDS=${ROUNDS:-2}
CONNECTIONS=${CONNECTIONS:-"20 50"}
WORKERS=${WORKERS:-2}
OURS_PORT=${OURS_PORT:-8301}
SPIRIT_PORT=${SPIRIT_PORT:-8302}
PG="psql -h 127.0.0.1 -U postgres -q"

WORK=$(mktemp -d)
REDIS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

wait_http() {
  for _ in $(seq 1 60); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.5
  done
  echo "server at $1 did not start" >&2
  return 1
}

echo "== private redis on $REDIS_PORT"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null

echo "== Spirit in $WORK"
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q django-spirit==0.14.3 gunicorn psycopg2-binary 2>/dev/null
(cd "$WORK" && PATH="$WORK/venv/bin:$PATH" spirit startproject spiritproj >/dev/null)
cat > "$WORK/spiritproj/spiritproj/settings/bench.py" <<'PY'
from .prod import *  # noqa: F403

ALLOWED_HOSTS = ["*"]
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "spirit_bench",
                         "USER": "postgres", "HOST": "127.0.0.1", "PORT": "5432",
                         "CONN_MAX_AGE": 60}}
PY
$PG -c "drop database if exists spirit_bench" -c "create database spirit_bench"
SPIRIT_ENV=(env DJANGO_SETTINGS_MODULE=spiritproj.settings.bench PYTHONPATH="$WORK/spiritproj")
"${SPIRIT_ENV[@]}" "$WORK/venv/bin/python" "$WORK/spiritproj/manage.py" migrate -v0
"${SPIRIT_ENV[@]}" "$WORK/venv/bin/python" "$WORK/spiritproj/manage.py" createcachetable -v0
"${SPIRIT_ENV[@]}" "$WORK/venv/bin/python" "$WORK/spiritproj/manage.py" collectstatic --noinput -v0 >/dev/null
SPIRIT_PATH=$("${SPIRIT_ENV[@]}" "$WORK/venv/bin/python" "$WORK/spiritproj/manage.py" shell -v0 -c '
from django.contrib.auth import get_user_model
from spirit.category.models import Category
from spirit.comment.models import Comment
from spirit.topic.models import Topic
User = get_user_model()
users = [User.objects.create_user(f"member{i}", f"m{i}@example.org", "x") for i in range(5)]
category = Category.objects.create(title="Cases", slug="cases")
topic = Topic.objects.create(user=users[0], category=category, title="Postpartum haemorrhage after a home birth")
body = "Blood loss about 800 ml, uterus boggy. Oxytocin given; what next? " * 6
for i in range(21):
    Comment.objects.create(user=users[i % 5], topic=topic, comment=body, comment_html="<p>%s</p>" % body)
topic.comment_count = 21
topic.save()
print(topic.get_absolute_url())
')

echo "== ours"
$PG -c "drop database if exists cpd_bench_spirit" -c "create database cpd_bench_spirit"
OURS_ENV=(env DJANGO_SETTINGS_MODULE=cpd.settings.production
  DJANGO_SECRET_KEY="bench-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
  DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost" DJANGO_SECURE_SSL_REDIRECT=0
  DJANGO_SECURE_COOKIES=0 DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpd_bench_spirit
  REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0")
"${OURS_ENV[@]}" .venv/bin/python manage.py migrate -v0
"${OURS_ENV[@]}" .venv/bin/python manage.py collectstatic --noinput -v0 >/dev/null
read -r OURS_PATH OURS_COOKIE < <("${OURS_ENV[@]}" .venv/bin/python manage.py shell -v0 -c '
import datetime
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from importlib import import_module
from cpd import services
from cpd.models import Cohort, Organisation, Role, User
from forums.selectors import thread_url
from forums.services.forums import forum_for_cohort
from forums.services.posting import post_create, thread_create
settings.RATE_LIMITS = {"post": (1000, 60)}
org = Organisation.objects.create(name="Bench", slug="bench")
cohort = Cohort.objects.create(organisation=org, name="Bench cohort", starts_on=datetime.date(2026, 1, 1))
users = []
for i in range(5):
    user = User.objects.create_user(email=f"m{i}@example.org", password="x", display_name=f"Member {i}")
    services.membership_add(cohort=cohort, user=user, role=Role.LEARNER)
    users.append(user)
body = "Blood loss about 800 ml, uterus boggy. Oxytocin given; what next? " * 6
thread, _ = thread_create(actor=users[0], forum=forum_for_cohort(cohort), title="Postpartum haemorrhage after a home birth",
    body=body, tags=["case"], idempotency_key="bench-0", no_identifiers_confirmed=True)
for i in range(1, 21):
    post_create(actor=users[i % 5], thread=thread, body=body, idempotency_key=f"bench-{i}", no_identifiers_confirmed=True)
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(users[1].pk)
store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
store[HASH_SESSION_KEY] = users[1].get_session_auth_hash()
store.save()
print(thread_url(thread), f"{settings.SESSION_COOKIE_NAME}={store.session_key}")
')

GUNICORN_ARGS=(--workers "$WORKERS" --worker-class sync --access-logfile /dev/null --error-logfile "$WORK/gunicorn.log")
"${OURS_ENV[@]}" .venv/bin/gunicorn cpd.wsgi:application -b "127.0.0.1:$OURS_PORT" "${GUNICORN_ARGS[@]}" &
PIDS+=($!)
(cd "$WORK/spiritproj" && "${SPIRIT_ENV[@]}" "$WORK/venv/bin/gunicorn" spiritproj.wsgi:application \
  -b "127.0.0.1:$SPIRIT_PORT" "${GUNICORN_ARGS[@]}") &
PIDS+=($!)
OURS_URL="http://127.0.0.1:$OURS_PORT$OURS_PATH"
SPIRIT_URL="http://127.0.0.1:$SPIRIT_PORT$SPIRIT_PATH"
wait_http "$OURS_URL"
wait_http "$SPIRIT_URL"

status() { curl -s -o /dev/null -w '%{http_code} %{size_download}' "$@"; }
echo "ours:   $OURS_URL -> $(status -H "Cookie: $OURS_COOKIE" "$OURS_URL") (status, bytes)"
echo "spirit: $SPIRIT_URL -> $(status "$SPIRIT_URL")"

cat > "$WORK/report.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.1f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(95) / 1000, summary.errors.status, summary.errors.connect + summary.errors.timeout))
end
LUA
run() {  # name url connections [header]
  local out
  out=$(wrk -t2 -c"$3" -d"$DURATION" -s "$WORK/report.lua" ${4:+-H "$4"} "$2" | grep '^RESULT')
  echo "$1 $3 ${out#RESULT }"
}

echo "== wrk ($DURATION a run, $ROUNDS rounds, alternating)"
printf '%-7s %5s %9s %8s %7s %7s\n' server conns req/s p95_ms non2xx sockerr
results=()
for c in $CONNECTIONS; do
  for _ in $(seq 1 "$ROUNDS"); do
    results+=("$(run ours "$OURS_URL" "$c" "Cookie: $OURS_COOKIE")")
    results+=("$(run spirit "$SPIRIT_URL" "$c")")
  done
done
printf '%s\n' "${results[@]}" | awk '{printf "%-7s %5s %9s %8s %7s %7s\n", $1, $2, $3, $4, $5, $6}'
echo "== ratio (ours / spirit, mean req/s per concurrency)"
printf '%s\n' "${results[@]}" | awk '{sum[$1" "$2]+=$3; n[$1" "$2]++}
  END {for (k in sum) {split(k, a, " "); if (a[1]=="ours") {o=sum[k]/n[k]; s=sum["spirit "a[2]]/n["spirit "a[2]];
  printf "%s connections: ours %.0f, spirit %.0f, ratio %.2fx\n", a[2], o, s, o/s}}}'
