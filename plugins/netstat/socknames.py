"""netstat's names for socket rows: addresses, ports, users and programs, resolved as net-tools
2.10 resolves them, each cached for the run (as net-tools' own caches are).

IPv4 with gethostbyaddr (0.0.0.0 stays numeric; an address whose first byte is 0 is looked up
in /etc/networks), IPv6 with getnameinfo ([::] for ::, an IPv4-mapped address printed as its
IPv4 part), ports from /etc/services (the last entry wins; raw sockets show protocol names from
/etc/protocols first), users with getpwuid, programs by one walk of /proc/*/fd (-p). ``-n`` and
the --numeric-* options turn each off.
"""

import os
import _socket as socket  # the C module: `socket` builds its enums at import, ~4 ms
import struct
from array import array

from pynetsuite.net import hostnames, services
from pynetsuite.net import sockets as table


AF_INET, AF_INET6 = socket.AF_INET, socket.AF_INET6

UDP_STATES = {1: "ESTABLISHED", 7: ""}
TCP_STATES = ("", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
              "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING")
#: (C buffer) a resolved host name is cut to 127 bytes, "addr:port" in -W mode too
NAME_MAX = 127


def _fix_v4(text, raw):
    """net-tools' fix_v4_address(): an IPv4-mapped IPv6 address prints as its dotted quad
    (the text after the last ':' before the first '.'); a name without ':' stays."""
    if raw[:12] != b"\0\0\0\0\0\0\0\0\0\0\xff\xff":
        return text
    dot = text.find(".")
    if dot < 0:
        return text
    colon = text.rfind(":", 0, dot)
    return text[colon + 1:] if colon >= 0 else text


_networks = None


def _network_name(value):
    """getnetbyaddr(value, AF_INET) from /etc/networks (files backend), or None."""
    global _networks
    if _networks is None:
        _networks = {}
        try:
            with open("/etc/networks", "rb") as f:
                lines = f.read().decode("ascii", "surrogateescape").splitlines()
        except OSError:
            lines = []
        for line in lines:
            fields = line.split("#", 1)[0].split()
            if len(fields) >= 2:
                number = _inet_network(fields[1])
                if number is not None:
                    _networks.setdefault(number, fields[0])
    return _networks.get(value)


def _inet_network(text):
    """inet_network(3): "a.b.c.d" with 1 to 4 parts, each decimal, 0x hex or 0 octal."""
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    value = 0
    for part in parts:
        try:
            if part[:2] in ("0x", "0X"):
                n = int(part[2:], 16)
            elif len(part) > 1 and part[0] == "0":
                n = int(part[1:], 8)
            else:
                n = int(part, 10)
        except ValueError:
            return None
        if n > 255:
            return None
        value = (value << 8) | n
    return value


class _Addr4(dict):
    """IPv4 address key -> display text followed by ':'."""

    def __init__(self, numeric):
        super().__init__()
        self.numeric = numeric

    def __missing__(self, key):
        text = table.ntoa4[key]
        if not self.numeric and key:
            first = key & 0xFF if table._LITTLE else key >> 24
            # INET_rresolve() masks with 0xffffff00 in host order: on little-endian it tests
            # the first byte, so every address not starting with 0 is a "host"
            if first:
                text = (hostnames.gethostbyaddr(text) or text)[:NAME_MAX]
            else:
                value = int.from_bytes(struct.pack("=I", key), "big")
                text = _network_name(value) or text
        value = self[key] = text + ":"
        return value


class _Addr6(dict):
    """IPv6 address key -> display text followed by ':'."""

    def __init__(self, numeric):
        super().__init__()
        self.numeric = numeric

    def __missing__(self, key):
        text = table.ntop6[key]
        if not self.numeric:
            if key == table.ZERO6:
                text = "[::]"
            else:
                name = hostnames.getnameinfo(text)
                # getnameinfo into netstat's 128-byte buffer: a longer name does not fit
                # (EAI_OVERFLOW) and the address is printed instead
                if name is not None and len(name) <= NAME_MAX:
                    text = name
        value = self[key] = _fix_v4(text, key) + ":"
        return value


class _Ports(dict):
    """Port key -> display text, net-tools' get_sname(): '*' for 0, else the service name
    (the last /etc/services entry for that port and protocol; for raw sockets the protocol
    name, the last /etc/protocols entry first) unless numeric."""

    def __init__(self, kind, numeric):
        super().__init__()
        self.kind = kind
        self.numeric = numeric

    def __missing__(self, key):
        port = table.port_of(key)
        if port == 0:
            text = "*"
        else:
            name = None
            if not self.numeric:
                if self.kind == "raw":
                    name = services.protocol_name(port, first=False)
                if name is None and self.kind in ("tcp", "udp", "raw"):
                    name = services.port_name(port, self.kind, first=False)
            text = name if name else str(port)
        self[key] = text
        return text

    def rename(self, numbers, keys):
        """After a bulk numeric fill: put the service names in for the ports that have one."""
        names = services.service_table(self.kind, first=False) if self.kind in ("tcp", "udp", "raw") else {}
        if self.kind == "raw":  # protocol names first, as in _Ports
            names = dict(names)
            names.update(services.protocol_table(first=False))
        for port, key in zip(numbers, keys):
            name = names.get(port)
            if name:
                self[key] = name


class _Users(dict):
    def __init__(self, numeric):
        super().__init__()
        self.numeric = numeric

    def __missing__(self, uid):
        # netstat scans the uid into an int and prints it with %d: 2**31 and up go negative
        text = str(uid - (1 << 32) if uid >= 1 << 31 else uid)
        if not self.numeric:
            import pwd

            try:
                name = pwd.getpwuid(uid).pw_name
            except (KeyError, OverflowError):
                pass
            else:
                # one character per byte (as host names): printf's "%-10s" pads by bytes
                text = os.fsencode(name).decode("ascii", "surrogateescape")
        self[uid] = text
        return text


class Namer:
    """All name caches of one netstat run (one per process, as net-tools' caches are)."""

    def __init__(self, opts):
        self.opts = opts
        self.addr = {AF_INET: _Addr4(opts.numeric_hosts), AF_INET6: _Addr6(opts.numeric_hosts)}
        self.ports = {kind: _Ports(kind, opts.numeric_ports) for kind in ("tcp", "udp", "raw", "sctp")}
        self.users = _Users(opts.numeric_users)
        self.owners = None  # inode -> "pid/name" (netstat -p), set by load_owners()

    def port_table(self, kind, lports, rports, bulk=None):
        """The port key -> text cache for ``kind``, filled in bulk for the port keys given
        when they are many: one C-level pass (set, array byteswap, map str) instead of a
        Python call per distinct port, which at 50,000 sockets costs 50 ms."""
        ports = self.ports[kind]
        if bulk or (bulk is None and len(lports) > 500):
            keys = set(lports)
            keys.update(rports)
            keys.difference_update(ports)
            keys.discard(0)
            if keys:
                keys = list(keys)
                numbers = array("H", keys)
                if table._LITTLE:
                    numbers.byteswap()
                ports.update(zip(keys, map(str, numbers)))
                if not ports.numeric:
                    ports.rename(numbers, keys)
        return ports


# -- owners (-p) ---------------------------------------------------------------------------------
def load_owners(inv, namer):
    """net-tools' prg_cache_load(): inode -> "pid/program" (19 bytes at most), and its
    warnings on stderr when some processes could not be examined."""
    from pynetsuite.net import owners

    def name(pid):
        argv0 = owners.netstat_name(pid)
        if argv0 is None:
            return None
        return (pid.encode() + b"/" + argv0)[:19].decode("ascii", "surrogateescape")

    result = owners.walk(name)
    namer.owners = result.by_inode
    if result.proc_unreadable or (result.denied and not result.found):
        inv.stderr.write('(No info could be read for "-p": geteuid()=%d but you should be root.)\n'
                         % os.geteuid())
    elif result.denied:
        inv.stderr.write("(Not all processes could be identified, non-owned process info\n"
                         " will not be shown, you would have to be root to see it all.)\n")


