#!/bin/sh
# Installs what bpfcap needs to build and test, from Debian's archive, on Debian 12 (bookworm),
# Debian 13 (trixie) and Debian testing (forky). Package names are chosen by release
# (/etc/os-release): bookworm's default clang is 14, too old for the BPF programs, so it gets
# clang-16; later releases get the unversioned clang/llvm/libclang-rt-dev (19 on trixie, 21 on
# forky). The Qt GUI is wireshark-qt on bookworm and wireshark from trixie on.
# Usage: packaging/install-deps.sh [--test]   (--test adds what the test suites use)
# Environment: BPFCAP_DUMPCAP_CAPS=true|false, the answer to wireshark-common's "may non-root
# users capture?" (default true) when tshark is installed here.
set -eu
[ "$(id -u)" = 0 ] || { echo "install-deps: run as root (apt-get)" >&2; exit 1; }
case "${1:-}" in
"" | --test) ;;
*) echo "install-deps: unknown argument '$1'; usage: install-deps.sh [--test]" >&2; exit 2 ;;
esac
export DEBIAN_FRONTEND=noninteractive
codename=
[ -r /etc/os-release ] && codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
case $codename in
bookworm) clang="clang-16 llvm-16" rt=libclang-rt-16-dev gui=wireshark-qt ;;
trixie | forky | sid) clang="clang llvm" rt=libclang-rt-dev gui=wireshark ;;
*)
	echo "install-deps: release '${codename:-unknown}' is not one bpfcap is tested on (Debian 12," \
		"13, testing); trying the unversioned package names" >&2
	clang="clang llvm" rt=libclang-rt-dev gui=wireshark
	;;
esac
# adduser (installed on its own, first): wireshark-common's postinst creates group wireshark
# with addgroup without depending on adduser, and a minimal system (debootstrap
# --variant=minbase) does not have it
build="adduser cmake make gcc pkg-config $clang bpftool libbpf-dev libelf-dev zlib1g-dev
       libpcap-dev libcap-ng-dev libglib2.0-dev wireshark-dev libwireshark-dev tshark"
test="iproute2 nftables tcpdump netcat-openbsd iputils-ping python3 libcap2-bin procps
      util-linux passwd $rt clang-format cppcheck shellcheck wireshark-common
      $gui xvfb xauth xdotool x11-apps imagemagick qemu-system-x86 busybox-static xz-utils
      build-essential dpkg-dev debhelper po-debconf lintian fakeroot bash-completion openssh-server
      openssh-client man-db valgrind git"
pkgs="$build"
[ "${1:-}" = "--test" ] && pkgs="$build $test"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
echo "install-deps: installing$missing"
# tshark asks whether non-root users may capture; answer it up front: yes, as most users do
# (dumpcap then carries file capabilities), unless BPFCAP_DUMPCAP_CAPS=false (the fresh Debian
# 13 stage uses it, so the tests run with dumpcap both with and without capabilities)
case ${BPFCAP_DUMPCAP_CAPS:-true} in
true | false) ;;
*) echo "install-deps: BPFCAP_DUMPCAP_CAPS must be true or false" >&2; exit 2 ;;
esac
if command -v debconf-set-selections >/dev/null 2>&1; then
	echo "wireshark-common wireshark-common/install-setuid boolean ${BPFCAP_DUMPCAP_CAPS:-true}" |
		debconf-set-selections
fi
log=$(mktemp /tmp/bpfcap-install-deps.XXXXXX)
trap 'rm -f "$log"' EXIT
apt() {
	if ! apt-get "$@" >"$log" 2>&1; then
		tail -20 "$log" >&2
		echo "install-deps: 'apt-get $*' failed (output above)" >&2
		exit 1
	fi
}
apt update -q
case " $missing " in
*" adduser "*) apt install -y -q --no-install-recommends adduser ;;
esac
# shellcheck disable=SC2086
apt install -y -q --no-install-recommends $missing
# openssh-server is only for tests/e2e/test-sshdump.sh, which runs its own sshd on
# 127.0.0.1 in a private namespace: don't leave the system's sshd listening because of it
case " $missing " in
*" openssh-server "*)
	if [ -d /run/systemd/system ]; then
		systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || true
		echo "install-deps: installed openssh-server for the tests; its service is disabled"
	fi
	;;
esac
