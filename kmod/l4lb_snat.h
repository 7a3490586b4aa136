/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: a service's SNAT pool, and what its rows hold of it.
 *
 * A pool is an immutable array of local addresses, in ascending order. A
 * service points at its pool with RCU (NULL is "auto": the primary address
 * of the interface that routes to each backend) and replaces it as a
 * whole under the services' lock; the old one is freed after a grace
 * period, so the packet path reads it under RCU only.
 */
#ifndef _L4LB_SNAT_H
#define _L4LB_SNAT_H

#include <linux/rcupdate.h>
#include <linux/types.h>

#include "../include/uapi/l4lb.h"

struct l4lb_conn_table;
struct l4lb_service;

/**
 * struct l4lb_snat_pool - the SNAT addresses of a service
 * @rcu: deferred free
 * @n: number of addresses, 1 to L4LB_SNAT_ADDRS_MAX
 * @addrs: the addresses, network byte order, ascending, no repeats
 */
struct l4lb_snat_pool {
	struct rcu_head rcu;
	unsigned int n;
	__be32 addrs[];
};

/**
 * struct l4lb_snat_use - the rows of a service on one SNAT address
 * @addr: the address, network byte order
 * @ports: the service's rows whose reply tuple has @addr: the (address,
 *	port) pairs they hold, summed over the backends
 */
struct l4lb_snat_use {
	__be32 addr;
	u32 ports;
};

/**
 * struct l4lb_snat_usage - the rows of a service by SNAT address
 * @n: entries in @e
 * @e: the pool's addresses and any other address rows hold, ascending
 */
struct l4lb_snat_usage {
	unsigned int n;
	struct l4lb_snat_use e[L4LB_SNAT_USAGE_MAX];
};

void l4lb_snat_sort(__be32 *addrs, unsigned int n);
struct l4lb_snat_pool *l4lb_snat_pool_alloc(const __be32 *addrs,
					    unsigned int n);
bool l4lb_snat_pool_same(const struct l4lb_snat_pool *pool,
			 const __be32 *addrs, unsigned int n);
void l4lb_snat_pool_free(struct l4lb_snat_pool *pool);
void l4lb_snat_usage_count(struct l4lb_conn_table *tab,
			   const struct l4lb_service *svc, const __be32 *addrs,
			   unsigned int n, struct l4lb_snat_usage *u);

#endif /* _L4LB_SNAT_H */
