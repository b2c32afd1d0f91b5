// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "capture.h"
#include "clock.h"
#include <linux/if_link.h>
#include <linux/magic.h>

#include <cap-ng.h>

#include "bpfcap/meta.h"
#include "capture.skel.h"
#include "filter.h"
#include "log.h"
#include "tcguard.h"

struct capture {
	struct capture_bpf *skel[BPFCAP_MAX_PROBES];
	struct bpf_program *prog[BPFCAP_MAX_PROBES];
	struct bpf_link *link[BPFCAP_MAX_PROBES];
	const char *mech[BPFCAP_MAX_PROBES];
	uint8_t ptype[BPFCAP_MAX_PROBES]; /* BPFCAP_PROBE_*: how the probe is attached */
	int nprobes;
	int ncpus;
	struct ring_buffer *rb;
	struct perf_buffer *pb;
	int epfd;
	capture_event_fn fn;
	void *ctx;
	uint64_t malformed;
	uint64_t delivered;
	int pending_err;
	void *elf; /* private copy of the BPF object with the filter patched in */
	size_t elf_sz;
	/* records delivered from the ring in this drain, and whether the budget ended it */
	unsigned round;
	bool budget_hit;
	int primary; /* first probe with a BPF object instance: owns the shared maps */
	bool stack;  /* --stack: stacks in the primary's stack map */
	/* device hooks */
	int link_fd[BPFCAP_MAX_PROBES]; /* tcx links (libbpf 1.1 has no tcx API) */
	struct bpf_tc_hook tc_hook[BPFCAP_MAX_PROBES];
	struct bpf_tc_opts tc_opts[BPFCAP_MAX_PROBES];
	bool tc_attached[BPFCAP_MAX_PROBES], tc_hook_created[BPFCAP_MAX_PROBES];
	/* removes the clsact filters and qdiscs when bpfcap ends, however it ends (tcguard.h) */
	struct tcguard *guard;
	bool guard_ok; /* every filter and qdisc reached the guard */
	/* users' programs: their bpfcap_events perf map */
	struct perf_buffer *upb[BPFCAP_MAX_PROBES];
	struct usrc {
		struct capture *c;
		int probe;
	} usrc[BPFCAP_MAX_PROBES];
	uint64_t user_seen[BPFCAP_MAX_PROBES], user_lost[BPFCAP_MAX_PROBES];
	/* kept open: the kernel removes perf event array entries when the map file that
	 * installed them is closed */
	int ufd[BPFCAP_MAX_PROBES];
	/* the wakeup map, mapped: the reader's heartbeat (see capture__poll) */
	volatile struct bpfcap_wakeup *wake;
	size_t wake_len;
	bool busy; /* the last poll delivered records: poll again soon rather than be woken */
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

/* Records one drain delivers from the ring at most. libbpf consumes until the ring is empty,
 * which under sustained load (a reader slower than the traffic, such as dumpcap on the extcap's
 * FIFO) is never: the run loop would not get to report the kernel's loss counts (epb_dropcount,
 * the toolbar) until the end, and a reader that stops first would never see them. */
#define RING_BUDGET 1024

static int on_ring(void *ctx, void *data, size_t size)
{
	struct capture *c = ctx;
	int err = deliver(c, data, size);

	if (err)
		return err;
	if (++c->round >= RING_BUDGET) {
		c->budget_hit = true;
		return -EAGAIN; /* this record is consumed; libbpf stops here */
	}
	return 0;
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

/* A sample the kernel could not write: bpf_skb_output() failed for it, and the program counted
 * that (lost_perf) already. */
static void on_lost(void *ctx, int cpu, __u64 cnt)
{
	(void)ctx;
	(void)cpu;
	(void)cnt;
}

static void reuse(struct bpf_map *map, struct bpf_map *from)
{
	bpf_map__reuse_fd(map, bpf_map__fd(from));
}

/* "RLIMIT_MEMLOCK 8192 KiB, perf_event_mlock_kb 516" for messages (static buffer) */
static const char *memlock_text(void)
{
	static char buf[128];
	struct rlimit rl;
	long kb = -1;
	FILE *f = fopen("/proc/sys/kernel/perf_event_mlock_kb", "re");

	if (f) {
		if (fscanf(f, "%ld", &kb) != 1)
			kb = -1;
		fclose(f);
	}
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		snprintf(buf, sizeof(buf), "RLIMIT_MEMLOCK %llu KiB, perf_event_mlock_kb %ld",
			 (unsigned long long)rl.rlim_cur / 1024, kb);
	else
		snprintf(buf, sizeof(buf), "RLIMIT_MEMLOCK unlimited, perf_event_mlock_kb %ld", kb);
	return buf;
}

static const char *load_hint(int err)
{
	if (err == -EACCES)
		return "; the kernel's verifier rejected it (details with -v -v)";
	if (err == -EPERM)
		return "; bpfcap needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN: run it as root, or "
		       "as a "
		       "member of group 'wireshark' run the extcap copy, which has them (installed "
		       "by "
		       "the package or 'cmake --install'; 'tshark -G folders' shows where)";
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

static void prog_name(uint32_t id, char *buf, size_t len)
{
	struct bpf_prog_info info;
	__u32 il = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	snprintf(buf, len, "id %u", id);
	if (fd < 0)
		return;
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(fd, &info, &il) && info.name[0])
		snprintf(buf, len, "'%s' (id %u)", info.name, id);
	close(fd);
}

/* bpfcap never replaces another XDP program: it says whose it is. */
static int xdp_check_free(const struct probe_info *pi)
{
	struct bpf_xdp_query_opts q = { .sz = sizeof(q) };
	char name[64];
	__u32 id;

	if (bpf_xdp_query((int)pi->ifindex, 0, &q))
		return 0; /* cannot tell: the attach will say */
	id = q.prog_id ? q.prog_id : q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id;
	if (!id)
		return 0;
	prog_name(id, name, sizeof(name));
	pr_err("device %s already runs XDP program %s; bpfcap does not replace it: capture at "
	       "tc:%s:ingress, or with -p prog:%u if that program uses bpfcap_output.h",
	       pi->spec.dev, name, pi->spec.dev, id);
	return -EBUSY;
}

static int attach_xdp(struct capture *c, int i, struct bpf_program *p, const struct probe_info *pi)
{
	struct bpf_xdp_query_opts q = { .sz = sizeof(q) };

	/* a link: native mode where the driver has it, generic otherwise; gone with us */
	c->link[i] = bpf_program__attach_xdp(p, (int)pi->ifindex);
	if (!c->link[i])
		return -errno;
	c->mech[i] = "xdp";
	c->ptype[i] = BPFCAP_PROBE_XDP;
	if (!bpf_xdp_query((int)pi->ifindex, 0, &q))
		c->mech[i] = q.attach_mode == XDP_ATTACHED_DRV	 ? "xdp (native)"
			     : q.attach_mode == XDP_ATTACHED_SKB ? "xdp (generic)"
								 : "xdp";
	return 0;
}

#define ENOTSUPP_	 524 /* the kernel's ENOTSUPP, which libbpf passes through */
#define BPF_TCX_INGRESS_ 46  /* kernel 6.6+, not in Debian 12's headers */
#define BPF_TCX_EGRESS_	 47

/* Tells the guard about a filter or qdisc; a guard that cannot be told is no guard: bpfcap then
 * keeps CAP_NET_ADMIN and removes its filters itself (which a SIGKILL prevents). */
static void guard_add(struct capture *c, const struct tcguard_filter *f)
{
	if (!c->guard_ok || tcguard_add(c->guard, f) == 0)
		return;
	c->guard_ok = false;
	pr_warn("the guard of bpfcap's tc filters is gone: bpfcap removes its filters itself, "
		"but not if it is killed");
}

static int attach_tc(struct capture *c, int i, struct bpf_program *p, const struct probe_info *pi)
{
	int fd = bpf_program__fd(p), err;

	/* tcx: a link, so nothing outlives bpfcap, not even after SIGKILL */
	if (!getenv("BPFCAP_FORCE_CLSACT")) {
		c->link_fd[i] =
			bpf_link_create(fd, (int)pi->ifindex,
					pi->spec.egress ? BPF_TCX_EGRESS_ : BPF_TCX_INGRESS_, NULL);
		if (c->link_fd[i] >= 0) {
			c->mech[i] = "tcx";
			c->ptype[i] = BPFCAP_PROBE_TC;
			return 0;
		}
		pr_info("tcx link on %s refused (%s); falling back to clsact", pi->spec.dev,
			strerror(errno));
	}
	/* clsact + cls_bpf (kernels before 6.6): remove exactly what was added, and the qdisc
	 * only if bpfcap created it and nobody else's filter is on it. Nothing ties such a filter
	 * to bpfcap: a guard process removes it when bpfcap ends, also on SIGKILL. */
	if (!c->guard) {
		c->guard = tcguard_start();
		c->guard_ok = c->guard != NULL;
		if (!c->guard)
			pr_warn("cannot start the guard of bpfcap's tc filters (%s): if bpfcap is "
				"killed, its filter on %s stays",
				strerror(errno), pi->spec.dev);
	}
	c->tc_hook[i] = (struct bpf_tc_hook){ .sz = sizeof(struct bpf_tc_hook),
					      .ifindex = (int)pi->ifindex,
					      .attach_point = pi->spec.egress ? BPF_TC_EGRESS
									      : BPF_TC_INGRESS };
	err = bpf_tc_hook_create(&c->tc_hook[i]);
	if (err && err != -EEXIST)
		return err;
	c->tc_hook_created[i] = !err;
	if (c->guard && c->tc_hook_created[i]) {
		struct tcguard_filter q = { .ifindex = (int32_t)pi->ifindex, .qdisc_created = 1 };

		guard_add(c, &q);
	}
	/* The guard hears of the filter before it exists, so that no moment is left in which a
	 * SIGKILL leaves it behind: handle and priority are chosen here (the next free priority
	 * from one of bpfcap's own), and the guard removes only a filter that runs this program. */
	{
		struct bpf_prog_info info = { 0 };
		__u32 il = sizeof(info);
		__u32 prio = 0xb000 + ((__u32)getpid() & 0xfff);
		int tries;

		if (bpf_obj_get_info_by_fd(fd, &info, &il))
			info.id = 0;
		if (!info.id)
			c->guard_ok = false; /* nothing to tell the guard: remove it ourselves */
		for (tries = 0; tries < 16; tries++, prio++) {
			struct tcguard_filter g = { .ifindex = (int32_t)pi->ifindex,
						    .egress = pi->spec.egress,
						    .handle = 1,
						    .priority = prio,
						    .prog_id = info.id };

			if (c->guard && info.id)
				guard_add(c, &g);
			c->tc_opts[i] = (struct bpf_tc_opts){ .sz = sizeof(struct bpf_tc_opts),
							      .prog_fd = fd,
							      .handle = 1,
							      .priority = prio };
			err = bpf_tc_attach(&c->tc_hook[i], &c->tc_opts[i]);
			if (err != -EEXIST)
				break;
		}
	}
	if (err) {
		if (c->tc_hook_created[i]) {
			c->tc_hook[i].attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			bpf_tc_hook_destroy(&c->tc_hook[i]);
			c->tc_hook_created[i] = false;
		}
		return err;
	}
	c->tc_attached[i] = true;
	c->mech[i] = "tc (clsact)";
	c->ptype[i] = BPFCAP_PROBE_TC;
	return 0;
}

static void on_user_sample(void *ctx, int cpu, void *data, __u32 size)
{
	struct usrc *u = ctx;
	struct capture *c = u->c;
	struct bpfcap_event ev;
	int err;

	(void)cpu;
	c->user_seen[u->probe]++;
	if (size < sizeof(ev)) {
		c->malformed++;
		return;
	}
	/* the header comes from someone else's program: trust only what can be checked */
	memcpy(&ev, data, sizeof(ev));
	if (ev.cap_len > size - sizeof(ev))
		ev.cap_len = size - (uint32_t)sizeof(ev);
	if (ev.pre_len > ev.cap_len)
		ev.pre_len = 0;
	ev.probe_id = (uint32_t)u->probe;
	ev.flags &= BPFCAP_EV_VERDICT_TC | BPFCAP_EV_VERDICT_XDP;
	if (ev.start != BPFCAP_START_NET && ev.start != BPFCAP_START_DATA)
		ev.start = BPFCAP_START_MAC;
	ev.net_off = 0xffff;
	ev.tcp.family = 0;
	if (!ev.dev_type)
		ev.dev_type = 1;
	if (ev.len < ev.cap_len)
		ev.len = ev.cap_len;
	c->delivered++; /* (the perf ring is read-only: the checked header stays a copy) */
	err = c->fn(c->ctx, &ev, (const uint8_t *)data + sizeof(ev));
	if (err && !c->pending_err)
		c->pending_err = err;
}

static void on_user_lost(void *ctx, int cpu, __u64 cnt)
{
	struct usrc *u = ctx;

	(void)cpu;
	u->c->user_lost[u->probe] += cnt;
}

int capture_prog_events_map(int prog_fd)
{
	struct bpf_prog_info info;
	__u32 il = sizeof(info), ids[64], k;

	memset(&info, 0, sizeof(info));
	info.nr_map_ids = 64;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &il))
		return -errno;
	for (k = 0; k < info.nr_map_ids && k < 64; k++) {
		struct bpf_map_info mi;
		__u32 ml = sizeof(mi);
		int mfd = bpf_map_get_fd_by_id(ids[k]);

		memset(&mi, 0, sizeof(mi));
		if (mfd >= 0 && !bpf_obj_get_info_by_fd(mfd, &mi, &ml) &&
		    !strcmp(mi.name, "bpfcap_events"))
			return mfd;
		if (mfd >= 0)
			close(mfd);
	}
	return -ENOENT;
}

/* prog:ID or map:PATH: read the perf event array named bpfcap_events that the program fills
 * through bpf/bpfcap_output.h. */
static int open_user(struct capture *c, int i, const struct probe_info *pi)
{
	struct bpf_map_info mi;
	__u32 ml = sizeof(mi);
	int fd = -1, err;

	if (pi->spec.kind == PROBE_MAP) {
		struct statfs sfs;

		fd = bpf_obj_get(pi->spec.path);
		if (fd < 0) {
			err = -errno;
			if (!statfs(pi->spec.path, &sfs) && sfs.f_type != BPF_FS_MAGIC)
				pr_err("%s is not a pinned BPF map (not on a bpf file system); pin "
				       "the program's bpfcap_events map under /sys/fs/bpf",
				       pi->spec.path);
			else if (err == -EACCES || err == -EPERM)
				pr_err("cannot open pinned map %s: %s; its owner has not let you "
				       "read "
				       "it (the pin's file mode in bpffs; ls -l %s)",
				       pi->spec.path, strerror(-err), pi->spec.path);
			else
				pr_err("cannot open pinned map %s: %s", pi->spec.path,
				       strerror(-err));
			return err;
		}
	} else {
		int pfd = bpf_prog_get_fd_by_id(pi->spec.prog_id);

		if (pfd < 0) {
			err = -errno;
			if (err == -ENOENT)
				pr_err("no BPF program with id %u; see 'bpftool prog show'",
				       pi->spec.prog_id);
			else
				pr_err("cannot open BPF program %u: %s", pi->spec.prog_id,
				       strerror(-err));
			return err;
		}
		fd = capture_prog_events_map(pfd);
		close(pfd);
		if (fd < 0 && fd != -ENOENT) {
			pr_err("cannot read the maps of BPF program %u: %s", pi->spec.prog_id,
			       strerror(-fd));
			return fd;
		}
		if (fd < 0) {
			pr_err("BPF program %u has no map named bpfcap_events; emit packets with "
			       "bpf/bpfcap_output.h (BPFCAP_OUTPUT_MAP)",
			       pi->spec.prog_id);
			return -ENOENT;
		}
	}
	memset(&mi, 0, sizeof(mi));
	ml = sizeof(mi);
	if (bpf_obj_get_info_by_fd(fd, &mi, &ml) || mi.type != BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
		pr_err("%s is not a perf event array (BPFCAP_OUTPUT_MAP in bpf/bpfcap_output.h)",
		       pi->spec.text);
		close(fd);
		return -EINVAL;
	}
	/* A perf event array has one reader per CPU: the last to open it takes every event. The
	 * kernel does not tell whether someone reads it now, so say it every time (security.md). */
	pr_warn("%s: bpfcap takes over this perf event array; it has one reader per CPU, so "
		"while bpfcap runs, any other reader of %s (the program's own consumer) gets "
		"nothing",
		pi->spec.text, pi->spec.kind == PROBE_MAP ? pi->spec.path : "bpfcap_events");
	c->usrc[i] = (struct usrc){ .c = c, .probe = i };
	c->upb[i] = perf_buffer__new(fd, 256, on_user_sample, on_user_lost, &c->usrc[i], NULL);
	err = c->upb[i] ? 0 : -errno;
	if (err) {
		log_errno(err, "read packets from %s%s", pi->spec.text, load_hint(err));
		close(fd);
		return err;
	}
	c->ufd[i] = fd;
	c->mech[i] = "user map";
	c->ptype[i] = BPFCAP_PROBE_PROG;
	return 0;
}

enum mech { M_TP_BTF, M_RAW_TP, M_DEV, M_KPROBE, M_KMULTI, M_FENTRY, M_FEXIT, M_PROGTRACE };

/* The target of fentry/fexit:prog:ID: its fd, whether it is XDP, and its function's name (from
 * the program's BTF; info.name is cut at 15 characters). */
static int target_prog(uint32_t id, int *fd, bool *xdp, char *func, size_t len)
{
	struct bpf_prog_info info;
	struct bpf_func_info fi[1];
	__u32 il = sizeof(info);
	struct btf *btf;
	const struct btf_type *t;
	int err;

	*fd = bpf_prog_get_fd_by_id(id);
	if (*fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(*fd, &info, &il))
		return -errno;
	if (info.type != BPF_PROG_TYPE_XDP && info.type != BPF_PROG_TYPE_SCHED_CLS)
		return -EMEDIUMTYPE;
	*xdp = info.type == BPF_PROG_TYPE_XDP;
	snprintf(func, len, "%s", info.name);
	if (!info.btf_id || !info.nr_func_info)
		return 0;
	memset(&info, 0, sizeof(info));
	il = sizeof(info);
	info.nr_func_info = 1;
	info.func_info_rec_size = sizeof(fi[0]);
	info.func_info = (__u64)(unsigned long)fi;
	if (bpf_obj_get_info_by_fd(*fd, &info, &il))
		return 0;
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!btf)
		return 0;
	t = btf__type_by_id(btf, fi[0].type_id);
	if (t)
		snprintf(func, len, "%s", btf__name_by_offset(btf, t->name_off));
	btf__free(btf);
	err = 0;
	return err;
}

bool capture_privileged(void)
{
	capng_get_caps_process();
	return capng_have_capability(CAPNG_EFFECTIVE, CAP_BPF) &&
	       capng_have_capability(CAPNG_EFFECTIVE, CAP_PERFMON);
}

static bool kprobes_available(void)
{
	return access("/sys/bus/event_source/devices/kprobe", F_OK) == 0;
}

/* One line that names the limitation and what to use instead. */
static void explain_fn_failure(const struct probe_info *pi, int mech, int err)
{
	const char *f = pi->spec.name;

	if (!capture_privileged()) {
		log_errno(err, "load the BPF program for probe %s%s", pi->spec.text,
			  load_hint(-EPERM));
	} else if ((pi->spec.kind == PROBE_PROG_ENTRY || pi->spec.kind == PROBE_PROG_EXIT) &&
		   (err == -EPERM || err == -EOPNOTSUPP || err == -ENOTSUPP_)) {
		pr_err("fentry/fexit are not available on this kernel: it refuses BPF trampolines "
		       "(%s), needed by %s; capture at the device with xdp:IFNAME or "
		       "tc:IFNAME:ingress, "
		       "or have the program hand packets over (prog:ID, docs/user-programs.md)",
		       strerror(err == -ENOTSUPP_ ? EOPNOTSUPP : -err), pi->spec.text);
	} else if ((mech == M_FENTRY || mech == M_FEXIT) &&
		   (err == -EPERM || err == -EOPNOTSUPP || err == -ENOTSUPP_)) {
		pr_err("fentry/fexit are not available on this kernel: it refuses BPF trampolines "
		       "(%s); use kprobe:%s, or a tracepoint such as tp:skb:kfree_skb",
		       strerror(err == -ENOTSUPP_ ? EOPNOTSUPP : -err), f);
	} else if (mech == M_KPROBE && !kprobes_available()) {
		pr_err("kprobes are not available on this kernel (no CONFIG_KPROBES); use "
		       "tp:skb:kfree_skb or fentry:%s",
		       f);
	} else if (mech == M_KMULTI &&
		   (err == -EOPNOTSUPP || err == -ENOTSUPP_ || !kprobes_available())) {
		pr_err("kprobe.multi, needed for the wildcard in %s, is not available on this "
		       "kernel "
		       "(it needs CONFIG_FPROBE, 5.18+); name the functions one by one",
		       pi->spec.text);
	} else if (mech == M_KPROBE || mech == M_KMULTI) {
		log_errno(err,
			  "attach a kprobe to %s (is it traceable? see "
			  "/sys/kernel/tracing/available_filter_functions)",
			  pi->spec.text);
	} else {
		log_errno(err, "load and attach the BPF program for probe %s%s", pi->spec.text,
			  load_hint(err));
	}
}

/* An error already reported with its own message (no errno value is this large). */
#define ERR_EXPLAINED (-4095)

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The kernel functions ftrace can attach to, sorted (tracefs' available_filter_functions,
 * "name" or "name [module]" per line), pointing into *buf; -errno when it cannot be read. */
static int traceable_functions(char **buf, char ***names, size_t *n)
{
	static const char *const paths[] = {
		"/sys/kernel/tracing/available_filter_functions",
		"/sys/kernel/debug/tracing/available_filter_functions",
	};
	size_t len = 0, cap = 0, cnt = 0, i;
	char *b = NULL, *p, **v, *save = NULL;
	FILE *f = NULL;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]) && !f; i++)
		f = fopen(paths[i], "re");
	if (!f)
		return -errno;
	for (;;) {
		size_t r;

		if (cap - len < 65536) {
			char *nb = realloc(b, cap + (1 << 20));

			if (!nb) {
				free(b);
				fclose(f);
				return -ENOMEM;
			}
			b = nb;
			cap += 1 << 20;
		}
		r = fread(b + len, 1, cap - len - 1, f);
		if (!r)
			break;
		len += r;
	}
	if (ferror(f)) {
		/* a partial list would leave out functions that can be traced */
		free(b);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	b[len] = '\0';
	for (p = b; *p; p++)
		cnt += *p == '\n';
	v = calloc(cnt + 1, sizeof(*v));
	if (!v) {
		free(b);
		return -ENOMEM;
	}
	cnt = 0;
	for (p = strtok_r(b, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
		p[strcspn(p, " \t")] = '\0';
		if (*p)
			v[cnt++] = p;
	}
	qsort(v, cnt, sizeof(*v), cmp_str);
	*buf = b;
	*names = v;
	*n = cnt;
	return 0;
}

/* kprobe.multi attaches to every function it is given or to none: keep those ftrace can
 * trace (notrace functions have BTF too). A NULL list means "use them all". */
static int kmulti_syms(const struct probe_info *pi, const char ***syms, size_t *cnt)
{
	char *buf = NULL, **tr = NULL;
	size_t ntr = 0, i, j = 0;
	const char **out;
	int err = traceable_functions(&buf, &tr, &ntr);

	*syms = NULL;
	*cnt = pi->nsyms;
	if (err) {
		pr_info("%s: cannot read the traceable functions from tracefs (%s); attaching to "
			"all %zu matches",
			pi->spec.text, strerror(-err), pi->nsyms);
		return 0;
	}
	out = calloc(pi->nsyms ? pi->nsyms : 1, sizeof(*out));
	if (!out) {
		free(tr);
		free(buf);
		return -ENOMEM;
	}
	for (i = 0; i < pi->nsyms; i++)
		if (bsearch(&pi->syms[i], tr, ntr, sizeof(*tr), cmp_str))
			out[j++] = pi->syms[i];
	free(tr);
	free(buf);
	if (!j) {
		free(out);
		pr_err("none of the %zu kernel functions matching '%s' with a struct sk_buff * "
		       "can be traced (see /sys/kernel/tracing/available_filter_functions)",
		       pi->nsyms, pi->spec.name);
		return ERR_EXPLAINED;
	}
	pr_info("%s: %zu functions match and take the skb as argument %d; %zu of them cannot be "
		"traced, %zu take it elsewhere: attaching to %zu",
		pi->spec.text, pi->nsyms, pi->skb_arg, pi->nsyms - j, pi->nskipped, j);
	*syms = out;
	*cnt = j;
	return 0;
}

/* Is the program that probe i traces at exit also traced at entry? */
static bool entry_traced(const struct capture_opts *o, int i)
{
	for (int j = 0; j < o->nprobes; j++)
		if (o->probes[j].spec.kind == PROBE_PROG_ENTRY &&
		    o->probes[j].spec.prog_id == o->probes[i].spec.prog_id)
			return true;
	return false;
}

static int open_one(struct capture *c, const struct capture_opts *o, int i, enum mech m)
{
	const struct probe_info *pi = &o->probes[i];
	struct bpf_object_open_opts oo = { .sz = sizeof(oo), .btf_custom_path = o->btf_path };
	bool raw = m == M_RAW_TP;
	int tfd = -1;
	bool txdp = false;
	char tfunc[128] = "";
	const char *want = m == M_PROGTRACE ? NULL
			   : m == M_RAW_TP  ? pi->prog_raw
			   : m == M_KPROBE  ? pi->prog_kprobe
			   : m == M_KMULTI  ? pi->prog_kmulti
			   : m == M_FENTRY  ? pi->prog_fentry
			   : m == M_FEXIT   ? pi->prog_fexit
					    : pi->prog_tp;
	bool dev = pi->spec.kind == PROBE_XDP || pi->spec.kind == PROBE_TC;
	struct capture_bpf *s;
	struct bpf_program *p, *sel = NULL;
	int err;

	if (m == M_PROGTRACE) {
		err = target_prog(pi->spec.prog_id, &tfd, &txdp, tfunc, sizeof(tfunc));
		if (err == -EMEDIUMTYPE) {
			pr_err("program %u is neither XDP nor tc; %s captures XDP and tc programs",
			       pi->spec.prog_id, pi->spec.text);
			close(tfd);
			return -EBUSY; /* explained */
		}
		if (err) {
			pr_err("no BPF program with id %u (%s); see 'bpftool prog show'",
			       pi->spec.prog_id, strerror(-err));
			if (tfd >= 0)
				close(tfd);
			return -EBUSY;
		}
		want = pi->spec.kind == PROBE_PROG_ENTRY ? (txdp ? "fe_xdp_prog" : "fe_tc_prog")
							 : (txdp ? "fx_xdp_prog" : "fx_tc_prog");
	}
	s = open_skel(c, &oo);
	if (!s) {
		if (tfd >= 0)
			close(tfd);
		return -errno;
	}
	if (!want) {
		capture_bpf__destroy(s);
		return -ENOENT;
	}
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
	s->rodata->want_stack = o->stack && !dev;
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
	if (dev) {
		s->rodata->hook = pi->spec.kind == PROBE_XDP ? BPFCAP_HOOK_XDP
				  : pi->spec.egress	     ? BPFCAP_HOOK_TC_EGRESS
							     : BPFCAP_HOOK_TC_INGRESS;
		s->rodata->dev_netns = o->own_netns;
		s->rodata->dev_type = pi->dev_type;
	} else if (m == M_TP_BTF || m == M_FENTRY || m == M_FEXIT) {
		err = bpf_program__set_attach_target(sel, 0, pi->spec.name);
		if (err)
			goto fail;
	} else if (m == M_PROGTRACE) {
		s->rodata->dev_netns = o->own_netns;
		s->rodata->dev_type = 1;
		s->rodata->prog_seq_owner = pi->spec.kind == PROBE_PROG_EXIT && !entry_traced(o, i);
		err = bpf_program__set_attach_target(sel, tfd, tfunc);
		if (err)
			goto fail;
	}
	if (c->primary < 0) {
		err = bpf_map__set_max_entries(s->maps.events, (__u32)o->ring_size);
		if (!err && !o->stack)
			err = bpf_map__set_max_entries(s->maps.stacks, 1);
		if (err)
			goto fail;
	} else {
		struct capture_bpf *f = c->skel[c->primary];

		reuse(s->maps.events, f->maps.events);
		reuse(s->maps.skbout, f->maps.skbout);
		reuse(s->maps.counters, f->maps.counters);
		reuse(s->maps.wakeup, f->maps.wakeup);
		reuse(s->maps.metabuf, f->maps.metabuf);
		reuse(s->maps.nesting, f->maps.nesting);
		reuse(s->maps.fwin, f->maps.fwin);
		reuse(s->maps.pseq, f->maps.pseq);
		reuse(s->maps.stacks, f->maps.stacks);
	}
	if (pi->spec.kind == PROBE_XDP) {
		err = xdp_check_free(pi);
		if (err)
			goto fail;
	}
	err = capture_bpf__load(s);
	if (err)
		goto fail;
	c->skel[i] = s;
	c->prog[i] = sel;
	if (pi->spec.kind == PROBE_XDP) {
		err = attach_xdp(c, i, sel, pi);
	} else if (pi->spec.kind == PROBE_TC) {
		err = attach_tc(c, i, sel, pi);
	} else if (m == M_KPROBE) {
		c->link[i] = bpf_program__attach_kprobe(sel, false, pi->spec.name);
		err = c->link[i] ? 0 : -errno;
		c->mech[i] = "kprobe";
		c->ptype[i] = BPFCAP_PROBE_KPROBE;
	} else if (m == M_KMULTI) {
		struct bpf_kprobe_multi_opts km = { .sz = sizeof(km),
						    .syms = (const char **)pi->syms,
						    .cnt = pi->nsyms };
		const char **syms;

		err = kmulti_syms(pi, &syms, &km.cnt);
		if (!err) {
			if (syms)
				km.syms = syms;
			c->link[i] = bpf_program__attach_kprobe_multi_opts(sel, NULL, &km);
			err = c->link[i] ? 0 : -errno;
			free(syms);
		}
		c->mech[i] = "kprobe.multi";
		c->ptype[i] = BPFCAP_PROBE_KPROBE;
	} else {
		if (raw)
			c->link[i] = bpf_program__attach_raw_tracepoint(sel, pi->spec.name);
		else
			c->link[i] = bpf_program__attach(sel);
		err = c->link[i] ? 0 : -errno;
		c->mech[i] = raw				 ? "raw_tp"
			     : m == M_FENTRY			 ? "fentry"
			     : m == M_FEXIT			 ? "fexit"
			     : m != M_PROGTRACE			 ? "tp_btf"
			     : pi->spec.kind == PROBE_PROG_ENTRY ? "fentry on program"
								 : "fexit on program";
		c->ptype[i] = raw				  ? BPFCAP_PROBE_RAW_TRACEPOINT
			      : m == M_FENTRY			  ? BPFCAP_PROBE_FENTRY
			      : m == M_FEXIT			  ? BPFCAP_PROBE_FEXIT
			      : m != M_PROGTRACE		  ? BPFCAP_PROBE_TRACEPOINT
			      : pi->spec.kind == PROBE_PROG_ENTRY ? BPFCAP_PROBE_FENTRY
								  : BPFCAP_PROBE_FEXIT;
	}
	if (err) {
		c->skel[i] = NULL;
		c->prog[i] = NULL;
		goto fail;
	}
	if (c->primary < 0)
		c->primary = i;
	if (tfd >= 0)
		close(tfd);
	return 0;
fail:
	capture_bpf__destroy(s);
	if (tfd >= 0)
		close(tfd);
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
	c->stack = o->stack;
	c->ctx = ctx;
	c->epfd = -1;
	c->primary = -1;
	for (i = 0; i < BPFCAP_MAX_PROBES; i++)
		c->link_fd[i] = -1;
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
		bool tp = pi->spec.kind == PROBE_TP || force_raw;

		c->nprobes = i + 1; /* delivered records may name probes up to i */
		if (pi->spec.kind == PROBE_PROG || pi->spec.kind == PROBE_MAP) {
			err = open_user(c, i, pi);
			if (err)
				goto fail; /* open_user said why, in one line */
			continue;
		}
		if (pi->spec.kind == PROBE_PROG_ENTRY || pi->spec.kind == PROBE_PROG_EXIT) {
			err = open_one(c, o, i, M_PROGTRACE);
			if (err == -EBUSY)
				goto fail;
			if (err) {
				explain_fn_failure(pi, M_FENTRY, err);
				goto fail;
			}
			continue;
		}
		if (pi->spec.kind == PROBE_KPROBE || pi->spec.kind == PROBE_FENTRY ||
		    pi->spec.kind == PROBE_FEXIT || pi->spec.kind == PROBE_FN) {
			enum mech first = pi->spec.kind == PROBE_FEXIT ? M_FEXIT
					  : pi->spec.kind == PROBE_KPROBE
						  ? (pi->spec.wildcard ? M_KMULTI : M_KPROBE)
						  : M_FENTRY;

			if (first == M_FEXIT)
				pr_warn("%s reads the skb after %s() returned: if the function "
					"frees or "
					"passes on the skb, what is left is stale (bpfcap skips "
					"what is "
					"inconsistent); fentry:%s sees it intact",
					pi->spec.text, pi->spec.name, pi->spec.name);
			err = open_one(c, o, i, first);
			if (err && pi->spec.kind == PROBE_FN && capture_privileged()) {
				int err0 = err;

				/* fn: the best the kernel allows: fentry, then kprobe */
				pr_info("%s: fentry refused (%s); trying kprobe", pi->spec.text,
					strerror(-err));
				err = open_one(c, o, i, M_KPROBE);
				if (err) {
					pr_err("%s: this kernel allows neither fentry (%s%s) nor "
					       "kprobe "
					       "(%s%s); use a tracepoint such as tp:skb:kfree_skb",
					       pi->spec.text, strerror(-err0),
					       err0 == -EPERM ? ": BPF trampolines refused" : "",
					       strerror(-err),
					       !kprobes_available() ? ": no CONFIG_KPROBES" : "");
					goto fail;
				}
			} else if (err) {
				if (err != ERR_EXPLAINED)
					explain_fn_failure(pi, first, err);
				goto fail;
			}
			continue;
		}
		err = force_raw ? -EOPNOTSUPP : open_one(c, o, i, tp ? M_TP_BTF : M_DEV);
		if (err == -EBUSY)
			goto fail; /* already explained */
		if (err && tp && err != -EPERM && err != -EACCES) {
			int err2;

			if (!force_raw)
				pr_info("tp_btf for %s failed (%s); trying raw_tp", pi->spec.text,
					strerror(-err));
			err2 = open_one(c, o, i, M_RAW_TP);
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
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->epfd < 0) {
		log_errno(-errno, "create epoll instance");
		goto fail;
	}
	for (i = 0; i < c->nprobes; i++) {
		if (!c->upb[i])
			continue;
		ee.data.u32 = 2;
		if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, perf_buffer__epoll_fd(c->upb[i]), &ee) < 0) {
			log_errno(-errno, "watch the perf buffer of %s", o->probes[i].spec.text);
			goto fail;
		}
	}
	if (c->primary < 0)
		return c; /* only users' programs: no object of ours */

	c->rb = ring_buffer__new(bpf_map__fd(c->skel[c->primary]->maps.events), on_ring, c, NULL);
	if (!c->rb) {
		log_errno(-errno, "create the ring buffer reader");
		goto fail;
	}
	{
		/* bpf_skb_output records are up to 64 KiB each: give every CPU half the ring
		 * size spread over the CPUs (at least 1 MiB), in pages, a power of two */
		size_t pages = 256, want = o->ring_size / 2 / (size_t)c->ncpus / 4096;

		size_t asked;

		while (pages < want && pages < 65536)
			pages *= 2;
		asked = pages;
		/* perf buffers are locked memory: past kernel.perf_event_mlock_kb per CPU they count
		 * against the user's RLIMIT_MEMLOCK, shared by all the user's processes (root and
		 * CAP_IPC_LOCK are exempt). A member of group wireshark has neither: take what the
		 * limit allows, down to 16 pages per CPU, and say so */
		for (;;) {
			c->pb = perf_buffer__new(bpf_map__fd(c->skel[c->primary]->maps.skbout),
						 pages, on_sample, on_lost, c, NULL);
			if (c->pb || errno != EPERM || pages <= 16)
				break;
			pages /= 2;
		}
		if (c->pb && pages < asked)
			pr_warn("the perf buffers for paged packets got %zu KiB per CPU instead of "
				"%zu: the locked-memory limit allows no more (%s); raise 'ulimit "
				"-l' or "
				"kernel.perf_event_mlock_kb for fewer 'perf full' losses",
				pages * 4, asked * 4, memlock_text());
		if (!c->pb && errno == EPERM) {
			pr_err("cannot lock memory for the perf buffers of paged packets (%s); "
			       "raise "
			       "'ulimit -l' (RLIMIT_MEMLOCK) or kernel.perf_event_mlock_kb, or end "
			       "other captures of this user",
			       memlock_text());
			goto fail;
		}
	}
	if (!c->pb) {
		log_errno(-errno, "create the perf buffer reader");
		goto fail;
	}
	c->wake_len = (size_t)sysconf(_SC_PAGESIZE);
	c->wake = mmap(NULL, c->wake_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       bpf_map__fd(c->skel[c->primary]->maps.wakeup), 0);
	if (c->wake == MAP_FAILED) {
		/* still correct: the programs then wake the reader at most every idle period */
		pr_info("cannot map the wakeup map (%s); the reader relies on wakeups",
			strerror(errno));
		c->wake = NULL;
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

static int drain(struct capture *c)
{
	int err, i;

	if (c->rb) {
		c->round = 0;
		c->budget_hit = false;
		err = ring_buffer__consume(c->rb);
		if (err < 0 && !(err == -EAGAIN && c->budget_hit))
			return err;
	}
	if (c->pb) {
		err = perf_buffer__consume(c->pb);
		if (err < 0)
			return err;
	}
	for (i = 0; i < c->nprobes; i++) {
		if (!c->upb[i])
			continue;
		err = perf_buffer__consume(c->upb[i]);
		if (err < 0)
			return err;
	}
	return 0;
}

/*
 * Waits for records at most timeout_ms and delivers all there are. Records are submitted
 * without a wakeup unless the reader looks idle (see wake_flags() in capture.bpf.c). While
 * records keep coming the reader polls every millisecond and stamps the wakeup map each time
 * it looks, so the programs send no wakeup at all; when a poll finds nothing it writes 0
 * there (the next record wakes it at once) and looks once more for a record that came in
 * between.
 */
int capture__poll(struct capture *c, int timeout_ms)
{
	struct epoll_event ev[2];
	uint64_t before = c->delivered;
	int n, err;

	if (c->busy && c->wake && timeout_ms > 1)
		timeout_ms = 1;
	n = epoll_wait(c->epfd, ev, 2, timeout_ms);
	if (n < 0 && errno != EINTR)
		return -errno;
	if (c->busy && c->wake)
		__atomic_store_n(&c->wake->last_ns, clock_now_ns(CLOCK_BOOTTIME), __ATOMIC_RELAXED);
	/* Always drain everything: records submitted without a wakeup are collected here. */
	err = drain(c);
	if (err)
		return err;
	if (c->busy && c->wake && c->delivered == before) {
		__atomic_store_n(&c->wake->last_ns, 0, __ATOMIC_SEQ_CST);
		err = drain(c);
		if (err)
			return err;
	}
	c->busy = c->delivered != before;
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
	if (probe < 0 || probe >= c->nprobes)
		return -EINVAL;
	if (c->upb[probe]) { /* a user's program: what its perf map delivered and lost */
		out->lost_perf = c->user_lost[probe];
		out->captured = c->user_seen[probe];
		out->seen = out->captured + out->lost_perf;
		return 0;
	}
	if (c->primary < 0)
		return -EINVAL;
	v = calloc((size_t)c->ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	err = bpf_map_lookup_elem(bpf_map__fd(c->skel[c->primary]->maps.counters), &key, v);
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
		out->invalid += v[i].invalid;
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

bool capture__needs_net_admin(const struct capture *c)
{
	int i;

	if (c->guard && c->guard_ok)
		return false; /* the guard removes them */
	for (i = 0; i < BPFCAP_MAX_PROBES; i++)
		if (c->tc_attached[i] || c->tc_hook_created[i])
			return true;
	return false;
}

const char *capture__mechanism(const struct capture *c, int probe)
{
	return probe >= 0 && probe < c->nprobes && c->mech[probe] ? c->mech[probe] : "none";
}

uint8_t capture__probe_type(const struct capture *c, int probe)
{
	return probe >= 0 && probe < c->nprobes ? c->ptype[probe] : 0;
}

int capture__stack_fd(const struct capture *c)
{
	if (!c->stack || c->primary < 0 || !c->skel[c->primary])
		return -1;
	return bpf_map__fd(c->skel[c->primary]->maps.stacks);
}

uint64_t capture__malformed(const struct capture *c)
{
	return c->malformed;
}

void capture__detach(struct capture *c)
{
	int i;

	if (c->guard) {
		/* the guard removes the clsact filters and qdiscs it was told about; if it could
		 * not be told everything, or did not finish, bpfcap tries itself below */
		int e = tcguard_finish(c->guard, 3000);

		c->guard = NULL;
		if (!e && c->guard_ok) {
			for (i = 0; i < BPFCAP_MAX_PROBES; i++)
				c->tc_attached[i] = c->tc_hook_created[i] = false;
		} else if (e) {
			pr_warn("the guard of bpfcap's tc filters did not finish (%s); removing "
				"them "
				"here",
				strerror(-e));
		}
	}

	for (i = 0; i < BPFCAP_MAX_PROBES; i++) {
		bpf_link__destroy(c->link[i]);
		c->link[i] = NULL;
		if (c->link_fd[i] >= 0)
			close(c->link_fd[i]);
		c->link_fd[i] = -1;
		if (c->tc_attached[i]) {
			struct bpf_tc_opts o = { .sz = sizeof(o),
						 .handle = c->tc_opts[i].handle,
						 .priority = c->tc_opts[i].priority };

			int e = bpf_tc_detach(&c->tc_hook[i], &o);

			if (e)
				pr_warn("could not remove bpfcap's tc filter (ifindex %d): %s",
					c->tc_hook[i].ifindex, strerror(-e));
			c->tc_attached[i] = false;
		}
		if (c->tc_hook_created[i]) {
			/* the clsact qdisc bpfcap added (ingress and egress share it) */
			int e;

			c->tc_hook[i].attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			e = bpf_tc_hook_destroy(&c->tc_hook[i]);
			if (e)
				pr_warn("could not remove the clsact qdisc bpfcap added (ifindex "
					"%d): %s",
					c->tc_hook[i].ifindex, strerror(-e));
			c->tc_hook_created[i] = false;
		}
	}
}

void capture__close(struct capture *c)
{
	int i;

	if (!c)
		return;
	capture__detach(c);
	for (i = 0; i < BPFCAP_MAX_PROBES; i++) {
		perf_buffer__free(c->upb[i]);
		if (c->ufd[i] > 0)
			close(c->ufd[i]);
	}
	if (c->wake)
		munmap((void *)c->wake, c->wake_len);
	ring_buffer__free(c->rb);
	perf_buffer__free(c->pb);
	if (c->epfd >= 0)
		close(c->epfd);
	for (i = 0; i < BPFCAP_MAX_PROBES; i++)
		capture_bpf__destroy(c->skel[i]);
	free(c->elf);
	free(c);
}
