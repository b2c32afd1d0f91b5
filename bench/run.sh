#!/bin/sh
# bpfcap benchmark harness: overhead, loss and latency against tcpdump (and xdpdump), in one
# run, in private network namespaces. A benchmark, not a test: it reports, it does not judge.
#   sudo bench/run.sh [--quick] [--rounds N] [--seconds S] [--only REGEX]
# --only runs the configurations whose name matches REGEX (and the no-capture baselines).
# Needs a build (cmake -S . -B build && cmake --build build); BUILD=dir overrides build/.
# Writes bench/results/<date>.md and prints a one-line summary.
set -eu
[ "$(id -u)" = 0 ] || { echo "bench: run as root" >&2; exit 1; }
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$top/build}
for f in extcap/bpfcap bench/bpfcap-gen bench/bpfcap-writer-bench; do
	[ -x "$build/$f" ] || { echo "bench: $build/$f missing; build first" >&2; exit 1; }
done
if [ -z "${BENCH_IN_NS:-}" ]; then
	exec env BENCH_IN_NS=1 unshare --net --mount -- "$0" "$@"
fi
mkdir -p /run/netns && mount -t tmpfs -o size=1m bench /run/netns
# the extcap path: an ordinary user in group wireshark runs tshark, with the extcap installed in
# that user's personal extcap directory the way the install rule does it
home=$(mktemp -d /tmp/bpfcap-bench-home.XXXXXX)
chmod 755 "$home"
trap 'rm -rf "$home"' EXIT
extcap_home=""
if command -v tshark >/dev/null && command -v setcap >/dev/null; then
	. "$top/tests/lib/wsdirs.sh"
	xdir=$(ws_personal_extcap_dir "$top/tests/lib/asuser.sh" "$home") &&
		"$top/packaging/install-extcap.sh" "$build/extcap/bpfcap" "$xdir" >/dev/null &&
		extcap_home=$home
fi
python3 "$top/bench/run.py" --build "$build" --top "$top" --extcap-home "$extcap_home" "$@"
