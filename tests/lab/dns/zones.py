"""Zone files and named.conf for the lab, generated from lab.ADDR / lab.NAMES.

One ``named`` process in the target namespace serves four views, chosen by the address a query
arrives on (``match-destinations``), so the hierarchy is real and ``dig +trace`` walks it:

    resolver  198.18.4.1  / 2001:db8:4::1   recursive; root hints = the lab root below
    root      198.18.4.11 / 2001:db8:4::11  "."  (a.root-servers.test): delegates test. and
                                            the reverse zones
    tld       198.18.4.12 / 2001:db8:4::12  "test." (ns.test): delegates lab.test.
    lab       198.18.4.13 / 2001:db8:4::13  "lab.test.", "18.198.in-addr.arpa.",
                                            "8.b.d.0.1.0.0.2.ip6.arpa." (ns1.lab.test)

No forwarders, no built-in root hints, DNSSEC validation off and empty zones off: named can
only ever talk to the lab's own addresses.
"""

from __future__ import annotations

import ipaddress
import os

from ..lab import ADDR, NAMES, addr_pair as _addresses

SERIAL = 2024010101
REV4 = "18.198.in-addr.arpa."
REV6 = "8.b.d.0.1.0.0.2.ip6.arpa."

# which lab.NAMES entry each address in lab.ADDR points back to (PTR)
PTR_OWNER = {
    "client": "client", "r1": "r1", "r1_far": "r1", "r2": "r2", "r2_far": "r2",
    "r3": "r3", "r3_far": "r3", "target": "target", "multi2": "multi",
    "rootns": "rootns", "tldns": "tldns", "labns": "labns", "dead": "dead",
    "hostunreach": "hostunreach", "prohibited": "prohibited", "netunreach": "netunreach",
}


def fqdn(name):
    return name if name.endswith(".") else name + "."




def _soa(primary, ttl, negative=300):
    return (f"$TTL {ttl}\n@\tIN\tSOA\t{fqdn(primary)} hostmaster.lab.test. "
            f"{SERIAL} 3600 900 604800 {negative}\n")


def _a(owner, v4=None, v6=None):
    lines = []
    if v4:
        lines.append(f"{fqdn(owner)}\tIN\tA\t{v4}\n")
    if v6:
        lines.append(f"{fqdn(owner)}\tIN\tAAAA\t{v6}\n")
    return "".join(lines)


def root_zone():
    ns_root, ns_tld, ns_lab = NAMES["rootns"], NAMES["tldns"], NAMES["labns"]
    return (_soa(ns_root, 86400, 86400)
            + f"@\tIN\tNS\t{fqdn(ns_root)}\n"
            + _a(ns_root, ADDR["rootns4"], ADDR["rootns6"])
            + f"test.\tIN\tNS\t{fqdn(ns_tld)}\n"
            + _a(ns_tld, ADDR["tldns4"], ADDR["tldns6"])
            + f"{REV4}\tIN\tNS\t{fqdn(ns_lab)}\n"
            + f"{REV6}\tIN\tNS\t{fqdn(ns_lab)}\n"
            + _a(ns_lab, ADDR["labns4"], ADDR["labns6"]))


def root_hints():
    ns_root = NAMES["rootns"]
    return (f".\t3600000\tIN\tNS\t{fqdn(ns_root)}\n"
            f"{fqdn(ns_root)}\t3600000\tIN\tA\t{ADDR['rootns4']}\n"
            f"{fqdn(ns_root)}\t3600000\tIN\tAAAA\t{ADDR['rootns6']}\n")


def tld_zone():
    ns_root, ns_tld, ns_lab = NAMES["rootns"], NAMES["tldns"], NAMES["labns"]
    return (_soa(ns_tld, 86400)
            + f"@\tIN\tNS\t{fqdn(ns_tld)}\n"
            + _a(ns_tld, ADDR["tldns4"], ADDR["tldns6"])
            + _a(ns_root, ADDR["rootns4"], ADDR["rootns6"])
            + f"lab.test.\tIN\tNS\t{fqdn(ns_lab)}\n"
            + _a(ns_lab, ADDR["labns4"], ADDR["labns6"]))


def lab_zone():
    z = (_soa(NAMES["labns"], 3600)
         + f"@\tIN\tNS\t{fqdn(NAMES['labns'])}\n"
         + f"@\tIN\tMX\t10 {fqdn(NAMES['mail'])}\n"
         + '@\tIN\tTXT\t"pynetsuite test lab"\n'
         + _a(NAMES["labns"], ADDR["labns4"], ADDR["labns6"])
         + _a(NAMES["client"], ADDR["client4"], ADDR["client6"]))
    for r in ("r1", "r2", "r3"):
        near, far = _addresses(r), _addresses(f"{r}_far")
        z += _a(NAMES[r], near[0], near[1]) + _a(NAMES[r], far[0], far[1])
    z += (_a(NAMES["target"], ADDR["target4"], ADDR["target6"])
          + f"{fqdn(NAMES['www'])}\tIN\tCNAME\t{fqdn(NAMES['target'])}\n"
          + _a(NAMES["multi"], ADDR["target4"]) + _a(NAMES["multi"], ADDR["multi2_4"])
          + _a(NAMES["v4only"], v4=ADDR["target4"])
          + _a(NAMES["v6only"], v6=ADDR["target6"])
          + _a(NAMES["mail"], ADDR["target4"], ADDR["target6"]))
    for key in ("dead", "hostunreach", "prohibited", "netunreach"):
        z += _a(NAMES[key], ADDR[key + "4"], ADDR[key + "6"])
    return z


def ptr_records():
    """{address: name} for every lab address (v4 and v6)."""
    records = {}
    for prefix, owner in PTR_OWNER.items():
        v4, v6 = _addresses(prefix)
        records[v4] = fqdn(NAMES[owner])
        records[v6] = fqdn(NAMES[owner])
    return records


def reverse_zone(origin, version):
    z = _soa(NAMES["labns"], 3600) + f"@\tIN\tNS\t{fqdn(NAMES['labns'])}\n"
    for address, name in sorted(ptr_records().items()):
        ip = ipaddress.ip_address(address)
        if ip.version == version:
            z += f"{ip.reverse_pointer}.\tIN\tPTR\t{name}\n"
    return z


def named_conf(directory):
    def addrs(key):
        return f"{ADDR[key + '4']}; {ADDR[key + '6']};"

    def listen(version):
        return " ".join(f"{ADDR[k + str(version)]};" for k in ("resolver", "rootns", "tldns", "labns"))

    def primary(name, filename):
        return f'    zone "{name}" {{ type primary; file "{os.path.join(directory, filename)}"; }};\n'

    return f"""// generated by tests/lab/dns/zones.py for one lab session
options {{
    directory "{directory}";
    managed-keys-directory "{directory}";
    pid-file none;
    session-keyfile "{os.path.join(directory, 'session.key')}";
    listen-on port 53 {{ {listen(4)} }};
    listen-on-v6 port 53 {{ {listen(6)} }};
    dnssec-validation no;
    empty-zones-enable no;
    notify no;
    allow-query {{ any; }};
    servfail-ttl 0;
    rrset-order {{ order none; }};  // records in zone-file order: stable output to compare
    automatic-interface-scan no;
    version none;
    hostname none;
    server-id none;
}};
controls {{ }};
logging {{
    channel stderr_log {{ stderr; severity info; print-time yes; print-category yes; }};
    category default {{ stderr_log; }};
    category lame-servers {{ null; }};
}};
view "resolver" {{
    match-destinations {{ {addrs('resolver')} }};
    recursion yes;
    allow-recursion {{ any; }};
    zone "." {{ type hint; file "{os.path.join(directory, 'root.hints')}"; }};
}};
view "root" {{
    match-destinations {{ {addrs('rootns')} }};
    recursion no;
{primary('.', 'root.zone')}}};
view "tld" {{
    match-destinations {{ {addrs('tldns')} }};
    recursion no;
{primary('test.', 'test.zone')}}};
view "lab" {{
    match-destinations {{ {addrs('labns')} }};
    recursion no;
{primary('lab.test.', 'lab.test.zone')}{primary(REV4, 'rev4.zone')}{primary(REV6, 'rev6.zone')}}};
"""


def write_config(directory):
    """Write named.conf, hints and zones into ``directory`` (created); return named.conf's path."""
    os.makedirs(directory, exist_ok=True)
    files = {
        "root.hints": root_hints(),
        "root.zone": root_zone(),
        "test.zone": tld_zone(),
        "lab.test.zone": lab_zone(),
        "rev4.zone": reverse_zone(REV4, 4),
        "rev6.zone": reverse_zone(REV6, 6),
        "named.conf": named_conf(directory),
    }
    for name, text in files.items():
        with open(os.path.join(directory, name), "w") as f:
            f.write(text)
    return os.path.join(directory, "named.conf")
