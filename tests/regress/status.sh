# status: the real daemon polls good and bad feeds on a local server with
# a subscriber attached.  `pmsignalctl status` shows each feed's health
# (last success, last error, next poll), the markets with their current p,
# the subscribers and the counters as readable tables; GET /metrics moves
# with real polls: polls, 304s, poll errors by kind (HTTP 4xx and 5xx,
# connect, parse for an HTML page and an empty body), articles, deltas and
# the subscribers gauge, and agrees with the status counters.
. "$TOP/tests/regress/lib.sh"

PROM="python3 $TOP/tests/regress/prom-check.py"
mkdir -p "$T/www" "$T/state"
cat > "$T/markets.json" <<'JSON'
{ "markets": [
  { "id": "alpha-deal", "question": "Will the alpha deal be signed?", "kind": "binary",
    "opens": "2020-01-01T00:00:00Z", "prior": 0.3,
    "rules": [ { "name": "signed", "any": "alpha deal (signed|agreed)", "weight": 2.0 } ] },
  { "id": "beta-vote", "question": "Will the beta vote pass?", "kind": "binary",
    "opens": "2020-01-01T00:00:00Z", "prior": 0.6,
    "rules": [ { "name": "passed", "any": "beta vote passed", "weight": 2.0 } ] } ] }
JSON
cat > "$T/www/good.xml" <<'XML'
<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://news.test/</link>
<item><title>Alpha deal signed in the capital</title><link>http://news.test/a1</link><guid>a1</guid><description>The alpha deal signed today.</description></item>
</channel></rss>
XML
printf '<!DOCTYPE html><html><head><title>Home</title></head><body><p>Welcome</p></body></html>\n' > "$T/www/page.html"
: > "$T/www/empty.xml"

start_feed_server "$T/www"
U=http://127.0.0.1:$port
cat > "$T/pmsignald.json" <<JSON
{ "socket": "pmsignald.sock", "database": "pmsignald.db",
  "markets": "$T/markets.json", "metrics_listen": "127.0.0.1:0",
  "feeds": [
    { "name": "good", "url": "$U/good.xml", "interval": 30 },
    { "name": "missing", "url": "$U/missing.xml", "interval": 30 },
    { "name": "broken", "url": "$U/status-500", "interval": 30 },
    { "name": "homepage", "url": "$U/page.html", "interval": 30 },
    { "name": "empty", "url": "$U/empty.xml", "interval": 30 },
    { "name": "refused", "url": "http://127.0.0.1:9/feed.xml", "interval": 30 } ] }
JSON

start_daemon 20
wait_for 10 grep -q 'feeds, markets' "$T/log" || fail "no start: $(cat "$T/log")"
MPORT=$(sed -n 's|.*metrics: listening on http://127.0.0.1:\([0-9]*\)/metrics$|\1|p' "$T/log")
URL=http://127.0.0.1:$MPORT/metrics
start_subscriber sub
wait_for 10 grep -q '"type":"snapshot"' "$T/sub" || fail "no snapshot: $(cat "$T/sub.err")"

# metric FILE NAME: one sample's value from a canonical scrape.
metric() { awk -v n="$2" '$1 == n { print $2 }' "$1"; }

# Wait until every feed has been polled twice and the good one got a 304.
polled() {
	$PROM get "$URL" > "$T/m" 2> /dev/null &&
	    [ "$(metric "$T/m" pmsignald_polls_not_modified_total)" -ge 1 ] &&
	    [ "$(metric "$T/m" 'pmsignald_poll_errors_total{kind="parse"}')" -ge 4 ] &&
	    [ "$(metric "$T/m" 'pmsignald_poll_errors_total{kind="connect"}')" -ge 2 ] &&
	    [ "$(metric "$T/m" 'pmsignald_poll_errors_total{kind="http_4xx"}')" -ge 2 ] &&
	    [ "$(metric "$T/m" 'pmsignald_poll_errors_total{kind="http_5xx"}')" -ge 2 ]
}
wait_for 20 polled || fail "metrics did not move with the polls: $(cat "$T/m")"

# Status, both views, taken right after one scrape.
$PROM get "$URL" > "$T/m1"
"$PMSIGNALCTL" --socket "$SOCK" status --json > "$T/status.json" || fail "status --json"
"$PMSIGNALCTL" --socket "$SOCK" status > "$T/status.txt" || fail "status"

python3 - "$T/m1" "$T/status.json" <<'PY' || fail "metrics wrong: $(cat "$T/m1")"
import json, sys
m = dict(l.rsplit(" ", 1) for l in open(sys.argv[1]).read().splitlines())
v = lambda k: float(m[k])
err = lambda k: v('pmsignald_poll_errors_total{kind="%s"}' % k)
assert v("pmsignald_feeds") == 6
assert v("pmsignald_feeds_failing") == 5, v("pmsignald_feeds_failing")
assert v("pmsignald_articles_total") == 1
assert v("pmsignald_deltas_total") >= 3          # two opens, one article
assert v("pmsignald_last_delta_seq") >= 3
assert v("pmsignald_subscribers") == 1
assert v("pmsignald_subscribers_accepted_total") >= 1
for k in ("dns", "tls", "timeout", "rate_limited", "too_large", "redirect", "other"):
    assert err(k) == 0, k
# Every poll ends one way: parsed, 304 or one error kind.
errors = sum(float(x) for k, x in m.items() if k.startswith("pmsignald_poll_errors_total"))
assert v("pmsignald_polls_total") >= v("pmsignald_polls_not_modified_total") + errors
# status counts from the same counters (a later moment: never fewer).
c = json.load(open(sys.argv[2]))["counters"]
assert c["polls"] >= v("pmsignald_polls_total"), c
assert c["poll_errors"]["parse"] >= err("parse"), c
assert c["articles"] == 1 and c["deltas"] >= 3, c
PY

python3 - "$T/status.json" <<'PY' || fail "status JSON wrong: $(cat "$T/status.json")"
import json, sys
s = json.load(open(sys.argv[1]))
f = {x["name"]: x for x in s["feeds"]}
assert f["good"]["health"] == "ok" and f["good"]["last_error"] is None, f["good"]
assert f["good"]["last_success"] and f["good"]["next_poll"], f["good"]
want = {"missing": "HTTP 404 Not Found", "broken": "HTTP 500 Internal Server Error",
        "homepage": "parse error: not an RSS", "empty": "empty body (HTTP 200)",
        "refused": "127.0.0.1"}
for name, text in want.items():
    x = f[name]
    assert x["health"] == "failing" and x["last_success"] is None, x
    assert text in x["last_error"] and x["last_failure"], x
    assert x["consecutive_failures"] >= 2, x
m = {x["id"]: x for x in s["markets"]}
assert m["alpha-deal"]["p"] > 0.6 and m["beta-vote"]["p"] == 0.6, m
assert s["subscribers"]["clients"] == 2, s["subscribers"]   # tail and us
PY

# The human view: readable tables with what the JSON says.
txt=$T/status.txt
expect_contains "$txt" "feeds: 6 (5 failing)"
grep -Eq '^  FEED +HEALTH +LAST OK +NEXT POLL +POLLS +FAILS +LAST ERROR$' "$txt" ||
	fail "no feed table header: $(cat "$txt")"
grep -Eq '^  good +ok +[0-9]+s ago +(in [0-9]+s|now) +[0-9]+ +0  -$' "$txt" ||
	fail "no line for the good feed: $(cat "$txt")"
grep -Eq '^  missing +failing +never +(in [0-9]+[smh]|now) +[0-9]+ +[0-9]+  [0-9]+s ago: HTTP 404 Not Found$' "$txt" ||
	fail "no line for the 404 feed: $(cat "$txt")"
grep -Eq '^  broken +failing .* HTTP 500 Internal Server Error$' "$txt" || fail "no 500 line: $(cat "$txt")"
grep -Eq '^  homepage +failing .*parse error: not an RSS' "$txt" || fail "no HTML line: $(cat "$txt")"
expect_contains "$txt" "markets: 2"
grep -Eq '^  MARKET +STATUS +P +PRIOR +UPDATED +QUESTION$' "$txt" || fail "no market header: $(cat "$txt")"
p=$(python3 -c 'import json,sys; print("%.1f%%" % (100 * [x for x in json.load(open(sys.argv[1]))["markets"] if x["id"] == "alpha-deal"][0]["p"]))' "$T/status.json")
grep -Eq "^  alpha-deal +open +$p +30\\.0% .* Will the alpha deal be signed\\?$" "$txt" ||
	fail "no alpha line with p $p: $(cat "$txt")"
grep -Eq '^  beta-vote +open +60\.0% +60\.0% ' "$txt" || fail "no beta line: $(cat "$txt")"
grep -Eq '^subscribers: 2 of 1024 on .*pmsignald.sock; published [0-9]+, refused 0, slow-consumer gaps 0, closed 0$' "$txt" ||
	fail "no subscribers line: $(cat "$txt")"
grep -Eq '^polls: [0-9]+ \([1-9][0-9]* not modified\); errors: connect [0-9]+, http_4xx [0-9]+, http_5xx [0-9]+, parse [0-9]+$' "$txt" ||
	fail "no polls line: $(cat "$txt")"
grep -Eq '^articles: 1 \(0 near-duplicates\); deltas: [0-9]+; reloads: 0 \(0 refused\); store: ok$' "$txt" ||
	fail "no counters line: $(cat "$txt")"
grep -q '^feeds: \[' "$txt" && fail "raw JSON in the human view: $(cat "$txt")"

# The subscribers gauge follows a disconnect.
stop_subscribers
wait_for 10 sh -c "$PROM get '$URL' | grep -qx 'pmsignald_subscribers 0'" ||
	fail "subscribers gauge did not drop"

stop_daemon || fail "exit status $? after SIGTERM"
exit 0
