"""The netstat plugin: registration only (imported at every start of pynetstat, so it stays tiny)."""

from pynetsuite import hookimpl
from pynetsuite.command import CommandSpec


@hookimpl
def pynetsuite_commands():
    return [CommandSpec(name="netstat", script="pynetstat",
                        summary="print network connections, routing tables, interface statistics",
                        implementation="pynetsuite.plugins.netstat.command:NetstatCommand")]
