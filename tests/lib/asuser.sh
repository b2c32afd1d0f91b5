#!/bin/sh
# Runs a command as an ordinary user, the way Wireshark users run tshark (root ignores personal
# plugin and extcap directories). Creates the user 'bpfcaptest' and, with --wireshark, puts it
# into group 'wireshark' (created if missing).
#   asuser.sh [--wireshark|--no-wireshark] HOME_DIR -- command args...
set -eu
[ "$(id -u)" = 0 ] || { echo "SKIP: asuser.sh needs root to switch users" >&2; exit 77; }
group=keep
case "${1:-}" in
--wireshark) group=add; shift ;;
--no-wireshark) group=remove; shift ;;
esac
home=$1
shift
[ "${1:-}" = "--" ] && shift
user=bpfcaptest
getent group wireshark >/dev/null || groupadd --system wireshark
id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /bin/sh "$user"
case $group in
add) id -nG "$user" | tr ' ' '\n' | grep -qx wireshark || usermod -aG wireshark "$user" ;;
remove) id -nG "$user" | tr ' ' '\n' | grep -qx wireshark && gpasswd -d "$user" wireshark >/dev/null || true ;;
esac
if [ ! -d "$home" ]; then
	mkdir -p "$home"
	chown "$user" "$home"
fi
# hand over what is not the user's yet, but never touch root-owned files (an installed
# extcap keeps its owner, mode and file capabilities)
find "$home" -xdev -user root ! -perm -g+s -type d -exec chown "$user" {} + 2>/dev/null || true
# setpriv with --init-groups picks up the current group list of the user
exec setpriv --reuid="$user" --regid="$user" --init-groups --inh-caps=-all \
	env -i HOME="$home" PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 "$@"
