"""ICMP and ICMPv6 packets: build echo requests, parse replies, errors and IP headers.

Pure functions over ``bytes`` (no sockets here), shared by ping, traceroute and nmap. Multi-byte
header fields are in network byte order except where a name says ``native``. The Internet
checksum is computed over native 16-bit words (as the BSD ``in_cksum`` does): the one's
complement sum does not depend on byte order, so the result is stored back natively.
"""

import struct
from array import array
from dataclasses import dataclass

# --- protocol numbers and ICMP types ---------------------------------------------------------
IPPROTO_ICMP = 1
IPPROTO_ICMPV6 = 58

ICMP_ECHOREPLY = 0
ICMP_DEST_UNREACH = 3
ICMP_SOURCE_QUENCH = 4
ICMP_REDIRECT = 5
ICMP_ECHO = 8
ICMP_TIME_EXCEEDED = 11
ICMP_PARAMETERPROB = 12
ICMP_TIMESTAMP = 13
ICMP_TIMESTAMPREPLY = 14
ICMP_INFO_REQUEST = 15
ICMP_INFO_REPLY = 16
ICMP_ADDRESS = 17
ICMP_ADDRESSREPLY = 18

ICMP_FRAG_NEEDED = 4  # code of ICMP_DEST_UNREACH

ICMP6_DST_UNREACH = 1
ICMP6_PACKET_TOO_BIG = 2
ICMP6_TIME_EXCEEDED = 3
ICMP6_PARAM_PROB = 4
ICMP6_ECHO_REQUEST = 128
ICMP6_ECHO_REPLY = 129
MLD_LISTENER_QUERY = 130
MLD_LISTENER_REPORT = 131
MLD_LISTENER_REDUCTION = 132

#: ICMP types that quote the offending packet (RFC 792), IPv4
ICMP_QUOTING_TYPES = frozenset((ICMP_DEST_UNREACH, ICMP_SOURCE_QUENCH, ICMP_REDIRECT,
                                ICMP_TIME_EXCEEDED, ICMP_PARAMETERPROB))

# IP option kinds (RFC 791)
IPOPT_EOL = 0
IPOPT_NOP = 1
IPOPT_RR = 7
IPOPT_TS = 68
IPOPT_LSRR = 131
IPOPT_SSRR = 137
IPOPT_MINOFF = 4
IPOPT_TS_TSONLY = 0
IPOPT_TS_TSANDADDR = 1
IPOPT_TS_PRESPEC = 3

IPV4_HEADER_LEN = 20
IPV6_HEADER_LEN = 40
ICMP_HEADER_LEN = 8


# --- checksum --------------------------------------------------------------------------------
def checksum_add(data, start=0):
    """One's complement partial sum of ``data`` (native 16-bit words) added to ``start``; not
    folded, not inverted. Feed the result to :func:`checksum_finish`."""
    if len(data) & 1:
        data = bytes(data) + b"\0"
    return start + sum(array("H", data))


def checksum_finish(partial):
    """Fold a partial sum to 16 bits and invert it: the value to store (natively)."""
    partial = (partial >> 16) + (partial & 0xFFFF)
    partial += partial >> 16
    partial = (partial >> 16) + (partial & 0xFFFF)
    return ~partial & 0xFFFF


def checksum(data):
    """The Internet checksum of ``data``, as a native-order 16-bit value (0 when the data,
    checksum field included, is intact)."""
    return checksum_finish(checksum_add(data))


def put_native16(value):
    return struct.pack("=H", value)


# --- echo requests ---------------------------------------------------------------------------
def echo_request(ident, seq, payload, *, v6=False, with_checksum=True):
    """An ICMP (or ICMPv6) echo request. ``ident`` is the identifier as it goes on the wire
    (network order value); ICMPv6 and ICMP datagram sockets have the kernel fill the checksum,
    so ``with_checksum=False`` leaves it zero."""
    kind = ICMP6_ECHO_REQUEST if v6 else ICMP_ECHO
    header = struct.pack("!BBHHH", kind, 0, 0, ident & 0xFFFF, seq & 0xFFFF)
    packet = header + bytes(payload)
    if with_checksum and not v6:
        packet = packet[:2] + put_native16(checksum(packet)) + packet[4:]
    return packet


# --- parsing ---------------------------------------------------------------------------------
@dataclass
class IPv4Header:
    ihl: int            # header length in bytes
    tos: int
    total_length: int
    ident: int
    flags_frag: int
    ttl: int
    protocol: int
    checksum: int
    src: bytes
    dst: bytes
    options: bytes

    @property
    def src_text(self):
        return ipv4_text(self.src)

    @property
    def dst_text(self):
        return ipv4_text(self.dst)


def ipv4_text(raw):
    return "%d.%d.%d.%d" % tuple(raw[:4])


def parse_ipv4_header(buf):
    """The IPv4 header at the start of ``buf``, or None if ``buf`` is too short for it."""
    if len(buf) < IPV4_HEADER_LEN:
        return None
    ver_ihl, tos, total, ident, frag, ttl, proto, csum = struct.unpack_from("!BBHHHBBH", buf)
    ihl = (ver_ihl & 0x0F) * 4
    if ihl < IPV4_HEADER_LEN or len(buf) < ihl:
        return None
    return IPv4Header(ihl, tos, total, ident, frag, ttl, proto, csum, bytes(buf[12:16]),
                      bytes(buf[16:20]), bytes(buf[20:ihl]))


@dataclass
class ICMPMessage:
    """An ICMP/ICMPv6 header. ``ident``/``seq`` are meaningful for echo messages; ``rest`` is the
    32-bit field after the checksum (gateway, pointer, MTU), as an unsigned network-order
    value; ``body`` is what follows the 8-byte header."""

    type: int
    code: int
    checksum: int
    ident: int
    seq: int
    rest: int
    body: bytes


def parse_icmp(buf):
    if len(buf) < ICMP_HEADER_LEN:
        return None
    kind, code, csum, ident, seq = struct.unpack_from("!BBHHH", buf)
    rest = (ident << 16) | seq
    return ICMPMessage(kind, code, csum, ident, seq, rest, bytes(buf[ICMP_HEADER_LEN:]))


@dataclass
class QuotedEcho:
    """The echo request an ICMP error quotes: where it went, its identifier and sequence."""

    dst: bytes
    ident: int
    seq: int
    next_header: int


def quoted_echo_v4(body):
    """From the body of an IPv4 ICMP error, the quoted IP header and the first 8 bytes of its
    payload; None when the quote is too short or not ICMP."""
    inner = parse_ipv4_header(body)
    if inner is None or len(body) < inner.ihl + ICMP_HEADER_LEN:
        return None
    kind, _code, _csum, ident, seq = struct.unpack_from("!BBHHH", body, inner.ihl)
    return QuotedEcho(inner.dst, ident, seq, kind if inner.protocol == IPPROTO_ICMP else -1)


def quoted_echo_v6(body):
    """Same for ICMPv6 (skips one fragment header, as ping does)."""
    if len(body) < IPV6_HEADER_LEN + ICMP_HEADER_LEN:
        return None
    nxt = body[6]
    dst = bytes(body[24:40])
    off = IPV6_HEADER_LEN
    if nxt == 44:  # fragment header
        nxt = body[off]
        off += 8
    if nxt != IPPROTO_ICMPV6 or len(body) < off + ICMP_HEADER_LEN:
        return QuotedEcho(dst, -1, -1, -1)
    kind, _code, _csum, ident, seq = struct.unpack_from("!BBHHH", body, off)
    return QuotedEcho(dst, ident, seq, kind)


# --- IP options (record route, timestamps) ---------------------------------------------------
def record_route_option(slots=9):
    """The IP_OPTIONS value ping -R sets: NOP + RR with ``slots`` empty addresses (40 bytes)."""
    space = bytearray(3 + 4 * slots + 1)
    space[0] = IPOPT_NOP
    space[1] = IPOPT_RR
    space[2] = len(space) - 1
    space[3] = IPOPT_MINOFF
    return bytes(space)


def timestamp_option(ts_type, prespec=()):
    """The IP_OPTIONS value ping -T sets (``prespec``: packed IPv4 addresses for tsprespec)."""
    space = bytearray(40)
    space[0] = IPOPT_TS
    space[1] = 40 if ts_type == IPOPT_TS_TSONLY else 36
    space[2] = 5
    space[3] = ts_type
    if ts_type == IPOPT_TS_PRESPEC:
        space[1] = 4 + len(prespec) * 8
        for i, raw in enumerate(prespec):
            space[4 + i * 8:8 + i * 8] = raw
    return bytes(space[:space[1]])


# --- socket error queue (IP_RECVERR / IPV6_RECVERR) ------------------------------------------
SO_EE_ORIGIN_NONE = 0
SO_EE_ORIGIN_LOCAL = 1
SO_EE_ORIGIN_ICMP = 2
SO_EE_ORIGIN_ICMP6 = 3

_EXT_ERR = struct.Struct("=IBBBBII")


@dataclass
class ExtendedError:
    """``struct sock_extended_err`` plus the offender address that follows it."""

    errno: int
    origin: int
    type: int
    code: int
    info: int
    data: int
    offender: str  # textual address of the host that sent the ICMP error ('' if none)
    offender_scope: int = 0  # IPv6 scope id of the offender


def parse_extended_error(cmsg_data):
    if len(cmsg_data) < _EXT_ERR.size:
        return None
    err, origin, kind, code, _pad, info, data = _EXT_ERR.unpack_from(cmsg_data)
    offender = ""
    scope = 0
    tail = cmsg_data[_EXT_ERR.size:]
    if len(tail) >= 8:
        family = struct.unpack_from("=H", tail)[0]
        if family == 2:
            offender = ipv4_text(tail[4:8])
        elif family == 10 and len(tail) >= 24:
            import socket

            offender = socket.inet_ntop(socket.AF_INET6, bytes(tail[8:24]))
            if len(tail) >= 28:
                scope = struct.unpack_from("=I", tail, 24)[0]
    return ExtendedError(err, origin, kind, code, info, data, offender, scope)
