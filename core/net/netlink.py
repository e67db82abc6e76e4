"""A small stdlib client for NETLINK_SOCK_DIAG (the interface ``ss`` uses).

Only what the socket table needs: one dump request per (family, protocol), answered as a stream
of ``inet_diag_msg`` / ``unix_diag_msg`` records. Decoding is kept flat (``struct.unpack_from`` at
offsets into the receive buffer, no per-attribute objects) because a dump of 50,000 sockets must
cost tens of milliseconds, not hundreds.

Kernel references: include/uapi/linux/inet_diag.h, sock_diag.h, unix_diag.h.
"""

import os
import _socket as socket  # the C module: `socket` builds its enums at import, ~4 ms
import struct

NETLINK_SOCK_DIAG = 4
SOCK_DIAG_BY_FAMILY = 20
NLM_F_REQUEST = 0x1
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3

#: All TCP states 1..12 (TCP_NEW_SYN_RECV included, so request sockets are reported as
#: SYN_RECV), but not bit 13 (TCP_BOUND_INACTIVE: bound, never listened sockets that /proc/net/tcp
#: does not list either).
ALL_STATES = 0x1FFE | 0x1

# inet_diag_ext bits (request extensions; the kernel appends them as attributes)
INET_DIAG_INFO = 2

_NLMSGHDR = struct.Struct("=IHHII")
_HEAD = struct.Struct("=IH")
# inet_diag_req_v2: family, protocol, ext, pad, states, then an inet_diag_sockid of zeros
_INET_REQ = struct.Struct("=BBBxI48x")
# unix_diag_req: family, protocol, pad16, states, ino, show, cookie[2]
_UNIX_REQ = struct.Struct("=BBxxIIIII")

# inet_diag_msg: family, state, timer, retrans, sport(be16), dport(be16), src[16], dst[16],
# if, cookie[2], expires, rqueue, wqueue, uid, inode. Ports stay 2-byte strings (callers map
# them through a cache); addresses are sliced to 4 bytes for IPv4.
INET_MSG4 = struct.Struct("=xBBB2s2s4s12x4s12x12xIIIII")
INET_MSG6 = struct.Struct("=xBBB2s2s16s16s12xIIIII")


class NetlinkUnavailable(OSError):
    """sock_diag cannot answer (no netlink, module missing, or not permitted)."""


def _socket():
    try:
        sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC, NETLINK_SOCK_DIAG)
    except (OSError, AttributeError) as exc:
        raise NetlinkUnavailable(getattr(exc, "errno", 0) or 0, f"sock_diag: {exc}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    except OSError:
        pass
    return sock


def dump_chunks(request):
    """Send one dump request; yield the answer as ``(chunk, length)``: ``chunk`` is bytes
    holding whole messages (NLMSG_DONE excluded), ``length`` is the common length of all of
    them when they share one (the usual case: a consumer can then decode the chunk with one
    ``Struct.iter_unpack``) or 0 (walk them one by one). Raises NetlinkUnavailable when the
    kernel answers with an error (protocol not supported, ...)."""
    sock = _socket()
    try:
        header = _NLMSGHDR.pack(16 + len(request), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, 1, 0)
        sock.sendto(header + request, (0, 0))
        recv = sock.recv
        while True:
            data = recv(65536)
            if not data:
                return
            size = len(data)
            first, mtype = _HEAD.unpack_from(data, 0)
            if mtype == SOCK_DIAG_BY_FAMILY and first > 36 and not first % 4 and not size % first:
                lengths = memoryview(data).cast("I")[::first // 4].tolist()
                if lengths.count(first) == len(lengths):
                    yield data, first
                    continue
            # mixed lengths, or a DONE/ERROR in this chunk: walk it
            off = 0
            while off < size:
                length, mtype = _HEAD.unpack_from(data, off)
                if mtype == NLMSG_DONE:
                    if off:
                        yield data[:off], 0
                    return
                if mtype == NLMSG_ERROR:
                    err = -struct.unpack_from("=i", data, off + 16)[0]
                    if off:
                        yield data[:off], 0
                    raise NetlinkUnavailable(err, f"sock_diag: {os.strerror(err)}")
                if length < 16:
                    raise NetlinkUnavailable(0, "sock_diag: malformed answer")
                off += (length + 3) & ~3
            yield data, 0
    finally:
        sock.close()


#: inet_diag request attribute carrying a filter program (include/uapi/linux/inet_diag.h)
INET_DIAG_REQ_BYTECODE = 1
INET_DIAG_BC_D_LE = 5
_BC_OP = struct.Struct("=BBH")
_RTATTR = struct.Struct("=HH")


def bytecode_dport_le(port):
    """A sock_diag filter program keeping the sockets whose remote port is <= ``port`` (as
    ``ss 'dport <= :PORT'`` compiles it): one comparison that jumps to the end (accept) when
    true and past it (reject) when false, then the operand."""
    return _BC_OP.pack(INET_DIAG_BC_D_LE, 8, 12) + _BC_OP.pack(0, 0, port)


def inet_request(family, protocol, states=ALL_STATES, ext=0, bytecode=b""):
    """An inet_diag_req_v2 dump request; ``bytecode``: a filter program the kernel runs on
    each socket (see :func:`bytecode_dport_le`)."""
    request = _INET_REQ.pack(family, protocol, ext, states)
    if bytecode:
        attr = _RTATTR.pack(4 + len(bytecode), INET_DIAG_REQ_BYTECODE) + bytecode
        request += attr + bytes(-len(attr) % 4)
    return request
