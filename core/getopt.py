"""GNU getopt / getopt_long, reproduced for byte-exact error messages.

The originals parse their command lines with glibc's getopt(3) or getopt_long(3); their error
text ("invalid option -- 'x'", "unrecognized option '--foo'", ...), their argument permutation
and their long-option abbreviation rules are part of the behaviour users see. argparse differs in
all three (and costs ~15 ms to import), so commands parse with this module and argparse is built
from the same table only when argcomplete asks for completions.

Options are yielded one at a time, in command-line order, so a command can validate each value
as the original does inside its getopt loop (the first bad value wins, later errors are never
reached).
"""

import os

NO_ARG, REQUIRED, OPTIONAL = 0, 1, 2


class Option:
    """One option of a command: a short letter, a long name, or both.

    ``dest`` names the value in the command's option values; ``arg`` is NO_ARG, REQUIRED or
    OPTIONAL (GNU ``::``: only an attached value, ``-c5`` or ``--opt=5``); ``plugin`` is set by the
    host for options a plugin added; ``metavar``/``help`` feed completion and plugin usage text.
    """

    __slots__ = ("short", "long", "dest", "arg", "help", "metavar", "plugin", "action", "default",
                 "key")

    def __init__(self, short=None, long=None, dest=None, arg=NO_ARG, help="", metavar="",
                 action=None, default=None, plugin=None, key=None):
        if not short and not long:
            raise ValueError("an option needs a short or a long name")
        self.short = short
        self.long = long
        self.dest = dest or (long or short).replace("-", "_")
        self.arg = arg
        self.help = help
        self.metavar = metavar
        # action: how OptionValues stores it: "store" (last wins), "count", "append", "true"
        self.action = action or ("store" if arg else "true")
        self.default = default
        self.plugin = plugin
        # key: what glibc compares (has_arg, flag, val of struct option) when several long
        # options share a typed prefix: entries with an equal key are one option to getopt_long
        # (no ambiguity, the first wins), and, as in a C longopts table, may even share a long
        # name (the first matches exactly). None: this option is like no other.
        self.key = key

    def __repr__(self):
        return f"Option({self.short!r}, {self.long!r}, dest={self.dest!r})"

    @property
    def display(self):
        return f"--{self.long}" if self.long else f"-{self.short}"


class GetoptError(Exception):
    """A command-line error, with glibc's exact message (without the ``prog: `` prefix)."""

    def __init__(self, message, option=None):
        super().__init__(message)
        self.message = message
        self.option = option


class OptionTable:
    """The options a command accepts: its own, the host's (``--json``) and plugins' additions.

    ``long_options=False`` models a program that calls plain getopt(3): ``--anything`` is then the
    short option ``-`` and reported as ``invalid option -- '-'`` (ping does this), except the
    long options that the host or a plugin added, which match exactly (no abbreviation).
    ``permute=False`` stops at the first operand (a leading '+' in optstring); so does
    ``POSIXLY_CORRECT`` in the environment, read at parse time as glibc does.
    """

    def __init__(self, options=(), long_options=True, permute=True):
        self.options = []
        self.long_options = long_options
        self.permute = permute
        self._short = {}
        self._long = {}   # long name -> the options of that name (several only with keys)
        for opt in options:
            self.add(opt)

    def add(self, option):
        if option.short and option.short in self._short:
            raise ValueError(f"option -{option.short} is already defined")
        if option.long:
            same_name = self._long.setdefault(option.long, [])
            if any(option.key is None or o.key == option.key for o in same_name):
                raise ValueError(f"option --{option.long} is already defined")
            same_name.append(option)
        self.options.append(option)
        if option.short:
            self._short[option.short] = option
        return option

    def truncate(self, count):
        """Forget every option added after the first ``count`` (undo a failed plugin's adds)."""
        kept = self.options[:count]
        self.options, self._short, self._long = [], {}, {}
        for option in kept:
            self.add(option)

    def short(self, letter):
        return self._short.get(letter)

    def match_long(self, name, shown=None):
        """Resolve ``name`` (without dashes) as getopt_long does: exact match, else a unique
        prefix. Returns the Option (None if nothing matches) or raises GetoptError for an
        ambiguous prefix; ``shown`` is the argument as typed (glibc quotes all of it,
        ``=value`` included)."""
        candidates = [o for o in self.options if o.long]
        for o in candidates:
            if o.long == name:
                return o
        if not self.long_options:
            return None
        # Options added by the host or plugins match only exactly, so they never make an
        # abbreviation that the original accepts ambiguous.
        matches = [o for o in candidates if o.plugin is None and o.long.startswith(name)]
        if not matches:
            return None
        # glibc: the first match wins unless a later one differs from *it* (see Option.key);
        # the message lists the first and every later one that differs, in table order.
        first = matches[0]
        ambiguous = [first] + [o for o in matches[1:]
                               if o is not first and (first.key is None or o.key != first.key)]
        if len(ambiguous) == 1:
            return first
        raise GetoptError(
            f"option '{shown or '--' + name}' is ambiguous; possibilities:"
            + "".join(f" '--{o.long}'" for o in ambiguous))

    def parse(self, argv):
        """Parse ``argv`` (without the program name) and return an Invocation-ready
        ``ParsedArgs`` or raise GetoptError at the first error."""
        parsed = ParsedArgs(self)
        for option, value in parsed.iterate(argv):
            parsed.store(option, value)
        return parsed


class ParsedArgs:
    """Operands plus option values, filled while iterating (see :meth:`iterate`)."""

    def __init__(self, table):
        self.table = table
        self.operands = []
        self.seen = []  # (Option, value) in command-line order
        self.values = {o.dest: ([] if o.action == "append" else (0 if o.action == "count" else o.default))
                       for o in table.options}

    def store(self, option, value):
        self.seen.append((option, value))
        if option.action == "count":
            self.values[option.dest] = (self.values.get(option.dest) or 0) + 1
        elif option.action == "append":
            self.values[option.dest].append(value)
        elif option.action == "true":
            self.values[option.dest] = True
        else:
            self.values[option.dest] = value

    def __getattr__(self, name):
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def iterate(self, argv):
        """Yield ``(Option, value)`` in order; collect operands in ``self.operands``.

        Follows glibc: with permutation operands may come anywhere, ``--`` ends the options, a
        lone ``-`` is an operand.
        """
        table = self.table
        # glibc: POSIXLY_CORRECT in the environment (even empty) turns permutation off
        permute = table.permute and "POSIXLY_CORRECT" not in os.environ
        i, n = 0, len(argv)
        while i < n:
            arg = argv[i]
            i += 1
            if arg == "--":
                self.operands.extend(argv[i:])
                return
            if arg.startswith("--") and (table.long_options or _host_long(table, arg)):
                name, eq, value = arg[2:].partition("=")
                option = table.match_long(name, arg)
                if option is None:
                    raise GetoptError(f"unrecognized option '{arg}'")
                if option.arg == NO_ARG:
                    if eq:
                        raise GetoptError(f"option '--{option.long}' doesn't allow an argument", option)
                    yield option, None
                elif eq:
                    yield option, value
                elif option.arg == REQUIRED:
                    if i >= n:
                        raise GetoptError(f"option '--{option.long}' requires an argument", option)
                    yield option, argv[i]
                    i += 1
                else:
                    yield option, None
                continue
            if arg.startswith("-") and arg != "-":
                # glibc scans bytes: "-é" is the invalid option '\xc3' (printed raw). Work on
                # the UTF-8 bytes when the cluster is not ASCII; letters >= 0x80 become
                # surrogate escapes, which a surrogateescape stream writes back as the byte.
                raw = arg if arg.isascii() else arg.encode("utf-8", "surrogateescape")
                j = 1
                while j < len(raw):
                    letter = raw[j]
                    if not isinstance(letter, str):
                        letter = chr(letter) if letter < 0x80 else chr(0xDC00 + letter)
                    j += 1
                    option = table.short(letter)
                    if option is None:
                        raise GetoptError(f"invalid option -- '{letter}'")
                    if option.arg == NO_ARG:
                        yield option, None
                        continue
                    rest = raw[j:]
                    if not isinstance(rest, str):
                        rest = rest.decode("utf-8", "surrogateescape")
                    if rest:
                        yield option, rest
                    elif option.arg == REQUIRED:
                        if i >= n:
                            raise GetoptError(f"option requires an argument -- '{letter}'", option)
                        yield option, argv[i]
                        i += 1
                    else:
                        yield option, None
                    break
                continue
            self.operands.append(arg)
            if not permute:
                self.operands.extend(argv[i:])
                return


def _host_long(table, arg):
    """For a plain-getopt table: is ``arg`` one of the exact long options the host added?"""
    name = arg[2:].partition("=")[0]
    return any(o.long == name and o.plugin is not None for o in table.options)
