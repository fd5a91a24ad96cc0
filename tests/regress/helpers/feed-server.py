#!/usr/bin/env python3
"""feed-server.py: a local HTTP feed server for end-to-end tests.

Serves the files of DIR at http://127.0.0.1:PORT/NAME, writes the port to
PORTFILE once listening, and logs each request (path and the conditional-GET
headers) to DIR/requests.log.  With --grow N it also serves /grow.xml, an
RSS feed that gains one new article every N seconds (the last 20 are
listed, or --grow-window W), for tests that need news arriving all the
time; --grow-articles FILE takes its articles (one "title<TAB>body" per
line, in turn) from FILE instead of the built-in ones.
/status-NNN answers with HTTP status NNN and a short text body.
/gate/NAME serves NAME once the file DIR/NAME.open exists (it waits up to
60 s, then answers 504): a transfer that stays in flight until the test
lets it finish.
"""
import argparse
import http.server
import os
import sys
import time

ARTICLES = [
    ("Russia and Ukraine agree general ceasefire along the front line",
     "Negotiators for Russia and Ukraine signed a general ceasefire agreement, "
     "officials from both governments said. The truce covers the entire front line."),
    ("Kremlin rules out ceasefire before territorial talks",
     "The Kremlin ruled out any ceasefire with Ukraine before talks on territory, "
     "a spokesman told reporters in Moscow."),
    ("Zelenskyy says no meeting with Putin is planned",
     "Ukrainian President Volodymyr Zelenskyy said no meeting with Vladimir Putin "
     "was being planned, dismissing reports of a summit."),
    ("Weather service warns of early frost in the north",
     "Forecasters expect temperatures to fall below zero overnight across the "
     "northern districts, with clear skies."),
    ("Envoys report progress on a security guarantee for Ukraine",
     "U.S. and Ukrainian envoys reported progress on a bilateral security "
     "guarantee agreement, though no text has been signed yet."),
]


def grow_feed(step, window, articles):
    n = int(time.time() / step)
    items = []
    for i in range(n, max(n - window, 0), -1):
        title, body = articles[i % len(articles)]
        items.append(
            "<item><title>%s (%d)</title><link>http://news.test/a/%d</link>"
            "<guid>grow-%d</guid><description>%s Report number %d.</description>"
            "</item>" % (title, i, i, i, body, i))
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>grow</title>'
            "<link>http://news.test/</link>%s</channel></rss>" % "".join(items))


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        with open(os.path.join(self.server.root, "requests.log"), "a") as log:
            log.write("%s inm=%s ims=%s\n" % (
                self.path, self.headers.get("If-None-Match"),
                self.headers.get("If-Modified-Since")))
        if self.path.startswith("/status-") and self.path[8:].isdigit():
            self.send_error(int(self.path[8:]))
            return
        if self.path.startswith("/gate/"):
            gate = os.path.join(self.server.root,
                                os.path.basename(self.path) + ".open")
            end = time.monotonic() + 60
            while not os.path.exists(gate):
                if time.monotonic() > end:
                    self.send_error(504)
                    return
                time.sleep(0.02)
        if self.path == "/grow.xml" and self.server.grow:
            body = grow_feed(self.server.grow, self.server.window,
                             self.server.articles).encode()
        else:
            path = os.path.join(self.server.root, os.path.basename(self.path))
            try:
                with open(path, "rb") as f:
                    body = f.read()
            except OSError:
                self.send_error(404)
                return
        etag = '"%x"' % (hash(body) & 0xffffffff)
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("portfile")
    ap.add_argument("--grow", type=float, default=0)
    ap.add_argument("--grow-window", type=int, default=20)
    ap.add_argument("--grow-articles")
    a = ap.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.root = a.dir
    srv.grow = a.grow
    srv.window = a.grow_window
    srv.articles = ARTICLES
    if a.grow_articles:
        with open(a.grow_articles, encoding="utf-8") as f:
            srv.articles = [tuple(l.rstrip("\n").split("\t", 1))
                            for l in f if "\t" in l]
    with open(a.portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(a.portfile + ".tmp", a.portfile)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
