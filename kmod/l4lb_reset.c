// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: TCP resets the balancer sends on its own.
 *
 * Before a SNAT port is given to a new connection, the backend may still
 * hold a socket on the old tuple (l4lb_tcp_backend_holds()); a RST from the
 * SNAT address ends it. The packet is built as nf_reject_ipv4.c builds its
 * resets, but from a tuple rather than from a packet being answered.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/route.h>
#include <net/tcp.h>

#include "l4lb_reset.h"

/* The bare RST's TCP header, after the @thoff bytes of IP header. */
static struct tcphdr *l4lb_reset_th(struct sk_buff *skb, unsigned int thoff,
				    __be16 sport, __be16 dport, u32 seq)
{
	struct tcphdr *th;

	skb_set_transport_header(skb, thoff);
	th = skb_put_zero(skb, sizeof(*th));
	th->source = sport;
	th->dest = dport;
	th->seq = htonl(seq);
	th->doff = sizeof(*th) / 4;
	th->rst = 1;
	return th;
}

/**
 * l4lb_reset_send() - send a bare TCP RST from the balancer
 * @net: the namespace to send in
 * @saddr: source address (a local SNAT address), network byte order
 * @sport: source port, network byte order
 * @daddr: destination address (a backend), network byte order
 * @dport: destination port, network byte order
 * @seq: sequence number, host byte order
 *
 * The RST carries no ACK (RFC 9293 3.10.7.1: its sequence number alone
 * must be acceptable) and is not tracked by conntrack, like the rows'
 * own packets. It leaves through LOCAL_OUT and the routing table.
 *
 * Context: any; allocates with GFP_ATOMIC.
 * Return: 0 if handed to the IP layer; -ENOMEM; -ENOBUFS if a queue
 * dropped it; or a routing errno such as -ENETUNREACH.
 */
int l4lb_reset_send(struct net *net, __be32 saddr, __be16 sport,
		    __be32 daddr, __be16 dport, u32 seq)
{
	struct flowi4 fl4 = {
		.daddr = daddr,
		.saddr = saddr,
		.flowi4_proto = IPPROTO_TCP,
		.flowi4_flags = FLOWI_FLAG_ANYSRC,
		.fl4_sport = sport,
		.fl4_dport = dport,
	};
	struct sk_buff *skb;
	struct tcphdr *th;
	struct rtable *rt;
	struct iphdr *iph;
	int err;

	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	skb = alloc_skb(LL_MAX_HEADER + sizeof(*iph) + sizeof(*th),
			GFP_ATOMIC);
	if (!skb) {
		ip_rt_put(rt);
		return -ENOMEM;
	}
	skb_reserve(skb, LL_MAX_HEADER);
	skb_dst_set(skb, &rt->dst);
	skb->dev = rt->dst.dev;
	skb->protocol = htons(ETH_P_IP);

	skb_reset_network_header(skb);
	iph = skb_put(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->tos = 0;
	iph->id = 0;
	iph->frag_off = htons(IP_DF);
	iph->ttl = ip4_dst_hoplimit(&rt->dst);
	iph->protocol = IPPROTO_TCP;
	iph->saddr = saddr;
	iph->daddr = daddr;

	th = l4lb_reset_th(skb, sizeof(*iph), sport, dport, seq);
	th->check = tcp_v4_check(sizeof(*th), saddr, daddr,
				 csum_partial(th, sizeof(*th), 0));
	skb->ip_summed = CHECKSUM_NONE;

	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	/* __ip_local_out() sets tot_len and the header checksum. */
	/* net_xmit_eval() evaluates its argument twice: call first. */
	err = ip_local_out(net, NULL, skb);
	err = net_xmit_eval(err);
	return err > 0 ? -ENOBUFS : err;
}

/**
 * l4lb_reset_send6() - send a bare TCP RST over IPv6
 * @net: the namespace to send it in
 * @saddr: its source address (may be non-local)
 * @sport: its source port, network byte order
 * @daddr: its destination address
 * @dport: its destination port, network byte order
 * @seq: its sequence number, host byte order
 *
 * As l4lb_reset_send(), with the IPv6 pseudo-header in the checksum.
 *
 * Context: softirq or BHs disabled.
 * Return: 0 when handed to the stack, or a negative errno.
 */
int l4lb_reset_send6(struct net *net, const struct in6_addr *saddr,
		     __be16 sport, const struct in6_addr *daddr, __be16 dport,
		     u32 seq)
{
	struct flowi6 fl6 = {
		.daddr = *daddr,
		.saddr = *saddr,
		.flowi6_proto = IPPROTO_TCP,
		.flowi6_flags = FLOWI_FLAG_ANYSRC,
		.fl6_sport = sport,
		.fl6_dport = dport,
	};
	struct dst_entry *dst;
	struct ipv6hdr *ip6h;
	struct sk_buff *skb;
	struct tcphdr *th;
	int err;

	dst = ip6_route_output(net, NULL, &fl6);
	if (dst->error) {
		err = dst->error;
		dst_release(dst);
		return err;
	}
	skb = alloc_skb(LL_MAX_HEADER + sizeof(*ip6h) + sizeof(*th),
			GFP_ATOMIC);
	if (!skb) {
		dst_release(dst);
		return -ENOMEM;
	}
	skb_reserve(skb, LL_MAX_HEADER);
	skb_dst_set(skb, dst);
	skb->dev = dst->dev;
	skb->protocol = htons(ETH_P_IPV6);

	skb_reset_network_header(skb);
	ip6h = skb_put(skb, sizeof(*ip6h));
	ip6_flow_hdr(ip6h, 0, 0);
	ip6h->payload_len = htons(sizeof(*th));
	ip6h->nexthdr = IPPROTO_TCP;
	ip6h->hop_limit = ip6_dst_hoplimit(dst);
	ip6h->saddr = *saddr;
	ip6h->daddr = *daddr;

	th = l4lb_reset_th(skb, sizeof(*ip6h), sport, dport, seq);
	th->check = tcp_v6_check(sizeof(*th), saddr, daddr,
				 csum_partial(th, sizeof(*th), 0));
	skb->ip_summed = CHECKSUM_NONE;

	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	err = ip6_local_out(net, NULL, skb);
	err = net_xmit_eval(err);
	return err > 0 ? -ENOBUFS : err;
}
