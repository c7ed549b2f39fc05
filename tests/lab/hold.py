#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Open N TCP connections to ADDR:PORT and hold them.

hold.py ADDR PORT N SECONDS [TIMEOUT]: connects in batches of 100
(non-blocking; a batch stays well inside the balancer's half-open budget),
each batch given TIMEOUT seconds (default 1) to complete. Prints how many
connected, keeps them all open for SECONDS, then closes them, client first.
"""
import errno
import resource
import select
import socket
import sys
import time

addr, port, n, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
timeout = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0
BATCH = 100
resource.setrlimit(resource.RLIMIT_NOFILE, (n + 64, n + 64))

held = []
for start in range(0, n, BATCH):
    pending = {}
    for _ in range(min(BATCH, n - start)):
        s = socket.socket()
        s.setblocking(False)
        if s.connect_ex((addr, port)) in (0, errno.EINPROGRESS):
            pending[s.fileno()] = s
        else:
            s.close()
    poller = select.poll()
    for fd in pending:
        poller.register(fd, select.POLLOUT)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for fd, _ in poller.poll(max(1, int((deadline - time.monotonic()) * 1000))):
            s = pending.pop(fd)
            poller.unregister(fd)
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                held.append(s)
            else:
                s.close()
    for s in pending.values():
        s.close()
print(len(held), flush=True)
time.sleep(hold)
for s in held:
    s.close()
