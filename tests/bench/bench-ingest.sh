# bench-ingest: sustained ingest through the daemon's own path, parse ->
# score -> store (tests/bench/bench-ingest.c): the 200 generated feed
# documents of ../shared/baselines (10,000 articles, 53.9 MB of RSS and
# Atom) handed one by one to ingest_document() as the poller would, one
# durable transaction per document, on this machine's disk (under $BUILD).
# Then the same documents again (all seen), the start-up check, and
# retention in the daemon's steps.  Two sets of 100 markets:
#  - "live ladder" (the target's set, BENCH_INGEST_RUNS runs, default 3):
#    the bundled live questions, each at ten deadlines as a market site
#    lists them (tests/bench/ladder-markets.py); about 4 markets move per
#    article of this corpus, which is all about the peace talks;
#  - "generated" (one run): the generator's 100 markets of 20 phrases,
#    made for the scorer's throughput: its phrases are in nearly every
#    article, so nearly every market moves on every article (about 90
#    deltas per article), a stress test of the delta log.
# Skipped without ../shared.
set -eu
: "${BUILD:?}" "${TOP:?}"
B=$TOP/../shared/baselines
if [ ! -f "$B/gen_corpus.py" ]; then
	echo "bench-ingest: ../shared/baselines not found, skipped"
	exit 0
fi
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
W=${RSSBENCH:-/tmp/rssbench}
S=${BENCH_SCORE_DIR:-${TMPDIR:-/tmp}/pmsignal-bench-score}
if [ ! -d "$W/feeds" ] || [ "$(ls "$W/feeds" | wc -l)" -ne 200 ]; then
	echo "bench-ingest: generating the corpus in $W"
	$PY "$B/gen_corpus.py" --seed 1 --feeds 200 --items-per-feed 50 \
	    --out "$W/feeds" --articles-jsonl "$W/articles.jsonl" > /dev/null
fi
M=$S/pm_k100.json
if [ ! -s "$M" ]; then
	mkdir -p "$S"
	$PY "$B/gen_corpus.py" --seed 1 --markets 100 --rules 20 \
	    --markets-out "$S/gen_k100.json" --phrases-out "$S/phrases_k100.txt" > /dev/null
	$PY "$TOP/scripts/convert-gen-markets" "$S/gen_k100.json" "$M"
fi
dir=$(mktemp -d "$BUILD/bench-ingest.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
L=$dir/live-ladder-100.json
$PY "$TOP/tests/bench/ladder-markets.py" "$TOP/config/markets/ukraine-live.json" 100 "$L"
echo "disk: $(df -P "$dir" | awk 'NR == 2 { print $1 " (" $6 ")" }'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
i=0
while [ $i -lt "${BENCH_INGEST_RUNS:-3}" ]; do
	i=$((i + 1))
	echo "-- live ladder, 100 markets: run $i"
	rm -f "$dir"/*.db*
	"$BUILD/tests/bench/bench-ingest" "$dir" "$W/feeds" "$L"
done
echo "-- generated, 100 markets (stress: nearly every market moves on every article)"
rm -f "$dir"/*.db*
"$BUILD/tests/bench/bench-ingest" "$dir" "$W/feeds" "$M"
