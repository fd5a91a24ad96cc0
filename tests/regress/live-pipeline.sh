# live-pipeline: the real daemon polls a local feed server, scores new
# articles, stores the deltas and pushes them to a real subscriber
# (pmsignalctl tail --json); conditional GETs are used; after kill -9 and
# a restart nothing is scored twice and the subscriber resumes without a
# gap or a duplicate; SIGTERM sends bye and exits 0.
. "$TOP/tests/regress/lib.sh"

mkdir -p "$T/www" "$T/state"
item() {	# item GUID TITLE BODY
	printf '<item><title>%s</title><link>http://news.test/%s</link><guid>%s</guid><description>%s</description></item>\n' "$2" "$1" "$1" "$3"
}
feed() {	# feed ITEMS...: write the feed atomically
	{ printf '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://news.test/</link>\n'
	  cat; printf '</channel></rss>\n'; } > "$T/www/feed.xml.tmp"
	mv "$T/www/feed.xml.tmp" "$T/www/feed.xml"
}
A1=$(item a1 "Russia and Ukraine agree general ceasefire along the front line" \
	"Negotiators for Russia and Ukraine signed a general ceasefire agreement, officials said. The truce covers the entire front line.")
A2=$(item a2 "Weather service warns of early frost" \
	"Forecasters expect temperatures to fall below zero overnight in the north.")
A3=$(item a3 "Kremlin rules out any ceasefire before talks on territory" \
	"The Kremlin ruled out a ceasefire with Ukraine before talks on territory, a spokesman said in Moscow.")
printf '%s\n%s\n' "$A2" "$A1" | feed

start_feed_server "$T/www"

cat > "$T/pmsignald.json" <<JSON
{ "socket": "pmsignald.sock", "database": "pmsignald.db",
  "markets": "$TOP/config/markets/ukraine-live.json",
  "feeds": [ { "name": "local", "url": "http://127.0.0.1:$port/feed.xml",
               "interval": 30, "credibility": 0.9 } ] }
JSON

start_daemon 20
# --since 0: the first poll may well beat the subscriber to it.
start_subscriber sub --since 0

# The ceasefire article moves the ceasefire market up; the weather one nothing.
wait_for 15 grep -q '"cause":"article".*"id":"a1"' "$T/sub" ||
	fail "no article delta: $(cat "$T/log" "$T/sub")"
python3 - "$T/sub" <<'PY' || fail "first article deltas wrong: $(cat "$T/sub")"
import json, sys
d = [json.loads(l) for l in open(sys.argv[1]) if '"type":"delta"' in l]
art = [x for x in d if x["cause"] == "article"]
assert [x["market"] for x in art] == ["ceasefire-2027q1"], art
assert art[0]["p"] > art[0]["prev"] + 0.1, art[0]
assert art[0]["article"]["source"] == "local"
ev = art[0]["evidence"]
assert ev and all("rule" in e for e in ev), ev
PY

# Conditional GET: later polls carry the ETag and get 304.
wait_for 10 grep -q 'feed.xml inm="' "$T/www/requests.log" || fail "no If-None-Match"

# status shows the feed's health and the market's p.
"$PMSIGNALCTL" --socket "$SOCK" status --json > "$T/status" ||
	fail "status failed"
python3 - "$T/status" <<'PY' || fail "status wrong: $(cat "$T/status")"
import json, sys
s = json.load(open(sys.argv[1]))
f = s["feeds"][0]
assert f["name"] == "local" and f["health"] == "ok" and f["last_success"], f
m = {x["id"]: x for x in s["markets"]}
assert m["ceasefire-2027q1"]["p"] > 0.5, m["ceasefire-2027q1"]
PY

# kill -9, a new article arrives meanwhile, restart: only it is scored.
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
printf '%s\n%s\n%s\n' "$A3" "$A2" "$A1" | feed
start_daemon 20
wait_for 15 grep -q '"id":"a3"' "$T/sub" || fail "no delta for a3 after restart: $(cat "$T/log")"
sleep 1
python3 - "$T/sub" <<'PY' || fail "resume wrong: $(cat "$T/sub")"
import json, sys
d = [json.loads(l) for l in open(sys.argv[1]) if '"type":"delta"' in l]
seqs = [x["seq"] for x in d]
assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs
a1 = [x for x in d if x["cause"] == "article" and x["article"]["id"] == "a1"]
assert len(a1) == 1, a1
a3 = [x for x in d if x["cause"] == "article" and x["article"]["id"] == "a3"]
assert a3 and all(x["p"] < x["prev"] for x in a3 if x["market"].startswith("ceasefire")), a3
assert len({x["session"] for x in d}) == 2, "one session per daemon run"
PY

# SIGTERM: the subscriber gets bye "shutdown", the daemon exits 0 in time.
stop_daemon 5 || fail "exit status $?"
grep -q '"type":"bye","reason":"shutdown"' "$T/sub" || fail "no bye: $(tail -n 3 "$T/sub")"
