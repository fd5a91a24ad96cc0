# backtest-export: the daemon's history replays the same from its database
# as from its export.  A database is filled with the bundled sample the way
# a daemon stores articles (plus one article whose text retention pruned),
# `pmsignald export` migrates it and writes the JSONL archive, and the
# backtests of the database and of the export write the same files.
. "$TOP/tests/regress/lib.sh"

MARKETS=$TOP/config/markets/ukraine-2025.json
RES=$TOP/config/backtest/ukraine-2025-resolutions.json
db=$T/history.db

python3 - "$TOP/tests/data/store/v1-schema.sql" "$TOP/config/backtest/ukraine-2025-sample.jsonl" "$db" <<'PY' || fail "cannot build the database"
import json, sqlite3, sys, datetime as dt
schema, sample, path = sys.argv[1:]
def epoch(s):
    if s is None:
        return None
    return int(dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")
               .replace(tzinfo=dt.timezone.utc).timestamp())
con = sqlite3.connect(path)
con.executescript(open(schema).read())
for i, line in enumerate(open(sample, encoding="utf-8")):
    a = json.loads(line)
    seen = epoch(a.get("first_seen")) or epoch(a["published"])
    con.execute("INSERT INTO articles (feed, guid, url, title, body, published,"
                " first_seen, simhash) VALUES (?,?,?,?,?,?,?,?)",
                (a["source"], a["id"], a["url"], a["title"], a["body"],
                 epoch(a["published"]), seen, i + 1))
con.execute("INSERT INTO articles (feed, guid, url, title, body, published,"
            " first_seen, simhash) VALUES ('wire-east', 'pruned-1', NULL,"
            " 'Trump and Putin held a phone call', NULL, NULL, 1766400000, 999)")
con.commit()
PY

"$PMSIGNALD" export --database "$db" >"$T/history.jsonl" 2>"$T/export.err" ||
	fail "export failed: $(cat "$T/export.err")"
[ "$(wc -l <"$T/history.jsonl")" -eq 110 ] || fail "export: $(wc -l <"$T/history.jsonl") lines"

for src in db jsonl; do
	case $src in db) archive=$db ;; jsonl) archive=$T/history.jsonl ;; esac
	"$PMSIGNALD" backtest --archive "$archive" --markets "$MARKETS" \
	    --resolutions "$RES" --out "$T/$src" >"$T/$src.stdout" 2>"$T/$src.stderr" ||
		{ cat "$T/$src.stderr"; fail "backtest of the $src failed"; }
done
for f in deltas.ndjson trajectories.csv summary.json; do
	cmp "$T/db/$f" "$T/jsonl/$f" || fail "$f: the database and its export replay differently"
done
expect_contains "$T/db.stdout" "110 articles replayed, 1 with text pruned by retention skipped"
expect_contains "$T/jsonl.stdout" "110 articles replayed"
# And the same deltas as the bundled sample itself.
"$PMSIGNALD" backtest --archive "$TOP/config/backtest/ukraine-2025-sample.jsonl" \
    --markets "$MARKETS" --out "$T/sample" >/dev/null 2>&1 || fail "sample backtest failed"
cmp "$T/sample/deltas.ndjson" "$T/db/deltas.ndjson" || fail "the database replays unlike the sample"
exit 0
