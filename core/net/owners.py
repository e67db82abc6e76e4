"""Socket owners: which process holds which socket inode, by one walk of /proc/*/fd.

Only run when a tool asks for owners (netstat -p, ss -p, lsof). One pass over /proc in readdir
order, one readlink per descriptor (relative to an open /proc/PID/fd directory, which saves
the kernel a path walk per descriptor); processes that exit or deny access in the middle of the
walk are skipped without error, and whether any /proc/PID/fd directory could not be opened
(EACCES) is reported, because netstat prints a warning about it.

psutil is not used here: ``psutil.net_connections()`` pays this walk on every call plus its own
per-socket objects (840 ms for 50,000 sockets in shared/reference/python-notes.md, against
about 300 ms for this walk here), and gives no inode, which is the key netstat joins on.
"""

import os

_O_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC


class Owners:
    """Result of a walk.

    by_inode: socket inode -> owner value (see :func:`walk`); denied: some /proc/PID/fd could
    not be opened for lack of permission; found: at least one socket descriptor was seen.
    """

    __slots__ = ("by_inode", "denied", "found", "proc_unreadable")

    def __init__(self):
        self.by_inode = {}
        self.denied = False
        self.found = False
        self.proc_unreadable = False

    def get(self, inode, default=None):
        return self.by_inode.get(inode, default)


def _socket_inode(link):
    """The inode of a /proc/PID/fd link target "socket:[12345]" (or the old "[0000]:12345"),
    else None."""
    if link.startswith("socket:[") and link.endswith("]"):
        try:
            return int(link[8:-1])
        except ValueError:
            return None
    if link.startswith("[0000]:"):
        try:
            return int(link[7:])
        except ValueError:
            return None
    return None


def netstat_name(pid):
    """netstat's program name for ``pid``: argv[0] from /proc/PID/cmdline (its first 511
    bytes), after the last '/' when it starts with '/'; None when cmdline cannot be read.
    Returned as text with undecodable bytes kept as surrogate escapes."""
    try:
        fd = os.open(f"/proc/{pid}/cmdline", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        data = os.read(fd, 511)
    except OSError:
        return None
    finally:
        os.close(fd)
    argv0 = data.split(b"\0", 1)[0]
    if argv0[:1] == b"/":
        argv0 = argv0.rsplit(b"/", 1)[1]
    return argv0


def walk(owner=None, first_only=True):
    """Walk /proc/*/fd once.

    owner(pid) -> value | None is called once per process that holds at least one socket; the
    value is stored for each of its socket inodes (None: the process is skipped, as netstat
    skips a process whose cmdline cannot be read). Default value: the pid (int).
    first_only: keep the first process found for an inode (netstat); otherwise
    by_inode[inode] is a list of (value, fd) for every holder (lsof, ss).
    """
    result = Owners()
    by_inode = result.by_inode
    readlink = os.readlink
    try:
        pids = os.listdir("/proc")
    except OSError:
        result.proc_unreadable = True
        return result
    for pid in pids:
        if not pid.isdigit():
            continue
        try:
            dfd = os.open("/proc/" + pid + "/fd", _O_DIR)
        except PermissionError:
            result.denied = True
            continue
        except OSError:  # gone, or not a process any more
            continue
        try:
            try:
                names = os.listdir(dfd)
            except OSError:
                continue
            value = missing = object()
            for name in names:
                if not name[:1].isdigit():
                    continue
                try:
                    link = readlink(name, dir_fd=dfd)
                except OSError:
                    continue
                if link[:8] == "socket:[" and link[-1:] == "]":
                    try:
                        inode = int(link[8:-1])
                    except ValueError:
                        continue
                else:
                    inode = _socket_inode(link)
                    if inode is None:
                        continue
                if value is missing:
                    value = int(pid) if owner is None else owner(pid)
                if value is None:
                    value = missing  # try again at the next socket, as netstat does
                    continue
                result.found = True
                if first_only:
                    if inode not in by_inode:
                        by_inode[inode] = value
                else:
                    by_inode.setdefault(inode, []).append((value, int(name)))
        finally:
            os.close(dfd)
    return result
