#!/usr/bin/env python3
"""listen-fds.py [--kind KIND] [--pid other] [--respawn N --pidfile FILE
                [--delay S]] PATH -- COMMAND [ARG...]

Plays systemd's part in socket activation: creates a socket at PATH, puts it
at fd 3, sets LISTEN_FDS=1, LISTEN_PID (this process's pid, which exec
keeps, or with --pid other pid 1) and LISTEN_FDNAMES, then execs COMMAND.
KIND is "stream" (a listening Unix stream socket, the default), "unlistened"
(bound, no listen()) or "dgram" (a Unix datagram socket).

With --respawn N it stays, holding the socket the way the socket unit does,
and runs COMMAND as a child (its pid in FILE), starting it again S seconds
(default 1) after it exits, N times: a service restart under the same
socket.  SIGTERM to it is passed to the child and ends the respawning; it
exits with the last child's status.
"""
import argparse
import os
import signal
import socket
import time


def make_socket(kind, path):
    if os.path.exists(path):
        os.unlink(path)
    if kind == "dgram":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.bind(path)
        return s
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    if kind == "stream":
        s.listen(16)
    return s


def supervise(args, command):
    """Run command again and again under the held socket (--respawn)."""
    state = {"child": 0, "stop": False}

    def on_term(signum, frame):
        state["stop"] = True
        if state["child"]:
            os.kill(state["child"], signal.SIGTERM)

    signal.signal(signal.SIGTERM, on_term)
    status = 0
    for run in range(args.respawn + 1):
        if state["stop"]:
            break
        if run > 0:
            time.sleep(args.delay)
        child = os.fork()
        if child == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.environ["LISTEN_PID"] = str(os.getpid())
            os.execvp(command[0], command)
        state["child"] = child
        with open(args.pidfile + ".tmp", "w") as f:
            f.write("%d\n" % child)
        os.rename(args.pidfile + ".tmp", args.pidfile)
        while True:
            try:
                _, st = os.waitpid(child, 0)
                break
            except InterruptedError:
                continue
        state["child"] = 0
        status = os.waitstatus_to_exitcode(st)
    return status if status >= 0 else 128 - status


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", choices=["stream", "unlistened", "dgram"],
                    default="stream")
    ap.add_argument("--pid", choices=["self", "other"], default="self")
    ap.add_argument("--respawn", type=int, default=-1)
    ap.add_argument("--pidfile")
    ap.add_argument("--delay", type=float, default=1.0)
    ap.add_argument("path")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        ap.error("no command")
    s = make_socket(args.kind, args.path)
    if s.fileno() != 3:
        os.dup2(s.fileno(), 3)
        s.close()
    os.set_inheritable(3, True)
    os.environ["LISTEN_FDS"] = "1"
    os.environ["LISTEN_PID"] = str(os.getpid() if args.pid == "self" else 1)
    os.environ["LISTEN_FDNAMES"] = "pmsignald.socket"
    if args.respawn >= 0:
        if not args.pidfile:
            ap.error("--respawn needs --pidfile")
        raise SystemExit(supervise(args, command))
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
