"""No Python traceback, for any command line: seeded random argv for every console script.

Every case runs inside a scratch network namespace that has only ``lo`` (no route out) and a
resolv.conf pointing at 127.0.0.1 inside it, so a random argument that names a real host or
address cannot reach anything. A third of the cases run unprivileged (uid 65534, no
CAP_NET_RAW). Each case is killed after a short timeout: a timeout is not a failure (ping may
legitimately run on), a traceback is. Cases run from a scratch working directory so a
relative path in random arguments lands there.

``PYNETSUITE_FUZZ_CASES`` overrides the number of cases per script; ``PYNETSUITE_FUZZ_SEED``
the seed (the failing seed and argv are printed).
"""

import json
import os
import random
import shlex
import sys
import tomllib

from conftest import require_root
from wheelhouse import ROOT

BIN = os.path.dirname(sys.executable)
CASE_TIMEOUT = 2.0
TOTAL_BUDGET = 900  # cases over all scripts (about 60 s on 2 cores)
MARKERS = ("Traceback (most recent call last)", "Exception ignored in", "Fatal Python error")

# Runs inside the namespace: executes every case with a timeout, several at a time, and prints
# one JSON line per case that shows a traceback marker or died of a signal other than our kill.
DRIVER = r"""
import json, os, signal, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor
spec = json.load(sys.stdin)
markers = [m.encode() for m in spec["markers"]]
def one(case):
    argv = [os.fsencode(a) for a in case["prefix"]] + [a.encode("utf-8", "surrogateescape") for a in case["argv"]]
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, cwd=spec["cwd"], start_new_session=True)
    try:
        _, err = proc.communicate(timeout=spec["timeout"])
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate()
        timed_out = True
    bad = any(m in err for m in markers) or (not timed_out and proc.returncode < 0
                                             and proc.returncode != -signal.SIGPIPE)
    return {"i": case["i"], "rc": proc.returncode, "timed_out": timed_out, "bad": bad,
            "stderr": err[-3000:].decode("utf-8", "replace") if bad else "",
            "secs": round(time.monotonic() - start, 2)}
with ThreadPoolExecutor(spec["workers"]) as pool:
    for result in pool.map(one, spec["cases"]):
        print(json.dumps(result), flush=True)
"""


def console_scripts():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        return list(tomllib.load(f)["project"]["scripts"])


def command_options():
    """script -> (command name, [(short, long, takes_value)]) for every installed command."""
    from pynetsuite.host import Host

    table = {}
    host = Host(stderr=open(os.devnull, "w")).load(None)
    for spec in host.commands().values():
        try:
            impl = spec.load()()
            options = [(o.short, o.long, bool(o.arg)) for o in impl.options()]
        except Exception as exc:  # reported by the command's own tests; fuzz it blind
            options = []
            print(f"cannot list options of {spec.name}: {exc!r}", file=sys.stderr)
        table[spec.script] = (spec.name, options)
    return table


VALUES = ["0", "1", "-1", "2", "3", "255", "256", "65535", "65536", "4294967296", "1e3", "0.2",
          "0.0001", "-0.5", "nan", "inf", "0x10", "010", "1,5", " 1", "", "abc", "é", "\udcff",
          "💥", "%s%n", "a" * 300, "lo", "eth0", "tcp", "udp", "do", "dont", "want", "tsonly",
          "127.0.0.1", "::1", "help", "ff", "aa:bb"]
OPERANDS = ["127.0.0.1", "::1", "localhost", "10.9.8.7", "192.0.2.1", "2001:db8::1",
            "example.invalid", "host.lab.test", "256.1.1.1", "1.2.3", "0", "0.0.0.0",
            "127.0.0.1%lo", "[::1]", "", "-", "--", "é.example", "\udcff\udcfe", "x" * 300,
            "80", "http", "a b"]
LONGS = ["--json", "--output-format", "--output-format=json", "--output-format=csv",
         "--help", "--version", "--verbose", "--numeric", "--all", "--x", "--", "--=", "---",
         "--json=1", "--jso"]


def random_argv(rng, options, tools):
    """A random argument list built from the command's own options and garbage."""
    argv = []
    letters = [s for s, _, _ in options if s] or list("acdhnqvV46")
    for _ in range(rng.randint(0, 6)):
        kind = rng.random()
        if kind < 0.35:  # a cluster of known letters, maybe with a value
            cluster = "".join(rng.choice(letters) for _ in range(rng.randint(1, 3)))
            argv.append("-" + cluster)
            if rng.random() < 0.5:
                argv.append(rng.choice(VALUES))
        elif kind < 0.45:  # any letter
            argv.append("-" + rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789?-é"))
        elif kind < 0.55:  # a known option with an attached value
            argv.append("-" + rng.choice(letters) + rng.choice(VALUES))
        elif kind < 0.7:  # long options: the host's, the command's, garbage
            longs = [f"--{l}" for _, l, _ in options if l] + LONGS
            argv.append(rng.choice(longs))
            if rng.random() < 0.3:
                argv.append(rng.choice(VALUES))
        else:
            argv.append(rng.choice(OPERANDS))
    if tools is not None:  # the suite program: mostly a tool first
        first = rng.choice(tools + ["--list", "--version", "--help", "-x", "nosuchtool", "",
                                    "--install", "--install"])
        argv.insert(0, first)
    return [a for a in argv if not a.startswith("/")]


def build_cases(seed, per_script, unprivileged_prefix):
    rng = random.Random(seed)
    table = command_options()
    tools = sorted(name for name, _ in table.values())
    cases = []
    for script in console_scripts():
        program = os.path.join(BIN, script)
        assert os.path.exists(program), f"{program} missing: run pip install -e {ROOT}"
        if script == "pynetsuite":
            options, suite_tools = [], tools
        else:
            options, suite_tools = table.get(script, (None, []))[1], None
        for _ in range(per_script):
            argv = random_argv(rng, options, suite_tools)
            prefix = unprivileged_prefix if rng.random() < 1 / 3 else []
            cases.append({"i": len(cases), "script": script, "prefix": prefix,
                          "argv": [program, *argv], "unprivileged": bool(prefix)})
    return cases


def test_random_argv_never_tracebacks(scratch_netns, tmp_path):
    require_root()
    seed = int(os.environ.get("PYNETSUITE_FUZZ_SEED", "20240611"))
    scripts = console_scripts()
    per_script = int(os.environ.get("PYNETSUITE_FUZZ_CASES", 0)) or min(150, TOTAL_BUDGET // len(scripts))
    unpriv = scratch_netns.exec_prefix(unprivileged=True)[len(scratch_netns.exec_prefix()):]
    cases = build_cases(seed, per_script, unpriv)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    os.chmod(tmp_path, 0o755)
    os.chmod(cwd, 0o777)
    spec = {"cases": cases, "markers": MARKERS, "timeout": CASE_TIMEOUT, "workers": 4,
            "cwd": str(cwd)}
    budget = len(cases) * CASE_TIMEOUT / 4 + 120
    proc = scratch_netns.run([sys.executable, "-c", DRIVER], input=json.dumps(spec),
                             timeout=budget)
    assert proc.returncode == 0, f"fuzz driver failed:\n{proc.stderr}"
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(results) == len(cases)
    failures = [(cases[r["i"]], r) for r in results if r["bad"]]
    timeouts = sum(r["timed_out"] for r in results)
    report = []
    for case, result in failures[:8]:
        who = "unprivileged " if case["unprivileged"] else ""
        report.append(f"--- {who}{shlex.join([case['script'], *case['argv'][1:]])}  "
                      f"(rc {result['rc']})\n{result['stderr']}")
    assert not failures, (f"{len(failures)} of {len(cases)} cases (seed {seed}) crashed; "
                          f"{timeouts} timed out (not failures):\n" + "\n".join(report))
