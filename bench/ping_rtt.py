#!/usr/bin/env python3
"""Benchmark: the round-trip times pyping reports against iputils ping's, same run, same path.

Usage (root, iputils-ping installed, pyping in the venv):

    .venv/bin/python bench/ping_rtt.py [--count 50] [--interval 0.01] [--rounds 5]

Two paths, each in network namespaces of the benchmark's own (``pbrt<pid>-*``), removed on exit
(also after Ctrl-C):

* loopback: ``ping 127.0.0.1`` inside one fresh namespace (lo up, nothing else);
* veth: a client namespace and a target namespace joined by a veth pair (198.18.200.0/24).

For each path both programs run ``-q -c COUNT -i INTERVAL`` alternately for ROUNDS rounds (the
order flips each round so warm-up favours neither); the mean RTT ("avg" of the rtt line) of each
run is parsed. It prints every round, the median of the means for each program and the
difference ours - iputils. Both measure the same thing: kernel receive timestamp minus the send
time written into the packet just before sendto, so the difference is the extra time our
process spends between stamping the packet and handing it to the kernel.

Target: pyping within +20 us of iputils on loopback.
"""

import argparse
import atexit
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys

PREFIX = f"pbrt{os.getpid()}"
RTT_RE = re.compile(r"rtt min/avg/max/mdev = ([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+) ms")
_created = []


def sh(*argv, check=True):
    return subprocess.run(argv, check=check, capture_output=True, text=True, timeout=30)


def netns_add(name):
    sh("ip", "netns", "add", name)
    _created.append(name)
    sh("ip", "-n", name, "link", "set", "lo", "up")
    # no resolver lookups can leave the namespace: numeric targets only, and -n
    os.makedirs(f"/etc/netns/{name}", exist_ok=True)
    with open(f"/etc/netns/{name}/resolv.conf", "w") as f:
        f.write("nameserver 127.0.0.1\n")
    return name


def cleanup():
    while _created:
        name = _created.pop()
        sh("ip", "netns", "del", name, check=False)
        shutil.rmtree(f"/etc/netns/{name}", ignore_errors=True)


def build():
    """{path name: (namespace to run in, target address)}"""
    lo = netns_add(f"{PREFIX}-lo")
    client = netns_add(f"{PREFIX}-c")
    target = netns_add(f"{PREFIX}-t")
    sh("ip", "link", "add", "pbrt0", "netns", client, "type", "veth", "peer", "name", "pbrt1",
       "netns", target)
    sh("ip", "-n", client, "addr", "add", "198.18.200.1/24", "dev", "pbrt0")
    sh("ip", "-n", target, "addr", "add", "198.18.200.2/24", "dev", "pbrt1")
    sh("ip", "-n", client, "link", "set", "pbrt0", "up")
    sh("ip", "-n", target, "link", "set", "pbrt1", "up")
    # prime the neighbour cache so the first probe does not pay for ARP
    sh("ip", "netns", "exec", client, "ping", "-n", "-c", "1", "-W", "2", "198.18.200.2",
       check=False)
    return {"loopback": (lo, "127.0.0.1"), "veth": (client, "198.18.200.2")}


def pyping_program():
    candidate = os.path.join(os.path.dirname(sys.executable), "pyping")
    return candidate if os.path.exists(candidate) else shutil.which("pyping")


def one_run(namespace, program, target, count, interval):
    argv = ["ip", "netns", "exec", namespace, program, "-n", "-q", "-c", str(count), "-i",
            str(interval), target]
    proc = subprocess.run(argv, capture_output=True, text=True,
                          timeout=30 + count * max(interval, 0.01) * 2,
                          env=dict(os.environ, LC_ALL="C"))
    match = RTT_RE.search(proc.stdout)
    if proc.returncode != 0 or not match:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}): "
                           f"{proc.stdout}{proc.stderr}")
    return float(match.group(2)) * 1000  # mean RTT in microseconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--interval", type=float, default=0.01)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("ping_rtt.py: needs root (network namespaces, intervals below 2 ms)")
    iputils = shutil.which("ping")
    ours = pyping_program()
    if not iputils or not ours:
        sys.exit("ping_rtt.py: needs iputils ping and pyping")
    atexit.register(cleanup)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    paths = build()
    print(f"{args.rounds} rounds of -c {args.count} -i {args.interval}; mean RTT per run in us")
    summary = {}
    for path, (namespace, target) in paths.items():
        means = {"iputils": [], "pyping": []}
        for round_no in range(args.rounds):
            order = [("iputils", iputils), ("pyping", ours)]
            if round_no % 2:
                order.reverse()
            for name, program in order:
                means[name].append(one_run(namespace, program, target, args.count,
                                           args.interval))
            print(f"  {path:8s} round {round_no + 1}: iputils {means['iputils'][-1]:7.1f}  "
                  f"pyping {means['pyping'][-1]:7.1f}")
        a = statistics.median(means["iputils"])
        b = statistics.median(means["pyping"])
        summary[path] = (a, b)
    print()
    print(f"{'path':10s} {'iputils us':>11s} {'pyping us':>10s} {'diff us':>8s}")
    for path, (a, b) in summary.items():
        print(f"{path:10s} {a:11.1f} {b:10.1f} {b - a:+8.1f}")
    a, b = summary["loopback"]
    verdict = "OK" if b - a <= 20 else "OVER TARGET"
    print(f"\nloopback target: pyping within +20 us of iputils -> {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
