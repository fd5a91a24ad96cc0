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
