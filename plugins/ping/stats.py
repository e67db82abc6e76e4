"""ping's counters and statistics (gather_statistics(), finish(), status() and the sequence
bookkeeping of ping.h), as a mixin of the engine's Session. Integer microseconds throughout,
with iputils' rounding and truncation, so every printed number is the one iputils would print
for the same timestamps."""

import struct
import time

from .config import MAX_DUP_CHK
from .records import Reply, Status, Summary

TIMEVAL_SIZE = 16
INT_MAX = 2**31 - 1


class Statistics:
    def init_counters(self):
        self.ntransmitted = self.nreceived = self.nrepeats = 0
        self.nchecksum = self.nerrors = 0
        self.tmin = 2**63 - 1
        self.tmax = 0
        self.tsum = 0.0
        self.tsum2 = 0.0
        self.rtt = 0            # moving average of the RTT, times 8 (fixed point)
        self.rtt_addend = 0
        self.acked = 0
        self.pipesize = -1
        self.rcvd = bytearray(MAX_DUP_CHK)

    # --- bookkeeping (ping.h inline helpers) ---------------------------------------------------
    def in_flight(self):
        diff = (self.ntransmitted - self.acked) & 0xFFFF
        if diff <= 0x7FFF:
            return diff
        return self.ntransmitted - self.nreceived - self.nerrors

    def acknowledge(self, seq):
        diff = (self.ntransmitted - seq) & 0xFFFF
        if diff <= 0x7FFF:
            if diff + 1 > self.pipesize:
                self.pipesize = diff + 1
            delta = (seq - self.acked) & 0xFFFF       # (int16_t)(seq - acked) > 0
            if (delta and delta < 0x8000) or (self.ntransmitted & 0xFFFF) - self.acked > 0x7FFF:
                self.acked = seq

    def advance_ntransmitted(self):
        self.ntransmitted += 1
        # C: (uint16_t)ntransmitted - acked is an int subtraction (it can be negative)
        if (self.ntransmitted & 0xFFFF) - self.acked > 0x7FFF:
            self.acked = (self.ntransmitted + 1) & 0xFFFF

    # --- statistics -------------------------------------------------------------------------
    def gather_statistics(self, icmp, cc, seq, hops, csfailed, recv_ns, from_addr,
                          wrong_source, scope_id=0, options_text=None):
        """Account for one echo reply and emit its record (gather_statistics())."""
        self.nreceived += 1
        if not csfailed:
            self.acknowledge(seq)
        triptime = None
        if self.timing and cc >= 8 + TIMEVAL_SIZE:
            sent_sec, sent_usec = struct.unpack_from("=qq", icmp, 8)
            while True:
                recv_sec, recv_usec = recv_ns // 1_000_000_000, recv_ns // 1000 % 1_000_000
                triptime = (recv_sec - sent_sec) * 1_000_000 + (recv_usec - sent_usec)
                if triptime >= 0:
                    break
                self.warn(f"Warning: time of day goes back ({triptime}us), "
                          f"taking countermeasures")
                triptime = 0
                if self.latency:
                    break
                recv_ns = time.time_ns()
                self.latency = True
            if not csfailed:
                self.tsum += triptime
                self.tsum2 += float(triptime * triptime)
                if triptime < self.tmin:
                    self.tmin = triptime
                if triptime > self.tmax:
                    self.tmax = triptime
                if not self.rtt:
                    self.rtt = triptime * 8
                else:
                    self.rtt += triptime - self.rtt // 8
                if self.config.adaptive:
                    self.update_interval()
        dup = False
        if csfailed:
            self.nchecksum += 1
            self.nreceived -= 1
        elif self.rcvd[seq]:
            self.nrepeats += 1
            self.nreceived -= 1
            dup = True
        else:
            self.rcvd[seq] = 1
        self.confirm = self.confirm_flag

        c = self.config
        # pr_addr(from) is an argument of gather_statistics() in C: the lookup comes before
        # the -D stamp, and the options (their own lookups) after the reply's line
        address, name = self.name_of(from_addr, scope_id) if not c.quiet else (from_addr, None)
        stamp = self.timestamp() if not c.quiet and not c.flood else None
        data_error = None
        truncated = cc < self.datalen + 8
        if not c.quiet and not c.flood and not truncated:
            data_error = self.check_data(icmp)
        if callable(options_text):
            options_text = None if truncated else options_text()
        ident = None
        if c.verbose and self.ident != -1:
            ident = self.ident
        record = Reply(self.target_info, stamp, cc, address, name, seq, ident,
                       hops if hops >= 0 else None, triptime if self.timing else None,
                       duplicate=dup and (not self.multicast or c.verbose),
                       corrupted=bool(csfailed), different_address=wrong_source,
                       truncated=truncated, audible=c.audible, data_error=data_error,
                       ip_options=options_text)
        self.emit(record)

    def check_data(self, icmp):
        """Compare the echoed data with what we sent (after the timestamp area)."""
        expected = self.outpack
        got = icmp[8:8 + self.datalen]
        for i in range(TIMEVAL_SIZE, self.datalen):
            if got[i] != expected[i]:
                return (i, expected[i], got[i], bytes(got))
        return None

    def status(self):
        self.status_snapshot = False
        loss = 0
        if self.ntransmitted:
            loss = (self.ntransmitted - self.nreceived) * 100 // self.ntransmitted
        record = Status(self.target_info, self.ntransmitted, self.nreceived, loss,
                        None, None, None, None)
        if self.nreceived and self.timing:
            record.min_us = self.tmin
            record.avg_us = int(self.tsum / (self.nreceived + self.nrepeats))
            record.ewma_x8 = self.rtt
            record.max_us = self.tmax
        self.emit(record)

    def finish(self):
        """The statistics (finish()); returns the exit status."""
        c = self.config
        record = Summary(self.target_info, self.hostname, self.ntransmitted, self.nreceived,
                         self.nrepeats, self.nchecksum, self.nerrors, None, "", None,
                         flood=c.flood)
        cur = self.cur_time if self.cur_time is not None else 0
        elapsed_ns = cur - self.start_time
        if self.ntransmitted:
            loss = (self.ntransmitted - self.nreceived) * 100.0 / self.ntransmitted
            loss32 = struct.unpack("=f", struct.pack("=f", loss))[0]
            record.loss_text = "%g" % loss32
            record.loss_percent = float(record.loss_text)
            sec, nsec = divmod(elapsed_ns, 1_000_000_000)
            record.time_ms = 1000 * sec + (nsec + 500000) // 1000000
        if self.nreceived and self.timing:
            total = self.nreceived + self.nrepeats
            tmavg = int(self.tsum / total)
            if self.tsum < INT_MAX:
                tmvar = int((self.tsum2 - (self.tsum * self.tsum) / total) / total)
            else:
                tmvar = int((self.tsum2 / total) - (tmavg * tmavg))
            record.min_us, record.avg_us, record.max_us = self.tmin, tmavg, self.tmax
            record.mdev_us = _llsqrt(tmvar)
        if self.pipesize > 1:
            record.pipe = self.pipesize
        if self.nreceived and (not self.interval or c.flood or c.adaptive) \
                and self.ntransmitted > 1:
            sec, nsec = divmod(elapsed_ns, 1_000_000_000)
            record.ipg_us = int((1000000 * sec + nsec // 1000) / (self.ntransmitted - 1))
            record.ewma_x8 = self.rtt
        self.emit(record)
        return int(not self.nreceived or (self.deadline and self.nreceived < self.npackets))


def _llsqrt(value):
    """llsqrt() of ping_common.c: Newton's method, floor; non-positive input is returned."""
    if value <= 0:
        return value
    prev = 2**63 - 1
    x = value
    while x < prev:
        prev = x
        x = (x + value // x) // 2
    return x
