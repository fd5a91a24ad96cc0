# score: "pmsignald score" explains an article in a readable report or one
# JSON object; bad articles, times and market files are refused with one
# line and exit status 2.
. "$TOP/tests/regress/lib.sh"

M=$TOP/config/markets/ukraine-2025.json
A=$TOP/tests/data/score/a03-call-denied.json

# Human report: the moved market, its move and the evidence with modifiers.
"$PMSIGNALD" score --markets "$M" "$A" > "$T/out"
expect_contains "$T/out" "Kremlin denies weekend Putin-Trump phone call"
expect_contains "$T/out" "trump-putin-call-2025"
expect_contains "$T/out" "call-held"
expect_contains "$T/out" "(denial)"
expect_contains "$T/out" "without evidence"

# JSON: one object with the article and every open market.
"$PMSIGNALD" score --markets "$M" --json "$A" > "$T/json"
[ "$(wc -l < "$T/json")" -eq 1 ] || fail "--json printed more than one line"
expect_contains "$T/json" '{"article":{"id":"a03-call-denied"'
expect_contains "$T/json" '"id":"trump-putin-call-2025","p_before":'
expect_contains "$T/json" '"rule":"call-held"'
expect_contains "$T/json" '"modifiers":["denial"]'
grep -q '"delta":-0' "$T/json" || fail "the denied call did not go down: $(cat "$T/json")"

# Plain text on stdin (first line the title), at a given time.
printf 'Ceasefire agreed\nRussia and Ukraine agreed a full ceasefire on Monday.\n' |
    "$PMSIGNALD" score --markets "$M" --at 2025-12-10T12:00:00Z --json - > "$T/plain"
expect_contains "$T/plain" '"title":"Ceasefire agreed"'
expect_contains "$T/plain" '"at":"2025-12-10T12:00:00Z"'
expect_contains "$T/plain" '"rule":"ceasefire-agreed"'

# A JSON article is read as an archive line is: the HTML body becomes the
# text the pipeline scores (the span counts no tags), "published" may be a
# feed's date; score's own rules: no id needed, "text" stands for "body".
printf '{"title": "Talks", "text": "<p>Russia and Ukraine <b>agreed</b> a full ceasefire on Monday.</p>", "published": "Wed, 10 Dec 2025 12:00:00 GMT"}' > "$T/html.json"
"$PMSIGNALD" score --markets "$M" --json "$T/html.json" > "$T/html"
expect_contains "$T/html" '"at":"2025-12-10T12:00:00Z"'
expect_contains "$T/html" '"rule":"ceasefire-agreed","text":"agreed a full ceasefire","field":"text","span":[19,42]'

# Markets not open at the time are left out.
"$PMSIGNALD" score --markets "$M" --at 2025-11-20T00:00:00Z --json "$A" > "$T/early"
grep -q 'trump-putin-call-2025' "$T/early" && fail "a market not yet open was scored"

# refuse WHAT EXPECTED ARGS...: exit 2 and exactly one line on stderr.
refuse() {
	what=$1 expected=$2
	shift 2
	set +e
	"$PMSIGNALD" score "$@" > "$T/out" 2> "$T/err"
	rc=$?
	set -e
	[ "$rc" -eq 2 ] || fail "$what: exit status $rc, expected 2"
	[ "$(wc -l < "$T/err")" -eq 1 ] || fail "$what: expected one line: $(cat "$T/err")"
	grep -qF -- "$expected" "$T/err" || fail "$what: got '$(cat "$T/err")'"
}
printf '{"title": "x", "body": 3}' > "$T/bad.json"
refuse "bad article" "$T/bad.json: body: must be a string, not a number" --markets "$M" "$T/bad.json"
printf '{"title": "x",' > "$T/broken.json"
printf '{"title": "x", "boddy": "y"}' > "$T/typo.json"
refuse "unknown key" "$T/typo.json: boddy: unknown key" --markets "$M" "$T/typo.json"
printf '{"title": "", "text": ""}' > "$T/empty.json"
refuse "empty article" "$T/empty.json: no title and no body" --markets "$M" "$T/empty.json"
printf '{"title": "x", "published": "soon"}' > "$T/when.json"
refuse "bad published" "$T/when.json: published: not a time" --markets "$M" "$T/when.json"
refuse "broken JSON" "$T/broken.json: JSON syntax error at line 1" --markets "$M" "$T/broken.json"
refuse "bad time" "--at 'yesterday' is not an RFC 3339 time" --markets "$M" --at yesterday "$A"
printf '{"markets": [{"id": "x"}]}' > "$T/m.json"
refuse "bad markets" "$T/m.json: markets[0].question: missing (required)" --markets "$T/m.json" "$A"
refuse "missing file" "$T/none.json: No such file or directory" --markets "$M" "$T/none.json"
set +e
"$PMSIGNALD" score --markets "$M" > "$T/out" 2> "$T/err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "no file: exit status $rc, expected 2"
head -n 1 "$T/err" | grep -qF "give one FILE (or - for stdin)" || fail "no file: $(cat "$T/err")"
expect_contains "$T/err" "usage: pmsignald score"
echo "score: ok"
