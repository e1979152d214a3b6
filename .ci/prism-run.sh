#!/usr/bin/env bash
# Runs a command against Stoplight Prism mocks of the official specs.
#   usage: bash .ci/prism-run.sh <command...>   (e.g. cargo test -p xdm-tests --test prism_conformance)
# Starts two mocks per vendored spec: the spec as published and a test-only copy whose OAuth 1.0a
# scheme Prism can check (docs/design/prism-oracle.md §2.3):
#   spec/openapi-dm-2.166.json              PRISM_URL                 PRISM_OAUTH1_URL
#   spec/openapi-media-realtime-2.167.json  PRISM_MEDIA_REALTIME_URL  PRISM_MEDIA_REALTIME_OAUTH1_URL
#   spec/openapi-chat-2.167.json            PRISM_CHAT_URL            PRISM_CHAT_OAUTH1_URL
# Canary requests prove validation is on before the command runs (Prism fails open, §2.4). All
# mocks are stopped whatever happens. Needs only Node and npm.
set -euo pipefail
cd "$(dirname "$0")/.."

PRISM_VERSION=5.14.2                       # the last release whose engines allow Node 20
PRISM_DIR=${PRISM_DIR:-target/prism}
SPEC=${PRISM_SPEC:-spec/openapi-dm-2.166.json}
SPEC_MR=${PRISM_MEDIA_REALTIME_SPEC:-spec/openapi-media-realtime-2.167.json}
PORT=${PRISM_PORT:-4010}
PORT_OAUTH1=${PRISM_OAUTH1_PORT:-4011}
PORT_MR=${PRISM_MEDIA_REALTIME_PORT:-4012}
PORT_MR_OAUTH1=${PRISM_MEDIA_REALTIME_OAUTH1_PORT:-4013}
SPEC_CHAT=${PRISM_CHAT_SPEC:-spec/openapi-chat-2.167.json}
PORT_CHAT=${PRISM_CHAT_PORT:-4014}
PORT_CHAT_OAUTH1=${PRISM_CHAT_OAUTH1_PORT:-4015}
BASE_CHAT="http://127.0.0.1:$PORT_CHAT"
BASE_CHAT_OAUTH1="http://127.0.0.1:$PORT_CHAT_OAUTH1"
BASE="http://127.0.0.1:$PORT"
BASE_OAUTH1="http://127.0.0.1:$PORT_OAUTH1"
BASE_MR="http://127.0.0.1:$PORT_MR"
BASE_MR_OAUTH1="http://127.0.0.1:$PORT_MR_OAUTH1"

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

# The test-only specs: UserToken as an Authorization header Prism can check.
oauth1_copy() {
  node -e 'const f=require("fs"),s=JSON.parse(f.readFileSync(process.argv[1]));s.components.securitySchemes.UserToken={type:"apiKey",in:"header",name:"Authorization"};f.writeFileSync(process.argv[2],JSON.stringify(s))' \
      "$1" "$2"
}
oauth1_copy "$SPEC" "$PRISM_DIR/spec-oauth1.json"
oauth1_copy "$SPEC_MR" "$PRISM_DIR/spec-media-realtime-oauth1.json"
oauth1_copy "$SPEC_CHAT" "$PRISM_DIR/spec-chat-oauth1.json"

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

# Start the node process itself (not npx: killing npx orphans the server).
mock() { local port=$1 spec=$2 log=$3
  "$PRISM" mock -h 127.0.0.1 -p "$port" "$spec" >"$PRISM_DIR/$log" 2>&1 &
  PIDS+=($!); }
mock "$PORT" "$SPEC" prism.log
mock "$PORT_OAUTH1" "$PRISM_DIR/spec-oauth1.json" prism-oauth1.log
mock "$PORT_MR" "$SPEC_MR" prism-media-realtime.log
mock "$PORT_MR_OAUTH1" "$PRISM_DIR/spec-media-realtime-oauth1.json" prism-media-realtime-oauth1.log
mock "$PORT_CHAT" "$SPEC_CHAT" prism-chat.log
mock "$PORT_CHAT_OAUTH1" "$PRISM_DIR/spec-chat-oauth1.json" prism-chat-oauth1.log

wait_ready() { local base=$1 path=$2 log=$3 code=000
  for _ in $(seq 1 150); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer ci' "$base$path" || true)
    [ "$code" = 200 ] && return 0
    sleep 0.2
  done
  echo "prism-run: $base not ready (last status $code)"; cat "$log"; exit 1; }
wait_ready "$BASE" /2/dm_events "$PRISM_DIR/prism.log"
wait_ready "$BASE_OAUTH1" /2/dm_events "$PRISM_DIR/prism-oauth1.log"
wait_ready "$BASE_MR" /2/webhooks "$PRISM_DIR/prism-media-realtime.log"
wait_ready "$BASE_MR_OAUTH1" /2/webhooks "$PRISM_DIR/prism-media-realtime-oauth1.log"
wait_ready "$BASE_CHAT" /2/users/me "$PRISM_DIR/prism-chat.log"
wait_ready "$BASE_CHAT_OAUTH1" /2/users/me "$PRISM_DIR/prism-chat-oauth1.log"

canary_at() { local base=$1 want=$2 m=$3 p=$4; shift 4
  local got; got=$(curl -s -o /dev/null -w '%{http_code}' -X "$m" "$@" "$base$p")
  [ "$got" = "$want" ] || { echo "prism-run: canary $m $base$p: got $got, want $want (validation is off?)"; exit 1; }; }
canary() { canary_at "$BASE" "$@"; }
canary_mr() { canary_at "$BASE_MR" "$@"; }
A=(-H 'Authorization: Bearer ci')
J=(-H 'Content-Type: application/json')
O=(-H 'Authorization: OAuth oauth_consumer_key="k"')
canary 422 GET  '/2/dm_events?max_results=0' "${A[@]}"
canary 422 GET  '/2/dm_conversations/with/2244994945/dm_events?event_types=Bogus' "${A[@]}"
canary 422 GET  '/2/dm_conversations/abc/dm_events' "${A[@]}"
canary 422 GET  '/2/dm_events/1146654567674912769?dm_event.fields=nope' "${A[@]}"
canary 401 GET  '/2/dm_events'
canary 422 POST '/2/dm_conversations' "${A[@]}" "${J[@]}" -d '{}'
canary 422 POST '/2/dm_conversations/with/2244994945/messages' "${A[@]}" "${J[@]}" -d '{}'
canary_at "$BASE_OAUTH1" 422 GET '/2/dm_events?max_results=0' "${O[@]}"
canary_mr 422 GET  '/2/activity/stream?backfill_minutes=9' "${A[@]}"
canary_mr 401 GET  '/2/activity/stream'
canary_mr 422 GET  '/2/media/upload?media_id=abc&command=STATUS' "${A[@]}"
canary_mr 422 POST '/2/media/upload/initialize' "${A[@]}" "${J[@]}" -d '{"bogus":1}'
canary_mr 422 POST '/2/media/upload/1/append' "${A[@]}" "${J[@]}" -d '{"media":"AAEC","segment_index":1000}'
canary_mr 422 POST '/2/media/upload/1/append' "${A[@]}" -F segment_index=1000 -F 'media=@.ci/prism-run.sh'
canary_mr 422 POST '/2/media/upload' "${A[@]}" -F media_category=dm_bogus -F 'media=@.ci/prism-run.sh'
canary_mr 422 POST '/2/activity/subscriptions' "${A[@]}" "${J[@]}" -d '{"event_type":"dm.bogus","filter":{"user_id":"1"}}'
canary_mr 422 GET  '/2/webhooks?webhook_config.fields=nope' "${A[@]}"
canary_mr 422 POST '/2/webhooks/replay' "${A[@]}" "${J[@]}" -d '{"webhook_id":"1","from_date":"2026","to_date":"202608221330"}'
canary_at "$BASE_MR_OAUTH1" 422 GET '/2/media/upload?media_id=abc' "${O[@]}"
canary_at "$BASE_CHAT" 422 GET '/2/chat/conversations/abc/events' "${A[@]}"
canary_at "$BASE_CHAT" 422 POST '/2/chat/conversations/1-2/messages' "${A[@]}" "${J[@]}" -d '{}'
echo "prism-run: Prism $PRISM_VERSION validating at $BASE, $BASE_OAUTH1, $BASE_MR, $BASE_MR_OAUTH1, $BASE_CHAT and $BASE_CHAT_OAUTH1 (canaries passed)"

export PRISM_URL="$BASE" PRISM_OAUTH1_URL="$BASE_OAUTH1"
export PRISM_MEDIA_REALTIME_URL="$BASE_MR" PRISM_MEDIA_REALTIME_OAUTH1_URL="$BASE_MR_OAUTH1"
export PRISM_CHAT_URL="$BASE_CHAT" PRISM_CHAT_OAUTH1_URL="$BASE_CHAT_OAUTH1"
"$@"
