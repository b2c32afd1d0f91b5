// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Probe specs, tracepoint prototypes from BTF, probe resolution, the probe catalog and the drop
 * reason table, all against BTF blobs built in memory (btf_fixture.h); plus
 * `bpfcap list-probes --btf FILE` of the real binary on such a blob. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <sys/wait.h>

#include "btf_fixture.h"
#include "probe.h"
#include "reasons.h"
#include "test.h"

#ifndef BPFCAP_BIN
#error "BPFCAP_BIN must name the bpfcap binary"
#endif

static char tmpdir[] = "/tmp/bpfcap-unit-probe.XXXXXX";

struct spec_ok {
	const char *in;
	enum probe_kind kind;
	const char *category, *name;
	int arg;
	const char *text;
};

static void test_spec_ok(void)
{
	static const struct spec_ok ok[] = {
		{ "tp:skb:kfree_skb", PROBE_TP, "skb", "kfree_skb", -1, "tp:skb:kfree_skb" },
		{ "tracepoint:skb:kfree_skb", PROBE_TP, "skb", "kfree_skb", -1,
		  "tp:skb:kfree_skb" },
		{ "t:skb:kfree_skb", PROBE_TP, "skb", "kfree_skb", -1, "tp:skb:kfree_skb" },
		{ "tracepoint:net:net_dev_xmit:arg0", PROBE_TP, "net", "net_dev_xmit", 0,
		  "tp:net:net_dev_xmit:arg0" },
		{ "tp:net:net_dev_xmit:arg11", PROBE_TP, "net", "net_dev_xmit", 11,
		  "tp:net:net_dev_xmit:arg11" },
		{ "raw_tp:skb:kfree_skb", PROBE_RAW_TP, "skb", "kfree_skb", -1,
		  "raw_tp:skb:kfree_skb" },
		{ "raw_tracepoint:skb:kfree_skb", PROBE_RAW_TP, "skb", "kfree_skb", -1,
		  "raw_tp:skb:kfree_skb" },
		{ "kfree_skb", PROBE_TP, "", "kfree_skb", -1, "tp:kfree_skb" },
		{ "tp:kfree_skb", PROBE_TP, "", "kfree_skb", -1, "tp:kfree_skb" },
		{ "tp:kfree_skb:arg0", PROBE_TP, "", "kfree_skb", 0, "tp:kfree_skb:arg0" },
		{ "kprobe:ip_rcv", PROBE_KPROBE, "", "ip_rcv", -1, "kprobe:ip_rcv" },
		{ "k:ip_rcv", PROBE_KPROBE, "", "ip_rcv", -1, "kprobe:ip_rcv" },
		{ "kprobe:tcp_v4_*", PROBE_KPROBE, "", "tcp_v4_*", -1, "kprobe:tcp_v4_*" },
		{ "fentry:ip_rcv", PROBE_FENTRY, "", "ip_rcv", -1, "fentry:ip_rcv" },
		{ "fexit:ip_rcv:arg0", PROBE_FEXIT, "", "ip_rcv", 0, "fexit:ip_rcv:arg0" },
		{ "fn:sk_skb_reason_drop", PROBE_FN, "", "sk_skb_reason_drop", -1,
		  "fn:sk_skb_reason_drop" },
		{ "xdp:eth0", PROBE_XDP, "", "xdp", -1, "xdp:eth0" },
		{ "tc:eth0:ingress", PROBE_TC, "", "tc_ingress", -1, "tc:eth0:ingress" },
		{ "tc:eth0:egress", PROBE_TC, "", "tc_egress", -1, "tc:eth0:egress" },
		{ "tc:eth0", PROBE_TC, "", "tc_ingress", -1, "tc:eth0:ingress" },
		{ "prog:42", PROBE_PROG, "", "prog42", -1, "prog:42" },
		{ "map:/sys/fs/bpf/cap", PROBE_MAP, "", "map", -1, "map:/sys/fs/bpf/cap" },
	};
	struct probe_spec s;
	char err[256], n[160];
	size_t i;

	TEST_SECTION("probe_spec_parse: valid specs");
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(n, sizeof(n), "'%s' parses", ok[i].in);
		err[0] = '\0';
		memset(&s, 0, sizeof(s));
		if (!ASSERT_EQ(probe_spec_parse(ok[i].in, &s, err, sizeof(err)), 0, n)) {
			fprintf(stderr, "    err: %s\n", err);
			continue;
		}
		snprintf(n, sizeof(n), "'%s' kind", ok[i].in);
		ASSERT_EQ(s.kind, ok[i].kind, n);
		snprintf(n, sizeof(n), "'%s' category", ok[i].in);
		ASSERT_STR(s.category, ok[i].category, n);
		snprintf(n, sizeof(n), "'%s' name", ok[i].in);
		ASSERT_STR(s.name, ok[i].name, n);
		snprintf(n, sizeof(n), "'%s' arg", ok[i].in);
		ASSERT_EQ(s.arg, ok[i].arg, n);
		snprintf(n, sizeof(n), "'%s' canonical text", ok[i].in);
		ASSERT_STR(s.text, ok[i].text, n);
	}
}

static void test_spec_bad(void)
{
	static const struct {
		const char *in, *must_contain;
	} bad[] = {
		{ "", "empty" },
		{ "tp:", "invalid" },
		{ "tp::kfree_skb", "invalid" },
		{ "tp:skb:", "invalid" },
		{ "tp:a:b:c:d", "malformed" },
		{ "tp:a:b:c:d:e", "too many" },
		{ "tp:skb:kfree skb", "invalid" },
		{ "tp:skb:kfree-skb", "invalid" },
		{ "kfree skb", "invalid" },
		{ "foo:bar", "unknown probe type 'foo'" },
		{ "kprobe:", "function name" },
		{ "kprobe:a b", "function name" },
		{ "kretprobe:ip_rcv", "fexit:ip_rcv" },
		{ "fentry:ip_*", "kprobe.multi" },
		{ "fn:ip_rcv:argx", "argN" },
		{ "xdp:", "device name" },
		{ "xdp:eth0:ingress", "received packets only" },
		{ "tc:eth0:sideways", "ingress or egress" },
		{ "tc:a/b", "device name" },
		{ "tc:abcdefghijklmnopq", "device name" },
		{ "prog:", "program id" },
		{ "prog:0", "program id" },
		{ "prog:12x", "program id" },
		{ "map:relative/path", "map path" },
		{ "tp:skb:x:arg99", "arg" },
		{ "tp:skb:x:arg12", "arg" },
		{ "tp:skb:x:arg-1", "malformed" },
	};
	struct probe_spec s;
	char err[256], n[160], longspec[400];
	size_t i;

	TEST_SECTION("probe_spec_parse: bad specs give one clear line");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(err, 0, sizeof(err));
		snprintf(n, sizeof(n), "'%s' is refused with -EINVAL", bad[i].in);
		ASSERT_EQ(probe_spec_parse(bad[i].in, &s, err, sizeof(err)), -EINVAL, n);
		snprintf(n, sizeof(n), "'%s': error names the problem", bad[i].in);
		ASSERT_CONTAINS(err, bad[i].must_contain, n);
		snprintf(n, sizeof(n), "'%s': error is one line", bad[i].in);
		ASSERT_TRUE(err[0] && !strchr(err, '\n'), n);
	}
	ASSERT_EQ(probe_spec_parse(NULL, &s, err, sizeof(err)), -EINVAL, "NULL spec refused");
	/* a kretprobe error points to what works */
	probe_spec_parse("kretprobe:x", &s, err, sizeof(err));
	ASSERT_CONTAINS(err, "fexit:x", "kretprobe error suggests fexit");
	/* too long */
	memset(longspec, 'a', sizeof(longspec) - 1);
	longspec[sizeof(longspec) - 1] = '\0';
	memcpy(longspec, "tp:skb:", 7);
	ASSERT_EQ(probe_spec_parse(longspec, &s, err, sizeof(err)), -EINVAL, "overlong spec");
	ASSERT_CONTAINS(err, "too long", "overlong spec error");
	/* a tiny error buffer is not overrun */
	{
		char tiny[8];

		memset(tiny, 'X', sizeof(tiny));
		probe_spec_parse("foo:bar", &s, tiny, 4);
		ASSERT_EQ(tiny[3], '\0', "error text NUL-terminated in a 4-byte buffer");
		ASSERT_EQ(tiny[4], 'X', "nothing written past the error buffer");
	}
}

static struct btf *full_btf(void)
{
	struct fx_opts o = { .ovs = true, .mac80211 = true, .decoy = true, .reasons = true };

	return fx_btf(&o);
}

static void test_tp_proto(void)
{
	struct btf *btf = full_btf();
	struct tp_proto p;

	TEST_SECTION("tp_proto_from_btf");
	ASSERT_EQ(tp_proto_from_btf(btf, "kfree_skb", &p), 0, "kfree_skb prototype found");
	ASSERT_EQ(p.nargs, 3, "kfree_skb: 3 arguments after __data");
	ASSERT_EQ(p.skb_arg, 0, "kfree_skb: skb is arg0");
	ASSERT_EQ(p.reason_arg, 2, "kfree_skb: reason is arg2");
	ASSERT_EQ(p.dev_arg, -1, "kfree_skb: no device argument");
	ASSERT_EQ(p.nskb_args, 1, "kfree_skb: one skb argument");

	ASSERT_EQ(tp_proto_from_btf(btf, "net_dev_xmit", &p), 0, "net_dev_xmit found");
	ASSERT_EQ(p.skb_arg, 0, "net_dev_xmit: skb arg0");
	ASSERT_EQ(p.dev_arg, 2, "net_dev_xmit: dev arg2");
	ASSERT_EQ(p.reason_arg, -1, "net_dev_xmit: no reason");

	ASSERT_EQ(tp_proto_from_btf(btf, "tcp_retransmit_skb", &p), 0, "tcp_retransmit_skb");
	ASSERT_EQ(p.skb_arg, 1, "const struct sk_buff * in arg1 is found");
	ASSERT_EQ(p.sk_arg, 0, "const struct sock * in arg0 is found");
	ASSERT_EQ(tp_proto_from_btf(btf, "kfree_skb", &p), 0, "kfree_skb again");
	ASSERT_EQ(p.sk_arg, -1, "kfree_skb: no sock argument");

	ASSERT_EQ(tp_proto_from_btf(btf, "bpfcap_fx_two_skbs", &p), 0, "two skbs");
	ASSERT_EQ(p.nskb_args, 2, "two skb arguments");
	ASSERT_EQ(p.skb_args[0], 0, "first skb arg");
	ASSERT_EQ(p.skb_args[1], 2, "second skb arg");

	ASSERT_EQ(tp_proto_from_btf(btf, "sched_wakeup", &p), 0, "sched_wakeup found");
	ASSERT_EQ(p.skb_arg, -1, "sched_wakeup: no skb");

	ASSERT_EQ(tp_proto_from_btf(btf, "no_such_tp", &p), -ENOENT, "unknown tracepoint");
	ASSERT_EQ(p.skb_arg, -1, "unknown tracepoint: skb_arg -1");
	ASSERT_EQ(tp_proto_from_btf(btf, "bpfcap_fx_bad", &p), -ENOENT,
		  "typedef that is not a function pointer");
	ASSERT_EQ(tp_proto_from_btf(btf, "not_a_typedef", &p), -ENOENT, "struct is not a typedef");
	btf__free(btf);

	/* a kernel without enum skb_drop_reason: the reason is a plain integer */
	{
		struct fx_opts o = { 0 };

		btf = fx_btf(&o);
		ASSERT_EQ(tp_proto_from_btf(btf, "kfree_skb", &p), 0, "old kfree_skb found");
		ASSERT_EQ(p.reason_arg, -1, "no enum: no reason argument");
		btf__free(btf);
	}
}

static int resolve(const struct btf *btf, const char *spec, struct probe_info *pi, char *err,
		   size_t errlen)
{
	struct probe_spec s;
	int r;

	err[0] = '\0';
	r = probe_spec_parse(spec, &s, err, errlen);
	if (r)
		SETUP_FAIL("spec '%s' does not parse: %s", spec, err);
	return probe_resolve(btf, &s, pi, err, errlen);
}

static void test_resolve(void)
{
	struct btf *btf = full_btf();
	struct probe_info pi;
	char err[512];

	TEST_SECTION("probe_resolve");
	ASSERT_EQ(resolve(btf, "tp:skb:kfree_skb", &pi, err, sizeof(err)), 0, "kfree_skb");
	ASSERT_STR(pi.prog_tp, "tp_kfree_skb", "kfree_skb: tp_btf program");
	ASSERT_STR(pi.prog_raw, "raw_kfree_skb", "kfree_skb: raw_tp program");
	ASSERT_EQ(pi.skb_arg, 0, "kfree_skb: skb_arg");
	ASSERT_EQ(pi.proto.reason_arg, 2, "kfree_skb: reason_arg");
	ASSERT_EQ(pi.dir_hint, 0, "kfree_skb: no direction");
	ASSERT_STR(pi.spec.text, "tp:skb:kfree_skb", "kfree_skb: text");

	ASSERT_EQ(resolve(btf, "kfree_skb", &pi, err, sizeof(err)), 0, "bare kfree_skb");
	ASSERT_STR(pi.spec.category, "skb", "bare name: category filled in");
	ASSERT_STR(pi.spec.text, "tp:skb:kfree_skb", "bare name: canonical text");
	ASSERT_STR(pi.prog_tp, "tp_kfree_skb", "bare name: same program");

	ASSERT_EQ(resolve(btf, "raw_tp:skb:kfree_skb", &pi, err, sizeof(err)), 0, "raw_tp");
	ASSERT_STR(pi.spec.text, "raw_tp:skb:kfree_skb", "raw_tp text");
	ASSERT_EQ(pi.spec.kind, PROBE_RAW_TP, "raw_tp kind kept");

	ASSERT_EQ(resolve(btf, "tp:net:net_dev_xmit", &pi, err, sizeof(err)), 0, "net_dev_xmit");
	ASSERT_STR(pi.prog_tp, "tp_skb0_dev2", "net_dev_xmit: skb0/dev2 program");
	ASSERT_EQ(pi.dir_hint, 2, "net_dev_xmit: egress");
	ASSERT_EQ(resolve(btf, "tracepoint:net:net_dev_xmit:arg0", &pi, err, sizeof(err)), 0,
		  "net_dev_xmit:arg0");
	ASSERT_STR(pi.spec.text, "tp:net:net_dev_xmit:arg0", "explicit arg kept in text");

	ASSERT_EQ(resolve(btf, "net_dev_queue", &pi, err, sizeof(err)), 0, "net_dev_queue");
	ASSERT_STR(pi.prog_tp, "tp_skb0", "net_dev_queue: tp_skb0");

	ASSERT_EQ(resolve(btf, "tcp_retransmit_skb", &pi, err, sizeof(err)), 0, "tcp_retransmit");
	ASSERT_STR(pi.prog_tp, "tp_sk0_skb1", "sock in arg0, skb in arg1: tp_sk0_skb1");
	ASSERT_STR(pi.prog_raw, "raw_sk0_skb1", "sock in arg0, skb in arg1: raw_sk0_skb1");
	ASSERT_STR(pi.spec.text, "tp:tcp:tcp_retransmit_skb", "tcp category filled in");
	ASSERT_EQ(pi.dir_hint, 2, "tcp_retransmit_skb: egress");

	ASSERT_EQ(resolve(btf, "bpfcap_fx_skb1", &pi, err, sizeof(err)), 0, "skb in arg1");
	ASSERT_STR(pi.prog_tp, "tp_skb1", "skb in arg1, no sock: tp_skb1");
	ASSERT_STR(pi.prog_raw, "raw_skb1", "skb in arg1, no sock: raw_skb1");
	ASSERT_STR(pi.spec.text, "tp:bpfcap_fx_skb1", "unknown category stays empty");

	ASSERT_EQ(resolve(btf, "tp:bpfcap_fx_two_skbs:arg2", &pi, err, sizeof(err)), 0,
		  "second skb chosen explicitly");
	ASSERT_EQ(pi.skb_arg, 2, "explicit arg2 used");
	ASSERT_STR(pi.prog_tp, "tp_skb2", "arg2 program");

	/* errors: one line, naming the tracepoint */
	ASSERT_EQ(resolve(btf, "sched_wakeup", &pi, err, sizeof(err)), -EINVAL,
		  "tracepoint without skb");
	ASSERT_CONTAINS(err, "no struct sk_buff * argument", "no-skb error says why");
	ASSERT_CONTAINS(err, "sched_wakeup", "no-skb error names the tracepoint");
	ASSERT_TRUE(!strchr(err, '\n'), "no-skb error is one line");

	ASSERT_EQ(resolve(btf, "tp:net:net_dev_xmit:arg1", &pi, err, sizeof(err)), -EINVAL,
		  "explicit arg that is not an skb");
	ASSERT_CONTAINS(err, "not a struct sk_buff", "arg1 error says why");
	ASSERT_EQ(resolve(btf, "tp:net:net_dev_xmit:arg7", &pi, err, sizeof(err)), -EINVAL,
		  "explicit arg past the prototype");
	ASSERT_CONTAINS(err, "does not exist", "arg7 error says why");

	ASSERT_EQ(resolve(btf, "tp:net:kfree_skb", &pi, err, sizeof(err)), -EINVAL,
		  "category mismatch");
	ASSERT_CONTAINS(err, "tp:skb:kfree_skb", "category mismatch suggests the right spec");

	ASSERT_EQ(resolve(btf, "tp:skb:no_such_tp", &pi, err, sizeof(err)), -ENOENT,
		  "unknown tracepoint");
	ASSERT_CONTAINS(err, "no_such_tp", "unknown tracepoint named");
	ASSERT_CONTAINS(err, "list-probes", "unknown tracepoint: hint");

	ASSERT_EQ(resolve(btf, "bpfcap_fx_skb_arg4", &pi, err, sizeof(err)), -EINVAL,
		  "skb in argument 4");
	ASSERT_CONTAINS(err, "0 to 3", "arg4 error says what is supported");
	btf__free(btf);
}

static void test_catalog(void)
{
	struct btf *btf = full_btf();
	struct catalog cat;
	size_t i;

	TEST_SECTION("catalog_build");
	ASSERT_EQ(catalog_build(btf, false, &cat), 0, "catalog of the fixture");
	ASSERT_EQ(cat.n, FX_NSKB_TPS, "exactly the skb tracepoints are listed");
	ASSERT_TRUE(!cat.checked, "availability not checked");
	for (i = 0; i < cat.n && i < FX_NSKB_TPS; i++) {
		char n[128];

		snprintf(n, sizeof(n), "catalog entry %zu", i);
		ASSERT_STR(cat.e[i].spec, fx_skb_tps[i], n);
	}
	for (i = 0; i < cat.n; i++) {
		const struct catalog_entry *e = &cat.e[i];

		if (!strcmp(e->name, "kfree_skb")) {
			ASSERT_STR(e->category, "skb", "kfree_skb category");
			ASSERT_EQ(e->skb_arg, 0, "kfree_skb skb_arg");
			ASSERT_TRUE(e->available, "kfree_skb available (unchecked)");
			ASSERT_STR(e->args, "struct sk_buff *, pointer, enum skb_drop_reason",
				   "kfree_skb prototype text");
			ASSERT_TRUE(e->description && strstr(e->description, "drop"),
				    "kfree_skb has a description");
		}
		if (!strcmp(e->name, "bpfcap_fx_skb_arg4")) {
			ASSERT_TRUE(!e->available, "skb in arg4: not available");
			ASSERT_CONTAINS(e->why, "argument 4", "skb in arg4: why");
		}
		if (!strcmp(e->name, "tcp_retransmit_skb"))
			ASSERT_EQ(e->skb_arg, 1, "tcp_retransmit_skb skb_arg");
	}
	catalog_free(&cat);
	ASSERT_EQ(cat.n, 0, "catalog_free empties");
	catalog_free(&cat); /* twice is fine */
	btf__free(btf);

	{
		struct fx_opts o = { 0 };
		struct btf *b = btf__new_empty();

		ASSERT_EQ(catalog_build(b, false, &cat), 0, "catalog of an empty BTF");
		ASSERT_EQ(cat.n, 0, "empty BTF: no entries");
		catalog_free(&cat);
		btf__free(b);
		(void)o;
	}
}

/* Tables with nothing in them: a kernel without enum skb_drop_reason (< 5.17), or with
 * skb_drop_reason_subsys but no subsystem enum in vmlinux BTF (openvswitch, mac80211 built as
 * modules). Run in a child: qsort()/bsearch() on a NULL base are undefined even for 0 elements,
 * and the UBSan build stops the process there. */
static void reasons_empty_tables(void)
{
	static const char *const names[] = {
		"no enum skb_drop_reason: reasons__new gives an empty table",
		"no enum: reasons__name(3) is NULL",
		"no subsystem enums: reasons__name(0x20001) is NULL",
		"no subsystem enums: reasons__subsys(0x20001) is OPENVSWITCH",
		"empty tables: no undefined behaviour (the child ran to the end)",
	};
	unsigned char res[5] = { 0 };
	int p[2], st = 0, i;
	pid_t pid;

	fflush(NULL);
	if (pipe(p))
		SETUP_FAIL("pipe");
	pid = fork();
	if (pid < 0)
		SETUP_FAIL("fork");
	if (pid == 0) {
		struct fx_opts none = { 0 }, core = { .reasons = true };
		struct btf *btf = fx_btf(&none);
		struct reasons *r = reasons__new(btf);

		close(p[0]);
		res[0] = r != NULL && reasons__count(r) == 0;
		res[1] = r && reasons__name(r, 3) == NULL;
		reasons__free(r);
		btf__free(btf);
		btf = fx_btf(&core);
		r = reasons__new(btf);
		res[2] = r && reasons__name(r, FX_OVS_LAST_ACTION) == NULL;
		res[3] = r && reasons__subsys(r, FX_OVS_LAST_ACTION) &&
			 !strcmp(reasons__subsys(r, FX_OVS_LAST_ACTION), "OPENVSWITCH");
		reasons__free(r);
		btf__free(btf);
		res[4] = 1;
		_exit(write(p[1], res, sizeof(res)) == sizeof(res) ? 0 : 99);
	}
	close(p[1]);
	if (read(p[0], res, sizeof(res)) != (ssize_t)sizeof(res))
		memset(res, 0, sizeof(res));
	close(p[0]);
	waitpid(pid, &st, 0);
	for (i = 0; i < 5; i++)
		ASSERT_TRUE(res[i], names[i]);
	if (!res[4])
		fprintf(stderr, "    child wait status 0x%x (see the sanitizer report above)\n",
			st);
}

static void test_reasons(void)
{
	struct btf *btf = full_btf();
	struct reasons *r = reasons__new(btf);
	uint32_t v = 0, prev = 0;
	size_t i, n;

	TEST_SECTION("reasons: drop reason names from BTF");
	if (!r)
		SETUP_FAIL("reasons__new: %s", strerror(errno));
	ASSERT_STR(reasons__name(r, FX_NO_SOCKET), "NO_SOCKET", "name of 3");
	ASSERT_STR(reasons__name(r, FX_NOT_SPECIFIED), "NOT_SPECIFIED", "name of 2");
	ASSERT_STR(reasons__name(r, 1), "CONSUMED", "SKB_ prefix stripped");
	ASSERT_STR(reasons__name(r, 0), "NOT_DROPPED_YET", "name of 0");
	ASSERT_STR(reasons__name(r, 128), NULL, "SKB_DROP_REASON_MAX is not a reason");
	ASSERT_STR(reasons__name(r, 4242), NULL, "unknown value");
	ASSERT_EQ(reasons__value(r, "NO_SOCKET"), 3, "value of NO_SOCKET");
	ASSERT_EQ(reasons__value(r, "SKB_DROP_REASON_NO_SOCKET"), 3, "value of the full name");
	ASSERT_EQ(reasons__value(r, "NO_SUCH_REASON"), -1, "value of an unknown name");
	ASSERT_STR(reasons__subsys(r, FX_NO_SOCKET), "CORE", "core subsystem");

	ASSERT_STR(reasons__name(r, FX_OVS_LAST_ACTION), "OVS_DROP_LAST_ACTION",
		   "openvswitch reason name");
	ASSERT_STR(reasons__name(r, FX_OVS_ACTION_ERROR), "OVS_DROP_ACTION_ERROR",
		   "second openvswitch reason");
	ASSERT_STR(reasons__subsys(r, FX_OVS_LAST_ACTION), "OPENVSWITCH", "openvswitch subsys");
	ASSERT_EQ(reasons__value(r, "OVS_DROP_LAST_ACTION"), FX_OVS_LAST_ACTION,
		  "value of a subsystem reason");
	ASSERT_STR(reasons__name(r, 2u << 16), NULL, "the subsystem base is not a reason");
	ASSERT_STR(reasons__name(r, FX_MAC80211_MIC_FAIL), "RX_DROP_U_MIC_FAIL",
		   "mac80211 reason name");
	ASSERT_STR(reasons__subsys(r, FX_MAC80211_MIC_FAIL), "MAC80211_UNUSABLE",
		   "mac80211 subsys");
	ASSERT_STR(reasons__subsys(r, (9u << 16) | 1), NULL, "unknown subsystem");
	ASSERT_STR(reasons__name(r, (9u << 16) | 1), NULL, "reason of an unknown subsystem");

	/* the core table, in value order, without the sentinels */
	n = reasons__count(r);
	ASSERT_EQ(n, FX_NCORE, "core reasons counted without MAX and SUBSYS_MASK");
	for (i = 0; i < n; i++) {
		const char *nm = reasons__at(r, i, &v);

		if (i && v <= prev)
			ASSERT_TRUE(v > prev, "core reasons in ascending order");
		if (v >> 16) {
			char what[128];

			snprintf(what, sizeof(what), "core reason '%s' (0x%x) is below 65536",
				 nm ? nm : "?", v);
			ASSERT_TRUE((v >> 16) == 0, what);
		}
		prev = v;
	}
	ASSERT_STR(reasons__at(r, n, &v), NULL, "reasons__at past the end");
	ASSERT_EQ(reasons__value(r, "MASK"), -1, "SUBSYS_MASK is not a reason ('MASK')");
	reasons__free(r);
	btf__free(btf);

	/* NULL tables and kernels without drop reasons */
	ASSERT_STR(reasons__name(NULL, 3), NULL, "NULL table: no name");
	ASSERT_STR(reasons__subsys(NULL, 3), "CORE", "NULL table: core subsystem");
	ASSERT_EQ(reasons__value(NULL, "NO_SOCKET"), -1, "NULL table: no value");
	ASSERT_EQ(reasons__count(NULL), 0, "NULL table: count 0");
	reasons__free(NULL);
	r = reasons__new(NULL);
	ASSERT_TRUE(r != NULL, "reasons__new(NULL) gives an empty table");
	ASSERT_EQ(reasons__count(r), 0, "empty table");
	reasons__free(r);
	reasons_empty_tables();
}

/* A kernel whose openvswitch is a module: enum ovs_drop_reason is not in vmlinux BTF, but
 * enum ip6_defrag_users has values with the same bit pattern (131072, 131073, ...). A subsystem
 * reason must then show as unknown, not as the name of an unrelated enumerator. */
static void test_reasons_decoy(void)
{
	struct fx_opts o = { .reasons = true, .decoy = true };
	struct btf *btf = fx_btf(&o);
	struct reasons *r = reasons__new(btf);

	TEST_SECTION("reasons: enums that are not drop reasons");
	if (!r)
		SETUP_FAIL("reasons__new");
	ASSERT_STR(reasons__name(r, FX_OVS_LAST_ACTION), NULL,
		   "0x20001 without enum ovs_drop_reason is unknown, not IP6_DEFRAG_*");
	ASSERT_STR(reasons__name(r, (1u << 16) | 1), NULL,
		   "0x10001 without enum mac80211_drop_reason is unknown");
	ASSERT_STR(reasons__subsys(r, FX_OVS_LAST_ACTION), "OPENVSWITCH",
		   "the subsystem is still known from skb_drop_reason_subsys");
	ASSERT_EQ(reasons__value(r, "IP6_DEFRAG_CONNTRACK_BRIDGE_IN"), -1,
		  "IP6_DEFRAG_CONNTRACK_BRIDGE_IN is not a drop reason");
	reasons__free(r);
	btf__free(btf);

	/* with both present, the drop reason wins */
	o.ovs = true;
	btf = fx_btf(&o);
	r = reasons__new(btf);
	if (!r)
		SETUP_FAIL("reasons__new");
	ASSERT_STR(reasons__name(r, FX_OVS_LAST_ACTION), "OVS_DROP_LAST_ACTION",
		   "0x20001 with both enums present is the openvswitch reason");
	reasons__free(r);
	btf__free(btf);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static int write_blob(const struct btf *btf, const char *path)
{
	const void *data;
	__u32 size;
	FILE *f;

	data = btf__raw_data(btf, &size);
	if (!data)
		return -1;
	f = fopen(path, "wb");
	if (!f)
		return -1;
	if (fwrite(data, 1, size, f) != size) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static void test_list_probes_binary(void)
{
	struct btf *btf = full_btf();
	char path[300], cmd[1024], out[65536], errout[4096];
	const char *p;
	size_t i;
	int rc, entries = 0;

	TEST_SECTION("bpfcap list-probes --btf FILE");
	snprintf(path, sizeof(path), "%s/fixture.btf", tmpdir);
	if (write_blob(btf, path))
		SETUP_FAIL("write %s: %s", path, strerror(errno));
	btf__free(btf);

	/* as an ordinary user availability is not checked; as root it is probed against the
	 * running kernel: either answer is accepted for "available" */
	snprintf(cmd, sizeof(cmd), "%s list-probes --btf %s --json 2>%s/stderr", BPFCAP_BIN, path,
		 tmpdir);
	rc = test_run(cmd, out, sizeof(out));
	ASSERT_EQ(rc, 0, "list-probes --json exit status");
	snprintf(cmd, sizeof(cmd), "cat %s/stderr", tmpdir);
	test_run(cmd, errout, sizeof(errout));
	ASSERT_STR(errout, "", "list-probes --json: nothing on stderr");
	ASSERT_TRUE(out[0] == '[', "JSON array starts with [");
	ASSERT_TRUE(strlen(out) >= 2 && !strcmp(out + strlen(out) - 2, "]\n"),
		    "JSON array ends with ]");
	for (p = out; (p = strstr(p, "{\"spec\": ")); p++)
		entries++;
	ASSERT_EQ(entries, FX_NSKB_TPS, "one JSON object per skb tracepoint");
	for (i = 0; i < FX_NSKB_TPS; i++) {
		char want[128], n[160];

		snprintf(want, sizeof(want), "{\"spec\": \"%s\"", fx_skb_tps[i]);
		snprintf(n, sizeof(n), "JSON lists %s", fx_skb_tps[i]);
		ASSERT_CONTAINS(out, want, n);
	}
	ASSERT_CONTAINS(out, "\"name\": \"kfree_skb\", \"skb_arg\": 0", "kfree_skb skb_arg");
	ASSERT_TRUE(!strstr(out, "sched_wakeup"), "no tracepoint without skb");
	{
		/* every "available" is null, true or false */
		int bad = 0, k = 0;

		for (p = out; (p = strstr(p, "\"available\": ")); p++, k++) {
			const char *v = p + 13;

			if (strncmp(v, "null,", 5) && strncmp(v, "true,", 5) &&
			    strncmp(v, "false,", 6))
				bad++;
		}
		ASSERT_EQ(k, FX_NSKB_TPS, "each entry has 'available'");
		ASSERT_EQ(bad, 0, "'available' is null, true or false");
		ASSERT_CONTAINS(out, "\"spec\": \"tp:bpfcap_fx_skb_arg4\"", "arg4 entry listed");
	}
	if (test_have_tool("python3")) {
		snprintf(cmd, sizeof(cmd),
			 "%s list-probes --btf %s --json | python3 -c 'import json,sys; "
			 "d=json.load(sys.stdin); print(len(d))'",
			 BPFCAP_BIN, path);
		rc = test_run(cmd, out, sizeof(out));
		ASSERT_EQ(rc, 0, "list-probes --json is valid JSON (python3 json.load)");
		ASSERT_STR(out, "8\n", "python3 sees every entry");
	}

	/* the table form */
	snprintf(cmd, sizeof(cmd), "%s list-probes --btf %s 2>/dev/null", BPFCAP_BIN, path);
	rc = test_run(cmd, out, sizeof(out));
	ASSERT_EQ(rc, 0, "list-probes table exit status");
	ASSERT_CONTAINS(out, "PROBE", "table header");
	ASSERT_CONTAINS(out, "tp:skb:kfree_skb", "table lists kfree_skb");

	/* list-reasons: the core drop reasons of this BTF, without its sentinels */
	snprintf(cmd, sizeof(cmd), "%s list-reasons --btf %s 2>/dev/null", BPFCAP_BIN, path);
	rc = test_run(cmd, out, sizeof(out));
	ASSERT_EQ(rc, 0, "list-reasons exit status");
	ASSERT_CONTAINS(out, "    3 NO_SOCKET\n", "list-reasons: NO_SOCKET = 3");
	ASSERT_CONTAINS(out, "   63 NEIGH_FAILED\n", "list-reasons: NEIGH_FAILED = 63");
	ASSERT_NOT_CONTAINS(out, "REASON_MAX", "list-reasons: no SKB_DROP_REASON_MAX");
	ASSERT_NOT_CONTAINS(out, "MASK", "list-reasons: no SKB_DROP_REASON_SUBSYS_MASK");
	ASSERT_EQ(count_lines(out), FX_NCORE, "list-reasons: one line per core reason");

	/* a BTF file that does not exist: exit 1, one line naming the path */
	snprintf(cmd, sizeof(cmd), "%s list-probes --btf /nonexistent/bpfcap.btf 2>&1 >/dev/null",
		 BPFCAP_BIN);
	rc = test_run(cmd, errout, sizeof(errout));
	ASSERT_EQ(rc, 1, "--btf /nonexistent exits 1");
	ASSERT_CONTAINS(errout, "/nonexistent/bpfcap.btf", "error names the path");
	ASSERT_EQ(strchr(errout, '\n') ? strchr(errout, '\n') - errout + 1 : -1, strlen(errout),
		  "exactly one line on stderr");

	/* a file that is not BTF */
	snprintf(cmd, sizeof(cmd),
		 "echo garbage > %s/garbage.btf; %s list-probes --btf %s/garbage.btf "
		 "2>&1 >/dev/null",
		 tmpdir, BPFCAP_BIN, tmpdir);
	rc = test_run(cmd, errout, sizeof(errout));
	ASSERT_EQ(rc, 1, "--btf garbage exits 1");
	ASSERT_CONTAINS(errout, "garbage.btf", "garbage error names the path");
	ASSERT_EQ(strchr(errout, '\n') ? strchr(errout, '\n') - errout + 1 : -1, strlen(errout),
		  "garbage: exactly one line on stderr");
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		SETUP_FAIL("mkdtemp: %s", strerror(errno));
	libbpf_set_print(NULL);
	test_spec_ok();
	test_spec_bad();
	test_tp_proto();
	test_resolve();
	test_catalog();
	test_reasons();
	test_reasons_decoy();
	test_list_probes_binary();
	test_cleanup_dir(tmpdir);
	TEST_EXIT();
}
