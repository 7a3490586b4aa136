// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: the generic netlink family "l4lb" (include/uapi/l4lb.h).
 *
 * Every attribute has a policy (types and lengths, strict validation); the
 * values are checked with l4lb_check.c, shared with the module parameters,
 * before anything changes. Handlers run in process context;
 * the operations they call (l4lb_ctl.c) take the namespace's services lock.
 * Mutating commands need CAP_NET_ADMIN over the namespace
 * (GENL_UNS_ADMIN_PERM), so a container manages its own balancer only.
 * The family's one multicast group carries the events (l4lb_event.c);
 * anyone may join it, as anyone may read.
 */
#include <linux/genetlink.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/stringify.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "l4lb_addrs.h"
#include "l4lb_backend.h"
#include "l4lb_check.h"
#include "l4lb_conn.h"
#include "l4lb_ctl.h"
#include "l4lb_event.h"
#include "l4lb_net.h"
#include "l4lb_netlink.h"
#include "l4lb_netlink_msg.h"
#include "l4lb_service.h"
#include "l4lb_snat.h"

static struct genl_family l4lb_genl_family;

/* Inside L4LB_SVC_ATTR_SNAT_POOL: addresses only. */
static const struct nla_policy l4lb_snat_policy[L4LB_SNAT_ATTR_MAX + 1] = {
	[L4LB_SNAT_ATTR_ADDR]		= { .type = NLA_BE32 },
	[L4LB_SNAT_ATTR_ADDR6]		=
		NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[L4LB_SNAT_ATTR_PORTS_IN_USE]	= { .type = NLA_REJECT },
	[L4LB_SNAT_ATTR_ENTRY]		= { .type = NLA_REJECT },
};

/* Inside L4LB_SVC_ATTR_PEERS: addresses only. */
static const struct nla_policy l4lb_peer_policy[L4LB_PEER_ATTR_MAX + 1] = {
	[L4LB_PEER_ATTR_ADDR]		= { .type = NLA_BE32 },
};

static const struct nla_policy l4lb_svc_policy[L4LB_SVC_ATTR_MAX + 1] = {
	[L4LB_SVC_ATTR_AF]	= { .type = NLA_U16 },
	[L4LB_SVC_ATTR_VIP]	= { .type = NLA_BE32 },
	[L4LB_SVC_ATTR_PORT]	= { .type = NLA_BE16 },
	[L4LB_SVC_ATTR_PROTO]	= { .type = NLA_U8 },
	[L4LB_SVC_ATTR_SCHED]	= { .type = NLA_NUL_STRING,
				    .len = L4LB_SCHED_NAME_MAX - 1 },
	[L4LB_SVC_ATTR_SNAT_ADDR] = { .type = NLA_BE32 },
	[L4LB_SVC_ATTR_TIMEOUT_TCP] = { .type = NLA_U32 },
	[L4LB_SVC_ATTR_TIMEOUT_TCP_FIN] = { .type = NLA_U32 },
	[L4LB_SVC_ATTR_TIMEOUT_UDP] = { .type = NLA_U32 },
	[L4LB_SVC_ATTR_TIMEOUT_SYN] = { .type = NLA_U32 },
	[L4LB_SVC_ATTR_PERSISTENCE] = { .type = NLA_U32 },
	[L4LB_SVC_ATTR_CONN_MAX] = { .type = NLA_REJECT },
	[L4LB_SVC_ATTR_TIMEOUT_TCP_CLOSE] = { .type = NLA_U32 },
	[L4LB_SVC_ATTR_TIMEOUT_UDP_UNREPLIED] = { .type = NLA_U32 },
	[L4LB_SVC_ATTR_SNAT_POOL] = NLA_POLICY_NESTED(l4lb_snat_policy),
	/* Reply-only attributes are refused in requests. */
	[L4LB_SVC_ATTR_SNAT_USAGE] = { .type = NLA_REJECT },
	[L4LB_SVC_ATTR_SNAT_FAIL] = { .type = NLA_REJECT },
	[L4LB_SVC_ATTR_CLIENT_ADDR] =
		NLA_POLICY_MAX(NLA_U8, L4LB_CLIENT_ADDR_MAX),
	[L4LB_SVC_ATTR_PEERS] = NLA_POLICY_NESTED(l4lb_peer_policy),
	[L4LB_SVC_ATTR_VIP6] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
};

static const struct nla_policy l4lb_be_policy[L4LB_BE_ATTR_MAX + 1] = {
	[L4LB_BE_ATTR_AF]	= { .type = NLA_U16 },
	[L4LB_BE_ATTR_ADDR]	= { .type = NLA_BE32 },
	[L4LB_BE_ATTR_PORT]	= { .type = NLA_BE16 },
	[L4LB_BE_ATTR_WEIGHT]	= { .type = NLA_U32 },
	[L4LB_BE_ATTR_STATE]	= { .type = NLA_U8 },
	[L4LB_BE_ATTR_WEIGHT_PCT] =
		NLA_POLICY_MAX(NLA_U32, L4LB_WEIGHT_PCT_MAX),
	/* Reply-only attributes are refused in requests. */
	[L4LB_BE_ATTR_REMOVED]		= { .type = NLA_REJECT },
	[L4LB_BE_ATTR_ACTIVE_CONNS]	= { .type = NLA_REJECT },
	[L4LB_BE_ATTR_INACTIVE_CONNS]	= { .type = NLA_REJECT },
	[L4LB_BE_ATTR_TOTAL_CONNS]	= { .type = NLA_REJECT },
	[L4LB_BE_ATTR_PKTS_IN]		= { .type = NLA_REJECT },
	[L4LB_BE_ATTR_PKTS_OUT]		= { .type = NLA_REJECT },
	[L4LB_BE_ATTR_BYTES_IN]		= { .type = NLA_REJECT },
	[L4LB_BE_ATTR_BYTES_OUT]	= { .type = NLA_REJECT },
	[L4LB_BE_ATTR_WEIGHT_EFF]	= { .type = NLA_REJECT },
	[L4LB_BE_ATTR_ADDR6]	= NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
};

static const struct nla_policy l4lb_policy[L4LB_ATTR_MAX + 1] = {
	[L4LB_ATTR_SERVICE]	= NLA_POLICY_NESTED(l4lb_svc_policy),
	[L4LB_ATTR_BACKEND]	= NLA_POLICY_NESTED(l4lb_be_policy),
	[L4LB_ATTR_CONN]	= { .type = NLA_REJECT },
	[L4LB_ATTR_STATS]	= { .type = NLA_REJECT },
	[L4LB_ATTR_FLAGS]	= NLA_POLICY_MASK(NLA_U32, L4LB_F_NOW),
	/* Events only. */
	[L4LB_ATTR_EVENT]	= { .type = NLA_REJECT },
};

static struct l4lb_net *l4lb_info_ln(struct genl_info *info)
{
	return l4lb_pernet(genl_info_net(info));
}

/* Point extack at @attr if @err (from an l4lb_check_*()) is an error. */
static int l4lb_nl_bad(const struct nlattr *attr, int err,
		       struct netlink_ext_ack *extack)
{
	if (err)
		NL_SET_BAD_ATTR(extack, attr);
	return err;
}

/* The family @attr (L4LB_SVC_ATTR_AF or L4LB_BE_ATTR_AF) names in @af, 0 if
 * absent.
 */
static int l4lb_nl_af(const struct nlattr *attr, u8 *af,
		      struct netlink_ext_ack *extack)
{
	int err;

	*af = 0;
	if (!attr)
		return 0;
	err = l4lb_nl_bad(attr, l4lb_check_af(nla_get_u16(attr), extack),
			  extack);
	if (!err)
		*af = nla_get_u16(attr);
	return err;
}

/*
 * The selector's VIP: L4LB_SVC_ATTR_VIP or L4LB_SVC_ATTR_VIP6, whichever
 * matches the family (L4LB_SVC_ATTR_AF, or the VIP's own without it).
 */
static int l4lb_nl_sel_vip(struct nlattr **tb, struct l4lb_svc_sel *sel,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *vip4 = tb[L4LB_SVC_ATTR_VIP];
	struct nlattr *vip6 = tb[L4LB_SVC_ATTR_VIP6];

	if (vip4 && vip6) {
		NL_SET_ERR_MSG_ATTR(extack, vip6,
				    "give VIP or VIP6, not both");
		return -EINVAL;
	}
	if (vip4 && sel->af == AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, vip4,
				    "VIP is IPv4: an AF_INET6 service has VIP6");
		return -EINVAL;
	}
	if (vip6 && sel->af == AF_INET) {
		NL_SET_ERR_MSG_ATTR(extack, vip6,
				    "VIP6 is IPv6: an AF_INET service has VIP");
		return -EINVAL;
	}
	if (vip4) {
		sel->af = AF_INET;
		sel->vip.ip = nla_get_in_addr(vip4);
	} else if (vip6) {
		sel->af = AF_INET6;
		sel->vip.in6 = nla_get_in6_addr(vip6);
	} else {
		return 0;
	}
	return l4lb_nl_bad(vip4 ?: vip6,
			   l4lb_check_vip(sel->af, &sel->vip, extack), extack);
}

/*
 * The service selector in @attr (L4LB_ATTR_SERVICE, may be NULL: then
 * every field is a wildcard), and its attributes in @tb for SERVICE_SET.
 * The values are checked here with l4lb_check.c, not in the policies:
 * NLA_POLICY_VALIDATE_FN on integers makes the policy dump of an extack
 * read the function pointer as a range (lib/nlattr.c WARNs).
 */
static int l4lb_nl_sel(struct nlattr *attr, struct nlattr **tb,
		       struct l4lb_svc_sel *sel, struct netlink_ext_ack *extack)
{
	int err;

	memset(sel, 0, sizeof(*sel));
	memset(tb, 0, sizeof(*tb) * (L4LB_SVC_ATTR_MAX + 1));
	if (!attr)
		return 0;
	err = nla_parse_nested(tb, L4LB_SVC_ATTR_MAX, attr, l4lb_svc_policy,
			       extack);
	if (err)
		return err;
	err = l4lb_nl_af(tb[L4LB_SVC_ATTR_AF], &sel->af, extack) ?:
	      l4lb_nl_sel_vip(tb, sel, extack);
	if (err)
		return err;
	if (tb[L4LB_SVC_ATTR_PORT]) {
		sel->port = nla_get_be16(tb[L4LB_SVC_ATTR_PORT]);
		err = l4lb_nl_bad(tb[L4LB_SVC_ATTR_PORT],
				  l4lb_check_port(sel->port, extack), extack);
		if (err)
			return err;
	}
	if (tb[L4LB_SVC_ATTR_PROTO]) {
		sel->proto = nla_get_u8(tb[L4LB_SVC_ATTR_PROTO]);
		err = l4lb_nl_bad(tb[L4LB_SVC_ATTR_PROTO],
				  l4lb_check_proto(sel->proto, extack), extack);
		if (err)
			return err;
	}
	return 0;
}

static int l4lb_nl_info_sel(struct genl_info *info, struct l4lb_svc_sel *sel)
{
	struct nlattr *tb[L4LB_SVC_ATTR_MAX + 1];

	return l4lb_nl_sel(info->attrs[L4LB_ATTR_SERVICE], tb, sel,
			   info->extack);
}

/*
 * What a reply says of @svc: its settings and SNAT failures. The services
 * lock is held. Returns the table, for l4lb_nl_svc_usage().
 */
static struct l4lb_conn_table *l4lb_nl_svc_read(struct l4lb_net *ln,
						struct l4lb_service *svc,
						struct l4lb_nl_svc *r)
{
	l4lb_nl_svc_get(ln, svc, r);
	return ln->tab;
}

/*
 * The use of @svc's SNAT addresses, counted now into @usage by a walk of
 * the NAT table. Without the services lock, so that a walk of a large
 * table holds up neither the expiry worker nor other requests: @svc is
 * only compared with each row's service, never dereferenced.
 */
static void l4lb_nl_svc_usage(struct l4lb_conn_table *tab,
			      const struct l4lb_service *svc,
			      struct l4lb_snat_usage *usage,
			      struct l4lb_nl_svc *r)
{
	l4lb_snat_usage_count(tab, svc, r->cfg.snat, r->cfg.nsnat, usage);
	r->usage = usage;
}

/*
 * Reply to a request with one message built by @fill(@msg, @arg), which
 * puts at most @size bytes of attributes.
 */
static int l4lb_nl_reply(struct genl_info *info,
			 int (*fill)(struct sk_buff *msg, const void *arg),
			 const void *arg, size_t size)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &l4lb_genl_family, 0,
				info->genlhdr->cmd);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err;
	}
	err = fill(msg, arg);
	if (err)
		goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	nlmsg_free(msg);
	return err;
}

/* One dump message per object, as iproute2 does for links. */
static void *l4lb_nl_dump_put(struct sk_buff *skb, struct netlink_callback *cb)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			   &l4lb_genl_family, NLM_F_MULTI,
			   ((struct genlmsghdr *)nlmsg_data(cb->nlh))->cmd);
}

static int l4lb_nl_service_get(struct sk_buff *skb, struct genl_info *info)
{
	struct l4lb_net *ln = l4lb_info_ln(info);
	struct l4lb_conn_table *tab = NULL;
	struct l4lb_snat_usage *usage;
	struct l4lb_service *svc;
	struct l4lb_svc_sel sel;
	struct l4lb_nl_svc r;
	int err;

	err = l4lb_nl_info_sel(info, &sel);
	if (err)
		return err;
	usage = kmalloc(sizeof(*usage), GFP_KERNEL);
	if (!usage)
		return -ENOMEM;
	mutex_lock(&ln->svcs.lock);
	svc = l4lb_service_select(&ln->svcs, &sel, info->extack);
	if (!IS_ERR(svc))
		tab = l4lb_nl_svc_read(ln, svc, &r);
	mutex_unlock(&ln->svcs.lock);
	if (!IS_ERR(svc))
		l4lb_nl_svc_usage(tab, svc, usage, &r);
	err = PTR_ERR_OR_ZERO(svc) ?:
	      l4lb_nl_reply(info, l4lb_nl_svc_fill, &r, l4lb_nl_svc_size(&r));
	kfree(usage);
	return err;
}

/*
 * Every skb of a services dump has room for the largest service (an IPv6
 * one with a full SNAT pool and usage), the first one too: a message that
 * does not fit an empty skb would end the dump.
 */
static int l4lb_nl_service_dump_start(struct netlink_callback *cb)
{
	cb->min_dump_alloc = nlmsg_total_size(GENL_HDRLEN +
					      L4LB_NL_SVC_SIZE_MAX);
	return 0;
}

/* Dump services; cb->args[0] is the index of the next one to send. Each
 * is read under the services lock and its SNAT use counted outside it.
 */
static int l4lb_nl_service_dump(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct l4lb_net *ln = l4lb_pernet(sock_net(skb->sk));
	struct l4lb_snat_usage *usage;
	struct l4lb_conn_table *tab;
	struct l4lb_service *svc;
	struct l4lb_nl_svc r;
	bool found;
	long idx;
	void *hdr;

	usage = kmalloc(sizeof(*usage), GFP_KERNEL);
	if (!usage)
		return -ENOMEM;
	for (;;) {
		found = false;
		idx = 0;
		mutex_lock(&ln->svcs.lock);
		list_for_each_entry(svc, &ln->svcs.list, list) {
			if (idx++ == cb->args[0]) {
				tab = l4lb_nl_svc_read(ln, svc, &r);
				found = true;
				break;
			}
		}
		mutex_unlock(&ln->svcs.lock);
		if (!found)
			break;
		hdr = l4lb_nl_dump_put(skb, cb);
		if (!hdr)
			break;
		l4lb_nl_svc_usage(tab, svc, usage, &r);
		if (l4lb_nl_svc_fill(skb, &r)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = idx;
	}
	kfree(usage);
	return skb->len;
}

static int l4lb_nl_service_del(struct sk_buff *skb, struct genl_info *info)
{
	struct l4lb_svc_sel sel;
	int err;

	err = l4lb_nl_info_sel(info, &sel);
	if (err)
		return err;
	return l4lb_ctl_service_del(l4lb_info_ln(info), &sel, info->extack);
}

/* The @i-th attribute in @nest. */
static const struct nlattr *l4lb_nl_nth(const struct nlattr *nest,
					unsigned int i)
{
	const struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem)
		if (!i--)
			return a;
	return nest;
}

/*
 * One address of a request's SNAT pool into @a: L4LB_SNAT_ATTR_ADDR of an
 * AF_INET service, L4LB_SNAT_ATTR_ADDR6 of an AF_INET6 one.
 */
static int l4lb_nl_snat_one(const struct nlattr *attr, u8 af,
			    union nf_inet_addr *a,
			    struct netlink_ext_ack *extack)
{
	memset(a, 0, sizeof(*a));
	switch (nla_type(attr)) {
	case L4LB_SNAT_ATTR_ADDR:
		if (af == AF_INET6) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "SNAT address is IPv4: an AF_INET6 service has IPv6 ones");
			return -EINVAL;
		}
		a->ip = nla_get_in_addr(attr);
		return 0;
	case L4LB_SNAT_ATTR_ADDR6:
		if (af != AF_INET6) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "SNAT address is IPv6: an AF_INET service has IPv4 ones");
			return -EINVAL;
		}
		a->in6 = nla_get_in6_addr(attr);
		return 0;
	}
	/* The policy lets nothing else in; be sure. */
	NL_SET_ERR_MSG_ATTR(extack, attr, "the SNAT pool holds addresses only");
	return -EINVAL;
}

/*
 * The SNAT pool a request sets into @cfg: L4LB_SVC_ATTR_SNAT_POOL's
 * addresses, or L4LB_SVC_ATTR_SNAT_ADDR's one (0 for none; AF_INET
 * services only), checked and sorted. Neither attribute keeps @cfg's pool.
 */
static int l4lb_nl_snat(struct net *net, struct nlattr **tb,
			struct l4lb_service_cfg *cfg,
			struct netlink_ext_ack *extack)
{
	const struct nlattr *pool = tb[L4LB_SVC_ATTR_SNAT_POOL];
	const struct nlattr *one = tb[L4LB_SVC_ATTR_SNAT_ADDR];
	const struct nlattr *a;
	unsigned int n = 0, bad;
	int rem, err;

	if (pool && one) {
		NL_SET_ERR_MSG_ATTR(extack, one,
				    "give the SNAT pool or one SNAT address, not both");
		return -EINVAL;
	}
	if (one && cfg->af == AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, one,
				    "SNAT address is IPv4: an AF_INET6 service has a SNAT pool of ADDR6");
		return -EINVAL;
	}
	if (one) {
		cfg->snat[0] = (union nf_inet_addr){
			.ip = nla_get_in_addr(one),
		};
		n = cfg->snat[0].ip ? 1 : 0;
		err = l4lb_check_snat_pool(net, cfg->af, cfg->snat, n, NULL,
					   extack);
		cfg->nsnat = n;
		return l4lb_nl_bad(one, err, extack);
	}
	if (!pool)
		return 0;
	nla_for_each_nested(a, pool, rem) {
		if (n == L4LB_SNAT_POOL_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "SNAT pool has more than "
					    __stringify(L4LB_SNAT_POOL_MAX)
					    " addresses");
			return -E2BIG;
		}
		err = l4lb_nl_snat_one(a, cfg->af, &cfg->snat[n++], extack);
		if (err)
			return err;
	}
	err = l4lb_check_snat_pool(net, cfg->af, cfg->snat, n, &bad, extack);
	if (err)
		return l4lb_nl_bad(l4lb_nl_nth(pool, bad), err, extack);
	l4lb_addrs_sort(cfg->snat, n);
	cfg->nsnat = n;
	return 0;
}

/*
 * The peers a request sets into @cfg: L4LB_SVC_ATTR_PEERS's addresses,
 * checked and sorted. Without the attribute @cfg's peers stay.
 */
static int l4lb_nl_peers(const struct nlattr *nest,
			 struct l4lb_service_cfg *cfg,
			 struct netlink_ext_ack *extack)
{
	unsigned int n = 0, bad = UINT_MAX;	/* UINT_MAX: the nest itself */
	const struct nlattr *a;
	int rem, err;

	if (!nest)
		return 0;
	nla_for_each_nested(a, nest, rem) {
		/* The policy lets nothing else in; be sure. */
		if (nla_type(a) != L4LB_PEER_ATTR_ADDR) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "the peers nest holds addresses only");
			return -EINVAL;
		}
		if (n == L4LB_PEERS_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, a, "more than "
					    __stringify(L4LB_PEERS_MAX)
					    " peers");
			return -E2BIG;
		}
		cfg->peers[n++] = nla_get_in_addr(a);
	}
	err = l4lb_check_peers(cfg->af, cfg->peers, n, cfg->proto, &bad,
			       extack);
	if (err)
		return l4lb_nl_bad(l4lb_nl_nth(nest, bad), err, extack);
	l4lb_addrs_sort_ip(cfg->peers, n);
	cfg->npeers = n;
	return 0;
}

static const struct {
	int attr;
	enum l4lb_timeout_kind kind;
} l4lb_timeout_attrs[] = {
	{ L4LB_SVC_ATTR_TIMEOUT_TCP, L4LB_TO_TCP },
	{ L4LB_SVC_ATTR_TIMEOUT_TCP_FIN, L4LB_TO_TCP_FIN },
	{ L4LB_SVC_ATTR_TIMEOUT_TCP_CLOSE, L4LB_TO_TCP_CLOSE },
	{ L4LB_SVC_ATTR_TIMEOUT_SYN, L4LB_TO_SYN },
	{ L4LB_SVC_ATTR_TIMEOUT_UDP, L4LB_TO_UDP },
	{ L4LB_SVC_ATTR_TIMEOUT_UDP_UNREPLIED, L4LB_TO_UDP_UNREPLIED },
	{ L4LB_SVC_ATTR_PERSISTENCE, L4LB_TO_PERSIST },
};

static int l4lb_nl_service_set(struct sk_buff *skb, struct genl_info *info)
{
	struct l4lb_net *ln = l4lb_info_ln(info);
	struct nlattr *tb[L4LB_SVC_ATTR_MAX + 1];
	struct l4lb_service_cfg cfg;
	struct l4lb_service *svc;
	struct l4lb_svc_sel sel;
	unsigned int i;
	int err;

	if (!info->attrs[L4LB_ATTR_SERVICE]) {
		NL_SET_ERR_MSG(info->extack, "missing service attributes");
		return -EINVAL;
	}
	err = l4lb_nl_sel(info->attrs[L4LB_ATTR_SERVICE], tb, &sel,
			  info->extack);
	if (err)
		return err;

	/* Start from the selected service's settings, or the defaults of a
	 * new one; the request names the changes. genetlink runs this
	 * family's requests one at a time, so no other request changes the
	 * service between this read and the update.
	 */
	mutex_lock(&ln->svcs.lock);
	svc = l4lb_service_select(&ln->svcs, &sel, NULL);
	if (!IS_ERR(svc))
		l4lb_service_cfg_get(svc, &cfg);
	mutex_unlock(&ln->svcs.lock);

	if (PTR_ERR_OR_ZERO(svc) == -EINVAL) {
		NL_SET_ERR_MSG(info->extack,
			       "several services match: give VIP, port and protocol");
		return -EINVAL;
	}
	if (IS_ERR(svc)) {
		if (!sel.af || ipv6_addr_any(&sel.vip.in6)) {
			NL_SET_ERR_MSG(info->extack,
				       "no such service: a new one needs a VIP");
			return -ENOENT;
		}
		l4lb_service_cfg_default(&cfg);
		cfg.af = sel.af;
		cfg.vip = sel.vip;
		if (sel.port)
			cfg.port = sel.port;
		if (sel.proto)
			cfg.proto = sel.proto;
	}
	err = l4lb_nl_snat(genl_info_net(info), tb, &cfg, info->extack) ?:
	      l4lb_nl_peers(tb[L4LB_SVC_ATTR_PEERS], &cfg, info->extack);
	if (err)
		return err;
	if (tb[L4LB_SVC_ATTR_SCHED])
		nla_strscpy(cfg.sched, tb[L4LB_SVC_ATTR_SCHED],
			    sizeof(cfg.sched));
	for (i = 0; i < ARRAY_SIZE(l4lb_timeout_attrs); i++) {
		struct nlattr *a = tb[l4lb_timeout_attrs[i].attr];

		if (!a)
			continue;
		err = l4lb_nl_bad(a, l4lb_timeout_attrs[i].kind == L4LB_TO_PERSIST ?
				  l4lb_check_persistence(nla_get_u32(a),
							 info->extack) :
				  l4lb_check_timeout(nla_get_u32(a),
						     info->extack),
				  info->extack);
		if (err)
			return err;
		l4lb_service_cfg_timeout(&cfg, l4lb_timeout_attrs[i].kind,
					 nla_get_u32(a));
	}
	if (tb[L4LB_SVC_ATTR_CLIENT_ADDR]) {
		cfg.client_addr = nla_get_u8(tb[L4LB_SVC_ATTR_CLIENT_ADDR]);
		err = l4lb_nl_bad(tb[L4LB_SVC_ATTR_CLIENT_ADDR],
				  l4lb_check_client_addr(cfg.client_addr,
							 cfg.proto, cfg.af,
							 info->extack),
				  info->extack);
		if (err)
			return err;
	}
	return l4lb_ctl_service_set(ln, &cfg, info->extack);
}

/*
 * The backend's address: L4LB_BE_ATTR_ADDR or L4LB_BE_ATTR_ADDR6, of the
 * family L4LB_BE_ATTR_AF names if present (already in @req->af), which
 * becomes @req->af. Whether it is the service's family is checked once
 * the service is known (l4lb_ctl.c).
 */
static int l4lb_nl_be_addr(struct nlattr **tb, struct l4lb_be_req *req,
			   struct netlink_ext_ack *extack)
{
	struct nlattr *a4 = tb[L4LB_BE_ATTR_ADDR];
	struct nlattr *a6 = tb[L4LB_BE_ATTR_ADDR6];

	if (!a4 && !a6) {
		NL_SET_ERR_MSG(extack, "backend address and port are required");
		return -EINVAL;
	}
	if (a4 && a6) {
		NL_SET_ERR_MSG_ATTR(extack, a6, "give ADDR or ADDR6, not both");
		return -EINVAL;
	}
	if (a4 && req->af == AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, a4,
				    "backend address is IPv4: AF_INET6 needs ADDR6");
		return -EINVAL;
	}
	if (a6 && req->af == AF_INET) {
		NL_SET_ERR_MSG_ATTR(extack, a6,
				    "backend address is IPv6: AF_INET needs ADDR");
		return -EINVAL;
	}
	if (a4) {
		req->af = AF_INET;
		req->addr.ip = nla_get_in_addr(a4);
	} else {
		req->af = AF_INET6;
		req->addr.in6 = nla_get_in6_addr(a6);
	}
	return l4lb_nl_bad(a4 ?: a6,
			   l4lb_check_backend_addr(req->af, &req->addr, extack),
			   extack);
}

/*
 * The request of every backend command: the selector, the backend's
 * address and port (required), weight, weight percentage and state if
 * given, L4LB_F_NOW.
 */
static int l4lb_nl_be_req(struct genl_info *info, struct l4lb_be_req *req)
{
	struct nlattr *tb[L4LB_BE_ATTR_MAX + 1];
	struct nlattr *flags = info->attrs[L4LB_ATTR_FLAGS];
	int err;

	memset(req, 0, sizeof(*req));
	err = l4lb_nl_info_sel(info, &req->sel);
	if (err)
		return err;
	if (!info->attrs[L4LB_ATTR_BACKEND]) {
		NL_SET_ERR_MSG(info->extack, "missing backend attributes");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, L4LB_BE_ATTR_MAX,
			       info->attrs[L4LB_ATTR_BACKEND], l4lb_be_policy,
			       info->extack);
	if (err)
		return err;
	err = l4lb_nl_af(tb[L4LB_BE_ATTR_AF], &req->af, info->extack) ?:
	      l4lb_nl_be_addr(tb, req, info->extack);
	if (err)
		return err;
	if (!tb[L4LB_BE_ATTR_PORT]) {
		NL_SET_ERR_MSG(info->extack,
			       "backend address and port are required");
		return -EINVAL;
	}
	req->port = nla_get_be16(tb[L4LB_BE_ATTR_PORT]);
	if (tb[L4LB_BE_ATTR_WEIGHT]) {
		req->weight = nla_get_u32(tb[L4LB_BE_ATTR_WEIGHT]);
		req->set_weight = true;
	}
	if (tb[L4LB_BE_ATTR_WEIGHT_PCT]) {
		req->weight_pct = nla_get_u32(tb[L4LB_BE_ATTR_WEIGHT_PCT]);
		req->set_weight_pct = true;
	}
	if (tb[L4LB_BE_ATTR_STATE]) {
		req->state = nla_get_u8(tb[L4LB_BE_ATTR_STATE]);
		req->set_state = true;
	}
	req->now = flags && (nla_get_u32(flags) & L4LB_F_NOW);
	return 0;
}

static int l4lb_nl_backend_add(struct sk_buff *skb, struct genl_info *info)
{
	struct l4lb_be_req req;

	return l4lb_nl_be_req(info, &req) ?:
	       l4lb_ctl_backend_add(l4lb_info_ln(info), &req, info->extack);
}

static int l4lb_nl_backend_del(struct sk_buff *skb, struct genl_info *info)
{
	struct l4lb_be_req req;

	return l4lb_nl_be_req(info, &req) ?:
	       l4lb_ctl_backend_del(l4lb_info_ln(info), &req, info->extack);
}

static int l4lb_nl_backend_set(struct sk_buff *skb, struct genl_info *info)
{
	struct l4lb_be_req req;
	int err;

	err = l4lb_nl_be_req(info, &req);
	if (err)
		return err;
	if (!req.set_weight && !req.set_weight_pct && !req.set_state) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to set: give a weight, a weight percentage or a state");
		return -EINVAL;
	}
	return l4lb_ctl_backend_set(l4lb_info_ln(info), &req, info->extack);
}

/*
 * Dump backends, of the service the request's selector names or of every
 * service. cb->args[0] is the index of the service and cb->args[1] that of
 * the backend within it to send next.
 */
static int l4lb_nl_backend_dump(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct l4lb_net *ln = l4lb_pernet(sock_net(skb->sk));
	struct nlattr *tb[L4LB_SVC_ATTR_MAX + 1];
	struct l4lb_service *svc, *only = NULL;
	struct l4lb_svc_sel sel;
	struct l4lb_backend *be;
	long si = 0, bi;
	int err;
	void *hdr;

	err = l4lb_nl_sel(info->attrs[L4LB_ATTR_SERVICE], tb, &sel,
			  cb->extack);
	if (err)
		return err;
	mutex_lock(&ln->svcs.lock);
	if (info->attrs[L4LB_ATTR_SERVICE]) {
		only = l4lb_service_select(&ln->svcs, &sel, cb->extack);
		if (IS_ERR(only)) {
			mutex_unlock(&ln->svcs.lock);
			return PTR_ERR(only);
		}
	}
	list_for_each_entry(svc, &ln->svcs.list, list) {
		if (si++ < cb->args[0] || (only && svc != only))
			continue;
		bi = 0;
		list_for_each_entry(be, &svc->backends, list) {
			if (bi++ < cb->args[1])
				continue;
			hdr = l4lb_nl_dump_put(skb, cb);
			if (!hdr)
				goto full;
			if (l4lb_nl_svc_key_fill(skb, svc) ||
			    l4lb_nl_be_fill(skb, be)) {
				genlmsg_cancel(skb, hdr);
				goto full;
			}
			genlmsg_end(skb, hdr);
			cb->args[1] = bi;
		}
		cb->args[0] = si;
		cb->args[1] = 0;
	}
full:
	mutex_unlock(&ln->svcs.lock);
	return skb->len;
}

/*
 * Dump rows. cb->args[0] and cb->args[1] keep the walk's bucket and the
 * rows of it already sent (struct l4lb_conn_iter), from one call to the
 * next.
 */
static int l4lb_nl_conn_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct l4lb_net *ln = l4lb_pernet(sock_net(skb->sk));
	struct l4lb_conn_iter it = {
		.bucket = cb->args[0],
		.idx = cb->args[1],
	};
	struct l4lb_conn *conn;
	void *hdr;

	if (!ln->tab)
		return 0;
	rcu_read_lock();
	while ((conn = l4lb_conn_iter_next(ln->tab, &it))) {
		hdr = l4lb_nl_dump_put(skb, cb);
		if (!hdr || l4lb_nl_conn_fill(skb, conn)) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			it.idx--;	/* not sent: again next time */
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rcu_read_unlock();
	cb->args[0] = it.bucket;
	cb->args[1] = it.idx;
	return skb->len;
}

static int l4lb_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	return l4lb_nl_reply(info, l4lb_nl_stats_fill, l4lb_info_ln(info),
			     NLMSG_DEFAULT_SIZE);
}

static int l4lb_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct l4lb_svc_sel sel;
	int err;

	err = l4lb_nl_info_sel(info, &sel);
	if (err)
		return err;
	return l4lb_ctl_flush(l4lb_info_ln(info),
			      info->attrs[L4LB_ATTR_SERVICE] ? &sel : NULL,
			      info->extack);
}

/* The commands that need a struct genl_ops: a dump with a start. */
static const struct genl_ops l4lb_full_ops[] = {
	{
		.cmd = L4LB_CMD_SERVICE_GET,
		.doit = l4lb_nl_service_get,
		.start = l4lb_nl_service_dump_start,
		.dumpit = l4lb_nl_service_dump,
	},
};

static const struct genl_small_ops l4lb_ops[] = {
	{
		.cmd = L4LB_CMD_SERVICE_SET,
		.doit = l4lb_nl_service_set,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = L4LB_CMD_BACKEND_ADD,
		.doit = l4lb_nl_backend_add,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = L4LB_CMD_BACKEND_DEL,
		.doit = l4lb_nl_backend_del,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = L4LB_CMD_BACKEND_SET,
		.doit = l4lb_nl_backend_set,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = L4LB_CMD_BACKEND_GET,
		.dumpit = l4lb_nl_backend_dump,
	},
	{
		.cmd = L4LB_CMD_CONN_GET,
		.dumpit = l4lb_nl_conn_dump,
	},
	{
		.cmd = L4LB_CMD_STATS_GET,
		.doit = l4lb_nl_stats_get,
	},
	{
		.cmd = L4LB_CMD_FLUSH,
		.doit = l4lb_nl_flush,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = L4LB_CMD_SERVICE_DEL,
		.doit = l4lb_nl_service_del,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group l4lb_mcgrps[] = {
	[L4LB_EVENT_GRP] = { .name = L4LB_GENL_MCGRP_EVENTS },
};

static struct genl_family l4lb_genl_family __ro_after_init = {
	.name = L4LB_GENL_NAME,
	.version = L4LB_GENL_VERSION,
	.maxattr = L4LB_ATTR_MAX,
	.policy = l4lb_policy,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = l4lb_full_ops,
	.n_ops = ARRAY_SIZE(l4lb_full_ops),
	.small_ops = l4lb_ops,
	.n_small_ops = ARRAY_SIZE(l4lb_ops),
	.mcgrps = l4lb_mcgrps,
	.n_mcgrps = ARRAY_SIZE(l4lb_mcgrps),
	/* Strict validation of every command, the reserved header byte
	 * included: resv_start_op exempts the commands below it.
	 */
	.resv_start_op = 0,
};

/*
 * No MODULE_ALIAS_GENL_FAMILY(): a family lookup (l4lbctl list, the
 * metrics timer) must not load a module that hooks every packet. It is
 * loaded on purpose, by modprobe or l4lb.service; l4lbctl exits 3 until.
 */

/**
 * l4lb_netlink_init() - register the "l4lb" generic netlink family and
 *	start sending events
 *
 * Context: process, module init.
 * Return: 0 or a negative errno from genl_register_family().
 */
int l4lb_netlink_init(void)
{
	int err;

	err = genl_register_family(&l4lb_genl_family);
	if (!err)
		l4lb_event_register(&l4lb_genl_family);
	return err;
}

/**
 * l4lb_netlink_exit() - stop sending events and unregister the family;
 *	waits for events and requests in flight
 *
 * Context: process, module exit.
 */
void l4lb_netlink_exit(void)
{
	l4lb_event_unregister();
	genl_unregister_family(&l4lb_genl_family);
}
