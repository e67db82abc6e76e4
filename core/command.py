"""What a command is: its spec (returned by plugins), its implementation, and one invocation.

A plugin's ``pynetsuite_commands`` hook returns :class:`CommandSpec` records. The spec names the
implementation as a lazy ``"module:attr"`` string so that only the command that runs is imported.
The implementation is a :class:`Command` subclass: it declares its options, parses them in
order through :meth:`Invocation.iter_options`, does its work in an engine that yields records,
and hands each record to :meth:`Invocation.emit`. Text rendering, JSON and plugin formats all
consume the same records.
"""

import os
import sys

from .getopt import GetoptError, NO_ARG, REQUIRED, Option, OptionTable


class CommandSpec:
    """A command a plugin provides (frozen: build a new one to change it).

    name: the command (``ping``); also the name of the original tool, so links called ``ping``
        dispatch to it. script: the console-script name (``pyping``). summary: one line for
        ``pynetsuite --list``. implementation: ``"package.module:ClassName"`` of a
        :class:`Command` subclass, imported only when the command runs. original: the link name
        ``pynetsuite --install`` creates (defaults to ``name``; empty for commands that clone
        nothing). aliases: further program names of the original that run this command, each
        with a link of its own (iputils' ``ping4`` and ``ping6``); the command sees the name it
        was called by as ``Invocation.prog``. plugin: filled in by the host with the providing
        plugin's name.

    A hand-written class rather than a dataclass: this module is imported at every start, and
    ``dataclasses`` (plus building the class) costs several milliseconds there.
    """

    __slots__ = ("name", "script", "summary", "implementation", "original", "aliases", "plugin")

    def __init__(self, name, script, summary, implementation, original=None, aliases=(),
                 plugin=""):
        setter = object.__setattr__
        setter(self, "name", name)
        setter(self, "script", script)
        setter(self, "summary", summary)
        setter(self, "implementation", implementation)
        setter(self, "original", original)
        setter(self, "aliases", tuple(aliases))
        setter(self, "plugin", plugin)

    def __setattr__(self, name, value):
        raise AttributeError(f"cannot assign to field '{name}' (CommandSpec is frozen)")

    __delattr__ = __setattr__

    def _fields(self):
        return tuple(getattr(self, f) for f in self.__slots__)

    def __eq__(self, other):
        return self._fields() == other._fields() if type(other) is type(self) else NotImplemented

    def __hash__(self):
        return hash(self._fields())

    def __repr__(self):
        return "CommandSpec(" + ", ".join(f"{f}={getattr(self, f)!r}" for f in self.__slots__) + ")"

    def replace(self, **changes):
        """A copy with some fields changed (like ``dataclasses.replace``)."""
        return CommandSpec(**{f: changes.get(f, getattr(self, f)) for f in self.__slots__})

    @property
    def link_name(self):
        return self.name if self.original is None else self.original

    @property
    def link_names(self):
        """Every link ``pynetsuite --install`` makes: the original's name, then the aliases."""
        return ((self.link_name,) if self.link_name else ()) + self.aliases

    def answers_to(self, program):
        """True if a program called ``program`` runs this command."""
        return program in (self.name, self.script) or program in self.link_names

    def load(self):
        """Import and return the implementation class."""
        module_name, _, attr = self.implementation.partition(":")
        __import__(module_name)  # no fromlist: it would look for a submodule named after it
        module = sys.modules[module_name]
        return getattr(module, attr) if attr else module


class ToolExit(Exception):
    """End the command with ``code``; ``message`` (if any) goes to stderr as ``prog: message``."""

    def __init__(self, code, message=None):
        super().__init__(message)
        self.code = code
        self.message = message


class Renderer:
    """Turns records into output. Text renderers live with each command; JSON in core.output;
    plugins add more through ``pynetsuite_output_formats``. A renderer only writes."""

    def __init__(self, invocation):
        self.invocation = invocation
        self.out = invocation.stdout

    def section(self, name, **info):
        """A new table or block starts (netstat prints its headers here, also when no rows
        follow; ``netstat -c`` starts a section per round). JSON ignores sections."""

    def record(self, record):
        raise NotImplementedError

    def record_batch(self, records):
        """A batch of records (see :meth:`Invocation.emit_many`); override to format a whole
        table in one go."""
        for record in records:
            self.record(record)

    def close(self):
        """Called once after the last record (also after Ctrl-C handling); flush here."""


class Command:
    """Base class of a command implementation.

    Subclasses set the class attributes below, return their options from :meth:`options`,
    implement :meth:`run`, and usually :meth:`text_renderer`.
    """

    #: glibc getopt_long (True) or plain getopt (False: "--x" is "invalid option -- '-'").
    long_options = True
    #: GNU argument permutation (options after operands), as glibc does by default.
    permute = True
    #: JSON as one object per line (continuous tools) instead of one document.
    streaming = False
    #: True if the command installs its own SIGINT handling (ping prints statistics);
    #: otherwise Ctrl-C terminates the process by the signal, like a C tool.
    handles_sigint = False
    #: Exit code of a command-line (getopt) error, and the usage text printed with it.
    usage_exit_code = 2
    usage_text = ""

    def options(self):
        """The command's own options, a list of :class:`~pynetsuite.getopt.Option`."""
        return []

    def run(self, invocation):
        """Do the work; return the exit code (or raise ToolExit)."""
        raise NotImplementedError

    def text_renderer(self, invocation):
        """The renderer that reproduces the original's text output."""
        raise NotImplementedError

    def usage_error(self, invocation, error):
        """Report a getopt error as the original does and return the exit code."""
        invocation.stderr.write(f"{invocation.prog}: {error.message}\n{self.usage_text}")
        return self.usage_exit_code


#: Options the host adds to every command. They match only exactly (never by abbreviation).
HOST_OPTIONS = (
    ("json", NO_ARG, "print records as JSON (one document; one object per line when streaming)"),
    ("output-format", REQUIRED, "render records with a named output format (text, json, or a plugin's)"),
)


class Invocation:
    """One run of a command: program name, arguments, parsed options, output.

    Plugins receive it in hooks: ``invocation.command`` (the name), ``invocation.values`` (all
    option values, plugin options included, by ``dest``), ``invocation.stdout``/``stderr``.
    """

    def __init__(self, host, spec, command, prog, argv, stdout=None, stderr=None):
        self.host = host
        self.spec = spec
        self.command = spec.name
        self.impl = command
        self.prog = prog
        self.argv = list(argv)
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.output_format = "text"
        self.table = OptionTable(command.options(), long_options=command.long_options,
                                 permute=command.permute)
        for long, arg, help_text in HOST_OPTIONS:
            self.table.add(Option(long=long, arg=arg, help=help_text, plugin="pynetsuite"))
        self.parsed = None
        self._renderer = None
        self._observers = None

    # -- options -------------------------------------------------------------------------
    @property
    def values(self):
        return self.parsed.values if self.parsed else {}

    @property
    def operands(self):
        return self.parsed.operands if self.parsed else []

    def iter_options(self):
        """Yield the command's own ``(Option, value)`` pairs in command-line order.

        Host and plugin options are stored and not yielded. A getopt error ends the command
        through :meth:`Command.usage_error`. When the options are exhausted the output format
        is checked and plugins' ``pynetsuite_session_start`` runs.
        """
        from .getopt import ParsedArgs

        self.parsed = parsed = ParsedArgs(self.table)
        try:
            for option, value in parsed.iterate(self.argv):
                parsed.store(option, value)
                if option.plugin is None:
                    yield option, value
                elif option.plugin == "pynetsuite":
                    if option.long == "json":
                        self.output_format = "json"
                    elif option.long == "output-format":
                        self.output_format = value
        except GetoptError as error:
            raise ToolExit(self.impl.usage_error(self, error)) from None
        self.host.check_output_format(self.output_format)
        self.host.session_start(self)

    def parse_all(self):
        """Parse everything at once (commands whose options need no in-order checks)."""
        for _ in self.iter_options():
            pass
        return self.parsed

    # -- output --------------------------------------------------------------------------
    @property
    def renderer(self):
        if self._renderer is None:
            self._renderer = self.host.renderer_for(self)
        return self._renderer

    def emit(self, record):
        """Publish one record: plugins observe it, then the renderer writes it."""
        if self._observers is None:
            self._observers = self.host.has_record_observers()
        if self._observers:
            self.host.notify_record(self, record)
        self.renderer.record(record)

    def emit_many(self, records):
        """Publish a batch of records (the rows of one table, in order): the same as calling
        :meth:`emit` for each, but the renderer receives them at once, so a table of 50,000
        sockets is formatted in one tight loop instead of 50,000 method calls."""
        if self._observers is None:
            self._observers = self.host.has_record_observers()
        if self._observers:
            for record in records:
                self.host.notify_record(self, record)
        self.renderer.record_batch(records)

    def section(self, name, **info):
        """Tell the renderer a new table/block starts (see :meth:`Renderer.section`)."""
        self.renderer.section(name, **info)

    def finish(self):
        if self._renderer is not None:
            self._renderer.close()

    def warn(self, message):
        self.stderr.write(f"{self.prog}: {message}\n")


def program_name(argv0):
    """The name messages are prefixed with: the basename the program was called by."""
    return os.path.basename(argv0) or argv0
