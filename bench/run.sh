#!/usr/bin/env bash
# Builds the jar and runs the benchmarks against its processes (see bench/README.md).
#   bench/run.sh [--jobs 20000] [--seconds 10] [--only drain,submit,bulk,latency]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -ntp -DskipTests package
exec java -cp target/ft-scheduler.jar bench/Bench.java "$@"
