// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target over the extcap face's argument handling and query printers
 * (extcap/extcap.c), everything Wireshark can make bpfcap do without loading BPF. The input is
 * split on NUL bytes into words.
 *   - extcap_is_call() on the words;
 *   - extcap_main() on them as argv, unless a word could name --fifo, --log-file or
 *     --extcap-config (getopt_long takes unique prefixes, so every prefix of those is held
 *     back): the real option parser, --extcap-interfaces, --extcap-dlts, the filter check and,
 *     with --capture but no FIFO, the conversion of the options into a capture configuration
 *     (build_cli), which stops at the missing FIFO before anything is opened or loaded;
 *   - the printers directly: extcap_print_config() for an interface (usually a real one),
 *     a Wireshark version and a reload option taken from the words, with a NULL BTF and with a
 *     kernel-like BTF (tests/unit/btf_fixture.h); extcap_print_dlts(), extcap_print_interfaces()
 *     and extcap_check_filter() with an error buffer of a size from the input, whose verdict
 *     must be the capture's: filter_compile() with the stubs of the capture object.
 * Output goes to /dev/null; libFuzzer's -close_fd_mask=3 (run-fuzz.sh) keeps bpfcap's own
 * stderr lines out of the log while sanitizer reports still get through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>

#include "btf_fixture.h"
#include "capture.h"
#include "extcap.h"
#include "filter.h"

#define FUZZ_NAME   "fuzz_extcap"
#define FUZZ_REPORT report
#include "fuzz_common.h"

/* stderr is closed under -close_fd_mask=2: failures go to a copy taken before that */
static FILE *report;

#define MAX_ARGS 64

static FILE *devnull;
static struct btf *fixture;
static size_t slots; /* filter stub size of the capture object */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct fx_opts o = { .ovs = true, .decoy = true, .reasons = true };

	(void)argc;
	(void)argv;
	report = fdopen(dup(2), "w"); /* before libFuzzer closes stderr (-close_fd_mask) */
	if (!report)
		return 1;
	devnull = fopen("/dev/null", "w");
	if (!devnull || !freopen("/dev/null", "w", stdout))
		return 1;
	fixture = fx_btf(&o);
	slots = capture_filter_slots();
	return slots ? 0 : 1;
}

/* Could getopt_long read this word as --fifo, --log-file or --extcap-config? */
static int held_back(const char *w)
{
	static const char *const names[] = { "fifo", "log-file", "extcap-config" };
	size_t n, i;

	if (strncmp(w, "--", 2) != 0)
		return 0;
	w += 2;
	n = strcspn(w, "=");
	if (!n)
		return 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (n <= strlen(names[i]) && !strncmp(w, names[i], n))
			return 1;
	return 0;
}

/* Wireshark's capture-filter box turns green on what extcap_check_filter() accepts: the capture
 * must then accept it too, with the stubs of the object it really loads. */
static void check_filter_agrees(const char *expr, int valid)
{
	char err[512];
	struct filter f;
	int r;

	if (!*expr)
		return;
	r = filter_compile(expr, slots, &f, err, sizeof(err));
	filter_free(&f);
	if (valid && r)
		FAIL("'%.200s...' (%zu chars): the extcap filter check accepts it, the capture "
		     "(stubs "
		     "of %zu instructions) refuses it: %s",
		     expr, strlen(expr), slots, err);
	if (!valid && !r)
		FAIL("'%.200s': the extcap filter check refuses it, the capture accepts it", expr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ifaces[] = { "bpf_kfree_skb", "bpf_netif_receive_skb",
					      "bpf_net_dev_start_xmit", "bpf_tcp_retransmit_skb",
					      "bpf_probe" };
	char *argv[MAX_ARGS + 2];
	size_t i, start = 0, msglen;
	int n = 0, safe = 1, r;
	unsigned sel;
	const char *iface, *ver, *reload;
	char *msg;

	argv[n] = malloc(sizeof("bpfcap"));
	memcpy(argv[n++], "bpfcap", sizeof("bpfcap"));
	for (i = 0; i <= size && n <= MAX_ARGS; i++) {
		if (i == size || data[i] == 0) {
			argv[n] = malloc(i - start + 1);
			memcpy(argv[n], data + start, i - start);
			argv[n][i - start] = '\0';
			safe &= !held_back(argv[n]);
			n++;
			start = i + 1;
		}
	}
	argv[n] = NULL;

	(void)extcap_is_call(n, argv);
	if (safe) {
		char *copy[MAX_ARGS + 2];

		/* getopt_long permutes argv: give it a copy of the pointer array */
		memcpy(copy, argv, sizeof(copy));
		r = extcap_main(n, copy);
		if (r < 0 || r > 2)
			FAIL("extcap_main returned %d", r);
	}

	/* the printers, with strings from the words */
	sel = n > 1 ? (unsigned char)argv[1][0] % 8 : 7;
	iface = sel < 5 ? ifaces[sel] : n > 1 ? argv[1] : "";
	ver = n > 2 ? argv[2] : NULL;
	reload = n > 3 && argv[3][0] ? argv[3] : NULL;
	(void)extcap_print_config(devnull, iface, ver, NULL, reload);
	(void)extcap_print_config(devnull, iface, ver, fixture, reload);
	(void)extcap_print_dlts(devnull, iface);
	extcap_print_interfaces(devnull, ver);
	msglen = n > 4 ? (unsigned char)argv[4][0] : 512;
	msg = malloc(msglen ? msglen : 1);
	if (msglen) {
		const char *expr = n > 1 ? argv[n - 1] : "";

		extcap_check_filter(expr, msg, msglen);
		if (strnlen(msg, msglen) == msglen)
			FAIL("extcap_check_filter left its %zu-byte message unterminated", msglen);
		if (msglen > 1) /* a 1-byte buffer holds only the empty string */
			check_filter_agrees(expr, msg[0] == '\0');
	}
	free(msg);
	for (i = 0; i < (size_t)n; i++)
		free(argv[i]);
	return 0;
}
