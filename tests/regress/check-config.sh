# check-config: every kind of bad config gives one line naming the file,
# the JSON path and the problem, with exit status 2; good configs print ok.
. "$TOP/tests/regress/lib.sh"

feed='{"name":"a","url":"https://example.org/rss"}'
n=0
# check NAME JSON EXPECTED-MESSAGE-AFTER-"FILE: "
check() {
	n=$((n + 1))
	printf '%s' "$2" > "$T/$1.json"
	set +e
	"$PMSIGNALD" check-config --config "$T/$1.json" > "$T/out" 2> "$T/err"
	rc=$?
	set -e
	[ "$rc" -eq 2 ] || fail "$1: exit status $rc, expected 2"
	[ "$(wc -l < "$T/err")" -eq 1 ] || fail "$1: expected one line, got: $(cat "$T/err")"
	[ "$(cat "$T/err")" = "$T/$1.json: $3" ] ||
		fail "$1: got '$(cat "$T/err")', expected '$T/$1.json: $3'"
	[ ! -s "$T/out" ] || fail "$1: printed on stdout: $(cat "$T/out")"
}

check unknown-key "{\"feeds\":[$feed],\"databse\":\"x.db\"}" "databse: unknown key"
check wrong-type "{\"feeds\":[$feed],\"log_level\":3}" \
	"log_level: must be a string, not a number"
check duplicate-first "{\"feeds\":[$feed,$feed,$feed,{\"name\":\"d\",\"url\":\"http://h/\",\"interval\":10}]}" \
	"feeds[1].name: duplicate feed name 'a' (also feeds[0])"
check interval-range "{\"feeds\":[$feed,{\"name\":\"b\",\"url\":\"http://h/\"},{\"name\":\"c\",\"url\":\"http://h/\"},{\"name\":\"d\",\"url\":\"http://h/\",\"interval\":10}]}" \
	"feeds[3].interval: must be between 30 and 86400 (got 10)"
check not-http '{"feeds":[{"name":"a","url":"gopher://h/"}]}' \
	"feeds[0].url: 'gopher://h/' is not an http:// or https:// URL"
check duplicate-name "{\"feeds\":[$feed,$feed]}" \
	"feeds[1].name: duplicate feed name 'a' (also feeds[0])"
check empty-feeds '{"feeds":[]}' "feeds: is empty: list at least one feed"
check syntax '{
  "feeds": [
    {"name": "a" "url": "http://h/"}
  ]
}' "JSON syntax error at line 3, column 18 (near '\"url\": \"http://')"
check credibility "{\"feeds\":[{\"name\":\"a\",\"url\":\"http://h/\",\"credibility\":-1}]}" \
	"feeds[0].credibility: must be between 0 and 1 (got -1)"
check log-level "{\"feeds\":[$feed],\"log_level\":\"verbose\"}" \
	"log_level: 'verbose' is not one of error, warn, info, debug"
check nested-unknown "{\"feeds\":[$feed],\"subscribers\":{\"maxclients\":5}}" \
	"subscribers.maxclients: unknown key"
[ "$n" -ge 8 ] || fail "too few cases"

# A missing file names the file.
set +e
"$PMSIGNALD" check-config --config "$T/nope.json" 2> "$T/err"; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "missing file: exit $rc"
expect_contains "$T/err" "$T/nope.json: No such file or directory"

# The bundled config is valid.
"$PMSIGNALD" check-config --config "$TOP/config/pmsignald.json" > "$T/out"
grep -q '^ok: .*pmsignald.json: [0-9]* feeds' "$T/out" || fail "bundled config: $(cat "$T/out")"
