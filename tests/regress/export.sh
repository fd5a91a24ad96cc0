# export: "pmsignald export" writes a database's articles as the JSONL
# archive (docs/ARCHIVE.md) in first_seen order, filtered by --since and
# --until, after migrating an older database; bad times, missing, foreign
# and newer databases are one clear line each.
. "$TOP/tests/regress/lib.sh"

command -v sqlite3 >/dev/null || fail "sqlite3 not found (scripts/install-deps installs it)"

# A version-1 database, as an old daemon left it, with articles stored out
# of first_seen order, awkward text, missing fields and one pruned text.
db=$T/p.db
sqlite3 "$db" < "$TOP/tests/data/store/v1-schema.sql"
sqlite3 "$db" <<'SQL'
INSERT INTO articles (feed, guid, url, title, body, published, first_seen, simhash)
VALUES ('wire', 'w-2', 'https://wire.example/2', 'Second "quoted" title',
        'Line one.' || char(10) || 'Tab' || char(9) || 'and ünïcödé — dash.',
        NULL, 1763510500, 1),
       ('gov', 'g-1', 'https://gov.example/1', 'First', 'Plain body.',
        1763500000, 1763510400, 2),
       ('wire', 'w-3', NULL, NULL, 'No title, no link.', 1763510000,
        1763600000, 3),
       ('wire', 'w-old', 'https://wire.example/old', 'Pruned', NULL, NULL,
        1763400000, 4);
SQL

cat > "$T/want" <<'EOF2'
{"id":"g-1","title":"First","body":"Plain body.","source":"gov","url":"https://gov.example/1","published":"2025-11-18T21:06:40Z","first_seen":"2025-11-19T00:00:00Z"}
{"id":"w-2","title":"Second \"quoted\" title","body":"Line one.\nTab\tand ünïcödé — dash.","source":"wire","url":"https://wire.example/2","published":null,"first_seen":"2025-11-19T00:01:40Z"}
{"id":"w-3","title":"","body":"No title, no link.","source":"wire","url":"","published":"2025-11-18T23:53:20Z","first_seen":"2025-11-20T00:53:20Z"}
EOF2

"$PMSIGNALD" export --database "$db" > "$T/out" 2> "$T/err" ||
	fail "export failed: $(cat "$T/err")"
cmp -s "$T/out" "$T/want" || { diff "$T/want" "$T/out"; fail "export output differs"; }
expect_contains "$T/err" "migrating schema from version 1 to 3"
expect_contains "$T/err" "pmsignald: export: 1 article skipped: text already pruned by retention"
[ "$(sqlite3 "$db" 'PRAGMA user_version')" = 3 ] || fail "not migrated"
python3 -c 'import json, sys
for line in sys.stdin:
    a = json.loads(line)
    assert sorted(a) == sorted(["id", "title", "body", "source", "url", "published", "first_seen"]), a' \
	< "$T/out" || fail "lines are not archive objects"

# Current schema now: opened read-only, nothing to migrate; a time window.
"$PMSIGNALD" export --database "$db" --since 2025-11-19T00:01:40Z \
	--until 2025-11-20T00:53:20Z > "$T/out" 2> "$T/err" || fail "window: $(cat "$T/err")"
[ "$(cat "$T/out")" = "$(sed -n 2p "$T/want")" ] || fail "window: got $(cat "$T/out")"
grep -q migrating "$T/err" && fail "migrated twice"
"$PMSIGNALD" export --database "$db" --since 2025-11-19T03:00:00+03:00 --until 2025-11-19 \
	> "$T/out" || fail "empty window failed"
[ ! -s "$T/out" ] || fail "empty window printed $(cat "$T/out")"

# The default database is the config's, in the state directory.
mkdir "$T/state"
cp "$db" "$T/state/history.db"
printf '{"feeds":[{"name":"a","url":"http://h/"}],"database":"history.db"}' > "$T/cfg.json"
"$PMSIGNALD" export --config "$T/cfg.json" --state-dir "$T/state" > "$T/out" ||
	fail "export from the config's database failed"
[ "$(wc -l < "$T/out")" -eq 3 ] || fail "config database: $(cat "$T/out")"

# Errors: exit 2 for bad usage, 1 for a database that cannot be exported.
expect_fail() {	# STATUS MESSAGE ARGS...
	_st=$1 _msg=$2; shift 2
	set +e
	"$PMSIGNALD" export "$@" > "$T/out" 2> "$T/err"; _rc=$?
	set -e
	[ "$_rc" -eq "$_st" ] || fail "export $*: status $_rc, expected $_st: $(cat "$T/err")"
	expect_contains "$T/err" "$_msg"
	[ ! -s "$T/out" ] || fail "export $*: printed $(cat "$T/out")"
}
expect_fail 2 "pmsignald: export: --since: 'yesterday' is not an RFC 3339 time" \
	--database "$db" --since yesterday
expect_fail 2 "unexpected argument 'extra'" --database "$db" extra
expect_fail 1 "$T/none.db: No such file or directory" --database "$T/none.db"
[ ! -e "$T/none.db" ] || fail "export created a database"
printf 'not a database, just text\n%.0s' $(seq 300) > "$T/junk.db"
expect_fail 1 "$T/junk.db: not an sqlite database" --database "$T/junk.db"
sqlite3 "$T/new.db" 'CREATE TABLE t (x); PRAGMA application_id = 1886221159; PRAGMA user_version = 9;'
expect_fail 1 "$T/new.db: schema version 9 is newer than this pmsignald supports (3)" \
	--database "$T/new.db"
sqlite3 "$T/other.db" 'CREATE TABLE t (x);'
expect_fail 1 "$T/other.db: an sqlite database, but not a pmsignald one" --database "$T/other.db"
