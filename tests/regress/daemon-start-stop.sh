# daemon-start-stop: the daemon starts on the bundled config, logs its
# config summary, reloads on SIGHUP (keeping the old config when the new one
# is bad) and exits 0 on SIGINT and SIGTERM.
. "$TOP/tests/regress/lib.sh"

cp "$TOP/config/pmsignald.json" "$T/pmsignald.json"
mkdir -p "$T/markets" "$T/state"

for sig in INT TERM; do
	# Empty the log first: the background job truncates it only once it
	# runs, and the last round's summary must not pass for this one's.
	: > "$T/log"
	"$PMSIGNALD" run --foreground --config "$T/pmsignald.json" \
	    --state-dir "$T/state" 2> "$T/log" &
	pid=$!
	wait_for 10 grep -q 'feeds, markets' "$T/log" || fail "no config summary: $(cat "$T/log")"
	expect_contains "$T/log" "pmsignald 0.1.0 starting"
	if [ "$sig" = INT ]; then
		printf '{"feeds":[' > "$T/pmsignald.json"	# broken
		kill -HUP "$pid"
		wait_for 10 grep -q 'reload failed' "$T/log" || fail "bad reload not logged"
		expect_contains "$T/log" "reload failed, keeping the running config: $T/pmsignald.json: JSON syntax error"
		cp "$TOP/config/pmsignald.json" "$T/pmsignald.json"
		kill -HUP "$pid"
		wait_for 10 sh -c "[ \$(grep -c 'feeds, markets' '$T/log') -ge 2 ]" ||
			fail "good reload not applied"
	fi
	kill -"$sig" "$pid"
	set +e
	wait "$pid"; rc=$?
	set -e
	[ "$rc" -eq 0 ] || fail "exit status $rc after SIG$sig: $(cat "$T/log")"
	expect_contains "$T/log" "SIG$sig: shutting down"
done

# Under journald, lines carry a <N> priority prefix instead of a timestamp.
JOURNAL_STREAM=8:1234 "$PMSIGNALD" check-config --config "$T/nope.json" 2>/dev/null || true
JOURNAL_STREAM=8:1234 "$PMSIGNALD" run --foreground --config "$T/nope.json" 2> "$T/jlog" || true
grep -q '^<3>' "$T/jlog" || fail "no journald priority prefix: $(cat "$T/jlog")"
