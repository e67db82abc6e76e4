"""-N <nodeinfo opt>: the argument parsing of iputils' node_info.c (niquery_option_handler).

Queries themselves are not implemented: an IPv6 session with a query fails loudly (see
ipv6.py). An IPv4 target ignores -N, as iputils does, and a subject without a query type
leaves an ordinary echo request.
"""

import _socket as socket

from pynetsuite.command import ToolExit

HELP = """ping -6 -N <nodeinfo opt>
Help:
  help
Query:
  name
  ipv6
  ipv6-all
  ipv6-compatible
  ipv6-global
  ipv6-linklocal
  ipv6-sitelocal
  ipv4
  ipv4-all
Subject:
  subject-ipv6=addr
  subject-ipv4=addr
  subject-name=name
  subject-fqdn=name
"""

QTYPE_NAME, QTYPE_IPV6, QTYPE_IPV4 = 2, 3, 4
SUBJ_IPV6, SUBJ_IPV4, SUBJ_NAME = 0, 1, 2

# (name, takes "=value", handler kind, data) in node_info.c's table order
_TABLE = (
    ("name", False, "qtype", QTYPE_NAME), ("fqdn", False, "qtype", QTYPE_NAME),
    ("ipv6", False, "qtype", QTYPE_IPV6), ("ipv6-all", False, "qtype", QTYPE_IPV6),
    ("ipv6-compatible", False, "qtype", QTYPE_IPV6), ("ipv6-linklocal", False, "qtype", QTYPE_IPV6),
    ("ipv6-sitelocal", False, "qtype", QTYPE_IPV6), ("ipv6-global", False, "qtype", QTYPE_IPV6),
    ("ipv4", False, "qtype", QTYPE_IPV4), ("ipv4-all", False, "qtype", QTYPE_IPV4),
    ("subject-ipv6", True, "addr", SUBJ_IPV6), ("subject-ipv4", True, "addr", SUBJ_IPV4),
    ("subject-name", True, "name", SUBJ_NAME), ("subject-fqdn", True, "name", SUBJ_NAME),
    ("help", False, "help", None),
)


def parse_option(config, value, inv):
    for name, takes_arg, kind, data in _TABLE:
        if not value.startswith(name):
            continue
        rest = value[len(name):]
        if takes_arg:
            if not rest.startswith("="):
                continue
            if _handle(config, kind, data, rest[1:], inv):
                return
        elif rest == "":
            if _handle(config, kind, data, None, inv):
                return
    _help(inv, to_stdout=False)


def _handle(config, kind, data, arg, inv):
    """One handler; False where iputils' returns -1 (the loop then goes on)."""
    if kind == "help":
        _help(inv, to_stdout=True)
    if kind == "qtype":
        if config.ni_query is not None and config.ni_query != data:
            inv.stdout.write("Qtype conflict\n")         # printf(): stdout
            return False
        config.ni_query = data
        return True
    if config.ni_subject is not None and config.ni_subject != data:
        inv.stdout.write("Subject type conflict\n")
        return False
    config.ni_subject = data
    if kind == "addr":
        from pynetsuite.net import resolve

        family = socket.AF_INET6 if data == SUBJ_IPV6 else socket.AF_INET
        try:
            socket.getaddrinfo(arg.encode("utf-8", "surrogateescape"), None, family,
                               socket.SOCK_DGRAM, 0, resolve.AI_IDN)
        except socket.gaierror as exc:
            _fprintf(inv, f"ping: {arg}: {exc.strerror}\n")
            return False
        except UnicodeError:
            _fprintf(inv, f"ping: {arg}: Name or service not known\n")
            return False
    return True


def _fprintf(inv, text):
    from .stdio import plain_stderr

    plain_stderr(inv.stderr).write(text)


def _help(inv, to_stdout):
    """niquery_option_help_handler(): stdout and exit 0 for "help", else stderr and exit 2."""
    if to_stdout:
        inv.stdout.write(HELP)
        raise ToolExit(0)
    _fprintf(inv, HELP)
    raise ToolExit(2)
