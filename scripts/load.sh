#!/usr/bin/env bash
# Load test: the release binary with the demo data set on SQLite and on
# PostgreSQL, one endpoint at a time and then a realistic mix, plus a bare
# actix-web JSON handler (examples/baseline.rs) measured in the same run as a
# floor. Writes requests per second and p50/p99 latencies to
# docs/load-results.md.
#
#   scripts/load.sh                 # 10 s per measurement
#   LOAD_SECONDS=30 LOAD_CONNECTIONS=32 scripts/load.sh
#
# Environment: LOAD_SECONDS, LOAD_CONNECTIONS (default 16), LOAD_THREADS
# (default 2), LOAD_PG_SERVER (default the local server; a uniquely named
# database is created there and dropped at the end), LOAD_BACKENDS
# ("sqlite postgres"), LOAD_OUTPUT (default docs/load-results.md).
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

log() { printf '[load] %s\n' "$*" >&2; }

if ! command -v wrk >/dev/null; then
  log "installing wrk"
  if [[ "$(id -u)" -eq 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  fi
fi

log "building release"
cargo build --release --locked --quiet --bin passerelle --example baseline
TARGET="${CARGO_TARGET_DIR:-target}/release"

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

wait_for() {
  for _ in $(seq 1 240); do
    curl -fsS "$1" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  log "no answer from $1"
  return 1
}

# wrk LABEL URL [TOKEN] [LUA]: appends a table row.
ROWS=()
measure() {
  local label="$1" url="$2" token="${3:-}" lua="${4:-}" out args=()
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
}

json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

login() {
  curl -fsS -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$DEMO_PASSWORD\"}" | json_field '["access_token"]'
}

LOAD_AVG_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
log "baseline"
port="$(free_port)"
"$TARGET/examples/baseline" "127.0.0.1:$port" >/dev/null 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$port/"
measure "baseline: bare actix-web JSON handler" "http://127.0.0.1:$port/"
kill -TERM "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

for backend in $BACKENDS; do
  case "$backend" in
    sqlite) url="sqlite://$WORK/load.db" ;;
    postgres)
      PG_DB="passerelle_load_$(date +%s)_$$"
      psql "$PG_SERVER" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$PG_DB\"" >/dev/null
      url="${PG_SERVER%/*}/$PG_DB"
      ;;
  esac
  port="$(free_port)"
  BASE="http://127.0.0.1:$port"
  # The per-caller rate limit would cap a single-token load test at its
  # budget; it is turned off here so the service itself is measured.
  PASSERELLE_DATABASE_URL="$url" PASSERELLE_BIND="127.0.0.1:$port" \
    PASSERELLE_AUTH__SIGNING_KEYS="load:$(head -c 48 /dev/urandom | base64 | tr -d '\n')" \
    PASSERELLE_AUTH__LOGIN_ATTEMPTS_PER_MINUTE=10000 PASSERELLE_LIMITS__REQUESTS_PER_MINUTE=0 \
    PASSERELLE_LOG_FORMAT=json RUST_LOG=warn \
    "$TARGET/passerelle" serve --demo >"$WORK/server-$backend.log" 2>&1 &
  PIDS+=($!)
  wait_for "$BASE/health/ready"
  student="$(login salma.bennani@ecc.example.org)"
  recruiter="$(login nadia.alaoui@axa-go.example.org)"
  student_id="$(curl -fsS "$BASE/api/v1/me" -H "Authorization: Bearer $student" | json_field '["student_id"]')"
  # An open offer the student sees, and an open offer of the recruiter's organisation.
  offer_id="$(curl -fsS "$BASE/api/v1/offers?limit=1" -H "Authorization: Bearer $student" | json_field '["items"][0]["id"]')"
  organisation_id="$(curl -fsS "$BASE/api/v1/me" -H "Authorization: Bearer $recruiter" | json_field '["organisation_id"]')"
  own_offer_id="$(curl -fsS "$BASE/api/v1/offers?limit=100&organisation_id=$organisation_id" -H "Authorization: Bearer $recruiter" |
    python3 -c 'import json,sys; print(next(o["id"] for o in json.load(sys.stdin)["items"] if o["status"] == "open"))')"

  measure "$backend: browse offers (GET /api/v1/offers?limit=20)" "$BASE/api/v1/offers?limit=20" "$student"
  measure "$backend: read own profile (GET /api/v1/me/profile)" "$BASE/api/v1/me/profile" "$student"
  measure "$backend: ranked offers (GET /api/v1/students/{id}/matches)" "$BASE/api/v1/students/$student_id/matches?limit=10" "$student"
  measure "$backend: ranked candidates (GET /api/v1/offers/{id}/matches)" "$BASE/api/v1/offers/$own_offer_id/matches?limit=10" "$recruiter"
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
  measure "$backend: student mix (40% browse, 10% offer, 20% profile, 30% matches)" "$BASE" "$student" "$WORK/mix.lua"
  if [[ "$apply_route" == yes ]]; then
    # Every student applies once; repeats are answered 409 and counted as non-2xx.
    cat >"$WORK/apply.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"motivation": "Load test application."}'
LUA
    measure "$backend: apply (POST /api/v1/offers/{id}/applications)" "$BASE/api/v1/offers/$offer_id/applications" "$student" "$WORK/apply.lua"
  else
    ROWS+=("| $backend: apply (POST /api/v1/offers/{id}/applications) | not in this build | | | |")
  fi
  kill -TERM "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true
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
  echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo);"
  echo "load generator and server share it. $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), ${THREADS} threads, ${CONNECTIONS} connections,"
  echo "${SECONDS_EACH} s per row; release build; demo data set; per-caller rate limit off; one token per role."
  echo "Load average (1, 5, 15 min) before the run: ${LOAD_AVG_BEFORE}; after: ${LOAD_AVG_AFTER}. Anything above"
  echo "2 means other work shared the cores, and the figures, tails above all, are pessimistic."
  echo
  echo "| measurement | requests/s | p50 | p99 | non-2xx |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "Per-endpoint rows drive one endpoint alone; the mix row cycles through the listed"
  echo "requests of a student's session. The baseline is a bare actix-web handler answering"
  echo "\`{\"ok\":true}\` (examples/baseline.rs): the ceiling of the framework on this machine."
} >"$OUTPUT"
log "written to $OUTPUT"
cat "$OUTPUT"
