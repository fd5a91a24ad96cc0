# retention: deltas older than retention.delta_days are pruned in the
# background at start, as a prefix of the log; a subscriber resuming from
# before what is kept gets gap + snapshot (as_of_seq = the last seq), one
# resuming inside what is kept gets the kept deltas and no gap.
. "$TOP/tests/regress/lib.sh"

mkdir -p "$T/state"
cat > "$T/pmsignald.json" <<JSON
{ "socket": "pmsignald.sock", "database": "pmsignald.db",
  "markets": "$TOP/config/markets/ukraine-live.json",
  "retention": { "article_days": 7, "delta_days": 30 },
  "feeds": [ { "name": "closed", "url": "http://127.0.0.1:9/feed" } ] }
JSON
DB=$T/state/pmsignald.db

# A first run opens the markets: one delta each.
start_daemon
stop_daemon || fail "first run failed"
last=$(sqlite3 "$DB" 'SELECT max(seq) FROM deltas')
[ "$last" -ge 6 ] || fail "only $last deltas"
# The first four become 400 days old.
sqlite3 "$DB" "UPDATE deltas SET ts = ts - 400 * 86400 WHERE seq <= 4"

start_daemon
wait_for 10 sh -c "[ \"\$(sqlite3 '$DB' 'SELECT min(seq) FROM deltas')\" = 5 ]" ||
	fail "old deltas not pruned: min seq $(sqlite3 "$DB" 'SELECT min(seq) FROM deltas')"
[ "$(sqlite3 "$DB" 'SELECT max(seq) FROM deltas')" = "$last" ] || fail "newer deltas pruned"

python3 - "$SOCK" "$last" <<'PY' || fail "resume across retention wrong"
import json, socket, sys
path, last = sys.argv[1], int(sys.argv[2])

def session(since, want):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    f = s.makefile("rw")
    assert json.loads(f.readline())["type"] == "hello"
    f.write(json.dumps({"op": "subscribe", "since": since}) + "\n")
    f.flush()
    got = []
    while len(got) < want:
        m = json.loads(f.readline())
        if m["type"] != "heartbeat":
            got.append(m)
    s.close()
    return got

# since 1: seqs 2..4 are gone: gap from 2 to the last seq, then a snapshot.
gap, snap = session(1, 2)
assert gap == {"type": "gap", "from": 2, "to": last}, gap
assert snap["type"] == "snapshot" and snap["as_of_seq"] == last, snap
assert len(snap["markets"]) >= 6, snap
# since 4: 5.. are kept: replayed in order, no gap.
got = session(4, last - 4)
assert [m["type"] for m in got] == ["delta"] * (last - 4), got
assert [m["seq"] for m in got] == list(range(5, last + 1)), got
PY
stop_daemon || fail "daemon did not exit cleanly"
