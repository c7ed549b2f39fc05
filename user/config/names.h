/* SPDX-License-Identifier: GPL-2.0-only */
/* The rules for names and addresses that commands and the daemon share. */
#ifndef RPILB_NAMES_H
#define RPILB_NAMES_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#define NAME_RULE  "1 to 31 characters from A-Z a-z 0-9 . _ : -"
#define NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-"

bool name_valid(const char *s);
/* "A.B.C.D:PORT" (port may be absent: 0); 0 or -1. */
int parse_ipv4_port(const char *s, struct in_addr *addr, uint16_t *port);

#endif
