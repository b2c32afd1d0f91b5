#!/bin/sh
# install-user.sh WIRESHARK_MAJOR.MINOR PLUGIN: puts the plugin into the personal plugin folder
# of the user running it and installs the "bpfcap" profile (cmake --build BUILD --target
# install_user runs this).
set -eu
[ $# = 2 ] || { echo "usage: install-user.sh WIRESHARK_MAJOR.MINOR PLUGIN" >&2; exit 2; }
dir=$HOME/.local/lib/wireshark/plugins/$1/epan
mkdir -p "$dir"
cp "$2" "$dir/bpfcap.so.tmp"
mv "$dir/bpfcap.so.tmp" "$dir/bpfcap.so"
echo "installed $dir/bpfcap.so"
[ "$(id -u)" != 0 ] ||
	echo "note: Wireshark run as root ignores personal plugins; run it as this folder's user" >&2
sh "$(dirname "$0")/install-profile.sh"
