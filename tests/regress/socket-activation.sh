# socket-activation: a listening Unix stream socket passed the way systemd
# passes it (fd 3, LISTEN_FDS, LISTEN_PID) is found by notify_listen_fd and
# kept open by the daemon; a real subscriber connecting through it gets
# hello and snapshot; a restart under the same passed socket keeps the path
# (clients connecting meanwhile are served by the new daemon, subscribers
# resume); a datagram socket, an unlistened socket or fds meant for another
# pid are not taken.
. "$TOP/tests/regress/lib.sh"

test_config > "$T/pmsignald.json"
mkdir -p "$T/state"
SOCK=$T/act.sock
# The daemon run by listen-fds.py --respawn ($pid and $subs are lib.sh's).
kill_respawned() {
	[ ! -s "$T/daemon.pid" ] || kill -9 "$(cat "$T/daemon.pid")" 2>/dev/null
}
cleanup_hooks="kill_respawned"

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

# sock_inode [any]: the inode of the listening socket bound at $SOCK
# (/proc/net/unix; accepted connections show the same path, without the
# __SO_ACCEPTCON flag 00010000), or with "any" of any socket there.
sock_inode() {
	awk -v p="$SOCK" -v any="${1:-}" '$8 == p && (any != "" || $4 == "00010000") { print $7 }' \
	    /proc/net/unix | head -n 1
}

# The daemon holds fd 3 open, and it is the socket at $SOCK.
run_activated --kind stream
expect_contains "$LOG" "socket activation: listening socket fd 3 ($SOCK) from systemd"
inode=$(sock_inode)
[ -n "$inode" ] || fail "socket $SOCK not in /proc/net/unix"
[ "$(readlink "/proc/$pid/fd/3")" = "socket:[$inode]" ] ||
	fail "fd 3 of the daemon is $(readlink "/proc/$pid/fd/3"), not $SOCK (inode $inode)"
# A real subscriber through the passed socket: hello, then the snapshot.
"$PMSIGNALCTL" --socket "$SOCK" tail --json --no-reconnect > "$T/sub1" 2>&1 &
subs=$!
wait_for 10 grep -q '"type":"snapshot"' "$T/sub1" || fail "no snapshot through the passed socket: $(cat "$T/sub1")"
python3 - "$T/sub1" <<'PY' || fail "subscriber through the passed socket: $(cat "$T/sub1")"
import json, sys
m = [json.loads(l) for l in open(sys.argv[1])]
assert m[0]["type"] == "hello" and m[0]["protocol"] == 1, m[0]
assert m[1]["type"] == "snapshot" and m[1]["markets"], m[1]
PY
stop
wait "$subs" 2>/dev/null || true
subs=""
grep -q '"type":"bye","reason":"shutdown"' "$T/sub1" || fail "no bye: $(cat "$T/sub1")"
[ -z "$(sock_inode any)" ] || fail "the socket outlived its only holder"

# A service restart under the socket unit: the holder keeps the socket, the
# daemon is stopped and started again.  The path and its inode stay; a
# client connecting while no daemon runs is served by the next one; a
# subscriber reconnects and resumes.
run=$((run + 1))
LOG=$T/log.$run
python3 "$TOP/tests/regress/listen-fds.py" --respawn 1 --delay 1 \
    --pidfile "$T/daemon.pid" "$SOCK" -- \
    "$PMSIGNALD" run --foreground --config "$T/pmsignald.json" \
    --state-dir "$T/state" 2>> "$LOG" &
pid=$!
wait_for 10 grep -q 'feeds, markets' "$LOG" || fail "no start: $(cat "$LOG")"
d1=$(cat "$T/daemon.pid")
inode=$(sock_inode)
"$PMSIGNALCTL" --socket "$SOCK" tail --json > "$T/sub2" 2> "$T/sub2.err" &
subs=$!
wait_for 10 grep -q '"type":"snapshot"' "$T/sub2" || fail "no snapshot: $(cat "$T/sub2.err")"
kill -TERM "$d1"
wait_for 10 sh -c "! kill -0 $d1" || fail "daemon $d1 did not stop"
[ -S "$SOCK" ] || fail "socket path gone while the daemon restarts"
[ "$(sock_inode)" = "$inode" ] || fail "socket inode changed from $inode to $(sock_inode)"
# Connects now (the listening socket is held), answered by the next daemon.
"$PMSIGNALCTL" --socket "$SOCK" status --json > "$T/status" 2> "$T/status.err" ||
	fail "status across the restart: $(cat "$T/status.err")"
d2=$(cat "$T/daemon.pid")
[ "$d2" != "$d1" ] || fail "daemon not restarted"
[ "$(grep -c 'socket activation: listening socket fd 3' "$LOG")" = 2 ] ||
	fail "the restarted daemon did not take the passed socket: $(cat "$LOG")"
[ "$(sock_inode)" = "$inode" ] || fail "socket inode changed after the restart"
wait_for 10 sh -c "[ \$(grep -c '\"type\":\"hello\"' '$T/sub2') -ge 2 ]" ||
	fail "subscriber did not reconnect: $(cat "$T/sub2" "$T/sub2.err")"
python3 - "$T/sub2" "$T/status" <<'PY' || fail "restart: $(cat "$T/sub2" "$T/status")"
import json, sys
m = [json.loads(l) for l in open(sys.argv[1])]
hellos = [x for x in m if x["type"] == "hello"]
assert len({h["session"] for h in hellos}) == 2, hellos
assert [x["reason"] for x in m if x["type"] == "bye"] == ["shutdown"], m
st = json.load(open(sys.argv[2]))
assert st["session"] == hellos[1]["session"], (st["session"], hellos)
PY
kill -TERM "$pid"
wait "$pid" || fail "exit status $? after SIGTERM: $(cat "$LOG")"
pid=""
kill "$subs" 2>/dev/null || true
subs=""

for kind in dgram unlistened; do
	run_activated --kind "$kind"
	expect_contains "$LOG" "socket activation: fd 3 is not a listening Unix stream socket; ignoring it"
	# The daemon held the only copy: once it lets go, the socket is gone.
	[ -z "$(sock_inode any)" ] || fail "$kind socket kept open by the daemon"
	stop
done

# Meant for another process: silently not ours.
run_activated --pid other
grep -q 'socket activation' "$LOG" && fail "took fds meant for pid 1: $(cat "$LOG")"
stop
exit 0
