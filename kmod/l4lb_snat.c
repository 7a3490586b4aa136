// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: a service's SNAT pool, and what its rows hold of it. The locking
 * rules are in l4lb_snat.h.
 */
#include <linux/sched.h>
#include <linux/string.h>

#include "l4lb_backend.h"
#include "l4lb_conn.h"
#include "l4lb_snat.h"

/* The uapi limit is the allocator's. */
static_assert(L4LB_SNAT_POOL_MAX == L4LB_SNAT_ADDRS_MAX);

/* Rows looked at per RCU read section of l4lb_snat_usage_count(). */
#define L4LB_SNAT_WALK_BATCH	1024

/* Count one row on @addr: its entry, made in order if it has none and
 * there is room (past L4LB_SNAT_USAGE_MAX addresses, rows go uncounted).
 */
static void l4lb_snat_use_add(struct l4lb_snat_usage *u,
			      const union nf_inet_addr *addr)
{
	unsigned int lo = 0, hi = u->n, mid;

	/* memcmp() of network byte order is a numeric compare. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (memcmp(&u->e[mid].addr, addr, sizeof(*addr)) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < u->n && nf_inet_addr_cmp(&u->e[lo].addr, addr)) {
		u->e[lo].ports++;
		return;
	}
	if (u->n == ARRAY_SIZE(u->e))
		return;
	memmove(&u->e[lo + 1], &u->e[lo], (u->n - lo) * sizeof(u->e[0]));
	u->e[lo] = (struct l4lb_snat_use) { .addr = *addr, .ports = 1 };
	u->n++;
}

/**
 * l4lb_snat_usage_count() - count a service's rows by SNAT address
 * @tab: the namespace's NAT table; may be NULL (no rows)
 * @svc: the service; only compared with each row's backend's service
 * @addrs: its pool, network byte order, in a pool's order, of @svc's
 *	family
 * @n: the pool's size, 0 for "auto"
 * @u: out: every address of the pool, with 0 if no row holds it, and any
 *	other address the service's rows hold (auto's, or one since removed
 *	from the pool), ascending
 *
 * A walk of the whole table, a batch of rows per RCU read section, so a
 * large table costs time but never holds up the packet path or RCU. Rows
 * that come and go meanwhile may or may not be counted (see
 * l4lb_conn_iter_next()). Persistence templates hold no SNAT port and are
 * left out.
 *
 * Context: process, may sleep. @svc is only compared, never dereferenced,
 * so the caller need not hold the services lock (and should not: the
 * walk is long); a service deleted meanwhile just counts fewer rows.
 */
void l4lb_snat_usage_count(struct l4lb_conn_table *tab,
			   const struct l4lb_service *svc,
			   const union nf_inet_addr *addrs, unsigned int n,
			   struct l4lb_snat_usage *u)
{
	union nf_inet_addr backend, local;
	struct l4lb_conn_iter it;
	struct l4lb_conn *conn;
	unsigned int i, batch = 0;

	u->n = min_t(unsigned int, n, ARRAY_SIZE(u->e));
	for (i = 0; i < u->n; i++)
		u->e[i] = (struct l4lb_snat_use) { .addr = addrs[i] };
	if (!tab)
		return;

	l4lb_conn_iter_init(&it);
	rcu_read_lock();
	while ((conn = l4lb_conn_iter_next(tab, &it))) {
		if (!(READ_ONCE(conn->flags) & L4LB_CONN_F_TEMPLATE) &&
		    conn->backend && conn->backend->svc == svc) {
			l4lb_conn_addrs(conn, L4LB_DIR_REPLY, &backend, &local);
			l4lb_snat_use_add(u, &local);
		}
		if (++batch < L4LB_SNAT_WALK_BATCH)
			continue;
		batch = 0;
		l4lb_conn_iter_pause(&it);
		rcu_read_unlock();
		cond_resched();
		rcu_read_lock();
	}
	rcu_read_unlock();
}
