#!/usr/bin/env bash
# Builds the API, the agent and the benchmarks (Maven profile `benchmarks`, which the README's test
# command leaves out), runs every benchmark (about 30 minutes on two cores) and writes the tables into
# docs/benchmarks.md. Extra arguments go to the JVM that drives the runs,
# e.g. benchmarks/run.sh -Dbench.percall.forks=1 -Dbench.startup.runs=9
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -Pbenchmarks -pl benchmarks -am package -DskipTests
java "$@" -jar benchmarks/target/benchmarks.jar all
java -jar benchmarks/target/benchmarks.jar report --into docs/benchmarks.md
