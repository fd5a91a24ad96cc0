# crash-restart: a feed keeps producing news while the daemon is killed
# with SIGKILL at random moments 20 times and restarted, with a subscriber
# (pmsignalctl tail --json, which resumes with "since") attached all along.
# Afterwards: the database passes integrity_check, stored seqs are
# contiguous, the subscriber saw every stored delta exactly once and with
# the same bytes as the store replays it, and no article was scored twice.
. "$TOP/tests/regress/lib.sh"

KILLS=${CRASH_KILLS:-20}
mkdir -p "$T/www" "$T/state"
start_feed_server --grow 0.15 "$T/www"
cat > "$T/pmsignald.json" <<JSON
{ "socket": "pmsignald.sock", "database": "pmsignald.db",
  "markets": "$TOP/config/markets/ukraine-live.json",
  "model": { "dedup_window": 0 },
  "feeds": [ { "name": "grow", "url": "http://127.0.0.1:$port/grow.xml", "interval": 30 } ] }
JSON

# The last delta seq the subscriber printed, and the daemon's seq now.
last_seq() {
	grep '^{"type":"delta"' "$T/sub" | tail -n 1 |
	    sed -n 's/^{"type":"delta","seq":\([0-9]*\),.*/\1/p'
}
daemon_seq() {
	"$PMSIGNALCTL" --socket "$SOCK" status --json |
	    python3 -c 'import json, sys; print(json.load(sys.stdin)["seq"])'
}
subscriber_caught_up() {
	_s=$(daemon_seq) && [ "$_s" = "$(last_seq)" ]
}

start_daemon 10
start_subscriber sub --since 0
i=0
while [ $i -lt "$KILLS" ]; do
	i=$((i + 1))
	# 0.3 .. 1.2 s of polling, scoring and publishing, then SIGKILL.
	sleep "0.$(( (i * 7919 + $$) % 10 + 3 ))"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	start_daemon 10
done
sleep 1
# The news stops; the subscriber (its reconnect backoff may have grown to
# seconds while the daemon was down) catches up before the last stop.
stop_feed_server
wait_for 30 subscriber_caught_up ||
	fail "subscriber stuck at seq $(last_seq) of $(daemon_seq): $(tail -n 3 "$T/sub.err")"
stop_daemon || fail "last run did not exit cleanly"
sleep 0.5
stop_subscribers

DB=$T/state/pmsignald.db
stored=$(check_delta_log "$DB")
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM articles')" -gt 20 ] || fail "too few articles"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM deltas WHERE cause = 'article'")" -gt 10 ] ||
	fail "too few article deltas"

# Replay everything the store holds, and compare with what the subscriber got.
store_matches_subscriber 10 "$stored"
set -- $counts
sessions=$(sqlite3 "$DB" 'SELECT count(DISTINCT session) FROM deltas')
[ "$sessions" -ge $((KILLS / 2)) ] || fail "only $sessions sessions published deltas"
echo "crash-restart: $KILLS kills, $2 deltas stored, $1 received live, $sessions sessions"
