"""The ``hello`` command: ``hello [-u] [-n COUNT] [NAME...]`` prints ``hello, NAME`` COUNT times.

It shows the whole shape of a pynetsuite command: options validated in command-line order in
the getopt loop, an engine yielding records, a text renderer, and ``--json`` for free.
"""

from dataclasses import dataclass

from pynetsuite.command import Command, Renderer, ToolExit
from pynetsuite.getopt import Option, REQUIRED

USAGE = """\
Usage: hello [-u] [-n COUNT] [NAME...]
  -n COUNT  greet each name COUNT times (1-100, default 1)
  -u        shout
  -h        print this help and exit
"""


@dataclass(frozen=True)
class Greeting:
    """One greeting; these fields are what ``--json`` prints."""

    index: int
    name: str
    text: str


class HelloCommand(Command):
    usage_text = USAGE
    usage_exit_code = 2

    def options(self):
        return [Option("n", dest="count", arg=REQUIRED, metavar="COUNT", help="greet COUNT times"),
                Option("u", dest="shout", help="shout"),
                Option("h", dest="help", help="print help and exit")]

    def run(self, invocation):
        count = 1
        for option, value in invocation.iter_options():
            if option.dest == "count":
                if not value.isdigit() or not 1 <= int(value) <= 100:
                    raise ToolExit(1, f"invalid count '{value}' (1-100)")
                count = int(value)
            elif option.dest == "help":
                invocation.stdout.write(USAGE)
                return 0
        shout = invocation.values["shout"]
        for record in greetings(invocation.operands or ["world"], count, shout):
            invocation.emit(record)
        return 0

    def text_renderer(self, invocation):
        return HelloText(invocation)


def greetings(names, count, shout):
    """The engine: knows nothing about output formats."""
    index = 0
    for name in names:
        for _ in range(count):
            index += 1
            text = f"hello, {name}"
            yield Greeting(index, name, text.upper() if shout else text)


class HelloText(Renderer):
    def record(self, record):
        self.out.write(record.text + "\n")
