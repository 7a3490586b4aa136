// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: the generic netlink control plane.
 *
 * The family, commands and attributes are described in include/uapi/l4lb.h.
 * Every attribute has a policy and validation is strict. Requests are
 * handled in process context; the objects they change are serialised by
 * l4lb_net::lock inside l4lb_service.c. Mutating commands need CAP_NET_ADMIN
 * over the namespace (GENL_UNS_ADMIN_PERM), so an unprivileged container
 * manages its own balancer and nobody else's.
 */
#include <linux/inet.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "l4lb_conn.h"
#include "l4lb_netlink.h"
#include "l4lb_sched.h"
#include "l4lb_service.h"

static struct genl_family l4lb_genl_family;

static const struct nla_policy l4lb_svc_policy[L4LB_SVC_ATTR_MAX + 1] = {
	[L4LB_SVC_ATTR_AF]		= { .type = NLA_U16 },
	[L4LB_SVC_ATTR_VIP]		= { .type = NLA_BE32 },
	[L4LB_SVC_ATTR_PORT]		= { .type = NLA_BE16 },
	[L4LB_SVC_ATTR_PROTO]		= { .type = NLA_U8 },
	[L4LB_SVC_ATTR_SCHED]		= { .type = NLA_NUL_STRING,
					    .len = L4LB_SCHED_NAME_MAX - 1 },
	[L4LB_SVC_ATTR_SNAT_ADDR]	= { .type = NLA_BE32 },
	[L4LB_SVC_ATTR_TIMEOUT_TCP]	= { .type = NLA_U32 },
	[L4LB_SVC_ATTR_TIMEOUT_TCP_FIN]	= { .type = NLA_U32 },
	[L4LB_SVC_ATTR_TIMEOUT_UDP]	= { .type = NLA_U32 },
	[L4LB_SVC_ATTR_TIMEOUT_SYN]	= { .type = NLA_U32 },
	[L4LB_SVC_ATTR_PERSISTENCE]	= { .type = NLA_U32 },
	[L4LB_SVC_ATTR_CONN_MAX]	= { .type = NLA_REJECT },
};

static const struct nla_policy l4lb_be_policy[L4LB_BE_ATTR_MAX + 1] = {
	[L4LB_BE_ATTR_AF]		= { .type = NLA_U16 },
	[L4LB_BE_ATTR_ADDR]		= { .type = NLA_BE32 },
	[L4LB_BE_ATTR_PORT]		= { .type = NLA_BE16 },
	[L4LB_BE_ATTR_WEIGHT]		= { .type = NLA_U32 },
	[L4LB_BE_ATTR_STATE]		= { .type = NLA_U8 },
	/* Reply-only attributes are refused in requests. */
	[L4LB_BE_ATTR_REMOVED]		= { .type = NLA_REJECT },
	[L4LB_BE_ATTR_ACTIVE_CONNS]	= { .type = NLA_REJECT },
	[L4LB_BE_ATTR_INACTIVE_CONNS]	= { .type = NLA_REJECT },
	[L4LB_BE_ATTR_TOTAL_CONNS]	= { .type = NLA_REJECT },
	[L4LB_BE_ATTR_PKTS_IN]		= { .type = NLA_REJECT },
	[L4LB_BE_ATTR_PKTS_OUT]		= { .type = NLA_REJECT },
	[L4LB_BE_ATTR_BYTES_IN]		= { .type = NLA_REJECT },
	[L4LB_BE_ATTR_BYTES_OUT]	= { .type = NLA_REJECT },
};

static const struct nla_policy l4lb_policy[L4LB_ATTR_MAX + 1] = {
	[L4LB_ATTR_SERVICE]	= NLA_POLICY_NESTED(l4lb_svc_policy),
	[L4LB_ATTR_BACKEND]	= NLA_POLICY_NESTED(l4lb_be_policy),
	[L4LB_ATTR_CONN]	= { .type = NLA_REJECT },
	[L4LB_ATTR_STATS]	= { .type = NLA_REJECT },
	[L4LB_ATTR_FLAGS]	= NLA_POLICY_MASK(NLA_U32, L4LB_F_NOW),
};

static struct l4lb_net *l4lb_info_ln(struct genl_info *info)
{
	return l4lb_pernet(genl_info_net(info));
}

/* Only AF_INET is supported; an absent family means AF_INET. */
static int l4lb_check_af(struct nlattr *attr, struct netlink_ext_ack *extack)
{
	if (attr && nla_get_u16(attr) != AF_INET) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "only IPv4 (AF_INET) is supported");
		return -EAFNOSUPPORT;
	}
	return 0;
}

/*
 * Parse the service selector of a request from @attr (L4LB_ATTR_SERVICE,
 * may be NULL: then every field is a wildcard). Also fills @tb, for the
 * settings of SERVICE_SET. A field that is present must be valid: a zero
 * VIP or port, or another protocol, is an error rather than a wildcard.
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
	err = l4lb_check_af(tb[L4LB_SVC_ATTR_AF], extack);
	if (err)
		return err;
	if (tb[L4LB_SVC_ATTR_VIP]) {
		sel->vip = nla_get_in_addr(tb[L4LB_SVC_ATTR_VIP]);
		if (!sel->vip || ipv4_is_multicast(sel->vip) ||
		    ipv4_is_lbcast(sel->vip)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[L4LB_SVC_ATTR_VIP],
					    "VIP must be a unicast IPv4 address");
			return -EINVAL;
		}
	}
	if (tb[L4LB_SVC_ATTR_PORT]) {
		sel->port = nla_get_be16(tb[L4LB_SVC_ATTR_PORT]);
		if (!sel->port) {
			NL_SET_ERR_MSG_ATTR(extack, tb[L4LB_SVC_ATTR_PORT],
					    "port must be 1-65535");
			return -EINVAL;
		}
	}
	if (tb[L4LB_SVC_ATTR_PROTO]) {
		sel->proto = nla_get_u8(tb[L4LB_SVC_ATTR_PROTO]);
		if (sel->proto != IPPROTO_TCP && sel->proto != IPPROTO_UDP) {
			NL_SET_ERR_MSG_ATTR(extack, tb[L4LB_SVC_ATTR_PROTO],
					    "protocol must be TCP or UDP");
			return -EPROTONOSUPPORT;
		}
	}
	return 0;
}

/* The selector of a request; see l4lb_nl_sel(). */
static int l4lb_nl_info_sel(struct genl_info *info, struct l4lb_svc_sel *sel)
{
	struct nlattr *tb[L4LB_SVC_ATTR_MAX + 1];

	return l4lb_nl_sel(info->attrs[L4LB_ATTR_SERVICE], tb, sel,
			   info->extack);
}

/* Put the key of @svc in a L4LB_ATTR_SERVICE nest. */
static int l4lb_nl_svc_key_fill(struct sk_buff *msg,
				const struct l4lb_service *svc)
{
	struct nlattr *nest = nla_nest_start(msg, L4LB_ATTR_SERVICE);

	if (!nest ||
	    nla_put_u16(msg, L4LB_SVC_ATTR_AF, AF_INET) ||
	    nla_put_in_addr(msg, L4LB_SVC_ATTR_VIP, svc->vip) ||
	    nla_put_be16(msg, L4LB_SVC_ATTR_PORT, svc->port) ||
	    nla_put_u8(msg, L4LB_SVC_ATTR_PROTO, svc->proto))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int l4lb_nl_svc_fill(struct sk_buff *msg,
			    const struct l4lb_service_cfg *cfg)
{
	struct nlattr *nest = nla_nest_start(msg, L4LB_ATTR_SERVICE);

	if (!nest ||
	    nla_put_u16(msg, L4LB_SVC_ATTR_AF, AF_INET) ||
	    nla_put_in_addr(msg, L4LB_SVC_ATTR_VIP, cfg->vip) ||
	    nla_put_be16(msg, L4LB_SVC_ATTR_PORT, cfg->port) ||
	    nla_put_u8(msg, L4LB_SVC_ATTR_PROTO, cfg->proto) ||
	    nla_put_string(msg, L4LB_SVC_ATTR_SCHED, cfg->sched) ||
	    nla_put_in_addr(msg, L4LB_SVC_ATTR_SNAT_ADDR, cfg->snat_addr) ||
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
	    nla_put_u32(msg, L4LB_SVC_ATTR_CONN_MAX, l4lb_conn_max))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* Reply to a request with one message built by @fill(@msg, @arg). */
static int l4lb_nl_reply(struct genl_info *info,
			 int (*fill)(struct sk_buff *msg, const void *arg),
			 const void *arg)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
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

static int l4lb_nl_svc_fill_arg(struct sk_buff *msg, const void *arg)
{
	return l4lb_nl_svc_fill(msg, arg);
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
	struct l4lb_service_cfg cfg;
	struct l4lb_service *svc;
	struct l4lb_svc_sel sel;
	int err;

	err = l4lb_nl_info_sel(info, &sel);
	if (err)
		return err;
	mutex_lock(&ln->lock);
	svc = l4lb_service_select(ln, &sel, info->extack);
	if (!IS_ERR(svc))
		l4lb_service_cfg_get(svc, &cfg);
	mutex_unlock(&ln->lock);
	if (IS_ERR(svc))
		return PTR_ERR(svc);
	return l4lb_nl_reply(info, l4lb_nl_svc_fill_arg, &cfg);
}

/* Dump services; cb->args[0] is the index of the next one to send. */
static int l4lb_nl_service_dump(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct l4lb_net *ln = l4lb_pernet(sock_net(skb->sk));
	struct l4lb_service_cfg cfg;
	struct l4lb_service *svc;
	long idx = 0;
	void *hdr;

	mutex_lock(&ln->lock);
	list_for_each_entry(svc, &ln->services, list) {
		if (idx++ < cb->args[0])
			continue;
		hdr = l4lb_nl_dump_put(skb, cb);
		if (!hdr)
			break;
		l4lb_service_cfg_get(svc, &cfg);
		if (l4lb_nl_svc_fill(skb, &cfg)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = idx;
	}
	mutex_unlock(&ln->lock);
	return skb->len;
}

static int l4lb_nl_service_del(struct sk_buff *skb, struct genl_info *info)
{
	struct l4lb_svc_sel sel;
	int err;

	err = l4lb_nl_info_sel(info, &sel);
	if (err)
		return err;
	return l4lb_service_del(l4lb_info_ln(info), &sel, info->extack);
}

static const struct {
	int attr;
	enum l4lb_timeout_kind kind;
} l4lb_timeout_attrs[] = {
	{ L4LB_SVC_ATTR_TIMEOUT_TCP, L4LB_TO_TCP },
	{ L4LB_SVC_ATTR_TIMEOUT_TCP_FIN, L4LB_TO_TCP_FIN },
	{ L4LB_SVC_ATTR_TIMEOUT_SYN, L4LB_TO_SYN },
	{ L4LB_SVC_ATTR_TIMEOUT_UDP, L4LB_TO_UDP },
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
	mutex_lock(&ln->lock);
	svc = l4lb_service_select(ln, &sel, NULL);
	if (!IS_ERR(svc))
		l4lb_service_cfg_get(svc, &cfg);
	mutex_unlock(&ln->lock);

	if (PTR_ERR_OR_ZERO(svc) == -EINVAL) {
		NL_SET_ERR_MSG(info->extack,
			       "several services match: give VIP, port and protocol");
		return -EINVAL;
	}
	if (IS_ERR(svc)) {
		if (!sel.vip) {
			NL_SET_ERR_MSG(info->extack,
				       "no such service: a new one needs a VIP");
			return -ENOENT;
		}
		l4lb_service_cfg_default(&cfg);
		cfg.vip = sel.vip;
		if (sel.port)
			cfg.port = sel.port;
		if (sel.proto)
			cfg.proto = sel.proto;
	}
	if (tb[L4LB_SVC_ATTR_SNAT_ADDR])
		cfg.snat_addr = nla_get_in_addr(tb[L4LB_SVC_ATTR_SNAT_ADDR]);
	if (tb[L4LB_SVC_ATTR_SCHED])
		nla_strscpy(cfg.sched, tb[L4LB_SVC_ATTR_SCHED],
			    sizeof(cfg.sched));
	for (i = 0; i < ARRAY_SIZE(l4lb_timeout_attrs); i++) {
		struct nlattr *a = tb[l4lb_timeout_attrs[i].attr];

		if (a)
			l4lb_service_cfg_timeout(&cfg, l4lb_timeout_attrs[i].kind,
						 nla_get_u32(a));
	}
	return l4lb_service_set(ln, &cfg, info->extack);
}

/* Does the request carry L4LB_F_NOW? */
static bool l4lb_nl_now(struct genl_info *info)
{
	return info->attrs[L4LB_ATTR_FLAGS] &&
	       (nla_get_u32(info->attrs[L4LB_ATTR_FLAGS]) & L4LB_F_NOW);
}

/* The backend named by a request: address and port are required. */
static int l4lb_nl_be_key(struct genl_info *info, struct nlattr **tb,
			  __be32 *addr, __be16 *port)
{
	int err;

	if (!info->attrs[L4LB_ATTR_BACKEND]) {
		NL_SET_ERR_MSG(info->extack, "missing backend attributes");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, L4LB_BE_ATTR_MAX, info->attrs[L4LB_ATTR_BACKEND],
			       l4lb_be_policy, info->extack);
	if (err)
		return err;
	err = l4lb_check_af(tb[L4LB_BE_ATTR_AF], info->extack);
	if (err)
		return err;
	if (!tb[L4LB_BE_ATTR_ADDR] || !tb[L4LB_BE_ATTR_PORT]) {
		NL_SET_ERR_MSG(info->extack,
			       "backend address and port are required");
		return -EINVAL;
	}
	*addr = nla_get_in_addr(tb[L4LB_BE_ATTR_ADDR]);
	*port = nla_get_be16(tb[L4LB_BE_ATTR_PORT]);
	return 0;
}

static int l4lb_nl_backend_add(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[L4LB_BE_ATTR_MAX + 1];
	u8 state = L4LB_BE_STATE_UP;
	u32 weight = 1;
	__be32 addr;
	__be16 port;
	struct l4lb_svc_sel sel;
	int err;

	err = l4lb_nl_info_sel(info, &sel) ?:
	      l4lb_nl_be_key(info, tb, &addr, &port);
	if (err)
		return err;
	if (tb[L4LB_BE_ATTR_WEIGHT])
		weight = nla_get_u32(tb[L4LB_BE_ATTR_WEIGHT]);
	if (tb[L4LB_BE_ATTR_STATE])
		state = nla_get_u8(tb[L4LB_BE_ATTR_STATE]);
	return l4lb_backend_add(l4lb_info_ln(info), &sel, addr, port, weight,
				state, info->extack);
}

static int l4lb_nl_backend_del(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[L4LB_BE_ATTR_MAX + 1];
	struct l4lb_svc_sel sel;
	__be32 addr;
	__be16 port;
	int err;

	err = l4lb_nl_info_sel(info, &sel) ?:
	      l4lb_nl_be_key(info, tb, &addr, &port);
	if (err)
		return err;
	return l4lb_backend_del(l4lb_info_ln(info), &sel, addr, port,
				l4lb_nl_now(info), info->extack);
}

static int l4lb_nl_backend_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[L4LB_BE_ATTR_MAX + 1];
	u32 weight, *pw = NULL;
	u8 state, *ps = NULL;
	struct l4lb_svc_sel sel;
	__be32 addr;
	__be16 port;
	int err;

	err = l4lb_nl_info_sel(info, &sel) ?:
	      l4lb_nl_be_key(info, tb, &addr, &port);
	if (err)
		return err;
	if (tb[L4LB_BE_ATTR_WEIGHT]) {
		weight = nla_get_u32(tb[L4LB_BE_ATTR_WEIGHT]);
		pw = &weight;
	}
	if (tb[L4LB_BE_ATTR_STATE]) {
		state = nla_get_u8(tb[L4LB_BE_ATTR_STATE]);
		ps = &state;
	}
	if (!pw && !ps) {
		NL_SET_ERR_MSG(info->extack, "nothing to set: give a weight or a state");
		return -EINVAL;
	}
	return l4lb_backend_set(l4lb_info_ln(info), &sel, addr, port, pw, ps,
				l4lb_nl_now(info), info->extack);
}

static int l4lb_nl_be_fill(struct sk_buff *msg, struct l4lb_backend *be)
{
	u64 conns = 0, pin = 0, pout = 0, bin = 0, bout = 0;
	struct nlattr *nest;
	unsigned int cpu, start;

	for_each_possible_cpu(cpu) {
		const struct l4lb_be_stats *s = per_cpu_ptr(be->stats, cpu);
		u64 c, pi, po, bi, bo;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			c = u64_stats_read(&s->conns);
			pi = u64_stats_read(&s->pkts_in);
			po = u64_stats_read(&s->pkts_out);
			bi = u64_stats_read(&s->bytes_in);
			bo = u64_stats_read(&s->bytes_out);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		conns += c;
		pin += pi;
		pout += po;
		bin += bi;
		bout += bo;
	}

	nest = nla_nest_start(msg, L4LB_ATTR_BACKEND);
	if (!nest ||
	    nla_put_u16(msg, L4LB_BE_ATTR_AF, AF_INET) ||
	    nla_put_in_addr(msg, L4LB_BE_ATTR_ADDR, be->addr) ||
	    nla_put_be16(msg, L4LB_BE_ATTR_PORT, be->port) ||
	    nla_put_u32(msg, L4LB_BE_ATTR_WEIGHT, READ_ONCE(be->weight)) ||
	    nla_put_u8(msg, L4LB_BE_ATTR_STATE, READ_ONCE(be->state)) ||
	    (be->removed && nla_put_flag(msg, L4LB_BE_ATTR_REMOVED)) ||
	    nla_put_u32(msg, L4LB_BE_ATTR_ACTIVE_CONNS,
			atomic_read(&be->active)) ||
	    nla_put_u32(msg, L4LB_BE_ATTR_INACTIVE_CONNS,
			atomic_read(&be->inactive)) ||
	    nla_put_u64_64bit(msg, L4LB_BE_ATTR_TOTAL_CONNS, conns,
			      L4LB_BE_ATTR_PAD) ||
	    nla_put_u64_64bit(msg, L4LB_BE_ATTR_PKTS_IN, pin,
			      L4LB_BE_ATTR_PAD) ||
	    nla_put_u64_64bit(msg, L4LB_BE_ATTR_PKTS_OUT, pout,
			      L4LB_BE_ATTR_PAD) ||
	    nla_put_u64_64bit(msg, L4LB_BE_ATTR_BYTES_IN, bin,
			      L4LB_BE_ATTR_PAD) ||
	    nla_put_u64_64bit(msg, L4LB_BE_ATTR_BYTES_OUT, bout,
			      L4LB_BE_ATTR_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
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
	mutex_lock(&ln->lock);
	if (info->attrs[L4LB_ATTR_SERVICE]) {
		only = l4lb_service_select(ln, &sel, cb->extack);
		if (IS_ERR(only)) {
			mutex_unlock(&ln->lock);
			return PTR_ERR(only);
		}
	}
	list_for_each_entry(svc, &ln->services, list) {
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
	mutex_unlock(&ln->lock);
	return skb->len;
}

static int l4lb_nl_conn_fill(struct sk_buff *msg, struct l4lb_conn *conn)
{
	const struct l4lb_tuple *o = &conn->th[L4LB_DIR_ORIG].tuple;
	long left = (long)(READ_ONCE(conn->expires) - jiffies);
	__be16 lport, bport;
	__be32 laddr, baddr;
	struct nlattr *nest;

	l4lb_conn_endpoints(conn, &laddr, &lport, &baddr, &bport);

	nest = nla_nest_start(msg, L4LB_ATTR_CONN);
	if (!nest ||
	    nla_put_u8(msg, L4LB_CONN_ATTR_PROTO, o->proto) ||
	    nla_put_in_addr(msg, L4LB_CONN_ATTR_CLIENT_ADDR, o->saddr) ||
	    nla_put_be16(msg, L4LB_CONN_ATTR_CLIENT_PORT,
			 l4lb_conn_client_port(conn)) ||
	    nla_put_in_addr(msg, L4LB_CONN_ATTR_VIP_ADDR, o->daddr) ||
	    nla_put_be16(msg, L4LB_CONN_ATTR_VIP_PORT, o->dport) ||
	    nla_put_in_addr(msg, L4LB_CONN_ATTR_LOCAL_ADDR, laddr) ||
	    nla_put_be16(msg, L4LB_CONN_ATTR_LOCAL_PORT, lport) ||
	    nla_put_in_addr(msg, L4LB_CONN_ATTR_BACKEND_ADDR, baddr) ||
	    nla_put_be16(msg, L4LB_CONN_ATTR_BACKEND_PORT, bport) ||
	    nla_put_u8(msg, L4LB_CONN_ATTR_STATE, READ_ONCE(conn->state)) ||
	    nla_put_u32(msg, L4LB_CONN_ATTR_EXPIRES,
			left > 0 ? DIV_ROUND_UP(left, HZ) : 0))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * Dump rows; cb->args[0] is the bucket and cb->args[1] the number of rows
 * of that bucket already sent. Rows that come or go between two calls may
 * be missed or, if they move within a bucket, sent twice: a dump of a live
 * table is a snapshot of no single instant, as with /proc.
 */
static int l4lb_nl_conn_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct l4lb_net *ln = l4lb_pernet(sock_net(skb->sk));
	struct l4lb_conn_table *tab = ln->tab;
	struct l4lb_tuple_hash *th;
	unsigned long b;
	long skip;
	void *hdr;

	if (!tab)
		return 0;
	for (b = cb->args[0]; b < (1UL << tab->bits); b++) {
		skip = cb->args[1];
		rcu_read_lock();
		hlist_for_each_entry_rcu(th, &tab->buckets[b], node) {
			if (th->tuple.dir != L4LB_DIR_ORIG)
				continue;
			if (skip > 0) {
				skip--;
				continue;
			}
			hdr = l4lb_nl_dump_put(skb, cb);
			if (!hdr)
				goto full;
			if (l4lb_nl_conn_fill(skb, l4lb_tuplehash_to_conn(th))) {
				genlmsg_cancel(skb, hdr);
				goto full;
			}
			genlmsg_end(skb, hdr);
			cb->args[1]++;
		}
		rcu_read_unlock();
		cb->args[0] = b + 1;
		cb->args[1] = 0;
	}
	return skb->len;
full:
	rcu_read_unlock();
	cb->args[0] = b;
	return skb->len;
}

static int l4lb_nl_stats_fill(struct sk_buff *msg, const void *arg)
{
	struct l4lb_net *ln = (struct l4lb_net *)arg;
	static const int attr[L4LB_DROP_MAX] = {
		[L4LB_DROP_NO_BACKEND]	= L4LB_STATS_ATTR_DROP_NO_BACKEND,
		[L4LB_DROP_TABLE_FULL]	= L4LB_STATS_ATTR_DROP_TABLE_FULL,
		[L4LB_DROP_NO_MEMORY]	= L4LB_STATS_ATTR_DROP_NO_MEMORY,
		[L4LB_DROP_NO_ROUTE]	= L4LB_STATS_ATTR_DROP_NO_ROUTE,
		[L4LB_DROP_NO_SNAT_PORT] = L4LB_STATS_ATTR_DROP_NO_SNAT_PORT,
		[L4LB_DROP_MALFORMED]	= L4LB_STATS_ATTR_DROP_MALFORMED,
		[L4LB_DROP_MTU]		= L4LB_STATS_ATTR_DROP_MTU,
		[L4LB_STRAY]		= L4LB_STATS_ATTR_STRAY,
		[L4LB_FRAGMENT]		= L4LB_STATS_ATTR_FRAGMENTS,
		[L4LB_ICMP]		= L4LB_STATS_ATTR_ICMP_TRANSLATED,
		[L4LB_DROP_SYN_LIMIT]	= L4LB_STATS_ATTR_DROP_SYN_LIMIT,
	};
	u64 created, drop[L4LB_DROP_MAX];
	struct nlattr *nest;
	unsigned int i;

	l4lb_stats_read(ln, &created, drop);
	nest = nla_nest_start(msg, L4LB_ATTR_STATS);
	if (!nest ||
	    nla_put_u32(msg, L4LB_STATS_ATTR_CONNS,
			ln->tab ? l4lb_conn_count(ln->tab) : 0) ||
	    nla_put_u32(msg, L4LB_STATS_ATTR_CONN_MAX, l4lb_conn_max) ||
	    nla_put_u32(msg, L4LB_STATS_ATTR_HALF_OPEN,
			ln->tab ? atomic_read(&ln->tab->half_open) : 0) ||
	    nla_put_u64_64bit(msg, L4LB_STATS_ATTR_CONNS_CREATED, created,
			      L4LB_STATS_ATTR_PAD))
		return -EMSGSIZE;
	for (i = 0; i < L4LB_DROP_MAX; i++)
		if (nla_put_u64_64bit(msg, attr[i], drop[i],
				      L4LB_STATS_ATTR_PAD))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int l4lb_nl_stats_get(struct sk_buff *skb, struct genl_info *info)
{
	return l4lb_nl_reply(info, l4lb_nl_stats_fill, l4lb_info_ln(info));
}

static int l4lb_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct l4lb_svc_sel sel;
	int err;

	err = l4lb_nl_info_sel(info, &sel);
	if (err)
		return err;
	return l4lb_service_flush(l4lb_info_ln(info),
				  info->attrs[L4LB_ATTR_SERVICE] ? &sel : NULL,
				  info->extack);
}

static const struct genl_small_ops l4lb_ops[] = {
	{
		.cmd = L4LB_CMD_SERVICE_GET,
		.doit = l4lb_nl_service_get,
		.dumpit = l4lb_nl_service_dump,
	},
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

static struct genl_family l4lb_genl_family __ro_after_init = {
	.name = L4LB_GENL_NAME,
	.version = L4LB_GENL_VERSION,
	.maxattr = L4LB_ATTR_MAX,
	.policy = l4lb_policy,
	.netnsok = true,
	.module = THIS_MODULE,
	.small_ops = l4lb_ops,
	.n_small_ops = ARRAY_SIZE(l4lb_ops),
	/* Strict validation of every command, reserved header field included:
	 * resv_start_op exempts the commands below it, so a new family keeps
	 * it at 0.
	 */
	.resv_start_op = 0,
};

/**
 * l4lb_netlink_init() - register the "l4lb" generic netlink family
 *
 * Context: process, module init.
 * Return: 0 or a negative errno from genl_register_family().
 */
int l4lb_netlink_init(void)
{
	return genl_register_family(&l4lb_genl_family);
}

/**
 * l4lb_netlink_exit() - unregister the family; waits for requests in flight
 *
 * Context: process, module exit.
 */
void l4lb_netlink_exit(void)
{
	genl_unregister_family(&l4lb_genl_family);
}
