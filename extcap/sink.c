// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

#include "bpfcap/meta.h"
#include "ifnames.h"
#include "ksyms.h"
#include "log.h"
#include "pktsum.h"
#include "reasons.h"
#include "sink.h"

#define ARPHRD_ETHER	 1
#define ARPHRD_LOOPBACK	 772
#define PACKET_HOST	 0
#define PACKET_BROADCAST 1
#define PACKET_MULTICAST 2
#define PACKET_OTHERHOST 3
#define PACKET_OUTGOING	 4

struct iface {
	uint32_t probe, netns, ifindex;
	uint16_t linktype, dev_type;
	int id;
	uint64_t packets;
	char ifname[IF_NAMESIZE_MAX];
};

struct sink {
	struct sink_opts o;
	struct pcapng_writer *w;
	struct iface *ifs;
	unsigned nifs, capifs;
	int *primary; /* per probe: interface index (into ifs) that carries the lost count */
	struct sink_probe_stats *st;
	/* per probe, for every packet: the first word of its comments, its probe type */
	char (*label)[BPFCAP_META_STR_MAX];
	uint8_t *ptype;
	int64_t boot_off;
	uint64_t packets;
	uint8_t id_key[16]; /* SipHash key of the packet ids, random per capture */
	unsigned last_if;
	struct bpfcap_meta meta;
	uint8_t metabuf[BPFCAP_META_MAX_LEN];
	struct bpfcap_meta idb; /* the facts of the interface being added */
	uint8_t *vbuf; /* a frame with its out-of-band VLAN tag put back (BPFCAP_VLAN_BUF) */
	/* --stack: symbolised stacks by stack id, filled as records name them */
	sink_stack_fn stack_fn;
	void *stack_ctx;
	char **stacks;
	uint64_t stacks_missing;
	char comment[512];
	int done;
};

uint8_t sink_probe_type(int kind)
{
	switch (kind) {
	case PROBE_TP: return BPFCAP_PROBE_TRACEPOINT;
	case PROBE_RAW_TP: return BPFCAP_PROBE_RAW_TRACEPOINT;
	case PROBE_KPROBE: return BPFCAP_PROBE_KPROBE;
	case PROBE_FENTRY:
	case PROBE_FN: /* fentry unless the kernel refuses trampolines: the capture says */
	case PROBE_PROG_ENTRY: return BPFCAP_PROBE_FENTRY;
	case PROBE_FEXIT:
	case PROBE_PROG_EXIT: return BPFCAP_PROBE_FEXIT;
	case PROBE_XDP: return BPFCAP_PROBE_XDP;
	case PROBE_TC: return BPFCAP_PROBE_TC;
	case PROBE_PROG:
	case PROBE_MAP: return BPFCAP_PROBE_PROG;
	default: return BPFCAP_PROBE_TRACEPOINT;
	}
}

struct sink *sink__new(const struct sink_opts *o)
{
	struct sink *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->o = *o;
	s->primary = malloc(sizeof(*s->primary) * (size_t)o->nprobes);
	s->st = calloc((size_t)o->nprobes, sizeof(*s->st));
	s->label = calloc((size_t)o->nprobes, sizeof(*s->label));
	s->ptype = calloc((size_t)o->nprobes, sizeof(*s->ptype));
	if (!s->primary || !s->st || !s->label || !s->ptype)
		goto fail;
	for (int i = 0; i < o->nprobes; i++) {
		s->primary[i] = -1;
		bpfcap_meta_probe_label(o->probes[i].spec.text, s->label[i], sizeof(s->label[i]));
		s->ptype[i] = sink_probe_type(o->probes[i].spec.kind);
	}
	if (o->out_fd >= 0) {
		s->w = pcapng_writer__new(o->out_fd, o->format, o->bufsize ? o->bufsize : 1 << 20);
		if (!s->w)
			goto fail;
		if (o->stop)
			pcapng_writer__set_stop(s->w, o->stop, o->stop_timeout_ms);
	}
	if (getrandom(s->id_key, sizeof(s->id_key), 0) != sizeof(s->id_key)) {
		/* no randomness: ids that cannot be linked to addresses beat ids at all */
		pr_err("cannot get random bytes for packet ids: %s", strerror(errno));
		goto fail;
	}
	return s;
fail:
	sink__free(s);
	return NULL;
}

void sink__free(struct sink *s)
{
	if (!s)
		return;
	pcapng_writer__free(s->w);
	free(s->ifs);
	free(s->primary);
	free(s->st);
	free(s->label);
	free(s->ptype);
	free(s->vbuf);
	if (s->stacks)
		for (unsigned i = 0; i < BPFCAP_STACK_ENTRIES; i++)
			free(s->stacks[i]);
	free(s->stacks);
	free(s);
}

void sink__set_stacks(struct sink *s, sink_stack_fn fn, void *ctx)
{
	s->stack_fn = fn;
	s->stack_ctx = ctx;
}

uint64_t sink__stacks_missing(const struct sink *s)
{
	return s->stacks_missing;
}

/* Frames of the BPF machinery between the probe and the kernel code that handed over the
 * packet (the program, its trampoline or tracepoint glue): not part of the packet's path. */
static bool bpf_frame(const char *sym)
{
	static const char *const pfx[] = { "bpf_",	    "__bpf_",	    "__traceiter_",
					   "perf_trace_",   "kprobe_",	    "__kprobes_",
					   "ftrace_",	    "arch_ftrace_", "trace_call_bpf",
					   "__x64_sys_bpf", "rethook_",	    "fprobe_",
					   "kprobe_multi_", "__kretprobe_" };

	for (size_t i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++)
		if (!strncmp(sym, pfx[i], strlen(pfx[i])))
			return true;
	return false;
}

/* The stack as frames "sym+0xoff" separated by '\n', innermost first; NULL if none. */
static const char *stack_text(struct sink *s, uint32_t id)
{
	uint64_t ips[BPFCAP_STACK_DEPTH];
	char text[BPFCAP_META_STR_MAX * 4], sym[BPFCAP_META_STR_MAX];
	size_t len = 0;
	bool lead = true;
	int n;

	if (id >= BPFCAP_STACK_ENTRIES || !s->stack_fn)
		return NULL;
	if (!s->stacks && !(s->stacks = calloc(BPFCAP_STACK_ENTRIES, sizeof(*s->stacks))))
		return NULL;
	if (s->stacks[id]) /* a bucket is never overwritten: the id names one stack for good */
		return s->stacks[id];
	n = s->stack_fn(s->stack_ctx, id, ips, BPFCAP_STACK_DEPTH);
	if (n <= 0)
		return NULL;
	text[0] = '\0';
	for (int i = 0; i < n && ips[i]; i++) {
		size_t k;

		/* never a raw address: it would give away where the kernel is (KASLR) */
		if (!s->o.ksyms || ksyms__format(s->o.ksyms, ips[i], sym, sizeof(sym)))
			snprintf(sym, sizeof(sym), "?");
		if (lead && (bpf_frame(sym) || !strcmp(sym, "?")))
			continue; /* the BPF program and its glue, innermost */
		lead = false;
		k = strlen(sym);
		if (len + k + 2 > sizeof(text) && len) /* keep whole frames */
			break;
		if (len)
			text[len++] = '\n';
		memcpy(text + len, sym, k < sizeof(text) - len - 1 ? k : sizeof(text) - len - 1);
		len += k < sizeof(text) - len - 1 ? k : sizeof(text) - len - 1;
		text[len] = '\0';
	}
	if (!len)
		return NULL;
	s->stacks[id] = strdup(text);
	return s->stacks[id];
}

void sink__set_clock(struct sink *s, int64_t off)
{
	s->boot_off = off;
}

void sink__set_probe_type(struct sink *s, int probe, uint8_t type)
{
	if (probe >= 0 && probe < s->o.nprobes && type)
		s->ptype[probe] = type;
}

int sink__start(struct sink *s)
{
	char appl[64];

	if (!s->w)
		return 0;
	snprintf(appl, sizeof(appl), "bpfcap %s", BPFCAP_VERSION);
	return pcapng_writer__shb(s->w, appl, s->o.os, s->o.hardware, NULL);
}

#define ROTL64(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                   \
	do {                                                                                       \
		v0 += v1;                                                                          \
		v1 = ROTL64(v1, 13);                                                               \
		v1 ^= v0;                                                                          \
		v0 = ROTL64(v0, 32);                                                               \
		v2 += v3;                                                                          \
		v3 = ROTL64(v3, 16);                                                               \
		v3 ^= v2;                                                                          \
		v0 += v3;                                                                          \
		v3 = ROTL64(v3, 21);                                                               \
		v3 ^= v0;                                                                          \
		v2 += v1;                                                                          \
		v1 = ROTL64(v1, 17);                                                               \
		v1 ^= v2;                                                                          \
		v2 = ROTL64(v2, 32);                                                               \
	} while (0)

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* SipHash-2-4 of one 64-bit word (Aumasson and Bernstein's reference, 8-byte message): a
 * pseudo-random function of the key, so an id reveals nothing about the address without the
 * key, and a known (address, id) pair does not give the key away (the splitmix64 finaliser used
 * before is invertible: one packet with skb_addr 0 revealed every address). */
uint64_t sink_packet_id(const uint8_t key[16], uint64_t addr)
{
	uint64_t k0 = le64(key), k1 = le64(key + 8);
	uint64_t v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1;
	uint64_t v2 = 0x6c7967656e657261ull ^ k0, v3 = 0x7465646279746573ull ^ k1;
	uint64_t b = (uint64_t)8 << 56;

	v3 ^= addr;
	SIPROUND;
	SIPROUND;
	v0 ^= addr;
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

static void cpy(char *dst, size_t cap, const char *src, size_t max)
{
	size_t n = strnlen(src, max < cap - 1 ? max : cap - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static const char *linktype_name(uint16_t lt)
{
	switch (lt) {
	case LINKTYPE_ETHERNET: return "EN10MB";
	case LINKTYPE_RAW: return "RAW";
	case LINKTYPE_LINUX_SLL2: return "LINUX_SLL2";
	default: return "?";
	}
}

static int get_iface(struct sink *s, const struct bpfcap_event *ev, const char *ifname, uint16_t lt)
{
	const struct probe_info *pi = &s->o.probes[ev->probe_id];
	char name[160], desc[512];
	struct iface *f;
	unsigned i;
	int id;

	if (s->last_if < s->nifs) {
		f = &s->ifs[s->last_if];
		if (f->probe == ev->probe_id && f->netns == ev->netns &&
		    f->ifindex == ev->ifindex && f->linktype == lt)
			return (int)s->last_if;
	}
	for (i = 0; i < s->nifs; i++) {
		f = &s->ifs[i];
		if (f->probe == ev->probe_id && f->netns == ev->netns &&
		    f->ifindex == ev->ifindex && f->linktype == lt) {
			s->last_if = i;
			return (int)i;
		}
	}
	if (s->nifs == s->capifs) {
		unsigned cap = s->capifs ? s->capifs * 2 : 16;
		struct iface *n = realloc(s->ifs, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->ifs = n;
		s->capifs = cap;
	}
	snprintf(name, sizeof(name), "%s@%s",
		 ifname[0]     ? ifname
		 : ev->ifindex ? "?"
			       : "any",
		 pi->spec.name);
	/* the facts of the interface, which version-2 metadata leaves out of each packet */
	memset(&s->idb, 0, offsetof(struct bpfcap_meta, probe));
	cpy(s->idb.probe, sizeof(s->idb.probe), pi->spec.text, sizeof(pi->spec.text));
	BPFCAP_META_SET(&s->idb, BPFCAP_META_PROBE);
	s->idb.probe_id = ev->probe_id;
	BPFCAP_META_SET(&s->idb, BPFCAP_META_PROBE_ID);
	s->idb.probe_type = s->ptype[ev->probe_id];
	BPFCAP_META_SET(&s->idb, BPFCAP_META_PROBE_TYPE);
	s->idb.ifindex = ev->ifindex;
	BPFCAP_META_SET(&s->idb, BPFCAP_META_IFINDEX);
	cpy(s->idb.ifname, sizeof(s->idb.ifname), ifname, IF_NAMESIZE_MAX);
	if (ifname[0])
		BPFCAP_META_SET(&s->idb, BPFCAP_META_IFNAME);
	s->idb.netns = ev->netns;
	BPFCAP_META_SET(&s->idb, BPFCAP_META_NETNS);
	s->idb.dev_type = ev->dev_type;
	BPFCAP_META_SET(&s->idb, BPFCAP_META_DEV_TYPE);
	bpfcap_meta_format_idb(&s->idb, linktype_name(lt), s->o.filter, desc, sizeof(desc));
	id = s->w ? pcapng_writer__idb(s->w, lt, s->o.snaplen, name, desc, s->o.filter)
		  : (int)s->nifs;
	if (id < 0)
		return id;
	f = &s->ifs[s->nifs];
	memset(f, 0, sizeof(*f));
	f->probe = ev->probe_id;
	f->netns = ev->netns;
	f->ifindex = ev->ifindex;
	f->linktype = lt;
	f->dev_type = ev->dev_type;
	f->id = id;
	snprintf(f->ifname, sizeof(f->ifname), "%s", ifname);
	if (s->primary[ev->probe_id] < 0)
		s->primary[ev->probe_id] = (int)s->nifs;
	s->last_if = s->nifs;
	return (int)s->nifs++;
}

/* Fields a version-2 option leaves out: the interface's facts where this packet has the
 * same, and what the EPB holds (packet id, direction in the flags, queue). */
static uint64_t outside(const struct bpfcap_meta *m, const struct iface *f)
{
	uint64_t o = BPFCAP_META_IDB_FIELDS;

	if (m->ifindex != f->ifindex)
		o &= ~((uint64_t)1 << BPFCAP_META_IFINDEX);
	if (strcmp(m->ifname, f->ifname) != 0 || !m->ifname[0])
		o &= ~((uint64_t)1 << BPFCAP_META_IFNAME);
	if (m->dev_type != f->dev_type)
		o &= ~((uint64_t)1 << BPFCAP_META_DEV_TYPE);
	return o | ((uint64_t)1 << BPFCAP_META_SKB_ID) | ((uint64_t)1 << BPFCAP_META_DIRECTION) |
	       ((uint64_t)1 << BPFCAP_META_QUEUE);
}

static int direction(const struct sink *s, const struct bpfcap_event *ev)
{
	int hint = s->o.probes[ev->probe_id].dir_hint;

	if (hint)
		return hint;
	if (ev->pkt_type == PACKET_OUTGOING)
		return BPFCAP_DIR_OUT;
	/* received packets carry the input interface; locally generated ones do not */
	return ev->skb_iif ? BPFCAP_DIR_IN : BPFCAP_DIR_OUT;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

/* Largest record plus the tag */
#define BPFCAP_VLAN_BUF (BPFCAP_CAP_MAX + 4)

struct shaped {
	uint16_t linktype;
	bool vlan;	    /* the out-of-band tag is in the frame (bytes or link header) */
	uint32_t inserted;  /* bytes bpfcap put into data (the tag: 4) */
	uint8_t prefix[96]; /* link header, then synthesised IP+TCP headers */
	uint32_t prefix_len;
	const uint8_t *data;
	uint32_t len;	 /* captured bytes from data */
	uint32_t strip;	 /* bytes removed from the front of the capture */
	uint16_t l3type; /* ethertype of what starts at the L3 offset, 0 if unknown */
	int32_t l3off;	 /* L3 offset within data (after stripping), -1 if none */
};

/* Ethertype and L3 offset of the captured bytes. */
static void l3_of(const struct bpfcap_event *ev, const uint8_t *d, uint32_t caplen, bool eth,
		  uint32_t *off, uint16_t *type)
{
	uint32_t o = 0;
	uint16_t t = 0;

	*off = UINT32_MAX;
	*type = 0;
	if (eth) {
		if (caplen < 14)
			return;
		o = 12;
		t = (uint16_t)((d[o] << 8) | d[o + 1]);
		o += 2;
		while ((t == 0x8100 || t == 0x88a8) && o + 4 <= caplen) {
			t = (uint16_t)((d[o + 2] << 8) | d[o + 3]);
			o += 4;
		}
		*off = o;
		*type = t;
		return;
	}
	if (ev->start == BPFCAP_START_MAC && ev->net_off != 0xffff)
		o = ev->net_off;
	else if (ev->start == BPFCAP_START_MAC)
		return;
	if (o > caplen)
		return;
	t = ev->protocol;
	/* trust skb->protocol for IP only when the bytes agree */
	if (t == 0x0800 || t == 0x86dd || t == 0) {
		uint16_t v = pktsum_ip_ethertype(d + o, caplen - o);

		if (!v && ev->start == BPFCAP_START_DATA)
			return; /* no header known: payload only */
		if (v)
			t = v;
	}
	*off = o;
	*type = t;
}

static uint16_t csum16(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)((p[i] << 8) | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* IP + TCP headers for a segment that had none at the hook (BPFCAP_EV_TCP_SYNTH). */
static uint32_t synth_tcp(const struct bpfcap_event *ev, uint8_t *p, uint16_t *ethertype)
{
	uint32_t plen = ev->len, hl;
	uint8_t *tcp;

	if (ev->tcp.family == 2) {
		hl = 20;
		memset(p, 0, hl + 20);
		p[0] = 0x45;
		put_be16(p + 2, (uint16_t)(plen + 40 > 65535 ? 65535 : plen + 40));
		p[6] = 0x40; /* DF */
		p[8] = 64;
		p[9] = 6;
		memcpy(p + 12, ev->tcp.saddr, 4);
		memcpy(p + 16, ev->tcp.daddr, 4);
		put_be16(p + 10, csum16(p, 20));
		*ethertype = 0x0800;
	} else {
		hl = 40;
		memset(p, 0, hl + 20);
		p[0] = 0x60;
		put_be16(p + 4, (uint16_t)(plen + 20 > 65535 ? 65535 : plen + 20));
		p[6] = 6;
		p[7] = 64;
		memcpy(p + 8, ev->tcp.saddr, 16);
		memcpy(p + 24, ev->tcp.daddr, 16);
		*ethertype = 0x86dd;
	}
	tcp = p + hl;
	put_be16(tcp, ev->tcp.sport);
	put_be16(tcp + 2, ev->tcp.dport);
	put_be32(tcp + 4, ev->tcp.seq);
	tcp[12] = 5 << 4;
	tcp[13] = ev->tcp.flags;
	return hl + 20;
}

/* A synthesised link header. An out-of-band VLAN tag (vlan_proto != 0) goes where libpcap puts
 * it in its cooked headers: the protocol field says the TPID, and TCI plus the real protocol
 * follow the header (Wireshark's VLAN dissector reads them from there). */
static void link_hdr(const struct bpfcap_event *ev, enum proto_mode mode, uint16_t type,
		     uint16_t vlan_proto, struct shaped *sh)
{
	uint16_t outer = vlan_proto ? vlan_proto : type;

	if (mode == PROTO_IP) {
		sh->linktype = LINKTYPE_RAW;
		sh->prefix_len = 0;
		vlan_proto = 0; /* no link header, no place for a tag: the metadata keeps it */
	} else if (mode == PROTO_ETH) {
		sh->linktype = LINKTYPE_ETHERNET;
		memset(sh->prefix, 0, 12);
		put_be16(sh->prefix + 12, outer);
		sh->prefix_len = 14;
	} else {
		/* LINUX_SLL2: protocol, reserved, ifindex, hatype, pkttype, addr len, addr[8] */
		sh->linktype = LINKTYPE_LINUX_SLL2;
		memset(sh->prefix, 0, 20);
		put_be16(sh->prefix, outer);
		put_be32(sh->prefix + 4, ev->ifindex ? ev->ifindex : ev->skb_iif);
		put_be16(sh->prefix + 8, ev->dev_type);
		sh->prefix[10] = ev->pkt_type;
		sh->prefix_len = 20;
	}
	if (vlan_proto) {
		put_be16(sh->prefix + sh->prefix_len, ev->vlan.tci);
		put_be16(sh->prefix + sh->prefix_len + 2, type);
		sh->prefix_len += 4;
		sh->vlan = true;
	}
	sh->l3off = (int32_t)sh->prefix_len;
}

static int shape(struct sink *s, const struct bpfcap_event *ev, const uint8_t *d, struct shaped *sh)
{
	/* an Ethernet frame cut short by the snap length is still one (as tcpdump -s writes it),
	 * and it is what the kernel-side filter took it for */
	bool eth = ev->start == BPFCAP_START_MAC &&
		   (ev->dev_type == ARPHRD_ETHER || ev->dev_type == ARPHRD_LOOPBACK) &&
		   (ev->net_off == 0xffff || ev->net_off >= 14);
	enum proto_mode mode = s->o.proto;
	uint16_t vlan = ev->flags & BPFCAP_EV_TCP_SYNTH ? 0 : ev->vlan.proto;
	uint32_t off, caplen = ev->cap_len;
	uint16_t type;

	memset(sh, 0, sizeof(*sh));
	if (s->o.format == FORMAT_PCAP && mode == PROTO_AUTO)
		mode = PROTO_ETH; /* classic pcap: one link type that every reader knows */
	if (ev->flags & BPFCAP_EV_TCP_SYNTH) {
		uint8_t hdr[60];
		uint32_t hl = synth_tcp(ev, hdr, &type);

		link_hdr(ev, mode, type, 0, sh);
		memcpy(sh->prefix + sh->prefix_len, hdr, hl);
		sh->prefix_len += hl;
		sh->data = d;
		sh->len = ev->cap_len;
		sh->l3type = type;
		return 0;
	}
	if (vlan && eth && mode != PROTO_IP && caplen >= 12 && caplen <= BPFCAP_CAP_MAX) {
		/* the tag the skb carries out of band, back after the MAC addresses (libpcap does
		 * the same with PACKET_AUXDATA); a frame cut before its type field stays as is */
		if (!s->vbuf && !(s->vbuf = malloc(BPFCAP_VLAN_BUF)))
			return -ENOMEM;
		memcpy(s->vbuf, d, 12);
		put_be16(s->vbuf + 12, vlan);
		put_be16(s->vbuf + 14, ev->vlan.tci);
		memcpy(s->vbuf + 16, d + 12, caplen - 12);
		d = s->vbuf;
		caplen += 4;
		sh->inserted = 4;
		sh->vlan = true;
	}
	l3_of(ev, d, caplen, eth, &off, &type);
	sh->data = d;
	sh->len = caplen;
	sh->l3type = type;
	sh->l3off = off == UINT32_MAX ? -1 : (int32_t)off;

	if (mode == PROTO_IP) {
		if (off == UINT32_MAX || (type != 0x0800 && type != 0x86dd))
			return -1; /* not IP */
		sh->linktype = LINKTYPE_RAW;
		sh->data = d + off;
		sh->len = caplen - off;
		sh->strip = off;
		sh->l3off = 0;
		return 0;
	}
	if (eth) {
		sh->linktype = LINKTYPE_ETHERNET;
		return 0;
	}
	if (off == UINT32_MAX) {
		off = 0; /* unknown layout: keep the bytes, describe them as well as we can */
		type = ev->protocol;
	}
	sh->data = d + off;
	sh->len = caplen - off;
	sh->strip = off;
	sh->l3type = type;
	link_hdr(ev, mode == PROTO_ETH ? PROTO_ETH : PROTO_AUTO, type, vlan, sh);
	return 0;
}

/* strlcpy for the hot path (snprintf costs more than the rest of a packet) */
static void fill_meta(struct sink *s, const struct bpfcap_event *ev, const char *ifname,
		      uint64_t skb_id, int dir, bool vlan_restored)
{
	const struct probe_info *pi = &s->o.probes[ev->probe_id];
	struct bpfcap_meta *m = &s->meta;

	m->present = 0;
	m->flags = 0;
#define SET(t) BPFCAP_META_SET(m, BPFCAP_META_##t)
	m->probe_id = ev->probe_id;
	SET(PROBE_ID);
	cpy(m->probe, sizeof(m->probe), pi->spec.text, sizeof(pi->spec.text));
	SET(PROBE);
	m->probe_type = s->ptype[ev->probe_id];
	SET(PROBE_TYPE);
	m->cpu = ev->cpu;
	SET(CPU);
	m->ifindex = ev->ifindex ? ev->ifindex : ev->skb_iif;
	SET(IFINDEX);
	cpy(m->ifname, sizeof(m->ifname), ifname, IF_NAMESIZE_MAX);
	if (ifname[0])
		SET(IFNAME);
	m->netns = ev->netns;
	SET(NETNS);
	m->skb_len = ev->len;
	SET(SKB_LEN);
	m->data_len = ev->data_len;
	SET(DATA_LEN);
	m->trunc = 0;
	if (ev->cap_len < ev->pre_len + ev->len) {
		if (ev->flags & BPFCAP_EV_PAGED_MISSED)
			m->trunc |= BPFCAP_TRUNC_PAGED;
		if (ev->flags & BPFCAP_EV_CAP_LIMIT)
			m->trunc |= BPFCAP_TRUNC_LIMIT;
		if (!m->trunc || ev->cap_len >= s->o.snaplen)
			m->trunc |= BPFCAP_TRUNC_SNAPLEN;
	}
	SET(TRUNC);
	if (ev->flags & BPFCAP_EV_HAS_REASON) {
		const char *rn = reasons__name(s->o.reasons, ev->reason);
		const char *sub = reasons__subsys(s->o.reasons, ev->reason);

		m->reason = ev->reason;
		SET(REASON);
		if (rn) {
			cpy(m->reason_name, sizeof(m->reason_name), rn, SIZE_MAX);
			SET(REASON_NAME);
		} else {
			m->reason_name[0] = '\0';
		}
		if (sub) {
			cpy(m->reason_subsys, sizeof(m->reason_subsys), sub, SIZE_MAX);
			SET(REASON_SUBSYS);
		} else {
			m->reason_subsys[0] = '\0';
		}
	}
	m->mark = ev->mark;
	SET(MARK);
	m->protocol = ev->protocol;
	SET(PROTOCOL);
	m->pkt_type = ev->pkt_type;
	SET(PKT_TYPE);
	m->queue = ev->queue;
	SET(QUEUE);
	m->pid = ev->tgid;
	SET(PID);
	m->tid = ev->tid;
	SET(TID);
	cpy(m->comm, sizeof(m->comm), ev->comm, sizeof(ev->comm));
	SET(COMM);
	if (skb_id) {
		m->skb_id = skb_id;
		SET(SKB_ID);
	}
	if (ev->location &&
	    ksyms__format(s->o.ksyms, ev->location, m->location_sym, sizeof(m->location_sym)) == 0)
		SET(LOCATION_SYM);
	m->direction = (uint8_t)dir;
	SET(DIRECTION);
	m->skb_iif = ev->skb_iif;
	SET(SKB_IIF);
	m->dev_type = ev->dev_type;
	SET(DEV_TYPE);
	if (ev->flags & BPFCAP_EV_TCP_SYNTH) {
		m->synth = BPFCAP_SYNTH_IP_TCP;
		SET(SYNTH);
	}
	if (ev->flags & (BPFCAP_EV_VERDICT_TC | BPFCAP_EV_VERDICT_XDP)) {
		m->verdict_kind =
			ev->flags & BPFCAP_EV_VERDICT_XDP ? BPFCAP_VERDICT_XDP : BPFCAP_VERDICT_TC;
		m->verdict = ev->verdict;
		SET(VERDICT);
	}
	if (m->probe_type == BPFCAP_PROBE_PROG) {
		m->tag = ev->tag;
		SET(TAG);
	}
	if (s->stack_fn && m->probe_type != BPFCAP_PROBE_PROG) {
		const char *st = ev->stack_id ? stack_text(s, ev->stack_id - 1) : NULL;

		if (st) {
			cpy(m->stack, sizeof(m->stack), st, SIZE_MAX);
			SET(STACK);
		} else if (m->probe_type != BPFCAP_PROBE_XDP && m->probe_type != BPFCAP_PROBE_TC) {
			s->stacks_missing++;
		}
	}
	if (!(ev->flags & BPFCAP_EV_TCP_SYNTH) && ev->vlan.proto) {
		m->vlan_tpid = ev->vlan.proto;
		m->vlan_tci = ev->vlan.tci;
		m->vlan_flags = vlan_restored ? BPFCAP_VLAN_RESTORED : 0;
		SET(VLAN);
	}
#undef SET
}

static void text_line(struct sink *s, const struct bpfcap_event *ev, const struct shaped *sh,
		      const char *ifname, uint64_t ts)
{
	const struct bpfcap_meta *m = &s->meta;
	char sum[256], tbuf[32];
	time_t sec = (time_t)(ts / 1000000000ull);
	struct tm tm;

	localtime_r(&sec, &tm);
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	if (sh->l3off >= 0 && (uint32_t)sh->l3off <= sh->prefix_len + sh->len) {
		uint8_t buf[512];
		uint32_t n = sh->prefix_len, more = sh->len;

		/* prefix (synthesised headers) and packet bytes as one frame */
		memcpy(buf, sh->prefix, n);
		if (more > sizeof(buf) - n)
			more = (uint32_t)sizeof(buf) - n;
		memcpy(buf + n, sh->data, more);
		n += more;
		if (sh->linktype == LINKTYPE_ETHERNET && !sh->prefix_len)
			pktsum_eth(buf, n, sum, sizeof(sum));
		else
			pktsum_l3(sh->l3type, buf + sh->l3off, n - (uint32_t)sh->l3off, sum,
				  sizeof(sum));
	} else {
		snprintf(sum, sizeof(sum), "no L3 header, protocol 0x%04x, length %u", ev->protocol,
			 ev->len);
	}
	fprintf(s->o.text, "%s.%06u %s %s", tbuf, (unsigned)(ts % 1000000000ull / 1000),
		s->o.probes[ev->probe_id].spec.name, ifname[0] ? ifname : "-");
	if (BPFCAP_META_HAS(m, BPFCAP_META_REASON)) {
		if (m->reason_name[0])
			fprintf(s->o.text, " %s", m->reason_name);
		else
			fprintf(s->o.text, " reason=%u", m->reason);
	}
	fprintf(s->o.text, " %s", sum);
	if (s->o.verbose)
		fprintf(s->o.text, " [cpu=%u netns=%u len=%u caplen=%u%s%s]", ev->cpu, ev->netns,
			ev->pre_len + ev->len, ev->cap_len,
			BPFCAP_META_HAS(m, BPFCAP_META_LOCATION_SYM) ? " at=" : "",
			BPFCAP_META_HAS(m, BPFCAP_META_LOCATION_SYM) ? m->location_sym : "");
	fputc('\n', s->o.text);
	if (s->o.verbose && BPFCAP_META_HAS(m, BPFCAP_META_STACK)) {
		const char *f = m->stack;

		while (*f) { /* one frame per line, innermost first, as pwru --output-stack */
			size_t n = strcspn(f, "\n");

			fprintf(s->o.text, "    %.*s\n", (int)n, f);
			f += n + (f[n] == '\n');
		}
	}
}

int sink__event(void *ctx, const struct bpfcap_event *ev, const uint8_t *data)
{
	struct sink *s = ctx;
	struct sink_probe_stats *st;
	char ifname[IF_NAMESIZE_MAX];
	struct shaped sh;
	uint64_t ts, skb_id;
	int idx, err, dir, mlen, clen_c;

	if (s->done)
		return SINK_DONE;
	st = &s->st[ev->probe_id];
	err = shape(s, ev, data, &sh);
	if (err == -ENOMEM)
		return err;
	if (err < 0) {
		st->not_ip++;
		return 0;
	}
	cpy(ifname, sizeof(ifname), ev->ifname, sizeof(ev->ifname));
	if (!ifname[0] && (ev->ifindex || ev->skb_iif))
		ifnames_lookup(ev->netns, ev->ifindex ? ev->ifindex : ev->skb_iif, ifname,
			       sizeof(ifname));
	ts = (uint64_t)((int64_t)ev->ts_boot + s->boot_off);
	/* no skb address (XDP, tc, users' programs): no id rather than one id for all of them */
	skb_id = ev->skb_addr ? sink_packet_id(s->id_key, ev->skb_addr) : 0;
	dir = direction(s, ev);
	fill_meta(s, ev, ifname, skb_id, dir, sh.vlan);

	if (s->w) {
		struct pcapng_epb e = { 0 };
		uint32_t plen = sh.prefix_len, clen = sh.len;

		/* the snap length covers the link header bpfcap writes, as tcpdump's does: a frame
		 * longer than its interface's snaplen makes libpcap refuse the whole file */
		if (plen > s->o.snaplen) {
			plen = s->o.snaplen;
			clen = 0;
		} else if (clen > s->o.snaplen - plen) {
			clen = s->o.snaplen - plen;
		}
		if (clen < sh.len || plen < sh.prefix_len)
			s->meta.trunc |= BPFCAP_TRUNC_SNAPLEN;
		idx = get_iface(s, ev, ifname, sh.linktype);
		if (idx < 0)
			return idx;
		mlen = bpfcap_meta_encode2(&s->meta, outside(&s->meta, &s->ifs[idx]), s->metabuf,
					   sizeof(s->metabuf));
		if (mlen < 0)
			mlen = 0;
		clen_c = bpfcap_meta_format_comment_label(&s->meta, s->label[ev->probe_id],
							  s->comment, sizeof(s->comment));
		e.if_id = (uint32_t)s->ifs[idx].id;
		e.ts_ns = ts;
		e.prefix = sh.prefix;
		e.prefix_len = plen;
		e.data = sh.data;
		e.caplen = clen;
		e.origlen = ev->pre_len + ev->len + sh.inserted - sh.strip + sh.prefix_len;
		if (e.origlen < e.caplen + e.prefix_len)
			e.origlen = e.caplen + e.prefix_len;
		e.comment = s->comment;
		e.comment_len =
			clen_c > 0 && (size_t)clen_c < sizeof(s->comment) ? (size_t)clen_c : 0;
		e.has_flags = true;
		e.flags = dir == BPFCAP_DIR_IN	  ? EPB_FLAG_INBOUND
			  : dir == BPFCAP_DIR_OUT ? EPB_FLAG_OUTBOUND
						  : 0;
		if (dir == BPFCAP_DIR_IN) {
			static const uint32_t rx[] = { EPB_FLAG_UNICAST, EPB_FLAG_BROADCAST,
						       EPB_FLAG_MULTICAST, EPB_FLAG_PROMISC };

			if (ev->pkt_type < 4)
				e.flags |= rx[ev->pkt_type];
		}
		e.has_packetid = skb_id != 0;
		e.packetid = skb_id;
		/* absent means 0 to a reader of bpfcap's metadata; a standard reader sees no queue
		 * and no loss, which is what 0 says */
		e.has_queue = ev->queue != 0;
		e.queue = ev->queue;
		e.dropcount = st->lost - st->lost_reported;
		e.has_dropcount = e.dropcount != 0;
		st->lost_reported = st->lost;
		e.custom = s->metabuf;
		e.custom_len = (size_t)mlen;
		e.custom_pen = BPFCAP_META_PEN;
		err = pcapng_writer__epb(s->w, &e);
		if (err)
			return err;
		s->ifs[idx].packets++;
	}
	if (s->o.text)
		text_line(s, ev, &sh, ifname, ts);
	st->written++;
	s->packets++;
	if (s->o.max_packets && s->packets >= s->o.max_packets) {
		s->done = 1;
		return SINK_DONE;
	}
	return 0;
}

void sink__set_lost(struct sink *s, int probe, uint64_t lost)
{
	if (probe >= 0 && probe < s->o.nprobes && lost > s->st[probe].lost)
		s->st[probe].lost = lost;
}

int sink__finish(struct sink *s, uint64_t start_ns, uint64_t end_ns)
{
	unsigned i;
	int p, err;

	if (!s->w)
		return 0;
	/* every probe gets an interface, so its counters reach the file */
	for (p = 0; p < s->o.nprobes; p++) {
		if (s->primary[p] < 0) {
			struct bpfcap_event ev = { .probe_id = (uint32_t)p };
			uint16_t lt = s->o.proto == PROTO_IP ? LINKTYPE_RAW
				      : s->o.proto == PROTO_ETH || s->o.format == FORMAT_PCAP
					      ? LINKTYPE_ETHERNET
					      : LINKTYPE_LINUX_SLL2;

			ev.netns = ifnames_own_netns();
			err = get_iface(s, &ev, "", lt);
			if (err < 0)
				return err;
		}
	}
	for (i = 0; i < s->nifs; i++) {
		struct iface *f = &s->ifs[i];
		struct pcapng_isb isb = { 0 };
		uint64_t lost = s->primary[f->probe] == (int)i ? s->st[f->probe].lost : 0;

		isb.if_id = (uint32_t)f->id;
		isb.ts_ns = end_ns;
		isb.starttime = start_ns;
		isb.endtime = end_ns;
		isb.has_ifrecv = isb.has_ifdrop = isb.has_filteraccept = isb.has_usrdeliv = true;
		isb.ifrecv = f->packets + lost;
		isb.ifdrop = lost;
		isb.filteraccept = f->packets;
		isb.usrdeliv = f->packets;
		err = pcapng_writer__isb(s->w, &isb);
		if (err)
			return err;
	}
	return pcapng_writer__flush(s->w);
}

int sink__flush(struct sink *s)
{
	if (s->o.text)
		fflush(s->o.text);
	return s->w ? pcapng_writer__flush(s->w) : 0;
}

int sink__write_error(const struct sink *s)
{
	return s->w ? pcapng_writer__error(s->w) : 0;
}

size_t sink__pending(const struct sink *s)
{
	return s->w ? pcapng_writer__pending(s->w) : 0;
}

uint64_t sink__packets(const struct sink *s)
{
	return s->packets;
}

const struct sink_probe_stats *sink__stats(const struct sink *s, int probe)
{
	return &s->st[probe];
}

unsigned sink__interfaces(const struct sink *s)
{
	return s->nifs;
}
