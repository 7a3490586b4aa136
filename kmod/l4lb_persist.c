// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: persistence (IPVS -p, "sticky sessions").
 *
 * A template row per client and service pins the client's new connections
 * to one backend. Its tuples have protocol 0, so no packet ever matches
 * them; the service's protocol takes the place of the client port, so the
 * templates of a TCP and a UDP service on one VIP:port stay apart. It
 * lives in the NAT table, expires like a row, and holds a reference on its
 * backend.
 */
#include <linux/err.h>
#include <linux/jiffies.h>

#include "../include/uapi/l4lb.h"
#include "l4lb_backend.h"
#include "l4lb_conn.h"
#include "l4lb_mem.h"
#include "l4lb_persist.h"

static void l4lb_persist_tuple(struct l4lb_tuple *t,
			       const struct l4lb_tuple *orig)
{
	*t = (struct l4lb_tuple) {
		.saddr = orig->saddr,
		.daddr = orig->daddr,
		.sport = htons(orig->proto),
		.dport = orig->dport,
		.dir = L4LB_DIR_ORIG,
		.v6 = orig->v6,
	};
}

/**
 * l4lb_persist_find() - the backend a client is pinned to
 * @tab: the NAT table
 * @orig: the original tuple of the client's new connection
 * @a6: of an IPv6 connection, its client [0] and VIP [1]; else NULL
 * @persist: the service's persistence time, jiffies; refreshes the template
 *
 * A template whose backend no longer takes new connections is removed.
 *
 * Context: rcu_read_lock() held.
 * Return: the backend, with a reference for the caller, or NULL.
 */
struct l4lb_backend *l4lb_persist_find(struct l4lb_conn_table *tab,
				       const struct l4lb_tuple *orig,
				       const struct in6_addr *a6,
				       unsigned long persist)
{
	struct l4lb_tuple_hash *th;
	struct l4lb_conn *tpl;
	struct l4lb_tuple t;

	l4lb_persist_tuple(&t, orig);
	th = l4lb_conn_find(tab, &t, a6);
	if (!th)
		return NULL;
	tpl = l4lb_tuplehash_to_conn(th);
	if (!l4lb_backend_usable(tpl->backend)) {
		l4lb_conn_unlink(tab, tpl);
		return NULL;
	}
	WRITE_ONCE(tpl->expires, jiffies + persist);
	l4lb_conn_mark(tab, th, jiffies);
	return l4lb_backend_get_rcu(tpl->backend);
}

/**
 * l4lb_persist_add() - pin a client to a backend
 * @tab: the NAT table
 * @orig: the original tuple of the client's new connection
 * @a6: of an IPv6 connection, its client [0] and VIP [1]; else NULL
 * @be: the backend it was scheduled to
 * @persist: the service's persistence time, jiffies
 *
 * A failure (table full, no memory, a template inserted meanwhile) only
 * loses the stickiness.
 *
 * Context: rcu_read_lock() held.
 */
void l4lb_persist_add(struct l4lb_conn_table *tab,
		      const struct l4lb_tuple *orig, const struct in6_addr *a6,
		      struct l4lb_backend *be, unsigned long persist)
{
	struct l4lb_tuple_hash *old;
	struct l4lb_backend *ref;
	struct l4lb_conn *tpl;
	struct l4lb_tuple *t;

	tpl = a6 ? l4lb_conn_alloc6(tab, L4LB_GFP_ROW, false) :
		   l4lb_conn_alloc(tab, L4LB_GFP_ROW);
	if (IS_ERR(tpl))
		return;
	ref = l4lb_backend_get_rcu(be);
	if (!ref) {
		l4lb_conn_free_unhashed(tab, tpl);
		return;
	}
	t = &tpl->th[L4LB_DIR_ORIG].tuple;
	l4lb_persist_tuple(t, orig);
	tpl->th[L4LB_DIR_REPLY].tuple = (struct l4lb_tuple) {
		.saddr = t->daddr,
		.daddr = t->saddr,
		.sport = t->dport,
		.dir = L4LB_DIR_REPLY,
		.v6 = t->v6,
	};
	if (a6) {
		struct l4lb_conn6 *c6 = container_of(tpl, struct l4lb_conn6,
						     conn);

		c6->addr[L4LB_DIR_ORIG][0] = a6[0];
		c6->addr[L4LB_DIR_ORIG][1] = a6[1];
		c6->addr[L4LB_DIR_REPLY][0] = a6[1];
		c6->addr[L4LB_DIR_REPLY][1] = a6[0];
	}
	tpl->state = L4LB_CONN_PERSIST;
	tpl->flags = L4LB_CONN_F_TEMPLATE;
	tpl->expires = jiffies + persist;
	l4lb_backend_conn_attach(tpl, ref);
	/* The reply tuple keeps the protocol too, in its port: the templates
	 * of a TCP and a UDP service would collide there otherwise.
	 */
	if (l4lb_conn_insert(tab, tpl, orig->proto, orig->proto, &old)) {
		l4lb_backend_conn_release(tpl);
		l4lb_conn_free_unhashed(tab, tpl);
		return;
	}
	l4lb_conn_mark(tab, &tpl->th[L4LB_DIR_ORIG], jiffies);
}
