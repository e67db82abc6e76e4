"""netstat's socket tables (the default mode): Internet sockets and UNIX domain sockets.

The engine (:func:`run`) follows the socket part of net-tools 2.10 netstat.c main(): the
"Active Internet connections" header, then tcp, sctp, udp, udplite and raw (IPv4 file, then
IPv6), then -g's group memberships when asked together with sockets, then the UNIX table, then
the families this kernel has no /proc file for (ipx, ax25, x25, netrom, rose) and Bluetooth --
with netstat's messages and exit codes for the missing ones.

Rows come from the shared socket table (pynetsuite.net.sockets) in kernel order. Each table is
emitted as one batch (``inv.emit_many``) whose items are records with jc's netstat fields
(sockrecords.py), built only if something iterates the batch (--json, plugins); the text
renderer (socktext.py) formats the raw rows of a batch in one pass. Names: socknames.py.
"""

import os
import _socket as socket  # the C module: `socket` builds its enums at import, ~4 ms

from pynetsuite.command import ToolExit
from pynetsuite.net import sockets as table

from .socknames import Namer, load_owners
from .sockrecords import InetRows, UnixRows, unix_record
from .socktext import TextRenderer  # noqa: F401  (the mode's renderer, see command.py)

AF_INET, AF_INET6 = socket.AF_INET, socket.AF_INET6

#: netstat -c repeats this mode
CONTINUOUS = True

# -- the engine ----------------------------------------------------------------------------------
#: net-tools' ESYSNOT names
SYSNOT = {"tcp": "AF INET (tcp)", "udp": "AF INET (udp)", "udplite": "AF INET (udplite)",
          "raw": "AF INET (raw)", "sctp": "AF INET (sctp)"}
#: table label per (proto, family)
LABELS = {("tcp", AF_INET): "tcp", ("tcp", AF_INET6): "tcp6", ("udp", AF_INET): "udp",
          ("udp", AF_INET6): "udp6", ("udplite", AF_INET): "udpl", ("udplite", AF_INET6): "udpl6",
          ("raw", AF_INET): "raw", ("raw", AF_INET6): "raw6"}
KINDS = {"tcp": "tcp", "udp": "udp", "udplite": "udp", "raw": "raw"}

#: /proc files of the families netstat knows but this tool cannot list: when present, fail
OTHER_FILES = {"ipx": ("AF IPX", ("/proc/net/ipx/socket", "/proc/net/ipx")),
               "ax25": ("AF AX25", ("/proc/net/ax25",)),
               "x25": ("AF X25", ("/proc/net/x25",)),
               "netrom": ("AF NETROM", ("/proc/net/nr",)),
               "rose": ("AF ROSE", ("/proc/net/rose",))}


def _esysnot(inv, name):
    inv.stderr.write(f"netstat: no support for `{name}' on this system.\n")


class _Missing(Exception):
    """A /proc file (or the kernel support behind it) does not exist."""


def _inet_table(proto, family, opts):
    """One table, or _Missing. -o needs /proc's timer fields (see pynetsuite.net.sockets)."""
    try:
        if proto == "tcp":
            source = "proc" if opts.timers else "auto"
            # the kernel can skip what netstat would drop anyway (the row filter still
            # applies): LISTEN for the default table; for -l, every socket whose remote
            # port is not 0 -- a filter on the port, not the state, since a SYN_SENT to
            # port 0 is listed by -l too
            states, bytecode = table.netlink.ALL_STATES, b""
            if not opts.all:
                if opts.listening:
                    bytecode = table.netlink.bytecode_dport_le(0)
                else:
                    states &= ~(1 << table.TCP_LISTEN)
            return table.inet_table(proto, family, source, states, bytecode)
        return table.inet_table(proto, family)
    except (FileNotFoundError, PermissionError):
        raise _Missing() from None
    except table.netlink.NetlinkUnavailable:
        raise _Missing() from None


def inet_info(inv, opts, namer, proto):
    """tcp_info() & co.: the IPv4 table (with netstat's messages if it is missing), then the
    IPv6 one (silently skipped if missing). Returns net-tools' rc."""
    rc = 0
    kind = KINDS[proto]
    for family, flag in ((AF_INET, opts.flag_inet), (AF_INET6, opts.flag_inet6)):
        if opts.flag_arg and not flag:
            continue
        try:
            tab = _inet_table(proto, family, opts)
        except _Missing:
            if family == AF_INET:
                if not opts.noprot and (opts.flag_arg or opts.verbose):
                    _esysnot(inv, SYSNOT[proto])
                if not opts.noprot and opts.flag_arg:
                    rc = 1
            continue
        except OSError as exc:
            inv.stderr.write(f"{table.proc_path(proto, family)}: {exc.strerror}\n")
            return -1
        batch = InetRows(LABELS[(proto, family)], kind, family, tab, namer)
        if len(tab):
            inv.emit_many(batch)
    return rc


def sctp_info(inv, opts):
    """SCTP: this kernel build has none here; the endpoints (-l/-a) and associations
    (default/-a) files each give netstat's message when missing."""
    rc = 0
    parts = []
    if opts.all or opts.listening:
        parts.append(("/proc/net/sctp/eps", "/proc/net/sctp6/eps"))
    if opts.all or not opts.listening:
        parts.append(("/proc/net/sctp/assocs", "/proc/net/sctp6/assocs"))
    for path4, path6 in parts:
        for path, flag in ((path4, opts.flag_inet), (path6, opts.flag_inet6)):
            if opts.flag_arg and not flag:
                continue
            if os.path.exists(path):
                raise ToolExit(1, "SCTP sockets are not supported by this netstat")
            if path is path4:
                if not opts.noprot and (opts.flag_arg or opts.verbose):
                    _esysnot(inv, SYSNOT["sctp"])
                if not opts.noprot and opts.flag_arg:
                    rc = 1
        if rc:
            return rc
    return rc


def unix_info(inv, opts, namer):
    inv.section("unix", all=opts.all, listening=opts.listening, programs=opts.programs)
    bogus = []
    try:
        socks = table.unix_sockets(bogus)
    except (FileNotFoundError, PermissionError):
        if not opts.noprot and (opts.flag_arg or opts.verbose):
            _esysnot(inv, "AF UNIX")
        return 1 if not opts.noprot and opts.flag_arg else 0
    except OSError as exc:
        inv.stderr.write(f"/proc/net/unix: {exc.strerror}\n")
        return -1
    # a path holding a newline splits its row: netstat warns about each piece it cannot read
    inv.stderr.write("warning, got bogus unix line.\n" * len(bogus))
    records = []
    for sock in socks:
        listening = sock.state == table.SS_UNCONNECTED and sock.flags & table.SO_ACCEPTCON
        if not opts.all and bool(listening) != opts.listening:
            continue
        records.append(unix_record(sock, namer.owners, opts.programs))
    if records:
        inv.emit_many(UnixRows(records))
    return 0


def other_info(inv, opts, family):
    """ipx_info(), ax25_info() ...: netstat lists these from /proc files this kernel lacks."""
    name, paths = OTHER_FILES[family]
    for path in paths:
        if os.path.isfile(path):
            raise ToolExit(1, f"{name} sockets are not supported by this netstat")
    if opts.flag_arg or opts.verbose:
        _esysnot(inv, name)
    return 1 if opts.flag_arg else 0


def run(inv, opts):
    """One round of netstat's socket listing; returns net-tools' rc (0, 1 or -1).

    The cyclic garbage collector is off during the round: the tables allocate hundreds of
    thousands of short-lived tuples and lists (no cycles), and gen-0 collections triggered by
    them cost about a tenth of the run at 50,000 sockets."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(inv, opts)
    finally:
        if enabled:
            gc.enable()


def _run(inv, opts):
    namer = Namer(opts)
    protos = opts.inet_protocols
    rc = 0
    if not opts.flag_arg or protos:
        if opts.programs:
            load_owners(inv, namer)
        inv.section("inet", all=opts.all, listening=opts.listening, extend=opts.extend,
                    programs=opts.programs, timers=opts.timers)
        for proto in ("tcp", "sctp", "udp", "udplite", "raw"):
            if opts.flag_arg and proto not in protos:
                continue
            rc = sctp_info(inv, opts) if proto == "sctp" else inet_info(inv, opts, namer, proto)
            if rc:
                return rc
    if opts.groups:
        from .command import mode_module

        rc = mode_module("groups").run(inv, opts)
        if rc:
            return rc
    if not opts.flag_arg or opts.flag_unx:
        if opts.programs and namer.owners is None:
            load_owners(inv, namer)
        rc = unix_info(inv, opts, namer)
        if rc:
            return rc
    for family in ("ipx", "ax25", "x25", "netrom", "rose"):
        if not opts.flag_arg or opts.flag_other.get(family):
            rc = other_info(inv, opts, family)
            if rc:
                return rc
    if opts.flag_arg and (opts.l2cap or opts.rfcomm):
        # Debian's netstat is built without Bluetooth: asking for it ends here (rc 1)
        inv.stderr.write("netstat: feature `AF BLUETOOTH' not supported.\n"
                         "Please recompile `net-tools' with newer kernel source or full "
                         "configuration.\n")
        rc = 1
    return rc


