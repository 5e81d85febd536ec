#!/usr/bin/env bash
# Where a loaded web service's CPU goes with the agent attached: the Spring Boot application of the
# web-load benchmark, loaded by wrk for 20 s of warm-up and then, sampled by async-profiler (itimer,
# 1 ms), for the given seconds while it is scraped once a second.
# Prints the share of all samples whose stack holds a frame of the agent's code (dev/dynamo/runtime,
# dev/dynamo/agent, io/prometheus), split by the first such frame. The web-load table's throughput
# varies by more than the agent's cost from one JVM to the next; this share does not.
# Needs the benchmarks built and wrk:
#   mvn -q -Pbenchmarks package -pl benchmarks -am -DskipTests && benchmarks/profile-web-load.sh [seconds [stacks.txt]]
# The second argument keeps the collapsed stacks (flame-graph input) in that file.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-40}
agent=$PWD/benchmarks/target/agents/dynamo-agent.jar
app=$PWD/benchmarks/target/apps/spring-app.jar
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 1; }
mvn -B -ntp -q dependency:copy -Dartifact=tools.profiler:async-profiler:4.1:jar:linux-x64 -DoutputDirectory="$work"
(cd "$work" && unzip -q async-profiler-4.1-linux-x64.jar linux-x64/libasyncProfiler.so)
profiler=$work/linux-x64/libasyncProfiler.so

# The application serves until its standard input closes; a FIFO held open by `sleep` keeps it open.
mkfifo "$work/stdin"
sleep 100000 > "$work/stdin" &
holder=$!
DYN_SYSTEM_PORT=0 java -Xms256m -Xmx256m -Dbench.serve=true -javaagent:"$agent" \
  -cp "$app" org.springframework.boot.loader.launch.JarLauncher --server.port=0 --server.address=127.0.0.1 \
  --spring.main.banner-mode=off --logging.level.root=warn < "$work/stdin" > "$work/app.log" 2>&1 &
pid=$!
for _ in $(seq 240); do grep -q "SERVING port=" "$work/app.log" && break; sleep 0.5; done
port=$(grep -o "SERVING port=[0-9]*" "$work/app.log" | cut -d= -f2)
metrics=$(grep -o "serving metrics on http://[^ ]*/metrics" "$work/app.log" | cut -d' ' -f4)
url=http://127.0.0.1:$port/price/apple/3
# Scraped once a second, as in the web-load benchmark.
(while sleep 1; do curl -s -o /dev/null "$metrics" || true; done) &
scraper=$!
# The process's user + system CPU since it started, in clock ticks (fields 14 and 15 of /proc/<pid>/stat).
cpu_ticks() { sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}'; }

wrk -t1 -c8 -d20s "$url" > /dev/null  # warm-up, not profiled
# jcmd's own parser splits an unquoted option string at '='; the inner quotes keep it whole.
jcmd "$pid" JVMTI.agent_load "$profiler" "'start,event=itimer,interval=1ms'" > /dev/null
before=$(cpu_ticks)
wrk -t1 -c8 -d"${seconds}s" "$url" > "$work/wrk.txt"
ticks=$(( $(cpu_ticks) - before ))
jcmd "$pid" JVMTI.agent_load "$profiler" "'stop,file=$work/profile.txt,collapsed'" > /dev/null
requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
[ -n "${2:-}" ] && cp "$work/profile.txt" "$2"
grep -E "requests in|Requests/sec" "$work/wrk.txt"
kill "$scraper" "$holder"
wait "$pid" || true

echo "== samples of the ${seconds} s under load by the first frame of the agent's code on the stack"
echo "   µs per request = the frame's share of all samples × the process's CPU meanwhile ($ticks ticks) ÷ $requests requests"
awk -v ticks="$ticks" -v requests="$requests" -v hz="$(getconf CLK_TCK)" '{
  count = $NF; total += count; stack = substr($0, 1, length($0) - length(count) - 1)
  n = split(stack, frames, ";")
  for (i = 1; i <= n; i++) {
    if (frames[i] ~ /^(dev\/dynamo\/runtime|dev\/dynamo\/agent|io\/prometheus)/) { agent[frames[i]] += count; all += count; break }
  }
} END {
  perRequest = ticks / hz * 1e6 / requests / total
  for (f in agent) printf "%8d  %6.3f µs/request  %s\n", agent[f], agent[f] * perRequest, f
  printf "agent: %d of %d samples (%.2f %%), %.3f µs per request of %.1f µs\n", all, total, 100 * all / total, \
    all * perRequest, total * perRequest
}' "$work/profile.txt" | sort -k1,1nr
