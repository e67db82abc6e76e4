"""netstat's non-socket modes (-r -i -s -g -M, -C/-F, mode errors) against net-tools 2.10.

Three kinds of tests:

* pure functions (no root): nstrcmp ordering, glibc bsearch, ifconfig units, /proc decoding;
* differential runs on the real kernel state of lab namespaces (routes, interfaces, multicast
  groups, statistics after real traffic) and of quiet scratch namespaces;
* differential runs on a *fake /proc*: the original and the clone run in a private mount
  namespace where a directory of crafted files is bind-mounted over /proc, so every code path
  (reject and cache routes, every flag letter, unknown counters, unsorted-table misses, the -M
  table, long interface names, huge counters) is compared byte for byte with the original,
  including paths this kernel never produces (rt_cache entries, ip_masquerade). Those runs
  happen inside a scratch namespace, so any name lookup goes to its dead resolver, never out.
"""

import json
import os
import random
import re
import subprocess
import sys

import pytest

from conftest import require, require_tool
from lab import diff
from lab.diff import Mask, assert_same, run_both, run_clone, run_original

# -- helpers -----------------------------------------------------------------------------------

NUMBERS = Mask(r"\d+", "N")
# the -i table: every counter column (the MTU and flags stay)
IFACE_COUNTERS = Mask(re.compile(r"^(\S+\s+\d+)((?:\s+\d+){8})(\s+\S+)$", re.M),
                      r"\1 <COUNTERS>\3")
IFCONFIG_COUNTERS = Mask(r"(packets|bytes|errors|dropped|overruns|frame|carrier|collisions) \d+"
                         r"(?: \([\d.]+ \w+\))?", r"\1 N")


def _netstat_link(where):
    owner = where[0] if isinstance(where, tuple) else where
    program = os.path.join(owner.clone_bin, "netstat")
    require(os.path.lexists(program), "the netstat command is not registered yet")
    return program


class FakeProc:
    """Runs commands inside ``ns`` with ``root`` bind-mounted over /proc (private mount
    namespace: nothing outside the command sees it). Usable as ``where`` by lab.diff."""

    SCRIPT = 'mount --bind "$0" /proc && exec "$@"'

    def __init__(self, ns, root):
        self.ns = ns
        self.root = str(root)

    @property
    def clone_bin(self):
        return self.ns.clone_bin

    def run(self, argv, **kw):
        return self.ns.run(["unshare", "-m", "sh", "-c", self.SCRIPT, self.root, *argv], **kw)


def fake_proc(tmp_path, files):
    """A directory tree for FakeProc: ``files`` maps paths below /proc ("net/route") to text."""
    root = tmp_path / "proc"
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "net").mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o755)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            os.chmod(os.path.join(dirpath, name), 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)
    os.chmod(tmp_path, 0o755)
    return root


def both(where, args, **kw):
    require_tool("netstat")
    _netstat_link(where)
    return run_both(where, "netstat", args, **kw)


def same(where, args, masks=(), **kw):
    original, ours = both(where, args)
    assert_same(original, ours, masks=masks, **kw)
    return original, ours


@pytest.fixture
def ns(scratch_netns):
    require_tool("unshare")
    return scratch_netns


# -- pure functions ----------------------------------------------------------------------------

def test_nstrcmp_orders_like_net_tools():
    """The order `netstat -ia` printed for these names (insertion in /proc/net/dev order,
    then the SIOCGIFCONF labels), measured with net-tools 2.10."""
    from pynetsuite.plugins.netstat.interfaces import _cache_add

    proc_order = ["lo", "a9", "a10", "a01", "a1", "eth0", "eth", "x1y10", "x1y2", "b10c", "b2c",
                  "z100", "z99"]
    labels = ["lo", "a10:5", "a10:40", "a9:3"]
    names = []
    for name in proc_order + labels:
        _cache_add(names, name)
    assert names == ["a01", "a1", "a9", "a9:3", "a10", "a10:5", "a10:40", "b10c", "b2c", "eth",
                     "eth0", "lo", "x1y2", "x1y10", "z99", "z100"]


def test_bsearch_misses_unsorted_entries():
    from pynetsuite.plugins.netstat import statistics as st

    assert st.bsearch(st.IP, "Forwarding") is None          # the 2.10 bug
    assert st.bsearch(st.IP, "InReceives")[0] == "InReceives"
    assert st.bsearch(st.TCPEXT, "TCPTimeouts") is None     # printed raw: "TCPTimeouts: 2"
    assert st.bsearch(st.TCPEXT, "TWKilled") is None        # "TW" sorts before "TWKilled"
    assert st.bsearch(st.TCPEXT, "TCPHPHits")[0] == "TCPHPHits"
    assert st.strtoull("-1") == 2 ** 64 - 1


def test_ifconfig_size_units():
    from pynetsuite.plugins.netstat.interfaces import _size

    assert _size(0) == "0.0 B"
    assert _size(876) == "876.0 B"
    assert _size(4872) == "4.7 KiB"
    assert _size(126620) == "123.6 KiB"
    assert _size(5 * 2 ** 30 + 1) == "5.0 GiB"
    assert _size(2 ** 64 - 1) == "16.0 EiB"


def test_proc_decoding():
    from pynetsuite.net import routes

    assert routes.proc_hex_to_ipv4("0100A8C0") == "192.168.0.1"
    assert routes._inet_network("169.254") == 0xA9FE0000
    assert routes.rt_cache_format("Iface\tDestination\tGateway \tFlags\t\tRefCnt\tUse\tMetric"
                                  "\tSource\t\tMTU\tWindow\tIRTT\tTOS\tHHRef\tHHUptod\tSpecDst") == 2


def test_mode_modules_import_cheaply():
    """The -r/-i/-s/-g/-M modules must not pull in heavy or slow-to-load modules (start-up is a
    feature: -rn/-i/-s stay within 5 ms of the command's own start-up)."""
    code = ("import sys\n"
            "import pynetsuite.command, pynetsuite.net\n"
            "before = set(sys.modules)\n"
            "from pynetsuite.plugins.netstat import routes, interfaces, statistics, groups, "
            "masquerade\n"
            "new = set(sys.modules) - before\n"
            "heavy = {'netifaces', 'psutil', 'dns', 'pyroute2', 'argparse', 'ctypes', 'socket',\n"
            "         'dataclasses', 'struct', 'ipaddress', 'weakref', 'enum'}\n"
            "print(sorted(heavy & new))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- the lab: real kernel tables ---------------------------------------------------------------

ROUTE_ARGS = [["-r"], ["-rn"], ["-rne"], ["-rnee"], ["-rneee"], ["-re"], ["-ree"], ["-rN"],
              ["-r", "--numeric-hosts"], ["-r", "--numeric-ports"], ["-rn6"], ["-r6"],
              ["-rA", "inet6"], ["-rne6"], ["-rnC"], ["-rC"], ["-rnCF"], ["-rn6C"], ["-rn6CF"],
              ["-rn", "-4", "-6"], ["-rn", "-A", "inet6,inet"], ["-rn", "-4", "-4"],
              ["-rnv"], ["-rnF", "-t"], ["-r", "--inet6", "--inet"], ["-rnap"], ["-rnW"],
              ["-r", "-A", "inet", "-6"], ["--route", "--numeric"]]


# The Ref column of IPv6 routes counts live references (sockets, lookups in flight): it may
# move between the original's run and ours.
IPV6_ROUTE_REFS = Mask(re.compile(r"^(\S*:\S*\s+\S+\s+\S+\s+-?\d+\s+)\d+(\s+\d+ \S+)$", re.M),
                       r"\1R\2")


@pytest.mark.parametrize("role", ["client", "r2"])
@pytest.mark.parametrize("args", ROUTE_ARGS, ids=" ".join)
def test_routes_lab(lab, role, args):
    same((lab, role), args, masks=[IPV6_ROUTE_REFS])


ERROR_ARGS = [["-rA", "unix"], ["-rx"], ["-rA", "econet"], ["-rA", "ash"], ["-rA", "bluetooth"],
              ["-rA", "ax25"], ["-rA", "ipx"], ["-rA", "netrom"], ["-rA", "ddp"], ["-rA", "x25"],
              ["-rA", "rose"], ["-rA", "inet,unix,inet6"], ["-rn6", "-A", "ax25"],
              ["-M"], ["-Mn"], ["-Mc"], ["-Me"], ["-gM"],
              ["-s", "-4", "-6"], ["-sx"], ["-s", "-A", "ax25"],
              ["-ri"], ["-rs"], ["-is"], ["-Mr"], ["-iM"], ["-rsi"],
              ["-I"], ["-Ieth0"], ["-I=eth0"], ["-Z"], ["-rZ"]]


@pytest.mark.parametrize("args", ERROR_ARGS, ids=" ".join)
def test_mode_errors_and_combinations(lab, args):
    same((lab, "client"), args)


def test_routes_resolve_through_lab_dns(lab):
    original, ours = same((lab, "client"), ["-r"])
    assert "default" in original.stdout
    assert "router1.lab.tes " in original.stdout  # a 16-character name cut to 15


@pytest.mark.parametrize("args", [["-i"], ["-ia"], ["-ie"], ["-iae"], ["-iee"], ["-in"],
                                  ["-ie", "-6"], ["-iv"]], ids=" ".join)
@pytest.mark.parametrize("role", ["client", "r1"])
def test_interfaces_lab(lab, role, args):
    masks = [IFACE_COUNTERS, IFCONFIG_COUNTERS]
    same((lab, role), args, masks=masks)


@pytest.mark.parametrize("args", [["-g"], ["-gn"], ["-g", "-6"], ["-gx"], ["-gv"], ["-g", "-A", "unix"]],
                         ids=" ".join)
@pytest.mark.parametrize("role", ["client", "r2"])
def test_groups_lab(lab, role, args):
    same((lab, role), args)


def _traffic(lab):
    """Some packets so that many counters are non-zero (pings, TCP, UDP, unreachables)."""
    target4, target6 = lab.addr["target4"], lab.addr["target6"]
    lab.run("client", ["ping", "-n", "-c", "2", "-i", "0.2", "-W", "1", target4], timeout=10)
    lab.run("client", ["ping", "-n", "-c", "2", "-i", "0.2", "-W", "1", target6], timeout=10)
    code = ("import socket\n"
            f"s = socket.create_connection(('{target4}', 80), timeout=3)\n"
            "s.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')\n"
            "while s.recv(4096): pass\n"
            "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            f"u.sendto(b'x', ('{target4}', 9))\n")
    lab.run("client", [sys.executable, "-c", code], timeout=10)


STAT_ARGS = [["-s"], ["-st"], ["-su"], ["-sw"], ["-sU"], ["-sS"], ["-stu"], ["-s6"], ["-s6t"],
             ["-s6u"], ["-s6w"], ["-s", "-A", "inet6"], ["-s", "--inet"], ["-sc"], ["-se"]]


@pytest.mark.parametrize("args", STAT_ARGS, ids=" ".join)
def test_statistics_lab_structure(lab, args):
    """After real traffic: the same lines with the numbers masked. A counter that moves from 0
    to non-zero between the two runs would add a line, so the comparison is retried."""
    _traffic(lab)
    for attempt in range(3):
        original, ours = both((lab, "client"), args)
        if not diff.differences(original, ours, masks=[NUMBERS]) or attempt == 2:
            break
    assert_same(original, ours, masks=[NUMBERS])


@pytest.mark.parametrize("args", STAT_ARGS, ids=" ".join)
def test_statistics_quiet_namespace_exact(scratch_netns, args):
    """In a namespace where nothing happens the counters do not move: exact comparison."""
    same(scratch_netns, args)


def test_interfaces_quiet_namespace_exact(scratch_netns):
    for args in (["-i"], ["-ia"], ["-ie"], ["-iae"]):
        same(scratch_netns, args)


# -- continuous mode -------------------------------------------------------------------------

def _two_rounds(text, title):
    """The output of the first two rounds (cut where a third one starts)."""
    starts = [m.start() for m in re.finditer(re.escape(title), text)]
    assert len(starts) >= 2, text
    return text[:starts[2]] if len(starts) > 2 else text


@pytest.mark.parametrize("args,title", [(["-ic"], "Iface "), (["-rnc"], "Kernel IP routing table"),
                                        (["-gnc"], "IPv6/IPv4 Group Memberships")],
                         ids=["-ic", "-rnc", "-gnc"])
def test_continuous_rounds(lab, args, title):
    """Two rounds of -c (SIGINT after 1.5 s): -i prints "Kernel Interface table" only once,
    -g's second round shows net-tools' parser-state bug (IPv4 file read as IPv6)."""
    require_tool("timeout")
    program = _netstat_link(lab)
    stop = ["timeout", "-s", "INT", "1.5"]
    original = run_original((lab, "client"), "timeout", [*stop[1:], "netstat", *args])
    ours = lab.run("client", [*stop, program, *args], env=diff._env(lab.clone_bin, None))
    a = _two_rounds(diff.mask(original.stdout, [IFACE_COUNTERS]), title)
    b = _two_rounds(diff.mask(ours.stdout, [IFACE_COUNTERS]), title)
    assert a == b
    warnings_a, warnings_b = original.stderr.splitlines(), ours.stderr.splitlines()
    n = min(len(warnings_a), len(warnings_b))
    assert warnings_a[:n] == warnings_b[:n]
    if args == ["-gnc"]:
        assert n and "bogus igmp6 line" in warnings_a[0]


def test_statistics_do_not_repeat(scratch_netns):
    same(scratch_netns, ["-sc"])


# -- --json --------------------------------------------------------------------------------

JC_ROUTE = {"destination", "gateway", "genmask", "route_flags", "route_flags_pretty", "metric",
            "route_refs", "use", "mss", "window", "irtt", "iface"}
JC_INTERFACE = {"iface", "mtu", "rx_ok", "rx_err", "rx_drp", "rx_ovr", "tx_ok", "tx_err",
                "tx_drp", "tx_ovr", "flg"}


def _json(lab, args):
    proc = run_clone((lab, "client"), "netstat", [*args, "--json"])
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_json_routes(lab):
    _netstat_link(lab)
    records = _json(lab, ["-rn"])
    assert records and all(r["kind"] == "route" for r in records)
    assert JC_ROUTE <= set(records[0])
    default = [r for r in records if r["destination"] == "0.0.0.0" and r["genmask"] == "0.0.0.0"]
    assert default and default[0]["route_flags"] == "UG"
    assert default[0]["route_flags_pretty"] == ["UP", "GATEWAY"]
    assert isinstance(default[0]["metric"], int)
    six = _json(lab, ["-rn6"])
    assert any(r["destination"] == "::/0" and r["network_protocol"] == "ipv6" for r in six)


def test_json_interfaces(lab):
    _netstat_link(lab)
    records = _json(lab, ["-i"])
    assert records and all(r["kind"] == "interface" for r in records)
    assert JC_INTERFACE <= set(records[0])
    lo = [r for r in records if r["iface"] == "lo"][0]
    assert lo["mtu"] == 65536 and lo["flg"] == "LRU" and isinstance(lo["rx_ok"], int)
    long = _json(lab, ["-ie"])
    lo = [r for r in long if r["iface"] == "lo"][0]
    assert lo["ipv4_addr"] == "127.0.0.1" and lo["type"] == "loop"
    assert any(a["address"] == "::1" for a in lo["ipv6"])


def test_json_statistics_and_groups(lab):
    _netstat_link(lab)
    stats = _json(lab, ["-s"])
    names = {(r["table"], r["name"]) for r in stats}
    assert ("Ip", "Forwarding") in names and ("Tcp", "ActiveOpens") in names
    groups = _json(lab, ["-gn"])
    assert any(g["group"] == "224.0.0.1" and g["iface"] == "lo" for g in groups)


# -- fake /proc: every code path against the original ---------------------------------------

ROUTE_HEADER = ("Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\t"
                "Window\tIRTT                                                       \n")


def _route_line(iface, dest, gate, flags, refcnt, use, metric, mask, mtu=0, window=0, irtt=0):
    def hx(addr):
        return bytes(int(p) for p in addr.split("."))[::-1].hex().upper()

    return (f"{iface}\t{hx(dest)}\t{hx(gate)}\t{flags:04X}\t{refcnt}\t{use}\t{metric}\t{hx(mask)}"
            f"\t{mtu}\t{window}\t{irtt}                                                       \n")


ROUTES = ROUTE_HEADER + "".join([
    _route_line("eth0", "0.0.0.0", "198.18.1.254", 0x0003, 2, 117, 100, "0.0.0.0"),
    _route_line("eth0", "0.0.0.0", "198.18.1.253", 0x0003, 0, 0, 600, "128.0.0.0"),
    _route_line("eth0", "10.9.0.0", "198.18.1.254", 0x0003, 0, 0, 0, "255.255.0.0", 1400, 3000, 30),
    _route_line("eth0", "10.1.2.3", "0.0.0.0", 0x0001, 0, 0, 0, "255.255.255.0"),
    _route_line("eth0", "169.254.0.0", "0.0.0.0", 0x0001, 0, 0, 1000, "255.255.0.0"),
    _route_line("lo", "127.0.0.0", "0.0.0.0", 0x0001, 0, 0, 0, "255.0.0.0"),
    _route_line("*", "198.18.10.0", "0.0.0.0", 0x0201, 0, 3, 7, "255.255.255.0"),
    _route_line("*", "198.18.11.5", "0.0.0.0", 0x0205, 0, 0, 0, "255.255.255.255"),
    _route_line("*", "198.18.12.0", "0.0.0.0", 0x0001, 0, 0, 0, "255.255.255.0"),
    _route_line("eth0", "198.18.13.7", "198.18.1.254", 0x0007, 1, 5, 5, "255.255.255.255"),
    _route_line("eth0", "198.18.14.0", "198.18.1.254", 0x0013, 0, 0, 0, "255.255.255.0"),
    _route_line("eth0", "198.18.15.0", "198.18.1.254", 0x002B, 0, 0, 0, "255.255.255.0"),
    _route_line("eth0", "198.18.16.0", "198.18.1.254", 0x01C3, 0, 0, 0, "255.255.255.0"),
    _route_line("eth0", "198.18.17.0", "198.18.1.254", 0x0002, 0, 0, 0, "255.255.255.0"),  # down
    _route_line("averylongname15", "198.18.18.0", "0.0.0.0", 0x0001, 12, 123456, 65535,
                "255.255.255.0", 65535, 65535, 99999),
    "garbage line\n",
])

ROUTES6 = "".join(
    f"{d} {p:02x} {'0' * 32} 00 {h} {m:08x} {r:08x} {u:08x} {f:08x} {i:>8}\n"
    for d, p, h, m, r, u, f, i in [
        ("20010db8000100000000000000000000", 64, "0" * 32, 256, 2, 0, 0x00000001, "eth0"),
        ("00000000000000000000000000000000", 0, "20010db80001000000000000000000fe", 1024, 3, 9,
         0x00450003, "eth0"),
        ("20010db8001000000000000000000000", 64, "0" * 32, 1024, 1, 0, 0x00200200, "lo"),
        ("20010db8000200000000000000000007", 128, "20010db80001000000000000000000fe", 0, 1, 4,
         0x01000007, "eth0"),
        ("fe800000000000000000000000000000", 64, "0" * 32, 256, 1, 0, 0x00000001, "averylongname15"),
        ("00000000000000000000000000000001", 128, "0" * 32, 0, 5, 0, 0x80200001, "lo"),
        ("ff000000000000000000000000000000", 8, "0" * 32, 256, 1, 0, 0x02020021, "eth0"),
        ("00000000000000000000000000000000", 0, "0" * 32, 0xFFFFFFFF, 1, 0, 0x00200200, "lo"),
    ])

RT_CACHE = ("Iface\tDestination\tGateway \tFlags\t\tRefCnt\tUse\tMetric\tSource\t\tMTU\tWindow\t"
            "IRTT\tTOS\tHHRef\tHHUptod\tSpecDst\n"
            "eth0\t0704A8C0\t0104A8C0\t80000000\t1\t7\t0\t0101A8C0\t1500\t0\t30\t10\t2\t1\t0101A8C0\n"
            "lo\t0100007F\t00000000\t90000005\t0\t0\t0\t0100007F\t16436\t0\t0\t00\t-1\t0\t00000000\n")

HOSTS = ("198.18.1.254\trouter1.lab.test\n10.1.2.3\thost-with-a-long-name.example\n"
         "198.18.13.7\tshort\n2001:db8:1::fe\trouter1-v6.lab.test\n")


def _with_hosts(ns):
    with open(os.path.join("/etc/netns", ns.name, "hosts"), "a") as f:
        f.write(HOSTS)


@pytest.mark.parametrize("args", [["-rn"], ["-r"], ["-rne"], ["-re"], ["-rnee"], ["-ree"],
                                  ["-rneee"], ["-rneeee"], ["-rnC"], ["-rC"], ["-rneC"],
                                  ["-rneeC"], ["-rnCF"], ["-rn6"], ["-r6"], ["-rn6C"], ["-r6C"],
                                  ["-rn6CF"], ["-rN"], ["-r", "-4", "-6"]], ids=" ".join)
def test_routes_fake_proc(ns, tmp_path, args):
    _with_hosts(ns)
    root = fake_proc(tmp_path, {"net/route": ROUTES, "net/ipv6_route": ROUTES6,
                                "net/rt_cache": RT_CACHE})
    same(FakeProc(ns, root), args)


@pytest.mark.parametrize("missing", ["net/route", "net/ipv6_route", "net/rt_cache"])
def test_routes_missing_proc_files(ns, tmp_path, missing):
    files = {"net/route": ROUTES, "net/ipv6_route": ROUTES6, "net/rt_cache": RT_CACHE}
    del files[missing]
    root = fake_proc(tmp_path, files)
    for args in (["-rn"], ["-rn6"], ["-rnC"], ["-rn", "-A", "inet6,inet"]):
        same(FakeProc(ns, root), args)


def _snmp_files(seed, zero_ratio=0.5, extra=True, negative=False):
    """/proc/net/{snmp,netstat,snmp6,sctp/snmp} with this kernel's headers and random values,
    plus counters and tables net-tools has never heard of."""
    rng = random.Random(seed)

    def value():
        if negative and rng.random() < 0.05:
            return "-1"
        return "0" if rng.random() < zero_ratio else str(rng.choice([1, 7, 42, 1234, 2 ** 40]))

    def pairs(path, add):
        out = []
        with open(path) as f:
            lines = f.read().splitlines()
        for head, _ in zip(lines[0::2], lines[1::2]):
            title, names = head.split(":", 1)
            names = names.split()
            if extra:
                names += add.get(title, [])
            out.append(f"{title}: {' '.join(names)}\n{title}: {' '.join(value() for _ in names)}\n")
        if extra and "snmp" in path:
            out.append("FutureProto: InThings OutThings\nFutureProto: 3 0\n")
        return "".join(out)

    snmp = pairs("/proc/net/snmp", {"Ip": ["NewIpCounter"], "Tcp": ["InFancy"]})
    netstat = pairs("/proc/net/netstat", {"TcpExt": ["TCPBrandNew", "TW", "TWKilled"]})
    with open("/proc/net/snmp6") as f:
        names = [line.split()[0] for line in f if line.strip()]
    if extra:
        names += ["Icmp6OutRouterAdvertisements", "Foo6Thing", "Foo6Other"]
    snmp6 = "".join(f"{name:<32}\t{value()}\n" for name in names)
    sctp_names = ["SctpCurrEstab", "SctpActiveEstabs", "SctpPassiveEstabs", "SctpAborteds",
                  "SctpShutdowns", "SctpOutOfBlues", "SctpChecksumErrors", "SctpOutCtrlChunks",
                  "SctpNewThing", "SctpInPktSoftirq"]
    sctp = "".join(f"{name:<32}\t{value()}\n" for name in sctp_names)
    return {"net/snmp": snmp, "net/netstat": netstat, "net/snmp6": snmp6,
            "net/sctp/snmp": sctp}


STAT_FAKE_ARGS = [["-s"], ["-st"], ["-su"], ["-sw"], ["-sS"], ["-sU"], ["-stuw"], ["-s6"],
                  ["-s6t"], ["-s6u"], ["-s6w"]]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("args", STAT_FAKE_ARGS, ids=" ".join)
def test_statistics_fake_proc(ns, tmp_path, args, seed):
    files = _snmp_files(seed, zero_ratio=[0.0, 0.5, 1.0][seed - 1], negative=seed == 2)
    same(FakeProc(ns, fake_proc(tmp_path, files)), args)


def test_statistics_missing_files(ns, tmp_path):
    files = _snmp_files(4)
    for drop in ("net/snmp", "net/netstat", "net/snmp6", "net/sctp/snmp"):
        sub = tmp_path / drop.replace("/", "_")
        sub.mkdir()
        kept = {k: v for k, v in files.items() if k != drop}
        root = fake_proc(sub, kept)
        for args in (["-s"], ["-s6"]):
            same(FakeProc(ns, root), args)


IGMP = ("Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n"
        "1\tlo        :     1      V3\n"
        "\t\t\t\t010000E0     1 0:00000000\t\t0\n"
        "2\teth0      :     3      V2\n"
        "\t\t\t\t010000E0     1 0:00000000\t\t0\n"
        "\t\t\t\t000101EF     2 0:00000000\t\t0\n"
        "\t\t\t\tFB0000E0     1 0:00000000\t\t0\n"
        "3\tlongname11c:     1      V3\n"
        "\t\t\t\t010000E0     1 0:00000000\t\t0\n"
        "4\tlongername14c:     1      V3\n"
        "\t\t\t\t010000E0     1 0:00000000\t\t0\n"
        "5\taverylongname15:     1      V3\n"
        "\t\t\t\t010000E0     7 0:00000000\t\t0\n"
        "\t\t\t\tZZZZ\n")
IGMP6 = ("1    lo              ff020000000000000000000000000001     1 0000000C 0\n"
         "2    eth0            ff0200000000000000000001ff1a3415     2 00000004 0\n"
         "5    averylongname15 ff050000000000000000000000010003     1 00000004 0\n"
         "bogus\n")


@pytest.mark.parametrize("args", [["-g"], ["-gn"], ["-g", "-4"], ["-g", "-6"]], ids=" ".join)
def test_groups_fake_proc(ns, tmp_path, args):
    root = fake_proc(tmp_path, {"net/igmp": IGMP, "net/igmp6": IGMP6})
    same(FakeProc(ns, root), args)


def test_groups_missing_igmp(ns, tmp_path):
    root = fake_proc(tmp_path, {"net/igmp6": IGMP6})
    for args in (["-g"], ["-g", "-4"], ["-g", "-6"]):
        same(FakeProc(ns, root), args)


MASQ = ("Prc FromIP   FPrt ToIP     TPrt Masq Init-seq  Delta PDelta Expires (free=0,0,0)\n"
        "TCP C6120101 0050 C6120402 01BB F000 00001234     0      0    9000\n"
        "UDP C6120101 0035 C6120402 0035 F001 00000000     5     -3  123456\n"
        "ICMP C6120101 0000 C6120402 0000 F002 00000000     0      0      50\n")
MASQ_OLD = ("Prc FromIP   FPrt ToIP     TPrt Masq Init-seq  Delta Expires\n"
            "TCP C6120101 0050 C6120402 01BB F000 00001234     0    9000\n")


@pytest.mark.parametrize("table", [MASQ, MASQ_OLD, "", MASQ.splitlines()[0] + "\nXYZ 1 2\n"],
                         ids=["pdelta", "old", "empty", "bad"])
@pytest.mark.parametrize("args", [["-M"], ["-Mn"], ["-Me"], ["-Mne"]], ids=" ".join)
def test_masquerade_fake_proc(ns, tmp_path, table, args):
    root = fake_proc(tmp_path, {"net/ip_masquerade": table})
    same(FakeProc(ns, root), args)


def _dev_file(names, counters):
    head = ("Inter-|   Receive                                                |  Transmit\n"
            " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets "
            "errs drop fifo colls carrier compressed\n")
    return head + "".join(f"{name:>6}: " + " ".join(str(c) for c in counters) + "\n"
                          for name in names)


@pytest.mark.parametrize("rx_bytes", [0, 1023, 1025, 5 * 2 ** 20, 3 * 2 ** 30 + 7, 2 ** 41,
                                      2 ** 51, 2 ** 61, 2 ** 64 - 1])
def test_interfaces_fake_counters(ns, tmp_path, rx_bytes):
    counters = [rx_bytes, 12345678, 1, 2, 3, 4, 5, 6, 2 ** 40, 999999999, 7, 8, 9, 10, 11, 12]
    inet6 = ("00000000000000000000000000000001 01 80 10 80       lo\n"
             "00000000000000000000ffffc0a80101 01 60 80 80       lo\n"
             "fec00000000000000000000000000001 01 40 40 80       lo\n"
             "20010db8000000000000000000000001 01 40 00 80       lo\n"
             "fe800000000000000000000000000001 01 40 20 80       lo\n")
    root = fake_proc(tmp_path, {"net/dev": _dev_file(["lo"], counters), "net/if_inet6": inet6})
    for args in (["-i"], ["-ie"], ["-ia"]):
        same(FakeProc(ns, root), args)


def test_interfaces_unknown_device(ns, tmp_path):
    root = fake_proc(tmp_path, {"net/dev": _dev_file(["lo", "ghost0"], [1] * 16)})
    same(FakeProc(ns, root), ["-i"])


def test_interfaces_missing_dev(ns, tmp_path):
    root = fake_proc(tmp_path, {})
    same(FakeProc(ns, root), ["-i"])
    same(FakeProc(ns, root), ["-ia"])


def test_interface_kinds_and_labels(ns):
    """tun (unspec hardware, point-to-point), IPv4 labels, promiscuous/allmulti flags, a
    down interface: short and long tables."""
    sh = ns.run
    sh(["ip", "link", "add", "vth0", "type", "veth", "peer", "name", "vth1"])
    sh(["ip", "addr", "add", "10.77.0.1/24", "dev", "vth0"])
    sh(["ip", "addr", "add", "10.77.1.1/24", "brd", "+", "dev", "vth0", "label", "vth0:7"])
    sh(["ip", "addr", "add", "2001:db8:77::1/64", "dev", "vth0", "nodad"])
    sh(["ip", "link", "set", "vth0", "up", "promisc", "on", "allmulticast", "on", "mtu", "9000"])
    sh(["ip", "link", "set", "vth0", "txqueuelen", "77"])
    # a name that is not ASCII: the bytes must come out as they are
    sh(["ip", "link", "add", "v\u00e9", "type", "veth", "peer", "name", "w1"])
    sh(["ip", "addr", "add", "10.78.0.1/24", "dev", "v\u00e9", "label", "v\u00e9:1"])
    sh(["ip", "link", "set", "v\u00e9", "up"])
    if sh(["ip", "tuntap", "add", "tun7", "mode", "tun"]).returncode == 0:
        sh(["ip", "addr", "add", "10.79.0.1", "peer", "10.79.0.2", "dev", "tun7"])
        sh(["ip", "link", "set", "tun7", "up"])
    for args in (["-i"], ["-ia"], ["-ie"], ["-iae"]):
        same(ns, args)


def test_core_addresses_match_ip(ns):
    """core.net.interfaces.addresses() (netifaces) lists what `ip addr` lists."""
    sh = ns.run
    sh(["ip", "link", "add", "vth0", "type", "veth", "peer", "name", "vth1"])
    sh(["ip", "addr", "add", "10.77.0.1/24", "dev", "vth0"])
    sh(["ip", "addr", "add", "10.77.1.1/24", "dev", "vth0", "label", "vth0:7"])
    sh(["ip", "addr", "add", "2001:db8:77::1/64", "dev", "vth0", "nodad"])
    sh(["ip", "link", "set", "vth0", "up"])
    code = ("import json\nfrom pynetsuite.net.interfaces import addresses\n"
            "print(json.dumps(addresses()))\n")
    ours = json.loads(sh([sys.executable, "-c", code]).stdout)
    ip = json.loads(sh(["ip", "-j", "addr", "show"]).stdout)
    for link in ip:
        name = link["ifname"]
        want = {(a["family"], a["local"]) for a in link["addr_info"]}
        got = set()
        for ifname, families in ours.items():
            if ifname.split(":")[0] != name:
                continue
            for family in ("inet", "inet6"):
                for entry in families.get(family, ()):
                    got.add((family, entry["addr"].split("%")[0]))
        assert got == want, name
    assert ours["vth0"]["inet6"][0]["netmask"] == "ffff:ffff:ffff:ffff::"
    assert ours["vth0:7"]["inet"][0]["addr"] == "10.77.1.1"



# -- third QA pass -------------------------------------------------------------------------------

def test_interface_name_of_15_characters(ns, tmp_path):
    """net-tools 2.10's get_name() copies at most IFNAMSIZ - 1 characters of a /proc/net/dev
    name and goes on from there: a 15-character interface has its counters read from its
    ':' on (so all zero in -i and -ie), an old-style alias cut after 15 characters keeps the
    number that follows the cut ("2:500" reads 2 bytes)."""
    sh = ns.run
    for name, peer in (("abcdefghijklmno", "p15"), ("abcdefghijklmn", "p14")):
        sh(["ip", "link", "add", name, "type", "veth", "peer", "name", peer]).check_returncode()
        sh(["ip", "link", "set", name, "up"])
        sh(["ip", "link", "set", peer, "up"])
    # real kernel counters (veth pairs up: IPv6 router solicitations move them; compare the
    # 15-character line exactly, it stays at zero)
    original, ours = both(ns, ["-i"])
    line = [x for x in original.stdout.splitlines() if x.startswith("abcdefghijklmno")]
    assert line and line == [x for x in ours.stdout.splitlines() if x.startswith("abcdefghijklmno")]
    assert " 0      0      0 0             0" in line[0]
    counters = " ".join(str(c) for c in range(101, 117))
    dev = ("Inter-|   Receive                                                |  Transmit\n"
           " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets "
           "errs drop fifo colls carrier compressed\n"
           f"    lo: {counters}\nabcdefghijklmno: {counters}\nabcdefghijklmn:{counters}\n"
           f"abcdefghijklm:12:2{counters}\n   p14 :{counters}\n   p15: {counters}\n")
    root = fake_proc(tmp_path, {"net/dev": dev})
    for args in (["-i"], ["-ia"], ["-iae"]):
        same(FakeProc(ns, root), args)


class _NewNetns:
    """Runs commands in a brand-new network namespace made by `unshare -n` inside ``ns``
    (lo down, no IPv4 route ever added: the kernel has no main table, /proc/net/route is
    empty, not even its header line)."""

    def __init__(self, ns):
        self.ns = ns

    @property
    def clone_bin(self):
        return self.ns.clone_bin

    def run(self, argv, **kw):
        return self.ns.run(["unshare", "-n", *argv], **kw)


@pytest.mark.parametrize("args", [["-r"], ["-rn"], ["-ree"], ["-rneee"], ["-rF"], ["-rFC"],
                                  ["-rC"], ["-rn6"], ["-rA", "inet,inet6"], ["-rA", "inet6,inet"],
                                  ["--route", "--numeric"]], ids=" ".join)
def test_routes_without_ipv4_table(ns, args):
    """rprint_fib() finds no header line to detect the format from: it prints its title and
    header and fails with exit code 1, before any other family (-A inet,inet6) or the cache."""
    original, ours = same(_NewNetns(ns), args)
    if args[0] in ("-r", "-rn", "-rF"):
        assert original.returncode == 1


def test_routes_without_ipv4_table_json(ns):
    ours = run_clone(_NewNetns(ns), "netstat", ["-r", "--json"])
    assert ours.returncode == 1 and json.loads(ours.stdout) == [] and ours.stderr == ""


def test_json_interface_names_not_ascii(ns):
    """Interface names are read from /proc as bytes (one character per byte, for the text
    widths): --json gives them as UTF-8 text, not as escaped lone surrogates."""
    sh = ns.run
    sh(["ip", "link", "add", "v\u00e9", "type", "veth", "peer", "name", "w\u00e9"]).check_returncode()
    sh(["ip", "addr", "add", "10.78.0.1/24", "dev", "v\u00e9", "label", "v\u00e9:1"])
    sh(["ip", "addr", "add", "2001:db8:78::1/64", "dev", "v\u00e9", "nodad"])
    sh(["ip", "link", "set", "v\u00e9", "up"])
    sh(["ip", "link", "set", "w\u00e9", "up"])
    for args, names in ((["-i"], {"v\u00e9", "v\u00e9:1", "w\u00e9"}), (["-iae"], {"v\u00e9:1"}),
                        (["-rn"], {"v\u00e9"}), (["-rn6"], {"v\u00e9"}), (["-gn"], {"v\u00e9"})):
        ours = run_clone(ns, "netstat", [*args, "--json"])
        assert ours.returncode == 0, ours.stderr
        assert "\\udc" not in ours.stdout, args
        found = {r["iface"] for r in json.loads(ours.stdout)}
        assert names <= found, (args, found)
