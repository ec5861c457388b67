#!/usr/bin/env bash
# Instructions per request: the release binary serves the demo data set on
# SQLite under valgrind's callgrind, and each of the main endpoints is called
# REQUESTS times over one keep-alive connection between a zeroing and a dump of
# the counters. Unlike wall-clock figures, these counts hardly move on a busy
# machine (about 1 % between runs), so they can guard the gate.
#
#   scripts/instructions.sh            # prints the table
#   scripts/instructions.sh --check    # and fails when an endpoint exceeds its
#                                      # budget in benches/instructions.budget
#                                      # by more than 10 %
#
# Environment: PASSERELLE_BINARY (default target/release/passerelle, built
# when missing), REQUESTS (default 100), INSTRUCTIONS_OUTPUT (a file to write
# the Markdown table to), INSTRUCTIONS_DUMPS (a directory to keep each
# endpoint's callgrind profile in, for callgrind_annotate).
set -euo pipefail
cd "$(dirname "$0")/.."

CHECK=no
[[ "${1:-}" == "--check" ]] && CHECK=yes
REQUESTS="${REQUESTS:-100}"
BUDGET_FILE="benches/instructions.budget"
TOLERANCE_PERCENT=10
DEMO_PASSWORD="passerelle-demo-2026"
BINARY="${PASSERELLE_BINARY:-target/release/passerelle}"
BASELINE_BINARY="${BASELINE_BINARY:-target/release/examples/baseline}"
# The service reads every PASSERELLE_* variable as configuration and refuses
# unknown ones: this one is the script's own.
unset PASSERELLE_BINARY

log() { printf '[instructions] %s\n' "$*" >&2; }

if ! command -v valgrind >/dev/null; then
  log "installing valgrind"
  if [[ "$(id -u)" -eq 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
  fi
fi
if [[ ! -x "$BINARY" ]]; then
  log "building release"
  cargo build --release --locked --quiet --bin passerelle
fi
if [[ ! -x "$BASELINE_BINARY" ]]; then
  cargo build --release --locked --quiet --example baseline
fi

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() {
  for _ in $(seq 1 480); do
    curl -fsS "$1" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  log "no answer from $1"
  return 1
}
json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

port="$(free_port)"
BASE="http://127.0.0.1:$port"
# No webhook delivery worker: its polling of the database, between the
# zeroing and the dump, would be counted in every endpoint's instructions.
export PASSERELLE_DATABASE_URL="sqlite://$WORK/demo.db" PASSERELLE_BIND="127.0.0.1:$port" \
  PASSERELLE_AUTH__SIGNING_KEYS="count:$(head -c 48 /dev/urandom | base64 | tr -d '\n')" \
  PASSERELLE_AUTH__LOGIN_ATTEMPTS_PER_MINUTE=10000 PASSERELLE_LIMITS__REQUESTS_PER_MINUTE=0 \
  PASSERELLE_LOG_FORMAT=json RUST_LOG=warn \
  PASSERELLE_WEBHOOKS__DELIVER=false

# The demo data set and the tokens come from a native run: seeding hashes
# every demo password, which is slow under valgrind and not what is measured.
log "seeding the demo data set"
"$BINARY" serve --demo >"$WORK/seed.log" 2>&1 &
PIDS+=($!)
wait_for "$BASE/health/ready"
login() {
  curl -fsS -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$DEMO_PASSWORD\"}" | json_field '["access_token"]'
}
student="$(login salma.bennani@ecc.example.org)"
recruiter="$(login nadia.alaoui@axa-go.example.org)"
student_id="$(curl -fsS "$BASE/api/v1/me" -H "Authorization: Bearer $student" | json_field '["student_id"]')"
offer_id="$(curl -fsS "$BASE/api/v1/offers?limit=1" -H "Authorization: Bearer $student" | json_field '["items"][0]["id"]')"
organisation_id="$(curl -fsS "$BASE/api/v1/me" -H "Authorization: Bearer $recruiter" | json_field '["organisation_id"]')"
own_offer_id="$(curl -fsS "$BASE/api/v1/offers?limit=100&organisation_id=$organisation_id" -H "Authorization: Bearer $recruiter" |
  python3 -c 'import json,sys; print(next(o["id"] for o in json.load(sys.stdin)["items"] if o["status"] == "open"))')"
kill -TERM "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

# count NAME PID URL [TOKEN]: instructions per request of URL, over REQUESTS
# requests on one connection, after five to warm the caches and the pool.
declare -A MEASURED
count() {
  local name="$1" pid="$2" url="$3" token="${4:-}" config="$WORK/$1.curl" dump="$WORK/$1.callgrind" auth=()
  [[ -n "$token" ]] && auth=(-H "Authorization: Bearer $token")
  : >"$config"
  for _ in $(seq 1 "$REQUESTS"); do printf 'url = "%s"\noutput = "/dev/null"\n' "$url" >>"$config"; done
  for _ in 1 2 3 4 5; do curl -fsS -o /dev/null "${auth[@]}" "$url"; done
  callgrind_control --zero "$pid" >/dev/null 2>&1
  curl -fsS "${auth[@]}" -K "$config"
  callgrind_control --dump="$name" "$pid" >/dev/null 2>&1
  # Each dump goes to a file of its own, named after the output file and a counter.
  local file total
  file="$(grep -l "^desc: Trigger: .*\b$name\$" "$WORK"/callgrind.out.* | head -1)"
  total="$(awk '/^totals:/ {print $2}' "$file")"
  MEASURED[$name]=$((total / REQUESTS))
  [[ -n "${INSTRUCTIONS_DUMPS:-}" ]] && mkdir -p "$INSTRUCTIONS_DUMPS" && cp "$file" "$INSTRUCTIONS_DUMPS/$name.callgrind"
  log "$name: ${MEASURED[$name]} instructions per request"
}

under_callgrind() {
  valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.out.%p" "$@" >"$WORK/valgrind-$$.log" 2>&1 &
  PIDS+=($!)
}

log "bare actix-web baseline under callgrind"
baseline_port="$(free_port)"
under_callgrind "$BASELINE_BINARY" "127.0.0.1:$baseline_port"
wait_for "http://127.0.0.1:$baseline_port/"
count baseline "${PIDS[-1]}" "http://127.0.0.1:$baseline_port/"
kill -TERM "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

log "the service under callgrind"
under_callgrind "$BINARY" serve
wait_for "$BASE/health/ready"
pid="${PIDS[-1]}"
count browse_offers "$pid" "$BASE/api/v1/offers?limit=20" "$student"
count offer "$pid" "$BASE/api/v1/offers/$offer_id" "$student"
count own_profile "$pid" "$BASE/api/v1/me/profile" "$student"
count ranked_offers "$pid" "$BASE/api/v1/students/$student_id/matches?limit=10" "$student"
count ranked_candidates "$pid" "$BASE/api/v1/offers/$own_offer_id/matches?limit=10" "$recruiter"
count pair_explanation "$pid" "$BASE/api/v1/students/$student_id/matches/$offer_id" "$student"

declare -A BUDGET
while read -r name budget; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  BUDGET[$name]="$budget"
done <"$BUDGET_FILE"

failed=0
table="| request | instructions per request | budget | share of budget | × baseline |
| --- | ---: | ---: | ---: | ---: |"
for name in baseline browse_offers offer own_profile ranked_offers ranked_candidates pair_explanation; do
  measured="${MEASURED[$name]}"
  budget="${BUDGET[$name]:-}"
  share="" verdict=""
  if [[ -n "$budget" ]]; then
    share="$((measured * 100 / budget)) %"
    if ((measured * 100 > budget * (100 + TOLERANCE_PERCENT))); then
      verdict=" (over budget)"
      failed=1
    fi
  elif [[ "$name" != baseline ]]; then
    verdict=" (no budget)"
    failed=1
  fi
  ratio="$(python3 -c "print(f'{$measured / ${MEASURED[baseline]}:.1f}')")"
  table+=$'\n'"| $name | $measured | ${budget:-} | ${share}${verdict} | $ratio |"
done
echo "$table"
[[ -n "${INSTRUCTIONS_OUTPUT:-}" ]] && echo "$table" >"$INSTRUCTIONS_OUTPUT"

if [[ "$CHECK" == yes && "$failed" == 1 ]]; then
  log "an endpoint is more than ${TOLERANCE_PERCENT} % over its budget in $BUDGET_FILE (or has none)."
  log "If the growth is wanted, say why in the commit and raise the budget; otherwise find what grew."
  exit 1
fi
