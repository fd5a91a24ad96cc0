# backtest-live: live equals backtest.  The bundled sample is served as five
# RSS feeds by a local HTTP server to the real daemon; a subscriber collects
# every delta from the socket; the daemon's database is exported and
# backtested with the daemon's own config from its start; the backtest
# finds the same deltas (markets, causes, p values, articles, evidence,
# times and order; only seq and session differ).
. "$TOP/tests/regress/lib.sh"

SAMPLE=$TOP/config/backtest/ukraine-2025-sample.jsonl
mkdir -p "$T/www" "$T/state"

# Five feeds, one per source of the sample, newest item first.
python3 - "$SAMPLE" "$T/www" <<'PY' || fail "cannot write the feeds"
import datetime as dt, email.utils, json, sys
from xml.sax.saxutils import escape
sample, www = sys.argv[1:]
feeds = {}
for line in open(sample, encoding="utf-8"):
    a = json.loads(line)
    feeds.setdefault(a["source"], []).append(a)
for name, arts in feeds.items():
    items = []
    for a in reversed(arts):
        t = dt.datetime.strptime(a["published"], "%Y-%m-%dT%H:%M:%SZ")
        items.append(
            "<item><title>%s</title><link>%s</link><guid isPermaLink=\"false\">%s</guid>"
            "<pubDate>%s</pubDate><description>%s</description></item>" % (
                escape(a["title"]), escape(a["url"]), escape(a["id"]),
                email.utils.format_datetime(t.replace(tzinfo=dt.timezone.utc)),
                escape(a["body"])))
    with open("%s/%s.xml" % (www, name), "w", encoding="utf-8") as f:
        f.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\">"
                "<channel><title>%s</title><link>https://news.example.org/</link>"
                "<description>test</description>%s</channel></rss>\n" % (name, "".join(items)))
PY

# The feed server, on a free loopback port.
python3 - "$T/www" "$T/port" >"$T/http.log" 2>&1 <<'PY' &
import functools, http.server, sys
www, portfile = sys.argv[1:]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=www)
srv = http.server.HTTPServer(("127.0.0.1", 0), handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
PY
http_pid=$!
stop_http() { kill "$http_pid" 2>/dev/null; wait "$http_pid" 2>/dev/null || true; }
cleanup_hooks="$cleanup_hooks stop_http"
wait_for 10 test -s "$T/port" || fail "the feed server did not start"
port=$(cat "$T/port")

cat >"$T/pmsignald.json" <<EOF
{
  "socket": "pmsignald.sock",
  "database": "pmsignald.db",
  "markets": "$TOP/config/markets/ukraine-live.json",
  "feeds": [
    { "name": "wire-east", "url": "http://127.0.0.1:$port/wire-east.xml", "interval": 3600, "credibility": 0.9 },
    { "name": "kyiv-ledger", "url": "http://127.0.0.1:$port/kyiv-ledger.xml", "interval": 3600, "credibility": 0.8 },
    { "name": "euro-desk", "url": "http://127.0.0.1:$port/euro-desk.xml", "interval": 3600, "credibility": 0.85 },
    { "name": "capital-brief", "url": "http://127.0.0.1:$port/capital-brief.xml", "interval": 3600, "credibility": 0.7 },
    { "name": "markets-daily", "url": "http://127.0.0.1:$port/markets-daily.xml", "interval": 3600, "credibility": 0.6 }
  ]
}
EOF

# Time-scaled polling: every feed is first polled within ~1 s, not a minute.
PMSIGNALD_POLL_TIME_UNIT_MS=20 "$PMSIGNALD" run --foreground --config "$T/pmsignald.json" --state-dir "$T/state" \
    2>"$T/daemon.log" </dev/null >/dev/null &
daemon_pid=$!
stop_daemon() { kill "$daemon_pid" 2>/dev/null; wait "$daemon_pid" 2>/dev/null || true; }
cleanup_hooks="$cleanup_hooks stop_daemon"
wait_for 20 test -S "$T/state/pmsignald.sock" || fail "no socket: $(cat "$T/daemon.log")"

# A subscriber from the start of the delta log, live after that.
python3 "$TOP/scripts/subscribe.py" --socket "$T/state/pmsignald.sock" --since 0 \
    --json >"$T/live.ndjson" 2>"$T/sub.log" </dev/null &
sub_pid=$!
stop_sub() { kill "$sub_pid" 2>/dev/null; wait "$sub_pid" 2>/dev/null || true; }
cleanup_hooks="$cleanup_hooks stop_sub"

# Every article stored (each feed is first polled at a random moment of
# its first minute), and every stored delta seen by the subscriber.
db=$T/state/pmsignald.db
stored() {
	[ "$(sqlite3 "file:$db?mode=ro" 'SELECT count(*) FROM articles' 2>/dev/null)" = 110 ]
}
wait_for 90 stored || fail "the daemon did not store the 110 articles: $(tail -n 5 "$T/daemon.log")"
last=$(sqlite3 "file:$db?mode=ro" 'SELECT max(seq) FROM deltas')
[ -n "$last" ] || fail "no deltas stored"
seen() { grep -q "\"type\": \"delta\", \"seq\": $last," "$T/live.ndjson"; }
wait_for 20 seen || fail "the subscriber did not see seq $last"
stop_sub
stop_daemon

"$PMSIGNALD" export --database "$db" >"$T/history.jsonl" || fail "export failed"
from=$(python3 -c 'import json,sys
print(next(json.loads(l)["ts"] for l in open(sys.argv[1]) if "\"delta\"" in l))' "$T/live.ndjson")
until=$(python3 -c 'import json,sys
print([json.loads(l)["ts"] for l in open(sys.argv[1]) if "\"delta\"" in l][-1])' "$T/live.ndjson")
"$PMSIGNALD" backtest --archive "$T/history.jsonl" --config "$T/pmsignald.json" \
    --from "$from" --until "$until" --out "$T/bt" >"$T/bt.stdout" 2>"$T/bt.stderr" ||
	{ cat "$T/bt.stderr"; fail "backtest failed"; }

python3 - "$T/live.ndjson" "$T/bt/deltas.ndjson" <<'PY' || fail "live and backtest differ"
import json, sys
def deltas(path):
    out = []
    for line in open(path):
        o = json.loads(line)
        if o.get("type") == "delta":
            o.pop("seq"); o.pop("session")
            out.append(o)
    return out
live, bt = deltas(sys.argv[1]), deltas(sys.argv[2])
moved = [d for d in live if d["cause"] == "article"]
assert len(moved) >= 10, "too few article deltas to compare: %d" % len(moved)
for i, (a, b) in enumerate(zip(live, bt)):
    assert a == b, "delta %d differs:\n live     %s\n backtest %s" % (i + 1, a, b)
assert len(live) == len(bt), "live %d deltas, backtest %d" % (len(live), len(bt))
print("live equals backtest: %d deltas, %d from articles" % (len(live), len(moved)))
PY
exit 0
