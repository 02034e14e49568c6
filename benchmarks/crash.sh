#!/usr/bin/env bash
# The crash test of issue 6 with a large N: CrashRecoveryIT (itests/) sends CRASH_MESSAGES messages
# from CRASH_CLIENTS concurrent SMTP clients to the built distribution, kill -9's the server JVM
# after a random number of acknowledgements (below CRASH_KILL_WITHIN), restarts it, and checks
# that every message that got "250" is delivered exactly once and none twice. Loopback only.
#
#   benchmarks/crash.sh                       # 20,000 messages, 20 clients, one run
#   CRASH_RUNS=5 CRASH_MESSAGES=50000 benchmarks/crash.sh
#   CRASH_SEED=123 benchmarks/crash.sh        # repeat one run (the seed is printed by every run)
#
# Needs the distribution built (mvn -B -q -DskipTests install). Output: the test's line per run
# ("crash test: seed S, killed after K acks, A attempted, N acknowledged, D delivered").
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
RUNS=${CRASH_RUNS:-1}
for run in $(seq 1 "$RUNS"); do
    args=(-o -q -pl itests verify -Dit.test=CrashRecoveryIT -Dsurefire.failIfNoSpecifiedTests=false
          -Dcrash.messages="${CRASH_MESSAGES:-20000}" -Dcrash.clients="${CRASH_CLIENTS:-20}"
          -Dcrash.killWithin="${CRASH_KILL_WITHIN:-15000}")
    [ -n "${CRASH_SEED:-}" ] && args+=(-Dcrash.seed="$CRASH_SEED")
    (cd "$REPO" && mvn "${args[@]}") || { echo "run $run FAILED (see itests/target/failsafe-reports)" >&2; exit 1; }
    grep -h 'crash test:' "$REPO"/itests/target/failsafe-reports/*CrashRecoveryIT-output.txt | tail -1
done
