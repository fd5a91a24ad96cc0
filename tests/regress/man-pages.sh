# man-pages: every page in docs/man renders with `man --warnings` without a
# single warning, and the pages keep up with the code: every subcommand that
# `pmsignald --help` lists, and every option its own --help lists, is
# described in pmsignald(8); every key of docs/CONFIG.md and of the tables
# of docs/MARKETS.md in pmsignald.json(5).
. "$TOP/tests/regress/lib.sh"

command -v man > /dev/null 2>&1 || fail "man not installed (scripts/install-deps installs man-db)"
n=0
for page in "$TOP"/docs/man/*.[1-8]; do
	n=$((n + 1))
	MANWIDTH=80 man --warnings -l "$page" > "$T/out" 2> "$T/err" ||
		fail "man -l $page failed: $(cat "$T/err")"
	[ ! -s "$T/err" ] || fail "warnings rendering $page: $(cat "$T/err")"
	grep -q '^NAME' "$T/out" || fail "$page: no NAME section"
	grep -q 'SEE ALSO' "$T/out" || fail "$page: no SEE ALSO section"
done
[ "$n" -eq 3 ] || fail "expected 3 man pages, found $n"

# The checker has teeth: a bad request is a warning.
printf '.Dd January 1, 2026\n.Dt X 1\n.Os\n.Sh NAME\n.Nm x\n.Nd y\n.Bl -tag\n.It a\nb\n' > "$T/bad.1"
MANWIDTH=80 man --warnings -l "$T/bad.1" > /dev/null 2> "$T/err" || true
[ -s "$T/err" ] || fail "man --warnings did not warn about a broken page"

# Subcommands: pmsignald --help lists "  NAME  summary" after "subcommands:".
"$PMSIGNALD" --help | awk '/^subcommands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ && seen { exit } on { seen = 1 }' > "$T/subcommands"
[ -s "$T/subcommands" ] || fail "no subcommands in pmsignald --help"
sed 's/\\//g' "$TOP/docs/man/pmsignald.8" > "$T/pmsignald.8"
while read -r sub; do
	grep -q "^\.It Cm $sub\( \|$\)" "$T/pmsignald.8" ||
		fail "subcommand '$sub' is not described in docs/man/pmsignald.8"
	"$PMSIGNALD" "$sub" --help | grep -o -- '--[a-z][a-z-]*' | sort -u > "$T/options"
	[ -s "$T/options" ] || continue	# parse-feed takes none
	# ".Fl \-config" renders as --config: Fl adds the first dash.
	while read -r opt; do
		grep -q -- "Fl ${opt#-}\( \|$\)" "$T/pmsignald.8" ||
			fail "option $opt of '$sub' is not in docs/man/pmsignald.8"
	done < "$T/options"
done < "$T/subcommands"

# Config and market keys: the first column of every table in docs/CONFIG.md
# and docs/MARKETS.md.
sed -n 's/^| `\([a-z_]*\)` |.*/\1/p' "$TOP/docs/CONFIG.md" "$TOP/docs/MARKETS.md" |
	sort -u > "$T/keys"
[ "$(wc -l < "$T/keys")" -ge 50 ] || fail "too few keys parsed from docs/CONFIG.md and docs/MARKETS.md"
while read -r key; do
	grep -Eq "^\.It Ic ([a-z_]+ , )*$key( |$)" "$TOP/docs/man/pmsignald.json.5" ||
		fail "config key '$key' is not described in docs/man/pmsignald.json.5"
done < "$T/keys"
exit 0
