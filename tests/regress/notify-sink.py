#!/usr/bin/env python3
"""notify-sink.py SOCKET LOG: a stand-in for systemd's notification socket.

Binds a Unix datagram socket at SOCKET (what NOTIFY_SOCKET names) and appends
one line per datagram to LOG: the CLOCK_MONOTONIC time of arrival in
seconds, a tab, then the message's NAME=VALUE fields joined by tabs.
Runs until killed.  Used by the regress tests in this directory.
"""
import os
import socket
import sys
import time


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: notify-sink.py SOCKET LOG")
    path, log = sys.argv[1], sys.argv[2]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    with open(log, "a", buffering=1) as out:
        out.write("%.6f\tSINK=ready\n" % time.monotonic())
        while True:
            data = sock.recv(65536)
            fields = data.decode("utf-8", "replace").split("\n")
            fields = [f for f in fields if f != ""]
            if any("\t" in f for f in fields):
                fields = [f.replace("\t", " ") for f in fields]
            out.write("%.6f\t%s\n" % (time.monotonic(), "\t".join(fields)))


if __name__ == "__main__":
    main()
