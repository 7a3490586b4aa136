// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: the attributes of the generic netlink family's replies, one
 * object each (include/uapi/l4lb.h).
 */
#include <net/netlink.h>

#include "../include/uapi/l4lb.h"
#include "l4lb_backend.h"
#include "l4lb_conn.h"
#include "l4lb_net.h"
#include "l4lb_netlink_msg.h"
#include "l4lb_service.h"
#include "l4lb_snat.h"

/*
 * Put the address @a of family @af: @attr4 (be32) for AF_INET, @attr6
 * (struct in6_addr) for AF_INET6.
 */
static int l4lb_nl_put_addr(struct sk_buff *msg, u8 af, int attr4, int attr6,
			    const union nf_inet_addr *a)
{
	if (af == AF_INET6)
		return nla_put_in6_addr(msg, attr6, &a->in6);
	return nla_put_in_addr(msg, attr4, a->ip);
}

/**
 * l4lb_nl_svc_key_fill() - put a service's key in a L4LB_ATTR_SERVICE nest
 * @msg: the message
 * @svc: the service
 *
 * Context: any; the key never changes, so the services lock or the RCU
 * read side that keeps @svc alive is enough.
 * Return: 0 or -EMSGSIZE.
 */
int l4lb_nl_svc_key_fill(struct sk_buff *msg, const struct l4lb_service *svc)
{
	struct nlattr *nest = nla_nest_start(msg, L4LB_ATTR_SERVICE);

	if (!nest ||
	    nla_put_u16(msg, L4LB_SVC_ATTR_AF, svc->af) ||
	    l4lb_nl_put_addr(msg, svc->af, L4LB_SVC_ATTR_VIP,
			     L4LB_SVC_ATTR_VIP6, &svc->vip) ||
	    nla_put_be16(msg, L4LB_SVC_ATTR_PORT, svc->port) ||
	    nla_put_u8(msg, L4LB_SVC_ATTR_PROTO, svc->proto))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/**
 * l4lb_nl_svc_get() - what a reply or an event says of a service: its
 *	settings, SNAT failures and the namespace's conn_max
 * @ln: the namespace
 * @svc: one of its services
 * @r: out, for l4lb_nl_svc_fill(); its @usage is NULL (left out)
 *
 * Context: process, the services lock held.
 */
void l4lb_nl_svc_get(struct l4lb_net *ln, struct l4lb_service *svc,
		     struct l4lb_nl_svc *r)
{
	l4lb_service_cfg_get(svc, &r->cfg);
	r->snat_fail = l4lb_service_snat_failures(svc);
	r->conn_max = l4lb_net_conn_max(ln);
	r->usage = NULL;
}

/* The SNAT pool of @cfg, a L4LB_SVC_ATTR_SNAT_POOL nest of addresses (ADDR
 * or ADDR6 by the service's family).
 */
static int l4lb_nl_snat_pool_fill(struct sk_buff *msg,
				  const struct l4lb_service_cfg *cfg)
{
	struct nlattr *nest = nla_nest_start(msg, L4LB_SVC_ATTR_SNAT_POOL);
	unsigned int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < cfg->nsnat; i++)
		if (l4lb_nl_put_addr(msg, cfg->af, L4LB_SNAT_ATTR_ADDR,
				     L4LB_SNAT_ATTR_ADDR6, &cfg->snat[i]))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* The peers of @cfg, a L4LB_SVC_ATTR_PEERS nest of addresses. */
static int l4lb_nl_peers_fill(struct sk_buff *msg,
			      const struct l4lb_service_cfg *cfg)
{
	struct nlattr *nest = nla_nest_start(msg, L4LB_SVC_ATTR_PEERS);
	unsigned int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < cfg->npeers; i++)
		if (nla_put_in_addr(msg, L4LB_PEER_ATTR_ADDR, cfg->peers[i]))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* @u, a L4LB_SVC_ATTR_SNAT_USAGE nest of entries of family @af. */
static int l4lb_nl_snat_usage_fill(struct sk_buff *msg, u8 af,
				   const struct l4lb_snat_usage *u)
{
	struct nlattr *nest = nla_nest_start(msg, L4LB_SVC_ATTR_SNAT_USAGE);
	struct nlattr *entry;
	unsigned int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < u->n; i++) {
		entry = nla_nest_start(msg, L4LB_SNAT_ATTR_ENTRY);
		if (!entry ||
		    l4lb_nl_put_addr(msg, af, L4LB_SNAT_ATTR_ADDR,
				     L4LB_SNAT_ATTR_ADDR6, &u->e[i].addr) ||
		    nla_put_u32(msg, L4LB_SNAT_ATTR_PORTS_IN_USE,
				u->e[i].ports))
			return -EMSGSIZE;
		nla_nest_end(msg, entry);
	}
	nla_nest_end(msg, nest);
	return 0;
}

/**
 * l4lb_nl_svc_size() - the room a service's L4LB_ATTR_SERVICE nest takes
 * @r: the service's reply, as l4lb_nl_svc_fill() puts it
 *
 * Context: any.
 * Return: the bytes of the nest, attribute headers and padding included:
 * at most L4LB_NL_SVC_SIZE_MAX.
 */
size_t l4lb_nl_svc_size(const struct l4lb_nl_svc *r)
{
	size_t addr = r->cfg.af == AF_INET6 ? sizeof(struct in6_addr) : 4;
	size_t n = nla_total_size(0) +			/* the nest */
		   nla_total_size(2) +			/* AF */
		   nla_total_size(addr) +		/* VIP or VIP6 */
		   nla_total_size(2) +			/* PORT */
		   nla_total_size(1) +			/* PROTO */
		   nla_total_size(L4LB_SCHED_NAME_MAX) +	/* SCHED */
		   nla_total_size(4) +			/* SNAT_ADDR */
		   8 * nla_total_size(4) +		/* timeouts, CONN_MAX */
		   nla_total_size(0) +			/* SNAT_POOL */
		   r->cfg.nsnat * nla_total_size(addr) +
		   nla_total_size_64bit(8) +		/* SNAT_FAIL */
		   nla_total_size(1) +			/* CLIENT_ADDR */
		   nla_total_size(0) +			/* PEERS */
		   r->cfg.npeers * nla_total_size(4);

	if (r->usage)
		n += nla_total_size(0) + r->usage->n *
		     (nla_total_size(0) + nla_total_size(addr) +
		      nla_total_size(4));
	return n;
}

/**
 * l4lb_nl_svc_fill() - put a service's settings, SNAT pool and its use,
 *	and peers in a L4LB_ATTR_SERVICE nest
 * @msg: the message, with l4lb_nl_svc_size() bytes of room
 * @arg: the service's reply, a struct l4lb_nl_svc
 *
 * L4LB_SVC_ATTR_SNAT_ADDR is an AF_INET service's pool's first address, or
 * 0, for tools that predate L4LB_SVC_ATTR_SNAT_POOL; an AF_INET6 service
 * has none. With a full pool and usage the nest of an AF_INET service is
 * about 3.3 KiB, that of an AF_INET6 one about 5.8 KiB: a dump's skbs are
 * at least L4LB_NL_SVC_SIZE_MAX (l4lb_netlink.c).
 *
 * Context: any.
 * Return: 0 or -EMSGSIZE.
 */
int l4lb_nl_svc_fill(struct sk_buff *msg, const void *arg)
{
	const struct l4lb_nl_svc *r = arg;
	const struct l4lb_service_cfg *cfg = &r->cfg;
	struct nlattr *nest = nla_nest_start(msg, L4LB_ATTR_SERVICE);

	if (!nest ||
	    nla_put_u16(msg, L4LB_SVC_ATTR_AF, cfg->af) ||
	    l4lb_nl_put_addr(msg, cfg->af, L4LB_SVC_ATTR_VIP,
			     L4LB_SVC_ATTR_VIP6, &cfg->vip) ||
	    nla_put_be16(msg, L4LB_SVC_ATTR_PORT, cfg->port) ||
	    nla_put_u8(msg, L4LB_SVC_ATTR_PROTO, cfg->proto) ||
	    nla_put_string(msg, L4LB_SVC_ATTR_SCHED, cfg->sched) ||
	    (cfg->af == AF_INET &&
	     nla_put_in_addr(msg, L4LB_SVC_ATTR_SNAT_ADDR,
			     cfg->nsnat ? cfg->snat[0].ip : 0)) ||
	    nla_put_u32(msg, L4LB_SVC_ATTR_TIMEOUT_TCP,
			cfg->timeout[L4LB_CONN_ESTABLISHED]) ||
	    nla_put_u32(msg, L4LB_SVC_ATTR_TIMEOUT_TCP_FIN,
			cfg->timeout[L4LB_CONN_FIN_WAIT]) ||
	    nla_put_u32(msg, L4LB_SVC_ATTR_TIMEOUT_UDP,
			cfg->timeout[L4LB_CONN_UDP]) ||
	    nla_put_u32(msg, L4LB_SVC_ATTR_TIMEOUT_SYN,
			cfg->timeout[L4LB_CONN_SYN_SENT]) ||
	    nla_put_u32(msg, L4LB_SVC_ATTR_PERSISTENCE,
			cfg->timeout[L4LB_CONN_PERSIST]) ||
	    nla_put_u32(msg, L4LB_SVC_ATTR_CONN_MAX, r->conn_max) ||
	    nla_put_u32(msg, L4LB_SVC_ATTR_TIMEOUT_TCP_CLOSE,
			cfg->timeout[L4LB_CONN_TIME_WAIT]) ||
	    nla_put_u32(msg, L4LB_SVC_ATTR_TIMEOUT_UDP_UNREPLIED,
			cfg->timeout[L4LB_CONN_UDP_UNREPLIED]) ||
	    l4lb_nl_snat_pool_fill(msg, cfg) ||
	    nla_put_u64_64bit(msg, L4LB_SVC_ATTR_SNAT_FAIL, r->snat_fail,
			      L4LB_SVC_ATTR_PAD) ||
	    nla_put_u8(msg, L4LB_SVC_ATTR_CLIENT_ADDR, cfg->client_addr) ||
	    l4lb_nl_peers_fill(msg, cfg) ||
	    (r->usage && l4lb_nl_snat_usage_fill(msg, cfg->af, r->usage)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/**
 * l4lb_nl_be_fill() - put a backend and its counters in a L4LB_ATTR_BACKEND
 *	nest
 * @msg: the message
 * @be: the backend
 *
 * Context: process, the services lock held.
 * Return: 0 or -EMSGSIZE.
 */
int l4lb_nl_be_fill(struct sk_buff *msg, struct l4lb_backend *be)
{
	struct l4lb_be_counters c;
	struct nlattr *nest;

	l4lb_backend_counters(be, &c);
	nest = nla_nest_start(msg, L4LB_ATTR_BACKEND);
	if (!nest ||
	    nla_put_u16(msg, L4LB_BE_ATTR_AF, be->svc->af) ||
	    l4lb_nl_put_addr(msg, be->svc->af, L4LB_BE_ATTR_ADDR,
			     L4LB_BE_ATTR_ADDR6, &be->addr) ||
	    nla_put_be16(msg, L4LB_BE_ATTR_PORT, be->port) ||
	    nla_put_u32(msg, L4LB_BE_ATTR_WEIGHT, READ_ONCE(be->weight)) ||
	    nla_put_u32(msg, L4LB_BE_ATTR_WEIGHT_PCT,
			READ_ONCE(be->weight_pct)) ||
	    nla_put_u32(msg, L4LB_BE_ATTR_WEIGHT_EFF, l4lb_backend_weight(be)) ||
	    nla_put_u8(msg, L4LB_BE_ATTR_STATE, READ_ONCE(be->state)) ||
	    (be->removed && nla_put_flag(msg, L4LB_BE_ATTR_REMOVED)) ||
	    nla_put_u32(msg, L4LB_BE_ATTR_ACTIVE_CONNS,
			atomic_read(&be->active)) ||
	    nla_put_u32(msg, L4LB_BE_ATTR_INACTIVE_CONNS,
			atomic_read(&be->inactive)) ||
	    nla_put_u64_64bit(msg, L4LB_BE_ATTR_TOTAL_CONNS, c.conns,
			      L4LB_BE_ATTR_PAD) ||
	    nla_put_u64_64bit(msg, L4LB_BE_ATTR_PKTS_IN, c.pkts_in,
			      L4LB_BE_ATTR_PAD) ||
	    nla_put_u64_64bit(msg, L4LB_BE_ATTR_PKTS_OUT, c.pkts_out,
			      L4LB_BE_ATTR_PAD) ||
	    nla_put_u64_64bit(msg, L4LB_BE_ATTR_BYTES_IN, c.bytes_in,
			      L4LB_BE_ATTR_PAD) ||
	    nla_put_u64_64bit(msg, L4LB_BE_ATTR_BYTES_OUT, c.bytes_out,
			      L4LB_BE_ATTR_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/**
 * l4lb_nl_conn_fill() - put a row in a L4LB_ATTR_CONN nest
 * @msg: the message
 * @conn: the row
 *
 * L4LB_CONN_ATTR_AF says the row's family; an AF_INET6 row has the
 * *_ADDR6 attributes in place of the *_ADDR ones.
 *
 * Context: rcu_read_lock() held.
 * Return: 0 or -EMSGSIZE.
 */
int l4lb_nl_conn_fill(struct sk_buff *msg, struct l4lb_conn *conn)
{
	const struct l4lb_tuple *o = &conn->th[L4LB_DIR_ORIG].tuple;
	long left = (long)(READ_ONCE(conn->expires) - jiffies);
	union nf_inet_addr caddr, vaddr, laddr, baddr;
	u8 af = l4lb_conn_af(conn);
	__be16 lport, bport;
	struct nlattr *nest;

	l4lb_conn_addrs(conn, L4LB_DIR_ORIG, &caddr, &vaddr);
	l4lb_backend_conn_endpoints(conn, &laddr, &lport, &baddr, &bport);
	nest = nla_nest_start(msg, L4LB_ATTR_CONN);
	if (!nest ||
	    nla_put_u16(msg, L4LB_CONN_ATTR_AF, af) ||
	    nla_put_u8(msg, L4LB_CONN_ATTR_PROTO, o->proto) ||
	    l4lb_nl_put_addr(msg, af, L4LB_CONN_ATTR_CLIENT_ADDR,
			     L4LB_CONN_ATTR_CLIENT_ADDR6, &caddr) ||
	    nla_put_be16(msg, L4LB_CONN_ATTR_CLIENT_PORT,
			 l4lb_conn_client_port(conn)) ||
	    l4lb_nl_put_addr(msg, af, L4LB_CONN_ATTR_VIP_ADDR,
			     L4LB_CONN_ATTR_VIP_ADDR6, &vaddr) ||
	    nla_put_be16(msg, L4LB_CONN_ATTR_VIP_PORT, o->dport) ||
	    l4lb_nl_put_addr(msg, af, L4LB_CONN_ATTR_LOCAL_ADDR,
			     L4LB_CONN_ATTR_LOCAL_ADDR6, &laddr) ||
	    nla_put_be16(msg, L4LB_CONN_ATTR_LOCAL_PORT, lport) ||
	    l4lb_nl_put_addr(msg, af, L4LB_CONN_ATTR_BACKEND_ADDR,
			     L4LB_CONN_ATTR_BACKEND_ADDR6, &baddr) ||
	    nla_put_be16(msg, L4LB_CONN_ATTR_BACKEND_PORT, bport) ||
	    nla_put_u8(msg, L4LB_CONN_ATTR_STATE, READ_ONCE(conn->state)) ||
	    nla_put_u32(msg, L4LB_CONN_ATTR_EXPIRES,
			left > 0 ? DIV_ROUND_UP(left, HZ) : 0))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/**
 * l4lb_nl_table_full_fill() - put what a full table's event says in a
 *	L4LB_ATTR_STATS nest: CONNS, CONN_MAX and DROP_TABLE_FULL
 * @msg: the message
 * @ln: the namespace, with its table
 *
 * Context: any (the packet path included).
 * Return: 0 or -EMSGSIZE.
 */
int l4lb_nl_table_full_fill(struct sk_buff *msg, struct l4lb_net *ln)
{
	struct l4lb_stats_sum sum;
	struct nlattr *nest;

	l4lb_stats_read(ln, &sum);
	nest = nla_nest_start(msg, L4LB_ATTR_STATS);
	if (!nest ||
	    nla_put_u32(msg, L4LB_STATS_ATTR_CONNS, l4lb_conn_count(ln->tab)) ||
	    nla_put_u32(msg, L4LB_STATS_ATTR_CONN_MAX, ln->tab->max) ||
	    nla_put_u64_64bit(msg, L4LB_STATS_ATTR_DROP_TABLE_FULL,
			      sum.drop[L4LB_DROP_TABLE_FULL],
			      L4LB_STATS_ATTR_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/**
 * l4lb_nl_stats_fill() - put a namespace's counters in a L4LB_ATTR_STATS
 *	nest
 * @msg: the message
 * @arg: the namespace, a struct l4lb_net
 *
 * Context: process.
 * Return: 0 or -EMSGSIZE.
 */
int l4lb_nl_stats_fill(struct sk_buff *msg, const void *arg)
{
	static const int drop_attr[L4LB_DROP_MAX] = {
		[L4LB_DROP_NO_BACKEND]	= L4LB_STATS_ATTR_DROP_NO_BACKEND,
		[L4LB_DROP_TABLE_FULL]	= L4LB_STATS_ATTR_DROP_TABLE_FULL,
		[L4LB_DROP_NO_MEMORY]	= L4LB_STATS_ATTR_DROP_NO_MEMORY,
		[L4LB_DROP_NO_ROUTE]	= L4LB_STATS_ATTR_DROP_NO_ROUTE,
		[L4LB_DROP_NO_SNAT_PORT] = L4LB_STATS_ATTR_DROP_NO_SNAT_PORT,
		[L4LB_DROP_MALFORMED]	= L4LB_STATS_ATTR_DROP_MALFORMED,
		[L4LB_DROP_MTU]		= L4LB_STATS_ATTR_DROP_MTU,
		[L4LB_DROP_SYN_LIMIT]	= L4LB_STATS_ATTR_DROP_SYN_LIMIT,
	};
	static const int event_attr[L4LB_EV_MAX] = {
		[L4LB_EV_STRAY]		= L4LB_STATS_ATTR_STRAY,
		[L4LB_EV_FRAGMENT]	= L4LB_STATS_ATTR_FRAGMENTS,
		[L4LB_EV_ICMP]		= L4LB_STATS_ATTR_ICMP_TRANSLATED,
		[L4LB_EV_RST_IGNORED]	= L4LB_STATS_ATTR_RST_IGNORED,
		[L4LB_EV_RECLAIM_UNCONFIRMED] =
			L4LB_STATS_ATTR_RECLAIM_UNCONFIRMED,
		[L4LB_EV_RECLAIM_CLOSED] = L4LB_STATS_ATTR_RECLAIM_CLOSED,
		[L4LB_EV_RESET_SENT]	= L4LB_STATS_ATTR_RESETS_SENT,
		[L4LB_EV_TOA_NO_ROOM]	= L4LB_STATS_ATTR_TOA_NO_ROOM,
		[L4LB_EV_PROXY_SYN_DATA] = L4LB_STATS_ATTR_PROXY_SYN_DATA,
		[L4LB_EV_PEER_SENT]	= L4LB_STATS_ATTR_PEER_SENT,
		[L4LB_EV_PEER_MISS]	= L4LB_STATS_ATTR_PEER_MISS,
	};
	struct l4lb_net *ln = (struct l4lb_net *)arg;
	struct l4lb_stats_sum sum;
	struct nlattr *nest;
	unsigned int i;

	l4lb_stats_read(ln, &sum);
	nest = nla_nest_start(msg, L4LB_ATTR_STATS);
	if (!nest ||
	    nla_put_u32(msg, L4LB_STATS_ATTR_CONNS,
			ln->tab ? l4lb_conn_count(ln->tab) : 0) ||
	    nla_put_u32(msg, L4LB_STATS_ATTR_CONN_MAX,
			l4lb_net_conn_max(ln)) ||
	    nla_put_u32(msg, L4LB_STATS_ATTR_HALF_OPEN,
			ln->tab ? atomic_read(&ln->tab->half_open) : 0) ||
	    nla_put_u64_64bit(msg, L4LB_STATS_ATTR_CONNS_CREATED, sum.created,
			      L4LB_STATS_ATTR_PAD) ||
	    nla_put_u64_64bit(msg, L4LB_STATS_ATTR_GC_RUNS,
			      atomic64_read(&ln->gc_runs),
			      L4LB_STATS_ATTR_PAD) ||
	    nla_put_u64_64bit(msg, L4LB_STATS_ATTR_GC_NSECS,
			      atomic64_read(&ln->gc_nsecs),
			      L4LB_STATS_ATTR_PAD))
		return -EMSGSIZE;
	for (i = 0; i < L4LB_DROP_MAX; i++)
		if (nla_put_u64_64bit(msg, drop_attr[i], sum.drop[i],
				      L4LB_STATS_ATTR_PAD))
			return -EMSGSIZE;
	for (i = 0; i < L4LB_EV_MAX; i++)
		if (nla_put_u64_64bit(msg, event_attr[i], sum.event[i],
				      L4LB_STATS_ATTR_PAD))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}
