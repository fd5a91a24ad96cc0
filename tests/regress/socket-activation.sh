# socket-activation: a listening Unix stream socket passed the way systemd
# passes it (fd 3, LISTEN_FDS, LISTEN_PID) is found by notify_listen_fd and
# kept open by the daemon; a datagram socket, an unlistened socket or fds
# meant for another pid are not taken.
. "$TOP/tests/regress/lib.sh"

test_config > "$T/pmsignald.json"
mkdir -p "$T/state"
SOCK=$T/act.sock
pid=""
kill_daemon() { [ -z "$pid" ] || kill -9 "$pid" 2>/dev/null; }
cleanup_hooks="kill_daemon"

# run_activated ARGS...: start the daemon under listen-fds.py ARGS, logging
# to a fresh $LOG.
run=0
run_activated() {
	run=$((run + 1))
	LOG=$T/log.$run
	python3 "$TOP/tests/regress/listen-fds.py" "$@" "$SOCK" -- \
	    "$PMSIGNALD" run --foreground --config "$T/pmsignald.json" \
	    --state-dir "$T/state" 2> "$LOG" &
	pid=$!
	wait_for 10 grep -q 'feeds, markets' "$LOG" || fail "no start: $(cat "$LOG")"
}

stop() {
	kill -TERM "$pid"
	wait "$pid" || fail "exit status $? after SIGTERM: $(cat "$LOG")"
	pid=""
}

# sock_inode: the inode of the socket bound at $SOCK (/proc/net/unix).
sock_inode() {
	awk -v p="$SOCK" '$8 == p { print $7 }' /proc/net/unix | head -n 1
}

# The daemon holds fd 3 open, and it is the socket at $SOCK.
run_activated --kind stream
expect_contains "$LOG" "socket activation: listening socket fd 3 ($SOCK) from systemd"
inode=$(sock_inode)
[ -n "$inode" ] || fail "socket $SOCK not in /proc/net/unix"
[ "$(readlink "/proc/$pid/fd/3")" = "socket:[$inode]" ] ||
	fail "fd 3 of the daemon is $(readlink "/proc/$pid/fd/3"), not $SOCK (inode $inode)"
stop

for kind in dgram unlistened; do
	run_activated --kind "$kind"
	expect_contains "$LOG" "socket activation: fd 3 is not a listening Unix stream socket; ignoring it"
	# The daemon held the only copy: once it lets go, the socket is gone.
	[ -z "$(sock_inode)" ] || fail "$kind socket kept open by the daemon"
	stop
done

# Meant for another process: silently not ours.
run_activated --pid other
grep -q 'socket activation' "$LOG" && fail "took fds meant for pid 1: $(cat "$LOG")"
stop
exit 0
