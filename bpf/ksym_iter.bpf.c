// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The kernel's text symbols with their addresses, through the BPF ksym iterator (6.0+), in
 * /proc/kallsyms's format: "ADDR TYPE NAME [MODULE]". /proc/kallsyms shows zeros to a process
 * without CAP_SYSLOG (kptr_restrict), such as the extcap a member of group wireshark runs;
 * bpfcap reads this once, while it still holds CAP_BPF and CAP_PERFMON, to name drop locations
 * (bpfcap.location). Nothing else is read, and only text symbols ('t', 'T') are printed.
 */
#include "vmlinux_min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
struct seq_file;
struct bpf_iter_meta {
	struct seq_file *seq;
};
struct kallsym_iter {
	unsigned long value;
	char type;
	char name[512];
	char module_name[56];
};
struct bpf_iter__ksym {
	struct bpf_iter_meta *meta;
	struct kallsym_iter *ksym;
};
#pragma clang attribute pop

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("iter/ksym")
int bpfcap_ksyms(struct bpf_iter__ksym *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct kallsym_iter *it = ctx->ksym;
	char type;

	if (!it)
		return 0;
	type = it->type;
	if (type != 't' && type != 'T')
		return 0;
	if (it->module_name[0])
		BPF_SEQ_PRINTF(seq, "%lx %c %s\t[%s]\n", it->value, type, it->name,
			       it->module_name);
	else
		BPF_SEQ_PRINTF(seq, "%lx %c %s\n", it->value, type, it->name);
	return 0;
}
