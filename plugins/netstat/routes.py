"""``netstat -r``: the kernel routing tables, as net-tools 2.10 prints them.

One table per address family given (``-A inet,inet6``, ``-4 -6`` ... in command-line order,
default inet); ``-F`` (the default) prints the FIB, ``-C`` the routing cache, both when both
are given. ``-e`` picks the IPv4 layout: none gives MSS/Window/irtt, ``-e`` Metric/Ref/Use,
``-ee`` all of them, and ``-eee`` (net-tools masks the count with 3) prints the title alone.

Host names (not with ``-n``, ``--numeric-hosts`` or ``-N``) come from the system resolver as
net-tools asks for them: gethostbyaddr for hosts and gateways, the networks database for
network destinations (``link-local``), ``default`` for 0.0.0.0/0, names cut to 15 characters.
IPv6 destinations go through getnameinfo, with ``[::]`` for the unspecified address.
"""

try:
    import _socket as socket  # the C module: socket.py's enums cost milliseconds
except ImportError:  # pragma: no cover - other interpreters
    import socket

from pynetsuite.command import Renderer
from pynetsuite.net import Record, hostnames
from pynetsuite.net import routes as kroutes
from pynetsuite.net.routes import (RTF_ADDRCONF, RTF_ALLONLINK, RTF_CACHE, RTF_DEFAULT,
                                   RTF_DYNAMIC, RTF_EXPIRES, RTF_FLOW, RTF_GATEWAY, RTF_HOST,
                                   RTF_IRTT, RTF_MODIFIED, RTF_MTU, RTF_NONEXTHOP, RTF_NOTCACHED,
                                   RTF_POLICY, RTF_LOCAL, RTF_REINSTATE, RTF_REJECT, RTF_UP,
                                   RTF_WINDOW)


#: netstat -c repeats this mode.
CONTINUOUS = True

NDISC_PATH = "/proc/net/ndisc"

# -- name resolution, net-tools style (shared with the groups table) --------------------------

_host_cache = {}
_net_cache = {}


def _gethostbyaddr(address):
    name = _host_cache.get(address)
    if name is None:
        name = hostnames.gethostbyaddr(address) or address
        _host_cache[address] = name
    return name


def inet_rresolve(address, numeric, netmask="255.255.255.0", default=False, host=False):
    """net-tools' INET_rresolve(): ``address`` (dotted quad) for display.

    numeric: print digits. Otherwise 0.0.0.0 becomes ``default`` (``default``) or ``*`` when
    the mask is 0, ``0.0.0.0`` when not; an address with host bits set under ``netmask`` (or
    ``host``) is looked up with gethostbyaddr, a network address in /etc/networks.
    """
    if numeric:
        return address
    value = int.from_bytes(socket.inet_aton(address), "big")
    mask = int.from_bytes(socket.inet_aton(netmask), "big")
    if value == 0:
        if mask == 0:
            return "default" if default else "*"
        return "0.0.0.0"
    if value & ~mask & 0xFFFFFFFF or host:
        return _gethostbyaddr(address)
    name = _net_cache.get(address)
    if name is None:
        name = kroutes.network_name(address) or address
        _net_cache[address] = name
    return name


def fix_v4_address(text, address):
    """net-tools' fix_v4_address(): a v4-mapped address (``::ffff:1.2.3.4``) shows as its IPv4
    part, whatever text (digits or a name) was produced for it."""
    raw = socket.inet_pton(socket.AF_INET6, address)
    if raw[:12] == b"\0" * 10 + b"\xff\xff":
        dot = text.find(".")
        if dot >= 0:
            colon = text.rfind(":", 0, dot)
            if colon >= 0:
                return text[colon + 1:]
    return text


def inet6_rresolve(address, numeric, default=False):
    """net-tools' INET6_sprint(): digits when numeric, ``default``/``[::]`` for ::, else
    getnameinfo (which falls back to digits itself); v4-mapped addresses lose ``::ffff:``."""
    if numeric:
        return fix_v4_address(address, address)
    if address == "::":
        return "default" if default else "[::]"
    name = _host_cache.get(("6", address))
    if name is None:
        name = hostnames.getnameinfo(address)
        if name is None or len(name) > 127:  # does not fit netstat's buffer: the digits
            name = address
        name = fix_v4_address(name, address)
        _host_cache[("6", address)] = name
    return name


# -- records -----------------------------------------------------------------------------------

_PRETTY = {"U": "UP", "H": "HOST", "G": "GATEWAY", "R": "REINSTATE", "D": "DYNAMIC",
           "M": "MODIFIED", "A": "ADDRCONF", "C": "CACHE", "!": "REJECT"}


class RouteRecord(Record):
    """One route as netstat shows it; field names follow jc's netstat "route" kind.

    destination/gateway/genmask are the displayed strings (resolved unless numeric, cut to 15
    characters for IPv4 as the text is); IPv6 destinations carry their ``/prefix`` and genmask
    is None. All kernel values are present whatever the ``-e`` layout shows; the routing-cache
    columns (source, tos, hhref, hhuptod, spec_dst) only in cache entries' JSON.
    """

    FIELDS = (("kind", "route"), ("network_protocol", "ipv4"), ("table", "fib"),
              ("destination", None), ("gateway", None), ("genmask", None), ("route_flags", ""),
              ("route_flags_pretty", list), ("metric", 0), ("route_refs", 0), ("use", 0),
              ("mss", None), ("window", None), ("irtt", None), ("iface", None),
              ("source", None), ("tos", None), ("hhref", None), ("hhuptod", None),
              ("spec_dst", None), ("kernel_flags", 0))
    __slots__ = tuple(name for name, _ in FIELDS)

    _CACHE_ONLY = ("source", "tos", "hhref", "hhuptod", "spec_dst")

    def to_json(self):
        data = super().to_json()
        for name in ("destination", "gateway", "source", "spec_dst", "iface"):
            data[name] = hostnames.json_text(data[name])
        if self.table != "cache":
            for name in self._CACHE_ONLY:
                del data[name]
        return data


def _pretty(flags):
    return [_PRETTY[c] for c in flags if c in _PRETTY]


def _ipv4_flags(iflags):
    text = ""
    for bit, letter in ((RTF_UP, "U"), (RTF_GATEWAY, "G")):
        if iflags & bit:
            text += letter
    if iflags & RTF_REJECT:
        text = "!"
    for bit, letter in ((RTF_HOST, "H"), (RTF_REINSTATE, "R"), (RTF_DYNAMIC, "D"),
                        (RTF_MODIFIED, "M"), (RTF_DEFAULT, "d"), (RTF_ALLONLINK, "a"),
                        (RTF_ADDRCONF, "c"), (RTF_NONEXTHOP, "o"), (RTF_EXPIRES, "e"),
                        (RTF_CACHE, "c"), (RTF_FLOW, "f"), (RTF_POLICY, "p"), (RTF_LOCAL, "l"),
                        (RTF_MTU, "u"), (RTF_WINDOW, "w"), (RTF_IRTT, "i"), (RTF_NOTCACHED, "n")):
        if iflags & bit:
            text += letter
    return text


def _ipv6_flags(iflags):
    text = ""
    for bit, letter in ((RTF_UP, "U"), (RTF_REJECT, "!"), (RTF_GATEWAY, "G"), (RTF_HOST, "H"),
                        (RTF_DEFAULT, "D"), (RTF_ADDRCONF, "A"), (RTF_CACHE, "C"),
                        (RTF_ALLONLINK, "a"), (RTF_EXPIRES, "e"), (RTF_MODIFIED, "m"),
                        (RTF_NONEXTHOP, "n"), (RTF_FLOW, "f")):
        if iflags & bit:
            text += letter
    return text


# RTCF_* flags (<linux/in_route.h>) of the 2.2-era IPv4 routing cache, in net-tools' order;
# the third item restricts a letter to one cache layout.
_RTCF = ((0x00000001, "-", 2), (0x00000004, "o", 2), (0x00010000, "n", 0), (0x00020000, "d", 0),
         (0x00080000, "t", 0), (0x00200000, "f", 0), (0x00400000, "q", 0), (0x00800000, "Ns", 0),
         (0x01000000, "r", 0), (0x04000000, "i", 0), (0x08000000, "Nd", 0), (0x10000000, "b", 0),
         (0x20000000, "m", 0), (0x40000000, "#", 0), (0x80000000, "l", 0))


def _cache_flags(iflags, fmt):
    text = ""
    if fmt == 1:
        text += ("U" if iflags & RTF_UP else "") + ("H" if iflags & RTF_HOST else "")
    if iflags & RTF_GATEWAY:
        text += "G"
    if iflags & RTF_REJECT:
        text = "!"
    for bit, letter in ((RTF_REINSTATE, "R"), (RTF_DYNAMIC, "D"), (RTF_MODIFIED, "M")):
        if iflags & bit:
            text += letter
    for bit, letter, only in _RTCF:
        if iflags & bit and only in (0, fmt):
            text += letter
    return text


# -- the engine --------------------------------------------------------------------------------

_ALIASES = {"ip": "inet", "tcpip": "inet", "ip6": "inet6", "appletalk": "ddp", "econet": "ec"}
# Families net-tools knows but cannot route: the name its error message uses.
_NO_ROUTING = {"unix": "unix", "ec": "ec", "ash": "ash"}


class _Stop(Exception):
    def __init__(self, code):
        self.code = code


def family_list(opts, default="inet"):
    """The address families as net-tools' ``afname`` lists them: command-line order,
    duplicates kept (``-4 -4`` prints the table twice), ``default`` when none was given."""
    afname = getattr(opts, "afname", None)
    if afname is None:  # an options object without net-tools' afname: use the family set
        fams = set(getattr(opts, "families", ()) or ())
        ordered = [f for f in ("inet", "inet6") if f in fams] + sorted(fams - {"inet", "inet6"})
        afname = ",".join(_ALIASES.get(f, f) for f in ordered)
    names = [name for name in afname.split(",") if name]
    return names or [default]


def _stdout_note(inv, text):
    """A line the original prints on stdout amid its tables (kept out of JSON documents)."""
    stream = inv.stdout if inv.output_format == "text" else inv.stderr
    stream.write(text + "\n")


def _perror(inv, path, error):
    inv.stderr.write(f"{path}: {error.strerror}\n")


def run(inv, opts):
    """Print the routing table(s) for every requested family; return the exit code."""
    numeric = bool(opts.numeric_hosts or opts.symbolic)
    # net-tools swaps 1 and 2 so that the plain call (flag_exp 1) shows MSS/Window/irtt.
    exp = 1 + (opts.extend or 0)
    exp = {1: 2, 2: 1}.get(exp, exp)
    ext = exp & 3
    want_fib = opts.fib or not opts.cache
    want_cache = bool(opts.cache)
    try:
        for family in family_list(opts):
            if family == "inet":
                if want_fib:
                    _inet_fib(inv, ext, numeric)
                if want_cache:
                    _inet_cache(inv, ext, numeric)
            elif family == "inet6":
                if want_fib:
                    _inet6_table(inv, numeric, cache=False)
                if want_cache:
                    _inet6_cache(inv, numeric)
            elif family in _NO_ROUTING:
                inv.stderr.write(f"No routing for address family `{_NO_ROUTING[family]}'.\n")
                return 3
            elif family in _UNCONFIGURED:
                _UNCONFIGURED[family](inv)
            else:
                inv.stderr.write(f"Address family `{family}' not supported.\n")
                return 3
    except _Stop as stop:
        return stop.code
    return 0


def _inet_fib(inv, ext, numeric):
    try:
        routes = kroutes.ipv4_routes()
    except OSError as error:
        _perror(inv, kroutes.ROUTE_PATH, error)
        _stdout_note(inv, "INET (IPv4) not configured in this system.")
        raise _Stop(1)
    except ValueError as error:  # a required header field is missing
        inv.section("route", family="inet", table="fib", ext=ext)
        inv.stderr.write(f"{error}\n")
        raise _Stop(1)
    inv.section("route", family="inet", table="fib", ext=ext)
    if not routes and _empty_file(kroutes.ROUTE_PATH):
        # a namespace without IPv4 routes has no main table: the file is empty, not even a
        # header line, so proc_gen_fmt() is never called and rprint_fib() fails silently
        raise _Stop(1)
    if ext == 0:
        return  # net-tools prints no header and no rows for -eee
    for route in routes:
        dest = inet_rresolve(route.destination, numeric, route.mask, default=True,
                             host=bool(route.flags & RTF_HOST))[:15]
        gate = inet_rresolve(route.gateway, numeric, host=True)[:15]
        flags = _ipv4_flags(route.flags)
        inv.emit(RouteRecord(
            destination=dest, gateway=gate, genmask=route.mask, route_flags=flags,
            route_flags_pretty=_pretty(flags), metric=route.metric, route_refs=route.refcnt,
            use=route.use, mss=route.mtu, window=route.window, irtt=route.irtt,
            iface=route.iface, kernel_flags=route.flags))


def _empty_file(path):
    try:
        with open(path, "rb") as handle:
            return not handle.read(1)
    except OSError:
        return False


def _inet_cache(inv, ext, numeric):
    try:
        fmt, entries = kroutes.ipv4_route_cache()
    except OSError as error:
        _perror(inv, kroutes.RTCACHE_PATH, error)
        _stdout_note(inv, "INET (IPv4) not configured in this system.")
        raise _Stop(1)
    inv.section("route", family="inet", table="cache", ext=ext, format=fmt)
    for entry in entries:
        flags = _cache_flags(entry.flags, fmt)
        inv.emit(RouteRecord(
            table="cache", destination=inet_rresolve(entry.destination, numeric)[:15],
            gateway=inet_rresolve(entry.gateway, numeric)[:15], route_flags=flags,
            route_flags_pretty=_pretty(flags), metric=entry.metric, route_refs=entry.refcnt,
            use=entry.use, mss=entry.mtu, window=entry.window, irtt=entry.irtt,
            iface=entry.iface, source=inet_rresolve(entry.source, numeric)[:15], tos=entry.tos,
            hhref=entry.hhref, hhuptod=entry.hhuptod,
            spec_dst=inet_rresolve(entry.spec_dst, numeric)[:15], kernel_flags=entry.flags))


def _inet6_table(inv, numeric, cache):
    try:
        routes = kroutes.ipv6_routes()
    except OSError as error:
        _perror(inv, kroutes.ROUTE6_PATH, error)
        _stdout_note(inv, "INET6 (IPv6) not configured in this system.")
        raise _Stop(1)
    inv.section("route", family="inet6", table="cache" if cache else "fib")
    for route in routes:
        if bool(route.flags & RTF_CACHE) != cache:
            continue
        flags = _ipv6_flags(route.flags)
        inv.emit(RouteRecord(
            network_protocol="ipv6", table="cache" if cache else "fib",
            # snprintf(addr6, 128, "%s/%d"): a long name loses the prefix length
            destination=f"{inet6_rresolve(route.destination, numeric)}/{route.prefix_len}"[:127],
            gateway=inet6_rresolve(route.next_hop, numeric), route_flags=flags,
            route_flags_pretty=_pretty(flags), metric=route.metric, route_refs=route.refcnt,
            use=route.use, iface=route.iface, kernel_flags=route.flags))


def _inet6_cache(inv, numeric):
    import os

    if os.path.exists(NDISC_PATH):  # kernels before 2.2 only
        from pynetsuite.command import ToolExit

        raise ToolExit(1, f"the IPv6 neighbour cache in {NDISC_PATH} is not supported")
    # Without /proc/net/ndisc net-tools lists the RTF_CACHE routes of ipv6_route instead.
    _inet6_table(inv, numeric, cache=True)


def _not_configured(paths, lines):
    """Routing for a family whose /proc table is missing: net-tools' messages, rc 1. A kernel
    that has the table gets a loud error: those tables are not implemented."""

    def report(inv):
        import os

        for path in paths:
            if os.path.exists(path):
                from pynetsuite.command import ToolExit

                raise ToolExit(1, f"routing table {path} is not supported")
        for stream, text in lines:
            if stream == "out":
                _stdout_note(inv, text)
            else:
                inv.stderr.write(text + "\n")
        raise _Stop(1)

    return report


_UNCONFIGURED = {
    "ax25": _not_configured(["/proc/net/ax25_route"], [
        ("err", "/proc/net/ax25_route: No such file or directory"),
        ("out", "AX.25 not configured in this system.")]),
    "ipx": _not_configured(["/proc/net/ipx/route", "/proc/net/ipx_route"], [
        ("err", "No such file or directory"),
        ("out", "IPX routing not in file /proc/net/ipx/route or /proc/net/ipx_route found.")]),
    "netrom": _not_configured(["/proc/net/nr_nodes"], [
        ("err", "/proc/net/nr_nodes: No such file or directory"),
        ("err", "/proc/net/nr_neigh: Invalid argument"),
        ("out", "NET/ROM not configured in this system.")]),
    "ddp": _not_configured(["/proc/net/atalk_route"], [
        ("err", "Error opening /proc/net/atalk_route: No such file or directory"),
        ("err", "DDP (AppleTalk) not configured on this system.")]),
    "x25": _not_configured(["/proc/net/x25_routes"], [
        ("out", "X.25 not configured in this system.")]),
    "rose": _not_configured(["/proc/net/rose_nodes"], [
        ("err", "/proc/net/rose_nodes: No such file or directory"),
        ("err", "ROSE not configured in this system.")]),
}


# -- text --------------------------------------------------------------------------------------

_INET_HEADERS = {
    1: "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface",
    2: "Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface",
    3: "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface    MSS   Window irtt",
}
_CACHE_HEADERS = {
    1: "Source          Destination     Gateway         Flags Metric Ref    Use Iface",
    2: "Source          Destination     Gateway         Flags   MSS Window  irtt Iface",
}
_CACHE_EE = {
    1: "Source          Destination     Gateway         Flags Metric Ref    Use Iface    MSS   Window irtt  HH  Arp",
    2: "Source          Destination     Gateway         Flags Metric Ref    Use Iface    MSS   Window irtt  TOS HHRef HHUptod     SpecDst",
}
_INET6_HEADER = "Destination                    Next Hop                   Flag Met Ref  Use If"


def _cut(text, width):
    """printf's ``%-N.Ns``."""
    return f"{text[:width]:<{width}}"


class TextRenderer(Renderer):
    """The tables exactly as net-tools prints them."""

    def __init__(self, invocation):
        super().__init__(invocation)
        self.family = "inet"
        self.table = "fib"
        self.ext = 2
        self.format = 2

    def section(self, name, **info):
        if name != "route":
            return
        self.family = info.get("family", "inet")
        self.table = info.get("table", "fib")
        self.ext = info.get("ext", 2)
        self.format = info.get("format", 2)
        write = self.out.write
        if self.family == "inet6":
            cache = self.table == "cache"
            write(f"Kernel IPv6 routing {'cache' if cache else 'table'}\n{_INET6_HEADER}\n")
        elif self.table == "cache":
            write("Kernel IP routing cache\n")
            if self.format not in (1, 2):
                write(f"ERROR: proc_guess_fmt({kroutes.RTCACHE_PATH},... returned: {self.format}\n")
            if self.ext in _CACHE_HEADERS:
                write(_CACHE_HEADERS[self.ext] + "\n")
            elif self.ext >= 3 and self.format in _CACHE_EE:
                write(_CACHE_EE[self.format] + "\n")
        else:
            write("Kernel IP routing table\n")
            if self.ext in _INET_HEADERS:
                write(_INET_HEADERS[self.ext] + "\n")

    def record(self, r):
        if not isinstance(r, RouteRecord):
            return
        if r.network_protocol == "ipv6":
            line = (f"{r.destination:<30} {r.gateway:<26} {r.route_flags:<4} {r.metric:<3} "
                    f"{r.route_refs:<1} {r.use:>6} {r.iface}")
        elif r.table == "cache":
            line = self._cache_line(r)
        else:
            line = self._fib_line(r)
        if line is not None:
            self.out.write(line + "\n")

    def _fib_line(self, r):
        ext = self.ext
        if r.kernel_flags & RTF_REJECT:
            head = f"{r.destination:<15} -               {r.genmask:<15} {r.route_flags:<5}"
            if ext == 1:
                return f"{head} {r.metric:<6} -  {r.use:>7} -"
            if ext == 2:
                return f"{head}     - -          - -"
            if ext >= 3:
                return f"{head} {r.metric:<6} -  {r.use:>7} -        -     -      -"
            return None
        head = f"{r.destination:<15} {r.gateway:<15} {r.genmask:<15} {r.route_flags:<5}"
        if ext == 1:
            return f"{head} {r.metric:<6} {r.route_refs:<2} {r.use:>7} {r.iface}"
        if ext == 2:
            return f"{head} {r.mss:>5} {r.window:<5} {r.irtt:>6} {r.iface}"
        if ext >= 3:
            return (f"{head} {r.metric:<6} {r.route_refs:<3} {r.use:>6} {_cut(r.iface, 6)}   "
                    f"{r.mss:<5} {r.window:<6} {r.irtt}")
        return None

    def _cache_line(self, r):
        head = f"{r.source:<15} {r.destination:<15} {r.gateway:<15} {r.route_flags:<5}"
        if self.ext == 1:
            return f"{head} {r.metric:<6} {r.route_refs:<2} {r.use:>7} {r.iface}"
        if self.ext == 2:
            return f"{head} {r.mss:>5} {r.window:<5} {r.irtt:>6} {r.iface}"
        if self.ext >= 3 and self.format == 2:
            return (f"{head} {r.metric:<6} {r.route_refs:<3} {r.use:>6} {_cut(r.iface, 6)}   "
                    f"{r.mss:<5} {r.window:<6} {r.irtt:<5} {r.tos:<3} {r.hhref:<3}   "
                    f"{r.hhuptod:<3} {r.spec_dst:>15}")
        return None
