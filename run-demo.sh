#!/usr/bin/env bash
# Builds the project, runs the demo server with the agent attached, sends it requests with the demo
# client, and prints the server's /metrics. Ports: DEMO_PORT (service, default 8080) and
# DYN_SYSTEM_PORT (metrics, default 8000).
set -euo pipefail
cd "$(dirname "$0")"

DEMO_PORT="${DEMO_PORT:-8080}"
export DYN_SYSTEM_PORT="${DYN_SYSTEM_PORT:-8000}"

if [ "${SKIP_BUILD:-}" != "1" ]; then
  mvn -B -ntp -q -Dstyle.color=never -DskipTests package -pl demo-target,agent -am
fi

java -javaagent:agent/target/dynamo-agent.jar -jar demo-target/target/demo-target.jar server --port "$DEMO_PORT" &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT

# Ready when the agent reports the endpoint and the demo's own port answers (any HTTP status). A demo
# server that could not start (DEMO_PORT taken) has exited: stop there, rather than send the requests
# to whatever holds the port.
ready=0
for _ in $(seq 1 200); do
  if ! kill -0 "$server" 2>/dev/null; then
    echo "run-demo.sh: the demo server did not start (see its message above); choose free ports with DEMO_PORT and DYN_SYSTEM_PORT" >&2
    exit 1
  fi
  if curl -fs "http://127.0.0.1:${DYN_SYSTEM_PORT}/health" >/dev/null \
      && [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${DEMO_PORT}/compute")" != "000" ]; then
    ready=1
    break
  fi
  sleep 0.1
done
if [ "$ready" != 1 ]; then
  echo "run-demo.sh: the demo server did not answer within 20 s on port ${DEMO_PORT} (metrics on ${DYN_SYSTEM_PORT})" >&2
  exit 1
fi

java -jar demo-target/target/demo-target.jar client --port "$DEMO_PORT" --requests 20 --fail 2 --concurrency 2

echo
echo "\$ curl -s localhost:${DYN_SYSTEM_PORT}/metrics | grep -v -E '^(# (HELP|TYPE) )?(jvm|process)_'"
curl -s "http://127.0.0.1:${DYN_SYSTEM_PORT}/metrics" | grep -v -E '^(# (HELP|TYPE) )?(jvm|process)_'
