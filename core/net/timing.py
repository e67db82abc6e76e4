"""Clocks and kernel timestamps.

Round-trip times must not include Python's own latency on the receive side, so sockets ask the
kernel to stamp each received packet (``SO_TIMESTAMPNS``: a ``struct timespec`` in the
ancillary data of ``recvmsg``); the send side stamps the packet immediately before ``sendto``,
as the C tools do. Schedules (intervals, deadlines) use ``CLOCK_MONOTONIC_RAW`` like iputils,
so a clock step never stretches or shortens a run.
"""

import socket
import struct
import time

SOL_SOCKET = socket.SOL_SOCKET
SO_TIMESTAMP = 29
SO_TIMESTAMPNS = 35
SCM_TIMESTAMPNS = SO_TIMESTAMPNS
SCM_TIMESTAMP = SO_TIMESTAMP

_TIMESPEC = struct.Struct("=qq")
_TIMEVAL = struct.Struct("=qq")

#: room for the timestamp and a few more control messages (TTL, hop limit, errors)
ANCILLARY_SPACE = 512


def enable_rx_timestamps(sock):
    """Ask for nanosecond receive timestamps; False if the kernel refuses."""
    try:
        sock.setsockopt(SOL_SOCKET, SO_TIMESTAMPNS, 1)
        return True
    except OSError:
        return False


def rx_timestamp_ns(ancdata):
    """The kernel receive time (CLOCK_REALTIME ns) in ``recvmsg`` ancillary data, or None."""
    for level, kind, data in ancdata:
        if level == SOL_SOCKET:
            if kind == SCM_TIMESTAMPNS and len(data) >= _TIMESPEC.size:
                sec, nsec = _TIMESPEC.unpack_from(data)
                return sec * 1_000_000_000 + nsec
            if kind == SCM_TIMESTAMP and len(data) >= _TIMEVAL.size:
                sec, usec = _TIMEVAL.unpack_from(data)
                return sec * 1_000_000_000 + usec * 1000
    return None


def realtime_ns():
    return time.time_ns()


def monotonic_raw_ns():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC_RAW)


def timeval_bytes(ns):
    """``struct timeval`` (native, 16 bytes on 64-bit Linux) for a CLOCK_REALTIME ns value."""
    return _TIMEVAL.pack(ns // 1_000_000_000, ns // 1000 % 1_000_000)


def timeval_from_bytes(raw):
    """(sec, usec) of a native ``struct timeval``."""
    return _TIMEVAL.unpack_from(raw)


TIMEVAL_SIZE = _TIMEVAL.size


def ms_between(later_ns, earlier_ns):
    """Whole milliseconds between two monotonic readings as C computes them from timespecs:
    ``(dsec) * 1000 + (dnsec) / 1000000`` with each part truncated toward zero."""
    dsec = later_ns // 1_000_000_000 - earlier_ns // 1_000_000_000
    dnsec = later_ns % 1_000_000_000 - earlier_ns % 1_000_000_000
    part = dnsec // 1_000_000 if dnsec >= 0 else -((-dnsec) // 1_000_000)
    return dsec * 1000 + part
