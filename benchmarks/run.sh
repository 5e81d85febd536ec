#!/usr/bin/env bash
# Builds the API, the agent and the benchmarks (Maven profile `benchmarks`, which the README's test
# command leaves out), runs every benchmark (about 45 minutes on two cores) and writes the tables into
# docs/benchmarks.md. Extra arguments go to the JVM that drives the runs,
# e.g. benchmarks/run.sh -Dbench.percall.forks=1 -Dbench.startup.runs=9
set -euo pipefail
cd "$(dirname "$0")/.."
# The web-load part loads a Spring Boot service with wrk, from Debian's packages.
command -v wrk >/dev/null || apt-get install -y -q wrk || { echo "the web-load benchmark needs wrk: apt-get install wrk" >&2; exit 1; }
mvn -B -ntp -q -Pbenchmarks -pl benchmarks -am package -DskipTests
java "$@" -jar benchmarks/target/benchmarks.jar all
java -jar benchmarks/target/benchmarks.jar report --into docs/benchmarks.md
