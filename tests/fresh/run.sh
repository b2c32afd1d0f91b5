#!/bin/bash
# Fresh-machine stage: the README's two commands on a new Debian system of another release.
#
#   tests/fresh/run.sh [--keep] RELEASE        RELEASE: trixie (13), forky (testing), bookworm (12)
#
# Builds a new `debootstrap --variant=minbase` chroot of RELEASE (only the package caches are
# kept between runs, in $BPFCAP_FRESH_CACHE), copies this source tree into it, and runs inside,
# as root with CI=$CI:
#   1. tests/fresh/test-quickstart.sh  - the README's first command, packaging/quickstart.sh,
#      with a check that its decoded output shows the three drop reasons it provokes;
#   2. tests/run-all.sh --only "$BPFCAP_FRESH_LABELS" - the README's second command, limited to
#      the labels a release can differ in (default: unit integration e2e robust; the host keeps
#      the kernel matrix, sanitizers and fuzzing).
# The chroot shares this machine's kernel, so captures work in it. Everything runs in a private
# mount namespace: proc, sysfs, bpffs, tracefs, /dev and /run are mounted there and vanish with
# it; processes left in the chroot are killed; the chroot is removed unless --keep.
#
# Debian 13 answers wireshark-common's question "may non-root users capture?" with no (dumpcap
# without file capabilities), the others with yes (dumpcap with them, like the host): the tests
# must pass either way.
# Environment: BPFCAP_FRESH_CACHE (default /var/cache/bpfcap-ci), BPFCAP_FRESH_LABELS,
# BPFCAP_FRESH_MIRROR (default: this machine's Debian archive, tests/lib/debian-mirror.sh).
# Output ends with "N passed, M failed" (the sums of both steps). Exit 0 when all passed.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CACHE=${BPFCAP_FRESH_CACHE:-/var/cache/bpfcap-ci}
LABELS=${BPFCAP_FRESH_LABELS:-unit integration e2e robust}
KEEP=
usage() {
	sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--keep) KEEP=1; shift ;;
	-h | --help) usage ;;
	-*) echo "fresh: unknown option '$1'" >&2; usage ;;
	*) break ;;
	esac
done
[ $# = 1 ] || usage
REL=$1
case $REL in
bookworm | trixie | forky) ;;
*) echo "fresh: release must be bookworm, trixie or forky, not '$REL'" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "fresh: run as root (debootstrap, chroot, mounts)" >&2; exit 1; }

say() { echo "fresh[$REL]: $*"; }
fail() {
	echo "fresh[$REL]: FAIL: $*" >&2
	echo "0 passed, 1 failed"
	exit 1
}
t0=$(date +%s)
elapsed() { echo "$(($(date +%s) - t0)) s"; }

if ! command -v debootstrap >/dev/null 2>&1; then
	say "installing debootstrap"
	{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap; } >/dev/null 2>&1 ||
		fail "cannot install debootstrap (apt-get install debootstrap)"
fi
MIRROR=${BPFCAP_FRESH_MIRROR:-$("$TOP/tests/lib/debian-mirror.sh")} ||
	fail "no Debian archive in this machine's apt sources; set BPFCAP_FRESH_MIRROR"
# debootstrap has a script per release; Debian 12's has none for forky yet: testing is
# bootstrapped like sid
SCRIPT=/usr/share/debootstrap/scripts/$REL
[ -e "$SCRIPT" ] || SCRIPT=/usr/share/debootstrap/scripts/sid

mkdir -p "$CACHE/debootstrap-$REL" "$CACHE/apt-$REL/partial" || fail "cache $CACHE is not writable"
WORK=$(mktemp -d /var/tmp/bpfcap-fresh-"$REL".XXXXXX) || fail "mktemp"
ROOT=$WORK/root
kill_chroot_procs() {
	local p r n=0
	for p in /proc/[0-9]*; do
		r=$(readlink "$p/root" 2>/dev/null) || continue
		case $r in "$ROOT" | "$ROOT"/*) kill -9 "${p#/proc/}" 2>/dev/null && n=$((n + 1)) ;; esac
	done
	[ $n = 0 ] || say "killed $n processes left in the chroot"
}
cleanup() {
	kill_chroot_procs
	if [ -n "$KEEP" ]; then
		say "kept $ROOT"
	elif ! grep -q " $WORK/" /proc/self/mounts; then
		rm -rf --one-file-system "$WORK"
	else
		say "not removing $WORK: something is still mounted below it"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ the system
say "debootstrap --variant=minbase $REL from $MIRROR"
if ! debootstrap --variant=minbase --cache-dir="$CACHE/debootstrap-$REL" "$REL" "$ROOT" "$MIRROR" \
	"$SCRIPT" >"$WORK/debootstrap.log" 2>&1; then
	tail -20 "$WORK/debootstrap.log" >&2
	fail "debootstrap of $REL failed (log above)"
fi
say "debootstrap done ($(elapsed)): $(. "$ROOT/etc/os-release" && echo "$PRETTY_NAME")"
# The archive's copy of testing may carry an expired Valid-Until: allow that in this chroot only
echo 'Acquire::Check-Valid-Until "false";' >"$ROOT/etc/apt/apt.conf.d/99bpfcap-fresh"
# no daemons start from package scripts (openssh-server, …): there is no init in a chroot
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$ROOT/etc/hosts"
# the source tree as a fresh clone has it: tracked files and untracked ones git does not ignore
mkdir -p "$ROOT/src/bpfcap"
if git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$TOP" && git ls-files -z --cached --others --exclude-standard |
		tar --null --ignore-failed-read -cf - -T - 2>/dev/null) | tar -xf - -C "$ROOT/src/bpfcap" ||
		fail "copying the source tree"
else
	tar -C "$TOP" --exclude='./build*' -cf - . | tar -xf - -C "$ROOT/src/bpfcap" || fail "copying the source tree"
fi

# ------------------------------------------------------------------ inside
cat >"$WORK/inside.sh" <<'INSIDE'
#!/bin/sh
# runs in the chroot: the README's two commands, each step's counts on its last line
cd /src/bpfcap
echo "===== fresh: README command 1: packaging/quickstart.sh (tests/fresh/test-quickstart.sh)"
tests/fresh/test-quickstart.sh 2>&1 | tee /var/tmp/step1.log
echo "===== fresh: README command 2: tests/run-all.sh --only \"$LABELS\""
tests/run-all.sh --only "$LABELS" 2>&1 | tee /var/tmp/step2.log
INSIDE
chmod 755 "$WORK/inside.sh"
cp "$WORK/inside.sh" "$ROOT/inside.sh"

# mounts, in a mount namespace of this script's own; "/" of the chroot is a mount point (the
# tests' unshare --mount wants one)
cat >"$WORK/mounts.sh" <<'MOUNTS'
set -e
R=$1
mount --bind "$R" "$R"
mount -t proc proc "$R/proc"
mount -t sysfs sysfs "$R/sys"
mount -t bpf bpf "$R/sys/fs/bpf"
mount -t tracefs tracefs "$R/sys/kernel/tracing" 2>/dev/null || true
mount -t debugfs debugfs "$R/sys/kernel/debug" 2>/dev/null || true
mount --rbind /dev "$R/dev"
mount -t tmpfs -o mode=755 tmpfs "$R/run"
mount --bind "$2" "$R/var/cache/apt/archives"
MOUNTS
DUMPCAP_CAPS=true
[ "$REL" = trixie ] && DUMPCAP_CAPS=false
say "running the README's two commands in the chroot (CI=${CI:-}; dumpcap with file capabilities: $DUMPCAP_CAPS)"
unshare --mount --propagation private -- sh -c '
	sh "$1" "$2" "$3" || { echo "fresh: mounting proc, sys, bpffs, dev in the chroot failed" >&2; exit 1; }
	exec chroot "$2" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TERM=dumb CI="$4" LABELS="$5" BPFCAP_DUMPCAP_CAPS="$6" \
		BPFCAP_FUZZ_SECONDS="${BPFCAP_FUZZ_SECONDS:-}" /inside.sh' \
	fresh "$WORK/mounts.sh" "$ROOT" "$CACHE/apt-$REL" "${CI:-}" "$LABELS" "$DUMPCAP_CAPS" </dev/null
rc=$?
kill_chroot_procs

# ------------------------------------------------------------------ counts
pass=0
failn=0
for s in 1 2; do
	line=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$ROOT/var/tmp/step$s.log" 2>/dev/null | tail -1)
	if [ -z "$line" ]; then
		echo "fresh[$REL]: step $s printed no counts" >&2
		failn=$((failn + 1))
		continue
	fi
	p=$(echo "$line" | sed -E 's/^([A-Za-z-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/')
	f=$(echo "$line" | sed -E 's/^([A-Za-z-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/')
	pass=$((pass + p))
	failn=$((failn + f))
done
[ $rc = 0 ] || [ $failn -gt 0 ] || failn=1
ws=$(chroot "$ROOT" tshark --version 2>/dev/null | head -1)
say "dumpcap: $(chroot "$ROOT" sh -c 'ls -l /usr/bin/dumpcap; getcap /usr/bin/dumpcap' 2>/dev/null | tr '\n' ' ')"
say "$(. "$ROOT/etc/os-release" && echo "$PRETTY_NAME"), ${ws:-no tshark}: $pass passed, $failn failed in $(elapsed)"
echo "$pass passed, $failn failed"
[ $failn = 0 ]
