"""Hook implementations of the sample plugin.

This module is imported every time any pynetsuite command starts, so it imports nothing but
the two tiny pynetsuite modules it needs, and names everything else lazily.
"""

from pynetsuite import hookimpl
from pynetsuite.command import CommandSpec


@hookimpl
def pynetsuite_commands():
    """A new command: ``pyhello`` (console script), ``pynetsuite hello``, or a link ``hello``."""
    return [CommandSpec(name="hello", script="pyhello", summary="print greetings (sample plugin)",
                        implementation="pynetsuite_hello.command:HelloCommand")]


@hookimpl
def pynetsuite_add_options(command, options):
    """``--tally`` on every command, built-in ones included (``pyping --tally ...``)."""
    from pynetsuite.getopt import Option

    options.add(Option(long="tally", dest="hello_tally",
                       help="print how many records of each kind the command produced"))


@hookimpl
def pynetsuite_session_start(invocation):
    if invocation.values.get("hello_tally"):
        from .tally import start

        start(invocation)


@hookimpl
def pynetsuite_record(command, record, invocation):
    if invocation.values.get("hello_tally"):
        from .tally import count

        count(invocation, record)


@hookimpl
def pynetsuite_session_finish(invocation, exit_code):
    if invocation.values.get("hello_tally"):
        from .tally import finish

        finish(invocation)


@hookimpl
def pynetsuite_output_formats():
    """``--output-format csv`` for every command."""
    from pynetsuite.output import OutputFormat

    return [OutputFormat(name="csv", summary="records as CSV, one header line per record kind",
                         factory="pynetsuite_hello.csvformat:CsvRenderer")]


@hookimpl
def pynetsuite_service_probes():
    """Teach the port scanner the (made-up) HELLO protocol."""
    from pynetsuite.probes import ServiceProbe

    return [ServiceProbe(name="hello", protocol="tcp", ports=(7777,), payload=b"HELLO\r\n",
                         match=rb"^HELLO (?P<product>[\w-]+)/(?P<version>[\d.]+)")]
