"""The sample third-party plugin (tests/sample_plugin, distribution ``pynetsuite-hello``),
pip-installed from its wheel into a fresh venv next to the pynetsuite wheel.

It must add a new command with its own console script (``pyhello`` -> ``pynetsuite.cli:main``),
an option to the built-in ``pyping`` (``--tally``), an output format (``csv``) and a service
probe, all found through the ``pynetsuite`` entry-point group. The only packets sent are one
ping to 127.0.0.1 inside a scratch namespace of this test.
"""

import json
import os
import re
import subprocess

import pytest

import wheelhouse
from conftest import require_root


@pytest.fixture(scope="module")
def venv():
    return wheelhouse.fresh_venv()


def test_plugin_is_installed_from_its_wheel(venv):
    proc = venv.run(["python", "-c", "import pynetsuite, pynetsuite_hello; "
                     "print(pynetsuite.__file__); print(pynetsuite_hello.__file__)"])
    assert proc.returncode == 0, proc.stderr
    for line in proc.stdout.splitlines():
        assert line.startswith(venv.site), line
    assert os.path.exists(venv.script("pyhello"))


def test_new_command_through_its_console_script(venv):
    proc = venv.run(["pyhello", "-n", "2", "ada"])
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "hello, ada\nhello, ada\n", "")
    shout = venv.run(["pyhello", "-u"])
    assert shout.stdout == "HELLO, WORLD\n"
    bad = venv.run(["pyhello", "-n", "0"])
    assert (bad.returncode, bad.stderr) == (1, "pyhello: invalid count '0' (1-100)\n")
    usage = venv.run(["pyhello", "-z"])
    assert usage.returncode == 2 and usage.stderr.startswith("pyhello: invalid option -- 'z'\n")


def test_new_command_through_the_suite_list_and_links(venv, tmp_path):
    listing = venv.run(["pynetsuite", "--list"])
    rows = {line.split()[0]: line.split()[:3] for line in listing.stdout.splitlines()}
    assert rows["hello"] == ["hello", "pyhello", "hello"]
    assert rows["ping"] == ["ping", "pyping", "pynetsuite.plugins.ping"]
    assert venv.run(["pynetsuite", "hello", "x"]).stdout == "hello, x\n"
    bindir = tmp_path / "bin"
    bindir.mkdir()
    assert venv.run(["pynetsuite", "--install", str(bindir)]).returncode == 0
    assert os.path.realpath(bindir / "hello") == os.path.realpath(venv.script("pynetsuite"))
    assert venv.run([str(bindir / "hello"), "y"]).stdout == "hello, y\n"


def test_json_and_plugin_output_format(venv):
    as_json = venv.run(["pyhello", "--json", "a", "b"])
    assert json.loads(as_json.stdout) == [{"index": 1, "name": "a", "text": "hello, a"},
                                          {"index": 2, "name": "b", "text": "hello, b"}]
    as_csv = venv.run(["pyhello", "--output-format", "csv", "a"])
    assert as_csv.stdout == 'index,name,text\n1,a,"hello, a"\n'
    unknown = venv.run(["pyhello", "--output-format", "xml"])
    assert unknown.returncode == 2
    assert unknown.stderr == "pyhello: unknown output format 'xml' (available: text, json, csv)\n"


def test_tally_option_on_its_own_command(venv):
    proc = venv.run(["pyhello", "--tally", "-n", "3"])
    assert proc.stdout == "hello, world\n" * 3 + "tally: 3 records (Greeting: 3)\n"
    # with --json the document stays clean: the tally goes to stderr
    proc = venv.run(["pyhello", "--json", "--tally"])
    assert len(json.loads(proc.stdout)) == 1 and proc.stderr == "tally: 1 records (Greeting: 1)\n"


def test_tally_option_added_to_ping_without_sending(venv):
    """Paths that send nothing: the option is known (exact match only, ping being plain
    getopt) and a command-line error prints no tally (the command never started)."""
    usage = venv.run(["pyping", "--tally", "-Z"])
    assert usage.returncode == 2
    assert usage.stderr.startswith("pyping: invalid option -- 'Z'\n") and "tally" not in usage.stdout
    abbreviated = venv.run(["pyping", "--tal"])
    assert abbreviated.returncode == 2 and abbreviated.stderr.startswith("pyping: invalid option -- '-'\n")
    without_plugin = venv.run(["pyping", "--tally", "-Z"], env={"PYNETSUITE_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert without_plugin.stderr.startswith("pyping: invalid option -- '-'\n")


def test_tally_option_on_a_real_ping(venv, scratch_netns):
    """One real run: pyping --tally -c 1 127.0.0.1 inside a fresh namespace of this test."""
    require_root()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYNETSUITE_DISABLE_PLUGIN_AUTOLOAD")}
    plain = scratch_netns.run([venv.script("pyping"), "-c", "1", "-W", "2", "127.0.0.1"], env=env,
                              timeout=20)
    tallied = scratch_netns.run([venv.script("pyping"), "--tally", "-c", "1", "-W", "2", "127.0.0.1"],
                                env=env, timeout=20)
    assert tallied.returncode == plain.returncode == 0, tallied.stderr
    lines = tallied.stdout.splitlines()
    match = re.fullmatch(r"tally: (\d+) records \((.+)\)", lines[-1])
    assert match and int(match.group(1)) >= 1, lines[-1]
    # the rest is ping's own output, unchanged (masking the measured times)
    mask = re.compile(r"\d+(\.\d+)?")
    assert [mask.sub("N", l) for l in lines[:-1]] == [mask.sub("N", l) for l in plain.stdout.splitlines()]


def test_service_probe_reaches_the_host(venv):
    proc = venv.run(["python", "-c",
                     "from pynetsuite.host import Host\n"
                     "probes = Host().load(None).service_probes()\n"
                     "print([(p.name, p.protocol, p.ports) for p in probes])"])
    assert proc.returncode == 0, proc.stderr
    assert "('hello', 'tcp', (7777,))" in proc.stdout


def test_argcomplete_marker_and_plugin_option_completion(venv, tmp_path):
    for script in ("pyhello", "pyping", "pynetsuite"):
        check = venv.run(["python", "-W", "ignore", "-m", "argcomplete._check_console_script",
                          venv.script(script)])
        assert (check.returncode, check.stderr.strip()) == (0, ""), (script, check.stderr)
    out = tmp_path / "completions"
    line = "pyping --ta"
    proc = venv.run(["pyping"], env={"_ARGCOMPLETE": "1", "_ARGCOMPLETE_SHELL": "bash",
                                     "COMP_LINE": line, "COMP_POINT": str(len(line)),
                                     "_ARGCOMPLETE_IFS": "\x0b",
                                     "_ARGCOMPLETE_STDOUT_FILENAME": str(out)})
    assert proc.returncode == 0, proc.stderr
    assert out.read_text().strip() == "--tally"


def test_fresh_venv_sees_no_checkout_code(venv, tmp_path):
    proc = subprocess.run([venv.python, "-c", "import pynetsuite_hello.plugin as p; print(p.__file__)"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=30,
                          env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert proc.stdout.startswith(venv.site), proc.stdout + proc.stderr
