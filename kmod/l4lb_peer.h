/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: daisy chaining between the nodes of a service (issue #20).
 *
 * A service's peers are an immutable array of addresses, in ascending
 * order. A service points at them with RCU (NULL: no peers) and replaces
 * them as a whole under the services' lock, as it does its SNAT pool.
 */
#ifndef _L4LB_PEER_H
#define _L4LB_PEER_H

#include <linux/netfilter.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/types.h>

struct l4lb_addrs;

/**
 * struct l4lb_peers - the other balancer nodes of a service
 * @rcu: deferred free
 * @n: number of addresses, 1 to L4LB_PEERS_MAX
 * @addrs: the addresses, network byte order, ascending, no repeats
 */
struct l4lb_peers {
	struct rcu_head rcu;
	unsigned int n;
	__be32 addrs[];
};

void l4lb_peers_sort(__be32 *addrs, unsigned int n);
struct l4lb_peers *l4lb_peers_alloc(const __be32 *addrs, unsigned int n);
bool l4lb_peers_same(const struct l4lb_peers *peers, const __be32 *addrs,
		     unsigned int n);
void l4lb_peers_free(struct l4lb_peers *peers);
bool l4lb_peer_sent_it(const struct nf_hook_state *state);
int l4lb_peers_xmit(struct net *net, const struct sk_buff *skb,
		    const struct l4lb_addrs *peers);

#endif /* _L4LB_PEER_H */
