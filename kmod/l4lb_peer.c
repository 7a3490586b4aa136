// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: daisy chaining between the nodes of a service (issue #20).
 *
 * Several nodes behind one ECMP route each hold the rows of the
 * connections the router sends them. When the router's hash changes (a
 * node added, or back), some established flows reach a node that has no
 * row for them, and under full NAT only the node that has one can
 * translate them. As in Beamer (Olteanu et al., NSDI'18), such a segment
 * goes on to the other nodes, here in an IPIP header (RFC 2003) to each
 * peer; the one that holds the row translates it, the others drop it. A
 * segment that came in over IPIP is never sent on, so there are no loops.
 */
#include <linux/if_arp.h>
#include <linux/ip.h>
#include <linux/netdevice.h>
#include <net/dst.h>
#include <net/ip.h>
#include <net/route.h>

#include "l4lb_addrs.h"
#include "l4lb_peer.h"

/**
 * l4lb_peer_sent_it() - did this packet come from a peer?
 * @state: the hook's state, PRE_ROUTING
 *
 * A peer's segments arrive decapsulated on an IPIP device (tunl0, or an
 * ipip link): ARPHRD_TUNNEL.
 *
 * Context: a netfilter hook.
 * Return: true if it came in on an IPIP device.
 */
bool l4lb_peer_sent_it(const struct nf_hook_state *state)
{
	return state->in && state->in->type == ARPHRD_TUNNEL;
}

/* Send a copy of @skb to @peer in an IPIP packet; 0 or a negative errno. */
static int l4lb_peer_xmit_one(struct net *net, const struct sk_buff *skb,
			      __be32 peer)
{
	const struct iphdr *inner = ip_hdr(skb);
	struct flowi4 fl4 = {
		.daddr = peer,
		.flowi4_proto = IPPROTO_IPIP,
		.flowi4_tos = RT_TOS(inner->tos),
	};
	struct sk_buff *nskb;
	struct iphdr *iph;
	struct rtable *rt;

	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	if (skb->len + sizeof(*iph) > dst_mtu(&rt->dst)) {
		ip_rt_put(rt);
		return -EMSGSIZE;
	}
	nskb = skb_copy_expand(skb, LL_RESERVED_SPACE(rt->dst.dev) +
			       sizeof(*iph), 0, GFP_ATOMIC);
	if (!nskb) {
		ip_rt_put(rt);
		return -ENOMEM;
	}
	/* A packet this host sends, as ip_forward() would make it one. */
	skb_scrub_packet(nskb, false);
	skb_clear_tstamp(nskb);
	skb_dst_set(nskb, &rt->dst);
	memset(IPCB(nskb), 0, sizeof(*IPCB(nskb)));
	/* A segment from a local sender or a veth may still owe its TCP
	 * checksum (CHECKSUM_PARTIAL): the peer must get it complete.
	 */
	if (nskb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(nskb)) {
		kfree_skb(nskb);
		return -ENOMEM;
	}
	nskb->ip_summed = CHECKSUM_NONE;

	skb_push(nskb, sizeof(*iph));
	skb_reset_network_header(nskb);
	iph = ip_hdr(nskb);
	*iph = (struct iphdr) {
		.version = 4,
		.ihl = sizeof(*iph) >> 2,
		.tos = inner->tos,
		.tot_len = htons(nskb->len),
		.frag_off = htons(IP_DF),
		.ttl = ip4_dst_hoplimit(&rt->dst),
		.protocol = IPPROTO_IPIP,
		.saddr = fl4.saddr,
		.daddr = peer,
	};
	__ip_select_ident(net, iph, 1);
	nskb->protocol = htons(ETH_P_IP);
	return ip_local_out(net, NULL, nskb) < 0 ? -ENOBUFS : 0;
}

/**
 * l4lb_peers_xmit() - send a segment with no row to a service's peers
 * @net: the namespace
 * @skb: the segment at PRE_ROUTING, IPv4, not GSO; left as it is (the
 *	caller drops it once sent)
 * @peers: the service's peers
 *
 * Each peer that is not a local address of @net gets a copy in an IPIP
 * packet from the address the route to it picks, with DF set: a segment
 * that would not fit the route's MTU with the 20 bytes of the outer
 * header is not sent (-EMSGSIZE), nor is a GSO packet.
 *
 * Context: a netfilter hook, BHs disabled, RCU read side.
 * Return: the number of peers sent to (0 if every peer is local), or the
 * error of the last that failed if none was sent to: -EMSGSIZE, -ENOMEM,
 * -ENOBUFS, or a route lookup's error.
 */
int l4lb_peers_xmit(struct net *net, const struct sk_buff *skb,
		    const struct l4lb_addrs *peers)
{
	unsigned int i;
	int sent = 0, err = 0;

	if (skb_is_gso(skb))
		return -EMSGSIZE;
	for (i = 0; i < peers->n; i++) {
		int e;

		if (inet_addr_type(net, peers->addrs[i].ip) == RTN_LOCAL)
			continue;
		e = l4lb_peer_xmit_one(net, skb, peers->addrs[i].ip);
		if (e)
			err = e;
		else
			sent++;
	}
	return sent ?: err;
}
