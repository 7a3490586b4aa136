// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: a service's SNAT pool, and what its rows hold of it. The locking
 * rules are in l4lb_snat.h.
 */
#include <linux/err.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "l4lb_backend.h"
#include "l4lb_conn.h"
#include "l4lb_mem.h"
#include "l4lb_snat.h"

/* The uapi limit is the allocator's. */
static_assert(L4LB_SNAT_POOL_MAX == L4LB_SNAT_ADDRS_MAX);

/* Rows looked at per RCU read section of l4lb_snat_usage_count(). */
#define L4LB_SNAT_WALK_BATCH	1024

static int l4lb_snat_cmp(const void *a, const void *b)
{
	u32 x = ntohl(*(const __be32 *)a), y = ntohl(*(const __be32 *)b);

	return x < y ? -1 : x > y;
}

/**
 * l4lb_snat_sort() - put addresses in a pool's order
 * @addrs: network byte order; sorted in place
 * @n: their number
 *
 * Ascending as numbers, so 10.0.1.9 comes before 10.0.1.10.
 *
 * Context: any.
 */
void l4lb_snat_sort(__be32 *addrs, unsigned int n)
{
	sort(addrs, n, sizeof(*addrs), l4lb_snat_cmp, NULL);
}

/**
 * l4lb_snat_pool_alloc() - a pool of these addresses
 * @addrs: network byte order, sorted (l4lb_snat_sort()), no repeats, each
 *	checked (l4lb_check_snat_pool())
 * @n: their number, 0 to L4LB_SNAT_ADDRS_MAX
 *
 * Charged to the caller's memory cgroup (l4lb_mem.h).
 *
 * Context: process, may sleep.
 * Return: the pool; NULL for @n 0 ("auto", no pool); ERR_PTR(-ENOMEM).
 */
struct l4lb_snat_pool *l4lb_snat_pool_alloc(const __be32 *addrs,
					    unsigned int n)
{
	struct l4lb_snat_pool *pool;

	if (!n)
		return NULL;
	if (WARN_ON_ONCE(n > L4LB_SNAT_ADDRS_MAX))
		return ERR_PTR(-EINVAL);
	pool = kmalloc(struct_size(pool, addrs, n), L4LB_GFP_CTL);
	if (!pool)
		return ERR_PTR(-ENOMEM);
	pool->n = n;
	memcpy(pool->addrs, addrs, n * sizeof(*addrs));
	return pool;
}

/**
 * l4lb_snat_pool_same() - does a pool hold exactly these addresses?
 * @pool: the pool; NULL is the empty one
 * @addrs: network byte order, in a pool's order
 * @n: their number
 *
 * Context: any; the caller keeps @pool alive.
 * Return: true if they are the same, in the same order.
 */
bool l4lb_snat_pool_same(const struct l4lb_snat_pool *pool,
			 const __be32 *addrs, unsigned int n)
{
	if (!pool)
		return !n;
	return pool->n == n && !memcmp(pool->addrs, addrs, n * sizeof(*addrs));
}

/**
 * l4lb_snat_pool_free() - free a pool once no reader can see it
 * @pool: the pool, unpublished; may be NULL
 *
 * Context: any.
 */
void l4lb_snat_pool_free(struct l4lb_snat_pool *pool)
{
	if (pool)
		kfree_rcu(pool, rcu);
}

/* Count one row on @addr: its entry, made in order if it has none and
 * there is room (past L4LB_SNAT_USAGE_MAX addresses, rows go uncounted).
 */
static void l4lb_snat_use_add(struct l4lb_snat_usage *u, __be32 addr)
{
	u32 a = ntohl(addr);
	unsigned int lo = 0, hi = u->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ntohl(u->e[mid].addr) < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < u->n && u->e[lo].addr == addr) {
		u->e[lo].ports++;
		return;
	}
	if (u->n == ARRAY_SIZE(u->e))
		return;
	memmove(&u->e[lo + 1], &u->e[lo], (u->n - lo) * sizeof(u->e[0]));
	u->e[lo] = (struct l4lb_snat_use) { .addr = addr, .ports = 1 };
	u->n++;
}

/**
 * l4lb_snat_usage_count() - count a service's rows by SNAT address
 * @tab: the namespace's NAT table; may be NULL (no rows)
 * @svc: the service; only compared with each row's backend's service
 * @addrs: its pool, network byte order, in a pool's order
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
			   const struct l4lb_service *svc, const __be32 *addrs,
			   unsigned int n, struct l4lb_snat_usage *u)
{
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
		    conn->backend && conn->backend->svc == svc)
			l4lb_snat_use_add(u,
					  conn->th[L4LB_DIR_REPLY].tuple.daddr);
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
