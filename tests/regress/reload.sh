# reload: SIGHUP with subscribers attached.  A good new markets file keeps
# the unchanged markets' state, opens the new ones at their prior (a
# "open" delta, also to a glob subscriber that matched nothing before) and
# closes the removed ones (a final "close" delta); a bad markets file or
# config is refused with one log line naming the file, the JSON path and
# the problem, and nothing changes.  Subscribers stay connected throughout.
# Then SIGTERM with five subscribers: each gets bye "shutdown", exit 0 in 5 s.
. "$TOP/tests/regress/lib.sh"

PROM="python3 $TOP/tests/regress/prom-check.py"
mkdir -p "$T/www" "$T/state"

# market ID PRIOR PHRASE: one binary market, open since 2020.
market() {
	printf '{ "id": "%s", "question": "Will %s?", "kind": "binary", "opens": "2020-01-01T00:00:00Z", "prior": %s, "rules": [ { "name": "r", "any": "%s", "weight": 2.0 } ] }' \
	    "$1" "$1" "$2" "$3"
}
ALPHA=$(market alpha-deal 0.3 "alpha deal (signed|agreed)")
BETA=$(market beta-vote 0.6 "beta vote passed")
GAMMA=$(market gamma-summit 0.45 "gamma summit held")
# markets M...: write $T/markets.json atomically.
markets() {
	_sep=""
	{ printf '{ "markets": ['; for m in "$@"; do printf '%s%s\n' "$_sep" "$m"; _sep=,; done; printf '] }\n'; } \
	    > "$T/markets.json.tmp"
	mv "$T/markets.json.tmp" "$T/markets.json"
}
# feed ITEM...: items are "guid|title"; written atomically.
feed() {
	{ printf '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://news.test/</link>\n'
	  for it in "$@"; do
		printf '<item><title>%s</title><link>http://news.test/%s</link><guid>%s</guid><description>%s.</description></item>\n' \
		    "${it#*|}" "${it%%|*}" "${it%%|*}" "${it#*|}"
	  done
	  printf '</channel></rss>\n'; } > "$T/www/feed.xml.tmp"
	mv "$T/www/feed.xml.tmp" "$T/www/feed.xml"
}

markets "$ALPHA" "$BETA"
feed "w1|Weather service warns of early frost"
start_feed_server "$T/www"

# config INTERVAL MARKETS: write the daemon config atomically.
config() {
	cat > "$T/pmsignald.json.tmp" <<JSON
{ "socket": "pmsignald.sock", "database": "pmsignald.db", "markets": "$2",
  "metrics_listen": "127.0.0.1:0",
  "feeds": [ { "name": "local", "url": "http://127.0.0.1:$port/feed.xml", "interval": $1 } ] }
JSON
	mv "$T/pmsignald.json.tmp" "$T/pmsignald.json"
}
config 30 "$T/markets.json"

start_daemon 20
wait_for 10 grep -q 'feeds\?, markets' "$T/log" || fail "no start: $(cat "$T/log")"
wait_for 10 grep -q 'feed local: 1 new article' "$T/log" || fail "no first poll: $(cat "$T/log")"
MPORT=$(sed -n 's|.*metrics: listening on http://127.0.0.1:\([0-9]*\)/metrics$|\1|p' "$T/log")

# subscribe NAME ARGS...: start_subscriber, then wait for its snapshot.
subscribe() {
	_n=$1
	start_subscriber "$@"
	wait_for 10 grep -qE '"type":"(snapshot|delta)"' "$T/$_n" ||
		fail "$_n: no snapshot nor delta: $(cat "$T/$_n.err")"
}
subscribe all
subscribe gamma --market 'gamma-*'

# seq: the daemon's current seq (status).
seq() {
	"$PMSIGNALCTL" --socket "$SOCK" status --json |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["seq"])'
}
# hup TEXT: SIGHUP, then wait until the log has one more line with TEXT.
hup() {
	printf '%s\n' "$1" > "$T/want"
	_before=$(grep -cFf "$T/want" "$T/log" || true)
	kill -HUP "$pid"
	wait_for 10 sh -c "[ \$(grep -cFf '$T/want' '$T/log') -gt $_before ]" ||
		fail "after SIGHUP, no '$1' in: $(tail -n 5 "$T/log")"
}

# An article moves alpha.
feed "a1|Alpha deal signed in the capital" "w1|Weather service warns of early frost"
wait_for 10 grep -q '"market":"alpha-deal".*"cause":"article"' "$T/all" ||
	fail "no alpha delta: $(cat "$T/all")"
alpha_p=$(python3 -c 'import json,sys
d=[json.loads(l) for l in open(sys.argv[1]) if "\"cause\":\"article\"" in l]
assert d[-1]["p"] > 0.6, d
print(d[-1]["p"])' "$T/all")

# --- A good reload: alpha kept, beta removed, gamma added.
markets "$ALPHA" "$GAMMA"
hup "markets $T/markets.json: 1 kept, 1 added (gamma-summit), 1 removed (beta-vote)"
wait_for 5 grep -q '"cause":"close"' "$T/all" || fail "no close delta: $(cat "$T/all")"
wait_for 5 grep -q '"cause":"open"' "$T/gamma" || fail "glob subscriber got no open: $(cat "$T/gamma")"
"$PMSIGNALCTL" --socket "$SOCK" snapshot --json > "$T/snap1"
python3 - "$T/all" "$T/gamma" "$T/snap1" "$alpha_p" <<'PY' || fail "good reload wrong: $(cat "$T/all" "$T/gamma" "$T/snap1")"
import json, sys
lines = lambda p: [json.loads(l) for l in open(p)]
sub, gam, snap = lines(sys.argv[1]), lines(sys.argv[2]), json.load(open(sys.argv[3]))
alpha_p = float(sys.argv[4])
d = [x for x in sub if x["type"] == "delta"]
art = [x for x in d if x["cause"] == "article"]
rel = d[len(art):]
assert [(x["market"], x["cause"]) for x in d[:len(art)]] == [("alpha-deal", "article")], d
assert sorted((x["market"], x["cause"]) for x in rel) == [
    ("beta-vote", "close"), ("gamma-summit", "open")], rel
op = [x for x in rel if x["cause"] == "open"][0]
assert op["p"] == 0.45 and op["prev"] == 0.45, op
cl = [x for x in rel if x["cause"] == "close"][0]
assert cl["p"] == 0.6 and cl["prev"] == 0.6, cl
gd = [x for x in gam if x["type"] == "delta"]
assert [(x["market"], x["cause"], x["seq"]) for x in gd] == [
    ("gamma-summit", "open", op["seq"])], gam
m = {x["id"]: x["p"] for x in snap["markets"]}
assert m == {"alpha-deal": alpha_p, "gamma-summit": 0.45}, (m, alpha_p)
PY

# The removed market moves no more; the new one does.
feed "a2|Gamma summit held while beta vote passed" \
    "a1|Alpha deal signed in the capital" "w1|Weather service warns of early frost"
wait_for 10 grep -q '"market":"gamma-summit".*"cause":"article"' "$T/gamma" ||
	fail "gamma did not move: $(cat "$T/gamma")"
sleep 0.5
grep '"market":"beta-vote".*"cause":"article"' "$T/all" && fail "removed market moved"

# --- Bad reloads: one line with the reason each, nothing changes.
s0=$(seq)
cp "$T/markets.json" "$T/markets.good"
printf '{ "markets": [ { "id": "alpha-deal" ' > "$T/markets.json"
hup "reload failed, keeping the running config and markets: $T/markets.json: JSON syntax error at line 1, column"
markets "$ALPHA" "$(market 'Gamma Summit' 0.45 'gamma summit held')"
hup "reload failed, keeping the running config and markets: $T/markets.json: markets[1].id: 'Gamma Summit' is not a valid market id"
markets "$ALPHA" "$(market gamma-summit 0.45 '(gamma )?summit')"
hup "reload failed, keeping the running config and markets: $T/markets.json: markets[1].rules[0].any: phrase '(gamma )?summit'"
cp "$T/markets.good" "$T/markets.json"
config 5 "$T/markets.json"
hup "reload failed, keeping the running config and markets: $T/pmsignald.json: feeds[0].interval: must be between 30 and 86400 (got 5)"
config 30 "$T/nowhere.json"
hup "reload failed, keeping the running config and markets: $T/nowhere.json: No such file or directory"
config 30 "$T/markets.json"
[ "$(seq)" = "$s0" ] || fail "a refused reload published deltas: seq $s0 -> $(seq)"
grep -q ' error: ' "$T/log" && fail "a refused reload logged an error: $(cat "$T/log")"
$PROM get "http://127.0.0.1:$MPORT/metrics" > "$T/metrics"
expect_contains "$T/metrics" 'pmsignald_reloads_total{result="ok"} 1'
expect_contains "$T/metrics" 'pmsignald_reloads_total{result="failed"} 5'
expect_contains "$T/metrics" 'pmsignald_markets 2'

# --- Back to alpha + beta: beta reopens at its prior, gamma closes, alpha kept.
markets "$ALPHA" "$BETA"
hup "markets $T/markets.json: 1 kept, 1 added (beta-vote), 1 removed (gamma-summit)"
wait_for 5 grep -q '"market":"gamma-summit".*"cause":"close"' "$T/gamma" ||
	fail "gamma subscriber got no close: $(cat "$T/gamma")"
wait_for 5 grep -q '"market":"beta-vote".*"cause":"open"' "$T/all" ||
	fail "beta not reopened: $(cat "$T/all")"
"$PMSIGNALCTL" --socket "$SOCK" snapshot --json > "$T/snap2"
python3 - "$T/all" "$T/snap2" "$alpha_p" <<'PY' || fail "second reload wrong: $(cat "$T/all" "$T/snap2")"
import json, sys
sub = [json.loads(l) for l in open(sys.argv[1])]
snap = json.load(open(sys.argv[2]))
m = {x["id"]: x["p"] for x in snap["markets"]}
assert m == {"alpha-deal": float(sys.argv[3]), "beta-vote": 0.6}, m
d = [x for x in sub if x["type"] == "delta"]
assert [x["seq"] for x in d] == list(range(d[0]["seq"], d[0]["seq"] + len(d))), d
# Connected all along: one hello, one snapshot, no bye, no gap.
types = [x["type"] for x in sub]
assert types.count("hello") == 1 and types.count("snapshot") == 1, types
assert "bye" not in types and "gap" not in types, types
PY
[ "$(grep -c '"type":"hello"' "$T/gamma")" = 1 ] || fail "gamma subscriber reconnected"

# --- SIGTERM with five subscribers: bye "shutdown" to each, exit 0 in 5 s.
subscribe s3 --no-reconnect
subscribe s4 --no-reconnect --market 'alpha-*'
subscribe s5 --no-reconnect --since 0
stop_daemon 5 || fail "exit status $? after SIGTERM: $(tail -n 5 "$T/log")"
for s in all gamma s3 s4 s5; do
	grep -q '"type":"bye","reason":"shutdown"' "$T/$s" || fail "$s: no bye: $(tail -n 3 "$T/$s")"
done
expect_contains "$T/log" "SIGTERM: shutting down"
expect_contains "$T/log" "stopped"
exit 0
