/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: a service's SNAT pool, and what its rows hold of it.
 *
 * A pool is an address list (struct l4lb_addrs, whose locking rules are
 * in l4lb_addrs.h) of 1 to L4LB_SNAT_ADDRS_MAX local addresses. A service
 * points at its pool with RCU (NULL is "auto": the primary address of the
 * interface that routes to each backend) and replaces it as a whole under
 * the services' lock, so the packet path reads it under RCU only.
 */
#ifndef _L4LB_SNAT_H
#define _L4LB_SNAT_H

#include <linux/netfilter.h>
#include <linux/types.h>

#include "../include/uapi/l4lb.h"

struct l4lb_conn_table;
struct l4lb_service;

/**
 * struct l4lb_snat_use - the rows of a service on one SNAT address
 * @addr: the address, network byte order (.ip of an AF_INET one)
 * @ports: the service's rows whose reply tuple has @addr: the (address,
 *	port) pairs they hold, summed over the backends
 */
struct l4lb_snat_use {
	union nf_inet_addr addr;
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

void l4lb_snat_usage_count(struct l4lb_conn_table *tab,
			   const struct l4lb_service *svc,
			   const union nf_inet_addr *addrs, unsigned int n,
			   struct l4lb_snat_usage *u);

#endif /* _L4LB_SNAT_H */
