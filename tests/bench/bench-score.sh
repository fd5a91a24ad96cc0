#!/bin/sh
# bench-score.sh: scoring throughput with 10, 100 and 1000 markets of 20 rules
# each, on the articles and market sets of ../shared/baselines/gen_corpus.py,
# side by side in one run with what a user would otherwise run: the Python
# scorers (naive_scorer.py --mode perphrase and alt, on prefixes: they are
# slow), LC_ALL=C grep -o -F -i -f PHRASES over the same text, and the two
# matchers alone on the same phrases: pmsignal's token matcher and
# vectorscan (the library the issue prefers unless ours beats it).
#
# Every figure is the fastest of BENCH_SCORE_PASSES runs (default 3), in CPU
# time (the machine may be shared; wall time is printed too).  MB = 10^6
# bytes of title + "\n" + body; grep reads the same bytes (and one newline
# more per article).  Before timing, the scorer's decisions on the corpus
# (every total and every piece of evidence) are checked against those of the
# engine before its speed work (tests/bench/score-dump.sha256).
#
# Environment: BENCH_SCORE_FEEDS (default 200: 200 x 50 = 10000 articles),
# BENCH_SCORE_DIR (cache of generated files), BENCH_SCORE_PYTHON=0 skips the
# Python baselines, BENCH_SCORE_CHECK=0 skips the check.
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
PASSES=${BENCH_SCORE_PASSES:-3}
export BENCH_SCORE_PASSES=$PASSES
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
for K in 10 100 1000; do
	M=$W/gen_k$K.json P=$W/phrases_k$K.txt Q=$W/pm_k$K.json
	if [ ! -s "$Q" ]; then
		$PY "$B/gen_corpus.py" --seed 1 --markets "$K" --rules 20 \
		    --markets-out "$M" --phrases-out "$P" >/dev/null
		$PY "$TOP/scripts/convert-gen-markets" "$M" "$Q"
	fi
done

# field NAME LINE: the value after NAME= in a result line.
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s|^$1=||p"; }
# pyfield KEY LINE: a key of naive_scorer.py's RESULT json.
pyfield() { printf '%s\n' "$2" | sed -n 's/^RESULT //p' | $PY -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
sha() { sha256sum | cut -d' ' -f1; }
mbs() { echo "$1 $2" | awk '{ printf "%.1f", $1 / $2 / 1e6 }'; }

# check NAME MARKETS LIMIT: the scorer's dump against the reference, when
# there is one for these exact inputs.
REF=$TOP/tests/bench/score-dump.sha256
check() {
	if [ -d "$2" ]; then ms=$(cat "$2"/*.json | sha); else ms=$(sha < "$2"); fi
	want=$(awk -v m="$ms" -v a="$(sha < "$A")" -v l="$3" \
	    '$2 == m && $3 == a && $4 == l { print $1 }' "$REF")
	if [ -z "$want" ]; then
		echo "check $1: no reference for these inputs, skipped"
		return 0
	fi
	got=$("$BIN" --dump "$2" "$A" "$3" | sha)
	if [ "$got" = "$want" ]; then
		echo "check $1: every total and piece of evidence identical to the reference"
	else
		echo "check $1: DIFFERENT from the reference"
		return 1
	fi
}
if [ "${BENCH_SCORE_CHECK:-1}" != 0 ]; then
	check ukraine "$TOP/config/markets" 0
	check markets=10 "$W/pm_k10.json" 0
	check markets=100 "$W/pm_k100.json" 1000
	check markets=1000 "$W/pm_k1000.json" 100
fi

printf '\n%-7s %9s %8s %9s | %9s %10s | %9s %9s | %9s %9s | %7s\n' markets \
    pmsignal art/s wall own-match vectorscan grep-o wall perphrase alt vs-grep
rows=
for K in 10 100 1000; do
	M=$W/gen_k$K.json P=$W/phrases_k$K.txt Q=$W/pm_k$K.json
	ours=$("$BIN" "$Q" "$A")
	mat=$("$BIN" --matchers "$Q" "$A")
	bytes=$(field bytes "$ours")
	gc=0 gw=0
	for p in $(seq "$PASSES"); do
		g=$("$BIN" --run "LC_ALL=C grep -o -F -i -f '$P' '$TXT' | wc -l >/dev/null")
		gc=$(echo "$gc $(field cpu_s "$g")" | awk '{ print ($1 == 0 || $2 < $1) ? $2 : $1 }')
		gw=$(echo "$gw $(field wall_s "$g")" | awk '{ print ($1 == 0 || $2 < $1) ? $2 : $1 }')
	done
	pp=- alt=-
	if [ "${BENCH_SCORE_PYTHON:-1}" != 0 ]; then
		case $K in 10) lp=200 la=2000 ;; 100) lp=30 la=300 ;; *) lp=5 la=100 ;; esac
		r=$($PY "$B/naive_scorer.py" --markets "$M" --articles "$A" --mode perphrase --limit $lp)
		pp=$(pyfield mb_per_s "$r")
		r=$($PY "$B/naive_scorer.py" --markets "$M" --articles "$A" --mode alt --limit $la)
		alt=$(pyfield mb_per_s "$r")
	fi
	mb=$(field MB/s "$ours")
	printf '%-7s %9s %8s %9s | %9s %10s | %9s %9s | %9s %9s | %6sx\n' "$K" "$mb" \
	    "$(field articles/s "$ours")" "$(field wall_MB/s "$ours")" \
	    "$(field own_MB/s "$mat")" "$(field vectorscan_MB/s "$mat")" \
	    "$(mbs "$bytes" "$gc")" "$(mbs "$bytes" "$gw")" "$pp" "$alt" \
	    "$(echo "$mb $(mbs "$bytes" "$gc")" | awk '{ printf "%.1f", $1 / $2 }')"
	rows="$rows$ours
$mat
"
done
printf '%s' "$rows" | sed 's/^/    /'
cat <<EOF
MB/s over title+body bytes, the fastest of $PASSES passes, in CPU time (wall: in wall
time).  pmsignal: text, scorer and reading every total, as the pipeline does.
own-match: pmsignal's token matcher alone (tokens given); vectorscan: hs_scan of
the same phrases alone (normalised text given).  grep -o: LC_ALL=C grep -o -F -i
-f PHRASES | wc -l over the same texts.  Python on prefixes (10/100/1000 markets:
perphrase 200/30/5, alt 2000/300/100 articles), in its own wall time.
EOF
