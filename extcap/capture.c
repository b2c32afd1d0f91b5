// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture.h"
#include "capture.skel.h"
#include "filter.h"
#include "log.h"

struct capture {
	struct capture_bpf *skel[BPFCAP_MAX_PROBES];
	struct bpf_program *prog[BPFCAP_MAX_PROBES];
	struct bpf_link *link[BPFCAP_MAX_PROBES];
	const char *mech[BPFCAP_MAX_PROBES];
	int nprobes;
	int ncpus;
	struct ring_buffer *rb;
	struct perf_buffer *pb;
	int epfd;
	capture_event_fn fn;
	void *ctx;
	uint64_t perf_lost;
	uint64_t malformed;
	uint64_t delivered;
	int pending_err;
	void *elf; /* private copy of the BPF object with the filter patched in */
	size_t elf_sz;
};

static int deliver(struct capture *c, const void *data, size_t size)
{
	struct bpfcap_event ev;

	if (size < sizeof(ev)) {
		c->malformed++;
		return 0;
	}
	memcpy(&ev, data, sizeof(ev));
	if (ev.cap_len > size - sizeof(ev) || ev.probe_id >= (uint32_t)c->nprobes) {
		c->malformed++;
		return 0;
	}
	c->delivered++;
	return c->fn(c->ctx, &ev, (const uint8_t *)data + sizeof(ev));
}

static int on_ring(void *ctx, void *data, size_t size)
{
	return deliver(ctx, data, size);
}

static void on_sample(void *ctx, int cpu, void *data, __u32 size)
{
	struct capture *c = ctx;
	int err;

	(void)cpu;
	err = deliver(c, data, size);
	if (err && !c->pending_err)
		c->pending_err = err; /* perf callbacks cannot stop consumption: report it later */
}

static void on_lost(void *ctx, int cpu, __u64 cnt)
{
	struct capture *c = ctx;

	(void)cpu;
	c->perf_lost += cnt;
}

static void reuse(struct bpf_map *map, struct bpf_map *from)
{
	bpf_map__reuse_fd(map, bpf_map__fd(from));
}

static const char *load_hint(int err)
{
	if (err == -EACCES)
		return "; the kernel's verifier rejected it (details with -v -v)";
	if (err == -EPERM)
		return "; bpfcap needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN: run it as root, or "
		       "install it with 'cmake --install' and be a member of group 'wireshark'";
	if (err == -E2BIG || err == -ENOMEM)
		return "; try a smaller --ring-size";
	return "; details with -v -v (or --log-level=debug)";
}

size_t capture_filter_slots(void)
{
	size_t sz, n;
	const void *bytes = capture_bpf__elf_bytes(&sz);
	void *copy = malloc(sz);

	if (!copy)
		return 0;
	memcpy(copy, bytes, sz);
	n = filter_stub_slots(copy, sz);
	free(copy);
	return n;
}

/* capture_bpf__open_opts(), from our patched copy of the object when there is a filter */
static struct capture_bpf *open_skel(struct capture *c, const struct bpf_object_open_opts *oo)
{
	struct capture_bpf *s;
	int err;

	if (!c->elf)
		return capture_bpf__open_opts(oo);
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	err = capture_bpf__create_skeleton(s);
	if (!err) {
		s->skeleton->data = c->elf;
		s->skeleton->data_sz = c->elf_sz;
		err = bpf_object__open_skeleton(s->skeleton, oo);
	}
	if (err) {
		capture_bpf__destroy(s);
		errno = -err;
		return NULL;
	}
	return s;
}

static int open_one(struct capture *c, const struct capture_opts *o, int i, bool raw)
{
	const struct probe_info *pi = &o->probes[i];
	struct bpf_object_open_opts oo = { .sz = sizeof(oo), .btf_custom_path = o->btf_path };
	const char *want = raw ? pi->prog_raw : pi->prog_tp;
	struct capture_bpf *s;
	struct bpf_program *p, *sel = NULL;
	int err;

	s = open_skel(c, &oo);
	if (!s)
		return -errno;
	bpf_object__for_each_program(p, s->obj)
	{
		bool me = !strcmp(bpf_program__name(p), want);

		bpf_program__set_autoload(p, me);
		if (me)
			sel = p;
	}
	if (!sel) {
		capture_bpf__destroy(s);
		return -ENOENT;
	}
	s->rodata->probe_id = (__u32)i;
	s->rodata->snaplen = o->snaplen;
	s->rodata->use_skb_output = !o->no_skb_output;
	s->rodata->wakeup_idle_ns = o->wakeup_idle_ns;
	s->rodata->wakeup_bytes = o->wakeup_bytes;
	s->rodata->filter_netns = o->filter_netns;
	s->rodata->filter_ifindex = o->filter_ifindex;
	if (o->filter) {
		s->rodata->use_filter = 1;
		s->rodata->filter_window = o->filter->window ? o->filter->window : 1;
	}
	s->rodata->filter_reason = o->filter_reason;
	s->rodata->filter_mark_on = o->filter_mark;
	s->rodata->filter_mark_value = o->mark_value;
	s->rodata->filter_mark_mask = o->mark_mask;
	s->rodata->filter_pid = o->filter_pid;
	memcpy((void *)s->rodata->reason_bits, o->reason_bits, sizeof(o->reason_bits));
	memcpy((void *)s->rodata->reason_sub, o->reason_sub, sizeof(o->reason_sub));
	if (!raw) {
		err = bpf_program__set_attach_target(sel, 0, pi->spec.name);
		if (err)
			goto fail;
	}
	if (i == 0) {
		err = bpf_map__set_max_entries(s->maps.events, (__u32)o->ring_size);
		if (err)
			goto fail;
	} else {
		struct capture_bpf *f = c->skel[0];

		reuse(s->maps.events, f->maps.events);
		reuse(s->maps.skbout, f->maps.skbout);
		reuse(s->maps.counters, f->maps.counters);
		reuse(s->maps.wakeup, f->maps.wakeup);
		reuse(s->maps.metabuf, f->maps.metabuf);
		reuse(s->maps.nesting, f->maps.nesting);
		reuse(s->maps.fwin, f->maps.fwin);
	}
	err = capture_bpf__load(s);
	if (err)
		goto fail;
	if (raw)
		c->link[i] = bpf_program__attach_raw_tracepoint(sel, pi->spec.name);
	else
		c->link[i] = bpf_program__attach(sel);
	if (!c->link[i]) {
		err = -errno;
		goto fail;
	}
	c->skel[i] = s;
	c->prog[i] = sel;
	c->mech[i] = raw ? "raw_tp" : "tp_btf";
	return 0;
fail:
	capture_bpf__destroy(s);
	return err;
}

struct capture *capture__open(const struct capture_opts *o, capture_event_fn fn, void *ctx)
{
	struct capture *c;
	struct epoll_event ee = { .events = EPOLLIN };
	int i, err;

	if (o->nprobes < 1 || o->nprobes > BPFCAP_MAX_PROBES) {
		pr_err("between 1 and %d probes can be used at once", BPFCAP_MAX_PROBES);
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fn = fn;
	c->ctx = ctx;
	c->epfd = -1;
	if (o->filter) {
		size_t sz;
		const void *bytes = capture_bpf__elf_bytes(&sz);
		char why[256];

		c->elf = malloc(sz);
		if (!c->elf) {
			err = -ENOMEM;
			log_errno(err, "copy the BPF object");
			goto fail;
		}
		memcpy(c->elf, bytes, sz);
		c->elf_sz = sz;
		if (filter_patch_elf(c->elf, sz, o->filter, why, sizeof(why))) {
			pr_err("%s", why);
			goto fail;
		}
	}
	c->ncpus = libbpf_num_possible_cpus();
	if (c->ncpus <= 0) {
		err = c->ncpus ? c->ncpus : -EINVAL;
		log_errno(err, "count possible CPUs");
		goto fail;
	}
	for (i = 0; i < o->nprobes; i++) {
		const struct probe_info *pi = &o->probes[i];
		bool force_raw = pi->spec.kind == PROBE_RAW_TP;

		c->nprobes = i + 1; /* delivered records may name probes up to i */
		err = force_raw ? -EOPNOTSUPP : open_one(c, o, i, false);
		if (err && err != -EPERM && err != -EACCES) {
			int err2;

			if (!force_raw)
				pr_info("tp_btf for %s failed (%s); trying raw_tp", pi->spec.text,
					strerror(-err));
			err2 = open_one(c, o, i, true);
			if (!err2)
				pr_info("%s: attached through raw_tp", pi->spec.text);
			if (!err2 || force_raw)
				err = err2;
		}
		if (err) {
			log_errno(err, "load and attach the BPF program for probe %s%s",
				  pi->spec.text, load_hint(err));
			goto fail;
		}
	}
	c->nprobes = o->nprobes;

	c->rb = ring_buffer__new(bpf_map__fd(c->skel[0]->maps.events), on_ring, c, NULL);
	if (!c->rb) {
		log_errno(-errno, "create the ring buffer reader");
		goto fail;
	}
	{
		/* bpf_skb_output records are up to 64 KiB each: give every CPU half the ring
		 * size spread over the CPUs (at least 1 MiB), in pages, a power of two */
		size_t pages = 256, want = o->ring_size / 2 / (size_t)c->ncpus / 4096;

		while (pages < want && pages < 65536)
			pages *= 2;
		c->pb = perf_buffer__new(bpf_map__fd(c->skel[0]->maps.skbout), pages, on_sample,
					 on_lost, c, NULL);
	}
	if (!c->pb) {
		log_errno(-errno, "create the perf buffer reader");
		goto fail;
	}
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->epfd < 0) {
		log_errno(-errno, "create epoll instance");
		goto fail;
	}
	ee.data.u32 = 0;
	if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, ring_buffer__epoll_fd(c->rb), &ee) < 0) {
		log_errno(-errno, "watch the ring buffer");
		goto fail;
	}
	ee.data.u32 = 1;
	if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, perf_buffer__epoll_fd(c->pb), &ee) < 0) {
		log_errno(-errno, "watch the perf buffer");
		goto fail;
	}
	return c;
fail:
	capture__close(c);
	errno = EINVAL;
	return NULL;
}

int capture__poll(struct capture *c, int timeout_ms)
{
	struct epoll_event ev[2];
	uint64_t before = c->delivered;
	int n, err;

	n = epoll_wait(c->epfd, ev, 2, timeout_ms);
	if (n < 0 && errno != EINTR)
		return -errno;
	/* Always drain both: records submitted without a wakeup are collected here (drain timer). */
	err = ring_buffer__consume(c->rb);
	if (err < 0)
		return err;
	err = perf_buffer__consume(c->pb);
	if (err < 0)
		return err;
	if (c->pending_err) {
		err = c->pending_err;
		c->pending_err = 0;
		return err;
	}
	return (int)(c->delivered - before);
}

int capture__counters(struct capture *c, int probe, struct bpfcap_counters *out,
		      uint64_t *recursion_misses)
{
	struct bpfcap_counters *v;
	__u32 key = (__u32)probe;
	int i, err;

	memset(out, 0, sizeof(*out));
	if (recursion_misses)
		*recursion_misses = 0;
	if (probe < 0 || probe >= c->nprobes || !c->skel[0])
		return -EINVAL;
	v = calloc((size_t)c->ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	err = bpf_map_lookup_elem(bpf_map__fd(c->skel[0]->maps.counters), &key, v);
	if (err) {
		err = -errno;
		free(v);
		return err;
	}
	for (i = 0; i < c->ncpus; i++) {
		out->seen += v[i].seen;
		out->captured += v[i].captured;
		out->lost_ring += v[i].lost_ring;
		out->lost_perf += v[i].lost_perf;
		out->lost_nested += v[i].lost_nested;
		out->filtered += v[i].filtered;
		out->truncated += v[i].truncated;
	}
	free(v);
	if (recursion_misses && c->prog[probe]) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(bpf_program__fd(c->prog[probe]), &info, &len))
			*recursion_misses = info.recursion_misses;
	}
	return 0;
}

const char *capture__mechanism(const struct capture *c, int probe)
{
	return probe >= 0 && probe < c->nprobes && c->mech[probe] ? c->mech[probe] : "none";
}

uint64_t capture__perf_lost(const struct capture *c)
{
	return c->perf_lost;
}

uint64_t capture__malformed(const struct capture *c)
{
	return c->malformed;
}

void capture__detach(struct capture *c)
{
	int i;

	for (i = 0; i < BPFCAP_MAX_PROBES; i++) {
		bpf_link__destroy(c->link[i]);
		c->link[i] = NULL;
	}
}

void capture__close(struct capture *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < BPFCAP_MAX_PROBES; i++)
		bpf_link__destroy(c->link[i]);
	ring_buffer__free(c->rb);
	perf_buffer__free(c->pb);
	if (c->epfd >= 0)
		close(c->epfd);
	for (i = 0; i < BPFCAP_MAX_PROBES; i++)
		capture_bpf__destroy(c->skel[i]);
	free(c->elf);
	free(c);
}
