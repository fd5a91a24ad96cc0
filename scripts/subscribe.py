#!/usr/bin/env python3
"""Follow pmsignald's probability deltas, resuming after any disconnect.

A short standard-library client of the subscriber socket
(docs/PROTOCOL.md).  It remembers the last seq it saw and, when the daemon
restarts or the connection drops, reconnects with {"since": seq}: the
daemon replays what was missed, so no delta is lost or seen twice.

usage: subscribe.py [--socket PATH] [--market GLOB]... [--since SEQ]
                    [--json] [--count N]
"""
import argparse
import json
import os
import socket
import sys
import time


def messages(sock):
    """Yield each protocol line from the socket as a dict."""
    buf = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            yield json.loads(line)


def show(msg):
    """One line per delta: seq, market, old -> new, points, headline."""
    article = msg.get("article") or {}
    headline = article.get("title") or "(%s)" % msg["cause"]
    print("%8d  %-24s %5.1f%% -> %5.1f%%  %+5.1f pts  %s" % (
        msg["seq"], msg["market"], msg["prev"] * 100, msg["p"] * 100,
        (msg["p"] - msg["prev"]) * 100, headline), flush=True)


def follow(args, state):
    """One connection: subscribe (resuming if we can) and print deltas.
    Returns True when --count deltas have been printed."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect(args.socket)
    with sock:
        stream = messages(sock)
        hello = next(stream)
        if hello.get("type") != "hello":
            raise ConnectionError(hello.get("message", "no hello"))
        # Three missed heartbeats mean the daemon is gone.
        sock.settimeout(3 * hello.get("heartbeat", 5))
        request = {"op": "subscribe"}
        if args.market:
            request["markets"] = args.market
        if state["since"] is not None:
            request["since"] = state["since"]
        sock.sendall(json.dumps(request).encode() + b"\n")
        for msg in stream:
            kind = msg.get("type")
            if args.json and kind != "heartbeat":
                print(json.dumps(msg), flush=True)
            if kind == "delta":
                state["since"] = msg["seq"]
                if not args.json:
                    show(msg)
                state["seen"] += 1
                if args.count and state["seen"] >= args.count:
                    return True
            elif kind == "snapshot":
                state["since"] = max(state["since"] or 0, msg["as_of_seq"])
            elif kind == "gap":
                print("-- gap: seq %d..%d missed, snapshot follows" %
                      (msg["from"], msg["to"]), file=sys.stderr)
            elif kind in ("bye", "error"):
                print("-- %s: %s" % (kind, msg.get("reason") or
                                     msg.get("message")), file=sys.stderr)
                if kind == "bye":
                    return False
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--socket", default=os.environ.get(
        "PMSIGNAL_SOCKET", "/run/pmsignald/pmsignald.sock"))
    parser.add_argument("--market", action="append",
                        help="market id or glob (repeatable)")
    parser.add_argument("--since", type=int, help="replay after this seq")
    parser.add_argument("--json", action="store_true", help="raw lines")
    parser.add_argument("--count", type=int, help="exit after N deltas")
    args = parser.parse_args()
    state = {"since": args.since, "seen": 0}
    delay = 0.2
    while True:
        try:
            if follow(args, state):
                return 0
            delay = 0.2
        except (OSError, ValueError, StopIteration) as e:
            print("-- disconnected: %s" % (e or "connection closed"),
                  file=sys.stderr)
        time.sleep(delay)
        delay = min(delay * 2, 5)
        print("-- reconnecting%s" % ("" if state["since"] is None else
                                     " after seq %d" % state["since"]),
              file=sys.stderr)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
