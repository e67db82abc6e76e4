"""Record-route and timestamp options of echo replies, printed as iputils' pr_options()."""

import socket
import struct

from pynetsuite.net import packets as P


class IPOptionPrinter:
    """Remembers the last route so an unchanged one prints as "(same route)"."""

    def __init__(self):
        self._old_rrlen = 0
        self._old_rr = b""

    def format(self, opts, name_of, flood):
        """The text pr_options() prints for the options of one reply (starts with a newline;
        the caller adds the final one)."""
        out = []
        total = len(opts)
        pos = 0

        def addr_text(raw):
            if raw == b"\0\0\0\0":
                return "\t0.0.0.0"
            a, n = name_of(socket.inet_ntoa(raw))
            return "\t" + (f"{n} ({a})" if n else a)

        while total > 0:
            kind = opts[pos]
            if kind == P.IPOPT_EOL:
                break
            if kind == P.IPOPT_NOP:
                total -= 1
                pos += 1
                out.append("\nNOP")
                continue
            if pos + 1 >= len(opts):
                break
            olen = opts[pos + 1]
            if olen < 2 or olen > total:
                break
            opt = opts[pos:pos + olen]
            if kind in (P.IPOPT_SSRR, P.IPOPT_LSRR):
                out.append("\n%cSRR: " % ("S" if kind == P.IPOPT_SSRR else "L"))
                j = opt[1]
                if j > P.IPOPT_MINOFF:
                    _address_lines(out, opt, 3, j - P.IPOPT_MINOFF, addr_text)
            elif kind == P.IPOPT_RR:
                j = opt[1]
                i = opt[2]
                if i > j:
                    i = j
                i -= P.IPOPT_MINOFF
                if i > 0:
                    snapshot = bytes(opt[2:2 + i])
                    if i == self._old_rrlen and snapshot == self._old_rr \
                            and not flood:
                        out.append("\t(same route)")
                    else:
                        self._old_rrlen = i
                        self._old_rr = snapshot
                        out.append("\nRR: ")
                        _address_lines(out, opt, 3, i, addr_text)
            elif kind == P.IPOPT_TS:
                j = opt[1]
                i = opt[2]
                if i > j:
                    i = j
                i -= 5
                if i > 0:
                    flags = opt[3]
                    out.append("\nTS: ")
                    cp = 4
                    stdtime = nonstdtime = 0
                    while True:
                        if (flags & 0xF) != P.IPOPT_TS_TSONLY:
                            out.append(addr_text(bytes(opt[cp:cp + 4]).ljust(4, b"\0")))
                            cp += 4
                            i -= 4
                            if i <= 0:
                                break
                        raw = bytes(opt[cp:cp + 4]).ljust(4, b"\0")
                        cp += 4
                        value = struct.unpack("!I", raw)[0]
                        if value & 0x80000000:
                            if nonstdtime == 0:
                                out.append("\t%d absolute not-standard" % (value & 0x7FFFFFFF))
                            else:
                                out.append("\t%d not-standard" % ((value & 0x7FFFFFFF)
                                                                  - nonstdtime))
                            nonstdtime = value & 0x7FFFFFFF
                        else:
                            if stdtime == 0:
                                out.append("\t%d absolute" % value)
                            else:
                                out.append("\t%d" % (value - stdtime))
                            stdtime = value
                        i -= 4
                        out.append("\n")
                        if i <= 0:
                            break
                    if flags >> 4:
                        out.append("Unrecorded hops: %d\n" % (flags >> 4))
            else:
                out.append("\nunknown option %x" % kind)
            total -= olen
            pos += olen
        return "".join(out)


def _address_lines(out, opt, cp, left, addr_text):
    """pr_options()' address loops (LSRR/SSRR, RR): one address per line from ``cp`` while
    ``left`` bytes remain, at least one (a do-while in C)."""
    while True:
        out.append(addr_text(bytes(opt[cp:cp + 4]).ljust(4, b"\0")))
        out.append("\n")
        cp += 4
        left -= 4
        if left <= 0:
            return
