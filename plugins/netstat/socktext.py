"""netstat's text for the socket tables (the exact printf formats of net-tools 2.10).

The hot path formats a big TCP table from sock_diag columns a netlink answer at a time; the
general path handles every option and protocol row by row.
"""

from array import array

from pynetsuite.command import Renderer
from pynetsuite.net import sockets as table

from .sockrecords import InetRecord, InetRows, UnixRecord, UnixRows, _timer_text
from .socknames import NAME_MAX, TCP_STATES, UDP_STATES

INET_HEADER = ("Proto Recv-Q Send-Q Local Address           Foreign Address         State      ")


class TextRenderer(Renderer):
    """netstat's text for the socket tables; other records (-g's groups printed between the
    tables) go to that mode's renderer."""

    def __init__(self, invocation):
        super().__init__(invocation)
        self.parts = []
        self.columns = None
        self._other = None

    # netstat writes whole tables; we keep them and write in big pieces
    def _write(self, text):
        self.parts.append(text)

    def flush(self):
        if self.parts:
            self.out.write("".join(self.parts))
            self.parts = []
        if self._other is not None and hasattr(self._other, "flush"):
            self._other.flush()

    def close(self):
        self.flush()
        if self._other is not None:
            self._other.close()

    def _delegate(self):
        if self._other is None:
            from .command import mode_module

            self.flush()
            self._other = mode_module("groups").TextRenderer(self.invocation)
        else:
            self.flush()
        return self._other

    def section(self, name, **info):
        if name == "inet":
            self._write("Active Internet connections " + _which(info) + "\n" + INET_HEADER
                        + (" User       Inode     " if info["extend"] >= 1 else "")
                        + (" PID/Program name    " if info["programs"] else "")
                        + (" Timer" if info["timers"] else "") + "\n")
            self.columns = info
        elif name == "unix":
            if self._other is not None and hasattr(self._other, "flush"):
                self._other.flush()
            self._write("Active UNIX domain sockets " + _which(info) + "\n"
                        "Proto RefCnt Flags       Type       State         I-Node  "
                        + (" PID/Program name    " if info["programs"] else "") + " Path\n")
            self.columns = info
        else:
            self._delegate().section(name, **info)

    def record_batch(self, batch):
        if isinstance(batch, InetRows):
            pieces = _stream_inet(batch)
            if pieces is None:
                self._write(_format_inet(batch))
            else:  # a big TCP table: written as it is formatted
                self.flush()
                write = self.out.write
                for piece in pieces:
                    write(piece)
        elif isinstance(batch, UnixRows):
            self._write(_format_unix(batch, self.columns["programs"]))
        else:
            super().record_batch(batch)

    def record(self, record):
        if isinstance(record, InetRecord):
            opts = getattr(self.invocation.impl, "opts", None)
            self._write(_format_inet_records([record], bool(opts and opts.wide)))
        elif isinstance(record, UnixRecord):
            self._write(_format_unix(UnixRows([record]), self.columns["programs"]))
        else:
            self._delegate().record(record)


def _which(info):
    if info["all"]:
        return "(servers and established)"
    return "(only servers)" if info["listening"] else "(w/o servers)"


def _cut(addr, port, wide):
    """addr_do_one(): "addr:port", cut to 23 characters unless -W (then to the C buffer)."""
    if wide:
        return (addr + ":" + port)[:NAME_MAX]
    if len(addr) + len(port) > 22:
        plen = min(len(port), 18)
        return addr[:22 - plen] + ":" + port[:plen]
    return addr + ":" + port


def _swapped(keys):
    """Port keys -> port numbers, C-level (array byteswap)."""
    numbers = array("H", keys)
    if table._LITTLE:
        numbers.byteswap()
    return numbers.tolist()


FAST_COLUMNS = ("state", "lport_key", "rport_key", "laddr_key", "raddr_key", "rx_queue",
                "tx_queue", "inode")


def _format_tcp_fast(batch, head):
    """The hot path (netstat -tan, -tanp, -t ...): a TCP table from sock_diag without -e, -o
    or -W, formatted a netlink answer at a time (a few hundred rows: the memory is reused
    instead of growing by tens of megabytes, which a new process pays in page faults) from
    columns (no tuple per row but zip's), one %-format per line. Numeric ports go straight
    into the format (%-*d with the field width computed once per address), so no port text
    is built at all. Yields the text piece by piece."""
    namer = batch.namer
    opts = namer.opts
    A = namer.addr[batch.family]
    S = [s.ljust(11) for s in TCP_STATES]
    Q = _Queues()
    W = {}
    if opts.programs:
        tail, owner, default = " %-20s\n", (namer.owners or {}).get, "-"
    else:
        tail, owner, default = "%s\n", {}.get, ""
    head = head.replace("%", "%%")
    fmt = head + "%s %s %s%-*d %s%-*d %s" + tail
    fmt0 = head + "%s %s %s%-*d %s%-*d %s\n"
    bulk = len(batch.table) > 500
    for cols in batch.column_chunks(FAST_COLUMNS):
        st, lp, rp, la, ra, rq, wq, ino = cols
        n = len(st)
        addrs = set(la)
        addrs.update(ra)
        longest = max(len(A[k]) for k in addrs)  # texts end with ':'
        if not (opts.numeric_ports and longest <= 18):  # "addr:" + 5 digits fits in 23
            yield _format_tcp_ports(batch, cols, A, S, Q, head, tail, owner, default, bulk)
            continue
        lpn, rpn = _swapped(lp), _swapped(rp)
        n0 = 0  # listeners first: their remote port is 0, printed '*'
        while n0 < n and rpn[n0] == 0:
            n0 += 1
        if n0 < n and (0 in rpn[n0:] or 0 in lpn):
            n0 = n  # a port 0 elsewhere (never seen in practice): the general way for all
        if n0:
            yield _format_tcp_ports(batch, [c[:n0] for c in cols], A, S, Q, head, tail, owner,
                                    default, bulk)
        if n0 < n:
            for k in addrs:
                if k not in W:
                    W[k] = 23 - len(A[k])
            if n0:
                st, lpn, rpn, la, ra, rq, wq, ino = (c[n0:] for c in (st, lpn, rpn, la, ra, rq, wq, ino))
            if opts.programs:
                yield "".join([
                    fmt % (Q[q1], Q[q2], A[l], W[l], a, A[r], W[r], b, S[s], owner(i, default))
                    for (s, a, b, l, r, q1, q2, i) in zip(st, lpn, rpn, la, ra, rq, wq, ino)])
            else:  # the same without the -p column (one argument less per line)
                yield "".join([
                    fmt0 % (Q[q1], Q[q2], A[l], W[l], a, A[r], W[r], b, S[s])
                    for (s, a, b, l, r, q1, q2) in zip(st, lpn, rpn, la, ra, rq, wq)])


def _format_tcp_ports(batch, cols, A, S, Q, head, tail, owner, default, bulk):
    """Like _format_tcp_fast with port texts (names, '*'): "addr:port" cut to 23 columns."""
    st, lp, rp, la, ra, rq, wq, ino = cols
    P = batch.namer.port_table(batch.kind, lp, rp, bulk)
    fmt = head + "%s %s %-23s %-23s %s" + tail
    longest = max(len(A[k]) for k in set(la).union(ra)) if la else 0
    ports = set(lp)
    ports.update(rp)
    if longest + max(len(P[k]) for k in ports) <= 23:  # "addr:port" within 23 columns: no cut
        return "".join([fmt % (Q[q1], Q[q2], A[l] + P[a], A[r] + P[b], S[s], owner(i, default))
                        for (s, a, b, l, r, q1, q2, i) in zip(*cols)])

    def cut(a, p):
        return _cut(A[a][:-1], P[p], False)
    return "".join([fmt % (Q[q1], Q[q2], x if len(x := A[l] + P[a]) < 24 else cut(l, a),
                           y if len(y := A[r] + P[b]) < 24 else cut(r, b), S[s], owner(i, default))
                    for (s, a, b, l, r, q1, q2, i) in zip(*cols)])


def _stream_inet(batch):
    """The pieces of a TCP table that takes the fast path, or None."""
    opts = batch.namer.opts
    if (batch.kind == "tcp" and batch.table.source == "netlink" and not opts.wide
            and not (opts.extend >= 1 or opts.timers)):
        return _format_tcp_fast(batch, "%-4s  " % batch.label)
    return None


def _format_inet(batch):
    """One table's lines (the fast path for TCP, see _format_tcp_fast; the general one for
    every option and protocol)."""
    namer = batch.namer
    opts = namer.opts
    kind = batch.kind
    wide = opts.wide
    label = batch.label
    if kind == "tcp":
        S = [s.ljust(11) for s in TCP_STATES]
        head = "%-4s  " % label
        if batch.table.source == "netlink" and not wide and not (opts.extend >= 1 or opts.timers):
            return "".join(_format_tcp_fast(batch, head))
    elif kind == "udp":
        S = None
        head = "%-5s " % label
    else:
        S = None
        head = "%-4s  " % label
    A = namer.addr[batch.family]
    rows = batch.rows
    P = namer.port_table(kind, [r[3] for r in rows], [r[4] for r in rows]) if rows else \
        namer.ports[kind]
    Q = _Queues()

    # general path: every option, every protocol
    out = []
    append = out.append
    users = namer.users
    owners = namer.owners
    for row in rows:
        st = row[0]
        local = _cut(A[row[5]][:-1], P[row[3]], wide)
        remote = _cut(A[row[6]][:-1], P[row[4]], wide)
        if kind == "tcp":
            line = "%s%s %s %-23s %-23s %s" % (head, Q[row[8]], Q[row[9]], local, remote,
                                              S[st] if st < len(S) else " " * 11)
        elif kind == "udp":
            line = "%s%s %s %-23s %-23s %-11s" % (head, Q[row[8]], Q[row[9]], local, remote,
                                                 UDP_STATES.get(st, "UNKNOWN"))
        else:
            line = "%s%s %s %-23s %-23s %-11d" % (head, Q[row[8]], Q[row[9]], local, remote, st)
        if opts.extend >= 1:
            line += " %-10s %-10d" % (users[row[10]], row[11])
        if opts.programs:
            line += " %-20s" % (owners.get(row[11], "-") if owners is not None else "-")
        if opts.timers:
            line += " " + _timer_text(kind, row)
        append(line + "\n")
    return "".join(out)


def _format_inet_records(records, wide):
    """Text of InetRecord objects given one by one (a plugin emitting records)."""
    out = []
    for rec in records:
        label = rec.proto
        kind = "tcp" if label.startswith("tcp") else "udp" if label.startswith("udp") else "raw"
        local = _cut(rec.local_address, rec.local_port, wide)
        remote = _cut(rec.foreign_address, rec.foreign_port, wide)
        head = ("%-5s " if kind == "udp" else "%-4s  ") % label
        line = "%s%6d %6d %-23s %-23s %-11s" % (head, rec.recv_q, rec.send_q, local, remote, rec.state)
        if rec.user is not None:
            line += " %-10s %-10d" % (rec.user, rec.inode)
        if rec.program is not None:
            line += " %-20s" % rec.program
        if rec.timer is not None:
            line += " " + rec.timer
        out.append(line + "\n")
    return "".join(out)


class _Queues(dict):
    """queue size -> "%6ld" text (most are 0: formatting them once is much cheaper)."""

    def __missing__(self, value):
        text = self[value] = "%6d" % value
        return text


def _format_unix(batch, programs):
    out = []
    for rec in batch:
        flags = "[ " + (rec.flags + " " if rec.flags else "") + "]"
        line = "%-5s %-6d %-11s %-10s %-13s %-8d" % (rec.proto, rec.refcnt, flags, rec.type,
                                                     rec.state, rec.inode)
        if programs:
            line += " %-20s" % rec.program
        out.append(line + " " + rec.path + "\n")
    return "".join(out)

