#!/usr/bin/env bash
# Load test: the release binary with the demo data set on SQLite and on
# PostgreSQL, one endpoint at a time and then a realistic mix, plus a bare
# actix-web JSON handler (examples/baseline.rs) measured in the same run as a
# floor. Writes requests per second and p50/p99 latencies to
# docs/load-results.md.
#
# Beside the demo data set, the database holds a synthetic data set of the
# chosen size (`seed synthetic`, whose accounts all sign in with one
# test-only password): the read rows run against an index of that many
# students, and the write rows are real ones. Applying sends a distinct
# (student, open offer) pair with a fresh Idempotency-Key each request, for
# students logged in first; the recruiter then moves those applications to
# offered, and the students accept concurrently on offers of one position
# each, so most accepts find the position taken (409).
#
#   scripts/load.sh                 # 10 s per measurement, demo size
#   scripts/load.sh --size 100k     # or LOAD_SIZE=100k; demo, 100k or 1m
#   LOAD_SECONDS=30 LOAD_CONNECTIONS=32 scripts/load.sh
#
# Environment: LOAD_SECONDS, LOAD_CONNECTIONS (default 16), LOAD_THREADS
# (default 2), LOAD_PG_SERVER (default the local server; a uniquely named
# database is created there and dropped at the end), LOAD_BACKENDS
# ("sqlite postgres"), LOAD_OUTPUT (default docs/load-results.md), LOAD_SIZE
# (demo: 2,000 synthetic students and 1,000 offers; 100k: 100,000 and 10,000;
# 1m: 1,000,000 and 10,000), LOAD_WRITERS (students logged in for the write
# rows, default 200), LOAD_ROWS ("all", or "writes" for the write rows alone:
# no bare baseline and no read rows), LOAD_BINARY (a passerelle binary to run
# instead of the one built here, such as a copy built from an earlier commit,
# to compare with in the same session; then nothing is built, but for the bare
# baseline when the read rows need it and it was never built).
#
# Start-up at scale: LOAD_KEEP (a directory) keeps the seeded databases for
# later runs of the same size, since seeding 1M students takes minutes on
# each backend: SQLite's as LOAD_KEEP/seeded-SIZE.db, copied for each run,
# and PostgreSQL's as the database passerelle_seeded_SIZE on LOAD_PG_SERVER,
# each run's database created from it as a template. Both stay as seeded
# (the rows write to the copies); delete the file or drop the database to
# seed again, as after a change to the schema or the generator.
# LOAD_COMPARE (another passerelle binary, such as one built from main) is
# started on the same database, LOAD_STARTS times (default 3) alternately
# with the binary under test, after one start of the latter that is not
# counted (it warms the page cache and does the first start's one-off work);
# the start-up table gives each start's time to ready, the index build its
# log reports, and the resident set at ready and at its peak. Without
# LOAD_COMPARE, only the start that serves the rows is reported.
# LOAD_READY_SECONDS (default 300) is how long a start is waited for: at 1M
# on a loaded machine a start has taken over a minute.
# Traffic goes to 127.0.0.1 only, and every run stops after LOAD_SECONDS.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH="${LOAD_SECONDS:-10}"
CONNECTIONS="${LOAD_CONNECTIONS:-16}"
THREADS="${LOAD_THREADS:-2}"
PG_SERVER="${LOAD_PG_SERVER:-postgres://postgres@127.0.0.1:5432/postgres}"
BACKENDS="${LOAD_BACKENDS:-sqlite postgres}"
OUTPUT="${LOAD_OUTPUT:-docs/load-results.md}"
DEMO_PASSWORD="passerelle-demo-2026"
SYNTHETIC_PASSWORD="passerelle-synthetic-2026"
SIZE="${LOAD_SIZE:-demo}"
if [[ "${1:-}" == "--size" ]]; then SIZE="${2:?--size demo|100k|1m}"; fi
case "$SIZE" in
  demo) SYN_STUDENTS=2000 SYN_OFFERS=1000 ;;
  100k) SYN_STUDENTS=100000 SYN_OFFERS=10000 ;;
  1m) SYN_STUDENTS=1000000 SYN_OFFERS=10000 ;;
  *) echo "unknown size $SIZE: demo, 100k or 1m" >&2; exit 2 ;;
esac
WRITERS="${LOAD_WRITERS:-200}"
KEEP="${LOAD_KEEP:-}"
COMPARE="${LOAD_COMPARE:-}"
STARTS="${LOAD_STARTS:-3}"
READY_SECONDS="${LOAD_READY_SECONDS:-300}"
if [[ -n "$KEEP" ]]; then mkdir -p "$KEEP"; KEEP="$(cd "$KEEP" && pwd)"; fi
ROWS_WANTED="${LOAD_ROWS:-all}"
case "$ROWS_WANTED" in
  all | writes) ;;
  *) echo "unknown LOAD_ROWS $ROWS_WANTED: all or writes" >&2; exit 2 ;;
esac

log() { printf '[load] %s\n' "$*" >&2; }

if ! command -v wrk >/dev/null; then
  log "installing wrk"
  if [[ "$(id -u)" -eq 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  fi
fi

TARGET="${CARGO_TARGET_DIR:-target}/release"
# A given binary needs nothing built, but for the bare baseline of the read
# rows when it is not there yet.
if [[ -z "${LOAD_BINARY:-}" || ("$ROWS_WANTED" != writes && ! -x "$TARGET/examples/baseline") ]]; then
  log "building release"
  cargo build --release --locked --quiet --bin passerelle --example baseline
fi
PASSERELLE="${LOAD_BINARY:-$TARGET/passerelle}"

WORK="$(mktemp -d)"
PIDS=()
PG_DB=""
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n "$PG_DB" ]]; then
    psql "$PG_SERVER" -q -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_for URL [SECONDS] [PID]: polls URL until it answers 2xx; fails after
# SECONDS (default 60) or as soon as process PID has exited.
wait_for() {
  local deadline=$((SECONDS + ${2:-60}))
  until curl -fsS "$1" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)) || { [[ -n "${3:-}" ]] && ! kill -0 "$3" 2>/dev/null; }; then
      log "no answer from $1"
      return 1
    fi
    sleep 0.05
  done
}

seconds_since() { python3 -c "import time; print(f'{time.time() - $1:.${2:-2}f}')"; }

# start_server BINARY LOG: serves with BINARY in the background until ready;
# sets server_pid, startup (s), index_ms, resident_at_start and peak (MB).
start_server() {
  local started
  started="$(date +%s.%N)"
  "$1" serve >"$2" 2>&1 &
  PIDS+=($!)
  server_pid="${PIDS[-1]}"
  if ! wait_for "$BASE/health/ready" "$READY_SECONDS" "$server_pid"; then
    tail -20 "$2" >&2
    return 1
  fi
  startup="$(seconds_since "$started")"
  resident_at_start="$(awk '/^VmRSS:/ {printf "%.0f", $2/1024}' "/proc/$server_pid/status")"
  peak="$(awk '/^VmHWM:/ {printf "%.0f", $2/1024}' "/proc/$server_pid/status")"
  index_ms="$(grep 'matching index built' "$2" | grep -o '"elapsed_ms":[0-9]*' | head -1 | cut -d: -f2)"
}

stop_server() {
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  unset 'PIDS[-1]'
}

# The seeded database of this size for BACKEND, made once into LOAD_KEEP
# (under a temporary name until the seed is whole); sets kept to its SQLite
# path or PostgreSQL database name.
kept_seed() {
  local backend="$1" partial
  case "$backend" in
    sqlite)
      if [[ ! -f "$KEEP/seeded-$SIZE.db" ]]; then
        partial="$KEEP/seeded-$SIZE.partial.db"
        rm -f "$partial" "$partial-wal" "$partial-shm"
        seed_into "$backend" "sqlite://$partial"
        sqlite3 "$partial" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
        mv "$partial" "$KEEP/seeded-$SIZE.db"
        rm -f "$partial-wal" "$partial-shm"
      fi
      kept="$KEEP/seeded-$SIZE.db"
      ;;
    postgres)
      local name="passerelle_seeded_$SIZE"
      if [[ -z "$(psql "$PG_SERVER" -qAt -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" ]]; then
        partial="${name}_partial"
        psql "$PG_SERVER" -q -c "DROP DATABASE IF EXISTS \"$partial\" WITH (FORCE)" >/dev/null
        psql "$PG_SERVER" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$partial\"" >/dev/null
        seed_into "$backend" "${PG_SERVER%/*}/$partial"
        psql "$PG_SERVER" -q -v ON_ERROR_STOP=1 -c "ALTER DATABASE \"$partial\" RENAME TO \"$name\"" >/dev/null
      fi
      kept="$name"
      ;;
  esac
}

# seed_into BACKEND URL: the demo data set, then the synthetic one of this
# size; sets seed_took (s).
seed_into() {
  local started
  log "$1: demo data set, then $SYN_STUDENTS synthetic students and $SYN_OFFERS offers"
  PASSERELLE_DATABASE_URL="$2" "$PASSERELLE" seed demo >"$WORK/seed-$1.log" 2>&1
  started="$(date +%s.%N)"
  PASSERELLE_DATABASE_URL="$2" "$PASSERELLE" seed synthetic --students "$SYN_STUDENTS" --offers "$SYN_OFFERS" \
    >>"$WORK/seed-$1.log" 2>&1
  seed_took="$(seconds_since "$started" 0) s"
}

# wrk LABEL URL [TOKEN] [LUA]: appends a table row.
ROWS=()
STARTED=()
measure() {
  local label="$1" url="$2" token="${3:-}" lua="${4:-}" args=()
  args=(-t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --timeout 10s --latency)
  [[ -n "$token" ]] && args+=(-H "Authorization: Bearer $token")
  [[ -n "$lua" ]] && args+=(-s "$lua")
  log "$label"
  out="$(wrk "${args[@]}" "$url")"
  local rps p50 p99 non2xx
  rps="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")"
  p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
  p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")"
  ROWS+=("| $label | ${rps} | ${p50} | ${p99} | ${non2xx:-0} |")
  LAST_RPS="$rps" LAST_P50="$p50" LAST_P99="$p99"
}

# The write rows' scripts print their counts on a line of their own.
counted() { awk -v key="$1" '$1 == "counted:" { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == key) print kv[2] } }' <<<"$out"; }

# sql BACKEND URL QUERY: rows as `a|b` lines.
sql() {
  case "$1" in
    sqlite) sqlite3 "${2#sqlite://}" "$3" ;;
    postgres) psql "$2" -qAt -F '|' -c "$3" ;;
  esac
}

# Signs in the synthetic students 1..WRITERS, a few at a time; prints their
# access tokens in that order, one a line.
login_writers() {
  python3 - "$BASE" "$WRITERS" "$SYNTHETIC_PASSWORD" <<'PY'
import json, sys, urllib.request
from concurrent.futures import ThreadPoolExecutor
base, count, password = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def login(n):
    body = json.dumps({"email": f"student-{n}@synthetic.invalid", "password": password}).encode()
    request = urllib.request.Request(f"{base}/api/v1/auth/login", body, {"content-type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)["access_token"]
with ThreadPoolExecutor(4) as pool:
    for token in pool.map(login, range(1, count + 1)):
        print(token)
PY
}

# The Lua of a write row: each wrk thread walks its share (every THREADS-th)
# of a list, counts 2xx and 409 answers, and stops once its share is done;
# then requests/s is a lower bound (wrk divides by the whole duration).
# write_lua FILE DECLARATIONS BODY_OF_item(i): the body sees `i` (1-based
# position in the list) and returns a request, or nil when past the end. The
# lists are read from files: a literal of thousands of entries would overflow
# a Lua function's constants.
write_lua() {
  cat >"$1" <<LUA
local function lines(path)
  local list = {}
  for line in io.lines(path) do table.insert(list, line) end
  return list
end
$2
local threads = {}
local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
function init(args)
  k = 0; ok = 0; conflict = 0; other = 0; exhausted = 0
end
local function item(i)
$3
end
function request()
  local i = k * $THREADS + id + 1
  k = k + 1
  local r = item(i)
  if r == nil then
    exhausted = 1
    return wrk.format("GET", "/health/live")
  end
  return r
end
function response(status, headers, body)
  if exhausted == 1 and body ~= nil and string.find(body, '"status":"ok"', 1, true) then
    wrk.thread:stop()
    return
  end
  if status >= 200 and status < 300 then ok = ok + 1
  elseif status == 409 then conflict = conflict + 1
  else other = other + 1 end
end
function done(summary, latency, requests)
  local o, c, x, e = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok"); c = c + t:get("conflict"); x = x + t:get("other"); e = e + t:get("exhausted")
  end
  io.write(string.format("counted: ok=%d conflict=%d other=%d exhausted=%d\n", o, c, x, e))
end
LUA
}

# Replaces the row `measure` appended with one whose last column counts the
# answers by kind, as the write row's script counted them.
write_row() {
  local label="$1" ok conflict other exhausted note=""
  unset 'ROWS[-1]'
  ok="$(counted ok)" conflict="$(counted conflict)" other="$(counted other)" exhausted="$(counted exhausted)"
  [[ "${exhausted:-0}" != 0 ]] && note="≥ "
  ROWS+=("| $label | ${note}${LAST_RPS} | ${LAST_P50} | ${LAST_P99} | ${ok} 2xx, ${conflict} × 409, ${other} other |")
}

json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

login() {
  curl -fsS -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$DEMO_PASSWORD\"}" | json_field '["access_token"]'
}

LOAD_AVG_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
if [[ "$ROWS_WANTED" == all ]]; then
  log "baseline"
  port="$(free_port)"
  "$TARGET/examples/baseline" "127.0.0.1:$port" >/dev/null 2>&1 &
  PIDS+=($!)
  wait_for "http://127.0.0.1:$port/"
  measure "baseline: bare actix-web JSON handler" "http://127.0.0.1:$port/"
  kill -TERM "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true
fi

# The per-caller rate limit would cap a single-token load test at its
# budget; it is turned off here so the service itself is measured.
export PASSERELLE_AUTH__SIGNING_KEYS="load:$(head -c 48 /dev/urandom | base64 | tr -d '\n')" \
  PASSERELLE_AUTH__LOGIN_ATTEMPTS_PER_MINUTE=100000 PASSERELLE_LIMITS__REQUESTS_PER_MINUTE=0 \
  PASSERELLE_LOG_FORMAT=json RUST_LOG=warn,passerelle::startup=info
COMPARED=()
for backend in $BACKENDS; do
  seed_took="kept"
  [[ -n "$KEEP" ]] && kept_seed "$backend"
  case "$backend" in
    sqlite)
      url="sqlite://$WORK/load.db"
      [[ -n "$KEEP" ]] && cp "$kept" "$WORK/load.db"
      ;;
    postgres)
      PG_DB="passerelle_load_$(date +%s)_$$"
      template=""
      # A file copy: the default strategy writes the whole template to the WAL.
      [[ -n "$KEEP" ]] && template=" TEMPLATE \"$kept\" STRATEGY FILE_COPY"
      psql "$PG_SERVER" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$PG_DB\"$template" >/dev/null
      url="${PG_SERVER%/*}/$PG_DB"
      ;;
  esac
  port="$(free_port)"
  BASE="http://127.0.0.1:$port"
  export PASSERELLE_DATABASE_URL="$url" PASSERELLE_BIND="127.0.0.1:$port"
  [[ -z "$KEEP" ]] && seed_into "$backend" "$url"
  if [[ -n "$COMPARE" ]]; then
    log "$backend: a first start, not counted"
    start_server "$PASSERELLE" "$WORK/server-$backend.log"
    stop_server
    for try in $(seq 1 "$STARTS"); do
      for binary in "$COMPARE" "$PASSERELLE"; do
        log "$backend: start $try of $binary"
        start_server "$binary" "$WORK/server-$backend.log"
        COMPARED+=("| $backend | $binary | $try | ${startup} s | ${index_ms:-?} ms | ${resident_at_start} MB | ${peak} MB | $(cut -d' ' -f1 /proc/loadavg) |")
        stop_server
      done
    done
  fi
  start_server "$PASSERELLE" "$WORK/server-$backend.log"
  indexed="$(grep -o '"students":[0-9]*' "$WORK/server-$backend.log" | head -1 | cut -d: -f2)"
  student="$(login salma.bennani@ecc.example.org)"
  recruiter="$(login nadia.alaoui@axa-go.example.org)"
  student_id="$(curl -fsS "$BASE/api/v1/me" -H "Authorization: Bearer $student" | json_field '["student_id"]')"
  # An open offer the student sees, and an open offer of the recruiter's organisation.
  offer_id="$(curl -fsS "$BASE/api/v1/offers?limit=1" -H "Authorization: Bearer $student" | json_field '["items"][0]["id"]')"
  organisation_id="$(curl -fsS "$BASE/api/v1/me" -H "Authorization: Bearer $recruiter" | json_field '["organisation_id"]')"
  own_offer_id="$(curl -fsS "$BASE/api/v1/offers?limit=100&organisation_id=$organisation_id" -H "Authorization: Bearer $recruiter" |
    python3 -c 'import json,sys; print(next(o["id"] for o in json.load(sys.stdin)["items"] if o["status"] == "open"))')"

  if [[ "$ROWS_WANTED" == all ]]; then
    measure "$backend: browse offers (GET /api/v1/offers?limit=20)" "$BASE/api/v1/offers?limit=20" "$student"
    measure "$backend: read own profile (GET /api/v1/me/profile)" "$BASE/api/v1/me/profile" "$student"
    measure "$backend: ranked offers (GET /api/v1/students/{id}/matches)" "$BASE/api/v1/students/$student_id/matches?limit=10" "$student"
    measure "$backend: ranked candidates (GET /api/v1/offers/{id}/matches)" "$BASE/api/v1/offers/$own_offer_id/matches?limit=10" "$recruiter"
  fi
  apply_route=no
  if curl -fsS "$BASE/api-docs/openapi.json" | grep -q '"/api/v1/offers/{id}/applications"'; then
    apply_route=yes
  fi
  # The mix of a student's session: mostly browsing, then their profile and
  # their ranked offers; applying is a one-off write and, when the route
  # exists, is measured alone below.
  cat >"$WORK/mix.lua" <<LUA
local paths = {
  "/api/v1/offers?limit=20", "/api/v1/offers?limit=20", "/api/v1/offers?limit=20", "/api/v1/offers?limit=20",
  "/api/v1/offers/$offer_id",
  "/api/v1/me/profile", "/api/v1/me/profile",
  "/api/v1/students/$student_id/matches?limit=10", "/api/v1/students/$student_id/matches?limit=10",
  "/api/v1/students/$student_id/matches/$offer_id",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
LUA
  if [[ "$ROWS_WANTED" == all ]]; then
    measure "$backend: student mix (40% browse, 10% offer, 20% profile, 30% matches)" "$BASE" "$student" "$WORK/mix.lua"
  fi
  if [[ "$apply_route" == yes ]]; then
    log "$backend: signing in $WRITERS synthetic students"
    login_writers >"$WORK/tokens"
    syn_org="$(sql "$backend" "$url" "SELECT id FROM organisations WHERE code = 'SYN-ORG'")"
    today="$(date -u +%Y-%m-%d)"
    sql "$backend" "$url" "SELECT id FROM offers WHERE organisation_id = $syn_org AND status = 'open'
      AND (deadline IS NULL OR deadline >= '$today') ORDER BY id" >"$WORK/open-offers"
    # Pair n is student n mod S with offer n div S: consecutive requests
    # apply to one offer, as the applicants of a popular offer do.
    write_lua "$WORK/apply.lua" "local tokens = lines('$WORK/tokens')
local offers = lines('$WORK/open-offers')" "  local n = i - 1
  local o = math.floor(n / #tokens)
  if o >= #offers then return nil end
  return wrk.format('POST', '/api/v1/offers/' .. offers[o + 1] .. '/applications',
    { ['Authorization'] = 'Bearer ' .. tokens[(n % #tokens) + 1], ['Content-Type'] = 'application/json',
      ['Idempotency-Key'] = 'load-$$-' .. n },
    '{\"cover_letter\": \"Load test application.\"}')"
    measure "$backend: apply (POST /api/v1/offers/{id}/applications, distinct pairs)" "$BASE" "" "$WORK/apply.lua"
    write_row "$backend: apply (POST /api/v1/offers/{id}/applications, distinct pairs)"

    recruiter_syn="$(curl -fsS -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
      -d "{\"email\":\"syn-recruiter@synthetic.invalid\",\"password\":\"$SYNTHETIC_PASSWORD\"}" | json_field '["access_token"]')"
    sql "$backend" "$url" "SELECT id FROM applications WHERE organisation_id = $syn_org AND status = 'submitted'
      ORDER BY offer_id, id" >"$WORK/submitted"
    write_lua "$WORK/offer.lua" "local ids = lines('$WORK/submitted')" "  if i > #ids then return nil end
  return wrk.format('POST', '/api/v1/applications/' .. ids[i] .. '/transitions',
    { ['Authorization'] = 'Bearer $recruiter_syn', ['Content-Type'] = 'application/json' }, '{\"to\": \"offered\"}')"
    measure "$backend: recruiter offers (POST /api/v1/applications/{id}/transitions, to offered)" "$BASE" "" "$WORK/offer.lua"
    write_row "$backend: recruiter offers (POST /api/v1/applications/{id}/transitions, to offered)"

    # Each offered application with the index of its student's token; the
    # offers have one position each, so the applicants of one offer race.
    sql "$backend" "$url" "SELECT a.id, s.email FROM applications a JOIN students s ON s.id = a.student_id
      WHERE a.organisation_id = $syn_org AND a.status = 'offered' ORDER BY a.offer_id, a.id" |
      awk -F'|' '{ sub(/^student-/, "", $2); sub(/@.*/, "", $2); print $1 "," $2 }' >"$WORK/offered"
    write_lua "$WORK/accept.lua" "local tokens = lines('$WORK/tokens')
local offered = lines('$WORK/offered')" "  local p = offered[i]
  if p == nil then return nil end
  local application, student = string.match(p, '(%d+),(%d+)')
  return wrk.format('POST', '/api/v1/applications/' .. application .. '/transitions',
    { ['Authorization'] = 'Bearer ' .. tokens[tonumber(student)], ['Content-Type'] = 'application/json' }, '{\"to\": \"accepted\"}')"
    measure "$backend: students accept (transitions to accepted, 1 position per offer)" "$BASE" "" "$WORK/accept.lua"
    write_row "$backend: students accept (transitions to accepted, 1 position per offer)"
  else
    ROWS+=("| $backend: apply (POST /api/v1/offers/{id}/applications) | not in this build | | | |")
  fi
  resident="$(awk '/^VmRSS:/ {printf "%.0f", $2/1024}' "/proc/$server_pid/status")"
  STARTED+=("| $backend | ${indexed:-?} | ${seed_took} | ${startup} s | ${index_ms:-?} ms | ${resident_at_start} MB | ${resident} MB |")
  stop_server
  if [[ -n "$PG_DB" ]]; then
    psql "$PG_SERVER" -q -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null
    PG_DB=""
  fi
done

LOAD_AVG_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
{
  echo "# Load test results"
  echo
  echo "Measured by \`scripts/load.sh\` on $(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
  [[ -n "${LOAD_BINARY:-}" ]] && echo "Server binary: $LOAD_BINARY (not built from this commit)."
  echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo);"
  echo "load generator and server share it. $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), ${THREADS} threads, ${CONNECTIONS} connections,"
  echo "${SECONDS_EACH} s per row; release build; the demo data set and a synthetic one of size $SIZE ($SYN_STUDENTS students,"
  echo "$SYN_OFFERS offers); per-caller rate limit off; one token per role for the reads, $WRITERS students for the writes."
  echo "Load average (1, 5, 15 min) before the run: ${LOAD_AVG_BEFORE}; after: ${LOAD_AVG_AFTER}. Anything above"
  echo "2 means other work shared the cores, and the figures, tails above all, are pessimistic."
  echo
  echo "| measurement | requests/s | p50 | p99 | non-2xx |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "| backend | students in the index | seeding the synthetic set | start-up to ready | index built in | resident at start | resident after the rows |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${STARTED[@]}"
  if ((${#COMPARED[@]})); then
    echo
    echo "Start-ups on the same database, alternately (after one start not counted):"
    echo
    echo "| backend | binary | start | to ready | index built in | resident at ready | peak | load average (1 min) |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${COMPARED[@]}"
  fi
  echo
  echo "Per-endpoint rows drive one endpoint alone; the mix row cycles through the listed"
  echo "requests of a student's session. The baseline is a bare actix-web handler answering"
  echo "\`{\"ok\":true}\` (examples/baseline.rs): the ceiling of the framework on this machine."
  echo "Write rows walk a list once (distinct pairs, then the applications they created); their last"
  echo "column counts the answers by kind, and ≥ marks a list finished before the time was up."
} >"$OUTPUT"
log "written to $OUTPUT"
cat "$OUTPUT"
