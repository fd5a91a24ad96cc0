# bench-store: sustained ingest into the store on this machine's disk
# (under $BUILD, not /tmp, which may be a tmpfs where fsync costs nothing).
#  1. the store alone: bursts of 100 synthetic articles with 3 deltas each
#     over 100 markets, one durable commit per burst; replay; prune steps;
#  2. the same with one article per commit, to show what batching buys;
#  3. parse -> score -> store: the articles and 100 markets of
#     ../shared/baselines (generated and cached by bench-score, which runs
#     first) through the real pipeline into the store, with and without
#     saving the pipeline's state with every burst.
# STORE_BENCH_ARTICLES sets the size of the first run (default 20000).
set -eu
: "${BUILD:?}"
bin=$BUILD/tests/bench/bench-store
dir=$(mktemp -d "$BUILD/bench-store.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
n=${STORE_BENCH_ARTICLES:-20000}

echo "disk: $(df -P "$dir" | awk 'NR == 2 { print $1 " (" $6 ")" }')"
"$bin" --dir "$dir" --articles "$n" --batch 100 --deltas 3 --synthetic-markets 100
"$bin" --dir "$dir" --articles 500 --batch 1 --deltas 3 --synthetic-markets 100

W=${BENCH_SCORE_DIR:-${TMPDIR:-/tmp}/pmsignal-bench-score}
if [ -s "$W/pm_k100.json" ] && [ -s "$W/articles-200.jsonl" ]; then
	for every in 1 0; do
		"$bin" --dir "$dir" --batch 100 --markets "$W/pm_k100.json" \
		    --archive "$W/articles-200.jsonl" --state-every "$every" |
		    sed -n '1,3p'
	done
else
	echo "bench-store: no generated corpus in $W (bench-score makes it), pipeline run skipped"
fi
