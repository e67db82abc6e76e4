"""Renderers shared by every command: JSON, and the registry type for plugin formats."""

import json
from dataclasses import dataclass, fields, is_dataclass

from .command import Renderer


@dataclass(frozen=True)
class OutputFormat:
    """An output format a plugin provides (see ``pynetsuite_output_formats``).

    factory: ``"module:callable"``; called as ``factory(invocation)`` it returns a Renderer.
    """

    name: str
    summary: str
    factory: str
    plugin: str = ""

    def create(self, invocation):
        module_name, _, attr = self.factory.partition(":")
        module = __import__(module_name, fromlist=[attr])
        return getattr(module, attr)(invocation)


def record_to_dict(record):
    """A record as plain JSON-able data: its own ``to_json()`` if it has one, else its
    dataclass fields (nested dataclasses, tuples and lists converted)."""
    to_json = getattr(record, "to_json", None)
    if to_json is not None:
        return to_json()
    if is_dataclass(record):
        return {f.name: _plain(getattr(record, f.name)) for f in fields(record)}
    return _plain(record)


def _plain(value):
    if is_dataclass(value):
        return record_to_dict(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    return value


class JsonRenderer(Renderer):
    """``--json``: one JSON document (an array of records), or for streaming commands one JSON
    object per line, flushed as it is produced."""

    def __init__(self, invocation):
        super().__init__(invocation)
        self.streaming = invocation.impl.streaming
        self.records = []

    def record(self, record):
        data = record_to_dict(record)
        if self.streaming:
            self.out.write(json.dumps(data) + "\n")
            self.out.flush()
        else:
            self.records.append(data)

    def close(self):
        if not self.streaming:
            self.out.write(json.dumps(self.records, indent=2) + "\n")
        self.out.flush()
