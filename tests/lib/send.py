#!/usr/bin/env python3
"""Traffic for tests: send.py udp|tcp|tcpbulk|sink ADDR PORT [COUNT] [--size N] [--rate PPS]

udp      COUNT datagrams of --size payload bytes (default 32)
tcp      COUNT connection attempts (SYN; a closed port answers RST)
tcpbulk  connect and send COUNT bytes of a repeating ASCII pattern
sink     listen on ADDR PORT, print 'ready', read and discard every connection until killed
Prints what was sent as 'sent N'.
"""
import errno
import socket
import sys
import time


def main():
    args = sys.argv[1:]
    size, rate, timeout = 32, 0.0, 2.0
    for opt in ("--size", "--rate", "--timeout"):
        if opt in args:
            i = args.index(opt)
            val = args[i + 1]
            del args[i:i + 2]
            if opt == "--size":
                size = int(val)
            elif opt == "--rate":
                rate = float(val)
            else:
                timeout = float(val)
    kind, addr, port = args[0], args[1], int(args[2])
    count = int(args[3]) if len(args) > 3 else 1
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    sent = 0
    if kind == "sink":
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen(1)
        print("ready", flush=True)
        while True:
            c, _ = s.accept()
            while c.recv(1 << 20):
                pass
            c.close()
    if kind == "udp":
        s = socket.socket(fam, socket.SOCK_DGRAM)
        payload = (b"bpfcap-test-" * (size // 12 + 1))[:size]
        for _ in range(count):
            try:
                s.sendto(payload, (addr, port))
                sent += 1
            except OSError as e:  # ICMP errors come back as ECONNREFUSED on later sends
                if e.errno not in (errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENOBUFS):
                    raise
                sent += 1
            if rate:
                time.sleep(1.0 / rate)
    elif kind == "tcp":
        for _ in range(count):
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.settimeout(timeout)
            try:
                s.connect((addr, port))
            except (ConnectionRefusedError, socket.timeout, OSError):
                pass
            sent += 1
            s.close()
            if rate:
                time.sleep(1.0 / rate)
    elif kind == "tcpbulk":
        s = socket.create_connection((addr, port), timeout=10)
        block = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345" * 2048
        while sent < count:
            n = s.send(block[:min(len(block), count - sent)])
            sent += n
        s.shutdown(socket.SHUT_WR)
        s.close()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print("sent %d" % sent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
