#!/bin/sh
# Sets up a fresh Debian 12, 13 or testing machine and runs every test bpfcap has, as root:
#   sudo tests/run-all.sh [--only "STEP ..."]
# Steps: Debian packages; a -Werror build of everything; static checks (clang-format,
# cppcheck, shellcheck); the quickstart (the README's first command,
# tests/fresh/test-quickstart.sh); ctest labels unit, integration (private namespaces), e2e
# (tshark as an ordinary user), robust (bad input and faults, docs/robustness.md; a 30 s soak);
# the kernel matrix; an ASan/UBSan build running the unit and robust tests; fixed-time fuzzing;
# the benchmark smoke test; and the fresh-machine stages: new debootstrap chroots of Debian 13
# and testing running the quickstart and the unit, integration, e2e and robust labels
# (tests/fresh/run.sh).
# Step names for --only and BPFCAP_SKIP: static quickstart unit integration e2e robust kernels
# asan fuzz bench fresh-trixie fresh-forky (dependencies and the build always run).
# --only runs just the steps named (the fresh stages use it inside their chroots).
# Environment: BPFCAP_FUZZ_SECONDS (default 60), BPFCAP_SKIP="step ..." and
# BPFCAP_SKIP_KERNELS=1 (local iteration only; CI=true ignores them).
set -u
[ "$(id -u)" = 0 ] || { echo "run-all: run as root: sudo $0" >&2; exit 1; }
only=""
case "${1:-}" in
--only)
	[ $# = 2 ] || { echo "run-all: usage: run-all.sh [--only \"STEP ...\"]" >&2; exit 2; }
	only=" $2 "
	;;
"") ;;
*) echo "run-all: unknown argument '$1'; usage: run-all.sh [--only \"STEP ...\"]" >&2; exit 2 ;;
esac
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
jobs=$(nproc)
skip=${BPFCAP_SKIP:-}
[ "${CI:-}" = true ] && skip=""
t_start=$(date +%s)
t_step=$t_start
times=""
total_pass=0
total_fail=0
failed_steps=""

# step TITLE: starts a step; the previous one's time goes into the closing table
step() {
	now=$(date +%s)
	[ -z "${cur_step:-}" ] || [ -n "${cur_skipped:-}" ] || times="$times
  $((now - t_step)) s	$cur_step"
	t_step=$now
	cur_skipped=
	cur_step=$*
	echo
	echo "===== $*"
}
record() { # record NAME PASSED FAILED
	total_pass=$((total_pass + $2))
	total_fail=$((total_fail + $3))
	[ "$3" = 0 ] || failed_steps="$failed_steps $1"
}
skipped() {
	if [ -n "$only" ]; then
		case $only in *" $1 "*) return 1 ;; esac
		echo "(not in --only)"
		cur_skipped=1
		return 0
	fi
	case " $skip " in *" $1 "*) echo "(skipped: BPFCAP_SKIP)"; cur_skipped=1; return 0 ;; esac
	return 1
}
# counts "N passed, M failed" from the last such line of a log
record_log() { # record_log NAME LOG RC
	line=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$2" | tail -1)
	if [ -z "$line" ]; then
		record "$1" 0 1
		return
	fi
	p=$(echo "$line" | sed -E 's/^([A-Za-z-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/')
	f=$(echo "$line" | sed -E 's/^([A-Za-z-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/')
	[ "$3" = 0 ] || [ "$f" -gt 0 ] || f=1
	record "$1" "$p" "$f"
}

# ctest_label DIR LABEL: runs one label, adds its counts
ctest_label() {
	out=$(mktemp)
	ctest --test-dir "$1" -L "$2" --output-on-failure --no-tests=error 2>&1 | tee "$out"
	line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$out" | tail -1)
	rm -f "$out"
	if [ -z "$line" ]; then
		record "ctest-$2" 0 1
		return
	fi
	n=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/')
	record "ctest-$2" $((n - f)) "$f"
}

step "dependencies"
packaging/install-deps.sh --test || { echo "run-all: dependency install failed" >&2; exit 1; }

step "build (-Werror, all components)"
if cmake -S . -B build-ci -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBPFCAP_WERROR=ON >/dev/null &&
	cmake --build build-ci -j"$jobs"; then
	record build 1 0
else
	record build 0 1
	echo "run-all: build failed; nothing else can run" >&2
	echo "$total_pass passed, $total_fail failed"
	exit 1
fi

step "static checks: clang-format, cppcheck, shellcheck"
if ! skipped static; then
	bad=$(git ls-files '*.c' '*.h' | grep -v '^tests/fuzz/corpus/' | while read -r f; do
		clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || echo "$f"
	done)
	if [ -z "$bad" ]; then record clang-format 1 0; else
		echo "clang-format: not formatted: $bad"; record clang-format 0 1; fi
	# host code only: generated skeletons and the BPF side are not in compile_commands
	if cppcheck --quiet --project=build-ci/compile_commands.json --enable=warning,portability \
		--error-exitcode=1 --inline-suppr --suppress='*:*build-ci/*' \
		--suppress=missingIncludeSystem; then
		record cppcheck 1 0
	else
		record cppcheck 0 1
	fi
	# every tracked shell script, warnings and errors (sourced files carry a shell directive)
	if git ls-files -z '*.sh' | xargs -0 shellcheck -S warning -f gcc; then
		record shellcheck 1 0
	else
		record shellcheck 0 1
	fi
fi

step "quickstart: the README's first command (tests/fresh/test-quickstart.sh)"
if ! skipped quickstart; then
	log=$(mktemp)
	tests/fresh/test-quickstart.sh 2>&1 | tee "$log"
	rc=$(tail -1 "$log" | grep -q ' 0 failed$' && echo 0 || echo 1)
	record_log quickstart "$log" "$rc"
	rm -f "$log"
fi

for label in unit integration e2e robust; do
	step "ctest -L $label"
	skipped "$label" || ctest_label build-ci "$label"
done

step "kernel matrix: Debian 6.1, 6.12 and testing's kernel under QEMU (tests/kernels)"
if [ -n "${BPFCAP_SKIP_KERNELS:-}" ] && [ "${CI:-}" != true ] && [ -z "$only" ]; then
	echo "(skipped: BPFCAP_SKIP_KERNELS)"
else
	skipped kernels || ctest_label build-ci kernels
fi

step "unit and robust tests under ASan/UBSan"
if ! skipped asan; then
	if cmake -S . -B build-asan -DBPFCAP_SANITIZE=address,undefined -DBPFCAP_BUILD_DISSECTOR=OFF \
		-DCMAKE_BUILD_TYPE=Debug >/dev/null && cmake --build build-asan -j"$jobs" >/dev/null; then
		ctest_label build-asan unit
		ctest_label build-asan robust
	else
		record asan-build 0 1
	fi
fi

step "fuzzing (${BPFCAP_FUZZ_SECONDS:-60} s per target)"
skipped fuzz || ctest_label build-ci fuzz

step "benchmark harness smoke test (bench/run.sh --quick; reports, does not judge)"
if ! skipped bench; then
	if BUILD=$top/build-ci bench/run.sh --quick >build-ci/bench-quick.log 2>&1; then
		tail -1 build-ci/bench-quick.log
		record bench-quick 1 0
	else
		tail -20 build-ci/bench-quick.log
		record bench-quick 0 1
	fi
fi

for rel in trixie forky; do
	step "fresh machine: Debian $rel in a new debootstrap chroot (tests/fresh/run.sh $rel)"
	if ! skipped "fresh-$rel"; then
		log=$(mktemp)
		tests/fresh/run.sh "$rel" 2>&1 | tee "$log"
		rc=$(tail -1 "$log" | grep -q ' 0 failed$' && echo 0 || echo 1)
		record_log "fresh-$rel" "$log" "$rc"
		rm -f "$log"
	fi
done

step "end"
echo "run-all: time per step (total $(($(date +%s) - t_start)) s):$times"
echo
[ -z "$failed_steps" ] || echo "run-all: failed:$failed_steps"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
