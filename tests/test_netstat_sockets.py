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
