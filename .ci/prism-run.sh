#!/usr/bin/env bash
# Runs a command against Stoplight Prism mocks of the official DM spec.
#   usage: bash .ci/prism-run.sh <command...>   (e.g. cargo test -p xdm-tests --test prism_conformance)
# Starts two mocks: the spec as published (PRISM_URL) and a test-only copy whose OAuth 1.0a
# scheme Prism can check (PRISM_OAUTH1_URL; docs/design/prism-oracle.md §2.3). Canary
# requests prove validation is on before the command runs (Prism fails open, §2.4). Both
# mocks are stopped whatever happens. Needs only Node and npm.
set -euo pipefail
cd "$(dirname "$0")/.."

PRISM_VERSION=5.14.2                       # the last release whose engines allow Node 20
PRISM_DIR=${PRISM_DIR:-target/prism}
SPEC=${PRISM_SPEC:-spec/openapi-dm-2.166.json}
PORT=${PRISM_PORT:-4010}
PORT_OAUTH1=${PRISM_OAUTH1_PORT:-4011}
BASE="http://127.0.0.1:$PORT"
BASE_OAUTH1="http://127.0.0.1:$PORT_OAUTH1"

command -v node >/dev/null || { echo "prism-run: node is not installed"; exit 1; }
command -v npm >/dev/null || { echo "prism-run: npm is not installed"; exit 1; }
mkdir -p "$PRISM_DIR"
PRISM="$PRISM_DIR/node_modules/.bin/prism"
if [ ! -x "$PRISM" ]; then
  echo "prism-run: installing @stoplight/prism-cli@$PRISM_VERSION"
  npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      --prefix "$PRISM_DIR" "@stoplight/prism-cli@$PRISM_VERSION"
fi
[ -x "$PRISM" ] || { echo "prism-run: prism could not be installed"; exit 1; }
"$PRISM" --version

# The test-only spec: UserToken as an Authorization header Prism can check.
node -e 'const f=require("fs"),s=JSON.parse(f.readFileSync(process.argv[1]));s.components.securitySchemes.UserToken={type:"apiKey",in:"header",name:"Authorization"};f.writeFileSync(process.argv[2],JSON.stringify(s))' \
    "$SPEC" "$PRISM_DIR/spec-oauth1.json"

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

# Start the node process itself (not npx: killing npx orphans the server).
"$PRISM" mock -h 127.0.0.1 -p "$PORT" "$SPEC" >"$PRISM_DIR/prism.log" 2>&1 &
PIDS+=($!)
"$PRISM" mock -h 127.0.0.1 -p "$PORT_OAUTH1" "$PRISM_DIR/spec-oauth1.json" >"$PRISM_DIR/prism-oauth1.log" 2>&1 &
PIDS+=($!)

wait_ready() { local base=$1 log=$2 code=000
  for _ in $(seq 1 150); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer ci' "$base/2/dm_events" || true)
    [ "$code" = 200 ] && return 0
    sleep 0.2
  done
  echo "prism-run: $base not ready (last status $code)"; cat "$log"; exit 1; }
wait_ready "$BASE" "$PRISM_DIR/prism.log"
wait_ready "$BASE_OAUTH1" "$PRISM_DIR/prism-oauth1.log"

canary() { local want=$1 m=$2 p=$3; shift 3
  local got; got=$(curl -s -o /dev/null -w '%{http_code}' -X "$m" "$@" "$BASE$p")
  [ "$got" = "$want" ] || { echo "prism-run: canary $m $p: got $got, want $want (validation is off?)"; exit 1; }; }
A=(-H 'Authorization: Bearer ci')
J=(-H 'Content-Type: application/json')
canary 422 GET  '/2/dm_events?max_results=0' "${A[@]}"
canary 422 GET  '/2/dm_conversations/with/2244994945/dm_events?event_types=Bogus' "${A[@]}"
canary 422 GET  '/2/dm_conversations/abc/dm_events' "${A[@]}"
canary 422 GET  '/2/dm_events/1146654567674912769?dm_event.fields=nope' "${A[@]}"
canary 401 GET  '/2/dm_events'
canary 422 POST '/2/dm_conversations' "${A[@]}" "${J[@]}" -d '{}'
canary 422 POST '/2/dm_conversations/with/2244994945/messages' "${A[@]}" "${J[@]}" -d '{}'
got=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: OAuth oauth_consumer_key="k"' "$BASE_OAUTH1/2/dm_events?max_results=0")
[ "$got" = 422 ] || { echo "prism-run: OAuth 1.0a canary: got $got, want 422"; exit 1; }
echo "prism-run: Prism $PRISM_VERSION validating at $BASE and $BASE_OAUTH1 (canaries passed)"

export PRISM_URL="$BASE" PRISM_OAUTH1_URL="$BASE_OAUTH1"
"$@"
