# daemon-start-stop: the daemon starts on the bundled config, logs its
# config summary, reloads on SIGHUP (keeping the old config when the new one
# is bad) and exits 0 on SIGINT and SIGTERM.
. "$TOP/tests/regress/lib.sh"

test_config > "$T/pmsignald.json"
mkdir -p "$T/markets" "$T/state"

for sig in INT TERM; do
	# A fresh log per run: the shell truncates "2>" in the child, after
	# wait_for may already have read the previous run's lines.
	LOG=$T/log.$sig
	"$PMSIGNALD" run --foreground --config "$T/pmsignald.json" \
	    --state-dir "$T/state" 2> "$LOG" &
	pid=$!
	wait_for 10 grep -q 'feeds, markets' "$LOG" || fail "no config summary: $(cat "$LOG")"
	expect_contains "$LOG" "pmsignald 0.1.0 starting"
	if [ "$sig" = INT ]; then
		printf '{"feeds":[' > "$T/pmsignald.json"	# broken
		kill -HUP "$pid"
		wait_for 10 grep -q 'reload failed' "$LOG" || fail "bad reload not logged"
		expect_contains "$LOG" "reload failed, keeping the running config and markets: $T/pmsignald.json: JSON syntax error"
		test_config > "$T/pmsignald.json"
		kill -HUP "$pid"
		wait_for 10 sh -c "[ \$(grep -c 'feeds, markets' '$LOG') -ge 2 ]" ||
			fail "good reload not applied"
	fi
	kill -"$sig" "$pid"
	set +e
	wait "$pid"; rc=$?
	set -e
	pid=""
	[ "$rc" -eq 0 ] || fail "exit status $rc after SIG$sig: $(cat "$LOG")"
	expect_contains "$LOG" "SIG$sig: shutting down"
done

# Under journald, lines carry a <N> priority prefix instead of a timestamp.
JOURNAL_STREAM=8:1234 "$PMSIGNALD" check-config --config "$T/nope.json" 2>/dev/null || true
JOURNAL_STREAM=8:1234 "$PMSIGNALD" run --foreground --config "$T/nope.json" 2> "$T/jlog" || true
grep -q '^<3>' "$T/jlog" || fail "no journald priority prefix: $(cat "$T/jlog")"
