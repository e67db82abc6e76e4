"""pyping: iputils ping (20221126, Debian 12) — options, usage and the command object.

The option letters and their checks follow iputils' getopt loop case by case, in command-line
order, so the first bad value wins with the original's message and exit status (1 for the
strtol-style checks, 2 for the others). The network work is in :mod:`.engine`, the text in
:mod:`.render`. Heavy imports happen in run().
"""

from pynetsuite.command import Command, ToolExit
from pynetsuite.getopt import NO_ARG, REQUIRED, Option

USAGE = """
Usage
  ping [options] <destination>

Options:
  <destination>      dns name or ip address
  -a                 use audible ping
  -A                 use adaptive ping
  -B                 sticky source address
  -c <count>         stop after <count> replies
  -C                 call connect() syscall on socket creation
  -D                 print timestamps
  -d                 use SO_DEBUG socket option
  -e <identifier>    define identifier for ping session, default is random for
                     SOCK_RAW and kernel defined for SOCK_DGRAM
                     Imply using SOCK_RAW (for IPv4 only for identifier 0)
  -f                 flood ping
  -h                 print help and exit
  -I <interface>     either interface name or address
  -i <interval>      seconds between sending each packet
  -L                 suppress loopback of multicast packets
  -l <preload>       send <preload> number of packages while waiting replies
  -m <mark>          tag the packets going out
  -M <pmtud opt>     define mtu discovery, can be one of <do|dont|want>
  -n                 no dns name resolution
  -O                 report outstanding replies
  -p <pattern>       contents of padding byte
  -q                 quiet output
  -Q <tclass>        use quality of service <tclass> bits
  -s <size>          use <size> as number of data bytes to be sent
  -S <size>          use <size> as SO_SNDBUF socket option value
  -t <ttl>           define time to live
  -U                 print user-to-user latency
  -v                 verbose output
  -V                 print version and exit
  -w <deadline>      reply wait <deadline> in seconds
  -W <timeout>       time to wait for response

IPv4 options:
  -4                 use IPv4
  -b                 allow pinging broadcast
  -R                 record route
  -T <timestamp>     define timestamp, can be one of <tsonly|tsandaddr|tsprespec>

IPv6 options:
  -6                 use IPv6
  -F <flowlabel>     define flow label, default is random
  -N <nodeinfo opt>  use icmp6 node info query, try <help> as argument

For more details see ping(8).
"""

VERSION = ("ping from iputils 20221126\n"
           "libcap: yes, IDN: yes, NLS: no, error.h: yes, getrandom(): yes, __fpending(): yes\n")

# (letter, takes an argument, help) in iputils' optstring order
_OPTIONS = (
    ("h", False, "print help and exit"), ("?", False, "print help and exit"),
    ("4", False, "use IPv4"), ("b", False, "allow pinging broadcast"),
    ("R", False, "record route"), ("T", True, "define timestamp: tsonly|tsandaddr|tsprespec"),
    ("6", False, "use IPv6"), ("F", True, "define flow label"),
    ("N", True, "icmp6 node info query (not implemented)"),
    ("a", False, "use audible ping"), ("A", False, "use adaptive ping"),
    ("B", False, "sticky source address"), ("c", True, "stop after <count> replies"),
    ("C", False, "call connect() syscall on socket creation"),
    ("d", False, "use SO_DEBUG socket option"), ("D", False, "print timestamps"),
    ("e", True, "define identifier for ping session"), ("f", False, "flood ping"),
    ("i", True, "seconds between sending each packet"),
    ("I", True, "either interface name or address"),
    ("l", True, "send <preload> number of packages while waiting replies"),
    ("L", False, "suppress loopback of multicast packets"),
    ("m", True, "tag the packets going out"), ("M", True, "define mtu discovery: do|dont|want"),
    ("n", False, "no dns name resolution"), ("O", False, "report outstanding replies"),
    ("p", True, "contents of padding byte"), ("q", False, "quiet output"),
    ("Q", True, "use quality of service <tclass> bits"),
    ("r", False, "bypass the routing table (SO_DONTROUTE)"),
    ("s", True, "use <size> as number of data bytes to be sent"),
    ("S", True, "use <size> as SO_SNDBUF socket option value"),
    ("t", True, "define time to live"), ("U", False, "print user-to-user latency"),
    ("v", False, "verbose output"), ("V", False, "print version and exit"),
    ("w", True, "reply wait <deadline> in seconds"), ("W", True, "time to wait for response"),
)


class PingCommand(Command):
    long_options = False        # plain getopt(3): "--help" is "invalid option -- '-'"
    streaming = True
    handles_sigint = True
    usage_exit_code = 2
    usage_text = USAGE

    def options(self):
        return [Option(letter, dest=f"opt_{letter}" if letter != "?" else "opt_help",
                       arg=REQUIRED if takes else NO_ARG, help=help_text,
                       action="append" if takes else "count")
                for letter, takes, help_text in _OPTIONS]

    def text_renderer(self, invocation):
        from .render import PingTextRenderer

        return PingTextRenderer(invocation)

    def run(self, inv):
        import signal

        # Until the engine installs its handlers, Ctrl-C ends ping by the signal, as in C.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        from .stdio import ErrorStream, StdioStdout, close_streams

        stdout = inv.stdout = StdioStdout(inv.stdout)
        stderr = inv.stderr = ErrorStream(stdout, inv.stderr)
        try:
            code = self._run(inv)
        except ToolExit as exc:
            # printed here, not by the host: close_stdout() comes after error()'s message
            if exc.message:
                stderr.write(f"{inv.prog}: {exc.message}\n")
            code = exc.code
        return close_streams(inv.prog, stdout, stderr, code)

    def _run(self, inv):
        from .config import PingConfig
        from .numbers import OptionValueError

        self.config = config = PingConfig.for_program(inv.prog)
        try:
            for option, value in inv.iter_options():
                letter = option.short
                if letter in ("h", "?"):
                    inv.stderr.write(USAGE)
                    raise ToolExit(2)
                if letter == "V":
                    inv.stdout.write(VERSION)
                    return 0
                config.apply(letter, value, inv)
        except OptionValueError as exc:
            for line in exc.warnings:
                inv.warn(line)
            raise ToolExit(exc.code, exc.message) from None
        if not inv.operands:
            raise ToolExit(1, "usage error: Destination address required")
        inv.stdout.unbuffered = config.flood
        from .engine import run_ping

        return run_ping(inv, config)
