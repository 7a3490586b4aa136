// SPDX-License-Identifier: GPL-2.0
/*
 * msg.c - l4lb attributes <-> l4lbctl objects. See msg.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>

#include "msg.h"
#include "names.h"

/*
 * Validation policies: the libmnl type of each attribute, as documented in
 * uapi/l4lb.h. MNL_TYPE_UNSPEC (PAD, UNSPEC) is accepted without checks.
 * Fixed-size types must have exactly their size; MNL_TYPE_BINARY is used
 * for the IPv6 addresses only, and must have the size of one.
 */
static const enum mnl_attr_data_type top_policy[L4LB_ATTR_MAX + 1] = {
	[L4LB_ATTR_SERVICE]	= MNL_TYPE_NESTED,
	[L4LB_ATTR_BACKEND]	= MNL_TYPE_NESTED,
	[L4LB_ATTR_CONN]	= MNL_TYPE_NESTED,
	[L4LB_ATTR_STATS]	= MNL_TYPE_NESTED,
	[L4LB_ATTR_FLAGS]	= MNL_TYPE_U32,
	[L4LB_ATTR_EVENT]	= MNL_TYPE_U8,
};

static const enum mnl_attr_data_type be_policy[L4LB_BE_ATTR_MAX + 1] = {
	[L4LB_BE_ATTR_AF]		= MNL_TYPE_U16,
	[L4LB_BE_ATTR_ADDR]		= MNL_TYPE_U32,
	[L4LB_BE_ATTR_PORT]		= MNL_TYPE_U16,
	[L4LB_BE_ATTR_WEIGHT]		= MNL_TYPE_U32,
	[L4LB_BE_ATTR_STATE]		= MNL_TYPE_U8,
	[L4LB_BE_ATTR_REMOVED]		= MNL_TYPE_FLAG,
	[L4LB_BE_ATTR_ACTIVE_CONNS]	= MNL_TYPE_U32,
	[L4LB_BE_ATTR_INACTIVE_CONNS]	= MNL_TYPE_U32,
	[L4LB_BE_ATTR_TOTAL_CONNS]	= MNL_TYPE_U64,
	[L4LB_BE_ATTR_PKTS_IN]		= MNL_TYPE_U64,
	[L4LB_BE_ATTR_PKTS_OUT]		= MNL_TYPE_U64,
	[L4LB_BE_ATTR_BYTES_IN]		= MNL_TYPE_U64,
	[L4LB_BE_ATTR_BYTES_OUT]	= MNL_TYPE_U64,
	[L4LB_BE_ATTR_WEIGHT_PCT]	= MNL_TYPE_U32,
	[L4LB_BE_ATTR_WEIGHT_EFF]	= MNL_TYPE_U32,
	[L4LB_BE_ATTR_ADDR6]		= MNL_TYPE_BINARY,
};

static const enum mnl_attr_data_type conn_policy[L4LB_CONN_ATTR_MAX + 1] = {
	[L4LB_CONN_ATTR_PROTO]		= MNL_TYPE_U8,
	[L4LB_CONN_ATTR_CLIENT_ADDR]	= MNL_TYPE_U32,
	[L4LB_CONN_ATTR_CLIENT_PORT]	= MNL_TYPE_U16,
	[L4LB_CONN_ATTR_VIP_ADDR]	= MNL_TYPE_U32,
	[L4LB_CONN_ATTR_VIP_PORT]	= MNL_TYPE_U16,
	[L4LB_CONN_ATTR_LOCAL_ADDR]	= MNL_TYPE_U32,
	[L4LB_CONN_ATTR_LOCAL_PORT]	= MNL_TYPE_U16,
	[L4LB_CONN_ATTR_BACKEND_ADDR]	= MNL_TYPE_U32,
	[L4LB_CONN_ATTR_BACKEND_PORT]	= MNL_TYPE_U16,
	[L4LB_CONN_ATTR_STATE]		= MNL_TYPE_U8,
	[L4LB_CONN_ATTR_EXPIRES]	= MNL_TYPE_U32,
	[L4LB_CONN_ATTR_AF]		= MNL_TYPE_U16,
	[L4LB_CONN_ATTR_CLIENT_ADDR6]	= MNL_TYPE_BINARY,
	[L4LB_CONN_ATTR_VIP_ADDR6]	= MNL_TYPE_BINARY,
	[L4LB_CONN_ATTR_LOCAL_ADDR6]	= MNL_TYPE_BINARY,
	[L4LB_CONN_ATTR_BACKEND_ADDR6]	= MNL_TYPE_BINARY,
};

static const enum mnl_attr_data_type svc_policy[L4LB_SVC_ATTR_MAX + 1] = {
	[L4LB_SVC_ATTR_AF]		= MNL_TYPE_U16,
	[L4LB_SVC_ATTR_VIP]		= MNL_TYPE_U32,
	[L4LB_SVC_ATTR_PORT]		= MNL_TYPE_U16,
	[L4LB_SVC_ATTR_PROTO]		= MNL_TYPE_U8,
	[L4LB_SVC_ATTR_SCHED]		= MNL_TYPE_NUL_STRING,
	[L4LB_SVC_ATTR_SNAT_ADDR]	= MNL_TYPE_U32,
	[L4LB_SVC_ATTR_TIMEOUT_TCP]	= MNL_TYPE_U32,
	[L4LB_SVC_ATTR_TIMEOUT_TCP_FIN]	= MNL_TYPE_U32,
	[L4LB_SVC_ATTR_TIMEOUT_UDP]	= MNL_TYPE_U32,
	[L4LB_SVC_ATTR_TIMEOUT_SYN]	= MNL_TYPE_U32,
	[L4LB_SVC_ATTR_PERSISTENCE]	= MNL_TYPE_U32,
	[L4LB_SVC_ATTR_CONN_MAX]	= MNL_TYPE_U32,
	[L4LB_SVC_ATTR_TIMEOUT_TCP_CLOSE]	= MNL_TYPE_U32,
	[L4LB_SVC_ATTR_TIMEOUT_UDP_UNREPLIED]	= MNL_TYPE_U32,
	[L4LB_SVC_ATTR_SNAT_POOL]	= MNL_TYPE_NESTED,
	[L4LB_SVC_ATTR_SNAT_USAGE]	= MNL_TYPE_NESTED,
	[L4LB_SVC_ATTR_SNAT_FAIL]	= MNL_TYPE_U64,
	[L4LB_SVC_ATTR_CLIENT_ADDR]	= MNL_TYPE_U8,
	[L4LB_SVC_ATTR_PEERS]		= MNL_TYPE_NESTED,
	[L4LB_SVC_ATTR_VIP6]		= MNL_TYPE_BINARY,
};

static const enum mnl_attr_data_type snat_policy[L4LB_SNAT_ATTR_MAX + 1] = {
	[L4LB_SNAT_ATTR_ADDR]		= MNL_TYPE_U32,
	[L4LB_SNAT_ATTR_PORTS_IN_USE]	= MNL_TYPE_U32,
	[L4LB_SNAT_ATTR_ENTRY]		= MNL_TYPE_NESTED,
	[L4LB_SNAT_ATTR_ADDR6]		= MNL_TYPE_BINARY,
};

static const enum mnl_attr_data_type stats_policy[L4LB_STATS_ATTR_MAX + 1] = {
	[L4LB_STATS_ATTR_CONNS]			= MNL_TYPE_U32,
	[L4LB_STATS_ATTR_CONN_MAX]		= MNL_TYPE_U32,
	[L4LB_STATS_ATTR_CONNS_CREATED]		= MNL_TYPE_U64,
	[L4LB_STATS_ATTR_DROP_NO_BACKEND]	= MNL_TYPE_U64,
	[L4LB_STATS_ATTR_DROP_TABLE_FULL]	= MNL_TYPE_U64,
	[L4LB_STATS_ATTR_DROP_NO_MEMORY]	= MNL_TYPE_U64,
	[L4LB_STATS_ATTR_DROP_NO_ROUTE]		= MNL_TYPE_U64,
	[L4LB_STATS_ATTR_DROP_NO_SNAT_PORT]	= MNL_TYPE_U64,
	[L4LB_STATS_ATTR_DROP_MALFORMED]	= MNL_TYPE_U64,
	[L4LB_STATS_ATTR_DROP_MTU]		= MNL_TYPE_U64,
	[L4LB_STATS_ATTR_STRAY]			= MNL_TYPE_U64,
	[L4LB_STATS_ATTR_FRAGMENTS]		= MNL_TYPE_U64,
	[L4LB_STATS_ATTR_ICMP_TRANSLATED]	= MNL_TYPE_U64,
	[L4LB_STATS_ATTR_DROP_SYN_LIMIT]	= MNL_TYPE_U64,
	[L4LB_STATS_ATTR_HALF_OPEN]		= MNL_TYPE_U32,
	[L4LB_STATS_ATTR_RST_IGNORED]		= MNL_TYPE_U64,
	[L4LB_STATS_ATTR_RECLAIM_UNCONFIRMED]	= MNL_TYPE_U64,
	[L4LB_STATS_ATTR_RECLAIM_CLOSED]	= MNL_TYPE_U64,
	[L4LB_STATS_ATTR_RESETS_SENT]		= MNL_TYPE_U64,
	[L4LB_STATS_ATTR_TOA_NO_ROOM]		= MNL_TYPE_U64,
	[L4LB_STATS_ATTR_PROXY_SYN_DATA]	= MNL_TYPE_U64,
	[L4LB_STATS_ATTR_PEER_SENT]		= MNL_TYPE_U64,
	[L4LB_STATS_ATTR_PEER_MISS]		= MNL_TYPE_U64,
	[L4LB_STATS_ATTR_GC_RUNS]		= MNL_TYPE_U64,
	[L4LB_STATS_ATTR_GC_NSECS]		= MNL_TYPE_U64,
};

/* Checks @a against @type; MNL_TYPE_BINARY is a struct in6_addr. */
static int validate(const struct nlattr *a, enum mnl_attr_data_type type)
{
	if (type == MNL_TYPE_BINARY)
		return mnl_attr_validate2(a, type, sizeof(struct in6_addr));
	return mnl_attr_validate(a, type);
}

/* Where table_cb() files the attributes of one attribute stream. */
struct attr_table {
	const enum mnl_attr_data_type *policy;
	uint16_t max;
	const struct nlattr **tb;
};

static int table_cb(const struct nlattr *attr, void *data)
{
	const struct attr_table *t = data;
	uint16_t type = mnl_attr_get_type(attr);

	/* A newer module may send more; this header cannot read it. */
	if (type > t->max)
		return MNL_CB_OK;
	if (validate(attr, t->policy[type]) < 0)
		return MNL_CB_ERROR;
	t->tb[type] = attr;
	return MNL_CB_OK;
}

/*
 * The top-level attributes of reply @nlh, validated, into @top (types
 * 0..L4LB_ATTR_MAX). Returns 0, or -1 with errno set.
 */
static int parse_top(const struct nlmsghdr *nlh, const struct nlattr **top)
{
	struct attr_table t = { top_policy, L4LB_ATTR_MAX, top };

	memset(top, 0, (L4LB_ATTR_MAX + 1) * sizeof(*top));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr)) {
		errno = EBADMSG;
		return -1;
	}
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), table_cb, &t) < 0)
		return -1;
	return 0;
}

/*
 * Find top-level nest @nest in reply @nlh, validate its attributes against
 * @policy (types 0..@max) into @tb and return their presence bitmask in
 * @present (PAD and UNSPEC excluded). Returns 0, or -1 with errno set.
 */
static int parse_nest(const struct nlmsghdr *nlh, uint16_t nest,
		      const enum mnl_attr_data_type *policy, uint16_t max,
		      const struct nlattr **tb, uint32_t *present)
{
	const struct nlattr *top[L4LB_ATTR_MAX + 1];
	struct attr_table t;
	uint16_t i;

	if (parse_top(nlh, top) < 0)
		return -1;
	if (!top[nest]) {
		errno = EBADMSG;
		return -1;
	}

	memset(tb, 0, (max + 1u) * sizeof(*tb));
	t.policy = policy;
	t.max = max;
	t.tb = tb;
	if (mnl_attr_parse_nested(top[nest], table_cb, &t) < 0)
		return -1;

	/* PAD and UNSPEC (policy MNL_TYPE_UNSPEC) carry no value. */
	*present = 0;
	for (i = 0; i <= max; i++)
		if (tb[i] && policy[i] != MNL_TYPE_UNSPEC)
			*present |= ATTR_BIT(i);
	return 0;
}

/* Returns 0 if every attribute in @need is in @present, else EBADMSG. */
static int require(uint32_t present, uint32_t need)
{
	if ((present & need) != need) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

static uint32_t get_u32(const struct nlattr *a)
{
	return a ? mnl_attr_get_u32(a) : 0;
}

static uint16_t get_u16(const struct nlattr *a)
{
	return a ? mnl_attr_get_u16(a) : 0;
}

static uint8_t get_u8(const struct nlattr *a)
{
	return a ? mnl_attr_get_u8(a) : 0;
}

static uint64_t get_u64(const struct nlattr *a)
{
	return a ? mnl_attr_get_u64(a) : 0;
}

/*
 * The address of the IPv6 attribute @v6 (a struct in6_addr) if there is
 * one, else of the IPv4 attribute @v4 (be32); of no family without either.
 */
static struct ipaddr get_addr(const struct nlattr *v4, const struct nlattr *v6)
{
	struct ipaddr a = { 0 };

	if (v6) {
		a.af = AF_INET6;
		memcpy(&a.v6, mnl_attr_get_payload(v6), sizeof(a.v6));
	} else if (v4) {
		a = ipaddr_v4(mnl_attr_get_u32(v4));
	}
	return a;
}

/* @a as attribute @type4 (be32) or, if it is IPv6, @type6 (in6_addr). */
static void put_addr(struct nlmsghdr *nlh, uint16_t type4, uint16_t type6,
		     const struct ipaddr *a)
{
	if (a->af == AF_INET6)
		mnl_attr_put(nlh, type6, sizeof(a->v6), &a->v6);
	else
		mnl_attr_put_u32(nlh, type4, a->v4);
}

/* Fold the bit of IPv6 attribute @type6 into that of IPv4 @type4. */
static void fold_bit(uint32_t *present, uint16_t type4, uint16_t type6)
{
	if (*present & ATTR_BIT(type6))
		*present |= ATTR_BIT(type4);
}

void msg_put_backend(struct nlmsghdr *nlh, const struct be_info *be)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);

	if (be->present & ATTR_BIT(L4LB_BE_ATTR_ADDR)) {
		mnl_attr_put_u16(nlh, L4LB_BE_ATTR_AF, be->ep.addr.af);
		put_addr(nlh, L4LB_BE_ATTR_ADDR, L4LB_BE_ATTR_ADDR6,
			 &be->ep.addr);
	}
	if (be->present & ATTR_BIT(L4LB_BE_ATTR_PORT))
		mnl_attr_put_u16(nlh, L4LB_BE_ATTR_PORT, be->ep.port);
	if (be->present & ATTR_BIT(L4LB_BE_ATTR_WEIGHT))
		mnl_attr_put_u32(nlh, L4LB_BE_ATTR_WEIGHT, be->weight);
	if (be->present & ATTR_BIT(L4LB_BE_ATTR_WEIGHT_PCT))
		mnl_attr_put_u32(nlh, L4LB_BE_ATTR_WEIGHT_PCT, be->weight_pct);
	if (be->present & ATTR_BIT(L4LB_BE_ATTR_STATE))
		mnl_attr_put_u8(nlh, L4LB_BE_ATTR_STATE, be->state);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * The SNAT pool of a service of family @af (0 if the request does not
 * say). An IPv4 pool of one address, or "auto" of an IPv4 service, as
 * SNAT_ADDR, which every module reads; anything else as a SNAT_POOL nest,
 * the only form an IPv6 pool has.
 */
static void put_snat_pool(struct nlmsghdr *nlh, const struct snat_pool *pool,
			  uint16_t af)
{
	struct nlattr *nest;
	unsigned int i;

	if ((pool->n == 1 && pool->addr[0].af == AF_INET) ||
	    (pool->n == 0 && af == AF_INET)) {
		mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_SNAT_ADDR,
				 pool->n ? pool->addr[0].v4 : 0);
		return;
	}
	nest = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_SNAT_POOL);
	for (i = 0; i < pool->n; i++)
		put_addr(nlh, L4LB_SNAT_ATTR_ADDR, L4LB_SNAT_ATTR_ADDR6,
			 &pool->addr[i]);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * The family of the addresses of @svc: its VIP's, else its pool's, else
 * AF_INET if it sets peers (an IPv4 service's only); or 0.
 */
static uint16_t svc_family(const struct svc_info *svc)
{
	if (svc->present & ATTR_BIT(L4LB_SVC_ATTR_VIP))
		return svc->vip.af;
	if ((svc->present & ATTR_BIT(L4LB_SVC_ATTR_SNAT_POOL)) && svc->snat.n)
		return svc->snat.addr[0].af;
	if (svc->present & ATTR_BIT(L4LB_SVC_ATTR_PEERS))
		return AF_INET;
	return 0;
}

/* The PEERS nest, empty for "none". */
static void put_peers(struct nlmsghdr *nlh, const struct peer_list *peers)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_PEERS);
	unsigned int i;

	for (i = 0; i < peers->n; i++)
		mnl_attr_put_u32(nlh, L4LB_PEER_ATTR_ADDR, peers->addr[i]);
	mnl_attr_nest_end(nlh, nest);
}

void msg_put_service(struct nlmsghdr *nlh, const struct svc_info *svc)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	uint16_t af = svc_family(svc);
	size_t i;

	if (af)
		mnl_attr_put_u16(nlh, L4LB_SVC_ATTR_AF, af);
	if (svc->present & ATTR_BIT(L4LB_SVC_ATTR_VIP))
		put_addr(nlh, L4LB_SVC_ATTR_VIP, L4LB_SVC_ATTR_VIP6, &svc->vip);
	if (svc->present & ATTR_BIT(L4LB_SVC_ATTR_PORT))
		mnl_attr_put_u16(nlh, L4LB_SVC_ATTR_PORT, svc->port);
	if (svc->present & ATTR_BIT(L4LB_SVC_ATTR_PROTO))
		mnl_attr_put_u8(nlh, L4LB_SVC_ATTR_PROTO, svc->proto);
	if (svc->present & ATTR_BIT(L4LB_SVC_ATTR_SCHED))
		mnl_attr_put_strz(nlh, L4LB_SVC_ATTR_SCHED, svc->sched);
	if (svc->present & ATTR_BIT(L4LB_SVC_ATTR_SNAT_POOL))
		put_snat_pool(nlh, &svc->snat, af);
	for (i = 0; i < timeout_kinds_count; i++) {
		uint16_t t = timeout_kinds[i].attr;

		if (svc->present & ATTR_BIT(t))
			mnl_attr_put_u32(nlh, t, svc->timeout[t]);
	}
	if (svc->present & ATTR_BIT(L4LB_SVC_ATTR_PERSISTENCE))
		mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_PERSISTENCE,
				 svc->persistence);
	if (svc->present & ATTR_BIT(L4LB_SVC_ATTR_CLIENT_ADDR))
		mnl_attr_put_u8(nlh, L4LB_SVC_ATTR_CLIENT_ADDR,
				svc->client_addr);
	if (svc->present & ATTR_BIT(L4LB_SVC_ATTR_PEERS))
		put_peers(nlh, &svc->peers);
	/* CONN_MAX is read only. */
	mnl_attr_nest_end(nlh, nest);
}

void msg_put_svc_sel(struct nlmsghdr *nlh, const struct svc_sel *sel)
{
	struct nlattr *nest;

	if (!sel->set)
		return;
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	mnl_attr_put_u16(nlh, L4LB_SVC_ATTR_AF, sel->vip.af);
	put_addr(nlh, L4LB_SVC_ATTR_VIP, L4LB_SVC_ATTR_VIP6, &sel->vip);
	if (sel->has_port)
		mnl_attr_put_u16(nlh, L4LB_SVC_ATTR_PORT, sel->port);
	if (sel->has_proto)
		mnl_attr_put_u8(nlh, L4LB_SVC_ATTR_PROTO, sel->proto);
	mnl_attr_nest_end(nlh, nest);
}

void msg_put_af_sel(struct nlmsghdr *nlh, uint16_t af)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);

	mnl_attr_put_u16(nlh, L4LB_SVC_ATTR_AF, af);
	mnl_attr_nest_end(nlh, nest);
}

void msg_put_flags(struct nlmsghdr *nlh, uint32_t flags)
{
	mnl_attr_put_u32(nlh, L4LB_ATTR_FLAGS, flags);
}

/* The key (VIP or VIP6, PORT, PROTO) in the L4LB_ATTR_SERVICE nest of @nlh. */
static int get_svc_key(const struct nlmsghdr *nlh, struct svc_sel *key)
{
	const struct nlattr *tb[L4LB_SVC_ATTR_MAX + 1];
	uint32_t present;

	if (parse_nest(nlh, L4LB_ATTR_SERVICE, svc_policy, L4LB_SVC_ATTR_MAX,
		       tb, &present) < 0)
		return -1;
	fold_bit(&present, L4LB_SVC_ATTR_VIP, L4LB_SVC_ATTR_VIP6);
	if (require(present, ATTR_BIT(L4LB_SVC_ATTR_VIP) |
			     ATTR_BIT(L4LB_SVC_ATTR_PORT) |
			     ATTR_BIT(L4LB_SVC_ATTR_PROTO)) < 0)
		return -1;
	key->set = true;
	key->has_port = true;
	key->has_proto = true;
	key->vip = get_addr(tb[L4LB_SVC_ATTR_VIP], tb[L4LB_SVC_ATTR_VIP6]);
	key->port = get_u16(tb[L4LB_SVC_ATTR_PORT]);
	key->proto = get_u8(tb[L4LB_SVC_ATTR_PROTO]);
	return 0;
}

int msg_get_backend(const struct nlmsghdr *nlh, struct be_info *be)
{
	const struct nlattr *tb[L4LB_BE_ATTR_MAX + 1];
	struct be_info b = { 0 };

	if (parse_nest(nlh, L4LB_ATTR_BACKEND, be_policy, L4LB_BE_ATTR_MAX,
		       tb, &b.present) < 0)
		return -1;
	fold_bit(&b.present, L4LB_BE_ATTR_ADDR, L4LB_BE_ATTR_ADDR6);
	if (require(b.present, ATTR_BIT(L4LB_BE_ATTR_ADDR) |
			       ATTR_BIT(L4LB_BE_ATTR_PORT)) < 0)
		return -1;
	b.ep.addr = get_addr(tb[L4LB_BE_ATTR_ADDR], tb[L4LB_BE_ATTR_ADDR6]);
	b.ep.port = get_u16(tb[L4LB_BE_ATTR_PORT]);
	b.weight = get_u32(tb[L4LB_BE_ATTR_WEIGHT]);
	/* A module older than the weight percentage weighs by WEIGHT. */
	b.weight_pct = tb[L4LB_BE_ATTR_WEIGHT_PCT] ?
		       get_u32(tb[L4LB_BE_ATTR_WEIGHT_PCT]) :
		       L4LB_WEIGHT_PCT_DEFAULT;
	b.weight_eff = tb[L4LB_BE_ATTR_WEIGHT_EFF] ?
		       get_u32(tb[L4LB_BE_ATTR_WEIGHT_EFF]) : b.weight;
	b.state = get_u8(tb[L4LB_BE_ATTR_STATE]);
	b.active_conns = get_u32(tb[L4LB_BE_ATTR_ACTIVE_CONNS]);
	b.inactive_conns = get_u32(tb[L4LB_BE_ATTR_INACTIVE_CONNS]);
	b.total_conns = get_u64(tb[L4LB_BE_ATTR_TOTAL_CONNS]);
	b.pkts_in = get_u64(tb[L4LB_BE_ATTR_PKTS_IN]);
	b.pkts_out = get_u64(tb[L4LB_BE_ATTR_PKTS_OUT]);
	b.bytes_in = get_u64(tb[L4LB_BE_ATTR_BYTES_IN]);
	b.bytes_out = get_u64(tb[L4LB_BE_ATTR_BYTES_OUT]);
	if (get_svc_key(nlh, &b.svc) < 0)
		return -1;
	*be = b;
	return 0;
}

/* The address attributes of a row, and those of its IPv6 form. */
static const uint16_t conn_addr4[] = {
	L4LB_CONN_ATTR_CLIENT_ADDR, L4LB_CONN_ATTR_VIP_ADDR,
	L4LB_CONN_ATTR_LOCAL_ADDR, L4LB_CONN_ATTR_BACKEND_ADDR,
};

static const uint16_t conn_addr6[] = {
	L4LB_CONN_ATTR_CLIENT_ADDR6, L4LB_CONN_ATTR_VIP_ADDR6,
	L4LB_CONN_ATTR_LOCAL_ADDR6, L4LB_CONN_ATTR_BACKEND_ADDR6,
};

int msg_get_conn(const struct nlmsghdr *nlh, struct conn_info *conn)
{
	const struct nlattr *tb[L4LB_CONN_ATTR_MAX + 1];
	struct conn_info c = { 0 };
	struct ipaddr addr[4];
	bool v6;
	int i;

	if (parse_nest(nlh, L4LB_ATTR_CONN, conn_policy, L4LB_CONN_ATTR_MAX,
		       tb, &c.present) < 0)
		return -1;
	if (require(c.present, ATTR_BIT(L4LB_CONN_ATTR_CLIENT_PORT) |
			       ATTR_BIT(L4LB_CONN_ATTR_VIP_PORT) |
			       ATTR_BIT(L4LB_CONN_ATTR_LOCAL_PORT) |
			       ATTR_BIT(L4LB_CONN_ATTR_BACKEND_PORT)) < 0)
		return -1;
	v6 = get_u16(tb[L4LB_CONN_ATTR_AF]) == AF_INET6;
	for (i = 0; i < 4; i++) {
		const struct nlattr *a = tb[v6 ? conn_addr6[i] : conn_addr4[i]];

		if (!a) {
			errno = EBADMSG;
			return -1;
		}
		addr[i] = v6 ? get_addr(NULL, a) : get_addr(a, NULL);
		c.present |= ATTR_BIT(conn_addr4[i]);
	}
	c.proto = get_u8(tb[L4LB_CONN_ATTR_PROTO]);
	c.client.addr = addr[0];
	c.client.port = get_u16(tb[L4LB_CONN_ATTR_CLIENT_PORT]);
	c.vip.addr = addr[1];
	c.vip.port = get_u16(tb[L4LB_CONN_ATTR_VIP_PORT]);
	c.local.addr = addr[2];
	c.local.port = get_u16(tb[L4LB_CONN_ATTR_LOCAL_PORT]);
	c.backend.addr = addr[3];
	c.backend.port = get_u16(tb[L4LB_CONN_ATTR_BACKEND_PORT]);
	c.state = get_u8(tb[L4LB_CONN_ATTR_STATE]);
	c.expires = get_u32(tb[L4LB_CONN_ATTR_EXPIRES]);
	*conn = c;
	return 0;
}

/* The attributes of one nest of enum l4lb_snat_attr, checked, into @tb. */
static int parse_snat_nest(const struct nlattr *nest,
			   const struct nlattr **tb)
{
	struct attr_table t = { snat_policy, L4LB_SNAT_ATTR_MAX, tb };

	memset(tb, 0, (L4LB_SNAT_ATTR_MAX + 1) * sizeof(*tb));
	return mnl_attr_parse_nested(nest, table_cb, &t) < 0 ? -1 : 0;
}

/* SNAT_POOL: its ADDR or ADDR6 attributes, in order, of one family. */
static int get_snat_pool(const struct nlattr *nest, struct snat_pool *pool)
{
	const struct nlattr *a;

	pool->n = 0;
	mnl_attr_for_each_nested(a, nest) {
		uint16_t type = mnl_attr_get_type(a);
		struct ipaddr addr;

		if (type != L4LB_SNAT_ATTR_ADDR && type != L4LB_SNAT_ATTR_ADDR6)
			continue;	/* newer than this header */
		if (validate(a, snat_policy[type]) < 0)
			return -1;
		addr = type == L4LB_SNAT_ATTR_ADDR6 ? get_addr(NULL, a) :
						      get_addr(a, NULL);
		if (pool->n == L4LB_SNAT_POOL_MAX ||
		    (pool->n && pool->addr[0].af != addr.af)) {
			errno = EBADMSG;
			return -1;
		}
		pool->addr[pool->n++] = addr;
	}
	return 0;
}

/* PEERS: its ADDR attributes, in order. */
static int get_peers(const struct nlattr *nest, struct peer_list *peers)
{
	const struct nlattr *a;

	peers->n = 0;
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) != L4LB_PEER_ATTR_ADDR)
			continue;	/* newer than this header */
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return -1;
		if (peers->n == L4LB_PEERS_MAX) {
			errno = EBADMSG;
			return -1;
		}
		peers->addr[peers->n++] = mnl_attr_get_u32(a);
	}
	return 0;
}

/* SNAT_USAGE: its ENTRY nests, each an ADDR or ADDR6 and its PORTS_IN_USE. */
static int get_snat_usage(const struct nlattr *nest, struct svc_info *s)
{
	const struct nlattr *tb[L4LB_SNAT_ATTR_MAX + 1];
	const struct nlattr *e;

	s->nuse = 0;
	mnl_attr_for_each_nested(e, nest) {
		if (mnl_attr_get_type(e) != L4LB_SNAT_ATTR_ENTRY)
			continue;	/* newer than this header */
		if (mnl_attr_validate(e, MNL_TYPE_NESTED) < 0 ||
		    parse_snat_nest(e, tb) < 0)
			return -1;
		if ((!tb[L4LB_SNAT_ATTR_ADDR] && !tb[L4LB_SNAT_ATTR_ADDR6]) ||
		    s->nuse == L4LB_SNAT_USAGE_MAX) {
			errno = EBADMSG;
			return -1;
		}
		s->use[s->nuse].addr = get_addr(tb[L4LB_SNAT_ATTR_ADDR],
						tb[L4LB_SNAT_ATTR_ADDR6]);
		s->use[s->nuse].ports = get_u32(tb[L4LB_SNAT_ATTR_PORTS_IN_USE]);
		s->nuse++;
	}
	return 0;
}

int msg_get_service(const struct nlmsghdr *nlh, struct svc_info *svc)
{
	const struct nlattr *tb[L4LB_SVC_ATTR_MAX + 1];
	const struct nlattr *sched;
	struct svc_info s = { 0 };
	size_t i;

	if (parse_nest(nlh, L4LB_ATTR_SERVICE, svc_policy, L4LB_SVC_ATTR_MAX,
		       tb, &s.present) < 0)
		return -1;
	fold_bit(&s.present, L4LB_SVC_ATTR_VIP, L4LB_SVC_ATTR_VIP6);
	/* An IPv6 pool has no SNAT_ADDR: the nest alone says what it is. */
	fold_bit(&s.present, L4LB_SVC_ATTR_SNAT_ADDR, L4LB_SVC_ATTR_SNAT_POOL);

	/* mnl_attr_validate() checked the NUL; check that it fits too. */
	sched = tb[L4LB_SVC_ATTR_SCHED];
	if (sched) {
		if (mnl_attr_get_payload_len(sched) > sizeof(s.sched)) {
			errno = ERANGE;
			return -1;
		}
		snprintf(s.sched, sizeof(s.sched), "%s",
			 mnl_attr_get_str(sched));
	}
	s.vip = get_addr(tb[L4LB_SVC_ATTR_VIP], tb[L4LB_SVC_ATTR_VIP6]);
	s.port = get_u16(tb[L4LB_SVC_ATTR_PORT]);
	s.proto = get_u8(tb[L4LB_SVC_ATTR_PROTO]);
	if (tb[L4LB_SVC_ATTR_SNAT_POOL]) {
		if (get_snat_pool(tb[L4LB_SVC_ATTR_SNAT_POOL], &s.snat) < 0)
			return -1;
	} else if (get_u32(tb[L4LB_SVC_ATTR_SNAT_ADDR])) {
		s.snat.n = 1;
		s.snat.addr[0] =
			ipaddr_v4(get_u32(tb[L4LB_SVC_ATTR_SNAT_ADDR]));
	}
	if (tb[L4LB_SVC_ATTR_SNAT_USAGE] &&
	    get_snat_usage(tb[L4LB_SVC_ATTR_SNAT_USAGE], &s) < 0)
		return -1;
	s.snat_fail = get_u64(tb[L4LB_SVC_ATTR_SNAT_FAIL]);
	for (i = 0; i < timeout_kinds_count; i++)
		s.timeout[timeout_kinds[i].attr] =
			get_u32(tb[timeout_kinds[i].attr]);
	s.persistence = get_u32(tb[L4LB_SVC_ATTR_PERSISTENCE]);
	s.client_addr = get_u8(tb[L4LB_SVC_ATTR_CLIENT_ADDR]);
	if (tb[L4LB_SVC_ATTR_PEERS] &&
	    get_peers(tb[L4LB_SVC_ATTR_PEERS], &s.peers) < 0)
		return -1;
	s.conn_max = get_u32(tb[L4LB_SVC_ATTR_CONN_MAX]);
	*svc = s;
	return 0;
}

int msg_get_stats(const struct nlmsghdr *nlh, struct stats_info *st)
{
	const struct nlattr *tb[L4LB_STATS_ATTR_MAX + 1];
	struct stats_info s = { 0 };
	uint16_t t;

	if (parse_nest(nlh, L4LB_ATTR_STATS, stats_policy, L4LB_STATS_ATTR_MAX,
		       tb, &s.present) < 0)
		return -1;
	for (t = 0; t <= L4LB_STATS_ATTR_MAX; t++) {
		if (!tb[t])
			continue;
		if (stats_policy[t] == MNL_TYPE_U32)
			s.val[t] = mnl_attr_get_u32(tb[t]);
		else if (stats_policy[t] == MNL_TYPE_U64)
			s.val[t] = mnl_attr_get_u64(tb[t]);
	}
	*st = s;
	return 0;
}

int msg_get_event(const struct nlmsghdr *nlh, struct event_info *ev)
{
	const struct nlattr *top[L4LB_ATTR_MAX + 1];

	memset(ev, 0, sizeof(*ev));
	if (parse_top(nlh, top) < 0)
		return -1;
	if (!top[L4LB_ATTR_EVENT]) {
		errno = EBADMSG;
		return -1;
	}
	ev->kind = mnl_attr_get_u8(top[L4LB_ATTR_EVENT]);
	if (top[L4LB_ATTR_BACKEND]) {
		if (msg_get_backend(nlh, &ev->be) < 0)
			return -1;
		ev->has_be = true;
	}
	if (top[L4LB_ATTR_SERVICE]) {
		if (msg_get_service(nlh, &ev->svc) < 0)
			return -1;
		ev->has_svc = true;
	}
	if (top[L4LB_ATTR_STATS]) {
		if (msg_get_stats(nlh, &ev->st) < 0)
			return -1;
		ev->has_stats = true;
	}
	return 0;
}
