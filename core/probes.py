"""Service probes: what ``pynetsuite_service_probes`` returns to teach the scanner a service."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceProbe:
    """One way to recognise a service on an open port.

    name: the service name shown in the SERVICE column (``"http"``). protocol: ``"tcp"`` or
    ``"udp"``. ports: ports where this probe is tried first. payload: bytes sent after the
    connection opens (empty: just read what the server says first). match: a regular
    expression (bytes) searched in the reply; named groups ``product`` and ``version`` fill the
    VERSION column.
    """

    name: str
    protocol: str
    ports: tuple
    payload: bytes
    match: bytes
