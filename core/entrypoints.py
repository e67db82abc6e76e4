"""Find third-party plugins (entry-point group ``pynetsuite``) without importlib.metadata.

importlib.metadata costs 25-40 ms to import (email, zipfile, csv, pathlib), more than a whole
command's start-up budget. Installed distributions keep their entry points in
``<name>.dist-info/entry_points.txt`` (or ``.egg-info``) on ``sys.path``; reading those files
directly costs about a millisecond. A ``sys.path`` entry that is not a directory (a zip) is left
to importlib.metadata, which is then imported only for that case.
"""

import os
import sys

GROUP = "pynetsuite"


class EntryPoint:
    __slots__ = ("name", "value", "dist")

    def __init__(self, name, value, dist):
        self.name, self.value, self.dist = name, value, dist

    def load(self):
        module_name, _, attr = self.value.partition(":")
        module_name = module_name.strip()
        __import__(module_name)
        module = sys.modules[module_name]
        for part in filter(None, attr.strip().split(".")):
            module = getattr(module, part)
        return module

    def __repr__(self):
        return f"EntryPoint({self.name!r}, {self.value!r}, dist={self.dist!r})"


def _parse(text, group):
    found, current = [], None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line[0] == "[":
            current = line[1:-1].strip()
            continue
        if current == group:
            name, sep, value = line.partition("=")
            if sep:
                found.append((name.strip(), value.split("[")[0].strip()))
    return found


def _dist_name(folder):
    base = folder.rsplit(".", 1)[0]
    return base.split("-", 1)[0].replace("_", "-").lower()


def scan(group=GROUP, path=None):
    """Entry points of ``group`` from every distribution on ``path`` (default ``sys.path``).

    A distribution found twice (two path entries) counts once, the first wins, as with
    importlib.metadata.
    """
    entries, seen, zipped = [], set(), False
    for folder in (sys.path if path is None else path):
        folder = folder or "."
        try:
            with os.scandir(folder) as it:
                names = [e.name for e in it if e.name.endswith((".dist-info", ".egg-info"))]
        except NotADirectoryError:
            zipped = True
            continue
        except OSError:
            continue
        for name in sorted(names):
            dist = _dist_name(name)
            if dist in seen:
                continue
            seen.add(dist)
            try:
                with open(os.path.join(folder, name, "entry_points.txt"), encoding="utf-8") as f:
                    text = f.read()
            except OSError:
                continue
            for ep_name, value in _parse(text, group):
                entries.append(EntryPoint(ep_name, value, dist))
    if zipped:
        entries.extend(_scan_zipped(group, seen))
    return entries


def _scan_zipped(group, seen):
    import importlib.metadata as md

    out = []
    for ep in md.entry_points(group=group):
        dist = (ep.dist.name if ep.dist else "").replace("_", "-").lower()
        if dist not in seen:
            out.append(EntryPoint(ep.name, ep.value, dist))
    return out
