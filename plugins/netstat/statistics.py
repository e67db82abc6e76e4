"""``netstat -s``: protocol statistics, reproducing net-tools 2.10's table-driven printer.

net-tools walks /proc/net/snmp and /proc/net/netstat (``-6``: /proc/net/snmp6, then the Tcp
line of /proc/net/snmp) and looks every counter up with bsearch(3) in per-protocol tables it
believes sorted. Several are not, so some lookups miss. Everything the user sees follows from
doing exactly the same here, in the same order, with glibc's bsearch:

* a counter found in a table prints through its template ("%llu segments received"); ``opt``
  entries only when non-zero; entries with an empty template and static ones (DefaultTTL,
  RtoAlgorithm) never;
* a counter not found prints raw, ``Name: value``, only when non-zero: the kernel's newer
  counters, and ``Forwarding``, which sorts after ``ForwDatagrams`` (the 2.10 bug);
* ICMP type counters open an "ICMP input/output histogram:" block, indented 8, whose title is
  printed with the *previous* line's indent; raw lines take the indent of the current state, so
  after an ICMP histogram ``IcmpMsg:`` values are indented 8;
* tables net-tools does not know (IcmpMsg, UdpLite, IpExt, MPTcpExt ...) always print their
  title and non-zero values, even under ``-t``/``-u``; a known table prints only when its
  protocol is selected (Ip/Icmp: ``-w``, Tcp/TcpExt: ``-t``, Udp: ``-u``, Sctp: ``-S``).

``-c`` does not repeat (net-tools exits after one pass), hence ``CONTINUOUS = False``.
"""

from pynetsuite.command import Renderer
from pynetsuite.net import Record


#: netstat -c does not repeat -s: net-tools exits after one pass.
CONTINUOUS = False

SNMP_PATH = "/proc/net/snmp"
NETSTAT_PATH = "/proc/net/netstat"
SCTP_PATH = "/proc/net/sctp/snmp"
SNMP6_PATH = "/proc/net/snmp6"

# Entry types (net-tools' enum State) and their indents / histogram titles.
NUMBER, OPT, FORWARD, INP_ICMP, OUTP_ICMP, RTO_ALG = range(6)
STATIC, TITLE = 1 << 16, 1 << 17
INDENT = {NUMBER: 4, OPT: 4, FORWARD: 4, INP_ICMP: 8, OUTP_ICMP: 8, RTO_ALG: 0}
HISTOGRAM = {INP_ICMP: "ICMP input histogram:", OUTP_ICMP: "ICMP output histogram:"}

N, O, I, OI = NUMBER, OPT, INP_ICMP | TITLE, OUTP_ICMP | TITLE

# The tables in net-tools 2.10's order, unsorted entries included: bsearch depends on it.
IP = (
    ("DefaultTTL", "Default TTL is %llu", NUMBER | STATIC),
    ("Forwarding", "Forwarding is %s", FORWARD | STATIC),
    ("ForwDatagrams", "%llu forwarded", N),
    ("FragCreates", "%llu fragments created", O),
    ("FragFails", "%llu outgoing packets failed fragmentation", O),
    ("FragOKs", "%llu outgoing packets fragmented ok", O),
    ("InAddrErrors", "%llu with invalid addresses", O),
    ("InDelivers", "%llu incoming packets delivered", N),
    ("InDiscards", "%llu incoming packets discarded", N),
    ("InHdrErrors", "%llu with invalid headers", O),
    ("InReceives", "%llu total packets received", N),
    ("InUnknownProtos", "%llu with unknown protocol", O),
    ("OutDiscards", "%llu outgoing packets dropped", O),
    ("OutNoRoutes", "%llu dropped because of missing route", O),
    ("OutRequests", "%llu requests sent out", N),
    ("ReasmFails", "%llu packet reassemblies failed", O),
    ("ReasmOKs", "%llu packets reassembled ok", O),
    ("ReasmReqds", "%llu reassemblies required", O),
    ("ReasmTimeout", "%llu fragments dropped after timeout", O),
)

IP6 = (
    ("Ip6FragCreates", "%llu fragments created", O),
    ("Ip6FragFails", "%llu outgoing packets failed fragmentation", O),
    ("Ip6FragOKs", "%llu outgoing packets fragmented ok", O),
    ("Ip6InAddrErrors", "%llu with invalid addresses", O),
    ("Ip6InDelivers", "%llu incoming packets delivered", N),
    ("Ip6InDiscards", "%llu incoming packets discarded", N),
    ("Ip6InHdrErrors", "%llu with invalid headers", O),
    ("Ip6InMcastPkts", "%llu incoming multicast packets", O),
    ("Ip6InNoRoutes", "%llu incoming packets with no route", O),
    ("Ip6InReceives", "%llu total packets received", N),
    ("Ip6InTooBigErrors", "%llu with packets too big", O),
    ("Ip6InTruncatedPkts", "%llu with truncated packets", O),
    ("Ip6InUnknownProtos", "%llu with unknown protocol", O),
    ("Ip6OutDiscards", "%llu outgoing packets dropped", O),
    ("Ip6OutForwDatagrams", "%llu forwarded", N),
    ("Ip6OutMcastPkts", "%llu outgoing multicast packets", O),
    ("Ip6OutNoRoutes", "%llu dropped because of missing route", O),
    ("Ip6OutRequests", "%llu requests sent out", N),
    ("Ip6ReasmFails", "%llu packet reassemblies failed", O),
    ("Ip6ReasmOKs", "%llu packets reassembled ok", O),
    ("Ip6ReasmReqds", "%llu reassemblies required", O),
    ("Ip6ReasmTimeout", "%llu fragments dropped after timeout", O),
)

ICMP = (
    ("InAddrMaskReps", "address mask replies: %llu", I),
    ("InAddrMasks", "address mask request: %llu", I),
    ("InDestUnreachs", "destination unreachable: %llu", I),
    ("InEchoReps", "echo replies: %llu", I),
    ("InEchos", "echo requests: %llu", I),
    ("InErrors", "%llu input ICMP message failed", N),
    ("InMsgs", "%llu ICMP messages received", N),
    ("InParmProbs", "wrong parameters: %llu", I),
    ("InRedirects", "redirects: %llu", I),
    ("InSrcQuenchs", "source quenches: %llu", I),
    ("InTimeExcds", "timeout in transit: %llu", I),
    ("InTimestampReps", "timestamp reply: %llu", I),
    ("InTimestamps", "timestamp request: %llu", I),
    ("OutAddrMaskReps", "address mask replies: %llu", OI),
    ("OutAddrMasks", "address mask requests: %llu", OI),
    ("OutDestUnreachs", "destination unreachable: %llu", OI),
    ("OutEchoReps", "echo replies: %llu", OI),
    ("OutEchos", "echo requests: %llu", OI),
    ("OutErrors", "%llu ICMP messages failed", N),
    ("OutMsgs", "%llu ICMP messages sent", N),
    ("OutParmProbs", "wrong parameters: %llu", OI),
    ("OutRedirects", "redirect: %llu", OI),
    ("OutSrcQuenchs", "source quench: %llu", OI),
    ("OutTimeExcds", "time exceeded: %llu", OI),
    ("OutTimestampReps", "timestamp replies: %llu", OI),
    ("OutTimestamps", "timestamp requests: %llu", OI),
)

ICMP6 = (
    ("Icmp6InDestUnreachs", "destination unreachable: %llu", I),
    ("Icmp6InEchoReplies", "echo replies: %llu", I),
    ("Icmp6InEchos", "echo requests: %llu", I),
    ("Icmp6InErrors", "%llu input ICMP message failed", N),
    ("Icmp6InGroupMembQueries", "group member queries: %llu", I),
    ("Icmp6InGroupMembReductions", "group member reductions: %llu", I),
    ("Icmp6InGroupMembResponses", "group member responses: %llu", I),
    ("Icmp6InMsgs", "%llu ICMP messages received", N),
    ("Icmp6InNeighborAdvertisements", "neighbour advertisement: %llu", I),
    ("Icmp6InNeighborSolicits", "neighbour solicits: %llu", I),
    ("Icmp6InParmProblems", "parameter problem: %llu", I),
    ("Icmp6InPktTooBigs", "packets too big: %llu", I),
    ("Icmp6InRedirects", "redirects: %llu", I),
    ("Icmp6InRouterAdvertisements", "router advertisement: %llu", I),
    ("Icmp6InRouterSolicits", "router solicits: %llu", I),
    ("Icmp6InTimeExcds", "received ICMPv6 time exceeded: %llu", I),
    ("Icmp6OutDestUnreachs", "destination unreachable: %llu", OI),
    ("Icmp6OutEchoReplies", "echo replies: %llu", OI),
    ("Icmp6OutEchos", "echo requests: %llu", OI),
    ("Icmp6OutGroupMembQueries", "group member queries: %llu", OI),
    ("Icmp6OutGroupMembReductions", "group member reductions: %llu", OI),
    ("Icmp6OutGroupMembResponses", "group member responses: %llu", OI),
    ("Icmp6OutMsgs", "%llu ICMP messages sent", N),
    ("Icmp6OutNeighborAdvertisements", "neighbor advertisements: %llu", OI),
    ("Icmp6OutNeighborSolicits", "neighbor solicits: %llu", OI),
    ("Icmp6OutParmProblems", "parameter problem: %llu", OI),
    ("Icmp6OutPktTooBigs", "packets too big: %llu", OI),
    ("Icmp6OutRedirects", "redirects: %llu", OI),
    ("Icmp6OutRouterAdvertisements ", "router advertisement: %llu", OI),  # sic: trailing space
    ("Icmp6OutRouterSolicits", "router solicits: %llu", OI),
    ("Icmp6OutTimeExcds", "sent ICMPv6 time exceeded: %llu", OI),
)

TCP = (
    ("ActiveOpens", "%llu active connection openings", N),
    ("AttemptFails", "%llu failed connection attempts", N),
    ("CurrEstab", "%llu connections established", N),
    ("EstabResets", "%llu connection resets received", N),
    ("InErrs", "%llu bad segments received", N),
    ("InSegs", "%llu segments received", N),
    ("MaxConn", "", N),
    ("OutRsts", "%llu resets sent", N),
    ("OutSegs", "%llu segments sent out", N),
    ("PassiveOpens", "%llu passive connection openings", N),
    ("RetransSegs", "%llu segments retransmitted", N),
    ("RtoAlgorithm", "RTO algorithm is %s", RTO_ALG | STATIC),
    ("RtoMax", "", N),
    ("RtoMin", "", N),
)

UDP = (
    ("InDatagrams", "%llu packets received", N),
    ("InErrors", "%llu packet receive errors", N),
    ("NoPorts", "%llu packets to unknown port received", N),
    ("OutDatagrams", "%llu packets sent", N),
    ("RcvbufErrors", "%llu receive buffer errors", N),
    ("SndbufErrors", "%llu send buffer errors", N),
)

UDP6 = (
    ("Udp6InDatagrams", "%llu packets received", N),
    ("Udp6InErrors", "%llu packet receive errors", N),
    ("Udp6NoPorts", "%llu packets to unknown port received", N),
    ("Udp6OutDatagrams", "%llu packets sent", N),
)

TCPEXT = (
    ("DelayedACKLocked", "%llu delayed acks further delayed because of locked socket", O),
    ("DelayedACKLost", "Quick ack mode was activated %llu times", O),
    ("DelayedACKs", "%llu delayed acks sent", O),
    ("EmbryonicRsts", "%llu resets received for embryonic SYN_RECV sockets", O),
    ("ListenDrops", "%llu SYNs to LISTEN sockets dropped", O),
    ("ListenOverflows", "%llu times the listen queue of a socket overflowed", O),
    ("LockDroppedIcmps", "%llu ICMP packets dropped because socket was locked", O),
    ("OfoPruned", "%llu packets dropped from out-of-order queue because of socket buffer overrun", O),
    ("OutOfWindowIcmps", "%llu ICMP packets dropped because they were out-of-window", O),
    ("PAWSActive", "%llu active connections rejected because of time stamp", O),
    ("PAWSEstab", "%llu packets rejected in established connections because of timestamp", O),
    ("PAWSPassive", "%llu passive connections rejected because of time stamp", O),
    ("PruneCalled", "%llu packets pruned from receive queue because of socket buffer overrun", O),
    ("RcvPruned", "%llu packets pruned from receive queue", O),
    ("SockMallocOOM", "Ran %llu times out of system memory during packet sending", O),
    ("SyncookiesFailed", "%llu invalid SYN cookies received", O),
    ("SyncookiesRecv", "%llu SYN cookies received", O),
    ("SyncookiesSent", "%llu SYN cookies sent", O),
    ("TCPAbortFailed", "%llu times unable to send RST due to no memory", O),
    ("TCPAbortOnClose", "%llu connections reset due to early user close", O),
    ("TCPAbortOnData", "%llu connections reset due to unexpected data", O),
    ("TCPAbortOnLinger", "%llu connections aborted after user close in linger timeout", O),
    ("TCPAbortOnMemory", "%llu connections aborted due to memory pressure", O),
    ("TCPAbortOnSyn", "%llu connections reset due to unexpected SYN", O),
    ("TCPAbortOnTimeout", "%llu connections aborted due to timeout", O),
    ("TCPDirectCopyFromBacklog", "%llu bytes directly in process context from backlog", O),
    ("TCPDirectCopyFromPrequeue", "%llu bytes directly received in process context from prequeue", O),
    ("TCPDSACKOfoRecv", "%llu DSACKs for out of order packets received", O),
    ("TCPDSACKOfoSent", "%llu DSACKs sent for out of order packets", O),
    ("TCPDSACKOldSent", "%llu DSACKs sent for old packets", O),
    ("TCPDSACKRecv", "%llu DSACKs received", O),
    ("TCPDSackUndo", "%llu congestion window recovered without slow start using DSACK", O),
    ("TCPDSACKUndo", "%llu congestion windows recovered without slow start by DSACK", O),
    ("TCPFACKReorder", "Detected reordering %llu times using FACK", O),
    ("TCPFastRetrans", "%llu fast retransmits", O),
    ("TCPForwardRetrans", "%llu forward retransmits", O),
    ("TCPFullUndo", "%llu congestion windows fully recovered without slow start", O),
    ("TCPHPAcks", "%llu predicted acknowledgments", O),
    ("TCPHPHits", "%llu packet headers predicted", N),
    ("TCPHPHitsToUser", "%llu packet headers predicted and directly queued to user", O),
    ("TCPLossFailures", "%llu timeouts in loss state", O),
    ("TCPLoss", "%llu TCP data loss events", O),
    ("TCPLossUndo", "%llu congestion windows recovered without slow start after partial ack", O),
    ("TCPLostRetransmits", "%llu retransmits lost", O),
    ("TCPMemoryPressures", "TCP ran low on memory %llu times", O),
    ("TCPPartialUndo", "%llu congestion windows partially recovered using Hoe heuristic", O),
    ("TCPPrequeued", "%llu packets directly queued to recvmsg prequeue", O),
    ("TCPPrequeueDropped", "%llu packets dropped from prequeue", O),
    ("TCPPureAcks", "%llu acknowledgments not containing data payload received", O),
    ("TCPRcvCollapsed", "%llu packets collapsed in receive queue due to low socket buffer", O),
    ("TCPRenoFailures", "%llu timeouts after reno fast retransmit", O),
    ("TCPRenoRecoveryFailed", "%llu reno fast retransmits failed", O),
    ("TCPRenoRecoveryFail", "%llu classic Reno fast retransmits failed", O),
    ("TCPRenoRecovery", "%llu times recovered from packet loss due to fast retransmit", O),
    ("TCPRenoReorder", "Detected reordering %llu times using reno fast retransmit", O),
    ("TCPSackFailures", "%llu timeouts after SACK recovery", O),
    ("TCPSackRecoveryFail", "%llu SACK retransmits failed", O),
    ("TCPSackRecovery", "%llu times recovered from packet loss by selective acknowledgements", O),
    ("TCPSACKReneging", "%llu bad SACK blocks received", O),
    ("TCPSACKReorder", "Detected reordering %llu times using SACK", O),
    ("TCPSchedulerFailed", "%llu times receiver scheduled too late for direct processing", O),
    ("TCPSlowStartRetrans", "%llu retransmits in slow start", O),
    ("TCPTimeouts", "%llu other TCP timeouts", O),
    ("TCPTSReorder", "Detected reordering %llu times using time stamp", O),
    ("TWKilled", "%llu TCP sockets finished time wait in slow timer", O),
    ("TW", "%llu TCP sockets finished time wait in fast timer", O),
    ("TWRecycled", "%llu time wait sockets recycled by time stamp", O),
)

SCTP = (
    ("SctpAborteds", "%llu Number of Aborteds ", N),
    ("SctpActiveEstabs", "%llu Active Associations", N),
    ("SctpChecksumErrors", "%llu Number of Packets with invalid Checksum", N),
    ("SctpCurrEstab", "%llu Current Associations", N),
    ("SctpFragUsrMsgs", "%llu Number of messages fragmented", N),
    ("SctpInCtrlChunks", "%llu Number of control chunks received", N),
    ("SctpInOrderChunks", "%llu Number of ordered chunks received", N),
    ("SctpInSCTPPacks", "%llu Number of SCTP packets received", N),
    ("SctpInUnorderChunks", "%llu Number of Unordered chunks received", N),
    ("SctpOutCtrlChunks", "%llu Number of control chunks sent", N),
    ("SctpOutOfBlues", "%llu Number of Out of Blue packets", N),
    ("SctpOutOrderChunks", "%llu Number of ordered chunks sent", N),
    ("SctpOutSCTPPacks", "%llu Number of SCTP packets sent", N),
    ("SctpOutUnorderChunks", "%llu Number of Unordered chunks sent", N),
    ("SctpPassiveEstabs", "%llu Passive Associations", N),
    ("SctpReasmUsrMsgs", "%llu Number of messages reassembled ", N),
    ("SctpShutdowns", "%llu Number of Graceful Terminations", N),
)

# title -> (table, protocol flag that selects it)
SNMP_TABLES = {"Ip": (IP, "raw"), "Icmp": (ICMP, "raw"), "Tcp": (TCP, "tcp"), "Udp": (UDP, "udp"),
               "Sctp": (SCTP, "sctp"), "TcpExt": (TCPEXT, "tcp")}
SNMP6_TABLES = {"Ip6": (IP6, "raw"), "Icmp6": (ICMP6, "raw"), "Udp6": (UDP6, "udp"),
                "Tcp6": (TCP, "tcp")}


def bsearch(table, key):
    """glibc's bsearch() with strcmp over ``table`` as it stands (sorted or not)."""
    low, high = 0, len(table)
    while low < high:
        mid = (low + high) // 2
        title = table[mid][0]
        if key < title:
            high = mid
        elif key > title:
            low = mid + 1
        else:
            return table[mid]
    return None


def strtoull(text):
    """C strtoull() of a leading decimal number (negative values wrap, as in C)."""
    try:
        return int(text) % 18446744073709551616  # the common case: a plain number
    except ValueError:
        pass
    text = text.lstrip()
    sign, i = 1, 0
    if text[:1] in "+-" and text:
        sign = -1 if text[0] == "-" else 1
        i = 1
    j = i
    while j < len(text) and text[j].isdigit():
        j += 1
    if j == i:
        return 0
    return (sign * int(text[i:j])) % (1 << 64)


# -- records -----------------------------------------------------------------------------------

class StatisticRecord(Record):
    """One printed counter. ``table`` is the /proc line title (``Tcp``, ``IcmpMsg``); ``name``
    the kernel counter; ``text`` the line as printed, without indent; ``group`` the ICMP
    histogram it belongs to, if any. ``indent`` is for the text renderer only."""

    FIELDS = (("kind", "statistic"), ("table", None), ("name", None), ("value", 0),
              ("text", None), ("group", None), ("indent", 4))
    __slots__ = tuple(name for name, _ in FIELDS)

    def to_json(self):
        data = super().to_json()
        del data["indent"]
        return data


class _Printer:
    """net-tools' printval()/newtable() state machine, emitting records and sections."""

    def __init__(self, inv, selected):
        self.inv = inv
        self.selected = selected  # set of protocol flags: raw, tcp, udp, sctp
        self.state = NUMBER

    def newtable(self, tables, title):
        """The table for ``title`` (None: deselected known table) after printing its title."""
        known = tables.get(title)
        if known is not None:
            table, flag = known
            on = flag in self.selected
            if on:
                self.inv.section("statistics-table", title=title)
            self.state = NUMBER
            return (title, table, on)
        self.inv.section("statistics-table", title=title)
        return (title, None, True)  # unknown tables: always shown, state carried over

    def printval(self, tab, name, value):
        title, table, _ = tab
        entry = bsearch(table, name) if table else None
        if entry is None:
            if value:
                self._emit(title, name, value, f"{name}: {value}", INDENT[self.state], None)
            return
        kind = entry[2]
        if kind & STATIC:
            return  # print_static is never set
        template = entry[1]
        if not template:
            return
        group = None
        if kind & TITLE:
            kind &= ~TITLE
            group = HISTOGRAM[kind][:-1]
            if self.state != kind:
                self.inv.section("statistics-histogram", title=HISTOGRAM[kind],
                                 indent=INDENT[self.state])
        text = None
        if kind == OPT:
            if value:
                text = template.replace("%llu", str(value))
        elif kind == NUMBER:
            text = template.replace("%llu", str(value))
        elif kind == FORWARD:
            kind = NUMBER
            text = template.replace("%s", "enabled" if value == 2 else "disabled")
        elif kind in (INP_ICMP, OUTP_ICMP):
            if value > 0:
                text = template.replace("%llu", str(value))
        if text:
            self._emit(title, name, value, text, INDENT[kind], group)
        self.state = kind

    def _emit(self, table, name, value, text, indent, group):
        self.inv.emit(StatisticRecord(table=table, name=name, value=value, text=text,
                                      group=group, indent=indent))

    # -- file walkers ------------------------------------------------------------------------
    def process_pairs(self, lines, only=None):
        """/proc/net/snmp and /proc/net/netstat: header/value line pairs."""
        i = 0
        while i < len(lines):
            header = lines[i]
            i += 1
            if header == "":
                continue
            if i >= len(lines):
                break
            values = lines[i]
            i += 1
            if ":" not in header or ":" not in values:
                return False
            title, names = header.split(":", 1)
            if only is not None and not title.startswith(only):
                continue
            tab = self.newtable(SNMP_TABLES, title)
            if not tab[2]:
                continue
            rest = values.split(":", 1)[1].split()
            for position, name in enumerate(names.split()):
                self.printval(tab, name, strtoull(rest[position]) if position < len(rest) else 0)
        return True

    def process_snmp6(self, lines):
        """/proc/net/snmp6: one "Name value" per line; a table starts where the name's prefix
        up to its '6' changes (net-tools' cpytitle/strstr logic)."""
        tab = None
        current = None
        for line in lines:
            cols = line.split()
            if not cols:
                continue
            name = cols[0]
            value = strtoull(cols[1]) if len(cols) > 1 else 0
            if current is None or current not in name:
                six = name.find("6")
                current = name if six < 0 else name[:six + 1]
                tab = self.newtable(SNMP6_TABLES, current)
            if tab[2]:
                self.printval(tab, name, value)

    def process_sctp(self, lines):
        tab = self.newtable(SNMP_TABLES, "Sctp")
        for line in lines:
            cols = line.split(None, 1)
            if len(cols) == 2 and tab[2]:
                self.printval(tab, cols[0], strtoull(cols[1]))


def _read(path):
    with open(path, "r", encoding="ascii", errors="surrogateescape") as handle:
        return handle.read().splitlines()


def _selected(opts):
    protocols = set(opts.protocols or ())
    if not protocols & {"tcp", "sctp", "udp", "udplite", "raw"}:
        return {"raw", "tcp", "udp", "sctp", "udplite"}
    return protocols


def run(inv, opts):
    """Print the statistics; returns the exit code."""
    from .routes import family_list

    afname = getattr(opts, "afname", None)
    if afname is None:
        afname = ",".join(family_list(opts))
    afname = afname or "inet"
    printer = _Printer(inv, _selected(opts))
    if afname == "inet":
        return _inet(inv, printer)
    if afname == "inet6":
        return _inet6(inv, printer)
    text = f"netstat: No statistics support for specified address family: {afname}"
    (inv.stdout if inv.output_format == "text" else inv.stderr).write(text + "\n")
    return 1


def _inet(inv, printer):
    try:
        lines = _read(SNMP_PATH)
    except OSError as error:
        inv.stderr.write(f"cannot open {SNMP_PATH}: {error.strerror}\n")
        return 0
    if not printer.process_pairs(lines):
        inv.stderr.write(f"Problem while parsing {SNMP_PATH}\n")
    try:
        lines = _read(NETSTAT_PATH)
    except OSError:
        lines = None
    if lines is not None and not printer.process_pairs(lines):
        inv.stderr.write(f"Problem while parsing {NETSTAT_PATH}\n")
    try:
        lines = _read(SCTP_PATH)
    except OSError:
        lines = None
    if lines is not None:
        printer.process_sctp(lines)
    return 0


def _inet6(inv, printer):
    try:
        lines = _read(SNMP6_PATH)
    except OSError as error:
        inv.stderr.write(f"cannot open {SNMP6_PATH}: {error.strerror}\n")
        return 0
    printer.process_snmp6(lines)
    try:
        lines = _read(SNMP_PATH)
    except OSError as error:
        inv.stderr.write(f"cannot open {SNMP_PATH}: {error.strerror}\n")
        return 0
    printer.process_pairs(lines, only="Tcp")
    return 0


class TextRenderer(Renderer):
    """``netstat -s`` text: table titles, histogram titles and indented counter lines."""

    def section(self, name, **info):
        if name == "statistics-table":
            self.out.write(f"{info['title']}:\n")
        elif name == "statistics-histogram":
            self.out.write(" " * info["indent"] + info["title"] + "\n")

    def record(self, r):
        if isinstance(r, StatisticRecord):
            self.out.write(" " * r.indent + r.text + "\n")
