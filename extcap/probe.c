// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <dirent.h>
#include <fnmatch.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/if_arp.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpfcap/capture_abi.h"
#include "probe.h"

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), -EINVAL)

static const struct {
	const char *name, *category, *description;
	int dir;
} known_tps[] = {
	{ "kfree_skb", "skb", "dropped packets, with the kernel's drop reason",
	  BPFCAP_DIR_UNKNOWN },
	{ "consume_skb", "skb", "packets freed after normal use", BPFCAP_DIR_UNKNOWN },
	{ "skb_copy_datagram_iovec", "skb", "packets copied to a socket reader", BPFCAP_DIR_IN },
	{ "netif_receive_skb", "net", "received packets", BPFCAP_DIR_IN },
	{ "netif_rx", "net", "received packets (netif_rx path)", BPFCAP_DIR_IN },
	{ "netif_receive_skb_entry", "net", "received packets (NAPI entry)", BPFCAP_DIR_IN },
	{ "netif_receive_skb_list_entry", "net", "received packets (list entry)", BPFCAP_DIR_IN },
	{ "netif_rx_entry", "net", "received packets (netif_rx entry)", BPFCAP_DIR_IN },
	{ "napi_gro_receive_entry", "net", "received packets (GRO entry)", BPFCAP_DIR_IN },
	{ "napi_gro_frags_entry", "net", "received packets (GRO frags entry)", BPFCAP_DIR_IN },
	{ "net_dev_queue", "net", "packets queued for transmission", BPFCAP_DIR_OUT },
	{ "net_dev_start_xmit", "net", "transmitted packets (handed to the driver)",
	  BPFCAP_DIR_OUT },
	{ "net_dev_xmit", "net", "transmitted packets (driver returned)", BPFCAP_DIR_OUT },
	{ "tcp_retransmit_skb", "tcp", "TCP retransmissions", BPFCAP_DIR_OUT },
	{ "tcp_send_reset", "tcp", "TCP resets sent", BPFCAP_DIR_UNKNOWN },
	{ "tcp_sendmsg_locked", "tcp", "TCP segments filled by sendmsg", BPFCAP_DIR_OUT },
	{ "tcp_probe", "tcp", "TCP segments received (tcp_probe)", BPFCAP_DIR_IN },
	{ "tcp_bad_csum", "tcp", "TCP segments with a bad checksum", BPFCAP_DIR_IN },
	{ "tcp_hash_bad_header", "tcp", NULL, BPFCAP_DIR_IN },
	{ "tcp_hash_md5_required", "tcp", NULL, BPFCAP_DIR_IN },
	{ "tcp_hash_md5_unexpected", "tcp", NULL, BPFCAP_DIR_IN },
	{ "tcp_hash_md5_mismatch", "tcp", NULL, BPFCAP_DIR_IN },
	{ "tcp_hash_ao_required", "tcp", NULL, BPFCAP_DIR_IN },
	{ "tcp_ao_handshake_failure", "tcp", NULL, BPFCAP_DIR_IN },
	{ "udp_fail_queue_rcv_skb", "udp", "UDP datagrams the socket could not queue",
	  BPFCAP_DIR_IN },
	{ "sock_rcvqueue_full", "sock", "packets refused by a full socket receive queue",
	  BPFCAP_DIR_IN },
	{ "qdisc_enqueue", "qdisc", "packets enqueued on a qdisc", BPFCAP_DIR_OUT },
	{ "qdisc_dequeue", "qdisc", "packets dequeued from a qdisc", BPFCAP_DIR_OUT },
	{ "icmp_send", "icmp", "packets that triggered an ICMP error", BPFCAP_DIR_UNKNOWN },
	{ "subflow_check_data_avail", "mptcp", NULL, BPFCAP_DIR_UNKNOWN },
};

#define NKNOWN (sizeof(known_tps) / sizeof(known_tps[0]))

const char *probe_description(const char *name)
{
	size_t i;

	for (i = 0; i < NKNOWN; i++)
		if (strcmp(known_tps[i].name, name) == 0)
			return known_tps[i].description;
	return NULL;
}

int probe_dir_hint(const char *name)
{
	size_t i;

	for (i = 0; i < NKNOWN; i++)
		if (strcmp(known_tps[i].name, name) == 0)
			return known_tps[i].dir;
	return BPFCAP_DIR_UNKNOWN;
}

static bool valid_ident(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static int parse_argn(const char *s, int *arg)
{
	char *end;
	long v;

	if (strncmp(s, "arg", 3) != 0 || !isdigit((unsigned char)s[3]))
		return -1;
	errno = 0;
	v = strtol(s + 3, &end, 10);
	if (errno || *end || v < 0 || v >= PROBE_MAX_ARGS)
		return -1;
	*arg = (int)v;
	return 0;
}

int probe_spec_parse(const char *s, struct probe_spec *spec, char *err, size_t errlen)
{
	char buf[PROBE_SPEC_MAX];
	char *parts[4];
	const char *type;
	char *p, *rest;
	int n = 0;

	memset(spec, 0, sizeof(*spec));
	spec->arg = -1;
	if (!s || !*s)
		return ERR("empty probe spec; use e.g. tp:skb:kfree_skb");
	if (strlen(s) >= sizeof(buf))
		return ERR("probe spec too long: '%.40s...'", s);
	strcpy(buf, s);

	p = strchr(buf, ':');
	if (!p) {
		/* bare name: an alias for the tracepoint of that name */
		if (!valid_ident(buf, strlen(buf)))
			return ERR(
				"invalid probe '%s'; use tp:CATEGORY:NAME, e.g. tp:skb:kfree_skb",
				s);
		spec->kind = PROBE_TP;
		snprintf(spec->name, sizeof(spec->name), "%s", buf);
		goto out;
	}
	*p = '\0';
	type = buf;
	rest = p + 1;
	if (!strcmp(type, "tp") || !strcmp(type, "tracepoint") || !strcmp(type, "t")) {
		spec->kind = PROBE_TP;
	} else if (!strcmp(type, "raw_tp") || !strcmp(type, "rawtp") ||
		   !strcmp(type, "raw_tracepoint")) {
		spec->kind = PROBE_RAW_TP;
	} else if (!strcmp(type, "kretprobe")) {
		return ERR(
			"kretprobe:%s cannot see the skb (the arguments are gone at return); use "
			"fexit:%s or kprobe:%s",
			rest, rest, rest);
	} else if ((!strcmp(type, "fentry") || !strcmp(type, "fexit")) &&
		   !strncmp(rest, "prog:", 5)) {
		/* xdpdump style: a loaded XDP or tc program, at entry or exit */
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(rest + 5, &end, 10);
		if (errno || end == rest + 5 || *end || v == 0 || v > UINT32_MAX)
			return ERR("invalid program id in '%s'; use %s:prog:ID (see 'bpftool prog "
				   "show')",
				   s, type);
		spec->kind = !strcmp(type, "fentry") ? PROBE_PROG_ENTRY : PROBE_PROG_EXIT;
		spec->prog_id = (uint32_t)v;
		snprintf(spec->name, sizeof(spec->name), "prog%lu_%s", v,
			 spec->kind == PROBE_PROG_ENTRY ? "entry" : "exit");
		snprintf(spec->text, sizeof(spec->text), "%s:prog:%lu", type, v);
		return 0;
	} else if (!strcmp(type, "kprobe") || !strcmp(type, "k") || !strcmp(type, "fentry") ||
		   !strcmp(type, "fexit") || !strcmp(type, "fn")) {
		char *a = strchr(rest, ':');
		size_t k;

		spec->kind = !strcmp(type, "fentry")  ? PROBE_FENTRY
			     : !strcmp(type, "fexit") ? PROBE_FEXIT
			     : !strcmp(type, "fn")    ? PROBE_FN
						      : PROBE_KPROBE;
		if (a) {
			*a++ = '\0';
			if (parse_argn(a, &spec->arg))
				return ERR("bad argument '%s' in '%s'; use %s:FUNC[:argN]", a, s,
					   type);
		}
		if (!*rest || strlen(rest) >= PROBE_NAME_MAX - 1)
			return ERR("invalid function name in '%s'; use %s:FUNC", s, type);
		for (k = 0; rest[k]; k++) {
			char ch = rest[k];

			if (ch == '*' || ch == '?') {
				spec->wildcard = 1;
				continue;
			}
			if (!isalnum((unsigned char)ch) && ch != '_' && ch != '.')
				return ERR("invalid function name '%s' in '%s'", rest, s);
		}
		if (spec->wildcard && spec->kind != PROBE_KPROBE)
			return ERR("wildcards ('%s') need kprobe.multi: use kprobe:%s", rest, rest);
		snprintf(spec->name, sizeof(spec->name), "%s", rest);
		snprintf(spec->text, sizeof(spec->text), "%s:%s",
			 spec->kind == PROBE_FENTRY  ? "fentry"
			 : spec->kind == PROBE_FEXIT ? "fexit"
			 : spec->kind == PROBE_FN    ? "fn"
						     : "kprobe",
			 rest);
		if (spec->arg >= 0) {
			size_t l = strlen(spec->text);

			snprintf(spec->text + l, sizeof(spec->text) - l, ":arg%d", spec->arg);
		}
		return 0;
	} else if (!strcmp(type, "xdp") || !strcmp(type, "tc")) {
		char *dir = strchr(rest, ':');

		spec->kind = !strcmp(type, "xdp") ? PROBE_XDP : PROBE_TC;
		if (dir)
			*dir++ = '\0';
		if (!*rest || strlen(rest) >= 16 || strpbrk(rest, "/ \t"))
			return ERR("invalid device name in '%s'; use %s:IFNAME%s", s, type,
				   spec->kind == PROBE_TC ? ":ingress|egress" : "");
		snprintf(spec->dev, sizeof(spec->dev), "%s", rest);
		if (spec->kind == PROBE_XDP && dir)
			return ERR("'%s': XDP sees received packets only; use xdp:IFNAME", s);
		if (spec->kind == PROBE_TC) {
			if (!dir || !strcmp(dir, "ingress"))
				spec->egress = 0;
			else if (!strcmp(dir, "egress"))
				spec->egress = 1;
			else
				return ERR(
					"invalid tc direction '%s' in '%s'; use ingress or egress",
					dir, s);
		}
		snprintf(spec->name, sizeof(spec->name), "%s",
			 spec->kind == PROBE_XDP ? "xdp"
			 : spec->egress		 ? "tc_egress"
						 : "tc_ingress");
		if (spec->kind == PROBE_XDP)
			snprintf(spec->text, sizeof(spec->text), "xdp:%s", spec->dev);
		else
			snprintf(spec->text, sizeof(spec->text), "tc:%s:%s", spec->dev,
				 spec->egress ? "egress" : "ingress");
		return 0;
	} else if (!strcmp(type, "prog")) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(rest, &end, 10);
		if (errno || end == rest || *end || v == 0 || v > UINT32_MAX)
			return ERR(
				"invalid program id in '%s'; use prog:ID (see 'bpftool prog show')",
				s);
		spec->kind = PROBE_PROG;
		spec->prog_id = (uint32_t)v;
		snprintf(spec->name, sizeof(spec->name), "prog%lu", v);
		snprintf(spec->text, sizeof(spec->text), "prog:%lu", v);
		return 0;
	} else if (!strcmp(type, "map")) {
		if (!*rest || *rest != '/')
			return ERR("invalid map path in '%s'; use map:/sys/fs/bpf/PINNED_MAP", s);
		spec->kind = PROBE_MAP;
		snprintf(spec->path, sizeof(spec->path), "%s", rest);
		snprintf(spec->name, sizeof(spec->name), "map");
		/* the whole path: the spec has at most 255 characters, so it fits */
		snprintf(spec->text, sizeof(spec->text), "map:%.251s", rest);
		return 0;
	} else {
		return ERR("unknown probe type '%s' in '%s'; use tp:CATEGORY:NAME[:argN] (see "
			   "bpfcap list-probes)",
			   type, s);
	}

	while (rest && n < 4) {
		parts[n++] = rest;
		rest = strchr(rest, ':');
		if (rest)
			*rest++ = '\0';
	}
	if (rest)
		return ERR("too many ':' in probe spec '%s'; use tp:CATEGORY:NAME[:argN]", s);
	/* the last part may be argN */
	if (n >= 2 && parse_argn(parts[n - 1], &spec->arg) == 0)
		n--;
	else if (n >= 1 && !strncmp(parts[n - 1], "arg", 3) &&
		 isdigit((unsigned char)parts[n - 1][3]))
		return ERR("bad argument index '%s' in '%s'; use arg0..arg%d", parts[n - 1], s,
			   PROBE_MAX_ARGS - 1);
	if (n == 1) {
		if (!valid_ident(parts[0], strlen(parts[0])))
			return ERR("invalid tracepoint name '%s' in '%s'", parts[0], s);
		snprintf(spec->name, sizeof(spec->name), "%s", parts[0]);
	} else if (n == 2) {
		if (!valid_ident(parts[0], strlen(parts[0])))
			return ERR("invalid tracepoint category '%s' in '%s'", parts[0], s);
		if (!valid_ident(parts[1], strlen(parts[1])))
			return ERR("invalid tracepoint name '%s' in '%s'", parts[1], s);
		if (strlen(parts[0]) >= sizeof(spec->category) ||
		    strlen(parts[1]) >= sizeof(spec->name))
			return ERR("probe spec '%s' has a component that is too long", s);
		strcpy(spec->category, parts[0]);
		strcpy(spec->name, parts[1]);
	} else {
		return ERR("malformed probe spec '%s'; use tp:CATEGORY:NAME[:argN]", s);
	}
out:
	if (strlen(spec->name) >= PROBE_NAME_MAX - 1)
		return ERR("tracepoint name too long in '%s'", s);
	snprintf(spec->text, sizeof(spec->text), "%s:%s%s%s",
		 spec->kind == PROBE_RAW_TP ? "raw_tp" : "tp", spec->category,
		 spec->category[0] ? ":" : "", spec->name);
	if (spec->arg >= 0) {
		size_t l = strlen(spec->text);

		snprintf(spec->text + l, sizeof(spec->text) - l, ":arg%d", spec->arg);
	}
	return 0;
}

/* ---- BTF prototypes ---- */

static const struct btf_type *skip_mods(const struct btf *btf, __u32 id, __u32 *res_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (res_id)
		*res_id = id;
	return t;
}

static const char *ptr_struct_name(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = skip_mods(btf, id, NULL);

	if (!t || !btf_is_ptr(t))
		return NULL;
	t = skip_mods(btf, t->type, NULL);
	if (!t || !btf_is_struct(t))
		return NULL;
	return btf__name_by_offset(btf, t->name_off);
}

static const struct btf_type *tp_func_proto(const struct btf *btf, const char *name)
{
	char tname[PROBE_NAME_MAX + 16];
	const struct btf_type *t;
	int id;

	snprintf(tname, sizeof(tname), "btf_trace_%s", name);
	id = btf__find_by_name_kind(btf, tname, BTF_KIND_TYPEDEF);
	if (id < 0)
		return NULL;
	t = btf__type_by_id(btf, id);
	t = skip_mods(btf, t->type, NULL);
	if (!t || !btf_is_ptr(t))
		return NULL;
	t = skip_mods(btf, t->type, NULL);
	if (!t || !btf_is_func_proto(t))
		return NULL;
	return t;
}

/* Reads a function prototype; `first` parameters are skipped (a tracepoint's hidden __data). */
static int proto_of(const struct btf *btf, const struct btf_type *t, int first, struct tp_proto *p)
{
	const struct btf_param *params;
	int i, n;

	memset(p, 0, sizeof(*p));
	p->skb_arg = p->dev_arg = p->reason_arg = p->sk_arg = -1;
	if (!t)
		return -ENOENT;
	params = btf_params(t);
	n = btf_vlen(t);
	p->nargs = n > first ? n - first : 0;
	for (i = first; i < n && i - first < PROBE_MAX_ARGS; i++) {
		const char *sname = ptr_struct_name(btf, params[i].type);
		const struct btf_type *et;

		if (sname && !strcmp(sname, "sk_buff")) {
			if (p->skb_arg < 0)
				p->skb_arg = i - first;
			p->skb_args[p->nskb_args++] = i - first;
		} else if (sname && !strcmp(sname, "net_device")) {
			if (p->dev_arg < 0)
				p->dev_arg = i - first;
		} else if (sname && !strcmp(sname, "sock")) {
			if (p->sk_arg < 0)
				p->sk_arg = i - first;
		} else {
			et = skip_mods(btf, params[i].type, NULL);
			if (et && btf_is_enum(et) &&
			    !strcmp(btf__name_by_offset(btf, et->name_off), "skb_drop_reason"))
				p->reason_arg = i - first;
		}
	}
	return 0;
}

int tp_proto_from_btf(const struct btf *btf, const char *name, struct tp_proto *p)
{
	return proto_of(btf, tp_func_proto(btf, name), 1, p);
}

static const struct btf_type *fn_func_proto(const struct btf *btf, const char *name)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	const struct btf_type *t;

	if (id < 0)
		return NULL;
	t = btf__type_by_id(btf, id);
	t = btf__type_by_id(btf, t->type);
	return t && btf_is_func_proto(t) ? t : NULL;
}

int functions_with_skb(const struct btf *btf, char ***names, int **skb_args, size_t *n)
{
	__u32 i, cnt = btf__type_cnt(btf);
	size_t cap = 0;

	*names = NULL;
	*skb_args = NULL;
	*n = 0;
	for (i = 1; i < cnt; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		struct tp_proto p;

		if (!btf_is_func(t))
			continue;
		if (proto_of(btf, btf__type_by_id(btf, t->type), 0, &p) || p.skb_arg < 0)
			continue;
		if (*n == cap) {
			char **nn;
			int *na;

			cap = cap ? cap * 2 : 1024;
			nn = realloc(*names, cap * sizeof(*nn));
			na = realloc(*skb_args, cap * sizeof(*na));
			if (nn)
				*names = nn;
			if (na)
				*skb_args = na;
			if (!nn || !na)
				return -ENOMEM;
		}
		(*names)[*n] = strdup(btf__name_by_offset(btf, t->name_off));
		(*skb_args)[*n] = p.skb_arg;
		if (!(*names)[*n])
			return -ENOMEM;
		(*n)++;
	}
	return 0;
}

void probe_info_free(struct probe_info *info)
{
	size_t i;

	for (i = 0; i < info->nsyms; i++)
		free(info->syms[i]);
	free(info->syms);
	info->syms = NULL;
	info->nsyms = 0;
}

static const char *const kp_progs[] = { "kp_skb0", "kp_skb1", "kp_skb2", "kp_skb3", "kp_skb4" };
static const char *const kpm_progs[] = { "kpm_skb0", "kpm_skb1", "kpm_skb2", "kpm_skb3",
					 "kpm_skb4" };
static const char *const fe_progs[] = { "fe_skb0", "fe_skb1", "fe_skb2", "fe_skb3", "fe_skb4" };
static const char *const fx_progs[] = { "fx_skb0", "fx_skb1", "fx_skb2", "fx_skb3", "fx_skb4" };

static int resolve_function(const struct btf *btf, const struct probe_spec *spec,
			    struct probe_info *info, char *err, size_t errlen)
{
	struct tp_proto *p = &info->proto;
	int skb;

	if (spec->wildcard) {
		/* kprobe.multi runs one program for every match: keep the functions whose skb is
		 * where most of them have it */
		char **names;
		int *args, count[5] = { 0 }, best = 0, k;
		size_t n, i, j = 0;

		if (functions_with_skb(btf, &names, &args, &n))
			return ERR("out of memory reading BTF functions");
		for (i = 0; i < n; i++)
			if (!fnmatch(spec->name, names[i], 0) && args[i] >= 0 && args[i] < 5)
				count[args[i]]++;
		for (k = 1; k < 5; k++)
			if (count[k] > count[best])
				best = k;
		info->syms = calloc(count[best] ? (size_t)count[best] : 1, sizeof(char *));
		for (i = 0; i < n; i++) {
			if (info->syms && !fnmatch(spec->name, names[i], 0) && args[i] == best) {
				info->syms[j++] = names[i];
				names[i] = NULL;
			}
			free(names[i]);
		}
		free(names);
		free(args);
		info->nsyms = j;
		if (!j)
			return ERR("no kernel function matching '%s' takes a struct sk_buff *",
				   spec->name);
		info->nskipped = (size_t)(count[0] + count[1] + count[2] + count[3] + count[4]) - j;
		info->skb_arg = best;
		info->prog_kmulti = kpm_progs[best];
		return 0;
	}
	if (proto_of(btf, fn_func_proto(btf, spec->name), 0, p)) {
		snprintf(err, errlen,
			 "no kernel function '%s' in this kernel's BTF; 'bpfcap list-probes "
			 "--functions' lists those that take a struct sk_buff *",
			 spec->name);
		return -ENOENT;
	}
	if (spec->arg >= 0) {
		int i, ok = 0;

		for (i = 0; i < p->nskb_args; i++)
			ok |= p->skb_args[i] == spec->arg;
		if (!ok)
			return ERR("argument %d of %s() is not a struct sk_buff *", spec->arg,
				   spec->name);
		skb = spec->arg;
	} else {
		skb = p->skb_arg;
	}
	if (skb < 0)
		return ERR("%s() has no struct sk_buff * argument; it cannot capture packets",
			   spec->name);
	if (skb > 4)
		return ERR("%s() takes its skb in argument %d; bpfcap supports arguments 0 to 4",
			   spec->name, skb);
	info->skb_arg = skb;
	info->prog_kprobe = kp_progs[skb];
	info->prog_fentry = fe_progs[skb];
	info->prog_fexit = fx_progs[skb];
	/* drop reasons: kfree_skb_reason(skb, reason), sk_skb_reason_drop(sk, skb, reason) */
	if (skb == 0 && p->reason_arg == 1) {
		info->prog_kprobe = "kp_skb0_r1";
		info->prog_fentry = "fe_skb0_r1";
	} else if (skb == 1 && p->reason_arg == 2) {
		info->prog_kprobe = "kp_skb1_r2";
		info->prog_fentry = "fe_skb1_r2";
	}
	return 0;
}

static void proto_string(const struct btf *btf, const char *name, char *buf, size_t len)
{
	const struct btf_type *t = tp_func_proto(btf, name);
	const struct btf_param *params;
	size_t off = 0;
	int i, n;

	buf[0] = '\0';
	if (!t)
		return;
	params = btf_params(t);
	n = btf_vlen(t);
	for (i = 1; i < n && off < len; i++) {
		const char *sname = ptr_struct_name(btf, params[i].type);
		const struct btf_type *rt = skip_mods(btf, params[i].type, NULL);
		const char *tn;
		int w;

		if (sname) {
			w = snprintf(buf + off, len - off, "%sstruct %s *", i > 1 ? ", " : "",
				     sname);
		} else if (rt && btf_is_ptr(rt)) {
			w = snprintf(buf + off, len - off, "%spointer", i > 1 ? ", " : "");
		} else {
			tn = rt ? btf__name_by_offset(btf, rt->name_off) : "?";
			w = snprintf(buf + off, len - off, "%s%s%s", i > 1 ? ", " : "",
				     rt && btf_is_enum(rt) ? "enum " : "", tn && *tn ? tn : "?");
		}
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

/* ---- categories ---- */

static const char *tracefs_category(const char *name)
{
	static char cat[64];
	static const char *const roots[] = { "/sys/kernel/tracing/events",
					     "/sys/kernel/debug/tracing/events" };
	char path[512];
	struct dirent *d;
	struct stat st;
	size_t r;

	for (r = 0; r < sizeof(roots) / sizeof(roots[0]); r++) {
		DIR *dir = opendir(roots[r]);

		if (!dir)
			continue;
		while ((d = readdir(dir))) {
			if (d->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/%s", roots[r], d->d_name, name);
			if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
				snprintf(cat, sizeof(cat), "%s", d->d_name);
				closedir(dir);
				return cat;
			}
		}
		closedir(dir);
	}
	return NULL;
}

const char *tp_category(const char *name)
{
	size_t i;

	for (i = 0; i < NKNOWN; i++)
		if (strcmp(known_tps[i].name, name) == 0)
			return known_tps[i].category;
	return tracefs_category(name);
}

int probe_resolve(const struct btf *btf, const struct probe_spec *spec, struct probe_info *info,
		  char *err, size_t errlen)
{
	struct tp_proto *p = &info->proto;
	const char *cat;
	char proto[256];
	int skb;

	memset(info, 0, sizeof(*info));
	info->spec = *spec;
	if (spec->kind == PROBE_XDP || spec->kind == PROBE_TC) {
		struct ifreq ifr;
		int fd;

		info->ifindex = if_nametoindex(spec->dev);
		if (!info->ifindex) {
			snprintf(err, errlen, "no network device '%s' for probe %s; see 'ip link'",
				 spec->dev, spec->text);
			return -ENODEV;
		}
		info->dev_type = 1;
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", spec->dev);
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && ioctl(fd, SIOCGIFHWADDR, &ifr) == 0)
			info->dev_type = ifr.ifr_hwaddr.sa_family;
		if (fd >= 0)
			close(fd);
		info->prog_tp = spec->kind == PROBE_XDP ? "xdp_capture" : "tc_capture";
		info->dir_hint =
			spec->kind == PROBE_TC && spec->egress ? BPFCAP_DIR_OUT : BPFCAP_DIR_IN;
		info->skb_arg = -1;
		return 0;
	}
	if (spec->kind == PROBE_PROG || spec->kind == PROBE_MAP) {
		info->skb_arg = -1; /* resolved when the capture opens the program's map */
		return 0;
	}
	if (spec->kind == PROBE_PROG_ENTRY || spec->kind == PROBE_PROG_EXIT) {
		info->skb_arg = -1; /* the program and its type are looked up when attaching */
		info->dev_type = 1;
		return 0;
	}
	if (spec->kind == PROBE_KPROBE || spec->kind == PROBE_FENTRY || spec->kind == PROBE_FEXIT ||
	    spec->kind == PROBE_FN)
		return resolve_function(btf, spec, info, err, errlen);
	if (spec->kind != PROBE_TP && spec->kind != PROBE_RAW_TP)
		return ERR("probe '%s' is not a tracepoint", spec->text);
	if (tp_proto_from_btf(btf, spec->name, p) < 0) {
		snprintf(err, errlen,
			 "no tracepoint '%s' in this kernel's BTF; 'bpfcap list-probes' shows the "
			 "tracepoints that carry packets",
			 spec->name);
		return -ENOENT;
	}
	cat = tp_category(spec->name);
	if (spec->category[0] && cat && strcmp(cat, spec->category) != 0)
		return ERR("tracepoint '%s' is in category '%s', not '%s'; use tp:%s:%s",
			   spec->name, cat, spec->category, cat, spec->name);
	if (!spec->category[0] && cat)
		snprintf(info->spec.category, sizeof(info->spec.category), "%s", cat);

	proto_string(btf, spec->name, proto, sizeof(proto));
	if (spec->arg >= 0) {
		int i, ok = 0;

		for (i = 0; i < p->nskb_args; i++)
			ok |= p->skb_args[i] == spec->arg;
		if (spec->arg >= p->nargs)
			return ERR("tracepoint '%s' has %d arguments; arg%d does not exist (%s)",
				   spec->name, p->nargs, spec->arg, proto);
		if (!ok)
			return ERR("argument %d of tracepoint '%s' is not a struct sk_buff * (%s)",
				   spec->arg, spec->name, proto);
		skb = spec->arg;
	} else {
		skb = p->skb_arg;
	}
	if (skb < 0)
		return ERR("tracepoint '%s' has no struct sk_buff * argument (%s); it cannot "
			   "capture packets",
			   spec->name, proto);
	info->skb_arg = skb;

	if (!strcmp(spec->name, "kfree_skb") && skb == 0 && p->reason_arg == 2) {
		info->prog_tp = "tp_kfree_skb";
		info->prog_raw = "raw_kfree_skb";
	} else if (skb == 1 && p->sk_arg == 0) {
		info->prog_tp = "tp_sk0_skb1";
		info->prog_raw = "raw_sk0_skb1";
	} else if (skb == 0 && p->dev_arg == 1) {
		info->prog_tp = "tp_skb0_dev1";
		info->prog_raw = "raw_skb0_dev1";
	} else if (skb == 0 && p->dev_arg == 2) {
		info->prog_tp = "tp_skb0_dev2";
		info->prog_raw = "raw_skb0_dev2";
	} else {
		static const char *const tpn[] = { "tp_skb0", "tp_skb1", "tp_skb2", "tp_skb3" };
		static const char *const rawn[] = { "raw_skb0", "raw_skb1", "raw_skb2",
						    "raw_skb3" };

		if (skb > 3)
			return ERR(
				"tracepoint '%s' carries its skb in argument %d; bpfcap supports "
				"arguments 0 to 3",
				spec->name, skb);
		info->prog_tp = tpn[skb];
		info->prog_raw = rawn[skb];
	}
	info->dir_hint = probe_dir_hint(spec->name);
	snprintf(info->spec.text, sizeof(info->spec.text), "%s:%s%s%s",
		 spec->kind == PROBE_RAW_TP ? "raw_tp" : "tp", info->spec.category,
		 info->spec.category[0] ? ":" : "", spec->name);
	if (spec->arg >= 0) {
		size_t l = strlen(info->spec.text);

		snprintf(info->spec.text + l, sizeof(info->spec.text) - l, ":arg%d", spec->arg);
	}
	return 0;
}

/* ---- availability: probe the attach type itself, not the program type ---- */

static int try_attach(int btf_id, const char *name, bool raw, char *why, size_t whylen)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_prog_load_opts opts = { .sz = sizeof(opts) };
	int fd, lfd, err;

	if (raw) {
		fd = bpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, NULL, "GPL", insns, 2, &opts);
	} else {
		opts.expected_attach_type = BPF_TRACE_RAW_TP;
		opts.attach_btf_id = (__u32)btf_id;
		fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, 2, &opts);
	}
	if (fd < 0) {
		err = -errno;
		snprintf(why, whylen, "%s program load refused: %s%s", raw ? "raw_tp" : "tp_btf",
			 strerror(-err), err == -EPERM ? " (needs CAP_BPF and CAP_PERFMON)" : "");
		return err;
	}
	lfd = bpf_raw_tracepoint_open(raw ? name : NULL, fd);
	err = lfd < 0 ? -errno : 0;
	if (lfd >= 0)
		close(lfd);
	close(fd);
	if (err)
		snprintf(why, whylen, "%s attach refused: %s", raw ? "raw_tp" : "tp_btf",
			 strerror(-err));
	return err;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct catalog_entry *x = a, *y = b;
	int c = strcmp(x->category, y->category);

	return c ? c : strcmp(x->name, y->name);
}

int catalog_build(const struct btf *btf, bool check, struct catalog *cat)
{
	__u32 i, n = btf__type_cnt(btf);
	size_t cap = 0;

	memset(cat, 0, sizeof(*cat));
	cat->checked = check;
	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *tn;
		struct catalog_entry *e;
		struct tp_proto p;
		const char *c;

		if (!btf_is_typedef(t))
			continue;
		tn = btf__name_by_offset(btf, t->name_off);
		if (strncmp(tn, "btf_trace_", 10) != 0)
			continue;
		if (tp_proto_from_btf(btf, tn + 10, &p) || p.skb_arg < 0)
			continue;
		if (cat->n == cap) {
			struct catalog_entry *ne;

			cap = cap ? cap * 2 : 64;
			ne = realloc(cat->e, cap * sizeof(*ne));
			if (!ne) {
				catalog_free(cat);
				return -ENOMEM;
			}
			cat->e = ne;
		}
		e = &cat->e[cat->n++];
		memset(e, 0, sizeof(*e));
		snprintf(e->name, sizeof(e->name), "%s", tn + 10);
		c = tp_category(e->name);
		snprintf(e->category, sizeof(e->category), "%s", c ? c : "");
		snprintf(e->spec, sizeof(e->spec), "tp:%s%s%s", e->category, c ? ":" : "", e->name);
		proto_string(btf, e->name, e->args, sizeof(e->args));
		e->skb_arg = p.skb_arg;
		e->description = probe_description(e->name);
		e->available = p.skb_arg <= 3;
		if (!e->available)
			snprintf(e->why, sizeof(e->why), "skb in argument %d (bpfcap supports 0-3)",
				 p.skb_arg);
		if (check && e->available) {
			char why_btf[160] = "", why_raw[160] = "";

			if (try_attach(i, e->name, false, why_btf, sizeof(why_btf)) == 0)
				continue;
			if (try_attach(0, e->name, true, why_raw, sizeof(why_raw)) == 0)
				continue; /* raw_tp fallback works */
			e->available = false;
			snprintf(e->why, sizeof(e->why), "%s; %s", why_btf, why_raw);
		}
	}
	if (cat->n)
		qsort(cat->e, cat->n, sizeof(*cat->e), cmp_entry);
	return 0;
}

void catalog_free(struct catalog *cat)
{
	free(cat->e);
	cat->e = NULL;
	cat->n = 0;
}

/* ---- which attach mechanisms work here: try them ---- */

static int trivial_prog(enum bpf_prog_type type, enum bpf_attach_type at, __u32 btf_id)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_prog_load_opts opts = { .sz = sizeof(opts) };

	opts.expected_attach_type = at;
	opts.attach_btf_id = btf_id;
	return bpf_prog_load(type, NULL, "GPL", insns, 2, &opts);
}

static void why(char *buf, size_t len, const char *what, int err)
{
	snprintf(buf, len, "%s: %s", what, strerror(err));
}

void mechanisms_check(const struct btf *btf, bool privileged, struct mechanisms *m)
{
	int id, fd, lfd;

	memset(m, 0, sizeof(*m));
	m->checked = privileged;
	if (!privileged)
		return;
	/* tracepoints: the catalog checks each one; kfree_skb stands for all here */
	id = btf__find_by_name_kind(btf, "btf_trace_kfree_skb", BTF_KIND_TYPEDEF);
	fd = id > 0 ? trivial_prog(BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, (__u32)id) : -1;
	if (fd >= 0) {
		lfd = bpf_raw_tracepoint_open(NULL, fd);
		m->tp_btf = lfd >= 0;
		if (lfd >= 0)
			close(lfd);
		close(fd);
	}
	fd = trivial_prog(BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0);
	if (fd >= 0) {
		lfd = bpf_raw_tracepoint_open("kfree_skb", fd);
		m->raw_tp = lfd >= 0;
		if (lfd >= 0)
			close(lfd);
		close(fd);
	}
	/* kprobes: the perf kprobe PMU exists with CONFIG_KPROBES (+ KPROBE_EVENTS) */
	m->kprobe = access("/sys/bus/event_source/devices/kprobe", F_OK) == 0;
	if (!m->kprobe)
		snprintf(m->why_kprobe, sizeof(m->why_kprobe), "no CONFIG_KPROBES");
	fd = trivial_prog(BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI, 0);
	if (fd >= 0) {
		const char *sym = "ip_rcv";
		struct bpf_link_create_opts lo = { .sz = sizeof(lo),
						   .kprobe_multi = { .syms = &sym, .cnt = 1 } };

		lfd = bpf_link_create(fd, 0, BPF_TRACE_KPROBE_MULTI, &lo);
		m->kprobe_multi = lfd >= 0;
		if (lfd < 0)
			why(m->why_kprobe_multi, sizeof(m->why_kprobe_multi), "attach", errno);
		else
			close(lfd);
		close(fd);
	} else {
		why(m->why_kprobe_multi, sizeof(m->why_kprobe_multi), "load", errno);
	}
	id = btf__find_by_name_kind(btf, "ip_rcv", BTF_KIND_FUNC);
	fd = id > 0 ? trivial_prog(BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, (__u32)id) : -1;
	if (fd >= 0) {
		lfd = bpf_raw_tracepoint_open(NULL, fd);
		m->fentry = lfd >= 0;
		if (lfd < 0)
			why(m->why_fentry, sizeof(m->why_fentry), "attach", errno);
		else
			close(lfd);
		close(fd);
	} else {
		why(m->why_fentry, sizeof(m->why_fentry),
		    errno == EPERM ? "BPF trampolines refused" : "load", errno);
	}
}
