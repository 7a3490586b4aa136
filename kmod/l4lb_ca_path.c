// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: passing the client's address to backends, in the packet path
 * (issue #16).
 *
 * A TCP connection of a service whose client_addr is not "none" has a row
 * with a struct l4lb_clientaddr_state (struct l4lb_conn_ca, or the one of
 * every struct l4lb_conn6), set up from the client's SYN. The state says
 * which way on its own: a PROXY header length (hlen) of 0 is TOA, else
 * PROXY protocol, v2 with L4LB_CA_F_V2 (an IPv6 v1 line may be as long as
 * a v2 header), v1 without. So a service whose setting changes keeps its
 * existing connections as they began.
 *
 * IPv6 rows (issue #18) get the same: PROXY headers "TCP6" (v1) and family
 * 0x21 (v2) with the row's IPv6 addresses, the TCP header found past any
 * extension headers, lengths in the payload length, checksums with the
 * IPv6 pseudo-header, a header segment of its own routed with
 * ip6_route_output(). TOA has no IPv6 form: an IPv6 row never gets it.
 *
 * After the core has rewritten addresses and ports (l4lb_in()), each
 * segment of such a row goes through l4lb_ca_xmit():
 *
 *  - backend's SYN-ACK: its MSS is read, and for TOA lowered by 8, so the
 *    client's full-sized segments still fit with the option;
 *  - backend -> client, PROXY: the window is clamped while the header is
 *    unacknowledged, then the acknowledgment number and SACK blocks are
 *    shifted into the client's space; TOA: the acknowledgment is noted;
 *  - client -> backend, PROXY: a SYN loses its data (TCP Fast Open), so
 *    the header comes first; the segments that start the stream carry the
 *    header until the backend acknowledges it: in front of their payload,
 *    or, if that would pass the backend's MSS or the route's MTU (or the
 *    skb is GSO), in a segment of its own sent just before; every later
 *    segment has its sequence number shifted;
 *  - client -> backend, TOA: the option goes on the segment that completes
 *    the handshake and on the first data segment; without room it is left
 *    out and counted.
 *
 * The sequence numbers the row tracks (l4lb_proto_tcp.c) are each side's
 * own, as the packet came in: the client's stream in the client's space,
 * the backend's in its own, which the shift never touches. So the RST
 * window check compares like with like; only a RST the balancer sends to
 * the backend itself (l4lb_conn_release_tuple()) needs the backend's view
 * of the client's stream, l4lb_ca_backend_seq().
 *
 * Losses: a lost segment that carried the header in front of its payload
 * is sent again by the client from ISN + 1, and carries it again. If a
 * header sent alone is lost (and so was every earlier copy: the ACK of
 * the handshake carries one too), the backend acknowledges ISN + 1 and
 * SACKs the shifted data after it, which the client sees as its first
 * bytes SACKed but not acknowledged. It has no hole to repair, so it
 * waits for its retransmission timeout; Linux then takes the SACKs as
 * reneged (tcp_timeout_mark_lost()) and sends from ISN + 1 again, which
 * carries the header. Slower than a fast retransmit, never wrong.
 *
 * Locking: the state's isn1 and hlen are set before the row is hashed and
 * never change; flags and mss change without a lock (see struct
 * l4lb_clientaddr_state), like the row's own sequence tracking. Two CPUs
 * handling the client's first segments at once may each carry the header;
 * the copies are the same bytes at the same place, and the backend's TCP
 * keeps one.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/tcp.h>

#include "l4lb_ca_path.h"
#include "l4lb_clientaddr.h"
#include "l4lb_conn.h"
#include "l4lb_nat.h"
#include "l4lb_net.h"
#include "l4lb_xmit.h"

/* The PROXY header of @conn, from its original tuple; its length. */
static int l4lb_ca_header(const struct l4lb_conn *conn, u8 version, u8 *buf)
{
	const struct l4lb_tuple *o = &conn->th[L4LB_DIR_ORIG].tuple;
	union nf_inet_addr saddr, daddr;

	if (l4lb_conn_af(conn) == AF_INET6) {
		l4lb_conn_addrs(conn, L4LB_DIR_ORIG, &saddr, &daddr);
		return l4lb_pp_build6(buf, L4LB_PP_MAXLEN, version, &saddr.in6,
				      o->sport, &daddr.in6, o->dport);
	}
	return l4lb_pp_build(buf, L4LB_PP_MAXLEN, version, o->saddr, o->sport,
			     o->daddr, o->dport);
}

/* The PROXY protocol version of a state with a header (hlen > 0). */
static u8 l4lb_ca_version(const struct l4lb_clientaddr_state *st)
{
	return READ_ONCE(st->flags) & L4LB_CA_F_V2 ? 2 : 1;
}

/*
 * The MSS to assume when the backend announced none (RFC 9293 3.7.1):
 * 536 over IPv4, 1220 over IPv6.
 */
static u16 l4lb_ca_mss_default(const struct l4lb_conn *conn)
{
	return l4lb_conn_af(conn) == AF_INET6 ?
	       IPV6_MIN_MTU - sizeof(struct ipv6hdr) - sizeof(struct tcphdr) :
	       TCP_MSS_DEFAULT;
}

/**
 * l4lb_ca_conn_init() - set up the client address state of a new row
 * @conn: the row, from l4lb_conn_alloc_ca(), its original tuple and TCP
 *	tracking (l4lb_tcp_init()) set, not yet hashed
 * @l4: the client's SYN, as l4lb_nat_parse() read it
 * @mode: the service's enum l4lb_client_addr, not L4LB_CLIENT_ADDR_NONE
 *
 * The state starts at the SYN's sequence number, with the length of the
 * PROXY header the connection will carry (from the client's address and
 * port and the VIP and port, proxy-protocol.txt 2.1 and 2.2; TCP4 or TCP6
 * by the row's family) and its version, or 0 for TOA. An IPv6 row of a TOA
 * service (the control plane refuses one) gets a state that does nothing.
 * For PROXY protocol the client's stream is tracked as starting right
 * after the SYN: its data, if any, is dropped (l4lb_tcp_syn_trim()).
 *
 * Context: any; the row is the caller's alone.
 */
void l4lb_ca_conn_init(struct l4lb_conn *conn, const struct l4lb_l4 *l4,
		       u8 mode)
{
	struct l4lb_clientaddr_state *st = l4lb_conn_ca(conn);
	u8 hdr[L4LB_PP_MAXLEN];
	int hlen = 0;

	if (WARN_ON_ONCE(!st))
		return;
	if (mode == L4LB_CLIENT_ADDR_PROXY_V2)
		hlen = l4lb_ca_header(conn, 2, hdr);
	else if (mode == L4LB_CLIENT_ADDR_PROXY_V1)
		hlen = l4lb_ca_header(conn, 1, hdr);
	/* Both fit L4LB_PP_MAXLEN: a failure is a bug; TOA then. */
	if (WARN_ON_ONCE(hlen < 0))
		hlen = 0;
	l4lb_ca_init(st, l4->seq, hlen);
	if (hlen && mode == L4LB_CLIENT_ADDR_PROXY_V2)
		st->flags |= L4LB_CA_F_V2;
	if (hlen)
		conn->seq_end[L4LB_DIR_ORIG] = l4->seq + 1;
}

/**
 * l4lb_ca_backend_seq() - a client sequence number as the backend has it
 * @conn: a row
 * @seq: a sequence number of the client's stream, client's space (as the
 *	row tracks it: conn->seq_end[L4LB_DIR_ORIG]), host byte order
 *
 * For a PROXY protocol row, a sequence number past the client's first
 * byte is shifted by the header, which the backend received in front of
 * that byte; the client's first byte itself is not: a RST there is meant
 * for a backend that never saw the handshake completed (SYN_RECV), whose
 * next expected byte is still the header's first. Any other row: @seq.
 *
 * Context: any.
 * Return: the sequence number, backend's space, host byte order.
 */
u32 l4lb_ca_backend_seq(struct l4lb_conn *conn, u32 seq)
{
	const struct l4lb_clientaddr_state *st = l4lb_conn_ca(conn);

	if (!st || !st->hlen || !after(seq, st->isn1))
		return seq;
	return seq + st->hlen;
}

/* l4lb_ca_send() of an IPv6 segment: ip6_route_output(), ip6_local_out(). */
static int l4lb_ca_send6(struct l4lb_net *ln, struct sk_buff *nskb)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(nskb);
	const struct tcphdr *th = tcp_hdr(nskb);
	struct flowi6 fl6 = {
		.daddr = ip6h->daddr,
		.saddr = ip6h->saddr,
		.flowlabel = ip6_flowinfo(ip6h),
		.flowi6_proto = IPPROTO_TCP,
		.flowi6_mark = nskb->mark,
		.flowi6_flags = FLOWI_FLAG_ANYSRC,
		.fl6_sport = th->source,
		.fl6_dport = th->dest,
	};
	struct dst_entry *dst;
	int err;

	dst = ip6_route_output(ln->net, NULL, &fl6);
	if (dst->error) {
		err = dst->error;
		dst_release(dst);
		kfree_skb(nskb);
		return err;
	}
	skb_dst_drop(nskb);
	skb_dst_set(nskb, dst);
	nskb->dev = dst->dev;
	l4lb_xmit_ct(nskb, true);
	/* net_xmit_eval() evaluates its argument twice: call first. */
	err = ip6_local_out(ln->net, NULL, nskb);
	err = net_xmit_eval(err);
	return err > 0 ? -ENOBUFS : err;
}

/* l4lb_ca_send() of an IPv4 segment. */
static int l4lb_ca_send4(struct l4lb_net *ln, struct sk_buff *nskb)
{
	const struct iphdr *iph = ip_hdr(nskb);
	const struct tcphdr *th = tcp_hdr(nskb);
	struct flowi4 fl4 = {
		.daddr = iph->daddr,
		.saddr = iph->saddr,
		.flowi4_tos = RT_TOS(iph->tos),
		.flowi4_proto = IPPROTO_TCP,
		.flowi4_mark = nskb->mark,
		.flowi4_flags = FLOWI_FLAG_ANYSRC,
		.fl4_sport = th->source,
		.fl4_dport = th->dest,
	};
	struct rtable *rt;
	int err;

	rt = ip_route_output_key(ln->net, &fl4);
	if (IS_ERR(rt)) {
		kfree_skb(nskb);
		return PTR_ERR(rt);
	}
	skb_dst_drop(nskb);
	skb_dst_set(nskb, &rt->dst);
	nskb->dev = rt->dst.dev;
	l4lb_xmit_ct(nskb, true);
	/* net_xmit_eval() evaluates its argument twice: call first. */
	err = ip_local_out(ln->net, NULL, nskb);
	err = net_xmit_eval(err);
	return err > 0 ? -ENOBUFS : err;
}

/*
 * Send a segment of the balancer's own (the PROXY header alone) towards
 * its destination: routed as output from its (SNAT) source, as
 * l4lb_reset_send() and l4lb_reset_send6() do, so that a backend on the
 * balancer is reached too; conntrack state as for the row's other
 * translated packets. Consumes @nskb.
 */
static int l4lb_ca_send(struct l4lb_net *ln, struct sk_buff *nskb)
{
	if (ip_hdr(nskb)->version == 6)
		return l4lb_ca_send6(ln, nskb);
	return l4lb_ca_send4(ln, nskb);
}

/*
 * The most payload a segment carrying the PROXY header may have: the
 * backend's MSS (l4lb_ca_mss_default() if it sent none), and no more than
 * the route's MTU leaves after the segment's IP headers (IPv6 extension
 * headers included: @l4->thoff) and TCP header.
 */
static unsigned int l4lb_ca_room(const struct l4lb_conn *conn,
				 const struct sk_buff *skb,
				 const struct l4lb_clientaddr_state *st,
				 const struct l4lb_l4 *l4)
{
	unsigned int mss = READ_ONCE(st->mss) ?: l4lb_ca_mss_default(conn);
	const struct dst_entry *dst = skb_dst(skb);
	const struct tcphdr *th;
	struct tcphdr _th;
	unsigned int hl, mtu;

	th = skb_header_pointer(skb, l4->thoff, sizeof(_th), &_th);
	if (!th || !dst)
		return mss;
	hl = l4->thoff - skb_network_offset(skb) + th->doff * 4;
	mtu = dst_mtu(dst);
	return mtu > hl ? min(mss, mtu - hl) : 0;
}

/* Client -> backend, PROXY protocol. */
static int l4lb_ca_orig_pp(struct l4lb_net *ln, struct l4lb_conn *conn,
			   struct l4lb_clientaddr_state *st,
			   struct sk_buff *skb, struct l4lb_l4 *l4)
{
	u8 hdr[L4LB_PP_MAXLEN];
	struct sk_buff *nskb;
	int hlen, err;

	if (unlikely(l4->tcp_flags & TCPHDR_SYN) &&
	    !(l4->tcp_flags & TCPHDR_RST)) {
		err = l4lb_tcp_syn_trim(skb);
		if (err < 0)
			return err;
		if (err) {
			l4lb_stats_event(ln, L4LB_EV_PROXY_SYN_DATA);
			l4->end = l4->seq + 1 + !!(l4->tcp_flags & TCPHDR_FIN);
		}
	}
	switch (l4lb_pp_carry(st, l4->seq, l4->tcp_flags)) {
	case L4LB_PP_ASIS:
		return 0;
	case L4LB_PP_SHIFT:
		return l4lb_pp_fix_seq(skb, st);
	case L4LB_PP_CARRY:
		break;
	}
	hlen = l4lb_ca_header(conn, l4lb_ca_version(st), hdr);
	if (WARN_ON_ONCE(hlen != st->hlen))
		return -EINVAL;
	err = l4lb_pp_insert(skb, hdr, hlen,
			     l4lb_ca_room(conn, skb, st, l4));
	if (err != -EMSGSIZE)
		return err;
	/* Too big with the header, or GSO: the header goes first, alone
	 * (as the client's first bytes, ACK and PSH), and this segment
	 * follows it, shifted. Should the header segment be lost, the
	 * backend acknowledges nothing past ISN + 1, the client sends its
	 * first segment again, and it carries the header again.
	 */
	nskb = l4lb_pp_segment(skb, hdr, hlen, GFP_ATOMIC);
	if (!nskb)
		return -ENOMEM;
	l4lb_ca_send(ln, nskb);
	return l4lb_pp_fix_seq(skb, st);
}

/* Client -> backend, TOA. */
static int l4lb_ca_orig_toa(struct l4lb_net *ln, struct l4lb_conn *conn,
			    struct l4lb_clientaddr_state *st,
			    struct sk_buff *skb, const struct l4lb_l4 *l4)
{
	const struct l4lb_tuple *o = &conn->th[L4LB_DIR_ORIG].tuple;
	const struct dst_entry *dst = skb_dst(skb);
	int err;

	if (!l4lb_toa_wanted(st, l4->seq, l4->tcp_flags))
		return 0;
	err = l4lb_toa_insert(skb, o->saddr, o->sport,
			      dst ? dst_mtu(dst) : IP_MAX_MTU);
	if (err == -ENOSPC) {
		l4lb_stats_event(ln, L4LB_EV_TOA_NO_ROOM);
		return 0;
	}
	return err;
}

/* Backend -> client. */
static int l4lb_ca_reply(struct l4lb_conn *conn,
			 struct l4lb_clientaddr_state *st,
			 struct sk_buff *skb, const struct l4lb_l4 *l4)
{
	u8 own, peer;
	int mss;

	if ((l4->tcp_flags & (TCPHDR_SYN | TCPHDR_ACK)) ==
	    (TCPHDR_SYN | TCPHDR_ACK)) {
		mss = l4lb_tcp_mss_reduce(skb, st->hlen ? 0 : L4LB_TOA_LEN);
		if (mss == -ENOMEM)
			return mss;
		WRITE_ONCE(st->mss, mss > 0 ? mss : l4lb_ca_mss_default(conn));
	}
	if (!st->hlen) {
		if (l4->tcp_flags & TCPHDR_ACK)
			l4lb_ca_note_ack(st, l4->ack);
		return 0;
	}
	/* The backend's window field is scaled only when both SYNs offered
	 * a scale (RFC 7323 2.2); l4lb_pp_clamp_win() ignores it on SYNs.
	 */
	own = READ_ONCE(conn->wscale[L4LB_DIR_REPLY]);
	peer = READ_ONCE(conn->wscale[L4LB_DIR_ORIG]);
	if (own == L4LB_WSCALE_NONE || peer == L4LB_WSCALE_NONE)
		own = 0;
	return l4lb_pp_clamp_win(skb, st, own) ?: l4lb_pp_fix_ack(skb, st);
}

/**
 * __l4lb_ca_xmit() - pass the client's address on in a translated segment
 * @ln: the namespace state, for the counters and to send in
 * @conn: the segment's row, with L4LB_CONN_F_CA
 * @dir: the segment's direction
 * @skb: the segment, addresses and ports rewritten (l4lb_nat_rewrite(),
 *	l4lb_nat6_rewrite()), routed (skb_dst() set); IPv4 or IPv6 header
 *	linear, at the network header; may be cloned, non-linear, GSO,
 *	CHECKSUM_PARTIAL (a local client's)
 * @l4: what l4lb_nat_parse() read in it before the rewrite (sequence and
 *	acknowledgment numbers in its sender's space); @l4->end is updated
 *	if a SYN's data is dropped
 *
 * See the top of this file for what each segment gets. A PROXY header
 * that goes in a segment of its own is sent from here, before @skb
 * continues (ip_local_out() or ip6_local_out(), as l4lb_reset.c sends its
 * RSTs). Counts L4LB_EV_PROXY_SYN_DATA and L4LB_EV_TOA_NO_ROOM.
 *
 * Context: the packet path: RCU read side, BHs disabled; allocates with
 * GFP_ATOMIC.
 * Return: 0; -ENOMEM; -EINVAL or -EPROTONOSUPPORT for a malformed
 * segment. The caller drops the segment on an error (the sender sends it
 * again); its bytes are then unchanged.
 */
int __l4lb_ca_xmit(struct l4lb_net *ln, struct l4lb_conn *conn,
		   enum l4lb_dir dir, struct sk_buff *skb, struct l4lb_l4 *l4)
{
	struct l4lb_clientaddr_state *st = l4lb_conn_ca(conn);

	if (!st || l4->proto != IPPROTO_TCP)
		return 0;
	/* TOA has no IPv6 form (LVS's option holds an IPv4 address), and the
	 * control plane refuses it on an IPv6 service: such a row, should
	 * one exist, passes unchanged, its SYN-ACK's MSS included.
	 */
	if (!st->hlen && l4lb_conn_af(conn) == AF_INET6)
		return 0;
	if (dir == L4LB_DIR_REPLY)
		return l4lb_ca_reply(conn, st, skb, l4);
	if (st->hlen)
		return l4lb_ca_orig_pp(ln, conn, st, skb, l4);
	return l4lb_ca_orig_toa(ln, conn, st, skb, l4);
}

/**
 * l4lb_ca_icmp() - restore what an ICMP error quotes of a shifted segment
 * @conn: the row of the quoted segment
 * @skb: an ICMP or ICMPv6 error about a client->backend segment (its
 *	row's reply tuple is the quote's inverse), already translated
 *	towards the client (l4lb_nat_rewrite_icmp(),
 *	l4lb_nat6_rewrite_icmp())
 *
 * For a PROXY protocol row the quoted sequence number is in the backend's
 * space; the client's stack needs its own to match the error (RFC 5927
 * 4.1), so it is shifted back (l4lb_pp_fix_icmp()). Other rows: nothing.
 *
 * Context: the packet path.
 * Return: 0; -ENOMEM; -EINVAL for a quote that is not TCP.
 */
int l4lb_ca_icmp(struct l4lb_conn *conn, struct sk_buff *skb)
{
	const struct l4lb_clientaddr_state *st = l4lb_conn_ca(conn);

	if (!st || !st->hlen)
		return 0;
	return l4lb_pp_fix_icmp(skb, st);
}
