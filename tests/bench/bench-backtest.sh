#!/bin/sh
# bench-backtest: replay throughput of `pmsignald backtest` with the 10
# ukraine-2025 markets (target: at least 20,000 articles/s).
#
# Two archives:
#  - the generated corpus of ../shared/baselines (10,000 articles of about
#    650 words), re-timed so that every article falls while the markets are
#    open (its own dates are a week before they open); skipped when
#    ../shared is absent;
#  - the bundled sample repeated to about 11,000 short articles (always).
# The figure is the command's own "replayed N articles in S s" line, which
# times the replay (pipeline, deltas, samples) without loading or writing
# the report; the wall time of the whole command is shown too.
set -eu
: "${BUILD:=build}" "${TOP:=.}"
PMSIGNALD=$BUILD/pmsignald
MARKETS=$TOP/config/markets/ukraine-2025.json
W=${TMPDIR:-/tmp}/pmsignal-bench-backtest
mkdir -p "$W"

# run NAME ARCHIVE: one backtest, print the figures.
run() {
	start=$(date +%s.%N)
	"$PMSIGNALD" backtest --archive "$2" --markets "$MARKETS" \
	    --resolutions "$TOP/config/backtest/ukraine-2025-resolutions.json" \
	    --out "$W/out-$1" >"$W/stdout-$1" 2>"$W/stderr-$1" || {
		cat "$W/stderr-$1"; echo "bench-backtest: $1: backtest failed"; return 1; }
	end=$(date +%s.%N)
	line=$(grep -o 'replayed [0-9]* articles in [0-9.]* s ([0-9]* articles/s)' \
	    "$W/stderr-$1" | tail -n 1)
	bytes=$(wc -c <"$2")
	printf 'backtest %-8s 10 markets, %s bytes: %s; whole command %.2f s\n' \
	    "$1" "$bytes" "$line" "$(awk "BEGIN { print $end - $start }")"
}

SAMPLE=$TOP/config/backtest/ukraine-2025-sample.jsonl
python3 - "$SAMPLE" "$W/sample-x100.jsonl" <<'PY'
# The sample 100 times, each copy with its own ids and urls, one copy a
# day apart over the markets' period.
import json, sys, datetime as dt
src, dst = sys.argv[1], sys.argv[2]
arts = [json.loads(l) for l in open(src, encoding="utf-8")]
base = dt.datetime(2025, 11, 19, tzinfo=dt.timezone.utc)
with open(dst, "w", encoding="utf-8") as out:
    for k in range(100):
        for i, a in enumerate(arts):
            b = dict(a)
            b["id"] = f"{a['id']}-x{k}"
            b["url"] = f"{a['url']}?copy={k}"
            t = base + dt.timedelta(days=k, seconds=i * 600)
            b["first_seen"] = t.strftime("%Y-%m-%dT%H:%M:%SZ")
            b["body"] = a["body"] + f" (copy {k})"
            out.write(json.dumps(b, ensure_ascii=False) + "\n")
PY
run sample "$W/sample-x100.jsonl"

GEN=$TOP/../shared/baselines/gen_corpus.py
if [ ! -f "$GEN" ]; then
	echo "backtest corpus: ../shared/baselines not found, skipped"
	exit 0
fi
CORPUS=/tmp/rssbench/articles.jsonl
if [ ! -s "$CORPUS" ]; then
	mkdir -p /tmp/rssbench
	python3 "$GEN" --seed 1 --feeds 200 --items-per-feed 50 \
	    --articles-jsonl "$CORPUS" >/dev/null
fi
python3 - "$CORPUS" "$W/corpus-retimed.jsonl" <<'PY'
# Spread the articles evenly from 2025-11-19 to 2026-03-31 in file order.
import json, sys, datetime as dt
src, dst = sys.argv[1], sys.argv[2]
lines = open(src, encoding="utf-8").read().splitlines()
base = dt.datetime(2025, 11, 19, tzinfo=dt.timezone.utc)
span = (dt.datetime(2026, 3, 31, tzinfo=dt.timezone.utc) - base).total_seconds()
with open(dst, "w", encoding="utf-8") as out:
    for i, l in enumerate(lines):
        a = json.loads(l)
        t = base + dt.timedelta(seconds=int(span * i / len(lines)))
        a["first_seen"] = t.strftime("%Y-%m-%dT%H:%M:%SZ")
        out.write(json.dumps(a, ensure_ascii=False) + "\n")
PY
run corpus "$W/corpus-retimed.jsonl"
