# bench-store: the store alone on this machine's disk (under $BUILD, not
# /tmp, which may be a tmpfs where fsync costs nothing):
#  1. bursts of 100 synthetic articles with 3 deltas each over 100 markets,
#     one durable commit per burst; replay; prune steps;
#  2. the same with one article per commit, to show what batching buys.
# The daemon's whole ingest path (parse -> score -> store) is bench-ingest.
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
