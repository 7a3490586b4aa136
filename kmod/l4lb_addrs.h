/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: an address list, as a service holds its SNAT pool (l4lb_snat.h)
 * and its peers (l4lb_peer.h).
 *
 * A list is an immutable array of addresses of one family, in ascending
 * order (an IPv4 address in .ip, the rest zero). A
 * service points at it with RCU, NULL standing for no list (what that
 * means is the owner's: "auto" for a pool, none for peers), and replaces
 * it as a whole under the services' lock; the old one is freed after a
 * grace period, so the packet path reads it under RCU only.
 */
#ifndef _L4LB_ADDRS_H
#define _L4LB_ADDRS_H

#include <linux/netfilter.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

/**
 * struct l4lb_addrs - an immutable list of addresses of one family
 * @rcu: deferred free
 * @n: number of addresses, at least 1, at most the owner's limit
 * @addrs: the addresses, network byte order, ascending as 16-byte numbers
 *	(l4lb_addrs_sort()), no repeats
 */
struct l4lb_addrs {
	struct rcu_head rcu;
	unsigned int n;
	union nf_inet_addr addrs[];
};

void l4lb_addrs_sort(union nf_inet_addr *addrs, unsigned int n);
void l4lb_addrs_sort_ip(__be32 *addrs, unsigned int n);
struct l4lb_addrs *l4lb_addrs_alloc(const union nf_inet_addr *addrs,
				    unsigned int n, unsigned int max);
bool l4lb_addrs_same(const struct l4lb_addrs *list,
		     const union nf_inet_addr *addrs, unsigned int n);
void l4lb_addrs_free(struct l4lb_addrs *list);

#endif /* _L4LB_ADDRS_H */
