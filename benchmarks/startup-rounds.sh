#!/usr/bin/env bash
# Start-up cost by the number of annotated classes, in rotating rounds of whole processes (docs/benchmarks.md,
# "Start-up on real applications"). Needs a build of the benchmarks profile (benchmarks/target/benchmarks.jar and
# benchmarks/target/agents/dynamo-agent.jar); generates the start-up applications it lacks.
#   benchmarks/startup-rounds.sh ROUNDS N...        e.g. benchmarks/startup-rounds.sh 11 0 1 10 30 100
# More agents to run in the same rounds: AGENTS="label=path.jar[@jvm-flags] ..." (flags without spaces).
# Prints each run, then per class count and agent the median of the per-round differences to no agent (the first
# round dropped as warm-up) with their min-max.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=$1; shift
results=${BENCH_RESULTS:-benchmarks/target/results}
apps=$results/startup-apps
variants=(none "dynamo=benchmarks/target/agents/dynamo-agent.jar" ${AGENTS:-})
log=$results/startup-rounds.txt
mkdir -p "$results"; : > "$log"
for n in "$@"; do
    if [ ! -f "$apps/object-returns/n$n/app.jar" ]; then
        java -Dbench.results="$results" -Dbench.startup.runs=1 -Dbench.startup.warmups=0 -Dbench.startup.classes="$n" \
             -Dbench.startup.spring=false -Dbench.startup.agents=dynamo -jar benchmarks/target/benchmarks.jar startup >/dev/null
    fi
    cp="$apps/object-returns/n$n/app.jar:$apps/lib.jar"
    for r in $(seq "$rounds"); do
        for k in $(seq 0 $((${#variants[@]} - 1))); do
            v=${variants[$(( (k + r) % ${#variants[@]} ))]}
            agent=(); flags=()
            if [ "$v" != none ]; then
                jar=${v#*=}; agent=("-javaagent:${jar%%@*}")
                [[ $jar == *@* ]] && flags=(${jar#*@})
            fi
            start=$(date +%s%N)
            java -Xms64m -Xmx256m ${flags[@]+"${flags[@]}"} ${agent[@]+"${agent[@]}"} -cp "$cp" bench.app.StartupApp >/dev/null
            echo "$n $r ${v%%=*} $(( ($(date +%s%N) - start) / 1000000 ))" | tee -a "$log"
        done
    done
done
python3 - "$log" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    n, r, v, ms = line.split()
    runs[(int(n), int(r))][v] = int(ms)
for n in sorted({n for n, _ in runs}):
    kept = [r for (m, r) in runs if m == n and r > 1]
    if not kept:
        print(f"n={n}: no round kept (the first is a warm-up): give at least 2 rounds")
        continue
    for v in sorted({v for (m, _), row in runs.items() if m == n for v in row} - {'none'}):
        added = [runs[(n, r)][v] - runs[(n, r)]['none'] for r in kept]
        print(f"n={n} {v}: added {statistics.median(added)} ms (min-max {min(added)}-{max(added)}), "
              f"no agent {statistics.median(runs[(n, r)]['none'] for r in kept)} ms, rounds {len(kept)}")
PY
