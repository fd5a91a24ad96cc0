# bad-database: a database the daemon cannot use is refused at start with
# one clear line naming the file, and the daemon exits 1 at once (no
# socket, no crash later): not an sqlite file, a damaged page in a real
# database, a schema from a newer pmsignald, and a read-only file system
# (root: a read-only bind mount in a private mount namespace; otherwise a
# read-only file and directory).
if [ -z "${PM_BADDB_NS:-}" ] && [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	PM_BADDB_NS=1 exec unshare -m sh "$0" "$@"
fi
. "$TOP/tests/regress/lib.sh"

mkdir -p "$T/state" "$T/db"
DB=$T/db/pmsignald.db
cat > "$T/pmsignald.json" <<JSON
{ "socket": "pmsignald.sock", "database": "$DB",
  "markets": "$TOP/config/markets/ukraine-live.json",
  "feeds": [ { "name": "closed", "url": "http://127.0.0.1:9/feed" } ] }
JSON

# refused WHY: the daemon must exit 1 quickly with WHY on stderr.
refused() {
	set +e
	timeout 20 "$PMSIGNALD" run --foreground --config "$T/pmsignald.json" \
	    --state-dir "$T/state" 2> "$T/err"
	rc=$?
	set -e
	[ "$rc" = 1 ] || fail "exit status $rc, not 1, for $1: $(cat "$T/err")"
	expect_contains "$T/err" "$DB: $1"
	[ ! -e "$T/state/pmsignald.sock" ] || fail "socket created for $1"
	grep -q -i "sanitizer\|segmentation\|abort" "$T/err" && fail "crash: $(cat "$T/err")"
	return 0
}

# A healthy database first (markets opened: deltas, state, a session).
start_daemon
stop_daemon || fail "first run failed: $(cat "$T/log")"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM deltas')" -gt 0 ] || fail "no deltas"
cp "$DB" "$T/good.db"

# Not a database at all.
printf 'pmsignald keeps its state in sqlite; this is a text file\n' > "$DB"
refused "not an sqlite database, or a damaged one"

# A real database with one page overwritten (not the header): found by
# the start-up check, which reads every page.
cp "$T/good.db" "$DB"
pages=$(sqlite3 "$DB" 'PRAGMA page_count')
[ "$pages" -ge 4 ] || fail "database too small to damage ($pages pages)"
python3 - "$DB" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(4096 * 2)            # page 3: a table or index page, not the header
    f.write(bytes([0xa5]) * 4096)
PY
refused "damaged ("

# A newer schema.
cp "$T/good.db" "$DB"
sqlite3 "$DB" 'PRAGMA user_version = 99'
refused "schema version 99 is newer than this pmsignald supports"

# Read-only: the good file on a read-only file system (or read-only modes).
cp "$T/good.db" "$DB"
if [ -n "${PM_BADDB_NS:-}" ]; then
	mount --bind "$T/db" "$T/db" && mount -o remount,bind,ro "$T/db" ||
		fail "cannot make a read-only bind mount"
	refused "cannot write"
	umount "$T/db"
elif [ "$(id -u)" != 0 ]; then
	chmod 0444 "$DB"; chmod 0555 "$T/db"
	refused "cannot write"
	chmod 0755 "$T/db"; chmod 0644 "$DB"
else
	echo "bad-database: read-only case skipped (root without unshare -m)"
fi

# And the untouched copy still works.
cp "$T/good.db" "$DB"
start_daemon
stop_daemon || fail "good copy run failed"
