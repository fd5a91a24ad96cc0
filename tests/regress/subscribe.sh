# subscribe: real subscribers (pmsignalctl tail) on the real daemon.
# Market filters (ids and globs): each subscriber's snapshot holds only its
# markets and it then receives only their deltas, all of them, in order.
# A subscriber that disconnects and resumes with "since" (all markets, and
# with a filter) gets exactly the deltas it missed, then the live ones,
# with no duplicate at the seam.
. "$TOP/tests/regress/lib.sh"

mkdir -p "$T/www" "$T/state"
# market ID PHRASE: a binary market, open since 2020, prior 0.5.
market() {
	printf '{ "id": "%s", "question": "Will %s?", "kind": "binary", "opens": "2020-01-01T00:00:00Z", "prior": 0.5, "rules": [ { "name": "yes", "any": "%s", "weight": 1.0 } ] }' \
	    "$1" "$1" "$2"
}
printf '{ "markets": [ %s, %s, %s, %s ] }\n' \
    "$(market alpha-deal 'alpha deal signed')" \
    "$(market alpha-vote 'alpha vote passed')" \
    "$(market beta-vote 'beta vote passed')" \
    "$(market gamma-summit 'gamma summit held')" > "$T/markets.json"

# The feed lists every article written so far; add N TEXT appends one.
: > "$T/items"
add() {
	printf '<item><title>%s (%s)</title><link>http://news.test/%s</link><guid>n%s</guid><description>Report %s: the %s, officials said.</description></item>\n' \
	    "$2" "$1" "$1" "$1" "$1" "$2" >> "$T/items"
	{ printf '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://news.test/</link>\n'
	  cat "$T/items"; printf '</channel></rss>\n'; } > "$T/www/feed.xml.tmp"
	mv "$T/www/feed.xml.tmp" "$T/www/feed.xml"
}
n=0
# burst: one article for each market (four deltas).
burst() {
	for text in "alpha deal signed" "alpha vote passed" "beta vote passed" "gamma summit held"; do
		n=$((n + 1)); add "$n" "$text"
	done
}
add 0 "weather service warns of frost"

start_feed_server "$T/www"
cat > "$T/pmsignald.json" <<JSON
{ "socket": "pmsignald.sock", "database": "pmsignald.db", "markets": "$T/markets.json",
  "model": { "dedup_window": 0 },
  "feeds": [ { "name": "local", "url": "http://127.0.0.1:$port/feed.xml", "interval": 30 } ] }
JSON
start_daemon 20

# seqs NAME: the last delta seq in $T/NAME (0 if none).
last_seq() {
	python3 -c 'import json,sys
s = [json.loads(l)["seq"] for l in open(sys.argv[1]) if l.startswith("{\"type\":\"delta\"")]
print(s[-1] if s else 0)' "$T/$1"
}
# caught_up NAME SEQ: NAME has received the delta SEQ.
caught_up() { [ "$(last_seq "$1")" -ge "$2" ]; }

start_subscriber all
start_subscriber alpha --market 'alpha-*'
start_subscriber pair --market beta-vote --market 'gamma-*'
start_subscriber none --market 'nothing-*'
for s in all alpha pair none; do
	wait_for 10 grep -q '"type":"snapshot"' "$T/$s" || fail "$s: no snapshot: $(cat "$T/$s.err")"
done

# Two bursts while everyone listens; the resumer reads the first only.
start_subscriber resumer
resumer=$sub
start_subscriber resumer-alpha --market 'alpha-*'
resumer_alpha=$sub
base=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readlines()[1])["as_of_seq"])' "$T/all")
burst
wait_for 15 caught_up all $((base + 4)) || fail "first burst not published: $(tail -n 3 "$T/log")"
wait_for 15 caught_up resumer $((base + 4)) || fail "first burst not seen"
wait_for 15 sh -c "[ \$(grep -c '\"type\":\"delta\"' '$T/resumer-alpha') = 2 ]" || fail "first burst not seen"
kill "$resumer" "$resumer_alpha"
wait "$resumer" "$resumer_alpha" 2>/dev/null || true
cut1=$(last_seq resumer)
cut2=$(last_seq resumer-alpha)
burst
burst
wait_for 15 caught_up all $((cut1 + 8)) || fail "bursts not published: $(tail -n 3 "$T/log")"

# Resume with since: the missed deltas first, then live ones.
start_subscriber resumed --since "$cut1"
start_subscriber resumed-alpha --since "$cut2" --market 'alpha-*'
wait_for 15 caught_up resumed "$(last_seq all)" || fail "resume did not catch up: $(cat "$T/resumed.err")"
burst
wait_for 15 caught_up all $((cut1 + 12)) || fail "last burst not published"
end=$(last_seq all)
wait_for 15 caught_up resumed "$end" || fail "resumed subscriber missed the live deltas"
sleep 0.5
stop_daemon || fail "exit status $? after SIGTERM"
sleep 0.3

python3 - "$T" "$cut1" "$cut2" <<'PY' || fail "subscriptions wrong"
import json, os, sys
t, cut1, cut2 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def load(name):
    return [json.loads(l) for l in open(os.path.join(t, name))]
def deltas(msgs):
    return [m for m in msgs if m["type"] == "delta"]
every = load("all")
ev = deltas(every)
seqs = [d["seq"] for d in ev]
snap_all = every[1]
assert every[0]["type"] == "hello" and snap_all["type"] == "snapshot"
assert seqs == list(range(snap_all["as_of_seq"] + 1, seqs[-1] + 1)), seqs
assert len(ev) == 16, "want four bursts of four deltas, got %d" % len(ev)
ids = {m["id"] for m in snap_all["markets"]}
assert ids == {"alpha-deal", "alpha-vote", "beta-vote", "gamma-summit"}, ids

# Filters: the snapshot holds only matching markets, then exactly their deltas.
def check(name, want):
    msgs = load(name)
    assert [m["type"] for m in msgs[:2]] == ["hello", "snapshot"], (name, msgs[:2])
    assert {m["id"] for m in msgs[1]["markets"]} == want, (name, msgs[1])
    got = deltas(msgs)
    assert got == [d for d in ev if d["market"] in want], (name, got)
    assert msgs[1]["as_of_seq"] == snap_all["as_of_seq"], name
check("alpha", {"alpha-deal", "alpha-vote"})
check("pair", {"beta-vote", "gamma-summit"})
check("none", set())

# Resumed: exactly what it missed after its last seq, then live; no
# snapshot (a replay), no duplicate, nothing else.
def resumed(name, cut, want, least):
    msgs = load(name)
    types = [m["type"] for m in msgs if m["type"] not in ("heartbeat",)]
    assert types[0] == "hello" and "snapshot" not in types and "gap" not in types, types
    got = deltas(msgs)
    exp = [d for d in ev if d["seq"] > cut and (want is None or d["market"] in want)]
    assert got == exp, (name, [d["seq"] for d in got], [d["seq"] for d in exp])
    assert len(got) == least, (name, len(got))
resumed("resumed", cut1, None, 12)       # bursts 2-4, all markets
resumed("resumed-alpha", cut2, {"alpha-deal", "alpha-vote"}, 6)
# The two halves of the resumer's life add up to the full stream.
first = deltas(load("resumer"))
assert first + deltas(load("resumed")) == [d for d in ev if d["seq"] > first[0]["seq"] - 1], "halves"
print("subscribe: %d deltas; resumed after %d and %d" % (len(ev), cut1, cut2))
PY
exit 0
