"""Wheels and a fresh venv for the packaging and third-party tests, built once per session.

Everything is offline: wheels are built with the test venv's own setuptools
(``--no-build-isolation --no-index``), the fresh venv has no pip of its own (the test venv's
pip installs into it with ``--python``), and a ``.pth`` file lends it the test venv's
site-packages for the dependencies (pluggy, argcomplete, ...). That ``.pth`` only appends a
path: it does not activate the editable finder living there, so ``pynetsuite`` in the fresh
venv is the one installed from the wheel. Sources are copied to a temporary directory first, so
building never writes build/ or *.egg-info into the checkout.
"""

import atexit
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE_PLUGIN = os.path.join(ROOT, "tests", "sample_plugin")

_cache = {}
_workdir = None

IGNORE = shutil.ignore_patterns(".venv", "venv", ".git", "build", "dist", "*.egg-info",
                                "__pycache__", "*.pyc", ".pytest_cache", "tests", "bench", "docs")


def workdir():
    global _workdir
    if _workdir is None:
        _workdir = tempfile.mkdtemp(prefix="pns-wheelhouse-")
        atexit.register(shutil.rmtree, _workdir, True)
    return _workdir


def _pip(*args, timeout=300):
    proc = subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ, PIP_NO_INPUT="1"))
    if proc.returncode != 0:
        raise RuntimeError(f"pip {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def build_wheel(source, name):
    """Build ``source`` (a project directory) into a wheel; return the wheel's path."""
    key = ("wheel", source)
    if key not in _cache:
        base = os.path.join(workdir(), name)
        src = os.path.join(base, "src")
        shutil.copytree(source, src, ignore=IGNORE)
        out = os.path.join(base, "dist")
        _pip("wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index", "-w", out, src)
        wheels = [w for w in os.listdir(out) if w.endswith(".whl")]
        assert len(wheels) == 1, wheels
        _cache[key] = os.path.join(out, wheels[0])
    return _cache[key]


def project_wheel():
    return build_wheel(ROOT, "pynetsuite")


def sample_plugin_wheel():
    return build_wheel(SAMPLE_PLUGIN, "pynetsuite-hello")


def purelib(python):
    return subprocess.check_output(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        text=True).strip()


class FreshVenv:
    """A new venv with the pynetsuite wheel and the sample plugin wheel installed."""

    def __init__(self, path):
        self.path = path
        self.bin = os.path.join(path, "bin")
        self.python = os.path.join(self.bin, "python")
        self.site = purelib(self.python)

    def script(self, name):
        return os.path.join(self.bin, name)

    def run(self, argv, *, cwd=None, env=None, timeout=30, input=None):
        """Run a program of this venv from a directory outside the checkout."""
        full_env = dict(os.environ)
        for var in ("PYTHONPATH", "PYNETSUITE_DISABLE_PLUGIN_AUTOLOAD", "_ARGCOMPLETE"):
            full_env.pop(var, None)
        full_env.update(env or {})
        program = argv[0] if os.sep in argv[0] else self.script(argv[0])
        return subprocess.run([program, *argv[1:]], cwd=cwd or self.path, env=full_env,
                              capture_output=True, text=True, timeout=timeout, input=input,
                              stdin=None if input is not None else subprocess.DEVNULL)


def fresh_venv():
    """The session's fresh venv (created on first use)."""
    if "venv" not in _cache:
        wheels = [project_wheel(), sample_plugin_wheel()]
        path = os.path.join(workdir(), "venv")
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", path], check=True,
                       timeout=120)
        venv = FreshVenv(path)
        with open(os.path.join(venv.site, "_pynetsuite_test_deps.pth"), "w") as f:
            f.write(sysconfig.get_paths()["purelib"] + "\n")
        _pip("--python", venv.python, "install", "-q", "--no-deps", "--no-index", *wheels)
        _cache["venv"] = venv
    return _cache["venv"]
