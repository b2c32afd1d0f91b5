#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Fleet capture through Wireshark's sshdump, against a private OpenSSH server on loopback:
#  - sshd on 127.0.0.1:2222 with its own config and host key, public-key authentication only,
#    in the foreground; the remote user is bpfcaptest (group 'wireshark') with a generated key;
#  - `tshark -i sshdump` run by an ordinary user, remote capture command
#    EXTCAP_DIR/bpfcap capture -q -w - --duration N  (the extcap copy: it has the capabilities,
#    /usr/bin/bpfcap has none) captures drops provoked on the "remote" with their comments;
#  - the same through plain `ssh` (host key verified), the alternative the README gives;
#  - a remote user outside group 'wireshark' gets "Permission denied" from the remote shell;
#  - without --duration the remote bpfcap ends at its next packet after the session closed;
#  - a second "host" (another network namespace) captures locally with `bpfcap capture -w`;
#    `mergecap -I none` keeps one interface (IDB) per host and the metadata (comments and the
#    binary option 2989, decoded by the plugin into bpfcap.reason_name); mergecap's default
#    merges identical IDBs of two hosts into one;
#  - at the end the sshd and everything it started are gone.
#
#   test-sshdump.sh [BPFCAP [PLUGIN]]
# BPFCAP: the binary to install as the extcap (root:wireshark 0750 + capabilities, by
# packaging/install-extcap.sh) in a copy of Wireshark's extcap directory that is bind-mounted
# over the real one inside this test's mount namespace, so the remote command is the documented
# path. Without BPFCAP the installed extcap (e.g. the Debian package's) is used.
# PLUGIN: the dissector plugin, put into the user's personal plugin directory; without it the
# globally installed plugin is used if there is one, else the bpfcap.* checks are skipped.
#
# Runs in private network, mount and PID namespaces; needs root, openssh-server, tshark,
# wireshark-common's sshdump. Exit 0 pass, 1 fail, 77 skipped. BPFCAP_E2E_KEEP=1 keeps files.
set -eu
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root" >&2; exit 77; }
self=$(readlink -f "$0")
here=$(dirname "$self")
top=$(cd "$here/../.." && pwd)
lib=$top/tests/lib
BPFCAP=${1:-}
PLUGIN=${2:-}
[ -z "$BPFCAP" ] || BPFCAP=$(readlink -f "$BPFCAP")
[ -z "$PLUGIN" ] || PLUGIN=$(readlink -f "$PLUGIN")
for cmd in tshark mergecap capinfos ssh ssh-keygen setpriv unshare python3 setcap getcap; do
	command -v "$cmd" >/dev/null 2>&1 || { echo "SKIP: needs $cmd" >&2; exit 77; }
done
[ -x /usr/sbin/sshd ] || { echo "SKIP: needs /usr/sbin/sshd (openssh-server)" >&2; exit 77; }
. "$lib/wsdirs.sh"
xdir=$(ws_global_extcap_dir)
[ -x "$xdir/sshdump" ] || { echo "SKIP: no sshdump in '$xdir' (wireshark-common)" >&2; exit 77; }
X=$xdir/bpfcap
if [ -z "$BPFCAP" ] && [ -z "$(getcap "$X" 2>/dev/null)" ]; then
	echo "SKIP: no BPFCAP given and no extcap with capabilities at $X" >&2
	exit 77
fi

# private network, mount and PID namespaces: loopback, mounts and every process we start
# (sshd, its sessions, tshark, sshdump, bpfcap) vanish with the test
if [ -z "${IN_NS:-}" ]; then
	exec env IN_NS=1 unshare --net --mount --pid --fork --mount-proc -- "$self" "$@"
fi
ip link set lo up
work=$(mktemp -d /tmp/bpfcap-e2e-sshdump.XXXXXX)
chmod 755 "$work"
sshd_pid=""
cleanup() {
	[ -z "$sshd_pid" ] || kill "$sshd_pid" 2>/dev/null || true
	if [ -n "${BPFCAP_E2E_KEEP:-}" ]; then echo "kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
PASSES=0
FAILS=0
pass() { PASSES=$((PASSES + 1)); echo "ok: $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL: $*" >&2; }
expect_eq() { if [ "$2" = "$3" ]; then pass "$1 ($2)"; else fail "$1: got '$2', expected '$3'"; fi; }
as_user() { "$lib/asuser.sh" --wireshark "$work/home" -- "$@"; }
user=bpfcaptest
port=2222
ns=$(stat -L -c %i /proc/self/ns/net)
mkdir -p "$work/home"
as_user true # creates the user (group wireshark) and hands it its local home

# --- the "remote host": extcap, remote user's home, sshd
if [ -n "$BPFCAP" ]; then
	# a copy of the extcap directory (sshdump & co. stay visible) with bpfcap installed the way
	# the package's postinst does it, mounted over the real one for this namespace only
	cp -a "$xdir" "$work/extcap"
	rm -f "$work/extcap/bpfcap"
	"$top/packaging/install-extcap.sh" "$BPFCAP" "$work/extcap" >/dev/null
	mount --bind "$work/extcap" "$xdir"
fi
expect_eq "remote extcap $X: owner, mode, capabilities" \
	"$(stat -c '%U:%G %a' "$X") $(getcap "$X" | sed 's/.* //')" \
	"root:wireshark 750 cap_net_admin,cap_perfmon,cap_bpf=ep"

# /run (sshd's privilege separation directory /run/sshd) and /home private to this namespace
mount -t tmpfs -o mode=0755 bpfcap-run /run
mkdir -m 0755 /run/sshd
mount -t tmpfs -o mode=0755 bpfcap-home /home
rhome=$(getent passwd "$user" | cut -d: -f6)
case $rhome in /home/*) ;; *) echo "SKIP: $user's home '$rhome' is not under /home" >&2; exit 77 ;; esac
mkdir -p "$rhome/.ssh"
# The test user is a system account with a locked password ('!'): sshd refuses locked
# accounts even for key logins when it does not use PAM. Unlock it for this namespace only
# ('*': no password can match), in a copy of /etc/shadow bind-mounted over the original.
sed "s/^$user:!*:/$user:*:/" /etc/shadow >"$work/shadow"
chmod 0640 "$work/shadow"
chgrp shadow "$work/shadow" 2>/dev/null || true
mount --bind "$work/shadow" /etc/shadow

mkdir -p "$work/sshd" "$work/home/.ssh"
ssh-keygen -q -t ed25519 -N '' -C bpfcap-test-host -f "$work/sshd/ssh_host_ed25519_key"
ssh-keygen -q -t ed25519 -N '' -C bpfcap-test-user -f "$work/home/.ssh/id_ed25519"
cp "$work/home/.ssh/id_ed25519.pub" "$rhome/.ssh/authorized_keys"
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$work/sshd/ssh_host_ed25519_key.pub")" \
	>"$work/home/.ssh/known_hosts"
chmod 0700 "$rhome" "$rhome/.ssh" "$work/home/.ssh"
chmod 0600 "$rhome/.ssh/authorized_keys" "$work/home/.ssh/id_ed25519"
chown -R "$user:" "$rhome" "$work/home/.ssh"
cat >"$work/sshd/sshd_config" <<EOF
# private test server: loopback of this network namespace only, keys only
Port $port
ListenAddress 127.0.0.1
HostKey $work/sshd/ssh_host_ed25519_key
PidFile $work/sshd/sshd.pid
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $user
UsePAM no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTTY no
PrintMotd no
LogLevel VERBOSE
EOF
/usr/sbin/sshd -D -e -f "$work/sshd/sshd_config" 2>"$work/sshd/log" &
sshd_pid=$!
for _ in $(seq 50); do
	python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && break
	sleep 0.1
done
if kill -0 "$sshd_pid" 2>/dev/null; then pass "sshd listens on 127.0.0.1:$port"; else
	fail "sshd did not start: $(cat "$work/sshd/log")"; exit 1; fi

# plugin for the reading user
ws_abi=$(tshark -v 2>/dev/null | sed -n '1s/.* \([0-9]*\.[0-9]*\)\..*/\1/p')
if [ -n "$PLUGIN" ] && ! as_user tshark -G plugins 2>/dev/null | grep -q 'bpfcap\.so'; then
	mkdir -p "$work/home/.local/lib/wireshark/plugins/$ws_abi/epan"
	cp "$PLUGIN" "$work/home/.local/lib/wireshark/plugins/$ws_abi/epan/bpfcap.so"
	chown -R "$user:" "$work/home/.local"
fi
have_plugin=0
as_user tshark -G plugins 2>/dev/null | grep -q 'bpfcap\.so' && have_plugin=1
[ "$have_plugin" = 1 ] || echo "note: no bpfcap plugin for the user: bpfcap.* checks skipped"

# sshdump RUNSECONDS CAPTURECOMMAND OUTFILE: tshark -i sshdump as the user (stderr: OUTFILE.err)
sshdump() {
	as_user tshark -i sshdump \
		-o extcap.sshdump.remotehost:127.0.0.1 \
		-o extcap.sshdump.remoteport:$port \
		-o extcap.sshdump.remoteusername:$user \
		-o "extcap.sshdump.sshkey:$work/home/.ssh/id_ed25519" \
		-o extcap.sshdump.remotecapturecommandselect:other \
		-o "extcap.sshdump.remotecapturecommand:$2" \
		-a "duration:$1" -w "$3" >"$3.out" 2>"$3.err"
}
# drops PORT COUNT [DELAY]: COUNT UDP datagrams to a closed port on loopback, after DELAY s
# (drops_wait waits for it: a bare `wait` would wait for sshd too)
drops() {
	(sleep "${3:-4}"; python3 "$lib/send.py" udp 127.0.0.1 "$1" "$2" >/dev/null) &
	drops_pid=$!
}
drops_wait() { wait "$drops_pid" || true; }
# comments FILE PORT: how many packets to PORT carry bpfcap's comment for this namespace
comments() {
	tshark -r "$1" -Y "udp.dstport==$2 && frame.interface_description contains \"netns=${3:-$ns} \"" \
		-T fields -e frame.comment 2>/dev/null |
		grep -cE "^kfree_skb cpu=[0-9]+ dev=lo\(1\) reason=NO_SOCKET\$" || true
}

# --- 1. sshdump, the documented remote command
remote_cmd="$X capture -q -w - --duration 8 --netns $ns"
drops 9 3
t0=$(date +%s)
sshdump 20 "$remote_cmd" "$work/home/remote.pcapng" || fail "tshark -i sshdump exited $?"
drops_wait
t1=$(date +%s)
expect_eq "sshdump: the 3 remote drops arrived with their comments" \
	"$(comments "$work/home/remote.pcapng" 9)" 3
if grep -q "Error by extcap pipe" "$work/home/remote.pcapng.err"; then
	fail "sshdump reported an error: $(cat "$work/home/remote.pcapng.err")"
else
	pass "no extcap error on tshark's stderr"
fi
if [ $((t1 - t0)) -lt 18 ]; then
	pass "the capture ended with the remote --duration ($((t1 - t0)) s, tshark's limit 20 s)"
else
	fail "the capture did not end with the remote command ($((t1 - t0)) s)"
fi
if grep -q "Accepted publickey for $user" "$work/sshd/log"; then
	pass "sshd: public-key login of $user"
else
	fail "no public-key login in the sshd log"
fi

# --- 2. plain ssh, host key checked against known_hosts
drops 11 2 3
as_user ssh -T -p $port -i "$work/home/.ssh/id_ed25519" \
	-o UserKnownHostsFile="$work/home/.ssh/known_hosts" -o StrictHostKeyChecking=yes \
	-o BatchMode=yes -o IdentitiesOnly=yes $user@127.0.0.1 \
	"$X capture -q -w - --duration 6 --netns $ns" >"$work/ssh.pcapng" 2>"$work/ssh.err" ||
	fail "ssh capture failed: $(cat "$work/ssh.err")"
drops_wait
expect_eq "plain ssh: the 2 remote drops arrived with their comments" \
	"$(comments "$work/ssh.pcapng" 11)" 2

# --- 3. a remote user outside group wireshark: the remote shell cannot run the extcap. sshdump
# (Wireshark 4.0) does not pass the remote's error on: the capture just stays empty. Plain ssh
# shows the message.
nouser() { "$lib/asuser.sh" --no-wireshark "$work/home" -- "$@"; }
nouser true
sshdump 8 "$remote_cmd" "$work/home/denied.pcapng" || true
expect_eq "not in group wireshark: the sshdump capture stays empty" \
	"$(tshark -r "$work/home/denied.pcapng" 2>/dev/null | wc -l)" 0
nouser ssh -T -p $port -i "$work/home/.ssh/id_ed25519" \
	-o UserKnownHostsFile="$work/home/.ssh/known_hosts" -o StrictHostKeyChecking=yes \
	-o BatchMode=yes -o IdentitiesOnly=yes $user@127.0.0.1 "$remote_cmd" \
	>/dev/null 2>"$work/denied.err" || true
as_user true
if grep -q "Permission denied" "$work/denied.err"; then
	pass "not in group wireshark: ssh shows '$(grep -m1 'Permission denied' "$work/denied.err")'"
else
	fail "expected 'Permission denied' from the remote, got: $(cat "$work/denied.err")"
fi

# --- 4. no --duration: stopping Wireshark closes the session, but sshd sends the remote command
# no signal; bpfcap notices at its next write (EPIPE), i.e. the next packet it captures (often
# one that the session's own teardown makes the kernel drop)
sshdump 6 "$X capture -q -w - --netns $ns" "$work/home/open.pcapng" || true
sleep 1
left=$(pgrep -u $user -f "$X capture" | wc -l)
drops 9 1 0
drops_wait
gone=no
for _ in $(seq 30); do
	pgrep -u $user -f "$X capture" >/dev/null || { gone=yes; break; }
	sleep 0.1
done
expect_eq "without --duration the remote bpfcap ends by the next packet (still running 1 s after the stop: $left)" \
	"$gone" yes

# --- 5. a second host captures locally; merge
# shellcheck disable=SC2016 # expanded by the inner shell
unshare --net -- sh -c '
	ip link set lo up
	ns=$(stat -L -c %i /proc/self/ns/net)
	echo "$ns" >"$1.ns"
	"$2" capture -q --netns "$ns" -w "$1" --duration 6 &
	sleep 3
	python3 "$3/send.py" udp 127.0.0.1 10 2 >/dev/null
	wait' sh "$work/hostb.pcapng" "$X" "$lib" || fail "the local capture on host B failed"
nsb=$(cat "$work/hostb.pcapng.ns")
expect_eq "host B: local bpfcap capture -w has its 2 drops" "$(comments "$work/hostb.pcapng" 10 "$nsb")" 2

cp "$work/home/remote.pcapng" "$work/a.pcapng"
mergecap -I none -w "$work/merged.pcapng" "$work/a.pcapng" "$work/hostb.pcapng"
nifs() { capinfos -I "$1" 2>/dev/null | grep -c '^Interface #' || true; }
expect_eq "mergecap -I none: one IDB per host and probe" "$(nifs "$work/merged.pcapng")" \
	"$(($(nifs "$work/a.pcapng") + $(nifs "$work/hostb.pcapng")))"
ifa=$(tshark -r "$work/merged.pcapng" -Y "udp.dstport==9" -T fields -e frame.interface_id \
	-e frame.interface_name -e frame.interface_description 2>/dev/null | sort -u)
ifb=$(tshark -r "$work/merged.pcapng" -Y "udp.dstport==10" -T fields -e frame.interface_id \
	-e frame.interface_name -e frame.interface_description 2>/dev/null | sort -u)
echo "   host A: $ifa"
echo "   host B: $ifb"
if [ -n "$ifa" ] && [ -n "$ifb" ] && [ "$(echo "$ifa" | cut -f1)" != "$(echo "$ifb" | cut -f1)" ]; then
	pass "merged: host A's and host B's packets are on different interfaces"
else
	fail "merged: interfaces not kept apart: A='$ifa' B='$ifb'"
fi
case "$ifa|$ifb" in
*"lo@kfree_skb"*"netns=$ns "*"|"*"lo@kfree_skb"*"netns=$nsb "*) pass "merged: interface names and descriptions kept" ;;
*) fail "merged: unexpected interface names/descriptions" ;;
esac
expect_eq "merged: host A's comments" "$(comments "$work/merged.pcapng" 9)" 3
expect_eq "merged: host B's comments" "$(comments "$work/merged.pcapng" 10 "$nsb")" 2
if [ "$have_plugin" = 1 ]; then
	cp "$work/merged.pcapng" "$work/home/merged.pcapng"
	chown "$user:" "$work/home/merged.pcapng"
	expect_eq "merged: option 2989 decoded by the plugin (reason, from the binary option)" \
		"$(as_user tshark -r "$work/home/merged.pcapng" -Y 'udp.dstport==9 || udp.dstport==10' \
			-T fields -e udp.dstport -e bpfcap.reason_name -e bpfcap.derived 2>/dev/null |
			sed 's/False$/0/' | sort | uniq -c | awk '{$1=$1; print}' | tr '\n' ';')" \
		"2 10 NO_SOCKET 0;3 9 NO_SOCKET 0;"
fi
# two hosts whose IDBs are identical (same probe, device, namespace inode: e.g. every host's
# initial namespace): mergecap's default (-I all) makes them one interface
mergecap -w "$work/default.pcapng" "$work/a.pcapng" "$work/ssh.pcapng"
mergecap -I none -w "$work/none.pcapng" "$work/a.pcapng" "$work/ssh.pcapng"
expect_eq "identical IDBs: mergecap's default merges them, -I none keeps both" \
	"$(nifs "$work/default.pcapng") $(nifs "$work/none.pcapng")" "1 2"

# --- the end: sshd and everything it started are gone
kill "$sshd_pid"
wait "$sshd_pid" 2>/dev/null || true
sshd_pid=""
sleep 0.5
ps -e -o pid=,stat=,args= >"$work/ps"
left=$(awk '$1 != 1 && $2 !~ /^Z/ && $3 != "ps"' "$work/ps")
expect_eq "no process left in the test's PID namespace (sshd, sessions, bpfcap, tshark)" \
	"$left" ""

echo "$PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
