#!/bin/sh
# Installs what bpfcap needs to build and test on Debian 12 (bookworm), from Debian's archive.
# Usage: packaging/install-deps.sh [--test]   (--test adds what the test suites use)
set -eu
[ "$(id -u)" = 0 ] || { echo "install-deps: run as root (apt-get)" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
build="cmake make gcc pkg-config clang-16 llvm-16 bpftool libbpf-dev libelf-dev zlib1g-dev
       libpcap-dev libcap-ng-dev libglib2.0-dev wireshark-dev libwireshark-dev tshark"
test="iproute2 nftables tcpdump netcat-openbsd iputils-ping python3 libcap2-bin procps
      util-linux passwd libclang-rt-16-dev clang-format cppcheck wireshark-common
      wireshark-qt xvfb xauth xdotool x11-apps imagemagick qemu-system-x86 busybox-static xz-utils
      dpkg-dev debhelper po-debconf lintian fakeroot bash-completion openssh-server
      openssh-client man-db valgrind"
pkgs="$build"
[ "${1:-}" = "--test" ] && pkgs="$build $test"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "install-deps: installing$missing"
	# tshark asks whether non-root users may capture; answer it up front
	echo "wireshark-common wireshark-common/install-setuid boolean true" | debconf-set-selections
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends $missing >/dev/null
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
fi
