#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Send every odd packet shape a sender can make at the balancer.

Run in the lab's client namespace: hostile.py VIP [PORT_OF_AN_OPEN_FLOW].
Prints how many frames were sent. Each shape has a defined verdict and
counter in the data path (tests/bpf/test_dp_hostile.c holds the exact ones);
here they arrive together, while real traffic goes on.
"""
import random
import sys

from scapy.all import (ICMP, IP, IPv6, TCP, UDP, Dot1Q, Ether, Raw, conf, get_if_hwaddr,
                       getmacbyip, raw)

conf.verb = 0
vip = sys.argv[1]
open_port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
iface = "eth0"
src = get_if_hwaddr(iface)
dst = getmacbyip(vip)
me = conf.route.route(vip)[1]
eth = Ether(src=src, dst=dst)
rnd = random.Random(6)


def syn(**kw):
    return IP(src=me, dst=vip, **kw) / TCP(sport=rnd.randint(20000, 40000), dport=80, flags="S",
                                         seq=rnd.getrandbits(32))


frames = []


def add(pkt):
    """An IPv4 packet (scapy, or bytes already mangled) behind the Ethernet header."""
    if isinstance(pkt, bytes):
        frames.append(raw(Ether(src=src, dst=dst, type=0x0800)) + pkt)
    else:
        frames.append(raw(eth / pkt))


# IP options, every fragment shape
add(syn(options=[b"\x01\x01\x01\x00"]))
body = raw(TCP(sport=33333, dport=80, flags="S") / Raw(b"x" * 64))
add(IP(src=me, dst=vip, proto=6, flags="MF", frag=0, id=77) / Raw(body[:24]))   # first
add(IP(src=me, dst=vip, proto=6, flags="MF", frag=3, id=77) / Raw(body[24:48]))  # middle
add(IP(src=me, dst=vip, proto=6, flags=0, frag=6, id=77) / Raw(body[48:]))       # last
add(IP(src=me, dst=vip, proto=6, flags="MF", frag=2, id=77) / Raw(body[16:40]))  # overlapping
add(IP(src=me, dst=vip, proto=6, flags="MF", frag=0, id=78) / Raw(body[:8]))     # tiny first
# IHL and total length lies
for ihl in (0, 4, 15):
    p = bytearray(raw(syn()))
    p[0] = 0x40 | ihl
    add(bytes(p))
for delta in (+200, -10, -30):
    p = bytearray(raw(syn()))
    tot = len(p) + delta
    p[2], p[3] = tot >> 8, tot & 0xff
    add(bytes(p))
# TCP data offset out of range
for doff in (0, 3, 15):
    p = bytearray(raw(syn()))
    p[20 + 12] = doff << 4
    add(bytes(p))
# every interesting flag combination, to the service with no flow
for flags in ("", "FSRPAUEC", "SF", "SR", "F", "R", "P", "U", "FA", "SA", "SEC", "A"):
    add(IP(src=me, dst=vip) / TCP(sport=rnd.randint(20000, 40000), dport=80, flags=flags))
# bad checksums on SYNs (the server discards what arrives)
add(IP(src=me, dst=vip, chksum=0x1234) / TCP(sport=34001, dport=80, flags="S"))
add(IP(src=me, dst=vip) / TCP(sport=34002, dport=80, flags="S", chksum=0x4321))
# ICMP errors that lie about what they quote
quoted = raw(IP(src=vip, dst=me) / TCP(sport=80, dport=open_port or 40000, flags="A"))
add(IP(src=me, dst=vip) / ICMP(type=3, code=4) / Raw(quoted[:8]))    # truncated
add(IP(src=me, dst=vip) / ICMP(type=3, code=4) / Raw(quoted[:24]))   # ports missing
lying = bytearray(quoted)
lying[0] = 0x4f                                                      # claims 60-byte header
add(IP(src=me, dst=vip) / ICMP(type=3, code=3) / Raw(bytes(lying)))
lying = bytearray(quoted)
lying[2], lying[3] = 0xff, 0xff                                      # claims 64 KiB
add(IP(src=me, dst=vip) / ICMP(type=11, code=0) / Raw(bytes(lying)))
add(IP(src=me, dst=vip) / ICMP(type=3, code=3) / Raw(raw(IP(src=vip, dst=me) / UDP())))
add(IP(src=me, dst=vip) / ICMP(type=8) / Raw(b"ping"))
# other link layers and ethertypes, runts
frames.append(raw(Ether(src=src, dst=dst) / Dot1Q(vlan=5) / syn()))
frames.append(raw(Ether(src=src, dst=dst, type=0x88a8) / Dot1Q(vlan=7) / syn()))
frames.append(raw(Ether(src=src, dst=dst) / IPv6(dst="fe80::1") / TCP(dport=80, flags="S")))
frames.append(raw(Ether(src=src, dst=dst, type=0x88cc) / Raw(b"\x02\x07" * 20)))
frames.append(raw(Ether(src=src, dst=dst))[:14] + b"\x45\x00\x00")   # runt: 17 bytes
frames.append(raw(Ether(src=src, dst=dst, type=0x0800)))             # header alone (14 bytes)
# to the NAT ports, as if from a server, with no flow behind them
for port in (50000, 55555, 59999):
    add(IP(src=me, dst=vip) / TCP(sport=8000, dport=port, flags="A"))
# a forged reset on the open flow: out of window, so the server ignores it
if open_port:
    add(IP(src=me, dst=vip) / TCP(sport=open_port, dport=80, flags="R", seq=rnd.getrandbits(32)))

sock = conf.L2socket(iface=iface)
for f in frames:
    sock.send(f)
sock.close()
print(len(frames))
