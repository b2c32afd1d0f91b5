#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The command line of the real binary, without root and without BPF: help and version go to
# stdout with exit 0 and nothing on stderr; usage errors exit 2 with exactly one line on stderr
# and nothing on stdout (docs/style.md C5). Ends with "N passed, M failed"; exit 0/1, 99 on a fault.
#   test_cmdline.sh PATH/TO/bpfcap
set -u

bin=${1:-}
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
	echo "HARNESS FAULT: usage: $0 PATH/TO/bpfcap (got '${bin}')" >&2
	echo "0 passed, 0 failed"
	exit 99
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bpfcap-unit-cmdline.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

pass() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	printf 'FAIL %s\n' "$1" >&2
	shift
	for l in "$@"; do printf '    %s\n' "$l" >&2; done
}

# run ARGS...: sets rc, and out/err files
run() {
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
}

lines() { wc -l <"$1" | tr -d ' '; }

# ok NAME ARGS...: exit 0, something on stdout, nothing on stderr
ok() {
	name=$1
	shift
	run "$@"
	if [ "$rc" -ne 0 ]; then
		fail "$name: exit status" "actual: $rc" "expected: 0" "stderr: $(cat "$tmp/err")"
	else
		pass
	fi
	if [ ! -s "$tmp/out" ]; then
		fail "$name: output on stdout" "actual: nothing" "expected: the text"
	else
		pass
	fi
	if [ -s "$tmp/err" ]; then
		fail "$name: nothing on stderr" "actual: $(cat "$tmp/err")" "expected: empty"
	else
		pass
	fi
}

# usage NAME NEEDLE ARGS...: exit 2, exactly one line on stderr containing NEEDLE, stdout empty
usage() {
	name=$1
	needle=$2
	shift 2
	run "$@"
	if [ "$rc" -ne 2 ]; then
		fail "$name: exit status" "actual: $rc" "expected: 2" "stderr: $(cat "$tmp/err")"
	else
		pass
	fi
	n=$(lines "$tmp/err")
	if [ "$n" != 1 ]; then
		fail "$name: exactly one line on stderr" "actual: $n lines:" "$(cat "$tmp/err")" \
			"expected: 1"
	else
		pass
	fi
	if ! grep -qF -- "$needle" "$tmp/err"; then
		fail "$name: stderr names the problem" "actual: $(cat "$tmp/err")" \
			"expected to contain: $needle"
	else
		pass
	fi
	if ! grep -q '^bpfcap: ' "$tmp/err"; then
		fail "$name: stderr line starts with 'bpfcap: '" "actual: $(cat "$tmp/err")"
	else
		pass
	fi
	if [ -s "$tmp/out" ]; then
		fail "$name: nothing on stdout" "actual: $(head -c 200 "$tmp/out")"
	else
		pass
	fi
}

# help and version
ok "--help" --help
ok "help" help
ok "-h" -h
ok "capture --help" capture --help
ok "capture -h" capture -h
ok "trace --help" trace --help
ok "list-probes --help" list-probes --help
ok "help capture" help capture
ok "version" version
ok "--version" --version

# has NAME PATTERN: the last run's stdout has a line matching the extended regex PATTERN
has() {
	if grep -Eq -- "$2" "$tmp/out"; then
		pass
	else
		fail "$1" "actual first line: $(head -1 "$tmp/out")" "expected a line matching: $2"
	fi
}

run --help
has "--help: general usage" '^Usage: bpfcap COMMAND'
run capture --help
has "capture --help: capture usage" '^Usage: bpfcap capture'
has "capture --help lists --snaplen" '--snaplen'
run help capture
has "help capture: capture usage" '^Usage: bpfcap capture'
run help trace
has "help trace: trace usage" '^Usage: bpfcap trace'
run version
if grep -Eqx 'bpfcap [0-9]+\.[0-9]+\.[0-9]+' "$tmp/out" && [ "$(lines "$tmp/out")" = 1 ]; then
	pass
else
	fail "version prints 'bpfcap X.Y.Z'" "actual: $(cat "$tmp/out")"
fi

# usage errors
usage "no command" "command"
usage "unknown command" "frobnicate" frobnicate
usage "unknown option" "--bogus" capture --bogus
usage "unknown short option" "-Z" capture -Z
usage "option without value" "-w" capture -w
usage "bad snaplen" "snaplen" capture -s 262145
usage "negative snaplen" "snaplen" capture -s -1
usage "bad count" "count" capture -c 0
usage "bad duration" "duration" capture --duration abc
usage "bad --proto" "proto" capture --proto tcp
usage "bad --format" "format" capture --format pcapng2
usage "bad --ring-size" "ring-size" capture --ring-size 1T
usage "bad probe spec" "kfree skb" capture -p 'tp:skb:kfree skb'
usage "kretprobe cannot see the skb" "fexit:ip_rcv" capture -p kretprobe:ip_rcv
usage "bad probe argument" "arg" capture -p tp:skb:kfree_skb:arg99
usage "invalid capture filter: libpcap's message" "syntax error" capture udp port
usage "invalid filter after options" "syntax error" capture -c 1 host and
usage "trace without probe" "probe" trace
usage "trace proto without value" "proto" trace kfree_skb proto
usage "list-probes with a word" "extra" list-probes extra

printf '%s passed, %s failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
