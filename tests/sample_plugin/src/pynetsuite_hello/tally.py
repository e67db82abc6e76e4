"""``--tally``: count the records a command produces, by kind, and print one line at the end.

The state lives on the invocation under a name of this plugin's own (``hello_tally_counts``),
so two runs in one process never share it.
"""


def start(invocation):
    invocation.hello_tally_counts = {}


def count(invocation, record):
    counts = getattr(invocation, "hello_tally_counts", None)
    if counts is not None:
        kind = type(record).__name__
        counts[kind] = counts.get(kind, 0) + 1


def finish(invocation):
    counts = getattr(invocation, "hello_tally_counts", None)
    if counts is None:  # the command line was rejected before the command started
        return
    kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(counts.items()))
    line = f"tally: {sum(counts.values())} records" + (f" ({kinds})" if kinds else "") + "\n"
    # keep --json / --output-format documents parseable: the extra line goes to stderr there
    stream = invocation.stdout if invocation.output_format == "text" else invocation.stderr
    stream.write(line)
    stream.flush()
