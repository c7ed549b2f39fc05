# SPDX-License-Identifier: GPL-2.0-only
#
# The same file in `mode tcp` (applied after haproxy-lab.sed): every
# `mode http` becomes `mode tcp`. The stats page needs HTTP mode, so its
# section gets an explicit `mode http`; it is not on the measured path.
# HAProxy then warns that option httplog falls back to tcplog and that
# option forwardfor and the http-request rules are ignored: in TCP mode
# they cannot apply.
s/^\([[:space:]]*mode[[:space:]]*\)http[[:space:]]*$/\1tcp/
s/^\([[:space:]]*bind \*:1936\)[[:space:]]*$/\1\
    mode http/
