"""The kernel routing tables as net-tools reads them: /proc/net/route, /proc/net/ipv6_route and
the (empty on modern kernels) /proc/net/rt_cache, plus the networks database (/etc/networks).

Only file reads and the C ``_socket`` module (the ``socket`` package costs milliseconds of
start-up for its enums; a route listing must start as fast as the tool itself). The records
are plain ``__slots__`` classes for the same reason: a dataclass costs ~1.5 ms to create.
Callers get plain records; formatting (flag letters, name resolution, columns) belongs to the
tool that prints them.

Addresses in /proc/net/route are 32-bit words printed in host byte order (``0100A8C0`` is
192.168.0.1 on a little-endian machine); :func:`proc_hex_to_ipv4` decodes them as net-tools
does, by byte pairs in memory order.
"""

import sys

try:
    import _socket as _sock  # the C module: inet_ntop/inet_aton without socket.py's enums
except ImportError:  # pragma: no cover - other interpreters
    import socket as _sock

from . import Record, atoi

AF_INET, AF_INET6 = _sock.AF_INET, _sock.AF_INET6

ROUTE_PATH = "/proc/net/route"
ROUTE6_PATH = "/proc/net/ipv6_route"
RTCACHE_PATH = "/proc/net/rt_cache"
NETWORKS_PATH = "/etc/networks"

# <linux/route.h> and <linux/ipv6_route.h> flags (net-tools uses both sets).
RTF_UP = 0x0001
RTF_GATEWAY = 0x0002
RTF_HOST = 0x0004
RTF_REINSTATE = 0x0008
RTF_DYNAMIC = 0x0010
RTF_MODIFIED = 0x0020
RTF_MTU = 0x0040
RTF_WINDOW = 0x0080
RTF_IRTT = 0x0100
RTF_REJECT = 0x0200
RTF_DEFAULT = 0x00010000
RTF_ALLONLINK = 0x00020000
RTF_ADDRCONF = 0x00040000
RTF_NONEXTHOP = 0x00200000
RTF_EXPIRES = 0x00400000
RTF_CACHE = 0x01000000
RTF_FLOW = 0x02000000
RTF_POLICY = 0x04000000
RTF_LOCAL = 0x80000000
RTF_NOTCACHED = 0x0400  # 2.0.36 kernels


class Route4(Record):
    """One line of /proc/net/route. Addresses as dotted quads; ``flags`` the raw RTF_* bits."""

    FIELDS = tuple((name, None) for name in (
        "iface", "destination", "gateway", "flags", "refcnt", "use", "metric", "mask", "mtu",
        "window", "irtt"))
    __slots__ = tuple(name for name, _ in FIELDS)


class Route6(Record):
    """One line of /proc/net/ipv6_route (addresses in canonical text form)."""

    FIELDS = tuple((name, None) for name in (
        "destination", "prefix_len", "source", "source_len", "next_hop", "metric", "refcnt",
        "use", "flags", "iface"))
    __slots__ = tuple(name for name, _ in FIELDS)


class CachedRoute4(Record):
    """One entry of the IPv4 routing cache (/proc/net/rt_cache, 2.2+ kernel layout)."""

    FIELDS = tuple((name, None) for name in (
        "iface", "destination", "gateway", "flags", "refcnt", "use", "metric", "source", "mtu",
        "window", "irtt", "tos", "hhref", "hhuptod", "spec_dst"))
    __slots__ = tuple(name for name, _ in FIELDS)


def proc_hex_to_ipv4(text):
    """``0100A8C0`` -> ``'192.168.0.1'``: the hex digits are the address word's bytes in memory
    order, byte pair by byte pair (net-tools' INET_getsock reads them the same way)."""
    raw = bytes.fromhex(text[:8])
    if sys.byteorder == "little":  # the kernel printed the network-order word in host order
        raw = raw[::-1]
    return _sock.inet_ntop(AF_INET, raw)


def _int(text, base=10):
    """C's ``%d``/``%X`` as far as /proc needs it: a parse failure is simply absent (None)."""
    try:
        return int(text, base)
    except ValueError:
        return None


def _header_index(header, names):
    """Column positions of ``names`` in a /proc header line (net-tools' proc_gen_fmt finds the
    fields by title, so the kernel may add or move columns)."""
    titles = header.replace("|", " ").split()
    return [titles.index(name) if name in titles else None for name in names]


def _open_lines(path):
    with open(path, "r", encoding="ascii", errors="surrogateescape") as handle:
        return handle.read().splitlines()


_ROUTE_FIELDS = ("Iface", "Destination", "Gateway", "Flags", "RefCnt", "Use", "Metric", "Mask",
                 "MTU", "Window", "IRTT")


def ipv4_routes(path=None, up_only=True):
    """The IPv4 FIB from ``path`` in kernel order; raises OSError if it cannot be read.

    Like net-tools, lines with fewer than ten parsable fields and (with ``up_only``) routes
    without RTF_UP are skipped. A missing required header field raises ValueError with
    net-tools' warning text.
    """
    path = path or ROUTE_PATH
    lines = _open_lines(path)
    if not lines:
        return []
    index = _header_index(lines[0], _ROUTE_FIELDS)
    for name, position in zip(_ROUTE_FIELDS, index):
        if position is None:
            raise ValueError(f"warning: {path} does not contain required field {name}")
    routes = []
    for line in lines[1:]:
        cols = line.split()
        values = [cols[i] if i < len(cols) else None for i in index]
        parsed = [values[0], values[1], values[2], _hex(values[3]), *(_num(v) for v in values[4:7]),
                  values[7], *(_num(v) for v in values[8:11])]
        count = _count_parsed(parsed)
        if count < 10 or parsed[3] is None:
            continue
        if up_only and not parsed[3] & RTF_UP:
            continue
        try:
            dest, gate, mask = (proc_hex_to_ipv4(v) for v in (parsed[1], parsed[2], parsed[7]))
        except (ValueError, TypeError):
            continue
        routes.append(Route4(parsed[0][:16], dest, gate, parsed[3], parsed[4], parsed[5],
                             parsed[6], mask, parsed[8] or 0, parsed[9] or 0, parsed[10] or 0))
    return routes


def _hex(text):
    return None if text is None else _int(text, 16)


def _num(text):
    return None if text is None else _int(text)


def _count_parsed(values):
    """How many leading fields parsed (sscanf's return value)."""
    count = 0
    for value in values:
        if value is None:
            break
        count += 1
    return count


def ipv6_routes(path=None):
    """The IPv6 routing table from ``path`` in kernel order (raises OSError if unreadable)."""
    path = path or ROUTE6_PATH
    routes = []
    for line in _open_lines(path):
        cols = line.split()
        if len(cols) < 10:
            continue
        try:
            dest, src, hop = (_sock.inet_ntop(AF_INET6, bytes.fromhex(cols[i]))
                              for i in (0, 2, 4))
            numbers = [int(cols[i], 16) for i in (1, 3, 5, 6, 7, 8)]
        except ValueError:
            continue
        metric = numbers[2] - (1 << 32) if numbers[2] & 0x80000000 else numbers[2]
        routes.append(Route6(dest, numbers[0], src, numbers[1], hop, metric, _signed(numbers[3]),
                             _signed(numbers[4]), numbers[5], cols[9][:15]))
    return routes



def _signed(value):
    return value - (1 << 32) if value & 0x80000000 else value


_CACHE_FIELDS = ("Iface", "Destination", "Gateway", "Flags", "RefCnt", "Use", "Metric", "Source",
                 "MTU", "Window", "IRTT", "TOS", "HHRef", "HHUptod", "SpecDst")


def rt_cache_format(header):
    """net-tools' guess of the rt_cache layout from its header: 2 (2.2+ kernels), 1 (2.0.36)
    or the raw bit mask when neither matches (it prints an ERROR line then)."""
    flag = 0
    for bit, name in ((1, "IRTT"), (2, "TOS"), (4, "HHRef"), (8, "HHUptod"), (16, "SpecDst"),
                      (32, "HH"), (64, "ARP")):
        if name in header:
            flag |= bit
    return {63: 2, 97: 1}.get(flag, flag)


def ipv4_route_cache(path=None):
    """``(format, entries)`` from the IPv4 routing cache. Modern kernels keep only the header
    line (the cache was removed in 3.6), so entries is almost always empty."""
    path = path or RTCACHE_PATH
    lines = _open_lines(path)
    header = lines[0] if lines else ""
    fmt = rt_cache_format(header)
    entries = []
    if fmt == 2:
        index = _header_index(header, _CACHE_FIELDS)
        for line in lines[1:]:
            cols = line.split()
            if any(i is None or i >= len(cols) for i in index[:12]):
                continue
            get = [cols[i] if i is not None and i < len(cols) else "0" for i in index]
            try:
                entries.append(CachedRoute4(
                    get[0][:16], proc_hex_to_ipv4(get[1]), proc_hex_to_ipv4(get[2]), int(get[3], 16),
                    int(get[4]), int(get[5]), int(get[6]), proc_hex_to_ipv4(get[7]), int(get[8]),
                    int(get[9]), int(get[10]), atoi(get[11]), int(get[12]), int(get[13]),
                    proc_hex_to_ipv4(get[14]) if get[14] != "0" else "0.0.0.0"))
            except ValueError:
                continue
    return fmt, entries


# -- the networks database (getnetbyaddr(3) for "networks: files") -----------------------------

_networks = None


def _inet_network(text):
    """glibc's inet_network() after nss_files has padded missing parts with ``.0``."""
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    parts += ["0"] * (4 - len(parts))
    value = 0
    for part in parts:
        try:
            number = int(part, 0) if part[:2].lower() == "0x" else (int(part, 8) if part.startswith("0") and len(part) > 1 else int(part))
        except ValueError:
            return None
        if not 0 <= number <= 255:
            return None
        value = (value << 8) | number
    return value


def _load_networks(path):
    table = []
    try:
        with open(path, "r", encoding="ascii", errors="surrogateescape") as handle:
            for line in handle:
                line = line.split("#", 1)[0].split()
                if len(line) < 2:
                    continue
                number = _inet_network(line[1])
                if number is not None:
                    table.append((number, line[0]))
    except OSError:
        pass
    return table


def network_name(address, path=None):
    """The name /etc/networks gives the network ``address`` (dotted quad), or None.

    This is getnetbyaddr(ntohl(addr), AF_INET) with glibc's "files" service, which is what
    Debian's nsswitch.conf configures; Python has no binding for it.
    """
    path = path or NETWORKS_PATH
    global _networks
    if _networks is None or _networks[0] != path:
        _networks = (path, _load_networks(path))
    value = int.from_bytes(_sock.inet_aton(address), "big")
    for number, name in _networks[1]:
        if number == value:
            return name
    return None

