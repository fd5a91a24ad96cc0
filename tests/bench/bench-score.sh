#!/bin/sh
# bench-score.sh: scoring throughput with 10, 100 and 1000 markets of 20 rules
# each, on the articles and market sets of ../shared/baselines/gen_corpus.py,
# side by side in one run with what a user would otherwise run: the Python
# scorers (naive_scorer.py --mode perphrase and alt, on prefixes: they are
# slow), LC_ALL=C grep -o -F -i -f PHRASES over the same text, and
# vectorscan scanning the same phrases (the library our matcher replaces).
#
# Environment: BENCH_SCORE_FEEDS (default 200: 200 x 50 = 10000 articles),
# BENCH_SCORE_DIR (cache of generated files), BENCH_SCORE_PYTHON=0 skips the
# Python baselines.  MB = 10^6 bytes of title + "\n" + body.
set -eu
: "${BUILD:=build}" "${TOP:=$(pwd)}"
B=$TOP/../shared/baselines
if [ ! -f "$B/gen_corpus.py" ]; then
	echo "bench-score: ../shared/baselines not found, skipped"
	exit 0
fi
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
BIN=$BUILD/tests/bench/bench-score
FEEDS=${BENCH_SCORE_FEEDS:-200}
W=${BENCH_SCORE_DIR:-${TMPDIR:-/tmp}/pmsignal-bench-score}
mkdir -p "$W"
A=$W/articles-$FEEDS.jsonl
if [ ! -s "$A" ]; then
	$PY "$B/gen_corpus.py" --seed 1 --feeds "$FEEDS" --items-per-feed 50 \
	    --articles-jsonl "$A.tmp" >/dev/null && mv "$A.tmp" "$A"
fi
# The exact text every scorer sees: title, newline, body (one line each).
TXT=$W/texts-$FEEDS.txt
[ -s "$TXT" ] || $PY -c '
import json, sys
with open(sys.argv[1], encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as o:
    for line in f:
        a = json.loads(line)
        o.write(a["title"] + "\n" + a["body"] + "\n")
' "$A" "$TXT"

# field NAME LINE: the value after NAME= in a result line.
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s|^$1=||p"; }
# pyfield KEY LINE: a key of naive_scorer.py's RESULT json.
pyfield() { printf '%s\n' "$2" | sed -n 's/^RESULT //p' | $PY -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

now() { date +%s.%N; }

printf '%-6s %12s %12s %12s %12s %12s %12s %8s\n' markets pmsignal art/s \
    vectorscan grep-o perphrase alt vs-grep
for K in 10 100 1000; do
	M=$W/gen_k$K.json P=$W/phrases_k$K.txt Q=$W/pm_k$K.json
	if [ ! -s "$Q" ]; then
		$PY "$B/gen_corpus.py" --seed 1 --markets "$K" --rules 20 \
		    --markets-out "$M" --phrases-out "$P" >/dev/null
		$PY "$TOP/scripts/convert-gen-markets" "$M" "$Q"
	fi
	ours=$("$BIN" "$Q" "$A")
	vs=$("$BIN" --vectorscan "$Q" "$A")
	t0=$(now)
	LC_ALL=C grep -o -F -i -f "$P" "$TXT" | wc -l >/dev/null
	t1=$(now)
	g=$(echo "$(stat -c %s "$TXT") $t0 $t1" | awk '{ printf "%.1f", $1 / ($3 - $2) / 1e6 }')
	pp=- alt=-
	if [ "${BENCH_SCORE_PYTHON:-1}" != 0 ]; then
		case $K in 10) lp=200 la=2000 ;; 100) lp=30 la=300 ;; *) lp=5 la=100 ;; esac
		r=$($PY "$B/naive_scorer.py" --markets "$M" --articles "$A" --mode perphrase --limit $lp)
		pp=$(pyfield mb_per_s "$r")
		r=$($PY "$B/naive_scorer.py" --markets "$M" --articles "$A" --mode alt --limit $la)
		alt=$(pyfield mb_per_s "$r")
	fi
	mb=$(field MB/s "$ours")
	printf '%-6s %12s %12s %12s %12s %12s %12s %7sx\n' "$K" "$mb" \
	    "$(field articles/s "$ours")" "$(field MB/s "$vs")" "$g" "$pp" "$alt" \
	    "$(echo "$mb $g" | awk '{ printf "%.1f", $1 / $2 }')"
	echo "$ours" | sed 's/^/    /'
	echo "$vs" | sed 's/^/    /'
done
echo "MB/s over title+body bytes; pmsignal and vectorscan in CPU time of the process,"
echo "grep in wall time; Python on prefixes (10/100/1000 markets: perphrase 200/30/5, alt 2000/300/100 articles)."
