// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: live events. See l4lb_event.h for who reports what, and
 * include/uapi/l4lb.h (enum l4lb_event_kind) for what each message holds.
 *
 * Nothing is built while nobody listens (genl_has_listeners(), a bit
 * test). The family is published here with RCU once it is registered and
 * withdrawn before it is unregistered, so an event of the expiry worker or
 * of the packet path never uses a family that is not (or no longer)
 * registered: each message is headed and sent under rcu_read_lock().
 * An event that cannot be built or sent for want of memory sets ENOBUFS on
 * the listeners' sockets, so that they learn they missed something.
 */
#include <linux/jiffies.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "../include/uapi/l4lb.h"
#include "l4lb_backend.h"
#include "l4lb_event.h"
#include "l4lb_net.h"
#include "l4lb_netlink_msg.h"
#include "l4lb_service.h"

/*
 * Payload room of each event, so that a burst of events (a restore, say)
 * does not fill the listeners' receive buffers with mostly empty pages: a
 * service key and a backend with its counters under 256 bytes; a key and
 * three counters (or a key alone) under 128. A service's event is sized
 * to it (l4lb_nl_svc_size()): up to about 1.6 KiB with a full IPv6 pool.
 */
#define L4LB_EVENT_BE_SIZE	512
#define L4LB_EVENT_SMALL_SIZE	256

/* The registered family, or NULL (RCU). */
static const struct genl_family __rcu *l4lb_event_family;

/**
 * l4lb_event_register() - start sending events
 * @family: the registered "l4lb" family; its mcgrps[L4LB_EVENT_GRP] is
 *	the events group
 *
 * Context: process, module init, after genl_register_family().
 */
void l4lb_event_register(const struct genl_family *family)
{
	rcu_assign_pointer(l4lb_event_family, family);
}

/**
 * l4lb_event_unregister() - stop sending events, and wait until no CPU is
 *	still sending one
 *
 * Context: process, module exit, before genl_unregister_family(); sleeps.
 */
void l4lb_event_unregister(void)
{
	RCU_INIT_POINTER(l4lb_event_family, NULL);
	synchronize_rcu();
}

/* Does any socket listen to the events? Context: any. */
static bool l4lb_event_wanted(struct net *net)
{
	const struct genl_family *fam;
	bool wanted;

	rcu_read_lock();
	fam = rcu_dereference(l4lb_event_family);
	wanted = fam && genl_has_listeners(fam, net, L4LB_EVENT_GRP) > 0;
	rcu_read_unlock();
	return wanted;
}

/* An event was lost: the listeners' next recv() fails with ENOBUFS. */
static void l4lb_event_lost(struct net *net)
{
	const struct genl_family *fam;

	rcu_read_lock();
	fam = rcu_dereference(l4lb_event_family);
	if (fam)
		genl_set_err(fam, net, 0, L4LB_EVENT_GRP, -ENOBUFS);
	rcu_read_unlock();
}

/*
 * Head @msg (from genlmsg_new()) as an event of @kind, add what
 * @fill(@msg, @arg) puts, and send it to @net's listeners. @msg is
 * consumed. Context: any.
 */
static void l4lb_event_send(struct net *net, struct sk_buff *msg, u8 kind,
			    int (*fill)(struct sk_buff *msg, const void *arg),
			    const void *arg)
{
	const struct genl_family *fam;
	void *hdr;

	rcu_read_lock();
	fam = rcu_dereference(l4lb_event_family);
	if (!fam)
		goto drop;
	hdr = genlmsg_put(msg, 0, 0, fam, 0, L4LB_CMD_EVENT);
	/* The sizes above fit every event: a failure here is a bug. */
	if (WARN_ON_ONCE(!hdr || nla_put_u8(msg, L4LB_ATTR_EVENT, kind) ||
			 (fill && fill(msg, arg)))) {
		genl_set_err(fam, net, 0, L4LB_EVENT_GRP, -ENOBUFS);
		goto drop;
	}
	genlmsg_end(msg, hdr);
	/* -ESRCH (the last listener left) and a full receive buffer (the
	 * listener gets ENOBUFS) are the listeners' business.
	 */
	genlmsg_multicast_netns(fam, net, msg, 0, L4LB_EVENT_GRP, GFP_ATOMIC);
	rcu_read_unlock();
	return;
drop:
	rcu_read_unlock();
	nlmsg_free(msg);
}

/**
 * l4lb_event_service() - report a service created, changed or deleted
 * @ln: its namespace
 * @svc: the service, still in place for L4LB_EVENT_SERVICE_DEL
 * @kind: L4LB_EVENT_SERVICE_NEW, _CHANGE or _DEL
 *
 * Context: process, the services lock held; may sleep.
 */
void l4lb_event_service(struct l4lb_net *ln, struct l4lb_service *svc,
			u8 kind)
{
	struct l4lb_nl_svc *r;
	struct sk_buff *msg;

	lockdep_assert_held(&ln->svcs.lock);
	if (!l4lb_event_wanted(ln->net))
		return;
	r = kmalloc(sizeof(*r), GFP_KERNEL);
	if (r)
		l4lb_nl_svc_get(ln, svc, r);
	msg = r ? genlmsg_new(nla_total_size(1) + l4lb_nl_svc_size(r),
			      GFP_KERNEL) : NULL;
	if (msg)
		l4lb_event_send(ln->net, msg, kind, l4lb_nl_svc_fill, r);
	else
		l4lb_event_lost(ln->net);
	kfree(r);
}

/* A backend event's nests: its service's key, then the backend. */
static int l4lb_event_be_fill(struct sk_buff *msg, const void *arg)
{
	struct l4lb_backend *be = (struct l4lb_backend *)arg;

	return l4lb_nl_svc_key_fill(msg, be->svc) ?: l4lb_nl_be_fill(msg, be);
}

/**
 * l4lb_event_backend() - report a backend added, changed, removed or gone
 * @ln: its namespace
 * @be: the backend, still in its service's list
 * @kind: L4LB_EVENT_BACKEND_NEW, _CHANGE, _DEL or _GONE
 *
 * Context: process, the services lock held; may sleep.
 */
void l4lb_event_backend(struct l4lb_net *ln, struct l4lb_backend *be,
			u8 kind)
{
	struct sk_buff *msg;

	lockdep_assert_held(&ln->svcs.lock);
	if (!l4lb_event_wanted(ln->net))
		return;
	msg = genlmsg_new(L4LB_EVENT_BE_SIZE, GFP_KERNEL);
	if (msg)
		l4lb_event_send(ln->net, msg, kind, l4lb_event_be_fill, be);
	else
		l4lb_event_lost(ln->net);
}

/* l4lb_services::gone: a removed backend's last row ended. */
static void l4lb_event_backend_gone(struct l4lb_services *svcs,
				    struct l4lb_backend *be)
{
	l4lb_event_backend(container_of(svcs, struct l4lb_net, svcs), be,
			   L4LB_EVENT_BACKEND_GONE);
}

/* A flush event's nest: the service's key, if one service was flushed. */
static int l4lb_event_flush_fill(struct sk_buff *msg, const void *arg)
{
	return arg ? l4lb_nl_svc_key_fill(msg, arg) : 0;
}

/**
 * l4lb_event_flush() - report that FLUSH removed rows
 * @ln: the namespace
 * @svc: the service whose rows went, or NULL for every row
 *
 * Context: process, the services lock held; may sleep.
 */
void l4lb_event_flush(struct l4lb_net *ln, const struct l4lb_service *svc)
{
	struct sk_buff *msg;

	lockdep_assert_held(&ln->svcs.lock);
	if (!l4lb_event_wanted(ln->net))
		return;
	msg = genlmsg_new(L4LB_EVENT_SMALL_SIZE, GFP_KERNEL);
	if (msg)
		l4lb_event_send(ln->net, msg, L4LB_EVENT_FLUSH,
				l4lb_event_flush_fill, svc);
	else
		l4lb_event_lost(ln->net);
}

/* What a TABLE_FULL event names. */
struct l4lb_event_full {
	struct l4lb_net *ln;
	const struct l4lb_service *svc;
};

static int l4lb_event_full_fill(struct sk_buff *msg, const void *arg)
{
	const struct l4lb_event_full *f = arg;

	return l4lb_nl_svc_key_fill(msg, f->svc) ?:
	       l4lb_nl_table_full_fill(msg, f->ln);
}

/**
 * l4lb_event_ratelimit() - may an event limited to one a second go now?
 * @last: jiffies when the last one went; set to @now if this one may
 * @now: jiffies
 *
 * Of the CPUs that race into the same new second, only the one whose
 * cmpxchg() succeeds sends; the others, and every caller within a second
 * of the last event, only read @last.
 *
 * Context: any; lock free.
 * Return: true if the caller may send the event.
 */
bool l4lb_event_ratelimit(unsigned long *last, unsigned long now)
{
	unsigned long prev = READ_ONCE(*last);

	if (time_before(now, prev + HZ))
		return false;
	return cmpxchg(last, prev, now) == prev;
}

/**
 * l4lb_event_table_full() - report a new flow dropped at conn_max
 * @ln: the namespace, with its table
 * @svc: the service the flow was for
 *
 * At most one event a second per namespace; otherwise a bit test and a
 * read of a timestamp, so that a flood of new flows at a full table costs
 * the packet path next to nothing more.
 *
 * Context: the packet path (softirq, or BHs off), rcu_read_lock() held.
 */
void l4lb_event_table_full(struct l4lb_net *ln,
			   const struct l4lb_service *svc)
{
	struct l4lb_event_full f = { .ln = ln, .svc = svc };
	struct sk_buff *msg;

	if (!l4lb_event_wanted(ln->net) ||
	    !l4lb_event_ratelimit(&ln->full_event_at, jiffies))
		return;
	msg = genlmsg_new(L4LB_EVENT_SMALL_SIZE, GFP_ATOMIC);
	if (msg)
		l4lb_event_send(ln->net, msg, L4LB_EVENT_TABLE_FULL,
				l4lb_event_full_fill, &f);
	else
		l4lb_event_lost(ln->net);
}

/**
 * l4lb_event_net_init() - get a new namespace ready to report events
 * @ln: its state, from l4lb_net_init(), without services yet
 *
 * Lets its first TABLE_FULL event go at once, and hooks the reaping of
 * drained backends (l4lb_services::gone).
 *
 * Context: process (pernet init).
 */
void l4lb_event_net_init(struct l4lb_net *ln)
{
	ln->full_event_at = jiffies - HZ;
	ln->svcs.gone = l4lb_event_backend_gone;
}
