/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: the virtual service, its backends, and the per-namespace state.
 *
 * A namespace holds any number of services, each keyed by (VIP, port,
 * protocol), so a TCP and a UDP service may share one VIP:port.
 *
 * Locking:
 *  - struct l4lb_net::lock (a mutex) serialises every control-plane change
 *    of a namespace: the service list, service settings, the backend lists,
 *    the schedulers.
 *  - The packet path finds a service in l4lb_net::svc_tab, and reads its
 *    backend set and scheduler, under RCU only. Backend sets are replaced
 *    whole (RCU copy-update), so a reader never sees a half-updated list;
 *    the old set is freed after a grace period.
 *  - Backend fields read on the packet path (state, weight) are written with
 *    WRITE_ONCE() under the mutex and read with READ_ONCE().
 *  - A backend is reference counted: one reference for the service's list,
 *    one per NAT row. It is freed after a grace period once the last one is
 *    gone, so a removed backend drains: its rows keep working until they end.
 *  - Removal is published by a new backend set; a CPU that read the old set
 *    just before may still schedule one new connection to the removed
 *    backend within that RCU grace period. Its row then drains like the
 *    others. Readers take their reference with refcount_inc_not_zero(), so
 *    they never resurrect a backend being freed.
 *  - A row reaches its service through conn->backend->svc. A service is
 *    deleted by unhashing it, waiting for the packet path to let go of it
 *    (synchronize_net(), so no new row can be created for it), removing
 *    its rows, and freeing it after an RCU grace period.
 */
#ifndef _L4LB_SERVICE_H
#define _L4LB_SERVICE_H

#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/refcount.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "../include/uapi/l4lb.h"
#include "l4lb_conn.h"

struct l4lb_sched_inst;
struct proc_dir_entry;

/* Timeout defaults, in seconds: IPVS's (ip_vs_proto_tcp.c, ip_vs_proto_udp.c). */
#define L4LB_DEFAULT_TIMEOUT_TCP	900
#define L4LB_DEFAULT_TIMEOUT_TCP_FIN	120
#define L4LB_DEFAULT_TIMEOUT_SYN	60
#define L4LB_DEFAULT_TIMEOUT_UDP	300
#define L4LB_TIMEOUT_CLOSE		10	/* after a RST */
#define L4LB_TIMEOUT_MAX		(7 * 24 * 3600)

/* The SNAT ports, host byte order, less the local ephemeral range. */
#define L4LB_SNAT_PORT_LO		1024
#define L4LB_SNAT_PORT_HI		65535

/** L4LB_BACKENDS_MAX - most backends a service may have */
#define L4LB_BACKENDS_MAX		4096

/**
 * struct l4lb_be_stats - per-CPU traffic counters of a backend
 * @conns: rows created towards the backend
 * @pkts_in: packets client -> backend
 * @pkts_out: packets backend -> client
 * @bytes_in: IP bytes client -> backend
 * @bytes_out: IP bytes backend -> client
 * @syncp: u64 consistency on 32-bit
 */
struct l4lb_be_stats {
	u64_stats_t conns;
	u64_stats_t pkts_in;
	u64_stats_t pkts_out;
	u64_stats_t bytes_in;
	u64_stats_t bytes_out;
	struct u64_stats_sync syncp;
};

/**
 * struct l4lb_backend - a backend (real server)
 * @list: link in l4lb_service::backends (under l4lb_net::lock)
 * @svc: the service it belongs to
 * @addr: address, network byte order
 * @port: port, network byte order
 * @weight: 0..L4LB_WEIGHT_MAX; 0 takes no new connections
 * @state: enum l4lb_be_state
 * @removed: deleted from the service; draining until its last row ends
 * @refcnt: 1 for the service list + 1 per row
 * @active: rows in ESTABLISHED
 * @inactive: rows in any other state
 * @snat_next: where the next SNAT port search towards it starts, as an
 *	offset into the SNAT port range; random at first
 * @stats: per-CPU traffic counters
 * @rcu: deferred free
 */
struct l4lb_backend {
	struct list_head list;
	struct l4lb_service *svc;
	__be32 addr;
	__be16 port;
	u32 weight;
	u8 state;
	bool removed;
	refcount_t refcnt;
	atomic_t active;
	atomic_t inactive;
	atomic_t snat_next;
	struct l4lb_be_stats __percpu *stats;
	struct rcu_head rcu;
};

/**
 * struct l4lb_backend_set - the backends a scheduler may choose from
 * @rcu: deferred free
 * @n: number of entries in @be
 * @be: backends not removed, in the order they were added; each may still
 *	be down, draining or of weight 0, which schedulers must skip
 */
struct l4lb_backend_set {
	struct rcu_head rcu;
	unsigned int n;
	struct l4lb_backend *be[];
};

/**
 * struct l4lb_service - a virtual service (VIP:port/protocol)
 * @hnode: link in l4lb_net::svc_tab, hashed by the key (RCU)
 * @list: link in l4lb_net::services, in creation order (l4lb_net::lock)
 * @ln: the namespace state it belongs to
 * @vip: virtual address, network byte order; part of the key, fixed
 * @port: virtual port, network byte order; part of the key, fixed
 * @proto: IPPROTO_TCP or IPPROTO_UDP; part of the key, fixed
 * @snat_addr: SNAT address; 0 selects the primary address of the interface
 *	that routes to the backend, as MASQUERADE does
 * @timeout: idle timeout of a row in each enum l4lb_conn_state, in jiffies;
 *	timeout[L4LB_CONN_PERSIST] is the persistence time, 0 for none
 * @backends: every backend, removed ones included (under l4lb_net::lock)
 * @set: the schedulable backends (RCU)
 * @sched: the scheduler and its per-service data (RCU)
 * @rcu: deferred free
 */
struct l4lb_service {
	struct hlist_node hnode;
	struct list_head list;
	struct l4lb_net *ln;
	__be32 vip;
	__be16 port;
	u8 proto;
	__be32 snat_addr;
	unsigned long timeout[L4LB_CONN_STATE_MAX + 1];
	struct list_head backends;
	struct l4lb_backend_set __rcu *set;
	struct l4lb_sched_inst __rcu *sched;
	struct rcu_head rcu;
};

/**
 * struct l4lb_stats - per-CPU global counters of a namespace
 * @created: rows created
 * @drop: drops by reason, indexed by enum l4lb_drop
 * @syncp: u64 consistency on 32-bit
 */
enum l4lb_drop {
	L4LB_DROP_NO_BACKEND,
	L4LB_DROP_TABLE_FULL,
	L4LB_DROP_NO_MEMORY,
	L4LB_DROP_NO_ROUTE,
	L4LB_DROP_NO_SNAT_PORT,
	L4LB_DROP_MALFORMED,
	L4LB_DROP_MTU,
	L4LB_STRAY,
	L4LB_FRAGMENT,
	L4LB_ICMP,
	L4LB_DROP_SYN_LIMIT,
	L4LB_DROP_MAX,
};

struct l4lb_stats {
	u64_stats_t created;
	u64_stats_t drop[L4LB_DROP_MAX];
	struct u64_stats_sync syncp;
};

/** L4LB_SVC_TAB_BITS - log2 of the buckets of a namespace's service table */
#define L4LB_SVC_TAB_BITS	8

/**
 * struct l4lb_net - l4lb's state in one network namespace
 * @net: the namespace
 * @lock: serialises control-plane changes (process context)
 * @services: every service, in creation order (@lock)
 * @nsvc: number of services; written under @lock, read locklessly by the
 *	packet path to skip namespaces without any
 * @svc_tab: the services hashed by key, for the packet path (RCU)
 * @tab: the NAT table; allocated with the first service, freed with the
 *	namespace; never changes in between
 * @stats: per-CPU counters
 * @hooks: true once the netfilter hooks are registered
 * @gc_work: periodic expiry of rows and reaping of drained backends
 * @proc_dir: /proc/net/l4lb
 */
struct l4lb_net {
	struct net *net;
	struct mutex lock;		/* control plane, see above */
	struct list_head services;
	unsigned int nsvc;
	struct hlist_head svc_tab[1 << L4LB_SVC_TAB_BITS];
	struct l4lb_conn_table *tab;
	struct l4lb_stats __percpu *stats;
	bool hooks;
	struct delayed_work gc_work;
	struct proc_dir_entry *proc_dir;
};

/**
 * struct l4lb_service_cfg - service settings requested by the control plane
 * @vip: virtual address, network byte order
 * @port: virtual port, network byte order
 * @proto: IPPROTO_TCP or IPPROTO_UDP
 * @snat_addr: SNAT address or 0 for automatic
 * @sched: scheduler name
 * @timeout: seconds, indexed like l4lb_service::timeout;
 *	timeout[L4LB_CONN_PERSIST] is the persistence time, 0 for none
 */
struct l4lb_service_cfg {
	__be32 vip;
	__be16 port;
	u8 proto;
	__be32 snat_addr;
	char sched[L4LB_SCHED_NAME_MAX];
	unsigned int timeout[L4LB_CONN_STATE_MAX + 1];
};

/**
 * struct l4lb_svc_sel - a service selector, as in the uapi header
 * @vip: virtual address, network byte order; 0 matches any
 * @port: virtual port, network byte order; 0 matches any
 * @proto: IPPROTO_TCP or IPPROTO_UDP; 0 matches any
 *
 * An all-zero selector names the one service of a namespace that has one.
 */
struct l4lb_svc_sel {
	__be32 vip;
	__be16 port;
	u8 proto;
};

/* The pernet id of struct l4lb_net (l4lb_main.c). */
extern unsigned int l4lb_net_id;

/**
 * enum l4lb_timeout_kind - the timeouts users set, each covering states
 * @L4LB_TO_TCP: ESTABLISHED
 * @L4LB_TO_TCP_FIN: every state after a FIN: FIN_WAIT, CLOSE_WAIT,
 *	LAST_ACK and TIME_WAIT
 * @L4LB_TO_SYN: SYN_SENT and SYN_RECV
 * @L4LB_TO_UDP: UDP flows
 * @L4LB_TO_PERSIST: persistence templates (0 disables persistence)
 */
enum l4lb_timeout_kind {
	L4LB_TO_TCP,
	L4LB_TO_TCP_FIN,
	L4LB_TO_SYN,
	L4LB_TO_UDP,
	L4LB_TO_PERSIST,
};

void l4lb_service_cfg_timeout(struct l4lb_service_cfg *cfg,
			      enum l4lb_timeout_kind kind, unsigned int secs);

/* Module-wide settings from the parameters, fixed at load. */
extern unsigned int l4lb_conn_tab_bits;
extern unsigned int l4lb_conn_max;
extern unsigned int l4lb_syn_max;

struct l4lb_net *l4lb_pernet(const struct net *net);

void l4lb_stats_inc(struct l4lb_net *ln, enum l4lb_drop why);
void l4lb_stats_created(struct l4lb_net *ln);
void l4lb_stats_read(struct l4lb_net *ln, u64 *created, u64 *drop);

void l4lb_service_cfg_default(struct l4lb_service_cfg *cfg);
void l4lb_service_cfg_get(const struct l4lb_service *svc,
			  struct l4lb_service_cfg *cfg);
struct l4lb_service *l4lb_service_find_rcu(struct l4lb_net *ln, __be32 vip,
					   __be16 port, u8 proto);
struct l4lb_service *l4lb_service_select(struct l4lb_net *ln,
					 const struct l4lb_svc_sel *sel,
					 struct netlink_ext_ack *extack);
int l4lb_service_set(struct l4lb_net *ln, const struct l4lb_service_cfg *cfg,
		     struct netlink_ext_ack *extack);
int l4lb_service_del(struct l4lb_net *ln, const struct l4lb_svc_sel *sel,
		     struct netlink_ext_ack *extack);
int l4lb_service_flush(struct l4lb_net *ln, const struct l4lb_svc_sel *sel,
		       struct netlink_ext_ack *extack);

int l4lb_backend_add(struct l4lb_net *ln, const struct l4lb_svc_sel *sel,
		     __be32 addr, __be16 port, u32 weight, u8 state,
		     struct netlink_ext_ack *extack);
int l4lb_backend_del(struct l4lb_net *ln, const struct l4lb_svc_sel *sel,
		     __be32 addr, __be16 port, bool now,
		     struct netlink_ext_ack *extack);
int l4lb_backend_set(struct l4lb_net *ln, const struct l4lb_svc_sel *sel,
		     __be32 addr, __be16 port, const u32 *weight,
		     const u8 *state, bool now, struct netlink_ext_ack *extack);
bool l4lb_backend_usable(const struct l4lb_backend *be);
struct l4lb_backend *l4lb_backend_get_rcu(struct l4lb_backend *be);
void l4lb_backend_put(struct l4lb_backend *be);
void l4lb_backend_conn_release(struct l4lb_conn *conn);
void l4lb_backend_conn_state(struct l4lb_conn *conn, u8 old, u8 new);
void l4lb_backend_account(struct l4lb_backend *be, bool in, unsigned int len);

int l4lb_net_init(struct l4lb_net *ln, struct net *net);
void l4lb_net_exit(struct l4lb_net *ln);

#endif /* _L4LB_SERVICE_H */
