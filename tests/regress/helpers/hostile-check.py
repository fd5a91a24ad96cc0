#!/usr/bin/env python3
"""hostile-check.py: the verdict of tests/regress/hostile-feeds.sh.

Usage: hostile-check.py DIR RUN_SECONDS RSS_LIMIT_KB UNIT_MS SLACK_MS

DIR holds what the test collected: srv/ports.json and srv/requests.log (the
hostile server's), status (pmsignalctl status --json), log.before and
log.after (the daemon's log just before and after that status), log (the
whole log), replay (every stored delta, replayed with --since 0), hwm
(VmHWM), t0 and t1 (epoch seconds around the run), secret (the XXE target)
and state/pmsignald.db.  Every problem found is printed; the exit status is
1 if there was any.  The last line printed is the figures line.
"""
import json
import os
import re
import sqlite3
import sys

OK, FAIL = "ok", "fail"
# name: (outcome, entries seen when ok / reason regex when failing)
EXPECT = {
    "h-rss": (OK, 3), "h-atom": (OK, 3), "h-json": (OK, 3), "h-grow": (OK, 10),
    "xxe": (OK, 1), "many-entries": (OK, 10000), "tiny-entries": (OK, 250000),
    "huge-title": (OK, 2),
    "huge-ids": (OK, 1), "future-dates": (OK, 2), "past-dates": (OK, 3),
    "duplicate-ids": (OK, 52), "invalid-utf8": (OK, 1), "nul-bytes": (OK, 1),
    "deep-html": (OK, 1), "wrong-ctype": (OK, 3), "lying-ctype-json": (OK, 3),
    "lying-charset": (OK, 1),
    "billion-laughs": (FAIL, r"parse error: entity expansion exceeds the limits"),
    "quadratic": (FAIL, r"parse error: entity expansion exceeds the limits"),
    "deep-nesting": (FAIL, r"parse error: elements nested deeper than 1024 levels"),
    "json-bomb": (FAIL, r"parse error: JSON Feed: nested deeper than 1000 levels"),
    "json-values": (FAIL, r"parse error: JSON Feed: more than 500000 values"),
    "lying-ctype-html": (FAIL, r"parse error: not an RSS, RDF or Atom feed"),
    "empty-body": (FAIL, r"^empty body \(HTTP 200\)$"),
    "rate-limited": (FAIL, r"^HTTP 429 Too Many Requests, Retry-After 120 s$"),
    "huge-stream": (FAIL, r"^body larger than max_body \(8388608 bytes\), aborted$"),
    "huge-length": (FAIL, r"^body larger than max_body \(8388608 bytes\), aborted$"),
    "gzip-bomb": (FAIL, r"^body larger than max_body \(8388608 bytes\), aborted$"),
    "bad-gzip": (FAIL, r"unencoding|content encoding"),
    "bad-chunked": (FAIL, r"chunk"),
    "slow-drip": (FAIL, r"timed out after \d+ milliseconds|too slow"),
    "never-answers": (FAIL, r"timed out after \d+ milliseconds with 0 bytes"),
    "reset-mid-body": (FAIL, r"Connection reset by peer"),
    "truncated": (FAIL, r"transfer closed with \d+ bytes remaining"),
    "not-http": (FAIL, r"HTTP/0\.9"),
    "huge-headers": (FAIL, r"^response header line too long"),
    "endless-headers": (FAIL, r"[Hh]eader"),
    "redirect-loop": (FAIL, r"^Maximum \(5\) redirects followed$"),
    "redirect-file": (FAIL, r'^Protocol "file" not supported'),
    "redirect-ftp": (FAIL, r'^Protocol "ftp" not supported'),
    "tls-selfsigned": (FAIL, r"SSL certificate problem: self.signed certificate"),
    "refused": (FAIL, r"Failed to connect|Couldn't connect|Connection refused"),
}
HEALTHY = ["h-rss", "h-atom", "h-json", "h-grow"]
INTERVAL = 0.6          # the healthy feeds' 30 s: 30 * UNIT_MS / 1000 s
SLACK = 0.6             # how late a poll may come: SLACK_MS / 1000 s
FAR = {"future-1": "2100-01-01T00:00:00Z", "future-2": "9999-12-31T23:59:59Z"}

problems = []


def check(cond, msg):
    if not cond:
        problems.append(msg)
    return cond


def load(d):
    with open(os.path.join(d, "srv", "ports.json")) as f:
        ports = json.load(f)
    with open(os.path.join(d, "status")) as f:
        status = json.load(f)
    return ports, status


def failure_lines(path, name):
    """The poller's failure lines about feed name, in order."""
    pat = re.compile(r" warn: poller: feed %s \(" % re.escape(name))
    with open(path, errors="replace") as f:
        return [l for l in f if pat.search(l)]


def check_feeds(d, ports, status):
    """Health, last_error and exactly one log line per failed poll."""
    feeds = {f["name"]: f for f in status["feeds"]}
    check(set(feeds) == set(ports) == set(EXPECT),
          "feeds: status %s, server %s" % (sorted(feeds), sorted(ports)))
    failed = 0
    for name, (outcome, want) in sorted(EXPECT.items()):
        f = feeds.get(name)
        if not check(f is not None, "%s: not in status" % name):
            continue
        before = failure_lines(os.path.join(d, "log.before"), name)
        after = failure_lines(os.path.join(d, "log.after"), name)
        # Every failed poll is one line, and a line means a failed poll.
        check(len(before) <= f["failures"] <= len(after),
              "%s: %d failed polls but %d..%d log lines" %
              (name, f["failures"], len(before), len(after)))
        failed += f["failures"]
        if outcome == OK:
            check(f["health"] == "ok" and f["failures"] == 0 and
                  f["last_error"] is None,
                  "%s: should be healthy: %s" % (name, f))
            check(f["entries_seen"] == want,
                  "%s: entries_seen %s, want %d" % (name, f["entries_seen"], want))
            continue
        check(f["health"] == "failing" and f["failures"] >= 1 and
              f["consecutive_failures"] == f["failures"],
              "%s: should be failing: %s" % (name, f))
        check(f["last_error"] is not None and re.search(want, f["last_error"]),
              "%s: last_error %r does not match %r" % (name, f["last_error"], want))
        inline = want.lstrip("^").rstrip("$")
        for l in after:
            check(re.search(inline, l) and f["url"] in l,
                  "%s: log line without its reason or URL: %s" % (name, l.strip()))
    return failed


def check_log(d):
    """Every warning is a poll failure, bar the test's own time scaling."""
    allowed = re.compile(r"warn: poller: feed [\w.-]+ \(|"
                         r"warn: poller: time scaled|"
                         r"warn: PMSIGNALD_POLL_TIME_UNIT_MS")
    with open(os.path.join(d, "log"), errors="replace") as f:
        for l in f:
            if re.search(r"\]: (warn|error): ", l) and not allowed.search(l):
                check(False, "unexpected log line: %s" % l.strip()[:300])


def check_schedule(d, run):
    """The healthy feeds were polled every interval all along."""
    times = {}
    with open(os.path.join(d, "srv", "requests.log")) as f:
        for l in f:
            t, name, _ = l.split(" ", 2)
            times.setdefault(name, []).append(float(t))
    worst = 0.0
    for name in HEALTHY:
        v = times.get(name, [])
        gaps = [b - a for a, b in zip(v, v[1:])]
        worst = max([worst] + gaps)
        check(len(v) >= run / (INTERVAL * 1.1) * 0.8,
              "%s: only %d polls in %d s" % (name, len(v), run))
        # The interval with its jitter, plus at most SLACK of delay.
        check(not gaps or max(gaps) <= INTERVAL * 1.1 + SLACK,
              "%s: a gap of %.2f s between polls" % (name, max(gaps or [0])))
    return worst


def check_deltas(d, secret, t0, t1, status):
    """Replayed deltas: clean, bounded, and timed by first_seen."""
    with open(os.path.join(d, "replay"), "rb") as f:
        raw = f.read()
    check(secret not in raw, "the XXE target leaked into a delta")
    lines = [l for l in raw.decode("utf-8").splitlines()
             if l.startswith('{"type":"delta"')]
    deltas = [json.loads(l) for l in lines]
    seqs = [x["seq"] for x in deltas]
    check(seqs == list(range(1, status["seq"] + 1)),
          "replay: seqs %s.. not 1..%d" % (seqs[:5], status["seq"]))
    check(max(len(l) for l in lines) < 8192,
          "a delta line of %d bytes" % max(len(l) for l in lines))
    by_id = {}
    for x in deltas:
        check(x["market"] != "truce-later", "truce-later moved: %s" % x)
        check(x["cause"] != "close", "a market closed: %s" % x)
        ts = x["ts"]
        check("%s" % ts[:4] < "2100", "a delta from the future: %s" % x)
        if x["article"]:
            by_id[x["article"]["id"]] = x
    for aid, claimed in FAR.items():
        x = by_id.get(aid)
        if not check(x is not None, "no delta for %s" % aid):
            continue
        a = x["article"]
        check(a["published"] == claimed and x["ts"] == a["first_seen"] and
              t0 <= iso_epoch(a["first_seen"]) <= t1 and x["market"] == "truce-now",
              "%s not timed by first_seen: %s" % (aid, x))
    x = by_id.get("huge-title-1")
    if check(x is not None, "no delta for the 1 MB title"):
        check(len(x["article"]["title"].encode()) <= 1024 and
              x["article"]["title"].startswith("Armistice x") and
              x["article"]["title"].endswith("\u2026"),
              "1 MB title not cut: %d bytes" % len(x["article"]["title"]))
    check(any(x["market"] == "harbour" and x["cause"] == "article" for x in deltas),
          "the growing feed moved nothing")
    markets = {m["id"]: m for m in status["markets"]}
    check(markets["truce-now"]["status"] == "open" and
          markets["truce-later"]["status"] == "pending",
          "market status: %s" % status["markets"])
    return len(deltas)


def iso_epoch(s):
    import calendar
    import time
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


def check_store(d, secret):
    """What was stored: bounded, valid, deduplicated, nothing leaked."""
    db = os.path.join(d, "state", "pmsignald.db")
    for p in (db, db + "-wal"):
        if os.path.exists(p):
            with open(p, "rb") as f:
                check(secret not in f.read(), "the XXE target leaked into %s" % p)
    con = sqlite3.connect(db)
    con.text_factory = bytes
    rows = con.execute("SELECT feed, guid, url, title, body, published "
                       "FROM articles").fetchall()
    per = {}
    for feed, guid, url, title, body, published in rows:
        feed = feed.decode()
        per.setdefault(feed, []).append((guid, url, title, body, published))
        for v in (guid, url, title, body):
            if v is not None:
                check(b"\0" not in v, "%s: NUL stored" % feed)
                try:
                    v.decode("utf-8")
                except UnicodeDecodeError:
                    check(False, "%s: invalid UTF-8 stored" % feed)
        check(title is None or len(title) <= 1024,
              "%s: title of %d bytes stored" % (feed, len(title or b"")))
        check(len(guid) <= 512 and (url is None or len(url) <= 4096),
              "%s: id of %d / url of %d bytes stored" %
              (feed, len(guid), len(url or b"")))
    # The newest 1000 of 10,000, though the feed lists them oldest first.
    many = sorted(int(g.split(b"-")[1]) for g, *_ in per.get("many-entries", []))
    check(many == list(range(9000, 10000)),
          "many-entries: %d articles, %s..%s" % (len(many), many[:1], many[-1:]))
    check(len(per.get("tiny-entries", [])) == 1000,
          "tiny-entries: %d articles" % len(per.get("tiny-entries", [])))
    dups = sorted(g.decode() for g, *_ in per.get("duplicate-ids", []))
    check(dups == ["dup-pair", "dup-same"], "duplicate-ids: %s" % dups)
    ids = per.get("huge-ids", [])
    check(len(ids) == 1 and ids[0][0].startswith(b"pmsignal:long-id:") and
          ids[0][1] is None, "huge-ids: %s" % [(g[:40], u) for g, u, *_ in ids])
    xxe = per.get("xxe", [])
    check(len(xxe) == 1 and b"&leak;" in xxe[0][2], "xxe: %s" % xxe)
    past = sorted(p for *_, p in per.get("past-dates", []))
    check(past == [-62135596800, -2208988800, 0], "past-dates: %s" % past)
    check(len(per.get("h-grow", [])) >= 20,
          "h-grow: only %d articles" % len(per.get("h-grow", [])))
    for feed in ("billion-laughs", "quadratic", "deep-nesting", "json-bomb", "json-values",
                 "lying-ctype-html", "gzip-bomb"):
        check(feed not in per, "%s: articles stored from a refused feed" % feed)
    return len(rows)


def main():
    global INTERVAL, SLACK
    d, run, limit_kb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    INTERVAL = 30 * int(sys.argv[4]) / 1000.0
    SLACK = int(sys.argv[5]) / 1000.0
    ports, status = load(d)
    with open(os.path.join(d, "secret"), "rb") as f:
        secret = f.read().strip()
    t0, t1 = (int(open(os.path.join(d, n)).read()) for n in ("t0", "t1"))
    hwm_kb = int(open(os.path.join(d, "hwm")).read().split()[1])
    failed = check_feeds(d, ports, status)
    check_log(d)
    worst = check_schedule(d, run)
    ndeltas = check_deltas(d, secret, t0, t1, status)
    narticles = check_store(d, secret)
    with open(os.path.join(d, "log"), "rb") as f:
        check(secret not in f.read(), "the XXE target leaked into the log")
    check(hwm_kb <= limit_kb, "peak RSS %d KiB over the %d KiB bound" %
          (hwm_kb, limit_kb))
    for p in problems:
        print("hostile-feeds: " + p)
    print("figures: hostile-feeds: %d feeds (%d misbehaving) for %d s: peak RSS "
          "(VmHWM) %.1f MiB; %d failed polls, each one log line; healthy feeds' "
          "worst gap %.2f s (interval %.2f-%.2f s); %d articles, %d deltas" %
          (len(ports), len(ports) - len(HEALTHY), run, hwm_kb / 1024.0, failed,
           worst, INTERVAL * 0.9, INTERVAL * 1.1, narticles, ndeltas))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
