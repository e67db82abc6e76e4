"""C number parsing (strtol, strtoul, strtod in the C locale) and iputils' wrappers around it.

ping's messages quote what the C library accepted and where it stopped ("option argument
contains garbage: abc"), and Python's int()/float() accept different things (underscores,
surrounding blanks, no hex floats), so the C rules are reproduced here.
"""

import errno
import math
import os
import re

LONG_MAX = 2**63 - 1
LONG_MIN = -(2**63)
ULONG_MAX = 2**64 - 1
INT_MAX = 2**31 - 1
UINT_MAX = 2**32 - 1

_WS = " \t\n\v\f\r"
_INT_RE = {10: re.compile(r"[+-]?[0-9]+"), 16: re.compile(r"[+-]?(?:0[xX])?[0-9a-fA-F]+")}
_DEC_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_HEX_FLOAT = re.compile(r"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?")
_SPECIAL = re.compile(r"[+-]?(?:inf(?:inity)?|nan(?:\([0-9A-Za-z_]*\))?)", re.I)
_DBL_MIN = 2.2250738585072014e-308


def _skip_ws(text):
    i = 0
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


def strtol(text, base=10, unsigned=False):
    """(value, end, erange) as strtol/strtoul(text, &end, base) would give them. ``end`` is the
    index where parsing stopped (0 when nothing was converted)."""
    start = _skip_ws(text)
    match = _INT_RE[base].match(text, start)
    if not match:
        return 0, 0, False
    digits = match.group()
    if base == 16 and re.fullmatch(r"[+-]?0[xX]", digits):
        # "0x" with no hex digit: strtol converts the "0" only
        match_end = start + digits.index("0") + 1
        return 0, match_end, False
    value = int(digits, base)
    end = match.end()
    if unsigned:
        magnitude = abs(value)
        if magnitude > ULONG_MAX:
            return ULONG_MAX, end, True
        return (value % (ULONG_MAX + 1)), end, False
    if value > LONG_MAX:
        return LONG_MAX, end, True
    if value < LONG_MIN:
        return LONG_MIN, end, True
    return value, end, False


def strtod(text):
    """(value, end, erange) as strtod(text, &end) in the C locale would give them."""
    start = _skip_ws(text)
    for pattern in (_SPECIAL, _HEX_FLOAT, _DEC_FLOAT):
        match = pattern.match(text, start)
        if match:
            break
    else:
        return 0.0, 0, False
    token = match.group()
    end = match.end()
    low = token.lower().lstrip("+-")
    negative = token.startswith("-")
    if low.startswith("inf"):
        return (-math.inf if negative else math.inf), end, False
    if low.startswith("nan"):
        return math.nan, end, False
    if "0x" in low:
        value = float.fromhex(token)
        mantissa_nonzero = any(c not in "0." for c in low[2:].split("p")[0])
    else:
        value = float(token)
        mantissa_nonzero = any(c not in "0." for c in low.split("e")[0])
    erange = math.isinf(value) or (mantissa_nonzero and abs(value) < _DBL_MIN)
    return value, end, erange


class OptionValueError(Exception):
    """A bad option value: ``code`` is the exit status, ``message`` the text after ``prog: ``;
    ``warnings`` are lines printed before it (or instead of it when code is None)."""

    def __init__(self, code, message, warnings=()):
        super().__init__(message)
        self.code = code
        self.message = message
        self.warnings = list(warnings)


def strtol_or_err(text, message, low, high, unsigned=False):
    """iputils' strtol_or_err(): rc 1 with "invalid argument: 'X'" / "...: out of range"."""
    if text == "":
        raise OptionValueError(1, f"{message}: '{text}'")
    value, end, erange = strtol(text, 10, unsigned)
    if erange:
        raise OptionValueError(1, f"{message}: '{text}': {os.strerror(errno.ERANGE)}")
    if end == 0 or end != len(text):
        raise OptionValueError(1, f"{message}: '{text}'")
    if value < low or value > high:
        raise OptionValueError(1, f"{message}: '{text}': out of range: {low} <= value <= {high}")
    return value


def ping_strtod(text, message):
    """iputils' ping_strtod(): garbage after a number is only a warning (20221126), a value
    that is not a normal number or zero is an error (rc 2). Returns (value, warnings)."""
    if text == "":
        # error(2, errno, ...) with whatever errno an earlier libc call left: setlocale(LC_ALL,
        # "") leaves ENOENT when it had to look for locale files, 0 in the C locale
        if _locale_is_c():
            raise OptionValueError(2, f"{message}: ")
        raise OptionValueError(2, f"{message}: : {os.strerror(errno.ENOENT)}")
    value, end, erange = strtod(text)
    warnings = []
    if erange or end == 0 or end != len(text):
        rest = text[end:] if end else text
        warnings = [f"option argument contains garbage: {rest}",
                    "this will become fatal error in the future"]
    if not (value == 0 or (math.isfinite(value) and abs(value) >= _DBL_MIN)):
        raise OptionValueError(2, f"{message}: {text}: {os.strerror(errno.ERANGE)}", warnings)
    return value, warnings


def _locale_is_c():
    """Would setlocale(LC_ALL, "") pick the C locale for every category?"""
    if os.environ.get("LC_ALL"):
        return os.environ["LC_ALL"] in ("C", "POSIX")
    values = [v for k, v in os.environ.items() if k.startswith("LC_") or k == "LANG"]
    return all(v in ("", "C", "POSIX") for v in values)


def c_int_trunc(value):
    """(int)value for a finite double, truncating toward zero."""
    return int(value)
