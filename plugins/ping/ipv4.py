"""IPv4 specifics of ping (ping4_run, ping4_send_probe, ping4_parse_reply,
ping4_receive_error_msg, pr_options of iputils' ping.c)."""

import errno
import os
import socket
import struct
import sys
import time

from pynetsuite.net import packets as P
from pynetsuite.net import resolve, timing

from . import icmptext
from .engine import MAX_SENDABLE, SO_BINDTODEVICE, Session, c_int
from .ipopts import IPOptionPrinter
from .records import IcmpError
from .stdio import plain_stderr

SOL_RAW = 255
ICMP_FILTER = 1
IP_OPTIONS = 4
IP_RETOPTS = 7
IP_MTU_DISCOVER = 10
IP_RECVERR = 11
IP_RECVTTL = 12
IP_TTL_CMSG = 2
IP_MULTICAST_IF = 32
IP_MULTICAST_TTL = 33
IP_MULTICAST_LOOP = 34
IP_PMTUDISC_DO = 2
_SEQ = struct.Struct("!H")
_NATIVE16 = struct.Struct("=H")
_TIMEVAL = struct.Struct("=qq")
_time_ns = time.time_ns
MAXIPLEN = 60
MAXICMPLEN = 76
NROUTES = 9


def _filter_mask(*allowed):
    mask = 0
    for kind in allowed:
        mask |= 1 << kind
    return struct.pack("=I", ~mask & 0xFFFFFFFF)


class V4Session(Session):
    family = socket.AF_INET

    def prepare(self, operands):
        c = self.config
        argc = len(operands)
        self.route = []
        self.sourceroute = False
        if argc > 1:
            if c.rroute:
                self.usage()
            elif c.ts_type is not None:
                if c.ts_type != P.IPOPT_TS_PRESPEC or argc > 5:
                    self.usage()
            else:
                if argc > 10:
                    self.usage()
                self.sourceroute = True
        whereto = None
        for index, target in enumerate(operands):
            remaining = argc - index
            numeric = resolve.numeric_ipv4(target)
            if numeric is not None:
                whereto = numeric
                self.hostname = target
                if remaining == 1:
                    self.numeric = True
            else:
                if remaining > 1:
                    try:
                        result = resolve.getaddrinfo(target, socket.AF_INET, 0,
                                                     socket.IPPROTO_UDP,
                                                     socket.AI_CANONNAME | resolve.idn_flags())[0]
                    except resolve.ResolveError as exc:
                        self.die(f"{target}: {exc.text}")
                else:
                    result = self.ai
                whereto = result.address
                self.hostname = result.canonname
            if remaining > 1:
                self.route.append(whereto)
        self.whereto = whereto

        sock = self.sock
        source = c.source4
        if source is not None and socket.inet_aton(source) == bytes(4):
            source = None       # -I 0.0.0.0: INADDR_ANY, found by connect() like no -I at all
        if source is None:
            probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                if c.device is not None:
                    self.bind_to_device(probe)
                    self.bind_to_device(sock)
                if c.tos:
                    try:
                        probe.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, c.tos)
                    except OSError as exc:
                        self.warn(f"warning: QOS sockopts: {exc.strerror}")
                self.set_mark(probe)
                dst = self.route[0] if self.route else whereto
                try:
                    probe.connect((dst, 1025))
                except OSError as exc:
                    if exc.errno == errno.EACCES:
                        if not c.broadcast:
                            self.die("Do you want to ping broadcast? Then -b. If not, "
                                     "check your local firewall rules")
                        plain_stderr(self.inv.stderr).write(
                            "WARNING: pinging broadcast address\n")
                        try:
                            probe.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
                        except OSError as exc2:
                            self.die(f"cannot set broadcasting: {exc2.strerror}")
                        try:
                            probe.connect((dst, 1025))
                        except OSError as exc2:
                            self.die(f"connect: {exc2.strerror}")
                    elif exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH) \
                            and self.has_next_ai:
                        return -1
                    else:
                        self.die(f"connect: {exc.strerror}")
                source = probe.getsockname()[0]
                if c.device is not None and \
                        not self.interface_has_address(c.device, source):
                    self.warn("Warning: source address might be selected on device other "
                              f"than: {c.device}")
            finally:
                probe.close()
        elif c.device is not None:
            self.bind_to_device(sock)
        self.source = source

        if whereto == "0.0.0.0":
            self.whereto = whereto = source

        first = int(whereto.split(".")[0])
        if c.broadcast or 224 <= first <= 239:
            self.limit_multicast("broadcast", IP_PMTUDISC_DO)

        if c.pmtudisc >= 0:
            self._setopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, c.pmtudisc, "IP_MTU_DISCOVER")

        self.bind_source((source,), "bind")

        if self.raw:
            self._filter(P.ICMP_SOURCE_QUENCH, P.ICMP_DEST_UNREACH, P.ICMP_TIME_EXCEEDED,
                         P.ICMP_PARAMETERPROB, P.ICMP_REDIRECT, P.ICMP_ECHOREPLY)
        try:
            sock.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
        except OSError:
            self.warn("WARNING: your kernel is veeery old. No problems.")
        if not self.raw:
            for opt, name in ((IP_RECVTTL, "IP_RECVTTL"), (IP_RETOPTS, "IP_RETOPTS")):
                try:
                    sock.setsockopt(socket.IPPROTO_IP, opt, 1)
                except OSError as exc:
                    self.warn(f"WARNING: setsockopt({name}): {exc.strerror}")

        if c.rroute:
            self._setopt(socket.IPPROTO_IP, IP_OPTIONS, P.record_route_option(NROUTES),
                         "record route")
        if c.ts_type is not None:
            prespec = [socket.inet_aton(a) for a in self.route]
            option = bytearray(P.timestamp_option(c.ts_type, prespec))
            try:
                sock.setsockopt(socket.IPPROTO_IP, IP_OPTIONS, bytes(option))
            except OSError:
                option[3] = 2
                self._setopt(socket.IPPROTO_IP, IP_OPTIONS, bytes(option), "ts option")
        if self.sourceroute:
            # iputils 20221126 sets LSRR after dropping its capabilities, and the kernel
            # refuses it: source routing never worked in this version.
            self.die(f"record route: {os.strerror(errno.EPERM)}")

        self.optlen = 40 if (c.rroute or c.ts_type is not None or self.sourceroute) else 0
        hold = self.datalen + 8
        hold += ((hold + 511) // 512) * (self.optlen + 20 + 16 + 64 + 160)
        self.set_bufs(hold)

        if c.broadcast:
            self._setopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1, "cannot set broadcasting")
        if c.noloop:
            self._setopt(socket.IPPROTO_IP, IP_MULTICAST_LOOP, 0,
                         "cannot disable multicast loopback")
        if c.ttl is not None:
            self._setopt(socket.IPPROTO_IP, IP_MULTICAST_TTL, c.ttl,
                         "cannot set multicast time-to-live")
            self._setopt(socket.IPPROTO_IP, socket.IP_TTL, c.ttl,
                         "cannot set unicast time-to-live")
        self.packlen = min(self.datalen, MAX_SENDABLE) + MAXIPLEN + MAXICMPLEN
        self.ip_options = IPOptionPrinter()
        self.dest = (whereto, 0)
        self.whereto_raw = socket.inet_aton(whereto)
        return None

    def _filter(self, *allowed):
        try:
            self.sock.setsockopt(SOL_RAW, ICMP_FILTER, _filter_mask(*allowed))
        except OSError as exc:
            self.warn(f"WARNING: setsockopt(ICMP_FILTER): {exc.strerror}")

    def bind_to_device(self, sock):
        device = self.config.device
        try:
            sock.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE,
                           os.fsencode(device) + b"\0")
            return
        except OSError as exc:
            err = exc
        first = int(self.whereto.split(".")[0])
        if 224 <= first <= 239:
            try:
                index = socket.if_nametoindex(device)
            except OSError:
                self.die(f"unknown iface: {device}")
            try:
                sock.setsockopt(socket.IPPROTO_IP, IP_MULTICAST_IF,
                                struct.pack("=4s4si", b"\0" * 4, b"\0" * 4, index))
            except OSError as exc:
                self.die(f"IP_MULTICAST_IF: {exc.strerror}")
        else:
            self.die(f"SO_BINDTODEVICE {device}: {err.strerror}")

    def header(self):
        c = self.config
        self.inv.section("header", family=4, hostname=self.hostname, address=self.whereto,
                         source=self.source if (c.device is not None or c.strictsource)
                         else None,
                         device=c.device or "", datalen=self.datalen,
                         total=c_int(self.datalen + 8 + self.optlen + 20))

    def after_setup(self):
        if self.config.connect_sk:
            try:
                self.sock.connect(self.dest)
            except OSError as exc:
                self.die(f"connect failed: {exc.strerror}")

    # --- send -----------------------------------------------------------------------------------
    def setup(self):
        super().setup()
        # The packet lives in one buffer; per probe only the sequence, the timestamp and the
        # checksum change, and the checksum is updated arithmetically, so the time between
        # reading the clock and sendto() stays as short as Python allows.
        ident = self.ident & 0xFFFF if self.ident != -1 else 0
        self._buf = bytearray(struct.pack("!BBHHH", P.ICMP_ECHO, 0, 0, ident, 0) + self.outpack)
        data_start = 8 + timing.TIMEVAL_SIZE if self.timing else 8
        self._const_sum = (P.checksum_add(bytes(self._buf[:8]))
                           + P.checksum_add(bytes(self._buf[data_start:])))
        self._swap = sys.byteorder == "little"

    def send_probe(self, seq):
        buf = self._buf
        _SEQ.pack_into(buf, 6, seq)
        total = self._const_sum + ((((seq & 0xFF) << 8) | (seq >> 8)) if self._swap else seq)
        if self.timing:
            sec, rem = divmod(_time_ns(), 1_000_000_000)
            usec = rem // 1000
            _TIMEVAL.pack_into(buf, 8, sec, usec)
            total += ((sec & 0xFFFF) + (sec >> 16 & 0xFFFF) + (sec >> 32 & 0xFFFF)
                      + (sec >> 48 & 0xFFFF) + (usec & 0xFFFF) + (usec >> 16))
        if self.raw:
            total = (total >> 16) + (total & 0xFFFF)
            total += total >> 16
            _NATIVE16.pack_into(buf, 2, ~total & 0xFFFF)
        sent = self.sock.sendto(buf, self.dest)
        if sent != len(buf):
            raise OSError(errno.EMSGSIZE, os.strerror(errno.EMSGSIZE))

    # --- receive --------------------------------------------------------------------------------
    def parse_reply(self, data, ancdata, addr, recv_ns):
        from_addr = addr[0]
        options = b""
        if self.raw:
            ip = P.parse_ipv4_header(data)
            if ip is None or len(data) < ip.ihl + 8:
                if self.config.verbose:
                    a, n = self.name_of(from_addr)
                    self.warn(f"packet too short ({len(data)} bytes) from "
                              f"{n + ' (' + a + ')' if n else a}")
                return
            hlen = ip.ihl
            reply_ttl = ip.ttl
            options = ip.options
        else:
            hlen = 0
            reply_ttl = 0
            for level, kind, cdata in ancdata:
                if level != socket.IPPROTO_IP:
                    continue
                if kind == IP_TTL_CMSG and len(cdata) >= 4:
                    reply_ttl = struct.unpack("=i", cdata[:4])[0] & 0xFF
                elif kind == IP_RETOPTS:
                    options = cdata
        icmp = data[hlen:]
        cc = len(icmp)
        if cc < 8:
            return
        csfailed = P.checksum(icmp) != 0
        kind, code, _csum, ident, seq = struct.unpack_from("!BBHHH", icmp)
        if kind == P.ICMP_ECHOREPLY:
            if not self.is_ours(ident):
                return
            wrong = (not self.config.broadcast and not self.multicast
                     and from_addr != self.whereto)
            c = self.config
            opt_text = None
            if not c.quiet and not c.flood and options:
                # formatted after the reply's own address (pr_options() follows the
                # "64 bytes from NAME" printf): a slow PTR lookup of a hop cut short by the
                # final alarm or Ctrl-C must not cost the reply line its name
                opt_text = lambda: self.ip_options.format(options, self.name_of, c.flood)  # noqa: E731
            self.gather_statistics(icmp, cc, seq, reply_ttl, csfailed, recv_ns, from_addr,
                                   wrong, options_text=opt_text)
            return
        if kind in P.ICMP_QUOTING_TYPES:
            body = icmp[8:]
            if cc < 8 + 20 + 8:
                return
            quoted = P.quoted_echo_v4(body)
            if quoted is None or quoted.next_header != P.ICMP_ECHO \
                    or quoted.dst != self.whereto_raw or not self.is_ours(quoted.ident):
                return
            if kind not in (P.ICMP_REDIRECT, P.ICMP_SOURCE_QUENCH):
                self.acknowledge(quoted.seq)
                return
            if self.config.quiet or self.config.flood:
                return
            gateway = socket.inet_ntoa(icmp[4:8])
            gw_addr, gw_name = self.name_of(gateway)
            gw_text = f"{gw_name} ({gw_addr})" if gw_name else gw_addr
            address, name = self.name_of(from_addr)
            info = struct.unpack("!I", icmp[4:8])[0]
            self.emit(IcmpError(self.target_info, self.timestamp(), 4, address, name,
                                quoted.seq, kind, code, info,
                                icmptext.icmp4_text(kind, code, info, gw_text),
                                from_socket=True, bad_checksum=csfailed))
            return
        # anything else is blocked by the ICMP filter on raw sockets

    def receive_error_msg(self, saved_errno):
        """Read one message of the error queue. >0: an ICMP error about our probe (printed),
        <0: local errors only, 0: somebody else's error."""
        got = self.read_error_queue(socket.IPPROTO_IP, IP_RECVERR, "mtu={}")
        if isinstance(got, int):
            return got
        data, addr, err = got
        c = self.config
        if err.origin != P.SO_EE_ORIGIN_ICMP:
            return 0
        icmp = P.parse_icmp(data) if len(data) >= 8 else None
        if icmp is None or (addr and addr[0] != self.whereto) or icmp.type != P.ICMP_ECHO \
                or not self.is_ours(icmp.ident):
            return 0
        self.acknowledge(icmp.seq)
        if self.raw:
            self._filter(P.ICMP_SOURCE_QUENCH, P.ICMP_REDIRECT, P.ICMP_ECHOREPLY)
        self.nerrors += 1
        # -q silences the line, not the record (the text renderer drops it)
        if c.quiet:
            address, name = err.offender, None
        else:
            address, name = self.name_of(err.offender)
        self.emit(IcmpError(self.target_info, self.timestamp() if not c.flood else None, 4,
                            address, name, icmp.seq, err.type, err.code, err.info,
                            icmptext.icmp4_text(err.type, err.code, err.info,
                                                socket.inet_ntoa(struct.pack("!I", err.info)))))
        return 1
