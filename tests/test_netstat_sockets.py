"""pynetstat's command line and socket tables against Debian's netstat (net-tools 2.10).

Differential: both programs run with the same arguments in the same namespace, over sockets the
test opened itself (tests/test_socket_table.py SocketHolder, fixed ports), and must print the
same bytes on stdout and stderr with the same exit code. Only the countdowns of -o timers are
masked (they move between the two runs); a TIME_WAIT entry and its timer are part of the table.
"""

import json
import os
import re
import signal
import subprocess

import pytest

from conftest import require_root, require_tool
from lab.diff import Mask, assert_same, run_both, run_clone
from test_socket_table import SPEC, SocketHolder

TIMER = Mask(r"\b(on|on1|on2|keepalive|timewait|probe|unkn-\d+) \(\d+\.\d\d/", r"\1 (<T>/")
LONG_NAME = "this-is-a-rather-long-hostname.example.test"


@pytest.fixture
def table_ns(scratch_netns, tmp_path):
    """A namespace with SPEC's sockets open, and 127.0.0.5 named LONG_NAME in its hosts file
    (to exercise the 23-column cut and -W)."""
    require_root()
    require_tool("netstat")
    with open(f"/etc/netns/{scratch_netns.name}/hosts", "a") as f:
        f.write(f"127.0.0.5\t{LONG_NAME}\n")
    os.chmod(tmp_path, 0o755)
    with SocketHolder(scratch_netns, dict(SPEC, dir=str(tmp_path))) as holder:
        scratch_netns.holder = holder
        yield scratch_netns


SOCKET_ARGS = [
    "", "-a", "-l", "-n", "-an", "-ln", "-t", "-tn", "-tan", "-tln", "-ta", "-tl",
    "-u", "-un", "-una", "-uln", "-ua", "-w", "-wan", "-wa", "-U", "-Uan", "-x", "-xa", "-xl",
    "-xan", "-4", "-6", "-a4n", "-a6", "-A inet -a", "-A inet6 -an", "-A unix", "-A inet,unix -a",
    "--inet -a", "--inet6 -a", "--unix -a", "--ip -an", "--tcp --udp -a", "-tu46 -an",
    "-e", "-ee", "-ane", "-anee", "-ae", "--numeric-users -ae", "--numeric-hosts -a",
    "--numeric-ports -a", "--numeric-hosts --numeric-ports -ae", "-o", "-ano", "-ao", "-W",
    "-anW", "-aW", "-tW", "-p", "-anp", "-ap", "-xap", "-tlnp", "-anpeo", "-aeeWpo", "-v",
    "-av", "-lv", "-tv", "-S", "-tS", "-aS", "-6 -S", "-2", "-t -2", "--bluetooth", "-A ipx",
    "--ax25", "-A x25", "--netrom", "--rose", "--ddp -a", "-A econet", "--tcpip -t", "-d -tn",
    "-C -tn", "-F -tn", "-N -tn", "-tn -- -u", "-tn operand", "-gt", "-gtn -a", "-gx",
]


@pytest.mark.parametrize("args", SOCKET_ARGS)
def test_socket_tables(table_ns, args):
    orig, ours = run_both(table_ns, "netstat", args.split())
    assert_same(orig, ours, masks=[TIMER])


def test_tables_have_the_expected_rows(table_ns):
    """Guard against comparing two empty tables: the holder's rows are there."""
    out = run_clone(table_ns, "netstat", ["-anW"]).stdout
    for text in ("127.0.0.1:40002         127.0.0.1:8080          ESTABLISHED",
                 "tcp      100      0 127.0.0.1:8080", "TIME_WAIT", "udpl6", "raw6",
                 "@pynetsuite-abstract", "[ ACC ]     SEQPACKET  LISTENING"):
        assert text in out
    assert f"{LONG_NAME}:smtp" in run_clone(table_ns, "netstat", ["-tlW"]).stdout
    assert "this-is-a-rather-l:smtp 0.0.0.0:*" in run_clone(table_ns, "netstat", ["-tl"]).stdout


@pytest.mark.parametrize("args", ["-tnp", "-anp", "-xp", "-ap"])
def test_programs_unprivileged(table_ns, args):
    """uid 65534 with CAP_DAC_READ_SEARCH: it may open /proc/PID/fd of root's processes but
    not read the links (ptrace rules), so netstat prints '-' and no warning."""
    orig, ours = run_both(table_ns, "netstat", args.split(), unprivileged=True)
    assert_same(orig, ours, masks=[TIMER])
    assert " -                   " in ours.stdout


NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]


@pytest.mark.parametrize("args", ["-tnp", "-anp"])
def test_programs_not_all_identified(table_ns, args):
    """As nobody without capabilities, with a process of nobody's own holding sockets: some
    processes are identified, root's are not -> netstat's two-line warning."""
    spec = {"listen": [["4", "127.0.0.1", 6000]], "connect": [["4", "127.0.0.1", 40100, "127.0.0.1", 6000, 0]]}
    with SocketHolder(table_ns, spec, prefix=NOBODY) as mine:
        orig = table_ns.run(NOBODY + ["netstat", *args.split()])
        clone = os.path.join(table_ns.clone_bin, "netstat")
        ours = table_ns.run(NOBODY + [clone, *args.split()])
    assert_same(orig, ours, masks=[TIMER])
    assert ours.stderr.startswith("(Not all processes could be identified")
    assert f"{mine.pid}/" in ours.stdout


def test_programs_nothing_identified(table_ns):
    orig = table_ns.run(NOBODY + ["netstat", "-tnp"])
    ours = table_ns.run(NOBODY + [os.path.join(table_ns.clone_bin, "netstat"), "-tnp"])
    assert_same(orig, ours)
    if not _other_processes_of_uid(65534):
        # with no readable socket owner at all, netstat says it could read nothing
        assert ours.stderr == '(No info could be read for "-p": geteuid()=65534 but you should be root.)\n'


def _other_processes_of_uid(uid):
    """Processes of ``uid`` on this machine (a parallel job may run some): when one of them
    holds a socket, netstat -p identifies it and prints the other warning."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.stat(f"/proc/{pid}").st_uid == uid:
                found.append(pid)
        except OSError:
            pass
    return found


def _rounds(text, header):
    parts = text.split(header)
    return [header + p for p in parts[1:]]


@pytest.mark.parametrize("args,header", [
    ("-tanc", "Active Internet connections"), ("-xc", "Active UNIX domain sockets"),
    ("-anc", "Active Internet connections"),
])
def test_continuous(table_ns, args, header):
    """-c repeats the listing every second until interrupted (SIGINT kills netstat)."""
    results = []
    for program in ("netstat", os.path.join(table_ns.clone_bin, "netstat")):
        argv = [program, *args.split()]
        p = table_ns.popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            out, err = p.communicate(timeout=2.4)
        except subprocess.TimeoutExpired:
            os.kill(p.pid, signal.SIGINT)
            out, err = p.communicate(timeout=10)
        results.append((p.returncode, out, err))
    (rc1, out1, err1), (rc2, out2, err2) = results
    assert rc1 == rc2  # ip netns exec passes on the death by SIGINT
    r1, r2 = _rounds(TIMER.apply(out1), header), _rounds(TIMER.apply(out2), header)
    assert len(r1) >= 2 and len(r2) >= 2
    # the rounds of one run are identical (nothing changes in the namespace) ...
    assert r2[0] == r2[1] == r1[0] == r1[1]
    assert err1 == err2 == ""


USAGE_ARGS = [
    "-h", "--help", "-?", "--bogus", "-y", "-A", "-A foo", "-A inet,foo", "-A inet,,unix",
    "-A inet,", "--protocol", "--protocol=inet -t", "--pro inet", "--uni", "--u", "--in",
    "--i", "--ine -t", "--a", "--t", "--r", "--num", "--numeric-h -t", "--ver", "--help=x",
    "--tcp=1", "-V", "--version", "-V --bogus", "--bogus -V", "-h --bogus", "-rs", "-ri",
    "-ss", "-rr", "-ii", "-sM", "-Z", "-tZ", "-c3", "-t -s -x", "-s -x", "-A unix -s",
    "-4 -6 -s",
    # -A's list is cut to 255 bytes (here mid-word) before it is read; the family name list
    # it builds has 255 bytes too ("Too much address family arguments.", and on)
    "-A " + ",".join(["inet6"] * 60) + " -tn", "-A " + ",".join(["ip"] * 60) + " -tn",
]


@pytest.mark.parametrize("args", USAGE_ARGS)
def test_usage_and_errors(scratch_netns, args):
    require_tool("netstat")
    orig, ours = run_both(scratch_netns, "netstat", args.split())
    assert_same(orig, ours)


def test_usage_streams(scratch_netns):
    """-h: usage on stdout, the address family list on stderr, exit 0; an error: all on
    stderr, exit 3."""
    require_tool("netstat")
    ours = run_clone(scratch_netns, "netstat", ["-h"])
    assert ours.returncode == 0 and ours.stdout.startswith("usage: netstat")
    assert ours.stderr.startswith("    inet (DARPA Internet)")
    ours = run_clone(scratch_netns, "netstat", ["--bogus"])
    assert ours.returncode == 3 and ours.stdout == ""
    assert ours.stderr.startswith("netstat: unrecognized option '--bogus'\nusage: netstat")


def test_resolved_names_through_lab_dns(lab):
    """Host names of the lab's addresses come from the lab DNS (PTR), ports from
    /etc/services; -W shows them whole, without it they are cut to 23 columns."""
    require_tool("netstat")
    spec = {"listen": [["4", lab.addr["client4"], 2222]],
            "connect": [["4", lab.addr["client4"], 40200, lab.addr["target4"], 80, 0],
                        ["6", lab.addr["client6"], 40201, lab.addr["target6"], 22, 0]]}
    # the target's services accept for us; the holder only keeps the client side
    spec_client = {"listen": spec["listen"]}
    with SocketHolder(_LabRole(lab, "client"), spec_client):
        conn = _LabConnections(lab, [(lab.addr["client4"], 40200, lab.addr["target4"], 80),
                                     (lab.addr["client6"], 40201, lab.addr["target6"], 22)])
        with conn:
            for args in (["-t"], ["-tW"], ["-ta"], ["-tn"], ["-taeW"]):
                orig, ours = run_both((lab, "client"), "netstat", args)
                assert_same(orig, ours)
            text = run_clone((lab, "client"), "netstat", ["-tW"]).stdout
            assert "client.lab.test:40200" in text and "target.lab.test:http" in text


PENDING = r"""
import socket, sys
keep = []
for spec in sys.argv[1:]:
    kind, src, sport, dst, dport = spec.split(",")
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((src, int(sport)))
    s.setblocking(kind != "syn")
    try:
        s.connect((dst, int(dport)))
    except BlockingIOError:
        pass
    keep.append(s)
print("ready", flush=True)
sys.stdin.read()
"""


def test_lab_names_of_pending_connections(lab):
    """SYN_SENT to the lab's black hole and to a dropped port, a connection from a local port
    with a service name, connected UDP: names from the lab DNS, cut to 23 columns (e.g.
    "target.lab.tes:http-alt") or whole with -W."""
    import sys

    require_tool("netstat")
    c4, c6, t4, t6 = (lab.addr[k] for k in ("client4", "client6", "target4", "target6"))
    conns = [("syn", c4, 40700, lab.addr["dead4"], 443), ("syn", c6, 40701, lab.addr["dead6"], 8080),
             ("syn", c4, 40702, t4, 8080), ("tcp", c4, 6000, t4, 80), ("tcp", c6, 40703, t6, 22),
             ("udp", c4, 40704, t4, 5000), ("udp", c6, 40705, t6, 53)]
    proc = lab.popen("client", [sys.executable, "-c", PENDING, *(",".join(map(str, c)) for c in conns)],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().startswith("ready")
        text = _wait_for((lab, "client"), ["-t"], ["SYN_SENT", "client.lab.test:x11"])
        assert "target.lab.tes:http-alt SYN_SENT" in text
        for args in (["-t"], ["-tW"], ["-ta"], ["-tae"], ["-tp"], ["-u"], ["-uW"], ["-tu", "-n"]):
            orig, ours = run_both((lab, "client"), "netstat", args)
            assert_same(orig, ours)
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)
        proc.stdout.close()


class _LabRole:
    """A lab role seen as a namespace with popen (for SocketHolder)."""

    def __init__(self, lab, role):
        self.lab, self.role = lab, role

    def popen(self, argv, **kw):
        return self.lab.popen(self.role, argv, **kw)


CONNECTOR = r"""
import socket, sys
keep = []
for spec in sys.argv[1:]:
    src, sport, dst, dport = spec.split(",")
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((src, int(sport)))
    s.settimeout(5)
    s.connect((dst, int(dport)))
    keep.append(s)
print("ready", flush=True)
sys.stdin.read()
"""


class _LabConnections:
    def __init__(self, lab, conns):
        import sys

        args = [",".join(map(str, c)) for c in conns]
        self.proc = lab.popen("client", [sys.executable, "-c", CONNECTOR, *args],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("ready"), line

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


def test_json_records(table_ns):
    """--json: one list of records named as jc's netstat parser names them."""
    ours = run_clone(table_ns, "netstat", ["-anpe", "--json"])
    assert ours.returncode == 0, ours.stderr
    records = json.loads(ours.stdout)
    net = [r for r in records if r["kind"] == "network"]
    unix = [r for r in records if r["kind"] == "socket"]
    text = run_clone(table_ns, "netstat", ["-anpe"]).stdout
    rows = [line for line in text.splitlines() if re.match(r"(tcp|udp|raw)", line)]
    assert len(net) == len(rows)
    queued = [r for r in net if r["local_port"] == "8080" and r["foreign_port"] == "40002"][0]
    assert queued == {
        "proto": "tcp", "recv_q": 100, "send_q": 0, "local_address": "127.0.0.1",
        "local_port": "8080", "local_port_num": 8080, "foreign_address": "127.0.0.1",
        "foreign_port": "40002", "foreign_port_num": 40002, "state": "ESTABLISHED",
        "user": "0", "inode": queued["inode"], "program_name": queued["program_name"],
        "pid": table_ns.holder.pid, "kind": "network", "transport_protocol": "tcp",
        "network_protocol": "ipv4"}
    assert queued["inode"] in table_ns.holder.inodes
    udp = [r for r in net if r["proto"] == "udp" and r["local_port"] == "123"][0]
    assert udp["state"] is None and udp["foreign_port"] == "*" and "foreign_port_num" not in udp
    raw6 = [r for r in net if r["proto"] == "raw6"][0]
    assert raw6["state"] == "7" and raw6["transport_protocol"] is None
    listening = [r for r in unix if r["path"] == "@pynetsuite-abstract" and r["state"] == "LISTENING"]
    assert listening and listening[0]["flags"] == "ACC" and listening[0]["type"] == "STREAM"
    pair = [r for r in unix if r["path"] is None]
    assert pair and all(r["flags"] is None for r in pair)
    # -n off: names, and no *_num for a named port
    named = json.loads(run_clone(table_ns, "netstat", ["-tl", "--json"]).stdout)
    ssh = [r for r in named if r["local_port"] == "ssh"][0]
    assert "local_port_num" not in ssh and ssh["local_address"] == "0.0.0.0"


def test_json_continuous_streams(table_ns):
    """--json with -c: one JSON object per line, as they come."""
    argv = [os.path.join(table_ns.clone_bin, "netstat"), "-tanc", "--json"]
    p = table_ns.popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = p.stdout.readline()
    os.kill(p.pid, signal.SIGINT)
    p.communicate(timeout=10)
    assert json.loads(first)["kind"] == "network"


FALLBACK = r"""
import sys
from pynetsuite.net import netlink
def unavailable(request):
    raise netlink.NetlinkUnavailable(93, "sock_diag: Protocol not supported")
    yield
netlink.dump_chunks = unavailable
from pynetsuite.cli import run_tool
sys.exit(run_tool("netstat", sys.argv[1:], prog="netstat"))
"""


@pytest.mark.parametrize("args", ["-tan", "-tanp", "-at", "-tln"])
def test_proc_fallback_same_output(table_ns, args):
    """Without sock_diag, TCP comes from /proc/net/tcp{,6}: the same table."""
    import sys

    orig = table_ns.run(["netstat", *args.split()])
    ours = table_ns.run([sys.executable, "-c", FALLBACK, *args.split()])
    assert_same(orig, ours, masks=[TIMER])


# -- adversarial cases (QA pass): states, owners, names, paths ----------------------------------
#: a timer with its retransmit/probe counts: they move while a SYN or a FIN is retransmitted
TIMER_COUNTS = Mask(r"\b(on|keepalive|timewait|probe|off|unkn-\d+) \(\d+\.\d\d/\d+/\d+\)",
                    r"\1 (<T>)")

STATES = r"""
import socket, sys, time
A4, A6 = socket.AF_INET, socket.AF_INET6
keep, lst = [], {}
def tcp(fam, addr, port):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port)); keep.append(s); return s
def pair(sport, dport):
    if dport not in lst:
        lst[dport] = tcp(A4, "127.0.0.1", dport); lst[dport].listen(8)
    c = tcp(A4, "127.0.0.1", sport); c.connect(("127.0.0.1", dport))
    if sport == 41004:  # its handshake ACK is dropped: the server has a SYN_RECV request
        return c, None
    return c, lst[dport].accept()[0]
def nowait(fam, addr, sport, dst):
    s = tcp(fam, addr, sport); s.setblocking(False)
    try: s.connect(dst)
    except BlockingIOError: pass
nowait(A4, "127.0.0.1", 41000, ("127.0.0.1", 9))      # SYN dropped: SYN_SENT
nowait(A4, "127.0.0.1", 41009, ("127.0.0.1", 0))      # SYN_SENT to port 0: listed by -l
c, a = pair(41001, 7001); keep.append(a); c.shutdown(socket.SHUT_WR)      # FIN_WAIT1
c, a = pair(41002, 7002); c.shutdown(socket.SHUT_WR); time.sleep(0.1); a.close()  # LAST_ACK
c, a = pair(41003, 7003); keep.append(a); c.shutdown(socket.SHUT_WR)      # FIN_WAIT2/CLOSE_WAIT
pair(41004, 7004)                                                        # SYN_RECV
c, a = pair(41005, 7005); keep.append(a); c.shutdown(socket.SHUT_WR)      # CLOSING
time.sleep(0.1); a.shutdown(socket.SHUT_WR)
c, a = pair(41006, 7006); c.close(); time.sleep(0.05); a.close(); keep.remove(c)  # TIME_WAIT
c, a = pair(41007, 7007); keep.append(a); c.sendall(b"q" * 1234)          # queued data
print("ready", flush=True)
sys.stdin.read()
"""
STATE_RULES = [  # iptables rules (OUTPUT, on lo) that hold the connections in their states
    "-p tcp --dport 9 -j DROP", "-p tcp --dport 0 -j DROP",
    "-p tcp --sport 41001 --tcp-flags FIN FIN -j DROP",
    "-p tcp --sport 7002 --tcp-flags FIN FIN -j DROP",
    "-p tcp --sport 41004 --tcp-flags SYN,ACK,FIN,RST ACK -j DROP",
    "-p tcp --sport 41005 --tcp-flags FIN FIN -j DROP",
]
ALL_STATES = ("SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
              "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING")


def _wait_for(ns, argv, texts, seconds=5.0):
    """Run the clone until its output holds every text (the kernel settles asynchronously)."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        out = run_clone(ns, "netstat", argv).stdout
        if all(t in out for t in texts) or time.monotonic() > deadline:
            return out
        time.sleep(0.1)


def test_every_tcp_state(scratch_netns):
    """Connections held in each TCP state by dropping one packet (iptables in the scratch
    namespace): every table and option shows them as netstat does, a SYN_SENT to port 0
    (remote port 0, so netstat -l lists it) included."""
    import sys

    require_root()
    require_tool("netstat")
    require_tool("iptables")
    for rule in STATE_RULES:
        scratch_netns.run(["iptables", "-A", "OUTPUT", "-o", "lo", *rule.split()]).check_returncode()
    holder = scratch_netns.popen([sys.executable, "-c", STATES], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().startswith("ready")
        out = _wait_for(scratch_netns, ["-tan"], ALL_STATES)
        for state in ALL_STATES:
            assert state in out
        assert "127.0.0.1:*" in run_clone(scratch_netns, "netstat", ["-tln"]).stdout
        for args in (["-tan"], ["-ta"], ["-t"], ["-tl"], ["-tln"], ["-l"], ["-tane"],
                     ["-tanee"], ["-tanp"], ["-tlnp"], ["-tano"], ["-tanW"], ["-an"]):
            orig, ours = run_both(scratch_netns, "netstat", args)
            assert_same(orig, ours, masks=[TIMER_COUNTS])
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
        holder.stdout.close()


OWNER = r"""
import signal, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", int(sys.argv[1])))
print("ready", flush=True)
sys.stdin.read()
"""
#: argv[0]s netstat -p shows: the part after the last '/' only when it starts with '/'
#: (so a trailing '/' leaves nothing), cut to "PID/name" of 19 bytes, raw bytes kept
ARGV0S = [b"/usr/local/bin/my daemon with spaces", b"averyveryverylongprogramname-x",
          b"caf\xc3\xa9-d\xe6mon", b"", b"relative/path/prog", b"/trailing/slash/"]


def test_programs_of_several_owners(scratch_netns):
    """-p and -e over sockets of several processes: odd argv[0]s (set with exec -a) and one
    process of a uid without a passwd entry, above 2**31 (netstat prints it as an int)."""
    import select
    import sys

    require_root()
    require_tool("netstat")
    procs = []
    other_uid = ["setpriv", "--reuid=3000000000", "--regid=3000000000", "--clear-groups",
                 "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search", "--"]
    try:
        for port, argv0 in enumerate(ARGV0S, 7101):
            procs.append(scratch_netns.popen(
                ["bash", "-c", 'exec -a "$0" "$1" -c "$2" "$3"', argv0, sys.executable, OWNER,
                 str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                # with a foreign argv[0] Python cannot find its prefix by itself
                env={"PYTHONHOME": sys.base_prefix}))
        procs.append(scratch_netns.popen(other_uid + [sys.executable, "-c", OWNER, "7100"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE))
        for proc in procs:
            ready, _, _ = select.select([proc.stdout], [], [], 20)
            assert ready and proc.stdout.readline().startswith(b"ready")
        text = run_clone(scratch_netns, "netstat", ["-tlnp"]).stdout
        assert f" {(str(procs[1].pid) + '/averyveryverylongprogram')[:19]} " in text
        assert f"{procs[3].pid}/ " in text and f"{procs[5].pid}/ " in text
        assert " -1294967296 " in run_clone(scratch_netns, "netstat", ["-tlne"]).stdout
        for args in (["-tlnp"], ["-tlnpee"], ["-tlp"], ["-lnp"], ["-ulnpe"], ["-lpe"],
                     ["-tlnpe", "--numeric-users"]):
            orig, ours = run_both(scratch_netns, "netstat", args)
            assert_same(orig, ours)
    finally:
        for proc in procs:
            proc.stdin.close()
            proc.wait(timeout=10)
            proc.stdout.close()


def test_address_cut_at_the_boundary(scratch_netns):
    """"name:service" of exactly 23 characters is printed whole; of 24, cut (the fast
    path of big and small TCP tables alike)."""
    require_root()
    require_tool("netstat")
    with open(f"/etc/netns/{scratch_netns.name}/hosts", "a") as f:
        # 15 + ":" + "http-alt" = 24 columns: cut to 14; 14 + 1 + 8 = 23: whole
        f.write("127.0.0.9\tfifteen-chars.x\n127.0.0.10\tfourteen-chr.x\n")
    spec = {"listen": [["4", "127.0.0.9", 8080], ["4", "127.0.0.10", 8080]],
            "connect": [["4", "127.0.0.10", 40500, "127.0.0.9", 8080, 0],
                        ["4", "127.0.0.9", 40501, "127.0.0.10", 8080, 0]]}
    with SocketHolder(scratch_netns, spec):
        for args in (["-tl"], ["-t"], ["-ta"], ["-tap"], ["-taW"], ["-tae"]):
            orig, ours = run_both(scratch_netns, "netstat", args)
            assert_same(orig, ours)
        text = run_clone(scratch_netns, "netstat", ["-tl"]).stdout
        assert "fifteen-chars.:http-alt " in text and "fourteen-chr.x:http-alt " in text


def test_host_names_printed_as_bytes(scratch_netns):
    """Names from the hosts file that are not ASCII: printed as their bytes and padded by
    bytes (UTF-8 or not), an undecodable alias does not hide the name, and an IPv6 name too
    long for netstat's 128-byte buffer leaves the address."""
    require_root()
    require_tool("netstat")
    for addr in ("fd00::99", "fd00::98", "fd00::97", "fd00::96"):
        scratch_netns.run(["ip", "addr", "add", f"{addr}/128", "dev", "lo", "nodad"]).check_returncode()
    with open(f"/etc/netns/{scratch_netns.name}/hosts", "ab") as f:
        f.write(b"127.0.0.11\tcaf\xc3\xa9.test\n127.0.0.12\tbad\xe9name\n"
                b"127.0.0.13\tgood-name bad\xe9alias\nfd00::99\tv6caf\xc3\xa9\nfd00::98\tv6bad\xe9\n"
                b"fd00::97\t" + b"d" * 100 + b"." + b"e" * 30 + b"\nfd00::96\t" + b"f" * 127 + b"\n")
    spec = {"listen": [["4", "127.0.0.11", 9200], ["4", "127.0.0.12", 9200], ["4", "127.0.0.13", 9200],
                       ["6", "fd00::99", 9200], ["6", "fd00::98", 9200], ["6", "fd00::97", 9200],
                       ["6", "fd00::96", 9200]],
            "connect": [["4", "127.0.0.12", 40600, "127.0.0.11", 9200, 0]]}
    with SocketHolder(scratch_netns, spec):
        for args in (["-tl"], ["-tlW"], ["-ta"], ["-taW"], ["-tle"], ["-tl6"]):
            orig, ours = run_both(scratch_netns, "netstat", args)
            assert_same(orig, ours)
        out = run_clone(scratch_netns, "netstat", ["-tlW"]).stdout.encode("utf-8", "surrogateescape")
        assert b"bad\xe9name:9200 " in out and b"good-name:9200" in out
        assert b"fd00::97:9200" in out and b"f" * 127 + b" " in out


#: names of UNIX sockets holding newlines: the kernel prints them raw, so the rest of each
#: path is a line of its own in /proc/net/unix, which netstat reads as a row -- a warning,
#: a row of its own (a well-formed one), or a row with the previous row's inode
NEWLINE_NAMES = ["new\nline.sock", "x\n0: 1 0 0 1 1", "y\nab: 2 0 10000 1 1 4242 fakepath",
                 "z\n", "w\n   ", "u\n1_0: 2 0 0 1 1 78 q", "t\n5: 1_0 0 0 1 1 79 r",
                 "s\n5: -1 0 0 -1 1 -3 neg", "r\n6: 1 0 0 1 1 80path", "f\n13: 1 0 0 1",
                 "e\n14: 1 0 0 1 1 99999999999999999999999 big", "tab\there", "sp ace"]


def test_unix_paths_with_newlines(scratch_netns):
    import shutil
    import tempfile

    require_root()
    require_tool("netstat")
    tmp = tempfile.mkdtemp(prefix="pns")  # short: the names must fit in sun_path
    os.chmod(tmp, 0o755)
    try:
        spec = {"dir": tmp, "unix_dgram": NEWLINE_NAMES, "unix_listen": [["stream", "l\nst"]],
                "socketpairs": 1}
        with SocketHolder(scratch_netns, spec):
            for args in (["-x"], ["-xa"], ["-xl"], ["-xap"], ["-xan"], ["-a", "--unix", "-e"]):
                orig, ours = run_both(scratch_netns, "netstat", args)
                assert_same(orig, ours)
            assert "warning, got bogus unix line.\n" in ours.stderr
            assert "4242     fakepath" in ours.stdout
            data = run_clone(scratch_netns, "netstat", ["-xa", "--json"])
            assert data.returncode == 0 and json.loads(data.stdout)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# -- unit tests of the formatting rules (no namespace needed) ---------------------------------
from pynetsuite.plugins.netstat import socknames, sockrecords, socktext  # noqa: E402
from pynetsuite.plugins.netstat.command import NetstatCommand  # noqa: E402
from pynetsuite.plugins.netstat.options import NetstatOptions  # noqa: E402


@pytest.mark.parametrize("addr,port,wide,expected", [
    ("127.0.0.1", "22", False, "127.0.0.1:22"),
    ("this-is-a-rather-long-hostname", "smtp", False, "this-is-a-rather-l:smtp"),
    ("this-is-a-rather-long-hostname", "40005", False, "this-is-a-rather-:40005"),
    ("host", "a-very-long-service-name-x", False, "host:a-very-long-servic"),
    ("abcdefghijklmnopqrstuvwxyz", "a-very-long-service-name-x", False, "abcd:a-very-long-servic"),
    ("this-is-a-rather-long-hostname", "smtp", True, "this-is-a-rather-long-hostname:smtp"),
])
def test_address_column_cut(addr, port, wide, expected):
    text = socktext._cut(addr, port, wide)
    assert text == expected
    if not wide:
        assert len(text) <= 23


def test_fix_v4_address():
    mapped = bytes(10) + b"\xff\xff" + bytes([127, 0, 0, 1])
    assert socknames._fix_v4("::ffff:127.0.0.1", mapped) == "127.0.0.1"
    assert socknames._fix_v4("localhost.example", mapped) == "localhost.example"
    assert socknames._fix_v4("::1", bytes(15) + b"\1") == "::1"


def test_inet_network():
    assert socknames._inet_network("127.0.0.0") == 0x7F000000
    assert socknames._inet_network("127") == 127
    assert socknames._inet_network("0x7f.1") == 0x7F01
    assert socknames._inet_network("1.2.3.4.5") is None


@pytest.mark.parametrize("kind,row,text", [
    ("tcp", (1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), "off (0.00/0/0)"),
    ("tcp", (1, 1, 2, 0, 0, 0, 0, 2010, 0, 0, 0, 0, 1), "on (2.01/2/1)"),
    ("tcp", (1, 2, 0, 0, 0, 0, 0, 7199910, 0, 0, 0, 0, 0), "keepalive (7199.91/0/0)"),
    ("tcp", (6, 3, 0, 0, 0, 0, 0, 59990, 0, 0, 0, 0, 0), "timewait (59.99/0/0)"),
    ("tcp", (1, 4, 0, 0, 0, 0, 0, 100, 0, 0, 0, 0, 3), "probe (0.10/0/3)"),
    ("tcp", (1, 7, 1, 0, 0, 0, 0, 100, 0, 0, 0, 0, 0), "unkn-7 (0.10/1/0)"),
    ("udp", (7, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), "off (0.00/0/0)"),
    ("udp", (7, 2, 5, 0, 0, 0, 0, 1230, 0, 0, 0, 0, 0), "on2 (1.23/0/0)"),
    ("raw", (7, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), "off (0.00/5/0)"),
])
def test_timer_column(kind, row, text):
    assert sockrecords._timer_text(kind, row) == text


@pytest.mark.parametrize("numeric", [False, True])
@pytest.mark.parametrize("kind", ["tcp", "udp", "raw"])
def test_bulk_port_names_equal_lazy_ones(kind, numeric):
    """The bulk fill of the port cache (big tables) gives the texts get_sname() gives."""
    from pynetsuite.net import sockets as table

    opts = NetstatOptions()
    opts.numeric_ports = numeric
    keys = [table.port_key(p) for p in range(1, 65536)]
    bulk = socknames.Namer(opts).port_table(kind, keys, [0], bulk=True)
    lazy = socknames._Ports(kind, numeric)
    assert all(bulk[k] == lazy[k] for k in keys)
    assert lazy[0] == "*"


def parse(args):
    """NetstatCommand.parse on ``args`` without running anything."""
    from pynetsuite.command import Invocation
    from pynetsuite.host import Host

    host = Host().load("netstat")
    spec = host.find_command("netstat")
    cmd = NetstatCommand()
    inv = Invocation(host, spec, cmd, "netstat", args)
    return cmd.parse(inv)


@pytest.mark.parametrize("args,mode,protocols,flags", [
    ([], "sockets", set(), (False, False, False, 0)),
    (["-t"], "sockets", {"tcp"}, (True, True, False, 1)),
    (["-4"], "sockets", {"tcp", "sctp", "udp", "udplite", "raw"}, (True, False, False, 5)),
    (["-x", "-4"], "sockets", {"tcp", "sctp", "udp", "udplite", "raw"}, (True, False, True, 6)),
    (["-A", "inet6,unix"], "sockets", {"tcp", "sctp", "udp", "udplite", "raw"}, (False, True, True, 6)),
    (["-g"], "groups", set(), (True, True, False, 1)),
    (["-gt"], "sockets", {"tcp"}, (True, True, False, 2)),
    (["-s"], "statistics", {"tcp", "sctp", "udp", "udplite", "raw"}, (True, True, False, 5)),
    (["-rn"], "route", set(), (False, False, False, 0)),
    (["-i"], "interfaces", set(), (False, False, False, 0)),
    (["-M"], "masquerade", set(), (False, False, False, 0)),
])
def test_option_defaulting(args, mode, protocols, flags):
    opts = parse(args)
    assert opts.mode == mode
    assert opts.inet_protocols == protocols
    assert (opts.flag_inet, opts.flag_inet6, opts.flag_unx, opts.flag_arg) == flags


def test_options_contract():
    opts = parse(["-n", "-ee", "-p", "-o", "-W", "-v", "-c", "-l", "-a", "-6", "--unix", "-tu",
                  "-C", "-F", "-N"])
    assert opts.numeric_hosts and opts.numeric_ports and opts.numeric_users
    assert opts.extend == 2 and opts.programs and opts.timers and opts.wide and opts.verbose
    assert opts.continuous and opts.delay == 1.0 and opts.listening and opts.all
    assert opts.families == {"inet6", "unix"} and opts.protocols == {"tcp", "udp", "unix"}
    assert opts.cache and opts.fib and opts.symbolic and opts.interface is None
    assert opts.afname == "inet6,unix"
    assert parse(["--numeric-ports"]).numeric_ports and not parse(["--numeric-ports"]).numeric_hosts


def test_records_json_shape():
    rec = tuple.__new__(sockrecords.InetRecord, (
        "udp6", 0, 0, "[::]", "ntp", "[::]", "*", "", None, None, "12/chronyd", None))
    data = rec.to_json()
    assert data["state"] is None and data["program_name"] == "chronyd" and data["pid"] == 12
    assert "local_port_num" not in data and data["network_protocol"] == "ipv6"
    assert data["transport_protocol"] == "udp" and "user" not in data and "timer" not in data
    unix = tuple.__new__(sockrecords.UnixRecord, ("unix", 2, "ACC", "STREAM", "LISTENING", 7, "-", "@x"))
    assert unix.to_json() == {"proto": "unix", "refcnt": 2, "flags": "ACC", "type": "STREAM",
                              "state": "LISTENING", "inode": 7, "program_name": None,
                              "path": "@x", "kind": "socket"}


# -- third QA pass ---------------------------------------------------------------------------------

class _WithPasswd:
    """Runs commands inside ``ns`` with ``passwd`` bind-mounted over /etc/passwd (a private
    mount namespace: nothing else on the machine sees it)."""

    SCRIPT = 'mount --bind "$0" /etc/passwd && exec "$@"'

    def __init__(self, ns, passwd):
        self.ns, self.passwd = ns, str(passwd)

    @property
    def clone_bin(self):
        return self.ns.clone_bin

    def run(self, argv, **kw):
        return self.ns.run(["unshare", "-m", "sh", "-c", self.SCRIPT, self.passwd, *argv], **kw)


@pytest.mark.parametrize("name", [b"r\xc3\xb6\xc3\xb6t", b"r\xf6\xf6t\xff", b"a-user-name-of-33-characters-long"],
                         ids=["utf8", "latin1", "long"])
def test_user_names_padded_by_bytes(table_ns, tmp_path, name):
    """-e prints the owner's name with printf("%-10s"): padded by bytes, not characters, and
    never cut; --json gets it as UTF-8."""
    require_tool("unshare")
    passwd = tmp_path / "passwd"
    with open("/etc/passwd", "rb") as f:
        lines = [line for line in f.read().splitlines(True) if not line.startswith(b"root:")]
    passwd.write_bytes(name + b":x:0:0:root:/root:/bin/sh\n" + b"".join(lines))
    os.chmod(passwd, 0o644)
    where = _WithPasswd(table_ns, passwd)
    for args in (["-tle"], ["-taee"], ["-ulep"], ["-wae"]):
        orig, ours = run_both(where, "netstat", args)
        assert_same(orig, ours, masks=[TIMER])
    assert (b" " + name + b" ") in ours.stdout.encode("utf-8", "surrogateescape")
    data = json.loads(run_clone(where, "netstat", ["-tle", "--json"]).stdout)
    assert data[0]["user"] == name.decode("utf-8", "replace")


@pytest.mark.parametrize("redirect", [">/dev/full", ">&-", "2>/dev/full", "2>&-", ">/dev/full 2>&-"])
@pytest.mark.parametrize("args", ["-an", "-xap", "-rn", "-ie", "-s", "-g", "-h", "-V", "--bogus",
                                  "-A foo", "-tnp"])
def test_unwritable_streams(table_ns, redirect, args):
    """net-tools ignores write errors: nothing more is printed and the exit status is the
    listing's own (0, or 3 for a usage error), never a Python traceback."""
    results = []
    for program in ("netstat", os.path.join(table_ns.clone_bin, "netstat")):
        proc = table_ns.run(["bash", "-c", f"{program} {args} {redirect}; echo rc=$?"],
                            env={"LC_ALL": "C"}, timeout=20)
        out = proc.stdout + proc.stderr
        results.append(out if args != "-s" else re.sub(r"\d+", "N", out))
    assert results[0] == results[1]
    assert "Traceback" not in results[1] and "Exception" not in results[1]
