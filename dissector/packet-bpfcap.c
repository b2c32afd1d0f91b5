/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * packet-bpfcap.c - bpfcap per-packet metadata.
 *
 * bpfcap writes a pcapng custom binary option (code 2989, PEN BPFCAP_META_PEN) on every Enhanced
 * Packet Block: magic "BPFC", version, flags, then little-endian TLVs (include/bpfcap/meta.h).
 * This postdissector finds that option in the record's block, decodes it with the project's
 * codec (lib/meta.c) and shows it as "bpfcap.*" fields with the metadata bytes as their own
 * data source. Files re-written by tools that drop custom options still carry the one-line
 * packet comment (bpfcap_meta_format_comment()); the fields are then derived from it.
 */
#define WS_LOG_DOMAIN "bpfcap"

#include <string.h>

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/proto.h>
#include <epan/expert.h>
#include <epan/etypes.h>
#include <wiretap/wtap.h>
#include <wiretap/wtap_opttypes.h>

#include "bpfcap/meta.h"
#include "packet-bpfcap.h"

/*
 * Wireshark API differences, detected by dissector/CMakeLists.txt (version-based guesses when
 * built without it): 4.2 moved callbacks to bool/unsigned; later versions split custom options
 * into string and binary types with their own union members.
 */
#ifndef BPFCAP_WS_FOREACH_BOOL
#define BPFCAP_WS_FOREACH_BOOL \
    (WIRESHARK_VERSION_MAJOR > 4 || (WIRESHARK_VERSION_MAJOR == 4 && WIRESHARK_VERSION_MINOR >= 2))
#endif
#ifndef BPFCAP_WS_CUSTOM_BINARYVAL
#define BPFCAP_WS_CUSTOM_BINARYVAL \
    (WIRESHARK_VERSION_MAJOR > 4 || (WIRESHARK_VERSION_MAJOR == 4 && WIRESHARK_VERSION_MINOR >= 5))
#endif

#if BPFCAP_WS_FOREACH_BOOL
typedef bool ws_cb_bool;
typedef unsigned ws_cb_uint;
#define WS_CB_CONTINUE true
#else
typedef gboolean ws_cb_bool;
typedef guint ws_cb_uint;
#define WS_CB_CONTINUE TRUE
#endif

#if BPFCAP_WS_CUSTOM_BINARYVAL
#define OPTTYPE_CUSTOM_BINARY WTAP_OPTTYPE_CUSTOM_BINARY
#define OPT_PEN(o) ((o)->custom_binaryval.pen)
#define OPT_DATA(o) ((const uint8_t *)(o)->custom_binaryval.data.custom_data)
#define OPT_LEN(o) ((o)->custom_binaryval.data.custom_data_len)
#else
#define OPTTYPE_CUSTOM_BINARY WTAP_OPTTYPE_CUSTOM
#define OPT_PEN(o) ((o)->custom_opt.pen)
#define OPT_DATA(o) ((const uint8_t *)(o)->custom_opt.data.generic_data.custom_data)
#define OPT_LEN(o) ((o)->custom_opt.data.generic_data.custom_data_len)
#endif

#define MAX_OPTIONS 4 /* bpfcap writes one; more are shown, up to this many */

/* Every TLV type of meta.h gets a filterable field here: a new type must be added below. */
_Static_assert(BPFCAP_META_TYPE_MAX == 31, "meta.h has TLV types this dissector does not show");

static int proto_bpfcap = -1;

static int hf_bpfcap_magic = -1;
static int hf_bpfcap_version = -1;
static int hf_bpfcap_flags = -1;
static int hf_bpfcap_flags_derived = -1;
static int hf_bpfcap_reserved = -1;
static int hf_bpfcap_derived = -1;
static int hf_bpfcap_raw = -1;

static int hf_bpfcap_probe_id = -1;
static int hf_bpfcap_probe = -1;
static int hf_bpfcap_probe_type = -1;
static int hf_bpfcap_cpu = -1;
static int hf_bpfcap_ifindex = -1;
static int hf_bpfcap_ifname = -1;
static int hf_bpfcap_netns = -1;
static int hf_bpfcap_len = -1;
static int hf_bpfcap_data_len = -1;
static int hf_bpfcap_truncated = -1;
static int hf_bpfcap_truncated_snaplen = -1;
static int hf_bpfcap_truncated_paged = -1;
static int hf_bpfcap_truncated_limit = -1;
static int hf_bpfcap_reason = -1;
static int hf_bpfcap_reason_name = -1;
static int hf_bpfcap_reason_subsys = -1;
static int hf_bpfcap_mark = -1;
static int hf_bpfcap_protocol = -1;
static int hf_bpfcap_pkt_type = -1;
static int hf_bpfcap_queue = -1;
static int hf_bpfcap_pid = -1;
static int hf_bpfcap_tid = -1;
static int hf_bpfcap_comm = -1;
static int hf_bpfcap_skb_id = -1;
static int hf_bpfcap_verdict = -1;
static int hf_bpfcap_verdict_kind = -1;
static int hf_bpfcap_stack = -1;
static int hf_bpfcap_stack_frame = -1;
static int hf_bpfcap_location = -1;
static int hf_bpfcap_location_addr = -1;
static int hf_bpfcap_direction = -1;
static int hf_bpfcap_skb_iif = -1;
static int hf_bpfcap_dev_type = -1;
static int hf_bpfcap_synthesized = -1;
static int hf_bpfcap_tag = -1;
static int hf_bpfcap_vlan = -1;
static int hf_bpfcap_vlan_tpid = -1;
static int hf_bpfcap_vlan_pcp = -1;
static int hf_bpfcap_vlan_dei = -1;
static int hf_bpfcap_vlan_restored = -1;

static int hf_bpfcap_tlv_type = -1;
static int hf_bpfcap_tlv_len = -1;
static int hf_bpfcap_tlv_value = -1;

static int ett_bpfcap = -1;
static int ett_bpfcap_flags = -1;
static int ett_bpfcap_truncated = -1;
static int ett_bpfcap_verdict = -1;
static int ett_bpfcap_stack = -1;
static int ett_bpfcap_vlan = -1;
static int ett_bpfcap_tlv = -1;

static expert_field ei_bpfcap_malformed = EI_INIT;
static expert_field ei_bpfcap_drop = EI_INIT;
static expert_field ei_bpfcap_unknown_tlv = EI_INIT;
static expert_field ei_bpfcap_derived = EI_INIT;

static dissector_handle_t bpfcap_handle;

/* The field of each TLV type whose value is shown by one plain item. */
static int *const type_hf[BPFCAP_META_TYPE_MAX + 1] = {
    [BPFCAP_META_PROBE_ID] = &hf_bpfcap_probe_id,
    [BPFCAP_META_PROBE] = &hf_bpfcap_probe,
    [BPFCAP_META_PROBE_TYPE] = &hf_bpfcap_probe_type,
    [BPFCAP_META_CPU] = &hf_bpfcap_cpu,
    [BPFCAP_META_IFINDEX] = &hf_bpfcap_ifindex,
    [BPFCAP_META_IFNAME] = &hf_bpfcap_ifname,
    [BPFCAP_META_NETNS] = &hf_bpfcap_netns,
    [BPFCAP_META_SKB_LEN] = &hf_bpfcap_len,
    [BPFCAP_META_DATA_LEN] = &hf_bpfcap_data_len,
    [BPFCAP_META_TRUNC] = &hf_bpfcap_truncated,
    [BPFCAP_META_REASON] = &hf_bpfcap_reason,
    [BPFCAP_META_REASON_NAME] = &hf_bpfcap_reason_name,
    [BPFCAP_META_REASON_SUBSYS] = &hf_bpfcap_reason_subsys,
    [BPFCAP_META_MARK] = &hf_bpfcap_mark,
    [BPFCAP_META_PROTOCOL] = &hf_bpfcap_protocol,
    [BPFCAP_META_PKT_TYPE] = &hf_bpfcap_pkt_type,
    [BPFCAP_META_QUEUE] = &hf_bpfcap_queue,
    [BPFCAP_META_PID] = &hf_bpfcap_pid,
    [BPFCAP_META_TID] = &hf_bpfcap_tid,
    [BPFCAP_META_COMM] = &hf_bpfcap_comm,
    [BPFCAP_META_SKB_ID] = &hf_bpfcap_skb_id,
    [BPFCAP_META_VERDICT] = &hf_bpfcap_verdict,
    [BPFCAP_META_STACK] = &hf_bpfcap_stack,
    [BPFCAP_META_LOCATION] = &hf_bpfcap_location_addr,
    [BPFCAP_META_LOCATION_SYM] = &hf_bpfcap_location,
    [BPFCAP_META_DIRECTION] = &hf_bpfcap_direction,
    [BPFCAP_META_SKB_IIF] = &hf_bpfcap_skb_iif,
    [BPFCAP_META_DEV_TYPE] = &hf_bpfcap_dev_type,
    [BPFCAP_META_SYNTH] = &hf_bpfcap_synthesized,
    [BPFCAP_META_TAG] = &hf_bpfcap_tag,
    [BPFCAP_META_VLAN] = &hf_bpfcap_vlan,
};

static int *const truncated_bits[] = {
    &hf_bpfcap_truncated_snaplen,
    &hf_bpfcap_truncated_paged,
    &hf_bpfcap_truncated_limit,
    NULL,
};

static int *const flags_bits[] = {
    &hf_bpfcap_flags_derived,
    NULL,
};

static const value_string probe_type_vals[] = {
    { BPFCAP_PROBE_TRACEPOINT, "tracepoint" },
    { BPFCAP_PROBE_RAW_TRACEPOINT, "raw_tracepoint" },
    { BPFCAP_PROBE_KPROBE, "kprobe" },
    { BPFCAP_PROBE_FENTRY, "fentry" },
    { BPFCAP_PROBE_FEXIT, "fexit" },
    { BPFCAP_PROBE_XDP, "xdp" },
    { BPFCAP_PROBE_TC, "tc" },
    { BPFCAP_PROBE_PROG, "prog" },
    { 0, NULL },
};

/* skb->pkt_type, <linux/if_packet.h> */
static const value_string pkt_type_vals[] = {
    { 0, "PACKET_HOST" },      { 1, "PACKET_BROADCAST" }, { 2, "PACKET_MULTICAST" },
    { 3, "PACKET_OTHERHOST" }, { 4, "PACKET_OUTGOING" },  { 5, "PACKET_LOOPBACK" },
    { 6, "PACKET_USER" },      { 7, "PACKET_KERNEL" },    { 0, NULL },
};

static const value_string direction_vals[] = {
    { 0, "Unknown" },
    { 1, "Inbound" },
    { 2, "Outbound" },
    { 0, NULL },
};

static const value_string synth_vals[] = {
    { BPFCAP_SYNTH_NONE, "No" },
    { BPFCAP_SYNTH_IP_TCP, "IP and TCP headers rebuilt from the socket" },
    { 0, NULL },
};

static const value_string verdict_kind_vals[] = {
    { BPFCAP_VERDICT_TC, "TC" },
    { BPFCAP_VERDICT_XDP, "XDP" },
    { 0, NULL },
};

/* <linux/pkt_cls.h>; TC_ACT_UNSPEC is -1 */
static const value_string tc_act_vals[] = {
    { 0xffffffff, "TC_ACT_UNSPEC" },
    { 0, "TC_ACT_OK" },
    { 1, "TC_ACT_RECLASSIFY" },
    { 2, "TC_ACT_SHOT" },
    { 3, "TC_ACT_PIPE" },
    { 4, "TC_ACT_STOLEN" },
    { 5, "TC_ACT_QUEUED" },
    { 6, "TC_ACT_REPEAT" },
    { 7, "TC_ACT_REDIRECT" },
    { 8, "TC_ACT_TRAP" },
    { 0, NULL },
};

/* enum xdp_action */
static const value_string xdp_action_vals[] = {
    { 0, "XDP_ABORTED" }, { 1, "XDP_DROP" },     { 2, "XDP_PASS" },
    { 3, "XDP_TX" },      { 4, "XDP_REDIRECT" }, { 0, NULL },
};

/* dev->type, <linux/if_arp.h> (the common ones) */
static const value_string arphrd_vals[] = {
    { 0, "ARPHRD_NETROM" },
    { 1, "ARPHRD_ETHER" },
    { 24, "ARPHRD_IEEE1394" },
    { 32, "ARPHRD_INFINIBAND" },
    { 256, "ARPHRD_SLIP" },
    { 280, "ARPHRD_CAN" },
    { 512, "ARPHRD_PPP" },
    { 519, "ARPHRD_RAWIP" },
    { 768, "ARPHRD_TUNNEL" },
    { 769, "ARPHRD_TUNNEL6" },
    { 772, "ARPHRD_LOOPBACK" },
    { 776, "ARPHRD_SIT" },
    { 778, "ARPHRD_IPGRE" },
    { 801, "ARPHRD_IEEE80211" },
    { 802, "ARPHRD_IEEE80211_PRISM" },
    { 803, "ARPHRD_IEEE80211_RADIOTAP" },
    { 804, "ARPHRD_IEEE802154" },
    { 823, "ARPHRD_IP6GRE" },
    { 824, "ARPHRD_NETLINK" },
    { 825, "ARPHRD_6LOWPAN" },
    { 826, "ARPHRD_VSOCKMON" },
    { 0xfffe, "ARPHRD_NONE" },
    { 0xffff, "ARPHRD_VOID" },
    { 0, NULL },
};

/* What the user sees first: "kfree_skb, reason NO_SOCKET, dev lo(1), cpu 0". */
static const char *meta_summary(wmem_allocator_t *pool, const struct bpfcap_meta *m)
{
    wmem_strbuf_t *sb = wmem_strbuf_new(pool, "");
    char probe[BPFCAP_META_STR_MAX];

    bpfcap_meta_probe_label(m->probe, probe, sizeof(probe));
    if (probe[0])
        wmem_strbuf_append(sb, probe);
    else
        wmem_strbuf_append(sb, "unknown probe");
    if (m->reason_name[0])
        wmem_strbuf_append_printf(sb, ", reason %s", m->reason_name);
    else if (BPFCAP_META_HAS(m, BPFCAP_META_REASON))
        wmem_strbuf_append_printf(sb, ", reason %u", m->reason);
    if (BPFCAP_META_HAS(m, BPFCAP_META_IFINDEX))
        wmem_strbuf_append_printf(sb, ", dev %s(%u)", m->ifname, m->ifindex);
    else if (m->ifname[0])
        wmem_strbuf_append_printf(sb, ", dev %s", m->ifname);
    if (BPFCAP_META_HAS(m, BPFCAP_META_CPU))
        wmem_strbuf_append_printf(sb, ", cpu %u", m->cpu);
    return wmem_strbuf_get_str(sb);
}

static bool meta_is_drop(const struct bpfcap_meta *m)
{
    return BPFCAP_META_HAS(m, BPFCAP_META_REASON) || BPFCAP_META_HAS(m, BPFCAP_META_REASON_NAME);
}

/* One expert item per dropped packet; its text groups drops by reason in Expert Information. */
static void add_drop_expert(packet_info *pinfo, proto_item *item, const struct bpfcap_meta *m)
{
    if (!meta_is_drop(m))
        return;
    if (m->reason_name[0] && m->reason_subsys[0] && strcmp(m->reason_subsys, "CORE") != 0)
        expert_add_info_format(pinfo, item, &ei_bpfcap_drop, "Dropped by the kernel: %s (%s)",
                               m->reason_name, m->reason_subsys);
    else if (m->reason_name[0])
        expert_add_info_format(pinfo, item, &ei_bpfcap_drop, "Dropped by the kernel: %s",
                               m->reason_name);
    else
        expert_add_info_format(pinfo, item, &ei_bpfcap_drop, "Dropped by the kernel: reason %u",
                               m->reason);
}

static const char *verdict_name(uint8_t kind, int32_t verdict)
{
    const value_string *vals = kind == BPFCAP_VERDICT_TC  ? tc_act_vals :
                               kind == BPFCAP_VERDICT_XDP ? xdp_action_vals :
                                                            NULL;

    return vals ? val_to_str_const((uint32_t)verdict, vals, "unknown") : "unknown kind";
}

/* The binary form: one item per TLV, at the TLV's bytes in the metadata data source. */
static void add_stack_frames(proto_tree *st, tvbuff_t *mtvb, const struct bpfcap_meta_tlv *t)
{
    unsigned base = (unsigned)t->offset + 4, start = 0, i;

    for (i = 0; i <= t->len; i++) {
        if (i < t->len && t->value[i] != '\n')
            continue;
        if (i > start)
            proto_tree_add_item(st, hf_bpfcap_stack_frame, mtvb, (int)(base + start),
                                (int)(i - start), ENC_UTF_8);
        start = i + 1;
    }
}

static void add_tlv(proto_tree *tree, tvbuff_t *mtvb, packet_info *pinfo,
                    const struct bpfcap_meta_tlv *t, const struct bpfcap_meta *m)
{
    int off = (int)t->offset + 4, len = t->len, want = -1;
    proto_item *it;
    proto_tree *sub;

    /* a type the codec knows but this file has no field for is shown as unknown, too */
    if (t->type < array_length(type_hf) && type_hf[t->type])
        want = bpfcap_meta_type_len(t->type);
    switch (want) {
    case -1: /* a type this reader does not know: show it, skip it */
        sub = proto_tree_add_subtree_format(tree, mtvb, (int)t->offset, 4 + len, ett_bpfcap_tlv,
                                            &it, "Unknown TLV type %u, %u bytes", t->type, t->len);
        proto_tree_add_item(sub, hf_bpfcap_tlv_type, mtvb, (int)t->offset, 2, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(sub, hf_bpfcap_tlv_len, mtvb, (int)t->offset + 2, 2, ENC_LITTLE_ENDIAN);
        if (len)
            proto_tree_add_item(sub, hf_bpfcap_tlv_value, mtvb, off, len, ENC_NA);
        expert_add_info_format(pinfo, it, &ei_bpfcap_unknown_tlv,
                               "Unknown bpfcap TLV type %u (%u bytes) skipped", t->type, t->len);
        return;
    case 0:
        it = proto_tree_add_item(tree, *type_hf[t->type], mtvb, off, len, ENC_UTF_8);
        if (t->type == BPFCAP_META_STACK)
            add_stack_frames(proto_item_add_subtree(it, ett_bpfcap_stack), mtvb, t);
        return;
    default:
        break;
    }

    switch (t->type) {
    case BPFCAP_META_TRUNC:
        proto_tree_add_bitmask(tree, mtvb, (unsigned)off, hf_bpfcap_truncated, ett_bpfcap_truncated,
                               truncated_bits, ENC_LITTLE_ENDIAN);
        break;
    case BPFCAP_META_VERDICT:
        it = proto_tree_add_item(tree, hf_bpfcap_verdict, mtvb, off + 4, 4, ENC_LITTLE_ENDIAN);
        proto_item_append_text(it, " (%s)", verdict_name(m->verdict_kind, m->verdict));
        sub = proto_item_add_subtree(it, ett_bpfcap_verdict);
        proto_tree_add_item(sub, hf_bpfcap_verdict_kind, mtvb, off, 1, ENC_LITTLE_ENDIAN);
        break;
    case BPFCAP_META_VLAN:
        it = proto_tree_add_item(tree, hf_bpfcap_vlan, mtvb, off + 2, 2, ENC_LITTLE_ENDIAN);
        proto_item_append_text(it, m->vlan_flags & BPFCAP_VLAN_RESTORED ?
                                           " (carried out of band, restored in the frame)" :
                                           " (carried out of band, not in the frame)");
        sub = proto_item_add_subtree(it, ett_bpfcap_vlan);
        proto_tree_add_item(sub, hf_bpfcap_vlan_tpid, mtvb, off, 2, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(sub, hf_bpfcap_vlan_pcp, mtvb, off + 2, 2, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(sub, hf_bpfcap_vlan_dei, mtvb, off + 2, 2, ENC_LITTLE_ENDIAN);
        proto_tree_add_item(sub, hf_bpfcap_vlan_restored, mtvb, off + 4, 1, ENC_LITTLE_ENDIAN);
        break;
    case BPFCAP_META_REASON:
        it = proto_tree_add_item(tree, hf_bpfcap_reason, mtvb, off, len, ENC_LITTLE_ENDIAN);
        if (m->reason_name[0])
            proto_item_append_text(it, " (%s)", m->reason_name);
        break;
    default:
        proto_tree_add_item(tree, *type_hf[t->type], mtvb, off, len, ENC_LITTLE_ENDIAN);
        break;
    }
}

static const char *meta_error(int err)
{
    switch (err) {
    case BPFCAP_META_ESHORT:
        return "shorter than the 8-byte header";
    case BPFCAP_META_EMAGIC:
        return "magic is not \"" BPFCAP_META_MAGIC "\"";
    case BPFCAP_META_EVERSION:
        return "unsupported version";
    case BPFCAP_META_ETRUNC:
        return "a TLV runs past the end";
    case BPFCAP_META_ELEN:
        return "a field does not fit its type";
    case BPFCAP_META_ETRAIL:
        return "bytes after the last field";
    default:
        return "undecodable";
    }
}

static void dissect_meta_option(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                const uint8_t *data, unsigned len)
{
    struct bpfcap_meta *m = wmem_new(pinfo->pool, struct bpfcap_meta);
    struct bpfcap_meta_iter it;
    struct bpfcap_meta_tlv t;
    proto_tree *mtree;
    proto_item *ti, *di;
    tvbuff_t *mtvb;
    size_t at;
    int err, derr;

    derr = bpfcap_meta_decode(data, len, m);
    if (len) {
        mtvb = tvb_new_child_real_data(tvb, data, len, (int)len);
        add_new_data_source(pinfo, mtvb, "bpfcap metadata");
    } else {
        mtvb = tvb; /* nothing to show but the fault */
    }
    ti = proto_tree_add_protocol_format(tree, proto_bpfcap, mtvb, 0, (int)len, "bpfcap: %s%s",
                                        meta_summary(pinfo->pool, m), derr ? " [malformed]" : "");
    mtree = proto_item_add_subtree(ti, ett_bpfcap);

    err = bpfcap_meta_iter_init(&it, data, len);
    if (err == BPFCAP_META_ESHORT || err == BPFCAP_META_EMAGIC) {
        if (len)
            proto_tree_add_item(mtree, hf_bpfcap_raw, mtvb, 0, (int)len, ENC_NA);
        expert_add_info_format(pinfo, ti, &ei_bpfcap_malformed,
                               "Malformed bpfcap metadata (%u bytes): %s", len, meta_error(err));
        return;
    }
    proto_tree_add_item(mtree, hf_bpfcap_magic, mtvb, 0, 4, ENC_ASCII);
    di = proto_tree_add_item(mtree, hf_bpfcap_version, mtvb, 4, 1, ENC_LITTLE_ENDIAN);
    if (err) {
        proto_tree_add_item(mtree, hf_bpfcap_raw, mtvb, 8, (int)len - 8, ENC_NA);
        expert_add_info_format(pinfo, di, &ei_bpfcap_malformed,
                               "Malformed bpfcap metadata: version %u, this plugin reads %u",
                               data[4], BPFCAP_META_VERSION);
        return;
    }
    proto_tree_add_bitmask(mtree, mtvb, 5, hf_bpfcap_flags, ett_bpfcap_flags, flags_bits,
                           ENC_LITTLE_ENDIAN);
    proto_tree_add_item(mtree, hf_bpfcap_reserved, mtvb, 6, 2, ENC_LITTLE_ENDIAN);
    di = proto_tree_add_boolean(mtree, hf_bpfcap_derived, mtvb, 0, 0,
                                (m->flags & BPFCAP_META_F_DERIVED) != 0);
    proto_item_set_generated(di);

    for (;;) {
        at = it.off;
        err = bpfcap_meta_iter_next(&it, &t);
        if (err <= 0)
            break;
        add_tlv(mtree, mtvb, pinfo, &t, m);
    }
    if (err < 0) {
        di = proto_tree_add_item(mtree, hf_bpfcap_raw, mtvb, (int)at, (int)(len - at), ENC_NA);
        if (err == BPFCAP_META_ELEN)
            expert_add_info_format(pinfo, di, &ei_bpfcap_malformed,
                                   "Malformed bpfcap metadata: TLV %s (type %u) at offset %u has "
                                   "length %u, must be %d",
                                   bpfcap_meta_type_name(t.type), t.type, (unsigned)at, t.len,
                                   bpfcap_meta_type_len(t.type));
        else
            expert_add_info_format(pinfo, di, &ei_bpfcap_malformed,
                                   "Malformed bpfcap metadata: the TLV at offset %u runs past the "
                                   "end (%u bytes)",
                                   (unsigned)at, len);
    }
    add_drop_expert(pinfo, ti, m);
}

/* A field from its decoded value: at [off, off+len) of tvb (version 2), or with no bytes
 * behind it (derived from the comment, or from the interface, the EPB or a default). */
static proto_item *add_value_field(proto_tree *tree, tvbuff_t *tvb, int off, int len, uint16_t type,
                                   const struct bpfcap_meta *m)
{
    int hf = *type_hf[type];
    proto_item *it;
    proto_tree *sub;

    switch (type) {
    case BPFCAP_META_PROBE:
        return proto_tree_add_string(tree, hf, tvb, off, len, m->probe);
    case BPFCAP_META_IFNAME:
        return proto_tree_add_string(tree, hf, tvb, off, len, m->ifname);
    case BPFCAP_META_REASON_NAME:
        return proto_tree_add_string(tree, hf, tvb, off, len, m->reason_name);
    case BPFCAP_META_REASON_SUBSYS:
        return proto_tree_add_string(tree, hf, tvb, off, len, m->reason_subsys);
    case BPFCAP_META_COMM:
        return proto_tree_add_string(tree, hf, tvb, off, len, m->comm);
    case BPFCAP_META_STACK: {
        const char *p = m->stack, *nl;
        char frame[BPFCAP_META_STR_MAX];

        it = proto_tree_add_string(tree, hf, tvb, off, len, m->stack);
        sub = proto_item_add_subtree(it, ett_bpfcap_stack);
        for (; *p; p = *nl ? nl + 1 : nl) {
            nl = strchr(p, '\n');
            if (!nl)
                nl = p + strlen(p);
            if (nl > p) { /* the item keeps a copy */
                size_t n = (size_t)(nl - p) < sizeof(frame) ? (size_t)(nl - p) : sizeof(frame) - 1;

                memcpy(frame, p, n);
                frame[n] = '\0';
                proto_tree_add_string(sub, hf_bpfcap_stack_frame, tvb, off, len, frame);
            }
        }
        return it;
    }
    case BPFCAP_META_LOCATION_SYM:
        return proto_tree_add_string(tree, hf, tvb, off, len, m->location_sym);
    case BPFCAP_META_SKB_ID:
        return proto_tree_add_uint64(tree, hf, tvb, off, len, m->skb_id);
    case BPFCAP_META_LOCATION:
        return proto_tree_add_uint64(tree, hf, tvb, off, len, m->location);
    case BPFCAP_META_PROBE_ID:
        return proto_tree_add_uint(tree, hf, tvb, off, len, m->probe_id);
    case BPFCAP_META_PROBE_TYPE:
        return proto_tree_add_uint(tree, hf, tvb, off, len, m->probe_type);
    case BPFCAP_META_CPU:
        return proto_tree_add_uint(tree, hf, tvb, off, len, m->cpu);
    case BPFCAP_META_IFINDEX:
        return proto_tree_add_uint(tree, hf, tvb, off, len, m->ifindex);
    case BPFCAP_META_NETNS:
        return proto_tree_add_uint(tree, hf, tvb, off, len, m->netns);
    case BPFCAP_META_SKB_LEN:
        return proto_tree_add_uint(tree, hf, tvb, off, len, m->skb_len);
    case BPFCAP_META_DATA_LEN:
        return proto_tree_add_uint(tree, hf, tvb, off, len, m->data_len);
    case BPFCAP_META_MARK:
        return proto_tree_add_uint(tree, hf, tvb, off, len, m->mark);
    case BPFCAP_META_PROTOCOL:
        return proto_tree_add_uint(tree, hf, tvb, off, len, m->protocol);
    case BPFCAP_META_PKT_TYPE:
        return proto_tree_add_uint(tree, hf, tvb, off, len, m->pkt_type);
    case BPFCAP_META_QUEUE:
        return proto_tree_add_uint(tree, hf, tvb, off, len, m->queue);
    case BPFCAP_META_PID:
        return proto_tree_add_uint(tree, hf, tvb, off, len, m->pid);
    case BPFCAP_META_TID:
        return proto_tree_add_uint(tree, hf, tvb, off, len, m->tid);
    case BPFCAP_META_DIRECTION:
        return proto_tree_add_uint(tree, hf, tvb, off, len, m->direction);
    case BPFCAP_META_SKB_IIF:
        return proto_tree_add_uint(tree, hf, tvb, off, len, m->skb_iif);
    case BPFCAP_META_DEV_TYPE:
        return proto_tree_add_uint(tree, hf, tvb, off, len, m->dev_type);
    case BPFCAP_META_SYNTH:
        return proto_tree_add_uint(tree, hf, tvb, off, len, m->synth);
    case BPFCAP_META_TAG:
        return proto_tree_add_uint(tree, hf, tvb, off, len, m->tag);
    case BPFCAP_META_VLAN:
        it = proto_tree_add_uint(tree, hf, tvb, off, len, m->vlan_tci & 0xfffu);
        if (!m->vlan_tpid) /* from a comment: the id only */
            return it;
        proto_item_append_text(it, m->vlan_flags & BPFCAP_VLAN_RESTORED ?
                                           " (carried out of band, restored in the frame)" :
                                           " (carried out of band, not in the frame)");
        sub = proto_item_add_subtree(it, ett_bpfcap_vlan);
        proto_tree_add_uint(sub, hf_bpfcap_vlan_tpid, tvb, off, len, m->vlan_tpid);
        proto_tree_add_uint(sub, hf_bpfcap_vlan_pcp, tvb, off, len, m->vlan_tci);
        proto_tree_add_uint(sub, hf_bpfcap_vlan_dei, tvb, off, len, m->vlan_tci);
        proto_tree_add_boolean(sub, hf_bpfcap_vlan_restored, tvb, off, len, m->vlan_flags);
        return it;
    case BPFCAP_META_REASON:
        it = proto_tree_add_uint(tree, hf, tvb, off, len, m->reason);
        if (m->reason_name[0])
            proto_item_append_text(it, " (%s)", m->reason_name);
        return it;
    case BPFCAP_META_TRUNC:
        it = proto_tree_add_uint(tree, hf, tvb, off, len, m->trunc);
        sub = proto_item_add_subtree(it, ett_bpfcap_truncated);
        proto_tree_add_bitmask_list_value(sub, tvb, off, len, truncated_bits, m->trunc);
        return it;
    case BPFCAP_META_VERDICT:
        it = proto_tree_add_int(tree, hf, tvb, off, len, m->verdict);
        if (m->verdict_kind) {
            proto_item_append_text(it, " (%s)", verdict_name(m->verdict_kind, m->verdict));
            sub = proto_item_add_subtree(it, ett_bpfcap_verdict);
            proto_item_set_generated(proto_tree_add_uint(sub, hf_bpfcap_verdict_kind, tvb, off, len,
                                                         m->verdict_kind));
        }
        return it;
    default:
        return NULL;
    }
}

/* Version 2: the fields in the option at their bytes; those the option leaves out (the
 * interface's, the EPB's, defaults) generated. */
static void dissect_meta_v2(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                            const uint8_t *data, unsigned len, const struct bpfcap_meta *outer)
{
    struct bpfcap_meta *m = wmem_new(pinfo->pool, struct bpfcap_meta);
    proto_tree *mtree;
    proto_item *ti, *it;
    tvbuff_t *mtvb;
    uint16_t type;
    int err;

    err = bpfcap_meta_decode_with(data, len, outer, m);
    mtvb = tvb_new_child_real_data(tvb, data, len, (int)len);
    add_new_data_source(pinfo, mtvb, "bpfcap metadata");
    ti = proto_tree_add_protocol_format(tree, proto_bpfcap, mtvb, 0, (int)len, "bpfcap: %s%s",
                                        meta_summary(pinfo->pool, m), err ? " [malformed]" : "");
    mtree = proto_item_add_subtree(ti, ett_bpfcap);
    proto_tree_add_item(mtree, hf_bpfcap_version, mtvb, 1, 1, ENC_LITTLE_ENDIAN);
    it = proto_tree_add_boolean(mtree, hf_bpfcap_derived, mtvb, 0, 0,
                                (m->flags & BPFCAP_META_F_DERIVED) != 0);
    proto_item_set_generated(it);
    for (type = 1; type <= BPFCAP_META_TYPE_MAX; type++) {
        if (!BPFCAP_META_HAS(m, type) || type >= array_length(type_hf) || !type_hf[type])
            continue;
        if (m->span[type].len) {
            add_value_field(mtree, mtvb, m->span[type].off, m->span[type].len, type, m);
        } else {
            it = add_value_field(mtree, mtvb, 0, 0, type, m);
            proto_item_set_generated(it);
        }
    }
    if (m->unknown_tlvs)
        expert_add_info_format(pinfo, ti, &ei_bpfcap_unknown_tlv,
                               "%u bpfcap fields of a later version not shown", m->unknown_tlvs);
    if (err)
        expert_add_info_format(pinfo, ti, &ei_bpfcap_malformed,
                               "Malformed bpfcap metadata (%u bytes): %s", len, meta_error(err));
    add_drop_expert(pinfo, ti, m);
}

static void dissect_meta_comment(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                                 const struct bpfcap_meta *m)
{
    proto_tree *mtree;
    proto_item *ti, *it;
    uint16_t type;

    ti = proto_tree_add_protocol_format(tree, proto_bpfcap, tvb, 0, 0,
                                        "bpfcap: %s [derived from comment]",
                                        meta_summary(pinfo->pool, m));
    proto_item_set_generated(ti);
    mtree = proto_item_add_subtree(ti, ett_bpfcap);
    it = proto_tree_add_boolean(mtree, hf_bpfcap_derived, tvb, 0, 0, true);
    proto_item_set_generated(it);
    expert_add_info(pinfo, it, &ei_bpfcap_derived);
    for (type = 1; type <= BPFCAP_META_TYPE_MAX; type++) {
        if (!BPFCAP_META_HAS(m, type) || type >= array_length(type_hf) || !type_hf[type])
            continue;
        it = add_value_field(mtree, tvb, 0, 0, type, m);
        proto_item_append_text(it, " [derived from comment]");
        proto_item_set_generated(it);
    }
    add_drop_expert(pinfo, ti, m);
}

struct option_walk {
    packet_info *pinfo;
    unsigned nmeta;
    const uint8_t *meta[MAX_OPTIONS];
    unsigned meta_len[MAX_OPTIONS];
    const char *comment; /* the first comment that parses as a bpfcap comment */
    struct bpfcap_meta *from_comment;
    struct bpfcap_meta *outer; /* what the EPB says (and the interface, added later) */
};

static ws_cb_bool walk_option(wtap_block_t block _U_, ws_cb_uint option_id,
                              wtap_opttype_e option_type, wtap_optval_t *opt, void *user_data)
{
    struct option_walk *w = (struct option_walk *)user_data;

    if ((option_id == OPT_CUSTOM_BIN_COPY || option_id == OPT_CUSTOM_BIN_NO_COPY) &&
        option_type == OPTTYPE_CUSTOM_BINARY && OPT_PEN(opt) == BPFCAP_META_PEN &&
        w->nmeta < MAX_OPTIONS) {
        size_t len = OPT_LEN(opt);

        if (len > UINT16_MAX) /* a pcapng option cannot be longer */
            len = UINT16_MAX;
        /* The block is released after dissection; the tree and byte view outlive it. */
        w->meta[w->nmeta] = len ? (const uint8_t *)wmem_memdup(w->pinfo->pool, OPT_DATA(opt), len) :
                                  NULL;
        w->meta_len[w->nmeta] = (unsigned)len;
        w->nmeta++;
    } else if (option_id == OPT_PKT_FLAGS && option_type == WTAP_OPTTYPE_UINT32) {
        w->outer->direction = (uint8_t)(opt->uint32val & 3); /* pcapng: 1 in, 2 out, as ours */
        BPFCAP_META_SET(w->outer, BPFCAP_META_DIRECTION);
    } else if (option_id == OPT_PKT_PACKETID && option_type == WTAP_OPTTYPE_UINT64) {
        w->outer->skb_id = opt->uint64val;
        BPFCAP_META_SET(w->outer, BPFCAP_META_SKB_ID);
    } else if (option_id == OPT_PKT_QUEUE && option_type == WTAP_OPTTYPE_UINT32) {
        w->outer->queue = (uint16_t)opt->uint32val;
        BPFCAP_META_SET(w->outer, BPFCAP_META_QUEUE);
    } else if (option_id == OPT_COMMENT && option_type == WTAP_OPTTYPE_STRING && !w->comment &&
               opt->stringval) {
        struct bpfcap_meta *m = wmem_new(w->pinfo->pool, struct bpfcap_meta);

        /* "looks like ours": the probe name plus at least one of our keys */
        if (bpfcap_meta_parse_comment(opt->stringval, strlen(opt->stringval), m) == 0 &&
            (m->present & ~((uint64_t)1 << BPFCAP_META_PROBE)) != 0) {
            w->comment = opt->stringval;
            w->from_comment = m;
        }
    }
    return WS_CB_CONTINUE;
}

static int dissect_bpfcap(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    struct option_walk w;
    unsigned i;

    if (!pinfo->rec || pinfo->rec->rec_type != REC_TYPE_PACKET || !pinfo->rec->block)
        return 0;
    memset(&w, 0, sizeof(w));
    w.pinfo = pinfo;
    w.outer = wmem_new0(pinfo->pool, struct bpfcap_meta);
    /* the interface's facts (its description), then the EPB's options */
    if (pinfo->rec->presence_flags & WTAP_HAS_INTERFACE_ID) {
#if BPFCAP_WS_IFDESC_SECTION
        const char *desc = epan_get_interface_description(
                pinfo->epan, pinfo->rec->rec_header.packet_header.interface_id,
                pinfo->rec->section_number);
#else
        const char *desc = epan_get_interface_description(
                pinfo->epan, pinfo->rec->rec_header.packet_header.interface_id);
#endif
        if (desc)
            bpfcap_meta_parse_idb(desc, strlen(desc), w.outer);
    }
    wtap_block_foreach_option(pinfo->rec->block, walk_option, &w);

    if (w.nmeta) {
        for (i = 0; i < w.nmeta; i++) {
            if (w.meta_len[i] >= 2 && w.meta[i][0] == BPFCAP_META_V2_MAGIC &&
                w.meta[i][1] == BPFCAP_META_VERSION2)
                dissect_meta_v2(tvb, pinfo, tree, w.meta[i], w.meta_len[i], w.outer);
            else
                dissect_meta_option(tvb, pinfo, tree, w.meta[i], w.meta_len[i]);
        }
        return (int)tvb_captured_length(tvb);
    }
    if (w.from_comment) {
        /* what the comment does not say (netns, probe type, ...) from the interface */
        bpfcap_meta_merge(w.from_comment, w.outer);
        dissect_meta_comment(tvb, pinfo, tree, w.from_comment);
        return (int)tvb_captured_length(tvb);
    }
    return 0;
}

void proto_register_bpfcap(void)
{
    static hf_register_info hf[] = {
        { &hf_bpfcap_magic,
          { "Magic", "bpfcap.magic", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_bpfcap_version,
          { "Version", "bpfcap.version", FT_UINT8, BASE_DEC, NULL, 0x0, NULL, HFILL } },
        { &hf_bpfcap_flags,
          { "Flags", "bpfcap.flags", FT_UINT8, BASE_HEX, NULL, 0x0, NULL, HFILL } },
        { &hf_bpfcap_flags_derived,
          { "Derived", "bpfcap.flags.derived", FT_BOOLEAN, 8, NULL, BPFCAP_META_F_DERIVED,
            "Reconstructed from the packet comment by the writer", HFILL } },
        { &hf_bpfcap_reserved,
          { "Reserved", "bpfcap.reserved", FT_UINT16, BASE_HEX, NULL, 0x0, NULL, HFILL } },
        { &hf_bpfcap_derived,
          { "Derived from comment", "bpfcap.derived", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "The binary option is missing; the fields come from the packet comment", HFILL } },
        { &hf_bpfcap_raw,
          { "Undecoded metadata", "bpfcap.raw", FT_BYTES, BASE_NONE, NULL, 0x0, NULL, HFILL } },

        { &hf_bpfcap_probe_id,
          { "Probe index", "bpfcap.probe_id", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Index of the probe in this capture", HFILL } },
        { &hf_bpfcap_probe,
          { "Probe", "bpfcap.probe", FT_STRING, BASE_NONE, NULL, 0x0,
            "Probe point, e.g. tp:skb:kfree_skb", HFILL } },
        { &hf_bpfcap_probe_type,
          { "Probe type", "bpfcap.probe_type", FT_UINT8, BASE_DEC, VALS(probe_type_vals), 0x0, NULL,
            HFILL } },
        { &hf_bpfcap_cpu, { "CPU", "bpfcap.cpu", FT_UINT32, BASE_DEC, NULL, 0x0, NULL, HFILL } },
        { &hf_bpfcap_ifindex,
          { "Interface index", "bpfcap.ifindex", FT_UINT32, BASE_DEC, NULL, 0x0, NULL, HFILL } },
        { &hf_bpfcap_ifname,
          { "Interface name", "bpfcap.ifname", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_bpfcap_netns,
          { "Network namespace", "bpfcap.netns", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Inode number of the device's network namespace", HFILL } },
        { &hf_bpfcap_len,
          { "skb length", "bpfcap.len", FT_UINT32, BASE_DEC, NULL, 0x0, "skb->len", HFILL } },
        { &hf_bpfcap_data_len,
          { "skb paged length", "bpfcap.data_len", FT_UINT32, BASE_DEC, NULL, 0x0,
            "skb->data_len: bytes in paged fragments", HFILL } },
        { &hf_bpfcap_truncated,
          { "Truncated", "bpfcap.truncated", FT_UINT32, BASE_HEX, NULL, 0x0, NULL, HFILL } },
        { &hf_bpfcap_truncated_snaplen,
          { "At the snapshot length", "bpfcap.truncated.snaplen", FT_BOOLEAN, 32, NULL,
            BPFCAP_TRUNC_SNAPLEN, NULL, HFILL } },
        { &hf_bpfcap_truncated_paged,
          { "Paged fragments not readable", "bpfcap.truncated.paged", FT_BOOLEAN, 32, NULL,
            BPFCAP_TRUNC_PAGED, NULL, HFILL } },
        { &hf_bpfcap_truncated_limit,
          { "At bpfcap's record limit", "bpfcap.truncated.limit", FT_BOOLEAN, 32, NULL,
            BPFCAP_TRUNC_LIMIT, NULL, HFILL } },
        { &hf_bpfcap_reason,
          { "Drop reason", "bpfcap.reason", FT_UINT32, BASE_DEC, NULL, 0x0,
            "enum skb_drop_reason of the capturing kernel", HFILL } },
        { &hf_bpfcap_reason_name,
          { "Drop reason name", "bpfcap.reason_name", FT_STRING, BASE_NONE, NULL, 0x0, NULL,
            HFILL } },
        { &hf_bpfcap_reason_subsys,
          { "Drop reason subsystem", "bpfcap.reason_subsys", FT_STRING, BASE_NONE, NULL, 0x0, NULL,
            HFILL } },
        { &hf_bpfcap_mark,
          { "Mark", "bpfcap.mark", FT_UINT32, BASE_HEX, NULL, 0x0, "skb->mark", HFILL } },
        { &hf_bpfcap_protocol,
          { "Protocol", "bpfcap.protocol", FT_UINT16, BASE_HEX, VALS(etype_vals), 0x0,
            "skb->protocol", HFILL } },
        { &hf_bpfcap_pkt_type,
          { "Packet type", "bpfcap.pkt_type", FT_UINT8, BASE_DEC, VALS(pkt_type_vals), 0x0,
            "skb->pkt_type", HFILL } },
        { &hf_bpfcap_queue,
          { "Queue", "bpfcap.queue", FT_UINT16, BASE_DEC, NULL, 0x0, "skb->queue_mapping",
            HFILL } },
        { &hf_bpfcap_pid,
          { "PID", "bpfcap.pid", FT_UINT32, BASE_DEC, NULL, 0x0, "Process (tgid) on the CPU",
            HFILL } },
        { &hf_bpfcap_tid,
          { "TID", "bpfcap.tid", FT_UINT32, BASE_DEC, NULL, 0x0, "Thread on the CPU", HFILL } },
        { &hf_bpfcap_comm,
          { "Command", "bpfcap.comm", FT_STRING, BASE_NONE, NULL, 0x0,
            "Name of the task on the CPU", HFILL } },
        { &hf_bpfcap_skb_id,
          { "skb id", "bpfcap.skb_id", FT_UINT64, BASE_HEX, NULL, 0x0,
            "The same for one skb at every probe", HFILL } },
        { &hf_bpfcap_verdict,
          { "Verdict", "bpfcap.verdict", FT_INT32, BASE_DEC, NULL, 0x0, NULL, HFILL } },
        { &hf_bpfcap_verdict_kind,
          { "Verdict kind", "bpfcap.verdict_kind", FT_UINT8, BASE_DEC, VALS(verdict_kind_vals), 0x0,
            NULL, HFILL } },
        { &hf_bpfcap_stack,
          { "Kernel stack", "bpfcap.stack", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_bpfcap_stack_frame,
          { "Frame", "bpfcap.stack.frame", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_bpfcap_location,
          { "Location", "bpfcap.location", FT_STRING, BASE_NONE, NULL, 0x0,
            "symbol+offset of the kfree_skb caller", HFILL } },
        { &hf_bpfcap_location_addr,
          { "Location address", "bpfcap.location_addr", FT_UINT64, BASE_HEX, NULL, 0x0,
            "Address of the kfree_skb caller", HFILL } },
        { &hf_bpfcap_direction,
          { "Direction", "bpfcap.direction", FT_UINT8, BASE_DEC, VALS(direction_vals), 0x0, NULL,
            HFILL } },
        { &hf_bpfcap_skb_iif,
          { "Input interface index", "bpfcap.skb_iif", FT_UINT32, BASE_DEC, NULL, 0x0,
            "skb->skb_iif", HFILL } },
        { &hf_bpfcap_dev_type,
          { "Device type", "bpfcap.dev_type", FT_UINT16, BASE_DEC, VALS(arphrd_vals), 0x0,
            "ARPHRD_* of the device", HFILL } },
        { &hf_bpfcap_synthesized,
          { "Headers synthesized", "bpfcap.synthesized", FT_UINT8, BASE_DEC, VALS(synth_vals), 0x0,
            "The skb had no headers at this hook; bpfcap rebuilt them", HFILL } },
        { &hf_bpfcap_tag,
          { "Tag", "bpfcap.tag", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Set by the user's program that emitted the packet (bpfcap_output.h)", HFILL } },
        { &hf_bpfcap_vlan,
          { "VLAN", "bpfcap.vlan", FT_UINT16, BASE_DEC, NULL, 0x0fff,
            "VLAN id of a tag the kernel carried out of band (skb->vlan_tci)", HFILL } },
        { &hf_bpfcap_vlan_tpid,
          { "TPID", "bpfcap.vlan.tpid", FT_UINT16, BASE_HEX, NULL, 0x0, NULL, HFILL } },
        { &hf_bpfcap_vlan_pcp,
          { "Priority", "bpfcap.vlan.pcp", FT_UINT16, BASE_DEC, NULL, 0xe000, NULL, HFILL } },
        { &hf_bpfcap_vlan_dei,
          { "DEI", "bpfcap.vlan.dei", FT_UINT16, BASE_DEC, NULL, 0x1000, NULL, HFILL } },
        { &hf_bpfcap_vlan_restored,
          { "Restored in the frame", "bpfcap.vlan.restored", FT_BOOLEAN, 8, NULL,
            BPFCAP_VLAN_RESTORED, "bpfcap put the tag back into the packet bytes", HFILL } },

        { &hf_bpfcap_tlv_type,
          { "Type", "bpfcap.tlv.type", FT_UINT16, BASE_DEC, NULL, 0x0, NULL, HFILL } },
        { &hf_bpfcap_tlv_len,
          { "Length", "bpfcap.tlv.len", FT_UINT16, BASE_DEC, NULL, 0x0, NULL, HFILL } },
        { &hf_bpfcap_tlv_value,
          { "Value", "bpfcap.tlv.value", FT_BYTES, BASE_NONE, NULL, 0x0, NULL, HFILL } },
    };
    static int *ett[] = {
        &ett_bpfcap,       &ett_bpfcap_flags, &ett_bpfcap_truncated, &ett_bpfcap_verdict,
        &ett_bpfcap_stack, &ett_bpfcap_vlan,  &ett_bpfcap_tlv,
    };
    static ei_register_info ei[] = {
        { &ei_bpfcap_malformed,
          { "bpfcap.malformed", PI_MALFORMED, PI_ERROR, "Malformed bpfcap metadata", EXPFILL } },
        { &ei_bpfcap_drop,
          { "bpfcap.drop", PI_SEQUENCE, PI_NOTE, "Dropped by the kernel", EXPFILL } },
        { &ei_bpfcap_unknown_tlv,
          { "bpfcap.unknown_tlv", PI_UNDECODED, PI_NOTE, "Unknown bpfcap TLV skipped", EXPFILL } },
        { &ei_bpfcap_derived,
          { "bpfcap.derived_from_comment", PI_ASSUMPTION, PI_CHAT,
            "bpfcap option missing: metadata derived from the packet comment", EXPFILL } },
    };

    proto_bpfcap = proto_register_protocol("bpfcap kernel packet metadata", "bpfcap", "bpfcap");
    proto_register_field_array(proto_bpfcap, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_bpfcap), ei, array_length(ei));
    bpfcap_handle = create_dissector_handle(dissect_bpfcap, proto_bpfcap);
}

void proto_reg_handoff_bpfcap(void)
{
    register_postdissector(bpfcap_handle);
}
