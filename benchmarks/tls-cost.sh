#!/usr/bin/env bash
# What TLS costs the metrics server: the application's start-up with and without
# DYN_SYSTEM_WEB_CONFIG, the time until the server answers, and the time of a scrape with curl,
# plain and over TLS, on a kept-alive connection and on new connections.
# Needs agent/target/dynamo-agent.jar, demo-target/target/demo-target.jar and benchmarks.jar:
#   mvn -q -Pbenchmarks package -pl benchmarks -am -DskipTests && benchmarks/tls-cost.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
agent=$PWD/agent/target/dynamo-agent.jar
demo=$PWD/demo-target/target/demo-target.jar
probe=$PWD/benchmarks/target/benchmarks.jar
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.crt \
  -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 -days 2 2>/dev/null
printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n' > tls.yml
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "== start-up: java -Xms64m -Xmx256m -javaagent:dynamo-agent.jar -cp benchmarks.jar StartupProbe, $runs runs each, median ms"
declare -A wall main
for ((i = 0; i < runs + 2; i++)); do
  for mode in plain tls; do
    extra=()
    [ "$mode" = tls ] && extra=(env DYN_SYSTEM_WEB_CONFIG="$work/tls.yml")
    start=$(date +%s%N)
    out=$("${extra[@]}" env DYN_SYSTEM_PORT=0 DYN_SYSTEM_HOST=127.0.0.1 java -Xms64m -Xmx256m \
      -javaagent:"$agent" -cp "$probe" dev.dynamo.benchmarks.startup.StartupProbe 2>/dev/null)
    end=$(date +%s%N)
    if ((i >= 2)); then
      wall[$mode]+="$(((end - start) / 1000000)) "
      main[$mode]+="${out#START_TO_MAIN_MS=} "
    fi
  done
done
for mode in plain tls; do
  echo "$mode: wall $(tr ' ' '\n' <<<"${wall[$mode]}" | grep . | median) ms," \
    "JVM start -> main $(tr ' ' '\n' <<<"${main[$mode]}" | grep . | median) ms"
done

echo "== the demo server with the agent: process start to the first answer of /live, $((runs / 2 + 1)) runs each;"
echo "   then /metrics with curl, $((runs * 100)) requests after as many to warm up; median ms"
# Starts the demo server in the background (a job of this shell, so that stop ends it) and adds the
# milliseconds until it answered /live to $ready.
serve() {
  local port=$1; shift
  local start
  start=$(date +%s%N)
  env DYN_SYSTEM_PORT="$port" DYN_SYSTEM_HOST=127.0.0.1 "$@" java -javaagent:"$agent" -jar "$demo" server \
    --port 0 >/dev/null 2>&1 &
  for _ in $(seq 1000); do
    if curl -sk -o /dev/null "$scheme://127.0.0.1:$port/live"; then
      ready+="$((($(date +%s%N) - start) / 1000000)) "
      return
    fi
    sleep 0.02
  done
}
stop() {
  kill %% 2>/dev/null || true
  wait 2>/dev/null || true
}
for mode in plain tls; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  web=()
  scheme=http
  if [ "$mode" = tls ]; then scheme=https; web=(DYN_SYSTEM_WEB_CONFIG="$work/tls.yml"); fi
  ready=""
  for ((i = 0; i < runs / 2; i++)); do
    serve "$port" env "${web[@]}"
    stop
  done
  serve "$port" env "${web[@]}"
  url="$scheme://127.0.0.1:$port/metrics"
  urls=()
  for ((i = 0; i < runs * 100; i++)); do urls+=(-o /dev/null "$url"); done
  curl -sk "${urls[@]}"
  kept=$(curl -sk -w '%{time_total}\n' "${urls[@]}" | awk '{print $1 * 1000}' | median)
  fresh=""
  handshake=""
  for ((i = 0; i < runs * 2; i++)); do
    line=$(curl -sk -o /dev/null -w '%{time_connect} %{time_appconnect} %{time_total}\n' "$url")
    fresh+="$(awk '{print $3 * 1000}' <<<"$line") "
    handshake+="$(awk '{print ($2 > 0 ? ($2 - $1) * 1000 : 0)}' <<<"$line") "
  done
  echo "$mode: first answer $(tr ' ' '\n' <<<"$ready" | grep . | median) ms; kept-alive scrape $kept ms;" \
    "scrape on a new connection $(tr ' ' '\n' <<<"$fresh" | grep . | median) ms" \
    "(of which TLS handshake $(tr ' ' '\n' <<<"$handshake" | grep . | median) ms)"
  stop
done
