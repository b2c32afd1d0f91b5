#!/bin/bash
# Kernel matrix (issue 7): runs bpfcap on Debian's own kernels under QEMU (TCG) and checks what it
# captured there with tshark on the host.
#
#   tests/kernels/run.sh [--kernel 6.1|6.12|7|all] [--keep] [--test NAME]... [PATH_TO_BPFCAP]
#
# For each kernel: fetch Debian's linux-image package with apt-get download (6.1 from the
# machine's own bookworm sources, 6.12 from bookworm-backports and 7 (Debian testing's 7.x) from
# testing, each through a private sources list and state directory), cache it, build an initramfs (busybox, iproute2, nft, a python3 subset,
# bpfcap, the kernel modules the tests need), boot it, run every tests/kernels/guest/*.sh inside,
# get the capture files back through virtio-9p (or, if 9p cannot be mounted, a tar over the
# serial console), then run each test's host_check with tshark. See tests/kernels/README.md.
#
# Environment: BPFCAP (binary, if not an argument), BPFCAP_GEN (optional bench/bpfcap-gen),
# BPFCAP_KERNEL_CACHE (default /var/cache/bpfcap-kernels), BPFCAP_KERNEL_TIMEOUT (seconds per
# kernel, default 600), BPFCAP_KERNEL_TEST_TIMEOUT (seconds per guest test, default 120),
# BPFCAP_KERNEL_TRANSPORT (9p|console, default 9p), BPFCAP_KERNEL_OFFLINE=1 (use cached
# packages only), CI (CI=true: a missing prerequisite is a failure, never a skip).
# Exit: 0 all passed; 1 a failure; 2 usage; 77 a prerequisite cannot be installed (not in CI).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CACHE=${BPFCAP_KERNEL_CACHE:-/var/cache/bpfcap-kernels}
KTIMEOUT=${BPFCAP_KERNEL_TIMEOUT:-600}
TTIMEOUT=${BPFCAP_KERNEL_TEST_TIMEOUT:-120}
TRANSPORT=${BPFCAP_KERNEL_TRANSPORT:-9p}
CI=${CI:-}
KERNELS=all
KEEP=
TESTS=()
BPFCAP=${BPFCAP:-}

usage() {
	sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) KERNELS=${2:?}; shift 2 ;;
	--kernel=*) KERNELS=${1#*=}; shift ;;
	--keep) KEEP=1; shift ;;
	--test) TESTS+=("${2:?}"); shift 2 ;;
	-h | --help) usage ;;
	-*) echo "run.sh: unknown option $1" >&2; usage ;;
	*) BPFCAP=$1; shift ;;
	esac
done
case $KERNELS in
all) SERIES=(6.1 6.12 7) ;;
6.1 | 6.12 | 7) SERIES=("$KERNELS") ;;
*) echo "run.sh: --kernel must be 6.1, 6.12, 7 or all" >&2; exit 2 ;;
esac
[ -n "$BPFCAP" ] && [ -x "$BPFCAP" ] || { echo "run.sh: bpfcap binary not given or not executable: '$BPFCAP'" >&2; usage; }
BPFCAP=$(realpath "$BPFCAP")
if [ -z "${BPFCAP_GEN:-}" ] && [ -x "$(dirname "$BPFCAP")/../bench/bpfcap-gen" ]; then
	BPFCAP_GEN=$(realpath "$(dirname "$BPFCAP")/../bench/bpfcap-gen")
fi
# the sample user programs' loader (tests/progs), for the xdpdump-style guest test
if [ -z "${BPFCAP_LOADER:-}" ] && [ -x "$(dirname "$BPFCAP")/../tests/progs/bpfcap-test-loader" ]; then
	BPFCAP_LOADER=$(realpath "$(dirname "$BPFCAP")/../tests/progs/bpfcap-test-loader")
fi

log() { echo "kernels: $*"; }
# a prerequisite is missing: skip (77) locally, fail in CI
unmet() {
	if [ "$CI" = true ]; then
		echo "kernels: FAIL: $* (CI=true: a missing prerequisite is a failure, not a skip)" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "kernels: SKIP: $*" >&2
	exit 77
}

# ---------------------------------------------------------------- host prerequisites
# command -> Debian package
declare -A PKG=([qemu-system-x86_64]=qemu-system-x86 [busybox]=busybox-static [tshark]=tshark
	[ip]=iproute2 [xz]=xz-utils [objcopy]=binutils [dpkg-deb]=dpkg [apt-get]=apt
	[python3]=python3 [ldd]=libc-bin [flock]=util-linux)
missing=()
for c in "${!PKG[@]}"; do command -v "$c" >/dev/null 2>&1 || missing+=("${PKG[$c]}"); done
[ -x /usr/bin/python3 ] || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		log "installing ${missing[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
			{ apt-get update -q >/dev/null 2>&1 &&
				DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1; } ||
			unmet "cannot install ${missing[*]}"
	else
		unmet "missing ${missing[*]} (run as root to install them, or packaging/install-deps.sh --test)"
	fi
	for c in "${!PKG[@]}"; do command -v "$c" >/dev/null 2>&1 || unmet "$c still missing after installing ${PKG[$c]}"; done
fi
BUSYBOX=$(command -v busybox)
mkdir -p "$CACHE" 2>/dev/null && [ -w "$CACHE" ] || unmet "kernel cache $CACHE is not writable (set BPFCAP_KERNEL_CACHE)"

WORK=$(mktemp -d /tmp/bpfcap-kernels.XXXXXX)
QPID=
cleanup() {
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null
	if [ -n "$KEEP" ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- kernel packages
# newest package (with a candidate version) whose name matches REGEX: prints "NAME VERSION"
newest_pkg() { # newest_pkg PREFIX REGEX [apt options...]
	local prefix=$1 re=$2
	shift 2
	local names
	names=$(apt-cache "$@" pkgnames "$prefix" 2>/dev/null | grep -E "$re")
	[ -n "$names" ] || return 1
	# shellcheck disable=SC2086
	apt-cache "$@" policy $names 2>/dev/null |
		awk '/^[^ ]/ {p = $1; sub(":$", "", p)} /Candidate:/ && $2 != "(none)" {print p, $2}' |
		sort -V | tail -1
}

# private apt configurations for bookworm-backports (6.12) and testing (7.x): the system's
# sources, lists and caches stay untouched; the archive is the one this machine's apt uses.
# Testing's Release file in the archive's copy may carry an expired Valid-Until: allowed here only.
MIRROR=$("$TOP/tests/lib/debian-mirror.sh") || MIRROR=
apt_opts() { # apt_opts SUITE: sets AOPTS
	local d=$CACHE/apt-$1
	AOPTS=(-o "Dir::Etc::sourcelist=$d/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$d/lists"
		-o "Dir::Cache=$d/cache" -o "Dir::Cache::archives=$d/cache/archives" -o Acquire::Check-Valid-Until=false)
}
private_update() { # private_update SUITE
	local d=$CACHE/apt-$1
	apt_opts "$1"
	[ -n "$MIRROR" ] || { echo "no Debian archive in this machine's apt sources" >"$WORK/apt-update.log"; return 1; }
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR $1 main" >"$d/sources.list"
	id _apt >/dev/null 2>&1 && chown -R _apt:root "$d/lists" "$d/cache/archives" 2>/dev/null
	apt-get -q "${AOPTS[@]}" update >"$WORK/apt-update.log" 2>&1
}

# cache_deb PKG VER PREFIX OPTS...: downloads PKG=VER into the cache as PKG_VER_amd64.deb (unless
# there) and removes older packages of the same PREFIX (the cache keeps one per series); prints
# the file. 1 when apt-get cannot download it.
cache_deb() {
	local pkg=$1 ver=$2 prefix=$3 out d f
	shift 3
	out=$CACHE/${pkg}_${ver//:/%3a}_amd64.deb
	if [ ! -s "$out" ]; then
		log "downloading $pkg $ver" >&2
		d=$(mktemp -d "$CACHE/dl.XXXXXX")
		id _apt >/dev/null 2>&1 && chown _apt:root "$d"
		if ! (cd "$d" && apt-get -q "$@" download "$pkg=$ver" >"$WORK/apt-download.log" 2>&1); then
			rm -rf "$d"
			cat "$WORK/apt-download.log" >&2
			return 1
		fi
		mv "$d"/*.deb "$out"
		rm -rf "$d"
		for f in "$CACHE"/$prefix*.deb "$CACHE"/tree/$prefix*; do
			case $f in "$out" | "$CACHE/tree/$(basename "$out" .deb)") ;; *) [ -e "$f" ] && rm -rf "$f" ;; esac
		done
	fi
	echo "$out"
}

# fetch SERIES: sets KPKG, KDEB (the cached .deb with the kernel image) and KEXTRA (the cached
# .debs with its modules and base files — modules.builtin — when other packages carry them)
fetch_kernel() {
	# shellcheck disable=SC1007 # suite= is meant: an empty local
	local s=$1 re prefix suite= opts=() found='' ver part f
	KDEB=
	KPKG=
	KEXTRA=
	case $s in
	6.1) prefix=linux-image-6.1.0- re='^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' ;;
	6.12) prefix=linux-image-6.12. re='^linux-image-6\.12\.[0-9]+\+[a-z0-9.]+-amd64-unsigned$' suite=bookworm-backports ;;
	# testing splits the kernel: linux-binary-VER-amd64 (vmlinuz), linux-modules-VER-amd64 and
	# linux-base-VER-amd64 (modules.builtin, …); linux-image-VER-amd64 is their meta package
	7) prefix=linux-binary-7. re='^linux-binary-7\.[0-9]+\.[0-9]+\+[a-z0-9.]+-amd64$' suite=testing ;;
	esac
	if [ -z "${BPFCAP_KERNEL_OFFLINE:-}" ]; then
		if [ -n "${suite:-}" ]; then
			private_update "$suite" || log "$s: apt-get update of $suite failed (see below); trying the cache"
			opts=("${AOPTS[@]}")
		fi
		found=$(newest_pkg "$prefix" "$re" "${opts[@]}")
	fi
	if [ -n "$found" ]; then
		KPKG=${found% *}
		ver=${found#* }
		KDEB=$(cache_deb "$KPKG" "$ver" "$prefix" "${opts[@]}") || KDEB=
		case $KPKG in linux-binary-*)
			for part in modules base; do
				f=$(cache_deb "linux-$part-${KPKG#linux-binary-}" "$ver" "${prefix/binary/$part}" "${opts[@]}") || KDEB=
				KEXTRA="$KEXTRA $f"
			done
			;;
		esac
	fi
	if [ -z "${KDEB:-}" ] || [ ! -s "$KDEB" ]; then
		# offline or the archive is unreachable: the newest cached package of the series
		KDEB=$(for f in "$CACHE"/$prefix*_amd64.deb; do [ -s "$f" ] && basename "$f" | cut -d_ -f1 | grep -qE "$re" && echo "$f"; done | sort -V | tail -1)
		[ -n "$KDEB" ] || { [ -s "$WORK/apt-update.log" ] && cat "$WORK/apt-update.log" >&2; return 1; }
		case $KDEB in */linux-binary-*)
			for part in modules base; do
				f=$(dirname "$KDEB")/$(basename "$KDEB" | sed "s/^linux-binary-/linux-$part-/")
				[ -s "$f" ] || return 1
				KEXTRA="$KEXTRA $f"
			done
			;;
		esac
		log "$s: using cached $(basename "$KDEB")"
	fi
	KPKG=$(basename "$KDEB" | cut -d_ -f1)
	return 0
}

# extract SERIES: sets KTREE, KVER, KIMG (modules in lib/modules or, usr-merged, usr/lib/modules)
extract_kernel() {
	local f
	KTREE=$CACHE/tree/$(basename "$KDEB" .deb)
	if [ ! -e "$KTREE/.done" ]; then
		rm -rf "$KTREE"
		mkdir -p "$KTREE"
		dpkg-deb -x "$KDEB" "$KTREE" || return 1
		for f in ${KEXTRA:-}; do dpkg-deb -x "$f" "$KTREE" || return 1; done
		if [ ! -d "$KTREE/lib/modules" ] && [ -d "$KTREE/usr/lib/modules" ]; then
			mkdir -p "$KTREE/lib" && ln -s ../usr/lib/modules "$KTREE/lib/modules"
		fi
		touch "$KTREE/.done"
	fi
	KVER=$(ls "$KTREE/lib/modules" | head -1)
	# the image: /boot/vmlinuz-VER, or (testing's linux-binary) /usr/lib/modules/VER/vmlinuz
	KIMG=$KTREE/boot/vmlinuz-$KVER
	[ -f "$KIMG" ] || KIMG=$KTREE/lib/modules/$KVER/vmlinuz
	[ -n "$KVER" ] && [ -f "$KIMG" ]
}

# ---------------------------------------------------------------- initramfs
# libraries of the given ELF binaries, into ROOT/lib/x86_64-linux-gnu and ROOT/lib64
copy_libs() {
	local root=$1
	shift
	ldd "$@" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\/.*[^:]$/ {print $1}' | sort -u |
		while read -r l; do
			case $l in
			*/ld-linux-x86-64.so.2) cp -L "$l" "$root/lib64/" ;;
			*) cp -L "$l" "$root/lib/x86_64-linux-gnu/" ;;
			esac
		done
}

# the part shared by all kernels: tools, bpfcap, python3 subset, tests
build_common() {
	local R=$WORK/root-common bins=() b a
	mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,etc,out,kt/guest,lib/x86_64-linux-gnu,lib64,root}
	mkdir -p "$R/var" && ln -s /run "$R/var/run" # Debian's ip keeps netns handles in /run/netns
	cp "$BUSYBOX" "$R/bin/busybox"
	# every applet but those a real tool replaces (busybox's ip would shadow iproute2's)
	for a in $("$BUSYBOX" --list); do
		case $a in busybox | ip | ipneigh | tc | nft | python3) continue ;; esac
		ln -s busybox "$R/bin/$a"
	done
	bins+=("$R/bin/busybox")
	for b in /usr/sbin/ip /usr/sbin/tc /usr/sbin/nft /usr/sbin/bpftool; do
		[ -x "$b" ] || continue
		cp "$b" "$R$b"
		bins+=("$b")
	done
	cp -r /etc/iproute2 "$R/etc/" 2>/dev/null
	for f in protocols services; do [ -f /etc/$f ] && cp /etc/$f "$R/etc/"; done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$R/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$R/etc/group"
	cp "$BPFCAP" "$R/usr/bin/bpfcap"
	bins+=("$BPFCAP")
	if [ -n "${BPFCAP_GEN:-}" ] && [ -x "$BPFCAP_GEN" ]; then
		cp "$BPFCAP_GEN" "$R/usr/bin/bpfcap-gen"
		bins+=("$BPFCAP_GEN")
	fi
	if [ -n "${BPFCAP_LOADER:-}" ] && [ -x "$BPFCAP_LOADER" ]; then
		cp "$BPFCAP_LOADER" "$R/usr/bin/bpfcap-test-loader"
		bins+=("$BPFCAP_LOADER")
	fi
	# python3: the interpreter and only the modules the guest scripts import (with their .pyc)
	if [ -x /usr/bin/python3 ]; then
		local py
		py=$(readlink -f /usr/bin/python3)
		cp "$py" "$R/usr/bin/$(basename "$py")"
		ln -s "$(basename "$py")" "$R/usr/bin/python3"
		bins+=("$py")
		env -i /usr/bin/python3 -c '
import importlib.util, sys
import errno, os, select, signal, socket, struct, time
import encodings.idna, encodings.ascii, encodings.latin_1  # getaddrinfo() on str hosts
for m in list(sys.modules.values()):
    f = getattr(m, "__file__", None)
    if f and f.endswith(".py"):
        print(f)
        c = importlib.util.cache_from_source(f)
        print(c)
    elif f:
        print(f)' | sort -u | while read -r f; do
			[ -f "$f" ] && cp --parents "$f" "$R/"
		done
		mkdir -p "$R/usr/lib/$(basename "$py")/lib-dynload"
	fi
	copy_libs "$R" "${bins[@]}"
	cp "$HERE/init.sh" "$R/init"
	cp "$HERE/guest-lib.sh" "$R/kt/lib.sh"
	cp "$TOP/tests/lib/send.py" "$R/kt/send.py"
	cp "$TOP/tests/lib/capture.sh" "$R/kt/capture.sh"
	cp "$HERE"/guest/*.sh "$R/kt/guest/"
	chmod 755 "$R/init"
	(cd "$R" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null) >"$WORK/common.cpio"
}

# the modules the tests need, with their dependencies, in load order (dependencies first)
BASE_KMODS="virtio_pci 9pnet_virtio 9p veth nf_tables nfnetlink sch_ingress cls_bpf"
modinfo_field() { # modinfo_field KO FIELD
	# (never let objcopy write to /dev/stdout: it replaces its output file by renaming)
	objcopy -O binary --only-section=.modinfo "$1" "$WORK/modinfo.bin" 2>/dev/null &&
		tr '\0' '\n' <"$WORK/modinfo.bin" | sed -n "s/^$2=//p"
}
declare -A MODPATH MODSEEN
resolve_mod() { # resolve_mod NAME DESTDIR: appends to $ORDER
	local n=${1//-/_} dest=$2 src ko d
	[ -n "${MODSEEN[$n]:-}" ] && return 0
	MODSEEN[$n]=1
	src=${MODPATH[$n]:-}
	if [ -z "$src" ]; then
		grep -qE "/${n//_/[_-]}\.ko" "$KTREE/lib/modules/$KVER/modules.builtin" && return 0
		echo "kernels: $KVER: module $n not found" >&2
		return 0
	fi
	ko=$dest/$n.ko
	case $src in *.xz) xz -dc "$src" >"$ko" ;; *.zst) zstd -qdc "$src" >"$ko" ;; *) cp "$src" "$ko" ;; esac
	for d in $(modinfo_field "$ko" depends | tr ',' ' '); do resolve_mod "$d" "$dest"; done
	# soft pre-dependencies name a module or what it provides: crc32c comes from crc32c_generic
	for d in $(modinfo_field "$ko" softdep | sed -n 's/^pre: *//p' | sed 's/ post:.*//'); do
		d=${d//-/_}
		if [ -n "${MODPATH[$d]:-}" ]; then resolve_mod "$d" "$dest"
		elif [ -n "${MODPATH[${d}_generic]:-}" ]; then resolve_mod "${d}_generic" "$dest"; fi
	done
	ORDER="$ORDER $n"
	DEPS="$DEPS$n.ko:$(for d in $(modinfo_field "$ko" depends | tr ',' ' '); do printf ' %s.ko' "${d//-/_}"; done)
"
}
build_kernel_part() { # SERIES NO_SOCKET_EXPECTED
	local s=$1 R=$WORK/root-$1 f n m kmods
	MODPATH=()
	MODSEEN=()
	while read -r f; do
		n=$(basename "$f")
		n=${n%%.ko*}
		MODPATH[${n//-/_}]=$KTREE/lib/modules/$KVER/$f
	done < <(cd "$KTREE/lib/modules/$KVER" && find kernel -name '*.ko*')
	mkdir -p "$R/lib/modules/$KVER" "$R/kt"
	ORDER=
	DEPS=
	# the base set plus what the guest tests declare ("# kmods: a b")
	kmods="$BASE_KMODS $(sed -n 's/^# kmods://p' "$HERE"/guest/*.sh | tr '\n' ' ')"
	for m in $kmods; do resolve_mod "$m" "$R/lib/modules/$KVER"; done
	echo "$ORDER" | tr ' ' '\n' | grep . >"$R/lib/modules/$KVER/load.list"
	printf '%s' "$DEPS" >"$R/lib/modules/$KVER/modules.dep"
	{
		echo "KT_SERIES=$s"
		echo "KT_CI=$CI"
		echo "KT_TEST_TIMEOUT=$TTIMEOUT"
		echo "KT_TRANSPORT=$TRANSPORT"
		echo "KT_TESTS='${TESTS[*]:-}'"
	} >"$R/kt/env"
	(cd "$R" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null) >"$WORK/$s.part.cpio"
	cat "$WORK/common.cpio" "$WORK/$s.part.cpio" >"$WORK/$s.initrd"
}

# ---------------------------------------------------------------- boot and check
# boot SERIES: runs the guest; the console goes to $OUT/../console.log
boot_guest() {
	local s=$1 out=$2 con=$3 rc t0 fsdev=()
	[ "$TRANSPORT" = 9p ] && fsdev=(-virtfs "local,path=$out,mount_tag=host,security_model=none")
	t0=$(date +%s)
	timeout -k 5 "$KTIMEOUT" qemu-system-x86_64 -accel tcg -m 2048 -smp 2 -nic none \
		-kernel "$KIMG" -initrd "$WORK/$s.initrd" \
		-append "console=ttyS0 quiet rdinit=/init panic=-1" -nographic -no-reboot \
		"${fsdev[@]}" </dev/null >"$con.raw" 2>&1 &
	QPID=$!
	# show the guest's progress lines while it runs
	tail -n +1 -F --pid="$QPID" "$con.raw" 2>/dev/null | tr -d '\r' | grep --line-buffered -a '^KT: ' |
		sed -u "s/^KT: /[$s] /" &
	local follower=$!
	rc=0
	wait "$QPID" || rc=$?
	QPID=
	wait "$follower" 2>/dev/null
	tr -d '\r' <"$con.raw" >"$con"
	rm -f "$con.raw"
	BOOT_SECS=$(($(date +%s) - t0))
	return $rc
}

# host_check helpers (sourced by the test scripts' host_check) are in host-lib.sh
TOTAL_PASS=0
TOTAL_FAIL=0
SKIPPED_SERIES=0
SUMMARY=()
run_series() {
	local s=$1 expect out con p=0 f=0 k=0 t n rc r
	local t0
	t0=$(date +%s)
	case $s in 6.1) expect=2 ;; 6.12 | 7) expect=3 ;; esac
	out=$WORK/$s/out
	con=$WORK/$s/console.log
	mkdir -p "$out"
	chmod 777 "$out"
	# one run at a time fetches and extracts into the cache
	exec 9>"$CACHE/.lock"
	flock 9
	if ! fetch_kernel "$s"; then
		exec 9>&-
		# no package and none cached: a prerequisite (skip locally, failure in CI)
		if [ "$CI" = true ]; then
			series_infra_fail "$s" "could not fetch a linux-image package for $s (apt-get: see above)"
		else
			echo "[$s] SKIP: could not fetch a linux-image package for $s (apt-get: see above)" >&2
			SKIPPED_SERIES=$((SKIPPED_SERIES + 1))
			SUMMARY+=("$s: skipped (no linux-image package: archive unreachable and nothing cached)")
		fi
		return
	fi
	if ! extract_kernel "$s"; then
		exec 9>&-
		series_infra_fail "$s" "could not extract $KDEB"
		return
	fi
	exec 9>&-
	build_kernel_part "$s"
	log "$s: booting $KVER ($(du -m "$WORK/$s.initrd" | cut -f1) MiB initramfs, timeout ${KTIMEOUT}s, results via $TRANSPORT)"
	local attempt
	for attempt in 1 2; do
		rc=0
		boot_guest "$s" "$out" "$con" || rc=$?
		# Under TCG a kernel now and then dies of its own boot-time text patching (an int3
		# oops in early code, seen with 6.12 and -smp 2) before /init runs a single test. That
		# says nothing of bpfcap: boot once more, and say so. A crash after tests started is
		# a verdict and is not retried.
		if [ "$attempt" = 1 ] && [ ! -f "$out/DONE" ] && ! grep -aq '^KT: ' "$con" &&
			grep -aqE 'Oops:|Kernel panic|BUG:' "$con"; then
			echo "[$s] the guest kernel crashed while booting, before any test ($(grep -aE -m1 'Oops:|Kernel panic|BUG:' "$con" | sed 's/^\[[^]]*\] *//')); booting once more" >&2
			cp "$con" "$con.first-boot"
			rm -rf "${out:?}"/*
			continue
		fi
		break
	done
	if grep -aq '^KT-TAR-BEGIN$' "$con"; then
		# the guest sent a base64 tar of its results between markers
		sed -n '/^KT-TAR-BEGIN$/,/^KT-TAR-END$/p' "$con" | sed '1d;$d' | base64 -d 2>/dev/null | tar -xzf - -C "$out" 2>/dev/null
	fi
	if [ ! -f "$out/DONE" ]; then
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			echo "[$s] FAIL: the guest hung: killed after the ${KTIMEOUT}s time limit; last console lines:" >&2
		else
			echo "[$s] FAIL: the guest did not finish (qemu exit $rc after ${BOOT_SECS}s); last console lines:" >&2
		fi
		tail -25 "$con" | sed "s/^/[$s]   /" >&2
		f=$((f + 1))
	fi
	for n in "${TESTNAMES[@]}"; do
		t=$out/$n
		mkdir -p "$t"
		# host side: tshark on the files the guest wrote
		if [ ! -f "$t/skipped" ] && [ -f "$t/rc" ]; then
			(
				export KT_SERIES=$s KT_NO_SOCKET=$expect KT_TESTLIB=$TOP/tests/lib
				cd "$t" || exit 0
				# a host side that cannot be loaded is a failure, not zero checks
				# shellcheck disable=SC1090 # guest/$n.sh: each test of the matrix in turn
				if ! . "$HERE/host-lib.sh" || ! . "$HERE/guest/$n.sh"; then
					echo "FAIL: the host checks of $n could not be loaded (see host.log)" >>host-results
					exit 0
				fi
				if command -v host_check >/dev/null 2>&1; then host_check; fi
			) >"$t/host.log" 2>&1
		fi
		r=$(cat "$t/rc" 2>/dev/null || echo none)
		local tp tf tk
		tp=$(cat "$t/results" "$t/host-results" 2>/dev/null | grep -c '^ok:')
		tf=$(cat "$t/results" "$t/host-results" 2>/dev/null | grep -c '^FAIL:')
		tk=$(cat "$t/results" "$t/host-results" 2>/dev/null | grep -c '^SKIP:')
		if [ "$r" != 0 ] && [ "$tf" = 0 ]; then
			tf=1
			case $r in
			none) echo "FAIL: guest part did not run or did not finish" >>"$t/host-results" ;;
			124 | 137 | 143) echo "FAIL: guest part timed out after ${TTIMEOUT}s" >>"$t/host-results" ;;
			*) echo "FAIL: guest part exited $r" >>"$t/host-results" ;;
			esac
		fi
		p=$((p + tp))
		f=$((f + tf))
		k=$((k + tk))
		printf '[%s] %-12s %d passed, %d failed%s\n' "$s" "$n" "$tp" "$tf" "$([ "$tk" -gt 0 ] && echo ", $tk skipped")"
		if [ "$tf" -gt 0 ]; then
			cat "$t/results" "$t/host-results" 2>/dev/null | grep -E '^(FAIL|SKIP):' | sed "s/^/[$s]   /"
			echo "[$s]   guest log ($n/log):"
			tail -15 "$t/log" 2>/dev/null | sed "s/^/[$s]     /"
			[ -s "$t/host.log" ] && grep -vE '^(ok|FAIL):' "$t/host.log" | tail -10 | sed "s/^/[$s]   host: /"
		elif [ "$tk" -gt 0 ]; then
			grep -h '^SKIP:' "$t/results" "$t/host-results" 2>/dev/null | sed "s/^/[$s]   /"
		fi
	done
	if [ -f "$out/DONE" ]; then
		grep -a '^KT-WARN' "$con" | sed "s/^/[$s] /"
		# the kernel must not have complained while bpfcap ran
		if grep -qE 'BUG:|WARNING:|Oops|general protection|Call Trace:' "$out/dmesg.txt" 2>/dev/null; then
			echo "[$s] kernel-log   0 passed, 1 failed"
			echo "[$s]   FAIL: the guest kernel logged a warning or bug:"
			grep -E -A12 'BUG:|WARNING:|Oops|general protection' "$out/dmesg.txt" | head -30 | sed "s/^/[$s]     /"
			f=$((f + 1))
		else
			echo "[$s] kernel-log   1 passed, 0 failed"
			p=$((p + 1))
		fi
	fi
	TOTAL_PASS=$((TOTAL_PASS + p))
	TOTAL_FAIL=$((TOTAL_FAIL + f))
	SUMMARY+=("$s: $p passed, $f failed$([ "$k" -gt 0 ] && echo ", $k skipped") ($KVER, boot+tests ${BOOT_SECS}s, total $(($(date +%s) - t0))s)")
}
series_infra_fail() {
	echo "[$1] FAIL: $2" >&2
	TOTAL_FAIL=$((TOTAL_FAIL + 1))
	SUMMARY+=("$1: 0 passed, 1 failed ($2)")
}

# the guest tests to run (all, or those named with --test)
TESTNAMES=()
for f in "$HERE"/guest/*.sh; do
	n=$(basename "$f" .sh)
	if [ ${#TESTS[@]} -gt 0 ]; then
		case " ${TESTS[*]} " in *" $n "* | *" $n.sh "*) ;; *) continue ;; esac
	fi
	TESTNAMES+=("$n")
done
[ ${#TESTNAMES[@]} -gt 0 ] || { echo "run.sh: no guest test matches --test ${TESTS[*]}" >&2; exit 2; }
TESTS=("${TESTNAMES[@]}")

T0=$(date +%s)
log "bpfcap $BPFCAP; kernels ${SERIES[*]}; cache $CACHE; work $WORK"
build_common
for s in "${SERIES[@]}"; do run_series "$s"; done
echo
for l in "${SUMMARY[@]}"; do echo "$l"; done
echo "kernel matrix: $(($(date +%s) - T0)) s"
echo "$TOTAL_PASS passed, $TOTAL_FAIL failed"
[ "$TOTAL_FAIL" = 0 ] || exit 1
[ "$SKIPPED_SERIES" = 0 ] || [ "$TOTAL_PASS" -gt 0 ] || exit 77
exit 0
