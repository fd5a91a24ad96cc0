#!/usr/bin/env python3
"""listen-fds.py [--kind KIND] [--pid other] PATH -- COMMAND [ARG...]

Plays systemd's part in socket activation: creates a socket at PATH, puts it
at fd 3, sets LISTEN_FDS=1, LISTEN_PID (this process's pid, which exec
keeps, or with --pid other pid 1) and LISTEN_FDNAMES, then execs COMMAND.
KIND is "stream" (a listening Unix stream socket, the default), "unlistened"
(bound, no listen()) or "dgram" (a Unix datagram socket).
"""
import argparse
import os
import socket


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", choices=["stream", "unlistened", "dgram"],
                    default="stream")
    ap.add_argument("--pid", choices=["self", "other"], default="self")
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
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
