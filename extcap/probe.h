/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Probe specs ("tp:skb:kfree_skb") and the probe catalog built from the running kernel's BTF. */
#ifndef BPFCAP_PROBE_H
#define BPFCAP_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct btf;

#define PROBE_NAME_MAX 128
#define PROBE_SPEC_MAX 256
#define PROBE_MAX_ARGS 12

enum probe_kind {
	PROBE_TP = 1,	  /* tracepoint through tp_btf (raw_tp fallback) */
	PROBE_RAW_TP = 2, /* tracepoint forced through raw_tp */
	PROBE_KPROBE,
	PROBE_FENTRY,
	PROBE_FEXIT,
	PROBE_FN,
	PROBE_XDP,
	PROBE_TC,
	PROBE_PROG,
	PROBE_MAP,
	PROBE_PROG_ENTRY, /* fentry:prog:ID, xdpdump style */
	PROBE_PROG_EXIT,  /* fexit:prog:ID */
};

struct probe_spec {
	enum probe_kind kind;
	char category[64]; /* tracepoint system ("skb"); empty when not given */
	char name[PROBE_NAME_MAX];
	int arg;		   /* explicit skb argument index (argN), -1 = from BTF */
	char text[PROBE_SPEC_MAX]; /* canonical form: "tp:skb:kfree_skb" */
	/* device hooks (xdp:IFNAME, tc:IFNAME:ingress|egress) */
	char dev[32];
	int egress;
	/* kernel functions: kprobe:FUNC (wildcards allowed), fentry:/fexit:/fn:FUNC */
	int wildcard;
	/* users' programs: prog:ID, map:PINNED_PATH */
	uint32_t prog_id;
	char path[PROBE_SPEC_MAX];
};

/* Parses one spec. Accepts tp:CAT:NAME[:argN], tracepoint:CAT:NAME[:argN], raw_tp:CAT:NAME,
 * tp:NAME and a bare NAME (alias). 0, or -EINVAL with a one-line reason in err. */
int probe_spec_parse(const char *s, struct probe_spec *spec, char *err, size_t errlen);

/* What the BTF prototype of a tracepoint says. */
struct tp_proto {
	int nargs;
	int skb_arg;	/* first struct sk_buff * argument, -1 if none */
	int dev_arg;	/* first struct net_device * argument, -1 if none */
	int reason_arg; /* enum skb_drop_reason argument, -1 if none */
	int sk_arg;	/* first struct sock * argument, -1 if none */
	int skb_args[PROBE_MAX_ARGS];
	int nskb_args;
};

/* Reads the prototype of tracepoint `name` (typedef btf_trace_<name>). 0, -ENOENT. */
int tp_proto_from_btf(const struct btf *btf, const char *name, struct tp_proto *p);

/* A resolved probe: what the loader needs. */
struct probe_info {
	struct probe_spec spec;
	struct tp_proto proto;
	int skb_arg;
	const char *prog_tp;  /* tp_btf program template in capture.bpf.c */
	const char *prog_raw; /* raw_tp program template */
	int dir_hint;	      /* enum bpfcap_dir: fixed direction of this hook, or 0 */
	uint32_t ifindex;     /* device hooks: the device, in bpfcap's network namespace */
	uint16_t dev_type;    /* its ARPHRD_* type */
	/* function probes: programs per mechanism, and the functions of a wildcard */
	const char *prog_kprobe, *prog_fentry, *prog_fexit, *prog_kmulti;
	char **syms;
	size_t nsyms;
	size_t nskipped; /* wildcard matches left out: their skb is in another argument */
};

/* Frees what probe_resolve allocated (wildcard symbol lists). */
void probe_info_free(struct probe_info *info);

/* What this kernel allows, probed by attaching (needs privileges for the BPF ones). */
struct mechanisms {
	bool checked;
	bool tp_btf, raw_tp, kprobe, kprobe_multi, fentry;
	char why_kprobe[160], why_kprobe_multi[160], why_fentry[160];
};
void mechanisms_check(const struct btf *btf, bool privileged, struct mechanisms *m);

/* Functions in BTF taking a struct sk_buff * (for list-probes --functions). */
int functions_with_skb(const struct btf *btf, char ***names, int **skb_args, size_t *n);

/* Resolves spec against BTF (category checked/filled, skb argument found, program picked).
 * 0, or a negative errno with a one-line reason in err. */
int probe_resolve(const struct btf *btf, const struct probe_spec *spec, struct probe_info *info,
		  char *err, size_t errlen);

/* Category of a tracepoint: tracefs if readable, else a built-in table; NULL if unknown. */
const char *tp_category(const char *name);

/* Probe catalog */
struct catalog_entry {
	char spec[PROBE_SPEC_MAX]; /* "tp:skb:kfree_skb" */
	char name[PROBE_NAME_MAX];
	char category[64];
	char args[256]; /* prototype, e.g. "struct sk_buff *skb(arg0), void *, ..." */
	int skb_arg;
	bool available;
	char why[160];		 /* when not available */
	const char *description; /* for well-known probes */
};

struct catalog {
	struct catalog_entry *e;
	size_t n;
	bool checked;	      /* availability was probed (needs BPF privileges) */
	char tp_btf_why[160]; /* tp_btf refused: why */
	char raw_tp_why[160];
};

/* Builds the catalog from BTF; check=true also probes each attach (needs CAP_BPF+CAP_PERFMON). */
int catalog_build(const struct btf *btf, bool check, struct catalog *cat);
void catalog_free(struct catalog *cat);
const char *probe_description(const char *name);
int probe_dir_hint(const char *name);

#endif
