#!/usr/bin/env bash
# Schemathesis over every operation of /openapi.json with an ANALYST key, on 127.0.0.1 only.
#
#   bench/schemathesis.sh [MAX_EXAMPLES]      (default 20)
#
# Starts its own Neo4j (temp dir, free port), loads the seed, creates an analyst key,
# serves the API with uvicorn on a free loopback port, runs schemathesis with the checks
# "no 5xx" and "responses conform to the documented schema", then stops everything.
# Exit status: schemathesis's (0 = no failures). Report: test-artifacts/schemathesis/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
BIN="$ROOT/.venv/bin"
N="${1:-20}"
WORK="$(mktemp -d -t casegraph-schemathesis-XXXX)"
free_port() { "$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
NEO_PORT="$(free_port)"
API_PORT="$(free_port)"
export CASEGRAPH_NEO4J_URI="bolt://127.0.0.1:$NEO_PORT"
export CASEGRAPH_AUDIT_PATH="$WORK/audit.log"
UVICORN_PID=""
cleanup() {
  [ -n "$UVICORN_PID" ] && kill "$UVICORN_PID" 2>/dev/null || true
  "$BIN/casegraph" neo4j stop --data "$WORK/neo4j" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN/casegraph" neo4j start --port "$NEO_PORT" --data "$WORK/neo4j" >/dev/null
"$BIN/casegraph" db init >/dev/null 2>&1
"$BIN/casegraph" seed >/dev/null 2>&1
KEY="$("$BIN/casegraph" apikey create --role analyst --name schemathesis 2>/dev/null)"

"$BIN/casegraph" serve --host 127.0.0.1 --port "$API_PORT" >"$WORK/uvicorn.log" 2>&1 &
UVICORN_PID=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$API_PORT/health" >/dev/null 2>&1 && break
  sleep 0.2
done

mkdir -p "$ROOT/test-artifacts/schemathesis"
START=$(date +%s)
set +e
cd "$WORK"  # schemathesis keeps a .schemathesis/ cache in the working directory
"$BIN/schemathesis" run "http://127.0.0.1:$API_PORT/openapi.json" \
  --header "Authorization: Bearer $KEY" \
  --checks not_a_server_error,response_schema_conformance,content_type_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples "$N" --seed 1 --workers 2 --request-timeout 30 \
  --report junit --report-dir "$ROOT/test-artifacts/schemathesis" \
  --warnings off
STATUS=$?
set -e
echo "schemathesis: exit $STATUS in $(( $(date +%s) - START )) s (max-examples $N, analyst key)"
echo "5xx answers in the API log: $(grep -c '" 5[0-9][0-9]' "$WORK/uvicorn.log" || true)"
exit $STATUS
