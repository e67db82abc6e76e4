"""The ping engine: sockets, the send/receive loop and the statistics, ported from iputils
20221126 (ping.c, ping_common.c) so counts, timings rules and exit codes match.

Flow: :func:`run_ping` opens the sockets (datagram first, raw as fallback), resolves the target
and hands each address to the IPv4 or IPv6 session (:mod:`.ipv4`, :mod:`.ipv6`) until one runs.
A session's :meth:`Session.run` prints the header, then loops: ``pinger`` sends what the token
bucket allows, ``poll`` waits for a reply, a signal (through a wakeup fd) or the next send;
replies become records. Round-trip times use the kernel's receive timestamp (SO_TIMESTAMPNS)
minus the send time written into the packet, as iputils does, so Python's scheduling latency on
the receive path does not count.
"""

import errno
import os
import select
import signal
import socket
import sys
import time

from pynetsuite.command import ToolExit
from pynetsuite.net import packets as P
from pynetsuite.net import privileges, resolve, timing

from .config import MAX_DUP_CHK
from .records import LocalError, NoAnswer, Target
from .stats import Statistics

MININTERVAL = 10            # ms, minimal inter-packet gap when flooding without replies
MINUSERINTERVAL = 2         # ms, minimal interval for a user
MIN_MULTICAST_USER_INTERVAL = 1000
INT_MAX = 2**31 - 1
MAX_SENDABLE = 65536        # data bytes: one more than any IPv4/IPv6 packet can carry
TIMEVAL_SIZE = timing.TIMEVAL_SIZE

SO_MARK = 36
SO_BINDTODEVICE = 25
MSG_CONFIRM = 0x800
FAMILY_NAMES = {socket.AF_UNSPEC: "AF_UNSPEC", socket.AF_INET: "AF_INET",
                socket.AF_INET6: "AF_INET6"}


def run_ping(inv, config):
    """Everything after option parsing (iputils main() from the -p fill on)."""
    from .ipv4 import V4Session
    from .ipv6 import V6Session

    target = inv.operands[-1]
    outpack_fill = fill_pattern(inv, config) if config.pattern is not None else None

    if config.ident == 0:
        if config.verbose:
            inv.warn("WARNING: ident 0 => forcing raw socket")
        config.socktype = socket.SOCK_RAW

    family = config.family
    sock4 = sock6 = None
    attempt4 = attempt6 = None
    if family != socket.AF_INET6:
        attempt4 = privileges.open_icmp_socket(socket.AF_INET, config.socktype)
        sock4 = attempt4.sock
        if sock4 is None:
            _socket_failed(inv, config, attempt4, requisite=family == socket.AF_INET)
    if family != socket.AF_INET:
        attempt6 = privileges.open_icmp_socket(socket.AF_INET6, config.socktype)
        sock6 = attempt6.sock
        if sock6 is None:
            _socket_failed(inv, config, attempt6, requisite=sock4 is None)
    # ping keeps its sockets until it exits: with stdout closed at start the first one is
    # fd 1, which close_stdout() then closes without error (see stdio.close_streams)
    config.open_sockets = (sock4, sock6)
    if family == socket.AF_UNSPEC:
        if sock4 is None:
            family = socket.AF_INET6
        elif sock6 is None:
            family = socket.AF_INET

    if config.verbose:
        def describe(sock, attempt):
            fd = sock.fileno() if sock else -1
            kind = attempt.socktype if attempt else 0
            return f"{fd} (socktype: {privileges.socktype_name(kind)})"
        inv.warn(f"sock4.fd: {describe(sock4, attempt4)}, sock6.fd: {describe(sock6, attempt6)},"
                 f" hints.ai_family: {FAMILY_NAMES[family]}\n")

    if config.tos:
        for sock, level, opt in ((sock4, socket.IPPROTO_IP, socket.IP_TOS),
                                 (sock6, socket.IPPROTO_IPV6, 67)):  # IPV6_TCLASS
            if sock is not None:
                try:
                    sock.setsockopt(level, opt, config.tos)
                except OSError as exc:
                    raise ToolExit(2, f"setsockopt: {exc.strerror}") from None

    if "%" not in target and attempt6 is not None and sock6 is not None and not attempt6.raw:
        try:
            raw = socket.inet_pton(socket.AF_INET6, target)
        except (OSError, ValueError):
            raw = None
        if raw and ((raw[0] == 0xFE and raw[1] & 0xC0 == 0x80)
                    or (raw[0] == 0xFF and raw[1] & 0x0F == 2)):
            inv.warn("Warning: IPv6 link-local address on ICMP datagram socket may require "
                     "ifname or scope-id => use: address%<ifname|scope-id>")

    try:
        results = resolve.getaddrinfo(target, socket.AF_UNSPEC, socket.SOCK_DGRAM,
                                      socket.IPPROTO_UDP,
                                      socket.AI_CANONNAME | resolve.idn_flags())
    except resolve.ResolveError as exc:
        raise ToolExit(2, f"{target}: {exc.text}") from None

    for index, ai in enumerate(results):
        last = index == len(results) - 1
        if config.verbose:
            inv.section("addrinfo", family=FAMILY_NAMES.get(ai.family, str(ai.family)),
                        canonname=ai.canonname)
        if family != socket.AF_UNSPEC and family != ai.family:
            if last:
                raise ToolExit(2, f"{target}: {resolve.gai_strerror(resolve.EAI_ADDRFAMILY)}")
            continue
        if ai.family == socket.AF_INET:
            session = V4Session(inv, config, sock4, attempt4, ai, last, outpack_fill)
        else:
            session = V6Session(inv, config, sock6, attempt6, ai, last, outpack_fill)
        code = session.run(inv.operands)
        if code >= 0:
            return code
    return 2


def _socket_failed(inv, config, attempt, requisite):
    if requisite or config.verbose:
        lines = privileges.socket_failure_messages(attempt, requisite)
        for line in lines:
            inv.warn(line)
    if requisite:
        raise ToolExit(2)


def fill_pattern(inv, config):
    """-p: iputils' fill(): hex digits only, up to 16 bytes read two digits at a time; the data
    area is the pattern repeated. Prints "PATTERN: 0x.." unless -q (applied after all options,
    so -q anywhere counts)."""
    text = config.pattern
    for index, char in enumerate(text):
        if char not in "0123456789abcdefABCDEF":
            raise ToolExit(2, f"patterns must be specified as hex digits: {text[index:]}")
    pattern = bytes(int(text[i:i + 2], 16) for i in range(0, min(len(text), 32), 2))
    if not config.quiet:
        inv.section("pattern", text="".join(f"{b:02x}" for b in pattern))
    return pattern


class _LookupCut(Exception):
    """Raised by the SIGINT/SIGALRM handler while a reverse lookup is being waited for."""


class _Signals:
    """SIGINT/SIGALRM set ``exiting``, SIGQUIT asks for a status line; a socketpair registered
    with signal.set_wakeup_fd makes poll() return as soon as one arrives."""

    def __init__(self, session):
        self.session = session
        self.reader, self.writer = socket.socketpair()
        self.reader.setblocking(False)
        self.writer.setblocking(False)
        signal.set_wakeup_fd(self.writer.fileno(), warn_on_full_buffer=False)
        signal.signal(signal.SIGINT, self._exit)
        signal.signal(signal.SIGALRM, self._exit)
        signal.signal(signal.SIGQUIT, self._status)

    def _exit(self, signo, frame):
        self.session.exiting = True
        if self.session.in_pr_addr:
            raise _LookupCut       # iputils longjmp()s out of pr_addr(): see Session._reverse

    def _status(self, signo, frame):
        self.session.status_snapshot = True

    def drain(self):
        try:
            while self.reader.recv(64):
                pass
        except OSError:
            pass


class Session(Statistics):
    """One run against one address. Subclasses: prepare(), header(), send_probe(),
    parse_reply(), receive_error_msg()."""

    family = None

    def __init__(self, inv, config, sock, attempt, ai, last, outpack_fill):
        self.inv = inv
        self.config = config
        self.sock = sock
        self.raw = attempt.raw if attempt else False
        self.ai = ai
        self.has_next_ai = not last
        self.outpack_fill = outpack_fill
        c = config
        self.numeric = c.numeric
        self.interval = c.interval
        self.npackets = c.npackets
        self.deadline = c.deadline
        self.preload = c.preload
        self.datalen = c.datalen
        self.ident = c.ident
        self.hostname = ""
        self.timing = False
        self.multicast = False
        self.init_counters()
        # scheduling
        self.cur_time = None
        self.start_time = 0
        self.tokens = 0
        self.waittime = 0
        self.alarm_at = None
        self.deadline_at = None
        self.exiting = False
        self.in_pr_addr = False
        self.signals = None
        self.status_snapshot = False
        self.confirm = 0
        self.confirm_flag = MSG_CONFIRM
        self.screen_width = INT_MAX
        self.latency = c.latency
        self.target_info = None
        self.outpack = b""

    # --- helpers shared by both families ------------------------------------------------------
    def warn(self, message):
        self.inv.warn(message)

    def die(self, message, code=2):
        raise ToolExit(code, message)

    def _setopt(self, level, opt, value, label):
        """setsockopt() that ends ping with "LABEL: error" when it fails."""
        try:
            self.sock.setsockopt(level, opt, value)
        except OSError as exc:
            self.die(f"{label}: {exc.strerror}")

    def limit_multicast(self, kind, pmtudisc_do):
        """A broadcast/multicast target (``kind``): iputils' limits for users (interval, no
        fragmentation) and path-MTU discovery "do" unless -M said otherwise."""
        c = self.config
        self.multicast = True
        if c.uid:
            if self.interval < MIN_MULTICAST_USER_INTERVAL:
                self.die(f"{kind} ping with too short interval: {self.interval}")
            if c.pmtudisc >= 0 and c.pmtudisc != pmtudisc_do:
                self.die(f"{kind} ping does not fragment")
        if c.pmtudisc < 0:
            c.pmtudisc = pmtudisc_do

    def bind_source(self, sockaddr, label):
        """bind() the socket to the source (-I address) and, for a datagram socket with -e, to
        the identifier as its port (``sockaddr`` with the port left out); "LABEL: error" ends
        ping when it fails."""
        set_ident = self.ident > 0 and not self.raw
        if self.config.strictsource or set_ident:
            port = self.ident if set_ident else 0
            try:
                self.sock.bind((sockaddr[0], port, *sockaddr[1:]))
            except OSError as exc:
                self.die(f"{label}: {exc.strerror}")

    def is_ours(self, ident):
        """A datagram socket gets only its own replies; a raw one sees every echo reply."""
        return not self.raw or ident == (self.ident & 0xFFFF)

    def usage(self):
        from .command import USAGE
        from .stdio import plain_stderr

        # usage() is a plain fprintf(stderr): a buffered PATTERN line comes out after it
        plain_stderr(self.inv.stderr).write(USAGE)
        raise ToolExit(2)

    def name_of(self, address, scope_id=0, force_numeric=False):
        """pr_addr(): (numeric text, name) where name is None in numeric mode, once exiting,
        or when the lookup failed. iputils 20221126 caches nothing: every call looks the
        name up again (one PTR query per reply, as strace shows), and a call after the
        final alarm or the -w deadline (SIGALRM sets ``exiting`` in C, whenever it comes)
        prints the bare address: `ping -A -c 2 NAME` shows its last reply numerically."""
        text = address
        if scope_id and self.family == socket.AF_INET6:
            try:
                text = socket.getnameinfo((address, 0, 0, scope_id), socket.NI_NUMERICHOST)[0]
            except OSError:
                pass
        if self.numeric or force_numeric:
            return text, None
        if not self.exiting and self.signals is not None:
            self._check_timers()
        name = None
        if not self.exiting:
            name = self._reverse(address, scope_id)
        return text, name

    def _reverse(self, address, scope_id):
        """getnameinfo() that Ctrl-C (and the -w deadline, the final wait) cuts short.

        iputils longjmp()s out of pr_addr() from its SIGINT/SIGALRM handler, so a hanging
        PTR lookup never delays the exit: the line gets the numeric address and the
        statistics follow at once. A Python handler cannot run while the main thread is
        inside getnameinfo(), so once the loop runs the lookup happens in a daemon thread
        while the main thread waits, interruptibly, for it or for a timer."""
        if self.signals is None:        # before setup(): Ctrl-C still kills, as in C
            return resolve.reverse_name(address, self.family, scope_id)
        import threading

        result = []
        done = threading.Event()

        def lookup():
            result.append(resolve.reverse_name(address, self.family, scope_id))
            done.set()

        threading.Thread(target=lookup, daemon=True).start()
        timeout = None
        ends = [at for at in (self.deadline_at, self.alarm_at) if at is not None]
        if ends:
            timeout = max(min(ends) - timing.monotonic_raw_ns(), 0) / 1e9
        try:
            self.in_pr_addr = True
            try:
                finished = done.wait(timeout)
            finally:
                self.in_pr_addr = False
        except _LookupCut:
            self.in_pr_addr = False
            return None
        if not finished:                # the deadline (SIGALRM in C) came first
            self.exiting = True
            return None
        return result[0]

    def read_error_queue(self, level, kind, mtu_format):
        """Read one message of the socket's error queue (both families' receive_error_msg).

        Returns -1 (nothing there, or a local error, which is reported here unless -q) or 0
        (not an error message for us), or ``(data, addr, err)`` for the caller's ICMP checks.
        ``mtu_format`` is how the family words EMSGSIZE's MTU (iputils differs per family).
        """
        try:
            data, ancdata, _flags, addr = self.sock.recvmsg(
                512, 512, socket.MSG_ERRQUEUE | socket.MSG_DONTWAIT)
        except OSError as exc:
            return -1 if exc.errno in (errno.EAGAIN, errno.EINTR) else 0
        err = None
        for cmsg_level, cmsg_kind, cdata in ancdata:
            if cmsg_level == level and cmsg_kind == kind:
                err = P.parse_extended_error(cdata)
        if err is None:
            return -1
        if err.origin == P.SO_EE_ORIGIN_LOCAL:
            if self.config.quiet:
                return -1
            if err.errno != errno.EMSGSIZE:
                message = f"local error: {os.strerror(err.errno)}"
            else:
                message = "local error: message too long, " + mtu_format.format(err.info)
            self.emit(LocalError(self.target_info, message))
            self.nerrors += 1
            return -1
        return data, addr, err

    def timestamp(self):
        if not self.config.ptimeofday:
            return None
        now = time.time_ns()
        return (now // 1_000_000_000, now // 1000 % 1_000_000)

    def emit(self, record):
        self.inv.emit(record)

    def set_bufs(self, alloc):
        """sock_setbufs(); sizes are C ints (they wrap for absurd -s/-l values, as in C)."""
        sock = self.sock
        alloc = c_int(alloc)
        sndbuf = self.config.sndbuf or alloc
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
        except OSError:
            pass
        rcvbuf = hold = c_int(alloc * self.preload)
        if hold < 65536:
            hold = 65536
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, hold)
            if sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) < rcvbuf:
                self.warn("WARNING: probably, rcvbuf is not enough to hold preload")
        except OSError:
            pass

    def set_mark(self, sock):
        mark = self.config.mark
        if mark is None:
            return
        try:
            # an unsigned int in C: marks above INT_MAX do not fit Python's int form
            sock.setsockopt(socket.SOL_SOCKET, SO_MARK, mark.to_bytes(4, sys.byteorder))
        except OSError as exc:
            self.warn(f"WARNING: failed to set mark: {mark}: {exc.strerror}")

    def interface_has_address(self, device, address):
        """getifaddrs() check behind "source address might be selected on device other than"."""
        import psutil

        for addr in psutil.net_if_addrs().get(device, ()):
            if addr.family == self.family and addr.address.split("%")[0] == address:
                return True
        return False

    # --- run ------------------------------------------------------------------------------------
    def run(self, operands):
        code = self.prepare(operands)
        if code is not None:
            return code
        self.timing = self.datalen >= TIMEVAL_SIZE
        # Nothing longer than an IP packet can be sent (sendto fails with EMSGSIZE, which ping
        # counts silently), so the buffer stops one byte past that whatever -s says.
        size = min(self.datalen, MAX_SENDABLE)
        if self.outpack_fill is not None:
            fill = self.outpack_fill or b"\0"
            data = (fill * (size // len(fill) + 1))[:size]
        else:
            data = (bytes(range(256)) * (size // 256 + 1))[:size]
        self.outpack = bytes(data)
        self.target_info = Target(self.hostname, self.ai.address, self.datalen,
                                  None if self.outpack_fill is None else self.outpack_fill.hex())
        self.header()
        self.setup()
        self.after_setup()
        try:
            return self.main_loop()
        finally:
            signal.signal(signal.SIGINT, signal.SIG_DFL)

    def after_setup(self):
        """Hook: -C connects the socket (IPv4)."""

    def setup(self):
        """Protocol independent setup and parameter checks (setup() in ping_common.c)."""
        c = self.config
        if c.flood and not c.opt_interval:
            self.interval = 0
        if c.uid and self.interval < MINUSERINTERVAL:
            self.die(f"cannot flood; minimal interval allowed for user is {MINUSERINTERVAL}ms")
        if self.interval >= INT_MAX // self.preload:
            self.die(f"illegal preload and/or interval: {self.interval}")
        sock = self.sock
        for flag, opt in ((c.so_debug, socket.SO_DEBUG), (c.so_dontroute, socket.SO_DONTROUTE)):
            if flag:
                try:
                    sock.setsockopt(socket.SOL_SOCKET, opt, 1)
                except OSError:
                    pass
        if not self.latency and not timing.enable_rx_timestamps(sock):
            self.warn("Warning: no SO_TIMESTAMP support, falling back to SIOCGSTAMP")
        self.set_mark(sock)
        sock.setblocking(False)
        if self.raw and self.ident == -1:
            self.ident = os.getpid() & 0xFFFF
        self.signals = _Signals(self)
        self.start_time = timing.monotonic_raw_ns()
        if self.deadline:
            self.deadline_at = self.start_time + self.deadline * 1_000_000_000
        if os.isatty(1):
            try:
                cols = os.get_terminal_size(1).columns
                if cols > 0:
                    self.screen_width = cols
            except OSError:
                pass

    # --- pinger ---------------------------------------------------------------------------------
    def pinger(self):
        """Send a probe if the token bucket allows; return ms until the next one is due."""
        if self.exiting or (self.npackets and self.ntransmitted >= self.npackets
                            and not self.deadline):
            return 1000
        now = timing.monotonic_raw_ns()
        if self.cur_time is None:
            self.cur_time = now
            self.tokens = self.interval * (self.preload - 1)
        else:
            ntokens = timing.ms_between(now, self.cur_time)
            if not self.interval:
                if ntokens < MININTERVAL and self.in_flight() >= self.preload:
                    return MININTERVAL - ntokens
            ntokens += self.tokens
            cap = self.interval * self.preload
            if cap < ntokens:
                ntokens = cap
            if ntokens < self.interval:
                return self.interval - ntokens
            self.cur_time = now
            self.tokens = ntokens - self.interval

        if self.config.outstanding and self.ntransmitted > 0 \
                and not self.rcvd[self.ntransmitted % MAX_DUP_CHK & 0xFFFF]:
            self.emit(NoAnswer(self.target_info, self.timestamp(),
                               self.ntransmitted % MAX_DUP_CHK))

        while True:
            seq = (self.ntransmitted + 1) & 0xFFFF
            self.rcvd[seq] = 0
            try:
                self.send_probe(seq)
            except OSError as exc:
                err = exc.errno
            else:
                self._oom = 0
                self.advance_ntransmitted()
                if self.config.flood and not self.config.quiet:
                    if ((self.preload < self.screen_width and self.pipesize < self.screen_width)
                            or self.in_flight() < self.screen_width):
                        self.inv.section("transmit", icmp_seq=seq)
                return self.interval - self.tokens
            if err in (errno.ENOBUFS, errno.ENOMEM):
                # device queue overflow: slow down, and give up after the linger time
                self.tokens = 0
                self.rtt_addend += self.rtt // 8 if self.rtt < 8 * 50000 else 50000
                if self.config.adaptive:
                    self.update_interval()
                nores = _schint(self.interval // 2)
                nores = min(nores, 500)
                self._oom = getattr(self, "_oom", 0) + 1
                if self._oom * nores < self.config.lingertime:
                    return nores
                shown = 0
                break
            if err == errno.EAGAIN:
                self.tokens += self.interval
                return MININTERVAL
            shown = self.receive_error_msg(err)
            if shown > 0:
                shown = 0       # an ICMP error explained it: report the send error too
                break
            if shown == 0:
                continue        # an error queued for somebody else: send again
            break               # nothing queued: count it as sent, silently
        # hard local error: pretend the packet went out
        self.advance_ntransmitted()
        if shown == 0 and not self.config.quiet:
            self.emit(LocalError(self.target_info, f"sendmsg: {os.strerror(err)}", seq))
        self.tokens = 0
        return _schint(self.interval)

    def update_interval(self):
        est = self.rtt // 8 if self.rtt else self.interval * 1000
        self.interval = (est + self.rtt_addend + 500) // 1000
        if self.config.uid and self.interval < MINUSERINTERVAL:
            self.interval = MINUSERINTERVAL

    def schedule_exit(self, next_ms):
        """__schedule_exit(): after the last probe, wait for replies, then stop."""
        if not (self.npackets and self.ntransmitted >= self.npackets and not self.deadline):
            return next_ms
        if self.waittime:
            return next_ms
        if self.nreceived:
            waittime = 2 * self.tmax
            if waittime < 1000 * self.interval:
                waittime = 1000 * self.interval
        else:
            waittime = self.config.lingertime * 1000
        self.waittime = waittime
        if next_ms < 0 or next_ms < waittime // 1000:
            next_ms = waittime // 1000
        self.alarm_at = timing.monotonic_raw_ns() + waittime * 1000 if waittime > 0 else None
        return next_ms

    # --- main loop ------------------------------------------------------------------------------
    def _check_timers(self):
        now = timing.monotonic_raw_ns()
        if self.deadline_at is not None and now >= self.deadline_at:
            self.exiting = True
        if self.alarm_at is not None and now >= self.alarm_at:
            self.exiting = True
        return now

    def main_loop(self):
        poller = select.poll()
        fd = self.sock.fileno()
        poller.register(fd, select.POLLIN | select.POLLERR)
        poller.register(self.signals.reader.fileno(), select.POLLIN)
        while True:
            self._check_timers()
            if self.exiting:
                break
            if self.npackets and self.nreceived + self.nerrors >= self.npackets:
                break
            if self.deadline and self.nerrors:
                break
            if self.status_snapshot:
                self.status()
            while True:
                next_ms = self.schedule_exit(self.pinger())
                if next_ms > 0:
                    break
            now = timing.monotonic_raw_ns()
            timeout_ns = next_ms * 1_000_000
            for at in (self.deadline_at, self.alarm_at):
                if at is not None:
                    timeout_ns = min(timeout_ns, max(at - now, 0))
            try:
                events = poller.poll(-(-timeout_ns // 1_000_000))
            except InterruptedError:
                continue
            recv_error = False
            readable = False
            for efd, mask in events:
                if efd == fd:
                    readable = True
                    recv_error = bool(mask & select.POLLERR)
                else:
                    self.signals.drain()
            if readable:
                self.receive_loop(recv_error)
        return self.finish()

    def receive_loop(self, recv_error):
        """Read what is queued (main_loop's inner loop): stop when nothing is in flight."""
        sock = self.sock
        while True:
            try:
                data, ancdata, _flags, addr = sock.recvmsg(self.packlen, timing.ANCILLARY_SPACE,
                                                           socket.MSG_DONTWAIT)
            except BlockingIOError:
                if not recv_error:
                    break
                recv_error = False
                self.receive_error_msg(0)
            except InterruptedError:
                break
            except OSError as exc:
                # an error is pending on the socket: read the error queue
                recv_error = False
                self.receive_error_msg(exc.errno)
            else:
                if self.latency:
                    recv_ns = None
                else:
                    recv_ns = timing.rx_timestamp_ns(ancdata)
                if recv_ns is None:
                    recv_ns = time.time_ns()
                self.parse_reply(data, ancdata, addr, recv_ns)
            if self.in_flight() == 0:
                break

def c_int(value):
    """``value`` as a 32-bit C int (two's complement wrap)."""
    return (value + 2**31) % 2**32 - 2**31


def _schint(ms):
    return MININTERVAL if ms <= MININTERVAL else ms
