// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: virtual services. The locking rules are in l4lb_service.h.
 */
#include <linux/hash.h>
#include <linux/in.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "l4lb_addrs.h"
#include "l4lb_backend.h"
#include "l4lb_check.h"
#include "l4lb_fault.h"
#include "l4lb_mem.h"
#include "l4lb_sched.h"
#include "l4lb_service.h"

/**
 * l4lb_service_cfg_check() - check every setting of a service
 * @cfg: the settings
 * @extack: error reporting, may be NULL
 *
 * The SNAT pool's addresses are not checked to be local here: a pool is
 * checked when it is set (l4lb_check_snat_pool() in the netlink and
 * parameter parsers), and a change of another setting must not fail
 * because one of them has since left its interface.
 *
 * Context: process.
 * Return: 0 or the first check's error: -EAFNOSUPPORT, -EINVAL,
 * -EPROTONOSUPPORT, -ERANGE, -E2BIG.
 */
int l4lb_service_cfg_check(const struct l4lb_service_cfg *cfg,
			   struct netlink_ext_ack *extack)
{
	unsigned int i;
	int err;

	err = l4lb_check_af(cfg->af, extack) ?:
	      l4lb_check_vip(cfg->af, &cfg->vip, extack) ?:
	      l4lb_check_port(cfg->port, extack) ?:
	      l4lb_check_proto(cfg->proto, extack) ?:
	      l4lb_check_snat_pool(NULL, cfg->af, cfg->snat, cfg->nsnat, NULL,
				   extack) ?:
	      l4lb_check_peers(cfg->af, cfg->peers, cfg->npeers, cfg->proto,
			       NULL, extack) ?:
	      l4lb_check_persistence(cfg->timeout[L4LB_CONN_PERSIST], extack) ?:
	      l4lb_check_client_addr(cfg->client_addr, cfg->proto, cfg->af,
				     extack);
	for (i = L4LB_CONN_SYN_SENT; !err && i <= L4LB_CONN_STATE_MAX; i++)
		if (i != L4LB_CONN_PERSIST)
			err = l4lb_check_timeout(cfg->timeout[i], extack);
	return err;
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
	cfg->af = AF_INET;
	cfg->port = htons(L4LB_DEFAULT_PORT);
	cfg->proto = IPPROTO_TCP;
	strscpy(cfg->sched, "rr", sizeof(cfg->sched));
	l4lb_service_cfg_timeout(cfg, L4LB_TO_TCP, L4LB_DEFAULT_TIMEOUT_TCP);
	l4lb_service_cfg_timeout(cfg, L4LB_TO_TCP_FIN,
				 L4LB_DEFAULT_TIMEOUT_TCP_FIN);
	l4lb_service_cfg_timeout(cfg, L4LB_TO_TCP_CLOSE,
				 L4LB_DEFAULT_TIMEOUT_TCP_CLOSE);
	l4lb_service_cfg_timeout(cfg, L4LB_TO_SYN, L4LB_DEFAULT_TIMEOUT_SYN);
	l4lb_service_cfg_timeout(cfg, L4LB_TO_UDP, L4LB_DEFAULT_TIMEOUT_UDP);
	l4lb_service_cfg_timeout(cfg, L4LB_TO_UDP_UNREPLIED,
				 L4LB_DEFAULT_TIMEOUT_UDP_UNREPLIED);
}

/**
 * l4lb_service_cfg_timeout() - set one of the timeouts users set
 * @cfg: the settings
 * @kind: which timeout
 * @secs: its value in seconds (checked by l4lb_service_cfg_check())
 *
 * The one place that says which row states each user-facing timeout
 * covers (enum l4lb_timeout_kind): a FIN one way makes a row half-closed,
 * FINs both ways or a RST make it closed.
 *
 * Context: any.
 */
void l4lb_service_cfg_timeout(struct l4lb_service_cfg *cfg,
			      enum l4lb_timeout_kind kind, unsigned int secs)
{
	static const u8 states[][3] = {
		[L4LB_TO_TCP] = { L4LB_CONN_ESTABLISHED },
		[L4LB_TO_TCP_FIN] = { L4LB_CONN_FIN_WAIT, L4LB_CONN_CLOSE_WAIT,
				      L4LB_CONN_LAST_ACK },
		[L4LB_TO_TCP_CLOSE] = { L4LB_CONN_TIME_WAIT, L4LB_CONN_CLOSE },
		[L4LB_TO_SYN] = { L4LB_CONN_SYN_SENT, L4LB_CONN_SYN_RECV },
		[L4LB_TO_UDP] = { L4LB_CONN_UDP },
		[L4LB_TO_UDP_UNREPLIED] = { L4LB_CONN_UDP_UNREPLIED },
		[L4LB_TO_PERSIST] = { L4LB_CONN_PERSIST },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(states[kind]) && states[kind][i]; i++)
		cfg->timeout[states[kind][i]] = secs;
}

static struct l4lb_backend_array *l4lb_svc_arr(struct l4lb_service *svc)
{
	return rcu_dereference_protected(svc->arr,
					 lockdep_is_held(&svc->owner->lock));
}

static struct l4lb_sched_inst *l4lb_svc_sched(const struct l4lb_service *svc)
{
	return rcu_dereference_protected(svc->sched,
					 lockdep_is_held(&svc->owner->lock));
}

static struct l4lb_addrs *l4lb_svc_snat(const struct l4lb_service *svc)
{
	return rcu_dereference_protected(svc->snat,
					 lockdep_is_held(&svc->owner->lock));
}

static struct l4lb_addrs *l4lb_svc_peers(const struct l4lb_service *svc)
{
	return rcu_dereference_protected(svc->peers,
					 lockdep_is_held(&svc->owner->lock));
}

/**
 * l4lb_service_cfg_get() - read a service's settings
 * @svc: the service
 * @cfg: out
 *
 * Context: process, l4lb_services::lock held.
 */
void l4lb_service_cfg_get(const struct l4lb_service *svc,
			  struct l4lb_service_cfg *cfg)
{
	const struct l4lb_addrs *pool = l4lb_svc_snat(svc);
	const struct l4lb_addrs *peers = l4lb_svc_peers(svc);
	unsigned int i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->af = svc->af;
	cfg->vip = svc->vip;
	cfg->port = svc->port;
	cfg->proto = svc->proto;
	if (pool) {
		cfg->nsnat = pool->n;
		memcpy(cfg->snat, pool->addrs, pool->n * sizeof(pool->addrs[0]));
	}
	if (peers) {
		cfg->npeers = peers->n;
		for (i = 0; i < peers->n; i++)
			cfg->peers[i] = peers->addrs[i].ip;
	}
	strscpy(cfg->sched, l4lb_svc_sched(svc)->sched->name,
		sizeof(cfg->sched));
	for (i = 0; i <= L4LB_CONN_STATE_MAX; i++)
		cfg->timeout[i] = svc->timeout[i] / HZ;
	cfg->client_addr = svc->client_addr;
}

/**
 * l4lb_service_cfg_equal() - do two sets of settings say the same?
 * @a: settings
 * @b: settings
 *
 * Compares every field, the SNAT pools and peers by their @nsnat and
 * @npeers addresses only.
 *
 * Context: any.
 * Return: true if a service set to @a and one set to @b behave alike.
 */
bool l4lb_service_cfg_equal(const struct l4lb_service_cfg *a,
			    const struct l4lb_service_cfg *b)
{
	return a->af == b->af && nf_inet_addr_cmp(&a->vip, &b->vip) &&
	       a->port == b->port &&
	       a->proto == b->proto && a->nsnat == b->nsnat &&
	       !memcmp(a->snat, b->snat, a->nsnat * sizeof(a->snat[0])) &&
	       a->npeers == b->npeers &&
	       !memcmp(a->peers, b->peers, a->npeers * sizeof(a->peers[0])) &&
	       !strncmp(a->sched, b->sched, sizeof(a->sched)) &&
	       !memcmp(a->timeout, b->timeout, sizeof(a->timeout)) &&
	       a->client_addr == b->client_addr;
}

/**
 * l4lb_services_init() - an empty set of services
 * @svcs: the zeroed structure
 *
 * Context: any.
 */
void l4lb_services_init(struct l4lb_services *svcs)
{
	mutex_init(&svcs->lock);
	INIT_LIST_HEAD(&svcs->list);
}

/*
 * The bucket of a key. An IPv4 key hashes as it always did, so its lookup
 * costs no more; an IPv6 one hashes its 16 bytes.
 */
static u32 l4lb_svc_hash(u8 af, const union nf_inet_addr *vip, __be16 port,
			 u8 proto)
{
	u32 h;

	if (af == AF_INET6)
		h = jhash2(vip->all, ARRAY_SIZE(vip->all),
			   (__force u32)port ^ proto);
	else
		h = jhash_3words((__force u32)vip->ip, (__force u32)port,
				 proto, 0);
	return hash_32(h, L4LB_SVC_TAB_BITS);
}

/* Is @a, of family @af, the VIP @vip? */
static bool l4lb_svc_vip_eq(u8 af, const union nf_inet_addr *a,
			    const union nf_inet_addr *vip)
{
	return af == AF_INET6 ? ipv6_addr_equal(&a->in6, &vip->in6) :
				a->ip == vip->ip;
}

/**
 * l4lb_service_find_rcu() - the service of a packet's destination
 * @svcs: the namespace's services
 * @af: AF_INET or AF_INET6, the packet's family
 * @vip: destination address, network byte order (.ip for AF_INET; the
 *	rest of it is not read)
 * @port: destination port, network byte order
 * @proto: IPPROTO_TCP or IPPROTO_UDP
 *
 * Context: rcu_read_lock() held (the packet path).
 * Return: the service, valid until rcu_read_unlock(), or NULL.
 */
struct l4lb_service *l4lb_service_find_rcu(struct l4lb_services *svcs, u8 af,
					   const union nf_inet_addr *vip,
					   __be16 port, u8 proto)
{
	struct hlist_head *head;
	struct l4lb_service *svc;

	head = &svcs->hash[l4lb_svc_hash(af, vip, port, proto)];
	hlist_for_each_entry_rcu(svc, head, hnode)
		if (svc->port == port && svc->proto == proto &&
		    svc->af == af && l4lb_svc_vip_eq(af, &svc->vip, vip))
			return svc;
	return NULL;
}

static bool l4lb_sel_match(const struct l4lb_svc_sel *sel,
			   const struct l4lb_service *svc)
{
	return (!sel->af || sel->af == svc->af) &&
	       (ipv6_addr_any(&sel->vip.in6) ||
		nf_inet_addr_cmp(&sel->vip, &svc->vip)) &&
	       (!sel->port || sel->port == svc->port) &&
	       (!sel->proto || sel->proto == svc->proto);
}

/**
 * l4lb_service_find() - the service of exactly this key
 * @svcs: the namespace's services
 * @af: AF_INET or AF_INET6
 * @vip: network byte order (.ip for AF_INET, the rest zero)
 * @port: network byte order
 * @proto: IPPROTO_TCP or IPPROTO_UDP
 *
 * Context: process, @svcs->lock held.
 * Return: the service or NULL.
 */
struct l4lb_service *l4lb_service_find(struct l4lb_services *svcs, u8 af,
				       const union nf_inet_addr *vip,
				       __be16 port, u8 proto)
{
	struct l4lb_svc_sel key = {
		.af = af, .vip = *vip, .port = port, .proto = proto,
	};
	struct l4lb_service *svc;

	lockdep_assert_held(&svcs->lock);
	list_for_each_entry(svc, &svcs->list, list)
		if (l4lb_sel_match(&key, svc))
			return svc;
	return NULL;
}

/**
 * l4lb_service_select() - the one service a selector names
 * @svcs: the namespace's services
 * @sel: the selector; its zero fields match anything
 * @extack: error reporting, may be NULL
 *
 * Context: process, @svcs->lock held.
 * Return: the service, or ERR_PTR(-ENOENT) if none matches, or
 * ERR_PTR(-EINVAL) if several do.
 */
struct l4lb_service *l4lb_service_select(struct l4lb_services *svcs,
					 const struct l4lb_svc_sel *sel,
					 struct netlink_ext_ack *extack)
{
	struct l4lb_service *svc, *found = NULL;

	lockdep_assert_held(&svcs->lock);
	list_for_each_entry(svc, &svcs->list, list) {
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
		if (svcs->n)
			NL_SET_ERR_MSG(extack, "no such service");
		else
			NL_SET_ERR_MSG(extack, "no service configured");
		return ERR_PTR(-ENOENT);
	}
	return found;
}

/*
 * The list of @addrs (@n of them, at most @max) to publish with
 * l4lb_cfg_apply(): @cur, a service's own (NULL: none), if it holds them
 * already, else a new one (NULL for none), or an ERR_PTR.
 */
static struct l4lb_addrs *l4lb_cfg_addrs(struct l4lb_addrs *cur,
					 const union nf_inet_addr *addrs,
					 unsigned int n, unsigned int max,
					 struct netlink_ext_ack *extack)
{
	struct l4lb_addrs *list;

	if (l4lb_addrs_same(cur, addrs, n))
		return cur;
	list = l4lb_addrs_alloc(addrs, n, max);
	if (IS_ERR(list))
		NL_SET_ERR_MSG(extack, "out of memory");
	return list;
}

/* The pool @cfg asks for (NULL: auto), @svc's own if the same. */
static struct l4lb_addrs *l4lb_cfg_snat(const struct l4lb_service *svc,
					const struct l4lb_service_cfg *cfg,
					struct netlink_ext_ack *extack)
{
	return l4lb_cfg_addrs(svc ? l4lb_svc_snat(svc) : NULL, cfg->snat,
			      cfg->nsnat, L4LB_SNAT_ADDRS_MAX, extack);
}

/* The peers @cfg asks for (NULL: none), @svc's own if the same. */
static struct l4lb_addrs *l4lb_cfg_peers(const struct l4lb_service *svc,
					 const struct l4lb_service_cfg *cfg,
					 struct netlink_ext_ack *extack)
{
	union nf_inet_addr peers[L4LB_PEERS_MAX] = {};
	unsigned int i;

	for (i = 0; i < cfg->npeers && i < L4LB_PEERS_MAX; i++)
		peers[i].ip = cfg->peers[i];
	return l4lb_cfg_addrs(svc ? l4lb_svc_peers(svc) : NULL, peers,
			      cfg->npeers, L4LB_PEERS_MAX, extack);
}

/*
 * Publish @cfg's settings, its pool @snat (from l4lb_cfg_snat()) and its
 * peers @peers (from l4lb_cfg_peers()).
 */
static void l4lb_cfg_apply(struct l4lb_service *svc,
			   const struct l4lb_service_cfg *cfg,
			   struct l4lb_addrs *snat,
			   struct l4lb_addrs *peers)
{
	struct l4lb_addrs *old = l4lb_svc_snat(svc);
	struct l4lb_addrs *old_peers = l4lb_svc_peers(svc);
	unsigned int i;

	if (snat != old) {
		rcu_assign_pointer(svc->snat, snat);
		l4lb_addrs_free(old);
	}
	if (peers != old_peers) {
		rcu_assign_pointer(svc->peers, peers);
		l4lb_addrs_free(old_peers);
	}
	/* Read field by field on the packet path; the key never changes. */
	for (i = 0; i <= L4LB_CONN_STATE_MAX; i++)
		WRITE_ONCE(svc->timeout[i], cfg->timeout[i] * HZ);
	WRITE_ONCE(svc->client_addr, cfg->client_addr);
}

/* A scheduler instance, brought up to date with @arr. */
static struct l4lb_sched_inst *
l4lb_sched_inst_ready(const char *name, const struct l4lb_backend_array *arr,
		      struct netlink_ext_ack *extack)
{
	struct l4lb_sched_inst *inst;
	int err;

	inst = l4lb_sched_inst_create(name);
	if (IS_ERR(inst)) {
		if (PTR_ERR(inst) == -ENOENT)
			NL_SET_ERR_MSG(extack, "unknown scheduler");
		else
			NL_SET_ERR_MSG(extack, "out of memory");
		return inst;
	}
	err = inst->sched->update ? inst->sched->update(inst, arr) : 0;
	if (err) {
		NL_SET_ERR_MSG(extack, "out of memory");
		l4lb_sched_inst_free(inst);
		return ERR_PTR(err);
	}
	return inst;
}

/**
 * l4lb_service_create() - create a service and publish it
 * @svcs: the namespace's services; no service has @cfg's key
 * @cfg: its settings, checked with l4lb_service_cfg_check()
 * @extack: error reporting
 *
 * The service, its backend array and its scheduler state are charged to
 * the caller's memory cgroup (l4lb_mem.h).
 *
 * Context: process, @svcs->lock held.
 * Return: the service, or ERR_PTR(-ENOENT) for an unknown scheduler or
 * ERR_PTR(-ENOMEM).
 */
struct l4lb_service *l4lb_service_create(struct l4lb_services *svcs,
					 const struct l4lb_service_cfg *cfg,
					 struct netlink_ext_ack *extack)
{
	struct l4lb_backend_array *arr;
	struct l4lb_sched_inst *inst;
	struct l4lb_addrs *snat;
	struct l4lb_service *svc;
	struct l4lb_addrs *peers;

	lockdep_assert_held(&svcs->lock);
	svc = kzalloc(sizeof(*svc), L4LB_GFP_CTL);
	arr = kzalloc(sizeof(*arr), L4LB_GFP_CTL);
	if (!svc || !arr) {
		kfree(arr);
		kfree(svc);
		NL_SET_ERR_MSG(extack, "out of memory");
		return ERR_PTR(-ENOMEM);
	}
	snat = l4lb_cfg_snat(NULL, cfg, extack);
	peers = IS_ERR(snat) ? NULL : l4lb_cfg_peers(NULL, cfg, extack);
	if (IS_ERR(snat)) {
		inst = ERR_CAST(snat);
		snat = NULL;
	} else if (IS_ERR(peers)) {
		inst = ERR_CAST(peers);
		peers = NULL;
	} else {
		inst = l4lb_sched_inst_ready(cfg->sched, arr, extack);
	}
	if (IS_ERR(inst)) {
		kfree(peers);	/* never published */
		kfree(snat);
		kfree(arr);
		kfree(svc);
		return ERR_CAST(inst);
	}
	svc->owner = svcs;
	INIT_LIST_HEAD(&svc->backends);
	svc->af = cfg->af;
	svc->vip = cfg->vip;
	svc->port = cfg->port;
	svc->proto = cfg->proto;
	l4lb_cfg_apply(svc, cfg, snat, peers);
	RCU_INIT_POINTER(svc->arr, arr);
	RCU_INIT_POINTER(svc->sched, inst);

	list_add_tail(&svc->list, &svcs->list);
	hlist_add_head_rcu(&svc->hnode,
			   &svcs->hash[l4lb_svc_hash(svc->af, &svc->vip,
						     svc->port, svc->proto)]);
	WRITE_ONCE(svcs->n, svcs->n + 1);
	return svc;
}

/**
 * l4lb_service_change() - change a service's settings
 * @svc: the service
 * @cfg: every setting; its key is @svc's
 * @extack: error reporting
 *
 * Rows of existing connections are kept: they keep their backend and
 * tuples, SNAT address included, until they end. A new scheduler or SNAT
 * pool applies to connections scheduled from now on; new peers to the
 * next segment without a row.
 *
 * Context: process, l4lb_services::lock held.
 * Return: 0, -ENOENT for an unknown scheduler, or -ENOMEM; nothing changes
 * on error.
 */
int l4lb_service_change(struct l4lb_service *svc,
			const struct l4lb_service_cfg *cfg,
			struct netlink_ext_ack *extack)
{
	struct l4lb_sched_inst *inst, *old = l4lb_svc_sched(svc);
	struct l4lb_addrs *snat;
	struct l4lb_addrs *peers;
	int err;

	snat = l4lb_cfg_snat(svc, cfg, extack);
	if (IS_ERR(snat))
		return PTR_ERR(snat);
	peers = l4lb_cfg_peers(svc, cfg, extack);
	if (IS_ERR(peers)) {
		err = PTR_ERR(peers);
		peers = l4lb_svc_peers(svc);
		goto unwind;
	}
	if (strcmp(old->sched->name, cfg->sched)) {
		inst = l4lb_sched_inst_ready(cfg->sched, l4lb_svc_arr(svc),
					     extack);
		if (IS_ERR(inst)) {
			err = PTR_ERR(inst);
			goto unwind;
		}
		rcu_assign_pointer(svc->sched, inst);
		l4lb_sched_inst_free(old);
	}
	l4lb_cfg_apply(svc, cfg, snat, peers);
	return 0;

unwind:	/* free what was never published */
	if (peers != l4lb_svc_peers(svc))
		kfree(peers);
	if (snat != l4lb_svc_snat(svc))
		kfree(snat);
	return err;
}

/**
 * l4lb_service_backend() - a backend of a service, removed ones included
 * @svc: the service
 * @addr: network byte order, of the service's family (.ip of an AF_INET
 *	one, the rest zero)
 * @port: network byte order
 *
 * Context: process, l4lb_services::lock held.
 * Return: the backend or NULL.
 */
struct l4lb_backend *l4lb_service_backend(struct l4lb_service *svc,
					  const union nf_inet_addr *addr,
					  __be16 port)
{
	struct l4lb_backend *be;

	list_for_each_entry(be, &svc->backends, list)
		if (nf_inet_addr_cmp(&be->addr, addr) && be->port == port)
			return be;
	return NULL;
}

/**
 * l4lb_service_nbackends() - how many backends a service has
 * @svc: the service
 *
 * Context: process, l4lb_services::lock held.
 * Return: their number, removed ones included.
 */
unsigned int l4lb_service_nbackends(struct l4lb_service *svc)
{
	struct l4lb_backend *be;
	unsigned int n = 0;

	list_for_each_entry(be, &svc->backends, list)
		n++;
	return n;
}

/**
 * l4lb_service_sched_update() - tell the scheduler that a weight or a
 *	state in the backend array changed
 * @svc: the service
 *
 * Context: process, l4lb_services::lock held.
 * Return: 0 or -ENOMEM; the scheduler's earlier decisions stay on error.
 */
int l4lb_service_sched_update(struct l4lb_service *svc)
{
	struct l4lb_sched_inst *inst = l4lb_svc_sched(svc);

	return inst->sched->update ?
		inst->sched->update(inst, l4lb_svc_arr(svc)) : 0;
}

/**
 * l4lb_service_publish() - publish the backends that are not removed
 * @svc: the service, its backend list changed
 *
 * Builds a new backend array from the list, tells the scheduler, and
 * swaps it in; the old array is freed after a grace period.
 *
 * Context: process, l4lb_services::lock held.
 * Return: 0 or -ENOMEM; nothing changes on error.
 */
int l4lb_service_publish(struct l4lb_service *svc)
{
	struct l4lb_sched_inst *inst = l4lb_svc_sched(svc);
	struct l4lb_backend_array *arr, *old;
	struct l4lb_backend *be;
	unsigned int n = 0;
	int err;

	list_for_each_entry(be, &svc->backends, list)
		if (!be->removed)
			n++;
	if (l4lb_fault_alloc(struct_size(arr, be, n)))
		return -ENOMEM;
	arr = kzalloc(struct_size(arr, be, n), L4LB_GFP_CTL);
	if (!arr)
		return -ENOMEM;
	list_for_each_entry(be, &svc->backends, list)
		if (!be->removed)
			arr->be[arr->n++] = be;
	err = inst->sched->update ? inst->sched->update(inst, arr) : 0;
	if (err) {
		kfree(arr);
		return err;
	}
	old = l4lb_svc_arr(svc);
	rcu_assign_pointer(svc->arr, arr);
	kfree_rcu(old, rcu);
	return 0;
}

/**
 * l4lb_service_reap() - let go of removed backends whose last row ended
 * @svc: the service
 * @only: look at this backend only; NULL for every one
 *
 * Each one is passed to l4lb_services::gone first, if it is set.
 *
 * Context: process, l4lb_services::lock held.
 */
void l4lb_service_reap(struct l4lb_service *svc, struct l4lb_backend *only)
{
	struct l4lb_backend *be, *tmp;

	list_for_each_entry_safe(be, tmp, &svc->backends, list) {
		if ((only && be != only) || !be->removed ||
		    refcount_read(&be->refcnt) != 1)
			continue;
		if (svc->owner->gone)
			svc->owner->gone(svc->owner, be);
		list_del(&be->list);
		svc->owner->nbackends--;
		l4lb_backend_put(be);
	}
}

/**
 * l4lb_service_unhash() - unpublish a service
 * @svc: the service
 *
 * After this no packet finds it, and no CPU is still creating a row for
 * it, so its rows can be removed for good.
 *
 * Context: process, l4lb_services::lock held; sleeps (synchronize_net()).
 */
void l4lb_service_unhash(struct l4lb_service *svc)
{
	struct l4lb_services *svcs = svc->owner;

	hlist_del_init_rcu(&svc->hnode);
	list_del(&svc->list);
	WRITE_ONCE(svcs->n, svcs->n - 1);
	synchronize_net();
}

/**
 * l4lb_service_destroy() - free an unhashed service and what it holds
 * @svc: the service; its rows must be gone
 *
 * The backends go with their last reference, the array, the scheduler
 * instance, the SNAT pool and the service itself after a grace period.
 *
 * Context: process, l4lb_services::lock held.
 */
void l4lb_service_destroy(struct l4lb_service *svc)
{
	struct l4lb_backend *be, *tmp;

	list_for_each_entry_safe(be, tmp, &svc->backends, list) {
		list_del(&be->list);
		svc->owner->nbackends--;
		l4lb_backend_put(be);
	}
	kfree_rcu(rcu_dereference_protected(svc->arr, 1), rcu);
	l4lb_sched_inst_free(rcu_dereference_protected(svc->sched, 1));
	l4lb_addrs_free(rcu_dereference_protected(svc->snat, 1));
	l4lb_addrs_free(rcu_dereference_protected(svc->peers, 1));
	kfree_rcu(svc, rcu);
}
