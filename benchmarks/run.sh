#!/usr/bin/env bash
# Postwerk's benchmark harness: the built distribution side by side with the shared bench kit's
# anchors (private Postfix -> Dovecot, smtp-sink, Dovecot POP3), runs interleaved, ratios printed.
#
# Builds nothing: run  mvn -B -q -DskipTests install  first (it makes
# karaf-distribution/target/postwerk-distribution-*.tar.gz).  Once per machine:
# bash ../shared/bench/setup.sh  (postfix, dovecot, iperf3 through apt-get).
#
#   benchmarks/run.sh [TEST...]   TEST: hashcost smtp pop3 logins pop3-sha512 profile-smtp profile-pop3 hold
#                                      (default: hashcost smtp pop3 logins)
#   RUNS=1 SMTP_MSGS=1000 SMTP_BIG_MSGS=200 POP3_SECS=10 LOGIN_SECS=10 benchmarks/run.sh   # quick check
#   RUNS=3 benchmarks/run.sh                                                              # the real run
#
# What it does: copies ../shared/bench to $BENCH (/tmp/bench; the shared copy may be read-only),
# unpacks the distribution into a fresh /tmp/postwerk-bench.XXXXXX, writes the benchmark etc/
# (domain bench.test, users u1..u200 + smtpbench / "pass", plaintext POP3 on loopback, bench
# ports 14025/14110/14101 so other Postwerk instances on the default ports are not disturbed),
# starts bin/karaf server, waits for the ports, starts the anchors it needs (and stops only those
# it started), runs the loads through $BENCH/compare.sh and lib/logins.py, and writes every result
# file and table to benchmarks/results/<time>/.  Everything it started is stopped by PID at the
# end, on error and on Ctrl-C too.  Loopback only; every load is bounded in count and time.
#
# Env: RUNS (3), SMTP_MSGS (20000), SMTP_BIG_MSGS (2000), POP3_SECS (30), LOGIN_SECS (30),
#      LOGIN_CLIENTS (50), BENCH (/tmp/bench), MAILPERF_DIR (/tmp/mailperf),
#      POSTWERK_SMTP_PORT (14025), POSTWERK_POP3_PORT (14110), POSTWERK_SSH_PORT (14101),
#      EXTRA_JAVA_OPTS (empty: Karaf's default JVM flags and the JVM's default heap),
#      KEEP_SCRATCH=1 keeps the unpacked server after the run (default: deleted).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
TESTS=${*:-hashcost smtp pop3 logins}
BENCH=${BENCH:-/tmp/bench}
export MAILPERF_DIR=${MAILPERF_DIR:-/tmp/mailperf}
export POSTWERK_SMTP_PORT=${POSTWERK_SMTP_PORT:-14025}
export POSTWERK_POP3_PORT=${POSTWERK_POP3_PORT:-14110}
SSH_PORT=${POSTWERK_SSH_PORT:-14101}
export POSTWERK_BENCH_LIB=$HERE/lib
RUNS=${RUNS:-3}
LOGIN_SECS=${LOGIN_SECS:-30}; LOGIN_CLIENTS=${LOGIN_CLIENTS:-50}
STAMP=$(date +%Y%m%d-%H%M%S)
OUT=${OUT:-$HERE/results/$STAMP}
mkdir -p "$OUT"
log() { echo "[$(date +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)] $*" | tee -a "$OUT/run.log" >&2; }

archive=$(ls "$REPO"/karaf-distribution/target/postwerk-distribution-*.tar.gz 2>/dev/null | head -n 1 || true)
[ -n "$archive" ] || { echo "no distribution archive: run  mvn -B -q -DskipTests install  first" >&2; exit 1; }
if [ -z "${JAVA_HOME:-}" ]; then
    JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")"); export JAVA_HOME
fi
command -v smtp-source >/dev/null && command -v dovecot >/dev/null \
    || { echo "bench tools missing: bash ../shared/bench/setup.sh" >&2; exit 1; }
if [ ! -f "$BENCH/compare.sh" ]; then
    cp -r "$REPO/../shared/bench" "$BENCH"
fi

port_open() { python3 -c "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(('127.0.0.1', int(sys.argv[1]))))" "$1"; }
for p in "$POSTWERK_SMTP_PORT" "$POSTWERK_POP3_PORT" "$SSH_PORT"; do
    if port_open "$p"; then echo "port $p is in use: set POSTWERK_*_PORT" >&2; exit 1; fi
done

# ---------------------------------------------------------------- clean-up (by PID only)
KARAF_PID=; JAVA_PID=; STARTED_ANCHORS=(); WORK=
cleanup() {
    local rc=$?
    set +e
    for a in "${STARTED_ANCHORS[@]}"; do bash "$BENCH/anchors/$a.sh" stop >/dev/null 2>&1; done
    if [ -n "$JAVA_PID" ] && kill -0 "$JAVA_PID" 2>/dev/null; then
        kill "$JAVA_PID"                       # SIGTERM: Karaf shuts down cleanly
        for _ in $(seq 1 300); do kill -0 "$JAVA_PID" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$JAVA_PID" 2>/dev/null && kill -9 "$JAVA_PID"
    fi
    if [ -n "$KARAF_PID" ] && kill -0 "$KARAF_PID" 2>/dev/null; then
        kill "$KARAF_PID"; sleep 0.5; kill -0 "$KARAF_PID" 2>/dev/null && kill -9 "$KARAF_PID"
    fi
    if [ -n "$WORK" ]; then
        local klog; klog=$(ls "$WORK"/*/data/log/karaf.log 2>/dev/null | head -n 1)
        if [ -n "$klog" ]; then   # the full log is MBs (3 INFO lines per message): keep a summary
            { echo "# lines per level and logger"
              awk -F'|' '{gsub(/^ +| +$/,"",$2); gsub(/^ +| +$/,"",$4); print $2, $4}' "$klog" | sort | uniq -c | sort -rn | head -30
              echo "# WARN/ERROR messages (timestamps and thread cut), most frequent first"
              grep -E '\| (WARN|ERROR) ' "$klog" | cut -d'|' -f2,4,6- | sort | uniq -c | sort -rn | head -30
            } > "$OUT/karaf-log-summary.txt"
            [ "${KEEP_LOGS:-0}" = 1 ] && cp "$klog" "$OUT/karaf.log"
        fi
        [ "${KEEP_SCRATCH:-0}" = 1 ] || rm -rf "$WORK"
    fi
    if [ -d "$OUT" ]; then
        { echo "# Postwerk benchmark $STAMP (tests: $TESTS, RUNS=$RUNS)"; echo
          python3 "$HERE/lib/targets_check.py" "$OUT"
          for f in smtp pop3; do
              [ -f "$OUT/$f-table.md" ] && { echo "### $f: the kit's summarize.py table"; echo; cat "$OUT/$f-table.md"; echo; }
          done
          for f in "$OUT"/profile-*-hotspots.txt; do
              [ -f "$f" ] && { echo "### $(basename "$f" .txt)"; echo; echo '```'; head -60 "$f"; echo '```'; echo; }
          done
        } > "$OUT/summary.md" 2>/dev/null
        echo "summary: $OUT/summary.md"
    fi
    log "stopped everything this script started (exit $rc)"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- unpack and configure
WORK=$(mktemp -d /tmp/postwerk-bench.XXXXXX)
tar xzf "$archive" -C "$WORK"
export POSTWERK_HOME
POSTWERK_HOME=$(find "$WORK" -mindepth 1 -maxdepth 1 -type d | head -n 1)
ETC=$POSTWERK_HOME/etc
log "unpacked $(basename "$archive") into $POSTWERK_HOME"
# which build is measured: the archive's time and checksum, and the repository's HEAD (read-only git)
log "archive built $(date -r "$archive" '+%Y-%m-%d %H:%M:%S'), sha256 $(sha256sum "$archive" | cut -c1-16); repository HEAD $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo n/a), $(git -C "$REPO" status --porcelain 2>/dev/null | grep -vc '^??' || true) modified tracked files (the archive may be older than HEAD)"

# Listeners not measured are removed (a factory configuration without its file has no listener),
# so nothing binds Postwerk's default ports, which other instances on this machine may use.
rm -f "$ETC"/dev.postwerk.smtp-submission.cfg "$ETC"/dev.postwerk.smtp-smtps.cfg \
      "$ETC"/dev.postwerk.pop3-pop3s.cfg "$ETC"/dev.postwerk.transport.probe-diag.cfg
sed -i "s/^sshPort *=.*/sshPort = $SSH_PORT/; s/^sshHost *=.*/sshHost = 127.0.0.1/" "$ETC/org.apache.karaf.shell.cfg"

cat > "$ETC/dev.postwerk.smtp-mx.cfg" <<EOF
# benchmarks/run.sh: the shipped mx listener on a bench port, loopback only. Mail for the local
# domain bench.test is accepted from anyone without AUTH (127.0.0.0/8 is also a trusted network).
name = mx
role = mx
host = 127.0.0.1
port = $POSTWERK_SMTP_PORT
tls = starttls
hostname = bench.postwerk.test
maxConnections = 1000
maxConnectionsPerClient = 200
idleTimeoutSeconds = 300
maxSessionSeconds = 3600
maxMessageSize = 52428800
maxRecipients = 1000
maxErrors = 10
maxCommandLine = 512
maxTextLine = 1000
maxReceivedHeaders = 50
bareLineEnds = reject
trustedNetworks = 127.0.0.0/8, ::1/128
allowAuthWithoutTls = false
vrfy = disabled
etrn = true
EOF
cat > "$ETC/dev.postwerk.pop3-plain.cfg" <<EOF
# benchmarks/run.sh: plain POP3 on a bench port, loopback only, USER/PASS and AUTH PLAIN allowed
# without TLS (as the Dovecot anchor does); 200 connections per client address for the
# 50-client login load (all clients come from 127.0.0.1).
name = pop3
host = 127.0.0.1
port = $POSTWERK_POP3_PORT
tls = starttls
maxConnections = 1000
maxConnectionsPerClient = 200
idleTimeoutSeconds = 600
maxLineLength = 2048
maxErrors = 10
allowPlaintextWithoutTls = true
expire = NEVER
loginDelaySeconds = 0
EOF

# Users: {SHA512-CRYPT} (Dovecot's format, 5000 rounds) is what we write; Postwerk verifies it and
# re-hashes it to its configured scheme at the first successful login (issue 4's migration rule).
# For the SMTP/POP3 comparisons the configured scheme is BLF-CRYPT cost 4 (~0.8 ms per check, about
# SHA512-CRYPT's ~1.2 ms; see the hashcost test), and warm_logins() below performs that one-time
# upgrade before any measurement. The logins test then switches to the shipped Argon2id defaults.
hash=$(python3 -c "import crypt; print(crypt.crypt('pass', '\$6\$benchsalt0123'))" 2>/dev/null \
       || openssl passwd -6 -salt benchsalt0123 pass)
{
    echo "# written by benchmarks/run.sh: domain bench.test, users u1..u200 and smtpbench, password 'pass'"
    echo "domain bench.test"
    for i in $(seq 1 200); do echo "user u$i@bench.test password={SHA512-CRYPT}$hash"; done
    echo "user smtpbench@bench.test password={SHA512-CRYPT}$hash"
} > "$ETC/postwerk-users.conf"
write_auth_cfg() { # $1 = fast | default
    if [ "$1" = fast ]; then
        cat > "$ETC/dev.postwerk.auth.file.cfg.tmp" <<EOF
# benchmarks/run.sh, profile "fast": cheap persistent hashes so POP3 measures POP3, not hashing
file = postwerk-users.conf
recipient.delimiter = +
case.insensitive.local.parts = true
password.scheme = BLF-CRYPT
bcrypt.cost = 4
argon2.memory = 19456
argon2.iterations = 2
argon2.parallelism = 1
scram.iterations = 10000
EOF
    else # the shipped defaults
        cp "$REPO/karaf-distribution/src/main/resources/etc/dev.postwerk.auth.file.cfg" "$ETC/dev.postwerk.auth.file.cfg.tmp"
    fi
    mv "$ETC/dev.postwerk.auth.file.cfg.tmp" "$ETC/dev.postwerk.auth.file.cfg"
}
write_auth_cfg fast
cp "$ETC"/dev.postwerk.*.cfg "$ETC/postwerk-users.conf" "$OUT/" 2>/dev/null || true
mkdir -p "$OUT/etc" && mv "$OUT"/dev.postwerk.*.cfg "$OUT"/postwerk-users.conf "$OUT/etc/"

# ---------------------------------------------------------------- start and wait
greets() { # $1 port, $2 expected greeting prefix
    python3 - "$1" "$2" <<'PY'
import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2); s.settimeout(5)
    ok = s.recv(200).startswith(sys.argv[2].encode()); s.close(); sys.exit(0 if ok else 1)
except OSError:
    sys.exit(1)
PY
}
log "starting $POSTWERK_HOME/bin/karaf server (JAVA_HOME=$JAVA_HOME, EXTRA_JAVA_OPTS='${EXTRA_JAVA_OPTS:-}')"
t0=$(date +%s.%N)
( cd "$POSTWERK_HOME" && exec bin/karaf server ) > "$OUT/karaf.out" 2>&1 &
KARAF_PID=$!
for _ in $(seq 1 300); do
    # the Karaf JVM itself: bin/karaf first runs a short-lived `java -version` of its own,
    # which was once taken for the server ("the server exited" at once)
    JAVA_PID=$(ps -o pid=,args= --ppid "$KARAF_PID" | awk '/org\.apache\.karaf\.main\.Main/ {print $1}' | head -n 1 || true)
    [ -n "$JAVA_PID" ] && break; sleep 0.2
done
[ -n "$JAVA_PID" ] || { log "no java child of bin/karaf ($KARAF_PID)"; exit 1; }
echo "$JAVA_PID" > "$POSTWERK_HOME/bench-java.pid"
for _ in $(seq 1 600); do
    greets "$POSTWERK_SMTP_PORT" 220 && greets "$POSTWERK_POP3_PORT" +OK && break
    kill -0 "$JAVA_PID" 2>/dev/null || { log "the server exited"; exit 1; }
    sleep 0.2
done
greets "$POSTWERK_SMTP_PORT" 220 && greets "$POSTWERK_POP3_PORT" +OK || { log "ports not ready in 120 s"; exit 1; }
log "Postwerk JVM pid $JAVA_PID ready in $(python3 -c "import time; print('%.1f' % (time.time()-$t0))") s: SMTP 127.0.0.1:$POSTWERK_SMTP_PORT, POP3 127.0.0.1:$POSTWERK_POP3_PORT"
tr '\0' ' ' < "/proc/$JAVA_PID/cmdline" > "$OUT/jvm-cmdline.txt"
"$JAVA_HOME/bin/jcmd" "$JAVA_PID" VM.flags > "$OUT/jvm-flags.txt" 2>&1 || true
"$JAVA_HOME/bin/java" -version 2>> "$OUT/jvm-flags.txt" || true

cp "$HERE/targets/postwerk.env" "$BENCH/targets/postwerk.env"

anchor() { # start an anchor unless it already runs; remember the ones we started
    local a=$1 pidf
    pidf=$(bash "$BENCH/anchors/$a.sh" pid 2>/dev/null || true)
    if [ -n "$pidf" ] && kill -0 "$pidf" 2>/dev/null; then log "anchor $a already running (pid $pidf), left as is"; return; fi
    bash "$BENCH/anchors/$a.sh" start | tee -a "$OUT/run.log"
    STARTED_ANCHORS+=("$a")
}

# One POP3 login per user: performs the one-time re-hash (and SCRAM key derivation) that the
# directory does at a user's first login, so no measured run pays for it. $1.. = user numbers
warm_logins() {
    python3 - "$POSTWERK_POP3_PORT" "$@" <<'PY'
import poplib, sys
port = int(sys.argv[1]); bad = []
for i in sys.argv[2:]:
    u = "smtpbench@bench.test" if i == "smtpbench" else "u%s@bench.test" % i
    try:
        p = poplib.POP3("127.0.0.1", port, timeout=60); p.user(u); p.pass_("pass"); p.quit()
    except Exception as e:
        bad.append((u, str(e)))
print("warm logins: %d users, %d failed %s" % (len(sys.argv) - 2, len(bad), bad[:3]))
sys.exit(1 if bad else 0)
PY
}
schemes() { grep -o '{[A-Z0-9-]*}' "$ETC/postwerk-users.conf" | sort | uniq -c | tr '\n' ' '; }

warm_logins $(seq 1 200) smtpbench | tee -a "$OUT/run.log"
sleep 1.5
log "hash schemes in the users file after the warm logins: $(schemes)"

summ() { python3 "$BENCH/lib/summarize.py" "$@"; }

for t in $TESTS; do
case $t in
hashcost)
    # the newest of each in system/ is what the postwerk-auth-file feature installs (bcprov 1.87,
    # commons-codec 1.17.1 today; system/ also holds an older bcprov for other features)
    cp="$(ls "$POSTWERK_HOME"/system/org/bouncycastle/bcprov-jdk18on/*/bcprov-jdk18on-*.jar | sort -V | tail -n 1)"
    cp="$cp:$(ls "$POSTWERK_HOME"/system/commons-codec/commons-codec/*/commons-codec-*.jar | sort -V | tail -n 1)"
    echo "classpath: $cp" | sed "s#$POSTWERK_HOME/##g" >> "$OUT/run.log"
    log "hashcost: one verification per scheme, single thread, the libraries the directory uses"
    "$JAVA_HOME/bin/java" -cp "$cp" "$HERE/lib/HashCost.java" | tee "$OUT/hashcost.txt"
    ;;
smtp)
    anchor dovecot; anchor postfix; anchor smtpsink
    # an interrupted earlier run can leave mail in the Postfix anchor's queue, which would land in
    # the next run's fresh Maildir and inflate its count: empty the anchor's queue first
    bash "$BENCH/anchors/postfix.sh" flushq >/dev/null 2>&1 || true
    log "smtp: compare.sh postfix-dovecot smtp-sink postwerk smtp4k smtp100k (RUNS=$RUNS)"
    RESULTS=$OUT/smtp-results.txt RUNS=$RUNS bash "$BENCH/compare.sh" "postfix-dovecot smtp-sink postwerk" smtp4k smtp100k \
        2>&1 | tee "$OUT/smtp.log"
    summ "$OUT/smtp-results.txt" > "$OUT/smtp-table.md"; summ --long "$OUT/smtp-results.txt" > "$OUT/smtp-table-long.md"
    log "smtp done"
    ;;
pop3)
    anchor dovecot
    log "pop3: seeding u101..u120 of Postwerk over SMTP with the kit's first 50 mbox messages"
    MBOX=$MAILPERF_DIR/bench.mbox
    [ -f "$MBOX" ] || python3 "$BENCH/lib/mbox_gen.py" "$MBOX" --count 500 --seed 42
    python3 "$HERE/lib/seed_smtp.py" 127.0.0.1 "$POSTWERK_SMTP_PORT" "$POSTWERK_HOME/data/mail" "$MBOX" 50 \
        $(for i in $(seq 101 120); do echo "u$i@bench.test"; done) | tee -a "$OUT/run.log"
    log "pop3: compare.sh dovecot postwerk pop3 (RUNS=$RUNS)"
    RESULTS=$OUT/pop3-results.txt RUNS=$RUNS bash "$BENCH/compare.sh" "dovecot postwerk" pop3 2>&1 | tee "$OUT/pop3.log"
    summ "$OUT/pop3-results.txt" > "$OUT/pop3-table.md"; summ --long "$OUT/pop3-results.txt" > "$OUT/pop3-table-long.md"
    log "pop3 done"
    ;;
pop3-sha512)
    # Fairness variant: the kit's Dovecot anchor stores {PLAIN} passwords. This runs a copy of the
    # kit whose Dovecot anchor stores the same {SHA512-CRYPT} hash Postwerk was given (Postwerk
    # keeps bcrypt cost 4 after the warm logins, ~0.77 ms per check vs ~0.92 ms for SHA512-CRYPT).
    B2=${BENCH}-sha512; rm -rf "$B2"; cp -r "$BENCH" "$B2"
    sed -i 's/{PLAIN}pass/{SHA512-CRYPT}${DOVECOT_PASS_HASH}/' "$B2/anchors/dovecot.sh"
    grep -q 'SHA512-CRYPT' "$B2/anchors/dovecot.sh" || { log "could not patch the Dovecot anchor copy"; exit 1; }
    cp "$B2/targets/dovecot.env" "$B2/targets/dovecot-sha512.env"
    export DOVECOT_PASS_HASH=$hash
    dpid=$(bash "$BENCH/anchors/dovecot.sh" pid 2>/dev/null || true)
    if [ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null; then
        if [[ " ${STARTED_ANCHORS[*]} " == *" dovecot "* ]]; then
            bash "$BENCH/anchors/dovecot.sh" stop; sleep 1
        else
            log "a Dovecot anchor this script did not start is running on the same ports: skipping pop3-sha512"; continue
        fi
    fi
    bash "$B2/anchors/dovecot.sh" start | tee -a "$OUT/run.log"
    [[ " ${STARTED_ANCHORS[*]} " == *" dovecot "* ]] || STARTED_ANCHORS+=("dovecot")
    log "pop3-sha512: Dovecot users file now: $(cut -d: -f2 "$MAILPERF_DIR/dovecot/users" | cut -c1-14 | sort | uniq -c | tr '\n' ' ')"
    MBOX=$MAILPERF_DIR/bench.mbox
    [ -f "$MBOX" ] || python3 "$B2/lib/mbox_gen.py" "$MBOX" --count 500 --seed 42
    python3 "$HERE/lib/seed_smtp.py" 127.0.0.1 "$POSTWERK_SMTP_PORT" "$POSTWERK_HOME/data/mail" "$MBOX" 50 \
        $(for i in $(seq 101 120); do echo "u$i@bench.test"; done) | tee -a "$OUT/run.log"
    cp "$HERE/targets/postwerk.env" "$B2/targets/postwerk.env"
    log "pop3-sha512: compare.sh dovecot-sha512 postwerk pop3 (RUNS=$RUNS)"
    RESULTS=$OUT/pop3-sha512-results.txt RUNS=$RUNS bash "$B2/compare.sh" "dovecot-sha512 postwerk" pop3 2>&1 | tee "$OUT/pop3-sha512.log"
    summ "$OUT/pop3-sha512-results.txt" > "$OUT/pop3-sha512-table.md"
    bash "$B2/anchors/dovecot.sh" stop; sleep 1   # back to the kit's own anchor for later tests
    keep=(); for a in "${STARTED_ANCHORS[@]}"; do [ "$a" = dovecot ] || keep+=("$a"); done; STARTED_ANCHORS=("${keep[@]}")
    log "pop3-sha512 done"
    ;;
logins)
    lg() { # $1 label
        local cpu0 cpu1 line
        cpu0=$(python3 "$BENCH/lib/proctree.py" cpu "$JAVA_PID")
        line=$(python3 "$HERE/lib/logins.py" --port "$POSTWERK_POP3_PORT" --clients "$LOGIN_CLIENTS" --secs "$LOGIN_SECS" \
               --users "$LOGIN_CLIENTS" --user-first 1 --mech plain --label "$1")
        cpu1=$(python3 "$BENCH/lib/proctree.py" cpu "$JAVA_PID")
        echo "$line" | grep -v '^RESULT'
        echo "$line" | grep '^RESULT' | sed "s/\$/ cpu_s=$(python3 -c "print('%.2f' % ($cpu1-$cpu0))") load1=$(cut -d' ' -f1 /proc/loadavg)/" \
            | tee -a "$OUT/logins-results.txt"
    }
    for r in $(seq 1 "$RUNS"); do
        log "logins run $r: $LOGIN_CLIENTS clients, AUTH PLAIN over POP3, hash BLF-CRYPT cost 4 (bench profile)"
        lg bcrypt4 | tee -a "$OUT/logins.log"
    done
    log "logins: switching the directory to the shipped defaults (Argon2id m=19456 t=2 p=1), live"
    write_auth_cfg default; sleep 3
    warm_logins $(seq 1 "$LOGIN_CLIENTS") | tee -a "$OUT/run.log"; sleep 1.5
    log "hash schemes after re-hashing u1..u$LOGIN_CLIENTS: $(schemes)"
    for r in $(seq 1 "$RUNS"); do
        log "logins run $r: $LOGIN_CLIENTS clients, AUTH PLAIN over POP3, hash Argon2id (shipped defaults)"
        lg argon2id-default | tee -a "$OUT/logins.log"
    done
    write_auth_cfg fast; sleep 3
    ;;
hold)
    # keeps the benchmark server up for experiments by hand (smtp-source, curl, ...); bounded
    log "hold: server $JAVA_PID up (SMTP $POSTWERK_SMTP_PORT, POP3 $POSTWERK_POP3_PORT) for ${HOLD_SECS:-300} s"
    sleep "${HOLD_SECS:-300}"
    ;;
profile-smtp|profile-pop3)
    # one Postwerk-only run with a JFR recording and three thread dumps taken during it
    kind=${t#profile-}
    if [ "$kind" = pop3 ]; then
        MBOX=$MAILPERF_DIR/bench.mbox
        [ -f "$MBOX" ] || python3 "$BENCH/lib/mbox_gen.py" "$MBOX" --count 500 --seed 42
        python3 "$HERE/lib/seed_smtp.py" 127.0.0.1 "$POSTWERK_SMTP_PORT" "$POSTWERK_HOME/data/mail" "$MBOX" 50 \
            $(for i in $(seq 101 120); do echo "u$i@bench.test"; done)
        test=pop3
    else
        test=smtp4k
    fi
    PROF=${PROFILE_DIR:-/tmp/postwerk-bench-profile-$STAMP}; mkdir -p "$PROF"   # JFR files are MBs: kept out of the repository
    log "$t: JFR recording and thread dumps go to $PROF"
    "$JAVA_HOME/bin/jcmd" "$JAVA_PID" JFR.start name=bench settings=profile filename="$PROF/$kind.jfr" > /dev/null
    ( for i in 1 2 3; do sleep "${DUMP_EVERY:-8}"; "$JAVA_HOME/bin/jcmd" "$JAVA_PID" Thread.print > "$PROF/$kind-threads-$i.txt" 2>&1 || true; done ) &
    dumper=$!
    RESULTS=$OUT/profile-$kind-results.txt RUNS=1 bash "$BENCH/run-all.sh" postwerk "$test" 2>&1 | tee "$OUT/profile-$kind.log"
    wait "$dumper" || true
    "$JAVA_HOME/bin/jcmd" "$JAVA_PID" JFR.stop name=bench > /dev/null
    python3 "$HERE/lib/jfrtop.py" "$JAVA_HOME/bin/jfr" "$PROF/$kind.jfr" | tee "$OUT/profile-$kind-hotspots.txt"
    { echo "# thread states per thread group in $PROF/$kind-threads-*.txt"
      for f in "$PROF/$kind"-threads-*.txt; do
          echo "## $(basename "$f")"
          awk '/^"/{n=$1; gsub(/"/,"",n); gsub(/-?[0-9]+$/,"",n)} /java.lang.Thread.State:/{print n, $2}' "$f" | sort | uniq -c | sort -rn | head -12
      done; } > "$OUT/profile-$kind-threads.txt"
    ;;
*) echo "unknown test $t" >&2 ;;
esac
done
log "results in $OUT"
