#!/usr/bin/env python3
"""prom-check.py: a strict checker of the Prometheus text exposition format
(version 0.0.4), and a tiny HTTP client for the regress tests.

  prom-check.py get URL       fetch URL; it must answer 200 with
                              Content-Type text/plain; version=0.0.4; then
                              check the body like `check`
  prom-check.py check FILE    check FILE ("-": stdin); on success print one
                              canonical line per sample, "name{a="x"} value",
                              labels in the order given; on error print
                              "LINE N: problem" and exit 1
  prom-check.py status METHOD URL
                              print the HTTP status code of one request

Rules enforced (beyond the grammar): every sample belongs to a family whose
# TYPE came before it; a family's samples are contiguous; no series twice;
HELP and TYPE at most once per family; counters end in _total and are
never negative; histograms have increasing `le` buckets whose cumulative
counts never decrease, end with le="+Inf" equal to _count, and have _sum;
the text ends with a newline.
"""
import http.client
import math
import re
import sys
import urllib.parse

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")
SAMPLE_RE = re.compile(r"^(%s)(\{[^\n]*\})? ([^ ]+)( -?[0-9]+)?$" % NAME)
LABEL_RE = re.compile(r'(%s)="((?:[^"\\\n]|\\[\\"n])*)"' % LABEL)


class Bad(Exception):
    pass


def parse_value(text):
    """A Go-style float: decimal, exponent, NaN, +Inf, -Inf."""
    if text in ("NaN", "+Inf", "-Inf", "Inf"):
        return float(text.replace("Inf", "inf").replace("NaN", "nan"))
    if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?",
                        text):
        raise Bad("bad sample value %r" % text)
    return float(text)


def parse_labels(text):
    """'{a="x",b="y"}' -> [(a, x), (b, y)], strictly."""
    if text is None:
        return []
    body, labels, pos = text[1:-1], [], 0
    while pos < len(body):
        m = LABEL_RE.match(body, pos)
        if not m:
            raise Bad("bad label at %r" % body[pos:])
        name = m.group(1)
        if name.startswith("__"):
            raise Bad("reserved label name %s" % name)
        if any(name == n for n, _ in labels):
            raise Bad("label %s twice" % name)
        labels.append((name, m.group(2)))
        pos = m.end()
        if pos < len(body):
            if body[pos] != ",":
                raise Bad("expected ',' in labels at %r" % body[pos:])
            pos += 1
            if pos == len(body):
                break            # a trailing comma is allowed
    return labels


def family_of(name, types):
    """The family a sample name belongs to (histogram suffixes)."""
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[: -len(suffix)]
        if name.endswith(suffix) and types.get(base) in ("histogram",
                                                           "summary"):
            return base
    return name


class Checker:
    def __init__(self):
        self.types, self.helps = {}, set()
        self.done, self.series = set(), set()
        self.current = None
        self.samples = []                  # (name, labels, value)

    def comment(self, line):
        parts = line.split(" ", 3)
        if len(parts) < 2 or parts[1] not in ("HELP", "TYPE"):
            return                         # a plain comment
        if len(parts) < 3 or not re.fullmatch(NAME, parts[2]):
            raise Bad("bad metric name in %s" % parts[1])
        name = parts[2]
        if parts[1] == "HELP":
            if name in self.helps:
                raise Bad("second HELP for %s" % name)
            self.helps.add(name)
            return
        if len(parts) != 4 or parts[3] not in TYPES:
            raise Bad("bad TYPE line for %s" % name)
        if name in self.types:
            raise Bad("second TYPE for %s" % name)
        if name in self.done or name == self.current:
            raise Bad("TYPE for %s after its samples" % name)
        self.types[name] = parts[3]

    def sample(self, line):
        m = SAMPLE_RE.match(line)
        if not m:
            raise Bad("not a sample line")
        name, labels = m.group(1), parse_labels(m.group(2))
        value = parse_value(m.group(3))
        family = family_of(name, self.types)
        if family not in self.types:
            raise Bad("sample %s without a TYPE before it" % name)
        if family != self.current:
            if family in self.done:
                raise Bad("samples of %s are not contiguous" % family)
            if self.current is not None:
                self.finish(self.current)
                self.done.add(self.current)
            self.current = family
        key = (name, tuple(sorted(labels)))
        if key in self.series:
            raise Bad("series %s%s twice" % (name, m.group(2) or ""))
        self.series.add(key)
        kind = self.types[family]
        if kind == "counter":
            if not name.endswith("_total"):
                raise Bad("counter %s does not end in _total" % name)
            if value < 0 or math.isnan(value):
                raise Bad("counter %s is %r" % (name, value))
        if kind == "histogram" and name == family:
            raise Bad("histogram %s has a bare sample" % name)
        self.samples.append((name, labels, value, m.group(3)))

    def finish(self, family):
        if self.types.get(family) != "histogram":
            return
        buckets, total, has_sum = [], None, False
        for name, labels, value, _ in self.samples:
            if name == family + "_bucket":
                le = dict(labels).get("le")
                if le is None:
                    raise Bad("bucket of %s without le" % family)
                buckets.append((parse_value(le), value))
            elif name == family + "_count":
                total = value
            elif name == family + "_sum":
                has_sum = True
        if not buckets or buckets[-1][0] != math.inf:
            raise Bad("histogram %s lacks le=\"+Inf\" last" % family)
        for (a, ca), (b, cb) in zip(buckets, buckets[1:]):
            if not a < b:
                raise Bad("histogram %s: le %g after %g" % (family, b, a))
            if cb < ca:
                raise Bad("histogram %s: bucket counts decrease" % family)
        if total is None or not has_sum:
            raise Bad("histogram %s lacks _count or _sum" % family)
        if total != buckets[-1][1]:
            raise Bad("histogram %s: _count %g != +Inf bucket %g" %
                      (family, total, buckets[-1][1]))

    def run(self, text):
        if text and not text.endswith("\n"):
            raise Bad("text does not end with a newline", 0)
        for n, line in enumerate(text.split("\n")[:-1], 1):
            try:
                if line == "":
                    continue
                if line.startswith("#"):
                    self.comment(line)
                else:
                    self.sample(line)
            except Bad as e:
                raise Bad("line %d: %s: %r" % (n, e.args[0], line)) from None
        if self.current is not None:
            self.finish(self.current)
        if not self.samples:
            raise Bad("no samples")


def canonical(samples):
    for name, labels, _, raw in samples:
        lab = ",".join('%s="%s"' % kv for kv in labels)
        print("%s%s %s" % (name, "{%s}" % lab if lab else "", raw))


def request(method, url):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.request(method, u.path or "/")
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp, body


def main(argv):
    if len(argv) == 3 and argv[1] == "check":
        src = sys.stdin if argv[2] == "-" else open(argv[2], encoding="utf-8")
        text = src.read()
    elif len(argv) == 3 and argv[1] == "get":
        resp, body = request("GET", argv[2])
        ctype = resp.getheader("Content-Type", "")
        if resp.status != 200:
            sys.exit("GET %s: status %d" % (argv[2], resp.status))
        if not ctype.startswith("text/plain; version=0.0.4"):
            sys.exit("GET %s: Content-Type %r" % (argv[2], ctype))
        text = body.decode("utf-8")
    elif len(argv) == 4 and argv[1] == "status":
        resp, _ = request(argv[2], argv[3])
        print(resp.status)
        return
    else:
        sys.exit(__doc__)
    checker = Checker()
    try:
        checker.run(text)
    except Bad as e:
        sys.exit(e.args[0])
    canonical(checker.samples)


if __name__ == "__main__":
    main(sys.argv)
