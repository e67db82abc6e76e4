"""The plugin host: a pluggy PluginManager holding built-in and third-party plugins.

Built-in tools live in ``pynetsuite.plugins.<folder>`` and are registered through the same
``register()`` as third-party plugins (found in the ``pynetsuite`` entry-point group). To keep
start-up cheap, a console script for one tool registers only the built-in plugin that provides
that tool; ``pynetsuite --list`` and ``--install`` register them all. Third-party plugins are
always loaded (they may extend any command), unless ``PYNETSUITE_DISABLE_PLUGIN_AUTOLOAD`` is set.

A third-party plugin that fails to import, to register, or inside a hook call is reported as a
warning on stderr and unregistered; the command still runs.
"""

import os
import sys

import pluggy

from . import hookspecs
from .command import CommandSpec

#: Built-in command name -> the plugin folder that provides it. Only tools that work are here.
BUILTIN_COMMANDS = {
    "ping": "ping",
    "netstat": "netstat",
}

# The built-in commands' aliases (CommandSpec.aliases), so that a link named ``ping6`` loads only
# the ping plugin; tests/test_cli.py checks this against the specs.
BUILTIN_ALIASES = {
    "ping4": "ping",
    "ping6": "ping",
}

BUILTIN_PREFIX = "pynetsuite.plugins."


def builtin_plugins():
    return sorted(set(BUILTIN_COMMANDS.values()))


class Host:
    def __init__(self, stderr=None):
        self.pm = pluggy.PluginManager("pynetsuite")
        self.pm.add_hookspecs(hookspecs)
        self.stderr = stderr or sys.stderr
        self._commands = None
        self._formats = None

    # -- loading -------------------------------------------------------------------------
    def load(self, command=None):
        """Register the built-in plugin for ``command`` (all built-ins if None), then the
        third-party plugins unless autoload is disabled."""
        folders = builtin_plugins() if command not in BUILTIN_COMMANDS else [BUILTIN_COMMANDS[command]]
        for folder in folders:
            name = BUILTIN_PREFIX + folder
            __import__(name)
            module = sys.modules[name]
            self.pm.register(module, name)
        if not os.environ.get("PYNETSUITE_DISABLE_PLUGIN_AUTOLOAD"):
            self.load_entry_points()
        return self

    def load_entry_points(self):
        from .entrypoints import scan

        for ep in scan():
            if self.pm.has_plugin(ep.name) or self.pm.is_blocked(ep.name):
                continue
            try:
                plugin = ep.load()
                self.pm.register(plugin, ep.name)
            except Exception as exc:  # a broken plugin must not break the command
                self.warn_plugin(ep.name, f"failed to load ({type(exc).__name__}: {exc})")

    def warn_plugin(self, name, problem):
        self.stderr.write(f"pynetsuite: warning: plugin '{name}' {problem}; it is disabled\n")
        plugin = self.pm.get_plugin(name)
        if plugin is not None:
            self.pm.unregister(plugin)

    def is_builtin(self, plugin_name):
        return plugin_name.startswith(BUILTIN_PREFIX)

    def call_each(self, hook_name, registration_order=False, **kwargs):
        """Call every implementation of a hook one by one, yielding ``(plugin_name, result)``.

        Unlike a plain pluggy hook call, a third-party implementation that raises is reported
        and its plugin unregistered, and the others still run. The order is pluggy's call order
        (last registered first, ``tryfirst``/``trylast`` honoured), or with
        ``registration_order`` the order plugins were registered in (built-ins first), used
        where the first provider of a name wins.
        """
        caller = getattr(self.pm.hook, hook_name)
        impls = caller.get_hookimpls()  # pluggy keeps them in registration order, calls LIFO
        for impl in (impls if registration_order else reversed(impls)):
            args = {name: kwargs[name] for name in impl.argnames}
            try:
                result = impl.function(**args)
            except Exception as exc:
                if self.is_builtin(impl.plugin_name):
                    raise
                self.warn_plugin(impl.plugin_name, f"failed in {hook_name} ({type(exc).__name__}: {exc})")
                continue
            yield impl.plugin_name, result

    # -- commands ------------------------------------------------------------------------
    def commands(self):
        """Command name -> CommandSpec (with ``plugin`` filled in), first registration wins."""
        if self._commands is None:
            table = {}
            for plugin_name, specs in self.call_each("pynetsuite_commands", registration_order=True):
                for spec in specs or ():
                    if not isinstance(spec, CommandSpec):
                        continue
                    if spec.name in table:
                        self.stderr.write(
                            f"pynetsuite: warning: plugin '{plugin_name}' provides command "
                            f"'{spec.name}', already provided by '{table[spec.name].plugin}'; ignored\n")
                        continue
                    table[spec.name] = spec.replace(plugin=plugin_name)
            self._commands = table
        return self._commands

    def find_command(self, invoked_name):
        """The command for a program name: a command name, its script, or one of its link names."""
        commands = self.commands()
        if invoked_name in commands:
            return commands[invoked_name]
        for spec in commands.values():
            if spec.answers_to(invoked_name):
                return spec
        return None

    def add_options(self, command, table):
        """Run ``pynetsuite_add_options`` plugin by plugin, tagging each added Option with the
        plugin that added it (the parser uses the tag: exact matching, not yielded to the
        command). A third-party plugin that fails leaves no half-added options behind."""
        caller = self.pm.hook.pynetsuite_add_options
        for impl in caller.get_hookimpls():  # registration order: built-ins claim names first
            before = len(table.options)
            args = {name: {"command": command, "options": table}[name] for name in impl.argnames}
            try:
                impl.function(**args)
            except Exception as exc:
                if self.is_builtin(impl.plugin_name):
                    raise
                table.truncate(before)
                self.warn_plugin(impl.plugin_name, f"failed in pynetsuite_add_options ({type(exc).__name__}: {exc})")
                continue
            for option in table.options[before:]:
                option.plugin = option.plugin or impl.plugin_name

    # -- records and output --------------------------------------------------------------
    def has_record_observers(self):
        return bool(self.pm.hook.pynetsuite_record.get_hookimpls())

    def notify_record(self, invocation, record):
        for _ in self.call_each("pynetsuite_record", command=invocation.command, record=record,
                                invocation=invocation):
            pass

    def session_start(self, invocation):
        for _ in self.call_each("pynetsuite_session_start", invocation=invocation):
            pass

    def session_finish(self, invocation, exit_code):
        for _ in self.call_each("pynetsuite_session_finish", invocation=invocation, exit_code=exit_code):
            pass

    def output_formats(self):
        if self._formats is None:
            from .output import OutputFormat

            self._formats = {}
            for plugin_name, formats in self.call_each("pynetsuite_output_formats",
                                                       registration_order=True):
                for fmt in formats or ():
                    if isinstance(fmt, OutputFormat) and fmt.name not in self._formats:
                        self._formats[fmt.name] = OutputFormat(fmt.name, fmt.summary, fmt.factory, plugin_name)
        return self._formats

    def renderer_for(self, invocation):
        fmt = invocation.output_format
        self.check_output_format(fmt)
        if fmt == "text":
            return invocation.impl.text_renderer(invocation)
        if fmt == "json":
            from .output import JsonRenderer

            return JsonRenderer(invocation)
        return self.output_formats()[fmt].create(invocation)

    def check_output_format(self, fmt):
        if fmt in ("text", "json"):
            return
        formats = self.output_formats()
        if fmt not in formats:
            from .command import ToolExit

            names = ", ".join(["text", "json", *sorted(formats)])
            raise ToolExit(2, f"unknown output format '{fmt}' (available: {names})")

    def service_probes(self):
        probes = []
        for _, items in self.call_each("pynetsuite_service_probes"):
            probes.extend(items or ())
        return probes
