#!/usr/bin/env bash
# The kill -9 soak of the test suite (FaultToleranceIT.killNineSoak), longer and bigger:
# an API process and 3 worker processes of the built jar on the embedded MariaDB (or TEST_DB_DSN),
# a worker killed with kill -9 and restarted every 1-2 s, jobs mixing database effects under the
# exactly-once guard and webhooks to a loopback receiver. It prints one line:
#   chaos: jobs=… kills=… attempts_cut_by_kill=… lost=… stuck=… duplicated_effects=… missing_effects=…
#          unreceived_webhooks=… webhooks_sent_again_same_key=…
# and fails if anything was lost, stuck or applied twice.
#
#   bench/chaos.sh [JOBS] [SECONDS]      defaults: 5000 jobs, 300 s of kills
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${1:-5000}"
seconds="${2:-300}"
./mvnw -q -B -ntp -DskipTests package
./mvnw -B -ntp failsafe:integration-test failsafe:verify -Dit.test='FaultToleranceIT#killNineSoak' \
  -Dchaos.jobs="$jobs" -Dchaos.seconds="$seconds" | grep -E 'chaos:|Tests run:|BUILD|FAIL'
