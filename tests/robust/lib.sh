# shellcheck shell=sh
# Shared by tests/robust/*.sh (sourced): tests/integration/lib.sh (private namespaces, veth
# pair, cap_start/cap_stop, bpf_ids_of/bpf_ids_alive, expect_*), plus what the robustness tests
# need. See docs/robustness.md for the table these scripts check.
#   . "$(dirname "$0")/lib.sh"
# shellcheck source=../integration/lib.sh
. "$(cd "$(dirname "$0")/../integration" && pwd)/lib.sh"

ROBUST_DIR=$(cd "$(dirname "$0")" && pwd)
# the traffic generator of bench/ (bench/gen.c), next to the bpfcap binary in the build tree
GEN=${BPFCAP_GEN:-}
if [ -z "$GEN" ] && [ -n "$BPFCAP" ]; then
	GEN=$(dirname "$(realpath "$BPFCAP")")/../bench/bpfcap-gen
fi
export BPFCAP_GEN="$GEN"
COUNTER="python3 $ROBUST_DIR/pcapng_count.py"

# run_bpfcap NAME ARGS...: runs bpfcap to completion with stdout and stderr in $WORK/NAME.out
# and $WORK/NAME.err (or ./NAME.* without $WORK); RC gets its exit code.
run_bpfcap() {
	_rb_n=$(printf '%s' "$1" | tr -c 'A-Za-z0-9_.-' '_')
	shift
	_rb_d=${WORK:-.}
	RC=0
	"$BPFCAP" "$@" >"$_rb_d/$_rb_n.out" 2>"$_rb_d/$_rb_n.err" </dev/null || RC=$?
	OUT=$_rb_d/$_rb_n.out
	ERR=$_rb_d/$_rb_n.err
}

# expect_usage NAME CODE PATTERN ARGS...: bpfcap ARGS exits CODE with exactly one line on
# stderr, matching PATTERN (grep -E), nothing on stdout, no crash (no sanitizer report either:
# that would be more than one line).
expect_usage() {
	_eu_n=$1
	_eu_code=$2
	_eu_pat=$3
	shift 3
	run_bpfcap "$_eu_n" "$@"
	_eu_lines=$(grep -c . "$ERR" || true)
	if [ "$RC" = "$_eu_code" ] && [ "$_eu_lines" = 1 ] && grep -qE -- "$_eu_pat" "$ERR" && [ ! -s "$OUT" ]; then
		pass "$_eu_n: exit $_eu_code, one line: $(head -c 150 "$ERR")"
	else
		fail "$_eu_n: exit $RC (want $_eu_code), $_eu_lines stderr lines (want 1, /$_eu_pat/), stdout $(wc -c <"$OUT") bytes:
$(head -c 600 "$ERR")"
	fi
}

# cap_copy DIR: installs $BPFCAP as DIR/bpfcap the way the package does for group wireshark:
# root:wireshark 0750, cap_bpf,cap_perfmon,cap_net_admin=ep; DIR and $WORK/home made reachable
# for the test user. Returns 1 (nothing done) without setcap or setpriv.
cap_copy() {
	command -v setcap >/dev/null && command -v setpriv >/dev/null || return 1
	chmod 755 "$WORK"
	# shellcheck disable=SC2174 # $WORK exists (chmod above): only the last components are new
	mkdir -p -m 755 "$1" "$WORK/home"
	getent group wireshark >/dev/null || groupadd --system wireshark
	cp "$BPFCAP" "$1/bpfcap"
	chgrp wireshark "$1/bpfcap"
	chmod 0750 "$1/bpfcap"
	setcap cap_bpf,cap_perfmon,cap_net_admin=ep "$1/bpfcap"
}

# capeff PID: the effective capability mask of a process, in hex
capeff() {
	awk '/^CapEff:/ {print $2}' /proc/"$1"/status 2>/dev/null
}

fd_count() {
	ls /proc/"$1"/fd 2>/dev/null | wc -l
}

rss_kb() {
	awk '/^VmRSS:/ {print $2}' /proc/"$1"/status 2>/dev/null
}

# wait_exit PID SECONDS: waits for a background child; RC gets its exit code (124: still alive
# after SECONDS, then killed)
wait_exit() {
	_we_p=$1
	_we_t=$(($2 * 20))
	_we_i=0
	while kill -0 "$_we_p" 2>/dev/null && [ $_we_i -lt $_we_t ]; do
		sleep 0.05
		_we_i=$((_we_i + 1))
	done
	if kill -0 "$_we_p" 2>/dev/null; then
		kill -KILL "$_we_p" 2>/dev/null || true
		wait "$_we_p" 2>/dev/null || true
		RC=124
		return
	fi
	RC=0
	wait "$_we_p" || RC=$?
}

# wait_for PID TICKS PAUSE WHAT COND...: until the command COND succeeds, polling every PAUSE
# seconds at most TICKS times; fails (naming WHAT) when bpfcap PID exits first or time runs out
wait_for() {
	_wf_p=$1
	_wf_n=$2
	_wf_s=$3
	_wf_w=$4
	shift 4
	_wf_i=0
	until "$@"; do
		if ! kill -0 "$_wf_p" 2>/dev/null; then
			fail "bpfcap exited before $_wf_w"
			return 1
		fi
		_wf_i=$((_wf_i + 1))
		if [ $_wf_i -gt "$_wf_n" ]; then
			fail "bpfcap did not finish $_wf_w in time"
			return 1
		fi
		sleep "$_wf_s"
	done
}

_attached_lines() { [ "$(grep -c "attached through" "$1" 2>/dev/null || true)" -ge "$2" ]; }
_links_held() { [ "$(bpf_ids_of "$1" | grep -c '^link_id:' || true)" -ge "$2" ]; }

# wait_attached PID ERRFILE [N]: until bpfcap -v says all N probes are attached (it prints one
# line per probe)
wait_attached() {
	wait_for "$1" 600 0.1 "attaching" _attached_lines "$2" "${3:-1}" && return 0
	echo "bpfcap's stderr: $(head -c 300 "$2" 2>/dev/null)" >&2
	return 1
}

# file_ok FILE NAME: the capture is a valid pcapng file that tshark reads to the end
file_ok() {
	_fo_f=$1
	_fo_n=$2
	_fo_c=${WORK:-/tmp}/$(basename "$_fo_f").count # not next to the file: its disk may be full
	_fo_t=${WORK:-/tmp}/$(basename "$_fo_f").tshark
	if ! $COUNTER "$_fo_f" >"$_fo_c" 2>&1; then
		fail "$_fo_n: $(cat "$_fo_c")"
		return
	fi
	if ! tshark -r "$_fo_f" -q >/dev/null 2>"$_fo_t"; then
		fail "$_fo_n: tshark cannot read the file: $(head -c 300 "$_fo_t")"
		return
	fi
	if grep -qiE "cut short|damaged|corrupt|appears to" "$_fo_t"; then
		fail "$_fo_n: tshark complains: $(head -c 300 "$_fo_t")"
		return
	fi
	pass "$_fo_n: valid pcapng, read by tshark to the end ($(cat "$_fo_c"))"
}

# wait_links PID N: until the process holds N BPF links (every probe attached); its stderr is
# then still only what bpfcap printed itself (no -v needed)
wait_links() {
	wait_for "$1" 1200 0.05 "attaching $2 probe(s)" _links_held "$1" "$2" || return 1
	# the capture loop starts right after the last link (capabilities dropped, then polling)
	sleep 0.2
}

# no_bpf_left NAME IDS: none of the prog_id/link_id lines in IDS exists any more (after an RCU
# grace period)
no_bpf_left() {
	_nb_i=0
	while [ "$(bpf_ids_alive "$2")" != 0 ] && [ $_nb_i -lt 40 ]; do
		sleep 0.1
		_nb_i=$((_nb_i + 1))
	done
	expect_eq "$1: none of its $(echo $2 | wc -w) BPF programs and links is left" \
		"$(bpf_ids_alive "$2")" 0
}
