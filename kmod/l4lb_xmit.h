/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: where translated packets go. Routing in PRE_ROUTING and LOCAL_OUT,
 * and conntrack marks.
 */
#ifndef _L4LB_XMIT_H
#define _L4LB_XMIT_H

#include <linux/netfilter.h>
#include <linux/skbuff.h>

struct l4lb_net;

/* conntrack module parameter (l4lb_params.c): translated packets are
 * tracked by nf_conntrack instead of being marked untracked. Fixed at load.
 */
extern bool l4lb_conntrack;

bool l4lb_xmit_skip(const struct sk_buff *skb,
		    const struct nf_hook_state *state);
int l4lb_route(struct l4lb_net *ln, struct sk_buff *skb,
	       const struct nf_hook_state *state, __be32 daddr, __be32 saddr);
int l4lb_route6(struct l4lb_net *ln, struct sk_buff *skb,
		const struct nf_hook_state *state, const struct in6_addr *daddr,
		const struct in6_addr *saddr);
int l4lb_route6_saddr(struct net *net, const struct sk_buff *skb,
		      const struct in6_addr *daddr, struct in6_addr *saddr);
void l4lb_xmit_ct(struct sk_buff *skb, bool orig);
void l4lb_xmit_ct_claim(struct sk_buff *skb);
unsigned int l4lb_xmit_refuse(const struct nf_hook_state *state);

#endif /* _L4LB_XMIT_H */
