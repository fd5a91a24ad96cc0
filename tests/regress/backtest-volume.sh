# backtest-volume: the model stays sane under the volume of a real news
# stream and when chatter does not come true (docs/MODEL.md, "Many
# reports of the same news").  Four archives made from the bundled
# sample: as written; every article told by ten outlets (each copy with
# its own filler sentence, so SimHash keeps them apart); and both with the
# security guarantee never signed (its signing articles removed, the
# market resolved 0).  The model must beat the prior baseline in all four,
# the decay baseline on the first two, and stay within 20% of the decay
# baseline on the last two (a model that lets chatter pile up is 4 to 11
# times worse there).
. "$TOP/tests/regress/lib.sh"

SAMPLE=$TOP/config/backtest/ukraine-2025-sample.jsonl
RES=$TOP/config/backtest/ukraine-2025-resolutions.json
MARKETS=$TOP/config/markets/ukraine-2025.json

python3 - "$SAMPLE" "$RES" "$T" <<'PY' || fail "could not build the archives"
import datetime as dt, json, random, sys
sample, res, out = sys.argv[1:4]
random.seed(7)
words = ("the a of in on officials said statement analysts markets week city "
         "region weather residents local council budget schools traffic report "
         "data year month official spokesman added noted").split()
signing = {"sample-098", "sample-099", "sample-100"}
arts = [json.loads(l) for l in open(sample, encoding="utf-8")]
for name, keep in (("sample", lambda a: True),
                   ("unsigned", lambda a: a["id"] not in signing)):
    with open(f"{out}/{name}.jsonl", "w") as one, \
         open(f"{out}/{name}-x10.jsonl", "w") as ten:
        for a in arts:
            if not keep(a):
                continue
            one.write(json.dumps(a) + "\n")
            t0 = dt.datetime.fromisoformat(
                (a.get("first_seen") or a["published"]).replace("Z", "+00:00"))
            for k in range(10):
                b = dict(a, id=f"{a['id']}-o{k}", url=f"{a['url']}?o={k}")
                filler = " ".join(random.choice(words) for _ in range(60))
                b["body"] = a["body"] + " " + filler.capitalize() + "."
                b["first_seen"] = (t0 + dt.timedelta(minutes=37 * k)).strftime(
                    "%Y-%m-%dT%H:%M:%SZ")
                ten.write(json.dumps(b) + "\n")
r = json.load(open(res))
assert r["security-guarantee-2026q1"] == 1
r["security-guarantee-2026q1"] = 0
json.dump(r, open(f"{out}/unsigned-res.json", "w"))
PY

# run ARCHIVE RESOLUTIONS DECAY_FACTOR: model < prior, model < decay * factor.
run() {
	"$PMSIGNALD" backtest --archive "$T/$1.jsonl" --markets "$MARKETS" \
	    --resolutions "$2" --out "$T/out-$1" >"$T/$1.stdout" 2>"$T/$1.stderr" ||
		{ cat "$T/$1.stderr"; fail "backtest of $1 failed"; }
	python3 - "$T/out-$1/summary.json" "$1" "$3" <<'PY' || fail "$1: scores"
import json, sys
s = json.load(open(sys.argv[1]))
m, p, d = s["brier"], s["baseline_prior"]["brier"], s["baseline_decay"]["brier"]
print(f"{sys.argv[2]}: model {m:.4f} prior {p:.4f} decay {d:.4f}")
assert m < p, f"{sys.argv[2]}: model {m} does not beat the prior {p}"
assert m < d * float(sys.argv[3]), f"{sys.argv[2]}: model {m}, decay {d}"
PY
}

run sample "$RES" 1.0
run sample-x10 "$RES" 1.0
run unsigned "$T/unsigned-res.json" 1.2
run unsigned-x10 "$T/unsigned-res.json" 1.2
