# lib.sh: helpers sourced by the end-to-end tests in tests/regress/.
# $BUILD holds the binaries (absolute), $TOP the source tree.
set -eu
: "${BUILD:?}" "${TOP:?}"
PMSIGNALD=$BUILD/pmsignald
PMSIGNALCTL=$BUILD/pmsignalctl
T=$(mktemp -d "${TMPDIR:-/tmp}/pmsignal-regress.XXXXXX")
# The socket of the daemon start_daemon runs ("socket": "pmsignald.sock"
# in a test's config, state directory $T/state).
SOCK=$T/state/pmsignald.sock
cleanup_hooks=""
# The feed server and the daemon a test started (start_feed_server,
# start_daemon), and its subscribers (start_subscriber): "" when none runs.
srv=""; pid=""; subs=""
cleanup() {
	[ -z "$srv$subs" ] || kill $srv $subs 2>/dev/null || true
	[ -z "$pid" ] || kill -9 "$pid" 2>/dev/null || true
	for h in $cleanup_hooks; do $h || true; done
	# Whatever a failed test left running in the background goes too.
	for j in $(jobs -p); do kill -9 "$j" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# wait_for SECONDS COMMAND...: poll every 0.05 s until COMMAND succeeds.
wait_for() {
	_limit=$(( $1 * 20 )); shift
	_i=0
	while ! "$@" 2>/dev/null; do
		_i=$((_i + 1))
		[ "$_i" -ge "$_limit" ] && return 1
		sleep 0.05
	done
	return 0
}

# expect_contains FILE TEXT: FILE must contain TEXT (fixed string).
expect_contains() {
	grep -qF -- "$2" "$1" || { echo "--- $1:"; cat "$1"; fail "$1 lacks '$2'"; }
}

# test_config: the bundled config made fit for a test: the bundled live
# markets by absolute path, and every feed on a closed local port (no test
# reaches the internet).  Its text matches the bundled one otherwise.
test_config() {
	sed -e "s|\"markets\": \"markets/|\"markets\": \"$TOP/config/markets/|" \
	    -e 's|"url": "https\?://[^"]*"|"url": "http://127.0.0.1:9/feed"|' \
	    "$TOP/config/pmsignald.json"
}

# check_delta_log DB: the database passes integrity_check, its stored seqs
# run from 1 without a hole, and no article moved a market twice.  Prints
# the number of stored deltas.
check_delta_log() {
	[ "$(sqlite3 "$1" 'PRAGMA integrity_check')" = ok ] || fail "$1: integrity_check"
	set -- "$1" $(sqlite3 -separator ' ' "$1" 'SELECT min(seq), max(seq), count(*) FROM deltas')
	[ "$2" = 1 ] && [ "$3" = "$4" ] || fail "stored seqs not contiguous: min $2 max $3 count $4"
	_dups=$(sqlite3 "$1" "SELECT count(*) FROM (SELECT article_source, article_id, market FROM deltas WHERE cause = 'article' GROUP BY article_source, article_id, market HAVING count(*) > 1)")
	[ "$_dups" = 0 ] || fail "$_dups articles scored twice"
	echo "$4"
}

# start_feed_server [OPTION...] DIR: serve DIR with helpers/feed-server.py
# (OPTIONs as it takes them, e.g. --grow 0.1) and wait until it listens.
# Sets $srv (its pid, stopped by cleanup) and $port.
start_feed_server() {
	python3 "$TOP/tests/regress/helpers/feed-server.py" "$@" "$T/port" &
	srv=$!
	wait_for 10 test -s "$T/port" || fail "feed server did not start"
	port=$(cat "$T/port")
}

# stop_feed_server: stop the feed server start_feed_server started.
stop_feed_server() {
	kill "$srv"
	wait "$srv" 2>/dev/null || true
	srv=""
}

# start_daemon [UNIT_MS]: run pmsignald in the foreground on
# $T/pmsignald.json with its state in $T/state, stderr appended to $T/log,
# and wait until it listens on $SOCK.  UNIT_MS, when given, is one
# scheduling second in ms (PMSIGNALD_POLL_TIME_UNIT_MS), so that polls come
# fast.  Sets $pid (killed with SIGKILL by cleanup while it is set).
start_daemon() {
	env ${1:+PMSIGNALD_POLL_TIME_UNIT_MS=$1} "$PMSIGNALD" run --foreground \
	    --config "$T/pmsignald.json" --state-dir "$T/state" 2>> "$T/log" &
	pid=$!
	# Answering, not only a socket file: one a killed daemon left behind
	# is there at once.
	wait_for 10 daemon_answers || fail "no socket: $(tail -n 30 "$T/log")"
}

# daemon_answers: the daemon $pid runs and answers a status request.
daemon_answers() {
	kill -0 "$pid" 2>/dev/null &&
	    "$PMSIGNALCTL" --socket "$SOCK" status > /dev/null 2>&1
}

# stop_daemon [SECONDS]: SIGTERM to the daemon start_daemon started; wait
# for it to exit and return its exit status (the caller says whether
# non-zero fails).  With SECONDS, the test fails unless it is gone by then.
stop_daemon() {
	kill -TERM "$pid"
	if [ -n "${1:-}" ]; then
		wait_for "$1" daemon_gone || fail "no exit in $1 s after SIGTERM"
	fi
	_rc=0
	wait "$pid" || _rc=$?
	pid=""
	return "$_rc"
}

# daemon_gone: the daemon $pid has exited.
daemon_gone() { ! kill -0 "$pid" 2>/dev/null; }

# start_subscriber NAME [TAIL-OPTION...]: a real subscriber (pmsignalctl
# tail --json) on $SOCK writing to $T/NAME, its errors to $T/NAME.err.
# Its pid is $sub; it is added to $subs, which cleanup stops.
start_subscriber() {
	_name=$1; shift
	"$PMSIGNALCTL" --socket "$SOCK" tail --json "$@" > "$T/$_name" 2> "$T/$_name.err" &
	sub=$!
	subs="$subs $sub"
}

# store_matches_subscriber UNIT_MS STORED: run the daemon again (start_daemon
# UNIT_MS), replay the STORED deltas its database holds into $T/replay and
# stop it; the test fails unless the subscriber's $T/sub holds exactly
# those deltas (helpers/same-deltas.py).  Sets $counts to what that prints:
# "RECEIVED STORED UNPERSISTED".
store_matches_subscriber() {
	start_daemon "$1"
	"$PMSIGNALCTL" --socket "$SOCK" tail --json --since 0 --count "$2" \
	    --no-reconnect > "$T/replay" || fail "replay failed"
	stop_daemon || true
	counts=$(python3 "$TOP/tests/regress/helpers/same-deltas.py" "$T/sub" "$T/replay") ||
		fail "subscriber and store disagree"
}

# stop_subscribers: stop every subscriber start_subscriber started.
stop_subscribers() {
	[ -z "$subs" ] || kill $subs 2>/dev/null || true
	subs=""
}
