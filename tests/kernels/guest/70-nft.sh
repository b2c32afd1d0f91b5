# shellcheck shell=sh
# An nftables drop rule gives reason NETFILTER_DROP (another reason whose value differs
# between kernels). Needs nft and the nf_tables module in the guest.
# kmods: nf_tables

guest_test() {
	need nft
	setup_pair
	nft -f - <<'NFT' || fail "nft could not load the rule"
table inet kt {
	chain input {
		type filter hook input priority 0;
		udp dport 7777 drop
	}
}
NFT
	bpfcap list-reasons | awk '$2 == "NETFILTER_DROP" {print $1}' >netfilter_drop
	cap_start nft.pcapng --netns "$NS_SELF" --reason NETFILTER_DROP
	ip netns exec peer $SEND udp 10.77.0.1 7777 3 >/dev/null
	ip netns exec peer $SEND udp 10.77.0.1 7778 1 >/dev/null
	cap_stop
}

host_check() {
	valid nft.pcapng || return
	expect_eq "the 3 packets the rule dropped, reason NETFILTER_DROP" \
		"$(count nft.pcapng 'udp.dstport==7777 && frame.comment contains "reason=NETFILTER_DROP"')" 3
	expect_eq "--reason NETFILTER_DROP: nothing else (not the NO_SOCKET drop)" "$($PCAPNG nft.pcapng packets | grep -c .)" 3
	expect_eq "metadata: this kernel's value for NETFILTER_DROP" \
		"$(meta nft.pcapng udp.dstport==7777 | cut -f1,2 | sort -u | tr '\t' ' ')" "$(cat netfilter_drop) NETFILTER_DROP"
}
