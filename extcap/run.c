// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <cap-ng.h>

#include "capture.h"
#include "clock.h"
#include "filter.h"
#include "ifnames.h"
#include "ksyms.h"
#include "log.h"
#include "reasons.h"
#include "run.h"
#include "sink.h"

volatile sig_atomic_t run_stop;

static void on_signal(int sig)
{
	(void)sig;
	run_stop = 1;
}

void run_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/* a file size limit (ulimit -f) is a write error (EFBIG) like a full disk, not death */
	sigaction(SIGXFSZ, &sa, NULL);
}

struct btf *run_load_btf(const char *path)
{
	const char *p = path ? path : "/sys/kernel/btf/vmlinux";
	struct btf *btf;

	if (access(p, R_OK) != 0) {
		int err = errno;

		pr_err("kernel BTF not readable at %s (%s); bpfcap needs a kernel built with "
		       "CONFIG_DEBUG_INFO_BTF=y",
		       p, strerror(err));
		errno = err;
		return NULL;
	}
	btf = btf__parse(p, NULL);
	if (!btf) {
		int err = errno;
		char msg[128];

		/* libbpf's own codes (4001 and up) are not errno values: libbpf_strerror */
		libbpf_strerror(-err, msg, sizeof(msg));
		pr_err("cannot read kernel BTF from %s: %s; it must be the running kernel's BTF "
		       "(/sys/kernel/btf/vmlinux, or an ELF file with a .BTF section)",
		       p, msg);
		errno = err;
	}
	return btf;
}

/* --reason NAME[,NAME...] -> the in-kernel reason filter. Names (or numbers) from this kernel's
 * BTF. 0, or -1 with a reason in err. */
static int reason_filter(struct reasons *r, const char *list, struct capture_opts *co, char *err,
			 size_t errlen)
{
	char buf[sizeof(((struct cli *)0)->reasons)];
	char *save = NULL, *tok;
	int nsub = 0;

	snprintf(buf, sizeof(buf), "%s", list);
	co->filter_reason = true;
	for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		int64_t v = reasons__value(r, tok);

		if (v < 0) {
			char *end;
			unsigned long long n = strtoull(tok, &end, 0);

			if (*end || end == tok || n > UINT32_MAX) {
				snprintf(err, errlen,
					 "unknown drop reason '%s'; this kernel's names are listed "
					 "by "
					 "'bpfcap list-reasons'",
					 tok);
				return -1;
			}
			v = (int64_t)n;
		}
		if (v < BPFCAP_REASON_BITS) {
			co->reason_bits[v / 64] |= 1ull << (v % 64);
		} else if (nsub < BPFCAP_REASON_SUB_MAX) {
			co->reason_sub[nsub++] = (uint32_t)v;
		} else {
			snprintf(err, errlen, "at most %d subsystem drop reasons can be selected",
				 BPFCAP_REASON_SUB_MAX);
			return -1;
		}
	}
	return 0;
}

static void drop_capabilities(bool keep_net_admin)
{
	capng_get_caps_process();
	capng_clear(CAPNG_SELECT_CAPS);
	/* tc filters attached without a link (clsact, kernels before 6.6) can only be removed
	 * with CAP_NET_ADMIN */
	if (keep_net_admin)
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_ADMIN);
	if (capng_apply(CAPNG_SELECT_CAPS))
		pr_warn("could not drop capabilities after attaching");
}

static uint64_t lost_of(const struct bpfcap_counters *c, uint64_t recursion)
{
	return c->lost_ring + c->lost_perf + c->lost_nested + recursion;
}

static void refresh_lost(struct capture *cap, struct sink *sink, int n)
{
	struct bpfcap_counters c;
	uint64_t rec;
	int i;

	for (i = 0; i < n; i++)
		if (!capture__counters(cap, i, &c, &rec))
			sink__set_lost(sink, i, lost_of(&c, rec));
}

/* One line for the extcap toolbar: totals, then captured/lost per probe. */
static void progress(const struct run_opts *o, struct capture *cap, struct sink *sink,
		     const struct probe_info *pi, int n)
{
	struct bpfcap_counters c;
	char line[1024];
	uint64_t rec, lost = 0;
	size_t off;
	int i;

	for (i = 0; i < n; i++)
		if (!capture__counters(cap, i, &c, &rec))
			lost += lost_of(&c, rec);
	off = (size_t)snprintf(line, sizeof(line), "bpfcap: %" PRIu64 " captured, %" PRIu64 " lost",
			       sink__packets(sink), lost);
	for (i = 0; i < n && off < sizeof(line); i++) {
		const struct sink_probe_stats *st = sink__stats(sink, i);

		if (capture__counters(cap, i, &c, &rec))
			continue;
		off += (size_t)snprintf(line + off, sizeof(line) - off,
					"%s %s %" PRIu64 "/%" PRIu64, i ? "," : " |",
					pi[i].spec.name, st->written, lost_of(&c, rec));
	}
	o->progress(o->progress_ctx, line);
}

static void summary(FILE *f, struct capture *cap, struct sink *sink, const struct cli *cli,
		    const struct probe_info *pi, double secs)
{
	uint64_t tot_lost = 0, tot_filt = 0, tot_notip = 0;
	struct bpfcap_counters c[BPFCAP_MAX_PROBES];
	uint64_t rec[BPFCAP_MAX_PROBES];
	int i;

	for (i = 0; i < cli->nprobes; i++) {
		capture__counters(cap, i, &c[i], &rec[i]);
		tot_lost += lost_of(&c[i], rec[i]);
		tot_filt += c[i].filtered;
		tot_notip += sink__stats(sink, i)->not_ip;
	}
	fprintf(f, "%" PRIu64 " packet%s captured\n", sink__packets(sink),
		sink__packets(sink) == 1 ? "" : "s");
	fprintf(f, "%" PRIu64 " packet%s lost in the kernel\n", tot_lost, tot_lost == 1 ? "" : "s");
	fprintf(f, "%" PRIu64 " packet%s filtered out\n", tot_filt, tot_filt == 1 ? "" : "s");
	if (tot_notip)
		fprintf(f, "%" PRIu64 " packet%s skipped: no IP header (--proto ip)\n", tot_notip,
			tot_notip == 1 ? "" : "s");
	for (i = 0; i < cli->nprobes; i++)
		if (c[i].invalid)
			fprintf(f,
				"%" PRIu64 " skb%s at %s skipped: not a consistent packet there\n",
				(uint64_t)c[i].invalid, c[i].invalid == 1 ? "" : "s",
				pi[i].spec.text);
	if (cli->nprobes > 1 || cli->verbose || tot_lost) {
		for (i = 0; i < cli->nprobes; i++)
			fprintf(f,
				"  %s (%s): seen %" PRIu64 ", captured %" PRIu64 ", lost %" PRIu64
				" (ring full %" PRIu64 ", perf full %" PRIu64 ", nested %" PRIu64
				", recursion %" PRIu64 "), truncated %" PRIu64 "\n",
				pi[i].spec.text, capture__mechanism(cap, i), (uint64_t)c[i].seen,
				(uint64_t)c[i].captured, lost_of(&c[i], rec[i]),
				(uint64_t)c[i].lost_ring, (uint64_t)c[i].lost_perf,
				(uint64_t)c[i].lost_nested, rec[i], (uint64_t)c[i].truncated);
		if (cli->verbose)
			fprintf(f, "  %.2f s, %u interfaces\n", secs, sink__interfaces(sink));
	}
}

#define STOP_WRITE_TIMEOUT_MS 2000

/* One line for a failed write of the output: where to, and why. */
static void write_failed(const struct run_opts *o, int err, const char *what)
{
	const char *to = o->cli->write && strcmp(o->cli->write, "-") ? o->cli->write : NULL;

	if (err == -ETIMEDOUT)
		pr_err("the reader of the capture stopped reading; gave up writing %s after %d s",
		       what, STOP_WRITE_TIMEOUT_MS / 1000);
	else
		log_errno(err, "write %s%s%s%s", what, to ? " to '" : "", to ? to : "",
			  to ? "'" : "");
}

/* The file header. 0, or -1 with *ret set (a reader that is already gone is a normal end). */
static int write_header(const struct run_opts *o, struct sink *sink, int *ret)
{
	int err = sink__start(sink);

	if (!err)
		err = sink__flush(sink);
	if (!err)
		return 0;
	if (err != -EPIPE)
		write_failed(o, err, "the capture header");
	*ret = err == -EPIPE ? 0 : 1;
	return -1;
}

/* sink_stack_fn: a stack of --stack from the capture's stack map */
static int stack_lookup(void *ctx, uint32_t id, uint64_t *ips, unsigned max)
{
	int fd = capture__stack_fd(ctx);

	if (fd < 0 || max < BPFCAP_STACK_DEPTH)
		return -EINVAL;
	memset(ips, 0, sizeof(*ips) * BPFCAP_STACK_DEPTH);
	if (bpf_map_lookup_elem(fd, &id, ips))
		return -errno;
	return BPFCAP_STACK_DEPTH;
}

int run_capture(const struct run_opts *o)
{
	const struct cli *cli = o->cli;
	struct probe_info pi[BPFCAP_MAX_PROBES];
	struct capture_opts co = { 0 };
	struct sink_opts so = { 0 };
	struct capture *cap = NULL;
	struct sink *sink = NULL;
	struct reasons *reasons = NULL;
	struct ksyms *ksyms = NULL;
	struct filter filter = { 0 };
	struct btf *btf;
	struct utsname u;
	char os[256] = "", hw[128] = "", why_buf[512];
	uint64_t start_ns, start_mono, deadline = 0, last_ctr = 0, last_flush = 0, last_clock,
				       last_progress = 0, now_prev = 0;
	int i, n, npi = 0, ret = 1, err = 0;

	btf = run_load_btf(cli->btf_path);
	if (!btf)
		return 1;
	for (i = 0; i < cli->nprobes; i++) {
		char why[512];

		npi = i + 1; /* probe_resolve() clears what it fills: freeing it is always safe */
		if (probe_resolve(btf, &cli->probes[i], &pi[i], why, sizeof(why))) {
			pr_err("%s", why);
			ret = 2; /* the user asked for something this kernel does not have */
			goto out;
		}
	}
	if (cli->netns &&
	    ifnames_netns_arg(cli->netns, &co.filter_netns, why_buf, sizeof(why_buf))) {
		pr_err("%s", why_buf);
		ret = 2;
		goto out;
	}
	if (cli->device && ifnames_device_arg(cli->device, co.filter_netns, &co.filter_ifindex,
					      why_buf, sizeof(why_buf))) {
		pr_err("%s", why_buf);
		ret = 2;
		goto out;
	}
	if (cli->filter[0]) {
		size_t slots = capture_filter_slots();

		if (!slots) {
			pr_err("this build of bpfcap has no filter stubs");
			goto out;
		}
		if (filter_compile(cli->filter, slots, &filter, why_buf, sizeof(why_buf))) {
			pr_err("invalid capture filter '%s': %s", cli->filter, why_buf);
			ret = 2;
			goto out;
		}
		co.filter = &filter;
		pr_info("capture filter '%s': %zu classic instructions for Ethernet, %zu for raw "
			"IP; "
			"reads the first %u bytes",
			cli->filter, filter.cbpf_l2, filter.cbpf_l3, filter.window);
	}
	co.own_netns = ifnames_own_netns();
	co.filter_mark = cli->mark_set;
	co.mark_value = cli->mark_value;
	co.mark_mask = cli->mark_mask;
	co.filter_pid = cli->pid;
	reasons = reasons__new(btf);
	if (cli->reasons[0] &&
	    reason_filter(reasons, cli->reasons, &co, why_buf, sizeof(why_buf))) {
		pr_err("%s", why_buf);
		ret = 2;
		goto out;
	}
	ksyms = ksyms__load(NULL);

	if (uname(&u) == 0) {
		snprintf(os, sizeof(os), "%s %s", u.sysname, u.release);
		snprintf(hw, sizeof(hw), "%s", u.machine);
	}
	so.proto = cli->proto;
	so.format = cli->format;
	so.snaplen = cli->snaplen;
	so.filter = cli->filter;
	so.out_fd = o->out_fd;
	so.text = o->text;
	so.verbose = cli->verbose;
	so.probes = pi;
	so.nprobes = cli->nprobes;
	so.reasons = reasons;
	so.ksyms = ksyms;
	so.max_packets = cli->count;
	so.os = os;
	so.hardware = hw;
	so.stop = &run_stop;
	so.stop_timeout_ms = STOP_WRITE_TIMEOUT_MS;
	sink = sink__new(&so);
	if (!sink) {
		log_errno(-errno, "set up the output");
		goto out;
	}
	sink__set_clock(sink, clock_boot_offset());
	/* Wireshark's FIFO gets the header at once: its reader (dumpcap) waits for it */
	if (o->header_early && !o->out_truncate && write_header(o, sink, &ret))
		goto out;

	co.probes = pi;
	co.nprobes = cli->nprobes;
	co.snaplen = cli->snaplen;
	co.ring_size = cli->ring_size;
	/* a lone packet wakes the reader at once (it says it sleeps); a busy reader that polls
	 * every millisecond is not woken unless it has not looked for 3 ms */
	co.wakeup_idle_ns = 3000000;
	co.wakeup_bytes = cli->ring_size / 8; /* under load: batch up to 1/8 of the ring */
	co.no_skb_output = cli->no_skb_output;
	co.stack = cli->stack;
	co.btf_path = cli->btf_path;
	cap = capture__open(&co, sink__event, sink);
	if (!cap)
		goto out;
	if (cli->stack) {
		for (i = 0; i < cli->nprobes; i++) {
			enum probe_kind k = pi[i].spec.kind;

			if (k == PROBE_XDP || k == PROBE_TC || k == PROBE_PROG || k == PROBE_MAP)
				pr_warn("--stack: %s is a device hook or a user's program; its "
					"packets carry no kernel stack",
					pi[i].spec.text);
		}
		if (!ksyms)
			pr_warn("--stack: kernel symbols are not readable here; frames will show "
				"as "
				"'?' (needs CAP_SYSLOG, or CAP_BPF and CAP_PERFMON on kernel "
				"6.0+)");
		sink__set_stacks(sink, stack_lookup, cap);
	}
	for (i = 0; i < cli->nprobes; i++) {
		sink__set_probe_type(sink, i, capture__probe_type(cap, i));
		pr_info("probe %s attached through %s", pi[i].spec.text,
			capture__mechanism(cap, i));
	}
	if (o->drop_caps)
		drop_capabilities(capture__needs_net_admin(cap));
	if (o->out_truncate) {
		/* every probe is attached: now the file given with -w is replaced */
		if (ftruncate(o->out_fd, 0) < 0 || lseek(o->out_fd, 0, SEEK_SET) < 0) {
			write_failed(o, -errno, "the capture");
			goto out;
		}
		if (write_header(o, sink, &ret))
			goto out;
	} else if (!o->header_early && write_header(o, sink, &ret)) {
		goto out; /* pipes and stdout: the header once the probes are attached */
	}

	start_ns = clock_now_ns(CLOCK_REALTIME);
	start_mono = clock_now_ns(CLOCK_MONOTONIC);
	last_clock = start_mono;
	if (cli->duration > 0)
		deadline = start_mono + (uint64_t)(cli->duration * 1e9);

	while (!run_stop) {
		uint64_t now;
		int timeout = 10;

		if (now_prev - last_ctr >= 10000000ull) {
			/* lost counts first, so the next packet written carries them */
			refresh_lost(cap, sink, cli->nprobes);
			last_ctr = now_prev;
		}
		n = capture__poll(cap, timeout);
		if (n == SINK_DONE)
			break;
		if (n == -EPIPE)
			break; /* the reader went away: a normal end */
		if (n < 0 && n != -EINTR) {
			if (sink__write_error(sink)) /* from writing a record out */
				write_failed(o, sink__write_error(sink), "the capture");
			else
				log_errno(n, "read captured packets");
			goto out;
		}
		now = clock_now_ns(CLOCK_MONOTONIC);
		now_prev = now;
		/* caught up (or 100 ms passed): write what is buffered, for live viewers */
		if (sink__pending(sink) && (n < 64 || now - last_flush > 100000000ull)) {
			err = sink__flush(sink);
			if (err == -EPIPE)
				break;
			if (err) {
				write_failed(o, err, "the capture");
				goto out;
			}
			last_flush = now;
		}
		if (now - last_clock > 10000000000ull) {
			sink__set_clock(sink, clock_boot_offset());
			last_clock = now;
		}
		if (o->progress && now - last_progress >= 1000000000ull) {
			progress(o, cap, sink, pi, cli->nprobes);
			last_progress = now;
		}
		if (deadline && now >= deadline)
			break;
	}

	/* Stop: detach first so nothing new arrives, then drain what is in flight. */
	capture__detach(cap);
	for (i = 0; i < 1000000; i++) { /* a poll delivers at most a budget of records */
		n = capture__poll(cap, 0);
		if (n <= 0)
			break;
	}
	refresh_lost(cap, sink, cli->nprobes);
	err = sink__finish(sink, start_ns, clock_now_ns(CLOCK_REALTIME));
	if (err && err != -EPIPE) {
		write_failed(o, err, "the end of the capture");
		goto out;
	}
	if (o->text)
		fflush(o->text);
	if (o->summary)
		summary(o->summary, cap, sink, cli, pi,
			(double)(clock_now_ns(CLOCK_MONOTONIC) - start_mono) / 1e9);
	if (sink__stacks_missing(sink))
		pr_warn("%" PRIu64 " packets without a kernel stack (the stack map was full or its "
			"slot held another stack)",
			sink__stacks_missing(sink));
	if (capture__malformed(cap))
		pr_warn("%" PRIu64 " malformed records from the kernel were skipped",
			capture__malformed(cap));
	ret = 0;
out:
	for (i = 0; i < npi; i++)
		probe_info_free(&pi[i]);
	capture__close(cap);
	sink__free(sink);
	ksyms__free(ksyms);
	reasons__free(reasons);
	btf__free(btf);
	filter_free(&filter);
	return ret;
}
