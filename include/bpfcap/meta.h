/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * bpfcap per-packet metadata: the wire format of the pcapng custom option that the capture
 * writes on every Enhanced Packet Block and that the dissector plugin decodes. Defined here
 * once; lib/meta.c holds the encoder and a pure-C decoder (no allocation, bounded, fuzzed).
 *
 * pcapng option (custom, binary, copyable):
 *   u16 option code = 2989   u16 option length
 *   u32 PEN = BPFCAP_META_PEN  (in the section's byte order, as pcapng requires)
 *   -- what follows is the "metadata" this header describes; always little-endian --
 *   0  u8[4] magic "BPFC"
 *   4  u8    version (BPFCAP_META_VERSION)
 *   5  u8    flags (BPFCAP_META_F_*)
 *   6  u16   reserved, 0
 *   8  TLVs: u16 type, u16 len, u8 value[len], zero padding to a multiple of 4
 *
 * Integers are little-endian and exactly as wide as the type says; strings are UTF-8 without a
 * terminating NUL. A reader skips types it does not know, so the format can grow; a TLV whose
 * length does not fit the type, or that runs past the end, makes the metadata malformed.
 *
 * Version 2 (what bpfcap writes since 0.3; readers take both) carries per packet only what
 * varies, without a header per field:
 *   0  u8    magic 0xBF (BPFCAP_META_V2_MAGIC)
 *   1  u8    version 2
 *   2  LEB128 presence bitmap: bit t set for every field of type t that follows; bit 0: a
 *            u8 of flags (BPFCAP_META_F_*) follows the bitmap
 *   then the fields, in ascending type order, with no padding:
 *      integers   LEB128 (unsigned); VERDICT: u8 kind, then the verdict zigzag-LEB128
 *      VLAN       LEB128 TPID, LEB128 TCI, u8 BPFCAP_VLAN_* flags
 *      strings    LEB128 length, then the bytes
 * Fields whose bit is clear come from elsewhere:
 *   - the interface (its IDB description, bpfcap_meta_format_idb()): probe, probe_id,
 *     probe_type, ifindex, ifname, netns, dev_type;
 *   - the EPB: skb_id (epb_packetid), direction (epb_flags bits 0-1), queue (epb_queue);
 *   - defaults: data_len, trunc, mark, skb_iif, queue and direction are 0; tid is pid;
 *     reason_subsys is "CORE" when the reason has no subsystem bits (reason >> 16 == 0).
 * A reader that meets a bit it does not know stops there (later versions add higher bits):
 * every field before it is decoded, the rest counted in unknown_tlvs.
 */
#ifndef BPFCAP_META_H
#define BPFCAP_META_H

#include <stddef.h>
#include <stdint.h>

/* Private Enterprise Number written in front of the metadata. bpfcap has no IANA PEN of its
 * own yet: this is the "example enterprise" of RFC 5612; the magic guards against clashes. */
#define BPFCAP_META_PEN	     32473u
#define BPFCAP_META_OPTION   2989u /* pcapng: custom option, binary, copyable */
#define BPFCAP_META_MAGIC    "BPFC"
#define BPFCAP_META_VERSION  1	   /* the TLV format */
#define BPFCAP_META_VERSION2 2	   /* the packed format bpfcap writes */
#define BPFCAP_META_V2_MAGIC 0xBFu /* its first byte ("BPFC" starts version 1) */
#define BPFCAP_META_HDR_LEN  8
#define BPFCAP_META_MAX_LEN  4096 /* what the writer ever produces; readers accept up to 65531 */

enum bpfcap_meta_type {
	BPFCAP_META_PROBE_ID = 1,	/* u32: index of the probe in this capture */
	BPFCAP_META_PROBE = 2,		/* str: probe spec, e.g. "tp:skb:kfree_skb" */
	BPFCAP_META_PROBE_TYPE = 3,	/* u8: enum bpfcap_probe_type */
	BPFCAP_META_CPU = 4,		/* u32 */
	BPFCAP_META_IFINDEX = 5,	/* u32 */
	BPFCAP_META_IFNAME = 6,		/* str */
	BPFCAP_META_NETNS = 7,		/* u32: network namespace inode */
	BPFCAP_META_SKB_LEN = 8,	/* u32: skb->len */
	BPFCAP_META_DATA_LEN = 9,	/* u32: skb->data_len (bytes in paged frags) */
	BPFCAP_META_TRUNC = 10,		/* u32: BPFCAP_TRUNC_* flags */
	BPFCAP_META_REASON = 11,	/* u32: enum skb_drop_reason of the capturing kernel */
	BPFCAP_META_REASON_NAME = 12,	/* str: e.g. "NO_SOCKET" */
	BPFCAP_META_REASON_SUBSYS = 13, /* str: e.g. "CORE", "OPENVSWITCH" */
	BPFCAP_META_MARK = 14,		/* u32: skb->mark */
	BPFCAP_META_PROTOCOL = 15,	/* u16: skb->protocol (host order) */
	BPFCAP_META_PKT_TYPE = 16,	/* u8: skb->pkt_type (PACKET_*) */
	BPFCAP_META_QUEUE = 17,		/* u16: skb->queue_mapping */
	BPFCAP_META_PID = 18,		/* u32: tgid of the current task */
	BPFCAP_META_TID = 19,		/* u32 */
	BPFCAP_META_COMM = 20,		/* str: comm of the current task */
	BPFCAP_META_SKB_ID = 21,	/* u64: per-skb id, same at every probe */
	BPFCAP_META_VERDICT = 22,      /* 8 bytes: u8 kind (enum bpfcap_verdict_kind), 3 pad, i32 */
	BPFCAP_META_STACK = 23,	       /* str: symbolised kernel stack, frames separated by '\n' */
	BPFCAP_META_LOCATION = 24,     /* u64: kfree_skb caller address */
	BPFCAP_META_LOCATION_SYM = 25, /* str: symbol+offset of the caller */
	BPFCAP_META_DIRECTION = 26,    /* u8: 0 unknown, 1 in, 2 out */
	BPFCAP_META_SKB_IIF = 27,      /* u32: skb->skb_iif */
	BPFCAP_META_DEV_TYPE = 28,     /* u16: ARPHRD_* of the device */
	BPFCAP_META_SYNTH = 29,	       /* u8: BPFCAP_SYNTH_*: headers bpfcap rebuilt */
	BPFCAP_META_TAG = 30,	       /* u32: tag a user's program passed to bpfcap_output_*() */
	BPFCAP_META_VLAN = 31,	       /* 8 bytes: u16 TPID, u16 TCI, u8 BPFCAP_VLAN_*, 3 pad */
	BPFCAP_META_TYPE_MAX = 31,
};

enum bpfcap_probe_type {
	BPFCAP_PROBE_TRACEPOINT = 1,
	BPFCAP_PROBE_RAW_TRACEPOINT = 2,
	BPFCAP_PROBE_KPROBE = 3,
	BPFCAP_PROBE_FENTRY = 4,
	BPFCAP_PROBE_FEXIT = 5,
	BPFCAP_PROBE_XDP = 6,
	BPFCAP_PROBE_TC = 7,
	BPFCAP_PROBE_PROG = 8,
};

enum bpfcap_trunc {
	BPFCAP_TRUNC_SNAPLEN = 1 << 0, /* cut at the snapshot length the user asked for */
	BPFCAP_TRUNC_PAGED = 1 << 1,   /* bytes in paged fragments were not readable at this hook */
	BPFCAP_TRUNC_LIMIT = 1 << 2,   /* cut at bpfcap's per-record limit */
};

/* BPFCAP_META_SYNTH: the skb had no headers at this hook (e.g. tcp:tcp_retransmit_skb sees
 * the segment in the retransmit queue); bpfcap rebuilt them from the socket and TCP state. */
enum bpfcap_synth {
	BPFCAP_SYNTH_NONE = 0,
	BPFCAP_SYNTH_IP_TCP = 1,
};

/* BPFCAP_META_VLAN: a tag the kernel carried out of band (skb->vlan_tci), not in the bytes. */
enum bpfcap_vlan_flags {
	BPFCAP_VLAN_RESTORED = 1 << 0, /* bpfcap put it back into the packet bytes */
};

enum bpfcap_verdict_kind {
	BPFCAP_VERDICT_TC = 1,
	BPFCAP_VERDICT_XDP = 2,
};

/* Metadata header flags */
enum bpfcap_meta_flags {
	BPFCAP_META_F_DERIVED = 1 << 0, /* reconstructed from the packet comment, not the option */
};

/* Decoder result codes (negative) */
enum bpfcap_meta_err {
	BPFCAP_META_OK = 0,
	BPFCAP_META_ESHORT = -1,   /* shorter than the header */
	BPFCAP_META_EMAGIC = -2,   /* not bpfcap metadata */
	BPFCAP_META_EVERSION = -3, /* a major version this reader does not know */
	BPFCAP_META_ETRUNC = -4,   /* a TLV runs past the end */
	BPFCAP_META_ELEN = -5,	   /* a TLV length does not fit its type */
	BPFCAP_META_ENOSPC = -6,   /* encoder: buffer too small */
	BPFCAP_META_ETRAIL = -7,   /* version 2: bytes after the last field */
};

#define BPFCAP_META_STR_MAX 256

/* The decoded form. `present` has bit (1 << type) set for every field that was seen. */
struct bpfcap_meta {
	uint64_t present;
	uint8_t version;
	uint8_t flags;
	uint8_t probe_type;
	uint8_t pkt_type;
	uint8_t direction;
	uint8_t verdict_kind;
	uint8_t synth;
	uint8_t vlan_flags;
	uint16_t vlan_tpid;
	uint16_t vlan_tci;
	uint16_t protocol;
	uint16_t queue;
	uint16_t dev_type;
	uint32_t probe_id;
	uint32_t cpu;
	uint32_t ifindex;
	uint32_t netns;
	uint32_t skb_len;
	uint32_t data_len;
	uint32_t trunc;
	uint32_t reason;
	uint32_t mark;
	uint32_t pid;
	uint32_t tid;
	uint32_t skb_iif;
	uint32_t tag;
	int32_t verdict;
	uint64_t skb_id;
	uint64_t location;
	unsigned unknown_tlvs; /* TLVs of types this reader does not know (skipped) */
	/* version 2: where each field's bytes are, from the start of the metadata; len 0 for a
	 * field that came from the interface, the EPB or a default */
	struct {
		uint16_t off, len;
	} span[BPFCAP_META_TYPE_MAX + 1];
	char probe[BPFCAP_META_STR_MAX];
	char ifname[64];
	char reason_name[128];
	char reason_subsys[64];
	char comm[64];
	char location_sym[BPFCAP_META_STR_MAX];
	char stack[1024];
};

#define BPFCAP_META_HAS(m, t) (((m)->present >> (t)) & 1)
#define BPFCAP_META_SET(m, t) ((m)->present |= (uint64_t)1 << (t))

/* One TLV as the iterator returns it; `value` points into the caller's buffer. */
struct bpfcap_meta_tlv {
	uint16_t type;
	uint16_t len;
	size_t offset; /* of the TLV header, from the start of the metadata */
	const uint8_t *value;
};

struct bpfcap_meta_iter {
	const uint8_t *buf;
	size_t len;
	size_t off;
};

/* Checks the 8-byte header; 0 or a negative enum bpfcap_meta_err. */
int bpfcap_meta_iter_init(struct bpfcap_meta_iter *it, const void *buf, size_t len);
/* 1: *tlv filled; 0: end; < 0: malformed (the iterator stops). */
int bpfcap_meta_iter_next(struct bpfcap_meta_iter *it, struct bpfcap_meta_tlv *tlv);
/* Length a known type must have: > 0 fixed, 0 any (string), -1 unknown type. */
int bpfcap_meta_type_len(uint16_t type);
/* Filter-field name of a type ("reason_name"), NULL for unknown types. */
const char *bpfcap_meta_type_name(uint16_t type);

/* Whole-buffer decode into *m (zeroed first). 0 or a negative enum bpfcap_meta_err; on error
 * *m holds what was decoded before the fault. Strings are NUL-terminated, truncated to fit. */
int bpfcap_meta_decode(const void *buf, size_t len, struct bpfcap_meta *m);
/* Encodes every present field of *m. Returns bytes written or BPFCAP_META_ENOSPC. */
int bpfcap_meta_encode(const struct bpfcap_meta *m, void *buf, size_t cap);

/* Version 2. The encoder writes every present field of *m except those in `outside` (bits
 * 1 << type of fields the writer put into the IDB description or the EPB) and those a default
 * gives back. Returns bytes written (not padded) or BPFCAP_META_ENOSPC. */
int bpfcap_meta_encode2(const struct bpfcap_meta *m, uint64_t outside, void *buf, size_t cap);
/* Decodes either version. For version 2, *outer holds what the reader found outside the
 * option (bpfcap_meta_parse_idb() of the interface's description, the EPB's packet id, flags and
 * queue); NULL for none. Version 1 carries everything and ignores it. */
int bpfcap_meta_decode_with(const void *buf, size_t len, const struct bpfcap_meta *outer,
			    struct bpfcap_meta *m);
/* Copies every field present in *src and absent in *dst into *dst. */
void bpfcap_meta_merge(struct bpfcap_meta *dst, const struct bpfcap_meta *src);
/* Bits of the fields version 2 leaves to the interface description. */
#define BPFCAP_META_IDB_FIELDS                                                                     \
	(((uint64_t)1 << BPFCAP_META_PROBE) | ((uint64_t)1 << BPFCAP_META_PROBE_ID) |              \
	 ((uint64_t)1 << BPFCAP_META_PROBE_TYPE) | ((uint64_t)1 << BPFCAP_META_IFINDEX) |          \
	 ((uint64_t)1 << BPFCAP_META_IFNAME) | ((uint64_t)1 << BPFCAP_META_NETNS) |                \
	 ((uint64_t)1 << BPFCAP_META_DEV_TYPE))

/* The interface description bpfcap writes into each IDB, e.g. "bpfcap probe=tp:skb:kfree_skb
 * dev=eth0(2) netns=4026531840 linktype=EN10MB type=tracepoint probe_id=0 devtype=1
 * filter=udp port 53" (filter last: it may hold spaces). Fields of *m that are absent are left
 * out. Returns the length it wanted, like snprintf. */
int bpfcap_meta_format_idb(const struct bpfcap_meta *m, const char *linktype, const char *filter,
			   char *buf, size_t cap);
/* Parses such a description into *m (zeroed first): the fields above that it holds. 0 if it is
 * a bpfcap description, -1 otherwise. */
int bpfcap_meta_parse_idb(const char *desc, size_t len, struct bpfcap_meta *m);

/* The one-line human form used as the packet comment, e.g.
 * "kfree_skb cpu=1 dev=eth0(2) reason=NO_SOCKET" (files of bpfcap 0.2 also have
 * "netns=N", which the parser still reads). Always NUL-terminates;
 * returns the length it wanted (like snprintf). */
int bpfcap_meta_format_comment(const struct bpfcap_meta *m, char *buf, size_t cap);
/* The same with the first word given (bpfcap_meta_probe_label() of m->probe, computed once
 * per probe by a writer that formats a comment per packet). */
int bpfcap_meta_format_comment_label(const struct bpfcap_meta *m, const char *label, char *buf,
				     size_t cap);
/* Parses such a comment back (the fallback when the binary option was stripped). Sets
 * BPFCAP_META_F_DERIVED. 0 if it looks like a bpfcap comment, -1 otherwise. */
int bpfcap_meta_parse_comment(const char *comment, size_t len, struct bpfcap_meta *m);

/* Short name of a probe spec for comments and interface names: "tp:skb:kfree_skb" -> "kfree_skb" */
const char *bpfcap_meta_probe_short(const char *probe);
/* What a user calls the probe, the first word of the packet comment: "kfree_skb", "xdp",
 * "tc_egress", "prog42" (prog:42), "prog42_entry"/"prog42_exit" (fentry/fexit:prog:42),
 * "map". Always NUL-terminated when cap > 0. */
void bpfcap_meta_probe_label(const char *probe, char *name, size_t cap);
const char *bpfcap_probe_type_name(unsigned type);

#endif /* BPFCAP_META_H */
