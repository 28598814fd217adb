#!/usr/bin/env bash
# n8n queue mode with the PBX nodes, end to end (not part of `npm test`: it installs n8n, about 2 GB).
#
#   scripts/n8n-queue-mode.sh <work folder> [n8n folder]
#
# In <n8n folder> (default <work folder>/n8n) it installs n8n 2.40.7 unless it is there already, packs this
# project into <work folder>/home/.n8n/nodes, then starts on loopback: redis-server, the PBX simulator, one n8n
# main (EXECUTIONS_MODE=queue) and one n8n worker. Through n8n's REST API it creates the owner, an O2G credential
# and a workflow "PBX Trigger (call.missed) -> PBX Make Call (call the caller back)", and activates it. Then it
# places a call that alice misses on the simulator, and checks that the worker (not the main) ran the execution
# and that the call back was made. Last it restarts the main and checks that no execution is started twice.
#
# Needs: Node 24 on PATH, redis-server (Debian package), curl. SKIP_BUILD=1 packs the existing dist/.
# `npm run check:n8n-queue-mode` runs it in .tmp/n8n-queue-mode. Measured (2 shared cores): about 2 minutes with n8n
# installed; installing n8n adds about 9 minutes from a cold npm cache, plus 2-3 minutes to build sqlite3 (which needs
# Node's headers: npm_config_nodedir, as .ci/run sets it). Pass an n8n folder outside the work folder to keep n8n
# between runs. It waits for each service to really answer (scripts/lib/wait-http.sh), never for a fixed time.
# Ports (loopback): N8N_PORT (5699), WORKER_PORT (5698, health), REDIS_PORT (6390), SIM_PORT (5710; O2G on +1),
# broker ports 5681/5682. Exit code 0 when every check passed; the logs stay in <work folder>/logs.
set -euo pipefail

WORK=${1:?usage: $0 <work folder> [n8n folder]}
N8N_DIR=${2:-$WORK/n8n}
N8N_PORT=${N8N_PORT:-5699}
WORKER_PORT=${WORKER_PORT:-5698}
REDIS_PORT=${REDIS_PORT:-6390}
SIM_PORT=${SIM_PORT:-5710}
O2G_URL="http://127.0.0.1:$((SIM_PORT + 1))"
REPO=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/wait-http.sh
. "$REPO/scripts/lib/wait-http.sh"

HOME_DIR=$WORK/home
LOGS=$WORK/logs
API="http://127.0.0.1:$N8N_PORT/rest"
JAR=$WORK/cookies.txt
mkdir -p "$WORK" "$LOGS" "$HOME_DIR"
WORK=$(cd "$WORK" && pwd)
PIDS=()

say() { printf '\n== %s\n' "$*"; }
fail() { printf '\nFAILED: %s\n' "$*" >&2; exit 1; }
cleanup() {
  # Only the processes this script started, by their pid, last started first (n8n before redis).
  local i pid
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid=${PIDS[$i]}
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  done
}
trap cleanup EXIT

# JSON field from stdin: json '.data.id'
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{let v=JSON.parse(s);for(const k of process.argv[1].split(".").filter(Boolean))v=v?.[k];process.stdout.write(typeof v==="string"?v:JSON.stringify(v??null))})' "$1"; }
rest() { # method path [body]
  curl -sS -b "$JAR" -c "$JAR" -X "$1" -H 'Content-Type: application/json' -H 'browser-id: queue-mode-script' ${3:+--data "$3"} "$API$2"
}
wait_for() { # what seconds command...
  local what=$1 t=$2; shift 2
  for _ in $(seq 1 "$t"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  fail "timed out waiting for $what"
}
pbx() { node "$SRC/dist/cli/pbxflow.js" call "$@" --platform o2g --url "$O2G_URL"; }

# ---- n8n and the pack ------------------------------------------------------------------------------
if [ ! -x "$N8N_DIR/node_modules/.bin/n8n" ]; then
  say "installing n8n 2.40.7 in $N8N_DIR (several minutes)"
  mkdir -p "$N8N_DIR"
  # Install scripts off, then only sqlite3's native build (the one n8n needs), allowed by name for npm's allowScripts.
  (cd "$N8N_DIR" && { [ -f package.json ] || echo '{"name":"n8n-for-queue-check","private":true,"allowScripts":{"sqlite3":true}}' > package.json; } \
    && npm install n8n@2.40.7 --ignore-scripts --no-audit --no-fund && npm rebuild sqlite3) > "$LOGS/n8n-install.log" 2>&1 \
    || fail "n8n install, see $LOGS/n8n-install.log"
fi
N8N="$N8N_DIR/node_modules/n8n/bin/n8n"

# Built and packed from a copy of the sources, so the working tree's dist/ is left alone.
SRC=$WORK/src
if [ "${SKIP_BUILD:-}" != 1 ] || [ ! -d "$SRC/dist" ]; then
  say "building the package (in $SRC)"
  mkdir -p "$SRC"
  tar -C "$REPO" --exclude=./node_modules --exclude=./.git --exclude=./dist --exclude=./.tmp -cf - . | tar -C "$SRC" -xf -
  ln -sfn "$REPO/node_modules" "$SRC/node_modules"
  (cd "$SRC" && rm -rf dist && npm run build) > "$LOGS/build.log" 2>&1 || fail "build, see $LOGS/build.log"
fi
say "packing it into $HOME_DIR/.n8n/nodes"
PACK=$(cd "$SRC" && npm pack --pack-destination "$WORK" 2>/dev/null | tail -1)
mkdir -p "$HOME_DIR/.n8n/nodes"
(cd "$HOME_DIR/.n8n/nodes" && { [ -f package.json ] || echo '{"name":"installed-nodes","private":true}' > package.json; } \
  && npm install "$WORK/$PACK" --omit=dev --omit=peer) > "$LOGS/pack-install.log" 2>&1 || fail "pack install, see $LOGS/pack-install.log"

# ---- redis, simulator, n8n main and worker -----------------------------------------------------------
say "redis-server on 127.0.0.1:$REDIS_PORT"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no > "$LOGS/redis.log" 2>&1 &
PIDS+=($!)
wait_for redis 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$REDIS_PORT"

say "simulator on 127.0.0.1:$SIM_PORT (OpenTouch) and :$((SIM_PORT + 1)) (O2G)"
node "$SRC/dist/cli/pbxflow.js" simulate --port "$SIM_PORT" > "$LOGS/simulator.log" 2>&1 &
PIDS+=($!)
wait_for simulator 30 curl -sf "$O2G_URL/api/rest"

export N8N_USER_FOLDER=$HOME_DIR EXECUTIONS_MODE=queue QUEUE_BULL_REDIS_HOST=127.0.0.1 QUEUE_BULL_REDIS_PORT=$REDIS_PORT \
  N8N_LISTEN_ADDRESS=127.0.0.1 N8N_HOST=127.0.0.1 N8N_DIAGNOSTICS_ENABLED=false N8N_PERSONALIZATION_ENABLED=false \
  N8N_VERSION_NOTIFICATIONS_ENABLED=false N8N_TEMPLATES_ENABLED=false N8N_SECURE_COOKIE=false DB_TYPE=sqlite \
  N8N_LOG_LEVEL=debug N8N_ENCRYPTION_KEY=pbxflow-queue-mode-check \
  OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS=true

start_main() {
  N8N_PORT=$N8N_PORT N8N_RUNNERS_BROKER_PORT=5681 node "$N8N" start >> "$LOGS/main.log" 2>&1 &
  MAIN_PID=$!
  PIDS+=($MAIN_PID)
  wait_for "n8n main" 180 curl -sf "http://127.0.0.1:$N8N_PORT/healthz"
  # /healthz answers before the REST controllers are mounted, and until then Express answers an HTML "Cannot POST"
  # page: wait until /rest/login itself refuses an empty login in JSON (400/401), i.e. the route exists.
  wait_for_json_answer "n8n main's REST API (POST /rest/login)" 120 POST "$API/login" "400 401 422" '{}' || fail "n8n main's REST API never answered"
}
say "n8n main (queue mode) on :$N8N_PORT"
start_main
say "n8n worker"
QUEUE_HEALTH_CHECK_ACTIVE=true QUEUE_HEALTH_CHECK_PORT=$WORKER_PORT N8N_RUNNERS_BROKER_PORT=5682 node "$N8N" worker --concurrency=5 > "$LOGS/worker.log" 2>&1 &
PIDS+=($!)
wait_for "n8n worker" 180 curl -sf "http://127.0.0.1:$WORKER_PORT/healthz"

# ---- owner, credential, workflow ---------------------------------------------------------------------
say "owner, credential and workflow through the REST API"
rest POST /owner/setup '{"email":"owner@example.com","firstName":"Queue","lastName":"Check","password":"Queue-check-1"}' > "$LOGS/owner.json" || true
rest POST /login '{"emailOrLdapLoginId":"owner@example.com","password":"Queue-check-1"}' > "$LOGS/login.json"
grep -q '"id"' "$LOGS/login.json" || fail "login: $(cat "$LOGS/login.json")"

CRED=$(rest POST /credentials "{\"name\":\"sim alice\",\"type\":\"pbxO2gApi\",\"data\":{\"url\":\"$O2G_URL\",\"secondaryUrl\":\"\",\"login\":\"alice\",\"password\":\"alice-pw\",\"sessionKind\":\"user\",\"users\":\"\",\"urlKind\":\"public\",\"allowUnauthorizedCerts\":false,\"caCertificate\":\"\"}}")
CRED_ID=$(echo "$CRED" | json data.id)
[ "$CRED_ID" != null ] || fail "credential: $CRED"
CREDS="{\"pbxO2gApi\":{\"id\":\"$CRED_ID\",\"name\":\"sim alice\"}}"
WF=$(cat <<EOF
{"name":"Missed call -> call back","active":false,"settings":{"executionOrder":"v1"},
 "nodes":[
  {"id":"t1","name":"PBX Trigger","type":"@pbxflow/n8n-nodes-pbx.pbxTrigger","typeVersion":1,"position":[0,0],
   "parameters":{"platform":"o2g","events":["call.missed"]},"credentials":$CREDS},
  {"id":"a1","name":"Call back","type":"@pbxflow/n8n-nodes-pbx.pbx","typeVersion":1,"position":[300,0],
   "parameters":{"platform":"o2g","resource":"call","operation":"makeCall","destination":"={{ \$json.call.from.number }}"},"credentials":$CREDS}],
 "connections":{"PBX Trigger":{"main":[[{"node":"Call back","type":"main","index":0}]]}}}
EOF
)
CREATED=$(rest POST /workflows "$WF")
WF_ID=$(echo "$CREATED" | json data.id)
VERSION=$(echo "$CREATED" | json data.versionId)
[ "$WF_ID" != null ] || fail "workflow: $CREATED"
ACT=$(rest POST "/workflows/$WF_ID/activate" "{\"versionId\":\"$VERSION\"}")
[ "$(echo "$ACT" | json data.active)" = true ] || fail "activate: $ACT"
wait_for "the trigger to be active on the main" 60 grep -q 'Activated trigger\|Activated workflow\|activated' "$LOGS/main.log"
sleep 3

executions() { rest GET "/executions?filter=%7B%22workflowId%22%3A%22$WF_ID%22%7D" | json data.results; }
count_executions() { executions | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log((JSON.parse(s)||[]).length))'; }

# ---- a missed call -------------------------------------------------------------------------------------
say "bob calls alice, hangs up before she answers"
REF=$(pbx makeCall --login bob --password bob-pw --destination 201 | json callId)
[ -n "$REF" ] && [ "$REF" != null ] || fail "makeCall by bob"
sleep 2
pbx hangUp --login bob --password bob-pw --callId "$REF" > /dev/null
export -f rest json executions count_executions; export API JAR WF_ID
wait_for "an execution" 60 bash -c '[ "$(count_executions)" -ge 1 ]'
wait_for "the execution to finish" 60 bash -c 'executions | grep -q "\"status\":\"success\""'
EXEC_ID=$(executions | json 0.id)
echo "execution $EXEC_ID: $(executions | json 0.status)"
grep -q "Worker started execution $EXEC_ID " "$LOGS/worker.log" || fail "the worker log does not show execution $EXEC_ID"
grep -q "Worker finished execution $EXEC_ID " "$LOGS/worker.log" || fail "the worker did not finish execution $EXEC_ID"
grep -q "Enqueued execution $EXEC_ID " "$LOGS/main.log" || fail "the main did not enqueue execution $EXEC_ID"
echo "main: $(grep -o "Enqueued execution $EXEC_ID ([^)]*)" "$LOGS/main.log" | head -1)"
echo "worker: $(grep -o "Worker finished execution $EXEC_ID ([^)]*)" "$LOGS/worker.log" | head -1)"
CALLS=$(pbx listCalls --login alice --password alice-pw)
echo "$CALLS" | grep -q '"202"' || fail "no call from alice back to 202: $CALLS"
echo "alice's calls: $(echo "$CALLS" | tr -d '\n ' | cut -c1-300)"

# ---- restart the main -------------------------------------------------------------------------------
say "restarting the main"
kill "$MAIN_PID"
wait "$MAIN_PID" 2>/dev/null || true
start_main
sleep 20
N=$(count_executions)
echo "executions after the restart: $N"
[ "$N" = 1 ] || fail "expected 1 execution after the main restart, found $N"
say "all checks passed (logs in $LOGS)"
