"""netstat's stdout and stderr as C stdio makes them for net-tools: write errors are ignored.

net-tools never checks a printf() or fflush(): into /dev/full, a closed descriptor or a pipe
whose reader left (with SIGPIPE ignored) netstat prints nothing more and exits with the
status its work gave (0 for a listing, 3 for a usage error). Python raises instead, and would
end in a traceback or, at interpreter exit, in "Exception ignored ..." while flushing what its
own buffer still holds. :class:`CStream` remembers the failure like a C stream's error flag,
drops the rest, and points the failed descriptor at /dev/null so that the final flush of
Python's own buffer is silent too.
"""

import os


class CStream:
    """A text stream whose writes never raise. ``raw`` None: the descriptor was closed when
    the program started (Python's sys.stdout is then None)."""

    def __init__(self, raw):
        self.raw = raw
        self.failed = raw is None

    def write(self, text):
        if not self.failed:
            try:
                self.raw.write(text)
            except (OSError, ValueError):
                self._fail()
        return len(text)

    def flush(self):
        if not self.failed:
            try:
                self.raw.flush()
            except (OSError, ValueError):
                self._fail()

    def isatty(self):
        try:
            return not self.failed and self.raw.isatty()
        except (OSError, ValueError, AttributeError):
            return False

    def _fail(self):
        self.failed = True
        try:
            fd = self.raw.fileno()
            null = os.open(os.devnull, os.O_WRONLY)
        except (OSError, ValueError, AttributeError):
            return
        try:
            os.dup2(null, fd)
        except OSError:
            pass
        finally:
            os.close(null)

    def __getattr__(self, name):  # encoding, errors, fileno ... of the stream it wraps
        return getattr(self.raw, name)


def install(inv):
    """Wrap the invocation's streams (once)."""
    if not isinstance(inv.stdout, CStream):
        inv.stdout = CStream(inv.stdout)
    if not isinstance(inv.stderr, CStream):
        inv.stderr = CStream(inv.stderr)
