"""The ping plugin: registration only (imported at every start of pyping, so it stays tiny)."""

from pynetsuite import hookimpl
from pynetsuite.command import CommandSpec


@hookimpl
def pynetsuite_commands():
    return [CommandSpec(name="ping", script="pyping", summary="send ICMP ECHO_REQUEST to network hosts",
                        implementation="pynetsuite.plugins.ping.command:PingCommand",
                        aliases=("ping4", "ping6"))]  # iputils' links: the family forced
