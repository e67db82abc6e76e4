"""The target's small servers, and the readiness probe the lab runs from the client.

    services.py serve --http-root DIR [--banner TEXT]
        HTTP on tcp/80 (http.server, serving DIR), an SSH-style banner on tcp/22 and a UDP echo
        on udp/5000, all dual-stack (IPv4 + IPv6 on one socket). Prints READY once every socket
        is bound, then serves until killed.

    services.py probe --deadline S [--dns SERVER:NAME] [--tcp HOST:PORT] [--udp HOST:PORT]...
        Polls each check until it succeeds or the deadline passes (exit 0 / 1). Used once per
        lab build instead of a blind sleep. Standard library only: it runs inside a namespace
        with whichever Python runs the tests.
"""

import argparse
import functools
import http.server
import os
import socket
import socketserver
import struct
import sys
import threading
import time


class DualStackMixin:
    address_family = socket.AF_INET6
    allow_reuse_address = True
    daemon_threads = True

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


class HTTPServer(DualStackMixin, http.server.ThreadingHTTPServer):
    pass


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


class BannerServer(DualStackMixin, socketserver.ThreadingTCPServer):
    pass


def banner_handler(banner):
    class Handler(socketserver.BaseRequestHandler):
        """Like sshd before key exchange: send the identification line, read the client's."""

        def handle(self):
            try:
                self.request.sendall(banner.encode() + b"\r\n")
                self.request.settimeout(10)
                self.request.recv(256)
            except OSError:
                pass

    return Handler


def udp_echo(port):
    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind(("::", port))

    def loop():
        while True:
            data, peer = sock.recvfrom(65535)
            try:
                sock.sendto(data, peer)
            except OSError:
                pass

    return loop


def serve(args):
    servers = [
        HTTPServer(("::", 80), functools.partial(QuietHandler, directory=args.http_root)),
        BannerServer(("::", 22), banner_handler(args.banner)),
    ]
    loops = [s.serve_forever for s in servers] + [udp_echo(5000)]
    for loop in loops:
        threading.Thread(target=loop, daemon=True).start()
    sys.stdout.write("READY\n")
    sys.stdout.flush()
    threading.Event().wait()


# ---------------------------------------------------------------------------------------- probe

def _split_hostport(text):
    host, _, port = text.rpartition(":")
    return host.strip("[]"), port


def _family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def check_dns(spec):
    server, name = _split_hostport(spec)
    qid = os.getpid() & 0xFFFF
    query = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    query += b"".join(bytes([len(p)]) + p.encode() for p in name.strip(".").split(".")) + b"\0"
    query += struct.pack(">HH", 1, 1)  # A IN
    with socket.socket(_family(server), socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.5)
        sock.connect((server, 53))  # connected: a port unreachable fails at once
        sock.send(query)
        reply = sock.recv(4096)
    rid, flags, _qd, ancount = struct.unpack(">HHHH", reply[:8])
    return rid == qid and flags & 0xF == 0 and ancount > 0


def check_tcp(spec):
    host, port = _split_hostport(spec)
    with socket.create_connection((host, int(port)), timeout=1):
        return True


def check_udp(spec):
    host, port = _split_hostport(spec)
    with socket.socket(_family(host), socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.5)
        sock.connect((host, int(port)))
        sock.send(b"ping")
        return sock.recv(64) == b"ping"


def probe(args):
    checks = ([(check_dns, s) for s in args.dns] + [(check_tcp, s) for s in args.tcp]
              + [(check_udp, s) for s in args.udp])
    deadline = time.monotonic() + args.deadline
    for check, spec in checks:
        last = None
        while True:
            try:
                if check(spec):
                    break
                last = "bad answer"
            except OSError as exc:
                last = exc
            if time.monotonic() > deadline:
                print(f"{check.__name__} {spec}: {last}")
                return 1
            time.sleep(0.05)
    return 0


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    p_serve = sub.add_parser("serve")
    p_serve.add_argument("--http-root", required=True)
    p_serve.add_argument("--banner", default="SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3")
    p_probe = sub.add_parser("probe")
    p_probe.add_argument("--deadline", type=float, default=10)
    p_probe.add_argument("--dns", action="append", default=[])
    p_probe.add_argument("--tcp", action="append", default=[])
    p_probe.add_argument("--udp", action="append", default=[])
    args = parser.parse_args()
    return serve(args) if args.mode == "serve" else probe(args)


if __name__ == "__main__":
    sys.exit(main())
