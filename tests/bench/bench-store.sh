# bench-store: sustained ingest into the store on this machine's disk
# (under $BUILD, not /tmp, which may be a tmpfs where fsync costs nothing):
# bursts of 100 articles with 3 deltas each over 100 markets, one durable
# commit per burst, then replay and bounded prune steps; then the same with
# one article per commit, to show what batching buys.
# STORE_BENCH_ARTICLES sets the size of the first run (default 20000).
set -eu
: "${BUILD:?}"
bin=$BUILD/tests/bench/bench-store
dir=$(mktemp -d "$BUILD/bench-store.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
n=${STORE_BENCH_ARTICLES:-20000}

echo "disk: $(df -P "$dir" | awk 'NR == 2 { print $1 " (" $6 ")" }')"
"$bin" --dir "$dir" --articles "$n" --batch 100 --deltas 3 --markets 100
"$bin" --dir "$dir" --articles 500 --batch 1 --deltas 3 --markets 100
