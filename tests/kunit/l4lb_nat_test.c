// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of packet parsing and rewriting (kmod/l4lb_nat.c):
 * l4lb_nat_parse() and l4lb_nat_rewrite(), their ICMP forms, and the same
 * for IPv6 (l4lb_nat6_*()).
 *
 * Packets are built as bytes with correct checksums, then laid out in an
 * skb: all linear, or with the payload (or part of the headers) in page
 * fragments, with CHECKSUM_NONE, CHECKSUM_PARTIAL (csum_start/csum_offset
 * set, the check field holding the pseudo-header sum) or CHECKSUM_COMPLETE
 * (skb->csum over the packet). After a rewrite, the result must be
 * byte-for-byte the packet built from scratch with the new addresses and
 * ports; on top of that the checksums are verified directly: ip_fast_csum()
 * of the IP header is 0, and csum_tcpudp_magic() over skb_checksum() of the
 * transport segment is 0 (for CHECKSUM_PARTIAL: the check field is the
 * pseudo-header sum, and skb_checksum_help() then finishes a valid
 * checksum).
 *
 * Malformed packets are built with valid bytes beyond skb->len, so that a
 * parser reading past the end would accept them: they must be refused, and
 * the skb (its whole linear buffer) left as it was.
 *
 * IPv6 packets go through the same layouts, some with a hop-by-hop and a
 * destination options header before the transport header; their
 * transport checksum, after a rewrite, must be the one csum_ipv6_magic()
 * computes from scratch over the pseudo-header and the segment. IPv6 has
 * no header checksum, and its CHECKSUM_COMPLETE skb->csum, which covers
 * the addresses, does not change (RFC 1624: the addresses' change and the
 * check field's cancel out).
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_ether.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/mm.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/ndisc.h>
#include <net/tcp.h>

#include "l4lb_nat.h"

#include "l4lb_kunit_tuple.h"

#define HEADROOM	64
#define FRAG_OFF	3	/* odd offset of the data in each page */

/* --- building packets ----------------------------------------------------- */

struct pkt_spec {
	u8 proto;
	__be32 saddr, daddr;
	__be16 sport, dport;
	unsigned int plen;	/* payload bytes */
	unsigned int opt;	/* IP option bytes (NOPs), multiple of 4 */
	bool udp_nocsum;	/* UDP without checksum (0) */
	bool word_set;		/* the first payload word is @word */
	__be16 word;
	__be16 frag_off;	/* IP frag_off; 0 means DF */
};

/* The four packets of a connection, as seen by the balancer. */
static struct pkt_spec client_to_vip(u8 proto, unsigned int plen)
{
	return (struct pkt_spec){ .proto = proto, .saddr = CLIENT,
		.daddr = VIP, .sport = CPORT, .dport = VPORT, .plen = plen };
}

static struct pkt_spec snat_to_backend(u8 proto, unsigned int plen)
{
	return (struct pkt_spec){ .proto = proto, .saddr = SNAT,
		.daddr = BACKEND, .sport = SPORT, .dport = BPORT, .plen = plen };
}

static struct pkt_spec backend_to_snat(u8 proto, unsigned int plen)
{
	return (struct pkt_spec){ .proto = proto, .saddr = BACKEND,
		.daddr = SNAT, .sport = BPORT, .dport = SPORT, .plen = plen };
}

static struct pkt_spec vip_to_client(u8 proto, unsigned int plen)
{
	return (struct pkt_spec){ .proto = proto, .saddr = VIP,
		.daddr = CLIENT, .sport = VPORT, .dport = CPORT, .plen = plen };
}

/* A checksum as a plain number, for comparisons and messages. */
static u16 c16(__sum16 sum)
{
	return (__force u16)sum;
}

static unsigned int l4_hlen(u8 proto)
{
	return proto == IPPROTO_TCP ? sizeof(struct tcphdr) :
				      sizeof(struct udphdr);
}

static unsigned int ip_hlen(const struct pkt_spec *ps)
{
	return sizeof(struct iphdr) + ps->opt;
}

static unsigned int pkt_len(const struct pkt_spec *ps)
{
	return ip_hlen(ps) + l4_hlen(ps->proto) + ps->plen;
}

static __sum16 *l4_check(u8 *l4, u8 proto)
{
	return proto == IPPROTO_TCP ? &((struct tcphdr *)l4)->check :
				      &((struct udphdr *)l4)->check;
}

/*
 * The transport header (ports @sport, @dport) and @l4len - header bytes
 * of payload at @l4; the check field is left 0. The first payload word is
 * @word if @word_set.
 */
static void fill_l4(u8 *l4, u8 proto, __be16 sport, __be16 dport,
		    unsigned int l4len, bool word_set, __be16 word)
{
	unsigned int plen = l4len - l4_hlen(proto), i;
	u8 *payload = l4 + l4_hlen(proto);

	for (i = 0; i < plen; i++)
		payload[i] = (u8)(0x5a + i * 7);
	if (word_set && plen >= 2)
		memcpy(payload, &word, 2);

	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = (struct tcphdr *)l4;

		th->source = sport;
		th->dest = dport;
		th->seq = htonl(0x01020304);
		th->ack_seq = htonl(0x0a0b0c0d);
		th->doff = sizeof(*th) / 4;
		th->ack = 1;
		th->psh = 1;
		th->window = htons(65535);
	} else {
		struct udphdr *uh = (struct udphdr *)l4;

		uh->source = sport;
		uh->dest = dport;
		uh->len = htons(l4len);
	}
	*l4_check(l4, proto) = 0;
}

/*
 * The packet as bytes. Its transport checksum is the full checksum for
 * CHECKSUM_NONE and CHECKSUM_COMPLETE, the pseudo-header sum for
 * CHECKSUM_PARTIAL.
 */
static u8 *build_flat(struct kunit *test, const struct pkt_spec *ps,
		      u8 summed)
{
	unsigned int ihl = ip_hlen(ps), len = pkt_len(ps);
	unsigned int l4len = len - ihl;
	struct iphdr *iph;
	__sum16 *check;
	u8 *buf, *l4;

	buf = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	iph = (struct iphdr *)buf;
	l4 = buf + ihl;

	iph->version = 4;
	iph->ihl = ihl / 4;
	iph->tos = 0x10;
	iph->tot_len = htons(len);
	iph->id = htons(0x1234);
	iph->frag_off = ps->frag_off ?: htons(IP_DF);
	iph->ttl = 64;
	iph->protocol = ps->proto;
	iph->saddr = ps->saddr;
	iph->daddr = ps->daddr;
	memset(buf + sizeof(*iph), IPOPT_NOOP, ps->opt);
	iph->check = ip_fast_csum(iph, iph->ihl);

	fill_l4(l4, ps->proto, ps->sport, ps->dport, l4len, ps->word_set,
		ps->word);
	check = l4_check(l4, ps->proto);
	if (summed == CHECKSUM_PARTIAL) {
		*check = ~csum_tcpudp_magic(ps->saddr, ps->daddr, l4len,
					    ps->proto, 0);
	} else if (!(ps->proto == IPPROTO_UDP && ps->udp_nocsum)) {
		*check = csum_tcpudp_magic(ps->saddr, ps->daddr, l4len,
					   ps->proto,
					   csum_partial(l4, l4len, 0));
		if (ps->proto == IPPROTO_UDP && !*check)
			*check = CSUM_MANGLED_0;
	}
	return buf;
}

/* skbs are test resources: freed when the case ends, passed or not. */
static int skb_res_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

static void skb_res_free(struct kunit_resource *res)
{
	kfree_skb(res->data);
}

static struct sk_buff *skb_track(struct kunit *test, struct sk_buff *skb)
{
	KUNIT_ASSERT_NOT_NULL(test, skb);
	if (!kunit_alloc_resource(test, skb_res_init, skb_res_free, GFP_KERNEL,
				  skb)) {
		kfree_skb(skb);
		KUNIT_ASSERT_FAILURE(test, "no memory for a kunit resource");
	}
	return skb;
}

/**
 * struct layout - how a packet is laid out in its skb
 * @linear: bytes in the linear area; 0 for all of them
 * @nfrags: page fragments the rest is spread over
 * @summed: CHECKSUM_NONE, CHECKSUM_PARTIAL or CHECKSUM_COMPLETE
 */
struct layout {
	unsigned int linear;
	unsigned int nfrags;
	u8 summed;
};

/*
 * The @len bytes of @flat laid out as @lo, network header first, the
 * transport header (@proto's) at @thoff, skb->protocol @ethertype.
 */
static struct sk_buff *layout_skb(struct kunit *test, const u8 *flat,
				  unsigned int len, unsigned int thoff,
				  u8 proto, __be16 ethertype,
				  const struct layout *lo)
{
	unsigned int lin = lo->linear ? min(lo->linear, len) : len;
	unsigned int rest = len - lin, i;
	struct sk_buff *skb;

	KUNIT_ASSERT_TRUE(test, !rest || lo->nfrags);
	skb = skb_track(test, alloc_skb(HEADROOM + lin, GFP_KERNEL));
	skb_reserve(skb, HEADROOM);
	skb_put_data(skb, flat, lin);
	for (i = 0; rest; i++) {
		unsigned int chunk = i + 1 == lo->nfrags ? rest :
				     rest / (lo->nfrags - i);
		struct page *page = alloc_page(GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, page);
		KUNIT_ASSERT_LE(test, FRAG_OFF + chunk, (unsigned int)PAGE_SIZE);
		memcpy(page_address(page) + FRAG_OFF, flat + len - rest, chunk);
		skb_add_rx_frag(skb, i, page, FRAG_OFF, chunk, PAGE_SIZE);
		rest -= chunk;
	}
	KUNIT_ASSERT_EQ(test, skb->len, len);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, thoff);
	skb->protocol = ethertype;
	skb->ip_summed = lo->summed;
	if (lo->summed == CHECKSUM_PARTIAL) {
		KUNIT_ASSERT_LE(test, thoff + l4_hlen(proto), lin);
		skb->csum_start = skb_headroom(skb) + thoff;
		skb->csum_offset = proto == IPPROTO_TCP ?
			offsetof(struct tcphdr, check) :
			offsetof(struct udphdr, check);
	} else if (lo->summed == CHECKSUM_COMPLETE) {
		skb->csum = csum_partial(flat, len, 0);
	}
	return skb;
}

static struct sk_buff *pkt_skb_from(struct kunit *test, const u8 *flat,
				    const struct pkt_spec *ps,
				    const struct layout *lo)
{
	return layout_skb(test, flat, pkt_len(ps), ip_hlen(ps), ps->proto,
			  htons(ETH_P_IP), lo);
}

static struct sk_buff *pkt_skb(struct kunit *test, const struct pkt_spec *ps,
				 const struct layout *lo)
{
	return pkt_skb_from(test, build_flat(test, ps, lo->summed), ps, lo);
}

/* All of the packet's bytes, wherever they are. */
static u8 *skb_bytes(struct kunit *test, const struct sk_buff *skb)
{
	u8 *buf = kunit_kmalloc(test, skb->len ?: 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, buf, skb->len), 0);
	return buf;
}

/* The first byte that differs ends the case, naming the packet. */
static void assert_bytes(struct kunit *test, const u8 *got, const u8 *want,
			 unsigned int len, const char *what, const char *desc)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		if (got[i] != want[i])
			KUNIT_ASSERT_FAILURE(test, "%s: %s: byte %u is 0x%02x, want 0x%02x",
					     desc, what, i, got[i], want[i]);
}

/* Parse, then rewrite with what the parse found, as the packet path does;
 * the parse's error if it fails.
 */
static int parse_rewrite(struct sk_buff *skb, __be32 saddr, __be16 sport,
			 __be32 daddr, __be16 dport)
{
	struct l4lb_l4 l4;
	int err;

	err = l4lb_nat_parse(skb, &l4);
	if (err)
		return err;
	return l4lb_nat_rewrite(skb, &l4, saddr, sport, daddr, dport);
}

static int rewrite_to(struct sk_buff *skb, const struct pkt_spec *to)
{
	return parse_rewrite(skb, to->saddr, to->sport, to->daddr, to->dport);
}

/* --- checking rewritten packets ------------------------------------------ */

/* The transport checksum verifies: the sum over the pseudo-header and the
 * whole segment, check field included, is 0.
 */
static void assert_l4_csum_valid(struct kunit *test, struct sk_buff *skb,
				 const struct pkt_spec *ps, const char *desc)
{
	unsigned int thoff = ip_hlen(ps), l4len = skb->len - thoff;
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	__wsum seg = skb_checksum(skb, thoff, l4len, 0);
	u16 verify = c16(csum_tcpudp_magic(iph->saddr, iph->daddr, l4len,
					   ps->proto, seg));

	KUNIT_ASSERT_EQ_MSG(test, verify, 0,
			    "%s: the transport checksum does not verify", desc);
}

/* @skb must be exactly the packet @want, checksums right for its
 * ip_summed; the first difference ends the case.
 */
static void assert_packet(struct kunit *test, struct sk_buff *skb,
			  const struct pkt_spec *want, const char *desc)
{
	unsigned int len = pkt_len(want), thoff = ip_hlen(want);
	unsigned int l4len = len - thoff;
	const struct iphdr *iph;
	const u8 *ref, *got;
	u16 check;

	KUNIT_ASSERT_EQ_MSG(test, skb->len, len, "%s", desc);
	/* The headers were made writable, so they are linear now. */
	KUNIT_ASSERT_GE_MSG(test, skb_headlen(skb), thoff + l4_hlen(want->proto),
			    "%s", desc);
	iph = (const struct iphdr *)skb_network_header(skb);
	got = skb_bytes(test, skb);

	KUNIT_ASSERT_EQ_MSG(test, ntohl(iph->saddr), ntohl(want->saddr), "%s", desc);
	KUNIT_ASSERT_EQ_MSG(test, ntohl(iph->daddr), ntohl(want->daddr), "%s", desc);
	KUNIT_ASSERT_EQ_MSG(test, ntohs(((const __be16 *)(got + thoff))[0]),
			    ntohs(want->sport), "%s", desc);
	KUNIT_ASSERT_EQ_MSG(test, ntohs(((const __be16 *)(got + thoff))[1]),
			    ntohs(want->dport), "%s", desc);
	KUNIT_ASSERT_EQ_MSG(test, c16(ip_fast_csum(iph, iph->ihl)), 0,
			    "%s: the IP header checksum does not verify", desc);

	check = c16(*l4_check((u8 *)got + thoff, want->proto));
	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		u16 pseudo = c16(~csum_tcpudp_magic(want->saddr, want->daddr,
						    l4len, want->proto, 0));

		KUNIT_ASSERT_EQ_MSG(test, check, pseudo,
				    "%s: check is not the pseudo-header sum", desc);
		ref = build_flat(test, want, CHECKSUM_PARTIAL);
	} else {
		if (want->proto == IPPROTO_UDP && want->udp_nocsum)
			KUNIT_ASSERT_EQ_MSG(test, check, 0,
					    "%s: a zero UDP checksum changed", desc);
		else
			assert_l4_csum_valid(test, skb, want, desc);
		ref = build_flat(test, want, CHECKSUM_NONE);
	}
	/* From scratch: the same bytes, checksums included. */
	assert_bytes(test, got, ref, len, "differs from the packet built anew",
		     desc);

	if (skb->ip_summed == CHECKSUM_COMPLETE)
		KUNIT_ASSERT_EQ_MSG(test, c16(csum_fold(skb->csum)),
				    c16(csum_fold(csum_partial(ref, len, 0))),
				    "%s: skb->csum does not cover the new packet",
				    desc);
}

static const char *summed_name(u8 summed)
{
	switch (summed) {
	case CHECKSUM_NONE:
		return "CHECKSUM_NONE";
	case CHECKSUM_PARTIAL:
		return "CHECKSUM_PARTIAL";
	case CHECKSUM_COMPLETE:
		return "CHECKSUM_COMPLETE";
	default:
		return "CHECKSUM_UNNECESSARY";
	}
}

/* "TCP 198.51.100.10:40000 > 192.0.2.1:80 => 192.0.2.2:50001 > ...,
 * 100 payload bytes, 40 linear + frags, CHECKSUM_NONE"
 */
static const char *describe(struct kunit *test, const struct pkt_spec *from,
			    const struct pkt_spec *to, const struct layout *lo)
{
	char *buf = kunit_kzalloc(test, 192, GFP_KERNEL);

	if (!buf)
		return "?";
	snprintf(buf, 192,
		 "%s%s %pI4:%u > %pI4:%u => %pI4:%u > %pI4:%u, %u payload bytes, %u %s, %s",
		 from->proto == IPPROTO_TCP ? "TCP" : "UDP",
		 from->udp_nocsum ? " (no checksum)" : "",
		 &from->saddr, ntohs(from->sport), &from->daddr,
		 ntohs(from->dport), &to->saddr, ntohs(to->sport), &to->daddr,
		 ntohs(to->dport), from->plen,
		 lo->linear ?: pkt_len(from), lo->nfrags ? "linear + frags" : "linear",
		 summed_name(lo->summed));
	return buf;
}

/*
 * Lay @from out as @lo, check that parsing reads its ports, rewrite it to
 * @to and check the result; rewrite it back and expect the original bytes;
 * for CHECKSUM_PARTIAL, rewrite it again and let skb_checksum_help() finish
 * the checksum as a device would.
 */
static void rewrite_and_check(struct kunit *test, const struct pkt_spec *from,
			      const struct pkt_spec *to,
			      const struct layout *lo)
{
	const char *desc = describe(test, from, to, lo);
	const u8 *orig = build_flat(test, from, lo->summed);
	struct sk_buff *skb = pkt_skb_from(test, orig, from, lo);
	struct page *pages[MAX_SKB_FRAGS];
	unsigned int nr_frags, i;
	struct l4lb_l4 l4 = {};

	KUNIT_ASSERT_EQ_MSG(test, l4lb_nat_parse(skb, &l4), 0, "%s", desc);
	KUNIT_EXPECT_EQ_MSG(test, ntohs(l4.sport), ntohs(from->sport), "%s", desc);
	KUNIT_EXPECT_EQ_MSG(test, ntohs(l4.dport), ntohs(from->dport), "%s", desc);
	KUNIT_EXPECT_EQ_MSG(test, l4.tcp_flags,
			    from->proto == IPPROTO_TCP ? TCPHDR_ACK | TCPHDR_PSH : 0,
			    "%s", desc);

	nr_frags = skb_shinfo(skb)->nr_frags;
	for (i = 0; i < nr_frags; i++)
		pages[i] = skb_frag_page(&skb_shinfo(skb)->frags[i]);

	KUNIT_ASSERT_EQ_MSG(test, rewrite_to(skb, to), 0, "%s", desc);
	assert_packet(test, skb, to, desc);
	KUNIT_EXPECT_EQ_MSG(test, (u8)skb->ip_summed, lo->summed, "%s", desc);

	/* Back: the original bytes exactly (incremental updates are exact). */
	KUNIT_ASSERT_EQ_MSG(test, rewrite_to(skb, from), 0, "%s", desc);
	assert_bytes(test, skb_bytes(test, skb), orig, skb->len,
		     "the round trip changed the packet", desc);
	if (lo->summed == CHECKSUM_COMPLETE)
		KUNIT_EXPECT_EQ_MSG(test, c16(csum_fold(skb->csum)),
				    c16(csum_fold(csum_partial(orig, skb->len, 0))),
				    "%s: skb->csum after the round trip", desc);

	/* The payload in fragments was not copied (not made writable) unless
	 * it held headers.
	 */
	if (!lo->linear || lo->linear >= ip_hlen(from) + l4_hlen(from->proto)) {
		KUNIT_EXPECT_EQ_MSG(test, skb_shinfo(skb)->nr_frags, nr_frags,
				    "%s", desc);
		for (i = 0; i < nr_frags && i < skb_shinfo(skb)->nr_frags; i++)
			KUNIT_EXPECT_PTR_EQ_MSG(test,
						skb_frag_page(&skb_shinfo(skb)->frags[i]),
						pages[i], "%s: fragment %u copied",
						desc, i);
	}

	if (lo->summed == CHECKSUM_PARTIAL) {
		KUNIT_ASSERT_EQ_MSG(test, rewrite_to(skb, to), 0, "%s", desc);
		KUNIT_ASSERT_EQ_MSG(test, skb_checksum_help(skb), 0, "%s", desc);
		KUNIT_EXPECT_EQ(test, (u8)skb->ip_summed, CHECKSUM_NONE);
		assert_packet(test, skb, to, desc);
	}
}

/* Client -> VIP becomes SNAT -> backend; backend -> SNAT becomes
 * VIP -> client.
 */
static void both_directions(struct kunit *test, u8 proto, unsigned int plen,
			    const struct layout *lo)
{
	struct pkt_spec a = client_to_vip(proto, plen);
	struct pkt_spec b = snat_to_backend(proto, plen);
	struct pkt_spec c = backend_to_snat(proto, plen);
	struct pkt_spec d = vip_to_client(proto, plen);

	rewrite_and_check(test, &a, &b, lo);
	rewrite_and_check(test, &c, &d, lo);
}

/* --- rewrite cases --------------------------------------------------------- */

static void nat_tcp_linear_rewrite_fixes_both_checksums(struct kunit *test)
{
	const struct layout lo = { .summed = CHECKSUM_NONE };

	both_directions(test, IPPROTO_TCP, 100, &lo);
	both_directions(test, IPPROTO_TCP, 1, &lo);
}

static void nat_udp_linear_rewrite_fixes_both_checksums(struct kunit *test)
{
	const struct layout lo = { .summed = CHECKSUM_NONE };

	both_directions(test, IPPROTO_UDP, 100, &lo);
	both_directions(test, IPPROTO_UDP, 3, &lo);
}

static void nat_small_and_odd_payloads_keep_checksums_right(struct kunit *test)
{
	static const unsigned int plens[] = { 0, 1, 2, 3, 5, 63, 64, 65, 1459 };
	const struct layout lin = { .summed = CHECKSUM_NONE };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(plens); i++) {
		both_directions(test, IPPROTO_TCP, plens[i], &lin);
		both_directions(test, IPPROTO_UDP, plens[i], &lin);
		if (plens[i]) {
			const struct layout tcp_nl = { .linear = 40, .nfrags = 1,
						       .summed = CHECKSUM_NONE };
			const struct layout udp_nl = { .linear = 28, .nfrags = 1,
						       .summed = CHECKSUM_NONE };

			both_directions(test, IPPROTO_TCP, plens[i], &tcp_nl);
			both_directions(test, IPPROTO_UDP, plens[i], &udp_nl);
		}
	}
}

static void nat_tcp_payload_in_page_frags_rewrite_fixes_checksums(struct kunit *test)
{
	const struct layout lo = { .linear = 40, .nfrags = 3,
				   .summed = CHECKSUM_NONE };

	both_directions(test, IPPROTO_TCP, 1001, &lo);
}

static void nat_udp_payload_in_page_frags_rewrite_fixes_checksums(struct kunit *test)
{
	const struct layout lo = { .linear = 28, .nfrags = 2,
				   .summed = CHECKSUM_NONE };

	both_directions(test, IPPROTO_UDP, 777, &lo);
}

static void nat_transport_header_in_a_frag_is_pulled_and_fixed(struct kunit *test)
{
	/* Only the IP header linear; then the TCP header split between the
	 * linear area and a fragment; then the UDP header in a fragment.
	 */
	const struct layout ip_only = { .linear = 20, .nfrags = 2,
					.summed = CHECKSUM_NONE };
	const struct layout split = { .linear = 30, .nfrags = 2,
				      .summed = CHECKSUM_NONE };

	both_directions(test, IPPROTO_TCP, 500, &ip_only);
	both_directions(test, IPPROTO_TCP, 500, &split);
	both_directions(test, IPPROTO_UDP, 500, &ip_only);
	both_directions(test, IPPROTO_UDP, 1, &split);
}

static void nat_tcp_checksum_partial_keeps_pseudo_header_sum(struct kunit *test)
{
	const struct layout lin = { .summed = CHECKSUM_PARTIAL };
	const struct layout frags = { .linear = 40, .nfrags = 2,
				      .summed = CHECKSUM_PARTIAL };

	both_directions(test, IPPROTO_TCP, 500, &lin);
	both_directions(test, IPPROTO_TCP, 1400, &frags);
	both_directions(test, IPPROTO_TCP, 0, &lin);
}

static void nat_udp_checksum_partial_keeps_pseudo_header_sum(struct kunit *test)
{
	const struct layout lin = { .summed = CHECKSUM_PARTIAL };
	const struct layout frags = { .linear = 28, .nfrags = 2,
				      .summed = CHECKSUM_PARTIAL };

	both_directions(test, IPPROTO_UDP, 500, &lin);
	both_directions(test, IPPROTO_UDP, 1401, &frags);
}

static void nat_checksum_complete_skb_csum_follows_the_rewrite(struct kunit *test)
{
	const struct layout lin = { .summed = CHECKSUM_COMPLETE };
	const struct layout frags = { .linear = 40, .nfrags = 2,
				      .summed = CHECKSUM_COMPLETE };

	both_directions(test, IPPROTO_TCP, 333, &lin);
	both_directions(test, IPPROTO_TCP, 999, &frags);
	both_directions(test, IPPROTO_UDP, 333, &lin);
	both_directions(test, IPPROTO_UDP, 999, &frags);
}

static void nat_ip_options_are_skipped(struct kunit *test)
{
	const struct layout lin = { .summed = CHECKSUM_NONE };
	const struct layout frags = { .linear = 48, .nfrags = 1,
				      .summed = CHECKSUM_NONE };
	struct pkt_spec a = client_to_vip(IPPROTO_TCP, 200);
	struct pkt_spec b = snat_to_backend(IPPROTO_TCP, 200);

	a.opt = b.opt = 8;
	rewrite_and_check(test, &a, &b, &lin);
	rewrite_and_check(test, &a, &b, &frags);
	a = client_to_vip(IPPROTO_UDP, 200);
	b = snat_to_backend(IPPROTO_UDP, 200);
	a.opt = b.opt = 40;	/* the largest IP header, ihl 15 */
	rewrite_and_check(test, &a, &b, &lin);
}

static void nat_udp_zero_checksum_stays_zero(struct kunit *test)
{
	const struct layout lin = { .summed = CHECKSUM_NONE };
	const struct layout frags = { .linear = 28, .nfrags = 2,
				      .summed = CHECKSUM_NONE };
	struct pkt_spec a = client_to_vip(IPPROTO_UDP, 300);
	struct pkt_spec b = snat_to_backend(IPPROTO_UDP, 300);
	struct pkt_spec c = backend_to_snat(IPPROTO_UDP, 300);
	struct pkt_spec d = vip_to_client(IPPROTO_UDP, 300);

	a.udp_nocsum = b.udp_nocsum = c.udp_nocsum = d.udp_nocsum = true;
	rewrite_and_check(test, &a, &b, &lin);
	rewrite_and_check(test, &c, &d, &lin);
	rewrite_and_check(test, &a, &b, &frags);
	rewrite_and_check(test, &c, &d, &frags);
}

static void nat_udp_checksum_folding_to_zero_is_sent_as_ffff(struct kunit *test)
{
	const struct layout lin = { .summed = CHECKSUM_NONE };
	struct pkt_spec a = client_to_vip(IPPROTO_UDP, 64);
	struct pkt_spec b = snat_to_backend(IPPROTO_UDP, 64);
	unsigned int thoff = ip_hlen(&b), l4len = pkt_len(&b) - thoff;
	struct udphdr *uh;
	__sum16 c0;
	u8 *flat;

	/* Choose the first payload word so that the rewritten packet's
	 * checksum computes to 0, which UDP must send as 0xffff (0 would
	 * mean "no checksum").
	 */
	b.word_set = true;
	b.word = 0;
	flat = build_flat(test, &b, CHECKSUM_NONE);
	uh = (struct udphdr *)(flat + thoff);
	uh->check = 0;
	c0 = csum_tcpudp_magic(b.saddr, b.daddr, l4len, IPPROTO_UDP,
			       csum_partial(uh, l4len, 0));
	a.word_set = true;
	a.word = b.word = (__force __be16)c0;
	flat = build_flat(test, &b, CHECKSUM_NONE);
	uh = (struct udphdr *)(flat + thoff);
	KUNIT_ASSERT_EQ(test, c16(uh->check), c16(CSUM_MANGLED_0));

	rewrite_and_check(test, &a, &b, &lin);
}

static void nat_cloned_skb_is_copied_before_writing(struct kunit *test)
{
	const struct layout lo = { .linear = 40, .nfrags = 1,
				   .summed = CHECKSUM_NONE };
	struct pkt_spec a = client_to_vip(IPPROTO_TCP, 200);
	struct pkt_spec b = snat_to_backend(IPPROTO_TCP, 200);
	const u8 *orig = build_flat(test, &a, CHECKSUM_NONE);
	struct sk_buff *skb = pkt_skb_from(test, orig, &a, &lo);
	struct sk_buff *clone = skb_track(test, skb_clone(skb, GFP_KERNEL));

	const char *desc = describe(test, &a, &b, &lo);

	KUNIT_ASSERT_TRUE(test, skb_cloned(clone));
	KUNIT_ASSERT_EQ(test, rewrite_to(clone, &b), 0);
	assert_packet(test, clone, &b, desc);
	/* The other user of the data (a tap, say) still sees the original. */
	assert_bytes(test, skb_bytes(test, skb), orig, skb->len,
		     "the clone's rewrite wrote into shared data", desc);
}

/* --- parsing ------------------------------------------------------------- */

static void nat_parse_reads_ports_and_tcp_flags(struct kunit *test)
{
	const struct layout lin = { .summed = CHECKSUM_NONE };
	const struct layout ip_only = { .linear = 20, .nfrags = 1,
					.summed = CHECKSUM_NONE };
	struct pkt_spec ps = client_to_vip(IPPROTO_TCP, 10);
	struct l4lb_l4 l4;
	struct tcphdr *th;
	struct sk_buff *skb;
	u8 *flat;

	/* Every flag bit, from the header's byte 13. */
	flat = build_flat(test, &ps, CHECKSUM_NONE);
	th = (struct tcphdr *)(flat + 20);
	th->ack = 0;
	th->psh = 0;
	th->syn = 1;
	th->fin = 1;
	skb = pkt_skb_from(test, flat, &ps, &lin);
	KUNIT_ASSERT_EQ(test, l4lb_nat_parse(skb, &l4), 0);
	KUNIT_EXPECT_EQ(test, ntohs(l4.sport), ntohs(CPORT));
	KUNIT_EXPECT_EQ(test, ntohs(l4.dport), ntohs(VPORT));
	KUNIT_EXPECT_EQ(test, l4.tcp_flags, TCPHDR_SYN | TCPHDR_FIN);

	th->syn = 0;
	th->fin = 0;
	th->rst = 1;
	th->ack = 1;
	skb = pkt_skb_from(test, flat, &ps, &ip_only);	/* in a frag */
	KUNIT_ASSERT_EQ(test, l4lb_nat_parse(skb, &l4), 0);
	KUNIT_EXPECT_EQ(test, l4.tcp_flags, TCPHDR_RST | TCPHDR_ACK);
	KUNIT_EXPECT_EQ(test, ntohs(l4.sport), ntohs(CPORT));

	ps = backend_to_snat(IPPROTO_UDP, 10);
	skb = pkt_skb(test, &ps, &ip_only);
	l4.tcp_flags = 0xff;
	KUNIT_ASSERT_EQ(test, l4lb_nat_parse(skb, &l4), 0);
	KUNIT_EXPECT_EQ(test, ntohs(l4.sport), ntohs(BPORT));
	KUNIT_EXPECT_EQ(test, ntohs(l4.dport), ntohs(SPORT));
	KUNIT_EXPECT_EQ(test, l4.tcp_flags, 0);
}

static void nat_first_fragment_is_accepted_and_rewritten(struct kunit *test)
{
	const struct layout lin = { .summed = CHECKSUM_NONE };
	struct pkt_spec a = client_to_vip(IPPROTO_UDP, 200);
	struct pkt_spec b = snat_to_backend(IPPROTO_UDP, 200);

	/* More fragments follow, offset 0: the ports are here. */
	a.frag_off = b.frag_off = htons(IP_MF);
	rewrite_and_check(test, &a, &b, &lin);
}

/* --- malformed packets ------------------------------------------------ */

/*
 * An skb holding @buflen bytes of @bytes in its linear area of which only
 * the first @len count (skb->len): the rest is there, in the tailroom, but
 * past the end of the packet.
 */
static struct sk_buff *build_truncated(struct kunit *test, const u8 *bytes,
				       unsigned int buflen, unsigned int len)
{
	struct sk_buff *skb = skb_track(test, alloc_skb(HEADROOM + buflen,
							GFP_KERNEL));

	skb_reserve(skb, HEADROOM);
	skb_put_data(skb, bytes, buflen);
	skb_trim(skb, len);
	skb_reset_network_header(skb);
	skb->protocol = htons(ETH_P_IP);
	skb->ip_summed = CHECKSUM_NONE;
	return skb;
}

/* Both functions refuse @skb with @err, and neither changes anything. */
static void expect_refused(struct kunit *test, struct sk_buff *skb, int err,
			   const char *what)
{
	unsigned int buflen = skb_end_pointer(skb) - skb->head;
	unsigned char *head = skb->head, *data = skb->data;
	unsigned int len = skb->len, data_len = skb->data_len;
	struct l4lb_l4 l4 = { .sport = htons(1), .dport = htons(2),
			      .tcp_flags = 3 };
	u8 *before_lin, *before;

	before_lin = kunit_kmalloc(test, buflen, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before_lin);
	memcpy(before_lin, skb->head, buflen);
	before = skb_bytes(test, skb);

	KUNIT_EXPECT_EQ_MSG(test, l4lb_nat_parse(skb, &l4), err, "parse: %s", what);
	KUNIT_EXPECT_EQ_MSG(test, parse_rewrite(skb, SNAT, SPORT, BACKEND, BPORT),
			    err, "rewrite: %s", what);

	/* Nothing moved, nothing written, nothing returned. */
	KUNIT_EXPECT_PTR_EQ(test, skb->head, head);
	KUNIT_EXPECT_PTR_EQ(test, skb->data, data);
	KUNIT_EXPECT_EQ(test, skb->len, len);
	KUNIT_EXPECT_EQ(test, skb->data_len, data_len);
	KUNIT_EXPECT_EQ(test, memcmp(skb->head, before_lin, buflen), 0);
	if (len)
		assert_bytes(test, skb_bytes(test, skb), before, len,
			     "changed", what);
	KUNIT_EXPECT_EQ(test, ntohs(l4.sport), 1);
	KUNIT_EXPECT_EQ(test, ntohs(l4.dport), 2);
	KUNIT_EXPECT_EQ(test, l4.tcp_flags, 3);
}

static void nat_short_ip_header_is_refused_untouched(struct kunit *test)
{
	struct pkt_spec ps = client_to_vip(IPPROTO_TCP, 20);
	const u8 *flat = build_flat(test, &ps, CHECKSUM_NONE);
	static const unsigned int lens[] = { 0, 1, 12, 19 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lens); i++)
		expect_refused(test, build_truncated(test, flat, pkt_len(&ps),
						     lens[i]),
			       -EINVAL, "short IP header");
}

static void nat_ihl_below_5_is_refused_untouched(struct kunit *test)
{
	struct pkt_spec ps = client_to_vip(IPPROTO_TCP, 20);
	u8 *flat = build_flat(test, &ps, CHECKSUM_NONE);
	struct iphdr *iph = (struct iphdr *)flat;
	unsigned int ihl;

	for (ihl = 0; ihl < 5; ihl++) {
		iph->ihl = ihl;
		expect_refused(test, build_truncated(test, flat, pkt_len(&ps),
						     pkt_len(&ps)),
			       -EINVAL, "ihl < 5");
	}
}

static void nat_ihl_past_the_end_is_refused_untouched(struct kunit *test)
{
	/* ihl 15: 60 bytes of IP header, then a TCP header, all valid; the
	 * packet ends inside the options, or one byte short of the end of
	 * the TCP header.
	 */
	struct pkt_spec ps = client_to_vip(IPPROTO_TCP, 20);
	const u8 *flat;

	ps.opt = 40;
	flat = build_flat(test, &ps, CHECKSUM_NONE);
	expect_refused(test, build_truncated(test, flat, pkt_len(&ps), 40),
		       -EINVAL, "ihl past the end");
	expect_refused(test, build_truncated(test, flat, pkt_len(&ps), 60),
		       -EINVAL, "ihl at the end");
	expect_refused(test, build_truncated(test, flat, pkt_len(&ps), 60 + 19),
		       -EINVAL, "TCP header cut after ihl 15");
}

static void nat_transport_header_past_the_end_is_refused_untouched(struct kunit *test)
{
	struct pkt_spec tcp = client_to_vip(IPPROTO_TCP, 20);
	struct pkt_spec udp = client_to_vip(IPPROTO_UDP, 20);
	const u8 *tflat = build_flat(test, &tcp, CHECKSUM_NONE);
	const u8 *uflat = build_flat(test, &udp, CHECKSUM_NONE);
	const struct layout ip_only = { .linear = 20, .nfrags = 1,
					.summed = CHECKSUM_NONE };
	struct sk_buff *skb;
	struct page *page;

	expect_refused(test, build_truncated(test, tflat, pkt_len(&tcp), 20),
		       -EINVAL, "no TCP header");
	expect_refused(test, build_truncated(test, tflat, pkt_len(&tcp), 20 + 19),
		       -EINVAL, "TCP header one byte short");
	expect_refused(test, build_truncated(test, uflat, pkt_len(&udp), 20 + 7),
		       -EINVAL, "UDP header one byte short");
	expect_refused(test, build_truncated(test, uflat, pkt_len(&udp), 20 + 2),
		       -EINVAL, "UDP header cut after the source port");

	/* 20 bytes of IP header linear, then only 10 of the TCP header, in
	 * a page fragment.
	 */
	skb = skb_track(test, alloc_skb(HEADROOM + 20, GFP_KERNEL));
	skb_reserve(skb, HEADROOM);
	skb_put_data(skb, tflat, 20);
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	memcpy(page_address(page), tflat + 20, 20);
	skb_add_rx_frag(skb, 0, page, 0, 10, PAGE_SIZE);
	skb_reset_network_header(skb);
	skb->protocol = htons(ETH_P_IP);
	expect_refused(test, skb, -EINVAL, "TCP header cut in a fragment");

	/* The same layout with the whole header is fine. */
	KUNIT_EXPECT_EQ(test, l4lb_nat_parse(pkt_skb(test, &tcp, &ip_only),
					     &(struct l4lb_l4){}), 0);
}

static void nat_non_first_fragment_is_refused_untouched(struct kunit *test)
{
	struct pkt_spec ps = client_to_vip(IPPROTO_UDP, 40);
	u8 *flat = build_flat(test, &ps, CHECKSUM_NONE);
	struct iphdr *iph = (struct iphdr *)flat;

	/* Offset 1480 bytes, more to come; then the last fragment. Its
	 * "ports" would be payload bytes.
	 */
	iph->frag_off = htons(IP_MF | 185);
	expect_refused(test, build_truncated(test, flat, pkt_len(&ps),
					     pkt_len(&ps)),
		       -EINVAL, "middle fragment");
	iph->frag_off = htons(185);
	expect_refused(test, build_truncated(test, flat, pkt_len(&ps),
					     pkt_len(&ps)),
		       -EINVAL, "last fragment");
	iph->frag_off = htons(IP_DF | 1);
	expect_refused(test, build_truncated(test, flat, pkt_len(&ps),
					     pkt_len(&ps)),
		       -EINVAL, "fragment at offset 8");
}

static void nat_not_ipv4_is_refused_untouched(struct kunit *test)
{
	struct pkt_spec ps = client_to_vip(IPPROTO_TCP, 20);
	u8 *flat = build_flat(test, &ps, CHECKSUM_NONE);
	struct iphdr *iph = (struct iphdr *)flat;

	iph->version = 6;
	expect_refused(test, build_truncated(test, flat, pkt_len(&ps),
					     pkt_len(&ps)),
		       -EINVAL, "version 6");
	iph->version = 0;
	expect_refused(test, build_truncated(test, flat, pkt_len(&ps),
					     pkt_len(&ps)),
		       -EINVAL, "version 0");
}

static void nat_not_tcp_or_udp_is_eprotonosupport_untouched(struct kunit *test)
{
	struct pkt_spec ps = client_to_vip(IPPROTO_TCP, 20);
	u8 *flat = build_flat(test, &ps, CHECKSUM_NONE);
	struct iphdr *iph = (struct iphdr *)flat;
	static const u8 protos[] = { IPPROTO_ICMP, IPPROTO_SCTP, IPPROTO_GRE,
				     IPPROTO_UDPLITE, 0, 255 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		iph->protocol = protos[i];
		expect_refused(test, build_truncated(test, flat, pkt_len(&ps),
						     pkt_len(&ps)),
			       -EPROTONOSUPPORT, "not TCP or UDP");
	}
}

/* --- ICMP errors --------------------------------------------------------- */

/*
 * An ICMP error from @osaddr to @odaddr quoting the first @qlen bytes of
 * the packet @inner (built whole, with its checksums, then cut), with
 * correct outer IP and ICMP checksums.
 */
struct icmp_spec {
	__be32 osaddr, odaddr;
	u8 type, code;
	struct pkt_spec inner;
	unsigned int qlen;	/* bytes of the inner packet quoted */
};

#define ICMP_OFF	(sizeof(struct iphdr))
#define QUOTE_OFF	(ICMP_OFF + sizeof(struct icmphdr))

static unsigned int icmp_len(const struct icmp_spec *is)
{
	return QUOTE_OFF + is->qlen;
}

static u8 *build_icmp(struct kunit *test, const struct icmp_spec *is)
{
	unsigned int len = icmp_len(is);
	const u8 *inner = build_flat(test, &is->inner, CHECKSUM_NONE);
	struct iphdr *iph;
	struct icmphdr *ih;
	u8 *buf;

	KUNIT_ASSERT_LE(test, is->qlen, pkt_len(&is->inner));
	buf = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	iph = (struct iphdr *)buf;
	iph->version = 4;
	iph->ihl = 5;
	iph->tos = 0xc0;
	iph->tot_len = htons(len);
	iph->id = htons(0x4321);
	iph->ttl = 63;
	iph->protocol = IPPROTO_ICMP;
	iph->saddr = is->osaddr;
	iph->daddr = is->odaddr;
	iph->check = ip_fast_csum(iph, iph->ihl);

	ih = (struct icmphdr *)(buf + ICMP_OFF);
	ih->type = is->type;
	ih->code = is->code;
	if (is->type == ICMP_DEST_UNREACH && is->code == ICMP_FRAG_NEEDED)
		ih->un.frag.mtu = htons(1400);
	memcpy(buf + QUOTE_OFF, inner, is->qlen);
	ih->checksum = ip_compute_csum(ih, len - ICMP_OFF);
	return buf;
}

static struct sk_buff *icmp_skb(struct kunit *test, const u8 *flat,
				unsigned int len, unsigned int linear)
{
	struct sk_buff *skb;

	skb = skb_track(test, alloc_skb(HEADROOM + len, GFP_KERNEL));
	skb_reserve(skb, HEADROOM);
	if (!linear || linear >= len) {
		skb_put_data(skb, flat, len);
	} else {
		struct page *page = alloc_page(GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, page);
		skb_put_data(skb, flat, linear);
		memcpy(page_address(page) + FRAG_OFF, flat + linear, len - linear);
		skb_add_rx_frag(skb, 0, page, FRAG_OFF, len - linear, PAGE_SIZE);
	}
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, ICMP_OFF);
	skb->protocol = htons(ETH_P_IP);
	skb->ip_summed = CHECKSUM_NONE;
	return skb;
}

/* The error the balancer gets about a packet it sent to a backend, and
 * what it must become for the client: the quoted packet restored to what
 * the client sent, the error sent from the VIP to the client.
 */
static void icmp_pair(u8 proto, unsigned int plen, unsigned int qlen,
		      struct icmp_spec *from, struct icmp_spec *to)
{
	*from = (struct icmp_spec){
		.osaddr = IP4(203, 0, 113, 254),	/* a router */
		.odaddr = SNAT,
		.type = ICMP_DEST_UNREACH, .code = ICMP_FRAG_NEEDED,
		.inner = snat_to_backend(proto, plen),
		.qlen = qlen,
	};
	*to = *from;
	to->osaddr = VIP;
	to->odaddr = CLIENT;
	to->inner = client_to_vip(proto, plen);
}

static int icmp_rewrite_to(struct sk_buff *skb, const struct icmp_spec *to)
{
	const struct l4lb_icmp_inner inner = {
		.saddr = to->inner.saddr, .daddr = to->inner.daddr,
		.sport = to->inner.sport, .dport = to->inner.dport,
		.proto = to->inner.proto,
	};

	return l4lb_nat_rewrite_icmp(skb, to->osaddr, to->odaddr, &inner);
}

static void icmp_rewrite_and_check(struct kunit *test,
				   const struct icmp_spec *from,
				   const struct icmp_spec *to,
				   unsigned int linear)
{
	unsigned int len = icmp_len(from);
	const u8 *want = build_icmp(test, to);
	struct sk_buff *skb = icmp_skb(test, build_icmp(test, from), len, linear);
	struct l4lb_icmp_inner in = {};
	const u8 *got;
	char desc[96];

	snprintf(desc, sizeof(desc), "%s, %u of %u quoted bytes, %u linear",
		 from->inner.proto == IPPROTO_TCP ? "TCP" : "UDP", from->qlen,
		 pkt_len(&from->inner), linear ?: len);

	KUNIT_ASSERT_EQ_MSG(test, l4lb_nat_parse_icmp(skb, &in), 0, "%s", desc);
	KUNIT_EXPECT_EQ_MSG(test, ntohl(in.saddr), ntohl(from->inner.saddr), "%s", desc);
	KUNIT_EXPECT_EQ_MSG(test, ntohl(in.daddr), ntohl(from->inner.daddr), "%s", desc);
	KUNIT_EXPECT_EQ_MSG(test, ntohs(in.sport), ntohs(from->inner.sport), "%s", desc);
	KUNIT_EXPECT_EQ_MSG(test, ntohs(in.dport), ntohs(from->inner.dport), "%s", desc);
	KUNIT_EXPECT_EQ_MSG(test, in.proto, from->inner.proto, "%s", desc);

	KUNIT_ASSERT_EQ_MSG(test, icmp_rewrite_to(skb, to), 0, "%s", desc);
	KUNIT_ASSERT_EQ_MSG(test, skb->len, len, "%s", desc);
	got = skb_bytes(test, skb);
	KUNIT_ASSERT_EQ_MSG(test, c16(ip_fast_csum(got, 5)), 0,
			    "%s: the outer IP checksum does not verify", desc);
	KUNIT_ASSERT_EQ_MSG(test, c16(ip_compute_csum(got + ICMP_OFF, len - ICMP_OFF)),
			    0, "%s: the ICMP checksum does not verify", desc);
	KUNIT_ASSERT_EQ_MSG(test, c16(ip_fast_csum(got + QUOTE_OFF, 5)), 0,
			    "%s: the quoted IP checksum does not verify", desc);
	/* From scratch: outer and quoted headers, and the quoted transport
	 * checksum where the quote holds it.
	 */
	assert_bytes(test, got, want, len, "differs from the error built anew",
		     desc);
}

static void icmp_error_quoting_a_whole_tcp_packet_is_translated(struct kunit *test)
{
	struct icmp_spec from, to;

	icmp_pair(IPPROTO_TCP, 30, 20 + 20 + 30, &from, &to);
	icmp_rewrite_and_check(test, &from, &to, 0);
	icmp_rewrite_and_check(test, &from, &to, 40);	/* quote in a frag */
}

static void icmp_error_quoting_8_bytes_of_tcp_is_translated(struct kunit *test)
{
	struct icmp_spec from, to;

	/* The minimum a router quotes: IP header and 8 bytes, the TCP
	 * checksum not among them.
	 */
	icmp_pair(IPPROTO_TCP, 100, 20 + 8, &from, &to);
	icmp_rewrite_and_check(test, &from, &to, 0);
	/* The TCP check field just in the quote, or just not. */
	icmp_pair(IPPROTO_TCP, 100, 20 + 18, &from, &to);
	icmp_rewrite_and_check(test, &from, &to, 0);
	icmp_pair(IPPROTO_TCP, 100, 20 + 16, &from, &to);
	icmp_rewrite_and_check(test, &from, &to, 0);
}

static void icmp_error_quoting_udp_is_translated(struct kunit *test)
{
	struct icmp_spec from, to;

	/* 8 bytes: the whole UDP header, checksum included. */
	icmp_pair(IPPROTO_UDP, 200, 20 + 8, &from, &to);
	icmp_rewrite_and_check(test, &from, &to, 0);
	icmp_pair(IPPROTO_UDP, 200, 20 + 8 + 200, &from, &to);
	icmp_rewrite_and_check(test, &from, &to, 30);
	/* A quoted UDP packet without checksum keeps none. */
	icmp_pair(IPPROTO_UDP, 50, 20 + 8 + 50, &from, &to);
	from.inner.udp_nocsum = to.inner.udp_nocsum = true;
	icmp_rewrite_and_check(test, &from, &to, 0);
}

static void icmp_error_from_the_client_side_is_translated(struct kunit *test)
{
	/* A port unreachable from the client about a packet the balancer
	 * sent it (VIP -> client), going to the backend as the error
	 * about what the backend sent (backend -> SNAT).
	 */
	struct icmp_spec from = {
		.osaddr = CLIENT, .odaddr = VIP,
		.type = ICMP_DEST_UNREACH, .code = ICMP_PORT_UNREACH,
		.inner = vip_to_client(IPPROTO_UDP, 40),
		.qlen = 20 + 8 + 40,
	};
	struct icmp_spec to = from;

	to.osaddr = SNAT;
	to.odaddr = BACKEND;
	to.inner = backend_to_snat(IPPROTO_UDP, 40);
	icmp_rewrite_and_check(test, &from, &to, 0);

	from.type = to.type = ICMP_TIME_EXCEEDED;
	from.code = to.code = ICMP_EXC_TTL;
	icmp_rewrite_and_check(test, &from, &to, 0);
	from.type = to.type = ICMP_PARAMETERPROB;
	from.code = to.code = 0;
	icmp_rewrite_and_check(test, &from, &to, 0);
}

/* Parse and rewrite both refuse @flat with @err and change nothing. */
static void icmp_expect_refused(struct kunit *test, const u8 *flat,
				unsigned int len, int err, const char *what)
{
	struct sk_buff *skb = icmp_skb(test, flat, len, 0);
	const struct l4lb_icmp_inner to = { .saddr = CLIENT, .daddr = VIP,
		.sport = CPORT, .dport = VPORT, .proto = IPPROTO_TCP };
	struct l4lb_icmp_inner in = {};

	KUNIT_EXPECT_EQ_MSG(test, l4lb_nat_parse_icmp(skb, &in), err,
			    "parse: %s", what);
	KUNIT_EXPECT_EQ_MSG(test, l4lb_nat_rewrite_icmp(skb, VIP, CLIENT, &to),
			    err, "rewrite: %s", what);
	KUNIT_ASSERT_EQ(test, skb->len, len);
	assert_bytes(test, skb_bytes(test, skb), flat, len, "changed", what);
}

static void icmp_malformed_or_other_errors_are_refused_untouched(struct kunit *test)
{
	struct icmp_spec is, other;
	u8 *flat;

	icmp_pair(IPPROTO_TCP, 100, 20 + 8, &is, &other);

	/* Quotes too short for the ports, or the quoted IP header. */
	is.qlen = 20 + 3;
	icmp_expect_refused(test, build_icmp(test, &is), icmp_len(&is),
			    -EINVAL, "quote without both ports");
	is.qlen = 19;
	icmp_expect_refused(test, build_icmp(test, &is), icmp_len(&is),
			    -EINVAL, "quote shorter than an IP header");
	is.qlen = 0;
	icmp_expect_refused(test, build_icmp(test, &is), icmp_len(&is),
			    -EINVAL, "nothing quoted");
	/* A quoted header whose ihl points past the quote. */
	is.inner.opt = 40;
	is.qlen = 60;
	icmp_expect_refused(test, build_icmp(test, &is), icmp_len(&is),
			    -EINVAL, "quoted ihl past the end");
	is.inner.opt = 0;
	is.qlen = 20 + 8;

	/* Not an error about TCP or UDP. */
	flat = build_icmp(test, &is);
	flat[QUOTE_OFF + offsetof(struct iphdr, protocol)] = IPPROTO_ICMP;
	icmp_expect_refused(test, flat, icmp_len(&is), -EPROTONOSUPPORT,
			    "quoted ICMP");
	/* Not an error at all. */
	is.type = ICMP_ECHOREPLY;
	is.code = 0;
	icmp_expect_refused(test, build_icmp(test, &is), icmp_len(&is),
			    -EPROTONOSUPPORT, "echo reply");
	is.type = ICMP_REDIRECT;
	icmp_expect_refused(test, build_icmp(test, &is), icmp_len(&is),
			    -EPROTONOSUPPORT, "redirect");
	is.type = ICMP_DEST_UNREACH;

	/* Malformed quoted IP headers. */
	flat = build_icmp(test, &is);
	flat[QUOTE_OFF] = 0x44;	/* version 4, ihl 4 */
	icmp_expect_refused(test, flat, icmp_len(&is), -EINVAL, "quoted ihl 4");
	flat = build_icmp(test, &is);
	flat[QUOTE_OFF] = 0x65;	/* version 6 */
	icmp_expect_refused(test, flat, icmp_len(&is), -EINVAL, "quoted version 6");
	is.inner.frag_off = htons(100);
	icmp_expect_refused(test, build_icmp(test, &is), icmp_len(&is),
			    -EINVAL, "quoted non-first fragment");
	is.inner.frag_off = 0;

	/* A non-first fragment of the error itself. */
	flat = build_icmp(test, &is);
	((struct iphdr *)flat)->frag_off = htons(10);
	icmp_expect_refused(test, flat, icmp_len(&is), -EINVAL,
			    "fragment of an ICMP error");
	/* Not ICMP. */
	flat = build_icmp(test, &is);
	((struct iphdr *)flat)->protocol = IPPROTO_UDP;
	icmp_expect_refused(test, flat, icmp_len(&is), -EINVAL, "not ICMP");
	/* An ICMP header cut short. */
	icmp_expect_refused(test, build_icmp(test, &is), ICMP_OFF + 7, -EINVAL,
			    "ICMP header cut");
}

static struct kunit_case l4lb_nat_icmp_cases[] = {
	KUNIT_CASE(icmp_error_quoting_a_whole_tcp_packet_is_translated),
	KUNIT_CASE(icmp_error_quoting_8_bytes_of_tcp_is_translated),
	KUNIT_CASE(icmp_error_quoting_udp_is_translated),
	KUNIT_CASE(icmp_error_from_the_client_side_is_translated),
	KUNIT_CASE(icmp_malformed_or_other_errors_are_refused_untouched),
	{}
};

static struct kunit_suite l4lb_nat_icmp_suite = {
	.name = "l4lb_nat_icmp",
	.test_cases = l4lb_nat_icmp_cases,
};

static struct kunit_case l4lb_nat_cases[] = {
	KUNIT_CASE(nat_tcp_linear_rewrite_fixes_both_checksums),
	KUNIT_CASE(nat_udp_linear_rewrite_fixes_both_checksums),
	KUNIT_CASE(nat_small_and_odd_payloads_keep_checksums_right),
	KUNIT_CASE(nat_tcp_payload_in_page_frags_rewrite_fixes_checksums),
	KUNIT_CASE(nat_udp_payload_in_page_frags_rewrite_fixes_checksums),
	KUNIT_CASE(nat_transport_header_in_a_frag_is_pulled_and_fixed),
	KUNIT_CASE(nat_tcp_checksum_partial_keeps_pseudo_header_sum),
	KUNIT_CASE(nat_udp_checksum_partial_keeps_pseudo_header_sum),
	KUNIT_CASE(nat_checksum_complete_skb_csum_follows_the_rewrite),
	KUNIT_CASE(nat_ip_options_are_skipped),
	KUNIT_CASE(nat_udp_zero_checksum_stays_zero),
	KUNIT_CASE(nat_udp_checksum_folding_to_zero_is_sent_as_ffff),
	KUNIT_CASE(nat_cloned_skb_is_copied_before_writing),
	KUNIT_CASE(nat_parse_reads_ports_and_tcp_flags),
	KUNIT_CASE(nat_first_fragment_is_accepted_and_rewritten),
	KUNIT_CASE(nat_short_ip_header_is_refused_untouched),
	KUNIT_CASE(nat_ihl_below_5_is_refused_untouched),
	KUNIT_CASE(nat_ihl_past_the_end_is_refused_untouched),
	KUNIT_CASE(nat_transport_header_past_the_end_is_refused_untouched),
	KUNIT_CASE(nat_non_first_fragment_is_refused_untouched),
	KUNIT_CASE(nat_not_ipv4_is_refused_untouched),
	KUNIT_CASE(nat_not_tcp_or_udp_is_eprotonosupport_untouched),
	{}
};

static struct kunit_suite l4lb_nat_suite = {
	.name = "l4lb_nat",
	.test_cases = l4lb_nat_cases,
};

/* --- IPv6: building packets ------------------------------------------------ */

/*
 * An IPv6 packet: the fixed header; then, with @ext, a hop-by-hop options
 * header (8 bytes) and a destination options header (16 bytes), each
 * holding a PadN option; then, with @frag, a fragment header; then TCP or
 * UDP.
 */
struct pkt6_spec {
	u8 proto;
	struct in6_addr saddr, daddr;
	__be16 sport, dport;
	unsigned int plen;	/* payload bytes */
	bool ext;		/* hop-by-hop and destination options */
	bool frag;		/* a fragment header, of @frag_off */
	__be16 frag_off;	/* offset in 8-byte units << 3 | IP6_MF */
	bool udp_nocsum;	/* UDP without checksum (0, RFC 6935) */
	bool word_set;		/* the first payload word is @word */
	__be16 word;
};

#define EXT6_LEN	(8 + 16)
#define FRAG6_LEN	((unsigned int)sizeof(struct frag_hdr))
#define IP6_LEN		((unsigned int)sizeof(struct ipv6hdr))

static struct pkt6_spec client_to_vip6(u8 proto, unsigned int plen)
{
	return (struct pkt6_spec){ .proto = proto, .saddr = CLIENT6,
		.daddr = VIP6, .sport = CPORT, .dport = VPORT, .plen = plen };
}

static struct pkt6_spec snat_to_backend6(u8 proto, unsigned int plen)
{
	return (struct pkt6_spec){ .proto = proto, .saddr = SNAT6,
		.daddr = BACKEND6, .sport = SPORT, .dport = BPORT,
		.plen = plen };
}

static struct pkt6_spec backend_to_snat6(u8 proto, unsigned int plen)
{
	return (struct pkt6_spec){ .proto = proto, .saddr = BACKEND6,
		.daddr = SNAT6, .sport = BPORT, .dport = SPORT, .plen = plen };
}

static struct pkt6_spec vip_to_client6(u8 proto, unsigned int plen)
{
	return (struct pkt6_spec){ .proto = proto, .saddr = VIP6,
		.daddr = CLIENT6, .sport = VPORT, .dport = CPORT,
		.plen = plen };
}

static unsigned int ip6_hlen(const struct pkt6_spec *ps)
{
	return IP6_LEN + (ps->ext ? EXT6_LEN : 0) + (ps->frag ? FRAG6_LEN : 0);
}

static unsigned int pkt6_len(const struct pkt6_spec *ps)
{
	return ip6_hlen(ps) + l4_hlen(ps->proto) + ps->plen;
}

/*
 * The IPv6 header of a packet of @len bytes at @buf, and the extension
 * headers @ext and @frag (see struct pkt6_spec) after it, the last of
 * them naming @proto. Return: the length of them all.
 */
static unsigned int put_ip6(u8 *buf, const struct in6_addr *saddr,
			    const struct in6_addr *daddr, unsigned int len,
			    bool ext, bool frag, __be16 frag_off, u8 proto)
{
	struct ipv6hdr *ip6h = (struct ipv6hdr *)buf;
	unsigned int off = IP6_LEN;
	u8 *nexthdr = &ip6h->nexthdr;

	ip6h->version = 6;
	ip6h->priority = 1;
	ip6h->flow_lbl[0] = 0x0a;
	ip6h->flow_lbl[1] = 0xbc;
	ip6h->flow_lbl[2] = 0xde;
	ip6h->payload_len = htons(len - IP6_LEN);
	ip6h->hop_limit = 64;
	ip6h->saddr = *saddr;
	ip6h->daddr = *daddr;
	if (ext) {
		/* Hop-by-hop: 8 bytes (length field 0), PadN of 4 + 2. */
		*nexthdr = NEXTHDR_HOP;
		nexthdr = buf + off;
		buf[off + 1] = 0;
		buf[off + 2] = IPV6_TLV_PADN;
		buf[off + 3] = 4;
		off += 8;
		/* Destination options: 16 bytes (length 1), PadN of 12 + 2. */
		*nexthdr = NEXTHDR_DEST;
		nexthdr = buf + off;
		buf[off + 1] = 1;
		buf[off + 2] = IPV6_TLV_PADN;
		buf[off + 3] = 12;
		off += 16;
	}
	if (frag) {
		struct frag_hdr *fh = (struct frag_hdr *)(buf + off);

		*nexthdr = NEXTHDR_FRAGMENT;
		nexthdr = &fh->nexthdr;
		fh->frag_off = frag_off;
		fh->identification = htonl(0x6a6b6c6d);
		off += FRAG6_LEN;
	}
	*nexthdr = proto;
	return off;
}

/* The transport checksum of a segment of @ps, from scratch: @sum is the
 * sum of its bytes (check field 0, or 0 for the pseudo-header sum alone).
 */
static __sum16 csum6(const struct pkt6_spec *ps, unsigned int l4len,
		     __wsum sum)
{
	return csum_ipv6_magic(&ps->saddr, &ps->daddr, l4len, ps->proto, sum);
}

/* As build_flat(), for IPv6. */
static u8 *build_flat6(struct kunit *test, const struct pkt6_spec *ps,
		       u8 summed)
{
	unsigned int len = pkt6_len(ps), thoff, l4len;
	__sum16 *check;
	u8 *buf, *l4;

	buf = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	thoff = put_ip6(buf, &ps->saddr, &ps->daddr, len, ps->ext, ps->frag,
			ps->frag_off, ps->proto);
	KUNIT_ASSERT_EQ(test, thoff, ip6_hlen(ps));
	l4 = buf + thoff;
	l4len = len - thoff;
	fill_l4(l4, ps->proto, ps->sport, ps->dport, l4len, ps->word_set,
		ps->word);
	check = l4_check(l4, ps->proto);
	if (summed == CHECKSUM_PARTIAL) {
		*check = ~csum6(ps, l4len, 0);
	} else if (!(ps->proto == IPPROTO_UDP && ps->udp_nocsum)) {
		*check = csum6(ps, l4len, csum_partial(l4, l4len, 0));
		if (ps->proto == IPPROTO_UDP && !*check)
			*check = CSUM_MANGLED_0;
	}
	return buf;
}

static struct sk_buff *pkt6_skb_from(struct kunit *test, const u8 *flat,
				     const struct pkt6_spec *ps,
				     const struct layout *lo)
{
	return layout_skb(test, flat, pkt6_len(ps), ip6_hlen(ps), ps->proto,
			  htons(ETH_P_IPV6), lo);
}

static struct sk_buff *pkt6_skb(struct kunit *test,
				const struct pkt6_spec *ps,
				const struct layout *lo)
{
	return pkt6_skb_from(test, build_flat6(test, ps, lo->summed), ps, lo);
}

static int parse_rewrite6(struct sk_buff *skb, const struct in6_addr *saddr,
			  __be16 sport, const struct in6_addr *daddr,
			  __be16 dport)
{
	struct l4lb_l4 l4;
	int err;

	err = l4lb_nat6_parse(skb, &l4);
	if (err)
		return err;
	return l4lb_nat6_rewrite(skb, &l4, saddr, sport, daddr, dport);
}

static int rewrite6_to(struct sk_buff *skb, const struct pkt6_spec *to)
{
	return parse_rewrite6(skb, &to->saddr, to->sport, &to->daddr,
			      to->dport);
}

/* --- IPv6: checking rewritten packets ------------------------------------ */

/*
 * The transport checksum of @got (the packet's bytes), as @want says, is
 * the one computed from scratch: csum_ipv6_magic() over the pseudo-header
 * and the segment with its check field 0; 0xffff for a UDP sum of 0.
 */
static void assert_l4_csum6_from_scratch(struct kunit *test, const u8 *got,
					 const struct pkt6_spec *want,
					 const char *desc)
{
	unsigned int thoff = ip6_hlen(want), l4len = pkt6_len(want) - thoff;
	const struct ipv6hdr *ip6h = (const struct ipv6hdr *)got;
	u8 *seg = kunit_kmalloc(test, l4len, GFP_KERNEL);
	u16 check, scratch;

	KUNIT_ASSERT_NOT_NULL(test, seg);
	memcpy(seg, got + thoff, l4len);
	check = c16(*l4_check(seg, want->proto));
	*l4_check(seg, want->proto) = 0;
	scratch = c16(csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, l4len,
				      want->proto, csum_partial(seg, l4len, 0)));
	if (want->proto == IPPROTO_UDP && !scratch)
		scratch = c16(CSUM_MANGLED_0);
	KUNIT_ASSERT_EQ_MSG(test, check, scratch,
			    "%s: the transport checksum is not the one computed from scratch",
			    desc);
}

/* As assert_packet(), for IPv6. */
static void assert_packet6(struct kunit *test, struct sk_buff *skb,
			   const struct pkt6_spec *want, const char *desc)
{
	unsigned int len = pkt6_len(want), thoff = ip6_hlen(want);
	unsigned int l4len = len - thoff;
	const struct ipv6hdr *ip6h;
	const u8 *ref, *got;
	u16 check;

	KUNIT_ASSERT_EQ_MSG(test, skb->len, len, "%s", desc);
	KUNIT_ASSERT_GE_MSG(test, skb_headlen(skb),
			    thoff + l4_hlen(want->proto), "%s", desc);
	got = skb_bytes(test, skb);
	ip6h = (const struct ipv6hdr *)got;

	KUNIT_ASSERT_TRUE_MSG(test, ipv6_addr_equal(&ip6h->saddr, &want->saddr),
			      "%s: source %pI6c", desc, &ip6h->saddr);
	KUNIT_ASSERT_TRUE_MSG(test, ipv6_addr_equal(&ip6h->daddr, &want->daddr),
			      "%s: destination %pI6c", desc, &ip6h->daddr);
	KUNIT_ASSERT_EQ_MSG(test, ntohs(((const __be16 *)(got + thoff))[0]),
			    ntohs(want->sport), "%s", desc);
	KUNIT_ASSERT_EQ_MSG(test, ntohs(((const __be16 *)(got + thoff))[1]),
			    ntohs(want->dport), "%s", desc);

	check = c16(*l4_check((u8 *)got + thoff, want->proto));
	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		KUNIT_ASSERT_EQ_MSG(test, check, c16(~csum6(want, l4len, 0)),
				    "%s: check is not the pseudo-header sum", desc);
		ref = build_flat6(test, want, CHECKSUM_PARTIAL);
	} else {
		if (want->proto == IPPROTO_UDP && want->udp_nocsum) {
			KUNIT_ASSERT_EQ_MSG(test, check, 0,
					    "%s: a zero UDP checksum changed", desc);
		} else {
			assert_l4_csum6_from_scratch(test, got, want, desc);
			/* And it verifies where the packet lies. */
			KUNIT_ASSERT_EQ_MSG(test,
					    c16(csum6(want, l4len,
						      skb_checksum(skb, thoff,
								   l4len, 0))),
					    0, "%s: the checksum does not verify",
					    desc);
		}
		ref = build_flat6(test, want, CHECKSUM_NONE);
	}
	assert_bytes(test, got, ref, len, "differs from the packet built anew",
		     desc);

	if (skb->ip_summed == CHECKSUM_COMPLETE)
		KUNIT_ASSERT_EQ_MSG(test, c16(csum_fold(skb->csum)),
				    c16(csum_fold(csum_partial(ref, len, 0))),
				    "%s: skb->csum does not cover the new packet",
				    desc);
}

/* "TCP [2001:db8:5100::10]:40000 > [2001:db8::1]:80 => ..., +ext, ..." */
static const char *describe6(struct kunit *test, const struct pkt6_spec *from,
			     const struct pkt6_spec *to,
			     const struct layout *lo)
{
	char *buf = kunit_kzalloc(test, 256, GFP_KERNEL);

	if (!buf)
		return "?";
	snprintf(buf, 256,
		 "%s%s%s%s [%pI6c]:%u > [%pI6c]:%u => [%pI6c]:%u > [%pI6c]:%u, %u payload bytes, %u %s, %s",
		 from->proto == IPPROTO_TCP ? "TCP" : "UDP",
		 from->udp_nocsum ? " (no checksum)" : "",
		 from->ext ? " after options" : "",
		 from->frag ? " in a fragment" : "",
		 &from->saddr, ntohs(from->sport), &from->daddr,
		 ntohs(from->dport), &to->saddr, ntohs(to->sport), &to->daddr,
		 ntohs(to->dport), from->plen,
		 lo->linear ?: pkt6_len(from),
		 lo->nfrags ? "linear + frags" : "linear",
		 summed_name(lo->summed));
	return buf;
}

/* As rewrite_and_check(), for IPv6. */
static void rewrite6_and_check(struct kunit *test,
			       const struct pkt6_spec *from,
			       const struct pkt6_spec *to,
			       const struct layout *lo)
{
	const char *desc = describe6(test, from, to, lo);
	const u8 *orig = build_flat6(test, from, lo->summed);
	struct sk_buff *skb = pkt6_skb_from(test, orig, from, lo);
	unsigned int thoff = ip6_hlen(from), nr_frags, i;
	struct page *pages[MAX_SKB_FRAGS];
	struct l4lb_l4 l4 = {};

	KUNIT_ASSERT_EQ_MSG(test, l4lb_nat6_parse(skb, &l4), 0, "%s", desc);
	KUNIT_EXPECT_EQ_MSG(test, l4.thoff, thoff, "%s", desc);
	KUNIT_EXPECT_EQ_MSG(test, l4.proto, from->proto, "%s", desc);
	KUNIT_EXPECT_EQ_MSG(test, ntohs(l4.sport), ntohs(from->sport), "%s", desc);
	KUNIT_EXPECT_EQ_MSG(test, ntohs(l4.dport), ntohs(from->dport), "%s", desc);
	KUNIT_EXPECT_EQ_MSG(test, l4.tcp_flags,
			    from->proto == IPPROTO_TCP ? TCPHDR_ACK | TCPHDR_PSH : 0,
			    "%s", desc);

	nr_frags = skb_shinfo(skb)->nr_frags;
	for (i = 0; i < nr_frags; i++)
		pages[i] = skb_frag_page(&skb_shinfo(skb)->frags[i]);

	KUNIT_ASSERT_EQ_MSG(test, rewrite6_to(skb, to), 0, "%s", desc);
	assert_packet6(test, skb, to, desc);
	KUNIT_EXPECT_EQ_MSG(test, (u8)skb->ip_summed, lo->summed, "%s", desc);

	KUNIT_ASSERT_EQ_MSG(test, rewrite6_to(skb, from), 0, "%s", desc);
	assert_bytes(test, skb_bytes(test, skb), orig, skb->len,
		     "the round trip changed the packet", desc);
	if (lo->summed == CHECKSUM_COMPLETE)
		KUNIT_EXPECT_EQ_MSG(test, c16(csum_fold(skb->csum)),
				    c16(csum_fold(csum_partial(orig, skb->len, 0))),
				    "%s: skb->csum after the round trip", desc);

	if (!lo->linear || lo->linear >= thoff + l4_hlen(from->proto)) {
		KUNIT_EXPECT_EQ_MSG(test, skb_shinfo(skb)->nr_frags, nr_frags,
				    "%s", desc);
		for (i = 0; i < nr_frags && i < skb_shinfo(skb)->nr_frags; i++)
			KUNIT_EXPECT_PTR_EQ_MSG(test,
						skb_frag_page(&skb_shinfo(skb)->frags[i]),
						pages[i], "%s: fragment %u copied",
						desc, i);
	}

	if (lo->summed == CHECKSUM_PARTIAL) {
		KUNIT_ASSERT_EQ_MSG(test, rewrite6_to(skb, to), 0, "%s", desc);
		KUNIT_ASSERT_EQ_MSG(test, skb_checksum_help(skb), 0, "%s", desc);
		KUNIT_EXPECT_EQ(test, (u8)skb->ip_summed, CHECKSUM_NONE);
		assert_packet6(test, skb, to, desc);
	}
}

/* Both directions of a connection, the packets as @tmpl says but for the
 * addresses and ports.
 */
static void both_directions6(struct kunit *test, const struct pkt6_spec *tmpl,
			     const struct layout *lo)
{
	struct pkt6_spec a = client_to_vip6(tmpl->proto, tmpl->plen);
	struct pkt6_spec b = snat_to_backend6(tmpl->proto, tmpl->plen);
	struct pkt6_spec c = backend_to_snat6(tmpl->proto, tmpl->plen);
	struct pkt6_spec d = vip_to_client6(tmpl->proto, tmpl->plen);
	struct pkt6_spec *all[] = { &a, &b, &c, &d };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(all); i++) {
		all[i]->ext = tmpl->ext;
		all[i]->frag = tmpl->frag;
		all[i]->frag_off = tmpl->frag_off;
		all[i]->udp_nocsum = tmpl->udp_nocsum;
	}
	rewrite6_and_check(test, &a, &b, lo);
	rewrite6_and_check(test, &c, &d, lo);
}

static void both6(struct kunit *test, u8 proto, unsigned int plen,
		  const struct layout *lo)
{
	const struct pkt6_spec tmpl = { .proto = proto, .plen = plen };

	both_directions6(test, &tmpl, lo);
}

/* --- IPv6: rewrite cases ---------------------------------------------------- */

static void nat6_tcp_linear_rewrite_checksum_equals_from_scratch(struct kunit *test)
{
	const struct layout lo = { .summed = CHECKSUM_NONE };

	both6(test, IPPROTO_TCP, 100, &lo);
	both6(test, IPPROTO_TCP, 1, &lo);
	both6(test, IPPROTO_TCP, 0, &lo);
}

static void nat6_udp_linear_rewrite_checksum_equals_from_scratch(struct kunit *test)
{
	const struct layout lo = { .summed = CHECKSUM_NONE };

	both6(test, IPPROTO_UDP, 100, &lo);
	both6(test, IPPROTO_UDP, 3, &lo);
	both6(test, IPPROTO_UDP, 0, &lo);
}

static void nat6_small_and_odd_payloads_keep_checksums_right(struct kunit *test)
{
	static const unsigned int plens[] = { 1, 2, 3, 5, 63, 64, 65, 1439 };
	const struct layout lin = { .summed = CHECKSUM_NONE };
	const struct layout tcp_nl = { .linear = 60, .nfrags = 1,
				       .summed = CHECKSUM_NONE };
	const struct layout udp_nl = { .linear = 48, .nfrags = 1,
				       .summed = CHECKSUM_NONE };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(plens); i++) {
		both6(test, IPPROTO_TCP, plens[i], &lin);
		both6(test, IPPROTO_UDP, plens[i], &lin);
		both6(test, IPPROTO_TCP, plens[i], &tcp_nl);
		both6(test, IPPROTO_UDP, plens[i], &udp_nl);
	}
}

static void nat6_payload_in_page_frags_rewrite_fixes_checksums(struct kunit *test)
{
	const struct layout tcp = { .linear = 60, .nfrags = 3,
				    .summed = CHECKSUM_NONE };
	const struct layout udp = { .linear = 48, .nfrags = 2,
				    .summed = CHECKSUM_NONE };

	both6(test, IPPROTO_TCP, 1001, &tcp);
	both6(test, IPPROTO_UDP, 777, &udp);
}

static void nat6_transport_header_in_a_frag_is_pulled_and_fixed(struct kunit *test)
{
	/* Only the IPv6 header linear; then the transport header split
	 * between the linear area and a fragment.
	 */
	const struct layout ip_only = { .linear = 40, .nfrags = 2,
					.summed = CHECKSUM_NONE };
	const struct layout split = { .linear = 50, .nfrags = 2,
				      .summed = CHECKSUM_NONE };

	both6(test, IPPROTO_TCP, 500, &ip_only);
	both6(test, IPPROTO_TCP, 500, &split);
	both6(test, IPPROTO_UDP, 500, &ip_only);
	both6(test, IPPROTO_UDP, 1, &split);
}

static void nat6_checksum_partial_keeps_pseudo_header_sum(struct kunit *test)
{
	const struct layout lin = { .summed = CHECKSUM_PARTIAL };
	const struct layout tcp_frags = { .linear = 60, .nfrags = 2,
					  .summed = CHECKSUM_PARTIAL };
	const struct layout udp_frags = { .linear = 48, .nfrags = 2,
					  .summed = CHECKSUM_PARTIAL };

	both6(test, IPPROTO_TCP, 500, &lin);
	both6(test, IPPROTO_TCP, 1400, &tcp_frags);
	both6(test, IPPROTO_TCP, 0, &lin);
	both6(test, IPPROTO_UDP, 500, &lin);
	both6(test, IPPROTO_UDP, 1401, &udp_frags);
}

static void nat6_checksum_complete_skb_csum_follows_the_rewrite(struct kunit *test)
{
	const struct layout lin = { .summed = CHECKSUM_COMPLETE };
	const struct layout frags = { .linear = 60, .nfrags = 2,
				      .summed = CHECKSUM_COMPLETE };

	both6(test, IPPROTO_TCP, 333, &lin);
	both6(test, IPPROTO_TCP, 999, &frags);
	both6(test, IPPROTO_UDP, 333, &lin);
	both6(test, IPPROTO_UDP, 999, &frags);
}

static void nat6_extension_headers_are_skipped(struct kunit *test)
{
	/* Hop-by-hop and destination options before the transport header:
	 * linear; the options' end in a fragment; the transport header
	 * in one; and with each checksum mode.
	 */
	static const struct layout los[] = {
		{ .summed = CHECKSUM_NONE },
		{ .linear = 52, .nfrags = 2, .summed = CHECKSUM_NONE },
		{ .linear = 64, .nfrags = 1, .summed = CHECKSUM_NONE },
		{ .linear = 84, .nfrags = 2, .summed = CHECKSUM_COMPLETE },
		{ .linear = 84, .nfrags = 2, .summed = CHECKSUM_PARTIAL },
	};
	struct pkt6_spec tmpl = { .ext = true };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(los); i++) {
		tmpl.proto = IPPROTO_TCP;
		tmpl.plen = 300;
		both_directions6(test, &tmpl, &los[i]);
		tmpl.proto = IPPROTO_UDP;
		tmpl.plen = 301;
		both_directions6(test, &tmpl, &los[i]);
	}
}

static void nat6_udp_zero_checksum_stays_zero(struct kunit *test)
{
	const struct layout lin = { .summed = CHECKSUM_NONE };
	const struct layout frags = { .linear = 48, .nfrags = 2,
				      .summed = CHECKSUM_NONE };
	struct pkt6_spec tmpl = { .proto = IPPROTO_UDP, .plen = 300,
				  .udp_nocsum = true };

	both_directions6(test, &tmpl, &lin);
	both_directions6(test, &tmpl, &frags);
	tmpl.ext = true;
	both_directions6(test, &tmpl, &lin);
}

static void nat6_udp_checksum_folding_to_zero_is_sent_as_ffff(struct kunit *test)
{
	const struct layout lin = { .summed = CHECKSUM_NONE };
	struct pkt6_spec a = client_to_vip6(IPPROTO_UDP, 64);
	struct pkt6_spec b = snat_to_backend6(IPPROTO_UDP, 64);
	unsigned int thoff = ip6_hlen(&b), l4len = pkt6_len(&b) - thoff;
	struct udphdr *uh;
	__sum16 c0;
	u8 *flat;

	/* The first payload word that makes the rewritten packet's
	 * checksum compute to 0, to be sent as 0xffff.
	 */
	b.word_set = true;
	b.word = 0;
	flat = build_flat6(test, &b, CHECKSUM_NONE);
	uh = (struct udphdr *)(flat + thoff);
	uh->check = 0;
	c0 = csum6(&b, l4len, csum_partial(uh, l4len, 0));
	a.word_set = true;
	a.word = (__force __be16)c0;
	b.word = (__force __be16)c0;
	flat = build_flat6(test, &b, CHECKSUM_NONE);
	uh = (struct udphdr *)(flat + thoff);
	KUNIT_ASSERT_EQ(test, c16(uh->check), c16(CSUM_MANGLED_0));

	rewrite6_and_check(test, &a, &b, &lin);
}

static void nat6_cloned_skb_is_copied_before_writing(struct kunit *test)
{
	const struct layout lo = { .linear = 60, .nfrags = 1,
				   .summed = CHECKSUM_NONE };
	struct pkt6_spec a = client_to_vip6(IPPROTO_TCP, 200);
	struct pkt6_spec b = snat_to_backend6(IPPROTO_TCP, 200);
	const u8 *orig = build_flat6(test, &a, CHECKSUM_NONE);
	struct sk_buff *skb = pkt6_skb_from(test, orig, &a, &lo);
	struct sk_buff *clone = skb_track(test, skb_clone(skb, GFP_KERNEL));
	const char *desc = describe6(test, &a, &b, &lo);

	KUNIT_ASSERT_TRUE(test, skb_cloned(clone));
	KUNIT_ASSERT_EQ(test, rewrite6_to(clone, &b), 0);
	assert_packet6(test, clone, &b, desc);
	assert_bytes(test, skb_bytes(test, skb), orig, skb->len,
		     "the clone's rewrite wrote into shared data", desc);
}

static void nat6_first_fragment_is_accepted_and_rewritten(struct kunit *test)
{
	const struct layout lin = { .summed = CHECKSUM_NONE };
	struct pkt6_spec tmpl = { .proto = IPPROTO_UDP, .plen = 200,
				  .frag = true, .frag_off = htons(IP6_MF) };

	/* Offset 0, more to come: the ports are here. */
	both_directions6(test, &tmpl, &lin);
	tmpl.ext = true;
	tmpl.proto = IPPROTO_TCP;
	both_directions6(test, &tmpl, &lin);
}

/* --- IPv6: parsing ---------------------------------------------------------- */

static void nat6_parse_reads_ports_and_tcp_flags(struct kunit *test)
{
	const struct layout lin = { .summed = CHECKSUM_NONE };
	const struct layout ip_only = { .linear = 40, .nfrags = 1,
					.summed = CHECKSUM_NONE };
	struct pkt6_spec ps = client_to_vip6(IPPROTO_TCP, 10);
	struct l4lb_l4 l4;
	struct tcphdr *th;
	struct sk_buff *skb;
	u8 *flat;

	flat = build_flat6(test, &ps, CHECKSUM_NONE);
	th = (struct tcphdr *)(flat + IP6_LEN);
	th->ack = 0;
	th->psh = 0;
	th->syn = 1;
	th->fin = 1;
	skb = pkt6_skb_from(test, flat, &ps, &lin);
	KUNIT_ASSERT_EQ(test, l4lb_nat6_parse(skb, &l4), 0);
	KUNIT_EXPECT_EQ(test, l4.proto, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, l4.thoff, IP6_LEN);
	KUNIT_EXPECT_EQ(test, ntohs(l4.sport), ntohs(CPORT));
	KUNIT_EXPECT_EQ(test, ntohs(l4.dport), ntohs(VPORT));
	KUNIT_EXPECT_EQ(test, l4.tcp_flags, TCPHDR_SYN | TCPHDR_FIN);
	KUNIT_EXPECT_EQ(test, l4.seq, 0x01020304U);
	/* SYN and FIN count one each. */
	KUNIT_EXPECT_EQ(test, l4.end, 0x01020304U + 10 + 2);

	/* The option chain and the TCP header in a fragment. */
	ps.ext = true;
	flat = build_flat6(test, &ps, CHECKSUM_NONE);
	th = (struct tcphdr *)(flat + IP6_LEN + EXT6_LEN);
	th->rst = 1;
	skb = pkt6_skb_from(test, flat, &ps, &ip_only);
	KUNIT_ASSERT_EQ(test, l4lb_nat6_parse(skb, &l4), 0);
	KUNIT_EXPECT_EQ(test, l4.thoff, IP6_LEN + EXT6_LEN);
	KUNIT_EXPECT_EQ(test, l4.tcp_flags, TCPHDR_RST | TCPHDR_ACK | TCPHDR_PSH);
	KUNIT_EXPECT_EQ(test, ntohs(l4.sport), ntohs(CPORT));

	ps = backend_to_snat6(IPPROTO_UDP, 10);
	skb = pkt6_skb(test, &ps, &ip_only);
	l4.tcp_flags = 0xff;
	KUNIT_ASSERT_EQ(test, l4lb_nat6_parse(skb, &l4), 0);
	KUNIT_EXPECT_EQ(test, l4.proto, IPPROTO_UDP);
	KUNIT_EXPECT_EQ(test, ntohs(l4.sport), ntohs(BPORT));
	KUNIT_EXPECT_EQ(test, ntohs(l4.dport), ntohs(SPORT));
	KUNIT_EXPECT_EQ(test, l4.tcp_flags, 0);
}

/* --- IPv6: malformed packets ------------------------------------------------ */

/* build_truncated() of an IPv6 packet. */
static struct sk_buff *build_truncated6(struct kunit *test, const u8 *bytes,
					unsigned int buflen, unsigned int len)
{
	struct sk_buff *skb = build_truncated(test, bytes, buflen, len);

	skb->protocol = htons(ETH_P_IPV6);
	return skb;
}

/* As expect_refused(), for IPv6. */
static void expect_refused6(struct kunit *test, struct sk_buff *skb, int err,
			    const char *what)
{
	unsigned int buflen = skb_end_pointer(skb) - skb->head;
	unsigned char *head = skb->head, *data = skb->data;
	unsigned int len = skb->len, data_len = skb->data_len;
	struct l4lb_l4 l4 = { .sport = htons(1), .dport = htons(2),
			      .tcp_flags = 3 };
	const struct in6_addr snat = SNAT6, backend = BACKEND6;
	u8 *before_lin, *before;

	before_lin = kunit_kmalloc(test, buflen, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, before_lin);
	memcpy(before_lin, skb->head, buflen);
	before = skb_bytes(test, skb);

	KUNIT_EXPECT_EQ_MSG(test, l4lb_nat6_parse(skb, &l4), err, "parse: %s",
			    what);
	KUNIT_EXPECT_EQ_MSG(test, parse_rewrite6(skb, &snat, SPORT, &backend,
						 BPORT),
			    err, "rewrite: %s", what);

	KUNIT_EXPECT_PTR_EQ(test, skb->head, head);
	KUNIT_EXPECT_PTR_EQ(test, skb->data, data);
	KUNIT_EXPECT_EQ(test, skb->len, len);
	KUNIT_EXPECT_EQ(test, skb->data_len, data_len);
	KUNIT_EXPECT_EQ(test, memcmp(skb->head, before_lin, buflen), 0);
	if (len)
		assert_bytes(test, skb_bytes(test, skb), before, len,
			     "changed", what);
	KUNIT_EXPECT_EQ(test, ntohs(l4.sport), 1);
	KUNIT_EXPECT_EQ(test, ntohs(l4.dport), 2);
	KUNIT_EXPECT_EQ(test, l4.tcp_flags, 3);
}

/* @ps built whole, refused whole. */
static void expect_refused6_whole(struct kunit *test, const u8 *flat,
				  const struct pkt6_spec *ps, int err,
				  const char *what)
{
	expect_refused6(test, build_truncated6(test, flat, pkt6_len(ps),
					       pkt6_len(ps)),
			err, what);
}

static void nat6_non_first_fragment_is_refused_untouched(struct kunit *test)
{
	struct pkt6_spec ps = client_to_vip6(IPPROTO_UDP, 40);

	/* Offset 1448 bytes, more to come; the last fragment; offset 8;
	 * after the option chain. Their "ports" would be payload bytes.
	 */
	ps.frag = true;
	ps.frag_off = htons(181 << 3 | IP6_MF);
	expect_refused6_whole(test, build_flat6(test, &ps, CHECKSUM_NONE), &ps,
			      -EINVAL, "middle fragment");
	ps.frag_off = htons(181 << 3);
	expect_refused6_whole(test, build_flat6(test, &ps, CHECKSUM_NONE), &ps,
			      -EINVAL, "last fragment");
	ps.frag_off = htons(1 << 3 | IP6_MF);
	expect_refused6_whole(test, build_flat6(test, &ps, CHECKSUM_NONE), &ps,
			      -EINVAL, "fragment at offset 8");
	ps.ext = true;
	ps.proto = IPPROTO_TCP;
	expect_refused6_whole(test, build_flat6(test, &ps, CHECKSUM_NONE), &ps,
			      -EINVAL, "fragment after the options");
}

static void nat6_truncated_header_chain_is_refused_untouched(struct kunit *test)
{
	struct pkt6_spec ps = client_to_vip6(IPPROTO_TCP, 20);
	unsigned int full;
	u8 *flat;

	/* The whole chain is in the buffer, valid, past skb->len. */
	ps.ext = true;
	flat = build_flat6(test, &ps, CHECKSUM_NONE);
	full = pkt6_len(&ps);
	expect_refused6(test, build_truncated6(test, flat, full, IP6_LEN),
			-EINVAL, "no hop-by-hop header");
	expect_refused6(test, build_truncated6(test, flat, full, IP6_LEN + 1),
			-EINVAL, "hop-by-hop header cut");
	expect_refused6(test, build_truncated6(test, flat, full, IP6_LEN + 8),
			-EINVAL, "no destination options header");
	expect_refused6(test, build_truncated6(test, flat, full, IP6_LEN + 20),
			-EINVAL, "destination options cut");
	expect_refused6(test, build_truncated6(test, flat, full,
					       IP6_LEN + EXT6_LEN),
			-EINVAL, "no TCP header after the chain");
	expect_refused6(test, build_truncated6(test, flat, full,
					       IP6_LEN + EXT6_LEN + 19),
			-EINVAL, "TCP header one byte short after the chain");

	/* An option header whose length runs past the end. */
	flat = build_flat6(test, &ps, CHECKSUM_NONE);
	flat[IP6_LEN + 8 + 1] = 255;	/* 2048 bytes of destination options */
	expect_refused6_whole(test, flat, &ps, -EINVAL,
			      "destination options past the end");
	flat = build_flat6(test, &ps, CHECKSUM_NONE);
	flat[IP6_LEN + 1] = 10;		/* 88 bytes of hop-by-hop options */
	expect_refused6_whole(test, flat, &ps, -EINVAL,
			      "hop-by-hop options past the end");

	/* A fragment header cut short. */
	ps.ext = false;
	ps.frag = true;
	ps.frag_off = htons(IP6_MF);
	flat = build_flat6(test, &ps, CHECKSUM_NONE);
	expect_refused6(test, build_truncated6(test, flat, pkt6_len(&ps),
					       IP6_LEN + 3),
			-EINVAL, "fragment header cut");

	/* No next header. */
	ps.frag = false;
	ps.ext = true;
	flat = build_flat6(test, &ps, CHECKSUM_NONE);
	flat[IP6_LEN + 8] = NEXTHDR_NONE;
	expect_refused6_whole(test, flat, &ps, -EINVAL, "no next header");

	/* No UDP header. */
	ps = client_to_vip6(IPPROTO_UDP, 20);
	flat = build_flat6(test, &ps, CHECKSUM_NONE);
	expect_refused6(test, build_truncated6(test, flat, pkt6_len(&ps),
					       IP6_LEN + 7),
			-EINVAL, "UDP header one byte short");
}

static void nat6_short_header_or_not_ipv6_is_refused_untouched(struct kunit *test)
{
	struct pkt6_spec ps = client_to_vip6(IPPROTO_TCP, 20);
	u8 *flat = build_flat6(test, &ps, CHECKSUM_NONE);
	static const unsigned int lens[] = { 0, 1, 8, 39 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lens); i++)
		expect_refused6(test, build_truncated6(test, flat, pkt6_len(&ps),
						       lens[i]),
				-EINVAL, "short IPv6 header");
	flat[0] = 0x45;
	expect_refused6_whole(test, flat, &ps, -EINVAL, "version 4");
	flat[0] = 0x05;
	expect_refused6_whole(test, flat, &ps, -EINVAL, "version 0");
}

static void nat6_not_tcp_or_udp_is_eprotonosupport_untouched(struct kunit *test)
{
	static const u8 protos[] = { IPPROTO_ICMPV6, IPPROTO_SCTP, IPPROTO_GRE,
				     IPPROTO_ESP, IPPROTO_UDPLITE, 255 };
	struct pkt6_spec ps = client_to_vip6(IPPROTO_TCP, 20);
	unsigned int i;
	u8 *flat;

	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		ps.ext = false;
		flat = build_flat6(test, &ps, CHECKSUM_NONE);
		((struct ipv6hdr *)flat)->nexthdr = protos[i];
		expect_refused6_whole(test, flat, &ps, -EPROTONOSUPPORT,
				      "not TCP or UDP");
		/* At the end of the chain. */
		ps.ext = true;
		flat = build_flat6(test, &ps, CHECKSUM_NONE);
		flat[IP6_LEN + 8] = protos[i];
		expect_refused6_whole(test, flat, &ps, -EPROTONOSUPPORT,
				      "not TCP or UDP after the options");
	}
}

/* --- ICMPv6 errors ---------------------------------------------------------- */

/*
 * An ICMPv6 error from @osaddr to @odaddr quoting the first @qlen bytes of
 * the packet @inner (built whole, with its checksum, then cut), with a
 * correct ICMPv6 checksum; with @ext, the error has the option chain of
 * struct pkt6_spec before its ICMPv6 header, with @frag a fragment
 * header of @frag_off.
 */
struct icmp6_spec {
	struct in6_addr osaddr, odaddr;
	u8 type, code;
	bool ext;
	bool frag;
	__be16 frag_off;
	struct pkt6_spec inner;
	unsigned int qlen;	/* bytes of the inner packet quoted */
};

static unsigned int icmp6_off(const struct icmp6_spec *is)
{
	return IP6_LEN + (is->ext ? EXT6_LEN : 0) + (is->frag ? FRAG6_LEN : 0);
}

static unsigned int icmp6_len(const struct icmp6_spec *is)
{
	return icmp6_off(is) + sizeof(struct icmp6hdr) + is->qlen;
}

static u8 *build_icmp6(struct kunit *test, const struct icmp6_spec *is)
{
	unsigned int len = icmp6_len(is), off, mlen;
	const u8 *inner = build_flat6(test, &is->inner, CHECKSUM_NONE);
	struct icmp6hdr *ih;
	u8 *buf;

	KUNIT_ASSERT_LE(test, is->qlen, pkt6_len(&is->inner));
	buf = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	off = put_ip6(buf, &is->osaddr, &is->odaddr, len, is->ext, is->frag,
		      is->frag_off, IPPROTO_ICMPV6);
	KUNIT_ASSERT_EQ(test, off, icmp6_off(is));
	mlen = len - off;
	ih = (struct icmp6hdr *)(buf + off);
	ih->icmp6_type = is->type;
	ih->icmp6_code = is->code;
	if (is->type == ICMPV6_PKT_TOOBIG)
		ih->icmp6_mtu = htonl(1280);
	else if (is->type == ICMPV6_PARAMPROB)
		ih->icmp6_pointer = htonl(7);
	memcpy(buf + off + sizeof(*ih), inner, is->qlen);
	ih->icmp6_cksum = csum_ipv6_magic(&is->osaddr, &is->odaddr, mlen,
					  IPPROTO_ICMPV6,
					  csum_partial(ih, mlen, 0));
	return buf;
}

static struct sk_buff *icmp6_skb(struct kunit *test, const u8 *flat,
				 unsigned int len, unsigned int linear)
{
	struct sk_buff *skb;

	skb = skb_track(test, alloc_skb(HEADROOM + len, GFP_KERNEL));
	skb_reserve(skb, HEADROOM);
	if (!linear || linear >= len) {
		skb_put_data(skb, flat, len);
	} else {
		struct page *page = alloc_page(GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, page);
		skb_put_data(skb, flat, linear);
		memcpy(page_address(page) + FRAG_OFF, flat + linear,
		       len - linear);
		skb_add_rx_frag(skb, 0, page, FRAG_OFF, len - linear, PAGE_SIZE);
	}
	skb_reset_network_header(skb);
	skb->protocol = htons(ETH_P_IPV6);
	skb->ip_summed = CHECKSUM_NONE;
	return skb;
}

/* As icmp_pair(): a Packet Too Big from a router about a packet sent to
 * a backend, and what it becomes for the client.
 */
static void icmp6_pair(u8 proto, unsigned int plen, unsigned int qlen,
		       struct icmp6_spec *from, struct icmp6_spec *to)
{
	*from = (struct icmp6_spec){
		.osaddr = IP6(0x20010db8, 0x01130000, 0, 0xfe),	/* a router */
		.odaddr = SNAT6,
		.type = ICMPV6_PKT_TOOBIG, .code = 0,
		.inner = snat_to_backend6(proto, plen),
		.qlen = qlen,
	};
	*to = *from;
	to->osaddr = VIP6;
	to->odaddr = CLIENT6;
	to->inner = client_to_vip6(proto, plen);
}

static int icmp6_rewrite_to(struct sk_buff *skb, const struct icmp6_spec *to)
{
	const struct l4lb_icmp6_inner inner = {
		.saddr = to->inner.saddr, .daddr = to->inner.daddr,
		.sport = to->inner.sport, .dport = to->inner.dport,
		.proto = to->inner.proto,
	};

	return l4lb_nat6_rewrite_icmp(skb, &to->osaddr, &to->odaddr, &inner);
}

/*
 * Parse @from laid out with @linear bytes linear, rewrite it to @to, and
 * check: the ICMPv6 checksum from scratch, the quoted transport checksum
 * when the whole quoted segment is there, every byte against @to built
 * anew.
 */
static void icmp6_rewrite_and_check(struct kunit *test,
				    const struct icmp6_spec *from,
				    const struct icmp6_spec *to,
				    unsigned int linear)
{
	unsigned int len = icmp6_len(from), off = icmp6_off(from);
	unsigned int mlen = len - off, qoff = off + sizeof(struct icmp6hdr);
	const u8 *want = build_icmp6(test, to);
	struct sk_buff *skb = icmp6_skb(test, build_icmp6(test, from), len,
					linear);
	struct l4lb_icmp6_inner in = {};
	const u8 *got;
	char desc[128];

	snprintf(desc, sizeof(desc),
		 "type %u, %s%s, %u of %u quoted bytes, %u linear",
		 from->type, from->inner.proto == IPPROTO_TCP ? "TCP" : "UDP",
		 from->ext || from->inner.ext ? " with options" : "",
		 from->qlen, pkt6_len(&from->inner), linear ?: len);

	KUNIT_ASSERT_EQ_MSG(test, l4lb_nat6_parse_icmp(skb, &in), 0, "%s",
			    desc);
	KUNIT_EXPECT_TRUE_MSG(test, ipv6_addr_equal(&in.saddr,
						    &from->inner.saddr),
			      "%s: quoted source %pI6c", desc, &in.saddr);
	KUNIT_EXPECT_TRUE_MSG(test, ipv6_addr_equal(&in.daddr,
						    &from->inner.daddr),
			      "%s: quoted destination %pI6c", desc, &in.daddr);
	KUNIT_EXPECT_EQ_MSG(test, ntohs(in.sport), ntohs(from->inner.sport),
			    "%s", desc);
	KUNIT_EXPECT_EQ_MSG(test, ntohs(in.dport), ntohs(from->inner.dport),
			    "%s", desc);
	KUNIT_EXPECT_EQ_MSG(test, in.proto, from->inner.proto, "%s", desc);

	KUNIT_ASSERT_EQ_MSG(test, icmp6_rewrite_to(skb, to), 0, "%s", desc);
	KUNIT_ASSERT_EQ_MSG(test, skb->len, len, "%s", desc);
	KUNIT_EXPECT_EQ_MSG(test, (u8)skb->ip_summed, CHECKSUM_NONE, "%s",
			    desc);
	got = skb_bytes(test, skb);
	KUNIT_ASSERT_EQ_MSG(test,
			    c16(csum_ipv6_magic(&to->osaddr, &to->odaddr, mlen,
						IPPROTO_ICMPV6,
						csum_partial(got + off, mlen, 0))),
			    0, "%s: the ICMPv6 checksum does not verify", desc);
	if (from->qlen == pkt6_len(&from->inner) &&
	    !(to->inner.proto == IPPROTO_UDP && to->inner.udp_nocsum))
		assert_l4_csum6_from_scratch(test, got + qoff, &to->inner,
					     desc);
	assert_bytes(test, got, want, len, "differs from the error built anew",
		     desc);
}

static void icmp6_too_big_quoting_a_whole_tcp_packet_is_translated(struct kunit *test)
{
	struct icmp6_spec from, to;

	icmp6_pair(IPPROTO_TCP, 30, 40 + 20 + 30, &from, &to);
	icmp6_rewrite_and_check(test, &from, &to, 0);
	icmp6_rewrite_and_check(test, &from, &to, 60);	/* quote in a frag */
	icmp6_rewrite_and_check(test, &from, &to, 40);	/* ICMPv6 too */
}

static void icmp6_error_quoting_8_bytes_of_tcp_is_translated(struct kunit *test)
{
	struct icmp6_spec from, to;

	/* Just the ports and the sequence number, the TCP checksum not in
	 * the quote; the check field just in it, or just not.
	 */
	icmp6_pair(IPPROTO_TCP, 100, 40 + 8, &from, &to);
	icmp6_rewrite_and_check(test, &from, &to, 0);
	icmp6_pair(IPPROTO_TCP, 100, 40 + 18, &from, &to);
	icmp6_rewrite_and_check(test, &from, &to, 0);
	icmp6_pair(IPPROTO_TCP, 100, 40 + 16, &from, &to);
	icmp6_rewrite_and_check(test, &from, &to, 0);
}

static void icmp6_error_quoting_udp_is_translated(struct kunit *test)
{
	struct icmp6_spec from, to;

	icmp6_pair(IPPROTO_UDP, 200, 40 + 8, &from, &to);
	icmp6_rewrite_and_check(test, &from, &to, 0);
	icmp6_pair(IPPROTO_UDP, 200, 40 + 8 + 200, &from, &to);
	icmp6_rewrite_and_check(test, &from, &to, 70);
	/* A quoted UDP packet without checksum keeps none. */
	icmp6_pair(IPPROTO_UDP, 50, 40 + 8 + 50, &from, &to);
	from.inner.udp_nocsum = true;
	to.inner.udp_nocsum = true;
	icmp6_rewrite_and_check(test, &from, &to, 0);
}

static void icmp6_errors_of_each_type_are_translated(struct kunit *test)
{
	/* From the client, about what the balancer sent it (VIP ->
	 * client), to the backend, about what it sent (backend -> SNAT).
	 */
	static const struct {
		u8 type, code;
	} types[] = {
		{ ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH },
		{ ICMPV6_DEST_UNREACH, ICMPV6_ADM_PROHIBITED },
		{ ICMPV6_PKT_TOOBIG, 0 },
		{ ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT },
		{ ICMPV6_TIME_EXCEED, ICMPV6_EXC_FRAGTIME },
		{ ICMPV6_PARAMPROB, ICMPV6_HDR_FIELD },
	};
	struct icmp6_spec from = {
		.osaddr = CLIENT6, .odaddr = VIP6,
		.inner = vip_to_client6(IPPROTO_UDP, 40),
		.qlen = 40 + 8 + 40,
	};
	struct icmp6_spec to = from;
	unsigned int i;

	to.osaddr = SNAT6;
	to.odaddr = BACKEND6;
	to.inner = backend_to_snat6(IPPROTO_UDP, 40);
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		from.type = types[i].type;
		to.type = types[i].type;
		from.code = types[i].code;
		to.code = types[i].code;
		icmp6_rewrite_and_check(test, &from, &to, 0);
	}
	from.inner = vip_to_client6(IPPROTO_TCP, 40);
	to.inner = backend_to_snat6(IPPROTO_TCP, 40);
	from.qlen = 40 + 20 + 40;
	to.qlen = 40 + 20 + 40;
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		from.type = types[i].type;
		to.type = types[i].type;
		from.code = types[i].code;
		to.code = types[i].code;
		icmp6_rewrite_and_check(test, &from, &to, 0);
	}
}

static void icmp6_extension_headers_are_skipped_outside_and_quoted(struct kunit *test)
{
	struct icmp6_spec from, to;

	/* Options before the ICMPv6 header. */
	icmp6_pair(IPPROTO_TCP, 20, 40 + 20 + 20, &from, &to);
	from.ext = true;
	to.ext = true;
	icmp6_rewrite_and_check(test, &from, &to, 0);
	icmp6_rewrite_and_check(test, &from, &to, 52);
	/* Options in the quoted packet, whole or cut after the ports. */
	icmp6_pair(IPPROTO_TCP, 20, 40 + EXT6_LEN + 20 + 20, &from, &to);
	from.inner.ext = true;
	to.inner.ext = true;
	icmp6_rewrite_and_check(test, &from, &to, 0);
	icmp6_pair(IPPROTO_UDP, 20, 40 + EXT6_LEN + 4, &from, &to);
	from.inner.ext = true;
	to.inner.ext = true;
	icmp6_rewrite_and_check(test, &from, &to, 0);
	/* Both, and a quoted first fragment. */
	icmp6_pair(IPPROTO_UDP, 20, 40 + EXT6_LEN + FRAG6_LEN + 8 + 20,
		   &from, &to);
	from.ext = true;
	to.ext = true;
	from.inner.ext = true;
	to.inner.ext = true;
	from.inner.frag = true;
	to.inner.frag = true;
	from.inner.frag_off = htons(IP6_MF);
	to.inner.frag_off = htons(IP6_MF);
	icmp6_rewrite_and_check(test, &from, &to, 0);
	icmp6_rewrite_and_check(test, &from, &to, 100);
}

/* Parse and rewrite both refuse @flat with @err and change nothing. */
static void icmp6_expect_refused(struct kunit *test, const u8 *flat,
				 unsigned int len, int err, const char *what)
{
	struct sk_buff *skb = icmp6_skb(test, flat, len, 0);
	const struct l4lb_icmp6_inner to = { .saddr = CLIENT6, .daddr = VIP6,
		.sport = CPORT, .dport = VPORT, .proto = IPPROTO_TCP };
	const struct in6_addr vip = VIP6, client = CLIENT6;
	struct l4lb_icmp6_inner in = {};

	KUNIT_EXPECT_EQ_MSG(test, l4lb_nat6_parse_icmp(skb, &in), err,
			    "parse: %s", what);
	KUNIT_EXPECT_EQ_MSG(test, l4lb_nat6_rewrite_icmp(skb, &vip, &client,
							 &to),
			    err, "rewrite: %s", what);
	KUNIT_ASSERT_EQ(test, skb->len, len);
	assert_bytes(test, skb_bytes(test, skb), flat, len, "changed", what);
}

static void icmp6_informational_and_nd_are_eprotonosupport(struct kunit *test)
{
	static const struct {
		u8 type;
		const char *name;
	} types[] = {
		{ ICMPV6_ECHO_REQUEST, "echo request" },
		{ ICMPV6_ECHO_REPLY, "echo reply" },
		{ NDISC_ROUTER_SOLICITATION, "router solicitation" },
		{ NDISC_ROUTER_ADVERTISEMENT, "router advertisement" },
		{ NDISC_NEIGHBOUR_SOLICITATION, "neighbour solicitation" },
		{ NDISC_NEIGHBOUR_ADVERTISEMENT, "neighbour advertisement" },
		{ NDISC_REDIRECT, "redirect" },
		{ ICMPV6_MGM_QUERY, "MLD query" },
		{ 5, "unassigned error type 5" },
	};
	struct icmp6_spec is, other;
	unsigned int i;

	/* Each made to look like an error about one of ours. */
	icmp6_pair(IPPROTO_TCP, 100, 40 + 8, &is, &other);
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		is.type = types[i].type;
		icmp6_expect_refused(test, build_icmp6(test, &is),
				     icmp6_len(&is), -EPROTONOSUPPORT,
				     types[i].name);
	}
}

static void icmp6_malformed_errors_are_refused_untouched(struct kunit *test)
{
	struct icmp6_spec is, other;
	unsigned int qoff;
	u8 *flat;

	icmp6_pair(IPPROTO_TCP, 100, 40 + 8, &is, &other);
	qoff = icmp6_off(&is) + sizeof(struct icmp6hdr);

	/* Quotes too short for the ports, or the quoted IPv6 header. */
	is.qlen = 40 + 3;
	icmp6_expect_refused(test, build_icmp6(test, &is), icmp6_len(&is),
			     -EINVAL, "quote without both ports");
	is.qlen = 39;
	icmp6_expect_refused(test, build_icmp6(test, &is), icmp6_len(&is),
			     -EINVAL, "quote shorter than an IPv6 header");
	is.qlen = 0;
	icmp6_expect_refused(test, build_icmp6(test, &is), icmp6_len(&is),
			     -EINVAL, "nothing quoted");
	/* A quoted option chain past the quote. */
	is.inner.ext = true;
	is.qlen = 40 + 20;
	icmp6_expect_refused(test, build_icmp6(test, &is), icmp6_len(&is),
			     -EINVAL, "quoted options past the end");
	is.qlen = 40 + EXT6_LEN + 3;
	icmp6_expect_refused(test, build_icmp6(test, &is), icmp6_len(&is),
			     -EINVAL, "quoted ports cut after the options");
	is.inner.ext = false;
	is.qlen = 40 + 8;

	/* Not about TCP or UDP. */
	flat = build_icmp6(test, &is);
	flat[qoff + offsetof(struct ipv6hdr, nexthdr)] = IPPROTO_ICMPV6;
	icmp6_expect_refused(test, flat, icmp6_len(&is), -EPROTONOSUPPORT,
			     "quoted ICMPv6");
	flat = build_icmp6(test, &is);
	flat[qoff + offsetof(struct ipv6hdr, nexthdr)] = IPPROTO_ESP;
	icmp6_expect_refused(test, flat, icmp6_len(&is), -EPROTONOSUPPORT,
			     "quoted ESP");

	/* Malformed quoted packets. */
	flat = build_icmp6(test, &is);
	flat[qoff] = 0x45;
	icmp6_expect_refused(test, flat, icmp6_len(&is), -EINVAL,
			     "quoted version 4");
	is.inner.frag = true;
	is.inner.frag_off = htons(100 << 3);
	is.qlen = 40 + FRAG6_LEN + 8;
	icmp6_expect_refused(test, build_icmp6(test, &is), icmp6_len(&is),
			     -EINVAL, "quoted non-first fragment");
	is.inner.frag = false;
	is.qlen = 40 + 8;

	/* A non-first fragment of the error itself. */
	is.frag = true;
	is.frag_off = htons(10 << 3);
	icmp6_expect_refused(test, build_icmp6(test, &is), icmp6_len(&is),
			     -EINVAL, "fragment of an ICMPv6 error");
	is.frag = false;
	/* Not ICMPv6, before the options or after them. */
	flat = build_icmp6(test, &is);
	((struct ipv6hdr *)flat)->nexthdr = IPPROTO_UDP;
	icmp6_expect_refused(test, flat, icmp6_len(&is), -EINVAL,
			     "not ICMPv6");
	is.ext = true;
	flat = build_icmp6(test, &is);
	flat[IP6_LEN + 8] = IPPROTO_TCP;
	icmp6_expect_refused(test, flat, icmp6_len(&is), -EINVAL,
			     "not ICMPv6 after the options");
	/* The chain or the ICMPv6 header cut short. */
	icmp6_expect_refused(test, build_icmp6(test, &is), IP6_LEN + 9,
			     -EINVAL, "options cut");
	is.ext = false;
	icmp6_expect_refused(test, build_icmp6(test, &is), IP6_LEN + 7,
			     -EINVAL, "ICMPv6 header cut");
}

static struct kunit_case l4lb_nat6_cases[] = {
	KUNIT_CASE(nat6_tcp_linear_rewrite_checksum_equals_from_scratch),
	KUNIT_CASE(nat6_udp_linear_rewrite_checksum_equals_from_scratch),
	KUNIT_CASE(nat6_small_and_odd_payloads_keep_checksums_right),
	KUNIT_CASE(nat6_payload_in_page_frags_rewrite_fixes_checksums),
	KUNIT_CASE(nat6_transport_header_in_a_frag_is_pulled_and_fixed),
	KUNIT_CASE(nat6_checksum_partial_keeps_pseudo_header_sum),
	KUNIT_CASE(nat6_checksum_complete_skb_csum_follows_the_rewrite),
	KUNIT_CASE(nat6_extension_headers_are_skipped),
	KUNIT_CASE(nat6_udp_zero_checksum_stays_zero),
	KUNIT_CASE(nat6_udp_checksum_folding_to_zero_is_sent_as_ffff),
	KUNIT_CASE(nat6_cloned_skb_is_copied_before_writing),
	KUNIT_CASE(nat6_first_fragment_is_accepted_and_rewritten),
	KUNIT_CASE(nat6_parse_reads_ports_and_tcp_flags),
	KUNIT_CASE(nat6_non_first_fragment_is_refused_untouched),
	KUNIT_CASE(nat6_truncated_header_chain_is_refused_untouched),
	KUNIT_CASE(nat6_short_header_or_not_ipv6_is_refused_untouched),
	KUNIT_CASE(nat6_not_tcp_or_udp_is_eprotonosupport_untouched),
	{}
};

static struct kunit_suite l4lb_nat6_suite = {
	.name = "l4lb_nat6",
	.test_cases = l4lb_nat6_cases,
};

static struct kunit_case l4lb_nat6_icmp_cases[] = {
	KUNIT_CASE(icmp6_too_big_quoting_a_whole_tcp_packet_is_translated),
	KUNIT_CASE(icmp6_error_quoting_8_bytes_of_tcp_is_translated),
	KUNIT_CASE(icmp6_error_quoting_udp_is_translated),
	KUNIT_CASE(icmp6_errors_of_each_type_are_translated),
	KUNIT_CASE(icmp6_extension_headers_are_skipped_outside_and_quoted),
	KUNIT_CASE(icmp6_informational_and_nd_are_eprotonosupport),
	KUNIT_CASE(icmp6_malformed_errors_are_refused_untouched),
	{}
};

static struct kunit_suite l4lb_nat6_icmp_suite = {
	.name = "l4lb_nat6_icmp",
	.test_cases = l4lb_nat6_icmp_cases,
};

kunit_test_suites(&l4lb_nat_suite, &l4lb_nat_icmp_suite, &l4lb_nat6_suite,
		  &l4lb_nat6_icmp_suite);
