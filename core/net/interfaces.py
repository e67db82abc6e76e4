"""Network interfaces: names, flags, MTU, counters and addresses, as the classic tools see them.

Two layers, chosen by cost:

* The net-tools view, for ``netstat -i`` / ``ifconfig``-style output: counters from
  /proc/net/dev, IPv4 label aliases from SIOCGIFCONF, flags/MTU/hardware address/queue length
  and the label's primary IPv4 address from ``SIOC*`` ioctls, IPv6 addresses from
  /proc/net/if_inet6. Only the standard library (``fcntl``, ``array`` and the C ``_socket``
  module: ``socket.py`` costs milliseconds of start-up for its enums, ``struct`` another dlopen
  that int.to_bytes() makes unnecessary); the ioctls are answered
  by the caller's network namespace, unlike /sys, which shows the namespace it was mounted in.
  Records are ``__slots__`` classes: a dataclass costs ~1.5 ms to create.
* :func:`addresses`: every address of every interface through netifaces (netifaces-plus),
  imported on first use only, for tools that need "all addresses" (source-address checks,
  interface lists) rather than net-tools' one-address-per-label view.
"""

import sys

try:
    import _socket as _sock  # the C module (see above)
except ImportError:  # pragma: no cover - other interpreters
    import socket as _sock

from . import Record

DEV_PATH = "/proc/net/dev"
IF_INET6_PATH = "/proc/net/if_inet6"

# <net/if.h>
IFF_UP = 0x1
IFF_BROADCAST = 0x2
IFF_DEBUG = 0x4
IFF_LOOPBACK = 0x8
IFF_POINTOPOINT = 0x10
IFF_NOTRAILERS = 0x20
IFF_RUNNING = 0x40
IFF_NOARP = 0x80
IFF_PROMISC = 0x100
IFF_ALLMULTI = 0x200
IFF_MASTER = 0x400
IFF_SLAVE = 0x800
IFF_MULTICAST = 0x1000
IFF_PORTSEL = 0x2000
IFF_AUTOMEDIA = 0x4000
IFF_DYNAMIC = 0x8000

# <linux/sockios.h>
SIOCGIFCONF = 0x8912
SIOCGIFFLAGS = 0x8913
SIOCGIFADDR = 0x8915
SIOCGIFDSTADDR = 0x8917
SIOCGIFBRDADDR = 0x8919
SIOCGIFNETMASK = 0x891B
SIOCGIFMTU = 0x8921
SIOCGIFHWADDR = 0x8927
SIOCGIFTXQLEN = 0x8942
SIOCGIFMAP = 0x8970

IFNAMSIZ = 16
_LONG = 8 if sys.maxsize > 2 ** 32 else 4  # C long / pointer size
# struct ifreq: the name, then a union whose largest member is struct ifmap (2 longs, a short,
# 3 chars, padded to a long) or struct sockaddr (16 bytes)
IFREQ_SIZE = IFNAMSIZ + max(16, (2 * _LONG + 5 + _LONG - 1) // _LONG * _LONG)
_ORDER = sys.byteorder


def _int(data, start, size, signed=False):
    return int.from_bytes(data[start:start + size], _ORDER, signed=signed)


_COUNTERS = ("rx_bytes", "rx_packets", "rx_errors", "rx_dropped", "rx_fifo_errors",
             "rx_frame_errors", "rx_compressed", "rx_multicast", "tx_bytes", "tx_packets",
             "tx_errors", "tx_dropped", "tx_fifo_errors", "collisions", "tx_carrier_errors",
             "tx_compressed")


class DevCounters(Record):
    """One interface's line of /proc/net/dev (fields as in struct net_device_stats)."""

    FIELDS = (("name", None),) + tuple((name, 0) for name in _COUNTERS)
    __slots__ = tuple(name for name, _ in FIELDS)


# Field order of each /proc/net/dev layout (net-tools' get_dev_fields).
_DEV_LAYOUTS = {
    3: ("rx_bytes", "rx_packets", "rx_errors", "rx_dropped", "rx_fifo_errors", "rx_frame_errors",
        "rx_compressed", "rx_multicast", "tx_bytes", "tx_packets", "tx_errors", "tx_dropped",
        "tx_fifo_errors", "collisions", "tx_carrier_errors", "tx_compressed"),
    2: ("rx_bytes", "rx_packets", "rx_errors", "rx_dropped", "rx_fifo_errors", "rx_frame_errors",
        "tx_bytes", "tx_packets", "tx_errors", "tx_dropped", "tx_fifo_errors", "collisions",
        "tx_carrier_errors"),
    1: ("rx_packets", "rx_errors", "rx_dropped", "rx_fifo_errors", "rx_frame_errors",
        "tx_packets", "tx_errors", "tx_dropped", "tx_fifo_errors", "collisions",
        "tx_carrier_errors"),
}


def _dev_name(line):
    """net-tools' get_name(): the interface name before ':' (``eth0:1:`` old-style aliases
    keep their ``:1``); returns (name, rest of line). Like net-tools 2.10 it copies at most
    IFNAMSIZ - 1 characters and then stops where it is: the counters of a 15-character name
    are read from its ':' on, so sscanf() reads none of them (netstat -i shows zeros)."""
    text = line.lstrip()
    limit = IFNAMSIZ - 1
    i = 0
    name = []
    while i < len(text):
        if len(name) >= limit:
            return "".join(name), text[i:]
        ch = text[i]
        if ch.isspace():
            break
        if ch == ":":
            j = i + 1
            while j < len(text) and text[j].isdigit():
                j += 1
            if j < len(text) and text[j] == ":" and j > i + 1:
                while i < j:
                    if len(name) >= limit:
                        return "".join(name), text[i:]
                    name.append(text[i])
                    i += 1
            i += 1
            break
        name.append(ch)
        i += 1
    return "".join(name), text[i:]


def _scan_numbers(text, count):
    """sscanf("%lu %lu ...") leniently: stops at the first non-number, like sscanf does (a
    number followed by something else, "2:500", gives 2 and stops)."""
    values = []
    for token in text.split()[:count]:
        sign = token[:1] if token[:1] in ("+", "-") else ""
        end = len(sign)
        while end < len(token) and token[end] in "0123456789":
            end += 1
        if end == len(sign):
            break
        values.append(int(token[:end]) % (1 << 64))
        if end < len(token):
            break
    return values


def proc_net_dev(path=None):
    """Counters of every interface in /proc/net/dev order (raises OSError if unreadable)."""
    path = path or DEV_PATH
    with open(path, "r", encoding="ascii", errors="surrogateescape") as handle:
        lines = handle.read().splitlines()
    if len(lines) < 2:
        return []
    header = lines[1]
    version = 3 if "compressed" in header else 2 if "bytes" in header else 1
    layout = _DEV_LAYOUTS[version]
    result = []
    for line in lines[2:]:
        name, rest = _dev_name(line)
        counters = DevCounters(name)
        for attr, value in zip(layout, _scan_numbers(rest, len(layout))):
            setattr(counters, attr, value)
        result.append(counters)
    return result


class Inet6Address(Record):
    """A line of /proc/net/if_inet6: address, interface index, prefix length, scope bits
    (IPV6_ADDR_* as net-tools prints them), DAD/flags byte and device name."""

    FIELDS = tuple((name, None) for name in ("address", "ifindex", "prefixlen", "scope", "flags",
                                             "device"))
    __slots__ = tuple(name for name, _ in FIELDS)


def ipv6_addresses(path=None):
    """Every IPv6 address in /proc/net/if_inet6 order ([] when IPv6 is absent)."""
    path = path or IF_INET6_PATH
    try:
        with open(path, "r", encoding="ascii", errors="surrogateescape") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return []
    result = []
    for line in lines:
        cols = line.split()
        if len(cols) < 6:
            continue
        try:
            addr = _sock.inet_ntop(_sock.AF_INET6, bytes.fromhex(cols[0]))
            result.append(Inet6Address(addr, int(cols[1], 16), int(cols[2], 16), int(cols[3], 16),
                                       int(cols[4], 16), cols[5][:20]))
        except ValueError:
            continue
    return result


class IfMap(Record):
    """struct ifmap (SIOCGIFMAP): I/O resources of old-style NICs."""

    FIELDS = tuple((name, 0) for name in ("mem_start", "mem_end", "base_addr", "irq", "dma",
                                          "port"))
    __slots__ = tuple(name for name, _ in FIELDS)


class IfConfig(Record):
    """What net-tools' if_fetch() learns about one interface (or IPv4 label) by ioctl."""

    FIELDS = (("name", None), ("flags", 0), ("hw_type", -1), ("hw_address", b""), ("mtu", 0),
              ("map", IfMap), ("tx_queue_len", -1), ("has_ip", False), ("address", None),
              ("destination", None), ("broadcast", None), ("netmask", None))
    __slots__ = tuple(name for name, _ in FIELDS)


class IfQuery:
    """Interface ioctls on one datagram socket (what net-tools calls ``skfd``).

    Use as a context manager, or call :meth:`close`. Every query takes an interface name or an
    IPv4 label (``eth0:1``); a failing ioctl raises OSError with the kernel's errno.
    """

    def __init__(self):
        self.sock = _sock.socket(_sock.AF_INET, _sock.SOCK_DGRAM)
        import fcntl

        self._ioctl = fcntl.ioctl

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _request(self, name, request, payload=b""):
        ifreq = name.encode("ascii", "surrogateescape")[:IFNAMSIZ - 1].ljust(IFNAMSIZ, b"\0")
        ifreq += payload.ljust(IFREQ_SIZE - IFNAMSIZ, b"\0")
        return self._ioctl(self.sock.fileno(), request, ifreq)[IFNAMSIZ:]

    def flags(self, name):
        """SIOCGIFFLAGS: the 16-bit ``ifr_flags`` (sign-extended as a C short)."""
        return _int(self._request(name, SIOCGIFFLAGS), 0, 2, signed=True)

    def mtu(self, name):
        return _int(self._request(name, SIOCGIFMTU), 0, 4, signed=True)

    def hwaddr(self, name):
        """SIOCGIFHWADDR: ``(ARPHRD_* type, the first 8 address bytes)``."""
        data = self._request(name, SIOCGIFHWADDR)
        return _int(data, 0, 2), bytes(data[2:10])

    def tx_queue_len(self, name):
        return _int(self._request(name, SIOCGIFTXQLEN), 0, 4, signed=True)

    def ifmap(self, name):
        data = self._request(name, SIOCGIFMAP)
        n = 2 * _LONG
        return IfMap(_int(data, 0, _LONG), _int(data, _LONG, _LONG), _int(data, n, 2),
                     data[n + 2], data[n + 3], data[n + 4])

    def inet_address(self, name, request=SIOCGIFADDR):
        """One of the IPv4 address ioctls: the label's primary address (SIOCGIFADDR), its
        peer (SIOCGIFDSTADDR), broadcast (SIOCGIFBRDADDR) or netmask (SIOCGIFNETMASK)."""
        data = self._request(name, request, _sock.AF_INET.to_bytes(2, _ORDER))
        return _sock.inet_ntop(_sock.AF_INET, bytes(data[4:8]))

    def names(self):
        """SIOCGIFCONF: the interfaces and labels holding an IPv4 address, in kernel order."""
        import array

        count = 30
        while True:
            buf = array.array("B", bytes(count * IFREQ_SIZE))
            address, _ = buf.buffer_info()
            # struct ifconf: int ifc_len, (padding to a pointer), char *ifc_buf
            request = (len(buf).to_bytes(4, _ORDER).ljust(_LONG, b"\0")
                       + address.to_bytes(_LONG, _ORDER))
            length = _int(self._ioctl(self.sock.fileno(), SIOCGIFCONF, request), 0, 4, signed=True)
            if length == len(buf):
                count *= 2  # it may have overflowed: ask again with more room, as net-tools does
                continue
            raw = buf.tobytes()
            return [raw[i:i + IFNAMSIZ].split(b"\0", 1)[0].decode("ascii", "surrogateescape")
                    for i in range(0, length, IFREQ_SIZE)]

    def config(self, name, inet=True):
        """Everything net-tools' if_fetch() reads. SIOCGIFFLAGS must succeed (its OSError is
        raised); the other queries fall back to net-tools' defaults when they fail."""
        info = IfConfig(name, flags=self.flags(name))
        try:
            info.hw_type, info.hw_address = self.hwaddr(name)
        except OSError:
            info.hw_address = bytes(8)
        info.mtu = self._or(self.mtu, name, 0)
        info.map = self._or(self.ifmap, name, IfMap())
        info.tx_queue_len = self._or(self.tx_queue_len, name, -1)
        if inet:
            try:
                info.address = self.inet_address(name)
            except OSError:
                return info
            info.has_ip = True
            info.destination = self._or(self.inet_address, name, "0.0.0.0", SIOCGIFDSTADDR)
            info.broadcast = self._or(self.inet_address, name, "0.0.0.0", SIOCGIFBRDADDR)
            info.netmask = self._or(self.inet_address, name, "0.0.0.0", SIOCGIFNETMASK)
        return info

    @staticmethod
    def _or(query, name, default, *args):
        try:
            return query(name, *args)
        except OSError:
            return default


def addresses(name=None):
    """All addresses of interface ``name`` (or of every interface: ``{name: [...]}``) as
    netifaces reports them: ``{"inet": [{"addr", "netmask", "broadcast"|"peer"}], "inet6": [...],
    "link": [{"addr"}]}``. IPv6 netmasks are normalised to the bare mask (netifaces appends
    ``/64``), and link-local addresses keep their ``%iface`` suffix. Names are getifaddrs(3)'s:
    an IPv4 address with a label (``eth0:1``) is listed under the label.

    Imports netifaces on first call (a C extension, ~1 ms).
    """
    import netifaces

    families = {netifaces.AF_INET: "inet", netifaces.AF_INET6: "inet6",
                getattr(netifaces, "AF_PACKET", netifaces.AF_LINK): "link"}

    def one(ifname):
        result = {}
        for family, entries in netifaces.ifaddresses(ifname).items():
            key = families.get(family)
            if key is None:
                continue
            items = []
            for entry in entries:
                entry = dict(entry)
                if key == "inet6" and "netmask" in entry:
                    entry["netmask"] = entry["netmask"].split("/", 1)[0]
                items.append(entry)
            result[key] = items
        return result

    if name is not None:
        return one(name)
    return {ifname: one(ifname) for ifname in netifaces.interfaces()}
