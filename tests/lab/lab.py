"""The network-namespace lab: namespaces, veth links, routes, iptables switches, services, DNS.

Everything here shells out to ``ip``, ``sysctl``, ``iptables-restore`` and friends: the lab must
behave like a real network, so it is built with the real tools. Every resource is registered for
removal the moment it exists, so a build that fails half way, a failing test, Ctrl-C or SIGTERM
all leave nothing behind (namespaces, /etc/netns/<ns> dirs, processes, temp dirs). A process
killed with SIGKILL cannot clean up: its leftovers are reaped by the next session (see
``reap_stale``), which recognises them by the registry file /run/pynetsuite-lab/<tag>.
"""

from __future__ import annotations

import atexit
import ipaddress
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import weakref

HERE = os.path.dirname(os.path.abspath(__file__))
REGISTRY = "/run/pynetsuite-lab"
PREFIX = "pnl"  # every namespace this module creates is named pnl<tag>-<role>
TAG = secrets.token_hex(3)  # one per test session (per process)

UNPRIV = [
    "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
    "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search", "--",
]

ROLES = ("client", "r1", "r2", "r3", "target")
ROUTERS = ("r1", "r2", "r3")

# (left role, right role, link number N, left host part, right host part): 198.18.N.x, 2001:db8:N::x
LINKS = (
    ("client", "r1", 1, 1, 254),
    ("r1", "r2", 2, 254, 253),
    ("r2", "r3", 3, 254, 253),
    ("r3", "target", 4, 254, 1),
)

ADDR = {
    "client4": "198.18.1.1", "client6": "2001:db8:1::1",
    "r1_4": "198.18.1.254", "r1_6": "2001:db8:1::fe",
    "r1_far4": "198.18.2.254", "r1_far6": "2001:db8:2::fe",
    "r2_4": "198.18.2.253", "r2_6": "2001:db8:2::fd",
    "r2_far4": "198.18.3.254", "r2_far6": "2001:db8:3::fe",
    "r3_4": "198.18.3.253", "r3_6": "2001:db8:3::fd",
    "r3_far4": "198.18.4.254", "r3_far6": "2001:db8:4::fe",
    "target4": "198.18.4.1", "target6": "2001:db8:4::1",
    "multi2_4": "198.18.4.2", "multi2_6": "2001:db8:4::2",
    "resolver4": "198.18.4.1", "resolver6": "2001:db8:4::1",
    "rootns4": "198.18.4.11", "rootns6": "2001:db8:4::11",
    "tldns4": "198.18.4.12", "tldns6": "2001:db8:4::12",
    "labns4": "198.18.4.13", "labns6": "2001:db8:4::13",
    "dead4": "198.18.9.1", "dead6": "2001:db8:9::1",
    "hostunreach4": "198.18.10.1", "hostunreach6": "2001:db8:10::1",
    "prohibited4": "198.18.11.1", "prohibited6": "2001:db8:11::1",
    "netunreach4": "198.18.12.1", "netunreach6": "2001:db8:12::1",
}


def addr_pair(prefix):
    """(v4, v6) of an ADDR key prefix: "client", "r1", "r1_far", "multi2", "dead", ..."""
    sep = "" if f"{prefix}4" in ADDR else "_"
    return ADDR[f"{prefix}{sep}4"], ADDR[f"{prefix}{sep}6"]


# extra addresses on the target's link (all /24, /64): second "multi" address and the DNS servers
TARGET_EXTRA = ("multi2", "rootns", "tldns", "labns")

NAMES = {
    "client": "client.lab.test",
    "r1": "router1.lab.test",
    "r2": "router2.lab.test",
    "r3": "router3.lab.test",
    "target": "target.lab.test",
    "www": "www.lab.test",
    "multi": "multi.lab.test",
    "v4only": "v4only.lab.test",
    "v6only": "v6only.lab.test",
    "zone": "lab.test",
    "mail": "mail.lab.test",
    "dead": "dead.lab.test",
    "hostunreach": "hostunreach.lab.test",
    "prohibited": "prohibited.lab.test",
    "netunreach": "netunreach.lab.test",
    "nxdomain": "nosuchname.lab.test",
    "rootns": "a.root-servers.test",
    "tldns": "ns.test",
    "labns": "ns1.lab.test",
}

PORTS = {"http": 80, "ssh": 22, "dns": 53, "echo": 5000, "dropped": 8080, "rejected": 8081}
SSH_BANNER = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3"

# set in every namespace the lab creates (DESIGN.md: ICMP rate limits make runs random)
COMMON_SYSCTLS = {
    "net.ipv4.icmp_ratelimit": "0",
    "net.ipv6.icmp.ratelimit": "0",
    "net.ipv4.icmp_msgs_per_sec": "1000000",
    "net.ipv4.icmp_msgs_burst": "1000000",
    "net.ipv6.conf.all.accept_dad": "0",
    "net.ipv6.conf.default.accept_dad": "0",
    "net.ipv6.conf.default.router_solicitations": "0",
    "net.ipv6.conf.default.accept_ra": "0",
}
ROUTER_SYSCTLS = {"net.ipv4.ip_forward": "1", "net.ipv6.conf.all.forwarding": "1"}

HOSTS_FILE = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"


class LabError(RuntimeError):
    pass


def sh(argv, *, input=None, timeout=20, check=True):
    """Run a setup command; on failure raise with its stderr (setup errors must be readable)."""
    proc = subprocess.run(argv, input=input, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise LabError(f"{' '.join(argv)} -> rc={proc.returncode}\n{proc.stderr.strip()}")
    return proc


def _run_parallel(commands, timeout=20):
    """Run independent setup commands at once: [(argv, stdin_text_or_None)]."""
    procs = []
    for argv, data in commands:
        procs.append((argv, data, subprocess.Popen(
            argv, stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
    errors = []
    for argv, data, proc in procs:
        try:
            _out, err = proc.communicate(data, timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            _out, err = proc.communicate()
            err = f"timed out\n{err}"
        if proc.returncode != 0:
            errors.append(f"{' '.join(argv)} -> rc={proc.returncode}\n{err.strip()}")
    if errors:
        raise LabError("\n".join(errors))


def _proc_start_time(pid):
    """The start time of a live process (None when gone or a zombie): identifies it safely."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


# --------------------------------------------------------------------------------------------
# registry: lets a later session remove what a SIGKILLed session left behind

def _registry_file(tag):
    return os.path.join(REGISTRY, tag)


def _register_session():
    os.makedirs(REGISTRY, exist_ok=True)
    path = _registry_file(TAG)
    if not os.path.exists(path):
        with open(path, "w") as f:
            f.write(f"{os.getpid()} {_proc_start_time(os.getpid())}\n")


def _unregister_session():
    if not any(n.startswith(f"{PREFIX}{TAG}-") for n in list_netns()):
        try:
            os.unlink(_registry_file(TAG))
        except FileNotFoundError:
            pass


def list_netns():
    proc = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
    return [line.split()[0] for line in proc.stdout.splitlines() if line.strip()]


def _session_alive(tag):
    try:
        with open(_registry_file(tag)) as f:
            pid, start = f.read().split()
        return _proc_start_time(int(pid)) == start
    except (OSError, ValueError):
        return False


def leaked_netns():
    """Lab namespaces whose session process is gone (what reap_stale would remove)."""
    return [name for name in list_netns()
            if _tag_of(name) not in (None, TAG) and not _session_alive(_tag_of(name))]


def _tag_of(entry):
    """The session tag in a name made by this module (pnl<tag>-...), or None."""
    if entry.startswith(PREFIX) and "-" in entry:
        return entry[len(PREFIX):].split("-", 1)[0]
    return None


def reap_stale():
    """Remove what lab sessions whose process is gone left behind: namespaces (and the
    processes in them), /etc/netns/<ns> dirs, temp dirs, registry files. Live sessions'
    things are never touched (each session registers itself before creating anything)."""
    def stale(entry):
        tag = _tag_of(entry)
        return tag is not None and tag != TAG and not _session_alive(tag)

    reaped = [name for name in list_netns() if stale(name)]
    for name in reaped:
        _destroy_netns(name)
    for parent in ("/etc/netns", tempfile.gettempdir()):
        try:
            entries = os.listdir(parent)
        except FileNotFoundError:
            continue
        for entry in entries:
            if stale(entry):
                shutil.rmtree(os.path.join(parent, entry), ignore_errors=True)
    try:
        tags = os.listdir(REGISTRY)
    except FileNotFoundError:
        tags = []
    for tag in tags:
        if tag != TAG and not _session_alive(tag):
            try:
                os.unlink(_registry_file(tag))
            except FileNotFoundError:
                pass
    return reaped


def _kill_netns_processes(name, deadline=3.0):
    """SIGTERM then SIGKILL every process still living in namespace ``name`` (all ours)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        proc = subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True)
        pids = [int(p) for p in proc.stdout.split() if p.isdigit() and int(p) != os.getpid()]
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            _reap_children()
            if not any(_proc_start_time(p) for p in pids):
                break
            time.sleep(0.02)


_CHILDREN = weakref.WeakSet()  # Popen objects of programs started in lab namespaces


def _reap_children():
    """Collect our exited children so they do not linger as zombies."""
    for proc in list(_CHILDREN):
        if proc.poll() is not None:
            _CHILDREN.discard(proc)


def _destroy_netns(name):
    _kill_netns_processes(name)
    _reap_children()
    subprocess.run(["ip", "netns", "delete", name], capture_output=True)
    shutil.rmtree(os.path.join("/etc/netns", name), ignore_errors=True)


# --------------------------------------------------------------------------------------------
# cleanup: a LIFO of undo actions, run by the fixtures, atexit, and on SIGTERM

class Cleanup:
    def __init__(self):
        self._actions = []

    def push(self, func, *args):
        self._actions.append((func, args))

    def run(self):
        errors = []
        while self._actions:
            func, args = self._actions.pop()
            try:
                func(*args)
            except Exception as exc:  # keep going: the rest must still be removed
                errors.append(f"{getattr(func, '__name__', func)}{args}: {exc!r}")
        return errors


_LIVE = []  # objects with .close(), closed atexit if the fixtures did not get to it


def _close_all():
    while _LIVE:
        try:
            _LIVE.pop().close()
        except Exception:
            pass
    remove_clone_bin()
    try:
        _unregister_session()
    except Exception:
        pass


atexit.register(_close_all)


def install_sigterm_handler():
    """SIGTERM (CI cancelling a job) becomes KeyboardInterrupt, so pytest runs the teardown."""
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        try:
            signal.signal(signal.SIGTERM, _on_sigterm)
        except ValueError:  # not the main thread
            pass


def _on_sigterm(signum, frame):
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    raise KeyboardInterrupt("SIGTERM")


# --------------------------------------------------------------------------------------------
# clone_bin: `pynetsuite --install DIR`, once per session

_CLONE_BIN = None


def pynetsuite_program():
    return os.path.join(os.path.dirname(sys.executable), "pynetsuite")


def clone_bin():
    """The directory of links named like the originals (ping, ...), created on first use."""
    global _CLONE_BIN
    if _CLONE_BIN is None:
        program = pynetsuite_program()
        if not os.path.exists(program):
            raise LabError(f"{program} not found: install the project in the venv running pytest")
        _register_session()
        path = tempfile.mkdtemp(prefix=f"{PREFIX}{TAG}-bin-")
        os.chmod(path, 0o755)
        proc = subprocess.run([program, "--install", path], capture_output=True, text=True, timeout=60)
        if proc.returncode != 0:
            shutil.rmtree(path, ignore_errors=True)
            raise LabError(f"pynetsuite --install failed rc={proc.returncode}: {proc.stderr.strip()}")
        _CLONE_BIN = path
    return _CLONE_BIN


def remove_clone_bin():
    global _CLONE_BIN
    if _CLONE_BIN is not None:
        shutil.rmtree(_CLONE_BIN, ignore_errors=True)
        _CLONE_BIN = None


# --------------------------------------------------------------------------------------------
# one namespace

class Netns:
    """A named network namespace plus the helpers to run programs inside it."""

    def __init__(self, name):
        self.name = name
        self._changed = {}  # sysctl -> value before the first change

    def restore_sysctls(self):
        changed, self._changed = self._changed, {}
        if changed:
            sh(self.exec_prefix() + ["sysctl", "-q", "-w"]
               + [f"{k}={v}" for k, v in changed.items()])

    # -- running programs
    def exec_prefix(self, unprivileged=False):
        return ["ip", "netns", "exec", self.name] + (list(UNPRIV) if unprivileged else [])

    @staticmethod
    def _env(env):
        merged = dict(os.environ)
        if env:
            merged.update(env)
        return merged

    def run(self, argv, *, unprivileged=False, timeout=20, input=None, env=None):
        """Run ``argv`` inside the namespace; stdout/stderr captured as str, decoded as UTF-8
        with no newline translation (a CR LF stays) and undecodable bytes kept as surrogate
        escapes (``.encode("utf-8", "surrogateescape")`` gives the exact bytes back).
        ``input``: str or bytes (stdin is /dev/null without it). ``env`` is merged over the
        inherited environment."""
        if isinstance(input, str):
            input = input.encode("utf-8", "surrogateescape")
        proc = subprocess.run(
            self.exec_prefix(unprivileged) + list(argv), input=input, capture_output=True,
            timeout=timeout, env=self._env(env),
            stdin=None if input is not None else subprocess.DEVNULL)
        proc.stdout = proc.stdout.decode("utf-8", "surrogateescape")
        proc.stderr = proc.stderr.decode("utf-8", "surrogateescape")
        return proc

    def popen(self, argv, *, unprivileged=False, env=None, **popen_kwargs):
        """Start ``argv`` inside the namespace; it is killed at teardown if still running."""
        proc = subprocess.Popen(self.exec_prefix(unprivileged) + list(argv), env=self._env(env),
                                **popen_kwargs)
        _CHILDREN.add(proc)
        return proc

    # -- sysctls
    def read_sysctl(self, key):
        return sh(self.exec_prefix() + ["sysctl", "-n", key]).stdout.strip()

    def sysctl(self, key, value):
        """Set one sysctl in this namespace; returns the previous value (a string). The lab
        restores the value the build left after each test (``Lab.reset``)."""
        previous = self.read_sysctl(key)
        self._changed.setdefault(key, previous)
        sh(self.exec_prefix() + ["sysctl", "-q", "-w", f"{key}={value}"])
        return previous

    def ping_group_range(self, low, high):
        previous = self.sysctl("net.ipv4.ping_group_range", f"{low} {high}")
        lo, hi = previous.split()
        return int(lo), int(hi)

    @property
    def clone_bin(self):
        return clone_bin()

    def __repr__(self):
        return f"<Netns {self.name}>"


def create_netns(name, cleanup, *, resolver="127.0.0.1", sysctls=COMMON_SYSCTLS):
    """Create namespace ``name`` with lo up, its own resolv.conf/hosts and the common sysctls."""
    _register_session()
    etc = os.path.join("/etc/netns", name)
    os.makedirs(etc, exist_ok=True)
    cleanup.push(shutil.rmtree, etc, True)
    with open(os.path.join(etc, "resolv.conf"), "w") as f:
        f.write(f"nameserver {resolver}\n")
    with open(os.path.join(etc, "hosts"), "w") as f:
        f.write(HOSTS_FILE)
    sh(["ip", "netns", "add", name])
    cleanup.push(_destroy_netns, name)
    ns = Netns(name)
    sh(["ip", "-n", name, "link", "set", "lo", "up"])
    if sysctls:
        sh(ns.exec_prefix() + ["sysctl", "-q", "-w"] + [f"{k}={v}" for k, v in sysctls.items()])
    return ns


_SCRATCH_COUNT = 0


class ScratchNetns(Netns):
    """A fresh namespace for one test: lo up, DNS pointed at 127.0.0.1 inside it (nothing
    listens there unless the test starts something), so no query can leave."""

    def __init__(self):
        global _SCRATCH_COUNT
        _SCRATCH_COUNT += 1
        super().__init__(f"{PREFIX}{TAG}-s{_SCRATCH_COUNT}")
        self._cleanup = Cleanup()
        _LIVE.append(self)
        try:
            if _SCRATCH_COUNT == 1:
                reap_stale()
            create_netns(self.name, self._cleanup)
        except BaseException:
            self.close()
            raise

    def close(self):
        errors = self._cleanup.run()
        if self in _LIVE:
            _LIVE.remove(self)
        return errors


# --------------------------------------------------------------------------------------------
# the lab

def _v4(n, host):
    return f"198.18.{n}.{host}"


def _v6(n, host):
    return f"2001:db8:{n}::{host:x}"


def _iface(peer):
    return f"veth-{peer}"


class Lab:
    """The five-namespace lab of tests/lab/README.md. Build with ``Lab.build()``; ``close()``."""

    addr = ADDR
    names = NAMES
    ports = PORTS
    roles = ROLES
    ssh_banner = SSH_BANNER

    def __init__(self):
        self.tag = TAG
        self.ns = {role: f"{PREFIX}{TAG}-{role}" for role in ROLES}
        self.netns = {role: Netns(name) for role, name in self.ns.items()}
        self.tmp = None
        self._cleanup = Cleanup()
        self._procs = {}
        self._silent = False

    # -- public API (README)
    def run(self, role, argv, **kw):
        return self.netns[role].run(argv, **kw)

    def popen(self, role, argv, **kw):
        return self.netns[role].popen(argv, **kw)

    def exec_prefix(self, role, unprivileged=False):
        return self.netns[role].exec_prefix(unprivileged)

    def iface(self, role, peer):
        """Name of ``role``'s interface towards ``peer`` (e.g. iface("client", "r1"))."""
        return _iface(peer)

    @property
    def clone_bin(self):
        return clone_bin()

    def ping_group_range(self, role, low, high):
        return self.netns[role].ping_group_range(low, high)

    def sysctl(self, role, key, value):
        return self.netns[role].sysctl(key, value)

    def reset(self):
        """Undo what tests switched: sysctls set through the lab, the silent router. The
        fixtures call this after every test that used the lab, so state never leaks."""
        for netns in self.netns.values():
            netns.restore_sysctls()
        if self._silent:
            self.silent_router(False)

    def silent_router(self, on):
        """Router 2 drops (True) or sends (False) its ICMP/ICMPv6 time-exceeded.

        Also a context manager that restores the previous state:
        ``with lab.silent_router(True): ...``"""
        previous = self._silent
        self._set_silent(on)
        return _Restore(self._set_silent, previous)

    def _set_silent(self, on):
        r2 = self.netns["r2"].exec_prefix()
        sh(r2 + ["iptables", "-F", "LABSILENT"])
        sh(r2 + ["ip6tables", "-F", "LABSILENT"])
        if on:
            sh(r2 + ["iptables", "-A", "LABSILENT", "-p", "icmp", "--icmp-type", "time-exceeded",
                     "-j", "DROP"])
            sh(r2 + ["ip6tables", "-A", "LABSILENT", "-p", "ipv6-icmp", "--icmpv6-type",
                     "time-exceeded", "-j", "DROP"])
        self._silent = bool(on)

    @property
    def silent(self):
        return self._silent

    # -- build
    @classmethod
    def build(cls):
        lab = cls()
        _LIVE.append(lab)
        try:
            lab._build()
        except BaseException:
            lab.close()
            raise
        return lab

    def _build(self):
        reap_stale()
        _register_session()
        self.tmp = tempfile.mkdtemp(prefix=f"{PREFIX}{TAG}-lab-")
        os.chmod(self.tmp, 0o755)
        self._cleanup.push(shutil.rmtree, self.tmp, True)
        resolver = ADDR["resolver4"]
        for role in ROLES:
            sysctls = dict(COMMON_SYSCTLS)
            if role in ROUTERS:
                sysctls.update(ROUTER_SYSCTLS)
            create_netns(self.ns[role], self._cleanup, resolver=resolver, sysctls=sysctls)
        # veth pairs, created directly inside their namespaces (no name clash in the host's)
        batch = "".join(
            f"link add {_iface(right)} netns {self.ns[left]} type veth "
            f"peer name {_iface(left)} netns {self.ns[right]}\n"
            for left, right, *_ in LINKS)
        sh(["ip", "-b", "-"], input=batch)
        _run_parallel([(["ip", "-n", self.ns[role], "-b", "-"], self._ip_batch(role))
                       for role in ROLES])
        _run_parallel(self._firewall_commands())
        self._start_services()

    def _ip_batch(self, role):
        # Links go up BEFORE the addresses are added: an IPv6 address added (nodad) to a down
        # link does not answer neighbour solicitations at once after the link comes up, and
        # the first packet then waits a 1 s NDP retransmission.
        ups, lines = [], []
        for left, right, n, lhost, rhost in LINKS:
            if role not in (left, right):
                continue
            peer, host = (right, lhost) if role == left else (left, rhost)
            dev = _iface(peer)
            ups.append(f"link set {dev} up")
            lines += [f"addr add {_v4(n, host)}/24 dev {dev}",
                      f"addr add {_v6(n, host)}/64 dev {dev} nodad"]
        lines = ups + lines
        routes = {
            "client": [("0.0.0.0/0", ADDR["r1_4"]), ("::/0", ADDR["r1_6"])],
            "r1": [("0.0.0.0/0", ADDR["r2_4"]), ("::/0", ADDR["r2_6"])],
            "r2": [("198.18.1.0/24", ADDR["r1_far4"]), ("2001:db8:1::/64", ADDR["r1_far6"]),
                   ("0.0.0.0/0", ADDR["r3_4"]), ("::/0", ADDR["r3_6"])],
            "r3": [("198.18.1.0/24", ADDR["r2_far4"]), ("198.18.2.0/24", ADDR["r2_far4"]),
                   ("2001:db8:1::/64", ADDR["r2_far6"]), ("2001:db8:2::/64", ADDR["r2_far6"]),
                   ("198.18.9.0/24", ADDR["target4"]), ("2001:db8:9::/64", ADDR["target6"])],
            "target": [("0.0.0.0/0", ADDR["r3_far4"]), ("::/0", ADDR["r3_far6"])],
        }[role]
        if role == "target":
            for key in TARGET_EXTRA:
                v4, v6 = addr_pair(key)
                lines += [f"addr add {v4}/24 dev {_iface('r3')}",
                          f"addr add {v6}/64 dev {_iface('r3')} nodad"]
        lines += [f"route add {prefix} via {gw}" for prefix, gw in routes]
        return "\n".join(lines) + "\n"

    def _firewall_commands(self):
        r1_v4 = ("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                 "-A FORWARD -d 198.18.10.0/24 -j REJECT --reject-with icmp-host-unreachable\n"
                 "-A FORWARD -d 198.18.11.0/24 -j REJECT --reject-with icmp-admin-prohibited\n"
                 "-A FORWARD -d 198.18.12.0/24 -j REJECT --reject-with icmp-net-unreachable\n"
                 "COMMIT\n")
        r1_v6 = ("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                 "-A FORWARD -d 2001:db8:10::/64 -j REJECT --reject-with icmp6-addr-unreachable\n"
                 "-A FORWARD -d 2001:db8:11::/64 -j REJECT --reject-with icmp6-adm-prohibited\n"
                 "-A FORWARD -d 2001:db8:12::/64 -j REJECT --reject-with icmp6-no-route\n"
                 "COMMIT\n")
        r2 = ("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
              ":LABSILENT - [0:0]\n-A OUTPUT -j LABSILENT\nCOMMIT\n")

        def target(dead, reject):
            return ("*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                    f"-A PREROUTING -d {dead} -j DROP\nCOMMIT\n"
                    "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                    "-A INPUT -p tcp --dport 8080 -j DROP\n"
                    f"-A INPUT -p tcp --dport 8081 -j REJECT --reject-with {reject}\n"
                    "COMMIT\n")

        def restore(role, tool):
            return self.netns[role].exec_prefix() + [tool]

        return [
            (restore("r1", "iptables-restore"), r1_v4),
            (restore("r1", "ip6tables-restore"), r1_v6),
            (restore("r2", "iptables-restore"), r2),
            (restore("r2", "ip6tables-restore"), r2),
            (restore("target", "iptables-restore"), target("198.18.9.0/24", "icmp-port-unreachable")),
            (restore("target", "ip6tables-restore"),
             target("2001:db8:9::/64", "icmp6-port-unreachable")),
        ]

    # -- processes
    def _spawn(self, key, role, argv, **kw):
        proc = self.netns[role].popen(argv, start_new_session=True, **kw)
        self._procs[key] = proc
        self._cleanup.push(_stop_process, proc)
        return proc

    def _start_services(self):
        from .dns import zones

        dns_dir = os.path.join(self.tmp, "dns")
        conf = zones.write_config(dns_dir)
        self._named_log = open(os.path.join(dns_dir, "named.log"), "w")
        self._cleanup.push(self._named_log.close)
        self._spawn("named", "target", ["named", "-g", "-n", "2", "-c", conf],
                    stdin=subprocess.DEVNULL, stdout=self._named_log, stderr=subprocess.STDOUT)
        www = os.path.join(self.tmp, "www")
        os.makedirs(www)
        with open(os.path.join(www, "index.html"), "w") as f:
            f.write("<html><body>pynetsuite lab</body></html>\n")
        services = self._spawn(
            "services", "target",
            [sys.executable, os.path.join(HERE, "services.py"), "serve", "--http-root", www,
             "--banner", SSH_BANNER],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = _readline_bounded(services.stdout, 10)
        if line.strip() != "READY":
            services.kill()
            raise LabError(f"lab services did not start: {line!r} {services.stderr.read()}")
        # one bounded poll from the client proves routing, named (all views) and the services
        probe = self.run("client", [
            sys.executable, os.path.join(HERE, "services.py"), "probe", "--deadline", "15",
            "--dns", f"{ADDR['resolver4']}:{NAMES['target']}",
            "--dns", f"{ADDR['resolver6']}:{NAMES['target']}",
            "--tcp", f"{ADDR['target4']}:80", "--tcp", f"[{ADDR['target6']}]:22",
            "--udp", f"{ADDR['target4']}:5000"], timeout=30)
        if probe.returncode != 0:
            self._named_log.flush()
            with open(os.path.join(dns_dir, "named.log")) as f:
                log = f.read()[-3000:]
            raise LabError(f"lab not ready: {probe.stdout}{probe.stderr}\nnamed log:\n{log}")

    def process(self, key):
        """The Popen of a lab daemon: "named" or "services"."""
        return self._procs[key]

    def close(self):
        errors = self._cleanup.run()
        if self in _LIVE:
            _LIVE.remove(self)
        return errors


class _Restore:
    """Returned by switches: usable as a context manager that switches back on exit."""

    def __init__(self, func, *args):
        self._func, self._args = func, args

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._func(*self._args)
        return False


def _readline_bounded(stream, seconds):
    import selectors

    sel = selectors.DefaultSelector()
    sel.register(stream, selectors.EVENT_READ)
    try:
        if sel.select(seconds):
            return stream.readline()
        return ""
    finally:
        sel.close()


def _stop_process(proc, grace=3.0):
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(grace)
    for stream in (proc.stdout, proc.stderr, proc.stdin):
        if stream is not None:
            stream.close()


def reverse_name(address):
    return ipaddress.ip_address(address).reverse_pointer + "."


if __name__ == "__main__":
    # `python tests/lab/lab.py leaks`: list lab namespaces left by dead sessions (exit 1 if any)
    if sys.argv[1:] != ["leaks"]:
        sys.exit("usage: lab.py leaks")
    found = leaked_netns()
    if found:
        print(" ".join(found))
    sys.exit(1 if found else 0)
