# subscribe-slow: a slow reader and a fast reader on the same real daemon,
# with news arriving all the time and small output limits in the config.
# The slow reader stops reading for a while: the daemon drops its deltas,
# and when it reads again it gets gap (from its first missed seq) and a
# fresh snapshot that matches the chain of deltas the fast reader saw, then
# live deltas without a hole.  The fast reader gets every delta, in order,
# byte for byte the same as the slow one got.
. "$TOP/tests/regress/lib.sh"

mkdir -p "$T/state"
# Two markets; the articles push each up and down in turn, so every one
# of them moves a market and the deltas keep coming.
cat > "$T/markets.json" <<'JSON'
{ "markets": [
  { "id": "alpha-deal", "question": "Will the alpha deal be signed?", "kind": "binary",
    "opens": "2020-01-01T00:00:00Z", "prior": 0.5, "half_life": "1h",
    "rules": [ { "name": "signed", "any": "alpha deal signed", "weight": 1.5 },
               { "name": "collapsed", "any": "alpha deal collapsed", "weight": -1.5 } ] },
  { "id": "beta-vote", "question": "Will the beta vote pass?", "kind": "binary",
    "opens": "2020-01-01T00:00:00Z", "prior": 0.5, "half_life": "1h",
    "rules": [ { "name": "passed", "any": "beta vote passed", "weight": 1.5 },
               { "name": "failed", "any": "beta vote failed", "weight": -1.5 } ] } ] }
JSON
printf '%s\t%s\n' \
    "Alpha deal signed after long talks" "The alpha deal signed late at night, negotiators from both sides said in a statement." \
    "Beta vote passed by a wide margin" "The beta vote passed with support from most of the chamber, according to the count." \
    "Alpha deal collapsed over final terms" "The alpha deal collapsed over the final terms, officials told reporters on Friday." \
    "Beta vote failed in a late session" "The beta vote failed after several members changed sides in the late session." \
    > "$T/articles.tsv"
start_feed_server --grow 0.004 --grow-window 150 --grow-articles "$T/articles.tsv" "$T"
cat > "$T/pmsignald.json" <<JSON
{ "socket": "pmsignald.sock", "database": "pmsignald.db",
  "markets": "$T/markets.json",
  "model": { "dedup_window": 0 },
  "subscribers": { "soft_limit": 16384, "soft_seconds": 1, "hard_limit": 131072,
                   "slow_close_seconds": 60 },
  "feeds": [ { "name": "grow", "url": "http://127.0.0.1:$port/grow.xml", "interval": 30 } ] }
JSON
start_daemon 10

start_subscriber fast --no-reconnect
wait_for 10 grep -q '"type":"snapshot"' "$T/fast" || fail "fast reader: no snapshot"

# The slow reader: subscribe, read the snapshot and a few deltas, stop
# reading for 6 s while the news flows, then read everything for 5 s.
python3 - "$SOCK" "$T/slow" <<'PY' || fail "slow reader failed"
import socket, sys, time
# Raw recv, not makefile(): a buffered socket file is unusable after its
# first timeout ("cannot read from timed out object"), and a sanitizer
# build can leave half a second without a line.
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b'{"op":"subscribe"}\n')
out = open(sys.argv[2], "wb")
buf = b""
def next_line(until):
    """The next whole line, or None at EOF or at the monotonic time until."""
    global buf
    while b"\n" not in buf:
        left = until - time.monotonic()
        if left <= 0:
            return None
        s.settimeout(left)
        try:
            chunk = s.recv(65536)
        except (socket.timeout, TimeoutError):
            return None
        if not chunk:
            return None
        buf += chunk
    line, buf = buf.split(b"\n", 1)
    return line + b"\n"
deltas = 0
until = time.monotonic() + 20
while deltas < 3:
    line = next_line(until)
    if line is None:
        sys.exit("slow reader: fewer than 3 deltas in 20 s")
    out.write(line)
    deltas += line.startswith(b'{"type":"delta"')
out.flush()
time.sleep(6)
until = time.monotonic() + 5
while (line := next_line(until)) is not None:
    out.write(line)
out.close()
PY
sleep 1
"$PMSIGNALCTL" --socket "$SOCK" status --json > "$T/status" || fail "status"
stop_daemon || fail "exit status $? after SIGTERM"
wait "$sub" 2>/dev/null || true
subs=""

python3 - "$T/fast" "$T/slow" "$T/status" <<'PY' || fail "slow/fast readers wrong (log: $(grep -i 'client' "$T/log" | tail -n 5))"
import json, sys
def load(path):
    return [(l, json.loads(l)) for l in open(path, encoding="utf-8").read().splitlines()]
fast, slow = load(sys.argv[1]), load(sys.argv[2])
status = json.load(open(sys.argv[3]))

# Fast: hello, snapshot, then every delta in order without a hole, then bye.
ftypes = [m["type"] for _, m in fast if m["type"] != "heartbeat"]
assert ftypes[:2] == ["hello", "snapshot"] and ftypes[-1] == "bye", ftypes[:3] + ftypes[-2:]
assert "gap" not in ftypes, "the fast reader got a gap"
fsnap = fast[1][1]
fd = [(l, m) for l, m in fast if m["type"] == "delta"]
fseqs = [m["seq"] for _, m in fd]
assert fseqs == list(range(fsnap["as_of_seq"] + 1, fsnap["as_of_seq"] + 1 + len(fseqs))), "fast reader missed deltas"
by_seq = {m["seq"]: l for l, m in fd}

# Slow: hello, snapshot, deltas, gap, snapshot, deltas.
msgs = [m for _, m in slow if m["type"] != "heartbeat"]
types = [m["type"] for m in msgs]
assert types[:2] == ["hello", "snapshot"], types[:3]
assert types.count("gap") == 1, "want exactly one gap: %s" % [t for t in types if t != "delta"]
g = types.index("gap")
gap, snap2 = msgs[g], msgs[g + 1]
assert snap2["type"] == "snapshot" and snap2["as_of_seq"] == gap["to"], (gap, snap2)
before = [m["seq"] for m in msgs[2:g]]
after = [m["seq"] for m in msgs[g + 2:] if m["type"] == "delta"]
assert all(t == "delta" for t in types[2:g]), types[2:g]
s1 = msgs[1]["as_of_seq"]
assert before == list(range(s1 + 1, s1 + 1 + len(before))), before
assert gap["from"] == (before[-1] if before else s1) + 1, (gap, before[-1:])
dropped = gap["to"] - gap["from"] + 1
assert dropped > 0, gap
assert after, "no live deltas after the gap"
assert after == list(range(gap["to"] + 1, gap["to"] + 1 + len(after))), after[:5]
# Every delta the slow reader got is the fast reader's, byte for byte.
for l, m in slow:
    if m["type"] == "delta":
        assert by_seq.get(m["seq"]) == l, "seq %d differs" % m["seq"]
# The fresh snapshot is the fast reader's chain at as_of_seq.
chain = {x["id"]: x["p"] for x in fsnap["markets"]}
for _, m in fd:
    if m["seq"] <= snap2["as_of_seq"] and m["cause"] != "close":
        chain[m["market"]] = m["p"]
got = {x["id"]: x["p"] for x in snap2["markets"]}
for k, p in got.items():
    assert abs(chain[k] - p) < 1e-6, (k, chain[k], p)
c = status["counters"]
assert c["slow_consumer_gaps"] >= 1 and c["slow_consumer_closes"] == 0, c
print("subscribe-slow: fast reader %d deltas; slow reader %d before the gap, %d dropped, %d after"
      % (len(fseqs), len(before), dropped, len(after)))
PY
expect_contains "$T/log" "output over its limit"
grep -q 'slow consumer' "$T/log" && fail "the slow reader was closed: $(grep 'slow consumer' "$T/log")"
exit 0
