from pynetsuite.command import Command
from pynetsuite.getopt import Option, REQUIRED
class PingCommand(Command):
    long_options = False
    usage_text = "\nUsage\n  ping [options] <destination>\n"
    def options(self):
        return [Option("c", dest="count", arg=REQUIRED), Option("q")]
    def run(self, inv):
        for o, v in inv.iter_options():
            pass
        print(inv.values, inv.operands, inv.output_format)
        return 0
