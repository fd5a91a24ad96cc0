#!/usr/bin/env python3
"""hostile-server.py: misbehaving feed servers for tests/regress/hostile-feeds.sh.

Every behaviour gets its own listening port on 127.0.0.1 (a "host" of its
own, as on the internet, so the poller's per-host cap never makes a healthy
feed wait behind a hostile one).  Once all are listening, DIR/ports.json maps
each behaviour name to its port; every request is appended to
DIR/requests.log as "MONOTONIC_SECONDS NAME PATH".

Usage: hostile-server.py DIR --secret FILE --cert CERT --key KEY

NAMES (at the end) lists the behaviours, each a Handler.b_NAME method, and
the port "refused" has nobody listening; docs/TESTING.md has the table,
hostile-check.py the expectations.  Everything is generated here, standard
library only: the 2 GB bodies are streamed and never held in memory, the big
documents (gzip bomb included) are made once at start-up.
"""
import argparse
import http.server
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time
import zlib

GROW_STEP = 0.4          # seconds between new articles of the "h-grow" feed
BIG = 2 * 1024 ** 3      # the 2 GB bodies
LOG_LOCK = threading.Lock()


def rss(items, channel="hostile", decl='<?xml version="1.0" encoding="utf-8"?>',
        doctype=""):
    return ('%s%s<rss version="2.0"><channel><title>%s</title>'
            "<link>http://news.test/</link>%s</channel></rss>"
            % (decl, doctype, channel, "".join(items)))


def item(guid, title, body, date=None):
    d = "<pubDate>%s</pubDate>" % date if date else ""
    return ("<item><title>%s</title><link>http://news.test/%s</link>"
            "<guid>%s</guid>%s<description>%s</description></item>"
            % (title, guid, guid, d, body))


# Only the far-future feed speaks of a ceasefire, only the 1 MB title of an
# armistice, only the growing feed of the harbour: each moves its own market.
NEUTRAL = ("Forecasters expect temperatures to fall below zero overnight in "
           "the northern districts, with clear skies and light winds.")
TRUCE = ("Negotiators for Russia and Ukraine announced a general ceasefire "
         "along the whole front line, officials from both governments said.")
HARBOUR = ["The harbour reopened after the storm, the port authority said.",
           "The harbour closed again as the storm returned, the port authority said."]


def healthy_rss():
    return rss([item("rss-%d" % i, "Weather report %d" % i, NEUTRAL)
                for i in range(3)], "healthy rss").encode()


def healthy_atom():
    entries = "".join(
        "<entry><id>urn:atom:%d</id><title>Harbour news %d</title>"
        '<link href="http://news.test/atom/%d"/>'
        "<updated>2026-01-0%dT10:00:00Z</updated><summary>%s</summary></entry>"
        % (i, i, i, i + 1, NEUTRAL) for i in range(3))
    return ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">'
            "<title>healthy atom</title><id>urn:atom</id>"
            "<updated>2026-01-03T10:00:00Z</updated>%s</feed>" % entries).encode()


def healthy_json():
    return json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "healthy json",
        "items": [{"id": "json-%d" % i, "title": "Market day %d" % i,
                   "url": "http://news.test/json/%d" % i,
                   "content_text": NEUTRAL} for i in range(3)]}).encode()


def grow_feed():
    n = int(time.time() / GROW_STEP)
    items = [item("grow-%d" % i, "Port bulletin %d" % i,
                  "%s Bulletin number %d." % (HARBOUR[i % 2], i))
             for i in range(n, n - 10, -1)]
    return rss(items, "grow").encode()


def xxe_feed(secret):
    doctype = ('<!DOCTYPE rss [<!ENTITY leak SYSTEM "file://%s">'
               '<!ENTITY %% pleak SYSTEM "file://%s"> %%pleak; ]>'
               % (secret, secret))
    return rss([item("xxe-1", "Leak &leak; probe", "before &leak; after")],
               "xxe &leak;", doctype=doctype).encode()


def laughs_feed():
    ents = ['<!ENTITY l0 "lol">']
    for i in range(1, 10):
        ents.append('<!ENTITY l%d "%s">' % (i, ("&l%d;" % (i - 1)) * 10))
    doctype = "<!DOCTYPE rss [%s]>" % "".join(ents)
    return rss([item("laughs-1", "&l9;", "&l9;")], doctype=doctype).encode()


def quadratic_feed():
    doctype = '<!DOCTYPE rss [<!ENTITY a "%s">]>' % ("a" * 100000)
    return rss([item("quad-1", "q", "&a;" * 50000)], doctype=doctype).encode()


def gzip_bomb():
    """256 MiB of spaces, gzip-compressed (260 KB on the wire)."""
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b" " * (1 << 20)
    parts = [c.compress(b'<?xml version="1.0"?><rss version="2.0"><channel>')]
    for _ in range(256):
        parts.append(c.compress(chunk))
    parts.append(c.flush())
    return b"".join(parts)


def many_entries():
    """10,000 entries, oldest first (one a minute from 1 January 2026)."""
    base = 1767225600
    return rss([item("many-%d" % i, "Council minutes %d" % i,
                     "Item %d of the agenda: road works on street %d." % (i, i),
                     time.strftime("%a, %d %b %Y %H:%M:%S GMT",
                                   time.gmtime(base + 60 * i)))
                for i in range(10000)], "many").encode()


def tiny_entries():
    """250,000 entries in 7.5 MB, just under max_body."""
    return rss(["<item><guid>t%d</guid></item>" % i for i in range(250000)],
               "tiny").encode()


def huge_title():
    title = "Armistice " + "x" * (1024 * 1024)
    return rss([item("huge-title-1", title, NEUTRAL),
                item("huge-title-2", "Short title", "y" * (1024 * 1024))]).encode()


def future_dates():
    return rss([
        item("future-1", "Ceasefire agreed along the front line",
             TRUCE, "Fri, 01 Jan 2100 00:00:00 GMT"),
        item("future-2", "Ceasefire holds for a decade", TRUCE,
             "9999-12-31T23:59:59Z"),
    ], "future").encode()


def past_dates():
    return rss([
        item("past-1", "Archive: the old days", NEUTRAL,
             "Mon, 01 Jan 1900 00:00:00 GMT"),
        item("past-2", "Archive: the first item", NEUTRAL, "0001-01-01T00:00:00Z"),
        item("past-3", "Archive: epoch", NEUTRAL, "Thu, 01 Jan 1970 00:00:00 GMT"),
    ], "past").encode()


def huge_ids():
    i = item("g" * 100000, "Long identity", NEUTRAL)
    return rss([i.replace("http://news.test/" + "g" * 100000,
                          "http://news.test/" + "l" * 100000)]).encode()


def deep_html():
    """A description that nests two million <b> (6 MB)."""
    return rss([item("deep-html-1", "Deep markup",
                     "<![CDATA[" + "<b>" * 2000000 + "deep]]>")]).encode()


def duplicate_ids():
    items = [item("dup-same", "Copy number %d" % i, NEUTRAL) for i in range(50)]
    items += [item("dup-pair", "Pair %d" % i, NEUTRAL) for i in range(2)]
    return rss(items, "dups").encode()


def invalid_utf8():
    return (b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            b"<title>bad \xff bytes</title>"
            b"<item><guid>utf8-1</guid><title>Caf\xc3\xa9 \xc3\x28 na\xefve \xed\xa0\x80 end</title>"
            b"<description>Lone \x80 continuation, overlong \xc0\xaf, "
            b"truncated \xe2\x82</description></item></channel></rss>")


def nul_bytes():
    return (b'<?xml version="1.0"?><rss version="2.0"><channel><title>n\x00ul</title>'
            b"<item><guid>nul-1</guid><title>Title with \x00 NUL \x00 bytes</title>"
            b"<description>Body \x00\x00 with NULs</description></item>"
            b"</channel></rss>")


def html_page():
    return (b"<!DOCTYPE html><html><head><title>Welcome</title></head><body>"
            b"<h1>This is not a feed</h1><p>Log in to continue.</p></body></html>")


def deep_xml():
    return rss([item("deep-1", "deep", "<![CDATA[x]]>")]).replace(
        "<channel>", "<channel>" + "<x>" * 100000).encode()


def json_bomb():
    return b'{"version":"https://jsonfeed.org/version/1.1","items":' + \
        b"[" * 200000 + b"]" * 200000 + b"}"


def json_values():
    """A JSON Feed of one item whose member is 3.9 million zeros (7.5 MB):
    cJSON would spend 250 MB on its nodes."""
    return b'{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"v",' + \
        b'"title":"values","x":[0' + b",0" * 3900000 + b"]}]}"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    behaviour = None

    def log_message(self, fmt, *args):
        pass

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass

    def reply(self, body, ctype="application/rss+xml; charset=utf-8",
              extra=(), code=200, length=True):
        self.send_response(code)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in extra:
            self.send_header(k, v)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def reset(self):
        """Abort the connection with a TCP RST (SO_LINGER 0)."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   struct.pack("ii", 1, 0))
        self.connection.close()

    def stream(self, size):
        """Write size bytes of feed-looking XML until the peer gives up."""
        chunk = (item("big", "big", "b" * 4000) * 16).encode()
        sent = 0
        self.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
        try:
            while sent < size:
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass

    def do_GET(self):
        name = self.behaviour
        with LOG_LOCK, open(self.server.logpath, "a") as log:
            log.write("%.3f %s %s\n" % (time.monotonic(), name, self.path))
        getattr(self, "b_" + name.replace("-", "_"))()

    # ---- healthy feeds
    def b_h_rss(self):
        body = healthy_rss()
        etag = '"%08x"' % (zlib.crc32(body))
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.reply(body, extra=[("ETag", etag)])

    def b_h_atom(self):
        self.reply(healthy_atom(), "application/atom+xml")

    def b_h_json(self):
        self.reply(healthy_json(), "application/feed+json")

    def b_h_grow(self):
        self.reply(grow_feed())

    # ---- hostile documents
    def b_xxe(self):
        self.reply(xxe_feed(self.server.secret))

    def b_billion_laughs(self):
        self.reply(laughs_feed())

    def b_quadratic(self):
        self.reply(quadratic_feed())

    def b_many_entries(self):
        self.reply(self.server.store["many"])

    def b_tiny_entries(self):
        self.reply(self.server.store["tiny"])

    def b_huge_title(self):
        self.reply(self.server.store["huge"])

    def b_future_dates(self):
        self.reply(future_dates())

    def b_past_dates(self):
        self.reply(past_dates())

    def b_duplicate_ids(self):
        self.reply(duplicate_ids())

    def b_invalid_utf8(self):
        self.reply(invalid_utf8())

    def b_nul_bytes(self):
        self.reply(nul_bytes())

    def b_huge_ids(self):
        self.reply(huge_ids())

    def b_deep_html(self):
        self.reply(self.server.store["deep-html"])

    def b_deep_nesting(self):
        self.reply(self.server.store["deep"])

    def b_json_bomb(self):
        self.reply(self.server.store["jbomb"], "application/feed+json")

    def b_json_values(self):
        self.reply(self.server.store["jvalues"], "application/feed+json")

    # ---- hostile content types
    def b_wrong_ctype(self):
        self.reply(healthy_rss(), "image/png")

    def b_lying_ctype_html(self):
        self.reply(html_page(), "application/rss+xml")

    def b_lying_ctype_json(self):
        self.reply(healthy_json(), "application/rss+xml")

    def b_lying_charset(self):
        self.reply(rss([item("charset-1", "Caf\u00e9 na\u00efve \u2019quotes\u2019",
                             NEUTRAL)]).encode(), "application/rss+xml; charset=utf-16")

    def b_empty_body(self):
        self.reply(b"")

    def b_rate_limited(self):
        self.reply(b"slow down", "text/plain", [("Retry-After", "120")], 429)

    # ---- hostile transfers
    def b_huge_stream(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        self.stream(BIG)

    def b_huge_length(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(BIG))
        self.end_headers()
        self.stream(BIG)

    def b_gzip_bomb(self):
        self.reply(self.server.store["bomb"],
                   extra=[("Content-Encoding", "gzip")])

    def b_slow_drip(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        try:
            for c in rss([item("drip", "drip", NEUTRAL)]).encode():
                self.wfile.write(bytes([c]))
                time.sleep(0.5)
        except OSError:
            pass

    def b_never_answers(self):
        time.sleep(3600)

    def b_reset_mid_body(self):
        body = healthy_rss()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body) * 10))
        self.end_headers()
        self.wfile.write(body[:200])
        self.wfile.flush()
        time.sleep(0.05)
        self.reset()

    def b_truncated(self):
        body = healthy_rss()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body) + 5000))
        self.end_headers()
        self.wfile.write(body)

    def b_bad_gzip(self):
        self.reply(healthy_rss(), extra=[("Content-Encoding", "gzip")])

    def b_bad_chunked(self):
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n"
                         b"10\r\n<rss><channel>  \r\nzz-not-hex\r\n\r\n")

    def b_not_http(self):
        self.wfile.write(b"SSH-2.0-OpenSSH_9.2p1\r\n\x00\x01\x02 garbage\r\n\r\n")

    def b_huge_headers(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("X-Filler", "f" * (1024 * 1024))
        self.end_headers()
        self.wfile.write(healthy_rss())

    def b_endless_headers(self):
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n")
        line = b"X-Filler: " + b"f" * 100 + b"\r\n"
        try:
            while True:
                self.wfile.write(line * 100)
        except OSError:
            pass

    def b_redirect_loop(self):
        n = int(self.path.rsplit("=", 1)[-1]) if "=" in self.path else 0
        self.reply(b"", None, [("Location", "/loop?n=%d" % (n + 1))], 302)

    def b_redirect_file(self):
        self.reply(b"", None, [("Location", "file://%s" % self.server.secret)], 302)

    def b_redirect_ftp(self):
        self.reply(b"", None, [("Location", "ftp://127.0.0.1:%d/feed.xml"
                                % self.server.server_address[1])], 302)

    def b_tls_selfsigned(self):
        self.reply(healthy_rss())


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        pass


NAMES = """h-rss h-atom h-json h-grow
xxe billion-laughs quadratic many-entries tiny-entries huge-title huge-ids future-dates
past-dates duplicate-ids invalid-utf8 nul-bytes deep-nesting deep-html json-bomb json-values
wrong-ctype lying-ctype-html lying-ctype-json lying-charset empty-body
rate-limited huge-stream huge-length gzip-bomb bad-gzip bad-chunked slow-drip
never-answers reset-mid-body truncated not-http huge-headers endless-headers
redirect-loop redirect-file redirect-ftp tls-selfsigned""".split()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--secret", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    a = ap.parse_args()
    store = {"many": many_entries(), "tiny": tiny_entries(),
             "huge": huge_title(), "deep": deep_xml(),
             "deep-html": deep_html(),
             "jbomb": json_bomb(), "jvalues": json_values(),
             "bomb": gzip_bomb()}
    shared = {"store": store,
              "secret": os.path.abspath(a.secret),
              "logpath": os.path.join(a.dir, "requests.log")}
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(a.cert, a.key)
    ports = {}
    for name in NAMES:
        handler = type("H_" + name, (Handler,), {"behaviour": name})
        srv = Server(("127.0.0.1", 0), handler)
        for k, v in shared.items():
            setattr(srv, k, v)
        if name == "tls-selfsigned":
            srv.socket = tls.wrap_socket(srv.socket, server_side=True,
                                         do_handshake_on_connect=False)
        ports[name] = srv.server_address[1]
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    # A port nobody listens on: connection refused.
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    ports["refused"] = probe.getsockname()[1]
    probe.close()
    with open(os.path.join(a.dir, "ports.json.tmp"), "w") as f:
        json.dump(ports, f)
    os.rename(os.path.join(a.dir, "ports.json.tmp"),
              os.path.join(a.dir, "ports.json"))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
