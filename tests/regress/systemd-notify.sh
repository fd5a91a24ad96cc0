# systemd-notify: under a test-made NOTIFY_SOCKET the daemon sends READY=1
# with a STATUS= summary, WATCHDOG=1 at half of WATCHDOG_USEC (only when
# WATCHDOG_PID is its own), RELOADING=1 with MONOTONIC_USEC then READY=1 on
# SIGHUP (good and bad config alike), and STOPPING=1 on SIGTERM, exiting 0
# within 5 s.
. "$TOP/tests/regress/lib.sh"

test_config > "$T/pmsignald.json"
mkdir -p "$T/state"
NLOG=$T/notify.log

python3 "$TOP/tests/regress/notify-sink.py" "$T/notify.sock" "$NLOG" &
sink=$!
stop_sink() { kill "$sink" 2>/dev/null; wait "$sink" 2>/dev/null; }
cleanup_hooks="stop_sink"
wait_for 10 grep -q SINK=ready "$NLOG" || fail "notify sink did not start"

# count FIELD: how many notifications carry FIELD (e.g. READY=1).
count() {
	awk -F '\t' -v f="$1" '{ for (i = 2; i <= NF; i++) if ($i == f) n++ }
	    END { print n + 0 }' "$NLOG"
}

# start_notified WATCHDOG_PID_MODE: "self" makes WATCHDOG_PID the daemon's own
# pid (exec keeps the shell's), "other" names pid 1.  Logs to a fresh $LOG.
run=0
start_notified() {
	run=$((run + 1))
	LOG=$T/log.$run
	NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=400000 \
	    CONFIG=$T/pmsignald.json STATE=$T/state MODE=$1 PMSIGNALD=$PMSIGNALD \
	    sh -c 'if [ "$MODE" = self ]; then WATCHDOG_PID=$$; else WATCHDOG_PID=1; fi
	        export WATCHDOG_PID
	        exec "$PMSIGNALD" run --foreground --config "$CONFIG" --state-dir "$STATE"' \
	    2> "$LOG" &
	pid=$!
}

# --- watchdog meant for us: READY, pings every ~200 ms, reload, stop.
start_notified self
wait_for 10 grep -q 'READY=1' "$NLOG" || fail "no READY=1: $(cat "$LOG")"
grep 'READY=1' "$NLOG" | grep -Eq 'STATUS=8 feeds \(0 failing\), 10 markets, 0 subscribers, [0-9]+ deltas, last delta [0-9T:Z-]+' ||
	fail "READY=1 without the STATUS summary: $(cat "$NLOG")"
expect_contains "$LOG" "notify: watchdog every 200 ms (WATCHDOG_USEC 400000)"
sleep 2.2

# Pings after READY: at half of 400 ms, so about 5 a second and never a gap
# near the 400 ms deadline.
awk -F '\t' '
	$2 == "READY=1" && !ready { ready = $1; next }
	ready && $2 == "WATCHDOG=1" {
		if (last && $1 - last > gap) gap = $1 - last
		if (!first) first = $1
		last = $1; n++
	}
	END {
		if (n < 2) { print "only " n " pings"; exit 1 }
		rate = (n - 1) / (last - first)
		printf "pings %d, rate %.2f/s, worst gap %.3f s\n", n, rate, gap
		if (n < 8 || rate < 4.0 || rate > 6.0 || gap > 0.35) exit 1
	}' "$NLOG" > "$T/rate" || fail "watchdog rate wrong: $(cat "$T/rate")"
cat "$T/rate"

kill -HUP "$pid"
wait_for 10 sh -c "[ \$(grep -c 'feeds, markets' '$LOG') -ge 2 ]" || fail "reload not done"
wait_for 5 sh -c "[ \$(awk -F '\t' '\$2 == \"READY=1\"' '$NLOG' | wc -l) -ge 2 ]" ||
	fail "no READY=1 after reload: $(cat "$NLOG")"
# RELOADING=1 carries MONOTONIC_USEC, and READY=1 follows it.
awk -F '\t' '
	$2 == "RELOADING=1" { r = NR; if ($3 !~ /^MONOTONIC_USEC=[0-9]+$/) bad = 1 }
	$2 == "READY=1" && r && NR > r { ok = 1 }
	END { exit !(r && ok && !bad) }' "$NLOG" ||
	fail "RELOADING=1/MONOTONIC_USEC then READY=1 missing: $(cat "$NLOG")"

# A bad config is refused, and the daemon is READY again on the old one.
printf '{"feeds":[' > "$T/pmsignald.json"
kill -HUP "$pid"
wait_for 10 grep -q 'reload failed' "$LOG" || fail "bad reload not logged"
wait_for 5 sh -c "[ \$(awk -F '\t' '\$2 == \"READY=1\"' '$NLOG' | wc -l) -ge 3 ]" ||
	fail "no READY=1 after a refused reload: $(cat "$NLOG")"
[ "$(count RELOADING=1)" -eq 2 ] || fail "expected 2 RELOADING=1: $(cat "$NLOG")"
test_config > "$T/pmsignald.json"

start=$(date +%s)
kill -TERM "$pid"
set +e
wait "$pid"; rc=$?
set -e
pid=""
[ "$rc" -eq 0 ] || fail "exit status $rc after SIGTERM: $(cat "$LOG")"
[ $(( $(date +%s) - start )) -le 5 ] || fail "SIGTERM took more than 5 s"
wait_for 5 grep -q 'STOPPING=1' "$NLOG" || fail "no STOPPING=1: $(cat "$NLOG")"
[ "$(count STOPPING=1)" -eq 1 ] || fail "STOPPING=1 sent $(count STOPPING=1) times"
# STOPPING=1 is the last notification.
tail -n 1 "$NLOG" | grep -q 'STOPPING=1' || fail "notifications after STOPPING=1: $(cat "$NLOG")"

# --- WATCHDOG_PID names another process: no pings at all.
: > "$NLOG"
start_notified other
wait_for 10 grep -q 'READY=1' "$NLOG" || fail "no READY=1 (other pid): $(cat "$LOG")"
sleep 0.8
kill -TERM "$pid"
wait "$pid" || fail "exit status $? (other pid)"
pid=""
[ "$(count WATCHDOG=1)" -eq 0 ] || fail "pinged with WATCHDOG_PID=1: $(cat "$NLOG")"
grep -q 'notify: watchdog' "$LOG" && fail "watchdog enabled for another pid"
[ "$(count STOPPING=1)" -eq 1 ] || fail "no STOPPING=1 (other pid)"

# --- outside systemd: no NOTIFY_SOCKET, nothing sent, nothing logged about it.
: > "$NLOG"
LOG=$T/log.plain
"$PMSIGNALD" run --foreground --config "$T/pmsignald.json" --state-dir "$T/state" 2> "$LOG" &
pid=$!
wait_for 10 grep -q 'feeds, markets' "$LOG" || fail "no start without NOTIFY_SOCKET"
kill -TERM "$pid"
wait "$pid" || fail "exit status $? without NOTIFY_SOCKET"
pid=""
[ ! -s "$NLOG" ] || fail "notifications without NOTIFY_SOCKET: $(cat "$NLOG")"
grep -q 'notify' "$LOG" && fail "notify log lines outside systemd: $(cat "$LOG")"
exit 0
