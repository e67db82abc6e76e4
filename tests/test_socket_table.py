"""The shared socket table (pynetsuite.net.sockets / netlink / owners / services).

Sockets are opened by a holder process inside a namespace the test creates (``scratch_netns``),
so the table is known and stable: netlink and /proc must list the same sockets in the same
order with the same fields (except where the module documents a difference), UNIX sockets
(abstract names, blanks in paths) parse, and the owner walk finds the holder.

``SocketHolder`` is reused by tests/test_netstat_sockets.py.
"""

import json
import os
import socket
import subprocess
import sys
import textwrap

import pytest

from pynetsuite.net import netlink, services, sockets

# -- the holder ----------------------------------------------------------------------------------
HOLDER = textwrap.dedent(r"""
    import json, os, socket, sys, time
    spec = json.loads(sys.argv[1])
    keep, listeners = [], {}
    tmp = spec.get("dir") or "/tmp"
    LINGER = (socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
    def fam(f):
        return socket.AF_INET6 if f == "6" else socket.AF_INET
    def tcp(f, addr, port):
        s = socket.socket(fam(f), socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        return s
    def accept_for(dst, dport):
        for key in ((dst, dport), ("0.0.0.0", dport), ("::", dport)):
            if key in listeners:
                return listeners[key].accept()[0]
        raise SystemExit("no listener for %s:%d" % (dst, dport))
    for f, addr, port in spec.get("listen", []):
        s = tcp(f, addr, port); s.listen(64); listeners[(addr, port)] = s; keep.append(s)
    for f, src, sport, dst, dport, data in spec.get("connect", []):
        c = tcp(f, src, sport); c.connect((dst, dport)); keep.append(c)
        if data:
            c.sendall(b"x" * data)
        keep.append(accept_for(dst, dport))
    for f, src, sport, dst, dport in spec.get("timewait", []):
        c = tcp(f, src, sport); c.connect((dst, dport)); a = accept_for(dst, dport)
        c.close(); time.sleep(0.05); a.close()
    for f, addr, port, n in spec.get("pairs", []):  # n established pairs, kernel-picked ports
        lst = tcp(f, addr, port); lst.listen(4096); keep.append(lst)
        for _ in range(n):
            c = socket.socket(fam(f), socket.SOCK_STREAM); c.setsockopt(*LINGER)
            c.connect(lst.getsockname()[:2]); keep += [c, lst.accept()[0]]
    for f, proto, addr, port, peer in spec.get("udp", []):
        s = socket.socket(fam(f), socket.SOCK_DGRAM, 136 if proto == "udplite" else 0)
        s.bind((addr, port))
        if peer:
            s.connect(tuple(peer))
        keep.append(s)
    for f, addr, port, count in spec.get("udpsend", []):
        s = socket.socket(fam(f), socket.SOCK_DGRAM)
        for _ in range(count):
            s.sendto(b"y" * 10, (addr, port))
        s.close()
    for f, proto in spec.get("raw", []):
        keep.append(socket.socket(fam(f), socket.SOCK_RAW, proto))
    def unix_name(name):
        return "\0" + name[1:] if name.startswith("@") else os.path.join(tmp, name)
    for kind, name in spec.get("unix_listen", []):
        t = socket.SOCK_SEQPACKET if kind == "seqpacket" else socket.SOCK_STREAM
        s = socket.socket(socket.AF_UNIX, t); s.bind(unix_name(name)); s.listen(4); keep.append(s)
        if kind == "stream":
            c = socket.socket(socket.AF_UNIX, t); c.connect(unix_name(name))
            keep += [c, s.accept()[0]]
    for name in spec.get("unix_dgram", []):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(unix_name(name)); keep.append(s)
    for _ in range(spec.get("socketpairs", 0)):
        keep += list(socket.socketpair())
    sys.stdout.write("ready %d %s\n" % (os.getpid(), " ".join(
        str(os.fstat(s.fileno()).st_ino) for s in keep)))
    sys.stdout.flush()
    sys.stdin.read()
""")


class SocketHolder:
    """Run the holder in namespace ``ns`` (anything with ``popen``) with ``spec``; ``pid`` and
    ``inodes`` (of every socket it keeps) are known once it is ready. Use as a context
    manager: leaving closes its stdin, and it exits (killed if it does not, after 10 s)."""

    def __init__(self, ns, spec, prefix=None, timeout=60):
        argv = [sys.executable, "-c", HOLDER, json.dumps(spec)]
        if prefix:
            argv = list(prefix) + argv
        self.proc = ns.popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        import select

        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line.startswith("ready"):
            self.close()
            raise RuntimeError(f"socket holder did not start: {line!r}")
        fields = line.split()
        self.pid = int(fields[1])
        self.inodes = [int(x) for x in fields[2:]]

    def close(self):
        if self.proc.stdin and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        if self.proc.stdout:
            self.proc.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


#: A small table covering every kind of row (fixed ports everywhere, so nothing but timers
#: and queues that only the kernel moves can differ between two listings).
SPEC = {
    "listen": [["4", "0.0.0.0", 22], ["4", "127.0.0.1", 8080], ["4", "127.0.0.1", 5555],
               ["6", "::", 80], ["6", "::1", 443], ["4", "127.0.0.5", 25]],
    "connect": [["4", "127.0.0.1", 40001, "127.0.0.1", 22, 0],
                ["4", "127.0.0.1", 40002, "127.0.0.1", 8080, 100],
                ["6", "::1", 40003, "::1", 80, 0],
                ["6", "::ffff:127.0.0.1", 40004, "::ffff:127.0.0.1", 80, 7],
                ["4", "127.0.0.5", 40005, "127.0.0.5", 25, 0]],
    "timewait": [["4", "127.0.0.1", 40010, "127.0.0.1", 5555]],
    "udp": [["4", "udp", "0.0.0.0", 123, None], ["4", "udp", "127.0.0.1", 40020, ["127.0.0.1", 123]],
            ["6", "udp", "::", 514, None], ["6", "udp", "::1", 40021, ["::1", 514]],
            ["4", "udplite", "127.0.0.1", 7000, None], ["6", "udplite", "::", 7001, None]],
    "udpsend": [["4", "127.0.0.1", 123, 3]],
    "raw": [["4", 47], ["6", 58]],
    "unix_listen": [["stream", "srv.sock"], ["stream", "@pynetsuite-abstract"],
                    ["seqpacket", "seq sock"]],
    "unix_dgram": ["dgram.sock", "@pynetsuite-dgram"],
    "socketpairs": 1,
}


def in_netns(ns, code):
    """Run Python ``code`` (which prints JSON) inside ``ns``; return the decoded output."""
    proc = ns.run([sys.executable, "-c", code], timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture
def holder_ns(scratch_netns, tmp_path):
    os.chmod(tmp_path, 0o755)
    spec = dict(SPEC, dir=str(tmp_path))
    with SocketHolder(scratch_netns, spec) as holder:
        yield scratch_netns, holder, tmp_path


COMPARE = r"""
import json, socket
from pynetsuite.net import sockets
out = {}
for proto in ("tcp", "udp", "udplite", "raw"):
    for fam in (socket.AF_INET, socket.AF_INET6):
        rows = {}
        for source in ("auto", "proc"):
            try:
                t = sockets.inet_table(proto, fam, source)
            except OSError as e:
                rows[source] = str(e); continue
            rows[source] = [list(r.hex() if isinstance(r, bytes) else r for r in row[:12])
                            for row in t.rows]
            rows[source + "_src"] = t.source
        out[f"{proto}{fam}"] = rows
print(json.dumps(out))
"""


def test_netlink_and_proc_agree(holder_ns):
    ns, holder, _ = holder_ns
    out = in_netns(ns, COMPARE)
    assert out["tcp2"]["auto_src"] == "netlink"
    assert out["udp2"]["auto_src"] == "proc"
    for key, rows in out.items():
        auto, proc = rows["auto"], rows["proc"]
        assert len(auto) == len(proc), key
        for a, p in zip(auto, proc):
            if key.startswith("tcp") and a[0] == sockets.TCP_LISTEN:
                # netlink's Send-Q of a listener is its backlog limit; /proc says 0
                assert a[9] == 64 and p[9] == 0
                a, p = a[:9] + a[10:], p[:9] + p[10:]
            if a[0] == 6:  # TIME_WAIT: the timer runs between the two reads
                a, p = a[:7] + a[8:], p[:7] + p[8:]
            assert a == p, key
    assert len(out["tcp2"]["auto"]) == 4 + 6 + 1  # listeners, 3 pairs, TIME_WAIT
    assert len(out["udplite10"]["auto"]) == 1


def test_records_fields(holder_ns):
    ns, holder, _ = holder_ns
    out = in_netns(ns, r"""
import json, socket
from pynetsuite.net import sockets
tcp = [r._asdict() for r in sockets.inet_sockets("tcp", socket.AF_INET)]
udp = [r._asdict() for r in sockets.inet_sockets("udp", socket.AF_INET)]
tcp6 = [r._asdict() for r in sockets.inet_sockets("tcp", socket.AF_INET6)]
print(json.dumps({"tcp": tcp, "udp": udp, "tcp6": tcp6}))
""")
    byport = {(r["local_port"], r["remote_port"]): r for r in out["tcp"]}
    queued = byport[(8080, 40002)]
    assert queued["rx_queue"] == 100 and queued["state"] == 1 and queued["local_addr"] == "127.0.0.1"
    assert queued["inode"] in holder.inodes and queued["source"] == "netlink"
    listener = byport[(22, 0)]
    assert listener["state"] == sockets.TCP_LISTEN and listener["remote_addr"] == "0.0.0.0"
    tw = byport[(40010, 5555)]
    assert tw["state"] == 6 and tw["inode"] == 0 and tw["timer"] == 3
    udp = {r["local_port"]: r for r in out["udp"]}
    assert udp[123]["rx_queue"] > 0 and udp[123]["state"] == 7
    assert udp[40020]["remote_port"] == 123 and udp[40020]["state"] == 1
    mapped = [r for r in out["tcp6"] if r["local_port"] == 40004][0]
    assert mapped["local_addr"] == "::ffff:127.0.0.1"


def test_unix_sockets(holder_ns):
    ns, holder, tmp = holder_ns
    out = in_netns(ns, r"""
import json
from pynetsuite.net import sockets
print(json.dumps([r._asdict() for r in sockets.unix_sockets()]))
""")
    paths = {r["path"]: r for r in out if r["path"]}
    assert paths["@pynetsuite-abstract"]["flags"] & sockets.SO_ACCEPTCON
    assert paths[f"{tmp}/seq sock"]["type"] == socket.SOCK_SEQPACKET  # blank kept in the path
    assert paths[f"{tmp}/dgram.sock"]["state"] == sockets.SS_UNCONNECTED
    assert sum(1 for r in out if r["path"] is None) == 4  # socketpair + 2 accepted ends
    assert {r["inode"] for r in out} <= set(holder.inodes)


def test_owner_walk_finds_the_holder(holder_ns):
    ns, holder, _ = holder_ns
    out = in_netns(ns, r"""
import json
from pynetsuite.net import owners
res = owners.walk()
named = owners.walk(lambda pid: owners.netstat_name(pid).decode("utf-8", "replace"))
print(json.dumps({"by_inode": {str(k): v for k, v in res.by_inode.items()},
                  "names": {str(k): v for k, v in named.by_inode.items()},
                  "denied": res.denied, "found": res.found}))
""")
    for inode in holder.inodes:
        assert out["by_inode"][str(inode)] == holder.pid
        assert out["names"][str(inode)] == os.path.basename(sys.executable)
    assert out["found"] and not out["denied"]


def test_many_sockets_same_order(scratch_netns):
    """sock_diag's dump order is /proc/net/tcp's order (netstat prints in that order)."""
    spec = {"pairs": [["4", "127.0.0.1", 0, 1500], ["6", "::1", 0, 300]],
            "listen": [["4", "127.0.0.%d" % i, 1000 + i] for i in range(1, 30)]}
    with SocketHolder(scratch_netns, spec):
        out = in_netns(scratch_netns, COMPARE)
    for key in ("tcp2", "tcp10"):
        auto = [r[11] for r in out[key]["auto"]]
        proc = [r[11] for r in out[key]["proc"]]
        assert auto == proc and len(auto) > 600


def test_bytecode_dport_filter(holder_ns):
    """A sock_diag filter program on the remote port (what netstat -l asks for): the kernel
    returns exactly the sockets whose remote port is 0, in every state."""
    ns, _, _ = holder_ns
    assert netlink.bytecode_dport_le(0) == bytes([5, 8, 12, 0, 0, 0, 0, 0])
    out = in_netns(ns, r"""
import json, socket
from pynetsuite.net import netlink, sockets
bc = netlink.bytecode_dport_le(0)
print(json.dumps({str(fam): [[r.state, r.remote_port] for r in
                  sockets.inet_table("tcp", fam, "netlink", netlink.ALL_STATES, bc).records()]
                  for fam in (socket.AF_INET, socket.AF_INET6)}))
""")
    assert len(out[str(socket.AF_INET)]) == 4 and len(out[str(socket.AF_INET6)]) == 2
    assert all(port == 0 for rows in out.values() for _, port in rows)


@pytest.mark.parametrize("line,count,fields", [
    # what the kernel prints
    ("0000000000000000: 00000002 00000000 00010000 0001 01 12345 /run/x.sock", 8,
     (2, 0, 0x10000, 1, 1, 12345, "/run/x.sock")),
    ("0000000000000000: 00000003 00000000 00000000 0001 03     7", 7, (3, 0, 0, 1, 3, 7, None)),
    # the rest of a path holding a newline, read as a row of its own by sscanf
    ("line.sock", 0, None), ("", 0, None), ("   ", 0, None), ("1_0: 2 0 0 1 1 78 q", 1, None),
    ("5: 1_0 0 0 1 1 79 r", 2, None), ("12 : 1 0 0 1 1 85 x", 1, None), ("13: 1 0 0 1", 5, None),
    ("ab: 2 0 10000 1 1 4242 fake path", 8, (2, 0, 0x10000, 1, 1, 4242, "fake path")),
    ("0x1: 0x2 0 0 1 1 77 p", 8, (2, 0, 0, 1, 1, 77, "p")),
    ("9:1 0 0 1 1 82 nospace", 8, (1, 0, 0, 1, 1, 82, "nospace")),
    ("6: 1 0 0 1 1 80path", 8, (1, 0, 0, 1, 1, 80, "path")),
    ("11: 1 0 0 1 1 +84 plus", 8, (1, 0, 0, 1, 1, 84, "plus")),
    ("5: -1 0 0 -1 1 -3 neg", 8, (-1, 0, 0, 0xFFFFFFFF, 1, (1 << 64) - 3, "neg")),
    ("14: 1 0 0 1 1 99999999999999999999999 big", 8, (1, 0, 0, 1, 1, (1 << 64) - 1, "big")),
    # six fields: netstat prints its stale inode variable, the previous row's inode
    ("0: 1 0 0 1 1", 6, (1, 0, 0, 1, 1, 4711, None)),
])
def test_unix_lines_read_as_sscanf_reads_them(line, count, fields):
    n, parsed = sockets._scan_unix(line, 4711)
    assert parsed == fields
    if fields is None:
        assert n < 6
    else:
        assert n >= 6


def test_netlink_unavailable_falls_back(monkeypatch):
    def boom(request):
        raise netlink.NetlinkUnavailable(93, "no")
        yield  # pragma: no cover

    monkeypatch.setattr(netlink, "dump_chunks", boom)
    try:
        table = sockets.inet_table("tcp", socket.AF_INET)
    except OSError:
        pytest.skip("no /proc/net/tcp here")
    assert table.source == "proc"
    with pytest.raises(netlink.NetlinkUnavailable):
        sockets.inet_table("tcp", socket.AF_INET, source="netlink")


# -- services --------------------------------------------------------------------------------
@pytest.fixture
def fake_etc(tmp_path, monkeypatch):
    svc = tmp_path / "services"
    svc.write_text("# comment\nssh\t\t22/tcp\t\t\t# SSH\nfirst 7000/tcp alias1 alias2\n"
                   "second 7000/tcp\nudponly 7000/udp\nbad line\nhex 0x10/tcp\n")
    proto = tmp_path / "protocols"
    proto.write_text("ip 0 IP\nhopopt 0 HOPOPT\nicmp 1 ICMP\n")
    monkeypatch.setattr(services, "SERVICES_PATH", str(svc))
    monkeypatch.setattr(services, "PROTOCOLS_PATH", str(proto))
    monkeypatch.setattr(services, "_services", None)
    monkeypatch.setattr(services, "_service_ports", None)
    monkeypatch.setattr(services, "_protocols", None)
    monkeypatch.setattr(services, "_protocol_numbers", None)


def test_services_first_and_last(fake_etc):
    assert services.port_name(22, "tcp") == "ssh"
    assert services.port_name(7000, "tcp") == "first"
    assert services.port_name(7000, "tcp", first=False) == "second"
    assert services.port_name(7000, "udp") == "udponly"
    assert services.port_name(16, "tcp") == "hex"  # strtoul(..., 0)
    assert services.port_name(23, "tcp") is None
    assert services.port_number("alias2", "tcp") == 7000
    assert services.protocol_name(0) == "ip" and services.protocol_name(0, first=False) == "hopopt"
    assert services.protocol_number("ICMP") == 1
    assert services.service_table("tcp", first=False)[7000] == "second"


def test_port_keys_round_trip():
    for port in (0, 1, 22, 255, 256, 8080, 65535):
        assert sockets.port_of(sockets.port_key(port)) == port
    # a key is the port in network order read natively
    assert sockets.port_key(0x1234) == int.from_bytes(b"\x12\x34", sys.byteorder)
