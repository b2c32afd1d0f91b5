// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "trust.h"

enum {
	OPT_DURATION = 256,
	OPT_PROTO,
	OPT_FORMAT,
	OPT_RING_SIZE,
	OPT_PRINT,
	OPT_JSON,
	OPT_NO_SKB_OUTPUT,
	OPT_BTF,
	OPT_NETNS,
	OPT_REASON,
	OPT_MARK,
	OPT_PID,
	OPT_FUNCTIONS,
	OPT_STACK,
};

/* One table: getopt_long and --help are generated from it. */
static const struct opt {
	struct option lo;
	const char *arg, *help;
	unsigned cmds; /* bit per enum cli_cmd */
} opts[] = {
#define C (1u << CMD_CAPTURE)
#define T (1u << CMD_TRACE)
#define L ((1u << CMD_LIST_PROBES) | (1u << CMD_LIST_REASONS))
	{ { "probe", required_argument, NULL, 'p' },
	  "SPEC",
	  "probe point, repeatable (default tp:skb:kfree_skb); see 'bpfcap list-probes'",
	  C },
	{ { "write", required_argument, NULL, 'w' },
	  "FILE",
	  "write pcapng to FILE ('-' = stdout) instead of printing packets",
	  C },
	{ { "count", required_argument, NULL, 'c' }, "N", "stop after N packets", C | T },
	{ { "duration", required_argument, NULL, OPT_DURATION },
	  "SECONDS",
	  "stop after SECONDS (decimals allowed)",
	  C | T },
	{ { "snaplen", required_argument, NULL, 's' },
	  "BYTES",
	  "bytes to keep per packet, 1-262144 (0 = 262144, the default)",
	  C | T },
	{ { "device", required_argument, NULL, 'i' },
	  "NAME|INDEX",
	  "only packets of this network device (in --netns, else in bpfcap's namespace)",
	  C | T },
	{ { "netns", required_argument, NULL, OPT_NETNS },
	  "PATH|INODE",
	  "only packets of this network namespace (/run/netns/NAME, /proc/PID/ns/net or inode)",
	  C | T },
	{ { "reason", required_argument, NULL, OPT_REASON },
	  "NAME[,NAME...]",
	  "only drops with these reasons (e.g. NO_SOCKET,NETFILTER_DROP); repeatable",
	  C | T },
	{ { "mark", required_argument, NULL, OPT_MARK },
	  "VALUE[/MASK]",
	  "only packets whose skb mark & MASK equals VALUE (decimal or 0x hex)",
	  C | T },
	{ { "pid", required_argument, NULL, OPT_PID },
	  "PID",
	  "only packets handled while process PID runs (meaningful on transmit paths)",
	  C | T },
	{ { "proto", required_argument, NULL, OPT_PROTO },
	  "auto|eth|ip",
	  "link layer: auto (Ethernet or Linux SLL2), eth (always Ethernet), ip (raw IP)",
	  C },
	{ { "format", required_argument, NULL, OPT_FORMAT },
	  "pcapng|pcap",
	  "file format; classic pcap carries no per-packet metadata",
	  C | T },
	{ { "ring-size", required_argument, NULL, OPT_RING_SIZE },
	  "BYTES",
	  "kernel ring buffer size (K/M/G suffixes; rounded up to a power of two; default 16M)",
	  C | T },
	{ { "stack", no_argument, NULL, OPT_STACK },
	  NULL,
	  "record the kernel stack of each packet (tracepoints, kprobe, fentry/fexit)",
	  C | T },
	{ { "print", no_argument, NULL, OPT_PRINT },
	  NULL,
	  "print one line per packet on stdout even when writing a file or to a pipe",
	  C },
	{ { "quiet", no_argument, NULL, 'q' }, NULL, "no summary at exit", C | T },
	{ { "verbose", no_argument, NULL, 'v' },
	  NULL,
	  "more detail per packet line; -v -v also logs libbpf",
	  C | T | L },
	{ { "json", no_argument, NULL, OPT_JSON }, NULL, "JSON output", L },
	{ { "functions", no_argument, NULL, OPT_FUNCTIONS },
	  NULL,
	  "list-probes: also every kernel function that takes a struct sk_buff *",
	  L },
	{ { "no-skb-output", no_argument, NULL, OPT_NO_SKB_OUTPUT },
	  NULL,
	  "read only the linear part of packets (no bpf_skb_output)",
	  C | T },
	{ { "btf", required_argument, NULL, OPT_BTF },
	  "PATH",
	  "kernel BTF to use instead of /sys/kernel/btf/vmlinux (root only)",
	  C | T | L },
	{ { "help", no_argument, NULL, 'h' }, NULL, "show this help", C | T | L },
#undef C
#undef T
#undef L
};

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static int fail(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -1;
}

int cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int cli_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (*end) {
		switch (toupper((unsigned char)*end)) {
		case 'K': shift = 10; break;
		case 'M': shift = 20; break;
		case 'G': shift = 30; break;
		default: return -EINVAL;
		}
		end++;
		if (*end == 'i' || *end == 'I')
			end++;
		if (*end == 'B' || *end == 'b')
			end++;
		if (*end)
			return -EINVAL;
	}
	if (v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

static enum cli_cmd cmd_of(const char *name)
{
	if (!strcmp(name, "capture"))
		return CMD_CAPTURE;
	if (!strcmp(name, "trace"))
		return CMD_TRACE;
	if (!strcmp(name, "list-probes"))
		return CMD_LIST_PROBES;
	if (!strcmp(name, "list-reasons"))
		return CMD_LIST_REASONS;
	return CMD_NONE;
}

static const char *cmd_name(enum cli_cmd cmd)
{
	switch (cmd) {
	case CMD_CAPTURE: return "capture";
	case CMD_TRACE: return "trace";
	case CMD_LIST_PROBES: return "list-probes";
	case CMD_LIST_REASONS: return "list-reasons";
	default: return "";
	}
}

void cli_usage(FILE *f, enum cli_cmd cmd)
{
	size_t i;

	if (cmd == CMD_NONE || cmd == CMD_HELP || cmd == CMD_VERSION) {
		fprintf(f,
			"Usage: bpfcap COMMAND [OPTIONS]\n"
			"Capture packets inside the Linux kernel with eBPF: dropped, received,\n"
			"transmitted, at any tracepoint that carries a struct sk_buff.\n\n"
			"Commands:\n"
			"  capture [OPTIONS] [FILTER]   capture packets (default probe: "
			"tp:skb:kfree_skb)\n"
			"  trace PROBE [proto auto|eth|ip] [data_out FILE|-]\n"
			"                               the RFC syntax: pcapng to FILE or stdout\n"
			"  list-probes [--json]         probe points of this kernel, from BTF\n"
			"  list-reasons [--json]        drop reasons of this kernel, from BTF\n"
			"  help [COMMAND]               help on a command\n"
			"  version                      print the version\n\n"
			"Wireshark runs bpfcap as an extcap (interfaces 'BPF kfree_skb', ...).\n"
			"See bpfcap(1) and 'bpfcap capture --help'.\n");
		return;
	}
	if (cmd == CMD_CAPTURE)
		fprintf(f,
			"Usage: bpfcap capture [OPTIONS] [FILTER]\n"
			"Capture packets at kernel probe points. With no -w and a terminal on\n"
			"stdout, print one line per packet; with no -w and stdout a pipe or file,\n"
			"write pcapng to stdout (bpfcap capture | tcpdump -r -).\n\nOptions:\n");
	else if (cmd == CMD_TRACE)
		fprintf(f, "Usage: bpfcap trace PROBE [PROBE...] [proto auto|eth|ip] "
			   "[data_out FILE|-] [OPTIONS]\n"
			   "The syntax of the 2019 bpftool RFC ('bpftool pcap trace'): pcapng to "
			   "FILE,\n"
			   "or to stdout without data_out.\n\nOptions:\n");
	else if (cmd == CMD_LIST_REASONS)
		fprintf(f,
			"Usage: bpfcap list-reasons [--json]\n"
			"List the drop reasons (enum skb_drop_reason) of the running kernel, for\n"
			"--reason. Their numbers differ between kernel versions.\n\nOptions:\n");
	else
		fprintf(f, "Usage: bpfcap list-probes [--json]\n"
			   "List the tracepoints of the running kernel whose prototype carries a\n"
			   "struct sk_buff *, each marked available or not.\n\nOptions:\n");
	for (i = 0; i < NOPTS; i++) {
		char left[64];

		if (!(opts[i].cmds & (1u << cmd)) || opts[i].lo.val == OPT_NO_SKB_OUTPUT)
			continue;
		if (opts[i].lo.val < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", opts[i].lo.val,
				 opts[i].lo.name, opts[i].arg ? " " : "",
				 opts[i].arg ? opts[i].arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", opts[i].lo.name,
				 opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
		fprintf(f, "  %-28s %s\n", left, opts[i].help);
	}
	if (cmd == CMD_CAPTURE)
		fprintf(f,
			"\nProbe specs:\n"
			"  tp:CATEGORY:NAME[:argN]   a tracepoint (also tracepoint:...); "
			"raw_tp:CATEGORY:NAME\n"
			"  NAME                      an alias: kfree_skb, netif_receive_skb, "
			"net_dev_start_xmit, ...\n"
			"  kprobe:FUNC, k:FUNC       a kernel function taking a struct sk_buff * "
			"(wildcards: kprobe:ip_*)\n"
			"  fentry:FUNC, fexit:FUNC   the same through BPF trampolines; fn:FUNC "
			"picks "
			"the best\n"
			"  xdp:IFNAME                frames at the device's XDP hook\n"
			"  tc:IFNAME:ingress|egress  the device's tc hooks\n"
			"  prog:ID, map:PATH         packets your own program emits "
			"(bpf/bpfcap_output.h)\n"
			"  fentry:prog:ID, fexit:prog:ID  every packet a loaded XDP/tc program "
			"sees\n"
			"'bpfcap list-probes [--functions]' lists what this kernel has.\n"
			"FILTER: a pcap-filter expression (tcpdump syntax), run in the kernel.\n");
}

static int add_probe(struct cli *c, const char *s)
{
	char err[256];

	if (c->nprobes >= BPFCAP_MAX_PROBES)
		return fail(c, "too many probes (at most %d)", BPFCAP_MAX_PROBES);
	if (probe_spec_parse(s, &c->probes[c->nprobes], err, sizeof(err)))
		return fail(c, "%s", err);
	c->nprobes++;
	return 0;
}

static int set_proto(struct cli *c, const char *v)
{
	if (!strcmp(v, "auto"))
		c->proto = PROTO_AUTO;
	else if (!strcmp(v, "eth"))
		c->proto = PROTO_ETH;
	else if (!strcmp(v, "ip"))
		c->proto = PROTO_IP;
	else
		return fail(c, "invalid --proto '%s'; use auto, eth or ip", v);
	return 0;
}

static int handle_opt(struct cli *c, int o, const char *arg)
{
	uint64_t v;
	char *end;
	int err;

	switch (o) {
	case 'p': return add_probe(c, arg);
	case 'w':
		if (!*arg)
			return fail(c, "-w needs a file name (or '-' for stdout)");
		c->write = arg;
		return 0;
	case 'c':
		if (cli_parse_u64(arg, 1, UINT64_MAX, &v))
			return fail(c, "invalid count '%s'; use a positive integer", arg);
		c->count = v;
		return 0;
	case OPT_DURATION:
		errno = 0;
		c->duration = strtod(arg, &end);
		if (errno || *end || end == arg || !(c->duration > 0) || c->duration > 1e9 ||
		    isnan(c->duration))
			return fail(c, "invalid duration '%s'; use a positive number of seconds",
				    arg);
		return 0;
	case 's':
		err = cli_parse_u64(arg, 0, CLI_SNAPLEN_MAX, &v);
		if (err)
			return fail(c, "invalid snaplen '%s'; use 1 to %u bytes (0 = %u)", arg,
				    CLI_SNAPLEN_MAX, CLI_SNAPLEN_DEFAULT);
		c->snaplen = v ? (uint32_t)v : CLI_SNAPLEN_DEFAULT;
		return 0;
	case OPT_PROTO: return set_proto(c, arg);
	case OPT_FORMAT:
		if (!strcmp(arg, "pcapng"))
			c->format = FORMAT_PCAPNG;
		else if (!strcmp(arg, "pcap"))
			c->format = FORMAT_PCAP;
		else
			return fail(c, "invalid --format '%s'; use pcapng or pcap", arg);
		return 0;
	case OPT_RING_SIZE:
		if (cli_parse_size(arg, &v) || v < CLI_RING_MIN || v > CLI_RING_MAX)
			return fail(c, "invalid --ring-size '%s'; use 256K to 1G (e.g. 16M)", arg);
		while (v & (v - 1))
			v = (v | (v - 1)) + 1; /* round up to a power of two */
		c->ring_size = v;
		return 0;
	case OPT_PRINT: c->print = true; return 0;
	case 'q': c->quiet = true; return 0;
	case 'v': c->verbose++; return 0;
	case OPT_JSON: c->json = true; return 0;
	case OPT_FUNCTIONS: c->functions = true; return 0;
	case OPT_NO_SKB_OUTPUT: c->no_skb_output = true; return 0;
	case OPT_STACK: c->stack = true; return 0;
	case OPT_BTF:
		/* CO-RE offsets and probe prototypes come from this file: with capabilities from
		 * the file (the extcap copy for group wireshark) it would choose what kernel memory
		 * the programs read (docs/security.md) */
		if (trust_restricted())
			return fail(
				c,
				"--btf is for root: this bpfcap runs with file capabilities "
				"(the copy for group wireshark) and reads BTF only from "
				"/sys/kernel/btf/vmlinux; run 'sudo bpfcap ... --btf %s' instead",
				arg);
		c->btf_path = arg;
		return 0;
	case 'i':
		if (!*arg)
			return fail(c, "-i needs a device name or index");
		c->device = arg;
		return 0;
	case OPT_REASON: {
		size_t l = strlen(c->reasons);

		if (!*arg)
			return fail(c, "--reason needs a drop reason name, e.g. NO_SOCKET");
		if (l + strlen(arg) + 2 > sizeof(c->reasons))
			return fail(c, "too many --reason values");
		snprintf(c->reasons + l, sizeof(c->reasons) - l, "%s%s", l ? "," : "", arg);
		return 0;
	}
	case OPT_MARK: {
		char *slash, *e;
		unsigned long long mv, m = 0xffffffffull;

		errno = 0;
		mv = strtoull(arg, &e, 0);
		slash = e;
		if (!errno && *slash == '/')
			m = strtoull(slash + 1, &e, 0);
		if (errno || e == arg || *e || mv > 0xffffffffull || m > 0xffffffffull ||
		    (*slash == '/' && e == slash + 1) || arg[0] == '-')
			return fail(c,
				    "invalid --mark '%s'; use VALUE or VALUE/MASK, e.g. 0x10/0xff",
				    arg);
		c->mark_set = true;
		c->mark_value = (uint32_t)(mv & m);
		c->mark_mask = (uint32_t)m;
		return 0;
	}
	case OPT_PID:
		if (cli_parse_u64(arg, 1, INT32_MAX, &v))
			return fail(c, "invalid --pid '%s'; use a process id", arg);
		c->pid = (uint32_t)v;
		return 0;
	case OPT_NETNS:
		if (!*arg)
			return fail(c, "--netns needs a path or an inode number");
		c->netns = arg;
		return 0;
	default: return -1;
	}
}

static int add_filter_word(struct cli *c, const char *w)
{
	size_t l = strlen(c->filter);

	if (l + strlen(w) + 2 > sizeof(c->filter))
		return fail(c, "capture filter too long");
	if (l)
		c->filter[l++] = ' ';
	strcpy(c->filter + l, w);
	return 0;
}

/* `trace PROBE... [proto X] [data_out F] [count N] [snaplen N]` with the usual options too. */
static int parse_trace_words(struct cli *c, int n, char **w)
{
	int i;

	for (i = 0; i < n; i++) {
		if (!strcmp(w[i], "proto") || !strcmp(w[i], "data_out")) {
			if (i + 1 >= n)
				return fail(c, "'%s' needs a value", w[i]);
			if (!strcmp(w[i], "proto")) {
				if (set_proto(c, w[i + 1]))
					return -1;
			} else {
				if (!*w[i + 1])
					return fail(c, "data_out needs a file name (or '-' for "
						       "stdout)");
				c->write = w[i + 1];
			}
			i++;
		} else if (add_probe(c, w[i])) {
			return -1;
		}
	}
	if (!c->nprobes)
		return fail(c, "trace needs a probe, e.g. 'bpfcap trace tracepoint:skb:kfree_skb "
			       "proto ip data_out /tmp/cap'");
	if (!c->write)
		c->write = "-";
	return 0;
}

int cli_parse(int argc, char **argv, struct cli *c)
{
	struct option lo[NOPTS + 1];
	char shortopts[64];
	const char *sub;
	size_t i, k = 0;
	int o, idx;

	memset(c, 0, sizeof(*c));
	c->snaplen = CLI_SNAPLEN_DEFAULT;
	c->ring_size = CLI_RING_DEFAULT;
	if (argc < 2)
		return fail(c, "no command given; try 'bpfcap --help'");
	sub = argv[1];
	if (!strcmp(sub, "capture"))
		c->cmd = CMD_CAPTURE;
	else if (!strcmp(sub, "trace"))
		c->cmd = CMD_TRACE;
	else if (!strcmp(sub, "list-probes"))
		c->cmd = CMD_LIST_PROBES;
	else if (!strcmp(sub, "list-reasons"))
		c->cmd = CMD_LIST_REASONS;
	else if (!strcmp(sub, "help") || !strcmp(sub, "--help") || !strcmp(sub, "-h")) {
		c->cmd = CMD_HELP;
		/* "help trace": by name (parsing "trace" alone fails: it needs a probe) */
		if (argc > 2)
			c->help_for = cmd_of(argv[2]);
		return 0;
	} else if (!strcmp(sub, "version") || !strcmp(sub, "--version") || !strcmp(sub, "-V")) {
		c->cmd = CMD_VERSION;
		return 0;
	} else
		return fail(c, "unknown command '%s'; try 'bpfcap --help'", sub);

	shortopts[k++] = '+'; /* stop at the first non-option (trace words, filters) */
	shortopts[k++] = ':';
	for (i = 0; i < NOPTS; i++) {
		lo[i] = opts[i].lo;
		if (!(opts[i].cmds & (1u << c->cmd)))
			lo[i].name = "\x01"; /* not for this command: never matches */
		if (opts[i].lo.val < 256 && (opts[i].cmds & (1u << c->cmd))) {
			shortopts[k++] = (char)opts[i].lo.val;
			if (opts[i].lo.has_arg == required_argument)
				shortopts[k++] = ':';
		}
	}
	shortopts[k] = '\0';
	lo[NOPTS] = (struct option){ 0 };

	{
		enum cli_cmd cmd = c->cmd;
		char *words[256];
		int nwords = 0, dd;

		/* 0, not 1: glibc then re-initialises its getopt state (a previous parse may have
		 * stopped inside "-hq" or at "--"); argv[1] is the command, getopt starts after */
		optind = 0;
		optarg = NULL;
		opterr = 0;
		argv++;
		argc--;
		/* "--" ends the options: getopt never sees it or what follows */
		for (dd = 1; dd < argc && strcmp(argv[dd], "--") != 0; dd++)
			;
		for (;;) {
			while ((o = getopt_long(dd, argv, shortopts, lo, &idx)) != -1) {
				if (o == '?') {
					/* an unknown short option (also inside a cluster, "-qZ")
					 * is in optopt; a long one is its whole argv element */
					char so[3] = { '-', (char)optopt, '\0' };
					bool unknown_short = optopt > 0 && optopt < 256 &&
							     !strchr(shortopts, optopt);

					return fail(c,
						    "unknown option '%s' for '%s'; try 'bpfcap %s "
						    "--help'",
						    unknown_short ? so : argv[optind - 1],
						    cmd_name(cmd), cmd_name(cmd));
				}
				if (o == ':')
					return fail(c, "option '%s' needs a value",
						    argv[optind - 1]);
				if (o == 'h') {
					c->cmd = CMD_HELP;
					c->help_for = cmd;
					return 0;
				}
				if (handle_opt(c, o, optarg))
					return -1;
			}
			if (optind >= dd)
				break;
			/* a non-option word: collect it and keep parsing options after it */
			if (nwords >= 256)
				return fail(c, "too many arguments");
			words[nwords++] = argv[optind];
			optind++;
		}
		for (int j = dd + 1; j < argc; j++) {
			if (nwords >= 256)
				return fail(c, "too many arguments");
			words[nwords++] = argv[j];
		}
		if (cmd == CMD_TRACE)
			return parse_trace_words(c, nwords, words);
		if ((cmd == CMD_LIST_PROBES || cmd == CMD_LIST_REASONS) && nwords)
			return fail(c, "%s takes no arguments (got '%s')", cmd_name(cmd), words[0]);
		for (int j = 0; j < nwords; j++)
			if (add_filter_word(c, words[j]))
				return -1;
	}
	if (c->cmd == CMD_CAPTURE && c->nprobes == 0)
		add_probe(c, "tp:skb:kfree_skb");
	return 0;
}
