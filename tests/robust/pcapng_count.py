#!/usr/bin/env python3
"""Streaming pcapng checker for long captures (tests/lib/pcapng.py reads whole files into memory).

    pcapng_count.py FILE [FIELD]

Walks every block, checking that its two length fields agree and that the file ends on a block
boundary; exit 1 (with the offset) otherwise. Prints
    packets=N lost=L dropcount=D interfaces=I isbs=S bytes=B
where packets counts EPBs, lost sums isb_ifdrop, dropcount sums epb_dropcount. With FIELD,
prints only that number; FIELD snaplens lists the IDBs' snap lengths, caplens the first 1000
packets' caplen/origlen.
"""
import struct
import sys


def main():
    path = sys.argv[1]
    n = {"packets": 0, "lost": 0, "dropcount": 0, "interfaces": 0, "isbs": 0, "bytes": 0}
    snaplens = []
    caplens = []
    endian = "<"
    with open(path, "rb") as f:
        off = 0
        first = True
        while True:
            head = f.read(8)
            if not head:
                break
            if len(head) < 8:
                print("%s: truncated block header at offset %d" % (path, off), file=sys.stderr)
                return 1
            btype = struct.unpack("<I", head[:4])[0]
            if first and btype != 0x0A0D0D0A:
                print("%s: not a pcapng file" % path, file=sys.stderr)
                return 1
            first = False
            if btype == 0x0A0D0D0A:
                bom = f.read(4)
                endian = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
                f.seek(-4, 1)
            blen = struct.unpack(endian + "I", head[4:8])[0]
            if blen < 12 or blen % 4:
                print("%s: bad block length %d at offset %d" % (path, blen, off), file=sys.stderr)
                return 1
            body = f.read(blen - 8)
            if len(body) < blen - 8:
                print("%s: file ends inside a block at offset %d (%d of %d bytes)"
                      % (path, off, len(body) + 8, blen), file=sys.stderr)
                return 1
            if struct.unpack(endian + "I", body[-4:])[0] != blen:
                print("%s: block length mismatch at offset %d" % (path, off), file=sys.stderr)
                return 1
            if btype == 1:
                n["interfaces"] += 1
                snaplens.append(struct.unpack(endian + "I", body[4:8])[0])
            elif btype == 6:
                n["packets"] += 1
                cap = struct.unpack(endian + "I", body[12:16])[0]
                if len(caplens) < 1000:
                    caplens.append("%d/%d" % (cap, struct.unpack(endian + "I", body[16:20])[0]))
                o = 20 + ((cap + 3) & ~3)
                while o + 4 <= len(body) - 4:
                    code, ln = struct.unpack(endian + "HH", body[o:o + 4])
                    if code == 0:
                        break
                    if code == 4 and ln == 8:
                        n["dropcount"] += struct.unpack(endian + "Q", body[o + 4:o + 12])[0]
                    o += 4 + ((ln + 3) & ~3)
            elif btype == 5:
                n["isbs"] += 1
                o = 12
                while o + 4 <= len(body) - 4:
                    code, ln = struct.unpack(endian + "HH", body[o:o + 4])
                    if code == 0:
                        break
                    if code == 5 and ln == 8:
                        n["lost"] += struct.unpack(endian + "Q", body[o + 4:o + 12])[0]
                    o += 4 + ((ln + 3) & ~3)
            off += blen
    n["bytes"] = off
    if len(sys.argv) > 2 and sys.argv[2] == "snaplens":
        print(" ".join(str(x) for x in snaplens))
    elif len(sys.argv) > 2 and sys.argv[2] == "caplens":
        print(" ".join(caplens))
    elif len(sys.argv) > 2:
        print(n[sys.argv[2]])
    else:
        print(" ".join("%s=%d" % kv for kv in n.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
