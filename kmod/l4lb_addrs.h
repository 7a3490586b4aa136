/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: an address list, as a service holds its SNAT pool (l4lb_snat.h)
 * and its peers (l4lb_peer.h).
 *
 * A list is an immutable array of IPv4 addresses, in ascending order. A
 * service points at it with RCU, NULL standing for no list (what that
 * means is the owner's: "auto" for a pool, none for peers), and replaces
 * it as a whole under the services' lock; the old one is freed after a
 * grace period, so the packet path reads it under RCU only.
 */
#ifndef _L4LB_ADDRS_H
#define _L4LB_ADDRS_H

#include <linux/rcupdate.h>
#include <linux/types.h>

/**
 * struct l4lb_addrs - an immutable list of IPv4 addresses
 * @rcu: deferred free
 * @n: number of addresses, at least 1, at most the owner's limit
 * @addrs: the addresses, network byte order, ascending, no repeats
 */
struct l4lb_addrs {
	struct rcu_head rcu;
	unsigned int n;
	__be32 addrs[];
};

void l4lb_addrs_sort(__be32 *addrs, unsigned int n);
struct l4lb_addrs *l4lb_addrs_alloc(const __be32 *addrs, unsigned int n,
				    unsigned int max);
bool l4lb_addrs_same(const struct l4lb_addrs *list, const __be32 *addrs,
		     unsigned int n);
void l4lb_addrs_free(struct l4lb_addrs *list);

#endif /* _L4LB_ADDRS_H */
