"""netstat's socket records (what --json prints, jc's field names) and the batches the socket
tables are emitted as: a batch is a sequence of records built on demand, and also gives the
text renderer the raw rows (or columns) to format without building them.
"""

import re
import _socket as socket  # the C module: `socket` builds its enums at import, ~4 ms
from itertools import compress, filterfalse
from operator import itemgetter

from pynetsuite.net import TupleRecord
from pynetsuite.net import sockets as table

from .socknames import TCP_STATES, UDP_STATES

AF_INET, AF_INET6 = socket.AF_INET, socket.AF_INET6
_BLANK = re.compile("[ \t\n\v\f\r]")




def _named(cls):
    for i, name in enumerate(cls._fields):
        setattr(cls, name, property(itemgetter(i)))
    return cls


def _utf8(text):
    """Text read from the kernel keeps undecodable bytes as surrogates (so the text output
    writes the same bytes back); JSON gets proper UTF-8 (replacement characters if invalid)."""
    if text is None or text.isascii():
        return text
    return text.encode("ascii", "surrogateescape").decode("utf-8", "replace")


def _port_num(text):
    return int(text) if text.isdigit() else None



@_named
class InetRecord(TupleRecord):
    """One row of the Internet sockets table; JSON fields as jc's netstat parser names them
    (kind "network"). user/inode only with -e, program_name/pid only with -p, timer only with
    -o (None in those fields means the column was not asked for)."""

    __slots__ = ()
    _fields = ("proto", "recv_q", "send_q", "local_address", "local_port", "foreign_address",
               "foreign_port", "state", "user", "inode", "program", "timer")

    def to_json(self):
        (proto, recv_q, send_q, laddr, lport, faddr, fport, state, user, inode, program,
         timer) = self
        data = {"proto": proto, "recv_q": recv_q, "send_q": send_q,
                "local_address": _utf8(laddr), "local_port": lport}
        num = _port_num(lport)
        if num is not None:
            data["local_port_num"] = num
        data["foreign_address"] = _utf8(faddr)
        data["foreign_port"] = fport
        num = _port_num(fport)
        if num is not None:
            data["foreign_port_num"] = num
        data["state"] = state if state != "" else None
        if user is not None:
            data["user"] = _utf8(user)
            data["inode"] = inode
        if program is not None:
            pid, _, name = program.partition("/")
            data["program_name"] = _utf8(name) if program != "-" else None
            if program != "-":
                data["pid"] = int(pid)
        if timer is not None:
            data["timer"] = timer
        data["kind"] = "network"
        data["transport_protocol"] = ("tcp" if "tcp" in proto else "udp" if "udp" in proto
                                      else None)
        data["network_protocol"] = "ipv6" if "6" in proto else "ipv4"
        return data


@_named
class UnixRecord(TupleRecord):
    """One row of the UNIX domain sockets table (jc's kind "socket")."""

    __slots__ = ()
    _fields = ("proto", "refcnt", "flags", "type", "state", "inode", "program", "path")

    def to_json(self):
        proto, refcnt, flags, typ, state, inode, program, path = self
        data = {"proto": proto, "refcnt": refcnt, "flags": flags or None, "type": typ,
                "state": state or None, "inode": inode}
        if program is not None:
            pid, _, name = program.partition("/")
            data["program_name"] = _utf8(name) if program != "-" else None
            if program != "-":
                data["pid"] = int(pid)
        data["path"] = _utf8(path) or None
        data["kind"] = "socket"
        return data


def _timer_text(kind, row):
    """The -o column, as tcp_do_one / udp_do_one / raw_do_one write it."""
    timer, ticks, retr = row[1], row[7] // 10, row[2]
    probes = row[12] if len(row) > 12 else 0
    secs = ticks / 100
    if kind == "tcp":
        if timer == 0:
            return "off (0.00/%d/%d)" % (retr, probes)
        name = {1: "on", 2: "keepalive", 3: "timewait", 4: "probe"}.get(timer)
        if name is None:
            return "unkn-%d (%2.2f/%d/%d)" % (timer, secs, retr, probes)
        return "%s (%2.2f/%d/%d)" % (name, secs, retr, probes)
    if kind == "udp":
        retr = 0  # udp_do_one() zeroes it
    if timer == 0:
        return "off (0.00/%d/%d)" % (retr, probes)
    if timer in (1, 2):
        return "on%d (%2.2f/%d/%d)" % (timer, secs, retr, probes)
    return "unkn-%d (%2.2f/%d/%d)" % (timer, secs, retr, probes)


class InetRows:
    """One Internet table (e.g. tcp6) after netstat's -l/-a selection, as a batch: a sequence
    of InetRecord built on demand. The text renderer reads :meth:`columns` (the fast path)
    or ``rows`` (tuples in the RAW_FIELDS layout) instead of records."""

    __slots__ = ("label", "kind", "family", "table", "namer", "_rows")

    def __init__(self, label, kind, family, tab, namer):
        self.label, self.kind, self.family, self.table, self.namer = label, kind, family, tab, namer
        self._rows = None

    @staticmethod
    def _fix_listeners(send_q, states):
        """Send-Q of a listener: netlink reports the backlog limit, /proc (netstat) 0.
        Listeners come first (the kernel walks its listening hash before the established
        one), so only the head needs fixing. Returns False once past the listeners."""
        listen, i, n = table.TCP_LISTEN, 0, len(states)
        while i < n and states[i] == listen:
            send_q[i] = 0
            i += 1
        return i == n

    @property
    def rows(self):
        if self._rows is None:
            rows = _filter(self.kind, self.family, self.table.rows, self.namer.opts)
            if self.kind == "tcp" and self.table.source == "netlink":
                rows = list(rows)
                listen, i, n = table.TCP_LISTEN, 0, len(rows)
                while i < n and rows[i][0] == listen:
                    r = rows[i]
                    rows[i] = r[:9] + (0,) + r[10:]
                    i += 1
            self._rows = rows
        return self._rows

    def column_chunks(self, names):
        """The selected rows a piece at a time (see InetTable.column_chunks), one list per
        RAW_FIELDS name; ``names`` must include state, tx_queue and rport_key (TCP) or
        raddr_key (the others), which the -l/-a selection looks at."""
        opts = self.namer.opts
        key_at = names.index("rport_key" if self.kind == "tcp" else "raddr_key")
        send_q, states = names.index("tx_queue"), names.index("state")
        fix = self.kind == "tcp" and self.table.source == "netlink"
        for cols in self.table.column_chunks(names):
            if fix:
                fix = self._fix_listeners(cols[send_q], cols[states])
            if not opts.all:
                key = cols[key_at]
                if self.family == AF_INET6 and self.kind != "tcp":
                    key = [k != table.ZERO6 for k in key]
                if opts.listening:
                    key = [not k for k in key]
                cols = [list(compress(col, key)) for col in cols]
            if cols[0]:
                yield cols

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        return self.record(self.rows[index])

    def __iter__(self):
        return map(self.record, self.rows)

    def record(self, row):
        namer, kind = self.namer, self.kind
        opts = namer.opts
        addr = namer.addr[self.family]
        ports = namer.ports[kind]
        state = row[0]
        if kind == "tcp":
            state_text = TCP_STATES[state] if state < len(TCP_STATES) else ""
        elif kind == "udp":
            state_text = UDP_STATES.get(state, "UNKNOWN")
        else:
            state_text = str(state)
        send_q = row[9]
        user = inode = program = timer = None
        if opts.extend >= 1:
            user, inode = namer.users[row[10]], row[11]
        if opts.programs:
            program = namer.owners.get(row[11], "-") if namer.owners is not None else "-"
        if opts.timers:
            timer = _timer_text(kind, row)
        return tuple.__new__(InetRecord, (
            self.label, row[8], send_q, addr[row[5]][:-1], ports[row[3]], addr[row[6]][:-1],
            ports[row[4]], state_text, user, inode, program, timer))


UNIX_TYPES = {socket.SOCK_STREAM: "STREAM", socket.SOCK_DGRAM: "DGRAM", socket.SOCK_RAW: "RAW",
              socket.SOCK_RDM: "RDM", socket.SOCK_SEQPACKET: "SEQPACKET"}
UNIX_STATES = {table.SS_FREE: "FREE", table.SS_CONNECTING: "CONNECTING",
               table.SS_CONNECTED: "CONNECTED", table.SS_DISCONNECTING: "DISCONNECTING"}


class UnixRows:
    """The UNIX table as a batch of UnixRecord (few rows: records are built eagerly)."""

    __slots__ = ("records",)

    def __init__(self, records):
        self.records = records

    def __len__(self):
        return len(self.records)

    def __getitem__(self, index):
        return self.records[index]

    def __iter__(self):
        return iter(self.records)


def unix_record(sock, owners, programs):
    flags = sock.flags
    if sock.state == table.SS_UNCONNECTED:
        state = "LISTENING" if flags & table.SO_ACCEPTCON else ""
    else:
        state = UNIX_STATES.get(sock.state, "UNKNOWN")
    names = []
    if flags & table.SO_ACCEPTCON:
        names.append("ACC")
    if flags & table.SO_WAITDATA:
        names.append("W")
    if flags & table.SO_NOSPACE:
        names.append("N")
    program = None
    if programs:
        program = owners.get(sock.inode, "-") if owners is not None else "-"
    # netstat reads the path with sscanf("%s"): up to the first C white-space character
    path = _BLANK.split(sock.path.lstrip(" \t\n\v\f\r"), 1)[0] if sock.path else ""
    return tuple.__new__(UnixRecord, (
        "unix" if sock.protocol == 0 else "??", sock.refcnt, " ".join(names),
        UNIX_TYPES.get(sock.type, "UNKNOWN"), state, sock.inode, program, path))



def _filter(kind, family, rows, opts):
    """netstat's -l / -a selection: tcp by the remote port, udp and raw by the remote address."""
    if opts.all:
        return rows
    keep = filterfalse if opts.listening else filter  # -l keeps the unconnected rows
    if kind == "tcp":
        return list(keep(itemgetter(4), rows))  # remote port key: 0 when the port is
    if family == AF_INET:
        return list(keep(itemgetter(6), rows))  # remote address key: 0 for 0.0.0.0
    zero = table.ZERO6
    return [r for r in rows if (r[6] != zero) is not opts.listening]

