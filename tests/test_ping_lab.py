"""Differential tests: iputils ping (Debian 12) and pyping, same arguments, same lab client,
outputs compared byte for byte after masking measured numbers only (RTTs, the summary time,
the rtt/ipg lines, -D timestamps, -T timestamps, identifiers)."""

import os
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import require_tool
from lab.diff import (PING_FLOOD, PING_IPG, PING_PIPE, PING_RTT_LINE, PING_SUMMARY_TIME, RTT,
                      Mask, assert_same, run_both, run_clone, run_original)

MASKS = [
    RTT, PING_SUMMARY_TIME, PING_RTT_LINE, PING_IPG, PING_PIPE, PING_FLOOD,
    Mask(r"\[\d+\.\d{6}\] ", "[TS] "),                                   # -D
    Mask(r"ident=\d+", "ident=<ID>"),                                    # -v, raw socket
    Mask(r"(\t|TS: \t)(\d+\.\d+\.\d+\.\d+\t)?-?\d+( absolute)?( not-standard)?\n",
         r"\1\2<TS>\3\4\n"),                                            # -T values
]


@pytest.fixture
def client(lab):
    require_tool("ping")
    return (lab, "client")


def same(where, args, extra_masks=(), **kw):
    original, ours = run_both(where, "ping", args, **kw)
    assert_same(original, ours, masks=MASKS + list(extra_masks))
    return original, ours


# --- replies --------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [
    ["-c", "2", "-i", "0.2", "{target4}"],
    ["-c", "2", "-i", "0.2", "{target6}"],
    ["-c", "2", "-i", "0.2", "{target}"],            # name: PTR names in the replies
    ["-c", "1", "-4", "{target}"],                   # 20221126: empty canonical name
    ["-c", "1", "-6", "{target}"],
    ["-c", "1", "-n", "{target}"],
    ["-c", "1", "-n", "-4", "{target}"],
    ["-c", "1", "{www}"],                            # CNAME
    ["-c", "1", "-4", "{www}"],
    ["-c", "1", "{v4only}"],
    ["-c", "1", "{v6only}"],
    ["-c", "1", "{multi}"],
    ["-c", "1", "-6", "{v4only}"],                   # Address family for hostname not supported
    ["-c", "1", "-4", "{v6only}"],
    ["-c", "2", "-i", "0.2", "-q", "{target4}"],
    ["-c", "2", "-i", "0.2", "-D", "{target4}"],
    ["-c", "1", "-s", "0", "{target4}"],
    ["-c", "1", "-s", "1", "{target4}"],
    ["-c", "1", "-s", "15", "{target4}"],
    ["-c", "1", "-s", "16", "{target4}"],
    ["-c", "1", "-s", "1000", "{target4}"],
    ["-c", "1", "-s", "0", "{target6}"],
    ["-c", "1", "-s", "1000", "{target6}"],
    ["-c", "1", "-W", "1", "-s", "65508", "{target4}"],   # local error: message too long
    ["-c", "1", "-W", "1", "-s", "70000", "{target4}"],   # silently nothing
    ["-c", "1", "-W", "1", "-M", "do", "-s", "2000", "{target4}"],
    ["-c", "1", "-W", "1", "-M", "do", "-s", "2000", "{target6}"],
    ["-c", "1", "-M", "dont", "-s", "2000", "{target4}"],
    ["-c", "2", "-i", "0.2", "-p", "ab", "{target4}"],
    ["-c", "1", "-p", "abc", "-s", "20", "{target4}"],
    ["-q", "-p", "ab", "-c", "1", "{target4}"],
    ["-c", "3", "-i", "0.2", "-v", "{target4}"],
    ["-c", "1", "-v", "-4", "{target}"],
    ["-c", "1", "-v", "-e", "5", "{target4}"],
    ["-c", "1", "-v", "-e", "0", "{target4}"],
    ["-c", "2", "-i", "0.2", "-a", "{target4}"],
    ["-c", "2", "-i", "0.2", "-U", "{target4}"],
    ["-c", "3", "-l", "3", "{target4}"],
    ["-c", "2", "-i", "0.2", "-R", "{target4}"],
    ["-c", "1", "-R", "-4", "{target}"],
    ["-c", "1", "-T", "tsonly", "{target4}"],
    ["-c", "1", "-T", "tsandaddr", "{target4}"],
    ["-c", "1", "-B", "-C", "-d", "-r", "-L", "-m", "7", "-S", "100000", "-Q", "16",
     "{target4}"],
    ["-c", "1", "-Q", "0x10", "-M", "want", "{target6}"],
    ["-c", "1", "127.1"],
    ["-c", "1", "0.0.0.0"],
])
def test_replies(lab, client, args):
    values = dict(lab.addr, **{k: v for k, v in lab.names.items()})
    same(client, [a.format(**values) for a in args])


@pytest.mark.parametrize("args", [
    ["-c", "20", "-f", "{target4}"],
    ["-c", "20", "-f", "{target6}"],
    ["-c", "5", "-f", "-q", "{target4}"],
    ["-c", "3", "-f", "-a", "{target4}"],
    ["-c", "3", "-f", "-t", "1", "{target4}"],
    ["-c", "2", "-f", "-W", "1", "{dead4}"],
    ["-c", "4", "-A", "{target4}"],
    ["-c", "2", "-i", "0", "{target4}"],
    ["-c", "2", "-i", "-1", "{target4}"],             # 20221126 accepts a negative interval
])
def test_flood_and_adaptive(lab, client, args):
    values = dict(lab.addr)
    # ipg/ewma, the pipe size and the flood line's order depend on timing (masked)
    same(client, [a.format(**values) for a in args])


# --- errors from the network ------------------------------------------------------------------
@pytest.mark.parametrize("key,text", [
    ("hostunreach4", "Destination Host Unreachable"),
    ("prohibited4", "Packet filtered"),
    ("netunreach4", "Destination Net Unreachable"),
    ("hostunreach6", "Destination unreachable: Address unreachable"),
    ("prohibited6", "Destination unreachable: Administratively prohibited"),
    ("netunreach6", "Destination unreachable: No route"),
])
def test_icmp_errors(lab, client, key, text):
    original, _ = same(client, ["-c", "1", lab.addr[key]])
    assert text in original.stdout and original.returncode == 1


def test_on_link_host_unreachable(lab, client):
    """No ARP answer on the client's own link: the kernel reports every queued probe."""
    original, _ = same(client, ["-c", "4", "-i", "0.5", "198.18.1.77"])
    assert "From 198.18.1.1 icmp_seq=1 Destination Host Unreachable" in original.stdout


@pytest.mark.parametrize("args", [
    ["-c", "1", "-t", "1", "{target4}"],
    ["-c", "1", "-t", "2", "{target4}"],
    ["-c", "1", "-t", "1", "{target6}"],
    ["-c", "1", "-t", "2", "-6", "{target}"],         # router names from PTR
    ["-c", "1", "-t", "2", "-4", "{target}"],
    ["-c", "1", "-t", "1", "-n", "{target}"],
    ["-c", "1", "-t", "0", "{target4}"],              # cannot set unicast time-to-live
    ["-c", "1", "-t", "0", "{target6}"],
    ["-c", "2", "-i", "0.2", "-t", "1", "-D", "{target4}"],
    ["-c", "1", "-t", "1", "-R", "{target4}"],
    ["-w", "3", "-t", "1", "{target4}"],              # -w: the first error ends the run
    ["-c", "1", "-v", "-6", "-t", "1", "{target}"],
])
def test_ttl_exceeded(lab, client, args):
    values = dict(lab.addr, **lab.names)
    same(client, [a.format(**values) for a in args])


def test_silent_router(lab, client):
    with lab.silent_router(True):
        original, _ = same(client, ["-c", "2", "-i", "0.2", "-W", "1", "-t", "2",
                                    lab.addr["target4"]])
    assert "100% packet loss" in original.stdout


@pytest.mark.parametrize("args", [
    ["-c", "2", "-i", "0.2", "-W", "1", "{dead4}"],
    ["-c", "1", "-W", "1", "{dead6}"],
    ["-c", "3", "-i", "0.2", "-W", "1", "-O", "{dead4}"],
    ["-c", "2", "-i", "0.2", "-W", "1", "-O", "-D", "{dead4}"],
    ["-c", "3", "-i", "0.2", "-W", "1", "-O", "-q", "{dead4}"],
    ["-w", "1", "-c", "1", "{dead4}"],
    ["-w", "1", "-i", "0.3", "{target4}"],
    ["-w", "1", "-c", "5", "-i", "0.6", "{target4}"],  # fewer replies than -c: exit 1
    ["-w", "2", "-c", "2", "-i", "0.2", "{target4}"],
    ["-W", "0.0001", "-c", "1", "{target4}"],
])
def test_loss_and_deadlines(lab, client, args):
    values = dict(lab.addr)
    same(client, [a.format(**values) for a in args])


# --- -I ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [
    ["-c", "1", "-I", "{iface}", "{target4}"],
    ["-c", "1", "-I", "{client4}", "{target4}"],
    ["-c", "1", "-I", "{iface}", "{target6}"],
    ["-c", "1", "-I", "{client6}", "{target6}"],
    ["-c", "1", "-I", "{client4}", "{target}"],       # v4 source, v6 target: "from ADDR6 : "
    ["-c", "1", "-I", "{iface}", "{target}"],
    ["-c", "1", "-I", "nosuchif", "{target4}"],
    ["-c", "1", "-I", "nosuchif", "{target6}"],
    ["-c", "1", "-I", "10.9.9.9", "{target4}"],
    ["-c", "1", "-I", "2001:db8:1::99", "{target6}"],
    ["-c", "1", "-I", "zz::zz", "{target6}"],
    ["-c", "1", "-I", "0.0.0.0", "{target4}"],       # unspecified: source found by connect()
    ["-c", "1", "-I", "::", "{target6}"],
    ["-c", "1", "-I", "::%{iface}", "{target6}"],
    ["-c", "1", "-I", "0.0.0.0", "{target}"],
])
def test_interface(lab, client, args):
    values = dict(lab.addr, iface=lab.iface("client", "r1"), target=lab.names["target"])
    same(client, [a.format(**values) for a in args])


# --- ping4 / ping6: iputils' links, made by pynetsuite --install too ---------------------------
@pytest.mark.parametrize("tool,args", [
    ("ping4", ["-c", "1", "{target}"]),
    ("ping6", ["-c", "1", "{target}"]),
    ("ping6", ["-c", "1", "{v4only}"]),            # the family a name lacks: the resolver's error
    ("ping4", ["-c", "1", "{target6}"]),           # an address of the other family
    ("ping6", ["-c", "1", "-4", "{target}"]),      # -4 after the name's family: both given
])
def test_family_links(lab, client, tool, args):
    values = dict(lab.addr, target=lab.names["target"], v4only=lab.names["v4only"])
    original, ours = run_both(client, tool, [a.format(**values) for a in args])
    assert_same(original, ours, masks=MASKS)


# --- command line and name errors -------------------------------------------------------------
@pytest.mark.parametrize("args", [
    [], ["-c"], ["-X", "x"], ["--help"], ["-h"], ["-?"], ["-V"], ["-V", "-c", "0"],
    ["-c", "0", "-V"], ["-c", "0", "x"], ["-c", "abc", "x"], ["-c", "1.5", "x"],
    ["-c", "99999999999999999999", "x"], ["-c", "5 ", "x"], ["-s", "-1", "x"],
    ["-t", "256", "x"], ["-w", "abc", "x"], ["-w", "-1", "x"], ["-W", "-1", "x"],
    ["-W", "nan", "x"], ["-i", "nan", "x"], ["-i", "1e400", "x"], ["-i", "1e-310", "x"],
    ["-i", "2147484", "x"], ["-i", "", "x"], ["-W", "", "x"], ["-l", "0", "x"],
    ["-l", "70000", "x"], ["-m", "abc", "x"], ["-m", "-1", "x"], ["-M", "probe", "x"],
    ["-Q", "300", "x"], ["-Q", "abc", "x"], ["-T", "foo", "x"], ["-R", "-T", "tsonly", "x"],
    ["-F", "zz", "x"], ["-F", "0x100000", "x"], ["-S", "0", "x"], ["-e", "70000", "x"],
    ["-e", "-1", "x"], ["-p", "zz", "x"], ["-p", "1g", "-c", "0", "x"], ["-4", "-6", "x"],
    ["-6", "-4", "x"], ["-c", "1", ""], ["-c", "1", "300.1.1.1"],
    ["-c", "1", "{nxdomain}"], ["-p", "ab", "{nxdomain}"],
    ["-c", "1", "{nxdomain}", "{target4}"], ["-c", "1", "{target4}", "{nxdomain}"],
    ["-c", "1", "{client4}", "{target4}"],           # source route: fails as in 20221126
    ["-c", "1", "{target6}", "{target6}"],           # two IPv6 operands: usage
    ["-c", "1", "-R", "{client4}", "{target4}"],
    ["-c", "1", "-6", "{target4}"], ["-c", "1", "-4", "::1"],
])
def test_command_line(lab, client, args):
    values = dict(lab.addr, **lab.names)
    same(client, [a.format(**values) for a in args])


@pytest.mark.parametrize("args", [
    ["-i", "abc", "-c", "2", "{target4}"],           # garbage is only a warning
    ["-W", "abc", "-c", "1", "{target4}"],
    ["-i", "0x1p-3", "-c", "2", "{target4}"],
    ["-c", " 2", "-i", "0.1", "{target4}"],
    ["-c", "+2", "-i", "0.1", "{target4}"],
    ["-l", "65536", "-c", "1", "{target4}"],
])
def test_lenient_values(lab, client, args):
    values = dict(lab.addr)
    same(client, [a.format(**values) for a in args])


# --- signals ----------------------------------------------------------------------------------
def _run_until(lab, argv, lines, signo, extra_signal=None, unprivileged=False):
    """Start argv in the client namespace, wait for ``lines`` reply lines, send ``signo``
    (and ``extra_signal`` first, if given), return (stdout, stderr, rc)."""
    proc = lab.popen("client", argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                     env={"LC_ALL": "C", "PATH": os.environ.get("PATH", "")},
                     unprivileged=unprivileged)
    out = []
    deadline = time.monotonic() + 10
    os.set_blocking(proc.stdout.fileno(), True)
    while len([x for x in out if " bytes from " in x]) < lines and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        out.append(line.decode())
    if extra_signal:
        _signal_tool(lab, proc, extra_signal)
        time.sleep(0.1)
    _signal_tool(lab, proc, signo)
    rest, err = proc.communicate(timeout=10)
    return "".join(out) + rest.decode(), err.decode(), proc.returncode


def _signal_tool(lab, proc, signo):
    """Signal the tool itself: ``ip netns exec`` execs it, so it has the Popen's pid."""
    os.kill(proc.pid, signo)


@pytest.mark.parametrize("signo", [signal.SIGINT])
def test_ctrl_c_statistics(lab, client, signo):
    target = lab.addr["target4"]
    orig = _run_until(lab, ["ping", "-i", "0.2", target], 3, signo)
    ours = _run_until(lab, [os.path.join(lab.clone_bin, "ping"), "-i", "0.2", target], 3,
                      signo)
    assert orig[2] == ours[2] == 0
    masks = MASKS + [Mask(r"\d+ packets transmitted, \d+ received", "N packets, N received")]
    from lab.diff import mask
    # the number of replies before the signal differs (start-up time): compare the shape
    def shape(text):
        lines = mask(text, masks).splitlines()
        replies = [line for line in lines if " bytes from " in line]
        return [line for line in lines if " bytes from " not in line], sorted(set(replies))
    assert shape(orig[0]) == shape(ours[0])
    assert orig[1] == ours[1] == ""


def test_ctrl_c_without_reply(lab, client):
    target = lab.addr["dead4"]
    results = []
    for argv in (["ping", "-i", "0.2", target],
                 [os.path.join(lab.clone_bin, "ping"), "-i", "0.2", target]):
        proc = lab.popen("client", argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env={"LC_ALL": "C"})
        time.sleep(1.0)
        os.kill(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        results.append((Mask(r"\d+ packets transmitted", "N packets transmitted")
                        .apply(PING_SUMMARY_TIME.apply(out.decode())), err.decode(),
                        proc.returncode))
    assert results[0] == results[1]
    assert results[0][2] == 1 and results[0][0].endswith("100% packet loss, time <T>ms\n\n")


def test_sigquit_status(lab, client):
    target = lab.addr["target4"]
    status_mask = Mask(r"\r\d+/\d+ packets, \d+% loss, min/avg/ewma/max = [\d./]+ ms",
                       "\rN/N packets, 0% loss, min/avg/ewma/max = X ms")
    got = []
    for argv in (["ping", "-i", "0.2", target],
                 [os.path.join(lab.clone_bin, "ping"), "-i", "0.2", target]):
        out, err, rc = _run_until(lab, argv, 2, signal.SIGINT, extra_signal=signal.SIGQUIT)
        got.append((status_mask.apply(err), rc))
    assert got[0] == got[1]
    assert got[0][0].startswith("\rN/N packets")


def test_head_is_quiet(lab, client):
    """`| head -2`: SIGPIPE ends both without a message."""
    for program in ("ping", os.path.join(lab.clone_bin, "ping")):
        proc = lab.run("client", ["sh", "-c", f"{program} -i 0.2 {lab.addr['target4']} | head -2"],
                       timeout=10)
        assert proc.returncode == 0 and proc.stderr == ""
        assert len(proc.stdout.splitlines()) == 2


# --- privileges -------------------------------------------------------------------------------
def test_unprivileged_datagram_sockets(lab, client):
    """ping_group_range lets gid 65534 use ICMP datagram sockets: ours takes that path, the
    original (file capability) a raw socket; the output is the same."""
    lab.ping_group_range("client", 0, 2147483647)
    for args in (["-c", "2", "-i", "0.2", lab.addr["target4"]],
                 ["-c", "1", lab.addr["target6"]],
                 ["-c", "1", "-t", "1", lab.addr["target4"]],
                 ["-c", "1", "-t", "1", lab.addr["target6"]],
                 ["-c", "1", "-i", "0.001", lab.addr["target4"]],
                 ["-c", "1", "-f", lab.addr["target4"]],
                 ["-c", "1", "-l", "4", lab.addr["target4"]],
                 ["-c", "1", "-W", "1", "-s", "65508", lab.addr["target4"]],
                 ["-c", "2", "-R", lab.addr["target4"]],
                 ["-c", "1", "-W", "1", lab.addr["dead4"]]):
        same(client, args, unprivileged=True)


@pytest.fixture
def capless_ping_dir():
    """A copy of /usr/bin/ping made with cp (no file capability), readable by uid 65534."""
    require_tool("ping")
    directory = tempfile.mkdtemp(prefix="pyping-nocap-")
    os.chmod(directory, 0o755)
    shutil.copy(shutil.which("ping"), os.path.join(directory, "ping"))
    os.chmod(os.path.join(directory, "ping"), 0o755)
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.mark.parametrize("allowed", [True, False])
def test_without_capability(lab, client, capless_ping_dir, allowed):
    """Compared with a capability-less copy of ping: datagram sockets when the group range
    allows them, else the error triple and exit 2."""
    if allowed:
        lab.ping_group_range("client", 0, 2147483647)
    else:
        lab.ping_group_range("client", 1, 0)
    env = {"PATH": capless_ping_dir + ":/usr/sbin:/usr/bin:/sbin:/bin"}
    cases = [["-c", "1", lab.addr["target4"]], ["-c", "1", "-4", lab.addr["target4"]],
             ["-c", "1", lab.addr["target6"]], ["-c", "1", "-v", lab.addr["target4"]],
             ["-c", "1", "-e", "0", lab.addr["target4"]]]
    for args in cases:
        original = run_original(client, "ping", args, unprivileged=True, env=env)
        ours = run_clone(client, "ping", args, unprivileged=True)
        assert_same(original, ours, masks=MASKS)
    if not allowed:
        assert "=> missing cap_net_raw+p capability or setuid?" in original.stderr


# --- --json -----------------------------------------------------------------------------------
def test_json_stream(lab, client):
    import json

    proc = run_clone(client, "ping", ["--json", "-c", "2", "-i", "0.2", lab.names["target"]])
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert proc.returncode == 0 and proc.stderr == ""
    assert [r["type"] for r in records] == ["reply", "reply", "summary"]
    reply, summary = records[0], records[-1]
    assert reply["icmp_seq"] == 1 and reply["response_bytes"] == 64
    assert reply["response_name"] == lab.names["target"] and reply["time_ms"] > 0
    assert summary["packets_transmitted"] == summary["packets_received"] == 2
    assert summary["packet_loss_percent"] == 0.0
    assert summary["round_trip_ms_min"] <= summary["round_trip_ms_avg"] \
        <= summary["round_trip_ms_max"]

    proc = run_clone(client, "ping", ["--json", "-c", "1", "-t", "1", lab.addr["target4"]])
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert proc.returncode == 1
    assert records[0]["type"] == "time_to_live_exceeded"
    assert records[0]["response_ip"] == lab.addr["r1_4"] and records[0]["icmp_seq"] == 1
    assert records[-1]["errors"] == 1 and records[-1]["packet_loss_percent"] == 100.0

    proc = run_clone(client, "ping", ["--json", "-c", "2", "-i", "0.2", "-W", "1", "-O",
                                      lab.addr["dead4"]])
    types = [json.loads(line)["type"] for line in proc.stdout.splitlines()]
    assert types == ["timeout", "summary"] and proc.returncode == 1


# --- QA regressions -------------------------------------------------------------------------
def _link_local(lab, role, dev):
    import re

    out = lab.run(role, ["ip", "-6", "-o", "addr", "show", "dev", dev, "scope", "link"]).stdout
    return re.search(r"inet6 (fe80::[0-9a-f:]+)/", out).group(1)


def test_link_local_source_with_scope(lab, client):
    """-I fe80::x%dev: the header shows the source with its scope ("from fe80::1%eth0 eth0: ")."""
    mine = _link_local(lab, "client", "veth-r1")
    peer = _link_local(lab, "r1", "veth-client")
    for args in (["-c", "1", "-I", f"{mine}%veth-r1", f"{peer}%veth-r1"],
                 ["-c", "1", "-I", f"{mine}%veth-r1", lab.addr["target6"]],
                 ["-c", "1", "-I", mine, f"{peer}%veth-r1"],
                 ["-c", "1", "-I", "veth-r1", peer],
                 ["-c", "1", f"{peer}%veth-r1"],
                 ["-c", "1", "-W", "0.3", "-I", "veth-r1", "::1"],    # source from connect()
                 ["-c", "1", "-W", "0.3", "-I", "veth-r1", "-B", "::1"],
                 ["-c", "1", "-I", "::%veth-r1", f"{peer}%veth-r1"]):
        original, _ = same(client, args)
    assert f"from {mine}%veth-r1 veth-r1: " in run_original(
        client, "ping", ["-c", "1", "-I", f"{mine}%veth-r1", f"{peer}%veth-r1"]).stdout


@pytest.mark.parametrize("label", ["0", "0x", ""])
def test_kernel_chosen_flow_label(lab, client, label):
    """-F 0 (or an empty value): the kernel picks the label and ping prints that one.
    (Non-zero labels cannot be compared back to back: the kernel keeps a label reserved for
    a few seconds after its socket closes, so the second run gets EPERM.)"""
    original, ours = same(client, ["-c", "1", "-F", label, lab.addr["target6"]],
                          extra_masks=[Mask(r"flow 0x[0-9a-f]{5}", "flow 0xLABEL")])
    assert ", flow 0x" in original.stdout and ", flow 0x" in ours.stdout
    assert ", flow 0x00000," not in ours.stdout


def test_stdout_is_block_buffered_into_a_pipe(lab, client):
    """Into a pipe ping's header waits in the stdio buffer until the first fflush() (reply,
    error line, statistics): a reader sees nothing while no reply comes, and
    `ping -c1 DEAD | head -1` then ends with ping's own status."""
    target = lab.addr["dead4"]
    seen = []
    for argv in (["ping", "-c", "1", "-W", "1.5", target],
                 [os.path.join(lab.clone_bin, "ping"), "-c", "1", "-W", "1.5", target]):
        proc = lab.popen("client", argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env={"LC_ALL": "C", "PYTHONUNBUFFERED": "1"})
        time.sleep(0.8)
        os.set_blocking(proc.stdout.fileno(), False)
        early = proc.stdout.read()
        os.set_blocking(proc.stdout.fileno(), True)
        rest, err = proc.communicate(timeout=10)
        seen.append((early, PING_SUMMARY_TIME.apply((early or b"").decode() + rest.decode()),
                     err, proc.returncode))
    assert seen[0] == seen[1]
    assert seen[0][0] is None and seen[0][3] == 1       # nothing readable before the end


DNS_WITHOUT_PTR = r'''
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
s.settimeout(30)
print("ready", flush=True)
for _ in range(200):
    try:
        data, peer = s.recvfrom(512)
    except socket.timeout:
        break
    i, labels = 12, []
    while data[i]:
        labels.append(data[i + 1:i + 1 + data[i]].decode().lower())
        i += 1 + data[i]
    qtype = struct.unpack("!H", data[i + 1:i + 3])[0]
    if qtype == 12:
        continue                    # PTR: never answered, as from a dead reverse zone
    ours = ".".join(labels) == "slow.test"
    answer = b""
    if ours and qtype == 1:
        answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton("127.0.0.2")
    header = struct.pack("!HHHHHH", struct.unpack("!H", data[:2])[0], 0x8180 | (0 if ours else 3),
                         1, 1 if answer else 0, 0, 0)
    s.sendto(header + data[12:i + 5] + answer, peer)
'''


def test_ctrl_c_cuts_a_hanging_reverse_lookup(scratch_netns):
    """iputils longjmp()s out of a PTR lookup on SIGINT: the reply gets its numeric address
    and the statistics come at once, not after the resolver's timeout (10 s here)."""
    import sys

    require_tool("ping")
    dns = scratch_netns.popen([sys.executable, "-c", DNS_WITHOUT_PTR], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    try:
        assert dns.stdout.readline() == b"ready\n"
        results = []
        for argv in (["ping", "-i", "0.2", "slow.test"],
                     [os.path.join(scratch_netns.clone_bin, "ping"), "-i", "0.2", "slow.test"]):
            proc = scratch_netns.popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       env={"LC_ALL": "C"})
            time.sleep(1.0)                     # the first reply is waiting for its PTR
            started = time.monotonic()
            os.kill(proc.pid, signal.SIGINT)
            out, err = proc.communicate(timeout=20)
            results.append((time.monotonic() - started,
                            PING_RTT_LINE.apply(PING_SUMMARY_TIME.apply(RTT.apply(out.decode()))),
                            err.decode(), proc.returncode))
    finally:
        dns.kill()
        dns.communicate()
    (t_orig, *orig), (t_ours, *ours) = results
    assert orig == ours
    assert orig[0].startswith("PING slow.test (127.0.0.2) 56(84) bytes of data.\n"
                              "64 bytes from 127.0.0.2: icmp_seq=1 ")
    assert t_orig < 3 and t_ours < 3


def test_json_summary_matches_its_replies(lab, client):
    """Every line parses, and the summary's numbers are the ones its reply records imply
    (the text renderer prints the same summary record)."""
    import json

    proc = run_clone(client, "ping", ["--json", "-c", "3", "-i", "0.2", lab.addr["target6"]])
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    replies = [r for r in records if r["type"] == "reply"]
    summary = records[-1]
    assert proc.returncode == 0 and summary["type"] == "summary" and len(replies) == 3
    times_us = [round(r["time_ms"] * 1000) for r in replies]
    assert summary["round_trip_ms_min"] == min(times_us) / 1000
    assert summary["round_trip_ms_max"] == max(times_us) / 1000
    assert summary["round_trip_ms_avg"] == (sum(times_us) // 3) / 1000
    assert summary["packets_transmitted"] == summary["packets_received"] == 3
    assert [r["icmp_seq"] for r in replies] == [1, 2, 3]


@pytest.mark.parametrize("args,redirect", [
    ("-c 1 127.0.0.1", ">&-"),              # stdout closed: "write error", status 1
    ("-c 1 127.0.0.1", ">/dev/full"),
    ("-V", ">&-"),                          # nothing took fd 1: "write error: Bad file ..."
    ("-c 1 -p ab {nxdomain}", ">&-"),       # PATTERN was buffered: the error, then status 1
    ("-c 1 {nxdomain}", ">&-"),             # nothing written: the error's own status
    ("-c 1 {nxdomain}", "2>&-"),            # the message could not be written: status 1
    ("-c 1 -q 127.0.0.1", "2>/dev/full"),
    ("-c 1 -i abc 127.0.0.1", "2>/dev/full"),
])
def test_unwritable_stdout_and_stderr(lab, client, args, redirect):
    """iputils' atexit close_stdout(): a failed write ends in "ping: write error" and exit
    status 1, never in a Python traceback."""
    args = args.format(**lab.names)
    results = []
    for program in ("ping", os.path.join(lab.clone_bin, "ping")):
        proc = lab.run("client", ["bash", "-c", f"{program} {args} {redirect}; echo rc=$?"],
                       env={"LC_ALL": "C"}, timeout=10)
        results.append((RTT.apply(PING_RTT_LINE.apply(PING_SUMMARY_TIME.apply(proc.stdout))),
                        proc.stderr))
    assert results[0] == results[1]


# --- QA pass 3 ------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [
    ["-c", "1", "-m", "4294967295", "{target4}"],     # SO_MARK is an unsigned int: no traceback
    ["-c", "1", "-m", "2147483648", "{target6}"],
])
def test_mark_above_int_max(lab, client, args):
    same(client, [a.format(**lab.addr) for a in args])


@pytest.mark.parametrize("args", [
    ["-N", "help"], ["-N", "help", "-V"], ["-N", "help=x"], ["-N", "nam", "-V"],
    ["-N", "", "-V"], ["-N", "fqdn", "-V"], ["-N", "ipv6-all", "-N", "ipv6", "-V"],
    ["-N", "name", "-N", "ipv6", "-V"], ["-N", "ipv4", "-N", "ipv6-global", "-V"],
    ["-N", "subject-ipv6=::1", "-N", "subject-ipv4=1.2.3.4", "-V"],
    ["-N", "subject-name=a", "-N", "subject-fqdn=b", "-V"],
    ["-N", "subject-ipv6={target}", "-V"], ["-N", "subject-ipv6={v4only}", "-V"],
    ["-N", "subject-ipv4=::1", "-V"], ["-N", "subject-ipv6", "-V"],
    ["-N", "name", "-N", "subject-ipv4=1.2.3.4", "-N", "ipv6", "-V"],
    ["-N", "x", "-c", "0", "y"], ["-N", "name", "-c", "0", "y"],
    ["-N", "name", "-c", "1", "{target4}"],          # an IPv4 target ignores the query
    ["-N", "name", "-c", "1", "-4", "{target}"],
    ["-N", "subject-ipv6=::1", "-c", "1", "{target6}"],   # no query type: an echo request
])
def test_nodeinfo_options(lab, client, args):
    """-N's argument is parsed as node_info.c does: help on stdout (0) or stderr (2),
    "Qtype conflict" / "Subject type conflict" on stdout, subject addresses resolved."""
    values = dict(lab.addr, **lab.names)
    same(client, [a.format(**values) for a in args])


def test_nodeinfo_query_fails_loudly(lab, client):
    proc = run_clone(client, "ping", ["-N", "name", "-c", "1", lab.addr["target6"]])
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == ("ping: -N: IPv6 node information queries are not implemented "
                           "in this ping\n")


def test_json_carries_ip_options(lab, client):
    """-R / -T: the reply record keeps what pr_options() printed (whitespace normalised)."""
    import json

    proc = run_clone(client, "ping", ["--json", "-c", "1", "-R", lab.addr["target4"]])
    reply = json.loads(proc.stdout.splitlines()[0])
    assert proc.returncode == 0 and reply["type"] == "reply"
    assert reply["ip_options"][0] == "RR: " + lab.addr["client4"]
    assert lab.addr["r1_4"] in reply["ip_options"]
    proc = run_clone(client, "ping", ["--json", "-c", "1", lab.addr["target4"]])
    assert "ip_options" not in json.loads(proc.stdout.splitlines()[0])
