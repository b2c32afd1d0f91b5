#!/bin/sh
# run-fuzz.sh [--root] FUZZER SEED_DIR WORK_DIR [DICT [LIBFUZZER_FLAG...]]
# Runs a libFuzzer binary for $BPFCAP_FUZZ_SECONDS seconds (default 60; 0 = run each seed once)
# over a fresh copy of the seed corpus in WORK_DIR/corpus. Fails on any crash, sanitizer report,
# leak or timeout and names the reproducer in WORK_DIR/artifacts. --root: skip (77) unless root.
# DICT may be empty; further arguments go to libFuzzer as they are.
set -u
if [ "${1:-}" = --root ]; then
	shift
	[ "$(id -u)" = 0 ] || { echo "SKIP: $(basename "$1") needs root" >&2; exit 77; }
fi
fuzzer=$1
seeds=$2
work=$3
dict=${4:-}
shift 3
[ $# -gt 0 ] && shift
extra="$*"
secs=${BPFCAP_FUZZ_SECONDS:-60}

[ -x "$fuzzer" ] || { echo "SKIP: $fuzzer is not built" >&2; exit 77; }
case $secs in
'' | *[!0-9]*)
	echo "FAIL: BPFCAP_FUZZ_SECONDS must be a whole number of seconds, not '$secs'" >&2
	exit 1
	;;
esac
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts" || exit 1
cp "$seeds"/* "$work/corpus/" || exit 1

set -- -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$work/artifacts/"
[ -n "$dict" ] && set -- "$@" -dict="$dict"
# shellcheck disable=SC2086 # libFuzzer flags are single words
set -- "$@" $extra
if [ "$secs" = 0 ]; then
	"$fuzzer" "$@" "$work"/corpus/*
else
	"$fuzzer" "$@" -max_total_time="$secs" -print_final_stats=1 "$work/corpus"
fi
rc=$?
if [ "$rc" != 0 ]; then
	echo "FAIL: $(basename "$fuzzer") exited with $rc; reproducer(s):" >&2
	find "$work/artifacts" -type f | sed 's/^/  /' >&2
	echo "rerun one with: $fuzzer FILE" >&2
	exit 1
fi
echo "PASS: $(basename "$fuzzer"), ${secs}s, $(find "$work/corpus" -type f | wc -l) inputs in the corpus"
