"""The socket table: TCP, UDP, UDP-Lite, RAW and UNIX sockets of the current network namespace.

One source of truth for netstat, ss and lsof:

- :func:`inet_table` (proto, family) -> :class:`InetTable`: rows as plain tuples in the
  RAW_FIELDS layout, straight from the decoder (50,000 rows cost one ``iter_unpack`` per
  32 KiB, no per-row object), for tools that format tens of thousands of rows;
- :func:`inet_sockets` -> :class:`InetSocket` records (named fields, numeric text addresses,
  int ports) for everything else; :func:`unix_sockets` -> :class:`UnixSocket` records;
- owners (inode -> process) are a separate, explicit walk: :mod:`pynetsuite.net.owners`.

Sources, each chosen where it is exact and fast. Rows are in the kernel's own order, which is
the order of ``/proc/net/<proto>`` (netstat prints in that order):

- TCP comes from NETLINK_SOCK_DIAG (:mod:`pynetsuite.net.netlink`): the kernel walks the
  listening hash, then the established hash, exactly as for /proc/net/tcp (verified row for
  row on 50,000 sockets) but answers in binary, without printing text or walking all 256k
  hash buckets for it (3.6 ms instead of 14 ms with no sockets at all; about half the kernel
  time at 50,000). Falls back to /proc/net/tcp{,6} where netlink is unavailable;
  ``source="proc"`` asks for /proc (exact timer fields, see below).
- UDP, UDP-Lite and RAW come from /proc/net/{udp,udplite,raw}{,6}: cheap to walk, /proc is
  what defines their Recv-Q (udp_diag reports sk_rmem_alloc without subtracting the
  not-yet-reclaimed forward deficit /proc/net/udp subtracts), and this kernel has no raw_diag.
- UNIX comes from /proc/net/unix: RefCnt and the flags are only there (unix_diag has neither).

Where the sources differ, the table says which one was used (``source``):
- ``tx_queue`` of a TCP LISTEN socket is the accept backlog limit with netlink (what ``ss``
  prints) and ``write_seq - snd_una`` (0) with /proc (what netstat prints);
- timers: /proc gives the retransmit count and the probe count of every socket; netlink one
  "retrans" whose meaning depends on the timer (retransmits for the retransmit timer, probes
  for keepalive/zero-window) and 0 when no timer runs; ``expires`` is in milliseconds from
  both (/proc's clock ticks times 10).
"""

import re
import _socket as socket  # the C module: `socket` builds its enums at import, ~4 ms
import struct
from operator import itemgetter

from . import TupleRecord, netlink

AF_INET = socket.AF_INET
AF_INET6 = socket.AF_INET6

#: Kernel TCP states (include/net/tcp_states.h), index = state number.
TCP_STATE_NAMES = ("", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
                   "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
                   "NEW_SYN_RECV", "BOUND_INACTIVE")
TCP_ESTABLISHED, TCP_CLOSE, TCP_LISTEN = 1, 7, 10

#: /proc/net file stem per protocol name (``udplite`` for UDP-Lite).
PROC_STEMS = {"tcp": "tcp", "udp": "udp", "udplite": "udplite", "raw": "raw"}
IPPROTO = {"tcp": socket.IPPROTO_TCP, "udp": socket.IPPROTO_UDP, "udplite": 136,
           "raw": socket.IPPROTO_RAW}

# UNIX socket constants (include/linux/net.h, include/uapi/linux/net.h)
SS_FREE, SS_UNCONNECTED, SS_CONNECTING, SS_CONNECTED, SS_DISCONNECTING = range(5)
SO_ACCEPTCON, SO_WAITDATA, SO_NOSPACE = 1 << 16, 1 << 17, 1 << 18




def _fields(cls):
    for i, name in enumerate(cls._fields):
        setattr(cls, name, property(itemgetter(i), doc=f"field {i}"))
    return cls


@_fields
class InetSocket(TupleRecord):
    """One TCP/UDP/UDP-Lite/RAW socket.

    family: AF_INET or AF_INET6; proto: "tcp", "udp", "udplite" or "raw"; state: the kernel
    state number (TCP_STATE_NAMES; UDP uses 1 connected and 7 unconnected, RAW its own);
    local_addr/remote_addr: numeric text as inet_ntop writes it (IPv4-mapped IPv6 addresses
    stay ``::ffff:a.b.c.d``); local_port/remote_port: ints (RAW: the protocol number);
    rx_queue/tx_queue: bytes; uid; inode (0 for TIME_WAIT and SYN_RECV entries);
    timer: 0 none, 1 retransmit, 2 keepalive (UDP: 1/2 as /proc says), 3 TIME_WAIT,
    4 zero-window probe; expires: ms; retransmits; probes (None when the source lacks it);
    source: "netlink" or "proc".
    """

    __slots__ = ()
    _fields = ("family", "proto", "state", "local_addr", "local_port", "remote_addr",
               "remote_port", "rx_queue", "tx_queue", "uid", "inode", "timer", "expires",
               "retransmits", "probes", "source")


@_fields
class UnixSocket(TupleRecord):
    """One AF_UNIX socket, as /proc/net/unix lists it.

    refcnt; protocol (0); flags (SO_ACCEPTCON for listeners); type (SOCK_STREAM, SOCK_DGRAM,
    SOCK_SEQPACKET...); state (SS_UNCONNECTED ... SS_DISCONNECTING); inode; path: the bound
    name as the kernel prints it (abstract names start with ``@``, NULs inside shown as
    ``@``), the rest of the line, or None when unbound. Non-ASCII bytes are kept as surrogate
    escapes (``str.encode("ascii", "surrogateescape")`` gives the bytes back).
    """

    __slots__ = ()
    _fields = ("refcnt", "protocol", "flags", "type", "state", "inode", "path")


_tnew = tuple.__new__
_LITTLE = struct.pack("=I", 1)[0] == 1
_BYTEORDER = "little" if _LITTLE else "big"

#: The raw row layout of :class:`InetTable` (tuples straight from the decoder, so that a tool
#: formatting 50,000 rows touches each row once):
#: state, timer, retrans, lport_key, rport_key, laddr_key, raddr_key, expires_ms, rx_queue,
#: tx_queue, uid, inode[, probes] -- probes only in rows read from /proc.
#: Keys: a port key is the port in network byte order read as a native 16-bit integer
#: (:func:`port_of`); an IPv4 address key the address read as a native 32-bit integer, an
#: IPv6 one the 16 address bytes (:meth:`InetTable.addr_text`). A key is 0 (IPv6: 16 zero
#: bytes) exactly when the port or address is.
RAW_FIELDS = ("state", "timer", "retrans", "lport_key", "rport_key", "laddr_key", "raddr_key",
              "expires", "rx_queue", "tx_queue", "uid", "inode", "probes")
ZERO6 = bytes(16)


def _swap16(value):
    return ((value & 0xFF) << 8) | (value >> 8)


if _LITTLE:
    port_of = port_key = _swap16
else:  # pragma: no cover - big-endian hosts
    def port_of(key):
        return key

    port_key = port_of
port_of.__doc__ = "The port number of a port key (see RAW_FIELDS)."


class _Ntoa(dict):
    """IPv4 address key -> numeric text, computed once per distinct address."""

    def __missing__(self, key):
        text = self[key] = socket.inet_ntoa(struct.pack("=I", key))
        return text


class _Ntop6(dict):
    """IPv6 address key (16 bytes) -> numeric text."""

    def __missing__(self, key):
        text = self[key] = socket.inet_ntop(AF_INET6, key)
        return text


ntoa4 = _Ntoa()
ntop6 = _Ntop6()


#: Where each RAW_FIELDS field of a sock_diag message lives: (memoryview format, byte offset
#: from the start of the netlink message). Addresses of IPv6 sockets are 16-byte slices.
_FIELD_AT = {"state": ("B", 17), "timer": ("B", 18), "retrans": ("B", 19),
             "lport_key": ("H", 20), "rport_key": ("H", 22), "laddr_key": ("I", 24),
             "raddr_key": ("I", 40), "expires": ("I", 68), "rx_queue": ("I", 72),
             "tx_queue": ("I", 76), "uid": ("I", 80), "inode": ("I", 84)}
_SIZES = {"B": 1, "H": 2, "I": 4}


class InetTable:
    """The sockets of one (proto, family) in kernel order.

    ``rows``: tuples in the RAW_FIELDS layout (built on first use from a netlink dump);
    :meth:`columns` the same data as one list per field, extracted from the dump with strided
    memoryviews (no tuple per row: the cheapest form for formatting tens of thousands of rows);
    :meth:`records` convenient :class:`InetSocket` records. ``source`` is "netlink" or "proc"
    (see the module docstring for what differs).
    """

    __slots__ = ("proto", "family", "source", "_rows", "_chunks")

    def __init__(self, proto, family, source, rows=None, chunks=None):
        self.proto, self.family, self.source = proto, family, source
        self._rows, self._chunks = rows, chunks

    @property
    def rows(self):
        if self._rows is None:
            rows = []
            for chunk, length in self._chunks:
                rows.extend(_decode(self.family, chunk, length))
            self._rows = rows
        return self._rows

    def columns(self, names):
        """One list per RAW_FIELDS name in ``names`` (same order and length as ``rows``)."""
        cols = [[] for _ in names]
        for part in self.column_chunks(names):
            for col, values in zip(cols, part):
                col.extend(values)
        return cols

    def column_chunks(self, names):
        """Like :meth:`columns`, a piece at a time (one per netlink answer, a few hundred
        rows), so a tool can format and write as it goes and keep little memory."""
        if self._chunks is None:
            index = [RAW_FIELDS.index(n) for n in names]
            rows = self._rows
            if rows:
                yield [[r[i] for r in rows] for i in index]
            return
        v6 = self.family == AF_INET6
        for chunk, length in self._chunks:
            if not length:  # messages of mixed lengths: through tuples
                rows = _decode(self.family, chunk, 0)
                yield [[r[RAW_FIELDS.index(name)] for r in rows] for name in names]
                continue
            view = memoryview(chunk)
            part = []
            for name in names:
                fmt, off = _FIELD_AT[name]
                if v6 and name in ("laddr_key", "raddr_key"):
                    part.append([chunk[o:o + 16] for o in range(off, len(chunk), length)])
                else:
                    size = _SIZES[fmt]
                    part.append(view.cast(fmt)[off // size::length // size].tolist())
            yield part

    def addr_text(self, key):
        """Numeric text of an address key (IPv4-mapped IPv6 stays ``::ffff:a.b.c.d``)."""
        return ntoa4[key] if self.family == AF_INET else ntop6[key]

    def records(self):
        fam, proto, src = int(self.family), self.proto, self.source
        text = ntoa4 if fam == AF_INET else ntop6
        return [_tnew(InetSocket, (fam, proto, r[0], text[r[5]], port_of(r[3]), text[r[6]],
                                   port_of(r[4]), r[8], r[9], r[10], r[11], r[1], r[7], r[2],
                                   r[12] if len(r) > 12 else None, src))
                for r in self.rows]

    def __len__(self):
        if self._rows is None:
            return sum(len(c) // n if n else len(_decode(self.family, c, 0))
                       for c, n in self._chunks)
        return len(self._rows)


# -- TCP through sock_diag -------------------------------------------------------------------
_msg_structs = {}


def _msg_struct(family, length):
    """A Struct covering a whole netlink message of ``length`` bytes (header and inet_diag_msg
    fields in the RAW_FIELDS order, the attributes after them skipped as padding)."""
    key = (family, length)
    st = _msg_structs.get(key)
    if st is None:
        body = "BBBHHI12xI12x12xIIIII" if family == AF_INET else "BBBHH16s16s12xIIIII"
        st = _msg_structs[key] = struct.Struct(f"=17x{body}{length - 88}x")
    return st


def _decode(family, chunk, length):
    """The RAW_FIELDS tuples of one chunk of sock_diag messages (``length``: their common
    length, or 0 when they differ: TIME_WAIT and SYN_RECV messages are shorter)."""
    if length:
        return _msg_struct(family, length).iter_unpack(chunk)
    rows = []
    off, size = 0, len(chunk)
    while off < size:
        n = int.from_bytes(chunk[off:off + 4], _BYTEORDER)
        rows.append(_msg_struct(family, n).unpack_from(chunk, off))
        off += (n + 3) & ~3
    return rows


def _inet_netlink(proto, family, states, bytecode):
    request = netlink.inet_request(family, IPPROTO[proto], states, bytecode=bytecode)
    chunks = list(netlink.dump_chunks(request))
    return InetTable(proto, family, "netlink", chunks=chunks)


# -- /proc/net/{tcp,udp,udplite,raw}{,6} ---------------------------------------------------------
class _Hex(dict):
    def __missing__(self, text):
        value = self[text] = int(text, 16)
        return value


class _HexPort(dict):
    def __missing__(self, text):
        value = self[text] = port_key(int(text, 16))
        return value


class _HexAddr(dict):
    """/proc hex address -> address key. The kernel prints each 32-bit word with %08X in host
    byte order: an IPv4 key is that number; an IPv6 key the bytes of the four words."""

    def __missing__(self, text):
        if len(text) == 8:
            key = int(text, 16)
        else:
            words = [int(text[i:i + 8], 16) for i in (0, 8, 16, 24)]
            key = struct.pack("=4I", *words)
        self[text] = key
        return key


_hex, _hexport, _hexaddr = _Hex(), _HexPort(), _HexAddr()


def proc_path(proto, family):
    return "/proc/net/" + PROC_STEMS[proto] + ("6" if family == AF_INET6 else "")


def _inet_proc(proto, family):
    with open(proc_path(proto, family), "rb") as f:
        data = f.read()
    lines = data.decode("ascii", "surrogateescape").splitlines()
    rows = []
    append = rows.append
    addr, hx, hport = _hexaddr, _hex, _hexport
    for line in lines[1:]:
        p = line.split()
        if len(p) < 10:
            continue
        la, _, lp = p[1].partition(":")
        ra, _, rp = p[2].partition(":")
        tx, _, rx = p[4].partition(":")
        tr, _, when = p[5].partition(":")
        try:
            append((hx[p[3]], hx[tr], hx[p[6]], hport[lp], hport[rp], addr[la], addr[ra],
                    hx[when] * 10, hx[rx], hx[tx], int(p[7]), int(p[9]), int(p[8])))
        except ValueError:
            continue
    return InetTable(proto, family, "proc", rows=rows)


def inet_table(proto, family, source="auto", states=netlink.ALL_STATES, bytecode=b""):
    """The ``proto`` ("tcp", "udp", "udplite", "raw") sockets of ``family`` (AF_INET or
    AF_INET6) as an :class:`InetTable`, in the kernel's order.

    source: "auto" (netlink for TCP, falling back to /proc; /proc for the others), "netlink"
    (TCP only; raises netlink.NetlinkUnavailable) or "proc". states: a TCP state bit mask the
    kernel filters with, bytecode: a sock_diag filter program (netlink.bytecode_dport_le)
    -- netlink only both: a /proc table has every socket; callers filter it themselves.
    Raises OSError (FileNotFoundError when the kernel lacks the protocol or family) for a
    /proc file that cannot be read.
    """
    if proto == "tcp" and source != "proc":
        try:
            return _inet_netlink(proto, family, states, bytecode)
        except netlink.NetlinkUnavailable:
            if source == "netlink":
                raise
    return _inet_proc(proto, family)


def inet_sockets(proto, family, source="auto"):
    """Like :func:`inet_table` but as a list of :class:`InetSocket` records."""
    return inet_table(proto, family, source).records()


#: A /proc/net/unix row as the kernel prints it ("%pK: %08X %08X %08X %04X %02X %5lu" and
#: " path" when bound): the fast path. Anything else (the continuation of a path holding a
#: newline, say) goes through _scan_unix.
_UNIX_ROW = re.compile(r"[0-9A-Fa-f]{1,16}: ([0-9A-Fa-f]{1,8}) ([0-9A-Fa-f]{1,8}) ([0-9A-Fa-f]{1,8}) "
                       r"([0-9A-Fa-f]{1,8}) ([0-9A-Fa-f]{1,8}) +([0-9]{1,19})(?:[ \t\v\f\r]+(.*))?$",
                       re.S)
_HEXNUM = re.compile(r"[ \t\n\v\f\r]*([+-]?)(?:0[xX](?=[0-9a-fA-F]))?([0-9a-fA-F]+)")
_DECNUM = re.compile(r"[ \t\n\v\f\r]*([+-]?)([0-9]+)")
_NONBLANK = re.compile(r"[ \t\n\v\f\r]*(?=[^ \t\n\v\f\r])")
_ULONG = 1 << 64


def _strtoul(match, base):
    """The unsigned long glibc's scanf stores for a matched number (overflow: ULONG_MAX;
    a minus sign negates modulo 2**64)."""
    value = min(int(match.group(2), base), _ULONG - 1)
    return (-value) % _ULONG if match.group(1) == "-" else value


def _scan_unix(line, inode):
    """sscanf(line, "%p: %lX %lX %lX %X %X %lu %s") the way net-tools reads a line of
    /proc/net/unix: the number of conversions (fewer than 6: netstat warns "bogus unix line")
    and the UnixSocket fields. ``inode`` is the last one parsed: with 6 conversions netstat
    prints its stale variable, which holds that value."""
    match = _HEXNUM.match(line)
    if match is None or line[match.end():match.end() + 1] != ":":
        return 1 if match else 0, None
    pos = match.end() + 1
    values = []
    for base in (16, 16, 16, 16, 16, 10):
        match = (_HEXNUM if base == 16 else _DECNUM).match(line, pos)
        if match is None:
            break
        values.append(_strtoul(match, base))
        pos = match.end()
    count = 1 + len(values)
    if count < 6:
        return count, None
    refcnt, proto, flags, typ, state = values[:5]
    if len(values) == 6:
        inode = values[5]
    path = None
    if count == 7:
        match = _NONBLANK.match(line, pos)
        if match is not None:
            path = line[match.end():]
    # refcnt is printed with %ld; type and state are scanned into ints
    refcnt = refcnt - _ULONG if refcnt >> 63 else refcnt
    typ, state = typ & 0xFFFFFFFF, state & 0xFFFFFFFF
    return count, (refcnt, proto, flags, typ, state, inode, path)


def unix_sockets(bogus=None):
    """All AF_UNIX sockets of the namespace (UnixSocket rows, /proc/net/unix order).
    Raises OSError if /proc/net/unix cannot be read.

    Lines are parsed as net-tools' sscanf parses them, since a path holding a newline splits
    its row and the rest of the path is read as a row of its own (possibly a well-formed
    one: netstat lists it, and so do we). ``bogus``: a list that gets every line netstat
    would reject with "warning, got bogus unix line." (fewer than 6 fields)."""
    with open("/proc/net/unix", "rb") as f:
        data = f.read()
    lines = data.decode("ascii", "surrogateescape").split("\n")
    if lines and lines[-1] == "":
        del lines[-1]  # the end of the last line, not a line
    rows = []
    append = rows.append
    hx = _hex
    match_row = _UNIX_ROW.match
    inode = 0
    for line in lines[1:]:
        m = match_row(line)
        if m is not None:
            p = m.groups()
            inode = int(p[5])
            append(_tnew(UnixSocket, (hx[p[0]], hx[p[1]], hx[p[2]], hx[p[3]], hx[p[4]],
                                      inode, p[6] or None)))
            continue
        count, fields = _scan_unix(line, inode)
        if fields is None:
            if bogus is not None:
                bogus.append(line)
            continue
        inode = fields[5]
        append(_tnew(UnixSocket, fields))
    return rows
