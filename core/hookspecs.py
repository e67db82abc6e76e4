"""The pynetsuite plugin contract: every hook a plugin may implement.

A plugin is a module (or object) with functions named after these hooks and marked with
``pynetsuite.hookimpl`` (or ``pluggy.HookimplMarker("pynetsuite")``, which is the same thing).
Built-in tools are plugins too and are registered exactly like third-party ones; a third-party
plugin is found through the entry-point group ``pynetsuite``::

    [project.entry-points.pynetsuite]
    myplugin = "myplugin.hooks"

Keep the registration module cheap to import: it is loaded every time any command starts.
Import heavy libraries inside the command implementation or inside hook bodies that need them.
Hook arguments are passed by name; an implementation may accept any subset of them.
"""

import pluggy

hookspec = pluggy.HookspecMarker("pynetsuite")


@hookspec
def pynetsuite_commands():
    """Return the commands this plugin provides.

    Called once per run, when the host assembles its command table (and for
    ``pynetsuite --list`` / ``--install``).

    :return: an iterable of :class:`pynetsuite.command.CommandSpec`. The implementation is
        named as a ``"module:Class"`` string and imported only if that command runs. A command
        whose name is already taken by a plugin registered earlier (built-ins come first) is
        ignored with a warning.
    """


@hookspec
def pynetsuite_add_options(command, options):
    """Add options to a command: your own command or any other, built-in ones included.

    Called after the command's own options are known and before the command line is parsed
    (also during shell completion, so added options complete too).

    :param str command: the command being run (``"ping"``).
    :param options: its :class:`pynetsuite.getopt.OptionTable`; call
        ``options.add(Option(long="beep", help="..."))``. Added long options match only
        exactly, so they never make an abbreviation the original accepts ambiguous; do not
        reuse a letter or name the command already has (``add`` raises ``ValueError``).
        Values land in ``invocation.values[dest]``; read them in the other hooks.
    """


@hookspec
def pynetsuite_session_start(invocation):
    """The command line was parsed and the command is about to do its work.

    :param invocation: the :class:`pynetsuite.command.Invocation`: ``command``, ``values``,
        ``operands``, ``stdout``, ``stderr``.
    """


@hookspec
def pynetsuite_record(command, record, invocation):
    """Observe one result record as the command produces it, before it is rendered.

    Records are the typed objects the command's engine yields (a ping reply, a socket row, a
    port state); their fields are exactly what ``--json`` prints. Use this for exporters, logs
    and extra behaviour tied to results. Do not modify the record.

    :param str command: the command name.
    :param record: the record (a dataclass instance).
    :param invocation: the running :class:`pynetsuite.command.Invocation`.
    """


@hookspec
def pynetsuite_session_finish(invocation, exit_code):
    """The command has finished (normally, by an error, or by Ctrl-C) with ``exit_code``."""


@hookspec
def pynetsuite_output_formats():
    """Return extra output formats, selectable with ``--output-format NAME``.

    :return: an iterable of :class:`pynetsuite.output.OutputFormat`: a name, a summary, and a
        ``"module:callable"`` factory called as ``factory(invocation)`` that returns a
        :class:`pynetsuite.command.Renderer`. ``text`` and ``json`` are built in.
    """


@hookspec
def pynetsuite_service_probes():
    """Return service probes that teach the port scanner (``pynmap -sV``) a service.

    :return: an iterable of :class:`pynetsuite.probes.ServiceProbe`: the service name, the
        protocol (``"tcp"``/``"udp"``), the ports to try it on first, the bytes to send (empty
        to only read a banner), and a regular expression whose match identifies the service
        (named groups ``product`` and ``version`` fill the VERSION column).
    """
