#!/bin/sh
# bench-fanout.sh: deltas fanned out to 1000 subscribers by pmsignal's
# server, side by side with redis-server pub/sub (a private instance on a
# Unix socket in a temp dir) through the same client harness, same
# subscribers, same message bytes, in the same run.
#
# FANOUT_SUBSCRIBERS, FANOUT_MARKETS, FANOUT_SECONDS, FANOUT_RATES override
# the defaults (1000, 100, 3, "10000,10000,10000,20000,40000": the first
# rate is the target, run three times for a median p99).
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

echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
# shellcheck disable=SC2086
"$BIN" --subscribers "${FANOUT_SUBSCRIBERS:-1000}" \
    --markets "${FANOUT_MARKETS:-100}" --seconds "${FANOUT_SECONDS:-3}" \
    --rates "${FANOUT_RATES:-10000,10000,10000,20000,40000}" $redis_arg
