# bench-feed-parse: feed parsing throughput, parse plus scoring-text
# extraction in one process (build/tests/bench/bench-feed-parse), and
# python3-feedparser with its default settings on the same files in the
# same run, for the ratio.  The corpus comes from ../shared/baselines
# (realistic news feeds, 53.9 MB); without ../shared this bench is skipped.
set -eu
: "${BUILD:?}" "${TOP:?}"
SHARED=$TOP/../shared/baselines
W=${RSSBENCH:-/tmp/rssbench}
RUNS=${BENCH_RUNS:-5}

if [ ! -d "$SHARED" ]; then
	echo "bench-feed-parse: $SHARED not found, skipped"
	exit 0
fi
if [ ! -d "$W/feeds" ] || [ "$(ls "$W/feeds" | wc -l)" -ne 200 ]; then
	echo "bench-feed-parse: generating the corpus in $W"
	/usr/bin/python3 "$SHARED/gen_corpus.py" --seed 1 --feeds 200 \
	    --items-per-feed 50 --out "$W/feeds" \
	    --articles-jsonl "$W/articles.jsonl" > /dev/null
fi

out=$("$BUILD/tests/bench/bench-feed-parse" "$W/feeds" "$RUNS")
echo "$out"
ours=$(echo "$out" | sed -n 's/.* MB\/s=\([0-9.]*\).*/\1/p')

if ! /usr/bin/python3 -c 'import feedparser' 2>/dev/null; then
	echo "feedparser: python3-feedparser not installed, no comparison"
	exit 0
fi
fp=$(/usr/bin/python3 "$SHARED/feedparser_bench.py" "$W/feeds" | grep -v '^RESULT')
echo "$fp"
theirs=$(echo "$fp" | sed -n 's/.* MB\/s=\([0-9.]*\).*/\1/p')
awk -v a="$ours" -v b="$theirs" 'BEGIN {
	printf "ratio: pmsignal %.1f MB/s / feedparser %.2f MB/s = %.1fx " \
	    "(targets: 100 MB/s, 25x)\n", a, b, a / b }'
