// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the client address in the packet path
 * (kmod/l4lb_ca_path.c): one connection's segments, in both directions,
 * through l4lb_ca_xmit() as l4lb_in() calls it after the NAT rewrite, on
 * a row from l4lb_conn_alloc_ca(), or an IPv6 row from l4lb_conn_alloc6()
 * whose segments carry a Destination Options header (issue #18). Each
 * segment is checked field by field and its checksum verified (IPv6:
 * csum_ipv6_magic() over the result); the building blocks themselves are
 * tested byte for byte in l4lb_clientaddr_test.c.
 */
#include <kunit/test.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <asm/unaligned.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "l4lb_kunit.h"
#include "l4lb_ca_path.h"
#include "l4lb_clientaddr.h"
#include "l4lb_nat.h"
#include "l4lb_net.h"
#include "l4lb_proto_tcp.h"

#include "l4lb_kunit_tuple.h"

/* The client's stream crosses 2^32 a few bytes in. */
#define ISN		0xfffffff8u
#define BISN		0x10000000u

/* An IPv6 address from its 16 bytes. */
#define A6(...)	((struct in6_addr){ .s6_addr = { __VA_ARGS__ } })

/*
 * The IPv6 row: [2001:db8:c::10]:CPORT -> [2001:db8:0:1::1]:VPORT,
 * [2001:db8:1::5]:BPORT -> [2001:db8:1::fe]:SPORT. Its PROXY v1 line is
 * 52 bytes, as long as a v2 header.
 */
static const struct in6_addr client6 =
	A6(0x20, 0x01, 0x0d, 0xb8, 0, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10);
static const struct in6_addr vip6 =
	A6(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1);
static const struct in6_addr backend6 =
	A6(0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5);
static const struct in6_addr snat6 =
	A6(0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe);

/* The Destination Options header of the IPv6 row's segments, bytes. */
#define EXT6	8

/**
 * struct ca_fix - a namespace's counters, a table and one row
 * @ln: the namespace state: only its counters (and net, to send in)
 * @tab: the table the row is counted in
 * @conn: the row: client:CPORT -> VIP:VPORT, backend:BPORT -> SNAT:SPORT
 * @v6: an IPv6 row (client6 ... snat6); its segments are IPv6 with an
 *	EXT6-byte Destination Options header
 */
struct ca_fix {
	struct l4lb_net ln;
	struct l4lb_conn_table *tab;
	struct l4lb_conn *conn;
	bool v6;
};

/* The bytes in front of the TCP header of @f's segments. */
static unsigned int iphl(const struct ca_fix *f)
{
	return f->v6 ? sizeof(struct ipv6hdr) + EXT6 : sizeof(struct iphdr);
}

static void ca_fix_exit(struct kunit *test)
{
	struct ca_fix *f = test->priv;

	if (!f)
		return;
	if (f->conn)
		l4lb_conn_free_unhashed(f->tab, f->conn);
	l4lb_conn_table_free(f->tab);
	free_percpu(f->ln.stats);
}

/* The IPv6 header and options of a segment of @len bytes at @p. */
static void seg6_hdr(u8 *p, unsigned int len, bool orig)
{
	struct ipv6hdr *ip6h = (struct ipv6hdr *)p;

	ip6_flow_hdr(ip6h, 0, htonl(0xbeef));
	ip6h->payload_len = htons(len - sizeof(*ip6h));
	ip6h->nexthdr = NEXTHDR_DEST;
	ip6h->hop_limit = 64;
	ip6h->saddr = orig ? snat6 : vip6;
	ip6h->daddr = orig ? backend6 : client6;
	p[sizeof(*ip6h)] = IPPROTO_TCP;		/* 8 bytes: PadN of 4 */
	p[sizeof(*ip6h) + 2] = IPV6_TLV_PADN;
	p[sizeof(*ip6h) + 3] = EXT6 - 4;
}

/* A segment, translated already: @orig from SNAT to the backend, else
 * from the VIP to the client; of @f's family. Linear, CHECKSUM_NONE,
 * checksums right.
 */
static struct sk_buff *seg(struct kunit *test, const struct ca_fix *f,
			   bool orig, u8 flags, u32 seq, u32 ack, u16 win,
			   const u8 *opt, unsigned int optlen,
			   unsigned int plen)
{
	unsigned int hl = iphl(f);
	unsigned int len = hl + sizeof(struct tcphdr) + optlen + plen, i;
	struct sk_buff *skb = alloc_skb(64 + len, GFP_KERNEL);
	struct ipv6hdr *ip6h;
	struct tcphdr *th;
	struct iphdr *iph;
	u8 *p;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, optlen % 4, 0u);
	skb_reserve(skb, 64);
	p = skb_put_zero(skb, len);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, hl);
	skb->protocol = htons(f->v6 ? ETH_P_IPV6 : ETH_P_IP);
	if (f->v6) {
		seg6_hdr(p, len, orig);
	} else {
		iph = (struct iphdr *)p;
		iph->version = 4;
		iph->ihl = 5;
		iph->tot_len = htons(len);
		iph->frag_off = htons(IP_DF);
		iph->ttl = 64;
		iph->protocol = IPPROTO_TCP;
		iph->saddr = orig ? SNAT : VIP;
		iph->daddr = orig ? BACKEND : CLIENT;
		iph->check = ip_fast_csum(iph, iph->ihl);
	}
	th = (struct tcphdr *)(p + hl);
	th->source = orig ? SPORT : VPORT;
	th->dest = orig ? BPORT : CPORT;
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = (sizeof(*th) + optlen) / 4;
	tcp_flag_byte(th) = flags;
	th->window = htons(win);
	if (optlen)
		memcpy(th + 1, opt, optlen);
	for (i = 0; i < plen; i++)
		((u8 *)(th + 1))[optlen + i] = (u8)(0x30 + i);
	if (f->v6) {
		ip6h = (struct ipv6hdr *)p;
		th->check = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr,
					    len - hl, IPPROTO_TCP,
					    csum_partial(th, len - hl, 0));
	} else {
		iph = (struct iphdr *)p;
		th->check = csum_tcpudp_magic(iph->saddr, iph->daddr, len - hl,
					      IPPROTO_TCP,
					      csum_partial(th, len - hl, 0));
	}
	return skb;
}

/* The IP and TCP checksums verify, and the IP length is the skb's; IPv6:
 * the payload length, and the TCP checksum with csum_ipv6_magic() from
 * the header ipv6_skip_exthdr() finds.
 */
static void assert_sums(struct kunit *test, struct sk_buff *skb)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int l4len = skb->len - iph->ihl * 4;
	__be16 frag_off;
	u8 nexthdr;
	int off;

	if (iph->version == 6) {
		KUNIT_ASSERT_EQ(test, ntohs(ip6h->payload_len),
				skb->len - sizeof(*ip6h));
		nexthdr = ip6h->nexthdr;
		off = ipv6_skip_exthdr(skb, sizeof(*ip6h), &nexthdr,
				       &frag_off);
		KUNIT_ASSERT_GT(test, off, 0);
		KUNIT_ASSERT_EQ(test, nexthdr, IPPROTO_TCP);
		l4len = skb->len - off;
		KUNIT_ASSERT_EQ(test,
				(__force u16)csum_ipv6_magic(&ip6h->saddr,
							     &ip6h->daddr,
							     l4len, IPPROTO_TCP,
							     skb_checksum(skb, off,
									  l4len,
									  0)),
				0);
		return;
	}
	KUNIT_ASSERT_EQ(test, ntohs(iph->tot_len), skb->len);
	KUNIT_ASSERT_EQ(test, (__force u16)ip_fast_csum(iph, iph->ihl), 0);
	KUNIT_ASSERT_EQ(test,
			(__force u16)csum_tcpudp_magic(iph->saddr, iph->daddr,
						       l4len, IPPROTO_TCP,
						       skb_checksum(skb, iph->ihl * 4,
								    l4len, 0)),
			0);
}

static unsigned int payload_len(struct sk_buff *skb)
{
	return skb->len - skb_transport_offset(skb) - tcp_hdrlen(skb);
}

static const u8 *payload(struct sk_buff *skb)
{
	return skb_transport_header(skb) + tcp_hdrlen(skb);
}

/* Through l4lb_ca_xmit() as the packet path calls it (BHs off, under
 * RCU), then the row's tracking, as l4lb_conn_update() does. Returns
 * l4lb_ca_xmit()'s result; @skb stays the caller's.
 */
static int xmit(struct ca_fix *f, bool orig, struct sk_buff *skb)
{
	struct l4lb_l4 l4;
	int err;

	if (f->v6 ? l4lb_nat6_parse(skb, &l4) : l4lb_nat_parse(skb, &l4))
		return -EBADMSG;
	local_bh_disable();
	rcu_read_lock();
	err = l4lb_ca_xmit(&f->ln, f->conn,
			   orig ? L4LB_DIR_ORIG : L4LB_DIR_REPLY, skb, &l4);
	if (!err)
		l4lb_tcp_track(f->conn, orig ? L4LB_DIR_ORIG : L4LB_DIR_REPLY,
			       &l4);
	rcu_read_unlock();
	local_bh_enable();
	return err;
}

static u64 event(struct ca_fix *f, enum l4lb_event ev)
{
	struct l4lb_stats_sum sum;

	l4lb_stats_read(&f->ln, &sum);
	return sum.event[ev];
}

/* A row of @mode set up from a SYN carrying @syn_data bytes; IPv6 if @v6. */
static struct ca_fix *ca_setup_af(struct kunit *test, u8 mode,
				  unsigned int syn_data, bool v6)
{
	struct ca_fix *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	struct l4lb_conn *conn;
	struct sk_buff *syn;
	struct l4lb_l4 l4;

	KUNIT_ASSERT_NOT_NULL(test, f);
	test->priv = f;
	f->v6 = v6;
	f->ln.net = &init_net;
	f->ln.stats = netdev_alloc_pcpu_stats(struct l4lb_stats);
	KUNIT_ASSERT_NOT_NULL(test, f->ln.stats);
	f->tab = l4lb_conn_table_alloc(4, 16, 16, NULL);
	KUNIT_ASSERT_NOT_NULL(test, f->tab);
	if (v6)
		conn = l4lb_conn_alloc6(f->tab, GFP_KERNEL,
					mode != L4LB_CLIENT_ADDR_NONE);
	else if (mode == L4LB_CLIENT_ADDR_NONE)
		conn = l4lb_conn_alloc(f->tab, GFP_KERNEL);
	else
		conn = l4lb_conn_alloc_ca(f->tab, GFP_KERNEL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(conn));
	f->conn = conn;
	f->conn->th[L4LB_DIR_ORIG].tuple = (struct l4lb_tuple) {
		.saddr = CLIENT, .sport = CPORT, .daddr = VIP, .dport = VPORT,
		.proto = IPPROTO_TCP, .dir = L4LB_DIR_ORIG,
	};
	f->conn->th[L4LB_DIR_REPLY].tuple = (struct l4lb_tuple) {
		.saddr = BACKEND, .sport = BPORT, .daddr = SNAT, .dport = SPORT,
		.proto = IPPROTO_TCP, .dir = L4LB_DIR_REPLY,
	};
	if (v6) {
		struct l4lb_conn6 *c6 = container_of(conn, struct l4lb_conn6,
						     conn);
		struct l4lb_tuple *o = &conn->th[L4LB_DIR_ORIG].tuple;
		struct l4lb_tuple *r = &conn->th[L4LB_DIR_REPLY].tuple;

		c6->addr[L4LB_DIR_ORIG][0] = client6;
		c6->addr[L4LB_DIR_ORIG][1] = vip6;
		c6->addr[L4LB_DIR_REPLY][0] = backend6;
		c6->addr[L4LB_DIR_REPLY][1] = snat6;
		o->saddr = l4lb_addr6_fold(&client6);
		o->daddr = l4lb_addr6_fold(&vip6);
		r->saddr = l4lb_addr6_fold(&backend6);
		r->daddr = l4lb_addr6_fold(&snat6);
		o->v6 = 1;
		r->v6 = 1;
	}
	f->conn->state = L4LB_CONN_SYN_SENT;

	syn = seg(test, f, true, TCPHDR_SYN, ISN, 0, 64240, NULL, 0, syn_data);
	KUNIT_ASSERT_EQ(test, v6 ? l4lb_nat6_parse(syn, &l4) :
				   l4lb_nat_parse(syn, &l4), 0);
	l4lb_tcp_init(f->conn, &l4);
	if (mode != L4LB_CLIENT_ADDR_NONE)
		l4lb_ca_conn_init(f->conn, &l4, mode);
	/* The SYN itself goes through the path too. */
	KUNIT_ASSERT_EQ(test, xmit(f, true, syn), 0);
	if (mode == L4LB_CLIENT_ADDR_PROXY_V2 ||
	    mode == L4LB_CLIENT_ADDR_PROXY_V1) {
		KUNIT_EXPECT_EQ(test, syn->len,
				iphl(f) + sizeof(struct tcphdr));
		KUNIT_EXPECT_EQ(test, event(f, L4LB_EV_PROXY_SYN_DATA),
				syn_data ? 1ull : 0ull);
	} else {
		KUNIT_EXPECT_EQ(test, payload_len(syn), syn_data);
	}
	assert_sums(test, syn);
	kfree_skb(syn);
	return f;
}

/* An IPv4 row of @mode set up from a SYN carrying @syn_data bytes. */
static struct ca_fix *ca_setup(struct kunit *test, u8 mode,
			       unsigned int syn_data)
{
	return ca_setup_af(test, mode, syn_data, false);
}

/* The backend's SYN-ACK with MSS @mss; returns what the client gets. */
static struct sk_buff *syn_ack(struct kunit *test, struct ca_fix *f, u16 mss)
{
	u8 opt[8] = { TCPOPT_MSS, TCPOLEN_MSS, mss >> 8, mss & 0xff,
		      TCPOPT_NOP, TCPOPT_WINDOW, TCPOLEN_WINDOW, 7 };
	struct sk_buff *skb = seg(test, f, false, TCPHDR_SYN | TCPHDR_ACK,
				  BISN, ISN + 1, 64240, opt, sizeof(opt), 0);

	KUNIT_ASSERT_EQ(test, xmit(f, false, skb), 0);
	assert_sums(test, skb);
	return skb;
}

/* The MSS option of a SYN-ACK from syn_ack(), host byte order. */
static u16 mss_of(struct sk_buff *skb)
{
	return get_unaligned_be16(skb_transport_header(skb) + 20 + 2);
}

/* A PROXY v2 connection of either family, through every step. */
static void proxy_v2_connection(struct kunit *test, bool v6)
{
	struct ca_fix *f = ca_setup_af(test, L4LB_CLIENT_ADDR_PROXY_V2, 40,
				       v6);
	struct l4lb_clientaddr_state *st = l4lb_conn_ca(f->conn);
	u8 hdr[L4LB_PP_MAXLEN];
	struct sk_buff *skb;
	int hlen;

	KUNIT_ASSERT_NOT_NULL(test, st);
	if (v6)
		hlen = l4lb_pp_build6(hdr, sizeof(hdr), 2, &client6, CPORT,
				      &vip6, VPORT);
	else
		hlen = l4lb_pp_build(hdr, sizeof(hdr), 2, CLIENT, CPORT, VIP,
				     VPORT);
	KUNIT_ASSERT_EQ(test, hlen, v6 ? L4LB_PP_V2_LEN6 : L4LB_PP_V2_LEN);
	KUNIT_ASSERT_EQ(test, (int)st->hlen, hlen);
	KUNIT_EXPECT_TRUE(test, st->flags & L4LB_CA_F_V2);
	KUNIT_EXPECT_EQ(test, st->isn1, ISN + 1);
	/* The SYN's data was dropped: tracked as a bare SYN. */
	KUNIT_EXPECT_EQ(test, f->conn->seq_end[L4LB_DIR_ORIG], ISN + 1);

	/* SYN-ACK: MSS read and kept, window less the whole header. */
	skb = syn_ack(test, f, 1460);
	KUNIT_EXPECT_EQ(test, st->mss, 1460);
	KUNIT_EXPECT_EQ(test, mss_of(skb), 1460);
	KUNIT_EXPECT_EQ(test, ntohs(tcp_hdr(skb)->window), 64240 - hlen);
	KUNIT_EXPECT_EQ(test, ntohl(tcp_hdr(skb)->ack_seq), ISN + 1);
	kfree_skb(skb);

	/* The client's ACK completes the handshake and carries the header. */
	skb = seg(test, f, true, TCPHDR_ACK, ISN + 1, BISN + 1, 502, NULL, 0, 0);
	KUNIT_ASSERT_EQ(test, xmit(f, true, skb), 0);
	assert_sums(test, skb);
	KUNIT_EXPECT_EQ(test, ntohl(tcp_hdr(skb)->seq), ISN + 1);
	KUNIT_ASSERT_EQ(test, payload_len(skb), (unsigned int)hlen);
	KUNIT_EXPECT_EQ(test, memcmp(payload(skb), hdr, hlen), 0);
	kfree_skb(skb);

	/* Its first data before the backend acked: header again, in front. */
	skb = seg(test, f, true, TCPHDR_ACK | TCPHDR_PSH, ISN + 1, BISN + 1, 502,
		  NULL, 0, 100);
	KUNIT_ASSERT_EQ(test, xmit(f, true, skb), 0);
	assert_sums(test, skb);
	KUNIT_EXPECT_EQ(test, ntohl(tcp_hdr(skb)->seq), ISN + 1);
	KUNIT_ASSERT_EQ(test, payload_len(skb), (unsigned int)hlen + 100);
	KUNIT_EXPECT_EQ(test, memcmp(payload(skb), hdr, hlen), 0);
	KUNIT_EXPECT_EQ(test, payload(skb)[hlen], 0x30);
	kfree_skb(skb);

	/* An ACK inside the header: the client sees ISN + 1, and a window
	 * less the rest of the header (unscaled: the client's SYN offered
	 * no window scale).
	 */
	skb = seg(test, f, false, TCPHDR_ACK, BISN + 1, ISN + 1 + 10, 1000, NULL,
		  0, 0);
	KUNIT_ASSERT_EQ(test, xmit(f, false, skb), 0);
	assert_sums(test, skb);
	KUNIT_EXPECT_EQ(test, ntohl(tcp_hdr(skb)->ack_seq), ISN + 1);
	KUNIT_EXPECT_EQ(test, ntohs(tcp_hdr(skb)->window), 1000 - (hlen - 10));
	KUNIT_EXPECT_FALSE(test, st->flags & L4LB_CA_F_ACKED);
	kfree_skb(skb);

	/* The backend acks header and data: shifted back, across 2^32. */
	skb = seg(test, f, false, TCPHDR_ACK, BISN + 1, ISN + 1 + hlen + 100,
		  1000, NULL, 0, 0);
	KUNIT_ASSERT_EQ(test, xmit(f, false, skb), 0);
	assert_sums(test, skb);
	KUNIT_EXPECT_EQ(test, ntohl(tcp_hdr(skb)->ack_seq), ISN + 1 + 100);
	KUNIT_EXPECT_EQ(test, ntohs(tcp_hdr(skb)->window), 1000);
	KUNIT_EXPECT_TRUE(test, st->flags & L4LB_CA_F_ACKED);
	kfree_skb(skb);

	/* Later data is shifted; so is a retransmission of the first. */
	skb = seg(test, f, true, TCPHDR_ACK, ISN + 1 + 100, BISN + 1, 502, NULL,
		  0, 50);
	KUNIT_ASSERT_EQ(test, xmit(f, true, skb), 0);
	assert_sums(test, skb);
	KUNIT_EXPECT_EQ(test, ntohl(tcp_hdr(skb)->seq), ISN + 1 + hlen + 100);
	KUNIT_EXPECT_EQ(test, payload_len(skb), 50u);
	kfree_skb(skb);
	skb = seg(test, f, true, TCPHDR_ACK, ISN + 1, BISN + 1, 502, NULL, 0, 100);
	KUNIT_ASSERT_EQ(test, xmit(f, true, skb), 0);
	assert_sums(test, skb);
	KUNIT_EXPECT_EQ(test, ntohl(tcp_hdr(skb)->seq), ISN + 1 + hlen);
	KUNIT_EXPECT_EQ(test, payload_len(skb), 100u);
	kfree_skb(skb);

	/* The client's sequence numbers are tracked in its own space, so a
	 * RST to the backend is shifted; a RST at the first byte is not.
	 */
	KUNIT_EXPECT_EQ(test, l4lb_ca_backend_seq(f->conn, ISN + 1 + 150),
			ISN + 1 + 150 + hlen);
	KUNIT_EXPECT_EQ(test, l4lb_ca_backend_seq(f->conn, ISN + 1), ISN + 1);
	KUNIT_EXPECT_TRUE(test, l4lb_tcp_rst_ok(f->conn, L4LB_DIR_ORIG,
						ISN + 1 + 150));
}

static void proxy_v2_connection_end_to_end(struct kunit *test)
{
	proxy_v2_connection(test, false);
}

/* The same over IPv6, every segment with a Destination Options header. */
static void proxy_v2_ipv6_connection_end_to_end(struct kunit *test)
{
	proxy_v2_connection(test, true);
}

/* A PROXY v1 connection of either family whose header goes alone. */
static void proxy_v1_header_alone(struct kunit *test, bool v6)
{
	static const char line4[] =
		"PROXY TCP4 198.51.100.10 192.0.2.1 40000 80\r\n";
	/* As long as a v2 header: the state still says v1. */
	static const char line6[] =
		"PROXY TCP6 2001:db8:c::10 2001:db8:0:1::1 40000 80\r\n";
	const char *line = v6 ? line6 : line4;
	struct ca_fix *f = ca_setup_af(test, L4LB_CLIENT_ADDR_PROXY_V1, 0, v6);
	struct l4lb_clientaddr_state *st = l4lb_conn_ca(f->conn);
	struct sk_buff *skb;

	KUNIT_ASSERT_NOT_NULL(test, st);
	KUNIT_EXPECT_EQ(test, (unsigned int)st->hlen, strlen(line));
	KUNIT_EXPECT_FALSE(test, st->flags & L4LB_CA_F_V2);
	if (v6)
		KUNIT_EXPECT_EQ(test, strlen(line6), (size_t)L4LB_PP_V2_LEN6);
	kfree_skb(syn_ack(test, f, 120));
	KUNIT_EXPECT_EQ(test, st->mss, 120);

	/* 100 bytes and the header pass 120: the header goes alone (here
	 * nowhere: no route in this namespace), this one shifted.
	 */
	skb = seg(test, f, true, TCPHDR_ACK | TCPHDR_PSH, ISN + 1, BISN + 1, 502,
		  NULL, 0, 100);
	KUNIT_ASSERT_EQ(test, xmit(f, true, skb), 0);
	assert_sums(test, skb);
	KUNIT_EXPECT_EQ(test, ntohl(tcp_hdr(skb)->seq), ISN + 1 + st->hlen);
	KUNIT_EXPECT_EQ(test, payload_len(skb), 100u);
	KUNIT_EXPECT_EQ(test, payload(skb)[0], 0x30);
	kfree_skb(skb);

	/* A small one still carries it. */
	skb = seg(test, f, true, TCPHDR_ACK | TCPHDR_PSH, ISN + 1, BISN + 1, 502,
		  NULL, 0, 120 - st->hlen);
	KUNIT_ASSERT_EQ(test, xmit(f, true, skb), 0);
	assert_sums(test, skb);
	KUNIT_EXPECT_EQ(test, ntohl(tcp_hdr(skb)->seq), ISN + 1);
	KUNIT_EXPECT_EQ(test, payload_len(skb), 120u);
	KUNIT_EXPECT_EQ(test, memcmp(payload(skb), line, strlen(line)), 0);
	kfree_skb(skb);
}

static void proxy_v1_header_alone_when_it_would_pass_the_mss(struct kunit *test)
{
	proxy_v1_header_alone(test, false);
}

static void proxy_v1_ipv6_header_alone_when_it_would_pass_the_mss(struct kunit *test)
{
	proxy_v1_header_alone(test, true);
}

static void toa_connection_end_to_end(struct kunit *test)
{
	struct ca_fix *f = ca_setup(test, L4LB_CLIENT_ADDR_TOA, 0);
	struct l4lb_clientaddr_state *st = l4lb_conn_ca(f->conn);
	u8 full[40];
	struct sk_buff *skb;
	const u8 *o;

	KUNIT_ASSERT_NOT_NULL(test, st);
	KUNIT_EXPECT_EQ(test, st->hlen, 0);

	/* The client sees the backend's MSS less 8. */
	skb = syn_ack(test, f, 1460);
	KUNIT_EXPECT_EQ(test, mss_of(skb), 1452);
	KUNIT_EXPECT_EQ(test, ntohs(tcp_hdr(skb)->window), 64240);
	kfree_skb(skb);

	/* The handshake's ACK gets the option: port, then address. */
	skb = seg(test, f, true, TCPHDR_ACK, ISN + 1, BISN + 1, 502, NULL, 0, 0);
	KUNIT_ASSERT_EQ(test, xmit(f, true, skb), 0);
	assert_sums(test, skb);
	KUNIT_ASSERT_EQ(test, tcp_hdrlen(skb), 28u);
	o = skb->data + 20 + 20;
	KUNIT_EXPECT_EQ(test, o[0], L4LB_TOA_KIND);
	KUNIT_EXPECT_EQ(test, o[1], L4LB_TOA_LEN);
	KUNIT_EXPECT_EQ(test, get_unaligned((__be16 *)(o + 2)), CPORT);
	KUNIT_EXPECT_EQ(test, get_unaligned((__be32 *)(o + 4)), CLIENT);
	KUNIT_EXPECT_EQ(test, ntohl(tcp_hdr(skb)->seq), ISN + 1);
	kfree_skb(skb);

	/* So does the first data segment, while nothing is acked... */
	skb = seg(test, f, true, TCPHDR_ACK | TCPHDR_PSH, ISN + 1, BISN + 1, 502,
		  NULL, 0, 100);
	KUNIT_ASSERT_EQ(test, xmit(f, true, skb), 0);
	assert_sums(test, skb);
	KUNIT_EXPECT_EQ(test, tcp_hdrlen(skb), 28u);
	KUNIT_EXPECT_EQ(test, payload_len(skb), 100u);
	kfree_skb(skb);

	/* ... and a retransmission without room for it is counted. */
	memset(full, TCPOPT_NOP, sizeof(full));
	skb = seg(test, f, true, TCPHDR_ACK | TCPHDR_PSH, ISN + 1, BISN + 1, 502,
		  full, sizeof(full), 100);
	KUNIT_ASSERT_EQ(test, xmit(f, true, skb), 0);
	assert_sums(test, skb);
	KUNIT_EXPECT_EQ(test, tcp_hdrlen(skb), 60u);
	KUNIT_EXPECT_EQ(test, event(f, L4LB_EV_TOA_NO_ROOM), 1ull);
	kfree_skb(skb);

	/* Acks pass unchanged; once data is acked, no more option. */
	skb = seg(test, f, false, TCPHDR_ACK, BISN + 1, ISN + 1 + 100, 1000, NULL,
		  0, 0);
	KUNIT_ASSERT_EQ(test, xmit(f, false, skb), 0);
	KUNIT_EXPECT_EQ(test, ntohl(tcp_hdr(skb)->ack_seq), ISN + 1 + 100);
	KUNIT_EXPECT_EQ(test, ntohs(tcp_hdr(skb)->window), 1000);
	KUNIT_EXPECT_TRUE(test, st->flags & L4LB_CA_F_ACKED);
	kfree_skb(skb);
	skb = seg(test, f, true, TCPHDR_ACK | TCPHDR_PSH, ISN + 1, BISN + 1, 502,
		  NULL, 0, 100);
	KUNIT_ASSERT_EQ(test, xmit(f, true, skb), 0);
	KUNIT_EXPECT_EQ(test, tcp_hdrlen(skb), 20u);
	kfree_skb(skb);

	/* TOA shifts nothing. */
	KUNIT_EXPECT_EQ(test, l4lb_ca_backend_seq(f->conn, ISN + 500),
			ISN + 500);
}

/*
 * TOA has no IPv6 form: an IPv6 row of a TOA service (which the control
 * plane refuses) passes every segment unchanged, the backend's MSS too.
 */
static void toa_never_goes_on_an_ipv6_row(struct kunit *test)
{
	struct ca_fix *f = ca_setup_af(test, L4LB_CLIENT_ADDR_TOA, 0, true);
	struct l4lb_clientaddr_state *st = l4lb_conn_ca(f->conn);
	struct sk_buff *skb;

	KUNIT_ASSERT_NOT_NULL(test, st);
	KUNIT_EXPECT_EQ(test, st->hlen, 0);
	skb = syn_ack(test, f, 1460);
	KUNIT_EXPECT_EQ(test, mss_of(skb), 1460);
	kfree_skb(skb);
	skb = seg(test, f, true, TCPHDR_ACK, ISN + 1, BISN + 1, 502, NULL, 0,
		  0);
	KUNIT_ASSERT_EQ(test, xmit(f, true, skb), 0);
	assert_sums(test, skb);
	KUNIT_EXPECT_EQ(test, tcp_hdrlen(skb), 20u);
	KUNIT_EXPECT_EQ(test, skb->len, iphl(f) + 20);
	kfree_skb(skb);
	skb = seg(test, f, true, TCPHDR_ACK | TCPHDR_PSH, ISN + 1, BISN + 1,
		  502, NULL, 0, 100);
	KUNIT_ASSERT_EQ(test, xmit(f, true, skb), 0);
	KUNIT_EXPECT_EQ(test, tcp_hdrlen(skb), 20u);
	KUNIT_EXPECT_EQ(test, payload_len(skb), 100u);
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, event(f, L4LB_EV_TOA_NO_ROOM), 0ull);
}

static void rows_without_client_address_are_untouched(struct kunit *test)
{
	struct ca_fix *f = ca_setup(test, L4LB_CLIENT_ADDR_NONE, 20);
	struct sk_buff *skb;

	KUNIT_EXPECT_NULL(test, l4lb_conn_ca(f->conn));
	KUNIT_EXPECT_FALSE(test, f->conn->flags & L4LB_CONN_F_CA);
	skb = syn_ack(test, f, 1460);
	KUNIT_EXPECT_EQ(test, mss_of(skb), 1460);
	KUNIT_EXPECT_EQ(test, ntohs(tcp_hdr(skb)->window), 64240);
	kfree_skb(skb);
	skb = seg(test, f, true, TCPHDR_ACK, ISN + 1, BISN + 1, 502, NULL, 0, 10);
	KUNIT_ASSERT_EQ(test, xmit(f, true, skb), 0);
	KUNIT_EXPECT_EQ(test, ntohl(tcp_hdr(skb)->seq), ISN + 1);
	KUNIT_EXPECT_EQ(test, payload_len(skb), 10u);
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, l4lb_ca_backend_seq(f->conn, ISN + 500),
			ISN + 500);
}

static struct kunit_case l4lb_ca_path_cases[] = {
	KUNIT_CASE(proxy_v2_connection_end_to_end),
	KUNIT_CASE(proxy_v2_ipv6_connection_end_to_end),
	KUNIT_CASE(proxy_v1_header_alone_when_it_would_pass_the_mss),
	KUNIT_CASE(proxy_v1_ipv6_header_alone_when_it_would_pass_the_mss),
	KUNIT_CASE(toa_connection_end_to_end),
	KUNIT_CASE(toa_never_goes_on_an_ipv6_row),
	KUNIT_CASE(rows_without_client_address_are_untouched),
	{}
};

static struct kunit_suite l4lb_ca_path_suite = {
	.name = "l4lb_ca_path",
	.suite_init = l4lb_kunit_need_module_init,
	.exit = ca_fix_exit,
	.test_cases = l4lb_ca_path_cases,
};

kunit_test_suite(l4lb_ca_path_suite);
