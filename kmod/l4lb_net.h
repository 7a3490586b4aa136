/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: its state in one network namespace, the namespace's counters and
 * the expiry worker.
 *
 * Locking: @tab and @hooks change under l4lb_services::lock (svcs.lock);
 * @tab is set before the hooks are registered and freed after they are
 * gone, so the packet path reads it without a lock.
 */
#ifndef _L4LB_NET_H
#define _L4LB_NET_H

#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "l4lb_service.h"

struct l4lb_conn_table;
struct proc_dir_entry;

/**
 * enum l4lb_drop - why the packet path dropped a packet
 * @L4LB_DROP_NO_BACKEND: a new flow found no usable backend
 * @L4LB_DROP_TABLE_FULL: a new flow found the table at conn_max
 * @L4LB_DROP_NO_MEMORY: an allocation failed
 * @L4LB_DROP_NO_ROUTE: no route towards the new destination
 * @L4LB_DROP_NO_SNAT_PORT: a new flow found no free SNAT port
 * @L4LB_DROP_MALFORMED: bad headers
 * @L4LB_DROP_MTU: too big or TTL expired; ICMP sent back
 * @L4LB_DROP_SYN_LIMIT: a new flow (a TCP SYN, a UDP flow's first
 *	datagram) found the half-open rows at syn_max
 * @L4LB_DROP_MAX: the number of reasons
 */
enum l4lb_drop {
	L4LB_DROP_NO_BACKEND,
	L4LB_DROP_TABLE_FULL,
	L4LB_DROP_NO_MEMORY,
	L4LB_DROP_NO_ROUTE,
	L4LB_DROP_NO_SNAT_PORT,
	L4LB_DROP_MALFORMED,
	L4LB_DROP_MTU,
	L4LB_DROP_SYN_LIMIT,
	L4LB_DROP_MAX,
};

/**
 * enum l4lb_event - what else the packet path counts
 * @L4LB_EV_STRAY: a TCP non-SYN for a VIP with no row, passed on
 * @L4LB_EV_FRAGMENT: a non-first fragment, passed on (defrag disabled)
 * @L4LB_EV_ICMP: an ICMP error about a row translated
 * @L4LB_EV_RST_IGNORED: a RST outside the receiver's window, passed on
 * @L4LB_EV_RECLAIM_UNCONFIRMED: an unconfirmed row gave its SNAT port up
 * @L4LB_EV_RECLAIM_CLOSED: a closed row gave its SNAT port up
 * @L4LB_EV_RESET_SENT: a RST sent to a backend on a reclaimed tuple
 *	without ending its row
 * @L4LB_EV_TOA_NO_ROOM: a segment sent without the TOA option it should
 *	have carried, for want of room
 * @L4LB_EV_PROXY_SYN_DATA: a SYN's data dropped on a PROXY protocol service
 * @L4LB_EV_PEER_SENT: a TCP non-SYN with no row sent to the service's peers
 * @L4LB_EV_PEER_MISS: a TCP non-SYN from a peer (IPIP) with no row, dropped
 * @L4LB_EV_MAX: the number of events
 */
enum l4lb_event {
	L4LB_EV_STRAY,
	L4LB_EV_FRAGMENT,
	L4LB_EV_ICMP,
	L4LB_EV_RST_IGNORED,
	L4LB_EV_RECLAIM_UNCONFIRMED,
	L4LB_EV_RECLAIM_CLOSED,
	L4LB_EV_RESET_SENT,
	L4LB_EV_TOA_NO_ROOM,
	L4LB_EV_PROXY_SYN_DATA,
	L4LB_EV_PEER_SENT,
	L4LB_EV_PEER_MISS,
	L4LB_EV_MAX,
};

/**
 * struct l4lb_stats - per-CPU counters of a namespace
 * @created: rows created
 * @drop: drops, indexed by enum l4lb_drop
 * @event: other events, indexed by enum l4lb_event
 * @syncp: u64 consistency on 32-bit
 */
struct l4lb_stats {
	u64_stats_t created;
	u64_stats_t drop[L4LB_DROP_MAX];
	u64_stats_t event[L4LB_EV_MAX];
	struct u64_stats_sync syncp;
};

/**
 * struct l4lb_stats_sum - a namespace's counters, summed over the CPUs
 * @created: rows created
 * @drop: drops, indexed by enum l4lb_drop
 * @event: other events, indexed by enum l4lb_event
 */
struct l4lb_stats_sum {
	u64 created;
	u64 drop[L4LB_DROP_MAX];
	u64 event[L4LB_EV_MAX];
};

/**
 * struct l4lb_net - l4lb's state in one network namespace
 * @net: the namespace
 * @svcs: its services; svcs.lock is the control plane's lock
 * @tab: the NAT table; allocated with the first service, freed with the
 *	namespace; never changes in between
 * @stats: per-CPU counters
 * @hooks: the families whose netfilter hooks are registered: BIT(0) IPv4,
 *	BIT(1) IPv6 (l4lb_hooks_register())
 * @bridged: true once the hooks past br_netfilter are registered, at the
 *	namespace's first bridge (l4lb_bridge.c); written under RTNL
 * @gc_work: periodic expiry of rows and reaping of drained backends;
 *	queued only while the namespace has a service or a row
 * @proc_dir: /proc/net/l4lb
 * @full_event_at: jiffies when the last L4LB_EVENT_TABLE_FULL was sent;
 *	l4lb_event.c's, which rate-limits them with cmpxchg()
 * @gc_runs: runs of @gc_work (L4LB_STATS_ATTR_GC_RUNS)
 * @gc_nsecs: nanoseconds @gc_work took, from its start to its end, summed
 *	(L4LB_STATS_ATTR_GC_NSECS); written only by @gc_work, which never
 *	runs twice at once
 */
struct l4lb_net {
	struct net *net;
	struct l4lb_services svcs;
	struct l4lb_conn_table *tab;
	struct l4lb_stats __percpu *stats;
	unsigned int hooks;
	bool bridged;
	struct delayed_work gc_work;
	struct proc_dir_entry *proc_dir;
	unsigned long full_event_at;
	atomic64_t gc_runs;
	atomic64_t gc_nsecs;
};

/* Defaults of the module-wide settings below. A namespace owned by a user
 * namespace other than the initial one never gets a NAT table bigger than
 * the defaults (l4lb_net_table_limits()).
 */
#define L4LB_CONN_TAB_BITS_DEFAULT	16
#define L4LB_CONN_MAX_DEFAULT		1048576
#define L4LB_SVC_MAX_DEFAULT		4096
#define L4LB_BACKEND_MAX_DEFAULT	65536

/* The largest values svc_max and backend_max accept. */
#define L4LB_SVC_MAX_LIMIT		1048576U
#define L4LB_BACKEND_MAX_LIMIT		16777216U

/* Module-wide settings of every namespace, fixed at load (module
 * parameters, l4lb_params.c): the size and limits of each NAT table, and
 * the most services and backends each namespace may hold.
 */
extern unsigned int l4lb_conn_tab_bits;
extern unsigned int l4lb_conn_max;
extern unsigned int l4lb_syn_max;
extern unsigned int l4lb_svc_max;
extern unsigned int l4lb_backend_max;

/**
 * struct l4lb_table_limits - the size and limits of a namespace's NAT table
 * @bits: log2 of its bucket count
 * @conn_max: most rows
 * @syn_max: most half-open rows
 */
struct l4lb_table_limits {
	unsigned int bits;
	unsigned int conn_max;
	unsigned int syn_max;
};

extern unsigned int l4lb_net_id;

struct l4lb_net *l4lb_pernet(const struct net *net);
int l4lb_net_init(struct l4lb_net *ln, struct net *net);
void l4lb_net_exit(struct l4lb_net *ln);
void l4lb_net_gc_start(struct l4lb_net *ln);
void l4lb_net_gc_stop(struct l4lb_net *ln);
void l4lb_net_table_limits(const struct net *net,
			   struct l4lb_table_limits *lim);
unsigned int l4lb_net_conn_max(const struct l4lb_net *ln);

void l4lb_stats_drop(struct l4lb_net *ln, enum l4lb_drop why);
void l4lb_stats_event(struct l4lb_net *ln, enum l4lb_event what);
void l4lb_stats_created(struct l4lb_net *ln);
void l4lb_stats_read(struct l4lb_net *ln, struct l4lb_stats_sum *sum);

#endif /* _L4LB_NET_H */
