"""The lab itself works: checked with the Debian originals only (no clone involved)."""

import os
import re

import pytest

from conftest import require_tool
from lab import diff
from lab import lab as labmod

PY_CONNECT = """
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
with socket.create_connection((host, port), timeout=3) as s:
    if port == 80:
        s.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n")
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
        if port == 22:
            break
    sys.stdout.write(data.decode("latin-1"))
"""

PY_UDP_ECHO = """
import socket, sys
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.settimeout(3)
    s.sendto(b"hello", (sys.argv[1], int(sys.argv[2])))
    sys.stdout.write(s.recv(100).decode())
"""


def ping(lab, dest, *extra):
    return lab.run("client", ["ping", "-n", "-c", "1", "-W", "1", *extra, dest], timeout=10)


@pytest.mark.parametrize("key", ["target4", "target6"])
def test_client_pings_target(lab, key):
    require_tool("ping")
    proc = ping(lab, lab.addr[key])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 received" in proc.stdout


@pytest.mark.parametrize("key", ["target4", "target6"])
def test_traceroute_four_hops(lab, key):
    require_tool("traceroute")
    proc = lab.run("client", ["traceroute", "-n", "-q", "1", "-w", "1", lab.addr[key]])
    assert proc.returncode == 0, proc.stderr
    hops = [line.split()[1] for line in proc.stdout.splitlines()[1:]]
    v = "4" if key.endswith("4") else "6"
    assert hops == [lab.addr[f"r1_{v}"], lab.addr[f"r2_{v}"], lab.addr[f"r3_{v}"], lab.addr[key]]


@pytest.mark.parametrize("key", ["target4", "target6"])
def test_silent_router(lab, key):
    require_tool("traceroute")
    with lab.silent_router(True):
        assert lab.silent
        proc = lab.run("client", ["traceroute", "-n", "-q", "1", "-w", "0.5", lab.addr[key]])
    lines = proc.stdout.splitlines()[1:]
    assert len(lines) == 4, proc.stdout
    assert lines[1].split()[1] == "*"
    assert lines[2].split()[1] != "*"
    assert not lab.silent


@pytest.mark.parametrize("key, message", [
    ("hostunreach4", "Destination Host Unreachable"),
    ("hostunreach6", "Destination unreachable: Address unreachable"),
    ("netunreach4", "Destination Net Unreachable"),
    ("netunreach6", "Destination unreachable: No route"),
    ("prohibited4", "Packet filtered"),
    ("prohibited6", "Destination unreachable: Administratively prohibited"),
])
def test_unreachables(lab, key, message):
    require_tool("ping")
    proc = ping(lab, lab.addr[key])
    assert proc.returncode == 1
    assert message in proc.stdout, proc.stdout
    router = lab.addr["r1_4"] if key.endswith("4") else lab.addr["r1_6"]
    assert f"From {router} icmp_seq=1 {message}" in proc.stdout


@pytest.mark.parametrize("key", ["dead4", "dead6"])
def test_dead_address_never_answers(lab, key):
    require_tool("ping")
    proc = lab.run("client", ["ping", "-n", "-c", "1", "-W", "0.3", lab.addr[key]], timeout=10)
    assert proc.returncode == 1
    assert "0 received" in proc.stdout and "From " not in proc.stdout


def test_dig_forward_and_reverse(lab):
    require_tool("dig")
    a = lab.run("client", ["dig", "+short", "@198.18.4.1", lab.names["target"]])
    assert a.stdout.split() == [lab.addr["target4"]]
    aaaa = lab.run("client", ["dig", "+short", lab.names["target"], "AAAA"])  # via resolv.conf
    assert aaaa.stdout.split() == [lab.addr["target6"]]
    for key, name in [("r2_4", "r2"), ("r3_far6", "r3"), ("client6", "client"),
                      ("dead4", "dead")]:
        ptr = lab.run("client", ["dig", "+short", "-x", lab.addr[key]])
        assert ptr.stdout.split() == [lab.names[name] + "."], (key, ptr.stdout)


def test_dig_records(lab):
    require_tool("dig")

    def short(*args):
        return sorted(lab.run("client", ["dig", "+short", *args]).stdout.split("\n")[:-1])

    assert short(lab.names["www"]) == [lab.addr["target4"], lab.names["target"] + "."]
    assert short(lab.names["multi"]) == [lab.addr["target4"], lab.addr["multi2_4"]]
    assert short(lab.names["v4only"], "AAAA") == []
    assert short(lab.names["v6only"], "AAAA") == [lab.addr["target6"]]
    assert short(lab.names["zone"], "MX") == ["10 mail.lab.test."]
    assert short(lab.names["zone"], "TXT") == ['"pynetsuite test lab"']
    nx = lab.run("client", ["dig", lab.names["nxdomain"]])
    assert "status: NXDOMAIN" in nx.stdout
    # a name outside the lab: the lab root answers NXDOMAIN, nothing is asked outside
    outside = lab.run("client", ["dig", "+tries=1", "+time=2", "example.com"])
    assert "status: NXDOMAIN" in outside.stdout and "a.root-servers.test." in outside.stdout


def test_dig_trace_walks_the_lab_hierarchy(lab):
    require_tool("dig")
    proc = lab.run("client", ["dig", "+trace", "@198.18.4.1", lab.names["target"]])
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert re.search(r"^\.\s+\d+\s+IN\s+NS\s+a\.root-servers\.test\.$", out, re.M)
    assert re.search(r"^test\.\s+\d+\s+IN\s+NS\s+ns\.test\.$", out, re.M)
    assert re.search(r"^lab\.test\.\s+\d+\s+IN\s+NS\s+ns1\.lab\.test\.$", out, re.M)
    assert re.search(r"^target\.lab\.test\.\s+\d+\s+IN\s+A\s+198\.18\.4\.1$", out, re.M)
    assert "(a.root-servers.test)" in out and "(ns.test)" in out and "(ns1.lab.test)" in out


def test_every_namespace_uses_the_lab_resolver(lab):
    for role, name in lab.ns.items():
        with open(f"/etc/netns/{name}/resolv.conf") as f:
            assert f.read().split()[:2] == ["nameserver", lab.addr["resolver4"]]
    proc = lab.run("r2", ["getent", "hosts", lab.names["v4only"]])
    assert proc.stdout.split() == [lab.addr["target4"], lab.names["v4only"]]


@pytest.mark.parametrize("key", ["target4", "target6"])
def test_tcp_services(lab, key):
    import sys

    host = lab.addr[key]
    http = lab.run("client", [sys.executable, "-c", PY_CONNECT, host, "80"])
    assert http.stdout.startswith("HTTP/1.0 200 OK"), http.stdout + http.stderr
    assert "pynetsuite lab" in http.stdout
    ssh = lab.run("client", [sys.executable, "-c", PY_CONNECT, host, "22"])
    assert ssh.stdout == lab.ssh_banner + "\r\n"


def test_udp_echo_dropped_and_rejected_ports(lab):
    import sys

    require_tool("nc")
    target = lab.addr["target4"]
    echo = lab.run("client", [sys.executable, "-c", PY_UDP_ECHO, target, "5000"])
    assert echo.stdout == "hello", echo.stderr
    rejected = lab.run("client", ["nc", "-v", "-z", "-w", "2", target, "8081"])
    assert rejected.returncode == 1 and "Connection refused" in rejected.stderr
    dropped = lab.run("client", ["nc", "-v", "-z", "-w", "1", target, "8080"], timeout=10)
    assert dropped.returncode == 1 and "timed out" in dropped.stderr


def test_ping_group_range_switch(lab):
    before = lab.ping_group_range("client", 0, 2147483647)
    assert before == (1, 0)
    now = lab.run("client", ["sysctl", "-n", "net.ipv4.ping_group_range"]).stdout.split()
    assert now == ["0", "2147483647"]
    lab.silent_router(True)  # left on on purpose: the lab's reset after the test undoes both


def test_state_was_reset_after_the_previous_test(lab):
    assert not lab.silent
    now = lab.run("client", ["sysctl", "-n", "net.ipv4.ping_group_range"]).stdout.split()
    assert now == ["1", "0"]
    r2 = lab.run("r2", ["iptables", "-S", "LABSILENT"]).stdout
    assert "DROP" not in r2


def test_sysctls_in_every_namespace(lab):
    for role in lab.roles:
        out = lab.run(role, ["sysctl", "-n", "net.ipv4.icmp_ratelimit", "net.ipv6.icmp.ratelimit",
                             "net.ipv4.ip_forward"]).stdout.split()
        assert out[:2] == ["0", "0"]
        assert out[2] == ("1" if role.startswith("r") else "0")


def test_unprivileged_run(lab):
    proc = lab.run("client", ["id", "-u"], unprivileged=True)
    assert proc.stdout.strip() == "65534"
    caps = lab.run("client", ["grep", "CapEff", "/proc/self/status"], unprivileged=True)
    assert int(caps.stdout.split()[1], 16) == 1 << 2  # CAP_DAC_READ_SEARCH only


def test_scratch_netns(scratch_netns):
    ns = scratch_netns
    links = ns.run(["ip", "-o", "link"]).stdout.splitlines()
    assert len(links) == 1 and "lo:" in links[0] and "UP" in links[0]
    with open(f"/etc/netns/{ns.name}/resolv.conf") as f:
        assert f.readline() == "nameserver 127.0.0.1\n"
    assert ns.sysctl("net.ipv4.ping_group_range", "0 0") == "1\t0"
    assert ns.run(["sysctl", "-n", "net.ipv4.icmp_ratelimit"]).stdout.strip() == "0"


def test_scratch_netns_is_removed(scratch_netns):
    name = scratch_netns.name
    assert name in labmod.list_netns()
    scratch_netns.close()
    assert name not in labmod.list_netns()
    assert not os.path.exists(f"/etc/netns/{name}")


def test_reap_stale_removes_a_dead_sessions_leftovers():
    from conftest import require_root

    require_root()
    import secrets

    tag = secrets.token_hex(3)  # a session that never existed (parallel runs stay apart)
    name = f"{labmod.PREFIX}{tag}-x"
    os.makedirs(labmod.REGISTRY, exist_ok=True)
    with open(os.path.join(labmod.REGISTRY, tag), "w") as f:
        f.write("999999999 0\n")  # no such process
    labmod.sh(["ip", "netns", "add", name])
    os.makedirs(f"/etc/netns/{name}", exist_ok=True)
    try:
        assert name in labmod.leaked_netns()
        assert name in labmod.reap_stale()
        assert name not in labmod.list_netns()
        assert not os.path.exists(f"/etc/netns/{name}")
        assert not os.path.exists(os.path.join(labmod.REGISTRY, tag))
    finally:
        labmod.subprocess.run(["ip", "netns", "delete", name], capture_output=True)


def test_diff_harness_same_tool(lab):
    """The original against itself through the harness: equal after masking the RTTs."""
    require_tool("ping")
    args = ["-c", "2", "-i", "0.2", lab.addr["target4"]]
    a = diff.run_original((lab, "client"), "ping", args)
    b = diff.run_original((lab, "client"), "ping", args)
    diff.assert_same(a, b, masks=[diff.RTT, diff.PING_SUMMARY_TIME, diff.PING_RTT_LINE])
    assert a.args[-len(args) - 1:] == ["ping", *args]  # argv[0] is the plain name


def test_diff_harness_reports_a_unified_diff():
    import subprocess

    a = subprocess.CompletedProcess(["x"], 0, "one\ntwo 1.5 ms\n", "")
    b = subprocess.CompletedProcess(["x"], 1, "one\nthree 2.5 ms\n", "")
    with pytest.raises(AssertionError) as info:
        diff.assert_same(a, b, masks=[diff.TRACEROUTE_MS])
    text = str(info.value)
    assert "-two <T> ms" in text and "+three <T> ms" in text and "exit code: original 0, ours 1" in text
    diff.assert_same(subprocess.CompletedProcess(["x"], 0, "b\na\n", ""),
                     subprocess.CompletedProcess(["x"], 0, "a\nb\n", ""), unordered=True)


def test_clone_bin(lab):
    assert os.path.isdir(lab.clone_bin)
    links = os.listdir(lab.clone_bin)
    assert links, "pynetsuite --install made no links"
    for name in links:
        assert os.path.basename(os.path.realpath(os.path.join(lab.clone_bin, name))) == "pynetsuite"
