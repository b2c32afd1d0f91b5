#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# The Debian package as a user gets it: builds bpfcap_*.deb (packaging/build-deb.sh) or takes
# one, runs lintian, installs it with apt-get (debconf answer preseeded), then checks
#  - the extcap is root:wireshark 0750 with cap_bpf,cap_perfmon,cap_net_admin=ep, /usr/bin/bpfcap
#    is a plain root:root 0755 binary;
#  - an ordinary member of group 'wireshark' sees bpf_kfree_skb in `tshark -D`, captures a drop
#    provoked on loopback with its comment, and the installed plugin decodes bpfcap.reason_name
#    (and the "bpfcap" profile loads); a non-member sees no bpf_ interface;
#  - man page, README (the extcap's help link), bash completion (it completes);
#  - the postinst: reinstalling restores the capabilities, answering "no" gives root:root 0755
#    without capabilities, a dpkg-statoverride wins, a failing setcap is reported and not fatal;
#  - purge removes the extcap, the plugin and the debconf answer, and keeps group 'wireshark'.
# Files of an earlier `cmake --install` at the package's paths are saved and put back.
#
#   test-deb.sh [PATH/TO/bpfcap_VERSION_ARCH.deb]   (default: build one; BPFCAP_DEB=... too)
#   test-deb.sh --installed                          (only the checks, on the installed package;
#                                                     for autopkgtest: nothing is (un)installed)
# Runs in private network and mount namespaces. Needs root. Exit 0 pass, 1 fail, 77 skipped.
# This installs and purges a system package: meant for throwaway CI machines (and refuses to
# run when a bpfcap package is already installed, unless --installed).
set -eu
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
self=$(readlink -f "$0")
here=$(dirname "$self")
top=$(cd "$here/../.." && pwd)
lib=$top/tests/lib

mode=full
deb=${BPFCAP_DEB:-}
case "${1:-}" in
--installed) mode=installed ;;
"") ;;
*) deb=$(readlink -f "$1") ;;
esac
for cmd in tshark python3 unshare setpriv dpkg-deb apt-get debconf-set-selections; do
	command -v "$cmd" >/dev/null 2>&1 || { echo "SKIP: needs $cmd" >&2; exit 77; }
done
if [ "$mode" = installed ]; then
	dpkg-query -W -f='${Status}' bpfcap 2>/dev/null | grep -q 'ok installed' ||
		{ echo "SKIP: --installed: package bpfcap is not installed" >&2; exit 77; }
else
	st=$(dpkg-query -W -f='${db:Status-Status}' bpfcap 2>/dev/null || true)
	if [ -n "$st" ] && [ "$st" != not-installed ]; then
		echo "SKIP: package bpfcap is present ($st); this test installs and purges it" >&2
		exit 77
	fi
	if [ -z "$deb" ]; then
		command -v dpkg-buildpackage >/dev/null 2>&1 ||
			{ echo "SKIP: needs dpkg-buildpackage (dpkg-dev) to build the package" >&2; exit 77; }
		command -v dh >/dev/null 2>&1 ||
			{ echo "SKIP: needs debhelper to build the package" >&2; exit 77; }
	elif [ ! -f "$deb" ]; then
		echo "FAIL: no such package file: $deb" >&2
		exit 1
	fi
fi

if [ -z "${IN_NS:-}" ]; then
	if [ "$mode" = installed ]; then
		exec env IN_NS=1 unshare --net --mount -- "$self" --installed
	fi
	exec env IN_NS=1 BPFCAP_DEB="$deb" unshare --net --mount -- "$self"
fi

ip link set lo up
work=$(mktemp -d /tmp/bpfcap-e2e-deb.XXXXXX)
chmod 755 "$work"
PASSES=0
FAILS=0
pass() { PASSES=$((PASSES + 1)); echo "ok: $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL: $*" >&2; }
expect_eq() { if [ "$2" = "$3" ]; then pass "$1 ($2)"; else fail "$1: got '$2', expected '$3'"; fi; }
as_user() { "$lib/asuser.sh" --wireshark "$work/home" -- "$@"; }
modecaps() { echo "$(stat -c '%U:%G %a' "$1") $(getcap "$1" | sed 's/.* //')"; }

backup=""
installed_by_us=0
override_added=0
cleanup() {
	set +e
	[ "$override_added" = 0 ] || dpkg-statoverride --remove "$xdir/bpfcap" >/dev/null 2>&1
	if [ "$installed_by_us" = 1 ] && dpkg-query -W bpfcap >/dev/null 2>&1; then
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -q bpfcap >/dev/null 2>&1
	fi
	if [ -n "$backup" ] && [ -s "$backup" ]; then
		tar --xattrs --xattrs-include='*' -xpf "$backup" -C /
	fi
	rm -rf "$work"
}
trap cleanup EXIT

. "$lib/wsdirs.sh"
xdir=$(ws_global_extcap_dir)
[ -n "$xdir" ] || xdir=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null ||
	echo x86_64-linux-gnu)/wireshark/extcap
X=$xdir/bpfcap

if [ "$mode" = full ]; then
	if [ -z "$deb" ]; then
		echo "== building the package (packaging/build-deb.sh)"
		if "$top/packaging/build-deb.sh" -o "$work/deb" >"$work/build.log" 2>&1; then
			deb=$(find "$work/deb" -name 'bpfcap_*.deb' | head -1)
			pass "dpkg-buildpackage built $(basename "$deb")"
		else
			tail -40 "$work/build.log" >&2
			fail "packaging/build-deb.sh failed (log above)"
			exit 1
		fi
	fi
	if command -v lintian >/dev/null 2>&1; then
		lintian "$deb" >"$work/lintian.out" 2>&1
		n=$(grep -c '^E: ' "$work/lintian.out" || true)
		expect_eq "lintian: no errors" "$n" 0
		[ "$n" = 0 ] || cat "$work/lintian.out" >&2
		grep -E '^[EW]: ' "$work/lintian.out" || true
	else
		echo "note: lintian not installed, not run"
	fi

	# files of a `cmake --install` at the package's paths: saved now, put back by cleanup
	dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' |
		while read -r f; do if [ -e "$f" ]; then echo "${f#/}"; fi; done >"$work/existing"
	if [ -s "$work/existing" ]; then
		backup=$work/preexisting.tar
		tar --xattrs --xattrs-include='*' -cpf "$backup" -C / -T "$work/existing"
		echo "note: saved $(wc -l <"$work/existing") file(s) of an earlier install: $(tr '\n' ' ' <"$work/existing")"
	fi

	echo "== apt-get install $deb"
	echo "bpfcap bpfcap/group-capture boolean true" | debconf-set-selections
	installed_by_us=1
	if DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" \
		>"$work/apt.log" 2>&1; then
		pass "apt-get install ./$(basename "$deb")"
	else
		cat "$work/apt.log" >&2
		fail "apt-get install failed"
		exit 1
	fi
	grep '^bpfcap:' "$work/apt.log" || true
fi

# --- what is installed, with which privileges
expect_eq "extcap $X: owner, mode, capabilities" "$(modecaps "$X")" \
	"root:wireshark 750 cap_net_admin,cap_perfmon,cap_bpf=ep"
expect_eq "/usr/bin/bpfcap: a plain binary without capabilities" "$(modecaps /usr/bin/bpfcap)" \
	"root:root 755 "
version=$(dpkg-query -W -f='${Version}' bpfcap)
expect_eq "bpfcap version" "$(/usr/bin/bpfcap version)" "bpfcap ${version%%-*}"
# (-a: an earlier `cmake --install` may have put one into /usr/local, found first)
man=$(man -aw bpfcap 2>/dev/null | grep '^/usr/share/man/man1/bpfcap\.1' || true)
if [ -n "$man" ]; then pass "man -w bpfcap finds $man"; else
	fail "man -aw bpfcap: $(man -aw bpfcap 2>&1 | tr '\n' ' ')"; fi
help=$(/usr/bin/bpfcap --extcap-interfaces | sed -n 's/^extcap .*{help=file:\/\/\([^}]*\)}.*/\1/p')
if [ -n "$help" ] && [ -f "$help" ]; then pass "the extcap's help link exists ($help)"; else
	fail "the extcap's help link '$help' is not an installed file"; fi
comp=/usr/share/bash-completion/completions/bpfcap
if [ -f "$comp" ]; then pass "bash completion installed ($comp)"; else fail "no $comp"; fi
if [ -f /usr/share/bash-completion/bash_completion ] && command -v bash >/dev/null; then
	# complete LINE: what bash-completion offers at the end of LINE
	complete_line() {
		bash -c 'source /usr/share/bash-completion/bash_completion; source "$1"
			COMP_LINE=$2; COMP_POINT=${#COMP_LINE}
			read -ra COMP_WORDS <<<"$COMP_LINE"
			[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
			COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			_bpfcap; printf "%s\n" "${COMPREPLY[@]}"' sh "$comp" "$1" 2>/dev/null | sort | tr '\n' ' '
	}
	expect_eq "completion of 'bpfcap ca'" "$(complete_line 'bpfcap ca')" "capture "
	expect_eq "completion of 'bpfcap capture --reason NO_SOCK'" \
		"$(complete_line 'bpfcap capture --reason NO_SOCK')" "NO_SOCKET "
	expect_eq "completion of 'bpfcap capture -p tp:skb:kfree'" \
		"$(complete_line 'bpfcap capture -p tp:skb:kfree')" "kfree_skb "
	expect_eq "completion of 'bpfcap capture --proto '" \
		"$(complete_line 'bpfcap capture --proto ')" "auto eth ip "
else
	echo "note: package bash-completion not installed; completion not exercised"
fi

# --- Wireshark as an ordinary member of group wireshark
mkdir -p "$work/home"
as_user true
D=$(as_user tshark -D 2>/dev/null || true)
if printf '%s\n' "$D" | grep -q 'bpf_kfree_skb '; then pass "tshark -D lists bpf_kfree_skb"; else
	fail "tshark -D does not list bpf_kfree_skb: $D"; fi
ns=$(stat -L -c %i /proc/self/ns/net)
(sleep 3; python3 "$lib/send.py" udp 127.0.0.1 9 3 >/dev/null) &
as_user tshark -i bpf_kfree_skb -a duration:6 -w "$work/home/out.pcapng" \
	>"$work/tshark.out" 2>"$work/tshark.err" || fail "tshark exited $?: $(cat "$work/tshark.err")"
wait
n=$(tshark -r "$work/home/out.pcapng" -Y "udp.dstport==9 && frame.interface_description contains \"netns=$ns \"" \
	-T fields -e frame.comment 2>/dev/null |
	grep -cE '^kfree_skb cpu=[0-9]+ dev=lo\(1\) reason=NO_SOCKET$' || true)
expect_eq "tshark -i bpf_kfree_skb captured the 3 drops with their comments" "$n" 3
if grep -q "Error by extcap pipe" "$work/tshark.err"; then
	fail "tshark reported an extcap error: $(cat "$work/tshark.err")"
else
	pass "no extcap error on tshark's stderr"
fi
plugins=$(as_user tshark -G plugins 2>/dev/null | grep 'bpfcap\.so' || true)
case $plugins in
*/usr/lib/*/wireshark/plugins/*/epan/bpfcap.so*) pass "tshark loads the installed plugin" ;;
*) fail "tshark -G plugins does not show the installed bpfcap.so: '$plugins'" ;;
esac
# bpfcap.derived 0: decoded from the binary option 2989, not from the comment
expect_eq "the installed plugin decodes bpfcap.reason_name" \
	"$(as_user tshark -r "$work/home/out.pcapng" -Y "udp.dstport==9 && frame.interface_description contains \"netns=$ns \"" \
		-T fields -e bpfcap.reason_name -e bpfcap.derived 2>/dev/null | sed 's/False$/0/' |
		sort | uniq -c | awk '{$1=$1; print}')" "3 NO_SOCKET 0"
# the "bpfcap" profile: its Reason column comes from the plugin
cols=$(as_user tshark -C bpfcap -r "$work/home/out.pcapng" \
	-Y "udp.dstport==9 && frame.interface_description contains \"netns=$ns \"" 2>"$work/profile.err" |
	grep -c 'kfree_skb.*lo.*NO_SOCKET' || true)
expect_eq "tshark -C bpfcap (installed profile) shows probe, device and reason columns" "$cols" 3
D2=$("$lib/asuser.sh" --no-wireshark "$work/home" -- tshark -D 2>/dev/null || true)
expect_eq "a non-member of group wireshark sees no bpf_ interface" \
	"$(printf '%s\n' "$D2" | grep -c 'bpf_' || true)" 0
"$lib/asuser.sh" --wireshark "$work/home" -- true

if [ "$mode" = full ]; then
	# --- the postinst's choices
	reconf() { DEBIAN_FRONTEND=noninteractive dpkg-reconfigure -fnoninteractive bpfcap; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall "$deb" >/dev/null 2>&1 ||
		fail "apt-get install --reinstall failed"
	expect_eq "reinstalled: the new file has its capabilities again" "$(modecaps "$X")" \
		"root:wireshark 750 cap_net_admin,cap_perfmon,cap_bpf=ep"

	echo "bpfcap bpfcap/group-capture boolean false" | debconf-set-selections
	reconf >"$work/reconf.out" 2>&1 || fail "dpkg-reconfigure (false) failed: $(cat "$work/reconf.out")"
	expect_eq "debconf answer 'no': root only" "$(modecaps "$X")" "root:root 755 "
	D3=$(as_user tshark -D 2>/dev/null || true)
	(sleep 3; python3 "$lib/send.py" udp 127.0.0.1 9 1 >/dev/null) &
	as_user tshark -i bpf_kfree_skb -a duration:5 -w "$work/home/denied.pcapng" \
		>/dev/null 2>"$work/denied.err" || true
	wait
	if grep -q "needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN" "$work/denied.err"; then
		pass "without capabilities a user's capture fails with bpfcap's message"
	else
		fail "expected bpfcap's capability message, got: $(cat "$work/denied.err")"
	fi
	printf '%s\n' "$D3" | grep -q 'bpf_kfree_skb ' ||
		fail "with root:root 0755 users should still see the interface"

	echo "bpfcap bpfcap/group-capture boolean true" | debconf-set-selections
	dpkg-statoverride --add root wireshark 0710 "$X"
	override_added=1
	reconf >"$work/reconf.out" 2>&1 || fail "dpkg-reconfigure (override) failed"
	expect_eq "a dpkg-statoverride decides owner, group and mode" "$(modecaps "$X")" \
		"root:wireshark 710 cap_net_admin,cap_perfmon,cap_bpf=ep"
	dpkg-statoverride --remove "$X"
	override_added=0

	# setcap failing (as on a file system without extended attributes)
	mkdir -p "$work/fakebin"
	printf '#!/bin/sh\necho "Failed to set capabilities on file (Operation not supported)" >&2\nexit 1\n' \
		>"$work/fakebin/setcap"
	chmod 755 "$work/fakebin/setcap"
	if PATH=$work/fakebin:$PATH reconf >"$work/reconf.out" 2>&1; then
		pass "a failing setcap does not fail the configuration"
	else
		fail "dpkg-reconfigure failed with a failing setcap: $(cat "$work/reconf.out")"
	fi
	if grep -q "only root can capture with bpfcap" "$work/reconf.out"; then
		pass "a failing setcap is reported: $(grep 'setcap' "$work/reconf.out" | head -1)"
	else
		fail "no clear message for a failing setcap: $(cat "$work/reconf.out")"
	fi
	expect_eq "after a failing setcap: group mode, no capabilities" "$(modecaps "$X")" \
		"root:wireshark 750 "
	reconf >/dev/null 2>&1 || fail "dpkg-reconfigure failed"
	expect_eq "dpkg-reconfigure restores the capabilities" "$(modecaps "$X")" \
		"root:wireshark 750 cap_net_admin,cap_perfmon,cap_bpf=ep"

	# --- purge
	plugin=$(dpkg -L bpfcap | grep '/epan/bpfcap\.so$')
	if DEBIAN_FRONTEND=noninteractive apt-get purge -y -q bpfcap >"$work/purge.log" 2>&1; then
		pass "apt-get purge bpfcap"
	else
		fail "apt-get purge failed: $(cat "$work/purge.log")"
	fi
	installed_by_us=0
	for f in "$X" /usr/bin/bpfcap "$plugin" "$comp" /usr/share/wireshark/profiles/bpfcap/preferences; do
		if [ -e "$f" ]; then fail "left after purge: $f"; else pass "purge removed $f"; fi
	done
	if debconf-show bpfcap 2>/dev/null | grep -q group-capture; then
		fail "the debconf answer survived the purge"
	else
		pass "purge removed the debconf answer"
	fi
	if getent group wireshark >/dev/null; then pass "group wireshark kept (shared with wireshark-common)"; else
		fail "purge removed group wireshark"; fi
	D4=$(as_user tshark -D 2>/dev/null || true)
	expect_eq "after purge tshark -D lists no bpf_ interface" \
		"$(printf '%s\n' "$D4" | grep -c 'bpf_' || true)" 0
fi

echo "$PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
