# shellcheck shell=sh
# Shared by the integration suite (tests/integration/lib.sh), the kernel-matrix guest
# (/kt/capture.sh in the initramfs: busybox sh, POSIX only) and its host checks. Needs pass/fail
# from the sourcing library. Settings: BPFCAP (binary), SEND (send.py command line),
# CAP_ATTACH_TICKS / CAP_STOP_TICKS (tenths of a second to wait for attach and for exit),
# CAP_SETTLE (seconds before the stop signal, for the last records to reach the ring).

# cap_start FILE [bpfcap capture args...]: capture into FILE (FILE.out, FILE.err keep the
# output) and wait until every probe is attached; exit 1 if bpfcap ends or times out first
cap_start() {
	CAP_FILE=$1
	shift
	"${BPFCAP:-bpfcap}" capture -v -w "$CAP_FILE" "$@" >"$CAP_FILE.out" 2>"$CAP_FILE.err" &
	CAP_PID=$!
	_cs_i=0
	until grep -q "attached through" "$CAP_FILE.err" 2>/dev/null; do
		if ! kill -0 "$CAP_PID" 2>/dev/null; then
			fail "bpfcap exited before attaching: $(cat "$CAP_FILE.err")"
			CAP_PID=
			exit 1
		fi
		_cs_i=$((_cs_i + 1))
		if [ $_cs_i -ge "${CAP_ATTACH_TICKS:-100}" ]; then
			fail "bpfcap did not attach in $((${CAP_ATTACH_TICKS:-100} / 10)) s"
			exit 1
		fi
		sleep 0.1
	done
}

# cap_stop [SIGNAL]: stop the capture; it must exit 0 in time
cap_stop() {
	_cs_sig=${1:-INT}
	sleep "${CAP_SETTLE:-0.3}"
	kill -"$_cs_sig" "$CAP_PID"
	_cs_i=0
	while kill -0 "$CAP_PID" 2>/dev/null; do
		_cs_i=$((_cs_i + 1))
		if [ $_cs_i -gt "${CAP_STOP_TICKS:-20}" ]; then
			fail "bpfcap still running $((${CAP_STOP_TICKS:-20} / 10)) s after SIG$_cs_sig"
			kill -KILL "$CAP_PID"
			break
		fi
		sleep 0.1
	done
	rc=0
	wait "$CAP_PID" || rc=$?
	CAP_PID=
	[ "$rc" = 0 ] || fail "bpfcap exited $rc after SIG$_cs_sig: $(cat "$CAP_FILE.err")"
}

# tcp_sink ADDR PORT: a TCP server that reads and discards, up once this returns (SINK_PID)
tcp_sink() {
	_ts_out=${WORK:-.}/sink-$2.out
	$SEND sink "$1" "$2" >"$_ts_out" 2>&1 &
	SINK_PID=$!
	_ts_i=0
	until grep -q ready "$_ts_out" 2>/dev/null; do
		kill -0 "$SINK_PID" 2>/dev/null || { fail "tcp sink on $1:$2: $(cat "$_ts_out")"; exit 1; }
		_ts_i=$((_ts_i + 1))
		[ $_ts_i -lt 100 ] || { fail "tcp sink on $1:$2 not ready in 10 s"; exit 1; }
		sleep 0.1
	done
}

# fields FILE DISPLAYFILTER FIELD...: tshark field values, one packet per line
fields() {
	_f_file=$1
	_f_filter=$2
	shift 2
	_f_args=""
	for x in "$@"; do _f_args="$_f_args -e $x"; done
	# shellcheck disable=SC2086
	tshark -r "$_f_file" -Y "$_f_filter" -T fields -E separator=/t $_f_args 2>/dev/null
}

count() { fields "$1" "$2" frame.number | grep -c . || true; }
