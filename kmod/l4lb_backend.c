// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: a backend (real server). The locking rules are in l4lb_backend.h.
 */
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "../include/uapi/l4lb.h"
#include "l4lb_backend.h"
#include "l4lb_fault.h"
#include "l4lb_mem.h"

/**
 * l4lb_backend_alloc() - a new backend, not yet in any list
 * @svc: the service it will belong to
 * @addr: address, network byte order, of @svc's family (.ip of an AF_INET
 *	one, the rest zero)
 * @port: port, network byte order
 * @weight: 0..L4LB_WEIGHT_MAX
 * @weight_pct: 0..L4LB_WEIGHT_PCT_MAX, percent of @weight the schedulers use
 * @state: enum l4lb_be_state
 *
 * Its one reference is the service list's. Its SNAT port cursor starts at
 * random: after a reload, sockets of the old connections may still hold
 * the first ports of the range at the backend. It is charged, per-CPU
 * counters included, to the caller's memory cgroup (l4lb_mem.h).
 *
 * Context: process, may sleep.
 * Return: the backend, or NULL if out of memory.
 */
struct l4lb_backend *l4lb_backend_alloc(struct l4lb_service *svc,
					const union nf_inet_addr *addr,
					__be16 port, u32 weight, u32 weight_pct,
					u8 state)
{
	struct l4lb_backend *be;

	if (l4lb_fault_alloc(sizeof(*be)))
		return NULL;
	be = kzalloc(sizeof(*be), L4LB_GFP_CTL);
	if (!be)
		return NULL;
	be->stats = __netdev_alloc_pcpu_stats(struct l4lb_be_stats,
					      L4LB_GFP_CTL);
	if (!be->stats) {
		kfree(be);
		return NULL;
	}
	INIT_LIST_HEAD(&be->list);
	be->svc = svc;
	be->addr = *addr;
	be->port = port;
	be->weight = weight;
	be->weight_pct = weight_pct;
	be->state = state;
	atomic_set(&be->snat_next, get_random_u32() & INT_MAX);
	refcount_set(&be->refcnt, 1);
	return be;
}

/**
 * l4lb_weight_effective() - the weight a scheduler uses
 * @weight: the configured weight, 0..L4LB_WEIGHT_MAX
 * @pct: percent of it, 0..L4LB_WEIGHT_PCT_MAX (a load feedback figure)
 *
 * @weight * @pct / 100, rounded down; a backend of non-zero weight and
 * non-zero percentage never rounds down to 0 (1% of weight 1 is still 1,
 * as HAProxy keeps such a server in the farm), and none goes above
 * L4LB_WEIGHT_MAX, the bound the schedulers' arithmetic assumes.
 *
 * Context: any.
 * Return: 0..L4LB_WEIGHT_MAX; 0 only if @weight or @pct is 0.
 */
u32 l4lb_weight_effective(u32 weight, u32 pct)
{
	u64 w = (u64)weight * pct / 100;

	if (!weight || !pct)
		return 0;
	return clamp_t(u64, w, 1, L4LB_WEIGHT_MAX);
}

/**
 * l4lb_backend_weight() - a backend's effective weight
 * @be: the backend
 *
 * Every scheduler weighs backends by this, never by @be->weight alone.
 *
 * Context: any; lockless reads.
 * Return: l4lb_weight_effective() of its weight and weight percentage.
 */
u32 l4lb_backend_weight(const struct l4lb_backend *be)
{
	return l4lb_weight_effective(READ_ONCE(be->weight),
				     READ_ONCE(be->weight_pct));
}

/**
 * l4lb_backend_usable() - may a new connection go to this backend?
 * @be: the backend
 *
 * Context: any; lockless reads.
 * Return: true if it is up, not removed, and of non-zero effective weight.
 */
bool l4lb_backend_usable(const struct l4lb_backend *be)
{
	return !READ_ONCE(be->removed) &&
	       READ_ONCE(be->state) == L4LB_BE_STATE_UP &&
	       l4lb_backend_weight(be) > 0;
}

/**
 * l4lb_backend_get_rcu() - take a reference on a backend found under RCU
 * @be: the backend
 *
 * Context: rcu_read_lock() held.
 * Return: @be, or NULL if it is being freed.
 */
struct l4lb_backend *l4lb_backend_get_rcu(struct l4lb_backend *be)
{
	return refcount_inc_not_zero(&be->refcnt) ? be : NULL;
}

static void l4lb_backend_free_rcu(struct rcu_head *head)
{
	struct l4lb_backend *be = container_of(head, struct l4lb_backend, rcu);

	free_percpu(be->stats);
	kfree(be);
}

/**
 * l4lb_backend_put() - drop a reference on a backend
 * @be: the backend
 *
 * The last reference frees it after an RCU grace period.
 *
 * Context: any.
 */
void l4lb_backend_put(struct l4lb_backend *be)
{
	if (refcount_dec_and_test(&be->refcnt))
		call_rcu(&be->rcu, l4lb_backend_free_rcu);
}

/**
 * l4lb_backend_conn_attach() - give a new row its backend
 * @conn: the row, not yet hashed; a template if L4LB_CONN_F_TEMPLATE is set
 * @be: the backend; the caller's reference passes to the row
 *
 * A row counts as inactive until it is established; a template counts as
 * neither. l4lb_backend_conn_release() undoes this.
 *
 * Context: any.
 */
void l4lb_backend_conn_attach(struct l4lb_conn *conn, struct l4lb_backend *be)
{
	conn->backend = be;
	if (!(conn->flags & L4LB_CONN_F_TEMPLATE))
		atomic_inc(&be->inactive);
}

/**
 * l4lb_backend_conn_state() - keep the active/inactive counts in step
 * @conn: the row, with conn->lock held
 * @new: its new state
 *
 * Context: any, conn->lock held.
 */
void l4lb_backend_conn_state(struct l4lb_conn *conn, u8 new)
{
	struct l4lb_backend *be = conn->backend;
	bool active = new == L4LB_CONN_ESTABLISHED;

	if (active == !!(conn->flags & L4LB_CONN_F_ACTIVE))
		return;
	if (active) {
		conn->flags |= L4LB_CONN_F_ACTIVE;
		atomic_inc(&be->active);
		atomic_dec(&be->inactive);
	} else {
		conn->flags &= ~L4LB_CONN_F_ACTIVE;
		atomic_dec(&be->active);
		atomic_inc(&be->inactive);
	}
}

/**
 * l4lb_backend_conn_release() - give back what a row holds of its backend
 * @conn: the row, unlinked or never hashed; conn->backend is set
 *
 * Its count in @active or @inactive, and its reference. This is the NAT
 * table's release callback (l4lb_conn_table_alloc()).
 *
 * Context: any.
 */
void l4lb_backend_conn_release(struct l4lb_conn *conn)
{
	struct l4lb_backend *be = conn->backend;

	if (conn->flags & L4LB_CONN_F_ACTIVE)
		atomic_dec(&be->active);
	else if (!(conn->flags & L4LB_CONN_F_TEMPLATE))
		atomic_dec(&be->inactive);
	l4lb_backend_put(be);
}

/**
 * l4lb_backend_created() - count a new row towards a backend
 * @be: the backend
 *
 * Context: any; per-CPU, lock free.
 */
void l4lb_backend_created(struct l4lb_backend *be)
{
	struct l4lb_be_stats *s = get_cpu_ptr(be->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->conns);
	u64_stats_update_end(&s->syncp);
	put_cpu_ptr(be->stats);
}

/**
 * l4lb_backend_conn_endpoints() - the Local and Backend columns of a row
 * @conn: the row
 * @local: out, SNAT address (all zero for a persistence template)
 * @local_port: out, SNAT port (0 for a persistence template)
 * @backend: out, backend address
 * @backend_port: out, backend port
 *
 * All network byte order, addresses of the row's family (l4lb_conn_af()):
 * an IPv4 one in .ip, the rest zero. A persistence template's reply tuple
 * is not a connection's: its backend is the one it pins.
 *
 * Context: any; RCU read side or ownership of @conn.
 */
void l4lb_backend_conn_endpoints(const struct l4lb_conn *conn,
				 union nf_inet_addr *local, __be16 *local_port,
				 union nf_inet_addr *backend,
				 __be16 *backend_port)
{
	const struct l4lb_tuple *r = &conn->th[L4LB_DIR_REPLY].tuple;

	if (conn->flags & L4LB_CONN_F_TEMPLATE) {
		memset(local, 0, sizeof(*local));
		*local_port = 0;
		*backend = conn->backend->addr;
		*backend_port = conn->backend->port;
		return;
	}
	l4lb_conn_addrs(conn, L4LB_DIR_REPLY, backend, local);
	*local_port = r->dport;
	*backend_port = r->sport;
}

/**
 * l4lb_backend_account() - count one packet of a backend's traffic
 * @be: the backend
 * @in: true for client -> backend, false for backend -> client
 * @len: the packet's IP length in bytes
 *
 * Context: any; per-CPU, lock free.
 */
void l4lb_backend_account(struct l4lb_backend *be, bool in, unsigned int len)
{
	struct l4lb_be_stats *s = get_cpu_ptr(be->stats);

	u64_stats_update_begin(&s->syncp);
	if (in) {
		u64_stats_inc(&s->pkts_in);
		u64_stats_add(&s->bytes_in, len);
	} else {
		u64_stats_inc(&s->pkts_out);
		u64_stats_add(&s->bytes_out, len);
	}
	u64_stats_update_end(&s->syncp);
	put_cpu_ptr(be->stats);
}

/**
 * l4lb_backend_counters() - sum a backend's per-CPU counters
 * @be: the backend
 * @c: out
 *
 * Context: any.
 */
void l4lb_backend_counters(const struct l4lb_backend *be,
			   struct l4lb_be_counters *c)
{
	unsigned int cpu, start;

	memset(c, 0, sizeof(*c));
	for_each_possible_cpu(cpu) {
		const struct l4lb_be_stats *s = per_cpu_ptr(be->stats, cpu);
		struct l4lb_be_counters v;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			v.conns = u64_stats_read(&s->conns);
			v.pkts_in = u64_stats_read(&s->pkts_in);
			v.pkts_out = u64_stats_read(&s->pkts_out);
			v.bytes_in = u64_stats_read(&s->bytes_in);
			v.bytes_out = u64_stats_read(&s->bytes_out);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		c->conns += v.conns;
		c->pkts_in += v.pkts_in;
		c->pkts_out += v.pkts_out;
		c->bytes_in += v.bytes_in;
		c->bytes_out += v.bytes_out;
	}
}
