/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Test packets: Ethernet/IPv4/TCP and ICMP errors built from a spec with
 * checksums computed from scratch, so a test can compare the data path's
 * incrementally updated output against a freshly computed expectation.
 */
#ifndef RPILB_TEST_PKT_H
#define RPILB_TEST_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_MAX 2048

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

struct pkt_spec {
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	uint32_t saddr; /* network order */
	uint32_t daddr;
	uint16_t sport; /* host order */
	uint16_t dport;
	uint8_t flags;
	uint32_t seq;
	uint32_t ack;
	bool ts;
	/*
	 * 0: NOP NOP TS; 1: Linux's SYN (MSS SACKOK TS NOP WS); 2: TS last;
	 * 3: TS at odd offset 3; 4: MSS 2058 NOP NOP TS
	 */
	uint8_t ts_layout;
	uint32_t tsval;
	uint32_t tsecr;
	uint16_t payload_len; /* filled with a byte pattern */
	uint8_t ttl; /* 0: 64 */
	uint16_t ip_id;
};

uint32_t ip4(const char *s);

/* Build into buf (PKT_MAX); returns the frame length. */
size_t pkt_tcp(uint8_t *buf, const struct pkt_spec *s);

/*
 * An ICMP error from outer_saddr to outer_daddr quoting quote_len bytes of
 * the IPv4 packet at quoted (an IP header, no Ethernet).
 */
size_t pkt_icmp_error(uint8_t *buf, const uint8_t *src_mac, const uint8_t *dst_mac,
		      uint32_t outer_saddr, uint32_t outer_daddr, uint8_t type, uint8_t code,
		      uint32_t info, const uint8_t *quoted, size_t quote_len);

uint16_t csum16(const void *data, size_t len, uint32_t initial);
/* True when the IPv4 header checksum and the TCP or ICMP checksum verify. */
bool pkt_csums_ok(const uint8_t *frame, size_t len);

/* Hex dump of the first difference, for assertion messages. */
void pkt_diff(const uint8_t *want, size_t want_len, const uint8_t *got, size_t got_len);

#endif
