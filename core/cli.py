# PYTHON_ARGCOMPLETE_OK
"""Entry points: one console script per tool, ``pynetsuite TOOL ...``, and links named like the
originals (``ping`` -> dispatch on the program name), as BusyBox does.

Every entry function lives in this module because argcomplete's console-script check looks for
the ``PYTHON_ARGCOMPLETE_OK`` marker in the module that holds the entry function.
Start-up matters: nothing heavier than the host and the one tool's plugin is imported here;
argparse and argcomplete only when the shell asks for completions.
"""

import gc
import os
import sys

try:  # the C module itself: `signal` wraps it in enums, ~2 ms more at every start
    import _signal as signal
except ImportError:  # pragma: no cover - not CPython
    import signal

USAGE = """\
usage: pynetsuite TOOL [ARGS...]       run a tool (also: pyTOOL ARGS..., or a link named TOOL)
       pynetsuite --list               list the tools and the plugins providing them
       pynetsuite --install DIR [--force]
                                       create links named like the originals (ping, ...) in DIR
       pynetsuite --version
"""


def pyping():
    return run_tool("ping", program=True)


def pynetstat():
    return run_tool("netstat", program=True)


def main(argv=None):
    """``pynetsuite`` itself, or any link to it: dispatch on the name we were called by."""
    argv0 = sys.argv[0] if argv is None else argv[0]
    args = sys.argv[1:] if argv is None else argv[1:]
    name = os.path.basename(argv0)
    program = argv is None
    if program:
        _default_sigint()
    if name not in ("pynetsuite", "__main__.py", "pynetsuite.py"):
        return run_tool(_command_for_program(name), args, prog=name, program=program)
    return _suite_main(args, program)


def _default_sigint():
    """Ctrl-C during start-up ends a program as it ends a C tool that has not set its handlers
    yet: by the signal, quietly, never with a KeyboardInterrupt traceback out of an import.
    A command that prints something on Ctrl-C (ping's statistics) sets its handler itself."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _command_for_program(name):
    from .host import BUILTIN_ALIASES, BUILTIN_COMMANDS

    if name in BUILTIN_COMMANDS:
        return name
    if name in BUILTIN_ALIASES:
        return BUILTIN_ALIASES[name]
    if name.startswith("py") and name[2:] in BUILTIN_COMMANDS:
        return name[2:]
    return name  # a third-party command: the host finds it by name, script or link name


def _suite_main(args, program=False):
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    if "_ARGCOMPLETE" in os.environ:
        return _complete_suite()
    if not args or args[0] in ("-h", "--help"):
        (sys.stdout if args else sys.stderr).write(USAGE)
        return 0 if args else 2
    first = args[0]
    if first == "--version":
        from . import __version__

        sys.stdout.write(f"pynetsuite {__version__}\n")
        return 0
    if first == "--list":
        return _list_tools()
    if first == "--install":
        rest = args[1:]
        force = "--force" in rest
        dirs = [a for a in rest if a != "--force"]
        if len(dirs) != 1 or any(d.startswith("-") for d in dirs):
            sys.stderr.write(USAGE)
            return 2
        return _install(dirs[0], force)
    if first.startswith("-"):
        sys.stderr.write(f"pynetsuite: unknown option '{first}'\n{USAGE}")
        return 2
    return run_tool(_command_for_program(first), args[1:], prog=first, program=program)


def _all_commands():
    from .host import Host

    return Host().load(None).commands()


def _list_tools():
    commands = _all_commands()
    for name in sorted(commands):
        spec = commands[name]
        sys.stdout.write(f"{name:<12} {spec.script:<14} {spec.plugin:<30} {spec.summary}\n")
    return 0


def _suite_executable():
    """The ``pynetsuite`` program that links should point to."""
    if os.path.basename(sys.argv[0]) == "pynetsuite" and os.path.exists(sys.argv[0]):
        return os.path.abspath(sys.argv[0])
    candidate = os.path.join(os.path.dirname(sys.executable), "pynetsuite")
    if os.path.exists(candidate):
        return candidate
    import shutil

    return shutil.which("pynetsuite")


def _install(directory, force):
    target = _suite_executable()
    if target is None:
        sys.stderr.write("pynetsuite: cannot find the pynetsuite program to link to\n")
        return 1
    if not os.path.isdir(directory):
        sys.stderr.write(f"pynetsuite: {directory}: No such directory\n")
        return 1
    status = 0
    for spec in _all_commands().values():
        for name in spec.link_names:
            link = os.path.join(directory, name)
            if os.path.lexists(link):
                if not force:
                    sys.stderr.write(f"pynetsuite: {link}: File exists (use --force to replace it)\n")
                    status = 1
                    continue
                os.unlink(link)
            try:
                os.symlink(target, link)
            except OSError as exc:
                sys.stderr.write(f"pynetsuite: {link}: {exc.strerror}\n")
                status = 1
    return status


def run_tool(command, argv=None, prog=None, stdout=None, stderr=None, program=False):
    """Run one command as a program would: parse, run, render; return the exit code.

    ``program``: this process exists only to run the command (an entry point, not a test calling
    in-process). Then SIGINT gets its default back before anything is imported
    (:func:`_default_sigint`), and the objects start-up created are frozen out of the garbage
    collector (gc.freeze) before the command runs, and everything again before exit: the
    engine's collections and the interpreter's final one skip the ~10,000 objects typing,
    inspect and pluggy leave behind, which saves about 4 ms of every run. Frozen objects are
    never freed, which only matters to a long-lived process; an in-process caller keeps its
    signal handlers and its garbage collector as they were.
    """
    if program:
        _default_sigint()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `| head` ends us quietly, as it ends C tools
    from .command import Invocation, ToolExit, program_name
    from .host import Host

    _c_stdio()
    argv = sys.argv[1:] if argv is None else argv
    prog = prog or program_name(sys.argv[0])
    err = stderr or sys.stderr
    host = Host(stderr=err).load(command)
    spec = host.find_command(command)
    if spec is None:
        err.write(f"pynetsuite: unknown tool '{command}' (see pynetsuite --list)\n")
        return 2
    try:
        impl = spec.load()()
    except Exception as exc:
        if host.is_builtin(spec.plugin):
            raise
        err.write(f"pynetsuite: plugin '{spec.plugin}' cannot load command '{spec.name}' "
                  f"({type(exc).__name__}: {exc})\n")
        return 1
    invocation = Invocation(host, spec, impl, prog, argv, stdout=stdout, stderr=stderr)
    host.add_options(spec.name, invocation.table)
    if "_ARGCOMPLETE" in os.environ:
        _complete(invocation)
    if not impl.handles_sigint:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    if program:
        gc.freeze()
    code = 1
    try:
        try:
            code = impl.run(invocation)
        except ToolExit as exc:
            if exc.message:
                invocation.stderr.write(f"{prog}: {exc.message}\n")
            code = exc.code
        invocation.finish()
        invocation.stdout.flush()
    except BrokenPipeError:
        # only reached if SIGPIPE is ignored by our parent; end as quietly as a C tool would
        try:
            sys.stdout = None
        finally:
            code = 141
    host.session_finish(invocation, code)
    if program:
        gc.freeze()
    return code


def _complete_suite():
    """Shell completion for ``pynetsuite``: the suite's options and tool names, then, once a
    tool is named, that tool's own completion (its parser takes the tool name as an operand)."""
    line = os.environ.get("COMP_LINE", "")
    try:
        line = line[:int(os.environ.get("COMP_POINT", len(line)))]
    except ValueError:
        pass
    words = line.split()
    commands = _all_commands()
    if len(words) > 2 or (len(words) == 2 and line[-1:].isspace()):
        tool = words[1]
        if not tool.startswith("-"):
            for spec in commands.values():
                if spec.answers_to(tool):
                    return run_tool(spec.name, [], prog=tool)
            return 0
    import argparse

    import argcomplete

    parser = argparse.ArgumentParser(prog="pynetsuite", add_help=False)
    parser.add_argument("--help", action="store_true", help="show the usage")
    parser.add_argument("--list", action="store_true", help="list the tools and their plugins")
    parser.add_argument("--install", metavar="DIR", help="create links named like the originals",
                        ).completer = argcomplete.completers.DirectoriesCompleter()
    parser.add_argument("--force", action="store_true", help="with --install: replace files")
    parser.add_argument("--version", action="store_true", help="print the version")
    parser.add_argument("tool", nargs="?", choices=sorted(commands), help="the tool to run")
    argcomplete.autocomplete(parser)
    return 0


def _c_stdio():
    """Make sys.stdout/stderr behave like a C tool's stdio.

    - Undecodable bytes are written back as the bytes they were: sys.argv holds them as
      surrogate escapes, and glibc's getopt reports a non-ASCII option byte by byte; Python's
      default (strict on stdout, backslashreplace on stderr) would raise or print ``\\xff``.
    - stdout is line-buffered on a terminal and fully buffered otherwise, whatever
      PYTHONUNBUFFERED says: the originals write a pipe in buffer-sized chunks and flush only
      where their code calls fflush (ping after every line, netstat -c after every round), and
      that decides what `| head -1` sees and whether the writer dies of SIGPIPE.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            if stream is sys.stdout:
                reconfigure(errors="surrogateescape", write_through=False,
                            line_buffering=stream.isatty())
            else:
                reconfigure(errors="surrogateescape")
        except (ValueError, OSError):
            pass


def _complete(invocation):
    """Answer argcomplete's protocol from the same option table the parser uses."""
    import argparse

    import argcomplete

    from .getopt import NO_ARG, OPTIONAL

    parser = argparse.ArgumentParser(prog=invocation.prog, add_help=False)
    seen = set()  # a C longopts table may list one long name twice (netstat: --unix)
    for index, option in enumerate(invocation.table.options):
        flags = ([f"-{option.short}"] if option.short else []) + ([f"--{option.long}"] if option.long else [])
        flags = [flag for flag in flags if flag not in seen and flag != "--"]
        if not flags:
            continue
        seen.update(flags)
        kwargs = {"dest": f"option{index}", "help": option.help or None}
        if option.arg == NO_ARG:
            kwargs["action"] = "count"
        else:
            kwargs["metavar"] = option.metavar or option.dest.upper()
            if option.arg == OPTIONAL:
                kwargs["nargs"] = "?"
        parser.add_argument(*flags, **kwargs)
    parser.add_argument("operands", nargs="*")
    argcomplete.autocomplete(parser)
