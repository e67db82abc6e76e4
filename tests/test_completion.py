"""Shell completion through argcomplete's own protocol, as bash drives it.

The shell sets ``_ARGCOMPLETE=1``, ``COMP_LINE``/``COMP_POINT`` (the line and the cursor) and
``_ARGCOMPLETE_IFS`` (the separator of the answers), runs the program, and reads the answers
from fd 8, or from ``_ARGCOMPLETE_STDOUT_FILENAME`` when set (used here). The program must
answer before doing any work (nothing here sends a packet) and exit.

To enable completion (README): ``eval "$(register-python-argcomplete pyping pynetsuite ...)"``.
"""

import os
import subprocess
import sys
import tomllib

import pytest

from test_cli import hello_path  # noqa: F401  (fixture)
from wheelhouse import ROOT

BIN = os.path.dirname(sys.executable)
IFS = "\x0b"


def scripts():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        return list(tomllib.load(f)["project"]["scripts"])


def complete(program, line, *, point=None, pythonpath=(), tmp_path, env=None):
    """Run ``program`` in completion mode for ``line`` (cursor at the end by default)."""
    out = tmp_path / "completions"
    if out.exists():
        out.unlink()
    full_env = {k: v for k, v in os.environ.items()
                if k not in ("PYTHONPATH", "PYNETSUITE_DISABLE_PLUGIN_AUTOLOAD")}
    full_env.update({"_ARGCOMPLETE": "1", "_ARGCOMPLETE_SHELL": "bash", "COMP_LINE": line,
                     "COMP_POINT": str(len(line) if point is None else point),
                     "_ARGCOMPLETE_IFS": IFS, "_ARGCOMPLETE_STDOUT_FILENAME": str(out)})
    if pythonpath:
        full_env["PYTHONPATH"] = os.pathsep.join(str(p) for p in pythonpath)
    full_env.update(env or {})
    proc = subprocess.run([program], env=full_env, capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    text = out.read_text() if out.exists() else ""
    return [word.strip() for word in text.split(IFS) if word.strip()]


def own_options(command):
    """Every option string of a built-in command, from its own option table."""
    from pynetsuite.host import Host

    spec = Host().load(command).commands()[command]
    flags = set()
    for option in spec.load()().options():
        if option.short and option.short.isalnum():  # argcomplete does not offer "-?"
            flags.add("-" + option.short)
        if option.long:
            flags.add("--" + option.long)
    return spec, flags


def builtin_commands():
    from pynetsuite.host import BUILTIN_COMMANDS

    return sorted(BUILTIN_COMMANDS)


@pytest.mark.parametrize("command", builtin_commands())
def test_every_command_completes_all_its_options(command, tmp_path):
    spec, flags = own_options(command)
    program = os.path.join(BIN, spec.script)
    assert os.path.exists(program), f"{program} missing: pip install -e {ROOT}"
    offered = set(complete(program, f"{spec.script} -", tmp_path=tmp_path))
    expected = flags | {"--json", "--output-format"}
    assert expected <= offered, f"not offered: {sorted(expected - offered)}"
    # the same through the suite and through a link named like the original
    through_suite = set(complete(os.path.join(BIN, "pynetsuite"), f"pynetsuite {command} -",
                                 tmp_path=tmp_path))
    assert expected <= through_suite


def test_pyping_prefix_and_cursor_in_the_middle(tmp_path):
    pyping = os.path.join(BIN, "pyping")
    assert complete(pyping, "pyping --o", tmp_path=tmp_path) == ["--output-format"]
    assert complete(pyping, "pyping --js", tmp_path=tmp_path) == ["--json"]
    # cursor after "--js" in "pyping --js 127.0.0.1": completes the word under the cursor
    assert complete(pyping, "pyping --js 127.0.0.1", point=len("pyping --js"),
                    tmp_path=tmp_path) == ["--json"]


def test_plugin_added_option_completes(hello_path, tmp_path):  # noqa: F811
    pyping = os.path.join(BIN, "pyping")
    assert complete(pyping, "pyping --ta", pythonpath=hello_path, tmp_path=tmp_path) == ["--tally"]
    assert "--tally" in complete(pyping, "pyping -", pythonpath=hello_path, tmp_path=tmp_path)
    # a plugin's own command, through its script name (a link to the dispatcher)
    pyhello = tmp_path / "pyhello"
    pyhello.symlink_to(os.path.join(BIN, "pynetsuite"))
    offered = set(complete(str(pyhello), "pyhello -", pythonpath=hello_path, tmp_path=tmp_path))
    assert {"-n", "-u", "-h", "--tally", "--json", "--output-format"} <= offered
    # autoload off: the plugin's option is gone from completion too
    assert complete(pyping, "pyping --ta", pythonpath=hello_path, tmp_path=tmp_path,
                    env={"PYNETSUITE_DISABLE_PLUGIN_AUTOLOAD": "1"}) == []


def test_suite_completes_tools_and_its_options(hello_path, tmp_path):  # noqa: F811
    suite = os.path.join(BIN, "pynetsuite")
    first = set(complete(suite, "pynetsuite ", tmp_path=tmp_path))
    assert {"--list", "--install", "--version", "--help"} | set(builtin_commands()) <= first
    assert complete(suite, "pynetsuite --ins", tmp_path=tmp_path) == ["--install"]
    assert "hello" in complete(suite, "pynetsuite h", pythonpath=hello_path, tmp_path=tmp_path)
    assert complete(suite, "pynetsuite nosuchtool -", tmp_path=tmp_path) == []


def test_completion_through_a_link_named_like_the_original(tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    subprocess.run([os.path.join(BIN, "pynetsuite"), "--install", str(bindir)], check=True,
                   capture_output=True, timeout=30)
    offered = complete(str(bindir / "ping"), "ping --o", tmp_path=tmp_path)
    assert offered == ["--output-format"]


@pytest.mark.parametrize("script", scripts())
def test_console_script_has_the_argcomplete_marker(script):
    """What argcomplete's global completion checks before completing a console script: the
    module holding the entry function has PYTHON_ARGCOMPLETE_OK in its first 1024 bytes.
    _check_console_script exits 0 silently when it is OK, and with the reason otherwise."""
    proc = subprocess.run([sys.executable, "-W", "ignore", "-m", "argcomplete._check_console_script",
                           os.path.join(BIN, script)], capture_output=True, text=True, timeout=60,
                          cwd="/")
    assert (proc.returncode, proc.stderr.strip()) == (0, ""), proc.stderr


def test_register_snippet_covers_every_script():
    register = os.path.join(BIN, "register-python-argcomplete")
    proc = subprocess.run([register, *scripts()], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    for script in scripts():
        assert script in proc.stdout
    assert "complete " in proc.stdout
