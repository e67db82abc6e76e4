"""ping's stdout and stderr as C stdio makes them, whatever Python's own buffering is.

iputils writes its lines with printf() into a stdout that is line-buffered on a terminal,
block-buffered into a pipe or file, and unbuffered for flood ping, and it fflush()es at fixed
points (after each reply, after each ICMP error line, after "no answer yet", in finish()).
Everything it prints through error() flushes stdout first. So into a pipe the header only
comes out together with the first reply, and ``ping -c1 host | head -1`` ends with ping's
status, not SIGPIPE. Python's stdout buffering depends on the environment (PYTHONUNBUFFERED,
-u), so these wrappers buffer by themselves, and write with os.write() so that a failing
stdout (closed, /dev/full) never reaches Python's own buffers (whose flush at exit would
print "Exception ignored"). The renderer flushes where ping does; :func:`close_streams` is
iputils' atexit close_stdout().
"""

import errno
import os

BUFSIZ = 4096   # glibc's buffer for a pipe (st_blksize): a fuller buffer is written out


class _Stream:
    """Writes text to a file descriptor (or, in tests, to a text stream without one) and
    remembers the first failure like a C stream's error flag."""

    def __init__(self, raw, default_fd):
        self.raw = raw
        self.errno = 0
        self.fd = None
        self.encoding, self.errors = "utf-8", "surrogateescape"
        if raw is not None:
            self.encoding = getattr(raw, "encoding", None) or "utf-8"
            self.errors = getattr(raw, "errors", None) or "surrogateescape"
            try:
                self.fd = raw.fileno()
            except (AttributeError, ValueError, OSError):
                self.fd = None
            if self.fd is not None:
                try:
                    raw.flush()     # whatever Python buffered before us goes out first
                except (OSError, ValueError):
                    pass
        self.closed_at_start = raw is None
        self.default_fd = default_fd

    def _emit(self, text):
        if not text:
            return
        if self.closed_at_start:
            self._fail(errno.EBADF)
            return
        if self.fd is None:
            try:
                self.raw.write(text)
                self.raw.flush()
            except OSError as exc:
                self._fail(exc.errno)
            return
        data = text.encode(self.encoding, self.errors)
        try:
            while data:
                data = data[os.write(self.fd, data):]
        except OSError as exc:
            self._fail(exc.errno)

    def _fail(self, number):
        if not self.errno:
            self.errno = number or errno.EIO

    @property
    def failed(self):
        return bool(self.errno)


class StdioStdout(_Stream):
    """stdout: line-buffered on a terminal, block-buffered otherwise; ``unbuffered`` (flood
    ping's setbuf(stdout, NULL)) writes every piece at once. ``raw`` None is a stdout that
    was closed when the program started."""

    def __init__(self, raw):
        super().__init__(raw, 1)
        self.unbuffered = False
        self._pending = []
        self._size = 0
        try:
            self.line_buffered = raw is not None and raw.isatty()
        except (AttributeError, ValueError, OSError):
            self.line_buffered = False

    def write(self, text):
        self._pending.append(text)
        self._size += len(text)
        if self.unbuffered or self._size >= BUFSIZ or (self.line_buffered and "\n" in text):
            self.flush()
        return len(text)

    def flush(self):
        if self._pending:
            data = "".join(self._pending)
            self._pending.clear()
            self._size = 0
            self._emit(data)

    def isatty(self):
        return self.line_buffered


class ErrorStream(_Stream):
    """stderr as glibc's error() writes it: stdout is flushed first. :func:`plain_stderr`
    gives ping's plain fprintf(stderr) (usage, the SIGQUIT status line), which does not."""

    def __init__(self, stdout, stderr):
        super().__init__(stderr, 2)
        self.stdout = stdout

    def write(self, text):
        self.stdout.flush()
        self._emit(text)
        return len(text)

    def flush(self):
        pass


class _Plain:
    def __init__(self, stream):
        self.stream = stream

    def write(self, text):
        self.stream._emit(text)
        return len(text)

    def flush(self):
        pass


def plain_stderr(stream):
    """A stream for ping's fprintf(stderr): no stdout flush before it."""
    return _Plain(stream) if isinstance(stream, ErrorStream) else stream


def close_streams(prog, stdout, stderr, code):
    """iputils' atexit close_stdout(): the exit status once stdout and stderr are closed.

    A stdout that could not be written (closed, /dev/full) gives "write error" and status 1;
    the message carries strerror only when closing fd 1 fails too (EBADF: nothing took the
    descriptor; with stdout closed at start ping's first socket usually gets fd 1, and the
    message is bare). EPIPE is silent. Then a stderr that failed makes the status 1."""
    stdout.flush()
    if stdout.failed and stdout.errno != errno.EPIPE:
        suffix = ""
        if stdout.closed_at_start or stdout.fd is not None:
            try:
                os.fstat(stdout.default_fd if stdout.fd is None else stdout.fd)
            except OSError as exc:
                suffix = f": {os.strerror(exc.errno)}"
        stderr.write(f"{prog}: write error{suffix}\n")
        return 1
    if stderr.failed:
        return 1
    return code
