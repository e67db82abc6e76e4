"""Port and protocol names: /etc/services and /etc/protocols, read the way glibc's files
backend reads them.

Shared by netstat, ss, lsof and nmap. Each file is parsed on first use in a process (a few
hundred lines: well under a millisecond) and kept for that process only; nothing is cached
across processes, so an edited file is seen by the next command.

The tools disagree on duplicates, so both answers are offered:
- ``first=True`` is getservbyport(3)/getprotobynumber(3): the first entry in file order (ss,
  lsof, nc);
- ``first=False`` is what net-tools builds by walking getservent() into a list it prepends to:
  the *last* entry in file order wins (netstat).
"""

SERVICES_PATH = "/etc/services"
PROTOCOLS_PATH = "/etc/protocols"

_services = None   # (port, proto) -> [names in file order]
_service_ports = None  # (name or alias, proto) -> port (first in file order)
_protocols = None  # number -> [names in file order]
_protocol_numbers = None  # name or alias -> number


def _read_lines(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return []
    return data.decode("ascii", "surrogateescape").splitlines()


def _strtoul(text):
    """glibc parses numbers in these files with strtoul(..., 0): 0x.. hex, 0.. octal."""
    try:
        if len(text) > 1 and text[0] == "0":
            if text[1] in "xX":
                return int(text[2:], 16)
            return int(text[1:], 8)
        return int(text, 10)
    except ValueError:
        return None


def _load_services():
    global _services, _service_ports
    services, ports = {}, {}
    for line in _read_lines(SERVICES_PATH):
        line = line.split("#", 1)[0]
        fields = line.split()
        if len(fields) < 2:
            continue
        port, slash, proto = fields[1].partition("/")
        if not slash or not proto:
            continue
        number = _strtoul(port)
        if number is None or number > 0xFFFF:
            continue
        services.setdefault((number, proto), []).append(fields[0])
        for name in (fields[0], *fields[2:]):
            ports.setdefault((name, proto), number)
    _services, _service_ports = services, ports


def _load_protocols():
    global _protocols, _protocol_numbers
    protocols, numbers = {}, {}
    for line in _read_lines(PROTOCOLS_PATH):
        fields = line.split("#", 1)[0].split()
        if len(fields) < 2:
            continue
        number = _strtoul(fields[1])
        if number is None:
            continue
        protocols.setdefault(number, []).append(fields[0])
        for name in (fields[0], *fields[2:]):
            numbers.setdefault(name, number)
    _protocols, _protocol_numbers = protocols, numbers


def port_name(port, proto, first=True):
    """The service name of ``port``/``proto`` ("tcp", "udp", ...) or None."""
    if _services is None:
        _load_services()
    names = _services.get((port, proto))
    if not names:
        return None
    return names[0] if first else names[-1]


def port_number(name, proto):
    """The port of service ``name`` (or an alias) for ``proto``, or None (getservbyname)."""
    if _service_ports is None:
        _load_services()
    return _service_ports.get((name, proto))


def protocol_name(number, first=True):
    """The name of IP protocol ``number`` ("icmp" for 1) or None."""
    if _protocols is None:
        _load_protocols()
    names = _protocols.get(number)
    if not names:
        return None
    return names[0] if first else names[-1]


def protocol_number(name):
    """The number of IP protocol ``name`` (or an alias), or None (getprotobyname)."""
    if _protocol_numbers is None:
        _load_protocols()
    return _protocol_numbers.get(name)


def service_table(proto, first=True):
    """All names for one ``proto`` as a dict port -> name (for tools that resolve thousands of
    ports in a loop and want one dict lookup each)."""
    if _services is None:
        _load_services()
    return {port: (names[0] if first else names[-1])
            for (port, p), names in _services.items() if p == proto}


def protocol_table(first=True):
    """All protocol names as a dict number -> name."""
    if _protocols is None:
        _load_protocols()
    return {number: (names[0] if first else names[-1]) for number, names in _protocols.items()}
