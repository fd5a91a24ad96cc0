# bench-poll-scale: 2000 feeds on a local HTTP server (its own process, 50
# ports standing for 50 hosts, a 19 KB RSS document per poll) polled every
# 60 s for 2 minutes by the real pmsignald: every body parsed, its 60
# entries looked up in the store, new ones scored against the bundled live
# markets and stored, each feed's state saved after every poll.  The
# server sends no validators and the same document each time, so from the
# second minute on the daemon sees each body again unchanged and does not
# parse it (docs/POLLER.md, "unchanged bodies"): the first minute is the
# cost of taking 120,000 new articles, the second that of polls that
# bring nothing.  Prints the
# daemon's CPU use (% of one core) and peak RSS (getrusage ru_maxrss), and
# the worst lateness of any poll, as the poller measured it (start after
# due; read from `pmsignalctl status` just before the end) and as the
# server saw it (gap between two polls of a feed beyond interval + 10%
# jitter).  Targets: < 5% CPU, < 40 MB RSS, every poll on time (< 1 s late).
#
# Environment:
#   POLL_SCALE_SECONDS  run length (default 120; e.g. 20 for a quick look)
#   POLL_SCALE_FEEDS    feeds (default 2000)
#   POLL_SCALE_HOSTS    server ports = hosts (default 50)
#   POLL_SCALE_TARGET   "daemon" (default): the real pmsignald; "poller":
#                       the poller alone in bench-poll-scale's "poll"
#                       program, whose handler only counts the bodies
set -eu
: "${BUILD:=build}" "${TOP:=$(pwd)}"
B=$BUILD/tests/bench/bench-poll-scale
RUN_SECONDS=${POLL_SCALE_SECONDS:-120}
FEEDS=${POLL_SCALE_FEEDS:-2000}
HOSTS=${POLL_SCALE_HOSTS:-50}
TARGET=${POLL_SCALE_TARGET:-daemon}
INTERVAL=60

T=$(mktemp -d "${TMPDIR:-/tmp}/bench-poll-scale.XXXXXX")
spid=""; qpid=""
cleanup() {
	[ -n "$spid" ] && kill "$spid" 2>/dev/null || true
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

"$B" serve "$T/ports" "$HOSTS" "$INTERVAL" > "$T/server.out" 2>&1 &
spid=$!
i=0
while ! [ -f "$T/ports" ] || [ "$(wc -l < "$T/ports")" -lt "$HOSTS" ]; do
	i=$((i + 1))
	[ "$i" -gt 100 ] && { cat "$T/server.out"; echo "server did not start"; exit 1; }
	sleep 0.1
done

# One config for both targets: feeds spread round-robin over the ports.
mkdir -p "$T/state"
awk -v feeds="$FEEDS" -v ivl="$INTERVAL" -v markets="$TOP/config/markets/ukraine-live.json" '
	{ port[n++] = $1 }
	END {
		printf "{\"log_level\":\"warn\",\"markets\":\"%s\",\n\"feeds\":[\n", markets
		for (i = 0; i < feeds; i++)
			printf "%s{\"name\":\"f%05d\",\"url\":\"http://127.0.0.1:%d/feed/%d\",\"interval\":%d}\n",
			    i ? "," : "", i, port[i % n], i, ivl
		printf "]}\n"
	}' "$T/ports" > "$T/pmsignald.json"

case $TARGET in
poller)	set -- "$B" poll "$T/pmsignald.json" ;;
daemon)	set -- "$BUILD/pmsignald" run --foreground --config "$T/pmsignald.json" \
	    --state-dir "$T/state" ;;
*)	echo "POLL_SCALE_TARGET must be poller or daemon"; exit 2 ;;
esac

# The daemon's own view of lateness, asked over its socket near the end.
daemon_status() {
	sleep $((RUN_SECONDS > 5 ? RUN_SECONDS - 3 : RUN_SECONDS / 2))
	"$BUILD/pmsignalctl" --socket "$T/state/pmsignald.sock" status --json > "$T/status.json" &&
	    python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
f = s["feeds"]
c = s["counters"]
print("poller: %d feeds, %d polls, %d failures, %d not modified, %d articles stored, worst lateness %d ms" % (
    len(f), sum(x["polls"] for x in f), sum(x["failures"] for x in f),
    sum(x["not_modified"] for x in f), c["articles"],
    max([x["worst_lateness_ms"] for x in f] + [0])))' "$T/status.json" > "$T/status.out"
}
if [ "$TARGET" = daemon ]; then
	daemon_status &
	qpid=$!
fi

echo "$FEEDS feeds on $HOSTS hosts every ${INTERVAL} s, ${RUN_SECONDS} s, target $TARGET"
"$B" measure "$RUN_SECONDS" "$@" > "$T/measure.out" 2> "$T/target.err" || {
	cat "$T/measure.out"; tail -n 20 "$T/target.err"; exit 1; }
if [ -n "$qpid" ]; then
	wait "$qpid" || echo "(status from the daemon failed)"
	qpid=""
	[ -s "$T/status.out" ] && cat "$T/status.out" >> "$T/measure.out"
fi
kill -TERM "$spid"
wait "$spid" || true
spid=""
cat "$T/measure.out" "$T/server.out"
if [ -s "$T/target.err" ]; then
	echo "(first lines of the target's log:)"
	head -n 5 "$T/target.err"
fi

# Verdict against the targets.
awk '
	/of one core/	{ for (i = 1; i <= NF; i++) if ($i == "of" && $(i+1) == "one") { cpu = $(i-1) } ; sub("%", "", cpu) }
	/peak RSS/	{ for (i = 1; i <= NF; i++) if ($i == "RSS") rss = $(i+1) }
	/^poller:/	{ for (i = 1; i <= NF; i++) if ($i == "lateness") late = $(i+1) }
	/^server:/	{ gap = $(NF-1); requests = $2 }
	END {
		if (late == "") late = gap
		ok = (cpu + 0 < 5 && rss + 0 < 40 && late + 0 < 1000 && gap + 0 < 1000)
		verdict = ok ? "within targets" : "OVER TARGET"
		if (requests + 0 == 0) verdict = "NO POLLS SEEN"
		printf "poll-scale: cpu %s%% (< 5), rss %s MB (< 40), worst lateness %s ms, worst gap excess %s ms (< 1000): %s\n",
		    cpu, rss, late, gap, verdict
	}' "$T/measure.out" "$T/server.out"
