/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: daisy chaining between the nodes of a service (issue #20).
 *
 * A service's peers are an address list (struct l4lb_addrs, l4lb_addrs.h)
 * of 1 to L4LB_PEERS_MAX addresses. A service points at them with RCU
 * (NULL: no peers) and replaces them as a whole under the services' lock,
 * as it does its SNAT pool.
 */
#ifndef _L4LB_PEER_H
#define _L4LB_PEER_H

#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/types.h>

struct l4lb_addrs;

bool l4lb_peer_sent_it(const struct nf_hook_state *state);
int l4lb_peers_xmit(struct net *net, const struct sk_buff *skb,
		    const struct l4lb_addrs *peers);

#endif /* _L4LB_PEER_H */
