# backtest: `pmsignald backtest` on the bundled sample.  Two runs give
# byte-identical files; summary.json has the documented shape; every line
# of deltas.ndjson is a protocol delta with seq 1, 2, 3, ...; the model's
# Brier score beats both baselines; bad input gives clear errors.
. "$TOP/tests/regress/lib.sh"

SAMPLE=$TOP/config/backtest/ukraine-2025-sample.jsonl
RES=$TOP/config/backtest/ukraine-2025-resolutions.json
MARKETS=$TOP/config/markets/ukraine-2025.json

bt() {
	"$PMSIGNALD" backtest --archive "$SAMPLE" --markets "$MARKETS" \
	    --resolutions "$RES" "$@"
}

# Determinism: everything written is the same bytes twice.
bt --out "$T/a" >"$T/a.stdout" 2>"$T/a.stderr" || { cat "$T/a.stderr"; fail "backtest failed"; }
bt --out "$T/b" >"$T/b.stdout" 2>"$T/b.stderr" || fail "second backtest failed"
for f in deltas.ndjson trajectories.csv summary.json chart.svg; do
	[ -s "$T/a/$f" ] || fail "$f missing or empty"
	cmp "$T/a/$f" "$T/b/$f" || fail "$f differs between two runs"
done
sed "s|$T/a|OUT|g" "$T/a.stdout" >"$T/a.out"
sed "s|$T/b|OUT|g" "$T/b.stdout" >"$T/b.out"
cmp "$T/a.out" "$T/b.out" || fail "stdout differs between two runs"
expect_contains "$T/a.stdout" "chart.svg"

# Shapes and scores, checked with Python's json module.
python3 - "$T/a" <<'PY' || fail "output check failed"
import csv, json, sys
d = sys.argv[1]
s = json.load(open(f"{d}/summary.json"))
assert set(s) == {"markets", "brier", "log_loss", "baseline_prior",
                  "baseline_decay", "calibration"}, sorted(s)
assert len(s["markets"]) == 10, len(s["markets"])
for m in s["markets"]:
    assert set(m) == {"id", "final_p", "resolution", "brier", "log_loss",
                      "deltas"}, m
    assert m["resolution"] in (0, 1), m
    assert 0 <= m["final_p"] <= 1 and m["brier"] >= 0 and m["log_loss"] >= 0, m
    assert isinstance(m["deltas"], int), m
for k in ("baseline_prior", "baseline_decay"):
    assert set(s[k]) == {"brier", "log_loss"}, s[k]
cal = s["calibration"]
assert len(cal) == 10
for i, b in enumerate(cal):
    assert set(b) == {"lo", "hi", "n", "mean_p", "observed"}, b
    assert abs(b["lo"] - i / 10) < 1e-9 and abs(b["hi"] - (i + 1) / 10) < 1e-9
    if b["n"]:
        assert b["lo"] <= b["mean_p"] <= b["hi"], b
assert sum(b["n"] for b in cal) > 0
# The point of the sample: the model beats both baselines.
assert s["brier"] < s["baseline_prior"]["brier"], (s["brier"], s["baseline_prior"])
assert s["brier"] < s["baseline_decay"]["brier"], (s["brier"], s["baseline_decay"])

# deltas.ndjson: protocol deltas, seq 1..n, one session, per-market counts.
seq, per = 0, {}
for line in open(f"{d}/deltas.ndjson"):
    o = json.loads(line)
    seq += 1
    assert o["type"] == "delta" and o["seq"] == seq and o["session"] == "backtest", o
    assert o["cause"] in ("article", "decay", "open", "close"), o
    assert abs(o["delta"] - round(o["p"] - o["prev"], 6)) < 1e-9, o
    if o["cause"] == "article":
        assert o["article"]["id"].startswith("sample-"), o
    per[o["market"]] = per.get(o["market"], 0) + 1
assert seq > 0
for m in s["markets"]:
    assert per.get(m["id"], 0) == m["deltas"], (m, per.get(m["id"]))
    
# trajectories.csv: market,time,p; times in order per market; the last p
# of each market is its final_p.
rows = list(csv.reader(open(f"{d}/trajectories.csv")))
assert rows[0] == ["market", "time", "p"], rows[0]
last, final = {}, {m["id"]: m["final_p"] for m in s["markets"]}
for mk, t, p in rows[1:]:
    assert t >= last.get(mk, ("", 0))[0], (mk, t)
    # "%.6f" of the rounded p, always 6 decimals
    assert p == "%.6f" % round(float(p), 6) and 0 <= float(p) <= 1, (mk, t, p)
    last[mk] = (t, float(p))
for mk, (t, p) in last.items():
    assert abs(p - final[mk]) < 1e-9, (mk, p, final[mk])
PY

# --from/--until/--step change the clock, and still determinism.
bt --out "$T/c" --from 2025-12-01T00:00:00Z --until 2025-12-31T23:59:59Z --step 6h \
    >"$T/c.stdout" 2>"$T/c.stderr" || { cat "$T/c.stderr"; fail "windowed backtest failed"; }
head -n 2 "$T/c/trajectories.csv" | tail -n 1 | grep -q ',2025-12-01T00:00:00Z,' ||
	fail "windowed run does not start at --from"
if grep -q '2026-' "$T/c/trajectories.csv"; then fail "windowed run went past --until"; fi

# Bad lines are reported with file:line, skipped, and the run goes on.
{ head -n 3 "$SAMPLE"; echo '{"id":"x","title":"broken"'; echo '{"id":"y","title":"no time"}'; } >"$T/bad.jsonl"
"$PMSIGNALD" backtest --archive "$T/bad.jsonl" --markets "$MARKETS" --out "$T/d" \
    >"$T/d.stdout" 2>"$T/d.stderr" || { cat "$T/d.stderr"; fail "bad lines made the run fail"; }
expect_contains "$T/d.stderr" "$T/bad.jsonl:4: not valid JSON"
expect_contains "$T/d.stdout" "1 bad line"
expect_contains "$T/d.stdout" "1 without a time"

# Usage and input errors: exit 2 with a one-line reason.
set +e
"$PMSIGNALD" backtest --markets "$MARKETS" >/dev/null 2>"$T/e1"; rc1=$?
"$PMSIGNALD" backtest --archive "$T/none.jsonl" --markets "$MARKETS" --out "$T/e" >/dev/null 2>"$T/e2"; rc2=$?
echo '{"peace-deal-2025": 2}' >"$T/res.json"
"$PMSIGNALD" backtest --archive "$SAMPLE" --markets "$MARKETS" --resolutions "$T/res.json" --out "$T/e" >/dev/null 2>"$T/e3"; rc3=$?
"$PMSIGNALD" backtest --archive "$SAMPLE" --markets "$MARKETS" --step 0 --out "$T/e" >/dev/null 2>"$T/e4"; rc4=$?
"$PMSIGNALD" backtest --archive "$SAMPLE" --markets "$MARKETS" --from yesterday --out "$T/e" >/dev/null 2>"$T/e5"; rc5=$?
set -e
[ "$rc1" -eq 2 ] || fail "no --archive: exit $rc1"
expect_contains "$T/e1" "--archive"
[ "$rc2" -eq 2 ] || fail "missing archive: exit $rc2"
expect_contains "$T/e2" "$T/none.jsonl: No such file or directory"
[ "$rc3" -eq 2 ] || fail "bad resolutions: exit $rc3"
expect_contains "$T/e3" "$T/res.json: peace-deal-2025: must be 1 (happened) or 0 (did not)"
[ "$rc4" -eq 2 ] || fail "bad step: exit $rc4"
expect_contains "$T/e4" "--step"
[ "$rc5" -eq 2 ] || fail "bad --from: exit $rc5"
expect_contains "$T/e5" "--from"
exit 0
