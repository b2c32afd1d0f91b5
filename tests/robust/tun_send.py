#!/usr/bin/env python3
"""tun_send.py TUN SRC DST PORT COUNT SIZE: writes COUNT IPv4/UDP packets of SIZE payload bytes
from SRC to DST:PORT into the (existing, configured) tun device TUN, as if they had arrived on it:
packets on a device without a MAC header (ARPHRD_NONE), for link-type tests."""
import fcntl
import os
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000


def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main():
    tun, src, dst, port, count, size = sys.argv[1:7]
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", tun.encode(), IFF_TUN | IFF_NO_PI))
    payload = b"x" * int(size)
    udp = struct.pack("!HHHH", 40000, int(port), 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    for _ in range(int(count)):
        os.write(fd, hdr + udp)
    os.close(fd)
    print("sent %s" % count)


if __name__ == "__main__":
    main()
