# shellcheck shell=sh
# (k) tc hooks, and nothing left behind: the device's tc ingress and egress captured through
# this kernel's default (tcx links on 6.6+, clsact + cls_bpf before: 6.1) and, on 6.6+, the
# clsact fallback forced; a capture killed with SIGKILL leaves no tc filter, no qdisc it
# created, no program, link or map (the guard process removes the clsact filters).
# kmods: sch_ingress cls_bpf

# tcguard_gone: waits up to 5 s for the guard process to finish
tcguard_gone() {
	_g=0
	while grep -qx bpfcap-tcguard /proc/[0-9]*/comm 2>/dev/null && [ $_g -lt 50 ]; do
		sleep 0.1
		_g=$((_g + 1))
	done
}

# killed NAME [VAR=VALUE]: a tc capture killed with SIGKILL; what is left, in NAME.left
killed() {
	_n=$1
	shift
	env "$@" bpfcap capture -v -p tc:veth0:ingress -p tc:veth0:egress -w "$_n.pcapng" \
		>/dev/null 2>"$_n.err" &
	_p=$!
	_i=0
	until [ "$(grep -c 'attached through' "$_n.err" 2>/dev/null)" = 2 ] || [ $_i -ge 300 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	ip netns exec peer ping -c 2 -i 0.2 -W 1 10.77.0.1 >/dev/null
	grep -h '^prog_id:' /proc/$_p/fdinfo/* 2>/dev/null | tr -d '\t' | sort -u >"$_n.ids"
	awk '/^CapEff:/ {print $2}' /proc/$_p/status >"$_n.capeff"
	kill -KILL $_p
	wait $_p 2>/dev/null
	tcguard_gone
	{
		echo "== tc filter show dev veth0 ingress"
		tc filter show dev veth0 ingress
		echo "== tc filter show dev veth0 egress"
		tc filter show dev veth0 egress
		echo "== tc qdisc show dev veth0"
		tc qdisc show dev veth0 | grep clsact
		echo "== bpftool prog show"
		bpftool prog show | grep -E 'tc_capture|bpfcap'
		echo "== bpftool link show"
		bpftool link show | grep -E 'tc_capture|tcx'
		echo "== bpftool map show"
		bpftool map show | grep -E 'bpfcap|events|counters|capture'
	} >"$_n.left" 2>&1
	# the programs it held: none may be left
	_alive=0
	for _id in $(sed -n 's/^prog_id://p' "$_n.ids"); do
		bpftool prog show id "$_id" >/dev/null 2>&1 && _alive=$((_alive + 1))
	done
	echo "$_alive" >"$_n.alive"
}

guest_test() {
	need bpftool
	setup_pair
	cap_start tc.pcapng -p tc:veth0:ingress -p tc:veth0:egress --netns "$NS_SELF"
	ip netns exec peer ping -c 2 -i 0.2 -W 1 10.77.0.1 >/dev/null
	cap_stop
	if kernel_ge 6.6; then
		expect_match "tc on $KVER: tcx links" "$(cat tc.pcapng.err)" "attached through tcx"
	else
		expect_match "tc on $KVER: clsact (no tcx before 6.6)" "$(cat tc.pcapng.err)" \
			"attached through tc \(clsact\)"
	fi
	killed kill
	kernel_ge 6.6 && killed killclsact BPFCAP_FORCE_CLSACT=1
	:
}

host_check() {
	valid tc.pcapng || return
	expect_eq "tc ingress: the 2 echo requests" \
		"$(count tc.pcapng 'icmp.type==8 && frame.interface_name=="veth0@tc_ingress"')" 2
	expect_eq "tc egress: the 2 echo replies" \
		"$(count tc.pcapng 'icmp.type==0 && frame.interface_name=="veth0@tc_egress"')" 2
	for n in kill killclsact; do
		[ -e "$n.left" ] || continue
		expect_eq "$n: SIGKILLed tc capture leaves no filter, qdisc, program, link or map" \
			"$(grep -v '^==' "$n.left" | grep -c .)" 0
		expect_eq "$n: none of the programs it held is left" "$(cat "$n.alive")" 0
		expect_eq "$n: no capability left in the capture once attached" "$(cat "$n.capeff")" \
			0000000000000000
		echo "--- $KT_SERIES $n: what is left after SIGKILL"
		cat "$n.left"
	done
}
