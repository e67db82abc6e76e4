"""``netstat -g``: multicast group memberships from /proc/net/igmp and /proc/net/igmp6.

In net-tools the group table is part of the socket listing loop (printed after the raw sockets
and before the UNIX sockets), so ``-g -t`` prints both tables; the command's dispatcher calls
:func:`run` at that point. IPv4 groups are read unless only ``-6``/``inet6`` was asked for,
IPv6 groups unless only ``-4``/``inet``.

net-tools parses both files with one function keeping static state (whether it is reading the
IPv6 file, the device name, the last IPv6 address). With ``-c`` that state leaks into the next
round: the IPv4 file is then read with the IPv6 parser, which yields "bogus igmp6 line"
warnings and garbage rows. That is reproduced, per invocation, because it is what the original
prints.
"""

import sys

try:
    import _socket as socket  # the C module: socket.py's enums cost milliseconds
except ImportError:  # pragma: no cover - other interpreters
    import socket

from pynetsuite.command import Renderer
from pynetsuite.net import Record, hostnames

from .routes import inet6_rresolve, inet_rresolve

#: netstat -c repeats this table.
CONTINUOUS = True

IGMP_PATH = "/proc/net/igmp"
IGMP6_PATH = "/proc/net/igmp6"

HEADER = ("IPv6/IPv4 Group Memberships\n"
          "Interface       RefCnt Group\n"
          "--------------- ------ ---------------------\n")


class GroupRecord(Record):
    """One membership: interface, reference count (users) and group (displayed form: a name
    unless numeric). ``iface_text`` is net-tools' raw device buffer, as the text prints it."""

    FIELDS = (("kind", "group"), ("network_protocol", "ipv4"), ("iface", None), ("refcnt", 0),
              ("group", None), ("iface_text", None))
    __slots__ = tuple(name for name, _ in FIELDS)

    def to_json(self):
        data = super().to_json()
        del data["iface_text"]
        data["group"] = hostnames.json_text(data["group"])
        data["iface"] = hostnames.json_text(data["iface"])
        return data


class _IgmpState:
    """igmp_do_one()'s static variables."""

    def __init__(self):
        self.igmp6 = False
        self.idx_flag = False
        self.device = ""
        self.words = [0, 0, 0, 0]  # the in6_addr left on the stack by the previous line


def _scan_int(text, pos):
    """sscanf %d at ``pos`` (leading whitespace skipped): (value, new pos) or (None, pos)."""
    n = len(text)
    while pos < n and text[pos].isspace():
        pos += 1
    start = pos
    if pos < n and text[pos] in "+-":
        pos += 1
    digits = pos
    while pos < n and text[pos].isdigit():
        pos += 1
    if pos == digits:
        return None, start
    return int(text[start:pos]), pos


def _scan_word(text, pos, width, charset=None):
    """sscanf %Ns (charset None) or %N[set] after skipping whitespace (the format's space)."""
    n = len(text)
    while pos < n and text[pos].isspace():
        pos += 1
    start = pos
    while pos < n and pos - start < width:
        ch = text[pos]
        if (ch.isspace() if charset is None else ch not in charset):
            break
        pos += 1
    if pos == start:
        return None, pos
    return text[start:pos], pos


_HEX = set("0123456789abcdefABCDEF")


def _hex_words(text):
    """sscanf("%08X%08X%08X%08X"): how many 8-digit words parse, and their values."""
    words = []
    for i in range(0, 32, 8):
        chunk = text[i:i + 8]
        if not chunk or any(c not in _HEX for c in chunk[:1]):
            break
        valid = ""
        for c in chunk:
            if c not in _HEX:
                break
            valid += c
        words.append(int(valid, 16))
        if len(valid) < 8:
            break
    return words


def _swap32(value):
    return int.from_bytes(value.to_bytes(4, "little"), "big")


def _read_lines(path):
    with open(path, "r", encoding="ascii", errors="surrogateescape") as handle:
        return handle.read().splitlines()


def run(inv, opts):
    """Print the group memberships table; returns the exit code."""
    want4, want6, noprot = _selection(opts)
    numeric = bool(opts.numeric_hosts)
    # the parser state lives as long as the options (one per command line, all -c rounds)
    state = getattr(opts, "_igmp_state", None)
    if state is None:
        state = opts._igmp_state = _IgmpState()
    inv.section("groups")
    rc = 0
    if want4:
        try:
            lines = _read_lines(IGMP_PATH)
        except FileNotFoundError:
            if not noprot:  # net-tools stays silent when -4/-6 alone implied every protocol
                inv.stderr.write("netstat: no support for `AF INET (igmp)' on this system.\n")
                rc = 1
            lines = None
        except OSError as error:
            inv.stderr.write(f"{IGMP_PATH}: {error.strerror}\n")
            return -1 & 0xFF
        if lines is not None:
            _parse(inv, state, lines, numeric)
    if want6:
        try:
            lines = _read_lines(IGMP6_PATH)
        except OSError:
            lines = None
        if lines is not None:
            _parse(inv, state, lines, numeric)
    return rc


def _selection(opts):
    """(IPv4 groups?, IPv6 groups?, noprot) as net-tools' flag_inet/flag_inet6/flag_noprot
    decide them: with -g and no family both are read."""
    if hasattr(opts, "flag_inet"):
        v4, v6 = bool(opts.flag_inet), bool(opts.flag_inet6)
        if not (v4 or v6):
            v4 = v6 = True
        return v4, v6, bool(getattr(opts, "noprot", False))
    families = set(getattr(opts, "families", ()) or ())
    explicit = families & {"inet", "inet6"}
    protocols = set(getattr(opts, "protocols", ()) or ()) - {"unix"}
    return (not explicit or "inet" in explicit, not explicit or "inet6" in explicit,
            bool(explicit) and not protocols)


def _parse(inv, state, lines, numeric):
    for lnr, line in enumerate(lines):
        line += "\n"
        if lnr == 0:
            if "Device" not in line:
                state.igmp6 = True
            else:
                state.idx_flag = line.startswith("Idx")
                continue
        if state.igmp6:
            _igmp6_line(inv, state, line, lnr, numeric)
        else:
            _igmp_line(inv, state, line, lnr, numeric)


def _igmp6_line(inv, state, line, lnr, numeric):
    # sscanf(line, "%d %15s %64[0-9A-Fa-f] %d", &idx, device, mcast_addr, &refcnt)
    count = 0
    _, pos = _scan_int(line, 0)
    if _ is not None:
        count = 1
        device, pos = _scan_word(line, pos, 15)
        if device is not None:
            state.device = device
            count = 2
            addr, pos = _scan_word(line, pos, 64, _HEX)
            if addr is not None:
                count = 3
                refcnt, pos = _scan_int(line, pos)
                if refcnt is not None:
                    count = 4
    if count != 4:
        inv.stderr.write(f"warning, got bogus igmp6 line {lnr}.\n")
        return
    words = _hex_words(addr)
    for i, value in enumerate(words):
        state.words[i] = value
    state.words = [_swap32(w) for w in state.words]  # htonl() of every word, parsed or not
    raw = b"".join(w.to_bytes(4, "little") for w in state.words)
    group = inet6_rresolve(socket.inet_ntop(socket.AF_INET6, raw), numeric)
    inv.emit(GroupRecord(network_protocol="ipv6", iface=state.device, refcnt=refcnt,
                         group=group, iface_text=state.device))


def _igmp_line(inv, state, line, lnr, numeric):
    if not line.startswith("\t"):
        # sscanf(line, "%d\t%15c", &idx, device) (or "%15c" without the Idx column)
        pos = 0
        if state.idx_flag:
            idx, pos = _scan_int(line, 0)
            while idx is not None and pos < len(line) and line[pos].isspace():
                pos += 1
            if idx is None or len(line) - pos < 15:
                inv.stderr.write(f"warning, got bogus igmp line {lnr}.\n")
                return
        elif len(line) < 15:
            inv.stderr.write(f"warning, got bogus igmp line {lnr}.\n")
            return
        device = line[pos:pos + 15]
        colon = device.rfind(":")
        state.device = device[:colon] if colon >= 0 else device
        return
    # sscanf(line, "\t%8[0-9A-Fa-f] %d", mcast_addr, &refcnt)
    addr, pos = _scan_word(line, 0, 8, _HEX)
    refcnt = None
    if addr is not None:
        refcnt, pos = _scan_int(line, pos)
    if refcnt is None:
        inv.stderr.write(f"warning, got bogus igmp line {lnr}.\n")
        return
    value = int(addr, 16)
    raw = value.to_bytes(4, sys.byteorder)  # the word was printed in host order
    address = socket.inet_ntop(socket.AF_INET, raw)
    group = inet_rresolve(address, numeric)
    inv.emit(GroupRecord(iface=state.device.rstrip(), refcnt=refcnt, group=group,
                         iface_text=state.device))


class TextRenderer(Renderer):
    """The group table as net-tools prints it."""

    def section(self, name, **info):
        if name == "groups":
            self.out.write(HEADER)

    def record(self, r):
        if isinstance(r, GroupRecord):
            self.out.write(f"{r.iface_text:<15} {r.refcnt:<6} {r.group}\n")
