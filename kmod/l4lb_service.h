/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: virtual services: their keys, lookup, selection and settings.
 *
 * A namespace holds any number of services, each keyed by (VIP, port,
 * protocol), so a TCP and a UDP service may share one VIP:port.
 *
 * Locking:
 *  - struct l4lb_services::lock (a mutex) serialises every control-plane
 *    change of a namespace: the service list, service settings, the backend
 *    lists, the schedulers.
 *  - The packet path finds a service in l4lb_services::hash, and reads its
 *    backend array and scheduler, under RCU only. Backend arrays are
 *    replaced whole (RCU copy-update), so a reader never sees a
 *    half-updated list; the old array is freed after a grace period.
 *  - Removal of a backend is published by a new array; a CPU that read the
 *    old array just before may still schedule one new connection to the
 *    removed backend within that grace period. Its row then drains like
 *    the others.
 *  - A row reaches its service through conn->backend->svc. A service is
 *    deleted by unhashing it, waiting for the packet path to let go of it
 *    (synchronize_net(), so no new row can be created for it), removing
 *    its rows, and freeing it after an RCU grace period.
 */
#ifndef _L4LB_SERVICE_H
#define _L4LB_SERVICE_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/netlink.h>
#include <linux/types.h>

#include "../include/uapi/l4lb.h"

struct l4lb_addrs;
struct l4lb_backend;
struct l4lb_backend_array;
struct l4lb_sched_inst;
struct net;

/*
 * Timeout defaults, in seconds. IPVS's (ip_vs_proto_tcp.c, ip_vs_proto_udp.c)
 * but for two: a closed row lingers 3 s, enough to translate the first
 * retransmissions of a last FIN or ACK at Linux's 200 ms minimum RTO (DPVS's
 * full-NAT TIME_WAIT is 7 s); an unreplied UDP row lives nf_conntrack's 30 s.
 */
#define L4LB_DEFAULT_TIMEOUT_TCP		900
#define L4LB_DEFAULT_TIMEOUT_TCP_FIN		120
#define L4LB_DEFAULT_TIMEOUT_TCP_CLOSE		3
#define L4LB_DEFAULT_TIMEOUT_SYN		60
#define L4LB_DEFAULT_TIMEOUT_UDP		300
#define L4LB_DEFAULT_TIMEOUT_UDP_UNREPLIED	30

/* The default virtual port, host byte order. */
#define L4LB_DEFAULT_PORT		20000

/** L4LB_SVC_TAB_BITS - log2 of the buckets of a namespace's service hash */
#define L4LB_SVC_TAB_BITS	8

/**
 * struct l4lb_services - the services of one network namespace
 * @lock: serialises control-plane changes (process context)
 * @list: every service, in creation order (@lock)
 * @n: number of services; written under @lock, read locklessly by the
 *	packet path to skip namespaces without any
 * @nbackends: number of backends over every service, removed ones not
 *	yet reaped included (@lock); svc_max and backend_max bound @n and
 *	@nbackends
 * @hash: the services hashed by key, for the packet path (RCU)
 * @gone: called by l4lb_service_reap() for each removed backend whose last
 *	row ended, just before the service lets go of it; process context,
 *	@lock held. Set by a higher layer (l4lb_event.c) when the namespace
 *	is set up; NULL for none.
 */
struct l4lb_services {
	struct mutex lock;		/* control plane, see above */
	struct list_head list;
	unsigned int n;
	unsigned int nbackends;
	struct hlist_head hash[1 << L4LB_SVC_TAB_BITS];
	void (*gone)(struct l4lb_services *svcs, struct l4lb_backend *be);
};

/**
 * struct l4lb_service - a virtual service (VIP:port/protocol)
 * @hnode: link in l4lb_services::hash (RCU)
 * @list: link in l4lb_services::list (l4lb_services::lock)
 * @owner: the services it belongs to
 * @af: AF_INET or AF_INET6, the family of every address of the service;
 *	part of the key, fixed
 * @vip: virtual address, network byte order; .ip of an AF_INET service,
 *	the rest zero; part of the key, fixed
 * @port: virtual port, network byte order; part of the key, fixed
 * @proto: IPPROTO_TCP or IPPROTO_UDP; part of the key, fixed
 * @snat: the SNAT pool (RCU; replaced whole under l4lb_services::lock);
 *	NULL selects the primary address of the interface that routes to
 *	the backend, as MASQUERADE does
 * @peers: the other nodes of the service (RCU; replaced whole under
 *	l4lb_services::lock); NULL for none (l4lb_peer.h)
 * @snat_fail: new connections refused for want of a free SNAT address and
 *	port towards the chosen backend
 * @timeout: idle timeout of a row in each enum l4lb_conn_state, in jiffies;
 *	timeout[L4LB_CONN_PERSIST] is the persistence time, 0 for none
 * @client_addr: enum l4lb_client_addr; read locklessly (READ_ONCE). Not
 *	yet used by the packet path.
 * @backends: every backend, removed ones included (l4lb_services::lock)
 * @arr: the schedulable backends (RCU)
 * @sched: the scheduler and its per-service data (RCU)
 * @rcu: deferred free
 */
struct l4lb_service {
	struct hlist_node hnode;
	struct list_head list;
	struct l4lb_services *owner;
	union nf_inet_addr vip;
	__be16 port;
	u8 proto;
	u8 af;
	struct l4lb_addrs __rcu *snat;
	struct l4lb_addrs __rcu *peers;
	atomic64_t snat_fail;
	unsigned long timeout[L4LB_CONN_STATE_MAX + 1];
	u8 client_addr;
	struct list_head backends;
	struct l4lb_backend_array __rcu *arr;
	struct l4lb_sched_inst __rcu *sched;
	struct rcu_head rcu;
};

/**
 * struct l4lb_service_cfg - service settings requested by the control plane
 * @af: AF_INET or AF_INET6, the family of @vip and @snat
 * @vip: virtual address, network byte order (.ip of an AF_INET service,
 *	the rest zero)
 * @port: virtual port, network byte order
 * @proto: IPPROTO_TCP or IPPROTO_UDP
 * @snat: the SNAT pool, network byte order, in a pool's order
 *	(l4lb_addrs_sort()); of @af, as @vip
 * @nsnat: the number of addresses in @snat; 0 for automatic
 * @peers: the service's peers, IPv4, network byte order, ascending
 *	(l4lb_addrs_sort() order)
 * @npeers: the number of addresses in @peers; 0 for none
 * @sched: scheduler name
 * @timeout: seconds, indexed like l4lb_service::timeout;
 *	timeout[L4LB_CONN_PERSIST] is the persistence time, 0 for none
 * @client_addr: enum l4lb_client_addr
 */
struct l4lb_service_cfg {
	u8 af;
	union nf_inet_addr vip;
	__be16 port;
	u8 proto;
	union nf_inet_addr snat[L4LB_SNAT_POOL_MAX];
	unsigned int nsnat;
	__be32 peers[L4LB_PEERS_MAX];
	unsigned int npeers;
	char sched[L4LB_SCHED_NAME_MAX];
	unsigned int timeout[L4LB_CONN_STATE_MAX + 1];
	u8 client_addr;
};

/**
 * struct l4lb_svc_sel - a service selector, as in the uapi header
 * @af: AF_INET or AF_INET6; 0 matches any
 * @vip: virtual address, network byte order; all zero matches any
 * @port: virtual port, network byte order; 0 matches any
 * @proto: IPPROTO_TCP or IPPROTO_UDP; 0 matches any
 *
 * An all-zero selector names the one service of a namespace that has one.
 */
struct l4lb_svc_sel {
	u8 af;
	union nf_inet_addr vip;
	__be16 port;
	u8 proto;
};

/**
 * enum l4lb_timeout_kind - the timeouts users set, each covering states
 * @L4LB_TO_TCP: ESTABLISHED
 * @L4LB_TO_TCP_FIN: not yet closed after a FIN: FIN_WAIT, CLOSE_WAIT, and
 *	LAST_ACK (both FINs seen, the last one not yet acknowledged)
 * @L4LB_TO_TCP_CLOSE: closed, the last FIN acknowledged or a RST:
 *	TIME_WAIT and CLOSE
 * @L4LB_TO_SYN: SYN_SENT and SYN_RECV
 * @L4LB_TO_UDP: confirmed UDP flows (UDP)
 * @L4LB_TO_UDP_UNREPLIED: UDP flows it has not (UDP_UNREPLIED)
 * @L4LB_TO_PERSIST: persistence templates (0 disables persistence)
 */
enum l4lb_timeout_kind {
	L4LB_TO_TCP,
	L4LB_TO_TCP_FIN,
	L4LB_TO_TCP_CLOSE,
	L4LB_TO_SYN,
	L4LB_TO_UDP,
	L4LB_TO_UDP_UNREPLIED,
	L4LB_TO_PERSIST,
};

int l4lb_service_cfg_check(const struct l4lb_service_cfg *cfg,
			   struct netlink_ext_ack *extack);

void l4lb_service_cfg_default(struct l4lb_service_cfg *cfg);
void l4lb_service_cfg_timeout(struct l4lb_service_cfg *cfg,
			      enum l4lb_timeout_kind kind, unsigned int secs);
void l4lb_service_cfg_get(const struct l4lb_service *svc,
			  struct l4lb_service_cfg *cfg);
bool l4lb_service_cfg_equal(const struct l4lb_service_cfg *a,
			    const struct l4lb_service_cfg *b);

void l4lb_services_init(struct l4lb_services *svcs);
struct l4lb_service *l4lb_service_find_rcu(struct l4lb_services *svcs, u8 af,
					   const union nf_inet_addr *vip,
					   __be16 port, u8 proto);
struct l4lb_service *l4lb_service_find(struct l4lb_services *svcs, u8 af,
				       const union nf_inet_addr *vip,
				       __be16 port, u8 proto);
struct l4lb_service *l4lb_service_select(struct l4lb_services *svcs,
					 const struct l4lb_svc_sel *sel,
					 struct netlink_ext_ack *extack);
struct l4lb_service *l4lb_service_create(struct l4lb_services *svcs,
					 const struct l4lb_service_cfg *cfg,
					 struct netlink_ext_ack *extack);
int l4lb_service_change(struct l4lb_service *svc,
			const struct l4lb_service_cfg *cfg,
			struct netlink_ext_ack *extack);
void l4lb_service_unhash(struct l4lb_service *svc);
void l4lb_service_destroy(struct l4lb_service *svc);

struct l4lb_backend *l4lb_service_backend(struct l4lb_service *svc,
					  const union nf_inet_addr *addr,
					  __be16 port);
unsigned int l4lb_service_nbackends(struct l4lb_service *svc);
int l4lb_service_publish(struct l4lb_service *svc);
int l4lb_service_sched_update(struct l4lb_service *svc);
void l4lb_service_reap(struct l4lb_service *svc, struct l4lb_backend *only);

/**
 * l4lb_service_snat_failed() - count a connection refused for want of a
 *	SNAT address and port
 * @svc: the service
 *
 * Context: any.
 */
static inline void l4lb_service_snat_failed(struct l4lb_service *svc)
{
	atomic64_inc(&svc->snat_fail);
}

/**
 * l4lb_service_snat_failures() - the connections refused so far
 * @svc: the service
 *
 * Context: any.
 * Return: how many l4lb_service_snat_failed() counted.
 */
static inline u64 l4lb_service_snat_failures(const struct l4lb_service *svc)
{
	return atomic64_read(&svc->snat_fail);
}

#endif /* _L4LB_SERVICE_H */
