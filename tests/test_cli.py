"""The plugin host and the command line: dispatch (script, ``pynetsuite TOOL``, links named like
the originals), ``--list``, ``--install``, third-party discovery, broken plugins, autoload off.

Nothing here sends a packet: ping is only run on command-line error paths. Third-party plugins
are made visible by putting a directory with a ``NAME.dist-info/entry_points.txt`` (what pip
writes) on PYTHONPATH, which is exactly what the host's entry-point scan reads.
"""

import io
import os
import subprocess
import sys
import textwrap

import pytest

from wheelhouse import SAMPLE_PLUGIN

BIN = os.path.dirname(sys.executable)
PYNETSUITE = os.path.join(BIN, "pynetsuite")
PYPING = os.path.join(BIN, "pyping")
SAMPLE_SRC = os.path.join(SAMPLE_PLUGIN, "src")


def run(argv, *, env=None, pythonpath=(), cwd=None, timeout=30):
    full_env = {k: v for k, v in os.environ.items()
                if k not in ("PYTHONPATH", "PYNETSUITE_DISABLE_PLUGIN_AUTOLOAD", "_ARGCOMPLETE")}
    if pythonpath:
        full_env["PYTHONPATH"] = os.pathsep.join(str(p) for p in pythonpath)
    full_env.update(env or {})
    return subprocess.run(argv, env=full_env, capture_output=True, encoding="utf-8",
                          errors="surrogateescape", timeout=timeout, cwd=cwd,
                          stdin=subprocess.DEVNULL)


def make_dist(base, dist, entry_points, modules=None):
    """A fake installed distribution under ``base``: dist-info with entry points, plus modules."""
    info = os.path.join(base, f"{dist}-0.1.dist-info")
    os.makedirs(info, exist_ok=True)
    with open(os.path.join(info, "entry_points.txt"), "w") as f:
        f.write("[pynetsuite]\n" + "".join(f"{k} = {v}\n" for k, v in entry_points.items()))
    for name, source in (modules or {}).items():
        with open(os.path.join(base, name + ".py"), "w") as f:
            f.write(textwrap.dedent(source))
    return base


@pytest.fixture
def hello_path(tmp_path):
    """PYTHONPATH entries that make the sample plugin (source tree) an installed plugin."""
    dists = make_dist(tmp_path / "dists", "pynetsuite_hello", {"hello": "pynetsuite_hello.plugin"})
    return [dists, SAMPLE_SRC]


BROKEN_HOOKS = '''
from pynetsuite import hookimpl

@hookimpl
def pynetsuite_commands():
    raise RuntimeError("commands boom")

@hookimpl
def pynetsuite_add_options(command, options):
    from pynetsuite.getopt import Option
    options.add(Option(long="half-added"))
    raise RuntimeError("options boom")

@hookimpl
def pynetsuite_record(record):
    raise RuntimeError("record boom")

@hookimpl
def pynetsuite_session_finish(exit_code):
    raise RuntimeError("finish boom")
'''


def hook_plugin(name, hook, body="raise RuntimeError('boom')", args=""):
    return {name: f"from pynetsuite import hookimpl\n\n@hookimpl\ndef {hook}({args}):\n    {body}\n"}


# -- the suite program ----------------------------------------------------------------------

def test_suite_usage_version_and_unknown_option():
    bare = run([PYNETSUITE])
    assert bare.returncode == 2 and bare.stderr.startswith("usage: pynetsuite TOOL")
    helped = run([PYNETSUITE, "--help"])
    assert helped.returncode == 0 and helped.stdout == bare.stderr
    version = run([PYNETSUITE, "--version"])
    assert version.returncode == 0 and version.stdout == "pynetsuite 0.1.0\n"
    bogus = run([PYNETSUITE, "--bogus"])
    assert bogus.returncode == 2 and bogus.stderr.startswith("pynetsuite: unknown option '--bogus'\n")
    unknown = run([PYNETSUITE, "nosuchtool", "-x"])
    assert unknown.returncode == 2
    assert unknown.stderr == "pynetsuite: unknown tool 'nosuchtool' (see pynetsuite --list)\n"


def test_list_shows_tools_with_their_plugin():
    proc = run([PYNETSUITE, "--list"])
    assert proc.returncode == 0, proc.stderr
    rows = {line.split()[0]: line.split() for line in proc.stdout.splitlines()}
    assert rows["ping"][:3] == ["ping", "pyping", "pynetsuite.plugins.ping"]


@pytest.mark.parametrize("args", [["-Z"], ["-c"], ["--bogus"], ["-q", "-é"]])
def test_suite_runs_a_tool_like_its_script(args):
    script = run([PYPING, *args])
    suite = run([PYNETSUITE, "ping", *args])
    assert script.returncode == suite.returncode == 2
    assert script.stdout == suite.stdout
    # same text; only the program name in messages differs (the name each was called by)
    assert suite.stderr.startswith("ping: ") and script.stderr.startswith("pyping: ")
    assert script.stderr.replace("pyping: ", "ping: ", 1) == suite.stderr
    assert "Traceback" not in script.stderr + suite.stderr


# -- --install and program-name dispatch -----------------------------------------------------

def test_install_links_dispatch_on_their_name(tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    proc = run([PYNETSUITE, "--install", str(bindir)])
    assert proc.returncode == 0, proc.stderr
    link = bindir / "ping"
    assert link.is_symlink() and os.path.realpath(link) == os.path.realpath(PYNETSUITE)
    via_link = run([str(link), "-Z"])
    direct = run([PYPING, "-Z"])
    assert via_link.returncode == 2
    assert via_link.stderr == direct.stderr.replace("pyping: ", "ping: ", 1)
    # called through a relative name / PATH, as a user would
    on_path = run(["ping", "-Z"], env={"PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"})
    assert on_path.returncode == 2 and on_path.stderr == via_link.stderr


def test_install_makes_the_alias_links_too(tmp_path):
    """iputils ships ping4 and ping6 beside ping: --install makes them, and each runs ping
    with the family it names (``-V`` is the same, a name target resolves in that family)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    assert run([PYNETSUITE, "--install", str(bindir)]).returncode == 0
    for name in ("ping4", "ping6"):
        link = bindir / name
        assert link.is_symlink() and os.path.realpath(link) == os.path.realpath(PYNETSUITE)
        proc = run([str(link), "-Z"])
        assert proc.returncode == 2 and proc.stderr.startswith(f"{name}: invalid option -- 'Z'\n")
    assert run([str(bindir / "ping6"), "-V"]).stdout == run([PYPING, "-V"]).stdout


def test_builtin_aliases_table_matches_the_specs():
    """BUILTIN_ALIASES (read at start-up without loading plugins) says what the specs say."""
    from pynetsuite.host import BUILTIN_ALIASES, Host

    specs = Host().load(None).commands().values()
    declared = {alias: spec.name for spec in specs if spec.plugin.startswith("pynetsuite.plugins.")
                for alias in spec.aliases}
    assert declared == BUILTIN_ALIASES


def test_install_refuses_existing_files_without_force(tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    existing = bindir / "ping"
    existing.write_text("#!/bin/sh\necho original\n")
    proc = run([PYNETSUITE, "--install", str(bindir)])
    assert proc.returncode == 1
    assert proc.stderr == f"pynetsuite: {existing}: File exists (use --force to replace it)\n"
    assert existing.read_text() == "#!/bin/sh\necho original\n" and not existing.is_symlink()
    forced = run([PYNETSUITE, "--install", str(bindir), "--force"])
    assert forced.returncode == 0, forced.stderr
    assert existing.is_symlink() and os.path.realpath(existing) == os.path.realpath(PYNETSUITE)
    again = run([PYNETSUITE, "--install", "--force", str(bindir)])
    assert again.returncode == 0, again.stderr


def test_install_argument_errors(tmp_path):
    missing = run([PYNETSUITE, "--install", str(tmp_path / "nope")])
    assert missing.returncode == 1
    assert missing.stderr == f"pynetsuite: {tmp_path / 'nope'}: No such directory\n"
    for args in ([], ["a", "b"], ["--force"]):
        proc = run([PYNETSUITE, "--install", *args])
        assert proc.returncode == 2 and proc.stderr.startswith("usage: pynetsuite"), args


def test_third_party_command_by_script_name_link_name_and_suite(hello_path, tmp_path):
    """A plugin's console script points at pynetsuite.cli:main, which dispatches on the name
    the program was called by: the script name (pyhello), the command name (hello, a link made
    by --install) and ``pynetsuite hello`` all run the plugin's command."""
    pyhello = tmp_path / "pyhello"  # what pip makes of `pyhello = "pynetsuite.cli:main"`
    pyhello.symlink_to(PYNETSUITE)
    script = run([str(pyhello), "-n", "2", "bob"], pythonpath=hello_path)
    assert (script.returncode, script.stdout, script.stderr) == (0, "hello, bob\nhello, bob\n", "")
    suite = run([PYNETSUITE, "hello", "-u"], pythonpath=hello_path)
    assert (suite.returncode, suite.stdout) == (0, "HELLO, WORLD\n")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    assert run([PYNETSUITE, "--install", str(bindir)], pythonpath=hello_path).returncode == 0
    assert (bindir / "hello").is_symlink() and (bindir / "ping").is_symlink()
    linked = run([str(bindir / "hello"), "-x"], pythonpath=hello_path)
    assert linked.returncode == 2 and linked.stderr.startswith("hello: invalid option -- 'x'\n")
    listing = run([PYNETSUITE, "--list"], pythonpath=hello_path).stdout
    assert any(line.split()[:3] == ["hello", "pyhello", "hello"] for line in listing.splitlines())


# -- discovery and broken plugins ------------------------------------------------------------

def test_plugin_import_error_warns_and_command_runs(hello_path, tmp_path):
    broken = make_dist(tmp_path / "broken", "brokenplug", {"brokenplug": "brokenplug_mod"},
                       {"brokenplug_mod": "import no_such_module_anywhere\n"})
    path = [broken, *hello_path]
    proc = run([PYNETSUITE, "hello"], pythonpath=path)
    assert proc.returncode == 0 and proc.stdout == "hello, world\n"
    assert proc.stderr == ("pynetsuite: warning: plugin 'brokenplug' failed to load "
                           "(ModuleNotFoundError: No module named 'no_such_module_anywhere'); "
                           "it is disabled\n")
    ping = run([PYPING, "-Z"], pythonpath=path)
    assert ping.returncode == 2 and ping.stderr.startswith("pynetsuite: warning: plugin 'brokenplug'")
    assert "pyping: invalid option -- 'Z'" in ping.stderr


def test_missing_entry_point_target_warns(hello_path, tmp_path):
    broken = make_dist(tmp_path / "broken", "typoplug", {"typoplug": "pynetsuite_hello.plugin:nothere"})
    proc = run([PYNETSUITE, "hello"], pythonpath=[broken, *hello_path])
    assert proc.returncode == 0 and proc.stdout == "hello, world\n"
    assert "plugin 'typoplug' failed to load (AttributeError" in proc.stderr


def test_errors_inside_hooks_warn_once_and_command_runs(hello_path, tmp_path):
    broken = make_dist(tmp_path / "broken", "hookboom", {"hookboom": "hookboom_mod"},
                       {"hookboom_mod": BROKEN_HOOKS})
    proc = run([PYNETSUITE, "hello", "-n", "3"], pythonpath=[broken, *hello_path])
    assert proc.returncode == 0
    assert proc.stdout == "hello, world\n" * 3
    warnings = proc.stderr.splitlines()
    # the first failing hook disables the plugin: one warning, no later hook of it runs
    assert warnings == ["pynetsuite: warning: plugin 'hookboom' failed in pynetsuite_commands "
                        "(RuntimeError: commands boom); it is disabled"]


@pytest.mark.parametrize("hook,args,expect_out", [
    ("pynetsuite_add_options", "command, options", "hello, world\n"),
    ("pynetsuite_session_start", "invocation", "hello, world\n"),
    ("pynetsuite_record", "record", "hello, world\n"),
    ("pynetsuite_session_finish", "invocation, exit_code", "hello, world\n"),
])
def test_each_hook_failing_alone(hello_path, tmp_path, hook, args, expect_out):
    broken = make_dist(tmp_path / "broken", "oneboom", {"oneboom": "oneboom_mod"},
                       hook_plugin("oneboom_mod", hook, args=args))
    proc = run([PYNETSUITE, "hello"], pythonpath=[broken, *hello_path])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == expect_out
    assert proc.stderr == (f"pynetsuite: warning: plugin 'oneboom' failed in {hook} "
                           f"(RuntimeError: boom); it is disabled\n")


def test_failing_add_options_leaves_no_half_added_option(hello_path, tmp_path):
    broken = make_dist(tmp_path / "broken", "halfopt", {"halfopt": "halfopt_mod"},
                       {"halfopt_mod": BROKEN_HOOKS.replace("raise RuntimeError(\"commands boom\")",
                                                            "return []")})
    proc = run([PYNETSUITE, "hello", "--half-added"], pythonpath=[broken, *hello_path])
    assert proc.returncode == 2
    assert "failed in pynetsuite_add_options (RuntimeError: options boom)" in proc.stderr
    assert "hello: unrecognized option '--half-added'" in proc.stderr


def test_third_party_cannot_replace_a_builtin_command(tmp_path):
    squat = make_dist(tmp_path / "squat", "squatter", {"squatter": "squat_mod"}, {"squat_mod": '''
        from pynetsuite import hookimpl
        from pynetsuite.command import CommandSpec

        @hookimpl
        def pynetsuite_commands():
            return [CommandSpec("ping", "pyping2", "fake ping", "squat_mod:Nope")]
        '''})
    proc = run([PYPING, "-Z"], pythonpath=[squat])
    assert proc.returncode == 2 and "pyping: invalid option -- 'Z'" in proc.stderr
    assert ("pynetsuite: warning: plugin 'squatter' provides command 'ping', already provided by "
            "'pynetsuite.plugins.ping'; ignored") in proc.stderr


def test_third_party_command_that_cannot_load(tmp_path):
    bad = make_dist(tmp_path / "bad", "badcmd", {"badcmd": "badcmd_mod"}, {"badcmd_mod": '''
        from pynetsuite import hookimpl
        from pynetsuite.command import CommandSpec

        @hookimpl
        def pynetsuite_commands():
            return [CommandSpec("badcmd", "pybadcmd", "broken", "badcmd_mod:Missing")]
        '''})
    proc = run([PYNETSUITE, "badcmd"], pythonpath=[bad])
    assert proc.returncode == 1
    assert proc.stderr == ("pynetsuite: plugin 'badcmd' cannot load command 'badcmd' "
                           "(AttributeError: module 'badcmd_mod' has no attribute 'Missing')\n")


def test_autoload_disabled(hello_path, tmp_path):
    broken = make_dist(tmp_path / "broken", "brokenplug", {"brokenplug": "brokenplug_mod"},
                       {"brokenplug_mod": "raise ImportError('nope')\n"})
    env = {"PYNETSUITE_DISABLE_PLUGIN_AUTOLOAD": "1"}
    path = [broken, *hello_path]
    proc = run([PYNETSUITE, "hello"], pythonpath=path, env=env)
    assert proc.returncode == 2
    assert proc.stderr == "pynetsuite: unknown tool 'hello' (see pynetsuite --list)\n"
    listing = run([PYNETSUITE, "--list"], pythonpath=path, env=env)
    assert listing.stderr == "" and [l.split()[0] for l in listing.stdout.splitlines()] == \
        sorted(l.split()[0] for l in run([PYNETSUITE, "--list"]).stdout.splitlines())
    ping = run([PYPING, "--tally"], pythonpath=path, env=env)
    assert ping.returncode == 2 and ping.stderr.startswith("pyping: invalid option -- '-'\n")


# -- the host in-process ---------------------------------------------------------------------

def test_builtins_are_registered_through_pluggy_like_third_party(monkeypatch, hello_path):
    from pynetsuite.host import Host

    monkeypatch.setattr(sys, "path", [str(p) for p in hello_path] + sys.path)
    monkeypatch.delenv("PYNETSUITE_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    host = Host(stderr=io.StringIO()).load(None)
    names = dict(host.pm.list_name_plugin())
    import pynetsuite.plugins.ping as ping_plugin
    import pynetsuite_hello.plugin as hello_plugin

    assert names["pynetsuite.plugins.ping"] is ping_plugin
    assert names["hello"] is hello_plugin
    for name in ("pynetsuite.plugins.ping", "hello"):
        assert host.pm.get_hookcallers(names[name]), name
    commands = host.commands()
    assert commands["ping"].plugin == "pynetsuite.plugins.ping"
    assert commands["hello"].plugin == "hello"
    assert host.find_command("pyhello") is commands["hello"]
    assert set(host.output_formats()) == {"csv"}
    assert [p.name for p in host.service_probes()] == ["hello"]
    assert host.stderr.getvalue() == ""


def test_run_tool_in_process_with_plugin_option_and_format(monkeypatch, hello_path):
    """run_tool with injected streams: a plugin option (--tally) and format (csv) together."""
    from pynetsuite import cli

    monkeypatch.setattr(sys, "path", [str(p) for p in hello_path] + sys.path)
    monkeypatch.setattr(cli.signal, "signal", lambda *a: None)  # keep pytest's handlers
    out, err = io.StringIO(), io.StringIO()
    code = cli.run_tool("hello", ["--tally", "-n", "2", "--output-format", "csv", "x"],
                        prog="pyhello", stdout=out, stderr=err)
    assert code == 0, err.getvalue()
    assert out.getvalue() == "index,name,text\n1,x,\"hello, x\"\n2,x,\"hello, x\"\n"
    assert err.getvalue() == "tally: 2 records (Greeting: 2)\n"


def test_unknown_output_format_is_a_usage_error(hello_path):
    proc = run([PYNETSUITE, "hello", "--output-format", "yaml"], pythonpath=hello_path)
    assert proc.returncode == 2
    assert proc.stderr == "hello: unknown output format 'yaml' (available: text, json, csv)\n"



GC_PROBE = '''
import gc, sys
from pynetsuite import cli
calls = []
real = gc.freeze
gc.freeze = lambda: calls.append(1) or real()
entry, sys.argv = sys.argv[1], sys.argv[2:]
code = cli.run_tool("ping", ["-V"]) if entry == "in-process" else getattr(cli, entry)()
sys.stderr.write(f"freezes={len(calls)} code={code}\\n")
'''


@pytest.mark.parametrize("entry,argv,freezes", [
    ("pyping", ["pyping", "-V"], 2),
    ("pynetstat", ["pynetstat", "-V"], 2),
    ("main", ["ping", "-V"], 2),                      # a link named like the original
    ("main", ["pynetsuite", "ping", "-V"], 2),
    ("in-process", ["test"], 0),
])
def test_only_a_program_freezes_its_start_up_objects(entry, argv, freezes):
    """Entry points gc.freeze() what start-up made (see run_tool); an in-process caller's
    objects are never frozen."""
    proc = run([sys.executable, "-c", GC_PROBE, entry, *argv])
    assert proc.stderr.endswith(f"freezes={freezes} code=0\n"), proc.stderr


SIGINT_PROBE = '''
import signal, sys
from pynetsuite import cli
import pynetsuite.host as host
seen = []
real = host.Host.load
def load(self, *a):
    seen.append(signal.getsignal(signal.SIGINT) is signal.SIG_DFL)
    return real(self, *a)
host.Host.load = load
entry, sys.argv = sys.argv[1], sys.argv[2:]
code = cli.run_tool("ping", ["-V"]) if entry == "in-process" else getattr(cli, entry)()
sys.stderr.write(f"default={seen} code={code}\\n")
'''


@pytest.mark.parametrize("entry,argv,default", [
    ("pyping", ["pyping", "-V"], True),
    ("main", ["ping", "-V"], True),
    ("main", ["pynetsuite", "ping", "-V"], True),
    ("in-process", ["test"], False),
])
def test_ctrl_c_during_start_up_ends_a_program_quietly(entry, argv, default):
    """A program restores SIGINT's default before the host and plugins are loaded, so a Ctrl-C
    during start-up kills it by the signal (as C tools) instead of a KeyboardInterrupt
    traceback; an in-process caller keeps its own handler."""
    proc = run([sys.executable, "-c", SIGINT_PROBE, entry, *argv])
    assert proc.stderr.endswith(f"default=[{default}] code=0\n"), proc.stderr
