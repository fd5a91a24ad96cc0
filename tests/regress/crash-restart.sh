# crash-restart: a feed keeps producing news while the daemon is killed
# with SIGKILL at random moments 20 times and restarted, with a subscriber
# (pmsignalctl tail --json, which resumes with "since") attached all along.
# Afterwards: the database passes integrity_check, stored seqs are
# contiguous, the subscriber saw every stored delta exactly once and with
# the same bytes as the store replays it, and no article was scored twice.
. "$TOP/tests/regress/lib.sh"

KILLS=${CRASH_KILLS:-20}
mkdir -p "$T/www" "$T/state"
python3 "$TOP/tests/regress/helpers/feed-server.py" --grow 0.15 "$T/www" "$T/port" &
srv=$!
pid=""; tailpid=""
stop_all() { kill "$srv" $tailpid 2>/dev/null; [ -z "$pid" ] || kill -9 "$pid" 2>/dev/null; }
cleanup_hooks="stop_all"
wait_for 10 test -s "$T/port" || fail "feed server did not start"
port=$(cat "$T/port")
cat > "$T/pmsignald.json" <<JSON
{ "socket": "pmsignald.sock", "database": "pmsignald.db",
  "markets": "$TOP/config/markets/ukraine-live.json",
  "model": { "dedup_window": 0 },
  "feeds": [ { "name": "grow", "url": "http://127.0.0.1:$port/grow.xml", "interval": 30 } ] }
JSON
SOCK=$T/state/pmsignald.sock

start() {
	PMSIGNALD_POLL_TIME_UNIT_MS=10 "$PMSIGNALD" run --foreground \
	    --config "$T/pmsignald.json" --state-dir "$T/state" 2>> "$T/log" &
	pid=$!
	wait_for 10 test -S "$SOCK" || fail "no socket: $(tail -n 20 "$T/log")"
}

start
"$PMSIGNALCTL" --socket "$SOCK" tail --json --since 0 > "$T/sub" 2> "$T/tail.err" &
tailpid=$!
i=0
while [ $i -lt "$KILLS" ]; do
	i=$((i + 1))
	# 0.3 .. 1.2 s of polling, scoring and publishing, then SIGKILL.
	sleep "0.$(( (i * 7919 + $$) % 10 + 3 ))"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	start
done
sleep 1
kill -TERM "$pid"; wait "$pid" || fail "last run did not exit cleanly"
pid=""
sleep 0.5
kill "$tailpid" 2>/dev/null || true
tailpid=""
kill "$srv"

DB=$T/state/pmsignald.db
stored=$(check_delta_log "$DB")
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM articles')" -gt 20 ] || fail "too few articles"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM deltas WHERE cause = 'article'")" -gt 10 ] ||
	fail "too few article deltas"

# Replay everything the store holds, and compare with what the subscriber got.
start
"$PMSIGNALCTL" --socket "$SOCK" tail --json --since 0 --count "$stored" \
    --no-reconnect > "$T/replay" || fail "replay failed"
kill -TERM "$pid"; wait "$pid" || true; pid=""
counts=$(python3 "$TOP/tests/regress/helpers/same-deltas.py" "$T/sub" "$T/replay") ||
	fail "subscriber and store disagree"
set -- $counts
sessions=$(sqlite3 "$DB" 'SELECT count(DISTINCT session) FROM deltas')
[ "$sessions" -ge $((KILLS / 2)) ] || fail "only $sessions sessions published deltas"
echo "crash-restart: $KILLS kills, $2 deltas stored, $1 received live, $sessions sessions"
