"""Services several plugins share: name resolution, port names, sockets, packets, privileges.

:class:`Record` is the light base class of the records these services and the tools' engines
produce where start-up time matters (netstat -r/-i/-s): a dataclass costs ~1.5 ms to create at
import time, a ``__slots__`` class next to nothing. :class:`TupleRecord` is the lighter still
base for tables of tens of thousands of rows (sockets), where building an object per row costs.
"""


def atoi(text):
    """C ``atoi``/``sscanf("%d")`` on unsigned text: the leading decimal digits, 0 if none."""
    end = 0
    while end < len(text) and "0" <= text[end] <= "9":
        end += 1
    return int(text[:end]) if end else 0


class TupleRecord(tuple):
    """A row record as a tuple with named fields (subclasses set ``_fields`` and properties or
    ``__new__``): as cheap to build as a tuple, for tables of tens of thousands of rows."""

    __slots__ = ()
    _fields = ()

    def _asdict(self):
        return dict(zip(self._fields, self))

    def __repr__(self):
        inner = ", ".join(f"{k}={v!r}" for k, v in zip(self._fields, self))
        return f"{type(self).__name__}({inner})"


class Record:
    """A result record: named fields with defaults, equality, repr and ``to_json``.

    Subclasses list their fields in order as ``FIELDS = (("name", default), ...)``, where a
    default that is a type (``list``, ``dict``) is called for a fresh value, and set
    ``__slots__ = tuple(name for name, _ in FIELDS)``. Construct positionally (in field order)
    or by name. ``to_json()`` gives the fields in order (the JSON renderer uses it).
    """

    __slots__ = ()
    FIELDS = ()

    def __init__(self, *args, **kwargs):
        fields = self.FIELDS
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__}: too many values")
        for (name, _), value in zip(fields, args):
            setattr(self, name, value)
        for name, default in fields[len(args):]:
            if name in kwargs:
                value = kwargs.pop(name)
            else:
                value = default() if isinstance(default, type) else default
            setattr(self, name, value)
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unknown fields {sorted(kwargs)}")

    def fields(self):
        return {name: getattr(self, name) for name, _ in self.FIELDS}

    def to_json(self):
        data = self.fields()
        for name, value in data.items():
            if isinstance(value, list):
                data[name] = [dict(v) if isinstance(v, dict) else v for v in value]
            elif isinstance(value, Record):
                data[name] = value.to_json()
        return data

    def __eq__(self, other):
        return type(self) is type(other) and self.fields() == other.fields()

    def __repr__(self):
        body = ", ".join(f"{k}={v!r}" for k, v in self.fields().items())
        return f"{type(self).__name__}({body})"
