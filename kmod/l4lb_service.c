// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: the virtual service, its backends and the per-namespace state.
 * The locking rules are in l4lb_service.h.
 */
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/netdevice.h>
#include <net/netns/generic.h>

#include "l4lb_conn.h"
#include "l4lb_core.h"
#include "l4lb_proc.h"
#include "l4lb_sched.h"
#include "l4lb_service.h"

/* The GC worker runs this often; l4lb_conn_gc_tick() paces the expiry. */
#define L4LB_GC_INTERVAL	(HZ / 4)

/**
 * l4lb_pernet() - l4lb's state in a namespace
 * @net: the namespace
 *
 * Context: any.
 * Return: the state; valid as long as @net is.
 */
struct l4lb_net *l4lb_pernet(const struct net *net)
{
	return net_generic(net, l4lb_net_id);
}

/**
 * l4lb_stats_inc() - count a drop or another event of the packet path
 * @ln: namespace state
 * @why: the counter
 *
 * Context: any; per-CPU, lock free.
 */
void l4lb_stats_inc(struct l4lb_net *ln, enum l4lb_drop why)
{
	struct l4lb_stats *s = get_cpu_ptr(ln->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->drop[why]);
	u64_stats_update_end(&s->syncp);
	put_cpu_ptr(ln->stats);
}

/**
 * l4lb_stats_created() - count a new row
 * @ln: namespace state
 *
 * Context: any; per-CPU, lock free.
 */
void l4lb_stats_created(struct l4lb_net *ln)
{
	struct l4lb_stats *s = get_cpu_ptr(ln->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->created);
	u64_stats_update_end(&s->syncp);
	put_cpu_ptr(ln->stats);
}

/**
 * l4lb_stats_read() - sum the per-CPU counters
 * @ln: namespace state
 * @created: out, rows created
 * @drop: out, L4LB_DROP_MAX counters indexed by enum l4lb_drop
 *
 * Context: any.
 */
void l4lb_stats_read(struct l4lb_net *ln, u64 *created, u64 *drop)
{
	unsigned int cpu, i, start;

	*created = 0;
	memset(drop, 0, sizeof(*drop) * L4LB_DROP_MAX);
	for_each_possible_cpu(cpu) {
		const struct l4lb_stats *s = per_cpu_ptr(ln->stats, cpu);
		u64 c, d[L4LB_DROP_MAX];

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			c = u64_stats_read(&s->created);
			for (i = 0; i < L4LB_DROP_MAX; i++)
				d[i] = u64_stats_read(&s->drop[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		*created += c;
		for (i = 0; i < L4LB_DROP_MAX; i++)
			drop[i] += d[i];
	}
}

/**
 * l4lb_backend_usable() - may a new connection go to this backend?
 * @be: the backend
 *
 * Context: any; lockless reads.
 * Return: true if it is up, not removed, and of non-zero weight.
 */
bool l4lb_backend_usable(const struct l4lb_backend *be)
{
	return !READ_ONCE(be->removed) &&
	       READ_ONCE(be->state) == L4LB_BE_STATE_UP &&
	       READ_ONCE(be->weight) > 0;
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
 * l4lb_backend_conn_release() - a row of this backend was unlinked
 * @conn: the row; conn->backend is set
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
 * l4lb_backend_conn_state() - keep the active/inactive counts in step
 * @conn: the row, with conn->lock held
 * @old: its previous state
 * @new: its new state
 *
 * Context: any, conn->lock held.
 */
void l4lb_backend_conn_state(struct l4lb_conn *conn, u8 old, u8 new)
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
 * l4lb_backend_account() - count one packet of a backend's traffic
 * @be: the backend
 * @in: true for client -> backend, false for backend -> client
 * @len: the packet's IP length in bytes
 *
 * Context: softirq; per-CPU, lock free.
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
 * l4lb_service_cfg_default() - the settings of a service nobody configured
 * @cfg: out
 *
 * Context: any.
 */
void l4lb_service_cfg_default(struct l4lb_service_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->port = htons(20000);
	cfg->proto = IPPROTO_TCP;
	strscpy(cfg->sched, "rr", sizeof(cfg->sched));
	l4lb_service_cfg_timeout(cfg, L4LB_TO_TCP, L4LB_DEFAULT_TIMEOUT_TCP);
	l4lb_service_cfg_timeout(cfg, L4LB_TO_TCP_FIN,
				 L4LB_DEFAULT_TIMEOUT_TCP_FIN);
	l4lb_service_cfg_timeout(cfg, L4LB_TO_SYN, L4LB_DEFAULT_TIMEOUT_SYN);
	l4lb_service_cfg_timeout(cfg, L4LB_TO_UDP, L4LB_DEFAULT_TIMEOUT_UDP);
}

/**
 * l4lb_service_cfg_timeout() - set one of the timeouts users set
 * @cfg: the settings
 * @kind: which timeout
 * @secs: its value in seconds (checked later by l4lb_service_set())
 *
 * The one place that says which row states each user-facing timeout
 * covers. As in IPVS, a FIN in either direction moves a row to the FIN
 * timeout; a half-closed connection that keeps streaming refreshes it with
 * every packet. A row in CLOSE (RST seen) lives L4LB_TIMEOUT_CLOSE, as in
 * IPVS, or the FIN timeout if that is shorter: who asks for closed rows to
 * go quickly means the reset ones too.
 *
 * Context: any.
 */
void l4lb_service_cfg_timeout(struct l4lb_service_cfg *cfg,
			      enum l4lb_timeout_kind kind, unsigned int secs)
{
	static const u8 states[][4] = {
		[L4LB_TO_TCP] = { L4LB_CONN_ESTABLISHED },
		[L4LB_TO_TCP_FIN] = { L4LB_CONN_FIN_WAIT, L4LB_CONN_CLOSE_WAIT,
				      L4LB_CONN_LAST_ACK, L4LB_CONN_TIME_WAIT },
		[L4LB_TO_SYN] = { L4LB_CONN_SYN_SENT, L4LB_CONN_SYN_RECV },
		[L4LB_TO_UDP] = { L4LB_CONN_UDP },
		[L4LB_TO_PERSIST] = { L4LB_CONN_PERSIST },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(states[kind]) && states[kind][i]; i++)
		cfg->timeout[states[kind][i]] = secs;
	if (kind == L4LB_TO_TCP_FIN)
		cfg->timeout[L4LB_CONN_CLOSE] =
			min_t(unsigned int, secs, L4LB_TIMEOUT_CLOSE);
}

/**
 * l4lb_service_cfg_get() - read a service's settings
 * @svc: the service
 * @cfg: out
 *
 * Context: process, l4lb_net::lock held.
 */
void l4lb_service_cfg_get(const struct l4lb_service *svc,
			  struct l4lb_service_cfg *cfg)
{
	const struct l4lb_sched_inst *inst;
	unsigned int i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->vip = svc->vip;
	cfg->port = svc->port;
	cfg->proto = svc->proto;
	cfg->snat_addr = svc->snat_addr;
	inst = rcu_dereference_protected(svc->sched,
					 lockdep_is_held(&svc->ln->lock));
	strscpy(cfg->sched, inst->sched->name, sizeof(cfg->sched));
	for (i = 0; i <= L4LB_CONN_STATE_MAX; i++)
		cfg->timeout[i] = svc->timeout[i] / HZ;
}

static u32 l4lb_svc_hash(__be32 vip, __be16 port, u8 proto)
{
	return hash_32(jhash_3words((__force u32)vip, (__force u32)port, proto,
				    0), L4LB_SVC_TAB_BITS);
}

/**
 * l4lb_service_find_rcu() - the service of a packet's destination
 * @ln: namespace state
 * @vip: destination address, network byte order
 * @port: destination port, network byte order
 * @proto: IPPROTO_TCP or IPPROTO_UDP
 *
 * Context: rcu_read_lock() held (the packet path).
 * Return: the service, valid until rcu_read_unlock(), or NULL.
 */
struct l4lb_service *l4lb_service_find_rcu(struct l4lb_net *ln, __be32 vip,
					   __be16 port, u8 proto)
{
	struct hlist_head *head = &ln->svc_tab[l4lb_svc_hash(vip, port, proto)];
	struct l4lb_service *svc;

	hlist_for_each_entry_rcu(svc, head, hnode)
		if (svc->vip == vip && svc->port == port && svc->proto == proto)
			return svc;
	return NULL;
}

static bool l4lb_sel_match(const struct l4lb_svc_sel *sel,
			   const struct l4lb_service *svc)
{
	return (!sel->vip || sel->vip == svc->vip) &&
	       (!sel->port || sel->port == svc->port) &&
	       (!sel->proto || sel->proto == svc->proto);
}

/* The service of exactly this key, or NULL; ln->lock held. */
static struct l4lb_service *l4lb_service_find(struct l4lb_net *ln, __be32 vip,
					      __be16 port, u8 proto)
{
	struct l4lb_svc_sel key = { .vip = vip, .port = port, .proto = proto };
	struct l4lb_service *svc;

	list_for_each_entry(svc, &ln->services, list)
		if (l4lb_sel_match(&key, svc))
			return svc;
	return NULL;
}

/**
 * l4lb_service_select() - the one service a selector names
 * @ln: namespace state
 * @sel: the selector; its zero fields match anything
 * @extack: error reporting, may be NULL
 *
 * Context: process, ln->lock held.
 * Return: the service, or ERR_PTR(-ENOENT) if none matches, or
 * ERR_PTR(-EINVAL) if several do.
 */
struct l4lb_service *l4lb_service_select(struct l4lb_net *ln,
					 const struct l4lb_svc_sel *sel,
					 struct netlink_ext_ack *extack)
{
	struct l4lb_service *svc, *found = NULL;

	lockdep_assert_held(&ln->lock);
	list_for_each_entry(svc, &ln->services, list) {
		if (!l4lb_sel_match(sel, svc))
			continue;
		if (found) {
			NL_SET_ERR_MSG(extack,
				       "several services match: give VIP, port and protocol");
			return ERR_PTR(-EINVAL);
		}
		found = svc;
	}
	if (!found) {
		if (ln->nsvc)
			NL_SET_ERR_MSG(extack, "no such service");
		else
			NL_SET_ERR_MSG(extack, "no service configured");
		return ERR_PTR(-ENOENT);
	}
	return found;
}

static struct l4lb_backend_set *l4lb_svc_set(struct l4lb_service *svc)
{
	return rcu_dereference_protected(svc->set,
					 lockdep_is_held(&svc->ln->lock));
}

static struct l4lb_sched_inst *l4lb_svc_sched(struct l4lb_service *svc)
{
	return rcu_dereference_protected(svc->sched,
					 lockdep_is_held(&svc->ln->lock));
}

/* Tell the scheduler that the set, a weight or a state changed. */
static int l4lb_sched_update(struct l4lb_service *svc,
			     struct l4lb_sched_inst *inst,
			     const struct l4lb_backend_set *set)
{
	return inst->sched->update ? inst->sched->update(inst, set) : 0;
}

/* Build the set of the backends that are not removed, from the list. */
static struct l4lb_backend_set *l4lb_set_build(struct l4lb_service *svc)
{
	struct l4lb_backend_set *set;
	struct l4lb_backend *be;
	unsigned int n = 0;

	list_for_each_entry(be, &svc->backends, list)
		if (!be->removed)
			n++;
	set = kzalloc(struct_size(set, be, n), GFP_KERNEL);
	if (!set)
		return NULL;
	list_for_each_entry(be, &svc->backends, list)
		if (!be->removed)
			set->be[set->n++] = be;
	return set;
}

/* Publish a new set and tell the scheduler; frees the old set later. */
static int l4lb_set_publish(struct l4lb_service *svc)
{
	struct l4lb_backend_set *set, *old;
	int err;

	set = l4lb_set_build(svc);
	if (!set)
		return -ENOMEM;
	err = l4lb_sched_update(svc, l4lb_svc_sched(svc), set);
	if (err) {
		kfree(set);
		return err;
	}
	old = l4lb_svc_set(svc);
	rcu_assign_pointer(svc->set, set);
	kfree_rcu(old, rcu);
	return 0;
}

static int l4lb_cfg_check(const struct l4lb_service_cfg *cfg,
			  struct netlink_ext_ack *extack)
{
	unsigned int i;

	if (!cfg->vip || ipv4_is_multicast(cfg->vip) ||
	    ipv4_is_lbcast(cfg->vip)) {
		NL_SET_ERR_MSG(extack, "VIP must be a unicast IPv4 address");
		return -EINVAL;
	}
	if (!cfg->port) {
		NL_SET_ERR_MSG(extack, "port must be 1-65535");
		return -EINVAL;
	}
	if (cfg->proto != IPPROTO_TCP && cfg->proto != IPPROTO_UDP) {
		NL_SET_ERR_MSG(extack, "protocol must be TCP or UDP");
		return -EPROTONOSUPPORT;
	}
	if (cfg->timeout[L4LB_CONN_PERSIST] > L4LB_TIMEOUT_MAX) {
		NL_SET_ERR_MSG(extack, "persistence must be 0-604800 seconds");
		return -ERANGE;
	}
	for (i = 0; i <= L4LB_CONN_STATE_MAX; i++) {
		if (i == L4LB_CONN_NONE || i == L4LB_CONN_PERSIST)
			continue;
		if (!cfg->timeout[i] || cfg->timeout[i] > L4LB_TIMEOUT_MAX) {
			NL_SET_ERR_MSG(extack,
				       "timeouts must be 1-604800 seconds");
			return -ERANGE;
		}
	}
	return 0;
}

static void l4lb_cfg_apply(struct l4lb_service *svc,
			   const struct l4lb_service_cfg *cfg)
{
	unsigned int i;

	/* Read field by field on the packet path; the key never changes. */
	WRITE_ONCE(svc->snat_addr, cfg->snat_addr);
	for (i = 0; i <= L4LB_CONN_STATE_MAX; i++)
		WRITE_ONCE(svc->timeout[i], cfg->timeout[i] * HZ);
}

/* Create a service; the first of a namespace also starts the packet path. */
static int l4lb_service_create(struct l4lb_net *ln,
			       const struct l4lb_service_cfg *cfg,
			       struct netlink_ext_ack *extack)
{
	struct l4lb_sched_inst *inst;
	struct l4lb_service *svc;
	int err = -ENOMEM;

	svc = kzalloc(sizeof(*svc), GFP_KERNEL);
	if (!svc)
		goto err;
	svc->ln = ln;
	INIT_LIST_HEAD(&svc->backends);
	svc->vip = cfg->vip;
	svc->port = cfg->port;
	svc->proto = cfg->proto;
	l4lb_cfg_apply(svc, cfg);
	RCU_INIT_POINTER(svc->set, kzalloc(sizeof(struct l4lb_backend_set),
					   GFP_KERNEL));
	if (!rcu_access_pointer(svc->set))
		goto err_svc;
	inst = l4lb_sched_inst_create(cfg->sched);
	if (IS_ERR(inst)) {
		err = PTR_ERR(inst);
		goto err_set;
	}
	RCU_INIT_POINTER(svc->sched, inst);
	err = l4lb_sched_update(svc, inst, l4lb_svc_set(svc));
	if (err)
		goto err_inst;

	if (!ln->tab) {
		ln->tab = l4lb_conn_table_alloc(l4lb_conn_tab_bits,
						l4lb_conn_max, l4lb_syn_max);
		if (!ln->tab) {
			err = -ENOMEM;
			goto err_inst;
		}
	}
	if (!ln->hooks) {
		err = l4lb_hooks_register(ln);
		if (err) {
			NL_SET_ERR_MSG(extack, "cannot register netfilter hooks");
			goto err_inst;
		}
		ln->hooks = true;
		queue_delayed_work(system_power_efficient_wq, &ln->gc_work,
				   L4LB_GC_INTERVAL);
	}
	list_add_tail(&svc->list, &ln->services);
	hlist_add_head_rcu(&svc->hnode,
			   &ln->svc_tab[l4lb_svc_hash(svc->vip, svc->port,
						      svc->proto)]);
	WRITE_ONCE(ln->nsvc, ln->nsvc + 1);
	return 0;

err_inst:
	l4lb_sched_inst_free(inst);
err_set:
	kfree(rcu_access_pointer(svc->set));
err_svc:
	kfree(svc);
err:
	if (err == -ENOENT)
		NL_SET_ERR_MSG(extack, "unknown scheduler");
	else if (err == -ENOMEM)
		NL_SET_ERR_MSG(extack, "out of memory");
	return err;
}

/**
 * l4lb_service_set() - create a service, or change the one with cfg's key
 * @ln: namespace state
 * @cfg: every setting (fill it from l4lb_service_cfg_get() or
 *	l4lb_service_cfg_default() and change what the request names); its
 *	VIP, port and protocol are the key of the service to change or create
 * @extack: error reporting
 *
 * Rows of existing connections are kept whatever changes: they keep their
 * backend and tuples until they end. A new scheduler applies to connections
 * scheduled from now on.
 *
 * Context: process; takes ln->lock.
 * Return: 0; -EINVAL, -ERANGE, -EPROTONOSUPPORT for a bad setting; -ENOENT
 * for an unknown scheduler; -ENOMEM. Nothing changes on error.
 */
int l4lb_service_set(struct l4lb_net *ln, const struct l4lb_service_cfg *cfg,
		     struct netlink_ext_ack *extack)
{
	struct l4lb_sched_inst *inst, *old;
	struct l4lb_service *svc;
	int err;

	err = l4lb_cfg_check(cfg, extack);
	if (err)
		return err;

	mutex_lock(&ln->lock);
	svc = l4lb_service_find(ln, cfg->vip, cfg->port, cfg->proto);
	if (!svc) {
		err = l4lb_service_create(ln, cfg, extack);
		goto out;
	}
	old = l4lb_svc_sched(svc);
	if (strcmp(old->sched->name, cfg->sched)) {
		inst = l4lb_sched_inst_create(cfg->sched);
		if (IS_ERR(inst)) {
			err = PTR_ERR(inst);
			NL_SET_ERR_MSG(extack, "unknown scheduler");
			goto out;
		}
		err = l4lb_sched_update(svc, inst, l4lb_svc_set(svc));
		if (err) {
			l4lb_sched_inst_free(inst);
			goto out;
		}
		rcu_assign_pointer(svc->sched, inst);
		l4lb_sched_inst_free(old);
	}
	l4lb_cfg_apply(svc, cfg);
out:
	mutex_unlock(&ln->lock);
	return err;
}

static struct l4lb_backend *l4lb_backend_find(struct l4lb_service *svc,
					      __be32 addr, __be16 port)
{
	struct l4lb_backend *be;

	list_for_each_entry(be, &svc->backends, list)
		if (be->addr == addr && be->port == port)
			return be;
	return NULL;
}

static int l4lb_backend_check(__be32 addr, __be16 port, const u32 *weight,
			      const u8 *state, struct netlink_ext_ack *extack)
{
	if (!addr || ipv4_is_multicast(addr) || ipv4_is_lbcast(addr) ||
	    ipv4_is_zeronet(addr)) {
		NL_SET_ERR_MSG(extack, "backend must be a unicast IPv4 address");
		return -EINVAL;
	}
	if (!port) {
		NL_SET_ERR_MSG(extack, "backend port must be 1-65535");
		return -EINVAL;
	}
	if (weight && *weight > L4LB_WEIGHT_MAX) {
		NL_SET_ERR_MSG(extack, "weight must be 0-65535");
		return -ERANGE;
	}
	if (state && *state > L4LB_BE_STATE_MAX) {
		NL_SET_ERR_MSG(extack, "state must be up, down or drain");
		return -EINVAL;
	}
	return 0;
}

/* Unlink and release a removed backend whose last row has ended. */
static void l4lb_backend_reap(struct l4lb_backend *be)
{
	list_del(&be->list);
	l4lb_backend_put(be);
}

/**
 * l4lb_backend_add() - add a backend to a service
 * @ln: namespace state
 * @sel: the service (see l4lb_service_select())
 * @addr: backend address, network byte order
 * @port: backend port, network byte order
 * @weight: 0..L4LB_WEIGHT_MAX
 * @state: enum l4lb_be_state
 * @extack: error reporting
 *
 * Adding a backend that was removed and is still draining brings it back.
 *
 * Context: process; takes ln->lock.
 * Return: 0; -ENOENT if no service matches @sel, -EINVAL if several do;
 * -EEXIST if present; -EINVAL or -ERANGE for bad values; -ENOSPC past
 * L4LB_BACKENDS_MAX; -ENOMEM. Nothing changes on error.
 */
int l4lb_backend_add(struct l4lb_net *ln, const struct l4lb_svc_sel *sel,
		     __be32 addr, __be16 port, u32 weight, u8 state,
		     struct netlink_ext_ack *extack)
{
	struct l4lb_service *svc;
	struct l4lb_backend *be;
	unsigned int n = 0;
	int err;

	err = l4lb_backend_check(addr, port, &weight, &state, extack);
	if (err)
		return err;

	mutex_lock(&ln->lock);
	svc = l4lb_service_select(ln, sel, extack);
	if (IS_ERR(svc)) {
		err = PTR_ERR(svc);
		goto out;
	}
	be = l4lb_backend_find(svc, addr, port);
	if (be && !be->removed) {
		NL_SET_ERR_MSG(extack, "backend already exists");
		err = -EEXIST;
		goto out;
	}
	if (be) {
		/* Revive a draining backend: its rows are still there. */
		WRITE_ONCE(be->weight, weight);
		WRITE_ONCE(be->state, state);
		WRITE_ONCE(be->removed, false);
		err = l4lb_set_publish(svc);
		if (err) {
			WRITE_ONCE(be->removed, true);
			WRITE_ONCE(be->state, L4LB_BE_STATE_DRAIN);
		}
		goto out;
	}
	list_for_each_entry(be, &svc->backends, list)
		n++;
	if (n >= L4LB_BACKENDS_MAX) {
		NL_SET_ERR_MSG(extack, "too many backends");
		err = -ENOSPC;
		goto out;
	}

	err = -ENOMEM;
	be = kzalloc(sizeof(*be), GFP_KERNEL);
	if (!be)
		goto out;
	be->stats = netdev_alloc_pcpu_stats(struct l4lb_be_stats);
	if (!be->stats) {
		kfree(be);
		goto out;
	}
	be->svc = svc;
	be->addr = addr;
	be->port = port;
	be->weight = weight;
	be->state = state;
	/* Start the SNAT ports at random: after a reload, sockets of the old
	 * connections may still hold the first ports of the range.
	 */
	atomic_set(&be->snat_next, get_random_u32() & INT_MAX);
	refcount_set(&be->refcnt, 1);
	list_add_tail(&be->list, &svc->backends);
	err = l4lb_set_publish(svc);
	if (err) {
		list_del(&be->list);
		l4lb_backend_put(be);
	}
out:
	if (err == -ENOMEM)
		NL_SET_ERR_MSG(extack, "out of memory");
	mutex_unlock(&ln->lock);
	return err;
}

/**
 * l4lb_backend_del() - remove a backend from a service
 * @ln: namespace state
 * @sel: the service (see l4lb_service_select())
 * @addr: backend address, network byte order
 * @port: backend port, network byte order
 * @now: false to drain (rows live until their connections end); true to
 *	remove its rows at once. Later packets of those connections find no
 *	row; with the VIP and SNAT addresses local to the balancer, as usual,
 *	the balancer's own stack answers them with a TCP RST, so both ends
 *	learn the connection is gone at their next packet.
 * @extack: error reporting
 *
 * Context: process; takes ln->lock; may sleep.
 * Return: 0; -ENOENT if no service matches @sel or it has no such backend
 * (or it is already removed); -EINVAL if several services match; -ENOMEM.
 * Nothing changes on error.
 */
int l4lb_backend_del(struct l4lb_net *ln, const struct l4lb_svc_sel *sel,
		     __be32 addr, __be16 port, bool now,
		     struct netlink_ext_ack *extack)
{
	struct l4lb_service *svc;
	struct l4lb_backend *be;
	int err;
	u8 old_state;

	mutex_lock(&ln->lock);
	svc = l4lb_service_select(ln, sel, extack);
	if (IS_ERR(svc)) {
		err = PTR_ERR(svc);
		goto out;
	}
	err = -ENOENT;
	be = l4lb_backend_find(svc, addr, port);
	if (!be || (be->removed && !now)) {
		NL_SET_ERR_MSG(extack, "no such backend");
		goto out;
	}
	if (!be->removed) {
		old_state = be->state;
		WRITE_ONCE(be->removed, true);
		WRITE_ONCE(be->state, L4LB_BE_STATE_DRAIN);
		err = l4lb_set_publish(svc);
		if (err) {
			WRITE_ONCE(be->state, old_state);
			WRITE_ONCE(be->removed, false);
			NL_SET_ERR_MSG(extack, "out of memory");
			goto out;
		}
	}
	err = 0;
	if (now)
		l4lb_conn_flush(ln->tab, be);
	if (refcount_read(&be->refcnt) == 1)
		l4lb_backend_reap(be);
out:
	mutex_unlock(&ln->lock);
	return err;
}

/**
 * l4lb_backend_set() - change a backend's weight and/or state
 * @ln: namespace state
 * @sel: the service (see l4lb_service_select())
 * @addr: backend address, network byte order
 * @port: backend port, network byte order
 * @weight: new weight, or NULL to keep it
 * @state: new enum l4lb_be_state, or NULL to keep it
 * @now: with @state down or drain, also remove the backend's rows at once
 *	(see l4lb_backend_del()); otherwise ignored
 * @extack: error reporting
 *
 * Unless @now says otherwise, existing rows are not touched: a backend set
 * down or to drain keeps its connections.
 *
 * Context: process; takes ln->lock.
 * Return: 0; -ENOENT if no service matches @sel or it has no such backend;
 * -EINVAL if several services match; -EINVAL or -ERANGE for bad values;
 * -ENOMEM. Nothing changes on error.
 */
int l4lb_backend_set(struct l4lb_net *ln, const struct l4lb_svc_sel *sel,
		     __be32 addr, __be16 port, const u32 *weight,
		     const u8 *state, bool now, struct netlink_ext_ack *extack)
{
	struct l4lb_service *svc;
	struct l4lb_backend *be;
	u32 old_weight;
	u8 old_state;
	int err;

	err = l4lb_backend_check(addr, port, weight, state, extack);
	if (err)
		return err;

	mutex_lock(&ln->lock);
	svc = l4lb_service_select(ln, sel, extack);
	if (IS_ERR(svc)) {
		err = PTR_ERR(svc);
		goto out;
	}
	be = l4lb_backend_find(svc, addr, port);
	err = -ENOENT;
	if (!be || be->removed) {
		NL_SET_ERR_MSG(extack, "no such backend");
		goto out;
	}
	old_weight = be->weight;
	old_state = be->state;
	if (weight)
		WRITE_ONCE(be->weight, *weight);
	if (state)
		WRITE_ONCE(be->state, *state);
	err = l4lb_sched_update(svc, l4lb_svc_sched(svc), l4lb_svc_set(svc));
	if (err) {
		WRITE_ONCE(be->weight, old_weight);
		WRITE_ONCE(be->state, old_state);
		NL_SET_ERR_MSG(extack, "out of memory");
	} else if (now && state && *state != L4LB_BE_STATE_UP) {
		l4lb_conn_flush(ln->tab, be);
	}
out:
	mutex_unlock(&ln->lock);
	return err;
}

/* Does a row belong to the service @arg? */
static bool l4lb_conn_of_service(const struct l4lb_conn *conn, const void *arg)
{
	return conn->backend && conn->backend->svc == arg;
}

/*
 * Unpublish a service: after this no packet finds it, and no CPU is still
 * creating a row for it, so its rows can be removed for good.
 */
static void l4lb_service_unhash(struct l4lb_service *svc)
{
	struct l4lb_net *ln = svc->ln;

	hlist_del_init_rcu(&svc->hnode);
	list_del(&svc->list);
	WRITE_ONCE(ln->nsvc, ln->nsvc - 1);
	synchronize_net();
}

/* Free the service and everything it holds; rows must be gone. */
static void l4lb_service_destroy(struct l4lb_service *svc)
{
	struct l4lb_backend *be, *tmp;

	list_for_each_entry_safe(be, tmp, &svc->backends, list)
		l4lb_backend_reap(be);
	kfree_rcu(rcu_dereference_protected(svc->set, 1), rcu);
	l4lb_sched_inst_free(rcu_dereference_protected(svc->sched, 1));
	kfree_rcu(svc, rcu);
}

/**
 * l4lb_service_del() - delete a service, its backends and its rows
 * @ln: namespace state
 * @sel: the service (see l4lb_service_select())
 * @extack: error reporting
 *
 * The rows are removed at once, as l4lb_service_flush() does; each end
 * learns at its next packet (see l4lb_backend_del() with @now).
 *
 * Context: process; takes ln->lock; sleeps (waits for an RCU grace period).
 * Return: 0; -ENOENT if no service matches @sel; -EINVAL if several do.
 */
int l4lb_service_del(struct l4lb_net *ln, const struct l4lb_svc_sel *sel,
		     struct netlink_ext_ack *extack)
{
	struct l4lb_service *svc;
	int err = 0;

	mutex_lock(&ln->lock);
	svc = l4lb_service_select(ln, sel, extack);
	if (IS_ERR(svc)) {
		err = PTR_ERR(svc);
		goto out;
	}
	l4lb_service_unhash(svc);
	l4lb_conn_flush_if(ln->tab, l4lb_conn_of_service, svc);
	l4lb_service_destroy(svc);
out:
	mutex_unlock(&ln->lock);
	return err;
}

/**
 * l4lb_service_flush() - remove NAT rows at once
 * @ln: namespace state
 * @sel: the service whose rows go (see l4lb_service_select()), or NULL for
 *	every row of the namespace
 * @extack: error reporting
 *
 * Context: process; takes ln->lock; may sleep.
 * Return: 0; -ENOENT if no service matches @sel; -EINVAL if several do.
 */
int l4lb_service_flush(struct l4lb_net *ln, const struct l4lb_svc_sel *sel,
		       struct netlink_ext_ack *extack)
{
	struct l4lb_service *svc = NULL;
	int err = 0;

	mutex_lock(&ln->lock);
	if (sel) {
		svc = l4lb_service_select(ln, sel, extack);
		if (IS_ERR(svc)) {
			err = PTR_ERR(svc);
			goto out;
		}
	}
	if (!ln->tab)
		goto out;
	if (svc)
		l4lb_conn_flush_if(ln->tab, l4lb_conn_of_service, svc);
	else
		l4lb_conn_flush(ln->tab, NULL);
out:
	mutex_unlock(&ln->lock);
	return err;
}

static void l4lb_gc_work(struct work_struct *work)
{
	struct l4lb_net *ln = container_of(to_delayed_work(work),
					   struct l4lb_net, gc_work);
	unsigned long period = ULONG_MAX;
	struct l4lb_backend *be, *tmp;
	struct l4lb_service *svc;

	l4lb_conn_gc_tick(ln->tab, jiffies);

	mutex_lock(&ln->lock);
	list_for_each_entry(svc, &ln->services, list) {
		/* The expiry's pace follows the shortest timeouts in use. */
		period = min(period,
			     l4lb_conn_gc_period(svc->timeout, svc->proto));
		list_for_each_entry_safe(be, tmp, &svc->backends, list)
			if (be->removed && refcount_read(&be->refcnt) == 1)
				l4lb_backend_reap(be);
	}
	if (period != ULONG_MAX)
		l4lb_conn_gc_set_period(ln->tab, period);
	mutex_unlock(&ln->lock);

	queue_delayed_work(system_power_efficient_wq, &ln->gc_work,
			   L4LB_GC_INTERVAL);
}

/**
 * l4lb_net_init() - set up l4lb's state in a new namespace
 * @ln: the zeroed state
 * @net: the namespace
 *
 * No service exists and no hook is registered until one is configured.
 *
 * Context: process (pernet init).
 * Return: 0 or -ENOMEM.
 */
int l4lb_net_init(struct l4lb_net *ln, struct net *net)
{
	int err;

	ln->net = net;
	mutex_init(&ln->lock);
	INIT_LIST_HEAD(&ln->services);
	INIT_DEFERRABLE_WORK(&ln->gc_work, l4lb_gc_work);
	ln->stats = netdev_alloc_pcpu_stats(struct l4lb_stats);
	if (!ln->stats)
		return -ENOMEM;
	err = l4lb_proc_net_init(ln);
	if (err)
		free_percpu(ln->stats);
	return err;
}

/**
 * l4lb_net_exit() - tear l4lb's state in a namespace down
 * @ln: the state
 *
 * Unregisters the hooks (which waits for packets in flight), stops the GC
 * worker, removes every row and frees the service. Rows, backends and the
 * scheduler are freed by RCU callbacks; module exit waits for them with
 * rcu_barrier().
 *
 * Context: process (pernet exit, or module exit).
 */
void l4lb_net_exit(struct l4lb_net *ln)
{
	struct l4lb_service *svc, *tmp;

	l4lb_proc_net_exit(ln);
	if (ln->hooks)
		l4lb_hooks_unregister(ln);
	ln->hooks = false;
	cancel_delayed_work_sync(&ln->gc_work);

	/* The hooks are gone: nothing reads the services any more. */
	mutex_lock(&ln->lock);
	if (ln->tab)
		l4lb_conn_flush(ln->tab, NULL);
	list_for_each_entry_safe(svc, tmp, &ln->services, list) {
		hlist_del_init_rcu(&svc->hnode);
		list_del(&svc->list);
		l4lb_service_destroy(svc);
	}
	ln->nsvc = 0;
	mutex_unlock(&ln->lock);

	l4lb_conn_table_free(ln->tab);
	ln->tab = NULL;
	free_percpu(ln->stats);
}
