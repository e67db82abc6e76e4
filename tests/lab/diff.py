"""Differential harness: run the Debian original and our clone the same way, compare the output.

``where`` is a lab role as ``(lab, "client")`` or a ``scratch_netns`` (anything with
``.run(argv, **kw)`` and ``.clone_bin``). Both programs run with LC_ALL=C, a PATH without the
clone directory, and argv[0] == the tool's plain name, so both print ``ping: ...``.

    orig, ours = run_both((lab, "client"), "ping", ["-c", "2", "-i", "0.2", lab.addr["target4"]])
    assert_same(orig, ours, masks=[RTT, PING_SUMMARY_TIME])
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
from dataclasses import dataclass
from typing import Callable, Pattern, Union

BASE_ENV = {"LC_ALL": "C", "LANG": "C", "LANGUAGE": ""}


@dataclass(frozen=True)
class Mask:
    """Replace every match of ``pattern`` (a regex string or compiled) by ``replacement``
    (``re.sub`` syntax, so groups like ``\\1`` work, or a function of the match)."""

    pattern: Union[str, Pattern]
    replacement: Union[str, Callable]

    def apply(self, text):
        return re.sub(self.pattern, self.replacement, text)


def mask(text, masks):
    """Apply ``masks`` in order."""
    for m in masks or ():
        text = m.apply(text)
    return text


# a few masks most tools need (extend per tool in its tests)
RTT = Mask(r"time[=<]\d+(?:\.\d+)? ms", "time=<RTT> ms")                # ping reply lines
PING_SUMMARY_TIME = Mask(r"(packet loss, time )\d+ms", r"\1<T>ms")      # "..., time 201ms"
PING_RTT_LINE = Mask(r"(rtt min/avg/max/mdev = )[\d./]+ ms", r"\1<RTTS> ms")
PING_IPG = Mask(r"(ipg/ewma )[\d./]+ ms", r"\1<IPG> ms")                  # flood / -A summary
# ", pipe N" is printed only when more than one probe was ever in flight: a matter of timing
PING_PIPE = Mask(r", pipe \d+", "")


def _flood_counts(match):
    text = match.group(0)
    return f"<flood: {text.count('.')} sent, {text.count(chr(8))} backspaces, " \
           f"{text.count('E')} errors>"


# The flood line's dots and backspaces interleave as replies happen to arrive; their numbers
# (and so what the terminal finally shows) do not depend on timing.
PING_FLOOD = Mask(re.compile(r"^[.\x08\x07 E]*\.[.\x08\x07 E]*$", re.M), _flood_counts)
TRACEROUTE_MS = Mask(r"\d+\.\d+ ms", "<T> ms")                          # traceroute probes
DIG_TIMING = Mask(r";; (Query time|WHEN): .*", r";; \1: <X>")          # measured / clock
# TTLs counted down by the caching resolver (query lab.addr["labns4"] directly for fixed TTLs)
DIG_TTL = Mask(re.compile(r"^([^;\s]\S*\s+)\d+(\s+IN\s)", re.M), r"\1<TTL>\2")
DIG_ID = Mask(r"(id: )\d+", r"\1<ID>")
DIG_COOKIE = Mask(r"(; COOKIE: )[0-9a-f]+.*", r"\1<COOKIE>")
EPHEMERAL_PORT = Mask(r"(?<=[:.])(3[2-9]\d{3}|[4-5]\d{4}|6[0-5]\d{3})\b", "<PORT>")


def _target(where):
    """(runner with .run(argv, **kw), object with .clone_bin)."""
    if isinstance(where, tuple):
        lab, role = where
        return (lambda argv, **kw: lab.run(role, argv, **kw)), lab
    return where.run, where


def _env(clone_dir, extra):
    """The inherited environment, LC_ALL=C, and a PATH from which the clone dir is removed."""
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep)
            if p and (clone_dir is None or os.path.realpath(p) != os.path.realpath(clone_dir))]
    for sysdir in ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"):
        if sysdir not in path:
            path.append(sysdir)
    env = dict(BASE_ENV, PATH=os.pathsep.join(path))
    if extra:
        env.update(extra)
    return env


def _installed_clone_bin():
    from . import lab as labmod

    return labmod._CLONE_BIN


def run_original(where, tool, args, *, env=None, **kw):
    """The Debian ``tool`` from PATH, argv[0] == tool. ``kw``: unprivileged, timeout, input."""
    run, _owner = _target(where)
    env = _env(_installed_clone_bin(), env)
    if shutil.which(tool, path=env["PATH"]) is None:
        raise FileNotFoundError(f"the original '{tool}' is not installed (require_tool first)")
    return run([tool, *args], env=env, **kw)


def run_clone(where, tool, args, *, env=None, **kw):
    """Our ``tool``: clone_bin/tool (a pynetsuite link; its program name is ``tool``)."""
    run, owner = _target(where)
    clone_dir = owner.clone_bin
    program = os.path.join(clone_dir, tool)
    if not os.path.lexists(program):
        raise FileNotFoundError(f"{program}: pynetsuite --install made no '{tool}' link "
                                f"(is the {tool} plugin registered?)")
    return run([program, *args], env=_env(clone_dir, env), **kw)


def run_both(where, tool, args, **kw):
    """Original first, then ours; returns (original, ours) CompletedProcess."""
    original = run_original(where, tool, args, **kw)
    ours = run_clone(where, tool, args, **kw)
    return original, ours


def _lines(text, unordered):
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\\ No newline at end of output\n"
    return sorted(lines) if unordered else lines


def _describe(proc):
    args = proc.args if isinstance(proc.args, (list, tuple)) else [str(proc.args)]
    # drop the `ip netns exec NS [setpriv ...] --` prefix for readability
    if "--" in args:
        args = args[args.index("--") + 1:]
    elif args[:3] == ["ip", "netns", "exec"]:
        args = args[4:]
    return " ".join(str(a) for a in args)


def differences(original, ours, masks=(), check_stderr=True, check_returncode=True,
                unordered=False):
    """The comparison assert_same makes, as a list of report chunks (empty when equal)."""
    report = []
    streams = [("stdout", original.stdout, ours.stdout)]
    if check_stderr:
        streams.append(("stderr", original.stderr, ours.stderr))
    for name, a, b in streams:
        a_lines = _lines(mask(a or "", masks), unordered)
        b_lines = _lines(mask(b or "", masks), unordered)
        if a_lines != b_lines:
            diff = difflib.unified_diff(a_lines, b_lines, f"original {name}", f"ours {name}",
                                        n=3)
            report.append("".join(diff))
    if check_returncode and original.returncode != ours.returncode:
        report.append(f"exit code: original {original.returncode}, ours {ours.returncode}\n")
    return report


def assert_same(original, ours, masks=(), check_stderr=True, check_returncode=True,
                unordered=False):
    """Fail with a unified diff (after masking) when the two runs differ.

    ``unordered=True`` compares the lines as a multiset (for servers that may order records
    differently between two queries)."""
    __tracebackhide__ = True
    report = differences(original, ours, masks, check_stderr, check_returncode, unordered)
    if report:
        header = (f"original: {_describe(original)}\n"
                  f"ours:     {_describe(ours)}\n")
        raise AssertionError("outputs differ\n" + header + "\n".join(report))
