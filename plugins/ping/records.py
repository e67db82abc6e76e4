"""The records ping produces. ``to_json()`` gives jc's ``ping -s`` (streaming) schema, with a
few additions documented in docs/json/ping.md; the other fields feed the text renderer."""

from dataclasses import dataclass
from typing import Optional

from . import icmptext


def _addr(ip, name):
    return {"response_ip": ip, "response_name": name}


@dataclass
class Target:
    """What every record repeats in JSON (jc does the same): the destination as typed and
    resolved, the data size and the -p pattern."""

    destination: str
    destination_ip: str
    sent_bytes: int
    pattern: Optional[str]

    def common(self, kind):
        return {"type": kind, "destination": self.destination,
                "destination_ip": self.destination_ip, "sent_bytes": self.sent_bytes,
                "pattern": self.pattern}


@dataclass
class Reply:
    """An echo reply (also a duplicate or a corrupted one)."""

    target: Target
    timestamp: Optional[tuple]      # (sec, usec) of gettimeofday when -D
    response_bytes: int
    response_ip: str
    response_name: Optional[str]    # PTR name when names are shown (may equal the address)
    icmp_seq: int
    ident: Optional[int]            # printed with -v
    ttl: Optional[int]
    rtt_us: Optional[int]           # None when the data is too short to carry a timestamp
    duplicate: bool = False
    corrupted: bool = False         # bad checksum
    different_address: bool = False
    truncated: bool = False
    audible: bool = False
    data_error: Optional[tuple] = None   # (index, expected, got, received data bytes)
    ip_options: Optional[str] = None    # the text pr_options() prints for -R/-T

    def to_json(self):
        data = self.target.common("reply")
        data.update({
            "timestamp": _ts(self.timestamp),
            "response_bytes": self.response_bytes,
            "icmp_seq": self.icmp_seq,
            "ttl": self.ttl,
            "time_ms": None if self.rtt_us is None else self.rtt_us / 1000,
            "duplicate": self.duplicate,
            "corrupted": self.corrupted,
            "different_address": self.different_address,
            "truncated": self.truncated,
        })
        data.update(_addr(self.response_ip, self.response_name))
        if self.ident is not None:
            data["ident"] = self.ident
        if self.ip_options:
            # -R / -T: the text lines pr_options() printed ("RR: 198.18.1.1", "TS: ...")
            lines = (" ".join(line.split()) for line in self.ip_options.split("\n"))
            data["ip_options"] = [line for line in lines if line]
        return data


@dataclass
class IcmpError:
    """An ICMP error about one of our probes (host unreachable, TTL exceeded, ...).
    ``quoted`` is False for the "From X: icmp_seq=N" form ping uses for redirects read from
    the socket (with a colon), True for the usual error-queue form."""

    target: Target
    timestamp: Optional[tuple]
    family: int                     # 4 or 6
    response_ip: str
    response_name: Optional[str]
    icmp_seq: int
    icmp_type: int
    icmp_code: int
    info: int
    text: str
    from_socket: bool = False
    bad_checksum: bool = False

    def to_json(self):
        data = self.target.common(icmptext.json_type(self.text))
        data.update({"timestamp": _ts(self.timestamp), "icmp_seq": self.icmp_seq,
                     "icmp_type": self.icmp_type, "icmp_code": self.icmp_code,
                     "error": self.text})
        data.update(_addr(self.response_ip, self.response_name))
        return data


@dataclass
class NoAnswer:
    """-O: the previous probe is still unanswered when the next one goes out."""

    target: Target
    timestamp: Optional[tuple]
    icmp_seq: int

    def to_json(self):
        data = self.target.common("timeout")
        data.update({"timestamp": _ts(self.timestamp), "icmp_seq": self.icmp_seq})
        return data


@dataclass
class LocalError:
    """A local error (sendmsg failed, "message too long"...): ping prints it to stderr as
    ``prog: message`` (an ``E`` in flood mode)."""

    target: Target
    message: str
    icmp_seq: Optional[int] = None

    def to_json(self):
        data = self.target.common("local_error")
        data.update({"error": self.message, "icmp_seq": self.icmp_seq})
        return data


@dataclass
class Status:
    """SIGQUIT: the one-line status ping prints to stderr while it keeps running."""

    target: Target
    transmitted: int
    received: int
    loss_percent: int
    min_us: Optional[int]
    avg_us: Optional[int]
    ewma_x8: Optional[int]
    max_us: Optional[int]

    def to_json(self):
        data = self.target.common("status")
        data.update({"packets_transmitted": self.transmitted,
                     "packets_received": self.received,
                     "packet_loss_percent": self.loss_percent,
                     "round_trip_ms_min": _ms(self.min_us), "round_trip_ms_avg": _ms(self.avg_us),
                     "round_trip_ms_ewma": None if self.ewma_x8 is None else self.ewma_x8 / 8000,
                     "round_trip_ms_max": _ms(self.max_us)})
        return data


@dataclass
class Summary:
    """The statistics at the end (also after Ctrl-C)."""

    target: Target
    hostname: str               # as ping prints it in "--- NAME ping statistics ---"
    transmitted: int
    received: int
    duplicates: int
    corrupted: int
    errors: int
    time_ms: Optional[int]      # None when nothing was sent
    loss_text: str              # "%g" of the loss, as printed
    loss_percent: Optional[float]
    min_us: Optional[int] = None
    avg_us: Optional[int] = None
    max_us: Optional[int] = None
    mdev_us: Optional[int] = None
    pipe: Optional[int] = None
    ipg_us: Optional[int] = None
    ewma_x8: Optional[int] = None
    flood: bool = False

    def to_json(self):
        data = self.target.common("summary")
        data.update({
            "packets_transmitted": self.transmitted,
            "packets_received": self.received,
            "packet_loss_percent": self.loss_percent,
            "duplicates": self.duplicates,
            "corrupted": self.corrupted,
            "errors": self.errors,
            "time_ms": self.time_ms,
            "round_trip_ms_min": _ms(self.min_us),
            "round_trip_ms_avg": _ms(self.avg_us),
            "round_trip_ms_max": _ms(self.max_us),
            "round_trip_ms_stddev": _ms(self.mdev_us),
            "pipe": self.pipe,
            "ipg_ms": _ms(self.ipg_us),
            "ewma_ms": None if self.ewma_x8 is None else (self.ewma_x8 // 8) / 1000,
        })
        return data


def _ms(us):
    return None if us is None else us / 1000


def _ts(stamp):
    if stamp is None:
        return None
    return stamp[0] + stamp[1] / 1e6
