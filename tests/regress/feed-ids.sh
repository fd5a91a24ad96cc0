# feed-ids: a feed re-issues its articles under new ids between polls.
# Identity is feed + id and feed + link, so on the real daemon: the same
# articles under new guids but the same links are not scored again, nor is
# a known guid under a new link; a new guid with a new link is a new
# article; and all of this holds across a restart.  Checked in the store
# and in what a real subscriber receives.
. "$TOP/tests/regress/lib.sh"

mkdir -p "$T/www" "$T/state"
DB=$T/state/pmsignald.db
cat > "$T/markets.json" <<'JSON'
{ "markets": [
  { "id": "alpha-deal", "question": "Will the alpha deal be signed?", "kind": "binary",
    "opens": "2020-01-01T00:00:00Z", "prior": 0.3,
    "rules": [ { "name": "signed", "any": "alpha deal (signed|agreed)", "weight": 1.0 } ] },
  { "id": "beta-vote", "question": "Will the beta vote pass?", "kind": "binary",
    "opens": "2020-01-01T00:00:00Z", "prior": 0.4,
    "rules": [ { "name": "passed", "any": "beta vote passed", "weight": 1.0 } ] },
  { "id": "gamma-summit", "question": "Will the gamma summit be held?", "kind": "binary",
    "opens": "2020-01-01T00:00:00Z", "prior": 0.5,
    "rules": [ { "name": "held", "any": "gamma summit held", "weight": 1.0 } ] } ] }
JSON
# feed ITEM...: items are "guid|link|title"; written atomically.
feed() {
	{ printf '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://news.test/</link>\n'
	  for it in "$@"; do
		guid=${it%%|*}; rest=${it#*|}; link=${rest%%|*}; title=${rest#*|}
		printf '<item><title>%s</title><link>http://news.test/%s</link><guid isPermaLink="false">%s</guid><description>%s, officials said.</description></item>\n' \
		    "$title" "$link" "$guid" "$title"
	  done
	  printf '</channel></rss>\n'; } > "$T/www/feed.xml.tmp"
	mv "$T/www/feed.xml.tmp" "$T/www/feed.xml"
}
A="Alpha deal signed in the capital"
B="Beta vote passed in parliament"
G="Gamma summit held on the coast"
feed "g1|alpha|$A" "g2|beta|$B"

start_feed_server "$T/www"
cat > "$T/pmsignald.json" <<JSON
{ "socket": "pmsignald.sock", "database": "pmsignald.db", "markets": "$T/markets.json",
  "model": { "dedup_window": 0 },
  "feeds": [ { "name": "local", "url": "http://127.0.0.1:$port/feed.xml", "interval": 30 } ] }
JSON

# polls: how many polls of the feed have finished (status).
polls() {
	"$PMSIGNALCTL" --socket "$SOCK" status --json 2>/dev/null |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)["feeds"][0]["polls"])'
}
# settle: wait for two more finished polls of what the feed now says.
settle() {
	_p=$(polls)
	wait_for 15 sh -c "[ \$(\"$PMSIGNALCTL\" --socket '$SOCK' status --json |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)[\"feeds\"][0][\"polls\"])') -ge $((_p + 2)) ]" ||
		fail "the feed was not polled: $(tail -n 5 "$T/log")"
}
articles() { sqlite3 "$DB" 'SELECT count(*) FROM articles'; }
# scored: "market:article_id" of the article deltas the subscriber got.
scored() {
	python3 -c 'import json,sys
for l in open(sys.argv[1]):
    x = json.loads(l)
    if x["type"] == "delta" and x["cause"] == "article":
        print("%s:%s" % (x["market"], x["article"]["id"]))' "$T/sub" | sort | tr '\n' ' '
}

start_daemon 20
start_subscriber sub --since 0
wait_for 10 grep -q '"id":"g2"' "$T/sub" || fail "first poll not scored: $(cat "$T/log")"
settle
[ "$(articles)" = 2 ] || fail "$(articles) articles after the first polls"
[ "$(scored)" = "alpha-deal:g1 beta-vote:g2 " ] || fail "first polls scored: $(scored)"

# The same articles under new guids, same links: nothing new.
feed "g1-v2|alpha|$A" "g2-v2|beta|$B"
settle
[ "$(articles)" = 2 ] || fail "re-issued guids stored as new articles: $(articles)"
[ "$(scored)" = "alpha-deal:g1 beta-vote:g2 " ] || fail "re-issued guids scored again: $(scored)"

# A known guid under a new link: nothing new either.  A new guid with a new
# link is a new article, scored once.
feed "g3|gamma|$G" "g1|alpha-moved|$A" "g2-v3|beta|$B"
wait_for 10 grep -q '"id":"g3"' "$T/sub" || fail "new article not scored: $(tail -n 5 "$T/log")"
settle
[ "$(articles)" = 3 ] || fail "$(articles) articles, want 3"
[ "$(scored)" = "alpha-deal:g1 beta-vote:g2 gamma-summit:g3 " ] || fail "scored: $(scored)"
[ "$(sqlite3 "$DB" "SELECT guid FROM articles WHERE url = 'http://news.test/gamma'")" = g3 ] ||
	fail "g3 not stored with its link"

# Across a restart: yet other guids for the same links are still known.
stop_daemon || fail "exit status $? after SIGTERM"
feed "g1-v4|alpha|$A" "g2-v4|beta|$B" "g3-v4|gamma|$G"
start_daemon 20
settle
settle
[ "$(articles)" = 3 ] || fail "after a restart, re-issued guids stored: $(articles)"
[ "$(scored)" = "alpha-deal:g1 beta-vote:g2 gamma-summit:g3 " ] || fail "after a restart: $(scored)"
[ "$(grep -c 'feed local: .* new article' "$T/log")" = 2 ] ||
	fail "new-article log lines: $(grep 'new article' "$T/log")"
expect_contains "$T/log" "feed local: 2 new articles"
expect_contains "$T/log" "feed local: 1 new article"

stop_daemon || fail "exit status $? after SIGTERM"
exit 0
