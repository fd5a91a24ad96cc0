# abusive-clients: while a feed keeps producing news and a well-behaved
# subscriber (pmsignalctl tail --json) follows the deltas, clients abuse the
# subscriber socket all at once (helpers/abusive-clients.py): 5,000
# connection attempts at once, lines of up to 10 MB without a newline,
# invalid JSON, binary garbage, subscribers that never read, clients that
# vanish mid-write and mid-replay.  Then: every attempt got a clear answer,
# each abuse got the protocol's error and no more, slow consumers were cut
# off, the daemon's peak RSS stayed bounded, it exits cleanly, and the
# subscriber received every delta in order, no gap, no duplicate, byte for
# byte what a --since 0 replay gives.
#
# The daemon runs with a soft RLIMIT_NOFILE of 1024, as from a login shell:
# it must raise it itself to serve its 1024 clients.  The abusing process
# raises its own to open 5,000 sockets (fewer if the hard limit is lower;
# the figures line says how many).
. "$TOP/tests/regress/lib.sh"

ABUSE_SECONDS=${ABUSE_SECONDS:-20}
mkdir -p "$T/www" "$T/state"
start_feed_server --grow 0.1 "$T/www"

# Markets timed from now whose rules the growing feed's five stories
# (helpers/feed-server.py) push both ways, so deltas keep coming.
python3 - "$T" "$port" <<'PY'
import json, sys, time
t, port = sys.argv[1], int(sys.argv[2])
opens = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 86400))
def market(mid, rules):
    return {"id": mid, "question": mid + "?", "kind": "binary", "opens": opens,
            "prior": 0.5, "rules": [{"name": n, "any": p, "weight": w}
                                    for n, p, w in rules]}
json.dump({"markets": [
    market("truce", [("yes", "ceasefire", 0.4), ("no", "(rules|ruled) out", -0.8)]),
    market("guarantee", [("yes", "security guarantee", 0.3), ("no", "frost", -0.3)]),
]}, open(t + "/markets.json", "w"))
json.dump({"socket": "pmsignald.sock", "database": "pmsignald.db",
           "markets": t + "/markets.json", "model": {"dedup_window": 0},
           "subscribers": {"soft_seconds": 2, "slow_close_seconds": 5},
           "feeds": [{"name": "grow", "url": "http://127.0.0.1:%d/grow.xml" % port,
                      "interval": 30}]},
          open(t + "/pmsignald.json", "w"), indent=1)
PY

# The daemon inherits a soft descriptor limit of 1024; the shell's own
# limit is back as it was for everything else.
nofile=$(ulimit -S -n)
ulimit -S -n 1024 2>/dev/null || true
start_daemon 20
ulimit -S -n "$nofile" || fail "cannot restore the descriptor limit $nofile"
start_subscriber sub
wait_for 15 grep -q '"type":"delta"' "$T/sub" || fail "no delta: $(tail -n 20 "$T/log")"

python3 "$TOP/tests/regress/helpers/abusive-clients.py" "$SOCK" "$ABUSE_SECONDS" \
    "$T/abuse.json" > "$T/abuse.out" || fail "abusive-clients.py: $(cat "$T/abuse.out")"
kill -0 "$pid" 2>/dev/null || fail "the daemon died: $(tail -n 20 "$T/log")"

# Stop the news, let the subscriber catch up with the last seq, replay all.
sleep 1
"$PMSIGNALCTL" --socket "$SOCK" status --json > "$T/status.mid" || fail "status failed"
stop_feed_server
sleep 1
"$PMSIGNALCTL" --socket "$SOCK" status --json > "$T/status" || fail "status failed"
seq=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seq"])' "$T/status")
wait_for 10 grep -q "\"seq\":$seq," "$T/sub" || fail "subscriber did not reach seq $seq"
"$PMSIGNALCTL" --socket "$SOCK" tail --json --since 0 --count "$seq" \
    --no-reconnect > "$T/replay" || fail "replay failed"
grep VmHWM "/proc/$pid/status" > "$T/hwm"

stop_daemon || fail "daemon exit status $?: $(tail -n 20 "$T/log")"
sleep 0.3
stop_subscribers

case "$BUILD" in
*/asan*) limit_kb=$((1024 * 1024)) ;;
*) limit_kb=$((256 * 1024)) ;;
esac
python3 - "$T" "$limit_kb" <<'PY' || fail "abusive clients: see above"
import json, re, sys
t, limit_kb = sys.argv[1], int(sys.argv[2])
problems = []
def check(cond, msg):
    if not cond:
        problems.append(msg)
ab = json.load(open(t + "/abuse.json"))
for p in ab["problems"]:
    problems.append("abuser: " + p)
n = ab["flood_attempts"]
# Every attempt got its answer: hello, or too_many_clients.
check(ab["flood_unconnected"] == 0 and ab["flood_unanswered"] == 0 and
      ab["flood_hello"] + ab["flood_refused"] == n, "flood: %s" % ab)
# Up to max_clients (1024, or fewer if the hard descriptor limit is low)
# got in; the other abusers hold some 50 connections meanwhile.
cap = json.load(open(t + "/status"))["subscribers"]["max_clients"]
check(min(cap, n) - 130 <= ab["flood_hello"] <= cap, "flood: %d hellos, max_clients %d"
      % (ab["flood_hello"], cap))
check(ab["longline_runs"] >= 4 and ab["longline_max_sent"] < 10 * 1024 * 1024,
      "longline: %s" % ab)
check(ab.get("badjson_runs", 0) >= 5 and ab.get("garbage_runs", 0) >= 5 and
      ab.get("garbage_errors", 0) > 0 and ab.get("vanish_runs", 0) >= 100,
      "abuse runs: %s" % ab)
check(ab.get("noread_closed", 0) >= 1, "no slow consumer was cut off: %s" % ab)
st = json.load(open(t + "/status"))
sub = st["subscribers"]
check(sub["clients"] <= 3, "clients left connected: %s" % sub)
check(sub["refused"] >= ab["flood_refused"], "refused: %s" % sub)
check(sub["slow_consumers_closed"] >= ab.get("noread_closed", 0), "slow: %s" % sub)
check(all(f["health"] == "ok" for f in json.load(open(t + "/status.mid"))["feeds"]),
      "the feed failed during the abuse")
# The well-behaved subscriber: every delta from its first on, once, in
# order, byte for byte as the store replays it; never a gap.
lines = open(t + "/sub").read().splitlines()
check(not any('"type":"gap"' in l for l in lines), "the subscriber got a gap")
sub_d = [l for l in lines if l.startswith('{"type":"delta"')]
rep = [l for l in open(t + "/replay").read().splitlines()
       if l.startswith('{"type":"delta"')]
seqs = [json.loads(l)["seq"] for l in sub_d]
check(seqs == list(range(seqs[0], st["seq"] + 1)),
      "subscriber seqs not contiguous: %d..%d, %d deltas" % (seqs[0], seqs[-1], len(seqs)))
by_seq = {json.loads(l)["seq"]: l for l in rep}
check(sorted(by_seq) == list(range(1, st["seq"] + 1)), "replay not 1..%d" % st["seq"])
check(all(by_seq.get(json.loads(l)["seq"]) == l for l in sub_d),
      "subscriber and replay differ")
check(len(sub_d) >= 100, "only %d deltas during the run" % len(sub_d))
# Every warning is an abuse the daemon saw, by client and reason.
ok = re.compile(r"warn: (client \d+ \(uid \d+, pid \d+\): |socket .*: refused \d+ client|"
                r"poller: time scaled|poller: feed grow \()")
for l in open(t + "/log", errors="replace"):
    if re.search(r"\]: (warn|error): ", l) and not ok.search(l):
        problems.append("unexpected log line: " + l.strip()[:300])
hwm_kb = int(open(t + "/hwm").read().split()[1])
check(hwm_kb <= limit_kb, "peak RSS %d KiB over %d KiB" % (hwm_kb, limit_kb))
for p in problems[:40]:
    print("abusive-clients: " + p)
print("figures: abusive-clients: peak RSS (VmHWM) %.1f MiB; %d connection attempts "
      "at once answered in %.1f s (%d hello, %d too_many_clients); %d lines of "
      "up to 10 MB cut off (at most %.1f MB sent); %d slow consumers cut off; "
      "the subscriber got %d deltas, no gap, none twice" %
      (hwm_kb / 1024.0, n, ab["flood_seconds"], ab["flood_hello"], ab["flood_refused"],
       ab["longline_runs"], ab["longline_max_sent"] / 1e6, sub["slow_consumers_closed"],
       len(sub_d)))
sys.exit(1 if problems else 0)
PY
