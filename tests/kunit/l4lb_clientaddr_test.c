// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of passing the client's address (kmod/l4lb_clientaddr.c):
 * PROXY protocol headers, the sequence shift, SACK rewriting, carrying the
 * header in the first segment or in one of its own, TOA and the MSS clamp.
 *
 * Packets are built as bytes with correct checksums from a description,
 * laid out in an skb (linear, or the payload in page fragments;
 * CHECKSUM_NONE or CHECKSUM_PARTIAL). After each operation the skb must be
 * byte for byte the packet built from scratch from the expected
 * description, so the incrementally updated checksums equal the ones
 * computed afresh; the checksums are also verified directly (the sum over
 * the pseudo-header and segment is 0; for CHECKSUM_PARTIAL, the field is
 * the pseudo-header sum and skb_checksum_help() then finishes a valid one).
 * Packets are IPv4, or IPv6 (issue #18) with or without an extension
 * header in front of the TCP header; IPv6 checksums are verified with
 * csum_ipv6_magic().
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/icmp.h>
#include <linux/if_ether.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/mm.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <asm/unaligned.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "l4lb_clientaddr.h"

#include "l4lb_kunit_tuple.h"

#define HEADROOM	64
#define FRAG_OFF	3

/* An ISN whose stream crosses 2^32 right after the header. */
#define ISN_WRAP	0xfffffff0u

/* --- building packets ----------------------------------------------------- */

/**
 * struct tspec - a TCP/IPv4 or TCP/IPv6 packet
 * @saddr: source address, network byte order; of an IPv6 packet, the IPv4
 *	address whose addr6() is its source
 * @daddr: destination address, network byte order; as @saddr
 * @v6: an IPv6 packet
 * @ext: IPv6: the extension header in front of the TCP header: 0 (none),
 *	NEXTHDR_DEST (Destination Options, @extlen bytes of PadN) or
 *	NEXTHDR_FRAGMENT (8 bytes, @frag)
 * @extlen: NEXTHDR_DEST: its length, a multiple of 8
 * @frag: NEXTHDR_FRAGMENT: its offset and flags field, host byte order
 * @sport: source port, network byte order
 * @dport: destination port, network byte order
 * @seq: sequence number, host byte order
 * @ack: acknowledgment number, host byte order
 * @flags: TCPHDR_*
 * @opt: TCP options
 * @optlen: their length, a multiple of 4
 * @pre: bytes at the start of the payload (a PROXY header)
 * @prelen: their length
 * @plen: pattern bytes after them
 * @win: the window field, host byte order; 0 for 502
 */
struct tspec {
	__be32 saddr, daddr;
	bool v6;
	u8 ext;
	unsigned int extlen;
	u16 frag;
	__be16 sport, dport;
	u32 seq, ack;
	u16 win;
	u8 flags;
	u8 opt[MAX_TCP_OPTION_SPACE];
	unsigned int optlen;
	const u8 *pre;
	unsigned int prelen;
	unsigned int plen;
};

static struct tspec to_backend(u32 seq, unsigned int plen)
{
	return (struct tspec){ .saddr = SNAT, .daddr = BACKEND, .sport = SPORT,
		.dport = BPORT, .seq = seq, .ack = 0x0a0b0c0d,
		.flags = TCPHDR_ACK | TCPHDR_PSH, .plen = plen };
}

static struct tspec to_client(u32 ack, unsigned int plen)
{
	return (struct tspec){ .saddr = VIP, .daddr = CLIENT, .sport = VPORT,
		.dport = CPORT, .seq = 0x0a0b0c0d, .ack = ack,
		.flags = TCPHDR_ACK, .plen = plen };
}

static u16 c16(__sum16 sum)
{
	return (__force u16)sum;
}

/*
 * The IPv6 address of an IPv4 one in the tests: 2001:db8::a.b.c.d (RFC
 * 3849's documentation prefix), so the reference tuple serves both.
 */
static struct in6_addr addr6(__be32 a)
{
	struct in6_addr a6 = {};

	a6.s6_addr32[0] = htonl(0x20010db8);
	a6.s6_addr32[3] = a;
	return a6;
}

/* @ts as an IPv6 packet, with extension header @ext (0, NEXTHDR_DEST). */
static struct tspec as6(struct tspec ts, u8 ext)
{
	ts.v6 = true;
	ts.ext = ext;
	ts.extlen = ext == NEXTHDR_DEST ? 16 : 8;
	return ts;
}

/* The families the packet cases run over. */
#define NFAM	3

static const char *fam_name(unsigned int f)
{
	static const char * const names[NFAM] = {
		"IPv4", "IPv6", "IPv6 + Destination Options"
	};

	return names[f];
}

/* @ts in family @f: as it is, IPv6, IPv6 with an extension header. */
static struct tspec fam(struct tspec ts, unsigned int f)
{
	if (!f)
		return ts;
	return as6(ts, f == 2 ? NEXTHDR_DEST : 0);
}

/* The bytes of the IP header(s) in front of the TCP header. */
static unsigned int iplen(const struct tspec *ts)
{
	if (!ts->v6)
		return sizeof(struct iphdr);
	if (!ts->ext)
		return sizeof(struct ipv6hdr);
	return sizeof(struct ipv6hdr) + ts->extlen;
}

static unsigned int tlen(const struct tspec *ts)
{
	return iplen(ts) + sizeof(struct tcphdr) + ts->optlen +
	       ts->prelen + ts->plen;
}

/* The TCP checksum of an IPv4 or IPv6 segment: @sum over the segment. */
static __sum16 tcp_magic(const struct tspec *ts, unsigned int l4len,
			 __wsum sum)
{
	struct in6_addr s6 = addr6(ts->saddr), d6 = addr6(ts->daddr);

	if (ts->v6)
		return csum_ipv6_magic(&s6, &d6, l4len, IPPROTO_TCP, sum);
	return csum_tcpudp_magic(ts->saddr, ts->daddr, l4len, IPPROTO_TCP,
				 sum);
}

#define THOFF	sizeof(struct iphdr)

/* Where the TCP header of the packet @flat starts (see build()). */
static unsigned int flat_thoff(const u8 *flat)
{
	unsigned int off = sizeof(struct ipv6hdr);

	if (flat[0] >> 4 != 6)
		return (flat[0] & 0xf) * 4;
	if (flat[6] == NEXTHDR_DEST)
		off += (flat[off + 1] + 1) * 8;
	else if (flat[6] == NEXTHDR_FRAGMENT)
		off += 8;
	return off;
}

/* The IPv6 header (and extension header) of @ts at @buf. */
static void build_ip6(const struct tspec *ts, u8 *buf, unsigned int len)
{
	struct ipv6hdr *ip6h = (struct ipv6hdr *)buf;
	u8 *ext = buf + sizeof(*ip6h);

	ip6_flow_hdr(ip6h, 0x28, htonl(0x12345));
	ip6h->payload_len = htons(len - sizeof(*ip6h));
	ip6h->nexthdr = ts->ext ?: IPPROTO_TCP;
	ip6h->hop_limit = 64;
	ip6h->saddr = addr6(ts->saddr);
	ip6h->daddr = addr6(ts->daddr);
	if (ts->ext == NEXTHDR_DEST) {
		/* PadN over the whole header. */
		ext[0] = IPPROTO_TCP;
		ext[1] = ts->extlen / 8 - 1;
		ext[2] = IPV6_TLV_PADN;
		ext[3] = ts->extlen - 4;
	} else if (ts->ext == NEXTHDR_FRAGMENT) {
		ext[0] = IPPROTO_TCP;
		put_unaligned_be16(ts->frag, ext + 2);
		put_unaligned_be32(0x0badcafe, ext + 4);
	}
}

/* The packet's bytes; check field: full checksum, or for CHECKSUM_PARTIAL
 * the pseudo-header sum.
 */
static u8 *build(struct kunit *test, const struct tspec *ts, u8 summed)
{
	unsigned int len = tlen(ts), l4len, i;
	struct iphdr *iph;
	struct tcphdr *th;
	u8 *buf, *p;

	KUNIT_ASSERT_EQ(test, ts->optlen % 4, 0u);
	buf = kunit_kzalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	l4len = len - iplen(ts);
	if (ts->v6) {
		build_ip6(ts, buf, len);
		goto tcp;
	}
	iph = (struct iphdr *)buf;
	iph->version = 4;
	iph->ihl = 5;
	iph->tot_len = htons(len);
	iph->id = htons(0x1234);
	iph->frag_off = htons(IP_DF);
	iph->ttl = 64;
	iph->protocol = IPPROTO_TCP;
	iph->saddr = ts->saddr;
	iph->daddr = ts->daddr;
	iph->check = ip_fast_csum(iph, iph->ihl);

tcp:
	th = (struct tcphdr *)(buf + iplen(ts));
	th->source = ts->sport;
	th->dest = ts->dport;
	th->seq = htonl(ts->seq);
	th->ack_seq = htonl(ts->ack);
	th->doff = (sizeof(*th) + ts->optlen) / 4;
	tcp_flag_byte(th) = ts->flags;
	th->window = htons(ts->win ?: 502);
	p = (u8 *)(th + 1);
	memcpy(p, ts->opt, ts->optlen);
	p += ts->optlen;
	if (ts->prelen)
		memcpy(p, ts->pre, ts->prelen);
	p += ts->prelen;
	for (i = 0; i < ts->plen; i++)
		p[i] = (u8)(0x5a + i * 7);

	if (summed == CHECKSUM_PARTIAL)
		th->check = ~tcp_magic(ts, l4len, 0);
	else
		th->check = tcp_magic(ts, l4len, csum_partial(th, l4len, 0));
	return buf;
}

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
 * @summed: CHECKSUM_NONE, CHECKSUM_PARTIAL or CHECKSUM_COMPLETE (skb->csum
 *	over the whole packet)
 * @tailroom: room after the linear data
 */
struct layout {
	unsigned int linear;
	unsigned int nfrags;
	u8 summed;
	unsigned int tailroom;
};

static struct sk_buff *skb_from(struct kunit *test, const u8 *flat,
				unsigned int len, const struct layout *lo)
{
	unsigned int lin = lo->linear ? min(lo->linear, len) : len;
	unsigned int rest = len - lin, i;
	struct sk_buff *skb;

	skb = skb_track(test, alloc_skb(HEADROOM + lin + lo->tailroom,
					GFP_KERNEL));
	skb_reserve(skb, HEADROOM);
	skb_put_data(skb, flat, lin);
	for (i = 0; rest; i++) {
		unsigned int chunk = i + 1 == lo->nfrags ? rest :
				     rest / (lo->nfrags - i);
		struct page *page = alloc_page(GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, page);
		memcpy(page_address(page) + FRAG_OFF, flat + len - rest, chunk);
		skb_add_rx_frag(skb, i, page, FRAG_OFF, chunk, PAGE_SIZE);
		rest -= chunk;
	}
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, flat_thoff(flat));
	skb->protocol = flat[0] >> 4 == 6 ? htons(ETH_P_IPV6) :
					    htons(ETH_P_IP);
	skb->ip_summed = lo->summed;
	if (lo->summed == CHECKSUM_PARTIAL) {
		skb->csum_start = skb_headroom(skb) + flat_thoff(flat);
		skb->csum_offset = offsetof(struct tcphdr, check);
	} else if (lo->summed == CHECKSUM_COMPLETE) {
		skb->csum = csum_partial(flat, len, 0);
	}
	return skb;
}

/*
 * @lo for the packet @ts: the linear part of a split layout grows with an
 * IP header longer than IPv4's, so its split falls in the same place of
 * the TCP segment.
 */
static struct layout lo_for(const struct layout *lo, const struct tspec *ts)
{
	struct layout l = *lo;

	if (l.linear)
		l.linear += iplen(ts) - sizeof(struct iphdr);
	return l;
}

static struct sk_buff *tskb(struct kunit *test, const struct tspec *ts,
			    const struct layout *lo)
{
	struct layout l = lo_for(lo, ts);

	return skb_from(test, build(test, ts, lo->summed), tlen(ts), &l);
}

static u8 *skb_bytes(struct kunit *test, const struct sk_buff *skb)
{
	u8 *buf = kunit_kmalloc(test, skb->len ?: 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, buf, skb->len), 0);
	return buf;
}

static void assert_bytes(struct kunit *test, const u8 *got, const u8 *want,
			 unsigned int len, const char *desc)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		if (got[i] != want[i])
			KUNIT_ASSERT_FAILURE(test, "%s: byte %u is 0x%02x, want 0x%02x",
					     desc, i, got[i], want[i]);
}

/*
 * The sum over the pseudo-header and the whole segment is 0; for IPv6,
 * with csum_ipv6_magic() over the addresses and the TCP length the skb
 * holds, the TCP header found with ipv6_skip_exthdr().
 */
static void assert_tcp_csum_valid(struct kunit *test, struct sk_buff *skb,
				  const char *desc)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	unsigned int thoff = skb_network_offset(skb) + iph->ihl * 4;
	unsigned int l4len;
	__be16 frag_off;
	u8 nexthdr;
	__wsum seg;
	int off;

	if (iph->version == 6) {
		nexthdr = ip6h->nexthdr;
		off = ipv6_skip_exthdr(skb, skb_network_offset(skb) +
				       sizeof(*ip6h), &nexthdr, &frag_off);
		KUNIT_ASSERT_GT_MSG(test, off, 0, "%s: IPv6 headers", desc);
		KUNIT_ASSERT_EQ_MSG(test, nexthdr, IPPROTO_TCP, "%s", desc);
		l4len = skb->len - off;
		seg = skb_checksum(skb, off, l4len, 0);
		KUNIT_ASSERT_EQ_MSG(test,
				    c16(csum_ipv6_magic(&ip6h->saddr,
							&ip6h->daddr, l4len,
							IPPROTO_TCP, seg)), 0,
				    "%s: the TCP checksum does not verify",
				    desc);
		return;
	}
	l4len = skb->len - thoff;
	seg = skb_checksum(skb, thoff, l4len, 0);
	KUNIT_ASSERT_EQ_MSG(test, c16(csum_tcpudp_magic(iph->saddr, iph->daddr,
							l4len, IPPROTO_TCP,
							seg)), 0,
			    "%s: the TCP checksum does not verify", desc);
}

/*
 * @skb is exactly @want: every byte, checksums included, as built from
 * scratch (the checksums verify); for CHECKSUM_PARTIAL the check field is
 * the pseudo-header sum and, finished by skb_checksum_help(), the full one.
 */
static void assert_is(struct kunit *test, struct sk_buff *skb,
		      const struct tspec *want, const char *desc)
{
	unsigned int len = tlen(want);
	bool partial = skb->ip_summed == CHECKSUM_PARTIAL;

	KUNIT_ASSERT_EQ_MSG(test, skb->len, len, "%s: length", desc);
	KUNIT_ASSERT_EQ_MSG(test, skb_network_offset(skb), 0, "%s", desc);
	if (want->v6)
		KUNIT_ASSERT_EQ_MSG(test, ntohs(ipv6_hdr(skb)->payload_len),
				    len - sizeof(struct ipv6hdr),
				    "%s: the IPv6 payload length", desc);
	else
		KUNIT_ASSERT_EQ_MSG(test, c16(ip_fast_csum(ip_hdr(skb), 5)), 0,
				    "%s: the IP checksum does not verify",
				    desc);
	assert_bytes(test, skb_bytes(test, skb),
		     build(test, want, partial ? CHECKSUM_PARTIAL :
						 CHECKSUM_NONE), len, desc);
	if (partial) {
		KUNIT_ASSERT_EQ_MSG(test, skb_checksum_start_offset(skb),
				    (int)iplen(want), "%s: csum_start", desc);
		KUNIT_ASSERT_EQ_MSG(test, skb_checksum_help(skb), 0, "%s", desc);
		assert_bytes(test, skb_bytes(test, skb),
			     build(test, want, CHECKSUM_NONE), len, desc);
	}
	assert_tcp_csum_valid(test, skb, desc);
}

static void assert_untouched(struct kunit *test, struct sk_buff *skb,
			     const struct tspec *ts, u8 summed,
			     const char *desc)
{
	KUNIT_ASSERT_EQ_MSG(test, skb->len, tlen(ts), "%s: length", desc);
	assert_bytes(test, skb_bytes(test, skb), build(test, ts, summed),
		     tlen(ts), desc);
}

/* The layouts most cases run over: linear, payload in fragments, and
 * CHECKSUM_PARTIAL (linear, then with fragments).
 */
static const struct layout layouts[] = {
	{ .summed = CHECKSUM_NONE },
	{ .linear = 20, .nfrags = 2, .summed = CHECKSUM_NONE },
	{ .linear = 60, .nfrags = 2, .summed = CHECKSUM_NONE },
	{ .summed = CHECKSUM_PARTIAL },
	{ .linear = 60, .nfrags = 1, .summed = CHECKSUM_PARTIAL },
};

static const char *lo_name(const struct layout *lo)
{
	static const char * const names[] = {
		"linear", "TCP header in frags", "payload in frags",
		"CHECKSUM_PARTIAL linear", "CHECKSUM_PARTIAL + frags"
	};

	return names[lo - layouts];
}

/* Headers must stay linear under CHECKSUM_PARTIAL, and fragments need
 * something to hold.
 */
static bool lo_fits(const struct layout *layout, const struct tspec *ts)
{
	unsigned int hl = iplen(ts) + sizeof(struct tcphdr) + ts->optlen;
	struct layout l = lo_for(layout, ts);
	const struct layout *lo = &l;

	if (!lo->linear)
		return true;
	if (lo->linear >= tlen(ts))
		return false;
	return lo->summed != CHECKSUM_PARTIAL || lo->linear >= hl;
}

/* skb->csum of a CHECKSUM_COMPLETE skb still covers the whole packet. */
static void assert_complete_csum(struct kunit *test, struct sk_buff *skb,
				 const char *desc)
{
	__wsum sum = csum_partial(skb_bytes(test, skb), skb->len, 0);

	KUNIT_ASSERT_EQ_MSG(test, (u8)skb->ip_summed, CHECKSUM_COMPLETE, "%s",
			    desc);
	KUNIT_ASSERT_EQ_MSG(test, c16(csum_fold(skb->csum)),
			    c16(csum_fold(sum)), "%s: skb->csum is stale", desc);
}

/* --- TCP options ------------------------------------------------------------ */

static unsigned int put_nops(u8 *o, unsigned int n)
{
	memset(o, TCPOPT_NOP, n);
	return n;
}

static unsigned int put_ts(u8 *o)
{
	o[0] = TCPOPT_TIMESTAMP;
	o[1] = TCPOLEN_TIMESTAMP;
	put_unaligned_be32(0x11223344, o + 2);
	put_unaligned_be32(0x55667788, o + 6);
	return TCPOLEN_TIMESTAMP;
}

static unsigned int put_sack(u8 *o, const u32 *edges, unsigned int nblocks)
{
	unsigned int i;

	o[0] = TCPOPT_SACK;
	o[1] = TCPOLEN_SACK_BASE + nblocks * TCPOLEN_SACK_PERBLOCK;
	for (i = 0; i < 2 * nblocks; i++)
		put_unaligned_be32(edges[i], o + 2 + 4 * i);
	return o[1];
}

static unsigned int put_mss(u8 *o, u16 mss)
{
	o[0] = TCPOPT_MSS;
	o[1] = TCPOLEN_MSS;
	put_unaligned_be16(mss, o + 2);
	return TCPOLEN_MSS;
}

static unsigned int put_toa(u8 *o)
{
	o[0] = L4LB_TOA_KIND;
	o[1] = L4LB_TOA_LEN;
	memcpy(o + 2, &(__be16){ CPORT }, 2);
	memcpy(o + 4, &(__be32){ CLIENT }, 4);
	return L4LB_TOA_LEN;
}

/* Pad to a multiple of 4 with EOL (zeros). */
static unsigned int pad_eol(u8 *o, unsigned int len)
{
	while (len % 4)
		o[len++] = TCPOPT_EOL;
	return len;
}

/* --- PROXY protocol headers ------------------------------------------------- */

static void pp_v2_header_is_byte_exact(struct kunit *test)
{
	static const u8 want[L4LB_PP_V2_LEN] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51,	/* signature */
		0x55, 0x49, 0x54, 0x0a,
		0x21,			/* version 2, PROXY */
		0x11,			/* TCP over IPv4 */
		0x00, 0x0c,		/* 12 bytes follow */
		198, 51, 100, 10,	/* source address */
		192, 0, 2, 1,		/* destination address */
		0x9c, 0x40,		/* source port 40000 */
		0x00, 0x50,		/* destination port 80 */
	};
	u8 buf[L4LB_PP_MAXLEN];

	KUNIT_ASSERT_EQ(test, l4lb_pp_build(buf, sizeof(buf), 2, CLIENT, CPORT,
					    VIP, VPORT), L4LB_PP_V2_LEN);
	assert_bytes(test, buf, want, sizeof(want), "v2 header");
	KUNIT_EXPECT_EQ(test, l4lb_pp_build(buf, L4LB_PP_V2_LEN - 1, 2, CLIENT,
					    CPORT, VIP, VPORT), -ENOSPC);
	KUNIT_EXPECT_EQ(test, l4lb_pp_build(buf, sizeof(buf), 3, CLIENT, CPORT,
					    VIP, VPORT), -EINVAL);
	KUNIT_EXPECT_EQ(test, l4lb_pp_build(buf, sizeof(buf), 0, CLIENT, CPORT,
					    VIP, VPORT), -EINVAL);
}

static void pp_v1_header_is_the_exact_line(struct kunit *test)
{
	static const char want[] = "PROXY TCP4 198.51.100.10 192.0.2.1 40000 80\r\n";
	static const char longest[] =
		"PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n";
	static const char shortest[] = "PROXY TCP4 0.0.0.0 10.0.0.1 0 1\r\n";
	u8 buf[L4LB_PP_MAXLEN];

	KUNIT_ASSERT_EQ(test, l4lb_pp_build(buf, sizeof(buf), 1, CLIENT, CPORT,
					    VIP, VPORT), (int)strlen(want));
	assert_bytes(test, buf, (const u8 *)want, strlen(want), "v1 line");

	KUNIT_ASSERT_EQ(test, l4lb_pp_build(buf, sizeof(buf), 1, htonl(~0u),
					    htons(65535), htonl(~0u),
					    htons(65535)), (int)strlen(longest));
	assert_bytes(test, buf, (const u8 *)longest, strlen(longest),
		     "longest v1 line");
	KUNIT_EXPECT_LE(test, strlen(longest), (size_t)L4LB_PP_V1_MAXLEN);

	KUNIT_ASSERT_EQ(test, l4lb_pp_build(buf, sizeof(buf), 1, 0, 0,
					    IP4(10, 0, 0, 1), htons(1)),
			(int)strlen(shortest));
	assert_bytes(test, buf, (const u8 *)shortest, strlen(shortest),
		     "shortest v1 line");

	KUNIT_EXPECT_EQ(test, l4lb_pp_build(buf, strlen(want) - 1, 1, CLIENT,
					    CPORT, VIP, VPORT), -ENOSPC);
	KUNIT_EXPECT_EQ(test, l4lb_pp_build(buf, strlen(want), 1, CLIENT,
					    CPORT, VIP, VPORT),
			(int)strlen(want));
}

/* An IPv6 address from its 16 bytes. */
#define A6(...)	((struct in6_addr){ .s6_addr = { __VA_ARGS__ } })

static const struct in6_addr client6 =
	A6(0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10);
static const struct in6_addr vip6 =
	A6(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01);

static void pp_v2_tcp6_header_is_byte_exact(struct kunit *test)
{
	static const u8 want[L4LB_PP_V2_LEN6] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51,	/* signature */
		0x55, 0x49, 0x54, 0x0a,
		0x21,			/* version 2, PROXY */
		0x21,			/* TCP over IPv6 */
		0x00, 0x24,		/* 36 bytes follow */
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0c, 0x00, 0x00,	/* source */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,	/* dest. */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x9c, 0x40,		/* source port 40000 */
		0x00, 0x50,		/* destination port 80 */
	};
	u8 buf[L4LB_PP_MAXLEN];

	KUNIT_ASSERT_EQ(test, l4lb_pp_build6(buf, sizeof(buf), 2, &client6,
					     CPORT, &vip6, VPORT),
			L4LB_PP_V2_LEN6);
	assert_bytes(test, buf, want, sizeof(want), "v2 TCP6 header");
	KUNIT_EXPECT_EQ(test, l4lb_pp_build6(buf, L4LB_PP_V2_LEN6 - 1, 2,
					     &client6, CPORT, &vip6, VPORT),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, l4lb_pp_build6(buf, sizeof(buf), 3, &client6,
					     CPORT, &vip6, VPORT), -EINVAL);
}

#define ONES6	"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"

static void pp_v1_tcp6_line_has_rfc5952_addresses(struct kunit *test)
{
	static const struct {
		struct in6_addr s, d;
		u16 sport, dport;
		const char *want;
	} cases[] = {
		{ A6(0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0,
		     0, 0x10),
		  A6(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
		  40000, 80, "PROXY TCP6 2001:db8:c::10 2001:db8::1 40000 80\r\n" },
		/* The longest line, and the shortest. */
		{ A6(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		     0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
		  A6(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		     0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
		  65535, 65535,
		  "PROXY TCP6 " ONES6 " " ONES6 " 65535 65535\r\n" },
		{ A6(0), A6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), 0, 1,
		  "PROXY TCP6 :: ::1 0 1\r\n" },
		/* RFC 5952 4.2.2: one zero field stays; 4.2.3: the first of
		 * two equal zero runs is the one shortened; 4.3: lower case.
		 */
		{ A6(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1),
		  A6(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1),
		  1, 2,
		  "PROXY TCP6 2001:db8:0:1:1:1:1:1 2001:db8::1:0:0:1 1 2\r\n" },
		{ A6(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x0a, 0xbc, 0, 0xff, 0xfe,
		     0xde, 0xf0, 0x12),
		  A6(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
		  443, 443,
		  "PROXY TCP6 fe80::abc:ff:fede:f012 2001:db8::1 443 443\r\n" },
	};
	u8 buf[L4LB_PP_MAXLEN];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *want = cases[i].want;

		KUNIT_ASSERT_EQ_MSG(test,
				    l4lb_pp_build6(buf, sizeof(buf), 1,
						   &cases[i].s,
						   htons(cases[i].sport),
						   &cases[i].d,
						   htons(cases[i].dport)),
				    (int)strlen(want), "%s", want);
		assert_bytes(test, buf, (const u8 *)want, strlen(want), want);
		KUNIT_EXPECT_LE(test, strlen(want), (size_t)L4LB_PP_V1_MAXLEN);
	}
	KUNIT_EXPECT_EQ(test, strlen(cases[1].want), (size_t)104);
	KUNIT_EXPECT_EQ(test, l4lb_pp_build6(buf, strlen(cases[0].want) - 1, 1,
					     &client6, CPORT, &vip6, VPORT),
			-ENOSPC);
}

/* The PROXY header of the reference connection in family @f (fam()). */
static int pp_hdr(u8 *hdr, u8 version, unsigned int f)
{
	struct in6_addr c6 = addr6(CLIENT), v6 = addr6(VIP);

	if (!f)
		return l4lb_pp_build(hdr, L4LB_PP_MAXLEN, version, CLIENT,
				     CPORT, VIP, VPORT);
	return l4lb_pp_build6(hdr, L4LB_PP_MAXLEN, version, &c6, CPORT, &v6,
			      VPORT);
}

/* --- the sequence shift ----------------------------------------------------- */

static void pp_seq_maps_across_the_wrap(struct kunit *test)
{
	struct l4lb_clientaddr_state st;
	u32 isn1;

	KUNIT_EXPECT_EQ(test, sizeof(st), (size_t)8);
	l4lb_ca_init(&st, ISN_WRAP, L4LB_PP_V2_LEN);
	isn1 = ISN_WRAP + 1;
	KUNIT_EXPECT_EQ(test, st.isn1, 0xfffffff1u);

	/* Client -> backend: the SYN stays, the first byte moves past the
	 * header, across 2^32.
	 */
	KUNIT_EXPECT_EQ(test, l4lb_pp_seq_to_backend(&st, ISN_WRAP), ISN_WRAP);
	KUNIT_EXPECT_EQ(test, l4lb_pp_seq_to_backend(&st, isn1), 0x0000000du);
	KUNIT_EXPECT_EQ(test, l4lb_pp_seq_to_backend(&st, 0xffffffffu), 0x1bu);
	KUNIT_EXPECT_EQ(test, l4lb_pp_seq_to_backend(&st, 0x10u), 0x2cu);
	KUNIT_EXPECT_EQ(test, l4lb_pp_seq_to_backend(&st, isn1 + 0x7fff0000u),
			isn1 + 0x7fff0000u + L4LB_PP_V2_LEN);

	/* Backend -> client: acks and SACK edges come back; inside the
	 * header they are the first byte (nothing of the client's acked).
	 */
	KUNIT_EXPECT_EQ(test, l4lb_pp_seq_to_client(&st, isn1), isn1);
	KUNIT_EXPECT_EQ(test, l4lb_pp_seq_to_client(&st, ISN_WRAP), ISN_WRAP);
	KUNIT_EXPECT_EQ(test, l4lb_pp_seq_to_client(&st, isn1 + 5), isn1);
	KUNIT_EXPECT_EQ(test, l4lb_pp_seq_to_client(&st, 0x0cu), isn1);
	KUNIT_EXPECT_EQ(test, l4lb_pp_seq_to_client(&st, 0x0du), isn1);
	KUNIT_EXPECT_EQ(test, l4lb_pp_seq_to_client(&st, 0x0eu), 0xfffffff2u);
	KUNIT_EXPECT_EQ(test, l4lb_pp_seq_to_client(&st, 0x1bu), 0xffffffffu);
	KUNIT_EXPECT_EQ(test, l4lb_pp_seq_to_client(&st, 0x1cu), 0u);
	KUNIT_EXPECT_EQ(test, l4lb_pp_seq_to_client(&st, 0x2cu), 0x10u);

	/* Round trip over a range that crosses the wrap. */
	for (isn1 = st.isn1; isn1 != 0x100u; isn1++) {
		u32 b = l4lb_pp_seq_to_backend(&st, isn1);

		KUNIT_ASSERT_EQ(test, l4lb_pp_seq_to_client(&st, b), isn1);
	}

	/* TOA: no shift at all. */
	l4lb_ca_init(&st, ISN_WRAP, 0);
	KUNIT_EXPECT_EQ(test, l4lb_pp_seq_to_backend(&st, 0x5u), 0x5u);
	KUNIT_EXPECT_EQ(test, l4lb_pp_seq_to_client(&st, 0x5u), 0x5u);
}

static void pp_fix_seq_and_ack_rewrite_packets_across_the_wrap(struct kunit *test)
{
	static const u32 seqs[] = { ISN_WRAP, ISN_WRAP + 1, 0xffffffffu, 0,
				    0x1234u };
	struct l4lb_clientaddr_state st;
	unsigned int i, j, k, f;
	char desc[96];

	l4lb_ca_init(&st, ISN_WRAP, L4LB_PP_V2_LEN);
	for (k = 0; k < ARRAY_SIZE(seqs) * NFAM; k++) {
		i = k % ARRAY_SIZE(seqs);
		f = k / ARRAY_SIZE(seqs);
		for (j = 0; j < ARRAY_SIZE(layouts); j++) {
			struct tspec in = fam(to_backend(seqs[i], 100), f);
			struct tspec out = in;
			struct tspec bin = fam(to_client(seqs[i], 100), f);
			struct tspec bout = bin;
			struct sk_buff *skb;

			if (seqs[i] == ISN_WRAP) {	/* the SYN */
				in.flags = TCPHDR_SYN;
				in.plen = 0;
			}
			if (!lo_fits(&layouts[j], &in))
				continue;
			out = in;
			/* Client -> backend: seq up. */
			out.seq = l4lb_pp_seq_to_backend(&st, in.seq);
			snprintf(desc, sizeof(desc), "%s, seq 0x%08x, %s",
				 fam_name(f), in.seq, lo_name(&layouts[j]));
			skb = tskb(test, &in, &layouts[j]);
			KUNIT_ASSERT_EQ_MSG(test, l4lb_pp_fix_seq(skb, &st), 0,
					    "%s", desc);
			assert_is(test, skb, &out, desc);

			/* Backend -> client: the ack is the backend's
			 * view of the same byte, back down.
			 */
			bin.ack = out.seq;
			bout.ack = in.seq;
			snprintf(desc, sizeof(desc), "%s, ack 0x%08x, %s",
				 fam_name(f), bin.ack, lo_name(&layouts[j]));
			skb = tskb(test, &bin, &layouts[j]);
			KUNIT_ASSERT_EQ_MSG(test, l4lb_pp_fix_ack(skb, &st), 0,
					    "%s", desc);
			assert_is(test, skb, &bout, desc);
		}
	}
	/* Acks past the header were among them. */
	KUNIT_EXPECT_TRUE(test, st.flags & L4LB_CA_F_ACKED);
}

/* One SACK layout: options around 1..4 blocks. */
static unsigned int sack_opts(u8 *o, unsigned int variant, const u32 *edges,
			      unsigned int nblocks)
{
	unsigned int n = 0;

	switch (variant) {
	case 0:		/* NOP NOP TS NOP NOP SACK, as Linux sends them */
		n += put_nops(o + n, 2);
		n += put_ts(o + n);
		n += put_nops(o + n, 2);
		n += put_sack(o + n, edges, nblocks);
		break;
	case 1:		/* NOP NOP SACK */
		n += put_nops(o + n, 2);
		n += put_sack(o + n, edges, nblocks);
		break;
	case 2:		/* NOP SACK: the edges at odd offsets */
		n += put_nops(o + n, 1);
		n += put_sack(o + n, edges, nblocks);
		break;
	default:	/* SACK first (edges 2 bytes off a word), then TS */
		n += put_sack(o + n, edges, nblocks);
		n += put_nops(o + n, 1);
		n += put_ts(o + n);
		break;
	}
	return pad_eol(o, n);
}

static void pp_sack_blocks_are_shifted(struct kunit *test)
{
	struct l4lb_clientaddr_state st;
	/* Backend-space edges: inside the header, right after it, across
	 * the wrap, before the stream (untouched), far on.
	 */
	const u32 bedges[8] = { 0xfffffff5u, 0x20u, 0x0du, 0x10u,
				0xfffffff0u, 0xfffffff1u, 0x7000u, 0x9000u };
	u32 cedges[8];
	unsigned int v, nb, j, i;
	char desc[96];

	l4lb_ca_init(&st, ISN_WRAP, L4LB_PP_V2_LEN);
	for (i = 0; i < 8; i++)
		cedges[i] = l4lb_pp_seq_to_client(&st, bedges[i]);
	KUNIT_EXPECT_EQ(test, cedges[0], st.isn1);
	KUNIT_EXPECT_EQ(test, cedges[1], 0x04u);
	KUNIT_EXPECT_EQ(test, cedges[2], st.isn1);
	KUNIT_EXPECT_EQ(test, cedges[4], 0xfffffff0u);

	for (v = 0; v < 4 * NFAM; v++) {
		for (nb = 1; nb <= 4; nb++) {
			struct tspec in = fam(to_client(0x40u, 20), v / 4);
			struct tspec out = in;

			/* Four blocks and a timestamp need 44 bytes. */
			if (nb == 4 && (v % 4 == 0 || v % 4 == 3))
				continue;
			in.optlen = sack_opts(in.opt, v % 4, bedges, nb);
			out.optlen = sack_opts(out.opt, v % 4, cedges, nb);
			out.ack = l4lb_pp_seq_to_client(&st, in.ack);
			for (j = 0; j < ARRAY_SIZE(layouts); j++) {
				struct sk_buff *skb;

				if (!lo_fits(&layouts[j], &in))
					continue;
				snprintf(desc, sizeof(desc),
					 "%s, SACK layout %u, %u block(s), %s",
					 fam_name(v / 4), v % 4, nb,
					 lo_name(&layouts[j]));
				skb = tskb(test, &in, &layouts[j]);
				KUNIT_ASSERT_EQ_MSG(test,
						    l4lb_pp_fix_ack(skb, &st),
						    0, "%s", desc);
				assert_is(test, skb, &out, desc);
			}
		}
	}
	/* The backend acked past the header. */
	KUNIT_EXPECT_TRUE(test, st.flags & L4LB_CA_F_ACKED);
}

/* --- carrying the header ---------------------------------------------------- */

static void pp_carry_decision_follows_the_first_byte_and_the_ack(struct kunit *test)
{
	struct l4lb_clientaddr_state st;
	const u8 ack = TCPHDR_ACK, psh = TCPHDR_ACK | TCPHDR_PSH;
	u32 isn1;

	l4lb_ca_init(&st, ISN_WRAP, L4LB_PP_V2_LEN);
	isn1 = st.isn1;
	KUNIT_EXPECT_EQ(test, l4lb_pp_carry(&st, ISN_WRAP, TCPHDR_SYN),
			L4LB_PP_ASIS);
	/* The handshake's ACK, the first data, their retransmissions: each
	 * carries the header.
	 */
	KUNIT_EXPECT_EQ(test, l4lb_pp_carry(&st, isn1, ack), L4LB_PP_CARRY);
	KUNIT_EXPECT_EQ(test, l4lb_pp_carry(&st, isn1, psh), L4LB_PP_CARRY);
	KUNIT_EXPECT_EQ(test, l4lb_pp_carry(&st, isn1, psh), L4LB_PP_CARRY);
	KUNIT_EXPECT_EQ(test, l4lb_pp_carry(&st, isn1, ack | TCPHDR_FIN),
			L4LB_PP_CARRY);
	/* Later bytes are shifted; a RST never carries. */
	KUNIT_EXPECT_EQ(test, l4lb_pp_carry(&st, isn1 + 1000, psh),
			L4LB_PP_SHIFT);
	KUNIT_EXPECT_EQ(test, l4lb_pp_carry(&st, isn1, TCPHDR_RST),
			L4LB_PP_SHIFT);
	KUNIT_EXPECT_EQ(test, l4lb_pp_carry(&st, isn1, ack | TCPHDR_RST),
			L4LB_PP_SHIFT);

	/* An ack inside the header is not enough... */
	l4lb_ca_note_ack(&st, isn1);
	l4lb_ca_note_ack(&st, isn1 + L4LB_PP_V2_LEN - 1);
	KUNIT_EXPECT_EQ(test, l4lb_pp_carry(&st, isn1, psh), L4LB_PP_CARRY);
	/* ...all of it is: a retransmitted first segment is only shifted. */
	l4lb_ca_note_ack(&st, isn1 + L4LB_PP_V2_LEN);
	KUNIT_EXPECT_EQ(test, l4lb_pp_carry(&st, isn1, psh), L4LB_PP_SHIFT);
	KUNIT_EXPECT_EQ(test, l4lb_pp_carry(&st, isn1, ack), L4LB_PP_SHIFT);
	/* An old ack does not undo it. */
	l4lb_ca_note_ack(&st, isn1);
	KUNIT_EXPECT_EQ(test, l4lb_pp_carry(&st, isn1, psh), L4LB_PP_SHIFT);
}

/* Carry the header in @in as the datapath would, or shift it. */
static void carry_or_shift(struct kunit *test, struct sk_buff *skb,
			   struct l4lb_clientaddr_state *st, const u8 *hdr,
			   const struct tspec *in)
{
	switch (l4lb_pp_carry(st, in->seq, in->flags)) {
	case L4LB_PP_CARRY:
		KUNIT_ASSERT_EQ(test, l4lb_pp_insert(skb, hdr, st->hlen, 1460),
				0);
		break;
	case L4LB_PP_SHIFT:
		KUNIT_ASSERT_EQ(test, l4lb_pp_fix_seq(skb, st), 0);
		break;
	default:
		break;
	}
}

static void pp_retransmitted_first_segment_carries_the_header_once(struct kunit *test)
{
	static const u8 versions[] = { 2, 1 };
	struct l4lb_clientaddr_state st;
	u8 hdr[L4LB_PP_MAXLEN];
	unsigned int v, j, k, f;
	char desc[128];
	int hlen;

	for (v = 0; v < ARRAY_SIZE(versions) * NFAM; v++) {
		f = v / ARRAY_SIZE(versions);
		hlen = pp_hdr(hdr, versions[v % 2], f);
		KUNIT_ASSERT_GT(test, hlen, 0);
		l4lb_ca_init(&st, ISN_WRAP, hlen);
		for (j = 0; j < ARRAY_SIZE(layouts); j++) {
			/* The handshake's ACK, then the first data twice
			 * (a retransmission), with a timestamp.
			 */
			for (k = 0; k < 3; k++) {
				struct tspec in = fam(to_backend(st.isn1,
								 k ? 333 : 0),
						      f);
				struct tspec out;
				struct sk_buff *skb;

				if (!k)
					in.flags = TCPHDR_ACK;
				in.optlen = put_nops(in.opt, 2);
				in.optlen += put_ts(in.opt + 2);
				if (!lo_fits(&layouts[j], &in))
					continue;
				out = in;
				out.pre = hdr;
				out.prelen = hlen;
				snprintf(desc, sizeof(desc),
					 "%s, v%u, segment %u (%u bytes), %s",
					 fam_name(f), versions[v % 2], k,
					 in.plen, lo_name(&layouts[j]));
				skb = tskb(test, &in, &layouts[j]);
				carry_or_shift(test, skb, &st, hdr, &in);
				assert_is(test, skb, &out, desc);
			}
		}
		/* Once the backend acked the header, the same first segment
		 * is only shifted: no second copy of the header.
		 */
		l4lb_ca_note_ack(&st, st.isn1 + hlen);
		for (j = 0; j < ARRAY_SIZE(layouts); j++) {
			struct tspec in = fam(to_backend(st.isn1, 333), f);
			struct tspec out = in;
			struct sk_buff *skb;

			if (!lo_fits(&layouts[j], &in))
				continue;
			out.seq = st.isn1 + hlen;
			snprintf(desc, sizeof(desc), "%s, v%u, acked, %s",
				 fam_name(f), versions[v % 2],
				 lo_name(&layouts[j]));
			skb = tskb(test, &in, &layouts[j]);
			carry_or_shift(test, skb, &st, hdr, &in);
			assert_is(test, skb, &out, desc);
		}
	}
}

/* In-place rewrites keep skb->csum of CHECKSUM_COMPLETE skbs right (the
 * check field moves against the data); insertions turn them into
 * CHECKSUM_NONE.
 */
static void rewrites_keep_or_drop_checksum_complete(struct kunit *test)
{
	const struct layout lo = { .linear = 60, .nfrags = 1,
				   .summed = CHECKSUM_COMPLETE };
	struct l4lb_clientaddr_state st;
	struct tspec in, out;
	struct sk_buff *skb;
	u8 hdr[L4LB_PP_MAXLEN];
	const u32 edges[4] = { 0x20u, 0x30u, 0x40u, 0x50u };
	int hlen;

	hlen = l4lb_pp_build(hdr, sizeof(hdr), 2, CLIENT, CPORT, VIP, VPORT);
	l4lb_ca_init(&st, ISN_WRAP, hlen);

	in = to_backend(0x100u, 200);
	out = in;
	out.seq = 0x100u + hlen;
	skb = tskb(test, &in, &lo);
	KUNIT_ASSERT_EQ(test, l4lb_pp_fix_seq(skb, &st), 0);
	assert_complete_csum(test, skb, "seq");
	assert_is(test, skb, &out, "seq, CHECKSUM_COMPLETE");

	in = to_client(0x60u, 200);
	in.optlen = pad_eol(in.opt, put_nops(in.opt, 1) +
			    put_sack(in.opt + 1, edges, 2));
	skb = tskb(test, &in, &lo);
	KUNIT_ASSERT_EQ(test, l4lb_pp_fix_ack(skb, &st), 0);
	assert_complete_csum(test, skb, "ack and SACK");

	in = to_client(1, 0);
	in.flags = TCPHDR_SYN | TCPHDR_ACK;
	in.optlen = put_mss(in.opt, 1460);
	skb = tskb(test, &in, &(struct layout){ .summed = CHECKSUM_COMPLETE });
	KUNIT_ASSERT_EQ(test, l4lb_tcp_mss_reduce(skb, 8), 1460);
	assert_complete_csum(test, skb, "MSS");

	in = to_backend(st.isn1, 200);
	out = in;
	out.pre = hdr;
	out.prelen = hlen;
	skb = tskb(test, &in, &lo);
	KUNIT_ASSERT_EQ(test, l4lb_pp_insert(skb, hdr, hlen, 1460), 0);
	KUNIT_EXPECT_EQ(test, (u8)skb->ip_summed, CHECKSUM_NONE);
	assert_is(test, skb, &out, "insert, was CHECKSUM_COMPLETE");

	in = to_backend(st.isn1, 200);
	out = in;
	out.optlen = put_toa(out.opt);
	skb = tskb(test, &in, &lo);
	KUNIT_ASSERT_EQ(test, l4lb_toa_insert(skb, CLIENT, CPORT, 1500), 0);
	KUNIT_EXPECT_EQ(test, (u8)skb->ip_summed, CHECKSUM_NONE);
	assert_is(test, skb, &out, "TOA, was CHECKSUM_COMPLETE");
}

/* A clone's insertion leaves the original alone; a link-layer header in
 * front of the packet moves with it.
 */
static void toa_on_a_clone_with_a_mac_header(struct kunit *test)
{
	const struct layout lo = { .linear = 60, .nfrags = 2,
				   .summed = CHECKSUM_NONE };
	static const u8 mac[ETH_HLEN] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2,
					  0x08, 0x00 };
	struct tspec in = to_backend(1000, 300), out;
	struct sk_buff *skb, *clone;

	in.optlen = put_nops(in.opt, 2) + put_ts(in.opt + 2);
	out = in;
	out.optlen += put_toa(out.opt + in.optlen);
	skb = tskb(test, &in, &lo);
	memcpy(skb_push(skb, ETH_HLEN), mac, ETH_HLEN);
	skb_reset_mac_header(skb);
	skb_pull(skb, ETH_HLEN);
	skb_reset_network_header(skb);

	clone = skb_track(test, skb_clone(skb, GFP_KERNEL));
	KUNIT_ASSERT_EQ(test, l4lb_toa_insert(clone, CLIENT, CPORT, 1500), 0);
	assert_is(test, clone, &out, "clone");
	KUNIT_EXPECT_EQ(test, skb_network_header(clone) - skb_mac_header(clone),
			(long)ETH_HLEN);
	assert_bytes(test, skb_mac_header(clone), mac, ETH_HLEN,
		     "the clone's link-layer header");
	assert_untouched(test, skb, &in, CHECKSUM_NONE, "the original");
	assert_bytes(test, skb_mac_header(skb), mac, ETH_HLEN,
		     "the original's link-layer header");
}

static void pp_insert_grows_a_cloned_skb_without_tailroom(struct kunit *test)
{
	const struct layout lo = { .summed = CHECKSUM_NONE };
	struct tspec in = to_backend(1000, 50), out = in;
	struct sk_buff *skb, *clone;
	u8 hdr[L4LB_PP_MAXLEN];
	const u8 *orig;
	int hlen;

	hlen = l4lb_pp_build(hdr, sizeof(hdr), 2, CLIENT, CPORT, VIP, VPORT);
	out.pre = hdr;
	out.prelen = hlen;
	orig = build(test, &in, CHECKSUM_NONE);
	skb = skb_from(test, orig, tlen(&in), &lo);
	clone = skb_track(test, skb_clone(skb, GFP_KERNEL));
	KUNIT_ASSERT_EQ(test, l4lb_pp_insert(clone, hdr, hlen, 1460), 0);
	assert_is(test, clone, &out, "clone");
	assert_untouched(test, skb, &in, CHECKSUM_NONE, "the original of a clone");
}

static void pp_header_over_the_mss_goes_in_a_segment_of_its_own(struct kunit *test)
{
	struct l4lb_clientaddr_state st;
	u8 hdr[L4LB_PP_MAXLEN];
	unsigned int j, f;
	char desc[96];
	int hlen;

	for (j = 0; j < ARRAY_SIZE(layouts) * NFAM; j++) {
		struct tspec in, hseg, shifted;
		struct sk_buff *skb, *nskb;

		f = j / ARRAY_SIZE(layouts);
		hlen = pp_hdr(hdr, 2, f);
		l4lb_ca_init(&st, ISN_WRAP, hlen);
		in = fam(to_backend(st.isn1, 1448), f);
		in.optlen = put_nops(in.opt, 2);
		in.optlen += put_ts(in.opt + 2);
		if (!lo_fits(&layouts[j % ARRAY_SIZE(layouts)], &in))
			continue;
		snprintf(desc, sizeof(desc), "%s, %s", fam_name(f),
			 lo_name(&layouts[j % ARRAY_SIZE(layouts)]));
		skb = tskb(test, &in, &layouts[j % ARRAY_SIZE(layouts)]);
		KUNIT_ASSERT_EQ(test, l4lb_pp_carry(&st, in.seq, in.flags),
				L4LB_PP_CARRY);
		/* 1448 + 28 > 1460: refused, untouched. */
		KUNIT_ASSERT_EQ_MSG(test, l4lb_pp_insert(skb, hdr, hlen, 1460),
				    -EMSGSIZE, "%s", desc);
		assert_untouched(test, skb, &in,
				 layouts[j % ARRAY_SIZE(layouts)].summed, desc);

		/* The header alone, at the first byte, headers copied (of
		 * IPv6, the fixed header only)...
		 */
		nskb = skb_track(test, l4lb_pp_segment(skb, hdr, hlen,
						       GFP_KERNEL));
		hseg = in;
		hseg.ext = 0;
		hseg.plen = 0;
		hseg.pre = hdr;
		hseg.prelen = hlen;
		KUNIT_EXPECT_EQ(test, (u8)nskb->ip_summed, CHECKSUM_NONE);
		KUNIT_EXPECT_EQ(test, skb_transport_offset(nskb),
				(int)iplen(&hseg));
		KUNIT_EXPECT_EQ(test, nskb->protocol, skb->protocol);
		assert_is(test, nskb, &hseg, desc);

		/* ...then the segment itself, shifted. */
		shifted = in;
		shifted.seq = st.isn1 + hlen;
		KUNIT_ASSERT_EQ(test, l4lb_pp_fix_seq(skb, &st), 0);
		assert_is(test, skb, &shifted, desc);
	}

	for (f = 0; f < NFAM; f++) {
		const struct layout lo = { .summed = CHECKSUM_NONE };
		const struct layout glo = { .linear = 52, .nfrags = 2,
					    .summed = CHECKSUM_PARTIAL };
		struct tspec in, out;
		struct sk_buff *skb;

		hlen = pp_hdr(hdr, 2, f);
		l4lb_ca_init(&st, ISN_WRAP, hlen);

		/* Exactly the MSS still fits. */
		in = fam(to_backend(st.isn1, 1460 - hlen), f);
		out = in;
		skb = tskb(test, &in, &lo);
		out.pre = hdr;
		out.prelen = hlen;
		KUNIT_ASSERT_EQ(test, l4lb_pp_insert(skb, hdr, hlen, 1460), 0);
		assert_is(test, skb, &out, "payload + header == MSS");

		/* A GSO packet is never grown. */
		in = fam(to_backend(st.isn1, 2000), f);
		skb = tskb(test, &in, &glo);
		skb_shinfo(skb)->gso_size = 1000;
		skb_shinfo(skb)->gso_type = f ? SKB_GSO_TCPV6 : SKB_GSO_TCPV4;
		KUNIT_ASSERT_EQ(test, l4lb_pp_insert(skb, hdr, hlen, 65535),
				-EMSGSIZE);
		skb_shinfo(skb)->gso_size = 0;
		skb_shinfo(skb)->gso_type = 0;
		assert_untouched(test, skb, &in, CHECKSUM_PARTIAL, "GSO");
	}
}

static void pp_fix_icmp_restores_the_quoted_sequence_number(struct kunit *test)
{
	static const unsigned int quotes[] = { 20 + 20 + 10, 20 + 18, 20 + 8,
					       20 + 6 };
	struct l4lb_clientaddr_state st;
	unsigned int q;

	l4lb_ca_init(&st, ISN_WRAP, L4LB_PP_V2_LEN);
	for (q = 0; q < ARRAY_SIZE(quotes); q++) {
		/* The quoted segment as the balancer sent it to the backend,
		 * already translated back (client -> VIP) by the NAT.
		 */
		struct tspec inner = to_backend(0x20u, 10), want = inner;
		unsigned int qlen = quotes[q];
		unsigned int len = 20 + 8 + qlen;
		const u8 *qin, *qwant;
		struct sk_buff *skb;
		struct iphdr *iph;
		struct icmphdr *ih;
		u8 *flat, *got;
		const struct layout lo = { .summed = CHECKSUM_NONE };

		inner.saddr = CLIENT;
		inner.daddr = VIP;
		want = inner;
		want.seq = l4lb_pp_seq_to_client(&st, inner.seq);
		KUNIT_ASSERT_EQ(test, want.seq, 0x04u);
		qin = build(test, &inner, CHECKSUM_NONE);
		qwant = build(test, &want, CHECKSUM_NONE);

		flat = kunit_kzalloc(test, len, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, flat);
		iph = (struct iphdr *)flat;
		iph->version = 4;
		iph->ihl = 5;
		iph->tot_len = htons(len);
		iph->ttl = 64;
		iph->protocol = IPPROTO_ICMP;
		iph->saddr = VIP;
		iph->daddr = CLIENT;
		iph->check = ip_fast_csum(iph, 5);
		ih = (struct icmphdr *)(flat + 20);
		ih->type = ICMP_DEST_UNREACH;
		ih->code = ICMP_FRAG_NEEDED;
		ih->un.frag.mtu = htons(1400);
		memcpy(flat + 28, qin, qlen);
		ih->checksum = ip_compute_csum(ih, len - 20);

		skb = skb_from(test, flat, len, &lo);
		KUNIT_ASSERT_EQ(test, l4lb_pp_fix_icmp(skb, &st), 0);
		got = skb_bytes(test, skb);
		KUNIT_EXPECT_EQ_MSG(test, c16(ip_compute_csum(got + 20, len - 20)),
				    0, "quote of %u: ICMP checksum", qlen);
		/* The quote is the packet built with the client's seq (and
		 * its checksum, where quoted); a quote without the seq stays.
		 */
		assert_bytes(test, got + 28, qlen >= 28 ? qwant : qin, qlen,
			     "quoted packet");
	}
}

/* --- TOA -------------------------------------------------------------------- */

static void toa_option_goes_after_the_options(struct kunit *test)
{
	unsigned int v, j;
	char desc[96];

	for (v = 0; v < 4; v++) {
		struct tspec in = to_backend(1000, 700), out;

		switch (v) {
		case 0:		/* no options */
			break;
		case 1:		/* NOP NOP TS */
			in.optlen = put_nops(in.opt, 2) + put_ts(in.opt + 2);
			break;
		case 2:		/* NOP EOL: inserted before the EOL */
			in.optlen = pad_eol(in.opt, put_nops(in.opt, 1));
			break;
		default:	/* 32 bytes: doff ends at 15 words */
			in.optlen = put_nops(in.opt, 2) + put_ts(in.opt + 2);
			in.optlen += put_nops(in.opt + 12, 2);
			in.optlen += put_sack(in.opt + 14,
					      (const u32[]){ 1, 2, 3, 4 }, 2);
			break;
		}
		out = in;
		if (v == 2) {
			/* NOP, TOA at odd offset, then the EOL padding. */
			out.optlen = put_nops(out.opt, 1);
			out.optlen += put_toa(out.opt + 1);
			out.optlen = pad_eol(out.opt, out.optlen);
		} else {
			out.optlen += put_toa(out.opt + in.optlen);
		}
		for (j = 0; j < ARRAY_SIZE(layouts); j++) {
			struct sk_buff *skb;

			if (!lo_fits(&layouts[j], &in))
				continue;
			snprintf(desc, sizeof(desc), "options %u, %s", v,
				 lo_name(&layouts[j]));
			skb = tskb(test, &in, &layouts[j]);
			KUNIT_ASSERT_EQ_MSG(test, l4lb_toa_insert(skb, CLIENT,
								  CPORT, 1500),
					    0, "%s", desc);
			KUNIT_EXPECT_EQ_MSG(test, skb_transport_offset(skb),
					    (int)THOFF, "%s", desc);
			KUNIT_EXPECT_EQ_MSG(test,
					    (unsigned int)tcp_hdr(skb)->doff * 4,
					    20 + out.optlen, "%s", desc);
			assert_is(test, skb, &out, desc);
		}
	}
}

static void toa_without_room_is_enospc_and_untouched(struct kunit *test)
{
	struct tspec full = to_backend(1000, 100), big = to_backend(1000, 1448);
	struct tspec ok;
	struct sk_buff *skb;
	unsigned int j;
	char desc[96];

	/* 40 bytes of options: doff already 15 words. */
	full.optlen = put_nops(full.opt, 2) + put_ts(full.opt + 2);
	full.optlen += put_nops(full.opt + 12, 2);
	full.optlen += put_sack(full.opt + 14,
				(const u32[]){ 1, 2, 3, 4, 5, 6 }, 3);
	KUNIT_ASSERT_EQ(test, full.optlen, 40u);
	/* 1500 bytes: no room under an MTU of 1500. */
	big.optlen = put_nops(big.opt, 2) + put_ts(big.opt + 2);
	KUNIT_ASSERT_EQ(test, tlen(&big), 1500u);

	for (j = 0; j < ARRAY_SIZE(layouts); j++) {
		const struct layout *lo = &layouts[j];

		snprintf(desc, sizeof(desc), "doff 15, %s", lo_name(lo));
		if (lo_fits(lo, &full)) {
			skb = tskb(test, &full, lo);
			KUNIT_EXPECT_EQ_MSG(test, l4lb_toa_insert(skb, CLIENT,
								  CPORT, 9000),
					    -ENOSPC, "%s", desc);
			assert_untouched(test, skb, &full, lo->summed, desc);
		}
		snprintf(desc, sizeof(desc), "mtu, %s", lo_name(lo));
		skb = tskb(test, &big, lo);
		KUNIT_EXPECT_EQ_MSG(test, l4lb_toa_insert(skb, CLIENT, CPORT,
							  1500),
				    -ENOSPC, "%s", desc);
		assert_untouched(test, skb, &big, lo->summed, desc);
		/* Eight more bytes of MTU are enough. */
		ok = big;
		ok.optlen += put_toa(ok.opt + big.optlen);
		KUNIT_EXPECT_EQ_MSG(test, l4lb_toa_insert(skb, CLIENT, CPORT,
							  1508),
				    0, "%s", desc);
		assert_is(test, skb, &ok, desc);
	}

	/* GSO: each segment must fit, the GSO size counts. */
	{
		const struct layout lo = { .linear = 52, .nfrags = 3,
					   .summed = CHECKSUM_PARTIAL };
		struct tspec gso = to_backend(1000, 3 * 1448);

		gso.optlen = put_nops(gso.opt, 2) + put_ts(gso.opt + 2);
		skb = tskb(test, &gso, &lo);
		skb_shinfo(skb)->gso_size = 1448;
		skb_shinfo(skb)->gso_type = SKB_GSO_TCPV4;
		KUNIT_EXPECT_EQ(test, l4lb_toa_insert(skb, CLIENT, CPORT, 1500),
				-ENOSPC);
		skb_shinfo(skb)->gso_size = 1440;
		KUNIT_EXPECT_EQ(test, l4lb_toa_insert(skb, CLIENT, CPORT, 1500),
				0);
		KUNIT_EXPECT_EQ(test, (int)tcp_hdr(skb)->doff, 10);
	}
}

/* Insertions would change one fragment, not the datagram: refused. */
static void insertions_refuse_fragments_untouched(struct kunit *test)
{
	const struct layout lo = { .summed = CHECKSUM_NONE };
	struct tspec in = to_backend(1000, 100);
	u8 hdr[L4LB_PP_MAXLEN];
	struct sk_buff *skb;
	struct iphdr *iph;
	u8 *flat;
	int hlen;

	hlen = l4lb_pp_build(hdr, sizeof(hdr), 2, CLIENT, CPORT, VIP, VPORT);
	flat = build(test, &in, CHECKSUM_NONE);
	iph = (struct iphdr *)flat;
	iph->frag_off = htons(IP_MF);
	iph->check = 0;
	iph->check = ip_fast_csum(iph, iph->ihl);

	skb = skb_from(test, flat, tlen(&in), &lo);
	KUNIT_EXPECT_EQ(test, l4lb_pp_insert(skb, hdr, hlen, 1460), -EINVAL);
	KUNIT_EXPECT_EQ(test, l4lb_toa_insert(skb, CLIENT, CPORT, 1500),
			-EINVAL);
	KUNIT_EXPECT_NULL(test, l4lb_pp_segment(skb, hdr, hlen, GFP_KERNEL));
	KUNIT_ASSERT_EQ(test, skb->len, tlen(&in));
	assert_bytes(test, skb_bytes(test, skb), flat, tlen(&in), "fragment");

	/* IPv6: a first fragment (M set), then one further on (offset
	 * 1448): neither is grown or trimmed; only a first fragment holds a
	 * TCP header to shift in place.
	 */
	hlen = pp_hdr(hdr, 2, 1);
	in = as6(to_backend(1000, 100), NEXTHDR_FRAGMENT);
	in.frag = IP6_MF;
	flat = build(test, &in, CHECKSUM_NONE);
	skb = skb_from(test, flat, tlen(&in), &lo);
	KUNIT_EXPECT_EQ(test, l4lb_pp_insert(skb, hdr, hlen, 1460), -EINVAL);
	KUNIT_EXPECT_NULL(test, l4lb_pp_segment(skb, hdr, hlen, GFP_KERNEL));
	assert_untouched(test, skb, &in, CHECKSUM_NONE, "first IPv6 fragment");
	in.flags = TCPHDR_SYN;
	skb = tskb(test, &in, &lo);
	KUNIT_EXPECT_EQ(test, l4lb_tcp_syn_trim(skb), -EINVAL);
	assert_untouched(test, skb, &in, CHECKSUM_NONE,
			 "first IPv6 fragment, SYN");

	in.frag = 1448 | IP6_MF;
	skb = tskb(test, &in, &lo);
	KUNIT_EXPECT_EQ(test, l4lb_pp_insert(skb, hdr, hlen, 1460), -EINVAL);
	KUNIT_EXPECT_NULL(test, l4lb_pp_segment(skb, hdr, hlen, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, l4lb_tcp_syn_trim(skb), -EINVAL);
	assert_untouched(test, skb, &in, CHECKSUM_NONE, "later IPv6 fragment");
}

static void toa_wanted_on_the_first_segments_only(struct kunit *test)
{
	struct l4lb_clientaddr_state st;
	const u8 ack = TCPHDR_ACK;

	l4lb_ca_init(&st, ISN_WRAP, 0);
	KUNIT_EXPECT_FALSE(test, l4lb_toa_wanted(&st, ISN_WRAP, TCPHDR_SYN));
	KUNIT_EXPECT_TRUE(test, l4lb_toa_wanted(&st, st.isn1, ack));
	KUNIT_EXPECT_TRUE(test, l4lb_toa_wanted(&st, st.isn1,
						ack | TCPHDR_PSH));
	KUNIT_EXPECT_FALSE(test, l4lb_toa_wanted(&st, st.isn1, TCPHDR_RST));
	KUNIT_EXPECT_FALSE(test, l4lb_toa_wanted(&st, st.isn1 + 1, ack));
	/* The SYN-ACK acks the SYN only; then the backend acks data. */
	l4lb_ca_note_ack(&st, st.isn1);
	KUNIT_EXPECT_TRUE(test, l4lb_toa_wanted(&st, st.isn1, ack));
	l4lb_ca_note_ack(&st, st.isn1 + 1);
	KUNIT_EXPECT_FALSE(test, l4lb_toa_wanted(&st, st.isn1, ack));
}

/* --- MSS -------------------------------------------------------------------- */

static void mss_of_a_syn_ack_is_reduced(struct kunit *test)
{
	static const struct {
		u16 mss, by, want;
		unsigned int nops;	/* before the option: 1 = odd offset */
	} cases[] = {
		{ 1460, 8, 1452, 0 },
		{ 1460, 8, 1452, 1 },
		{ 8960, 8, 8952, 2 },
		{ 96, 8, 88, 0 },
		{ 90, 8, 88, 0 },	/* never below TCP_MIN_MSS */
		{ 80, 8, 80, 0 },	/* already below: kept */
	};
	unsigned int i, j;
	char desc[96];

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		for (j = 0; j < ARRAY_SIZE(layouts); j++) {
			struct tspec in = to_client(ISN_WRAP + 1, 0), out;
			struct sk_buff *skb;
			unsigned int n;

			in.flags = TCPHDR_SYN | TCPHDR_ACK;
			n = put_nops(in.opt, cases[i].nops);
			n += put_mss(in.opt + n, cases[i].mss);
			n += put_nops(in.opt + n, 2);
			n += put_ts(in.opt + n);
			in.optlen = pad_eol(in.opt, n);
			out = in;
			put_unaligned_be16(cases[i].want,
					   out.opt + cases[i].nops + 2);
			if (layouts[j].linear)	/* no payload to put in frags */
				continue;
			snprintf(desc, sizeof(desc), "MSS %u - %u, %u NOPs, %s",
				 cases[i].mss, cases[i].by, cases[i].nops,
				 lo_name(&layouts[j]));
			skb = tskb(test, &in, &layouts[j]);
			KUNIT_ASSERT_EQ_MSG(test,
					    l4lb_tcp_mss_reduce(skb, cases[i].by),
					    (int)cases[i].mss, "%s", desc);
			assert_is(test, skb, &out, desc);
			/* 0 only reads it. */
			skb = tskb(test, &out, &layouts[j]);
			KUNIT_ASSERT_EQ_MSG(test, l4lb_tcp_mss_reduce(skb, 0),
					    (int)cases[i].want, "%s", desc);
			assert_untouched(test, skb, &out, layouts[j].summed,
					 desc);
		}
	}
}

static void pp_window_is_clamped_while_the_header_is_unacked(struct kunit *test)
{
	static const struct {
		const char *what;
		u8 flags;
		u32 ack_off;	/* from ISN + 1, backend's space */
		u16 win;
		u8 wshift;
		u16 want;
	} cases[] = {
		{ "SYN-ACK: unscaled, the whole header", TCPHDR_SYN | TCPHDR_ACK,
		  0, 502, 7, 502 - L4LB_PP_V2_LEN },
		{ "ACK inside the header", TCPHDR_ACK, 10, 502, 0,
		  502 - (L4LB_PP_V2_LEN - 10) },
		{ "ACK inside the header, scaled: rounded up", TCPHDR_ACK, 10,
		  502, 2, 502 - 5 },
		{ "ACK of the last header byte but one", TCPHDR_ACK,
		  L4LB_PP_V2_LEN - 1, 502, 14, 501 },
		{ "ACK past the header: unchanged", TCPHDR_ACK, L4LB_PP_V2_LEN,
		  502, 0, 502 },
		{ "ACK before the client's first byte: unchanged", TCPHDR_ACK,
		  -1u, 502, 0, 502 },
		{ "a window smaller than the header: 0", TCPHDR_ACK, 0, 20, 0,
		  0 },
		{ "no ACK: unchanged", TCPHDR_RST, 0, 502, 0, 502 },
	};
	struct l4lb_clientaddr_state st;
	unsigned int i, j;
	char desc[128];

	/* The header crosses 2^32. */
	l4lb_ca_init(&st, ISN_WRAP + 4, L4LB_PP_V2_LEN);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		for (j = 0; j < ARRAY_SIZE(layouts); j++) {
			struct tspec in = to_client(st.isn1 + cases[i].ack_off,
						    30), out;
			struct sk_buff *skb;

			in.flags = cases[i].flags;
			in.win = cases[i].win;
			out = in;
			out.win = cases[i].want;
			if (!lo_fits(&layouts[j], &in))
				continue;
			snprintf(desc, sizeof(desc), "%s, %s", cases[i].what,
				 lo_name(&layouts[j]));
			skb = tskb(test, &in, &layouts[j]);
			KUNIT_ASSERT_EQ_MSG(test,
					    l4lb_pp_clamp_win(skb, &st,
							      cases[i].wshift),
					    0, "%s", desc);
			if (cases[i].want) {
				assert_is(test, skb, &out, desc);
				continue;
			}
			/* tspec has no way to say 0: look at the field. */
			KUNIT_ASSERT_EQ_MSG(test, tcp_hdr(skb)->window, 0,
					    "%s", desc);
			if (skb->ip_summed != CHECKSUM_PARTIAL)
				assert_tcp_csum_valid(test, skb, desc);
		}
	}
	/* It only reads the state. */
	KUNIT_EXPECT_FALSE(test, st.flags & L4LB_CA_F_ACKED);
}

/* The right edge of the window the client sees, after the clamp and the
 * shift, is never past the backend's, shifted into the client's space.
 */
static void pp_clamped_window_never_passes_the_backends_edge(struct kunit *test)
{
	const struct layout lo = { .summed = CHECKSUM_NONE };
	struct l4lb_clientaddr_state st;
	unsigned int off, hlen;
	u8 shift;

	for (hlen = L4LB_PP_V2_LEN; hlen <= L4LB_PP_V1_MAXLEN; hlen += 79) {
		l4lb_ca_init(&st, ISN_WRAP, hlen);
		for (shift = 0; shift <= 3; shift++) {
			for (off = 0; off <= hlen + 1; off++) {
				struct tspec in = to_client(st.isn1 + off, 0);
				struct sk_buff *skb;
				u32 edge, bedge;

				in.win = 300;
				skb = tskb(test, &in, &lo);
				KUNIT_ASSERT_EQ(test, l4lb_pp_clamp_win(skb, &st,
									shift),
						0);
				KUNIT_ASSERT_EQ(test, l4lb_pp_fix_ack(skb, &st),
						0);
				edge = ntohl(tcp_hdr(skb)->ack_seq) +
				       (ntohs(tcp_hdr(skb)->window) << shift);
				bedge = l4lb_pp_seq_to_client(&st, st.isn1 +
							      off) +
					(300u << shift);
				if (off < hlen)	/* inside: the header's share */
					bedge = st.isn1 + off + (300u << shift)
						- hlen;
				KUNIT_ASSERT_FALSE_MSG(test, after(edge, bedge),
						       "hlen %u, shift %u, ack +%u: edge %u past %u",
						       hlen, shift, off, edge,
						       bedge);
				/* ... and loses at most a scale unit. */
				KUNIT_ASSERT_FALSE_MSG(test,
						       before(edge, bedge -
							      (1u << shift) + 1),
						       "hlen %u, shift %u, ack +%u: edge %u, want %u",
						       hlen, shift, off, edge,
						       bedge);
			}
		}
	}
}

static void syn_data_is_dropped_and_the_options_kept(struct kunit *test)
{
	static const struct layout lays[] = {
		{ .summed = CHECKSUM_NONE },
		{ .linear = 60, .nfrags = 2, .summed = CHECKSUM_NONE },
		{ .summed = CHECKSUM_PARTIAL },
		{ .linear = 60, .nfrags = 2, .summed = CHECKSUM_PARTIAL },
		{ .summed = CHECKSUM_COMPLETE },
	};
	unsigned int j, n, f;
	char desc[96];

	for (j = 0; j < ARRAY_SIZE(lays) * 2 * NFAM; j++) {
		const struct layout *lo = &lays[j % ARRAY_SIZE(lays)];
		bool gso = j / ARRAY_SIZE(lays) % 2;
		struct tspec in, out;
		struct sk_buff *skb, *clone;

		f = j / (ARRAY_SIZE(lays) * 2);
		in = fam(to_backend(ISN_WRAP, 300), f);

		if (gso && lo->summed != CHECKSUM_PARTIAL)
			continue;
		in.flags = TCPHDR_SYN;
		in.ack = 0;
		n = put_mss(in.opt, 1460);
		/* A Fast Open cookie (RFC 7413 4.1.1): kind 34, 8 bytes. */
		in.opt[n] = TCPOPT_FASTOPEN;
		in.opt[n + 1] = 10;
		memset(in.opt + n + 2, 0xc0, 8);
		n += 10;
		in.optlen = pad_eol(in.opt, n);
		out = in;
		out.plen = 0;
		snprintf(desc, sizeof(desc), "%s, SYN with data, layout %u%s",
			 fam_name(f), j % ARRAY_SIZE(lays), gso ? ", GSO" : "");
		skb = tskb(test, &in, lo);
		if (gso) {
			skb_shinfo(skb)->gso_size = 100;
			skb_shinfo(skb)->gso_type = f ? SKB_GSO_TCPV6 :
						       SKB_GSO_TCPV4;
			skb_shinfo(skb)->gso_segs = 3;
		}
		clone = skb_track(test, skb_clone(skb, GFP_KERNEL));
		KUNIT_ASSERT_EQ_MSG(test, l4lb_tcp_syn_trim(clone), 300,
				    "%s", desc);
		KUNIT_EXPECT_FALSE_MSG(test, skb_is_gso(clone), "%s", desc);
		if (lo->summed == CHECKSUM_COMPLETE)
			KUNIT_EXPECT_EQ_MSG(test, (u8)clone->ip_summed,
					    CHECKSUM_NONE, "%s", desc);
		assert_is(test, clone, &out, desc);
		assert_untouched(test, skb, &in,
				 lo->summed == CHECKSUM_PARTIAL ?
				 CHECKSUM_PARTIAL : CHECKSUM_NONE,
				 "the original of a clone");

		/* Without data: nothing to do. */
		skb = tskb(test, &out, lo);
		KUNIT_ASSERT_EQ_MSG(test, l4lb_tcp_syn_trim(skb), 0, "%s", desc);
		assert_untouched(test, skb, &out,
				 lo->summed == CHECKSUM_PARTIAL ?
				 CHECKSUM_PARTIAL : CHECKSUM_NONE, desc);
	}
	/* Not a SYN. */
	{
		const struct layout lo = { .summed = CHECKSUM_NONE };
		struct tspec in = to_backend(ISN_WRAP + 1, 30);
		struct sk_buff *skb = tskb(test, &in, &lo);

		KUNIT_EXPECT_EQ(test, l4lb_tcp_syn_trim(skb), -EINVAL);
		assert_untouched(test, skb, &in, CHECKSUM_NONE, "not a SYN");
	}
}

static void mss_reduce_refuses_other_segments_untouched(struct kunit *test)
{
	const struct layout lo = { .summed = CHECKSUM_NONE };
	struct tspec nomss = to_client(1, 0), notsyn = to_client(1, 10);
	struct sk_buff *skb;

	nomss.flags = TCPHDR_SYN | TCPHDR_ACK;
	nomss.optlen = put_nops(nomss.opt, 2) + put_ts(nomss.opt + 2);
	skb = tskb(test, &nomss, &lo);
	KUNIT_EXPECT_EQ(test, l4lb_tcp_mss_reduce(skb, 8), -ENOENT);
	assert_untouched(test, skb, &nomss, CHECKSUM_NONE, "no MSS option");

	notsyn.optlen = put_mss(notsyn.opt, 1460);
	skb = tskb(test, &notsyn, &lo);
	KUNIT_EXPECT_EQ(test, l4lb_tcp_mss_reduce(skb, 8), -EINVAL);
	assert_untouched(test, skb, &notsyn, CHECKSUM_NONE, "not a SYN");

	notsyn.flags = TCPHDR_SYN;
	notsyn.optlen = put_mss(notsyn.opt, 0);
	skb = tskb(test, &notsyn, &lo);
	KUNIT_EXPECT_EQ(test, l4lb_tcp_mss_reduce(skb, 8), -EINVAL);
	assert_untouched(test, skb, &notsyn, CHECKSUM_NONE, "MSS 0");
}

/* TOA has no IPv6 form: an IPv6 segment is refused as it is. */
static void toa_is_never_put_on_ipv6(struct kunit *test)
{
	const struct layout lo = { .summed = CHECKSUM_NONE };
	unsigned int f;

	for (f = 1; f < NFAM; f++) {
		struct tspec in = fam(to_backend(1000, 100), f);
		struct sk_buff *skb = tskb(test, &in, &lo);

		KUNIT_EXPECT_EQ(test, l4lb_toa_insert(skb, CLIENT, CPORT, 1500),
				-EPROTONOSUPPORT);
		assert_untouched(test, skb, &in, CHECKSUM_NONE, fam_name(f));
	}
}

/* The MSS of an IPv6 SYN-ACK is read (PROXY) past an extension header. */
static void mss_of_an_ipv6_syn_ack_is_read(struct kunit *test)
{
	unsigned int j, f;
	char desc[96];

	for (f = 1; f < NFAM; f++) {
		for (j = 0; j < ARRAY_SIZE(layouts); j++) {
			struct tspec in = fam(to_client(ISN_WRAP + 1, 0), f);
			struct tspec out;
			struct sk_buff *skb;
			unsigned int n;

			if (layouts[j].linear)	/* no payload for frags */
				continue;
			in.flags = TCPHDR_SYN | TCPHDR_ACK;
			n = put_nops(in.opt, 1);
			n += put_mss(in.opt + n, 1440);
			in.optlen = pad_eol(in.opt, n);
			out = in;
			put_unaligned_be16(1432, out.opt + 1 + 2);
			snprintf(desc, sizeof(desc), "%s, %s", fam_name(f),
				 lo_name(&layouts[j]));
			skb = tskb(test, &in, &layouts[j]);
			KUNIT_ASSERT_EQ_MSG(test, l4lb_tcp_mss_reduce(skb, 0),
					    1440, "%s", desc);
			assert_untouched(test, skb, &in, layouts[j].summed,
					 desc);
			KUNIT_ASSERT_EQ_MSG(test, l4lb_tcp_mss_reduce(skb, 8),
					    1440, "%s", desc);
			assert_is(test, skb, &out, desc);
		}
	}
}

/*
 * An ICMPv6 Packet Too Big quoting a shifted segment, a Destination
 * Options header in front of the ICMPv6 header and one in the quote in
 * front of the quoted TCP header: the quoted sequence number is restored,
 * and the ICMPv6 checksum verifies (csum_ipv6_magic()).
 */
static void pp_fix_icmp6_restores_the_quoted_sequence_number(struct kunit *test)
{
	/* Quoted: the IPv6 header, 16 bytes of options, then TCP. */
	static const unsigned int quotes[] = { 56 + 20 + 10, 56 + 18, 56 + 8,
					       56 + 6 };
	const struct layout lo = { .summed = CHECKSUM_NONE };
	struct l4lb_clientaddr_state st;
	unsigned int q;

	l4lb_ca_init(&st, ISN_WRAP, L4LB_PP_V2_LEN6);
	for (q = 0; q < ARRAY_SIZE(quotes); q++) {
		struct tspec inner = as6(to_backend(0x40u, 10), NEXTHDR_DEST);
		struct tspec want;
		unsigned int qlen = quotes[q], ext = 8;
		unsigned int ioff = 40 + ext, len = ioff + 8 + qlen;
		struct in6_addr vip = addr6(VIP), cli = addr6(CLIENT);
		const u8 *qin, *qwant;
		struct ipv6hdr *ip6h;
		struct icmp6hdr *ih;
		struct sk_buff *skb;
		u8 *flat, *got;

		inner.saddr = CLIENT;
		inner.daddr = VIP;
		want = inner;
		want.seq = l4lb_pp_seq_to_client(&st, inner.seq);
		KUNIT_ASSERT_EQ(test, want.seq, 0x40u - L4LB_PP_V2_LEN6);
		qin = build(test, &inner, CHECKSUM_NONE);
		qwant = build(test, &want, CHECKSUM_NONE);

		flat = kunit_kzalloc(test, len, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, flat);
		ip6h = (struct ipv6hdr *)flat;
		ip6_flow_hdr(ip6h, 0, 0);
		ip6h->payload_len = htons(len - 40);
		ip6h->nexthdr = NEXTHDR_DEST;
		ip6h->hop_limit = 64;
		ip6h->saddr = vip;
		ip6h->daddr = cli;
		flat[40] = IPPROTO_ICMPV6;	/* 8 bytes: PadN of 4 */
		flat[42] = IPV6_TLV_PADN;
		flat[43] = 4;
		ih = (struct icmp6hdr *)(flat + ioff);
		ih->icmp6_type = ICMPV6_PKT_TOOBIG;
		ih->icmp6_mtu = htonl(1280);
		memcpy(flat + ioff + 8, qin, qlen);
		ih->icmp6_cksum = csum_ipv6_magic(&vip, &cli, len - ioff,
						  IPPROTO_ICMPV6,
						  csum_partial(ih, len - ioff,
							       0));

		skb = skb_from(test, flat, len, &lo);
		KUNIT_ASSERT_EQ(test, l4lb_pp_fix_icmp(skb, &st), 0);
		got = skb_bytes(test, skb);
		KUNIT_EXPECT_EQ_MSG(test,
				    c16(csum_ipv6_magic(&vip, &cli, len - ioff,
							IPPROTO_ICMPV6,
							csum_partial(got + ioff,
								     len - ioff,
								     0))),
				    0, "quote of %u: ICMPv6 checksum", qlen);
		assert_bytes(test, got + ioff + 8,
			     qlen >= 56 + 8 ? qwant : qin, qlen,
			     "quoted IPv6 packet");
	}

	/* Not an ICMPv6 error quoting TCP: refused. */
	{
		struct tspec tcp = as6(to_client(1, 10), 0);
		struct sk_buff *skb = tskb(test, &tcp, &lo);

		KUNIT_EXPECT_EQ(test, l4lb_pp_fix_icmp(skb, &st), -EINVAL);
	}
}

static struct kunit_case l4lb_clientaddr_cases[] = {
	KUNIT_CASE(pp_v2_header_is_byte_exact),
	KUNIT_CASE(pp_v1_header_is_the_exact_line),
	KUNIT_CASE(pp_v2_tcp6_header_is_byte_exact),
	KUNIT_CASE(pp_v1_tcp6_line_has_rfc5952_addresses),
	KUNIT_CASE(pp_seq_maps_across_the_wrap),
	KUNIT_CASE(pp_fix_seq_and_ack_rewrite_packets_across_the_wrap),
	KUNIT_CASE(pp_sack_blocks_are_shifted),
	KUNIT_CASE(pp_carry_decision_follows_the_first_byte_and_the_ack),
	KUNIT_CASE(pp_retransmitted_first_segment_carries_the_header_once),
	KUNIT_CASE(pp_insert_grows_a_cloned_skb_without_tailroom),
	KUNIT_CASE(rewrites_keep_or_drop_checksum_complete),
	KUNIT_CASE(toa_on_a_clone_with_a_mac_header),
	KUNIT_CASE(pp_header_over_the_mss_goes_in_a_segment_of_its_own),
	KUNIT_CASE(pp_fix_icmp_restores_the_quoted_sequence_number),
	KUNIT_CASE(pp_fix_icmp6_restores_the_quoted_sequence_number),
	KUNIT_CASE(toa_option_goes_after_the_options),
	KUNIT_CASE(toa_without_room_is_enospc_and_untouched),
	KUNIT_CASE(toa_wanted_on_the_first_segments_only),
	KUNIT_CASE(toa_is_never_put_on_ipv6),
	KUNIT_CASE(insertions_refuse_fragments_untouched),
	KUNIT_CASE(mss_of_a_syn_ack_is_reduced),
	KUNIT_CASE(mss_reduce_refuses_other_segments_untouched),
	KUNIT_CASE(mss_of_an_ipv6_syn_ack_is_read),
	KUNIT_CASE(pp_window_is_clamped_while_the_header_is_unacked),
	KUNIT_CASE(pp_clamped_window_never_passes_the_backends_edge),
	KUNIT_CASE(syn_data_is_dropped_and_the_options_kept),
	{}
};

static struct kunit_suite l4lb_clientaddr_suite = {
	.name = "l4lb_clientaddr",
	.test_cases = l4lb_clientaddr_cases,
};

kunit_test_suite(l4lb_clientaddr_suite);
