#!/usr/bin/env bash
# Where the main thread's CPU goes when the agent starts with a generated start-up application of N annotated
# classes (docs/benchmarks.md, "Start-up on real applications"): async-profiler (cpu, 100 µs) over RUNS whole
# processes, the main thread's samples only, split into premain, the transformer and the rest, then the
# transformer's weaving split by the weaver's own steps. Shares, not times: they hold on a busy machine too.
# Needs a build of the benchmarks profile and the applications of a start-up run (startup-rounds.sh makes them):
#   benchmarks/profile-startup.sh [N [RUNS [stacks.txt]]]     e.g. benchmarks/profile-startup.sh 100 5
# The third argument keeps the collapsed stacks (flame-graph input) in that file.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100}; runs=${2:-5}
results=${BENCH_RESULTS:-benchmarks/target/results}
agent=$PWD/benchmarks/target/agents/dynamo-agent.jar
apps=$results/startup-apps
[ -f "$apps/object-returns/n$n/app.jar" ] || { echo "no application of $n classes in $apps: run benchmarks/startup-rounds.sh 1 $n first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mvn -B -ntp -q dependency:copy -Dartifact=tools.profiler:async-profiler:4.1:jar:linux-x64 -DoutputDirectory="$work" > /dev/null
(cd "$work" && unzip -q async-profiler-4.1-linux-x64.jar linux-x64/libasyncProfiler.so)
for r in $(seq "$runs"); do
    java -agentpath:"$work/linux-x64/libasyncProfiler.so=start,event=cpu,interval=100us,threads,file=$work/p$r.txt,collapsed" \
         -Xms64m -Xmx256m -javaagent:"$agent" -cp "$apps/object-returns/n$n/app.jar:$apps/lib.jar" bench.app.StartupApp > /dev/null
done
cat "$work"/p*.txt > "$work/all.txt"
[ -n "${3:-}" ] && cp "$work/all.txt" "$3"
python3 - "$work/all.txt" "$n" "$runs" <<'PY'
import collections, sys
main = collections.Counter(); weave = collections.Counter()
for line in open(sys.argv[1]):
    stack, _, count = line.rpartition(' ')
    frames, count = stack.split(';'), int(count)
    # The main thread is named DestroyJavaVM by the time the profiler writes its samples.
    if not frames[0].startswith('[DestroyJavaVM'):
        continue
    names = [f.rsplit('/', 1)[-1] for f in frames]
    if 'AgentMain.premain' in names:
        main['premain'] += count
    elif 'EndpointTransformer.transform' in names:
        main['the transformer'] += count
    elif any(f.startswith('dev/dynamo/') for f in frames):
        main['woven calls and other agent code'] += count
    else:
        main['the JVM and the application'] += count
    if 'EndpointWeaver.weave' in names:
        below = names[len(names) - 1 - names[::-1].index('EndpointWeaver.weave') + 1:]
        weave[below[0] if below else 'EndpointWeaver.weave itself'] += count
total = sum(main.values()); woven = sum(weave.values())
print(f"main thread, {sys.argv[2]} annotated classes, {sys.argv[3]} runs: {total} samples")
for k, v in main.most_common():
    print(f"  {100 * v / total:5.1f} %  {k}")
print(f"EndpointWeaver.weave: {woven} samples, by the step it was in")
for k, v in weave.most_common(12):
    print(f"  {100 * v / woven:5.1f} %  {k}")
PY
