"""Reverse lookups as the C tools print them: the resolver's bytes, whatever they are.

netstat copies ``h_name`` (IPv4, gethostbyaddr) or getnameinfo's host (IPv6) into a C buffer
and pads it with printf, which counts bytes. Python decodes those names as UTF-8 (and fails
on other bytes), so the names here are returned as text holding one character per byte
(ASCII with surrogate escapes): widths and cuts then count bytes as in C, and the output
stream (errors=surrogateescape) writes the original bytes back.
"""

try:
    import _socket as socket  # the C module: socket.py's enums cost milliseconds (-r, -g)
except ImportError:  # pragma: no cover - other interpreters
    import socket


def _bytes_text(name):
    return name.encode("utf-8", "surrogateescape").decode("ascii", "surrogateescape")


def _undecodable(exc):
    return exc.object.decode("ascii", "surrogateescape") if isinstance(exc.object, bytes) else None


def _nameinfo(address, flags):
    """getnameinfo's host for ``address`` (numeric text): (name or None, error)."""
    sockaddr = (address, 0, 0, 0) if ":" in address else (address, 0)
    try:
        return _bytes_text(socket.getnameinfo(sockaddr, flags | socket.NI_NUMERICSERV)[0])
    except UnicodeDecodeError as exc:  # the host is the only text decoded (NI_NUMERICSERV)
        return _undecodable(exc)
    except (OSError, UnicodeError):
        return None


def gethostbyaddr(address):
    """h_name of gethostbyaddr(``address``), an IPv4 dotted quad, or None."""
    try:
        return _bytes_text(socket.gethostbyaddr(address)[0])
    except UnicodeDecodeError:
        # Python decodes the aliases before h_name: ask getnameinfo, which gives h_name alone
        return _nameinfo(address, socket.NI_NAMEREQD)
    except (OSError, UnicodeError):
        return None


def getnameinfo(address):
    """getnameinfo(``address``) without NI_NAMEREQD (numeric text when no name), or None when
    the lookup itself fails."""
    return _nameinfo(address, 0)


def json_text(text):
    """A name as JSON wants it: the bytes read as UTF-8 (replacement characters if invalid)."""
    if not isinstance(text, str) or text.isascii():
        return text
    return text.encode("ascii", "surrogateescape").decode("utf-8", "replace")
