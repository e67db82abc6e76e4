"""NetstatOptions: everything netstat's command line decided, as plain attributes.

command.py fills one from the getopt loop (in command-line order, as net-tools' main() does)
and hands it to the mode's ``run(invocation, opts)``. The attributes named in the contract
between the socket tables and the other modes (routes, interfaces, groups, statistics,
masquerade) are the first block; the second block keeps net-tools' own flags for the places
where its exact logic matters.
"""

MODES = ("sockets", "route", "interfaces", "groups", "statistics", "masquerade")


class NetstatOptions:
    def __init__(self):
        # -- the contract -----------------------------------------------------------------------
        self.mode = "sockets"        # one of MODES
        self.numeric_hosts = False   # -n, --numeric-hosts
        self.numeric_ports = False   # -n, --numeric-ports
        self.numeric_users = False   # -n, --numeric-users
        self.extend = 0              # count of -e
        self.programs = False        # -p
        self.timers = False          # -o
        self.wide = False            # -W
        self.verbose = False         # -v
        self.continuous = False      # -c
        self.delay = 1.0             # seconds between -c rounds (net-tools 2.10: always 1)
        self.listening = False       # -l
        self.all = False             # -a
        #: address families as given (-4 -6 -A LIST --inet --inet6 --unix -x ...): a subset of
        #: "inet", "inet6", "unix", "ipx", "ax25", "netrom", "x25", "rose", "ddp", "ec", "ash",
        #: "bluetooth"; empty = none given (the default)
        self.families = set()
        #: socket protocols as given: "tcp", "udp", "udplite", "raw", "sctp" (-t -u -U -w -S) and
        #: "unix" (-x); empty = none given
        self.protocols = set()
        self.cache = False           # -C
        self.fib = False             # -F
        self.interface = None        # -I (not an option of net-tools 2.10; stays None)
        self.symbolic = False        # -N
        #: 0-based round of -c: command.py sets it before each call of a mode's run(), for the
        #: modes whose C code keeps state between rounds (-i prints its title once; -g's
        #: static parser state)
        self.round = 0

        # -- net-tools' own bookkeeping ---------------------------------------------------------
        #: the address family list exactly as net-tools builds it ("inet,inet6"): -s and -r
        #: compare/iterate it; "" when none was given
        self.afname = ""
        self.groups = False          # -g (with socket selectors it is printed between inet and unix)
        self.debug = 0               # -d (accepted, no effect, as in net-tools)
        self.l2cap = False           # -2 / --l2cap (Bluetooth: not compiled into Debian's netstat)
        self.rfcomm = False          # -f / --rfcomm
        self.flag_inet = False       # net-tools' flag_inet / flag_inet6 / flag_unx ... after
        self.flag_inet6 = False      # the defaulting in main()
        self.flag_unx = False
        self.flag_other = {}         # "ipx", "ax25", "netrom", "x25", "rose", "bluetooth" -> count
        self.noprot = False          # protocols were implied by a family, not asked for
        self.flag_arg = 0            # number of socket selections (net-tools' flag_arg)

    @property
    def numeric(self):
        """-n: all three numeric flags."""
        return self.numeric_hosts and self.numeric_ports and self.numeric_users

    def wants(self, proto):
        """Would net-tools list ``proto`` ("tcp", "udp", ...) in this run?"""
        return not self.flag_arg or proto in self.protocols

    def __repr__(self):
        keys = ("mode", "protocols", "families", "afname", "listening", "all", "extend",
                "programs", "timers", "wide", "continuous")
        return "NetstatOptions(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in keys) + ")"
