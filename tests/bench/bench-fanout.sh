#!/bin/sh
# bench-fanout.sh: deltas fanned out to 1000 subscribers by pmsignal's
# server, side by side with redis-server pub/sub (a private instance on a
# Unix socket in a temp dir) through the same client harness, same
# subscribers, same message bytes, in the same run.
#
# Two runs: the target (10,000 deltas/s spread over 1000 subscribers, each
# delta to one of them, three times for a median p99), then fan-out 10 at
# rising rates for throughput.  FANOUT_SUBSCRIBERS, FANOUT_SECONDS,
# FANOUT_TARGET_RATES and FANOUT_RATES override the defaults (1000, 3,
# "10000,10000,10000", "10000,20000,40000,80000").
set -u
: "${BUILD:=build}"
BIN=$BUILD/tests/bench/bench-fanout
[ -x "$BIN" ] || { echo "bench-fanout: $BIN not built"; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/bench-fanout.XXXXXX")
redis_pid=""
cleanup() {
	[ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

redis_arg=""
if command -v redis-server >/dev/null 2>&1; then
	redis-server --port 0 --unixsocket "$T/redis.sock" --unixsocketperm 700 \
	    --save '' --appendonly no --daemonize no --dir "$T" \
	    --logfile "$T/redis.log" --maxclients 4096 &
	redis_pid=$!
	i=0
	while [ ! -S "$T/redis.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	if [ -S "$T/redis.sock" ]; then
		redis_arg="--redis-socket $T/redis.sock --redis-pid $redis_pid"
		echo "redis: $(redis-server --version | cut -d' ' -f1-3), private instance on $T/redis.sock"
	else
		echo "redis: redis-server did not start; pmsignal only"
	fi
else
	echo "redis: redis-server not installed; pmsignal only"
fi

run() {
	echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
	# shellcheck disable=SC2086
	"$BIN" --subscribers "${FANOUT_SUBSCRIBERS:-1000}" "$@" $redis_arg
}

# The target: 10,000 deltas/s spread over 1000 subscribers (each delta to
# the one subscriber of its market), three times for a median.
echo "-- 10,000 deltas/s spread over the subscribers (fan-out 1)"
run --markets "${FANOUT_SUBSCRIBERS:-1000}" --seconds "${FANOUT_SECONDS:-3}" \
    --rates "${FANOUT_TARGET_RATES:-10000,10000,10000}"
# Heavier: every delta to 10 subscribers, rising rates, for throughput.
echo "-- every delta to 10 subscribers (fan-out 10)"
run --markets "$(( ${FANOUT_SUBSCRIBERS:-1000} / 10 ))" \
    --seconds "${FANOUT_SECONDS:-3}" \
    --rates "${FANOUT_RATES:-10000,20000,40000,80000}"
