/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: whom l4lb's memory is charged to.
 *
 * Any user can own a network namespace (unshare -Urn) and so hold
 * CAP_NET_ADMIN over that namespace's balancer. What the balancer of a
 * namespace holds is therefore charged to the memory cgroup of whoever
 * caused it, as nf_tables and the socket layer charge theirs:
 *
 *  - control-plane objects (the NAT table's buckets, services, backends,
 *    backend arrays, scheduler state such as Maglev tables, SNAT pools) to
 *    the task whose request allocated them, with L4LB_GFP_CTL;
 *  - rows, which the packet path allocates in softirq where there is no
 *    task to charge, to the memory cgroup of the task that created the
 *    namespace's table (l4lb_conn_table::memcg), with L4LB_GFP_ROW under
 *    set_active_memcg().
 *
 * memory.max applies to both. A control-plane request past it fails with
 * -ENOMEM, and a new flow past it is dropped (L4LB_DROP_NO_MEMORY).
 */
#ifndef _L4LB_MEM_H
#define _L4LB_MEM_H

#include <linux/gfp.h>

/*
 * L4LB_GFP_CTL - flags of control-plane allocations (process context).
 *
 * __GFP_RETRY_MAYFAIL: at the memory cgroup's limit the request fails with
 * -ENOMEM after reclaim, instead of invoking the cgroup's OOM killer: a
 * user who asks for one service too many gets an error, not a killed
 * process. __GFP_NOWARN: that error, with its extack message, is the
 * report; a user must not be able to fill the kernel log with allocation
 * failures and their stack dumps (kvmalloc()'s vmalloc fallback warns at
 * a cgroup's limit otherwise).
 */
#define L4LB_GFP_CTL	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/*
 * L4LB_GFP_ROW - flags of the packet path's row allocations (softirq).
 *
 * Not GFP_ATOMIC: its __GFP_HIGH makes the memory cgroup force the charge
 * past memory.max, and would let a flood dip into the reserves the rest
 * of the stack needs. Without it a row past the limit is refused, its
 * flow dropped and counted; the client retransmits. __GFP_NOWARN: the
 * drop counter reports it.
 */
#define L4LB_GFP_ROW	(GFP_NOWAIT | __GFP_NOWARN | __GFP_ACCOUNT)

#endif /* _L4LB_MEM_H */
