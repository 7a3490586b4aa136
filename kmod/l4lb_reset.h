/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: TCP resets the balancer sends on its own (l4lb_reset.c).
 */
#ifndef _L4LB_RESET_H
#define _L4LB_RESET_H

#include <linux/types.h>

struct in6_addr;
struct net;

int l4lb_reset_send(struct net *net, __be32 saddr, __be16 sport,
		    __be32 daddr, __be16 dport, u32 seq);
int l4lb_reset_send6(struct net *net, const struct in6_addr *saddr,
		     __be16 sport, const struct in6_addr *daddr, __be16 dport,
		     u32 seq);

#endif /* _L4LB_RESET_H */
