"""Packaging: one distribution ``pynetsuite`` mapping core/ -> ``pynetsuite`` and plugins/ ->
``pynetsuite.plugins``; the wheel, the editable install and the checkout are the same code.

setuptools silently leaves a package out of the wheel when pyproject.toml's ``packages`` list
forgets it, so these tests build the real wheel (once per session, offline) and compare it with
the folders in the checkout.
"""

import importlib
import os
import subprocess
import sys
import tomllib
import zipfile

import pytest

import wheelhouse
from wheelhouse import ROOT


def pyproject():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        return tomllib.load(f)


def source_files(folder):
    """Files under ROOT/folder that belong in the wheel (no caches), relative to ROOT."""
    out = set()
    for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, folder)):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for name in filenames:
            if not name.endswith((".pyc", ".pyo")):
                out.add(os.path.relpath(os.path.join(dirpath, name), ROOT))
    return out


def packages_in(folder, prefix):
    """Dotted names of every package (a directory with __init__.py) under ROOT/folder."""
    found = set()
    base = os.path.join(ROOT, folder)
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        if "__init__.py" in filenames:
            rel = os.path.relpath(dirpath, base)
            found.add(prefix if rel == "." else prefix + "." + rel.replace(os.sep, "."))
    return found


def wheel_path(repo_path):
    """Where a checkout file lands in the wheel."""
    top, _, rest = repo_path.partition(os.sep)
    return {"core": "pynetsuite/", "plugins": "pynetsuite/plugins/"}[top] + rest.replace(os.sep, "/")


@pytest.fixture(scope="module")
def wheel_names():
    with zipfile.ZipFile(wheelhouse.project_wheel()) as wheel:
        return set(wheel.namelist())


def test_pyproject_packages_cover_every_package_folder():
    config = pyproject()["tool"]["setuptools"]
    assert config["package-dir"] == {"pynetsuite": "core", "pynetsuite.plugins": "plugins"}
    listed = set(config["packages"])
    expected = packages_in("core", "pynetsuite") | packages_in("plugins", "pynetsuite.plugins")
    missing = sorted(expected - listed)
    assert not missing, f"add these to [tool.setuptools] packages in pyproject.toml: {missing}"
    stale = sorted(listed - expected)
    assert not stale, f"packages listed in pyproject.toml without a folder: {stale}"


def test_every_plugin_folder_is_in_the_wheel(wheel_names):
    plugin_dirs = sorted(d for d in os.listdir(os.path.join(ROOT, "plugins"))
                         if os.path.isfile(os.path.join(ROOT, "plugins", d, "__init__.py")))
    assert "ping" in plugin_dirs
    missing = [d for d in plugin_dirs if f"pynetsuite/plugins/{d}/__init__.py" not in wheel_names]
    assert not missing, f"plugins missing from the wheel: {missing}"


def test_wheel_holds_exactly_the_checkout_sources(wheel_names):
    expected = {wheel_path(p) for p in source_files("core") | source_files("plugins")}
    payload = {n for n in wheel_names if not n.startswith("pynetsuite-")}
    missing = sorted(expected - payload)
    assert not missing, (f"files of core/ or plugins/ missing from the wheel (a package or "
                         f"package data not declared in pyproject.toml?): {missing}")
    extra = sorted(payload - expected)
    assert not extra, f"files in the wheel that are not in the checkout: {extra}"


def test_wheel_has_no_top_level_core_or_plugins(wheel_names):
    tops = {n.split("/", 1)[0] for n in wheel_names}
    assert tops == {"pynetsuite", "pynetsuite-0.1.0.dist-info"} or (
        {t for t in tops if not t.endswith(".dist-info")} == {"pynetsuite"}), tops


def test_wheel_declares_the_console_scripts(wheel_names):
    with zipfile.ZipFile(wheelhouse.project_wheel()) as wheel:
        info = [n for n in wheel_names if n.endswith(".dist-info/entry_points.txt")]
        text = wheel.read(info[0]).decode()
    for script, target in pyproject()["project"]["scripts"].items():
        assert f"{script} = {target}" in text


def test_console_scripts_resolve_and_are_installed():
    """Every [project.scripts] target exists; the test venv has every script (after adding one
    to pyproject.toml, re-run ``pip install -e .``)."""
    bindir = os.path.dirname(sys.executable)
    for script, target in pyproject()["project"]["scripts"].items():
        module, _, attr = target.partition(":")
        assert module == "pynetsuite.cli", f"{script}: entry functions live in pynetsuite.cli " \
                                           "(argcomplete's marker check reads that module)"
        assert callable(getattr(importlib.import_module(module), attr)), target
        assert os.path.exists(os.path.join(bindir, script)), \
            f"{script} is not installed in {bindir}: run pip install -e {ROOT}"


def test_checkout_run_imports_the_checkout():
    """The test run (editable install) imports core/ and plugins/ of this checkout."""
    import pynetsuite
    import pynetsuite.plugins.ping

    assert os.path.dirname(pynetsuite.__file__) == os.path.join(ROOT, "core")
    assert os.path.dirname(pynetsuite.plugins.ping.__file__) == os.path.join(ROOT, "plugins", "ping")


IMPORT_CHECK = """
import importlib, json, sys
out = {}
for name in ("core", "plugins"):
    try:
        importlib.import_module(name)
        out[name] = "imported"
    except ImportError:
        out[name] = "absent"
import pynetsuite, pynetsuite.plugins, pynetsuite.plugins.ping
out["pynetsuite"] = pynetsuite.__file__
out["ping"] = pynetsuite.plugins.ping.__file__
print(json.dumps(out))
"""


def _import_check(python, cwd):
    proc = subprocess.run([python, "-c", IMPORT_CHECK], cwd=cwd, capture_output=True, text=True,
                          timeout=30, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert proc.returncode == 0, proc.stderr
    import json

    return json.loads(proc.stdout)


def test_editable_install_outside_the_checkout(tmp_path):
    """From a cwd outside the checkout: no top-level core/plugins, pynetsuite is core/."""
    out = _import_check(sys.executable, tmp_path)
    assert out["core"] == "absent" and out["plugins"] == "absent", out
    assert out["pynetsuite"] == os.path.join(ROOT, "core", "__init__.py")
    assert out["ping"] == os.path.join(ROOT, "plugins", "ping", "__init__.py")


def test_wheel_install_imports_the_same_code(tmp_path):
    venv = wheelhouse.fresh_venv()
    out = _import_check(venv.python, tmp_path)
    assert out["core"] == "absent" and out["plugins"] == "absent", out
    installed = os.path.join(venv.site, "pynetsuite")
    assert out["pynetsuite"] == os.path.join(installed, "__init__.py")
    different = []
    for repo_file in sorted(source_files("core") | source_files("plugins")):
        with open(os.path.join(ROOT, repo_file), "rb") as a:
            target = os.path.join(venv.site, *wheel_path(repo_file).split("/"))
            if not os.path.exists(target):
                different.append(f"{repo_file}: not installed")
                continue
            with open(target, "rb") as b:
                if a.read() != b.read():
                    different.append(repo_file)
    assert not different, f"wheel install differs from the checkout: {different}"


def test_wheel_install_runs_a_command():
    venv = wheelhouse.fresh_venv()
    listing = venv.run(["pynetsuite", "--list"])
    assert listing.returncode == 0, listing.stderr
    assert "pynetsuite.plugins.ping" in listing.stdout
    usage = venv.run(["pyping", "-Z"])
    assert usage.returncode == 2 and "invalid option -- 'Z'" in usage.stderr
    assert "Traceback" not in usage.stderr
