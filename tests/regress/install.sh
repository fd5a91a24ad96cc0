# install: `make install DESTDIR=...` installs exactly the file list that
# README.md documents (under "<!-- installed-files -->"), with the right
# modes; the units point at the installed binary and config for another
# PREFIX/SYSCONFDIR; an existing config is never overwritten.
. "$TOP/tests/regress/lib.sh"

# inst DESTDIR [VAR=VALUE...]: make install into DESTDIR, output in $T/inst.log.
inst() {
	_d=$1; shift
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$TOP" --no-print-directory \
	    BUILD="$BUILD" DESTDIR="$_d" "$@" install > "$T/inst.log" 2>&1 ||
		fail "make install failed: $(cat "$T/inst.log")"
}

# The documented list, globs expanded against the source tree.
awk '/^<!-- installed-files -->$/ { on = 1; next }
	on && /^```text$/ { inb = 1; next }
	inb && /^```$/ { exit }
	inb { print $1 }' "$TOP/README.md" > "$T/doc-list"
[ -s "$T/doc-list" ] || fail "no installed-files list in README.md"
while read -r f; do
	case "$f" in
	/etc/pmsignald/markets/\*.json)
		for m in "$TOP"/config/markets/*.json; do
			[ -e "$m" ] && echo "/etc/pmsignald/markets/${m##*/}"
		done ;;
	*) echo "$f" ;;
	esac
done < "$T/doc-list" | sort > "$T/want"

inst "$T/root"
(cd "$T/root" && find . \( -type f -o -type l \) | sed 's|^\.||' | sort) > "$T/got"
diff -u "$T/want" "$T/got" > "$T/diff" ||
	fail "installed files differ from README.md's list: $(cat "$T/diff")"

# Modes: programs 0755, everything else 0644.
while read -r f; do
	mode=$(stat -c %a "$T/root$f")
	case "$f" in
	*/sbin/*|*/bin/*) want=755 ;;
	*) want=644 ;;
	esac
	[ "$mode" = "$want" ] || fail "$f has mode $mode, not $want"
done < "$T/got"

"$T/root/usr/local/sbin/pmsignald" --version | grep -q '^pmsignald ' ||
	fail "installed pmsignald does not run"
U=$T/root/usr/local/lib/systemd/system
expect_contains "$U/pmsignald.service" "ExecStart=/usr/local/sbin/pmsignald run --foreground --config /etc/pmsignald/pmsignald.json"
cmp -s "$TOP/systemd/pmsignald.socket" "$U/pmsignald.socket" || fail "socket unit changed on install"
cmp -s "$TOP/config/pmsignald.json" "$T/root/etc/pmsignald/pmsignald.json" ||
	fail "installed config differs from config/pmsignald.json"

# Installing again keeps a config the admin changed.
printf '{"feeds":[{"name":"mine","url":"https://example.org/x"}]}\n' > "$T/root/etc/pmsignald/pmsignald.json"
cp "$T/root/etc/pmsignald/pmsignald.json" "$T/mine.json"
inst "$T/root"
cmp -s "$T/mine.json" "$T/root/etc/pmsignald/pmsignald.json" || fail "make install overwrote the config"
expect_contains "$T/inst.log" "install: keeping existing $T/root/etc/pmsignald/pmsignald.json"

# Another layout: the units follow SBINDIR and SYSCONFDIR.
inst "$T/root2" PREFIX=/usr SYSCONFDIR=/opt/etc
U2=$T/root2/usr/lib/systemd/system
expect_contains "$U2/pmsignald.service" "ExecStart=/usr/sbin/pmsignald run --foreground --config /opt/etc/pmsignald/pmsignald.json"
expect_contains "$U2/pmsignald.service" "ExecReload=/usr/sbin/pmsignald check-config --config /opt/etc/pmsignald/pmsignald.json"
grep -Eq '^Exec.*(/usr/local/| /etc/pmsignald/)' "$U2/pmsignald.service" &&
	fail "PREFIX=/usr unit still runs /usr/local or /etc/pmsignald: $(grep -n '^Exec' "$U2/pmsignald.service")"
[ -f "$T/root2/usr/lib/sysusers.d/pmsignal.conf" ] || fail "no sysusers.d file under PREFIX=/usr"
[ -f "$T/root2/opt/etc/pmsignald/pmsignald.json" ] || fail "no config under SYSCONFDIR"
[ -f "$T/root2/usr/share/man/man5/pmsignald.json.5" ] || fail "no man page under PREFIX=/usr"
exit 0
