# lib.sh: helpers sourced by the end-to-end tests in tests/regress/.
# $BUILD holds the binaries (absolute), $TOP the source tree.
set -eu
: "${BUILD:?}" "${TOP:?}"
PMSIGNALD=$BUILD/pmsignald
PMSIGNALCTL=$BUILD/pmsignalctl
T=$(mktemp -d "${TMPDIR:-/tmp}/pmsignal-regress.XXXXXX")
cleanup_hooks=""
cleanup() {
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
