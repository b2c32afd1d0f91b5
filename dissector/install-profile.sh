#!/bin/sh
# Installs the "bpfcap" Wireshark configuration profile: packet list columns Probe, Device and
# Reason (bpfcap.probe, bpfcap.ifname, bpfcap.reason_name) and colouring rules for kernel drops.
# Needs the bpfcap dissector plugin for the columns to fill.
set -eu

usage() {
	cat <<USAGE
Usage: install-profile.sh [--global | --dir DIR]
Install the Wireshark configuration profile "bpfcap".
  (no option)   for the current user: <personal configuration>/profiles/bpfcap
  --global      for every user: <global configuration>/profiles/bpfcap (as root; honours DESTDIR)
  --dir DIR     into DIR/bpfcap
Then use it with 'wireshark -C bpfcap', 'tshark -C bpfcap' or Edit > Configuration Profiles.
USAGE
}

# The folder Wireshark reports, e.g. "Personal configuration:  /home/u/.config/wireshark"
ws_folder() {
	command -v tshark >/dev/null 2>&1 || return 0
	tshark -G folders 2>/dev/null | sed -n "s/^$1:[[:space:]]*//p" | head -n 1
}

src=$(cd "$(dirname "$0")/profile" && pwd)
case "${1:-}" in
"")
	conf=$(ws_folder "Personal configuration")
	[ -n "$conf" ] || conf=${XDG_CONFIG_HOME:-$HOME/.config}/wireshark
	dest=$conf/profiles/bpfcap
	;;
--global)
	conf=$(ws_folder "Global configuration")
	[ -n "$conf" ] || conf=/usr/share/wireshark
	dest=${DESTDIR:-}$conf/profiles/bpfcap
	;;
--dir)
	[ $# -ge 2 ] || { echo "install-profile.sh: --dir needs a directory; try --help" >&2; exit 2; }
	dest=$2/bpfcap
	;;
-h | --help)
	usage
	exit 0
	;;
*)
	echo "install-profile.sh: unknown option '$1'; try --help" >&2
	exit 2
	;;
esac

mkdir -p "$dest"
for f in preferences colorfilters; do
	cp "$src/$f" "$dest/$f.tmp"
	chmod 0644 "$dest/$f.tmp"
	mv "$dest/$f.tmp" "$dest/$f"
done
echo "installed the Wireshark profile 'bpfcap' in $dest"
