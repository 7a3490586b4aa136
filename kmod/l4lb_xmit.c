// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: where translated packets go.
 *
 * Packets reach the hooks of l4lb_core.c in two places:
 *
 *  - PRE_ROUTING, from other hosts. Full NAT gives a packet a local source
 *    (the SNAT address, or the VIP), which the kernel's input route lookup
 *    refuses as a martian; so l4lb does that lookup itself, with the real
 *    source, before the rewrite. A destination on the balancer itself (a
 *    backend on one of its addresses, or a local client's reply) is
 *    delivered locally.
 *  - LOCAL_OUT, from the balancer's own processes: a local client of a
 *    VIP, or a backend that runs on the balancer. The packet is routed
 *    again as output towards its new destination, from its new source.
 *
 * Packets translated inside br_netfilter's PRE_ROUTING pass, which it
 * would route again and drop as martians, leave that pass at a last hook
 * (l4lb_bridge.c).
 */
#include <linux/icmpv6.h>
#include <linux/netdevice.h>
#include <linux/netfilter_bridge.h>
#include <linux/netfilter_ipv4.h>
#include <net/dst.h>
#include <net/addrconf.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/route.h>

#include "l4lb_net.h"
#include "l4lb_xmit.h"

bool l4lb_conntrack;

/**
 * l4lb_xmit_skip() - is this packet none of l4lb's business?
 * @skb: the packet, at an l4lb hook
 * @state: the hook's state
 *
 * In PRE_ROUTING: packets that arrive over loopback (the balancer's own,
 * translated in LOCAL_OUT already) and packets not for this host, which
 * br_netfilter also shows to PRE_ROUTING, with their original packet type
 * kept aside.
 *
 * Context: a netfilter hook.
 * Return: true if the hook must let the packet pass untouched.
 */
bool l4lb_xmit_skip(const struct sk_buff *skb,
		    const struct nf_hook_state *state)
{
	if (state->hook == NF_INET_LOCAL_OUT)
		return false;
	if ((state->in->flags & IFF_LOOPBACK) || skb->pkt_type != PACKET_HOST)
		return true;
#if IS_ENABLED(CONFIG_BRIDGE_NETFILTER)
	{
		const struct nf_bridge_info *nf_bridge = nf_bridge_info_get(skb);

		if (nf_bridge && nf_bridge->pkt_otherhost)
			return true;
	}
#endif
	return false;
}

/* What ip_error() sends for a route that refuses the packet. */
static void l4lb_route_unreach(struct sk_buff *skb, int err)
{
	int code;

	switch (err) {
	case EHOSTUNREACH:
		code = ICMP_HOST_UNREACH;
		break;
	case ENETUNREACH:
		code = ICMP_NET_UNREACH;
		break;
	case EACCES:
		code = ICMP_PKT_FILTERED;
		break;
	default:
		return;
	}
	icmp_send(skb, ICMP_DEST_UNREACH, code, 0);
}

static int l4lb_route_in(struct l4lb_net *ln, struct sk_buff *skb,
			 const struct nf_hook_state *state, __be32 daddr)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct rtable *rt;
	unsigned int mtu;
	int err;

	skb_dst_drop(skb);
	err = ip_route_input_noref(skb, daddr, iph->saddr, iph->tos, state->in);
	if (err) {
		l4lb_stats_drop(ln, L4LB_DROP_NO_ROUTE);
		return err;
	}
	rt = skb_rtable(skb);
	if (rt->rt_type == RTN_LOCAL)
		return 0;
	if (rt->rt_type != RTN_UNICAST) {
		/* An unreachable or prohibit route: say so to the sender,
		 * with the headers it knows, as the kernel would.
		 */
		l4lb_route_unreach(skb, rt->dst.error);
		l4lb_stats_drop(ln, L4LB_DROP_NO_ROUTE);
		return -EHOSTUNREACH;
	}
	/* The source will be local: an ICMP redirect to it makes no sense. */
	IPCB(skb)->flags &= ~IPSKB_DOREDIRECT;

	if (iph->ttl <= 1) {
		icmp_send(skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
		l4lb_stats_drop(ln, L4LB_DROP_MTU);
		return -EMSGSIZE;
	}
	mtu = ip_dst_mtu_maybe_forward(&rt->dst, true);
	if (skb->len > mtu && (iph->frag_off & htons(IP_DF)) &&
	    !skb->ignore_df &&
	    (IPCB(skb)->frag_max_size > mtu || !skb_is_gso(skb) ||
	     !skb_gso_validate_network_len(skb, mtu))) {
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(mtu));
		l4lb_stats_drop(ln, L4LB_DROP_MTU);
		return -EMSGSIZE;
	}
	return 0;
}

static int l4lb_route_out(struct l4lb_net *ln, struct sk_buff *skb,
			  __be32 daddr, __be32 saddr)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct flowi4 fl4 = {
		.daddr = daddr,
		.saddr = saddr,
		.flowi4_tos = RT_TOS(iph->tos),
		.flowi4_proto = iph->protocol,
		.flowi4_mark = skb->mark,
		/* The new source may be the VIP, not a local address. */
		.flowi4_flags = FLOWI_FLAG_ANYSRC,
	};
	struct rtable *rt;

	rt = ip_route_output_key(ln->net, &fl4);
	if (IS_ERR(rt)) {
		l4lb_stats_drop(ln, L4LB_DROP_NO_ROUTE);
		return PTR_ERR(rt);
	}
	if (rt->rt_type != RTN_UNICAST && rt->rt_type != RTN_LOCAL) {
		ip_rt_put(rt);
		l4lb_stats_drop(ln, L4LB_DROP_NO_ROUTE);
		return -EHOSTUNREACH;
	}
	skb_dst_drop(skb);
	skb_dst_set(skb, &rt->dst);
	return 0;
}

/**
 * l4lb_route() - route a packet towards its new destination
 * @ln: the namespace state, for the drop counters
 * @skb: the packet, not rewritten yet
 * @state: the hook's state (PRE_ROUTING or LOCAL_OUT)
 * @daddr: the new destination, network byte order
 * @saddr: the new source, network byte order; 0 if not chosen yet (a new
 *	connection's SNAT address depends on the route). Used in LOCAL_OUT.
 *
 * In PRE_ROUTING, an input route lookup with the packet's real source, so
 * that fib_validate_source() and rp_filter judge the real sender; a local
 * destination is delivered locally. The checks forwarding would make (TTL,
 * DF and MTU) are made here, and their ICMP errors sent with the headers
 * the sender knows, so that path-MTU discovery works. In LOCAL_OUT, an
 * output route lookup from @saddr (which may be the VIP).
 *
 * Context: a netfilter hook, BHs disabled, RCU read side.
 * Return: 0 with the new dst attached, or a negative errno after counting
 * the drop (and sending the ICMP error, if any).
 */
int l4lb_route(struct l4lb_net *ln, struct sk_buff *skb,
	       const struct nf_hook_state *state, __be32 daddr, __be32 saddr)
{
	if (state->hook == NF_INET_LOCAL_OUT)
		return l4lb_route_out(ln, skb, daddr, saddr);
	return l4lb_route_in(ln, skb, state, daddr);
}

/* What ip6_pkt_discard() and ip6_pkt_prohibit() send for a reject route. */
static void l4lb_route6_unreach(struct sk_buff *skb, int err)
{
	switch (err) {
	case -ENETUNREACH:
	case -EHOSTUNREACH:
		icmpv6_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_NOROUTE, 0);
		break;
	case -EACCES:
		icmpv6_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADM_PROHIBITED, 0);
		break;
	}
}

/* As ip6_pkt_too_big() decides for a forwarded packet. */
static bool l4lb_pkt6_too_big(const struct sk_buff *skb, unsigned int mtu)
{
	if (skb->len <= mtu)
		return false;
	/* Reassembled by conntrack: the largest fragment is what counts. */
	if (IP6CB(skb)->frag_max_size && IP6CB(skb)->frag_max_size > mtu)
		return true;
	if (skb->ignore_df)
		return false;
	if (skb_is_gso(skb) && skb_gso_validate_network_len(skb, mtu))
		return false;
	return true;
}

static int l4lb_route6_in(struct l4lb_net *ln, struct sk_buff *skb,
			  const struct nf_hook_state *state,
			  const struct in6_addr *daddr)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	struct flowi6 fl6 = {
		.flowi6_iif = state->in->ifindex,
		.daddr = *daddr,
		.saddr = ip6h->saddr,
		.flowlabel = ip6_flowinfo(ip6h),
		.flowi6_mark = skb->mark,
		.flowi6_proto = ip6h->nexthdr,
	};
	struct dst_entry *dst;
	unsigned int mtu;
	int err;

	/* With the real source, as ip6_route_input() looks it up. */
	dst = ip6_route_input_lookup(ln->net, state->in, &fl6, skb,
				     RT6_LOOKUP_F_HAS_SADDR);
	err = dst->error;
	if (err) {
		/* A reject route: say so to the sender, as the kernel would. */
		l4lb_route6_unreach(skb, err);
		dst_release(dst);
		l4lb_stats_drop(ln, L4LB_DROP_NO_ROUTE);
		return err;
	}
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	if (((struct rt6_info *)dst)->rt6i_flags & RTF_LOCAL)
		return 0;
	if (ip6h->hop_limit <= 1) {
		icmpv6_send(skb, ICMPV6_TIME_EXCEED, ICMPV6_EXC_HOPLIMIT, 0);
		l4lb_stats_drop(ln, L4LB_DROP_MTU);
		return -EMSGSIZE;
	}
	mtu = ip6_dst_mtu_maybe_forward(dst, true);
	if (mtu < IPV6_MIN_MTU)
		mtu = IPV6_MIN_MTU;
	if (l4lb_pkt6_too_big(skb, mtu)) {
		icmpv6_send(skb, ICMPV6_PKT_TOOBIG, 0, mtu);
		l4lb_stats_drop(ln, L4LB_DROP_MTU);
		return -EMSGSIZE;
	}
	return 0;
}

static int l4lb_route6_out(struct l4lb_net *ln, struct sk_buff *skb,
			   const struct in6_addr *daddr,
			   const struct in6_addr *saddr)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	struct flowi6 fl6 = {
		.daddr = *daddr,
		.flowlabel = ip6_flowinfo(ip6h),
		.flowi6_mark = skb->mark,
		.flowi6_proto = ip6h->nexthdr,
		/* The new source may be the VIP, not a local address. */
		.flowi6_flags = FLOWI_FLAG_ANYSRC,
	};
	struct dst_entry *dst;

	if (saddr)
		fl6.saddr = *saddr;
	dst = ip6_route_output(ln->net, NULL, &fl6);
	if (dst->error) {
		dst_release(dst);
		l4lb_stats_drop(ln, L4LB_DROP_NO_ROUTE);
		return -EHOSTUNREACH;
	}
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	return 0;
}

/**
 * l4lb_route6() - route an IPv6 packet to its new destination
 * @ln: the namespace state, for the drop counters
 * @skb: the packet, not rewritten yet
 * @state: the hook's state (PRE_ROUTING or LOCAL_OUT)
 * @daddr: the new destination
 * @saddr: the new source; NULL if not chosen yet (a new connection's SNAT
 *	address depends on the route). Used in LOCAL_OUT.
 *
 * As l4lb_route() for IPv4: in PRE_ROUTING an input lookup with the real
 * source (RT6_LOOKUP_F_HAS_SADDR), and the checks ip6_forward() would make
 * (hop limit, Packet Too Big at no less than IPV6_MIN_MTU, RFC 8200 5),
 * whose ICMPv6 errors (RFC 4443) go to the sender with the headers it
 * knows; a reject route answers as the kernel's would.
 *
 * Context: a netfilter hook, BHs disabled, RCU read side.
 * Return: 0 with the new dst attached, or a negative errno after counting
 * the drop (and sending the ICMPv6 error, if any).
 */
int l4lb_route6(struct l4lb_net *ln, struct sk_buff *skb,
		const struct nf_hook_state *state, const struct in6_addr *daddr,
		const struct in6_addr *saddr)
{
	if (state->hook == NF_INET_LOCAL_OUT)
		return l4lb_route6_out(ln, skb, daddr, saddr);
	return l4lb_route6_in(ln, skb, state, daddr);
}

/**
 * l4lb_route6_saddr() - the source address towards an IPv6 destination
 * @net: the namespace
 * @skb: the packet, routed by l4lb_route6() to @daddr
 * @daddr: its new destination
 * @saddr: out, the address "auto" SNAT uses
 *
 * @daddr itself for a local destination (a backend on the balancer);
 * else the kernel's source address selection (RFC 6724) on the output
 * device, as MASQUERADE's IPv6 flavour picks it.
 *
 * Context: RCU read side.
 * Return: 0, or -EADDRNOTAVAIL if the device has no usable address.
 */
int l4lb_route6_saddr(struct net *net, const struct sk_buff *skb,
		      const struct in6_addr *daddr, struct in6_addr *saddr)
{
	const struct dst_entry *dst = skb_dst(skb);

	if (((const struct rt6_info *)dst)->rt6i_flags & RTF_LOCAL) {
		*saddr = *daddr;
		return 0;
	}
	if (ipv6_dev_get_saddr(net, dst->dev, daddr, 0, saddr))
		return -EADDRNOTAVAIL;
	return 0;
}

/**
 * l4lb_xmit_ct() - set a translated packet's conntrack state
 * @skb: the packet, rewritten
 * @orig: it travels in its row's original direction (client to backend)
 *
 * By default (conntrack=0) the packet is untracked: conntrack and NAT
 * rules leave it alone. With conntrack=1 the original direction is
 * translated before conntrack (NF_IP_PRI_RAW + 50) and loses what an
 * earlier hook attached, so that conntrack tracks the translated tuple;
 * the reply direction is translated after conntrack and keeps the entry
 * conntrack found, so a firewall sees "ct state established".
 *
 * Context: a netfilter hook.
 */
void l4lb_xmit_ct(struct sk_buff *skb, bool orig)
{
	if (!l4lb_conntrack) {
		nf_reset_ct(skb);
		nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	} else if (orig) {
		nf_reset_ct(skb);
	}
}

/**
 * l4lb_xmit_ct_claim() - keep DNAT rules off a new conntrack entry of l4lb's
 * @skb: a translated packet of a row's original direction, after conntrack
 *
 * With conntrack=1, a new entry of a translated connection is marked as
 * having had its destination NAT done, so that nf_nat's DNAT rules never
 * send it elsewhere (the route l4lb chose would be dropped, and the new
 * one refuse the local source). Only IPS_DST_NAT_DONE: nf_nat ties
 * IPS_SRC_NAT_DONE to its own by-source hash, which only it may fill. The
 * entry is not confirmed yet, so nothing else sees it while it changes.
 *
 * Context: a netfilter hook after conntrack (NF_IP_PRI_CONNTRACK + 25).
 */
void l4lb_xmit_ct_claim(struct sk_buff *skb)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	if (!ct || nf_ct_is_confirmed(ct) ||
	    CTINFO2DIR(ctinfo) != IP_CT_DIR_ORIGINAL)
		return;
	set_bit(IPS_DST_NAT_DONE_BIT, &ct->status);
}

/**
 * l4lb_xmit_refuse() - the verdict for a new connection l4lb cannot serve
 * @state: the hook's state
 *
 * A local process learns at once: in LOCAL_OUT the packet is dropped with
 * ECONNREFUSED, which connect() and sendmsg() return. Elsewhere a plain
 * drop.
 *
 * Context: a netfilter hook.
 * Return: a netfilter verdict.
 */
unsigned int l4lb_xmit_refuse(const struct nf_hook_state *state)
{
	if (state->hook == NF_INET_LOCAL_OUT)
		return NF_DROP_ERR(-ECONNREFUSED);
	return NF_DROP;
}
