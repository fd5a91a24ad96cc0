#!/usr/bin/env python3
"""abusive-clients.py: misbehaving subscribers for tests/regress/abusive-clients.sh.

Usage: abusive-clients.py SOCKET SECONDS REPORT

Runs every abuse at once against the daemon's subscriber socket for about
SECONDS, then writes what each abuser saw to REPORT (JSON) and prints a
one-line summary.  Standard library only.

  flood      5,000 connection attempts at once (the process raises its own
             RLIMIT_NOFILE soft limit; if the hard limit is too low, fewer,
             and the report says how many); each must get a first line:
             hello, or the too_many_clients error.  Held 3 s, then half are
             closed and half reset.
  longline   lines without a newline of up to 10 MB: the server must answer
             line_too_long and hang up long before 10 MB.
  badjson    an unterminated JSON object: invalid_json, then hang-up.
  garbage    random bytes (with newlines): only error lines come back.
  noread     subscribers (live, and replaying from seq 0) that pipeline
             status requests and never read a byte.
  vanish     half a request line, then close or reset; subscribe with
             since 0, then reset mid-replay.  Over and over.
"""
import json
import os
import random
import resource
import select
import socket
import struct
import sys
import threading
import time

FLOOD = 5000
CODES = {"invalid_json", "line_too_long", "binary", "unknown_op", "bad_request",
         "since_ahead", "too_many_clients", "internal"}


def connect(path, timeout=10.0):
    """Connect, waiting while the backlog is full (EAGAIN), as clients do."""
    deadline = time.monotonic() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(path)
            return s
        except BlockingIOError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def session(path, r, name):
    """A connection past hello; while the server is full, try again."""
    for _ in range(200):
        s = connect(path)
        line = read_line(s)
        if line is not None and b'"type":"hello"' in line:
            return s
        s.close()
        if line is None or b'"too_many_clients"' not in line:
            r.problem("%s: first line %r" % (name, line))
        r.add("refused_then_retried")
        time.sleep(0.05)
    raise RuntimeError("%s: never got past hello" % name)


def read_line(s, limit=1 << 20):
    """One line (without the newline), or None at EOF / timeout / reset."""
    buf = b""
    while b"\n" not in buf and len(buf) < limit:
        try:
            chunk = s.recv(4096)
        except (socket.timeout, OSError):
            return None
        if not chunk:
            return None
        buf += chunk
    return buf.split(b"\n", 1)[0]


def read_all(s, limit=4 << 20, timeout=5.0):
    """Everything until EOF (or reset, or timeout): (bytes, eof seen)."""
    s.settimeout(timeout)
    out = b""
    while len(out) < limit:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            return out, False
        except OSError:
            return out, True
        if not chunk:
            return out, True
        out += chunk
    return out, False


def reset(s):
    """Close with a RST (SO_LINGER 0): the peer sees ECONNRESET."""
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    s.close()


def error_codes(data):
    """The codes of the error lines in data; None if any line is not one."""
    codes = []
    for line in data.split(b"\n"):
        if not line:
            continue
        try:
            m = json.loads(line)
        except ValueError:
            return None
        if m.get("type") in ("hello", "heartbeat"):
            continue
        if m.get("type") != "error" or m.get("code") not in CODES:
            return None
        codes.append(m["code"])
    return codes


class Report:
    def __init__(self):
        self.lock = threading.Lock()
        self.data = {}
        self.problems = []

    def add(self, key, n=1):
        with self.lock:
            self.data[key] = self.data.get(key, 0) + n

    def set(self, key, v):
        with self.lock:
            self.data[key] = v

    def problem(self, msg):
        with self.lock:
            if len(self.problems) < 50:
                self.problems.append(msg)


def raise_nofile(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < want:
        want = hard
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def flood(path, r):
    """FLOOD connection attempts at once; each must get an answer."""
    n = min(FLOOD, raise_nofile(FLOOD + 256) - 256)
    r.set("flood_attempts", n)
    t0 = time.monotonic()
    socks, pending = [], []
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setblocking(False)
        socks.append(s)
        pending.append(s)
    # Connect all; a full backlog says EAGAIN: try again until it takes us.
    deadline = t0 + 20
    while pending and time.monotonic() < deadline:
        still = []
        for s in pending:
            try:
                s.connect(path)
            except (BlockingIOError, InterruptedError):
                still.append(s)
            except OSError as e:
                r.problem("flood: connect: %s" % e)
        pending = still
        if pending:
            time.sleep(0.01)
    r.set("flood_unconnected", len(pending))
    # The first line of each.
    ep = select.epoll()
    bufs = {}
    for s in socks:
        if s not in pending:
            ep.register(s.fileno(), select.EPOLLIN)
            bufs[s.fileno()] = b""
    first = {}
    by_fd = {s.fileno(): s for s in socks}
    while len(first) < len(bufs) and time.monotonic() < deadline:
        for fd, _ in ep.poll(0.5):
            try:
                chunk = by_fd[fd].recv(4096)
            except OSError:
                chunk = b""
            bufs[fd] += chunk
            if b"\n" in bufs[fd] or not chunk:
                first[fd] = bufs[fd].split(b"\n", 1)[0]
                ep.unregister(fd)
    r.set("flood_seconds", round(time.monotonic() - t0, 2))
    hello = refused = other = 0
    for fd in bufs:
        line = first.get(fd)
        try:
            m = json.loads(line) if line else None
        except ValueError:
            m = None
        if m and m.get("type") == "hello":
            hello += 1
        elif m and m.get("type") == "error" and m.get("code") == "too_many_clients":
            refused += 1
        else:
            other += 1
    r.set("flood_hello", hello)
    r.set("flood_refused", refused)
    r.set("flood_unanswered", other)
    time.sleep(3)
    for i, s in enumerate(socks):
        if i % 2:
            reset(s)
        else:
            s.close()
    ep.close()


def longline(path, r, end):
    """10 MB without a newline, a few times over."""
    chunk = b"a" * 65536
    while time.monotonic() < end:
        s = session(path, r, "longline")
        sent = 0
        try:
            while sent < 10 * 1024 * 1024:
                s.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass
        data, eof = read_all(s, timeout=5)
        codes = error_codes(data)
        if codes != ["line_too_long"] or not eof:
            r.problem("longline: got %r (eof %s) after %d bytes" % (data[:200], eof, sent))
        r.add("longline_runs")
        r.set("longline_max_sent", max(sent, r.data.get("longline_max_sent", 0)))
        s.close()
        time.sleep(0.5)


def badjson(path, r, end):
    while time.monotonic() < end:
        s = session(path, r, "badjson")
        s.sendall(b'{"op":"subscribe",\n')
        data, eof = read_all(s, timeout=5)
        if error_codes(data) != ["invalid_json"] or not eof:
            r.problem("badjson: got %r (eof %s)" % (data[:200], eof))
        r.add("badjson_runs")
        s.close()
        time.sleep(0.2)


def garbage(path, r, end):
    rnd = random.Random(42)
    while time.monotonic() < end:
        s = session(path, r, "garbage")
        blob = bytes(rnd.getrandbits(8) for _ in range(64 * 1024))
        try:
            s.sendall(blob)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        data, _ = read_all(s, timeout=5)
        codes = error_codes(data)
        if codes is None or not codes:
            r.problem("garbage: not error lines: %r" % data[:200])
        r.add("garbage_runs")
        r.add("garbage_errors", len(codes or []))
        s.close()
        time.sleep(0.2)


def noread(path, r, end, since):
    """Subscribe, then pipeline status requests and never read."""
    s = session(path, r, "noread")
    s.sendall(b'{"op":"subscribe","since":0}\n' if since else b'{"op":"subscribe"}\n')
    s.settimeout(1.0)
    req = b'{"op":"status"}\n' * 64
    closed = False
    while time.monotonic() < end:
        try:
            s.sendall(req)
        except socket.timeout:
            time.sleep(0.2)      # the server stopped reading: good
        except OSError:
            closed = True        # closed as a slow consumer
            break
    r.add("noread_closed" if closed else "noread_open")
    reset(s)


def vanish(path, r, end):
    i = 0
    while time.monotonic() < end:
        i += 1
        s = connect(path)
        try:
            if i % 3 == 0:
                s.sendall(b'{"op":"subscribe","since":0}\n')
                time.sleep(0.01)
            else:
                s.sendall(b'{"op":"subs')
        except OSError:
            # Refused while the flood holds every client slot: the
            # daemon said too_many_clients and closed first.
            r.add("vanish_refused")
        if i % 2:
            reset(s)
        else:
            s.close()
        r.add("vanish_runs")
        time.sleep(0.01)


def main():
    path, seconds, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    r = Report()
    end = time.monotonic() + seconds
    threads = [threading.Thread(target=flood, args=(path, r))]
    for _ in range(4):
        threads.append(threading.Thread(target=longline, args=(path, r, end)))
    threads.append(threading.Thread(target=badjson, args=(path, r, end)))
    threads.append(threading.Thread(target=garbage, args=(path, r, end)))
    for i in range(40):
        threads.append(threading.Thread(target=noread, args=(path, r, end, i % 2)))
    for _ in range(2):
        threads.append(threading.Thread(target=vanish, args=(path, r, end)))
    for t in threads:
        t.daemon = True
        t.start()
    for t in threads:
        t.join(seconds + 60)
    r.set("problems", r.problems)
    with open(out, "w") as f:
        json.dump(r.data, f, indent=1, sort_keys=True)
    print(json.dumps({k: v for k, v in r.data.items() if k != "problems"},
                     sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
