"""ping without a network: number parsing, packet helpers, statistics and text formats."""

import io
import json
import math
import signal
import socket
import struct

import pytest

from pynetsuite.cli import run_tool
from pynetsuite.net import packets as P
from pynetsuite.plugins.ping import icmptext, numbers
from pynetsuite.plugins.ping.engine import Session
from pynetsuite.plugins.ping.stats import _llsqrt
from pynetsuite.plugins.ping.records import (IcmpError, LocalError, NoAnswer, Reply, Status,
                                             Summary, Target)
from pynetsuite.plugins.ping.render import PingTextRenderer, rtt_text


def run(argv):
    """Run pyping in this process (command-line paths only: they open no socket)."""
    out, err = io.StringIO(), io.StringIO()
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGPIPE)}
    try:
        code = run_tool("ping", argv, prog="ping", stdout=out, stderr=err)
    finally:
        for signo, handler in saved.items():
            signal.signal(signo, handler)
    return code, out.getvalue(), err.getvalue()


# --- command line (no socket is opened for these) --------------------------------------------
@pytest.mark.parametrize("argv,code,err", [
    (["-c", "0", "x"], 1,
     "ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807\n"),
    (["-c", "abc", "x"], 1, "ping: invalid argument: 'abc'\n"),
    (["-c", "99999999999999999999", "x"], 1,
     "ping: invalid argument: '99999999999999999999': Numerical result out of range\n"),
    (["-s", "-1", "x"], 1,
     "ping: invalid argument: '-1': out of range: 0 <= value <= 2147483647\n"),
    (["-m", "-1", "x"], 1,
     "ping: invalid argument: '-1': out of range: 0 <= value <= 4294967295\n"),
    (["-W", "-1", "x"], 2, "ping: bad linger time: -1\n"),
    (["-i", "nan", "x"], 2, "ping: bad timing interval: nan: Numerical result out of range\n"),
    (["-i", "1e400", "x"], 2, "ping: option argument contains garbage: \n"
     "ping: this will become fatal error in the future\n"
     "ping: bad timing interval: 1e400: Numerical result out of range\n"),
    (["-4", "-6", "x"], 2, "ping: only one -4 or -6 option may be specified\n"),
    (["-Q", "300", "x"], 2, "ping: the decimal value of TOS bits must be in range 0-255: 300\n"),
    (["-F", "0x100000", "x"], 2, "ping: flow value is greater than 20 bits: 0x100000\n"),
    (["-T", "foo", "x"], 2, "ping: invalid timestamp type: foo\n"),
    (["-R", "-T", "tsonly", "x"], 2, "ping: only one of -T or -R may be used\n"),
    (["-p", "1g", "x"], 2, "ping: patterns must be specified as hex digits: g\n"),
    ([], 1, "ping: usage error: Destination address required\n"),
])
def test_option_errors(argv, code, err):
    assert run(argv) == (code, "", err)


def test_usage_and_version():
    code, out, err = run(["-h"])
    assert code == 2 and out == "" and err.startswith("\nUsage\n  ping [options] <destination>")
    assert err.endswith("For more details see ping(8).\n")
    code, out, err = run(["--help"])
    assert code == 2 and err.startswith("ping: invalid option -- '-'\n\nUsage\n")
    assert run(["-V", "-c", "0"])[:2] == (0, "ping from iputils 20221126\nlibcap: yes, IDN: yes, "
                                          "NLS: no, error.h: yes, getrandom(): yes, "
                                          "__fpending(): yes\n")


def test_nodeinfo_option_parsing():
    """-N is parsed as node_info.c does (the query itself is refused in the IPv6 session:
    see test_ping_lab.test_nodeinfo_options)."""
    from pynetsuite.plugins.ping.nodeinfo import HELP

    assert run(["-N", "help", "-c", "0"]) == (0, HELP, "")
    assert run(["-N", "helpx", "-V"]) == (2, "", HELP)
    assert run(["-N", "", "-V"]) == (2, "", HELP)
    assert run(["-N", "fqdn", "-N", "name", "-V"])[0] == 0
    assert run(["-N", "ipv6", "-N", "ipv6-all", "-V"])[0] == 0
    assert run(["-N", "name", "-N", "ipv4", "-V"]) == (2, "Qtype conflict\n", HELP)
    assert run(["-N", "subject-name=a", "-N", "subject-ipv4=1.2.3.4", "-V"]) == (
        2, "Subject type conflict\n", HELP)
    assert run(["-N", "subject-ipv4=::1", "-V"]) == (
        2, "", "ping: ::1: Address family for hostname not supported\n" + HELP)
    assert run(["-N", "name", "-c", "0", "x"])[0] == 1        # later options still checked


# --- C number parsing ------------------------------------------------------------------------
@pytest.mark.parametrize("text,expected", [
    ("12", (12, 2, False)), (" 5", (5, 2, False)), ("+2", (2, 2, False)), ("5 ", (5, 1, False)),
    ("abc", (0, 0, False)), ("-3x", (-3, 2, False)), ("99999999999999999999", (2**63 - 1, 20, True)),
])
def test_strtol(text, expected):
    assert numbers.strtol(text) == expected


@pytest.mark.parametrize("text,value,end,erange", [
    ("0.2", 0.2, 3, False), ("1e3", 1000.0, 3, False), ("0x1p-3", 0.125, 6, False),
    ("abc", 0.0, 0, False), ("1.5x", 1.5, 3, False), ("1e400", math.inf, 5, True),
    ("1e-310", 1e-310, 6, True), (" .5", 0.5, 3, False), ("inf", math.inf, 3, False),
])
def test_strtod(text, value, end, erange):
    got = numbers.strtod(text)
    assert got[0] == value and got[1:] == (end, erange)


# --- packets ---------------------------------------------------------------------------------
def test_checksum_and_echo():
    packet = P.echo_request(0x1234, 1, bytes(range(56)))
    assert P.checksum(packet) == 0
    assert packet[0] == 8 and struct.unpack("!HH", packet[4:8]) == (0x1234, 1)
    assert P.echo_request(1, 2, b"", v6=True)[:4] == b"\x80\x00\x00\x00"
    # incremental sums give the same result as one pass
    part = P.checksum_add(packet[:8]) + P.checksum_add(packet[8:24]) + P.checksum_add(packet[24:])
    assert P.checksum_finish(part) == P.checksum(packet)


def test_quoted_echo_and_extended_error():
    inner = P.echo_request(7, 9, b"x" * 8)
    iphdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(inner), 0, 0, 1, 1, 0,
                        socket.inet_aton("198.18.1.1"), socket.inet_aton("198.18.4.1"))
    quoted = P.quoted_echo_v4(iphdr + inner)
    assert (quoted.dst, quoted.ident, quoted.seq, quoted.next_header) == \
        (socket.inet_aton("198.18.4.1"), 7, 9, P.ICMP_ECHO)
    sin = struct.pack("=HH4s8x", socket.AF_INET, 0, socket.inet_aton("198.18.1.254"))
    err = P.parse_extended_error(struct.pack("=IBBBBII", 113, 2, 11, 0, 0, 0, 0) + sin)
    assert (err.origin, err.type, err.code, err.offender) == (2, 11, 0, "198.18.1.254")


# --- texts -----------------------------------------------------------------------------------
@pytest.mark.parametrize("family,kind,code,info,text", [
    (4, 3, 1, 0, "Destination Host Unreachable"), (4, 3, 13, 0, "Packet filtered"),
    (4, 3, 4, 1400, "Frag needed and DF set (mtu = 1400)"), (4, 11, 0, 0, "Time to live exceeded"),
    (4, 3, 99, 0, "Dest Unreachable, Bad Code: 99"), (4, 12, 0, 20, "Parameter problem: pointer = 20"),
    (6, 1, 0, 0, "Destination unreachable: No route"), (6, 1, 3, 0, "Destination unreachable: Address unreachable"),
    (6, 2, 0, 1280, "Packet too big: mtu=1280"), (6, 3, 0, 0, "Time exceeded: Hop limit"),
    (6, 4, 0, 40, "Parameter problem: Wrong header field at 40"),
])
def test_icmp_texts(family, kind, code, info, text):
    got = icmptext.icmp4_text(kind, code, info) if family == 4 else icmptext.icmp6_text(kind, code, info)
    assert got == text


def test_json_type_names():
    assert icmptext.json_type("Destination Host Unreachable") == "destination_host_unreachable"
    assert icmptext.json_type("Frag needed and DF set (mtu = 1500)") == "frag_needed_and_df_set"
    assert icmptext.json_type("Time exceeded: Hop limit") == "time_exceeded_hop_limit"


# --- numbers printed -------------------------------------------------------------------------
@pytest.mark.parametrize("us,text", [
    (46, "0.046 ms"), (999, "0.999 ms"), (4823, "4.82 ms"), (4826, "4.83 ms"),
    (9994, "9.99 ms"), (9995, "10.0 ms"), (18649, "18.6 ms"), (99949, "99.9 ms"),
    (99950, "100 ms"), (123456, "123 ms"), (1004522, "1005 ms"),
])
def test_rtt_text(us, text):
    assert rtt_text(us) == text


class _Inv:
    def __init__(self, quiet=False, flood=False):
        self.stdout, self.stderr, self.prog = io.StringIO(), io.StringIO(), "ping"
        self.records = []
        self.impl = type("Impl", (), {})()
        from pynetsuite.plugins.ping.config import PingConfig
        self.impl.config = PingConfig(quiet=quiet, flood=flood)

    def emit(self, record):
        self.records.append(record)


def _session(inv, times):
    session = Session.__new__(Session)
    Session.__init__(session, inv, inv.impl.config, None, None,
                     type("AI", (), {"address": "198.18.4.1"})(), True, None)
    session.hostname = "198.18.4.1"
    session.timing = True
    session.target_info = Target("198.18.4.1", "198.18.4.1", 56, None)
    for t in times:
        session.nreceived += 1
        session.ntransmitted += 1
        session.tsum += t
        session.tsum2 += float(t * t)
        session.tmin = min(session.tmin, t)
        session.tmax = max(session.tmax, t)
        session.rtt = t * 8 if not session.rtt else session.rtt + t - session.rtt // 8
    session.start_time, session.cur_time = 0, 400_400_000
    return session


def test_summary_statistics_as_iputils():
    inv = _Inv()
    assert _session(inv, [200, 46, 44]).finish() == 0
    summary = inv.records[-1]
    renderer = PingTextRenderer(inv)
    renderer.record(summary)
    assert inv.stdout.getvalue() == (
        "\n--- 198.18.4.1 ping statistics ---\n"
        "3 packets transmitted, 3 received, 0% packet loss, time 400ms\n"
        "rtt min/avg/max/mdev = 0.044/0.096/0.200/0.073 ms\n")
    assert _llsqrt(5339) == 73 and _llsqrt(0) == 0


def test_loss_is_printed_with_float_g():
    inv = _Inv()
    session = _session(inv, [100])
    session.ntransmitted = 3
    session.finish()
    assert inv.records[-1].loss_text == "66.6667"
    session.ntransmitted = 6
    session.finish()
    assert inv.records[-1].loss_text == "83.3333"


def _reply(**kw):
    base = dict(target=Target("h", "198.18.4.1", 56, None), timestamp=None, response_bytes=64,
                response_ip="198.18.4.1", response_name=None, icmp_seq=3, ident=None, ttl=61,
                rtt_us=52)
    base.update(kw)
    return Reply(**base)


@pytest.mark.parametrize("kw,text", [
    ({}, "64 bytes from 198.18.4.1: icmp_seq=3 ttl=61 time=0.052 ms\n"),
    ({"duplicate": True}, "64 bytes from 198.18.4.1: icmp_seq=3 ttl=61 time=0.052 ms (DUP!)\n"),
    ({"corrupted": True, "different_address": True},
     "64 bytes from 198.18.4.1: icmp_seq=3 ttl=61 time=0.052 ms (BAD CHECKSUM!) "
     "(DIFFERENT ADDRESS!)\n"),
    ({"truncated": True}, "64 bytes from 198.18.4.1: icmp_seq=3 ttl=61 (truncated)\n"),
    ({"response_name": "target.lab.test", "ident": 77, "timestamp": (1795330527, 626778)},
     "[1795330527.626778] 64 bytes from target.lab.test (198.18.4.1): icmp_seq=3 ident=77 "
     "ttl=61 time=0.052 ms\n"),
    ({"audible": True}, "64 bytes from 198.18.4.1: icmp_seq=3 ttl=61 time=0.052 ms\a\n"),
    ({"rtt_us": None, "ttl": None}, "64 bytes from 198.18.4.1: icmp_seq=3\n"),
])
def test_reply_lines(kw, text):
    inv = _Inv()
    PingTextRenderer(inv).record(_reply(**kw))
    assert inv.stdout.getvalue() == text


def test_wrong_data_dump():
    inv = _Inv()
    data = bytes(range(24)) + b"\xff" + bytes(range(25, 40))
    PingTextRenderer(inv).record(_reply(response_bytes=48, data_error=(24, 24, 255, data)))
    assert inv.stdout.getvalue() == (
        "48 bytes from 198.18.4.1: icmp_seq=3 ttl=61 time=0.052 ms\n"
        "wrong data byte #24 should be 0x18 but was 0xff\n"
        "#16\t10 11 12 13 14 15 16 17 ff 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 \n")


def test_other_lines_and_flood():
    inv = _Inv()
    r = PingTextRenderer(inv)
    t = Target("h", "198.18.4.1", 56, None)
    r.record(IcmpError(t, None, 4, "198.18.1.254", "router1.lab.test", 2, 11, 0, 0,
                       "Time to live exceeded"))
    r.record(NoAnswer(t, (1, 2), 4))
    r.record(LocalError(t, "local error: message too long, mtu=1500"))
    r.record(Status(t, 4, 3, 25, 44, 71, 69 * 8, 88))
    assert inv.stdout.getvalue() == ("From router1.lab.test (198.18.1.254) icmp_seq=2 Time to live "
                                     "exceeded\n[1.000002] no answer yet for icmp_seq=4\n")
    assert inv.stderr.getvalue() == ("ping: local error: message too long, mtu=1500\n"
                                     "\r3/4 packets, 25% loss, min/avg/ewma/max = "
                                     "0.044/0.071/0.069/0.088 ms\n")
    flood = _Inv(flood=True)
    r = PingTextRenderer(flood)
    r.section("transmit", icmp_seq=1)
    r.record(_reply())
    r.section("transmit", icmp_seq=2)
    r.record(_reply(corrupted=True))
    r.record(IcmpError(t, None, 4, "x", None, 2, 11, 0, 0, "Time to live exceeded"))
    r.record(LocalError(t, "sendmsg: No route to host"))
    r.record(Summary(t, "h", 20, 20, 0, 0, 0, 1, "0", 0.0, 12, 27, 277, 57, None, 45, 35 * 8,
                     flood=True))
    assert flood.stdout.getvalue() == (
        ".\b \b.\bC\bEE\n--- h ping statistics ---\n"
        "20 packets transmitted, 20 received, 0% packet loss, time 1ms\n"
        "rtt min/avg/max/mdev = 0.012/0.027/0.277/0.057 ms, ipg/ewma 0.045/0.035 ms\n")


def test_summary_pipe_sits_between_rtt_and_ipg():
    """The lab masks ", pipe N" (timing decides whether it appears), so its place is pinned here."""
    t = Target("h", "1.2.3.4", 56, "ab")
    for pipe, flood, tail in ((2, True, ", pipe 2, ipg/ewma 0.045/0.035 ms\n"),
                              (3, False, ", pipe 3\n")):
        inv = _Inv(flood=flood)
        r = PingTextRenderer(inv)
        r.record(Summary(t, "h", 2, 2, 0, 0, 0, 1, "0", 0.0, 12, 27, 277, 57, pipe,
                         45 if flood else None, 35 * 8 if flood else None, flood=flood))
        assert inv.stdout.getvalue().endswith(
            "rtt min/avg/max/mdev = 0.012/0.027/0.277/0.057 ms" + tail)


def test_json_records_follow_jc():
    data = _reply(duplicate=True).to_json()
    assert data["type"] == "reply" and data["time_ms"] == 0.052 and data["duplicate"] is True
    assert {"destination_ip", "sent_bytes", "pattern", "response_bytes", "response_ip",
            "icmp_seq", "ttl", "timestamp"} <= set(data)
    summary = Summary(Target("h", "1.2.3.4", 56, "ab"), "h", 3, 1, 0, 0, 2, 400, "66.6667",
                      66.6667, 44, 96, 200, 73).to_json()
    assert summary["round_trip_ms_stddev"] == 0.073 and summary["errors"] == 2
    json.dumps(summary)


# --- stdio: C buffering and flush points ------------------------------------------------------
class _Raw(io.StringIO):
    """A text stream that logs what reaches it, write by write."""

    def __init__(self, tty=False):
        super().__init__()
        self.writes, self.tty = [], tty

    def write(self, text):
        self.writes.append(text)
        return super().write(text)

    def isatty(self):
        return self.tty


def test_stdio_stdout_buffers_like_c():
    from pynetsuite.plugins.ping.stdio import ErrorStream, StdioStdout, plain_stderr

    raw = _Raw()
    out = StdioStdout(raw)
    out.write("PING x\n")
    assert raw.writes == []                      # block-buffered into a pipe
    err_raw = io.StringIO()
    err = ErrorStream(out, err_raw)
    err.write("ping: warning\n")                 # error() flushes stdout first
    assert raw.writes == ["PING x\n"] and err_raw.getvalue() == "ping: warning\n"
    plain_stderr(err).write("status\n")         # fprintf(stderr): no stdout flush
    assert err_raw.getvalue() == "ping: warning\nstatus\n" and plain_stderr(err_raw) is err_raw
    tty = _Raw(tty=True)
    out = StdioStdout(tty)
    out.write("no newline")
    out.write(" yet\n")
    assert tty.writes == ["no newline yet\n"]    # line-buffered on a terminal
    flood = _Raw()
    out = StdioStdout(flood)
    out.unbuffered = True
    out.write(".")
    assert flood.writes == ["."]


def test_renderer_flushes_where_ping_does():
    """The header waits for the first reply (also with -q) or error line; finish() flushes its
    leading newline on its own; a redirect line and the SIGQUIT status flush nothing."""
    from pynetsuite.plugins.ping.stdio import ErrorStream, StdioStdout

    for quiet in (False, True):
        inv = _Inv(quiet=quiet)
        raw = _Raw()
        inv.stdout = StdioStdout(raw)
        inv.stderr = ErrorStream(inv.stdout, io.StringIO())
        r = PingTextRenderer(inv)
        r.section("pattern", text="ab")
        r.section("header", family=4, hostname="h", address="198.18.4.1", datalen=56, total=84)
        assert raw.writes == []
        t = Target("h", "198.18.4.1", 56, None)
        r.record(Status(t, 1, 0, 100, None, None, None, None))
        assert raw.writes == []
        r.record(_reply())
        header = "PATTERN: 0xab\nPING h (198.18.4.1) 56(84) bytes of data.\n"
        assert raw.writes == [header if quiet else
                              header + "64 bytes from 198.18.4.1: icmp_seq=3 ttl=61 time=0.052 ms\n"]
        r.record(IcmpError(t, None, 4, "198.18.1.254", None, 2, 5, 1, 0, "Redirect Host",
                           from_socket=True))
        r.record(Summary(t, "h", 1, 1, 0, 0, 0, 0, "0", 0.0))
        inv.stdout.flush()
        assert raw.writes[-2:] == [("\n" if quiet else
                                    "From 198.18.1.254: icmp_seq=2 Redirect Host\n\n"),
                                   "--- h ping statistics ---\n"
                                   "1 packets transmitted, 1 received, 0% packet loss, time 0ms\n\n"]


def test_names_are_looked_up_every_time_until_the_alarm(monkeypatch):
    """iputils 20221126 caches no reverse lookup (a PTR query per reply), and once its final
    alarm has fired (SIGALRM sets ``exiting`` whenever it comes) a reply gets the bare
    address: `ping -A -c 2 NAME` prints its last reply numerically."""
    from pynetsuite.net import resolve, timing

    calls = []
    monkeypatch.setattr(resolve, "reverse_name",
                        lambda address, family=None, scope_id=0: calls.append(address) or "n.test")
    inv = _Inv()
    session = _session(inv, [])
    session.family = socket.AF_INET
    assert session.name_of("198.18.4.1") == ("198.18.4.1", "n.test")
    assert session.name_of("198.18.4.1") == ("198.18.4.1", "n.test")
    assert calls == ["198.18.4.1", "198.18.4.1"]
    session.signals = object()                       # the main loop runs
    session.alarm_at = timing.monotonic_raw_ns() - 1  # ... and the final wait is over
    assert session.name_of("198.18.4.1") == ("198.18.4.1", None)
    assert session.exiting and len(calls) == 2
    assert session.name_of("198.18.4.1", force_numeric=True) == ("198.18.4.1", None)
