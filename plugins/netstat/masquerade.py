"""``netstat -M``: masqueraded connections from /proc/net/ip_masquerade (Linux 2.2 ipchains).

Kernels since 2.4 have no such file (masquerading moved to netfilter conntrack), and net-tools
then says "netstat: no support for `ip_masquerade' on this system." with exit code 1. Where the
file exists its table is parsed and printed exactly as lib/masq_info.c does.
"""

try:
    import _socket as socket  # the C module: socket.py's enums cost milliseconds
except ImportError:  # pragma: no cover - other interpreters
    import socket

from pynetsuite.command import Renderer
from pynetsuite.net import Record, hostnames

from .routes import inet_rresolve

#: netstat -c repeats this mode (until it fails, which it does at once on modern kernels).
CONTINUOUS = True

MASQ_PATH = "/proc/net/ip_masquerade"

_PROTOS = {"IP": "ip", "TCP": "tcp", "UDP": "udp", "ICMP": "icmp", "GRE": "gre", "ESP": "esp"}


class MasqueradeRecord(Record):
    """One masqueraded connection; ports are displayed names or digits; expires in 1/100 s."""

    FIELDS = (("kind", "masquerade"), ("proto", None), ("expires", 0), ("initseq", 0),
              ("delta", 0), ("pdelta", None), ("source", None), ("destination", None),
              ("source_port", None), ("destination_port", None), ("masquerade_port", None))
    __slots__ = tuple(name for name, _ in FIELDS)

    def to_json(self):
        data = super().to_json()
        for name in ("source", "destination"):
            data[name] = hostnames.json_text(data[name])
        return data


def _short(value):
    value &= 0xFFFF
    return value - 0x10000 if value & 0x8000 else value


def _hex_addr(text):
    return socket.inet_ntop(socket.AF_INET, (int(text, 16) & 0xFFFFFFFF).to_bytes(4, "big"))


def service_name(port, proto, numeric):
    """net-tools' get_sname(): ``*`` for 0, the services name for tcp/udp, else digits."""
    if port == 0:
        return "*"
    if not numeric and proto in ("tcp", "udp"):
        from pynetsuite.net.services import port_name

        name = port_name(port, proto, first=False)  # net-tools: the last entry in the file
        if name:
            return name
    return str(port)


def parse(text):
    """The entries of an ip_masquerade file: a list of dicts, or raises ValueError with
    net-tools' internal error text."""
    lines = text.split("\n", 1)
    has_pdelta = "PDelta" in lines[0]
    tokens = lines[1].split() if len(lines) > 1 else []
    width = 9 if has_pdelta else 8
    entries = []
    for start in range(0, len(tokens), width):
        item = tokens[start:start + width]
        try:
            if len(item) != width:
                raise ValueError
            src, sport = item[1].split(":")
            dst, dport = item[2].split(":")
            entry = {"proto": item[0], "src": _hex_addr(src), "sport": int(sport, 16) & 0xFFFF,
                     "dst": _hex_addr(dst), "dport": int(dport, 16) & 0xFFFF,
                     "mport": int(item[3], 16) & 0xFFFF, "initseq": int(item[4], 16),
                     "delta": _short(int(item[5])),
                     "pdelta": _short(int(item[6])) if has_pdelta else None,
                     "expires": int(item[-1])}
        except ValueError:
            raise ValueError("masq_info.c: Internal Error `ip_masquerade format error'.") from None
        if entry["proto"] not in _PROTOS:
            raise ValueError("masq_info.c: Internal Error `ip_masquerade unknown type'.")
        entries.append(entry)
    return has_pdelta, entries


def run(inv, opts):
    try:
        with open(MASQ_PATH, "r", encoding="ascii", errors="surrogateescape") as handle:
            text = handle.read()
    except FileNotFoundError:
        inv.stderr.write("netstat: no support for `ip_masquerade' on this system.\n")
        return 1
    except OSError as error:
        inv.stderr.write(f"{MASQ_PATH}: {error.strerror}\n")
        return 255
    if not text:
        inv.stderr.write("masq_info: Internal Error `fgets() failed'.\n")
        return 255
    try:
        has_pdelta, entries = parse(text)
    except ValueError as error:
        inv.stderr.write(f"{error}\n")
        return 255
    ext = 1 + (opts.extend or 0)
    if entries:
        inv.section("masquerade", ext=ext, pdelta=has_pdelta)
    for e in entries:
        proto = _PROTOS[e["proto"]]
        inv.emit(MasqueradeRecord(
            proto=proto, expires=e["expires"], initseq=e["initseq"], delta=e["delta"],
            pdelta=e["pdelta"], source=inet_rresolve(e["src"], opts.numeric_hosts),
            destination=inet_rresolve(e["dst"], opts.numeric_hosts),
            source_port=service_name(e["sport"], proto, opts.numeric_ports),
            destination_port=service_name(e["dport"], proto, opts.numeric_ports),
            masquerade_port=service_name(e["mport"], proto, opts.numeric_ports)))
    return 0


class TextRenderer(Renderer):
    ext = 1

    def section(self, name, **info):
        if name != "masquerade":
            return
        self.ext = info.get("ext", 1)
        self.out.write("IP masquerading entries\n")
        if self.ext == 1:
            self.out.write("prot   expire source               destination          ports\n")
        else:
            self.out.write("prot   expire    initseq delta prevd source               "
                           "destination          ports\n")

    def record(self, r):
        if not isinstance(r, MasqueradeRecord):
            return
        minutes, seconds, hundredths = r.expires // 6000, (r.expires // 100) % 60, r.expires % 100
        line = f"{r.proto:<4}{minutes:>3}:{seconds:02}.{hundredths:02} "
        if self.ext > 1:
            line += (f"{r.initseq:>10} {r.delta:>5} {r.pdelta:>5} " if r.pdelta is not None
                     else f"{r.initseq:>10} {r.delta:>5}     - ")
        line += f"{r.source:<20} {r.destination:<20} "
        line += f"{r.source_port} -> {r.destination_port} ({r.masquerade_port})\n"
        self.out.write(line)
