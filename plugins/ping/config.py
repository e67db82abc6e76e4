"""ping's settings, filled option by option exactly as iputils' getopt switch does."""

import os

import _socket as socket  # the C module: `socket` adds ~4 ms of enum set-up to every start

from .numbers import (INT_MAX, LONG_MAX, UINT_MAX, OptionValueError, c_int_trunc, ping_strtod,
                      strtol, strtol_or_err)

MAX_DUP_CHK = 0x10000
MAXWAIT = 10
IPOPT_TS_TSONLY, IPOPT_TS_TSANDADDR, IPOPT_TS_PRESPEC = 0, 1, 3
PMTUDISC = {"do": 2, "dont": 0, "want": 1}


class PingConfig:
    """Every setting, with iputils' defaults as class attributes; ``PingConfig(quiet=True)``
    overrides by name. A plain class: a dataclass costs milliseconds at every start."""

    family: int = socket.AF_UNSPEC
    socktype: int = socket.SOCK_DGRAM       # SOCK_RAW forced by -e 0
    uid: int = 0
    npackets: int = 0
    interval: int = 1000                    # ms
    opt_interval: bool = False
    preload: int = 1
    lingertime: int = MAXWAIT * 1000        # ms
    deadline: int = 0                       # s
    datalen: int = 56
    ttl: "int | None" = None
    sndbuf: int = 0
    mark: "int | None" = None
    pmtudisc: int = -1
    tos: int = 0
    flowlabel: "int | None" = None
    ident: int = -1                         # network-order value as on the wire, -1 = unset
    device: "str | None" = None
    source4: "str | None" = None
    source6: "str | None" = None
    strictsource: bool = False
    pattern: "str | None" = None           # the -p argument, applied after option parsing
    ts_type: "int | None" = None           # -T
    rroute: bool = False                    # -R
    audible: bool = False
    adaptive: bool = False
    connect_sk: bool = False
    so_debug: bool = False
    so_dontroute: bool = False
    ptimeofday: bool = False
    flood: bool = False
    numeric: bool = False
    outstanding: bool = False
    quiet: bool = False
    latency: bool = False
    verbose: bool = False
    noloop: bool = False
    broadcast: bool = False
    ni_query: "int | None" = None           # -N: node information query type
    ni_subject: "int | None" = None         # -N subject-*: subject type
    open_sockets: tuple = ()                # the ICMP sockets, held until exit as C does

    def __init__(self, **settings):
        self.warnings = []
        for name, value in settings.items():
            if not hasattr(type(self), name):
                raise TypeError(f"PingConfig has no setting {name!r}")
            setattr(self, name, value)

    @classmethod
    def for_program(cls, prog):
        """Defaults; ``ping4``/``ping6`` (a name ending in 4 or 6) forces the family."""
        config = cls(uid=os.getuid())
        if prog.endswith("4"):
            config.family = socket.AF_INET
        elif prog.endswith("6"):
            config.family = socket.AF_INET6
        return config

    def apply(self, letter, value, inv):
        """One getopt result. Raises OptionValueError; warnings go to stderr at once."""
        handler = getattr(self, f"_opt_{letter}", None)
        if handler is None:
            handler = getattr(self, _ALIASES[letter])
        handler(value, inv)

    # --- IPv4 / IPv6 selection ----------------------------------------------------------------
    def _opt_4(self, value, inv):
        if self.family == socket.AF_INET6:
            raise OptionValueError(2, "only one -4 or -6 option may be specified")
        self.family = socket.AF_INET

    def _opt_6(self, value, inv):
        if self.family == socket.AF_INET:
            raise OptionValueError(2, "only one -4 or -6 option may be specified")
        self.family = socket.AF_INET6

    def _opt_b(self, value, inv):
        self.broadcast = True

    def _opt_R(self, value, inv):
        if self.ts_type is not None:
            raise OptionValueError(2, "only one of -T or -R may be used")
        self.rroute = True

    def _opt_T(self, value, inv):
        if self.rroute:
            raise OptionValueError(2, "only one of -T or -R may be used")
        kinds = {"tsonly": IPOPT_TS_TSONLY, "tsandaddr": IPOPT_TS_TSANDADDR,
                 "tsprespec": IPOPT_TS_PRESPEC}
        if value not in kinds:
            raise OptionValueError(2, f"invalid timestamp type: {value}")
        self.ts_type = kinds[value]

    def _opt_F(self, value, inv):
        if value[:2] in ("0x", "0X"):
            number, end, _ = strtol(value[2:], 16, unsigned=True)
            end += 2 if end else 0
            ok = end == len(value) or (end == 0 and len(value) == 2)
        else:
            number, end, _ = strtol(value, 10, unsigned=True)
            ok = end == len(value)
        if not ok:
            raise OptionValueError(2, f"bad value for flowinfo: {value}")
        number &= 0xFFFFFFFF  # (int) cast
        if number & ~0x000FFFFF:
            raise OptionValueError(2, f"flow value is greater than 20 bits: {value}")
        self.flowlabel = number

    def _opt_N(self, value, inv):
        """niquery_option_handler(): the first table entry whose name (and "=" for the
        subject ones) matches and whose handler succeeds; else the help on stderr, exit 2.
        Only the parsing is done here: sending a query is refused in the IPv6 session."""
        from .nodeinfo import parse_option

        parse_option(self, value, inv)

    # --- common options -----------------------------------------------------------------------
    def _opt_a(self, value, inv):
        self.audible = True

    def _opt_A(self, value, inv):
        self.adaptive = True

    def _opt_B(self, value, inv):
        self.strictsource = True

    def _opt_c(self, value, inv):
        self.npackets = strtol_or_err(value, "invalid argument", 1, LONG_MAX)

    def _opt_C(self, value, inv):
        self.connect_sk = True

    def _opt_d(self, value, inv):
        self.so_debug = True

    def _opt_D(self, value, inv):
        self.ptimeofday = True

    def _opt_e(self, value, inv):
        number = strtol_or_err(value, "invalid argument", 0, 0xFFFF, unsigned=True)
        self.ident = number

    def _opt_f(self, value, inv):
        self.flood = True
        self.numeric = True

    def _opt_i(self, value, inv):
        number, warnings = ping_strtod(value, "bad timing interval")
        for line in warnings:
            inv.warn(line)
        if number > INT_MAX // 1000:
            raise OptionValueError(2, f"bad timing interval: {value}")
        self.interval = c_int_trunc(number * 1000)
        self.opt_interval = True

    def _opt_I(self, value, inv):
        if ":" in value:
            address, _, scope = value.partition("%")
            if scope or "%" in value:
                self.device = scope
            try:
                socket.inet_pton(socket.AF_INET6, address)
            except (OSError, ValueError):
                raise OptionValueError(2, f"invalid source address: {value}") from None
            self.source6 = address
            self.strictsource = True
            return
        try:
            socket.inet_pton(socket.AF_INET, value)
        except (OSError, ValueError):
            self.device = value
            return
        self.source4 = value
        self.strictsource = True

    def _opt_l(self, value, inv):
        self.preload = strtol_or_err(value, "invalid argument", 1, MAX_DUP_CHK)
        if self.uid and self.preload > 3:
            raise OptionValueError(2, f"cannot set preload to value greater than 3: "
                                      f"{self.preload}")

    def _opt_L(self, value, inv):
        self.noloop = True

    def _opt_m(self, value, inv):
        self.mark = strtol_or_err(value, "invalid argument", 0, UINT_MAX, unsigned=True)

    def _opt_M(self, value, inv):
        if value not in PMTUDISC:
            raise OptionValueError(2, f"invalid -M argument: {value}")
        self.pmtudisc = PMTUDISC[value]

    def _opt_n(self, value, inv):
        self.numeric = True

    def _opt_O(self, value, inv):
        self.outstanding = True

    def _opt_p(self, value, inv):
        self.pattern = value

    def _opt_q(self, value, inv):
        self.quiet = True

    def _opt_Q(self, value, inv):
        if value[:2] in ("0x", "0X"):
            number, end, _ = strtol(value[2:], 16)
            end += 2 if end else 0
            ok = end == len(value) or (end == 0 and len(value) == 2)
        else:
            number, end, _ = strtol(value, 10)
            ok = end == len(value)
        if not ok:
            raise OptionValueError(2, f"bad TOS value: {value}")
        number = ((number + 2**31) % 2**32) - 2**31  # (int) cast
        if number > 255:
            raise OptionValueError(
                2, f"the decimal value of TOS bits must be in range 0-255: {number}")
        self.tos = number

    def _opt_r(self, value, inv):
        self.so_dontroute = True

    def _opt_s(self, value, inv):
        self.datalen = strtol_or_err(value, "invalid argument", 0, INT_MAX)

    def _opt_S(self, value, inv):
        self.sndbuf = strtol_or_err(value, "invalid argument", 1, INT_MAX)

    def _opt_t(self, value, inv):
        self.ttl = strtol_or_err(value, "invalid argument", 0, 255)

    def _opt_U(self, value, inv):
        self.latency = True

    def _opt_v(self, value, inv):
        self.verbose = True

    def _opt_w(self, value, inv):
        self.deadline = strtol_or_err(value, "invalid argument", 0, INT_MAX)

    def _opt_W(self, value, inv):
        number, warnings = ping_strtod(value, "bad linger time")
        for line in warnings:
            inv.warn(line)
        if number < 0 or number > INT_MAX // 1000:
            raise OptionValueError(2, f"bad linger time: {value}")
        self.lingertime = c_int_trunc(number * 1000)


_ALIASES = {}
