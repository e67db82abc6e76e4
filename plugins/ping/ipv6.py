"""IPv6 specifics of ping (ping6_run, ping6_send_probe, ping6_parse_reply,
ping6_receive_error_msg of iputils' ping6_common.c)."""

import errno
import os
import socket
import struct
import time

from pynetsuite.net import packets as P

from . import icmptext
from .engine import MAX_SENDABLE, SO_BINDTODEVICE, Session
from .records import IcmpError

_SEQ = struct.Struct("!H")
_TIMEVAL = struct.Struct("=qq")
_time_ns = time.time_ns
SOL_RAW = 255
IPV6_CHECKSUM = 7
IPV6_UNICAST_HOPS = 16
IPV6_MULTICAST_HOPS = 18
IPV6_MULTICAST_LOOP = 19
IPV6_MTU_DISCOVER = 23
IPV6_RECVERR = 25
IPV6_RECVHOPLIMIT = 51
IPV6_HOPLIMIT = 52
IPV6_PKTINFO = 50
IPV6_FLOWLABEL_MGR = 32
IPV6_FLOWINFO_SEND = 33
ICMP6_FILTER = 1
IPV6_PMTUDISC_DO = 2
IPV6_PMTUDISC = {0: 0, 1: 1, 2: 2}   # IP_PMTUDISC_* and IPV6_PMTUDISC_* share values


class V6Session(Session):
    family = socket.AF_INET6

    def prepare(self, operands):
        c = self.config
        if len(operands) > 1:
            self.usage()
        if c.ni_query is not None:
            # iputils would send an ICMPv6 node information query instead of an echo request
            self.die("-N: IPv6 node information queries are not implemented in this ping")
        target = operands[0]
        sockaddr = self.ai.sockaddr
        self.whereto = sockaddr[0]
        self.scope_id = sockaddr[3] if len(sockaddr) > 3 else 0
        if ":" in target:
            self.numeric = True
        self.hostname = target
        self.whereto_raw = socket.inet_pton(socket.AF_INET6, self.whereto)
        sock = self.sock
        self.pktinfo = None

        source = c.source6
        if source is not None and socket.inet_pton(socket.AF_INET6, source) == bytes(16):
            source = None       # -I ::: unspecified, found by connect() like no -I at all
        source_scope = 0
        if source is None:
            probe = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            try:
                scope = self.scope_id
                if c.device is not None:
                    index = self._ifindex(c.device)
                    pktinfo = struct.pack("=16sI", b"\0" * 16, index)
                    if self._link_local(self.whereto_raw):
                        scope = index
                    try:
                        probe.setsockopt(socket.IPPROTO_IPV6, IPV6_PKTINFO, pktinfo)
                        sock.setsockopt(socket.IPPROTO_IPV6, IPV6_PKTINFO, pktinfo)
                    except OSError as exc:
                        self.die(f"setsockopt(IPV6_PKTINFO): {exc.strerror}")
                    dev = os.fsencode(c.device) + b"\0"
                    try:
                        probe.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, dev)
                        sock.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, dev)
                    except OSError as exc:
                        self.die(f"setsockopt(SO_BINDTODEVICE) {c.device}: {exc.strerror}")
                if c.tos:
                    try:
                        probe.setsockopt(socket.IPPROTO_IPV6, 67, c.tos)
                    except OSError as exc:
                        self.die(f"setsockopt(IPV6_TCLASS): {exc.strerror}")
                self.set_mark(probe)
                if self._link_local(self.whereto_raw):
                    # iputils leaves sin6_family unset for a link-local first hop, so its
                    # connect() is an AF_UNSPEC "disconnect" and the source stays "::"
                    source = "::"
                else:
                    try:
                        probe.connect((self.whereto, 1025, 0, scope))
                    except OSError as exc:
                        if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH) \
                                and self.has_next_ai:
                            return -1
                        self.die(f"connect: {exc.strerror}")
                    # getsockname() fills the scope of a link-local source (ping -I dev ::1):
                    # it is bound with it and printed as "from fe80::1%dev dev: "
                    sockname = probe.getsockname()
                    source = sockname[0].split("%")[0]
                    source_scope = sockname[3]
                if c.device is not None and \
                        not self.interface_has_address(c.device, source):
                    self.warn("Warning: source address might be selected on device other "
                              f"than: {c.device}")
            finally:
                probe.close()
        elif c.device is not None and \
                self._link_local(socket.inet_pton(socket.AF_INET6, source)):
            source_scope = self._ifindex(c.device)
        self.source = source
        self.source_scope = source_scope

        if c.device is not None:
            index = self._ifindex(c.device)
            self.pktinfo = [(socket.IPPROTO_IPV6, IPV6_PKTINFO,
                             struct.pack("=16sI", b"\0" * 16, index))]
            if c.strictsource:
                try:
                    sock.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE,
                                    os.fsencode(c.device) + b"\0")
                except OSError as exc:
                    self.die(f"SO_BINDTODEVICE {c.device}: {exc.strerror}")

        if self.whereto_raw[0] == 0xFF:
            self.limit_multicast("multicast", IPV6_PMTUDISC_DO)
        self.subnet_router_anycast = not any(self.whereto_raw[8:])

        if c.pmtudisc >= 0:
            self._setopt(socket.IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC[c.pmtudisc],
                         "IPV6_MTU_DISCOVER")

        self.bind_source((source, 0, source_scope), "bind icmp socket")

        self.packlen = min(self.datalen, MAX_SENDABLE) + 8 + 4096 + 40 + 8
        self._setopt(socket.IPPROTO_IPV6, IPV6_RECVERR, 1, "IPV6_RECVERR")
        hold = self.datalen + 8
        hold += ((hold + 511) // 512) * (40 + 16 + 64 + 160)
        self.set_bufs(hold)

        if self.raw:
            try:
                sock.setsockopt(SOL_RAW, IPV6_CHECKSUM, 2)
            except OSError as exc:
                self.warn(f"setsockopt(RAW_CHECKSUM) failed - try to continue: {exc.strerror}")
            words = [0xFFFFFFFF] * 8
            kind = P.ICMP6_ECHO_REPLY
            words[kind >> 5] &= ~(1 << (kind & 31)) & 0xFFFFFFFF
            self._setopt(socket.IPPROTO_ICMPV6, ICMP6_FILTER, struct.pack("=8I", *words),
                         "setsockopt(ICMP6_FILTER)")

        if c.noloop:
            self._setopt(socket.IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0,
                         "can't disable multicast loopback")
        if c.ttl is not None:
            self._setopt(socket.IPPROTO_IPV6, IPV6_MULTICAST_HOPS, c.ttl,
                         "can't set multicast hop limit")
            self._setopt(socket.IPPROTO_IPV6, IPV6_UNICAST_HOPS, c.ttl,
                         "can't set unicast hop limit")
        self._setopt(socket.IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "can't receive hop limit")

        self.flowinfo = 0
        if c.flowlabel is not None:
            label = struct.pack("!I", c.flowlabel & 0x000FFFFF)
            # struct in6_flowlabel_req: dst, label, action, share, flags, expires, linger, pad.
            # A bytearray, because for label 0 (-F 0, -F 0x) the kernel picks a random label
            # and writes it back into flr_label: that one goes out and into the header.
            request = bytearray(self.whereto_raw + label
                                + struct.pack("=BBHHHI", 0, 1, 1, 0, 0, 0))
            try:
                sock.setsockopt(socket.IPPROTO_IPV6, IPV6_FLOWLABEL_MGR, request)
            except OSError as exc:
                self.die(f"can't set flowlabel: {exc.strerror}")
            self.flowinfo = struct.unpack_from("!I", request, 16)[0]
            self._setopt(socket.IPPROTO_IPV6, IPV6_FLOWINFO_SEND, 1, "can't send flowinfo")
        self.dest = (self.whereto, 0, self.flowinfo, self.scope_id)
        return None

    @staticmethod
    def _link_local(raw):
        return (raw[0] == 0xFE and raw[1] & 0xC0 == 0x80) or (raw[0] == 0xFF and raw[1] & 0x0F == 2)

    def _ifindex(self, device):
        try:
            return socket.if_nametoindex(device)
        except OSError:
            self.die(f"unknown iface: {device}")

    def header(self):
        c = self.config
        address, name = self.name_of(self.whereto, self.scope_id)
        source = None
        if c.device is not None or c.strictsource:
            # a link-local -I source carries the device's scope: "from fe80::1%eth0 eth0: "
            source, _ = self.name_of(self.source, self.source_scope, force_numeric=True)
        self.inv.section("header", family=6, hostname=self.hostname, address=address,
                         ptr=name, flowlabel=self.flowinfo, source=source,
                         device=c.device or "", datalen=self.datalen)

    # --- send -----------------------------------------------------------------------------------
    def setup(self):
        super().setup()
        ident = self.ident & 0xFFFF if self.ident != -1 else 0
        self._buf = bytearray(struct.pack("!BBHHH", P.ICMP6_ECHO_REQUEST, 0, 0, ident, 0)
                              + self.outpack)

    def send_probe(self, seq):
        buf = self._buf
        _SEQ.pack_into(buf, 6, seq)
        if self.timing:
            sec, rem = divmod(_time_ns(), 1_000_000_000)
            _TIMEVAL.pack_into(buf, 8, sec, rem // 1000)
        if self.pktinfo is None:
            sent = self.sock.sendto(buf, self.confirm, self.dest)
        else:
            sent = self.sock.sendmsg([buf], self.pktinfo, self.confirm, self.dest)
        self.confirm = 0
        if sent != len(buf):
            raise OSError(errno.EMSGSIZE, os.strerror(errno.EMSGSIZE))

    # --- receive --------------------------------------------------------------------------------
    def parse_reply(self, data, ancdata, addr, recv_ns):
        hops = -1
        for level, kind, cdata in ancdata:
            if level == socket.IPPROTO_IPV6 and kind == IPV6_HOPLIMIT and len(cdata) >= 4:
                hops = struct.unpack("=i", cdata[:4])[0]
        cc = len(data)
        if cc < 8:
            if self.config.verbose:
                self.warn(f"packet too short: {cc} bytes")
            return
        kind, _code, _csum, ident, seq = struct.unpack_from("!BBHHH", data)
        from_addr = addr[0].split("%")[0]
        if kind == P.ICMP6_ECHO_REPLY:
            if not self.is_ours(ident):
                return
            wrong = (not self.multicast and not self.subnet_router_anycast
                     and socket.inet_pton(socket.AF_INET6, from_addr) != self.whereto_raw)
            self.gather_statistics(data, cc, seq, hops, False, recv_ns, from_addr, wrong,
                                   scope_id=addr[3] if len(addr) > 3 else 0)
            return
        quoted = P.quoted_echo_v6(data[8:])
        if quoted is not None and quoted.dst == self.whereto_raw \
                and quoted.next_header == P.ICMP6_ECHO_REQUEST and self.is_ours(quoted.ident):
            self.acknowledge(quoted.seq)

    def receive_error_msg(self, saved_errno):
        got = self.read_error_queue(socket.IPPROTO_IPV6, IPV6_RECVERR, "mtu: {}")
        if isinstance(got, int):
            return got
        data, addr, err = got
        c = self.config
        if err.origin != P.SO_EE_ORIGIN_ICMP6:
            return 0
        icmp = P.parse_icmp(data) if len(data) >= 8 else None
        target = addr[0].split("%")[0] if addr else None
        if icmp is None or (target and socket.inet_pton(socket.AF_INET6, target)
                            != self.whereto_raw) \
                or icmp.type != P.ICMP6_ECHO_REQUEST or not self.is_ours(icmp.ident):
            return 0
        self.nerrors += 1
        # -q silences the line, not the record (the text renderer drops it)
        if c.quiet:
            address, name = err.offender, None
        else:
            address, name = self.name_of(err.offender, err.offender_scope)
        self.emit(IcmpError(self.target_info, self.timestamp() if not c.flood else None, 6,
                            address, name, icmp.seq, err.type, err.code, err.info,
                            icmptext.icmp6_text(err.type, err.code, err.info)))
        return 1
