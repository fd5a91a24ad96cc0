# stop-drain: SIGTERM while transfers are in flight.  The daemon starts no
# new poll, waits (up to 3 s) for the transfers running: one that finishes
# in that time has its articles scored, stored and published before the
# subscribers get bye; one that does not is abandoned with a log line
# naming its feed; the daemon exits 0 within 5 s.
. "$TOP/tests/regress/lib.sh"

mkdir -p "$T/state" "$T/www"
cat > "$T/markets.json" <<'JSON'
{ "markets": [
  { "id": "alpha-deal", "question": "Will the alpha deal be signed?", "kind": "binary",
    "opens": "2020-01-01T00:00:00Z", "prior": 0.5,
    "rules": [ { "name": "signed", "any": "alpha deal signed", "weight": 1.5 } ] } ] }
JSON
for f in late hang; do
	cat > "$T/www/$f.xml" <<XML
<?xml version="1.0"?><rss version="2.0"><channel><title>$f desk</title>
<item><guid>$f-1</guid><title>Alpha deal signed at the $f desk</title>
<description>The alpha deal signed on Friday, the $f desk reports.</description></item>
</channel></rss>
XML
done
start_feed_server "$T/www"
cat > "$T/pmsignald.json" <<JSON
{ "socket": "pmsignald.sock", "database": "pmsignald.db",
  "markets": "$T/markets.json",
  "feeds": [ { "name": "late", "url": "http://127.0.0.1:$port/gate/late.xml", "interval": 30 },
             { "name": "hang", "url": "http://127.0.0.1:$port/gate/hang.xml", "interval": 30 } ] }
JSON
start_daemon 10
start_subscriber sub --no-reconnect
wait_for 10 grep -q '"type":"snapshot"' "$T/sub" || fail "no snapshot"
# Both transfers are in flight: the server holds them at the gate.
wait_for 10 grep -q '^/gate/late.xml' "$T/www/requests.log" || fail "late not polled"
wait_for 10 grep -q '^/gate/hang.xml' "$T/www/requests.log" || fail "hang not polled"

kill -TERM "$pid"
wait_for 5 grep -q 'stopping: 2 transfer(s) in flight, waiting up to 3000 ms' "$T/log" ||
	fail "no wait for the transfers: $(tail -n 5 "$T/log")"
touch "$T/www/late.xml.open"		# late finishes after the SIGTERM
wait_for 5 daemon_gone || fail "no exit within 5 s of SIGTERM: $(tail -n 5 "$T/log")"
rc=0; wait "$pid" || rc=$?
pid=""
[ "$rc" -eq 0 ] || fail "exit status $rc after SIGTERM"
wait "$sub" 2>/dev/null || true
subs=""

# The late article moved the market, was stored, and its delta reached the
# subscriber before bye; the hung feed was abandoned and named.
[ "$(sqlite3 "$T/state/pmsignald.db" "SELECT count(*) FROM articles WHERE guid = 'late-1'")" = 1 ] ||
	fail "late-1 not stored"
[ "$(sqlite3 "$T/state/pmsignald.db" "SELECT count(*) FROM articles WHERE guid = 'hang-1'")" = 0 ] ||
	fail "hang-1 stored"
check_delta_log "$T/state/pmsignald.db" > /dev/null
[ "$(sqlite3 "$T/state/pmsignald.db" "SELECT count(*) FROM deltas WHERE cause = 'article'")" = 1 ] ||
	fail "want one stored article delta: $(sqlite3 "$T/state/pmsignald.db" "SELECT seq, market, cause FROM deltas")"
python3 - "$T/sub" <<'PY' || fail "subscriber: $(cat "$T/sub")"
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
types = [m["type"] for m in msgs if m["type"] != "heartbeat"]
assert types == ["hello", "snapshot", "delta", "bye"], types
d = msgs[[m["type"] for m in msgs].index("delta")]
assert d["article"]["id"] == "late-1" and d["market"] == "alpha-deal" and d["p"] > 0.5, d
assert msgs[-1]["reason"] == "shutdown", msgs[-1]
PY
expect_contains "$T/log" "feed hang: still in flight at the stop deadline: abandoned (http://127.0.0.1:$port/gate/hang.xml)"
expect_contains "$T/log" "1 transfer(s) abandoned"
# No poll started after the signal.
[ "$(grep -c '^/gate/' "$T/www/requests.log")" = 2 ] || fail "polled after SIGTERM: $(cat "$T/www/requests.log")"
exit 0
