# systemd-units: the shipped units pass `systemd-analyze security
# --offline=true` with an exposure of 1.5 or lower and `systemd-analyze
# verify` with no output at all, and the sysusers.d file parses.  Skipped
# (passing) where systemd-analyze is not installed.
#
# verify checks that every Exec*= binary exists and that every
# Documentation=man: page is found, so it runs on a copy of the units whose
# /usr/local/sbin paths point into a `make install DESTDIR=` tree, with
# MANPATH set to that tree's man pages: the real installed files are checked.
. "$TOP/tests/regress/lib.sh"

if ! command -v systemd-analyze > /dev/null 2>&1; then
	echo "systemd-units: systemd-analyze not installed, skipped"
	exit 0
fi
S=$TOP/systemd

# --- security: exposure <= 1.5 (the threshold is in tenths).
set +e
systemd-analyze security --offline=true --threshold=15 "$S/pmsignald.service" \
    > "$T/security" 2>&1; rc=$?
set -e
exposure=$(sed -n 's/.*Overall exposure level for pmsignald.service: \([0-9.]*\).*/\1/p' "$T/security")
[ -n "$exposure" ] || fail "no exposure level: $(cat "$T/security")"
echo "systemd-analyze security: exposure $exposure"
[ "$rc" -eq 0 ] || fail "security over the threshold (exit $rc): $(tail -n 30 "$T/security")"
awk -v e="$exposure" 'BEGIN { exit !(e <= 1.5) }' || fail "exposure $exposure > 1.5"

# --- verify, against installed files.
env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$TOP" --no-print-directory \
    BUILD="$BUILD" DESTDIR="$T/root" install > "$T/inst.log" 2>&1 ||
	fail "make install failed: $(cat "$T/inst.log")"
mkdir -p "$T/units" "$T/broken"
for u in pmsignald.service pmsignald.socket; do
	sed "s|/usr/local/sbin/|$T/root/usr/local/sbin/|g" \
	    "$T/root/usr/local/lib/systemd/system/$u" > "$T/units/$u"
done
grep -q "^ExecStart=$T/root/usr/local/sbin/pmsignald run" "$T/units/pmsignald.service" ||
	fail "ExecStart not rewritten: $(grep '^Exec' "$T/units/pmsignald.service")"
verify() {
	set +e
	MANPATH=$T/root/usr/local/share/man systemd-analyze verify "$@" \
	    > "$T/verify" 2>&1
	vrc=$?
	set -e
}
verify "$T/units/pmsignald.service" "$T/units/pmsignald.socket"
[ "$vrc" -eq 0 ] && [ ! -s "$T/verify" ] ||
	fail "systemd-analyze verify (exit $vrc): $(cat "$T/verify")"

# The check has teeth: a bad directive and a missing man page are caught.
sed 's/^Type=notify$/Type=notifyy/' "$T/units/pmsignald.service" > "$T/broken/pmsignald.service"
cp "$T/units/pmsignald.socket" "$T/broken/"
verify "$T/broken/pmsignald.service" "$T/broken/pmsignald.socket"
grep -q 'notifyy' "$T/verify" || fail "verify missed Type=notifyy: $(cat "$T/verify")"
rm "$T/root/usr/local/share/man/man1/pmsignalctl.1"
verify "$T/units/pmsignald.service" "$T/units/pmsignald.socket"
grep -q "man pmsignalctl(1)" "$T/verify" || fail "verify missed a missing man page: $(cat "$T/verify")"

# --- sysusers.d: parses, and creates group pmsignal.
if command -v systemd-sysusers > /dev/null 2>&1; then
	mkdir -p "$T/sysroot"
	systemd-sysusers --dry-run --root="$T/sysroot" "$S/pmsignal.sysusers" \
	    > "$T/sysusers" 2>&1 || fail "systemd-sysusers: $(cat "$T/sysusers")"
	expect_contains "$T/sysusers" "Creating group 'pmsignal'"
fi

# The socket unit is what the daemon and pmsignalctl expect.
expect_contains "$S/pmsignald.socket" "ListenStream=/run/pmsignald/pmsignald.sock"
expect_contains "$S/pmsignald.socket" "SocketGroup=pmsignal"
expect_contains "$S/pmsignald.socket" "SocketMode=0660"
exit 0
