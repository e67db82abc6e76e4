"""``netstat -i``: the kernel interface table, as net-tools 2.10 prints it.

Interfaces come from /proc/net/dev (with counters) and from SIOCGIFCONF (IPv4 labels such as
``eth0:1``, which have no counters: "no statistics available"), merged into net-tools' list
sorted by its digit-aware nstrcmp(). Only interfaces that are up are listed unless ``-a``.
``-e`` switches to the ifconfig-style blocks. With ``-c`` the title "Kernel Interface table"
is printed in the first round only, as net-tools does (it keeps its socket open).
"""

from pynetsuite.command import Renderer
from pynetsuite.net import Record, atoi
from pynetsuite.net import interfaces as kif
from pynetsuite.net.interfaces import (IFF_ALLMULTI, IFF_BROADCAST, IFF_DEBUG, IFF_DYNAMIC,
                                       IFF_LOOPBACK, IFF_MASTER, IFF_MULTICAST, IFF_NOARP,
                                       IFF_NOTRAILERS, IFF_POINTOPOINT, IFF_PROMISC, IFF_RUNNING,
                                       IFF_SLAVE, IFF_UP)


#: netstat -c repeats this mode.
CONTINUOUS = True


class InterfaceRecord(Record):
    """One interface (or IPv4 label). The first fields are jc's netstat "interface" kind;
    counters are None for labels, which have none. ``-e`` adds the ifconfig-style details
    (jc ifconfig names); without it they are left out of the JSON."""

    FIELDS = (("kind", "interface"), ("iface", None), ("mtu", 0), ("rx_ok", None),
              ("rx_err", None), ("rx_drp", None), ("rx_ovr", None), ("tx_ok", None),
              ("tx_err", None), ("tx_drp", None), ("tx_ovr", None), ("flg", ""), ("flags", 0),
              ("flags_pretty", list), ("rx_bytes", None), ("rx_frame", None), ("tx_bytes", None),
              ("tx_carrier", None), ("tx_collisions", None), ("type", None), ("mac_addr", None),
              ("tx_queue_len", None), ("ipv4_addr", None), ("ipv4_mask", None),
              ("ipv4_bcast", None), ("ipv4_dest", None), ("ipv6", None), ("hw_type", None),
              ("map", None))
    __slots__ = tuple(name for name, _ in FIELDS)

    @property
    def has_stats(self):
        return self.rx_ok is not None

    _DETAILS = ("type", "mac_addr", "tx_queue_len", "ipv4_addr", "ipv4_mask", "ipv4_bcast",
                "ipv4_dest", "ipv6", "hw_type", "map")

    def to_json(self):
        """jc's fields and the counters always; the ``-e`` details when they were gathered."""
        data = super().to_json()
        # names read from /proc keep one character per byte: JSON gets them as UTF-8
        from pynetsuite.net.hostnames import json_text

        data["iface"] = json_text(data["iface"])
        if self.ipv6 is None:  # not -e: nothing of the details was looked at
            for name in self._DETAILS:
                del data[name]
        else:
            for name in ("ipv4_bcast", "ipv4_dest"):
                if data[name] is None:
                    del data[name]
        return data


# -- net-tools' interface list -----------------------------------------------------------------


def _cutalias(name):
    """Split a numeric ``:N`` label suffix off: ("eth0", "1") for "eth0:1"."""
    digit = False
    for pos in range(len(name), 0, -1):
        ch = name[pos - 1]
        if ch == ":" and digit:
            return name[:pos - 1], name[pos:]
        if not ch.isdigit():
            break
        digit = True
    return name, None


def _digits_start(name):
    """Index where the trailing run of digits starts (len(name) when there is none)."""
    pos = len(name)
    while pos > 0 and name[pos - 1].isdigit():
        pos -= 1
    return pos


def _strcmp(a, b):
    return (a > b) - (a < b)


def nstrcmp(a, b):
    """net-tools 2.10's nstrcmp(): names compare by their non-digit stem, then by the trailing
    number, then as strings, then by the ``:N`` label number (none sorts first)."""
    a, a_alias = _cutalias(a)
    b, b_alias = _cutalias(b)
    ai, bi = _digits_start(a), _digits_start(b)
    n = min(ai, bi)
    res = _strcmp(a[:n], b[:n])
    if res:
        return res
    if ai != bi:
        return 1 if ai > bi else -1
    av, bv = atoi(a[ai:]), atoi(b[bi:])
    if av != bv:
        return -1 if av < bv else 1
    res = _strcmp(a, b)
    if res:
        return res
    av = atoi(a_alias) if a_alias is not None else -1
    bv = atoi(b_alias) if b_alias is not None else -1
    return (av > bv) - (av < bv)


def _cache_add(names, name):
    """if_cache_add(): insert keeping net-tools' order (it walks back from the end)."""
    pos = len(names)
    while pos > 0:
        n = nstrcmp(names[pos - 1], name)
        if n == 0:
            return
        if n < 0:
            break
        pos -= 1
    names.insert(pos, name)


def interface_list(query, inv):
    """(ordered names, counters by name) as net-tools' if_readlist() builds them."""
    names, counters = [], {}
    proc_ok = True
    try:
        for dev in kif.proc_net_dev():
            _cache_add(names, dev.name)
            counters[dev.name] = dev
    except OSError as error:
        inv.stderr.write(f"Warning: cannot open {kif.DEV_PATH} ({error.strerror}). Limited output.\n")
        proc_ok = False
    try:
        for name in query.names():
            _cache_add(names, name)
    except OSError as error:
        inv.stderr.write(f"SIOCGIFCONF: {error.strerror}\n")
        if not proc_ok:
            return None, None
    return names, counters


# -- the engine --------------------------------------------------------------------------------

def _short_flags(flags):
    if flags == 0:
        return "[NO FLAGS]"
    text = ""
    for bit, letter in ((IFF_ALLMULTI, "A"), (IFF_BROADCAST, "B"), (IFF_DEBUG, "D"),
                        (IFF_LOOPBACK, "L"), (IFF_MULTICAST, "M"), (IFF_DYNAMIC, "d"),
                        (IFF_PROMISC, "P"), (IFF_NOTRAILERS, "N"), (IFF_NOARP, "O"),
                        (IFF_POINTOPOINT, "P"), (IFF_SLAVE, "s"), (IFF_MASTER, "m"),
                        (IFF_RUNNING, "R"), (IFF_UP, "U")):
        if flags & bit:
            text += letter
    return text


_LONG_FLAGS = ((IFF_UP, "UP"), (IFF_BROADCAST, "BROADCAST"), (IFF_DEBUG, "DEBUG"),
               (IFF_LOOPBACK, "LOOPBACK"), (IFF_POINTOPOINT, "POINTOPOINT"),
               (IFF_NOTRAILERS, "NOTRAILERS"), (IFF_RUNNING, "RUNNING"), (IFF_NOARP, "NOARP"),
               (IFF_PROMISC, "PROMISC"), (IFF_ALLMULTI, "ALLMULTI"), (IFF_SLAVE, "SLAVE"),
               (IFF_MASTER, "MASTER"), (IFF_MULTICAST, "MULTICAST"), (IFF_DYNAMIC, "DYNAMIC"))


def _flag_names(flags):
    return [name for bit, name in _LONG_FLAGS if flags & bit]


# ARPHRD_* -> (net-tools hardware name, title, how the address prints). Other types are
# "unspec": 16 bytes of hex joined by '-'.
_HW = {1: ("ether", "Ethernet", "ether"), 772: ("loop", "Local Loopback", None),
       512: ("ppp", "Point-to-Point Protocol", None), 768: ("tunnel", "IPIP Tunnel", "empty"),
       776: ("sit", "IPv6-in-IPv4", "inet")}
_UNSPEC = ("unspec", "UNSPEC", "unspec")


def _hw_address(kind, raw):
    if kind == "ether":
        return ":".join(f"{b:02x}" for b in raw[:6])
    if kind == "inet":
        return ".".join(str(b) for b in raw[:4])
    if kind == "unspec":
        return "-".join(f"{b:02X}" for b in (raw[:8] + bytes(8))[:16])
    if kind == "empty":
        return ""
    return None


def run(inv, opts):
    """One round of the interface table; returns the exit code."""
    long_form = (opts.extend or 0) >= 1
    first = getattr(opts, "round", 0) == 0
    try:
        query = kif.IfQuery()
    except OSError as error:
        inv.stderr.write(f"socket: {error.strerror}\n")
        return 1
    with query:
        inv.section("interfaces", first=first, long=long_form)
        names, counters = interface_list(query, inv)
        if names is None:
            inv.stderr.write("missing interface information: No such file or directory\n")
            return 1
        v6 = kif.ipv6_addresses() if long_form else ()
        for name in names:
            try:
                config = query.config(name, inet=long_form) if long_form else None
                flags = config.flags if config else query.flags(name)
            except OSError as error:
                reason = "Device not found" if error.errno == 19 else error.strerror
                inv.stderr.write(f"{name}: error fetching interface information: {reason}\n")
                inv.stderr.write(f"missing interface information: {error.strerror}\n")
                return 1
            if not (flags & IFF_UP or opts.all):
                continue
            record = _record(name, flags, counters.get(name))
            if long_form:
                _add_details(record, config, [a for a in v6 if a.device == name])
            else:
                try:
                    record.mtu = query.mtu(name)
                except OSError:
                    record.mtu = 0
            inv.emit(record)
    return 0


def _record(name, flags, dev):
    record = InterfaceRecord(iface=name, flg=_short_flags(flags), flags=flags,
                             flags_pretty=_flag_names(flags))
    if dev is not None:
        record.rx_ok, record.rx_err, record.rx_drp, record.rx_ovr = (
            dev.rx_packets, dev.rx_errors, dev.rx_dropped, dev.rx_fifo_errors)
        record.tx_ok, record.tx_err, record.tx_drp, record.tx_ovr = (
            dev.tx_packets, dev.tx_errors, dev.tx_dropped, dev.tx_fifo_errors)
        record.rx_bytes, record.rx_frame = dev.rx_bytes, dev.rx_frame_errors
        record.tx_bytes, record.tx_carrier, record.tx_collisions = (
            dev.tx_bytes, dev.tx_carrier_errors, dev.collisions)
    return record


def _add_details(record, config, inet6):
    record.mtu = config.mtu
    hw_name, _, how = _HW.get(config.hw_type, _UNSPEC)
    record.type = hw_name
    record.hw_type = config.hw_type
    record.mac_addr = _hw_address(how, config.hw_address)
    record.tx_queue_len = None if config.tx_queue_len == -1 else config.tx_queue_len
    if config.has_ip:
        record.ipv4_addr, record.ipv4_mask = config.address, config.netmask
        if config.flags & IFF_BROADCAST:
            record.ipv4_bcast = config.broadcast
        if config.flags & IFF_POINTOPOINT:
            record.ipv4_dest = config.destination
    if inet6:
        from .routes import fix_v4_address
    record.ipv6 = [{"address": fix_v4_address(a.address, a.address), "prefixlen": a.prefixlen,
                    "scopeid": a.scope, "scope": _scope_names(a.scope)} for a in inet6]
    m = config.map
    record.map = {"irq": m.irq, "base_addr": m.base_addr, "mem_start": m.mem_start,
                  "mem_end": m.mem_end, "dma": m.dma, "port": m.port}


def _scope_names(scope):
    names = []
    if scope & 0x80:
        names.append("compat")
        scope -= 0x80
    if scope == 0:
        names.append("global")
    for bit, name in ((0x20, "link"), (0x40, "site"), (0x10, "host")):
        if scope & bit:
            names.append(name)
    return names


# -- text --------------------------------------------------------------------------------------

SHORT_HEADER = ("Iface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP "
                "TX-OVR Flg")


def _size(count):
    """ifconfig's "(4.7 KiB)": one decimal, truncated, binary units."""
    short = (count * 10) % (1 << 64)
    unit = "B"
    for limit, name in ((1152921504606846976, "EiB"), (1125899906842624, "PiB"),
                        (1099511627776, "TiB"), (1073741824, "GiB"), (1048576, "MiB"),
                        (1024, "KiB")):
        if count > limit:
            unit = name
            short = count // 115292150460684697 if name == "EiB" else short // limit
            break
    return f"{short // 10}.{short % 10} {unit}"


def _long_flags_text(flags):
    text = f"flags={flags}<"
    if flags == 0:
        text += ">"
    text += "".join(name + "," for name in _flag_names(flags))
    return text[:-1] + ">" if text.endswith(",") else text[:-1]


class TextRenderer(Renderer):
    """``netstat -i`` / ``-ie`` text."""

    long = False

    def section(self, name, **info):
        if name != "interfaces":
            return
        self.long = info.get("long", False)
        if info.get("first", True):
            self.out.write("Kernel Interface table\n")
        if not self.long:
            self.out.write(SHORT_HEADER + "\n")

    def record(self, r):
        if not isinstance(r, InterfaceRecord):
            return
        if self.long:
            self.out.write(self._long(r))
            return
        line = f"{r.iface[:15]:<15} {r.mtu:>5} "
        if r.has_stats:
            line += (f"{r.rx_ok:>8} {r.rx_err:>6} {r.rx_drp:>6} {r.rx_ovr:<6} "
                     f"{r.tx_ok:>8} {r.tx_err:>6} {r.tx_drp:>6} {r.tx_ovr:>6} ")
        else:
            line += f"{'     - no statistics available -':<56}"
        self.out.write(line + r.flg + "\n")

    @staticmethod
    def _long(r):
        lines = [f"{r.iface}: {_long_flags_text(r.flags)}  mtu {r.mtu}"]
        if r.ipv4_addr is not None:
            text = f"        inet {r.ipv4_addr}  netmask {r.ipv4_mask}"
            if r.flags & IFF_BROADCAST:
                text += f"  broadcast {r.ipv4_bcast}"
            if r.flags & IFF_POINTOPOINT:
                text += f"  destination {r.ipv4_dest}"
            lines.append(text)
        for a in r.ipv6 or ():
            scope = "".join(n + "," for n in a["scope"])
            scope = f"<{scope[:-1]}>" if scope else ""
            lines.append(f"        inet6 {a['address']}  prefixlen {a['prefixlen']}  "
                         f"scopeid 0x{a['scopeid']:x}{scope}")
        hw_name, title, _ = _HW.get(r.hw_type, _UNSPEC)
        text = f"        {hw_name}"
        if r.mac_addr is not None:
            text += f" {r.mac_addr}"
        if r.tx_queue_len is not None:
            text += f"  txqueuelen {r.tx_queue_len}"
        lines.append(f"{text}  ({title})")
        if r.has_stats:
            lines.append(f"        RX packets {r.rx_ok}  bytes {r.rx_bytes} ({_size(r.rx_bytes)})")
            lines.append(f"        RX errors {r.rx_err}  dropped {r.rx_drp}  overruns {r.rx_ovr}  "
                         f"frame {r.rx_frame}")
            lines.append(f"        TX packets {r.tx_ok}  bytes {r.tx_bytes} ({_size(r.tx_bytes)})")
            lines.append(f"        TX errors {r.tx_err}  dropped {r.tx_drp} overruns {r.tx_ovr}  "
                         f"carrier {r.tx_carrier}  collisions {r.tx_collisions}")
        m = r.map or {}
        if m.get("irq") or m.get("mem_start") or m.get("dma") or m.get("base_addr", 0) >= 0x100:
            text = "        device "
            if m["irq"]:
                text += f"interrupt {m['irq']}  "
            if m["base_addr"] >= 0x100:
                text += f"base 0x{m['base_addr']:x}  "
            if m["mem_start"]:
                text += f"memory 0x{m['mem_start']:x}-{m['mem_end']:x}  "
            if m["dma"]:
                text += f"  dma 0x{m['dma']:x}"
            lines.append(text)
        return "\n".join(lines) + "\n\n"
