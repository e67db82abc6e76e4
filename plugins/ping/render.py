"""iputils ping's text output, from the records (printf formats of ping.c, ping_common.c and
ping6_common.c). stdout is flushed where ping fflush()es (see :mod:`.stdio`)."""

from pynetsuite.command import Renderer

from .records import IcmpError, LocalError, NoAnswer, Reply, Status, Summary
from .stdio import plain_stderr


def _cdiv(a, b):
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _cmod(a, b):
    return a - _cdiv(a, b) * b


def ms3(us):
    """``%ld.%03ld`` of a microsecond count (C division: truncation toward zero)."""
    return "%d.%03d" % (_cdiv(us, 1000), _cmod(us, 1000))


def rtt_text(t):
    """The reply's ``time=`` value: 3 decimals below 1 ms, then 2, 1 and none (rounded)."""
    if t >= 100000 - 50:
        return "%d ms" % ((t + 500) // 1000)
    if t >= 10000 - 5:
        return "%d.%01d ms" % ((t + 50) // 1000, ((t + 50) % 1000) // 100)
    if t >= 1000:
        return "%d.%02d ms" % ((t + 5) // 1000, ((t + 5) % 1000) // 10)
    return "%d.%03d ms" % (t // 1000, t % 1000)


def who(address, name):
    return f"{name} ({address})" if name else address


def stamp_text(stamp):
    return "" if stamp is None else "[%d.%06d] " % stamp


class PingTextRenderer(Renderer):
    def __init__(self, invocation):
        super().__init__(invocation)
        self.config = invocation.impl.config
        self.err = invocation.stderr
        # ping's plain fprintf(stderr), which does not flush stdout (see stdio.ErrorStream)
        self.raw_err = plain_stderr(invocation.stderr)

    def _write(self, text, flush=True):
        """Write; ``flush`` where ping calls fflush(stdout) (see stdio.StdioStdout)."""
        self.out.write(text)
        if flush:
            self.out.flush()

    def section(self, name, **info):
        if name == "pattern":
            self._write(f"PATTERN: 0x{info['text']}\n", flush=False)
        elif name == "addrinfo":
            self._write(f"ai->ai_family: {info['family']}, "
                        f"ai->ai_canonname: '{info['canonname']}'\n", flush=False)
        elif name == "header":
            self._write(self.header_text(info), flush=False)
        elif name == "transmit":
            self._write(".")

    @staticmethod
    def header_text(info):
        source = ""
        if info.get("source") is not None:
            source = f"from {info['source']} {info['device']}: "
        if info["family"] == 4:
            return (f"PING {info['hostname']} ({info['address']}) {source}"
                    f"{info['datalen']}({info['total']}) bytes of data.\n")
        flow = f", flow 0x{info['flowlabel']:05x}, " if info.get("flowlabel") else ""
        return (f"PING {info['hostname']}({who(info['address'], info['ptr'])}) {flow}"
                f"{source}{info['datalen']} data bytes\n")

    def record(self, record):
        method = getattr(self, "_" + type(record).__name__)
        method(record)

    def _Reply(self, r: Reply):
        c = self.config
        if c.quiet:
            self.out.flush()        # ping4/6_parse_reply fflush()es after every reply
            return
        if c.flood:
            self._write(("\bC" if r.corrupted else "\b \b") + ("\a" if r.audible else ""))
            return
        parts = [stamp_text(r.timestamp),
                 f"{r.response_bytes} bytes from {who(r.response_ip, r.response_name)}:",
                 f" icmp_seq={r.icmp_seq}"]
        if r.ident is not None:
            parts.append(f" ident={r.ident}")
        if r.ttl is not None:
            parts.append(f" ttl={r.ttl}")
        if r.truncated:
            parts.append(" (truncated)\n")
            self._write("".join(parts))
            return
        if r.rtt_us is not None:
            parts.append(" time=" + rtt_text(r.rtt_us))
        if r.duplicate:
            parts.append(" (DUP!)")
        if r.corrupted:
            parts.append(" (BAD CHECKSUM!)")
        if r.different_address:
            parts.append(" (DIFFERENT ADDRESS!)")
        if r.data_error:
            index, expected, got, data = r.data_error
            parts.append("\nwrong data byte #%d should be 0x%x but was 0x%x"
                         % (index, expected, got))
            for i in range(16, len(data)):
                if i % 32 == 16:
                    parts.append("\n#%d\t" % i)
                parts.append("%x " % data[i])
        if r.audible:
            parts.append("\a")
        if r.ip_options:
            parts.append(r.ip_options)
        parts.append("\n")
        self._write("".join(parts))

    def _IcmpError(self, e: IcmpError):
        c = self.config
        if c.quiet:
            return
        if c.flood:
            self._write("\bE")
            return
        if e.from_socket:
            text = (f"{stamp_text(e.timestamp)}From {who(e.response_ip, e.response_name)}: "
                    f"icmp_seq={e.icmp_seq} " + ("(BAD CHECKSUM)" if e.bad_checksum else "")
                    + e.text + "\n")
        else:
            text = (f"{stamp_text(e.timestamp)}From {who(e.response_ip, e.response_name)} "
                    f"icmp_seq={e.icmp_seq} {e.text}\n")
        # a redirect read from the socket is printed without fflush(); error-queue lines are
        self._write(text, flush=not e.from_socket)

    def _NoAnswer(self, n: NoAnswer):
        self._write(f"{stamp_text(n.timestamp)}no answer yet for icmp_seq={n.icmp_seq}\n")

    def _LocalError(self, e: LocalError):
        if self.config.flood:
            self._write("E")
            return
        self.out.flush()
        self.err.write(f"{self.invocation.prog}: {e.message}\n")
        self.err.flush()

    def _Status(self, s: Status):
        text = f"\r{s.received}/{s.transmitted} packets, {s.loss_percent}% loss"
        if s.min_us is not None:
            text += (f", min/avg/ewma/max = {ms3(s.min_us)}/{ms3(s.avg_us)}/"
                     f"{ms3(s.ewma_x8 // 8)}/{ms3(s.max_us)} ms")
        self.raw_err.write(text + "\n")      # fprintf(stderr): stdout is not flushed
        self.raw_err.flush()

    def _Summary(self, s: Summary):
        self._write("\n")         # finish(): putchar('\n'); fflush(stdout); the rest at exit
        lines = [f"--- {s.hostname} ping statistics ---\n",
                 f"{s.transmitted} packets transmitted, {s.received} received"]
        if s.duplicates:
            lines.append(f", +{s.duplicates} duplicates")
        if s.corrupted:
            lines.append(f", +{s.corrupted} corrupted")
        if s.errors:
            lines.append(f", +{s.errors} errors")
        if s.time_ms is not None:
            lines.append(f", {s.loss_text}% packet loss, time {s.time_ms}ms")
        lines.append("\n")
        comma = ""
        if s.min_us is not None:
            lines.append(f"rtt min/avg/max/mdev = {ms3(s.min_us)}/{ms3(s.avg_us)}/"
                         f"{ms3(s.max_us)}/{ms3(s.mdev_us)} ms")
            comma = ", "
        if s.pipe is not None:
            lines.append(f"{comma}pipe {s.pipe}")
            comma = ", "
        if s.ipg_us is not None:
            lines.append(f"{comma}ipg/ewma {ms3(s.ipg_us)}/{ms3(s.ewma_x8 // 8)} ms")
        lines.append("\n")
        self._write("".join(lines))
