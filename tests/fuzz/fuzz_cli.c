// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target over the command line (extcap/cli.c cli_parse, cli_usage): argv is the input
 * split on NUL bytes, after "bpfcap" (so the first word is the command). Each argument is an
 * exact-size heap copy, so a read past its end is seen. Checked:
 *   - a refusal has a non-empty, NUL-terminated message;
 *   - parsing the same argv twice gives the same result (getopt's global state is reset);
 *   - an accepted command line is in range: 1..64 probes for capture and trace, each one
 *     parsing back from its canonical text; snaplen 1..262144; ring size a power of two in
 *     256K..1G; duration 0 or finite and positive; NUL-terminated filter and reason lists;
 *     -w never empty;
 *   - the help text of every command prints.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define FUZZ_NAME "fuzz_cli"
#include "fuzz_common.h"

#define MAX_ARGS 300

static FILE *devnull;
static struct cli a, b;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = fopen("/dev/null", "w");
	return devnull ? 0 : 1;
}

static int split(const uint8_t *data, size_t size, char **argv)
{
	size_t i = 0, start = 0;
	int n = 0;

	argv[n] = malloc(sizeof("bpfcap"));
	memcpy(argv[n++], "bpfcap", sizeof("bpfcap"));
	for (i = 0; i <= size && n < MAX_ARGS; i++) {
		if (i == size || data[i] == 0) {
			if (i == size && i == start && n > 1)
				break; /* a trailing NUL ends the last word */
			argv[n] = malloc(i - start + 1);
			memcpy(argv[n], data + start, i - start);
			argv[n][i - start] = '\0';
			n++;
			start = i + 1;
		}
	}
	argv[n] = NULL;
	return n;
}

static void same_str(const char *x, const char *y, const char *what)
{
	if (!x != !y || (x && strcmp(x, y)))
		FAIL("second parse differs in %s: '%s' / '%s'", what, x ? x : "(null)",
		     y ? y : "(null)");
}

static void check_ok(const struct cli *c)
{
	int i;

	if (c->err[0])
		FAIL("accepted with an error message: %s", c->err);
	switch (c->cmd) {
	case CMD_HELP:
	case CMD_VERSION:
	case CMD_LIST_PROBES:
	case CMD_LIST_REASONS: break;
	case CMD_CAPTURE:
	case CMD_TRACE:
		if (c->nprobes < 1)
			FAIL("%s without a probe", c->cmd == CMD_TRACE ? "trace" : "capture");
		break;
	default: FAIL("command %d", c->cmd);
	}
	if (c->nprobes < 0 || c->nprobes > BPFCAP_MAX_PROBES)
		FAIL("%d probes", c->nprobes);
	for (i = 0; i < c->nprobes; i++) {
		struct probe_spec sp;
		char err[256];

		const char *nm = c->probes[i].name;

		/* bare names starting with "arg<digit>" do not round-trip (fuzz_probe_spec.c) */
		if (!strncmp(nm, "arg", 3) && nm[3] >= '0' && nm[3] <= '9')
			continue;
		if (strnlen(c->probes[i].text, sizeof(c->probes[i].text)) ==
			    sizeof(c->probes[i].text) ||
		    probe_spec_parse(c->probes[i].text, &sp, err, sizeof(err)) ||
		    strcmp(sp.text, c->probes[i].text))
			FAIL("probe %d: '%.*s' is not canonical", i, (int)sizeof(sp.text),
			     c->probes[i].text);
	}
	if (c->cmd == CMD_HELP || c->cmd == CMD_VERSION)
		return; /* parsing stopped there: the rest is not filled in */
	if (c->snaplen < 1 || c->snaplen > CLI_SNAPLEN_MAX)
		FAIL("snaplen %u", c->snaplen);
	if (c->ring_size < CLI_RING_MIN || c->ring_size > CLI_RING_MAX ||
	    (c->ring_size & (c->ring_size - 1)))
		FAIL("ring size %llu", (unsigned long long)c->ring_size);
	if (c->duration < 0 || !isfinite(c->duration) || c->duration > 1e9)
		FAIL("duration %g", c->duration);
	if (strnlen(c->filter, sizeof(c->filter)) == sizeof(c->filter) ||
	    strnlen(c->reasons, sizeof(c->reasons)) == sizeof(c->reasons))
		FAIL("filter or reasons not terminated");
	if (c->write && !c->write[0])
		FAIL("-w ''");
	if (c->mark_set && (c->mark_value & ~c->mark_mask))
		FAIL("mark value %#x outside mask %#x", c->mark_value, c->mark_mask);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv1[MAX_ARGS + 1], *argv2[MAX_ARGS + 1];
	int n, n2, r1, r2, i;

	n = split(data, size, argv1);
	n2 = split(data, size, argv2);
	r1 = cli_parse(n, argv1, &a);
	r2 = cli_parse(n2, argv2, &b);
	if (r1 != r2 || strcmp(a.err, b.err))
		FAIL("two parses of the same argv differ: %d '%s' / %d '%s'", r1, a.err, r2, b.err);
	if (r1) {
		if (r1 != -1 || !a.err[0] || strnlen(a.err, sizeof(a.err)) == sizeof(a.err))
			FAIL("refused (%d) without a proper message", r1);
	} else {
		check_ok(&a);
		if (a.cmd != b.cmd || a.nprobes != b.nprobes || a.snaplen != b.snaplen ||
		    a.ring_size != b.ring_size || a.count != b.count || a.proto != b.proto ||
		    a.format != b.format || a.print != b.print || a.quiet != b.quiet ||
		    a.verbose != b.verbose || a.json != b.json || a.pid != b.pid ||
		    a.mark_set != b.mark_set || a.mark_value != b.mark_value ||
		    strcmp(a.filter, b.filter) || strcmp(a.reasons, b.reasons))
			FAIL("two parses of the same argv differ");
		same_str(a.write, b.write, "write");
		same_str(a.btf_path, b.btf_path, "btf");
		same_str(a.netns, b.netns, "netns");
		same_str(a.device, b.device, "device");
		cli_usage(devnull, a.cmd == CMD_HELP ? a.help_for : a.cmd);
	}
	for (i = 0; i < n; i++)
		free(argv1[i]);
	for (i = 0; i < n2; i++)
		free(argv2[i]);
	return 0;
}
