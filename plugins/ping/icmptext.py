"""The words iputils ping prints for ICMP and ICMPv6 messages (pr_icmph / print_icmp)."""

import re

from pynetsuite.net import packets as P

_UNREACH4 = {
    0: "Destination Net Unreachable",
    1: "Destination Host Unreachable",
    2: "Destination Protocol Unreachable",
    3: "Destination Port Unreachable",
    5: "Source Route Failed",
    6: "Destination Net Unknown",
    7: "Destination Host Unknown",
    8: "Source Host Isolated",
    9: "Destination Net Prohibited",
    10: "Destination Host Prohibited",
    11: "Destination Net Unreachable for Type of Service",
    12: "Destination Host Unreachable for Type of Service",
    13: "Packet filtered",
    14: "Precedence Violation",
    15: "Precedence Cutoff",
}

_REDIRECT4 = {0: "Redirect Network", 1: "Redirect Host",
              2: "Redirect Type of Service and Network", 3: "Redirect Type of Service and Host"}

_SIMPLE4 = {
    P.ICMP_ECHOREPLY: "Echo Reply",
    P.ICMP_ECHO: "Echo Request",
    P.ICMP_SOURCE_QUENCH: "Source Quench",
    P.ICMP_TIMESTAMP: "Timestamp",
    P.ICMP_TIMESTAMPREPLY: "Timestamp Reply",
    P.ICMP_INFO_REQUEST: "Information Request",
    P.ICMP_INFO_REPLY: "Information Reply",
    P.ICMP_ADDRESS: "Address Mask Request",
    P.ICMP_ADDRESSREPLY: "Address Mask Reply",
}

_UNREACH6 = {0: "No route", 1: "Administratively prohibited",
             2: "Beyond scope of source address", 3: "Address unreachable",
             4: "Port unreachable", 5: "Source address failed ingress/egress policy",
             6: "Reject route to destination"}


def icmp4_text(kind, code, info, gateway_text=None):
    """pr_icmph() without the trailing newline. ``info`` is the 32-bit field after the checksum
    as a host-order value (MTU for frag-needed, pointer << 24 for parameter problems, the
    gateway for redirects); ``gateway_text`` is the printed new next hop of a redirect."""
    if kind == P.ICMP_DEST_UNREACH:
        if code == P.ICMP_FRAG_NEEDED:
            return f"Frag needed and DF set (mtu = {info})"
        return _UNREACH4.get(code, f"Dest Unreachable, Bad Code: {code}")
    if kind == P.ICMP_REDIRECT:
        return _REDIRECT4.get(code, f"Redirect, Bad Code: {code}") + \
            f"(New nexthop: {gateway_text})"
    if kind == P.ICMP_TIME_EXCEEDED:
        return {0: "Time to live exceeded", 1: "Frag reassembly time exceeded"}.get(
            code, f"Time exceeded, Bad Code: {code}")
    if kind == P.ICMP_PARAMETERPROB:
        return f"Parameter problem: pointer = {info}"
    if kind in _SIMPLE4:
        return _SIMPLE4[kind]
    return f"Bad ICMP type: {kind}"


def icmp6_text(kind, code, info):
    """print_icmp() of ping6_common.c."""
    if kind == P.ICMP6_DST_UNREACH:
        return "Destination unreachable: " + _UNREACH6.get(code, f"Unknown code {code}")
    if kind == P.ICMP6_PACKET_TOO_BIG:
        return f"Packet too big: mtu={info}" + (f", code={code}" if code else "")
    if kind == P.ICMP6_TIME_EXCEEDED:
        return "Time exceeded: " + {0: "Hop limit", 1: "Defragmentation failure"}.get(
            code, f"code {code}")
    if kind == P.ICMP6_PARAM_PROB:
        what = {0: "Wrong header field ", 1: "Unknown header ", 2: "Unknown option "}.get(
            code, f"code {code} ")
        return f"Parameter problem: {what}at {info}"
    simple = {P.ICMP6_ECHO_REQUEST: "Echo request", P.ICMP6_ECHO_REPLY: "Echo reply",
              P.MLD_LISTENER_QUERY: "MLD Query", P.MLD_LISTENER_REPORT: "MLD Report",
              P.MLD_LISTENER_REDUCTION: "MLD Reduction"}
    return simple.get(kind, f"unknown icmp type: {kind}")


def json_type(text):
    """A jc-style type name for an error text: "Destination Host Unreachable" ->
    "destination_host_unreachable"; numbers and parenthesised details are dropped."""
    text = re.sub(r"\(.*?\)|[:=]\s*\S*\d\S*", "", text)
    text = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return text
