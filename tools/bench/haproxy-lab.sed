# SPDX-License-Identifier: GPL-2.0-only
#
# The seed's haproxy.cfg (tests/unit/data/seed-haproxy.cfg), `mode http`
# as the tutorial has it, made to run in the bench lab. Only what the lab
# needs changes; bench.sh replaces @WORK@ with its work directory.
#
# 1. The Pis' addresses become the lab's backends.
s/192\.168\.1\.10\([1-3]\)/10.99.0.1\1/
#
# 2. No chroot, user, group or daemon: the bench runs HAProxy in the
#    foreground (-db) inside the balancer's namespace as its own child, so
#    that it can measure the process's CPU time and stop it for certain.
/^[[:space:]]*chroot[[:space:]]/d
/^[[:space:]]*user[[:space:]]/d
/^[[:space:]]*group[[:space:]]/d
/^[[:space:]]*daemon[[:space:]]*$/d
#
# 3. Logs go to a UDP port on the balancer's own loopback instead of the
#    host's /dev/log: HAProxy still formats and sends a line per request,
#    as on a Pi with a syslog daemon, but the host's journal is not flooded
#    with millions of lines (nothing listens on that port).
s|log /dev/log|log 127.0.0.1:514|
#
# 4. The admin socket lives in the bench's work directory, not in
#    /run/haproxy (which need not exist, and belongs to a real HAProxy).
s|stats socket /run/haproxy/admin.sock|stats socket @WORK@/haproxy.sock|
#
# 5. `listen stats *:1936` is HAProxy 1.x syntax that 2.x rejects: the
#    address moves to a bind line.
s/^listen stats \*:1936[[:space:]]*$/listen stats\
    bind *:1936/
