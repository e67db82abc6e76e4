#!/usr/bin/env python3
"""Start-up time of every console script against the same venv's bare ``python -c pass``.

For each script in pyproject.toml's [project.scripts] it times the cheapest invocation that
touches no network (``SCRIPT --help``: for ping, an invalid-option path that prints usage), and
``python -c pass`` in the same run, interleaved round by round in a shuffled order so that load
on the machine hits every variant alike. It prints the median wall time, the median CPU time of
the child (user+sys from wait4, steadier than wall time on a shared VM) and the difference to
bare python. Nothing here sends a packet.

    .venv/bin/python bench/startup.py             # the venv this python belongs to (editable)
    .venv/bin/python bench/startup.py --wheel     # also a non-editable wheel install in a temp venv
    .venv/bin/python bench/startup.py --runs 61 --importtime pyping
    .venv/bin/python bench/startup.py --compile   # editable, with core/ plugins/ byte-compiled

Target: ``pyping --help`` within 35 ms of bare python (median wall).
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_MS = 35.0


def scripts_from_pyproject():
    import tomllib

    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        return list(tomllib.load(f)["project"]["scripts"])


def cases_for(bindir, scripts):
    """(label, argv, env-extra) for every script, plus a few informative variants."""
    py = os.path.join(bindir, "python")
    cases = [("python -c pass", [py, "-c", "pass"], {})]
    for script in scripts:
        cases.append((f"{script} --help", [os.path.join(bindir, script), "--help"], {}))
    if "pynetsuite" in scripts and "pyping" in scripts:
        cases.append(("pynetsuite ping --help", [os.path.join(bindir, "pynetsuite"), "ping", "--help"], {}))
        cases.append(("pyping --help (autoload off)", [os.path.join(bindir, "pyping"), "--help"],
                      {"PYNETSUITE_DISABLE_PLUGIN_AUTOLOAD": "1"}))
        cases.append(("import pluggy", [py, "-c", "import pluggy"], {}))
    return cases


def time_once(argv, env):
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env)
    _, _, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = 0  # reaped by wait4; keep Popen from waiting again
    return wall * 1000, (usage.ru_utime + usage.ru_stime) * 1000


def measure(cases, runs, seed=1):
    base_env = dict(os.environ)
    samples = {label: ([], []) for label, _, _ in cases}
    rng = random.Random(seed)
    for label, argv, extra in cases:  # warm the page cache once, untimed
        time_once(argv, {**base_env, **extra})
    for _ in range(runs):
        order = list(cases)
        rng.shuffle(order)
        for label, argv, extra in order:
            wall, cpu = time_once(argv, {**base_env, **extra})
            samples[label][0].append(wall)
            samples[label][1].append(cpu)
    return {label: (statistics.median(w), statistics.median(c)) for label, (w, c) in samples.items()}


def report(title, results):
    base_wall, base_cpu = results["python -c pass"]
    print(f"\n{title}")
    print(f"{'invocation':<32} {'wall ms':>8} {'+python':>8} {'cpu ms':>8} {'+python':>8}")
    for label, (wall, cpu) in results.items():
        print(f"{label:<32} {wall:8.1f} {wall - base_wall:+8.1f} {cpu:8.1f} {cpu - base_cpu:+8.1f}")
    ping = results.get("pyping --help")
    if ping:
        delta = ping[0] - base_wall
        verdict = "met" if delta <= TARGET_MS else "NOT met"
        print(f"target: pyping --help within {TARGET_MS:.0f} ms of bare python: {delta:+.1f} ms, {verdict}")


def wheel_venv(workdir):
    """A throwaway venv with pynetsuite installed from a freshly built wheel (not editable).

    Offline: the wheel is built without build isolation, the venv has no pip of its own, the
    main venv's pip installs into it, and a .pth lends it the main venv's site-packages for the
    dependencies (pluggy, ...). The main venv's editable finder is not activated by that .pth.
    """
    src = os.path.join(workdir, "src")
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", "tests", "bench", "docs"))
    wheels = os.path.join(workdir, "wheels")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "--no-index", "-w", wheels, src], check=True)
    venv = os.path.join(workdir, "venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    site = subprocess.check_output([os.path.join(venv, "bin", "python"), "-c",
                                    "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   text=True).strip()
    main_site = subprocess.check_output([sys.executable, "-c",
                                         "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip()
    with open(os.path.join(site, "_pynetsuite_bench_deps.pth"), "w") as f:
        f.write(main_site + "\n")
    wheel = [os.path.join(wheels, w) for w in os.listdir(wheels) if w.startswith("pynetsuite-")]
    subprocess.run([sys.executable, "-m", "pip", "--python", os.path.join(venv, "bin", "python"),
                    "install", "-q", "--no-deps", "--no-index", *wheel], check=True)
    return os.path.join(venv, "bin")


def importtime(bindir, script, top=15):
    """The ``-X importtime`` lines of ``SCRIPT --help``, largest cumulative first."""
    entry = {"pynetsuite": "main"}.get(script, script)
    code = (f"import sys; sys.argv=[{script!r}, '--help']; from pynetsuite.cli import {entry}; "
            f"{entry}()")
    proc = subprocess.run([os.path.join(bindir, "python"), "-X", "importtime", "-c", code],
                          capture_output=True, text=True)
    rows = []
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            self_us, cum_us, name = (p.strip() for p in line[len("import time:"):].split("|", 2))
            if self_us.isdigit():
                rows.append((int(cum_us), int(self_us), name))
    print(f"\n-X importtime {script} --help: top {top} by cumulative time (us)")
    for cum, self_us, name in sorted(rows, reverse=True)[:top]:
        print(f"{cum:8d} {self_us:8d}  {name}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=41, help="runs per invocation (default 41)")
    parser.add_argument("--wheel", action="store_true",
                        help="also measure a non-editable wheel install in a temporary venv")
    parser.add_argument("--compile", action="store_true",
                        help="byte-compile core/ and plugins/ first (an editable install under "
                             "PYTHONDONTWRITEBYTECODE=1 otherwise recompiles them at every start)")
    parser.add_argument("--importtime", metavar="SCRIPT", action="append", default=[],
                        help="print the largest -X importtime entries of SCRIPT --help")
    args = parser.parse_args()
    bindir = os.path.dirname(sys.executable)
    if args.compile:
        import compileall

        for folder in ("core", "plugins"):
            compileall.compile_dir(os.path.join(ROOT, folder), quiet=1)
    scripts = [s for s in scripts_from_pyproject() if os.path.exists(os.path.join(bindir, s))]
    print(f"{os.cpu_count()} CPUs, {args.runs} runs each, interleaved; medians")
    report(f"venv {os.path.dirname(bindir)} (as installed: editable in development)",
           measure(cases_for(bindir, scripts), args.runs))
    for script in args.importtime:
        importtime(bindir, script)
    if args.wheel:
        with tempfile.TemporaryDirectory(prefix="pns-bench-") as workdir:
            wbin = wheel_venv(workdir)
            report("wheel install (non-editable, byte-compiled by pip)",
                   measure(cases_for(wbin, scripts), args.runs))
            for script in args.importtime:
                importtime(wbin, script)


if __name__ == "__main__":
    main()
