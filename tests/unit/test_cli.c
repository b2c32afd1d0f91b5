// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Option parsing (extcap/cli.c): cli_parse(argc, argv, &cli) with argv[1] the subcommand.
 * Every refusal must leave one non-empty line in cli.err, without a trailing newline.
 *
 * Each parse runs in a child process (the result comes back through a pipe; the pointers in it
 * point into argbuf, which the child shares as a copy), so every case starts from a fresh
 * process like the real binary does. Whether cli_parse can be called twice in one process is
 * checked on its own, in test_reentrant(). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "cli.h"
#include "log.h"
#include "trust.h"
#include "test.h"

#define MAXARGS 80

/* argv strings live here until the next parse (cli fields point into argv) */
static char argbuf[MAXARGS][300];
static char *argvv[MAXARGS + 1];

static int read_all(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = read(fd, (char *)buf + got, len - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* cli_parse in a fresh child process; the struct comes back through a pipe. */
static int parse_argv(int argc, char **argv, struct cli *c)
{
	struct {
		int r;
		struct cli c;
	} res;
	int p[2], st = 0;
	pid_t pid;

	fflush(NULL);
	if (pipe(p))
		SETUP_FAIL("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		SETUP_FAIL("fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		memset(&res, 0, sizeof(res));
		res.r = cli_parse(argc, argv, &res.c);
		_exit(write(p[1], &res, sizeof(res)) == (ssize_t)sizeof(res) ? 0 : 99);
	}
	close(p[1]);
	if (read_all(p[0], &res, sizeof(res)))
		res.r = -999; /* the child died: shows up as a failed check */
	close(p[0]);
	waitpid(pid, &st, 0);
	if (res.r == -999) {
		memset(c, 0, sizeof(*c));
		snprintf(c->err, sizeof(c->err), "cli_parse crashed (wait status 0x%x)", st);
		fprintf(stderr, "    cli_parse crashed for '%s ...' (wait status 0x%x)\n",
			argc > 1 ? argv[1] : "", st);
		return res.r;
	}
	*c = res.c;
	return res.r;
}

/* parse("capture", "-c", "5", (char *)NULL): argv[0] = "bpfcap" */
static int parse(struct cli *c, ...)
{
	const char *a;
	va_list ap;
	int n = 0;

	snprintf(argbuf[n], sizeof(argbuf[n]), "bpfcap");
	argvv[n] = argbuf[n];
	n++;
	va_start(ap, c);
	while ((a = va_arg(ap, const char *)) && n < MAXARGS) {
		snprintf(argbuf[n], sizeof(argbuf[n]), "%s", a);
		argvv[n] = argbuf[n];
		n++;
	}
	va_end(ap);
	argvv[n] = NULL;
	return parse_argv(n, argvv, c);
}

/* A refusal: -1, err one non-empty line, and it mentions `needle` (if given). */
static void refused(const struct cli *c, int r, const char *what, const char *needle)
{
	char n[200];
	size_t l = strlen(c->err);

	snprintf(n, sizeof(n), "%s: refused", what);
	ASSERT_EQ(r, -1, n);
	snprintf(n, sizeof(n), "%s: error text present", what);
	ASSERT_TRUE(l > 0, n);
	snprintf(n, sizeof(n), "%s: error is one line without trailing newline", what);
	ASSERT_TRUE(!strchr(c->err, '\n') && !strchr(c->err, '\r'), n);
	if (needle) {
		snprintf(n, sizeof(n), "%s: error mentions '%s'", what, needle);
		ASSERT_CONTAINS(c->err, needle, n);
	}
}

/* Under file capabilities (the copy for group wireshark) --btf is refused, for every command
 * that takes it; root (or a process without gained privileges) keeps it. */
static void test_trust(void)
{
	static const char *const cmds[] = { "capture", "list-probes", "list-reasons" };
	struct cli c;
	size_t i;

	trust_force(1);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		refused(&c, parse(&c, cmds[i], "--btf", "/tmp/crafted", (char *)NULL), cmds[i],
			"--btf is for root");
	refused(&c, parse(&c, "trace", "tracepoint:skb:kfree_skb", "--btf", "/tmp/x", (char *)NULL),
		"trace --btf", "--btf is for root");
	ASSERT_EQ(parse(&c, "capture", "-p", "kfree_skb", (char *)NULL), 0,
		  "restricted: capture without --btf parses");
	trust_force(0);
	ASSERT_EQ(parse(&c, "capture", "--btf", "/tmp/vmlinux", (char *)NULL), 0,
		  "unrestricted: --btf parses");
	ASSERT_STR(c.btf_path, "/tmp/vmlinux", "unrestricted: --btf kept");
	trust_force(-1);
}

/* What a group member sees of libbpf's verifier logs: no kernel addresses. */
static void test_scrub(void)
{
	char a[] = "0: (18) r1 = 0xffff888103c5a000\n"
		   "R1_w=map_ptr(map=.rodata,ks=4,vs=64) map_value ffffc90000ab6010 fd 7";
	char b[] = "libbpf: prog 'tp_kfree_skb': insn 12 id 4026532315 0x1f off=0x28 "
		   "map_abc0123456789";
	char c[] = "x=0xFFFF8881057A4000,y=(ffffffffc0a1b2c3)";

	ASSERT_EQ(log_scrub_addresses(a), 2, "verifier log: two addresses hidden");
	ASSERT_STR(a,
		   "0: (18) r1 = (hidden)\n"
		   "R1_w=map_ptr(map=.rodata,ks=4,vs=64) map_value (hidden) fd 7",
		   "verifier log: the rest unchanged");
	ASSERT_EQ(log_scrub_addresses(b), 0, "ids, inodes, offsets and names stay");
	ASSERT_EQ(log_scrub_addresses(c), 2, "upper case and parenthesised addresses");
	ASSERT_STR(c, "x=(hidden),y=((hidden))", "upper case and parenthesised: hidden");
}

static void test_defaults(void)
{
	struct cli c;

	TEST_SECTION("capture defaults");
	ASSERT_EQ(parse(&c, "capture", (char *)NULL), 0, "bare capture parses");
	ASSERT_EQ(c.cmd, CMD_CAPTURE, "command capture");
	ASSERT_EQ(c.nprobes, 1, "one default probe");
	ASSERT_STR(c.probes[0].text, "tp:skb:kfree_skb", "default probe tp:skb:kfree_skb");
	ASSERT_EQ(c.snaplen, 262144, "default snaplen 262144");
	ASSERT_EQ(c.ring_size, 16u << 20, "default ring 16M");
	ASSERT_EQ(c.format, FORMAT_PCAPNG, "default format pcapng");
	ASSERT_EQ(c.proto, PROTO_AUTO, "default proto auto");
	ASSERT_EQ(c.count, 0, "default count unlimited");
	ASSERT_TRUE(c.duration == 0, "default duration unlimited");
	ASSERT_STR(c.write, NULL, "default: no -w");
	ASSERT_STR(c.filter, "", "default: no filter");
	ASSERT_TRUE(!c.print && !c.quiet && !c.json && !c.no_skb_output && !c.stack,
		    "default booleans");
	ASSERT_EQ(c.verbose, 0, "default verbosity");
	ASSERT_STR(c.btf_path, NULL, "default BTF path");
	ASSERT_STR(c.netns, NULL, "default netns");
	ASSERT_STR(c.device, NULL, "default device");
}

static void test_every_option(void)
{
	struct cli c;

	TEST_SECTION("every capture option");
	ASSERT_EQ(parse(&c, "capture", "-p", "tp:net:net_dev_xmit", "-w", "/tmp/out.pcapng", "-c",
			"10", "--duration", "2.5", "-s", "128", "-i", "eth0", "--netns",
			"/run/netns/x", "--proto", "ip", "--format", "pcap", "--ring-size", "1M",
			"--print", "-q", "-v", "-v", "--no-skb-output", "--stack", "--btf",
			"/tmp/vmlinux", "--reason", "NO_SOCKET", "--reason",
			"NETFILTER_DROP,TCP_CSUM", (char *)NULL),
		  0, "all options parse");
	ASSERT_EQ(c.nprobes, 1, "-p replaces the default probe");
	ASSERT_STR(c.probes[0].text, "tp:net:net_dev_xmit", "-p probe");
	ASSERT_STR(c.write, "/tmp/out.pcapng", "-w");
	ASSERT_EQ(c.count, 10, "-c");
	ASSERT_TRUE(c.duration == 2.5, "--duration 2.5");
	ASSERT_EQ(c.snaplen, 128, "-s 128");
	ASSERT_STR(c.device, "eth0", "-i");
	ASSERT_STR(c.netns, "/run/netns/x", "--netns");
	ASSERT_EQ(c.proto, PROTO_IP, "--proto ip");
	ASSERT_EQ(c.format, FORMAT_PCAP, "--format pcap");
	ASSERT_EQ(c.ring_size, 1u << 20, "--ring-size 1M");
	ASSERT_TRUE(c.print, "--print");
	ASSERT_TRUE(c.quiet, "-q");
	ASSERT_EQ(c.verbose, 2, "-v -v");
	ASSERT_TRUE(c.no_skb_output, "--no-skb-output");
	ASSERT_TRUE(c.stack, "--stack");
	ASSERT_STR(c.btf_path, "/tmp/vmlinux", "--btf");
	ASSERT_STR(c.filter, "", "no filter words");
	ASSERT_STR(c.reasons, "NO_SOCKET,NETFILTER_DROP,TCP_CSUM", "--reason accumulates");

	ASSERT_EQ(parse(&c, "capture", "--probe", "kfree_skb", "--write", "-", "--count=3",
			"--snaplen=0", "--device", "7", "--quiet", "--verbose", "--proto=eth",
			"--format=pcapng", (char *)NULL),
		  0, "long forms and --opt=value");
	ASSERT_STR(c.probes[0].text, "tp:kfree_skb", "--probe bare name");
	ASSERT_STR(c.write, "-", "--write -");
	ASSERT_EQ(c.count, 3, "--count=3");
	ASSERT_EQ(c.snaplen, 262144, "--snaplen=0 means 262144");
	ASSERT_STR(c.device, "7", "--device index");
	ASSERT_TRUE(c.quiet, "--quiet");
	ASSERT_EQ(c.verbose, 1, "--verbose");
	ASSERT_EQ(c.proto, PROTO_ETH, "--proto=eth");
	ASSERT_EQ(c.format, FORMAT_PCAPNG, "--format=pcapng");

	ASSERT_EQ(parse(&c, "capture", "-qv", "-c5", "-s64", (char *)NULL), 0,
		  "clustered short options");
	ASSERT_TRUE(c.quiet && c.verbose == 1, "-qv");
	ASSERT_EQ(c.count, 5, "-c5");
	ASSERT_EQ(c.snaplen, 64, "-s64");

	ASSERT_EQ(parse(&c, "capture", "--proto", "auto", (char *)NULL), 0, "--proto auto");
	ASSERT_EQ(c.proto, PROTO_AUTO, "--proto auto value");
}

static void test_numbers(void)
{
	static const char *const bad_snap[] = { "262145", "-1", "abc", "",
						"12x",	  " 5", "1e3", "99999999999999999999999" };
	static const char *const bad_count[] = {
		"0", "-1", "abc", "", "1.5", "18446744073709551616"
	};
	static const char *const bad_dur[] = { "0",   "-1",   "abc", "",   "nan",
					       "inf", "1e10", "2s",  "0.0" };
	static const char *const bad_ring[] = { "100K", "2G",  "abc",	"",   "0",
						"1.5M", "16X", "16MBx", "-1M" };
	struct cli c;
	char n[128];
	size_t i;

	TEST_SECTION("numbers: snaplen, count, duration, ring size");
	ASSERT_EQ(parse(&c, "capture", "-s", "0", (char *)NULL), 0, "-s 0");
	ASSERT_EQ(c.snaplen, 262144, "-s 0 means 262144");
	ASSERT_EQ(parse(&c, "capture", "-s", "1", (char *)NULL), 0, "-s 1");
	ASSERT_EQ(c.snaplen, 1, "-s 1");
	ASSERT_EQ(parse(&c, "capture", "-s", "262144", (char *)NULL), 0, "-s 262144");
	ASSERT_EQ(c.snaplen, 262144, "-s 262144");
	for (i = 0; i < sizeof(bad_snap) / sizeof(bad_snap[0]); i++) {
		snprintf(n, sizeof(n), "-s '%s'", bad_snap[i]);
		refused(&c, parse(&c, "capture", "-s", bad_snap[i], (char *)NULL), n, "snaplen");
	}

	ASSERT_EQ(parse(&c, "capture", "-c", "18446744073709551615", (char *)NULL), 0,
		  "-c UINT64_MAX");
	ASSERT_EQ(c.count, UINT64_MAX, "-c UINT64_MAX value");
	for (i = 0; i < sizeof(bad_count) / sizeof(bad_count[0]); i++) {
		snprintf(n, sizeof(n), "-c '%s'", bad_count[i]);
		refused(&c, parse(&c, "capture", "-c", bad_count[i], (char *)NULL), n, "count");
	}

	ASSERT_EQ(parse(&c, "capture", "--duration", "0.5", (char *)NULL), 0, "--duration 0.5");
	ASSERT_TRUE(c.duration == 0.5, "--duration 0.5 value");
	ASSERT_EQ(parse(&c, "capture", "--duration", "1e3", (char *)NULL), 0, "--duration 1e3");
	ASSERT_TRUE(c.duration == 1000, "--duration 1e3 value");
	for (i = 0; i < sizeof(bad_dur) / sizeof(bad_dur[0]); i++) {
		snprintf(n, sizeof(n), "--duration '%s'", bad_dur[i]);
		refused(&c, parse(&c, "capture", "--duration", bad_dur[i], (char *)NULL), n,
			"duration");
	}

	/* ring sizes: K/M/G suffixes, rounded up to a power of two, CLI_RING_MIN..1G */
	ASSERT_EQ(parse(&c, "capture", "--ring-size", "300K", (char *)NULL), 0, "--ring-size 300K");
	ASSERT_EQ(c.ring_size, 512u << 10, "300K rounds up to 512K");
	ASSERT_EQ(parse(&c, "capture", "--ring-size", "1000000", (char *)NULL), 0,
		  "--ring-size 1000000");
	ASSERT_EQ(c.ring_size, 1u << 20, "1000000 rounds up to 1M");
	ASSERT_EQ(parse(&c, "capture", "--ring-size", "256K", (char *)NULL), 0, "--ring-size 256K");
	ASSERT_EQ(c.ring_size, 256u << 10, "256K stays");
	ASSERT_EQ(parse(&c, "capture", "--ring-size", "1G", (char *)NULL), 0, "--ring-size 1G");
	ASSERT_EQ(c.ring_size, 1u << 30, "1G stays");
	ASSERT_EQ(parse(&c, "capture", "--ring-size", "1023M", (char *)NULL), 0,
		  "--ring-size 1023M");
	ASSERT_EQ(c.ring_size, 1u << 30, "1023M rounds up to 1G");
	ASSERT_EQ(parse(&c, "capture", "--ring-size", "16MiB", (char *)NULL), 0,
		  "--ring-size 16MiB");
	ASSERT_EQ(c.ring_size, 16u << 20, "16MiB");
	ASSERT_EQ(parse(&c, "capture", "--ring-size", "16mb", (char *)NULL), 0, "--ring-size 16mb");
	ASSERT_EQ(c.ring_size, 16u << 20, "16mb");
	{
		char below[32];

		snprintf(below, sizeof(below), "%llu", (unsigned long long)CLI_RING_MIN - 1);
		refused(&c, parse(&c, "capture", "--ring-size", below, (char *)NULL),
			"--ring-size just below the minimum", "ring-size");
	}
	for (i = 0; i < sizeof(bad_ring) / sizeof(bad_ring[0]); i++) {
		snprintf(n, sizeof(n), "--ring-size '%s'", bad_ring[i]);
		refused(&c, parse(&c, "capture", "--ring-size", bad_ring[i], (char *)NULL), n,
			"ring-size");
	}

	refused(&c, parse(&c, "capture", "--proto", "tcp", (char *)NULL), "--proto tcp", "proto");
	refused(&c, parse(&c, "capture", "--proto", "", (char *)NULL), "--proto ''", "proto");
	refused(&c, parse(&c, "capture", "--format", "pcapng2", (char *)NULL), "--format pcapng2",
		"format");
	refused(&c, parse(&c, "capture", "-w", "", (char *)NULL), "-w ''", "-w");
	refused(&c, parse(&c, "capture", "-i", "", (char *)NULL), "-i ''", "-i");
	refused(&c, parse(&c, "capture", "--netns", "", (char *)NULL), "--netns ''", "netns");
	refused(&c, parse(&c, "capture", "--reason", "", (char *)NULL), "--reason ''", "reason");
	{
		static char many[1500];
		char *av[] = { "bpfcap", "capture", "--reason", many, "--reason", many, NULL };

		memset(many, 'R', sizeof(many) - 1);
		refused(&c, parse_argv(6, av, &c), "--reason values over 2048 bytes", "reason");
	}
}

static void test_number_parsers(void)
{
	uint64_t v = 0;

	TEST_SECTION("cli_parse_size and cli_parse_u64");
	ASSERT_EQ(cli_parse_size("4K", &v), 0, "4K");
	ASSERT_EQ(v, 4096, "4K value");
	ASSERT_EQ(cli_parse_size("2g", &v), 0, "2g");
	ASSERT_EQ(v, 2ull << 30, "2g value");
	ASSERT_EQ(cli_parse_size("7", &v), 0, "plain bytes");
	ASSERT_EQ(v, 7, "plain value");
	ASSERT_EQ(cli_parse_size("5T", &v), -EINVAL, "T suffix refused");
	ASSERT_EQ(cli_parse_size("K", &v), -EINVAL, "suffix alone refused");
	ASSERT_EQ(cli_parse_size(NULL, &v), -EINVAL, "NULL refused");
	ASSERT_EQ(cli_parse_size("18446744073709551615G", &v), -ERANGE, "overflow by suffix");
	ASSERT_EQ(cli_parse_size("99999999999999999999", &v), -EINVAL, "overflow of strtoull");
	ASSERT_EQ(cli_parse_u64("5", 1, 10, &v), 0, "u64 in range");
	ASSERT_EQ(cli_parse_u64("11", 1, 10, &v), -ERANGE, "u64 above max");
	ASSERT_EQ(cli_parse_u64("0", 1, 10, &v), -ERANGE, "u64 below min");
	ASSERT_EQ(cli_parse_u64("+5", 1, 10, &v), -EINVAL, "u64 with sign");
	ASSERT_EQ(cli_parse_u64("5 ", 1, 10, &v), -EINVAL, "u64 with trailing space");
}

static void test_probes_and_filter(void)
{
	struct cli c;
	char spec[32];
	int i, n = 0;

	TEST_SECTION("probes and filter words");
	ASSERT_EQ(parse(&c, "capture", "-p", "kfree_skb", "-p", "tp:net:net_dev_xmit:arg0",
			"--probe", "raw_tp:skb:consume_skb", (char *)NULL),
		  0, "repeated -p");
	ASSERT_EQ(c.nprobes, 3, "three probes");
	ASSERT_STR(c.probes[0].text, "tp:kfree_skb", "probe 1");
	ASSERT_STR(c.probes[1].text, "tp:net:net_dev_xmit:arg0", "probe 2");
	ASSERT_STR(c.probes[2].text, "raw_tp:skb:consume_skb", "probe 3");
	ASSERT_EQ(parse(&c, "capture", "-p", "kprobe:ip_rcv", (char *)NULL), 0, "-p kprobe:ip_rcv");
	refused(&c, parse(&c, "capture", "-p", "kretprobe:ip_rcv", (char *)NULL),
		"-p kretprobe:ip_rcv", "fexit:ip_rcv");
	refused(&c, parse(&c, "capture", "-p", "tp:skb:kfree skb", (char *)NULL), "-p with a space",
		"kfree skb");
	{
		/* BPFCAP_MAX_PROBES + 1 probes */
		char *av[2 + 2 * (BPFCAP_MAX_PROBES + 1)];
		static char names[BPFCAP_MAX_PROBES + 1][32];

		av[n++] = "bpfcap";
		av[n++] = "capture";
		for (i = 0; i <= BPFCAP_MAX_PROBES; i++) {
			snprintf(names[i], sizeof(names[i]), "tp:skb:p%d", i);
			av[n++] = "-p";
			av[n++] = names[i];
		}
		refused(&c, parse_argv(n, av, &c), "65 probes", "too many probes");
		ASSERT_EQ(parse_argv(n - 2, av, &c), 0, "64 probes are fine");
		ASSERT_EQ(c.nprobes, BPFCAP_MAX_PROBES, "64 probes kept");
		snprintf(spec, sizeof(spec), "tp:skb:p%d", BPFCAP_MAX_PROBES - 1);
		ASSERT_STR(c.probes[BPFCAP_MAX_PROBES - 1].text, spec, "last of 64");
	}

	ASSERT_EQ(
		parse(&c, "capture", "host", "10.0.0.1", "and", "udp", "port", "53", (char *)NULL),
		0, "filter words");
	ASSERT_STR(c.filter, "host 10.0.0.1 and udp port 53", "filter words joined by spaces");
	ASSERT_EQ(parse(&c, "capture", "-c", "1", "host", "1.2.3.4", "-w", "/tmp/f", "-q", "tcp",
			(char *)NULL),
		  0, "options after filter words");
	ASSERT_STR(c.filter, "host 1.2.3.4 tcp", "filter without the options");
	ASSERT_STR(c.write, "/tmp/f", "-w after a filter word");
	ASSERT_TRUE(c.quiet, "-q after a filter word");
	ASSERT_EQ(c.count, 1, "-c before the filter");
	ASSERT_EQ(parse(&c, "capture", "not", "(", "port", "22", ")", (char *)NULL), 0,
		  "parentheses");
	ASSERT_STR(c.filter, "not ( port 22 )", "parentheses kept");
	{
		static char big[3000];
		char *av[] = { "bpfcap", "capture", big, big, NULL };

		memset(big, 'x', sizeof(big) - 1);
		refused(&c, parse_argv(4, av, &c), "filter over 4096 bytes", "too long");
		av[3] = "y";
		ASSERT_EQ(parse_argv(4, av, &c), 0, "filter of 3001 bytes");
		ASSERT_EQ(strlen(c.filter), sizeof(big) + 1, "long filter kept whole");
	}
}

/* A parse that must succeed; on failure the error text is shown too. */
#define PARSED(c, expr, name)                                                                      \
	({                                                                                         \
		int r_ = (expr);                                                                   \
		bool okp_ = ASSERT_EQ(r_, 0, name);                                                \
		if (!okp_)                                                                         \
			fprintf(stderr, "    err: %s\n", (c)->err);                                \
		okp_;                                                                              \
	})

static void test_double_dash(void)
{
	struct cli c;

	TEST_SECTION("'--' ends the options");
	PARSED(&c, parse(&c, "capture", "-c", "2", "--", "host", "x", (char *)NULL),
	       "-- then words");
	ASSERT_STR(c.filter, "host x", "words after --");
	ASSERT_EQ(c.count, 2, "option before --");
	PARSED(&c, parse(&c, "capture", "--", "-w", "x", (char *)NULL),
	       "-- then an option-like word");
	ASSERT_STR(c.filter, "-w x", "'-w x' after -- is a filter");
	ASSERT_STR(c.write, NULL, "-w after -- is not an option");
	PARSED(&c, parse(&c, "capture", "--", "not", "-c", "5", (char *)NULL),
	       "-- then a word then an option-like word");
	ASSERT_STR(c.filter, "not -c 5", "everything after -- is filter text");
	ASSERT_EQ(c.count, 0, "-c after -- is not an option");
	PARSED(&c, parse(&c, "capture", "host", "x", "--", "-q", (char *)NULL), "words, --, word");
	ASSERT_STR(c.filter, "host x -q", "-q after -- is a filter word");
	ASSERT_TRUE(!c.quiet, "-q after -- is not an option");
	PARSED(&c, parse(&c, "trace", "-c", "1", "--", "kfree_skb", "data_out", "-", (char *)NULL),
	       "trace words after --");
	ASSERT_EQ(c.nprobes, 1, "trace probe after --");
}

static void test_trace(void)
{
	struct cli c;

	TEST_SECTION("trace: the RFC syntax");
	ASSERT_EQ(parse(&c, "trace", "tracepoint:skb:kfree_skb", "proto", "ip", "data_out",
			"/tmp/x", (char *)NULL),
		  0, "trace tracepoint:skb:kfree_skb proto ip data_out /tmp/x");
	ASSERT_EQ(c.cmd, CMD_TRACE, "command trace");
	ASSERT_EQ(c.nprobes, 1, "one probe");
	ASSERT_STR(c.probes[0].text, "tp:skb:kfree_skb", "trace probe");
	ASSERT_EQ(c.proto, PROTO_IP, "proto ip");
	ASSERT_STR(c.write, "/tmp/x", "data_out /tmp/x");
	ASSERT_STR(c.filter, "", "trace words are no filter");

	ASSERT_EQ(parse(&c, "trace", "kfree_skb", (char *)NULL), 0, "trace with a probe only");
	ASSERT_STR(c.write, "-", "default data_out is stdout");
	ASSERT_EQ(c.proto, PROTO_AUTO, "default proto auto");
	ASSERT_EQ(parse(&c, "trace", "kfree_skb", "tp:net:net_dev_xmit", "data_out", "-", "proto",
			"eth", (char *)NULL),
		  0, "two probes, data_out before proto");
	ASSERT_EQ(c.nprobes, 2, "two trace probes");
	ASSERT_EQ(c.proto, PROTO_ETH, "proto eth");
	ASSERT_STR(c.write, "-", "data_out -");
	ASSERT_EQ(parse(&c, "trace", "-c", "3", "kfree_skb", "-s", "100", "data_out", "/tmp/y",
			(char *)NULL),
		  0, "options around trace words");
	ASSERT_EQ(c.count, 3, "trace -c");
	ASSERT_EQ(c.snaplen, 100, "trace -s");
	ASSERT_STR(c.write, "/tmp/y", "trace data_out after options");

	refused(&c, parse(&c, "trace", (char *)NULL), "trace without a probe", "probe");
	refused(&c, parse(&c, "trace", "proto", "ip", (char *)NULL), "trace with proto only",
		"probe");
	refused(&c, parse(&c, "trace", "kfree_skb", "proto", (char *)NULL), "proto without value",
		"proto");
	refused(&c, parse(&c, "trace", "kfree_skb", "data_out", (char *)NULL),
		"data_out without value", "data_out");
	refused(&c, parse(&c, "trace", "kfree_skb", "proto", "tcp", (char *)NULL), "proto tcp",
		"tcp");
	refused(&c, parse(&c, "trace", "kprobe:", (char *)NULL), "trace kprobe:", "function name");
	refused(&c, parse(&c, "trace", "-p", "kfree_skb", (char *)NULL), "-p is not a trace option",
		"-p");
	refused(&c, parse(&c, "trace", "kfree_skb", "--print", (char *)NULL),
		"--print not for trace", "--print");
}

static void test_other_commands(void)
{
	struct cli c;

	TEST_SECTION("list-probes, help, version, unknown commands");
	ASSERT_EQ(parse(&c, "list-probes", (char *)NULL), 0, "list-probes");
	ASSERT_EQ(c.cmd, CMD_LIST_PROBES, "command list-probes");
	ASSERT_EQ(c.nprobes, 0, "list-probes has no probes");
	ASSERT_EQ(parse(&c, "list-probes", "--json", "--btf", "/tmp/b", "-v", (char *)NULL), 0,
		  "list-probes options");
	ASSERT_TRUE(c.json, "--json");
	ASSERT_STR(c.btf_path, "/tmp/b", "list-probes --btf");
	refused(&c, parse(&c, "list-probes", "extra", (char *)NULL), "list-probes with a word",
		"extra");
	refused(&c, parse(&c, "list-probes", "-c", "1", (char *)NULL),
		"-c is not a list-probes option", "-c");
	refused(&c, parse(&c, "capture", "--json", (char *)NULL), "--json is not a capture option",
		"--json");

	ASSERT_EQ(parse(&c, "list-reasons", (char *)NULL), 0, "list-reasons");
	ASSERT_EQ(c.cmd, CMD_LIST_REASONS, "command list-reasons");
	ASSERT_EQ(parse(&c, "list-reasons", "--btf", "/tmp/b", (char *)NULL), 0,
		  "list-reasons --btf");
	ASSERT_STR(c.btf_path, "/tmp/b", "list-reasons --btf value");
	refused(&c, parse(&c, "list-reasons", "extra", (char *)NULL), "list-reasons with a word",
		"extra");

	ASSERT_EQ(parse(&c, "help", (char *)NULL), 0, "help");
	ASSERT_EQ(c.cmd, CMD_HELP, "help command");
	ASSERT_EQ(c.help_for, CMD_NONE, "general help");
	ASSERT_EQ(parse(&c, "help", "capture", (char *)NULL), 0, "help capture");
	ASSERT_EQ(c.help_for, CMD_CAPTURE, "help for capture");
	ASSERT_EQ(parse(&c, "help", "trace", (char *)NULL), 0, "help trace");
	ASSERT_EQ(c.help_for, CMD_TRACE, "help for trace");
	ASSERT_EQ(parse(&c, "help", "bogus", (char *)NULL), 0, "help bogus");
	ASSERT_EQ(c.help_for, CMD_NONE, "help for an unknown command: general help");
	ASSERT_EQ(parse(&c, "--help", (char *)NULL), 0, "--help");
	ASSERT_EQ(c.cmd, CMD_HELP, "--help command");
	ASSERT_EQ(parse(&c, "-h", (char *)NULL), 0, "-h");
	ASSERT_EQ(c.cmd, CMD_HELP, "-h command");
	ASSERT_EQ(parse(&c, "capture", "--help", (char *)NULL), 0, "capture --help");
	ASSERT_EQ(c.cmd, CMD_HELP, "capture --help gives help");
	ASSERT_EQ(c.help_for, CMD_CAPTURE, "capture --help is for capture");
	ASSERT_EQ(parse(&c, "capture", "-c", "5", "-h", (char *)NULL), 0, "capture -c 5 -h");
	ASSERT_EQ(c.cmd, CMD_HELP, "-h after options");
	ASSERT_EQ(parse(&c, "trace", "--help", (char *)NULL), 0, "trace --help");
	ASSERT_EQ(c.help_for, CMD_TRACE, "trace --help is for trace");
	ASSERT_EQ(parse(&c, "list-probes", "-h", (char *)NULL), 0, "list-probes -h");
	ASSERT_EQ(c.help_for, CMD_LIST_PROBES, "list-probes -h");

	ASSERT_EQ(parse(&c, "version", (char *)NULL), 0, "version");
	ASSERT_EQ(c.cmd, CMD_VERSION, "version command");
	ASSERT_EQ(parse(&c, "--version", (char *)NULL), 0, "--version");
	ASSERT_EQ(c.cmd, CMD_VERSION, "--version command");
	ASSERT_EQ(parse(&c, "-V", (char *)NULL), 0, "-V");
	ASSERT_EQ(c.cmd, CMD_VERSION, "-V command");

	refused(&c, parse(&c, "bogus", (char *)NULL), "unknown command", "bogus");
	refused(&c, parse(&c, "Capture", (char *)NULL), "commands are case-sensitive", "Capture");
	refused(&c, parse(&c, "-c", "5", (char *)NULL), "an option instead of a command", "-c");
	refused(&c, parse(&c, (char *)NULL), "no command", "command");
}

static void test_unknown_options(void)
{
	struct cli c;

	TEST_SECTION("unknown options and missing values");
	refused(&c, parse(&c, "capture", "--bogus", (char *)NULL), "--bogus", "--bogus");
	refused(&c, parse(&c, "capture", "--bogus=1", (char *)NULL), "--bogus=1", "--bogus");
	refused(&c, parse(&c, "capture", "-Z", (char *)NULL), "-Z", "-Z");
	refused(&c, parse(&c, "capture", "-c", "1", "-Z", (char *)NULL), "-Z after -c 1", "-Z");
	/* in a cluster the message must still name the unknown letter, not another word */
	refused(&c, parse(&c, "capture", "-Zq", (char *)NULL), "-Zq (unknown first in a cluster)",
		"Z");
	refused(&c, parse(&c, "capture", "-qZ", (char *)NULL), "-qZ (unknown last in a cluster)",
		"Z");
	refused(&c, parse(&c, "capture", "-c", (char *)NULL), "-c without value", "-c");
	refused(&c, parse(&c, "capture", "--write", (char *)NULL), "--write without value",
		"--write");
	refused(&c, parse(&c, "capture", "--snaplen", (char *)NULL), "--snaplen without value",
		"--snaplen");
	refused(&c, parse(&c, "capture", "--pr", "x", (char *)NULL), "--pr is ambiguous", "--pr");
	refused(&c, parse(&c, "capture", "--quiet=1", (char *)NULL), "--quiet=1 (no value allowed)",
		"--quiet");
	refused(&c, parse(&c, "capture", "--print=yes", (char *)NULL),
		"--print=yes (no value allowed)", "--print");
	refused(&c, parse(&c, "capture", "--quiet", "-Zq", (char *)NULL), "-Zq after a long option",
		"-Z");
	/* unambiguous abbreviations are getopt_long's usual behaviour */
	ASSERT_EQ(parse(&c, "capture", "--dur", "3", (char *)NULL), 0,
		  "--dur abbreviates --duration");
	ASSERT_TRUE(c.duration == 3, "--dur 3");
}

/* cli_parse keeps no state between calls (cli.h: "Pure"): a parse that stopped in the middle of
 * an option cluster (-hq: help) or met '--' must not change what the next parse in the same
 * process sees. The sequence runs in one child; the child reports each check's outcome. */
static void test_reentrant(void)
{
	static const char *const names[] = {
		"capture -hq, then capture: -q does not leak into the second parse",
		"capture -Zv (refused), then capture: -v does not leak",
		"capture -- x, then capture -c 1: the second parse succeeds with count 1",
		"no crash in the sequence",
	};
	int p[2], st = 0, i;
	unsigned char res[4] = { 0, 0, 0, 0 };
	pid_t pid;

	TEST_SECTION("cli_parse twice in one process");
	fflush(NULL);
	if (pipe(p))
		SETUP_FAIL("pipe");
	pid = fork();
	if (pid < 0)
		SETUP_FAIL("fork");
	if (pid == 0) {
		char a0[] = "bpfcap", cap[] = "capture", hq[] = "-hq", zv[] = "-Zv", dd[] = "--",
		     x[] = "x", c[] = "-c", one[] = "1";
		char *av1[] = { a0, cap, hq, NULL }, *av2[] = { a0, cap, NULL },
		     *av3[] = { a0, cap, zv, NULL }, *av4[] = { a0, cap, dd, x, NULL },
		     *av5[] = { a0, cap, c, one, NULL };
		struct cli cl;

		close(p[0]);
		cli_parse(3, av1, &cl);
		res[0] = cli_parse(2, av2, &cl) == 0 && !cl.quiet;
		cli_parse(3, av3, &cl);
		res[1] = cli_parse(2, av2, &cl) == 0 && cl.verbose == 0;
		cli_parse(4, av4, &cl);
		res[2] = cli_parse(4, av5, &cl) == 0 && cl.count == 1;
		res[3] = 1;
		_exit(write(p[1], res, sizeof(res)) == sizeof(res) ? 0 : 99);
	}
	close(p[1]);
	if (read_all(p[0], res, sizeof(res)))
		memset(res, 0, sizeof(res));
	close(p[0]);
	waitpid(pid, &st, 0);
	for (i = 0; i < 4; i++)
		ASSERT_TRUE(res[i], names[i]);
	if (!res[3])
		fprintf(stderr, "    child wait status 0x%x\n", st);
}

static void test_usage(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	TEST_SECTION("usage text");
	f = open_memstream(&buf, &len);
	if (!f)
		SETUP_FAIL("open_memstream");
	cli_usage(f, CMD_CAPTURE);
	fclose(f);
	ASSERT_CONTAINS(buf, "Usage: bpfcap capture", "capture usage header");
	ASSERT_CONTAINS(buf, "--probe SPEC", "capture usage: --probe");
	ASSERT_CONTAINS(buf, "-w, --write FILE", "capture usage: -w");
	ASSERT_CONTAINS(buf, "--ring-size BYTES", "capture usage: --ring-size");
	ASSERT_CONTAINS(buf, "--netns", "capture usage: --netns");
	ASSERT_TRUE(!strstr(buf, "--json"), "capture usage: no list-probes option");
	{
		static const char *const kinds[] = {
			"tp:CATEGORY:NAME", "raw_tp:",	"kprobe:FUNC",	 "fentry:FUNC",
			"fexit:FUNC",	    "fn:FUNC",	"xdp:IFNAME",	 "tc:IFNAME:ingress|egress",
			"prog:ID",	    "map:PATH", "fentry:prog:ID"
		};
		size_t k;

		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			const char *kind = kinds[k];

			ASSERT_TRUE(strstr(buf, kind) != NULL,
				    "capture usage lists every probe kind");
		}
	}
	ASSERT_TRUE(len > 0 && buf[len - 1] == '\n', "usage ends with a newline");
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	if (!f)
		SETUP_FAIL("open_memstream");
	cli_usage(f, CMD_NONE);
	fclose(f);
	ASSERT_CONTAINS(buf, "Usage: bpfcap COMMAND", "general usage header");
	ASSERT_CONTAINS(buf, "list-probes", "general usage lists list-probes");
	ASSERT_CONTAINS(buf, "trace PROBE", "general usage lists trace");
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	if (!f)
		SETUP_FAIL("open_memstream");
	cli_usage(f, CMD_TRACE);
	fclose(f);
	ASSERT_CONTAINS(buf, "data_out", "trace usage mentions data_out");
	ASSERT_TRUE(!strstr(buf, "--probe"), "trace usage: no -p");
	free(buf);
}

int main(void)
{
	test_defaults();
	test_trust();
	test_scrub();
	test_every_option();
	test_numbers();
	test_number_parsers();
	test_probes_and_filter();
	test_double_dash();
	test_trace();
	test_other_commands();
	test_unknown_options();
	test_reentrant();
	test_usage();
	TEST_EXIT();
}
