# metrics: with metrics_listen set, GET /metrics answers with Prometheus
# text that a strict parser accepts, with live values (feeds, reloads, loop
# lag); HEAD works, other paths give 404 and other methods 405; a reload
# moves or closes the listener; a busy port stops the start with a clear
# error; non-loopback addresses are refused by check-config.
. "$TOP/tests/regress/lib.sh"

PROM="python3 $TOP/tests/regress/prom-check.py"
mkdir -p "$T/state"

# config LISTEN: the bundled config with metrics_listen LISTEN ("" for none).
config() {
	if [ -n "$1" ]; then
		test_config | sed "s/\"log_level\": \"info\",/\"log_level\": \"info\", \"metrics_listen\": \"$1\",/"
	else
		test_config
	fi > "$T/pmsignald.json.new"
	mv "$T/pmsignald.json.new" "$T/pmsignald.json"
}

# --- The checker itself is strict: each of these must be refused.
bad() {
	printf "$1" > "$T/bad.prom"
	if $PROM check "$T/bad.prom" > /dev/null 2> "$T/bad.err"; then
		fail "prom-check accepted: $1"
	fi
	grep -qF -- "$2" "$T/bad.err" || fail "prom-check said '$(cat "$T/bad.err")', not '$2'"
}
bad 'x_total 1\n' 'without a TYPE'
bad '# TYPE x counter\nx 1\n' 'does not end in _total'
bad '# TYPE x_total counter\nx_total -1\n' 'is -1'
bad '# TYPE g gauge\ng 1\ng 2\n' 'twice'
bad '# TYPE g gauge\ng{a="1"} 1\n# TYPE h gauge\nh 1\ng{a="2"} 1\n' 'not contiguous'
bad '# TYPE g gauge\ng{a=1} 1\n' 'bad label'
bad '# TYPE g gauge\ng one\n' 'bad sample value'
bad '# TYPE g gauge\ng 1' 'newline'
bad '# TYPE g gauge\n# TYPE g gauge\ng 1\n' 'second TYPE'
bad '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n' 'decrease'
bad '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n' '+Inf'
bad '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n' '_count 3 != +Inf bucket 2'

# --- check-config refuses a listener that is not on loopback.
config 0.0.0.0:9464
set +e
"$PMSIGNALD" check-config --config "$T/pmsignald.json" > /dev/null 2> "$T/err"; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "check-config exit $rc for 0.0.0.0"
expect_contains "$T/err" "$T/pmsignald.json: metrics_listen: '0.0.0.0:9464': not a loopback address"

# start LOG: run the daemon on $T/pmsignald.json, logging to LOG.
start() {
	LOG=$1
	"$PMSIGNALD" run --foreground --config "$T/pmsignald.json" \
	    --state-dir "$T/state" 2> "$LOG" &
	pid=$!
	wait_for 10 grep -q 'feeds, markets' "$LOG" || fail "no start: $(cat "$LOG")"
}

# port LOG HOST: the port the last "metrics: listening" line of LOG names.
port() {
	sed -n "s|.*metrics: listening on http://$2:\([0-9]*\)/metrics\$|\1|p" "$1" | tail -n 1
}

# scrape URL OUT: a strict GET /metrics into OUT (canonical sample lines).
scrape() {
	$PROM get "$1" > "$2" 2> "$2.err" || fail "scrape of $1: $(cat "$2.err")"
}

config 127.0.0.1:0
start "$T/log.1"
P=$(port "$T/log.1" 127.0.0.1)
[ -n "$P" ] && [ "$P" -gt 0 ] || fail "no metrics port logged: $(cat "$T/log.1")"
URL=http://127.0.0.1:$P/metrics
scrape "$URL" "$T/m1"
expect_contains "$T/m1" 'pmsignald_build_info{version="0.1.0"} 1'
expect_contains "$T/m1" 'pmsignald_feeds 8'
expect_contains "$T/m1" 'pmsignald_reloads_total{result="ok"} 0'
expect_contains "$T/m1" 'pmsignald_poll_errors_total{kind="timeout"} 0'
expect_contains "$T/m1" 'pmsignald_slow_consumer_events_total{event="close"} 0'
expect_contains "$T/m1" 'pmsignald_loop_lag_seconds_bucket{le="+Inf"}'
[ "$($PROM status HEAD "$URL")" = 200 ] || fail "HEAD /metrics not 200"
[ "$($PROM status GET "http://127.0.0.1:$P/")" = 404 ] || fail "GET / not 404"
[ "$($PROM status POST "$URL")" = 405 ] || fail "POST /metrics not 405"

# Live values: a reload is counted, the loop-lag timer keeps observing.
lag_count() { sed -n 's/^pmsignald_loop_lag_seconds_count //p' "$1"; }
sleep 1.1
kill -HUP "$pid"
wait_for 10 sh -c "[ \$(grep -c 'feeds, markets' '$LOG') -ge 2 ]" || fail "reload not done"
scrape "$URL" "$T/m2"
expect_contains "$T/m2" 'pmsignald_reloads_total{result="ok"} 1'
[ "$(lag_count "$T/m2")" -ge $(( $(lag_count "$T/m1") + 2 )) ] ||
	fail "loop lag count $(lag_count "$T/m1") -> $(lag_count "$T/m2") in 1.1 s"
[ "$(port "$LOG" 127.0.0.1)" = "$P" ] || fail "unchanged metrics_listen moved the port"

# A reload onto another loopback address moves the listener.
config 127.0.0.2:0
kill -HUP "$pid"
wait_for 10 grep -q 'listening on http://127.0.0.2:' "$LOG" || fail "listener not moved: $(cat "$LOG")"
P2=$(port "$LOG" 127.0.0.2)
scrape "http://127.0.0.2:$P2/metrics" "$T/m3"
expect_contains "$T/m3" 'pmsignald_reloads_total{result="ok"} 2'
$PROM status GET "$URL" > /dev/null 2>&1 && fail "old listener $URL still answers"

# A second daemon cannot take the same port: exit 1, reason logged.
start_busy() {
	set +e
	"$PMSIGNALD" run --foreground --config "$T/pmsignald.json" \
	    --state-dir "$T/state" 2> "$T/log.busy"; rc=$?
	set -e
}
config "127.0.0.2:$P2"
start_busy
[ "$rc" -eq 1 ] || fail "busy port: exit $rc, not 1: $(cat "$T/log.busy")"
expect_contains "$T/log.busy" "metrics: cannot listen on 127.0.0.2 port $P2: Address already in use"

# A reload without metrics_listen closes it.
config ""
kill -HUP "$pid"
wait_for 10 grep -q "metrics: listener on 127.0.0.2 port $P2 closed" "$LOG" ||
	fail "listener not closed: $(cat "$LOG")"
$PROM status GET "http://127.0.0.2:$P2/metrics" > /dev/null 2>&1 && fail "closed listener still answers"

kill -TERM "$pid"
wait "$pid" || fail "exit status $? after SIGTERM: $(cat "$LOG")"
pid=""
exit 0
