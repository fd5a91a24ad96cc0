# disk-full: the daemon's state directory is a small tmpfs (in a private
# mount namespace) that fills up while a feed keeps producing news and a
# subscriber listens.  The failure is logged once with its reason; the
# daemon keeps polling, scoring and publishing from memory, marked
# "persisted":false; a new subscriber resuming from before the last stored
# seq gets the unstored deltas from memory; past retention.max_unpersisted
# polling pauses.  The disk is freed: the daemon writes what it held,
# resumes polling, and in the end the database holds contiguous seqs equal
# to what the subscriber saw, nothing lost, nothing twice.
# Needs root and unshare -m (skipped otherwise).
if [ -z "${PM_DISKFULL_NS:-}" ]; then
	if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
		echo "disk-full: needs root and unshare -m for a private tmpfs, skipped"
		exit 0
	fi
	PM_DISKFULL_NS=1 exec unshare -m sh "$0" "$@"
fi
. "$TOP/tests/regress/lib.sh"

mkdir -p "$T/www" "$T/state"
mount --make-rprivate / 2>/dev/null || true
mount -t tmpfs -o size=4m tmpfs "$T/state" || fail "cannot mount a tmpfs"
start_feed_server --grow 0.1 "$T/www"
# cleanup has stopped the daemon when it runs this.
unmount_state() { sleep 0.2; umount "$T/state" 2>/dev/null; }
cleanup_hooks="unmount_state"
cat > "$T/pmsignald.json" <<JSON
{ "socket": "pmsignald.sock", "database": "pmsignald.db",
  "markets": "$TOP/config/markets/ukraine-live.json",
  "model": { "dedup_window": 0 },
  "retention": { "max_unpersisted": 65536 },
  "feeds": [ { "name": "grow", "url": "http://127.0.0.1:$port/grow.xml", "interval": 30 } ] }
JSON
DB=$T/state/pmsignald.db

start_daemon 10
start_subscriber sub --since 0
wait_for 15 grep -q '"cause":"article"' "$T/sub" || fail "no article delta: $(cat "$T/log")"

# Fill the file system.  sqlite still has room in its WAL for a while;
# the daemon soon fails to commit and carries on from memory.
dd if=/dev/zero of="$T/state/filler" bs=4k 2>/dev/null || true
df -k "$T/state" | awk 'NR == 2 && $4 > 8 { exit 1 }' || fail "tmpfs not full"
wait_for 30 grep -q 'store: cannot write' "$T/log" ||
	fail "no store failure logged: $(tail -n 20 "$T/log")"
expect_contains "$T/log" "store: cannot write (disk full)"
wait_for 15 grep -q '"persisted":false' "$T/sub" ||
	fail "nothing published from memory: $(tail -n 5 "$T/log")"

# status says so; a subscriber resuming from before the last stored seq
# gets the stored deltas, then the ones held in memory, in order.
"$PMSIGNALCTL" --socket "$SOCK" status --json > "$T/status" || fail "status failed"
set -- $(python3 - "$T/status" <<'PY' || fail "status wrong: $(cat "$T/status")"
import json, sys
s = json.load(open(sys.argv[1]))
st = s["store"]
assert st["failing"] is True, st
assert st["unpersisted_deltas"] > 0 and st["unpersisted_bytes"] > 0, st
assert s["seq"] == st["last_stored_seq"] + st["unpersisted_deltas"], (s["seq"], st)
print(st["last_stored_seq"], s["seq"])
PY
)
stored=$1 last=$2
"$PMSIGNALCTL" --socket "$SOCK" tail --json --since $((stored - 2)) \
    --count $((last - stored + 2)) --no-reconnect > "$T/resume" ||
	fail "resume failed"
python3 - "$T/resume" "$stored" "$last" <<'PY' || fail "resume wrong: $(cat "$T/resume")"
import json, sys
d = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{"type":"delta"')]
stored, last = int(sys.argv[2]), int(sys.argv[3])
assert [x["seq"] for x in d] == list(range(stored - 1, last + 1)), [x["seq"] for x in d]
for x in d:
    assert x.get("persisted", True) is (x["seq"] <= stored), x
PY

# Past retention.max_unpersisted (64 KiB here) polling pauses.
wait_for 60 grep -q 'polling and scoring pause' "$T/log" ||
	fail "no pause: $(tail -n 5 "$T/log")"
[ "$(grep -c 'store: cannot write' "$T/log")" = 1 ] ||
	fail "the failure was logged more than once: $(grep 'store:' "$T/log")"
sleep 1
polls=$(wc -l < "$T/www/requests.log")
sleep 2
[ "$(wc -l < "$T/www/requests.log")" = "$polls" ] || fail "still polling while paused"

# The disk recovers: everything held is written, polling resumes.
rm -f "$T/state/filler"
wait_for 30 grep -q 'store: writing again' "$T/log" ||
	fail "no recovery: $(tail -n 10 "$T/log")"
wait_for 10 grep -q 'polling and scoring resume' "$T/log" || fail "no resume"
wait_for 15 sh -c "[ \$(wc -l < '$T/www/requests.log') -gt $polls ]" ||
	fail "polling did not resume"
sleep 2
stop_daemon || fail "daemon did not exit cleanly: $(tail -n 5 "$T/log")"
sleep 0.3
stop_subscribers

stored=$(check_delta_log "$DB")
# Every article delta's article and evidence were stored with it.
orphans=$(sqlite3 "$DB" "SELECT count(*) FROM deltas d WHERE cause = 'article' AND NOT EXISTS (SELECT 1 FROM articles a JOIN evidence e ON e.article = a.id WHERE a.feed = d.article_source AND a.guid = d.article_id AND e.market = d.market)")
[ "$orphans" = 0 ] || fail "$orphans article deltas without their article or evidence"

# What the subscriber saw is exactly what the database holds.
store_matches_subscriber 10 "$stored"
set -- $counts
[ "$3" -ge 5 ] || fail "only $3 deltas published from memory"
# The recovery line names exactly the seqs published from memory.
python3 - "$T/sub" "$T/log" <<'PY' || fail "recovery line wrong: $(grep 'writing again' "$T/log")"
import json, re, sys
held = [json.loads(l)["seq"] for l in open(sys.argv[1])
        if l.startswith('{"type":"delta"') and l.rstrip().endswith(',"persisted":false}')]
assert held == list(range(held[0], held[-1] + 1)), "unpersisted seqs not contiguous"
m = re.search(r"store: writing again: .*\(seqs (\d+)-(\d+)\)", open(sys.argv[2]).read())
assert m and (int(m.group(1)), int(m.group(2))) == (held[0], held[-1]), (held[0], held[-1])
PY
echo "disk-full: $1 deltas seen live, $3 of them from memory, $2 stored"
