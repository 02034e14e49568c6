#!/usr/bin/env bash
# Foundation figures of the built distribution: archive size, time from start to a listening
# port (first boot and warm restart), and idle memory. Loopback only; bounded in time.
#
#   mvn -B -q -DskipTests install && benchmarks/foundation.sh
#
# Prints one RESULT line per figure (the format of ../shared/bench).
set -euo pipefail
cd "$(dirname "$0")/.."
archive=$(ls karaf-distribution/target/postwerk-distribution-*.tar.gz | head -n 1)
port=${PROBE_PORT:-2599}
work=$(mktemp -d /tmp/postwerk-foundation.XXXXXX)
trap 'if [[ -n "${pid:-}" ]]; then kill "$pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
if [[ -z "${JAVA_HOME:-}" ]]; then
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"; export JAVA_HOME
fi
tar xzf "$archive" -C "$work"
home=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n 1)
echo "RESULT size archive_mb=$(du -m "$archive" | cut -f1) unpacked_mb=$(du -sm "$home" | cut -f1)"

listening() { python3 - "$port" <<'PY'
import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
    s.settimeout(2)
    ok = s.recv(100).startswith(b"* OK")
    s.close()
    sys.exit(0 if ok else 1)
except OSError:
    sys.exit(1)
PY
}

boot() { # $1 = label
  local start end
  start=$(date +%s%N)
  "$home/bin/karaf" server > "$work/$1.out" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    if listening; then break; fi
    sleep 0.05
  done
  end=$(date +%s%N)
  listening || { echo "server did not listen within 30 s"; exit 1; }
  echo "RESULT start kind=$1 to_listening_s=$(awk "BEGIN{printf \"%.2f\", ($end-$start)/1e9}")"
}

stop() {
  local java_pid
  java_pid=$(pgrep -f "karaf.base=$home" | grep -v "^$pid\$" | head -n 1 || true)
  kill "$pid" 2>/dev/null || true
  [[ -n "$java_pid" ]] && kill "$java_pid" 2>/dev/null || true
  for _ in $(seq 1 200); do pgrep -f "karaf.base=$home" >/dev/null || break; sleep 0.1; done
  pid=
}

boot first
sleep "${IDLE_SETTLE_S:-20}"
java_pid=$(pgrep -f "karaf.base=$home" | while read -r p; do if grep -q java "/proc/$p/comm" 2>/dev/null; then echo "$p"; fi; done | head -n 1)
rss_kb=$(awk '/VmRSS/{print $2}' "/proc/$java_pid/status")
echo "RESULT idle rss_mb=$((rss_kb / 1024)) threads=$(ls "/proc/$java_pid/task" | wc -l)"
stop
boot warm
stop
