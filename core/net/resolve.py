"""Name resolution the way the C tools do it: glibc's getaddrinfo/getnameinfo, same flags.

Python's ``socket.getaddrinfo`` encodes a ``str`` host with its own IDNA-2003 codec before glibc
sees it; the originals let glibc (libidn2, ``AI_IDN``) do that. Hosts are therefore passed as
bytes here, with the AI_IDN flags when the locale is not C, so non-ASCII names resolve and fail
exactly as in the originals. Errors carry glibc's ``gai_strerror`` text.
"""

import os
import socket
from dataclasses import dataclass

# glibc values (not exported by the socket module)
AI_IDN = 0x0040
AI_CANONIDN = 0x0080
NI_IDN = 0x0020
EAI_ADDRFAMILY = -9


class ResolveError(Exception):
    """A resolver failure; ``str(err)`` is glibc's text ("Name or service not known")."""

    def __init__(self, code, text):
        super().__init__(text)
        self.code = code
        self.text = text


@dataclass(frozen=True)
class AddrInfo:
    family: int
    address: str        # numeric text
    sockaddr: tuple     # as socket.getaddrinfo returns it
    canonname: str      # '' except on the first result (glibc fills only that one)


def _host_bytes(host):
    if isinstance(host, bytes):
        return host
    return os.fsencode(host)


def idn_flags():
    """AI_IDN|AI_CANONIDN as iputils sets them after setlocale(LC_ALL, ""): AI_CANONIDN is
    dropped when that locale is C. (Python coerces a C LC_CTYPE to C.UTF-8 at start-up, so
    the environment is read the way setlocale reads it instead of asking Python.)"""
    current = ""
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        current = os.environ.get(name, "")
        if current:
            break
    flags = AI_IDN
    if current not in ("", "C", "POSIX"):
        flags |= AI_CANONIDN
    return flags


def getaddrinfo(host, family=socket.AF_UNSPEC, socktype=socket.SOCK_DGRAM,
                proto=socket.IPPROTO_UDP, flags=socket.AI_CANONNAME):
    """All results of getaddrinfo(host) in glibc's order, as :class:`AddrInfo`."""
    try:
        results = socket.getaddrinfo(_host_bytes(host), None, family, socktype, proto, flags)
    except socket.gaierror as exc:
        raise ResolveError(exc.errno, exc.strerror) from None
    except UnicodeError:
        raise ResolveError(socket.EAI_NONAME, "Name or service not known") from None
    return [AddrInfo(fam, sa[0], sa, canon or "") for fam, _t, _p, canon, sa in results]


def gai_strerror(code):
    """glibc's text for a getaddrinfo error code."""
    texts = {
        socket.EAI_NONAME: "Name or service not known",
        socket.EAI_AGAIN: "Temporary failure in name resolution",
        socket.EAI_FAIL: "Non-recoverable failure in name resolution",
        socket.EAI_FAMILY: "ai_family not supported",
        EAI_ADDRFAMILY: "Address family for hostname not supported",
        socket.EAI_NODATA: "No address associated with hostname",
    }
    return texts.get(code, "Unknown error")


def numeric_ipv4(text):
    """inet_aton(3) semantics ("127.1", "0x7f.1" are addresses): the dotted quad or None."""
    try:
        return socket.inet_ntoa(socket.inet_aton(text))
    except (OSError, ValueError, UnicodeError):
        return None


def is_ipv6_literal(text):
    try:
        socket.inet_pton(socket.AF_INET6, text)
        return True
    except (OSError, ValueError, UnicodeError):
        return False


def reverse_name(address, family=None, scope_id=0, flags=0):
    """getnameinfo(address) without NI_NAMEREQD: the PTR name, or the numeric address when the
    name does not exist (the C tools print that as "addr (addr)" in places), or None when the
    lookup itself failed (no answer from the resolver: glibc then returns an error)."""
    family = family or (socket.AF_INET6 if ":" in address else socket.AF_INET)
    sockaddr = (address, 0, 0, scope_id) if family == socket.AF_INET6 else (address, 0)
    try:
        return socket.getnameinfo(sockaddr, flags)[0]
    except (OSError, UnicodeError):  # a PTR name that is not UTF-8: print the address instead
        return None


def ptr_name(address, family=None):
    """The PTR name of ``address`` or None (NI_NAMEREQD)."""
    family = family or (socket.AF_INET6 if ":" in address else socket.AF_INET)
    sockaddr = (address, 0, 0, 0) if family == socket.AF_INET6 else (address, 0)
    try:
        return socket.getnameinfo(sockaddr, socket.NI_NAMEREQD)[0]
    except (OSError, UnicodeError):
        return None
