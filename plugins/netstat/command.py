"""pynetstat: the command line of net-tools 2.10 netstat, mode selection and dispatch.

The option loop follows netstat.c's main(): getopt_long over the same table (so abbreviations
and ambiguity messages match glibc's, ``--unix`` listed twice included), ``-V``, ``-h``, ``-Z``
and a bad ``-A`` act at once, in command-line order; then the defaulting of address families
and protocols, the mode conflict check (usage, exit 3), and the mode runs: once, or with ``-c``
every second until Ctrl-C (which kills us, as it kills netstat).

Modes live in sibling modules imported only when chosen: sockets (this package's sockets.py),
routes (-r), interfaces (-i), groups (-g), statistics (-s), masquerade (-M). Each exposes
``run(invocation, opts) -> int`` and a ``TextRenderer``.
"""

import os
import sys

from pynetsuite.command import Command, ToolExit
from pynetsuite.getopt import NO_ARG, REQUIRED, Option

from .options import NetstatOptions

USAGE = """\
usage: netstat [-vWeenNcCF] [<Af>] -r         netstat {-V|--version|-h|--help}
       netstat [-vWnNcaeol] [<Socket> ...]
       netstat { [-vWeenNac] -i | [-cnNe] -M | -s [-6tuw] }

        -r, --route              display routing table
        -i, --interfaces         display interface table
        -g, --groups             display multicast group memberships
        -s, --statistics         display networking statistics (like SNMP)
        -M, --masquerade         display masqueraded connections

        -v, --verbose            be verbose
        -W, --wide               don't truncate IP addresses
        -n, --numeric            don't resolve names
        --numeric-hosts          don't resolve host names
        --numeric-ports          don't resolve port names
        --numeric-users          don't resolve user names
        -N, --symbolic           resolve hardware names
        -e, --extend             display other/more information
        -p, --programs           display PID/Program name for sockets
        -o, --timers             display timers
        -c, --continuous         continuous listing

        -l, --listening          display listening server sockets
        -a, --all                display all sockets (default: connected)
        -F, --fib                display Forwarding Information Base (default)
        -C, --cache              display routing cache instead of FIB
        -Z, --context            display SELinux security context for sockets

  <Socket>={-t|--tcp} {-u|--udp} {-U|--udplite} {-S|--sctp} {-w|--raw}
           {-x|--unix} --ax25 --ipx --netrom
  <AF>=Use '-6|-4' or '-A <af>' or '--<af>'; default: inet
  List of possible address families (which support routing):
"""

#: print_aflist(1) writes this to stderr, also after ``-h``'s usage on stdout.
AF_LIST = """\
    inet (DARPA Internet) inet6 (IPv6) ax25 (AMPR AX.25) 
    netrom (AMPR NET/ROM) rose (AMPR ROSE) ipx (Novell IPX) 
    ddp (Appletalk DDP) x25 (CCITT X.25) 
"""

VERSION = """\
net-tools 2.10
Fred Baumgarten, Alan Cox, Bernd Eckenfels, Phil Blundell, Tuan Hoang, Brian Micek and others
+NEW_ADDRT +RTF_IRTT +RTF_REJECT +FW_MASQUERADE +I18N +SELINUX
AF: (inet) +UNIX +INET +INET6 +IPX +AX25 +NETROM +X25 +ATALK +ECONET +ROSE -BLUETOOTH
HW:  +ETHER +ARC +SLIP +PPP +TUNNEL -TR +AX25 +NETROM +X25 +FR +ROSE +ASH +SIT +FDDI +HIPPI +HDLC/LAPB +EUI64 
"""

#: lib/af.c aftrans[]: alias -> (name added to afname, flag it counts)
AFTRANS = {
    "ax25": ("ax25", "ax25"), "ip": ("inet", "inet"), "ip6": ("inet6", "inet6"),
    "ipx": ("ipx", "ipx"), "rose": ("rose", "rose"), "appletalk": ("ddp", "ddp"),
    "netrom": ("netrom", "netrom"), "inet": ("inet", "inet"), "inet6": ("inet6", "inet6"),
    "ddp": ("ddp", "ddp"), "unix": ("unix", "unix"), "tcpip": ("inet", "inet"),
    "econet": ("ec", "ec"), "x25": ("x25", "x25"), "ash": ("ash", "ash"),
    "bluetooth": ("bluetooth", "bluetooth"),
}

#: AFTRANS_OPTS, the first entries of netstat's longopts: all {name, 0, 0, 1}, so glibc treats
#: them as one option when abbreviating. AFTRANS_CNT is 12 although 13 are listed: --tcpip
#: falls out of range and only prints an internal error.
AFTRANS_OPTS = ("ax25", "x25", "ip", "ipx", "appletalk", "netrom", "inet", "inet6", "ddp",
                "rose", "unix", "bluetooth", "tcpip")
AFTRANS_CNT = 12

#: The rest of netstat.c's longopts, in table order: (short, long, arg).
LONGOPTS = (
    ("V", "version", NO_ARG), ("i", "interfaces", NO_ARG), ("h", "help", NO_ARG),
    ("r", "route", NO_ARG), ("M", "masquerade", NO_ARG), ("A", "protocol", REQUIRED),
    ("t", "tcp", NO_ARG), ("S", "sctp", NO_ARG), ("u", "udp", NO_ARG),
    ("U", "udplite", NO_ARG), ("w", "raw", NO_ARG), ("x", "unix", NO_ARG),
    ("2", "l2cap", NO_ARG), ("f", "rfcomm", NO_ARG), ("l", "listening", NO_ARG),
    ("a", "all", NO_ARG), ("o", "timers", NO_ARG), ("c", "continuous", NO_ARG),
    ("e", "extend", NO_ARG), ("p", "programs", NO_ARG), ("v", "verbose", NO_ARG),
    ("s", "statistics", NO_ARG), ("W", "wide", NO_ARG), ("n", "numeric", NO_ARG),
    (None, "numeric-hosts", NO_ARG), (None, "numeric-ports", NO_ARG),
    (None, "numeric-users", NO_ARG), ("N", "symbolic", NO_ARG), ("C", "cache", NO_ARG),
    ("F", "fib", NO_ARG), ("g", "groups", NO_ARG), ("Z", "context", NO_ARG),
)
#: short options without a long name ("A:CFMacdeghilnNoprsStuUvVWw2fx64?Z")
SHORT_ONLY = ("d", "6", "4", "?")

INET_PROTOCOLS = ("tcp", "sctp", "udp", "udplite", "raw")
#: socket families net-tools counts in flag_arg besides the inet protocols and unix
OTHER_FAMILIES = ("ipx", "ax25", "netrom", "x25", "rose")

#: Options that set the NetstatOptions attribute of the same name.
FLAG_OPTIONS = frozenset(("all", "listening", "continuous", "groups", "programs", "wide",
                          "numeric_hosts", "numeric_ports", "numeric_users", "symbolic", "cache",
                          "fib", "timers", "verbose", "l2cap", "rfcomm"))
#: Mode options, counted: more than one mode is a usage error.
MODE_OPTIONS = {"masquerade": "mas", "interfaces": "int", "route": "rou", "statistics": "sta"}
#: Short family options and the family each one selects.
FAMILY_OPTIONS = {"opt_4": "inet", "opt_6": "inet6", "unix": "unix"}

#: mode -> module of this package (imported only when that mode runs)
MODE_MODULES = {"sockets": "sockets", "route": "routes", "interfaces": "interfaces",
                "groups": "groups", "statistics": "statistics", "masquerade": "masquerade"}


def mode_module(mode):
    """Import the module implementing ``mode`` (lazily: only the mode that runs is loaded)."""
    import importlib

    name = MODE_MODULES[mode]
    try:
        return importlib.import_module(f"{__package__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.{name}":
            raise
        raise ToolExit(1, f"netstat {mode} mode is not implemented in this build") from None


class NetstatCommand(Command):
    usage_exit_code = 3
    usage_text = USAGE + AF_LIST

    def __init__(self):
        self.opts = None

    def options(self):
        table = [Option(long=name, dest="af_" + name, key="aftrans") for name in AFTRANS_OPTS]
        for short, long, arg in LONGOPTS:
            # key: getopt_long's val, distinct per entry (the second --unix is 'x', not 1)
            table.append(Option(short, long, dest=(long or short).replace("-", "_"), arg=arg,
                                action="store" if arg else "count", key="val:" + (short or long)))
        for short in SHORT_ONLY:
            table.append(Option(short, dest="opt_" + {"?": "question"}.get(short, short),
                                action="count"))
        return table

    # -- parsing -------------------------------------------------------------------------------
    def parse(self, inv):
        """net-tools' getopt loop and the defaulting after it; returns NetstatOptions."""
        opts = NetstatOptions()
        counts = {"int": 0, "rou": 0, "mas": 0, "sta": 0}
        fams = opts.families
        protos = opts.protocols
        flags = {}  # aftrans flag -> count

        def aftrans(arg):
            # lib/af.c aftrans_opt(): each comma-separated alias, in order, of the argument
            # as copied into its 256-byte buffer (a longer list loses its end, mid-word too)
            arg = os.fsdecode(os.fsencode(arg)[:255])
            for alias in arg.split(","):
                entry = AFTRANS.get(alias)
                if entry is None:
                    inv.stderr.write(f"Unknown address family `{alias}'.\n")
                    raise ToolExit(1)
                name, flag = entry
                if len(name) + len(opts.afname) + 1 >= 256:
                    inv.stderr.write("Too much address family arguments.\n")
                    return
                flags[flag] = flags.get(flag, 0) + 1
                opts.afname = f"{opts.afname},{name}" if opts.afname else name

        for option, value in inv.iter_options():
            dest = option.dest
            if option.key == "aftrans":
                if AFTRANS_OPTS.index(option.long) >= AFTRANS_CNT:
                    inv.stderr.write("netstat.c: Internal Error `longopts 1 range'.\n")
                else:
                    aftrans(option.long)
            elif dest == "protocol":
                aftrans(value)
            elif dest in FLAG_OPTIONS:
                setattr(opts, dest, True)
            elif dest in MODE_OPTIONS:
                counts[MODE_OPTIONS[dest]] += 1
            elif dest in FAMILY_OPTIONS:  # -4, -6, -x/--unix (the second table entry)
                aftrans(FAMILY_OPTIONS[dest])
            elif dest == "numeric":
                opts.numeric_hosts = opts.numeric_ports = opts.numeric_users = True
            elif dest == "opt_d":
                opts.debug += 1
            elif dest == "extend":
                opts.extend += 1
            elif dest == "version":
                inv.stdout.write(VERSION)
                raise ToolExit(0)
            elif dest in ("tcp", "sctp", "udp", "udplite", "raw"):
                protos.add(dest)
            elif dest == "context":
                # Debian's netstat is built with SELinux support: without SELinux, -Z ends here
                if not os.path.exists("/sys/fs/selinux/enforce"):
                    inv.stderr.write("SELinux is not enabled on this machine.\n")
                    raise ToolExit(1)
                raise ToolExit(1, "SELinux security contexts (-Z) are not supported")
            elif dest == "opt_question":
                self.usage(inv, 3)
            elif dest == "help":
                self.usage(inv, 0)

        if counts["int"] + counts["rou"] + counts["mas"] + counts["sta"] > 1:
            self.usage(inv, 3)

        # the families asked for, as the contract's set
        for flag, n in flags.items():
            if n:
                fams.add(flag)
        if "unix" in fams:
            protos.add("unix")
        opts.flag_inet = bool(flags.get("inet"))
        opts.flag_inet6 = bool(flags.get("inet6"))
        opts.flag_unx = bool(flags.get("unix"))
        for fam in OTHER_FAMILIES:
            opts.flag_other[fam] = flags.get(fam, 0)
        if flags.get("bluetooth") and not (opts.l2cap or opts.rfcomm):
            opts.l2cap = opts.rfcomm = True

        inet = set(protos) & set(INET_PROTOCOLS)
        if (opts.flag_inet or opts.flag_inet6 or counts["sta"]) and not inet:
            opts.noprot = True
            inet = set(INET_PROTOCOLS)
        if (inet or opts.groups) and not (opts.flag_inet or opts.flag_inet6):
            opts.flag_inet = opts.flag_inet6 = True
        opts.inet_protocols = inet
        opts.flag_arg = (len(inet) + opts.flag_unx + sum(1 for f in OTHER_FAMILIES if flags.get(f))
                         + opts.groups + opts.l2cap + opts.rfcomm)

        if counts["mas"]:
            opts.mode = "masquerade"
        elif counts["sta"]:
            opts.mode = "statistics"
        elif counts["rou"]:
            opts.mode = "route"
        elif counts["int"]:
            opts.mode = "interfaces"
        elif opts.groups and opts.flag_arg == 1:
            opts.mode = "groups"  # -g alone: only the group memberships table
        else:
            opts.mode = "sockets"
        return opts

    def usage(self, inv, code):
        """netstat's usage(): to stdout for -h (exit 0), to stderr otherwise; the address
        family list always goes to stderr."""
        if code:
            inv.stderr.write(USAGE + AF_LIST)
        else:
            inv.stdout.write(USAGE)
            inv.stdout.flush()
            inv.stderr.write(AF_LIST)
        raise ToolExit(code)

    # -- running -------------------------------------------------------------------------------
    def run(self, inv):
        from .stdio import install

        install(inv)  # write errors are ignored, as net-tools ignores them
        self.opts = opts = self.parse(inv)
        module = mode_module(opts.mode)
        repeats = opts.continuous and getattr(module, "CONTINUOUS", opts.mode != "statistics")
        if repeats:
            self.streaming = True  # --json -c: one JSON object per line, as it comes
        rnd = 0
        while True:
            opts.round = rnd
            code = module.run(inv, opts)
            if code or not repeats:
                break
            self._flush(inv)
            import time

            time.sleep(opts.delay)
            rnd += 1
        return code & 0xFF if isinstance(code, int) else 1

    @staticmethod
    def _flush(inv):
        flush = getattr(inv.renderer, "flush", None)
        if flush is not None:
            flush()
        inv.stdout.flush()

    def text_renderer(self, inv):
        module = mode_module(self.opts.mode if self.opts else "sockets")
        return module.TextRenderer(inv)


def main():  # pragma: no cover - convenience for `python -m`
    from pynetsuite.cli import run_tool

    sys.exit(run_tool("netstat"))
