#!/usr/bin/env python3
"""Minimal pcapng reader for bpfcap's tests: interfaces, packets with every EPB option, ISBs.

    pcapng.py FILE packets   one line per packet, tab-separated:
                             if_name linktype caplen origlen flags dropcount packetid queue
                             has_meta comment
    pcapng.py FILE isb       one line per ISB: if_name ifrecv ifdrop filteraccept usrdeliv
    pcapng.py FILE lost      packets lost: the ISBs' isb_ifdrop total, or the EPBs' epb_dropcount
                             total where that is larger (a capture whose reader stopped before
                             the ISBs could be written, e.g. dumpcap closing the extcap's FIFO)
    pcapng.py FILE meta TYPE one line per packet: the value of bpfcap metadata field TYPE as the
                             option holds it (e.g. 23 stack, 25 location, 30 tag; integers in
                             decimal), line breaks as ','; '' if the option leaves it out
    pcapng.py FILE check     structural check: every block length consistent; exit 1 if not
"""
import struct
import sys

BPFCAP_PEN = 32473


def opts(buf, off, end, endian):
    out = []
    while off + 4 <= end:
        code, ln = struct.unpack(endian + "HH", buf[off:off + 4])
        off += 4
        if code == 0:
            break
        out.append((code, buf[off:off + ln]))
        off += (ln + 3) & ~3
    return out


def read(path):
    data = open(path, "rb").read()
    ifaces, packets, isbs = [], [], []
    off, endian = 0, "<"
    if data[:4] != b"\x0a\x0d\x0d\x0a":
        raise ValueError("not a pcapng file")
    while off + 12 <= len(data):
        btype = struct.unpack(endian + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            bom = data[off + 8:off + 12]
            endian = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        blen = struct.unpack(endian + "I", data[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(data):
            raise ValueError("truncated block at %d" % off)
        trail = struct.unpack(endian + "I", data[off + blen - 4:off + blen])[0]
        if trail != blen:
            raise ValueError("block length mismatch at %d" % off)
        body = off + 8
        end = off + blen - 4
        if btype == 1:
            lt, _, snap = struct.unpack(endian + "HHI", data[body:body + 8])
            o = dict(opts(data, body + 8, end, endian))
            ifaces.append({"linktype": lt, "snaplen": snap,
                           "name": o.get(2, b"").decode(errors="replace"),
                           "desc": o.get(3, b"").decode(errors="replace"),
                           "filter": o.get(11, b"")[1:].decode(errors="replace")})
        elif btype == 6:
            ifid, hi, lo, cap, orig = struct.unpack(endian + "IIIII", data[body:body + 20])
            pkt = data[body + 20:body + 20 + cap]
            p = {"if": ifid, "ts": (hi << 32) | lo, "caplen": cap, "origlen": orig,
                 "data": pkt, "comment": "", "flags": None, "dropcount": None,
                 "packetid": None, "queue": None, "meta": None}
            for code, v in opts(data, body + 20 + ((cap + 3) & ~3), end, endian):
                if code == 1:
                    p["comment"] = v.decode(errors="replace")
                elif code == 2:
                    p["flags"] = struct.unpack(endian + "I", v)[0]
                elif code == 4:
                    p["dropcount"] = struct.unpack(endian + "Q", v)[0]
                elif code == 5:
                    p["packetid"] = struct.unpack(endian + "Q", v)[0]
                elif code == 6:
                    p["queue"] = struct.unpack(endian + "I", v)[0]
                elif code == 2989 and struct.unpack(endian + "I", v[:4])[0] == BPFCAP_PEN:
                    p["meta"] = v[4:]
            packets.append(p)
        elif btype == 5:
            ifid = struct.unpack(endian + "I", data[body:body + 4])[0]
            s = {"if": ifid}
            names = {4: "ifrecv", 5: "ifdrop", 6: "filteraccept", 7: "osdrop", 8: "usrdeliv"}
            for code, v in opts(data, body + 12, end, endian):
                if code in names:
                    s[names[code]] = struct.unpack(endian + "Q", v)[0]
            isbs.append(s)
        off += blen
    return ifaces, packets, isbs


V1_INT = {1: 4, 3: 1, 4: 4, 5: 4, 7: 4, 8: 4, 9: 4, 10: 4, 11: 4, 14: 4, 15: 2, 16: 1, 17: 2,
          18: 4, 19: 4, 21: 8, 24: 8, 26: 1, 27: 4, 28: 2, 29: 1, 30: 4}


def meta_v1(m, want):
    off = 8
    while off + 4 <= len(m):
        t, n = struct.unpack("<HH", m[off:off + 4])
        if t == want:
            v = m[off + 4:off + 4 + n]
            return int.from_bytes(v, "little") if V1_INT.get(t) == n else v
        off += 4 + ((n + 3) & ~3)
    return b""


V2_STR = {2, 6, 12, 13, 20, 23}  # include/bpfcap/meta.h: strings (LEB128 length, bytes)


PROBE_TYPES = ["?", "tracepoint", "raw_tracepoint", "kprobe", "fentry", "fexit", "xdp", "tc",
               "prog"]


def meta_fields(m):
    """Every field of a version-1 or version-2 option (include/bpfcap/meta.h) as
    {type: int or bytes}: what the option itself holds."""
    out = {}
    if m[:2] != b"\xbf\x02":
        off = 8
        while off + 4 <= len(m):
            t, n = struct.unpack("<HH", m[off:off + 4])
            v = m[off + 4:off + 4 + n]
            out[t] = int.from_bytes(v, "little") if V1_INT.get(t) == n else v
            off += 4 + ((n + 3) & ~3)
        return out

    def leb(off):
        v, shift = 0, 0
        while True:
            b = m[off]
            off += 1
            v |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return v, off
    bits, off = leb(2)
    if bits & 1:
        off += 1
    for t in range(1, 32):
        if not bits >> t & 1:
            continue
        if t in V2_STR or t == 25:
            n, off = leb(off)
            val, off = m[off:off + n], off + n
            if t == 25:
                o, off = leb(off)
                if o:
                    val += b"+0x%x" % (o - 1)
        elif t == 22:
            val, off = leb(off + 1)
            val = (val >> 1) ^ -(val & 1)
        elif t == 31:
            tpid, off = leb(off)
            tci, off = leb(off)
            val, off = (tpid, tci, m[off]), off + 1
        else:
            val, off = leb(off)
        out[t] = val
    return out


def meta_of(iface, pkt):
    """What a reader of the packet sees: the option's fields, completed with the interface's
    (its description: probe, type, probe_id, dev, netns, devtype) for a version-2 option."""
    m = pkt["meta"] or b""
    out = meta_fields(m)
    if m[:2] != b"\xbf\x02" or not iface["desc"].startswith("bpfcap "):
        return out
    for tok in iface["desc"].split(" ")[1:]:
        k, _, v = tok.partition("=")
        if k == "filter":
            break
        if k == "probe":
            out.setdefault(2, v.encode())
        elif k == "type" and v in PROBE_TYPES:
            out.setdefault(3, PROBE_TYPES.index(v))
        elif k == "probe_id":
            out.setdefault(1, int(v))
        elif k == "netns":
            out.setdefault(7, int(v))
        elif k == "devtype":
            out.setdefault(28, int(v))
        elif k == "dev" and v.endswith(")") and "(" in v:
            name, _, idx = v[:-1].rpartition("(")
            out.setdefault(5, int(idx))
            if name:
                out.setdefault(6, name.encode())
    return out


def meta_v2(m, want):
    """The value of field `want` as a version-2 option holds it (b"" if it leaves it out)."""
    return meta_fields(m).get(want, b"")


def main():
    path, what = sys.argv[1], sys.argv[2]
    try:
        ifaces, packets, isbs = read(path)
    except (ValueError, struct.error) as e:
        print("pcapng.py: %s: %s" % (path, e), file=sys.stderr)
        return 1
    name = lambda i: ifaces[i]["name"] if i < len(ifaces) else "?"
    if what == "packets":
        for p in packets:
            print("\t".join(str(x) for x in (
                name(p["if"]), ifaces[p["if"]]["linktype"], p["caplen"], p["origlen"],
                p["flags"], p["dropcount"], p["packetid"], p["queue"],
                1 if p["meta"] else 0, p["comment"])))
    elif what == "isb":
        for s in isbs:
            print("\t".join(str(x) for x in (name(s["if"]), s.get("ifrecv"), s.get("ifdrop"),
                                               s.get("filteraccept"), s.get("usrdeliv"))))
    elif what == "lost":
        print(max(sum(s.get("ifdrop", 0) or 0 for s in isbs),
                  sum(p["dropcount"] or 0 for p in packets)))
    elif what == "meta":
        want = int(sys.argv[3])
        for p in packets:
            m = p["meta"] or b""
            val = meta_v2(m, want) if m[:2] == b"\xbf\x02" else meta_v1(m, want)
            if not isinstance(val, bytes):
                val = str(val).encode()
            print(val.decode(errors="replace").replace("\n", ","))
    elif what == "interfaces":
        for i in ifaces:
            print("%s\t%d\t%s" % (i["name"], i["linktype"], i["desc"]))
    elif what == "check":
        print("ok: %d interfaces, %d packets, %d ISBs" % (len(ifaces), len(packets), len(isbs)))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
