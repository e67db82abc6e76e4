"""pynetsuite.getopt against glibc: fixed cases, plus a seeded differential run against
util-linux getopt(1), which parses with glibc's getopt_long and prints glibc's messages.

getopt(1) reports every error and goes on; our parser stops at the first one (as the tools do:
their getopt loop exits on the first '?'), so only the first error line is compared.
"""

import os
import random
import shlex
import shutil
import subprocess

import pytest

from conftest import require
from pynetsuite.getopt import (NO_ARG, OPTIONAL, REQUIRED, GetoptError, Option, OptionTable)


def table(*options, long_options=True, permute=True):
    return OptionTable(list(options), long_options=long_options, permute=permute)


def error_of(tbl, argv):
    with pytest.raises(GetoptError) as info:
        tbl.parse(argv)
    return info.value.message


PING_LIKE = dict(long_options=False)


def ping_table():
    return table(Option("c", dest="count", arg=REQUIRED), Option("q"), Option("v"),
                 Option("W", dest="timeout", arg=REQUIRED), **PING_LIKE)


# -- fixed cases -------------------------------------------------------------------------------

def test_short_options_clustered_and_attached():
    parsed = ping_table().parse(["-qvc5", "host", "-W", "1"])
    assert [(o.dest, v) for o, v in parsed.seen] == [("q", None), ("v", None), ("count", "5"),
                                                    ("timeout", "1")]
    assert parsed.operands == ["host"]
    assert parsed.values["count"] == "5" and parsed.q is True


def test_messages_match_glibc_short():
    t = ping_table()
    assert error_of(t, ["-x"]) == "invalid option -- 'x'"
    assert error_of(t, ["-q", "-c"]) == "option requires an argument -- 'c'"
    # plain getopt: "--foo" is the option '-' (ping: "invalid option -- '-'")
    assert error_of(t, ["--count=3"]) == "invalid option -- '-'"


def test_first_error_wins():
    assert error_of(ping_table(), ["-y", "-c"]) == "invalid option -- 'y'"


def test_double_dash_and_lone_dash():
    parsed = ping_table().parse(["-q", "-", "--", "-c", "5"])
    assert parsed.operands == ["-", "-c", "5"]
    assert parsed.values["count"] is None


def test_no_permutation_stops_at_first_operand():
    parsed = table(Option("c", arg=REQUIRED), permute=False).parse(["a", "-c", "5"])
    assert parsed.operands == ["a", "-c", "5"]


def test_long_abbreviation_exact_and_ambiguous():
    t = table(Option(long="verbose"), Option(long="verb"), Option(long="version"),
              Option(long="count", arg=REQUIRED))
    assert [o.long for o, _ in t.parse(["--verb", "--cou", "3"]).seen] == ["verb", "count"]
    assert error_of(t, ["--ver"]) == ("option '--ver' is ambiguous; possibilities: "
                                      "'--verbose' '--verb' '--version'")
    assert error_of(t, ["--verbose=1"]) == "option '--verbose' doesn't allow an argument"
    assert error_of(t, ["--count"]) == "option '--count' requires an argument"
    assert error_of(t, ["--nope"]) == "unrecognized option '--nope'"


def test_optional_argument_only_attached():
    t = table(Option("i", arg=OPTIONAL), Option(long="opt", arg=OPTIONAL))
    parsed = t.parse(["-i", "x", "-iy", "--opt", "--opt=z"])
    assert [(o.display, v) for o, v in parsed.seen] == [("-i", None), ("-i", "y"), ("--opt", None),
                                                       ("--opt", "z")]
    assert parsed.operands == ["x"]


def test_actions_count_append_default():
    t = table(Option("v", action="count"), Option("e", arg=REQUIRED, action="append"),
              Option("s", arg=REQUIRED, default="56"))
    parsed = t.parse(["-vv", "-e", "a", "-eb", "-v"])
    assert parsed.values == {"v": 3, "e": ["a", "b"], "s": "56"}


def test_plugin_long_options_match_exactly_and_do_not_create_ambiguity():
    t = table(Option(long="verbose"), Option("c", arg=REQUIRED))
    t.add(Option(long="verbatim", plugin="someplugin"))
    # "--verb" still abbreviates the command's own --verbose only
    assert [o.long for o, _ in t.parse(["--verb"]).seen] == ["verbose"]
    assert [o.long for o, _ in t.parse(["--verbatim"]).seen] == ["verbatim"]
    assert error_of(t, ["--verba"]) == "unrecognized option '--verba'"


def test_plugin_long_option_on_plain_getopt_command():
    t = ping_table()
    t.add(Option(long="json", plugin="pynetsuite"))
    assert [o.long for o, _ in t.parse(["--json", "-q"]).seen] == ["json", None]
    assert error_of(t, ["--jso"]) == "invalid option -- '-'"


def test_duplicate_definitions_rejected():
    t = ping_table()
    with pytest.raises(ValueError):
        t.add(Option("c", long="other"))
    t.add(Option(long="tally", plugin="x"))
    with pytest.raises(ValueError):
        t.add(Option(long="tally", plugin="y"))
    with pytest.raises(ValueError):
        Option()


def test_real_ping_rejects_long_options_like_our_table():
    """The Debian ping calls plain getopt(3): compare one message with the original."""
    ping = shutil.which("ping")
    require(ping is not None, "the original 'ping' is not installed")
    for argv in (["--count=3"], ["-é"], ["-qc"]):
        proc = subprocess.run(["ping", *argv], executable=ping, capture_output=True, timeout=5)
        first = proc.stderr.decode("utf-8", "surrogateescape").splitlines()[0]
        assert first == "ping: " + error_of(ping_table(), argv)
        assert proc.returncode == 2


# -- differential against util-linux getopt(1) ------------------------------------------------

SHORT = "c:qvi::W:4"
LONG = ["count:", "quiet", "verbose", "verb", "version", "interval::", "ttl:", "tally"]


def our_table(permute=True):
    options = []
    j = 0
    while j < len(SHORT):
        letter = SHORT[j]
        colons = len(SHORT[j + 1:]) - len(SHORT[j + 1:].lstrip(":"))
        options.append(Option(letter, dest=f"s_{letter}", arg=(NO_ARG, REQUIRED, OPTIONAL)[colons]))
        j += 1 + colons
    for spec in LONG:
        name = spec.rstrip(":")
        options.append(Option(long=name, dest=f"l_{name}",
                              arg=(NO_ARG, REQUIRED, OPTIONAL)[len(spec) - len(name)]))
    return table(*options, permute=permute)


def our_render(tbl, argv):
    """Our parse rendered the way getopt(1) prints its result, or ``getopt: <first error>``."""
    try:
        parsed = tbl.parse(argv)
    except GetoptError as error:
        return "error", f"getopt: {error.message}"
    out = []
    for option, value in parsed.seen:
        out.append(f" -{option.short}" if option.short else f" --{option.long}")
        if option.arg != NO_ARG:
            out.append(" " + _quote(value or ""))
    out.append(" --")
    out.extend(" " + _quote(op) for op in parsed.operands)
    return "ok", "".join(out)


def _quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def glibc_render(argv, permute=True, posixly_correct=False):
    env = dict(os.environ, LC_ALL="C")
    env.pop("POSIXLY_CORRECT", None)
    if posixly_correct:
        env["POSIXLY_CORRECT"] = ""
    short = SHORT if permute else "+" + SHORT
    proc = subprocess.run(["getopt", "-o", short, "-l", ",".join(LONG), "--", *argv],
                          capture_output=True, env=env, timeout=5)
    stdout, stderr = (b.decode("utf-8", "surrogateescape") for b in (proc.stdout, proc.stderr))
    if proc.returncode == 1:
        return "error", stderr.splitlines()[0]
    assert proc.returncode == 0, stderr
    return "ok", stdout.rstrip("\n")


WORDS = ["-c", "-c5", "-q", "-qv", "-vq4", "-i", "-i2", "-W", "-W1", "-x", "-qx", "-", "--",
         "--count", "--count=3", "--cou", "--c", "--v", "--ver", "--verb", "--verbo", "--verbose",
         "--verbose=1", "--vers", "--interval", "--interval=0.2", "--int", "--tally", "--t",
         "--ta", "--ttl", "--ttl=64", "--nope", "--=x", "host", "127.0.0.1", "5", "it's", "",
         "-é", "--é", "-q-", "---", "--quiet", "--quiet=", "-c-", "-4c", "-cq"]


def test_differential_against_glibc_getopt():
    require(shutil.which("getopt") is not None, "util-linux getopt(1) is not installed")
    rng = random.Random(20240611)
    cases = [[rng.choice(WORDS) for _ in range(rng.randint(0, 6))] for _ in range(300)]
    mismatches = []
    for permute, posixly in ((True, False), (False, False), (True, True)):
        tbl = our_table(permute)
        for argv in cases:
            with pytest.MonkeyPatch.context() as mp:
                if posixly:
                    mp.setenv("POSIXLY_CORRECT", "")
                else:
                    mp.delenv("POSIXLY_CORRECT", raising=False)
                ours = our_render(tbl, argv)
            theirs = glibc_render(argv, permute, posixly)
            if ours != theirs:
                mismatches.append(f"{shlex.join(argv)}  permute={permute} POSIXLY_CORRECT={posixly}"
                                  f"\n  ours:  {ours}\n  glibc: {theirs}")
    assert not mismatches, f"{len(mismatches)} mismatches:\n" + "\n".join(mismatches[:10])
