// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: its state in one network namespace, the namespace's counters and
 * the expiry worker.
 */
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/user_namespace.h>
#include <net/netns/generic.h>

#include "l4lb_conn.h"
#include "l4lb_conn_gc.h"
#include "l4lb_net.h"
#include "l4lb_service.h"

/* The GC worker runs this often; l4lb_conn_gc_tick() paces the expiry. */
#define L4LB_GC_INTERVAL	(HZ / 4)

unsigned int l4lb_conn_tab_bits = L4LB_CONN_TAB_BITS_DEFAULT;
unsigned int l4lb_conn_max = L4LB_CONN_MAX_DEFAULT;
unsigned int l4lb_syn_max;	/* 0: conn_max / 2, see l4lb_params_check() */
unsigned int l4lb_svc_max = L4LB_SVC_MAX_DEFAULT;
unsigned int l4lb_backend_max = L4LB_BACKEND_MAX_DEFAULT;

unsigned int l4lb_net_id __read_mostly;

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
 * l4lb_stats_drop() - count a dropped packet
 * @ln: namespace state
 * @why: the reason
 *
 * Context: any; per-CPU, lock free.
 */
void l4lb_stats_drop(struct l4lb_net *ln, enum l4lb_drop why)
{
	struct l4lb_stats *s = get_cpu_ptr(ln->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->drop[why]);
	u64_stats_update_end(&s->syncp);
	put_cpu_ptr(ln->stats);
}

/**
 * l4lb_stats_event() - count an event of the packet path
 * @ln: namespace state
 * @what: the event
 *
 * Context: any; per-CPU, lock free.
 */
void l4lb_stats_event(struct l4lb_net *ln, enum l4lb_event what)
{
	struct l4lb_stats *s = get_cpu_ptr(ln->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->event[what]);
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
 * @sum: out
 *
 * Context: any.
 */
void l4lb_stats_read(struct l4lb_net *ln, struct l4lb_stats_sum *sum)
{
	unsigned int cpu, i, start;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct l4lb_stats *s = per_cpu_ptr(ln->stats, cpu);
		struct l4lb_stats_sum v;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			v.created = u64_stats_read(&s->created);
			for (i = 0; i < L4LB_DROP_MAX; i++)
				v.drop[i] = u64_stats_read(&s->drop[i]);
			for (i = 0; i < L4LB_EV_MAX; i++)
				v.event[i] = u64_stats_read(&s->event[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		sum->created += v.created;
		for (i = 0; i < L4LB_DROP_MAX; i++)
			sum->drop[i] += v.drop[i];
		for (i = 0; i < L4LB_EV_MAX; i++)
			sum->event[i] += v.event[i];
	}
}

/*
 * The expiry worker runs only while the namespace has a service or a row:
 * a namespace without, however many there are on a host, costs nothing
 * per second. It stops itself when it finds neither, and the creation of
 * a service starts it again (l4lb_net_gc_start()). Both decide under the
 * services lock, so a service created while the worker runs either is
 * seen by it or queues it anew. Rows outlive their service only in a
 * race with its deletion (l4lb_ctl_service_del() removes them at once);
 * the worker goes on until they expire.
 */
static void l4lb_gc_work(struct work_struct *work)
{
	struct l4lb_net *ln = container_of(to_delayed_work(work),
					   struct l4lb_net, gc_work);
	unsigned long period = ULONG_MAX;
	u64 start = ktime_get_ns();
	struct l4lb_service *svc;
	bool idle;

	l4lb_conn_gc_tick(ln->tab, jiffies);

	mutex_lock(&ln->svcs.lock);
	list_for_each_entry(svc, &ln->svcs.list, list) {
		/* The expiry's pace follows the shortest timeouts in use. */
		period = min(period,
			     l4lb_conn_gc_period(svc->timeout, svc->proto));
		l4lb_service_reap(svc, NULL);
	}
	if (period != ULONG_MAX)
		l4lb_conn_gc_set_period(ln->tab, period);
	idle = !ln->svcs.n && !l4lb_conn_count(ln->tab);
	if (!idle)
		queue_delayed_work(system_power_efficient_wq, &ln->gc_work,
				   L4LB_GC_INTERVAL);
	mutex_unlock(&ln->svcs.lock);
	/* Read by the stats (l4lb_nl_stats_fill()); the bench's worker cost. */
	atomic64_inc(&ln->gc_runs);
	atomic64_add(ktime_get_ns() - start, &ln->gc_nsecs);
}

/**
 * l4lb_net_gc_start() - start the expiry worker, unless it runs
 * @ln: namespace state, with its table
 *
 * Called for each new service; the worker stops by itself once the
 * namespace has neither services nor rows.
 *
 * Context: process, svcs.lock held.
 */
void l4lb_net_gc_start(struct l4lb_net *ln)
{
	lockdep_assert_held(&ln->svcs.lock);
	queue_delayed_work(system_power_efficient_wq, &ln->gc_work,
			   L4LB_GC_INTERVAL);
}

/**
 * l4lb_net_gc_stop() - stop the expiry worker and wait for it
 * @ln: namespace state
 *
 * Context: process, svcs.lock not held.
 */
void l4lb_net_gc_stop(struct l4lb_net *ln)
{
	cancel_delayed_work_sync(&ln->gc_work);
}

/**
 * l4lb_net_table_limits() - the size and limits of a namespace's NAT table
 * @net: the namespace
 * @lim: out
 *
 * The module parameters conn_tab_bits, conn_max and syn_max. A namespace
 * owned by a user namespace other than the initial one (a container's, or
 * any user's after unshare -Urn) gets no more than their defaults: the
 * parameters are the host administrator's, and a table raised for the
 * host must not become what every user can allocate. Nothing else sets
 * them; no request of a namespace can raise them.
 *
 * Context: any.
 */
void l4lb_net_table_limits(const struct net *net,
			   struct l4lb_table_limits *lim)
{
	lim->bits = l4lb_conn_tab_bits;
	lim->conn_max = l4lb_conn_max;
	lim->syn_max = l4lb_syn_max;
	if (net->user_ns == &init_user_ns)
		return;
	lim->bits = min_t(unsigned int, lim->bits, L4LB_CONN_TAB_BITS_DEFAULT);
	lim->conn_max = min_t(unsigned int, lim->conn_max,
			      L4LB_CONN_MAX_DEFAULT);
	/* syn_max's default is half of conn_max's. */
	lim->syn_max = min3(lim->syn_max, lim->conn_max,
			    L4LB_CONN_MAX_DEFAULT / 2);
}

/**
 * l4lb_net_conn_max() - the most rows a namespace's table holds
 * @ln: namespace state
 *
 * Context: any.
 * Return: its table's limit, or the one it will get.
 */
unsigned int l4lb_net_conn_max(const struct l4lb_net *ln)
{
	struct l4lb_table_limits lim;

	if (ln->tab)
		return ln->tab->max;
	l4lb_net_table_limits(ln->net, &lim);
	return lim.conn_max;
}

/**
 * l4lb_net_init() - set up l4lb's state in a new namespace
 * @ln: the zeroed state
 * @net: the namespace
 *
 * No service exists, no table and no hook until one is configured.
 *
 * Context: process (pernet init).
 * Return: 0 or -ENOMEM.
 */
int l4lb_net_init(struct l4lb_net *ln, struct net *net)
{
	ln->net = net;
	l4lb_services_init(&ln->svcs);
	INIT_DEFERRABLE_WORK(&ln->gc_work, l4lb_gc_work);
	ln->stats = netdev_alloc_pcpu_stats(struct l4lb_stats);
	return ln->stats ? 0 : -ENOMEM;
}

/**
 * l4lb_net_exit() - free what l4lb_net_init() allocated
 * @ln: the state; its services, table and hooks are gone
 *
 * Context: process (pernet exit).
 */
void l4lb_net_exit(struct l4lb_net *ln)
{
	free_percpu(ln->stats);
}
