#!/usr/bin/env bash
# Builds the project, runs the demo server with the agent attached, sends it requests with the demo
# client, and prints the server's /metrics. Ports: DEMO_PORT (service, default 8080) and
# DYN_SYSTEM_PORT (metrics, default 8000); both must be free, and it stops with a message (exit 1)
# rather than print the page of another program that holds the metrics port.
set -euo pipefail
cd "$(dirname "$0")"

DEMO_PORT="${DEMO_PORT:-8080}"
export DYN_SYSTEM_PORT="${DYN_SYSTEM_PORT:-8000}"

for setting in DEMO_PORT DYN_SYSTEM_PORT; do
  port="${!setting}"
  if ! [[ "$port" =~ ^[0-9]{1,5}$ ]] || [ "$((10#$port))" -lt 1 ] || [ "$((10#$port))" -gt 65535 ]; then
    echo "run-demo.sh: ${setting}='${port}' is not a port; the demo needs a fixed one, 1-65535" >&2
    exit 1
  fi
  # Something already listening there would answer in place of the demo or its agent: another program's
  # page would be printed as the demo's (the agent itself runs on without a server when its port is taken).
  if (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
    echo "run-demo.sh: port ${port} (${setting}) is already in use by another program; stop it or choose free ports with DEMO_PORT and DYN_SYSTEM_PORT" >&2
    exit 1
  fi
done

if [ "${SKIP_BUILD:-}" != "1" ]; then
  mvn -B -ntp -q -Dstyle.color=never -DskipTests package -pl demo-target,agent -am
fi

# The server's stderr is shown as it comes and kept, to tell whether its agent serves the metrics port.
server_log="$(mktemp)"
java -javaagent:agent/target/dynamo-agent.jar -jar demo-target/target/demo-target.jar server --port "$DEMO_PORT" \
  2> >(tee "$server_log" >&2) &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$server_log"' EXIT

# Ready when the agent reports the endpoint and the demo's own port answers (any HTTP status). A demo
# server that could not start (DEMO_PORT taken) has exited, and an agent that could not serve its port
# has said so: stop there, rather than send the requests or the scrape to whatever holds the port.
ready=0
for _ in $(seq 1 200); do
  if ! kill -0 "$server" 2>/dev/null; then
    echo "run-demo.sh: the demo server did not start (see its message above); choose free ports with DEMO_PORT and DYN_SYSTEM_PORT" >&2
    exit 1
  fi
  if grep -q -i -e 'cannot serve metrics' -e 'metrics server is off' "$server_log"; then
    echo "run-demo.sh: the demo server's agent does not serve metrics on port ${DYN_SYSTEM_PORT}; its line above says why (for a port in use, choose a free DYN_SYSTEM_PORT)" >&2
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
# The page must be a dynamo agent's (its uptime gauge), not another server's that took the port meanwhile.
if ! curl -gs "http://127.0.0.1:${DYN_SYSTEM_PORT}/metrics?name[]=dynamo_component_uptime_seconds" \
    | grep -q '^dynamo_component_uptime_seconds '; then
  echo "run-demo.sh: what answers on port ${DYN_SYSTEM_PORT} is not the demo server's agent; choose a free DYN_SYSTEM_PORT" >&2
  exit 1
fi

java -jar demo-target/target/demo-target.jar client --port "$DEMO_PORT" --requests 20 --fail 2 --concurrency 2

echo
echo "\$ curl -s localhost:${DYN_SYSTEM_PORT}/metrics | grep -v -E '^(# (HELP|TYPE) )?(jvm|process)_'"
curl -s "http://127.0.0.1:${DYN_SYSTEM_PORT}/metrics" | grep -v -E '^(# (HELP|TYPE) )?(jvm|process)_'
