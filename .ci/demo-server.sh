# Sourced by the portal gates: serves the demo data set from "$BIN" on a fresh
# SQLite database and a free port, waits until it is ready, and stops it on
# exit. Sets PORTAL_BASE_URL. Expects BIN, ROOT and a `log` function; the
# caller's own EXIT trap, if any, must call stop_demo_server.

DEMO_WORK="$(mktemp -d)"
demo_server_pid=""
stop_demo_server() {
  if [[ -n "$demo_server_pid" ]]; then kill "$demo_server_pid" 2>/dev/null || true; wait "$demo_server_pid" 2>/dev/null || true; fi
  rm -rf "$DEMO_WORK"
}
trap stop_demo_server EXIT

demo_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
log "serving the demo data set on 127.0.0.1:$demo_port"
PASSERELLE_DATABASE_URL="sqlite://$DEMO_WORK/demo.db" \
PASSERELLE_BIND="127.0.0.1:$demo_port" \
PASSERELLE_DATA_DIR="$ROOT/data" \
PASSERELLE_AUTH__SIGNING_KEYS="demo:$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')" \
PASSERELLE_AUTH__LOGIN_ATTEMPTS_PER_MINUTE=10000 \
RUST_LOG="${RUST_LOG:-warn}" \
  "$BIN" serve --demo >"$DEMO_WORK/server.log" 2>&1 &
demo_server_pid=$!
demo_ready=0
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$demo_port/health/ready" >/dev/null 2>&1; then demo_ready=1; break; fi
  kill -0 "$demo_server_pid" 2>/dev/null || break
  sleep 0.5
done
if [[ "$demo_ready" != 1 ]]; then
  log "the server did not start:"; cat "$DEMO_WORK/server.log"; exit 1
fi
export PORTAL_BASE_URL="http://127.0.0.1:$demo_port"
