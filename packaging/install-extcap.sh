#!/bin/sh
# Installs the bpfcap binary as a Wireshark extcap with the dumpcap privilege model:
#   root:wireshark 0750 and cap_bpf,cap_perfmon,cap_net_admin=ep, group created if missing,
# so members of group 'wireshark' capture without root and nobody else sees the interfaces.
# Usage: install-extcap.sh BINARY EXTCAP_DIR   (honours $DESTDIR: then only copies; the
# package's postinst applies group, mode and capabilities)
set -eu
bin=$1
dir=$2
dest="${DESTDIR:-}$dir"
mkdir -p "$dest"
# replace atomically: file capabilities vanish when a file is rewritten in place anyway
cp "$bin" "$dest/.bpfcap.tmp"
mv -f "$dest/.bpfcap.tmp" "$dest/bpfcap"
echo "-- Installing extcap: $dest/bpfcap"
if [ -n "${DESTDIR:-}" ]; then
	chmod 0755 "$dest/bpfcap"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	chmod 0755 "$dest/bpfcap"
	echo "-- not root: $dest/bpfcap installed without group/capabilities (only root can capture)"
	exit 0
fi
getent group wireshark >/dev/null || groupadd --system wireshark
chown root:wireshark "$dest/bpfcap"
chmod 0750 "$dest/bpfcap"
if command -v setcap >/dev/null 2>&1; then
	setcap cap_bpf,cap_perfmon,cap_net_admin=ep "$dest/bpfcap"
else
	echo "-- setcap not found (package libcap2-bin): only root can capture" >&2
fi
echo "-- members of group 'wireshark' can now capture with it (usermod -aG wireshark USER)"
