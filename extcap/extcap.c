// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "capture.h"
#include "cli.h"
#include "extcap.h"
#include "filter.h"
#include "log.h"
#include "probe.h"
#include "reasons.h"
#include "run.h"

#ifndef BPFCAP_HELP_URL
#define BPFCAP_HELP_URL "file:///usr/local/share/doc/bpfcap/README.md"
#endif

enum if_kind {
	IF_FIXED = 0, /* one tracepoint */
	IF_CHOICE,    /* tracepoints of the user's choice */
	IF_XDP,	      /* xdp:DEVICE */
	IF_TC,	      /* tc:DEVICE:ingress|egress */
	IF_PROG,      /* a user's program: prog:ID or map:PATH */
};

static const struct extcap_if {
	const char *value, *display, *probe; /* probe NULL: the user chooses */
	bool reasons;			     /* offer the drop-reason filter */
	enum if_kind kind;
} ifaces[] = {
	{ "bpf_kfree_skb", "BPF kfree_skb (dropped packets)", "tp:skb:kfree_skb", true, IF_FIXED },
	{ "bpf_netif_receive_skb", "BPF netif_receive_skb (received packets)",
	  "tp:net:netif_receive_skb", false, IF_FIXED },
	{ "bpf_net_dev_start_xmit", "BPF net_dev_start_xmit (transmitted packets)",
	  "tp:net:net_dev_start_xmit", false, IF_FIXED },
	{ "bpf_tcp_retransmit_skb", "BPF tcp_retransmit_skb (TCP retransmissions)",
	  "tp:tcp:tcp_retransmit_skb", false, IF_FIXED },
	{ "bpf_probe", "BPF probes of your choice", NULL, true, IF_CHOICE },
	{ "bpf_xdp", "BPF XDP (frames a device receives)", NULL, false, IF_XDP },
	{ "bpf_tc", "BPF tc (a device's ingress and egress)", NULL, false, IF_TC },
	{ "bpf_prog", "BPF packets from your own program (bpfcap_output.h)", NULL, false, IF_PROG },
};

#define NIFACES (sizeof(ifaces) / sizeof(ifaces[0]))

/* Argument numbers of --extcap-config (stable: Wireshark stores settings by call). */
enum {
	ARG_PROBES = 0,
	ARG_PROBE_SPEC,
	ARG_PROTO,
	ARG_SNAPLEN,
	ARG_DEVICE,
	ARG_NETNS,
	ARG_REASONS,
	ARG_RING_SIZE,
	ARG_NO_SKB_OUTPUT,
	ARG_LOG_LEVEL,
	ARG_LOG_FILE,
	ARG_HOOK_DEVICE,
	ARG_TC_DIRECTION,
	ARG_PROG,
	ARG_PROG_ID,
	ARG_MAP_PATH,
	ARG_STACK,
};

enum {
	CTRL_LOGGER = 0,
	CTRL_ARG_NONE = 255,
	CTRL_CMD_SET = 1,
	CTRL_CMD_ADD = 2,
	CTRL_CMD_STATUSBAR = 6,
};

static const struct extcap_if *find_iface(const char *name)
{
	size_t i;

	for (i = 0; name && i < NIFACES; i++)
		if (!strcmp(ifaces[i].value, name))
			return &ifaces[i];
	return NULL;
}

bool extcap_is_call(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strncmp(argv[i], "--extcap-", 9) || !strcmp(argv[i], "--capture"))
			return true;
	return false;
}

/* "4.0.17" -> 400, "4.2" -> 402; 0 when unknown (also for numbers no Wireshark has) */
static int ws_version(const char *v)
{
	long major, minor = 0;
	char *end;

	if (!v)
		return 0;
	errno = 0;
	major = strtol(v, &end, 10);
	if (end != v && *end == '.')
		minor = strtol(end + 1, NULL, 10);
	if (errno || end == v || major < 0 || major > 99 || minor < 0 || minor > 99)
		return 0;
	return (int)(major * 100 + minor);
}

void extcap_print_interfaces(FILE *f, const char *wireshark_version)
{
	size_t i;

	(void)wireshark_version;
	fprintf(f, "extcap {version=%s}{help=%s}\n", BPFCAP_VERSION, BPFCAP_HELP_URL);
	for (i = 0; i < NIFACES; i++)
		fprintf(f, "interface {value=%s}{display=%s}\n", ifaces[i].value,
			ifaces[i].display);
	/* Toolbar: a log window with the per-probe counts, refreshed every second. */
	fprintf(f,
		"control {number=%d}{type=button}{role=logger}{display=Statistics}"
		"{tooltip=Packets captured and lost per probe, every second}\n",
		CTRL_LOGGER);
}

int extcap_print_dlts(FILE *f, const char *iface)
{
	if (!find_iface(iface))
		return -1;
	/* Per packet the link type is Ethernet or Linux SLL2 (--proto auto); each interface
	 * block in the pcapng stream says which. */
	fprintf(f,
		"dlt {number=1}{name=EN10MB}{display=Ethernet or Linux cooked v2 (per packet)}\n");
	return 0;
}

static void print_probe_values(FILE *f, const struct btf *btf)
{
	struct catalog cat;
	char last[64] = "";
	size_t i;

	if (!btf || catalog_build(btf, false, &cat))
		return;
	for (i = 0; i < cat.n; i++) {
		const struct catalog_entry *e = &cat.e[i];
		const char *c = e->category[0] ? e->category : "other";

		if (strcmp(last, c)) {
			fprintf(f, "value {arg=%d}{value=category:%s}{display=%s}{enabled=false}\n",
				ARG_PROBES, c, c);
			snprintf(last, sizeof(last), "%s", c);
		}
		if (!e->available)
			continue;
		fprintf(f, "value {arg=%d}{value=%s}{display=%s%s%s}{parent=category:%s}%s\n",
			ARG_PROBES, e->spec, e->name, e->description ? " - " : "",
			e->description ? e->description : "", c,
			!strcmp(e->name, "kfree_skb") ? "{default=true}" : "");
	}
	catalog_free(&cat);
}

static void print_reason_values(FILE *f, const struct btf *btf)
{
	struct reasons *r = btf ? reasons__new(btf) : NULL;
	uint32_t v;
	size_t i;

	for (i = 0; r && i < reasons__count(r); i++) {
		const char *n = reasons__at(r, i, &v);

		if (!strcmp(n, "NOT_DROPPED_YET") || !strcmp(n, "CONSUMED"))
			continue;
		fprintf(f, "value {arg=%d}{value=%s}{display=%s (%u)}\n", ARG_REASONS, n, n, v);
	}
	reasons__free(r);
}

/* The devices of bpfcap's namespace as values of arg; the first one the default if asked. */
static void print_device_values(FILE *f, int arg, bool first_default)
{
	struct if_nameindex *ni = if_nameindex(), *p;

	for (p = ni; p && p->if_index; p++)
		fprintf(f, "value {arg=%d}{value=%s}{display=%s (%u)}%s\n", arg, p->if_name,
			p->if_name, p->if_index, first_default && p == ni ? "{default=true}" : "");
	if (ni)
		if_freenameindex(ni);
}

/* Loaded programs that carry a bpfcap_events map. Listing programs needs CAP_SYS_ADMIN. */
static void print_prog_values(FILE *f)
{
	__u32 id = 0;
	int n = 0;

	while (bpf_prog_get_next_id(id, &id) == 0) {
		struct bpf_prog_info info;
		__u32 il = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id), mfd;

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		mfd = bpf_obj_get_info_by_fd(fd, &info, &il) ? -1 : capture_prog_events_map(fd);
		if (mfd >= 0) {
			fprintf(f, "value {arg=%d}{value=%u}{display=%s (id %u)}%s\n", ARG_PROG, id,
				info.name[0] ? info.name : "?", id, n ? "" : "{default=true}");
			n++;
			close(mfd);
		}
		close(fd);
	}
	if (!n)
		fprintf(f,
			"value {arg=%d}{value=}{display=(none found%s: use Program id or Map)}\n",
			ARG_PROG, errno == EPERM ? "; listing programs needs root" : "");
}

int extcap_print_config(FILE *f, const char *iface, const char *wireshark_version,
			const struct btf *btf, const char *reload_call)
{
	const struct extcap_if *x = find_iface(iface);
	int ver = ws_version(wireshark_version);

	if (!x)
		return -1;
	if (reload_call) {
		while (*reload_call == '-')
			reload_call++;
		if (!strcmp(reload_call, "probes") && x->kind == IF_CHOICE)
			print_probe_values(f, btf);
		else if (!strcmp(reload_call, "device") && (x->kind == IF_XDP || x->kind == IF_TC))
			print_device_values(f, ARG_HOOK_DEVICE, true);
		else if (!strcmp(reload_call, "prog") && x->kind == IF_PROG)
			print_prog_values(f);
		return 0;
	}
	if (x->kind == IF_XDP || x->kind == IF_TC) {
		fprintf(f,
			"arg {number=%d}{call=--device}{display=Device}{type=selector}"
			"{tooltip=The network device to attach to}{required=true}{reload=true}"
			"{placeholder=Reload}{group=Capture}\n",
			ARG_HOOK_DEVICE);
		print_device_values(f, ARG_HOOK_DEVICE, true);
	}
	if (x->kind == IF_TC) {
		fprintf(f,
			"arg {number=%d}{call=--direction}{display=Direction}{type=radio}"
			"{default=both}{group=Capture}\n",
			ARG_TC_DIRECTION);
		fprintf(f, "value {arg=%d}{value=both}{display=ingress and egress}{default=true}\n",
			ARG_TC_DIRECTION);
		fprintf(f, "value {arg=%d}{value=ingress}{display=ingress}\n", ARG_TC_DIRECTION);
		fprintf(f, "value {arg=%d}{value=egress}{display=egress}\n", ARG_TC_DIRECTION);
	}
	if (x->kind == IF_PROG) {
		fprintf(f,
			"arg {number=%d}{call=--prog}{display=Program}{type=selector}"
			"{tooltip=Loaded programs with a bpfcap_events map}{reload=true}"
			"{placeholder=Reload}{group=Capture}\n",
			ARG_PROG);
		print_prog_values(f);
		fprintf(f,
			"arg {number=%d}{call=--prog-id}{display=Program id}{type=unsigned}"
			"{tooltip=A program id from 'bpftool prog show' (instead of the list)}"
			"{group=Capture}\n",
			ARG_PROG_ID);
		fprintf(f,
			"arg {number=%d}{call=--map}{display=Pinned map}{type=fileselect}"
			"{mustexist=true}{tooltip=A pinned bpfcap_events map, e.g. /sys/fs/bpf/...}"
			"{group=Capture}\n",
			ARG_MAP_PATH);
	}
	if (x->kind == IF_CHOICE) {
		fprintf(f,
			"arg {number=%d}{call=--probes}{display=Probes}{type=multicheck}"
			"{tooltip=Tracepoints of this kernel that carry a struct sk_buff}"
			"{reload=true}{placeholder=Reload}{group=Capture}\n",
			ARG_PROBES);
		print_probe_values(f, btf);
		fprintf(f,
			"arg {number=%d}{call=--probe-spec}{display=More probes}{type=string}"
			"{tooltip=Probe specs separated by commas, e.g. "
			"tp:net:netif_rx,tp:skb:consume_skb:arg0}"
			"{placeholder=tp:CATEGORY:NAME[:argN],...}{group=Capture}\n",
			ARG_PROBE_SPEC);
	}
	fprintf(f,
		"arg {number=%d}{call=--proto}{display=Link layer}{type=selector}"
		"{tooltip=auto: Ethernet when the packet has a MAC header, else Linux cooked v2; "
		"eth: always Ethernet; ip: raw IP}{default=auto}{group=Capture}\n",
		ARG_PROTO);
	fprintf(f,
		"value {arg=%d}{value=auto}{display=auto (Ethernet or Linux cooked v2)}"
		"{default=true}\n",
		ARG_PROTO);
	fprintf(f, "value {arg=%d}{value=eth}{display=Ethernet (synthesised where missing)}\n",
		ARG_PROTO);
	fprintf(f, "value {arg=%d}{value=ip}{display=raw IP}\n", ARG_PROTO);
	fprintf(f,
		"arg {number=%d}{call=--snaplen}{display=Snapshot length}{type=unsigned}"
		"{range=1,262144}{default=262144}{tooltip=Bytes kept per packet}{group=Capture}\n",
		ARG_SNAPLEN);
	/* editselector (a list plus free text) exists from Wireshark 4.2 on; device hooks name
	 * their device above */
	if (x->kind != IF_XDP && x->kind != IF_TC) {
		fprintf(f,
			"arg {number=%d}{call=--device}{display=Device}{type=%s}"
			"{tooltip=Only packets of this network device (name or index)}"
			"{placeholder=any}{group=Filter}\n",
			ARG_DEVICE, ver >= 402 ? "editselector" : "string");
		if (ver >= 402)
			print_device_values(f, ARG_DEVICE, false);
	} /* not a device hook */
	fprintf(f,
		"arg {number=%d}{call=--netns}{display=Network namespace}{type=string}"
		"{tooltip=Only packets of this network namespace: /run/netns/NAME, "
		"/proc/PID/ns/net or an inode number}{placeholder=any}{group=Filter}\n",
		ARG_NETNS);
	if (x->reasons) {
		fprintf(f,
			"arg {number=%d}{call=--reasons}{display=Drop reasons}{type=multicheck}"
			"{tooltip=Only drops with these reasons (none checked: all)}"
			"{group=Filter}\n",
			ARG_REASONS);
		print_reason_values(f, btf);
	}
	if (x->kind != IF_XDP && x->kind != IF_TC && x->kind != IF_PROG) /* skb probes */
		fprintf(f,
			"arg {number=%d}{call=--stack}{display=Kernel stack of each packet}"
			"{type=boolflag}{default=false}"
			"{tooltip=The kernel call stack where the probe saw the packet "
			"(bpfcap.stack.frame); costs 1-2 microseconds per packet}"
			"{group=Capture}\n",
			ARG_STACK);
	fprintf(f,
		"arg {number=%d}{call=--ring-size}{display=Ring buffer size}{type=string}"
		"{default=16M}{validation=^[0-9]+[KkMmGg]?$}"
		"{tooltip=Kernel ring buffer, 256K to 1G}{group=Advanced}\n",
		ARG_RING_SIZE);
	fprintf(f,
		"arg {number=%d}{call=--no-skb-output}{display=Linear bytes only}"
		"{type=boolflag}{default=false}"
		"{tooltip=Do not read paged fragments (bpf_skb_output)}{group=Advanced}\n",
		ARG_NO_SKB_OUTPUT);
	fprintf(f,
		"arg {number=%d}{call=--log-level}{display=Log level}{type=selector}"
		"{default=warning}{group=Debug}\n",
		ARG_LOG_LEVEL);
	fprintf(f, "value {arg=%d}{value=error}{display=error}\n", ARG_LOG_LEVEL);
	fprintf(f, "value {arg=%d}{value=warning}{display=warning}{default=true}\n", ARG_LOG_LEVEL);
	fprintf(f, "value {arg=%d}{value=info}{display=info}\n", ARG_LOG_LEVEL);
	fprintf(f, "value {arg=%d}{value=debug}{display=debug}\n", ARG_LOG_LEVEL);
	fprintf(f,
		"arg {number=%d}{call=--log-file}{display=Log file}{type=fileselect}"
		"{mustexist=false}{tooltip=Where bpfcap writes its log}{group=Debug}\n",
		ARG_LOG_FILE);
	return 0;
}

void extcap_check_filter(const char *filter, char *msg, size_t len)
{
	struct filter f;
	char err[512];

	msg[0] = '\0';
	if (!filter || !*filter)
		return;
	/* with the stubs of the object the capture loads: a filter Wireshark shows as valid must
	 * not be refused as too large when the capture starts */
	if (filter_compile(filter, capture_filter_slots(), &f, err, sizeof(err)))
		snprintf(msg, len, "%s", err);
	filter_free(&f);
}

/* ---- control pipes (GUI toolbar) ---- */

struct control {
	const char *in_path, *out_path;
	atomic_int out_fd;
	pthread_t in_th, out_th;
	bool in_started, out_started;
};

static void *control_in(void *arg)
{
	struct control *c = arg;
	char buf[4096];
	int fd;

	/* Wireshark blocks at capture start until this end is open for reading. */
	fd = open(c->in_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	while (read(fd, buf, sizeof(buf)) > 0)
		; /* no settable controls: read and ignore (Initialized, ...) */
	close(fd);
	return NULL;
}

static void *control_out(void *arg)
{
	struct control *c = arg;
	int fd = open(c->out_path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		/* never let a slow GUI block the capture */
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		atomic_store(&c->out_fd, fd);
	}
	return NULL;
}

static void control_send(struct control *c, int num, int cmd, const char *payload)
{
	int fd = atomic_load(&c->out_fd);
	size_t n = strlen(payload);
	unsigned char hdr[6];
	char msg[1100];

	if (fd < 0)
		return;
	if (n > sizeof(msg) - sizeof(hdr))
		n = sizeof(msg) - sizeof(hdr);
	hdr[0] = 'T';
	hdr[1] = (unsigned char)((n + 2) >> 16);
	hdr[2] = (unsigned char)((n + 2) >> 8);
	hdr[3] = (unsigned char)(n + 2);
	hdr[4] = (unsigned char)num;
	hdr[5] = (unsigned char)cmd;
	memcpy(msg, hdr, sizeof(hdr));
	memcpy(msg + sizeof(hdr), payload, n);
	if (write(fd, msg, sizeof(hdr) + n) < 0 && errno != EAGAIN)
		pr_debug("control pipe: %s", strerror(errno));
}

static void on_progress(void *ctx, const char *line)
{
	struct control *c = ctx;
	char l[1100];

	control_send(c, CTRL_ARG_NONE, CTRL_CMD_STATUSBAR, line);
	snprintf(l, sizeof(l), "%s\n", line);
	control_send(c, CTRL_LOGGER, CTRL_CMD_ADD, l);
	pr_info("%s", line);
}

/* ---- argument parsing ---- */

enum {
	X_INTERFACES = 300,
	X_VERSION,
	X_INTERFACE,
	X_DLTS,
	X_CONFIG,
	X_RELOAD,
	X_FILTER,
	X_CAPTURE,
	X_FIFO,
	X_CTRL_IN,
	X_CTRL_OUT,
	X_PROBES,
	X_PROBE_SPEC,
	X_PROTO,
	X_SNAPLEN,
	X_DEVICE,
	X_NETNS,
	X_REASONS,
	X_RING_SIZE,
	X_NO_SKB_OUTPUT,
	X_LOG_LEVEL,
	X_LOG_FILE,
	X_DEBUG,
	X_DIRECTION,
	X_PROG,
	X_PROG_ID,
	X_MAP,
	X_STACK,
};

static const struct option xopts[] = {
	{ "extcap-interfaces", no_argument, NULL, X_INTERFACES },
	{ "extcap-version", optional_argument, NULL, X_VERSION },
	{ "extcap-interface", required_argument, NULL, X_INTERFACE },
	{ "extcap-dlts", no_argument, NULL, X_DLTS },
	{ "extcap-config", no_argument, NULL, X_CONFIG },
	{ "extcap-reload-option", required_argument, NULL, X_RELOAD },
	{ "extcap-capture-filter", required_argument, NULL, X_FILTER },
	{ "capture", no_argument, NULL, X_CAPTURE },
	{ "fifo", required_argument, NULL, X_FIFO },
	{ "extcap-control-in", required_argument, NULL, X_CTRL_IN },
	{ "extcap-control-out", required_argument, NULL, X_CTRL_OUT },
	{ "probes", required_argument, NULL, X_PROBES },
	{ "probe-spec", required_argument, NULL, X_PROBE_SPEC },
	{ "proto", required_argument, NULL, X_PROTO },
	{ "snaplen", required_argument, NULL, X_SNAPLEN },
	{ "device", required_argument, NULL, X_DEVICE },
	{ "netns", required_argument, NULL, X_NETNS },
	{ "reasons", required_argument, NULL, X_REASONS },
	{ "ring-size", required_argument, NULL, X_RING_SIZE },
	{ "no-skb-output", no_argument, NULL, X_NO_SKB_OUTPUT },
	{ "log-level", required_argument, NULL, X_LOG_LEVEL },
	{ "log-file", required_argument, NULL, X_LOG_FILE },
	{ "debug", no_argument, NULL, X_DEBUG },
	{ "direction", required_argument, NULL, X_DIRECTION },
	{ "prog", required_argument, NULL, X_PROG },
	{ "prog-id", required_argument, NULL, X_PROG_ID },
	{ "map", required_argument, NULL, X_MAP },
	{ "stack", no_argument, NULL, X_STACK },
	{ NULL, 0, NULL, 0 },
};

struct xargs {
	bool interfaces, dlts, config, capture;
	const char *version, *iface, *reload, *filter, *fifo, *ctrl_in, *ctrl_out;
	const char *probes, *probe_spec, *proto, *snaplen, *device, *netns, *reasons, *ring_size;
	const char *log_level, *log_file;
	const char *direction, *prog, *prog_id, *map;
	bool no_skb_output, debug, stack;
	const char *unknown;
};

static void parse_xargs(int argc, char **argv, struct xargs *a)
{
	int o;

	memset(a, 0, sizeof(*a));
	optind = 0; /* 0: glibc re-initialises its getopt state */
	opterr = 0;
	while ((o = getopt_long(argc, argv, "", xopts, NULL)) != -1) {
		switch (o) {
		case X_INTERFACES: a->interfaces = true; break;
		case X_VERSION: a->version = optarg; break;
		case X_INTERFACE: a->iface = optarg; break;
		case X_DLTS: a->dlts = true; break;
		case X_CONFIG: a->config = true; break;
		case X_RELOAD: a->reload = optarg; break;
		case X_FILTER: a->filter = optarg; break;
		case X_CAPTURE: a->capture = true; break;
		case X_FIFO: a->fifo = optarg; break;
		case X_CTRL_IN: a->ctrl_in = optarg; break;
		case X_CTRL_OUT: a->ctrl_out = optarg; break;
		case X_PROBES: a->probes = optarg; break;
		case X_PROBE_SPEC: a->probe_spec = optarg; break;
		case X_PROTO: a->proto = optarg; break;
		case X_SNAPLEN: a->snaplen = optarg; break;
		case X_DEVICE: a->device = optarg; break;
		case X_NETNS: a->netns = optarg; break;
		case X_REASONS: a->reasons = optarg; break;
		case X_RING_SIZE: a->ring_size = optarg; break;
		case X_NO_SKB_OUTPUT: a->no_skb_output = true; break;
		case X_STACK: a->stack = true; break;
		case X_LOG_LEVEL: a->log_level = optarg; break;
		case X_LOG_FILE: a->log_file = optarg; break;
		case X_DEBUG: a->debug = true; break;
		case X_DIRECTION: a->direction = optarg; break;
		case X_PROG: a->prog = optarg; break;
		case X_PROG_ID: a->prog_id = optarg; break;
		case X_MAP: a->map = optarg; break;
		default:
			if (!a->unknown)
				a->unknown = argv[optind - 1];
			break;
		}
	}
	if (optind < argc && !a->unknown)
		a->unknown = argv[optind];
}

/* Splits "a,b c" into probe specs. 0, or -1 with err set. */
static int add_probes(struct cli *c, const char *list, char *err, size_t errlen)
{
	char buf[4096], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		if (!strncmp(tok, "category:", 9))
			continue; /* a parent node of the multicheck */
		if (c->nprobes >= BPFCAP_MAX_PROBES) {
			snprintf(err, errlen, "too many probes (at most %d)", BPFCAP_MAX_PROBES);
			return -1;
		}
		if (probe_spec_parse(tok, &c->probes[c->nprobes], err, errlen))
			return -1;
		c->nprobes++;
	}
	return 0;
}

static int build_cli(const struct xargs *a, const struct extcap_if *x, struct cli *c, char *err,
		     size_t errlen)
{
	uint64_t v;

	memset(c, 0, sizeof(*c));
	c->cmd = CMD_CAPTURE;
	c->snaplen = CLI_SNAPLEN_DEFAULT;
	c->ring_size = CLI_RING_DEFAULT;
	if (x->kind == IF_XDP || x->kind == IF_TC) {
		char spec[128];
		const char *d = a->direction && *a->direction ? a->direction : "both";

		if (!a->device || !*a->device) {
			snprintf(err, errlen, "choose a device for %s (interface options)",
				 x->value);
			return -1;
		}
		if (x->kind == IF_XDP) {
			snprintf(spec, sizeof(spec), "xdp:%s", a->device);
		} else if (!strcmp(d, "both")) {
			snprintf(spec, sizeof(spec), "tc:%s:ingress,tc:%s:egress", a->device,
				 a->device);
		} else {
			snprintf(spec, sizeof(spec), "tc:%s:%s", a->device, d);
		}
		if (add_probes(c, spec, err, errlen))
			return -1;
	} else if (x->kind == IF_PROG) {
		char spec[300];

		if (a->map && *a->map)
			snprintf(spec, sizeof(spec), "map:%s", a->map);
		else if (a->prog_id && *a->prog_id && strcmp(a->prog_id, "0"))
			snprintf(spec, sizeof(spec), "prog:%s", a->prog_id);
		else if (a->prog && *a->prog)
			snprintf(spec, sizeof(spec), "prog:%s", a->prog);
		else {
			snprintf(err, errlen,
				 "choose a program or a pinned map for bpf_prog "
				 "(interface options)");
			return -1;
		}
		if (add_probes(c, spec, err, errlen))
			return -1;
	} else if (x->probe) {
		if (add_probes(c, x->probe, err, errlen))
			return -1;
	} else {
		if (a->probes && add_probes(c, a->probes, err, errlen))
			return -1;
		if (a->probe_spec && add_probes(c, a->probe_spec, err, errlen))
			return -1;
		if (!c->nprobes && add_probes(c, "tp:skb:kfree_skb", err, errlen))
			return -1;
	}
	if (a->proto && *a->proto) {
		if (!strcmp(a->proto, "auto"))
			c->proto = PROTO_AUTO;
		else if (!strcmp(a->proto, "eth"))
			c->proto = PROTO_ETH;
		else if (!strcmp(a->proto, "ip"))
			c->proto = PROTO_IP;
		else {
			snprintf(err, errlen, "invalid link layer '%s'; use auto, eth or ip",
				 a->proto);
			return -1;
		}
	}
	if (a->snaplen && *a->snaplen) {
		if (cli_parse_u64(a->snaplen, 0, CLI_SNAPLEN_MAX, &v)) {
			snprintf(err, errlen, "invalid snapshot length '%s'; use 1 to %u",
				 a->snaplen, CLI_SNAPLEN_MAX);
			return -1;
		}
		c->snaplen = v ? (uint32_t)v : CLI_SNAPLEN_DEFAULT;
	}
	if (a->ring_size && *a->ring_size) {
		if (cli_parse_size(a->ring_size, &v) || v < CLI_RING_MIN || v > CLI_RING_MAX) {
			snprintf(err, errlen, "invalid ring buffer size '%s'; use 256K to 1G",
				 a->ring_size);
			return -1;
		}
		while (v & (v - 1))
			v = (v | (v - 1)) + 1;
		c->ring_size = v;
	}
	if (a->device && *a->device && strcmp(a->device, "any") != 0 && x->kind != IF_XDP &&
	    x->kind != IF_TC)
		c->device = a->device;
	if (a->netns && *a->netns && strcmp(a->netns, "any") != 0)
		c->netns = a->netns;
	/* never cut a list short: a reason or a filter cut in two is another one, or none */
	if (a->reasons && *a->reasons && x->reasons) {
		if (strlen(a->reasons) >= sizeof(c->reasons)) {
			snprintf(err, errlen,
				 "too many drop reasons selected (%zu characters, at most %zu); "
				 "select fewer, or none for all",
				 strlen(a->reasons), sizeof(c->reasons) - 1);
			return -1;
		}
		snprintf(c->reasons, sizeof(c->reasons), "%s", a->reasons);
	}
	c->no_skb_output = a->no_skb_output;
	c->stack = a->stack;
	if (a->filter && *a->filter) {
		if (strlen(a->filter) >= sizeof(c->filter)) {
			snprintf(err, errlen,
				 "capture filter too long (%zu characters, at most %zu)",
				 strlen(a->filter), sizeof(c->filter) - 1);
			return -1;
		}
		extcap_check_filter(a->filter, err, errlen);
		if (*err)
			return -1;
		snprintf(c->filter, sizeof(c->filter), "%s", a->filter);
	}
	return 0;
}

static enum log_level parse_level(const char *s)
{
	if (!s)
		return LOG_WARN;
	if (!strcmp(s, "error"))
		return LOG_ERROR;
	if (!strcmp(s, "info"))
		return LOG_INFO;
	if (!strcmp(s, "debug"))
		return LOG_DEBUG;
	return LOG_WARN;
}

static int do_capture(const struct xargs *a, const struct extcap_if *x)
{
	struct control ctl = { .in_path = a->ctrl_in, .out_path = a->ctrl_out };
	struct run_opts ro = { .out_fd = -1, .drop_caps = true };
	struct cli c;
	char err[512] = "";
	struct stat st;
	int fd, ret;

	atomic_init(&ctl.out_fd, -1);
	if (build_cli(a, x, &c, err, sizeof(err))) {
		pr_err("%s", err);
		return 1;
	}
	if (!a->fifo) {
		pr_err("--capture needs --fifo PATH");
		return 1;
	}
	run_install_signals();
	if (!strcmp(a->fifo, "-"))
		fd = STDOUT_FILENO;
	else
		fd = open(a->fifo, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		pr_err("cannot open the FIFO '%s': %s", a->fifo, strerror(errno));
		return 1;
	}
	/* Right after the FIFO: the GUI waits for the control pipes to be opened. */
	if (a->ctrl_in && pthread_create(&ctl.in_th, NULL, control_in, &ctl) == 0)
		ctl.in_started = true;
	if (a->ctrl_out && pthread_create(&ctl.out_th, NULL, control_out, &ctl) == 0)
		ctl.out_started = true;
	ro.cli = &c;
	ro.out_fd = fd;
	/* a regular file given as --fifo (scripts): replaced once the capture starts, no tail */
	ro.out_truncate = fd != STDOUT_FILENO && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	ro.header_early = true;
	ro.summary = log_get_level() >= LOG_INFO ? log_stream() : NULL;
	ro.progress = on_progress;
	ro.progress_ctx = &ctl;
	pr_info("capturing on %s (%d probe%s)", x->value, c.nprobes, c.nprobes == 1 ? "" : "s");
	ret = run_capture(&ro);
	if (fd != STDOUT_FILENO)
		close(fd);
	if (atomic_load(&ctl.out_fd) >= 0)
		close(atomic_load(&ctl.out_fd));
	/* the control threads may still wait in open(); they end with the process */
	if (ctl.in_started)
		pthread_detach(ctl.in_th);
	if (ctl.out_started)
		pthread_detach(ctl.out_th);
	return ret ? 1 : 0;
}

int extcap_main(int argc, char **argv)
{
	const struct extcap_if *x;
	struct xargs a;
	struct btf *btf;
	int ret;

	parse_xargs(argc, argv, &a);
	/* stderr is shown to the Wireshark user as an error: only real errors go there */
	log_setup(a.debug ? LOG_DEBUG : parse_level(a.log_level), NULL, 1);
	if (a.log_file && *a.log_file && log_set_file(a.log_file))
		pr_warn("cannot open log file '%s'", a.log_file);

	if (a.interfaces) {
		extcap_print_interfaces(stdout, a.version);
		return 0;
	}
	x = find_iface(a.iface);
	if (a.dlts) {
		if (!x) {
			pr_err("unknown interface '%s'", a.iface ? a.iface : "");
			return 1;
		}
		extcap_print_dlts(stdout, a.iface);
		return 0;
	}
	if (a.config) {
		if (!x) {
			pr_err("unknown interface '%s'", a.iface ? a.iface : "");
			return 1;
		}
		log_setup(LOG_ERROR, NULL, 1); /* query modes: nothing on stderr but errors */
		btf = btf__parse("/sys/kernel/btf/vmlinux", NULL);
		extcap_print_config(stdout, a.iface, a.version, btf, a.reload);
		btf__free(btf);
		return 0;
	}
	if (!a.capture && a.filter) {
		char msg[512];

		extcap_check_filter(a.filter, msg, sizeof(msg));
		if (*msg)
			printf("%s\n", msg);
		return 0;
	}
	if (a.capture) {
		if (!x) {
			pr_err("unknown interface '%s'; see bpfcap --extcap-interfaces",
			       a.iface ? a.iface : "");
			return 1;
		}
		if (a.unknown)
			pr_warn("ignoring unknown argument '%s'", a.unknown);
		ret = do_capture(&a, x);
		log_close();
		return ret;
	}
	pr_err("no extcap operation given (--extcap-interfaces, --extcap-config, --capture ...)");
	return 2;
}
