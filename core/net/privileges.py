"""Opening ICMP sockets with or without privileges, the way iputils does.

iputils tries an ICMP *datagram* socket first (``socket(AF, SOCK_DGRAM, IPPROTO_ICMP)``, the
"ping socket", allowed when the caller's group is inside ``net.ipv4.ping_group_range``), and
falls back to a raw socket (root or CAP_NET_RAW) when the kernel refuses the datagram socket
with EACCES, EPROTONOSUPPORT or (IPv4) EAFNOSUPPORT. A datagram socket has its identifier
picked by the kernel (the local "port") and its checksum computed by the kernel; a raw socket
sees every ICMP packet of the host, so replies must be filtered by identifier.
"""

import errno
import os
import socket
from dataclasses import dataclass

CAP_NET_RAW = 13


@dataclass
class SocketAttempt:
    """The result of :func:`open_icmp_socket`: ``sock`` is None on failure, then ``error`` is
    the errno of the last attempt. ``socktype`` is the type tried last (SOCK_RAW after a
    fallback), as iputils reports it."""

    sock: socket.socket
    socktype: int
    error: int = 0

    @property
    def raw(self):
        return self.socktype == socket.SOCK_RAW


def icmp_protocol(family):
    return socket.IPPROTO_ICMPV6 if family == socket.AF_INET6 else socket.IPPROTO_ICMP


def open_icmp_socket(family, socktype=socket.SOCK_DGRAM):
    """Create an ICMP socket like iputils' create_socket(): datagram first when ``socktype`` is
    SOCK_DGRAM, raw when asked for or as the fallback. Never raises."""
    proto = icmp_protocol(family)
    err = 0
    fallback = False
    if socktype == socket.SOCK_DGRAM:
        try:
            return SocketAttempt(socket.socket(family, socket.SOCK_DGRAM, proto), socktype)
        except OSError as exc:
            err = exc.errno
            if err == errno.EAFNOSUPPORT and family == socket.AF_INET:
                fallback = True
            if err in (errno.EPROTONOSUPPORT, errno.EACCES):
                fallback = True
    if socktype == socket.SOCK_RAW or fallback:
        socktype = socket.SOCK_RAW
        try:
            return SocketAttempt(socket.socket(family, socket.SOCK_RAW, proto), socktype)
        except OSError as exc:
            err = exc.errno
    return SocketAttempt(None, socktype, err)


def socket_failure_messages(attempt, requisite):
    """The lines iputils prints (each after ``prog: ``) when a socket could not be made:
    ``socktype: SOCK_RAW`` / ``socket: Operation not permitted`` and, when the program has to
    give up and is not root, the capability hint."""
    lines = [f"socktype: {socktype_name(attempt.socktype)}",
             f"socket: {os.strerror(attempt.error)}"]
    if requisite and attempt.socktype == socket.SOCK_RAW and os.geteuid() != 0:
        lines.append("=> missing cap_net_raw+p capability or setuid?")
    return lines


def socktype_name(socktype):
    if not socktype:
        return "0"
    return {socket.SOCK_DGRAM: "SOCK_DGRAM", socket.SOCK_RAW: "SOCK_RAW"}.get(socktype,
                                                                          str(socktype))


def has_capability(cap=CAP_NET_RAW):
    """Is ``cap`` in this process's effective set (root normally has them all)?"""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("CapEff:"):
                    return bool(int(line.split()[1], 16) >> cap & 1)
    except OSError:
        pass
    return os.geteuid() == 0


def ping_group_range():
    """``net.ipv4.ping_group_range`` of this network namespace as (low, high), or None."""
    try:
        with open("/proc/sys/net/ipv4/ping_group_range") as f:
            low, high = f.read().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return None
