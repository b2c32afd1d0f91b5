#!/usr/bin/env python3
"""Writes the packet corpus of the differential filter test (a pcap, Ethernet):
ARP, IPv4/IPv6 with TCP/UDP/ICMP, IP options, fragments, IPv6 extension headers, VLAN/QinQ,
broadcast/multicast, GRE, packets longer than the filter window, cut packets.
    make-corpus.py OUT.pcap"""
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def eth(dst, src, etype, payload, vlans=()):
    h = mac(dst) + mac(src)
    for tpid, vid in vlans:
        h += struct.pack("!HH", tpid, vid)
    return h + struct.pack("!H", etype) + payload


def ip4(src, dst, proto, payload, ttl=64, ident=1, frag=0, mf=False, df=False, opts=b"", tos=0):
    ihl = 5 + len(opts) // 4
    flags = (0x4000 if df else 0) | (0x2000 if mf else 0) | (frag // 8)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, tos, 20 + len(opts) + len(payload), ident,
                    flags, ttl, proto, 0, bytes(map(int, src.split("."))),
                    bytes(map(int, dst.split("."))))
    h += opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ip6addr(a):
    import socket
    return socket.inet_pton(socket.AF_INET6, a)


def ip6(src, dst, nh, payload, hlim=64, ext=b""):
    return struct.pack("!IHBB16s16s", 0x60000000, len(ext) + len(payload), nh, hlim,
                       ip6addr(src), ip6addr(dst)) + ext + payload


def udp(sp, dp, data=b"x" * 8):
    return struct.pack("!HHHH", sp, dp, 8 + len(data), 0) + data


def tcp(sp, dp, flags, seq=1000, ack=0, data=b"", opts=b""):
    off = (20 + len(opts)) // 4
    return struct.pack("!HHIIBBHHH", sp, dp, seq, ack, off << 4, flags, 65535, 0, 0) + opts + data


def icmp(t, c, data=b"abcdefgh"):
    return struct.pack("!BBHHH", t, c, 0, 1, 1) + data


A = "02:00:00:00:00:01"
B = "02:00:00:00:00:02"
BC = "ff:ff:ff:ff:ff:ff"
MC4 = "01:00:5e:00:00:fb"
MC6 = "33:33:00:00:00:01"
pk = []
# ARP
arp_req = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac(A), bytes([10, 0, 0, 1]),
                      b"\0" * 6, bytes([10, 0, 0, 2]))
arp_rep = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2, mac(B), bytes([10, 0, 0, 2]),
                      mac(A), bytes([10, 0, 0, 1]))
pk.append(eth(BC, A, 0x0806, arp_req))
pk.append(eth(A, B, 0x0806, arp_rep))
# IPv4 UDP
for sp, dp in ((40000, 9), (53, 40001), (40002, 53), (123, 123), (5000, 5001), (40003, 9999)):
    pk.append(eth(B, A, 0x0800, ip4("10.0.0.1", "10.0.0.2", 17, udp(sp, dp))))
pk.append(eth(B, A, 0x0800, ip4("192.168.1.7", "10.0.0.2", 17, udp(1234, 9))))
pk.append(eth(B, A, 0x0800, ip4("10.0.0.1", "10.1.2.3", 17, udp(67, 68), ttl=1, tos=0x10)))
# IPv4 TCP with flags and options
for fl in (0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14, 0x29):
    pk.append(eth(B, A, 0x0800, ip4("10.0.0.1", "10.0.0.2", 6,
                                     tcp(40000 + fl, 80 if fl & 2 else 443, fl, data=b"GET /" if fl & 8 else b"",
                                         opts=b"\x02\x04\x05\xb4\x01\x03\x03\x07" if fl & 2 else b""))))
pk.append(eth(B, A, 0x0800, ip4("10.0.0.9", "10.0.0.2", 6, tcp(22, 50000, 0x18, data=b"SSH-2.0"))))
# IP options (IHL 6) with UDP: port offsets move
pk.append(eth(B, A, 0x0800, ip4("10.0.0.1", "10.0.0.2", 17, udp(7777, 9), opts=b"\x94\x04\x00\x00")))
pk.append(eth(B, A, 0x0800, ip4("10.0.0.1", "10.0.0.2", 6, tcp(1, 80, 0x02), opts=b"\x01\x01\x01\x00")))
# ICMP
for t, c in ((8, 0), (0, 0), (3, 3), (11, 0), (5, 1)):
    pk.append(eth(B, A, 0x0800, ip4("10.0.0.1", "10.0.0.2", 1, icmp(t, c))))
# fragments: first (MF), middle, last
pay = udp(5353, 9, b"F" * 40)
pk.append(eth(B, A, 0x0800, ip4("10.0.0.1", "10.0.0.2", 17, pay[:24], ident=77, mf=True)))
pk.append(eth(B, A, 0x0800, ip4("10.0.0.1", "10.0.0.2", 17, b"G" * 24, ident=77, frag=24, mf=True)))
pk.append(eth(B, A, 0x0800, ip4("10.0.0.1", "10.0.0.2", 17, b"H" * 8, ident=77, frag=48)))
# GRE, broadcast, multicast
pk.append(eth(B, A, 0x0800, ip4("10.0.0.1", "10.0.0.2", 47, b"\x00\x00\x08\x00" + b"z" * 20)))
pk.append(eth(BC, A, 0x0800, ip4("10.0.0.1", "10.0.0.255", 17, udp(138, 138))))
pk.append(eth(MC4, A, 0x0800, ip4("10.0.0.1", "224.0.0.251", 17, udp(5353, 5353))))
# IPv6
pk.append(eth(B, A, 0x86dd, ip6("fd00::1", "fd00::2", 17, udp(40000, 9))))
pk.append(eth(B, A, 0x86dd, ip6("fd00::1", "fd00::2", 6, tcp(40000, 443, 0x02))))
pk.append(eth(B, A, 0x86dd, ip6("fd00::1", "fd00::2", 6, tcp(443, 40000, 0x12))))
pk.append(eth(B, A, 0x86dd, ip6("fd00::1", "fd00::2", 58, icmp(128, 0))))
pk.append(eth(MC6, A, 0x86dd, ip6("fe80::1", "ff02::1", 58, icmp(135, 0, b"\0" * 20))))
pk.append(eth(B, A, 0x86dd, ip6("2001:db8::5", "fd00::2", 17, udp(53, 40000))))
# IPv6 hop-by-hop + UDP, and a fragment header
hbh = struct.pack("!BB", 17, 0) + b"\x01\x04\x00\x00\x00\x00"
pk.append(eth(B, A, 0x86dd, ip6("fd00::1", "fd00::2", 0, udp(40000, 9), ext=hbh)))
fh = struct.pack("!BBHI", 17, 0, 0x0001, 0x1234)  # offset 0, M=1
pk.append(eth(B, A, 0x86dd, ip6("fd00::1", "fd00::2", 44, udp(40000, 9, b"Q" * 16), ext=fh)))
# VLAN and QinQ
pk.append(eth(B, A, 0x0800, ip4("10.0.0.1", "10.0.0.2", 17, udp(40000, 9)), vlans=((0x8100, 100),)))
pk.append(eth(B, A, 0x86dd, ip6("fd00::1", "fd00::2", 6, tcp(1, 80, 0x02)), vlans=((0x8100, 200),)))
pk.append(eth(B, A, 0x0800, ip4("10.0.0.1", "10.0.0.2", 6, tcp(1, 80, 0x02)),
              vlans=((0x88a8, 10), (0x8100, 20))))
pk.append(eth(B, A, 0x0806, arp_req, vlans=((0x8100, 100),)))
# long packets: payload bytes past the 512-byte window
big = bytes(range(256)) * 6
pk.append(eth(B, A, 0x0800, ip4("10.0.0.1", "10.0.0.2", 17, udp(40000, 9, big))))
pk.append(eth(B, A, 0x0800, ip4("10.0.0.1", "10.0.0.2", 6, tcp(40000, 80, 0x18, data=big))))
pk.append(eth(B, A, 0x86dd, ip6("fd00::1", "fd00::2", 17, udp(40000, 9, big))))
# odd ones: IPv4 with a bad IHL, truncated TCP, unknown ethertype, LLDP-ish
pk.append(eth(B, A, 0x0800, b"\x44" + ip4("10.0.0.1", "10.0.0.2", 6, tcp(1, 2, 2))[1:30]))
pk.append(eth(B, A, 0x0800, ip4("10.0.0.1", "10.0.0.2", 6, tcp(1, 80, 2))[:30]))
pk.append(eth(B, A, 0x88b5, b"experimental" * 4))
pk.append(eth("01:80:c2:00:00:0e", A, 0x88cc, b"\x02\x07\x04" + b"\0" * 30))

out = open(sys.argv[1], "wb")
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
for i, p in enumerate(pk):
    out.write(struct.pack("<IIII", 1700000000, i, len(p), len(p)) + p)
# one packet recorded with a snaplen: caplen < wirelen
p = eth(B, A, 0x0800, ip4("10.0.0.1", "10.0.0.2", 17, udp(40000, 9, b"S" * 200)))
out.write(struct.pack("<IIII", 1700000000, 999, 50, len(p)) + p[:50])
out.close()
print("%d packets" % (len(pk) + 1))
