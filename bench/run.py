#!/usr/bin/env python3
"""bpfcap benchmark driver (called by bench/run.sh inside private namespaces)."""
import argparse
import tempfile
import json
import os
import platform
import re
import resource
import select
import signal
import statistics
import struct
import subprocess
import sys
import time

A, B = "bA", "bB"
A_IP, B_IP = "10.99.0.1", "10.99.0.2"


def sh(cmd, check=True, **kw):
    return subprocess.run(cmd, shell=True, check=check, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def setup():
    sh("ip link set lo up")
    for ns in (A, B):
        sh("ip netns add %s" % ns)
        sh("ip -n %s link set lo up" % ns)
    sh("ip link add vethA netns %s type veth peer name vethB netns %s" % (A, B))
    sh("ip -n %s addr add %s/24 dev vethA" % (A, A_IP))
    sh("ip -n %s addr add %s/24 dev vethB" % (B, B_IP))
    sh("ip -n %s link set vethA up" % A)
    sh("ip -n %s link set vethB up" % B)
    # 1 % of the flows (port 9000 of 9000-9099) dropped by nftables: NETFILTER_DROP
    sh("ip netns exec %s nft add table inet bench" % A)
    sh("ip netns exec %s nft 'add chain inet bench input { type filter hook input priority 0; }'" % A)
    sh("ip netns exec %s nft add rule inet bench input udp dport 9000 drop" % A)
    for _ in range(50):
        if sh("ip netns exec %s ping -c1 -W1 %s" % (B, A_IP), check=False).returncode == 0:
            break
        time.sleep(0.1)
    return int(sh("ip netns exec %s stat -L -c %%i /proc/self/ns/net" % A).stdout)


def teardown():
    for ns in (A, B):
        sh("ip netns del %s" % ns, check=False)


class Capture:
    """A capturing process in netns A (or on the host for bpfcap: it sees every namespace)."""

    def __init__(self, argv, ready, netns=None, stdout=subprocess.DEVNULL, settle=0.0):
        self.argv = argv
        if netns:
            argv = ["ip", "netns", "exec", netns] + argv
        self.t0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.p = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, text=False)
        self.err = b""
        deadline = time.time() + 15
        while ready.encode() not in self.err:
            if self.p.poll() is not None or time.time() > deadline:
                self.err += self.p.stderr.read() if self.p.poll() is not None else b""
                raise RuntimeError("capture did not start: %s: %s" % (" ".join(self.argv), self.err.decode(errors="replace")))
            r, _, _ = select.select([self.p.stderr], [], [], 0.1)
            if r:
                self.err += os.read(self.p.stderr.fileno(), 65536)
        time.sleep(settle)  # e.g. tshark says "Capturing" before its extcap has attached

    def stop(self, drain=0.3):
        time.sleep(drain)
        self.p.send_signal(signal.SIGINT)
        out, err = self.p.communicate(timeout=30)
        self.err += err or b""
        t1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu = (t1.ru_utime - self.t0.ru_utime) + (t1.ru_stime - self.t0.ru_stime)
        return self.err.decode(errors="replace")


def gen(args, secs, extra=""):
    out = sh("ip netns exec %s %s/bench/bpfcap-gen %s --cpu 0 --duration %s %s" %
             (B, args.build, extra, secs, "")).stdout
    m = re.search(r"sent (\d+) packets in ([\d.]+) s = (\d+) pps", out)
    if m:
        return int(m.group(1)), float(m.group(3))
    m = re.search(r"sent (\d+) bytes in ([\d.]+) s = ([\d.]+) Mbit/s", out)
    return int(m.group(1)), float(m.group(3))


def gen2(args, secs, extra):
    """two senders, on CPU 0 and CPU 1"""
    ps = [subprocess.Popen("ip netns exec %s %s/bench/bpfcap-gen %s --cpu %d --duration %s" %
                           (B, args.build, extra, cpu, secs), shell=True, text=True,
                           stdout=subprocess.PIPE) for cpu in (0, 1)]
    sent = rate = 0
    for p in ps:
        out = p.communicate()[0]
        m = re.search(r"sent (\d+) packets in ([\d.]+) s = (\d+) pps", out)
        sent += int(m.group(1))
        rate += float(m.group(3))
    return sent, rate


def num(pattern, text):
    m = re.search(pattern, text, re.M)
    return int(m.group(1)) if m else None


def bpf_cost(prefixes):
    """avg ns per run of our programs (kernel.bpf_stats_enabled must be on)"""
    try:
        progs = json.loads(sh("bpftool -j prog show").stdout)
    except (subprocess.CalledProcessError, ValueError):
        return None
    cnt = ns = 0
    for p in progs:
        if any(p.get("name", "").startswith(x) for x in prefixes) and "run_cnt" in p:
            cnt += p["run_cnt"]
            ns += p["run_time_ns"]
    return ns / cnt if cnt else None


def configs(args, ns_a):
    bc = "%s/extcap/bpfcap" % args.build
    c = []
    c.append(dict(name="no capture", kind="udp"))
    c.append(dict(name="tcpdump -w /dev/null (AF_PACKET)", kind="udp", tool="tcpdump",
                  start=lambda: Capture(["tcpdump", "-i", "vethA", "-w", "/dev/null"],
                                        "listening on", netns=A)))
    c.append(dict(name="bpfcap netif_receive_skb", kind="udp", tool="bpfcap",
                  start=lambda: Capture([bc, "capture", "-v", "-p", "netif_receive_skb", "--netns",
                                         str(ns_a), "-w", "/dev/null"], "attached through")))
    c.append(dict(name="bpfcap kfree_skb (closed port)", kind="udp", tool="bpfcap",
                  start=lambda: Capture([bc, "capture", "-v", "--netns", str(ns_a), "-w",
                                         "/dev/null"], "attached through")))
    c.append(dict(name="bpfcap kfree_skb --stack (closed port)", kind="udp", tool="bpfcap",
                  start=lambda: Capture([bc, "capture", "-v", "--stack", "--netns", str(ns_a),
                                         "-w", "/dev/null"], "attached through")))
    c.append(dict(name="bpfcap kfree_skb, pcap filter keeps 1 %", kind="udp100", tool="bpfcap",
                  start=lambda: Capture([bc, "capture", "-v", "--netns", str(ns_a), "-w",
                                         "/dev/null", "udp dst port 9000"],
                                        "attached through")))
    if not args.quick and sh("command -v xdpdump", check=False).returncode == 0:
        c.append(dict(name="xdpdump --load-xdp-program", kind="udp", tool="xdpdump",
                      start=lambda: Capture(["xdpdump", "-i", "vethA", "--load-xdp-program", "-w",
                                             "/dev/null"], "listening on", netns=A)))
    # into a file on disk, as users capture: the same tools writing FILE, and Wireshark's own
    # capture of the interface (dumpcap under tshark) next to the extcap row below
    fdir = tempfile.mkdtemp(prefix="bpfcap-bench.", dir="/var/tmp")
    ffile = os.path.join(fdir, "bench.pcapng")
    c.append(dict(name="tcpdump -w FILE (AF_PACKET)", kind="udp", tool="tcpdump", out=ffile,
                  start=lambda: Capture(["tcpdump", "-i", "vethA", "-w", ffile],
                                        "listening on", netns=A)))
    c.append(dict(name="bpfcap netif_receive_skb -w FILE", kind="udp", tool="bpfcap", out=ffile,
                  start=lambda: Capture([bc, "capture", "-v", "-p", "netif_receive_skb", "--netns",
                                         str(ns_a), "-w", ffile], "attached through")))
    if not args.quick and sh("command -v tshark", check=False).returncode == 0:
        c.append(dict(name="Wireshark's own capture: dumpcap (tshark -i vethA -w FILE)",
                      kind="udp", tool="tshark", out=ffile, drain=1.0,
                      start=lambda: Capture(["tshark", "-i", "vethA", "-w", ffile],
                                            "Capturing on", netns=A, settle=1.0)))
    c.append(dict(name="no capture, 2 senders", kind="udp2"))
    c.append(dict(name="bpfcap netif_receive_skb, 2 senders", kind="udp2", tool="bpfcap",
                  start=lambda: Capture([bc, "capture", "-v", "-p", "netif_receive_skb", "--netns",
                                         str(ns_a), "-w", "/dev/null"], "attached through")))
    if not args.quick and args.extcap_home:
        # the Wireshark path: tshark as a member of group wireshark, the extcap with file caps
        # Into a file in the user's home, stopped only once what is in flight has had time to
        # arrive (dumpcap closes the FIFO at SIGINT and discards the extcap's backlog): the
        # loss is what bpfcap counted in the kernel, from the file's ISBs.
        out = os.path.join(args.extcap_home, "bench-extcap.pcapng")
        c.append(dict(name="bpfcap extcap via tshark (as a user)", kind="udp", tool="tshark",
                      out=out, drain=3.0,
                      start=lambda: Capture(
                          [os.path.join(args.top, "tests/lib/asuser.sh"), "--wireshark",
                           args.extcap_home, "--", "tshark", "-i", "bpf_netif_receive_skb",
                           "-o", "extcap.bpf_netif_receive_skb.netns:%d" % ns_a, "-w", out],
                          "Capturing on", settle=2.0)))
    c.append(dict(name="no capture, bulk TCP", kind="tcp"))
    c.append(dict(name="bpfcap -s 65535 netif_receive_skb, bulk TCP", kind="tcp", tool="bpfcap",
                  start=lambda: Capture([bc, "capture", "-v", "-s", "65535", "-p",
                                         "netif_receive_skb", "--netns", str(ns_a), "-w",
                                         "/dev/null"], "attached through")))
    return c


def run_one(args, cfg):
    srv = None
    if cfg["kind"] == "tcp":
        srv = subprocess.Popen(["ip", "netns", "exec", A, "python3",
                                os.path.join(args.top, "tests/lib/send.py"), "sink", A_IP,
                                "5001"], stdout=subprocess.DEVNULL)
        time.sleep(0.3)
    cap = cfg["start"]() if "start" in cfg else None
    if cfg["kind"] == "udp":
        sent, rate = gen(args, args.seconds, "udp %s 9 --size %d" % (A_IP, args.size))
    elif cfg["kind"] == "udp2":
        sent, rate = gen2(args, args.seconds, "udp %s 9 --size %d" % (A_IP, args.size))
    elif cfg["kind"] == "udp100":
        sent, rate = gen(args, args.seconds, "udp %s 9000 --flows 100 --size %d" % (A_IP, args.size))
    else:
        sent, rate = gen(args, args.seconds, "tcp %s 5001" % A_IP)
    res = dict(rate=rate, sent=sent)
    if cap:
        err = cap.stop(cfg.get("drain", 0.3))
        res["cpu"] = cap.cpu
        if cfg["tool"] == "bpfcap":
            res["captured"] = num(r"^(\d+) packets? captured", err)
            res["lost"] = num(r"^(\d+) packets? lost in the kernel", err)
            res["filtered"] = num(r"^(\d+) packets? filtered out", err)
        elif cfg["tool"] == "tshark":
            res["captured"] = num(r"^(\d+) packets? captured", err)
            lost = sh("python3 %s/tests/lib/pcapng.py %s lost" % (args.top, cfg["out"]),
                      check=False).stdout.strip()
            res["lost"] = int(lost) if lost.isdigit() else None
        elif cfg["tool"] == "tcpdump":
            res["captured"] = num(r"^(\d+) packets? captured", err)
            res["lost"] = num(r"^(\d+) packets? dropped by kernel", err)
        else:
            res["captured"] = num(r"(\d+) packets? captured", err)
            res["lost"] = num(r"(\d+) packets? dropped", err)
    if srv:
        srv.kill()
        srv.wait()
    if cfg.get("out") and os.path.exists(cfg["out"]):
        res["bytes"] = os.path.getsize(cfg["out"])
        os.unlink(cfg["out"])
    return res


def latency(args, ns_a, argv, fmt, netns=None):
    """send 40 stamped packets at 20/s; ms from send to bytes readable from the pipe"""
    p = subprocess.Popen((["ip", "netns", "exec", netns] if netns else []) + argv,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(2.0)
    g = subprocess.Popen("ip netns exec %s %s/bench/bpfcap-gen udp %s 9 --rate 20 --count 40 "
                         "--stamp --size 64" % (B, args.build, A_IP), shell=True,
                         stdout=subprocess.DEVNULL)
    fd = p.stdout.fileno()
    buf = b""
    lat = []
    deadline = time.time() + 8
    while time.time() < deadline and len(lat) < 40:
        r, _, _ = select.select([fd], [], [], 0.2)
        if not r:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        now = time.time_ns()
        buf += chunk
        while True:
            i = buf.find(b"BPFCAPTS")
            if i < 0 or len(buf) < i + 16:
                break
            ts = struct.unpack("<Q", buf[i + 8:i + 16])[0]
            lat.append((now - ts) / 1e6)
            buf = buf[i + 16:]
        buf = buf[-16:]
    g.wait()
    p.send_signal(signal.SIGINT)
    try:
        p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
    lat.sort()
    if not lat:
        return None
    return dict(n=len(lat), p50=lat[len(lat) // 2], p99=lat[min(len(lat) - 1, int(len(lat) * 0.99))])


def fmt_ratio(vals):
    if not vals:
        return "-"
    return "%.2f (%.2f–%.2f)" % (statistics.median(vals), min(vals), max(vals))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--top", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--size", type=int, default=512, help="UDP payload (512 = 554-byte frames)")
    ap.add_argument("--extcap-home", default="",
                    help="home of the test user with the extcap installed (set by run.sh)")
    ap.add_argument("--only", default="",
                    help="run only the configurations whose name matches this regular "
                         "expression (and the no-capture baselines)")
    args = ap.parse_args()
    if args.quick:
        args.rounds, args.seconds = 2, 1.5
    ns_a = setup()
    try:
        cfgs = [c for c in configs(args, ns_a)
                if not args.only or c["name"].startswith("no capture") or
                re.search(args.only, c["name"])]
        results = {c["name"]: [] for c in cfgs}
        for r in range(args.rounds):
            for c in cfgs:
                res = run_one(args, c)
                results[c["name"]].append(res)
                print("round %d %-45s %10.0f %s" % (r + 1, c["name"], res["rate"],
                      {k: v for k, v in res.items() if k not in ("rate",)}), flush=True)
        json.dump(results, open("/tmp/bpfcap-bench-rounds.json", "w"))
        bc = "%s/extcap/bpfcap" % args.build
        # BPF program cost, in a separate round with bpf_stats on
        cost = {}
        sh("sysctl -qw kernel.bpf_stats_enabled=1")
        for c in cfgs:
            if c.get("tool") != "bpfcap":
                continue
            cap = c["start"]()
            if c["kind"] == "udp100":
                gen(args, min(args.seconds, 2), "udp %s 9000 --flows 100 --size %d" % (A_IP, args.size))
            elif c["kind"] == "udp":
                gen(args, min(args.seconds, 2), "udp %s 9 --size %d" % (A_IP, args.size))
            else:
                cap.stop()
                continue
            cost[c["name"]] = bpf_cost(("tp_", "raw_"))
            cap.stop()
        # per rejected and per accepted packet: filters that reject / accept everything
        for name, expr in (("pcap filter, packet rejected", "udp dst port 1"),
                           ("pcap filter, packet accepted", "udp")):
            cap = Capture([bc, "capture", "-v", "--netns", str(ns_a), "-w", "/dev/null", expr],
                          "attached through")
            gen(args, min(args.seconds, 2), "udp %s 9 --size %d" % (A_IP, args.size))
            cost[name] = bpf_cost(("tp_", "raw_"))
            cap.stop()
        sh("sysctl -qw kernel.bpf_stats_enabled=0")
        lat = {}
        lat["bpfcap kfree_skb -w -"] = latency(args, ns_a, [bc, "capture", "-q", "--netns",
                                                             str(ns_a), "-w", "-"], "pcapng")
        lat["tcpdump -U -w -"] = latency(args, ns_a, ["tcpdump", "-i", "vethA", "-U", "-w", "-"],
                                         "pcap", netns=A)
        lat["tcpdump --immediate-mode -U -w -"] = latency(
            args, ns_a, ["tcpdump", "-i", "vethA", "--immediate-mode", "-U", "-w", "-"], "pcap",
            netns=A)
        wb = sh("%s/bench/bpfcap-writer-bench 2" % args.build).stdout.strip()
    finally:
        teardown()

    base_udp = [r["rate"] for r in results["no capture"]]
    base_udp2 = [r["rate"] for r in results["no capture, 2 senders"]]
    base_tcp = [r["rate"] for r in results["no capture, bulk TCP"]]
    lines = []
    cpu = sh("grep -m1 'model name' /proc/cpuinfo", check=False).stdout.split(":")[-1].strip()
    lines.append("# bpfcap benchmark, %s\n" % time.strftime("%Y-%m-%d %H:%M"))
    lines.append("Machine: %s, %d vCPUs, kernel %s; %d rounds of %.1f s, interleaved; "
                 "UDP payload %d bytes (%d-byte frames), one sender pinned to CPU 0.\n" %
                 (cpu, os.cpu_count(), platform.release(), args.rounds, args.seconds, args.size,
                  args.size + 42))
    lines.append("| configuration | sender rate (median) | ratio to no capture, median (min–max) "
                 "| captured ÷ sent | lost (tool's count) | CPU s per M packets | BPF ns/packet "
                 "| file bytes per packet beyond the frame |")
    lines.append("|---|---|---|---|---|---|---|---|")
    summary = {}
    for c in cfgs:
        rs = results[c["name"]]
        base = base_tcp if c["kind"] == "tcp" else base_udp2 if c["kind"] == "udp2" else base_udp
        ratios = [r["rate"] / b for r, b in zip(rs, base) if b]
        unit = "Mbit/s" if c["kind"] == "tcp" else "pps"
        capt = "-"
        lost = "-"
        cpu_m = "-"
        if "captured" in rs[0] and c["kind"] != "tcp":
            cs = [r["captured"] / r["sent"] for r in rs if r.get("captured") is not None and r["sent"]]
            capt = "%.3f" % statistics.median(cs) if cs else "-"
            if c["kind"] == "udp100":
                capt += " (1 % kept)"
            lost = str(sum(r.get("lost") or 0 for r in rs))
            cm = [r["cpu"] / (r["sent"] / 1e6) for r in rs if r["sent"]]
            cpu_m = "%.2f" % statistics.median(cm) if cm else "-"
        elif "captured" in rs[0]:
            lost = str(sum(r.get("lost") or 0 for r in rs))
        co = cost.get(c["name"])
        # what the file holds per packet besides the frame itself (args.size + 42 bytes)
        bpp = [r["bytes"] / r["captured"] - (args.size + 42) for r in rs
               if r.get("bytes") and r.get("captured")]
        lines.append("| %s | %.0f %s | %s | %s | %s | %s | %s | %s |" % (
            c["name"], statistics.median([r["rate"] for r in rs]), unit,
            fmt_ratio(ratios) if not c["name"].startswith("no capture") else "1.00",
            capt, lost, cpu_m, "%.0f" % co if co else "-",
            "%.0f" % statistics.median(bpp) if bpp else "-"))
        summary[c["name"]] = statistics.median(ratios) if ratios else None
    lines.append("\nBPF program cost per packet at kfree_skb (bpf_stats, 554-byte frames): "
                 "pcap filter rejects: %s ns; pcap filter accepts (and the packet is captured): "
                 "%s ns; no filter: %s ns.\n" % (
                     "%.0f" % cost["pcap filter, packet rejected"] if cost.get("pcap filter, packet rejected") else "-",
                     "%.0f" % cost["pcap filter, packet accepted"] if cost.get("pcap filter, packet accepted") else "-",
                     "%.0f" % cost["bpfcap kfree_skb (closed port)"] if cost.get("bpfcap kfree_skb (closed port)") else "-"))
    lines.append("\nLive latency, 40 packets at 20/s, send → bytes readable from the pipe:\n")
    lines.append("| reader | p50 ms | p99 ms | packets |")
    lines.append("|---|---|---|---|")
    for k, v in lat.items():
        lines.append("| %s | %s | %s | %s |" % (k, "%.2f" % v["p50"] if v else "-",
                                               "%.2f" % v["p99"] if v else "-",
                                               v["n"] if v else 0))
    lines.append("\nWriter microbenchmark (user space, record → pcapng EPB with metadata into a "
                 "pipe): %s\n" % wb)
    text = "\n".join(lines) + "\n"
    os.makedirs(os.path.join(args.top, "bench", "results"), exist_ok=True)
    out = os.path.join(args.top, "bench", "results",
                       time.strftime("%Y%m%d-%H%M") + ("-quick" if args.quick else "") + ".md")
    open(out, "w").write(text)
    print(text)
    bl = lat.get("bpfcap kfree_skb -w -")
    def r2(name):
        return "%.2f" % summary[name] if summary.get(name) else "-"

    print("bench summary: bpfcap netif_receive_skb %s of no-capture rate, tcpdump %s, "
          "bpfcap p99 latency %s ms; %s" % (
              r2("bpfcap netif_receive_skb"), r2("tcpdump -w /dev/null (AF_PACKET)"),
              "%.1f" % bl["p99"] if bl else "-", out))


if __name__ == "__main__":
    sys.exit(main())
