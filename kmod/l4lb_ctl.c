// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: the control-plane operations of a namespace.
 *
 * Each takes the namespace's services lock, so requests from netlink and
 * from module load are serialised, and each changes nothing when it fails.
 * What a request changed is reported as an event (l4lb_event.c) before the
 * lock is dropped, so listeners see the changes in the order they were
 * made.
 * The first service of a namespace brings up its NAT table and netfilter
 * hooks; they stay until the namespace goes. The expiry worker runs while
 * the namespace has a service or a row (l4lb_net.c).
 *
 * A namespace holds at most svc_max services and backend_max backends
 * (module parameters): any user may own a namespace, and its requests
 * must not grow the kernel's memory without bound.
 */
#include <linux/kernel.h>
#include <linux/slab.h>

#include "l4lb_backend.h"
#include "l4lb_check.h"
#include "l4lb_conn.h"
#include "l4lb_core.h"
#include "l4lb_ctl.h"
#include "l4lb_event.h"
#include "l4lb_net.h"
#include "l4lb_proto_tcp.h"
#include "l4lb_service.h"

/* The extack messages of the limits, with their values, written once at
 * load (l4lb_ctl_init()): 6.1 has no NL_SET_ERR_MSG_FMT.
 */
static char l4lb_svc_limit_msg[48];
static char l4lb_backend_limit_msg[48];

/**
 * l4lb_ctl_init() - get ready to serve requests
 *
 * Call once the module parameters are checked (l4lb_params_check()).
 *
 * Context: process, module init.
 */
void l4lb_ctl_init(void)
{
	snprintf(l4lb_svc_limit_msg, sizeof(l4lb_svc_limit_msg),
		 "service limit reached (svc_max=%u)", l4lb_svc_max);
	snprintf(l4lb_backend_limit_msg, sizeof(l4lb_backend_limit_msg),
		 "backend limit reached (backend_max=%u)", l4lb_backend_max);
}

/* NL_SET_ERR_MSG() for a message that is not a literal but lives as long
 * as the module.
 */
static void l4lb_ctl_limit_msg(struct netlink_ext_ack *extack,
			       const char *msg)
{
	if (extack)
		extack->_msg = msg;
}

/* Bring up the table of a namespace, once, and the hooks of family @af. */
static int l4lb_ctl_net_start(struct l4lb_net *ln, int af,
			      struct netlink_ext_ack *extack)
{
	struct l4lb_table_limits lim;
	int err;

	if (!ln->tab) {
		l4lb_net_table_limits(ln->net, &lim);
		ln->tab = l4lb_conn_table_alloc(lim.bits, lim.conn_max,
						lim.syn_max,
						l4lb_backend_conn_release);
		if (!ln->tab) {
			NL_SET_ERR_MSG(extack, "out of memory");
			return -ENOMEM;
		}
		ln->tab->reclaimable = l4lb_conn_reclaimable;
		ln->tab->expired = l4lb_conn_expired_cb;
		ln->tab->owner = ln;
	}
	err = l4lb_hooks_register(ln, af);
	if (err)
		NL_SET_ERR_MSG(extack, "cannot register netfilter hooks");
	return err;
}

/**
 * l4lb_ctl_service_set() - create a service, or change the one with cfg's key
 * @ln: namespace state
 * @cfg: every setting (from l4lb_service_cfg_get() or
 *	l4lb_service_cfg_default(), with the request's changes); its VIP,
 *	port and protocol are the key of the service to change or create
 * @extack: error reporting
 *
 * Sends L4LB_EVENT_SERVICE_NEW, or L4LB_EVENT_SERVICE_CHANGE if a setting
 * changed.
 *
 * Context: process; takes the services lock.
 * Return: 0; -EINVAL, -ERANGE, -EPROTONOSUPPORT, -E2BIG for a bad setting
 * (a new SNAT pool's addresses are checked to be local by the caller);
 * -ENOENT for an unknown scheduler; -ENOSPC for a new service when the
 * namespace has svc_max; -ENOMEM (at the caller's memory cgroup limit
 * too); an error of the netfilter core.
 */
int l4lb_ctl_service_set(struct l4lb_net *ln,
			 const struct l4lb_service_cfg *cfg,
			 struct netlink_ext_ack *extack)
{
	struct l4lb_service_cfg old;
	struct l4lb_service *svc;
	u8 event = 0;
	int err;

	err = l4lb_service_cfg_check(cfg, extack);
	if (err)
		return err;

	mutex_lock(&ln->svcs.lock);
	svc = l4lb_service_find(&ln->svcs, cfg->af, &cfg->vip, cfg->port,
				cfg->proto);
	if (svc) {
		l4lb_service_cfg_get(svc, &old);
		err = l4lb_service_change(svc, cfg, extack);
		if (!l4lb_service_cfg_equal(&old, cfg))
			event = L4LB_EVENT_SERVICE_CHANGE;
	} else if (ln->svcs.n >= l4lb_svc_max) {
		l4lb_ctl_limit_msg(extack, l4lb_svc_limit_msg);
		err = -ENOSPC;
	} else {
		err = l4lb_ctl_net_start(ln, cfg->af, extack);
		if (!err) {
			svc = l4lb_service_create(&ln->svcs, cfg, extack);
			err = PTR_ERR_OR_ZERO(svc);
		}
		if (!err) {
			l4lb_net_gc_start(ln);
			event = L4LB_EVENT_SERVICE_NEW;
		}
	}
	if (!err && event)
		l4lb_event_service(ln, svc, event);
	mutex_unlock(&ln->svcs.lock);
	return err;
}

/* Does a row belong to the service @arg? */
static bool l4lb_conn_of_service(const struct l4lb_conn *conn, const void *arg)
{
	return conn->backend && conn->backend->svc == arg;
}

/**
 * l4lb_ctl_service_del() - delete a service, its backends and its rows
 * @ln: namespace state
 * @sel: the service
 * @extack: error reporting
 *
 * The rows go at once, as with l4lb_ctl_flush(); each end learns at its
 * next packet, which the balancer's own stack answers with a RST. Sends
 * L4LB_EVENT_SERVICE_DEL, and no event for its backends.
 *
 * Context: process; takes the services lock; sleeps.
 * Return: 0; -ENOENT if no service matches @sel; -EINVAL if several do.
 */
int l4lb_ctl_service_del(struct l4lb_net *ln, const struct l4lb_svc_sel *sel,
			 struct netlink_ext_ack *extack)
{
	struct l4lb_service *svc;
	int err = 0;

	mutex_lock(&ln->svcs.lock);
	svc = l4lb_service_select(&ln->svcs, sel, extack);
	if (IS_ERR(svc)) {
		err = PTR_ERR(svc);
		goto out;
	}
	l4lb_service_unhash(svc);
	l4lb_conn_flush_if(ln->tab, l4lb_conn_of_service, svc);
	l4lb_event_service(ln, svc, L4LB_EVENT_SERVICE_DEL);
	l4lb_service_destroy(svc);
out:
	mutex_unlock(&ln->svcs.lock);
	return err;
}

/**
 * l4lb_ctl_flush() - remove NAT rows at once
 * @ln: namespace state
 * @sel: the service whose rows go, or NULL for every row of the namespace
 * @extack: error reporting
 *
 * Sends L4LB_EVENT_FLUSH, even if there was no row.
 *
 * Context: process; takes the services lock; may sleep.
 * Return: 0; -ENOENT if no service matches @sel; -EINVAL if several do.
 */
int l4lb_ctl_flush(struct l4lb_net *ln, const struct l4lb_svc_sel *sel,
		   struct netlink_ext_ack *extack)
{
	struct l4lb_service *svc = NULL;
	int err = 0;

	mutex_lock(&ln->svcs.lock);
	if (sel) {
		svc = l4lb_service_select(&ln->svcs, sel, extack);
		if (IS_ERR(svc)) {
			err = PTR_ERR(svc);
			goto out;
		}
	}
	if (svc)
		l4lb_conn_flush_if(ln->tab, l4lb_conn_of_service, svc);
	else if (ln->tab)
		l4lb_conn_flush(ln->tab, NULL);
	l4lb_event_flush(ln, svc);
out:
	mutex_unlock(&ln->svcs.lock);
	return err;
}

/* A backend of family @af on @svc: none of the other family (no NAT64). */
static int l4lb_ctl_backend_af(const struct l4lb_service *svc, u8 af,
			       struct netlink_ext_ack *extack)
{
	if (!af || af == svc->af)
		return 0;
	if (af == AF_INET)
		NL_SET_ERR_MSG(extack,
			       "backend is IPv4: an AF_INET6 service has IPv6 backends");
	else
		NL_SET_ERR_MSG(extack,
			       "backend is IPv6: an AF_INET service has IPv4 backends");
	return -EINVAL;
}

/*
 * The opening of every backend request: take the lock, check the values,
 * select the service, check the address against its family and find the
 * backend (NULL if it has none of that address and port). The lock is
 * held on return, error or not; the caller drops it.
 */
static int l4lb_ctl_backend_open(struct l4lb_net *ln,
				 const struct l4lb_be_req *req,
				 struct l4lb_service **svc,
				 struct l4lb_backend **be,
				 struct netlink_ext_ack *extack)
{
	int err;

	mutex_lock(&ln->svcs.lock);
	/* The address as far as its own family tells, before the service. */
	err = req->af ? l4lb_check_backend_addr(req->af, &req->addr, extack) : 0;
	err = err ?: l4lb_check_backend_port(req->port, extack);
	if (!err && req->set_weight)
		err = l4lb_check_weight(req->weight, extack);
	if (!err && req->set_state)
		err = l4lb_check_state(req->state, extack);
	if (err)
		return err;
	*svc = l4lb_service_select(&ln->svcs, &req->sel, extack);
	if (IS_ERR(*svc))
		return PTR_ERR(*svc);
	err = l4lb_ctl_backend_af(*svc, req->af, extack) ?:
	      l4lb_check_backend_addr((*svc)->af, &req->addr, extack);
	if (err)
		return err;
	*be = l4lb_service_backend(*svc, &req->addr, req->port);
	return 0;
}

/**
 * l4lb_ctl_backend_add() - add a backend to a service
 * @ln: namespace state
 * @req: the service, address and port; its weight (default 1), weight
 *	percentage (default L4LB_WEIGHT_PCT_DEFAULT) and state (default up)
 * @extack: error reporting
 *
 * Adding a backend that was removed and is still draining brings it back
 * with its rows. Sends L4LB_EVENT_BACKEND_NEW.
 *
 * Context: process; takes the services lock.
 * Return: 0; -ENOENT if no service matches, -EINVAL if several do; -EEXIST
 * if present; -EINVAL or -ERANGE for bad values, -EINVAL for an address
 * of the other family than the service's; -ENOSPC past
 * L4LB_BACKENDS_MAX backends in the service or backend_max in the
 * namespace; -ENOMEM (at the caller's memory cgroup limit too).
 */
int l4lb_ctl_backend_add(struct l4lb_net *ln, const struct l4lb_be_req *req,
			 struct netlink_ext_ack *extack)
{
	u8 state = req->set_state ? req->state : L4LB_BE_STATE_UP;
	u32 weight = req->set_weight ? req->weight : 1;
	u32 pct = req->set_weight_pct ? req->weight_pct :
		  L4LB_WEIGHT_PCT_DEFAULT;
	struct l4lb_service *svc;
	struct l4lb_backend *be;
	int err;

	err = l4lb_ctl_backend_open(ln, req, &svc, &be, extack);
	if (err)
		goto out;
	if (be && !be->removed) {
		NL_SET_ERR_MSG(extack, "backend already exists");
		err = -EEXIST;
		goto out;
	}
	if (be) {
		/* Revive a draining backend: its rows are still there. */
		WRITE_ONCE(be->weight, weight);
		WRITE_ONCE(be->weight_pct, pct);
		WRITE_ONCE(be->state, state);
		WRITE_ONCE(be->removed, false);
		err = l4lb_service_publish(svc);
		if (err) {
			WRITE_ONCE(be->removed, true);
			WRITE_ONCE(be->state, L4LB_BE_STATE_DRAIN);
		}
		goto done;
	}
	if (l4lb_service_nbackends(svc) >= L4LB_BACKENDS_MAX) {
		NL_SET_ERR_MSG(extack, "too many backends");
		err = -ENOSPC;
		goto out;
	}
	if (ln->svcs.nbackends >= l4lb_backend_max) {
		l4lb_ctl_limit_msg(extack, l4lb_backend_limit_msg);
		err = -ENOSPC;
		goto out;
	}
	be = l4lb_backend_alloc(svc, &req->addr, req->port, weight, pct,
				state);
	if (!be) {
		err = -ENOMEM;
		goto out;
	}
	list_add_tail(&be->list, &svc->backends);
	ln->svcs.nbackends++;
	err = l4lb_service_publish(svc);
	if (err) {
		list_del(&be->list);
		ln->svcs.nbackends--;
		l4lb_backend_put(be);
	}
done:
	if (!err)
		l4lb_event_backend(ln, be, L4LB_EVENT_BACKEND_NEW);
out:
	if (err == -ENOMEM)
		NL_SET_ERR_MSG(extack, "out of memory");
	mutex_unlock(&ln->svcs.lock);
	return err;
}

/**
 * l4lb_ctl_backend_del() - remove a backend from a service
 * @ln: namespace state
 * @req: the service, address and port; with @now its rows go at once,
 *	otherwise it drains: no new connections, its rows live until they
 *	end, then it is gone
 * @extack: error reporting
 *
 * Sends L4LB_EVENT_BACKEND_DEL (unless it was removed already), then
 * L4LB_EVENT_BACKEND_GONE once it has no row left: at once if it has none
 * now, else from the expiry worker's reaping.
 *
 * Context: process; takes the services lock; may sleep.
 * Return: 0; -ENOENT if no service matches or it has no such backend (or,
 * without @now, it is already removed); -EINVAL if several services
 * match; -ENOMEM.
 */
int l4lb_ctl_backend_del(struct l4lb_net *ln, const struct l4lb_be_req *req,
			 struct netlink_ext_ack *extack)
{
	struct l4lb_service *svc;
	struct l4lb_backend *be;
	u8 old_state;
	int err;

	err = l4lb_ctl_backend_open(ln, req, &svc, &be, extack);
	if (err)
		goto out;
	if (!be || (be->removed && !req->now)) {
		NL_SET_ERR_MSG(extack, "no such backend");
		err = -ENOENT;
		goto out;
	}
	if (!be->removed) {
		old_state = be->state;
		WRITE_ONCE(be->removed, true);
		WRITE_ONCE(be->state, L4LB_BE_STATE_DRAIN);
		err = l4lb_service_publish(svc);
		if (err) {
			WRITE_ONCE(be->state, old_state);
			WRITE_ONCE(be->removed, false);
			NL_SET_ERR_MSG(extack, "out of memory");
			goto out;
		}
		l4lb_event_backend(ln, be, L4LB_EVENT_BACKEND_DEL);
	}
	if (req->now)
		l4lb_conn_flush(ln->tab, be);
	l4lb_service_reap(svc, be);
out:
	mutex_unlock(&ln->svcs.lock);
	return err;
}

/**
 * l4lb_ctl_backend_set() - change a backend's weight, weight percentage
 *	and/or state
 * @ln: namespace state
 * @req: the service, address and port, and what to set; with @now and a
 *	state of down or drain, the backend's rows also go at once
 * @extack: error reporting
 *
 * Otherwise existing rows are not touched: a backend set down or to drain
 * keeps its connections. Sends L4LB_EVENT_BACKEND_CHANGE if the weight,
 * the weight percentage or the state changed.
 *
 * Context: process; takes the services lock.
 * Return: 0; -ENOENT if no service matches or it has no such backend;
 * -EINVAL if several services match; -EINVAL or -ERANGE for bad values;
 * -ENOMEM.
 */
int l4lb_ctl_backend_set(struct l4lb_net *ln, const struct l4lb_be_req *req,
			 struct netlink_ext_ack *extack)
{
	struct l4lb_service *svc;
	struct l4lb_backend *be;
	u32 old_weight, old_pct;
	u8 old_state;
	int err;

	err = l4lb_ctl_backend_open(ln, req, &svc, &be, extack);
	if (err)
		goto out;
	if (!be || be->removed) {
		NL_SET_ERR_MSG(extack, "no such backend");
		err = -ENOENT;
		goto out;
	}
	old_weight = be->weight;
	old_pct = be->weight_pct;
	old_state = be->state;
	if (req->set_weight)
		WRITE_ONCE(be->weight, req->weight);
	if (req->set_weight_pct)
		WRITE_ONCE(be->weight_pct, req->weight_pct);
	if (req->set_state)
		WRITE_ONCE(be->state, req->state);
	err = l4lb_service_sched_update(svc);
	if (err) {
		WRITE_ONCE(be->weight, old_weight);
		WRITE_ONCE(be->weight_pct, old_pct);
		WRITE_ONCE(be->state, old_state);
		NL_SET_ERR_MSG(extack, "out of memory");
		goto out;
	}
	if (req->now && req->set_state && req->state != L4LB_BE_STATE_UP)
		l4lb_conn_flush(ln->tab, be);
	if (be->weight != old_weight || be->weight_pct != old_pct ||
	    be->state != old_state)
		l4lb_event_backend(ln, be, L4LB_EVENT_BACKEND_CHANGE);
out:
	mutex_unlock(&ln->svcs.lock);
	return err;
}

/**
 * l4lb_ctl_net_exit() - take a namespace's balancer down
 * @ln: namespace state
 *
 * Unregisters the hooks (which waits for packets in flight), stops the
 * expiry, removes every row and frees the services. Rows, backends and
 * scheduler instances are freed by RCU callbacks; module exit waits for
 * them with rcu_barrier().
 *
 * Context: process (pernet exit).
 */
void l4lb_ctl_net_exit(struct l4lb_net *ln)
{
	struct l4lb_service *svc, *tmp;

	l4lb_hooks_unregister(ln);
	l4lb_net_gc_stop(ln);

	/* The hooks are gone: nothing reads the services any more. */
	mutex_lock(&ln->svcs.lock);
	if (ln->tab)
		l4lb_conn_flush(ln->tab, NULL);
	list_for_each_entry_safe(svc, tmp, &ln->svcs.list, list) {
		hlist_del_init_rcu(&svc->hnode);
		list_del(&svc->list);
		l4lb_service_destroy(svc);
	}
	ln->svcs.n = 0;
	WARN_ON_ONCE(ln->svcs.nbackends);
	mutex_unlock(&ln->svcs.lock);

	l4lb_conn_table_free(ln->tab);
	ln->tab = NULL;
}
