// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "pkt.h"

uint32_t ip4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

uint16_t csum16(const void *data, size_t len, uint32_t initial)
{
	const uint8_t *p = data;
	uint64_t sum = initial;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint16_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint16_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static uint32_t pseudo_sum(uint32_t saddr, uint32_t daddr, uint8_t proto, uint16_t len)
{
	uint32_t s = ntohl(saddr), d = ntohl(daddr);

	return (s >> 16) + (s & 0xffff) + (d >> 16) + (d & 0xffff) + proto + len;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static size_t put_eth(uint8_t *buf, const uint8_t *src, const uint8_t *dst)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	put16(buf + 12, 0x0800);
	return 14;
}

static void put_ip(uint8_t *ip, uint16_t tot_len, uint8_t proto, uint32_t saddr, uint32_t daddr,
		   uint8_t ttl, uint16_t id)
{
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, tot_len);
	put16(ip + 4, id);
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = ttl ? ttl : 64;
	ip[9] = proto;
	memcpy(ip + 12, &saddr, 4);
	memcpy(ip + 16, &daddr, 4);
	memcpy(ip + 10, (uint16_t[]){ csum16(ip, 20, 0) }, 2);
}

size_t pkt_tcp(uint8_t *buf, const struct pkt_spec *s)
{
	size_t opt_len = s->ts ? (s->ts_layout ? 20 : 12) : 0;
	size_t tcp_len = 20 + opt_len + s->payload_len;
	uint8_t *ip, *tcp;
	uint16_t sum;

	memset(buf, 0, PKT_MAX);
	ip = buf + put_eth(buf, s->src_mac, s->dst_mac);
	put_ip(ip, 20 + tcp_len, 6, s->saddr, s->daddr, s->ttl, s->ip_id);
	tcp = ip + 20;
	put16(tcp, s->sport);
	put16(tcp + 2, s->dport);
	put32(tcp + 4, s->seq);
	put32(tcp + 8, s->ack);
	tcp[12] = (uint8_t)((20 + opt_len) / 4) << 4;
	tcp[13] = s->flags;
	put16(tcp + 14, 64240);
	if (s->ts) {
		/* Option bytes read best as they sit on the wire. */
		/* clang-format off */
		static const uint8_t linux_syn[20] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
						       0, 0, 0, 0, 0, 0, 1, 3, 3, 7 };
		static const uint8_t ts_last[20] = { 1, 3, 3, 7, 2, 4, 0x05, 0xb4, 1, 1,
						     8, 10, 0, 0, 0, 0, 0, 0, 0, 0 };
		/* An MSS of 2058 reads 08 0a, the timestamp option's kind and length. */
		static const uint8_t mss_2058[20] = { 2, 4, 0x08, 0x0a, 1, 1, 8, 10, 0, 0,
						      0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
		/* Window scale unpadded: TSval and TSecr straddle 16-bit words. */
		static const uint8_t ts_odd[20] = { 3, 3, 7, 8, 10, 0, 0, 0, 0, 0,
						    0, 0, 0, 2, 4, 0x05, 0xb4, 0, 0, 0 };
		/* clang-format on */
		size_t at = 2;

		/* NOP NOP TS, as Linux sends it on established flows */
		tcp[20] = 1;
		tcp[21] = 1;
		tcp[22] = 8;
		tcp[23] = 10;
		if (s->ts_layout == 1) {
			memcpy(tcp + 20, linux_syn, sizeof(linux_syn));
			at = 6;
		} else if (s->ts_layout == 2) {
			memcpy(tcp + 20, ts_last, sizeof(ts_last));
			at = 10;
		} else if (s->ts_layout == 3) {
			memcpy(tcp + 20, ts_odd, sizeof(ts_odd));
			at = 3;
		} else if (s->ts_layout == 4) {
			memcpy(tcp + 20, mss_2058, sizeof(mss_2058));
			at = 6;
		}
		put32(tcp + 20 + at + 2, s->tsval);
		put32(tcp + 20 + at + 6, s->tsecr);
	}
	for (size_t i = 0; i < s->payload_len; i++)
		tcp[20 + opt_len + i] = (uint8_t)('a' + i % 26);
	sum = csum16(tcp, tcp_len, pseudo_sum(s->saddr, s->daddr, 6, tcp_len));
	memcpy(tcp + 16, &sum, 2);
	return 14 + 20 + tcp_len;
}

size_t pkt_icmp_error(uint8_t *buf, const uint8_t *src_mac, const uint8_t *dst_mac,
		      uint32_t outer_saddr, uint32_t outer_daddr, uint8_t type, uint8_t code,
		      uint32_t info, const uint8_t *quoted, size_t quote_len)
{
	uint8_t *ip, *icmp;
	uint16_t sum;

	memset(buf, 0, PKT_MAX);
	ip = buf + put_eth(buf, src_mac, dst_mac);
	put_ip(ip, 20 + 8 + quote_len, 1, outer_saddr, outer_daddr, 64, 0);
	icmp = ip + 20;
	icmp[0] = type;
	icmp[1] = code;
	put32(icmp + 4, info);
	memcpy(icmp + 8, quoted, quote_len);
	sum = csum16(icmp, 8 + quote_len, 0);
	memcpy(icmp + 2, &sum, 2);
	return 14 + 20 + 8 + quote_len;
}

bool pkt_csums_ok(const uint8_t *frame, size_t len)
{
	const uint8_t *ip = frame + 14;
	size_t ihl, tot;
	uint32_t saddr, daddr;

	if (len < 34)
		return false;
	ihl = (ip[0] & 0xf) * 4;
	tot = ip[2] << 8 | ip[3];
	if (csum16(ip, ihl, 0) != 0)
		return false;
	memcpy(&saddr, ip + 12, 4);
	memcpy(&daddr, ip + 16, 4);
	if (ip[9] == 6)
		return csum16(ip + ihl, tot - ihl, pseudo_sum(saddr, daddr, 6, tot - ihl)) == 0;
	if (ip[9] == 1)
		return csum16(ip + ihl, tot - ihl, 0) == 0;
	return true;
}

void pkt_diff(const uint8_t *want, size_t want_len, const uint8_t *got, size_t got_len)
{
	size_t n = want_len < got_len ? want_len : got_len;

	if (want_len != got_len)
		fprintf(stderr, "length: want %zu, got %zu\n", want_len, got_len);
	for (size_t i = 0; i < n; i++) {
		if (want[i] == got[i])
			continue;
		fprintf(stderr, "first difference at byte %zu (frame offset):\n", i);
		for (size_t j = i & ~15UL; j < n && j < (i & ~15UL) + 32; j++)
			fprintf(stderr, "%s%02x/%02x", j % 16 ? " " : "\n  ", want[j], got[j]);
		fprintf(stderr, "\n  (want/got)\n");
		return;
	}
}
