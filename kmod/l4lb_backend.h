/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: a backend (real server), its reference count, statistics and
 * connection accounting.
 *
 * Locking:
 *  - Fields read on the packet path (state, weight, weight_pct, removed)
 *    are written with WRITE_ONCE() under the services' mutex
 *    (l4lb_service.h) and read with READ_ONCE(). weight and weight_pct are
 *    read separately, so a scheduler may see the new one with the old
 *    other; both are in range, and the change's l4lb_service_sched_update()
 *    follows.
 *  - A backend is reference counted: one reference for its service's list,
 *    one per NAT row. It is freed after an RCU grace period once the last
 *    one is gone, so a removed backend drains: its rows keep working until
 *    they end. Readers take their reference with refcount_inc_not_zero(),
 *    so they never resurrect a backend being freed.
 *  - @active and @inactive change under the row's lock (conn->lock), as
 *    the row's L4LB_CONN_F_ACTIVE flag does.
 */
#ifndef _L4LB_BACKEND_H
#define _L4LB_BACKEND_H

#include <linux/cache.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/u64_stats_sync.h>

#include "l4lb_conn.h"

struct l4lb_service;

/** L4LB_BACKENDS_MAX - most backends a service may have */
#define L4LB_BACKENDS_MAX	4096

/**
 * struct l4lb_be_stats - per-CPU traffic counters of a backend
 * @conns: rows created towards the backend
 * @pkts_in: packets client -> backend
 * @pkts_out: packets backend -> client
 * @bytes_in: IP bytes client -> backend
 * @bytes_out: IP bytes backend -> client
 * @syncp: u64 consistency on 32-bit
 */
struct l4lb_be_stats {
	u64_stats_t conns;
	u64_stats_t pkts_in;
	u64_stats_t pkts_out;
	u64_stats_t bytes_in;
	u64_stats_t bytes_out;
	struct u64_stats_sync syncp;
};

/**
 * struct l4lb_be_counters - a backend's counters, summed over the CPUs
 * @conns: rows created towards the backend
 * @pkts_in: packets client -> backend
 * @pkts_out: packets backend -> client
 * @bytes_in: IP bytes client -> backend
 * @bytes_out: IP bytes backend -> client
 */
struct l4lb_be_counters {
	u64 conns;
	u64 pkts_in;
	u64 pkts_out;
	u64 bytes_in;
	u64 bytes_out;
};

/**
 * struct l4lb_backend - a backend (real server)
 * @list: link in l4lb_service::backends (services' mutex)
 * @svc: the service it belongs to
 * @addr: address, network byte order, of the service's family (.ip of an
 *	AF_INET one, the rest zero)
 * @port: port, network byte order
 * @weight: 0..L4LB_WEIGHT_MAX, the configured weight; 0 takes no new
 *	connections
 * @weight_pct: 0..L4LB_WEIGHT_PCT_MAX, percent of @weight the schedulers
 *	use (load feedback); read the result with l4lb_backend_weight()
 * @state: enum l4lb_be_state
 * @removed: deleted from the service; draining until its last row ends
 * @refcnt: 1 for the service list + 1 per row
 * @active: rows in ESTABLISHED
 * @inactive: rows in any other state, templates left out
 * @snat_next: where the next SNAT port search towards it starts, as an
 *	index into the SNAT port range; random at first
 * @stats: per-CPU traffic counters
 * @rcu: deferred free
 *
 * 128 bytes on x86_64: the fields read on the packet path fill the first
 * cache line, the counters written by new rows the second.
 */
struct l4lb_backend {
	struct list_head list;
	struct l4lb_service *svc;
	union nf_inet_addr addr;
	__be16 port;
	u32 weight;
	u32 weight_pct;
	u8 state;
	bool removed;
	struct l4lb_be_stats __percpu *stats;
	/* Written by every new row and every row's end, on any CPU: a
	 * cache line apart from the fields above, which every packet
	 * (@svc, @stats) and every scheduling (@addr to @removed) reads.
	 */
	refcount_t refcnt ____cacheline_aligned_in_smp;
	atomic_t active;
	atomic_t inactive;
	atomic_t snat_next;
	struct rcu_head rcu;
};

/**
 * struct l4lb_backend_array - the backends a scheduler may choose from
 * @rcu: deferred free
 * @n: number of entries in @be
 * @be: backends not removed, in the order they were added; each may still
 *	be down, draining or of weight 0, which schedulers must skip
 */
struct l4lb_backend_array {
	struct rcu_head rcu;
	unsigned int n;
	struct l4lb_backend *be[];
};

struct l4lb_backend *l4lb_backend_alloc(struct l4lb_service *svc,
					const union nf_inet_addr *addr,
					__be16 port, u32 weight, u32 weight_pct,
					u8 state);
u32 l4lb_weight_effective(u32 weight, u32 pct);
u32 l4lb_backend_weight(const struct l4lb_backend *be);
bool l4lb_backend_usable(const struct l4lb_backend *be);
struct l4lb_backend *l4lb_backend_get_rcu(struct l4lb_backend *be);
void l4lb_backend_put(struct l4lb_backend *be);

void l4lb_backend_conn_attach(struct l4lb_conn *conn, struct l4lb_backend *be);
void l4lb_backend_conn_state(struct l4lb_conn *conn, u8 new);
void l4lb_backend_conn_release(struct l4lb_conn *conn);
void l4lb_backend_created(struct l4lb_backend *be);
void l4lb_backend_conn_endpoints(const struct l4lb_conn *conn,
				 union nf_inet_addr *local, __be16 *local_port,
				 union nf_inet_addr *backend,
				 __be16 *backend_port);

void l4lb_backend_account(struct l4lb_backend *be, bool in, unsigned int len);
void l4lb_backend_counters(const struct l4lb_backend *be,
			   struct l4lb_be_counters *c);

#endif /* _L4LB_BACKEND_H */
