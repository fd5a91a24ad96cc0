# parse-feed: the command prints one JSON object per document (file or
# stdin), honours FEED_CONTENT_TYPE and FEED_BASE_URL, and refuses bad
# input (not a feed, too large, entity bomb) with one line and status 2.
. "$TOP/tests/regress/lib.sh"

D=$TOP/tests/data/feed

# A file: the schema's fields, the scoring text.
"$PMSIGNALD" parse-feed "$D/rss20.xml" > "$T/out"
python3 - "$T/out" <<'PY' || fail "rss20.xml: unexpected JSON: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["title"] == "Harbor Town Ledger \u2013 World", d["title"]
assert len(d["entries"]) == 2
e = d["entries"][0]
for k in ("title", "link", "id", "published", "updated", "summary",
          "content", "author", "text"):
    assert k in e, k
assert e["published"] == 1741097700
assert e["updated"] is None
assert "tracker" not in e["text"] and e["text"].startswith("The council")
PY

# stdin, with the HTTP charset and the feed's URL.
FEED_CONTENT_TYPE="text/xml; charset=windows-1252" \
	"$PMSIGNALD" parse-feed - < "$D/cp1252-http.xml" > "$T/out"
expect_contains "$T/out" '"illformed":false'
expect_contains "$T/out" "$(printf 'Minister says \342\200\234no deal')"
FEED_BASE_URL=http://fallback.example/feed.rss \
	"$PMSIGNALD" parse-feed "$D/guid-fallback.xml" > "$T/out"
expect_contains "$T/out" '"link":"http://fallback.example/a/6"'

# refuse: check FILE-OR-DASH EXPECTED-STDERR [INPUT]
check() {
	set +e
	if [ -n "${3:-}" ]; then
		"$PMSIGNALD" parse-feed "$1" < "$3" > "$T/out" 2> "$T/err"
	else
		"$PMSIGNALD" parse-feed "$1" > "$T/out" 2> "$T/err"
	fi
	rc=$?
	set -e
	[ "$rc" -eq 2 ] || fail "$1: exit status $rc, expected 2"
	[ "$(wc -l < "$T/err")" -eq 1 ] || fail "$1: expected one line: $(cat "$T/err")"
	expect_contains "$T/err" "$2"
	[ ! -s "$T/out" ] || fail "$1: printed on stdout"
}
check "$D/not-a-feed.html" "not-a-feed.html: not an RSS, RDF or Atom feed"
check "$D/laughs.xml" "laughs.xml: entity expansion exceeds the limits"
check "$T/missing.xml" "missing.xml: No such file or directory"
# 100 MB: refused at once from a file, after 64 MiB from a pipe.
head -c 100000000 /dev/zero > "$T/big.xml"
check "$T/big.xml" "big.xml: document too large (100000000 bytes, limit 67108864)"
check - "<stdin>: document too large (100000000 bytes, limit 67108864)" "$T/big.xml"
set +e
cat "$T/big.xml" | "$PMSIGNALD" parse-feed - > "$T/out" 2> "$T/err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "100 MB pipe: exit status $rc, expected 2"
expect_contains "$T/err" "<stdin>: document too large (more than 67108864 bytes)"
rm -f "$T/big.xml"

# Usage.
set +e
"$PMSIGNALD" parse-feed > /dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "no argument: exit status $rc, expected 2"
