/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: the attributes of the family's replies (l4lb_netlink_msg.c).
 */
#ifndef _L4LB_NETLINK_MSG_H
#define _L4LB_NETLINK_MSG_H

#include <linux/skbuff.h>

#include "l4lb_service.h"

struct l4lb_backend;
struct l4lb_conn;
struct l4lb_net;
struct l4lb_snat_usage;

/**
 * struct l4lb_nl_svc - what a L4LB_ATTR_SERVICE reply says of a service
 * @cfg: its settings
 * @snat_fail: L4LB_SVC_ATTR_SNAT_FAIL
 * @conn_max: L4LB_SVC_ATTR_CONN_MAX, the namespace's
 * @usage: L4LB_SVC_ATTR_SNAT_USAGE; NULL leaves it out
 */
struct l4lb_nl_svc {
	struct l4lb_service_cfg cfg;
	u64 snat_fail;
	u32 conn_max;
	const struct l4lb_snat_usage *usage;
};

/*
 * L4LB_NL_SVC_SIZE_MAX - the most room a L4LB_ATTR_SERVICE nest takes
 * (l4lb_nl_svc_size()): an AF_INET6 service with a full SNAT pool, usage
 * and, were it allowed, peers; bytes.
 */
#define L4LB_NL_SVC_SIZE_MAX	6144

void l4lb_nl_svc_get(struct l4lb_net *ln, struct l4lb_service *svc,
		     struct l4lb_nl_svc *r);
size_t l4lb_nl_svc_size(const struct l4lb_nl_svc *r);
int l4lb_nl_svc_fill(struct sk_buff *msg, const void *arg);
int l4lb_nl_svc_key_fill(struct sk_buff *msg, const struct l4lb_service *svc);
int l4lb_nl_be_fill(struct sk_buff *msg, struct l4lb_backend *be);
int l4lb_nl_conn_fill(struct sk_buff *msg, struct l4lb_conn *conn);
int l4lb_nl_stats_fill(struct sk_buff *msg, const void *arg);
int l4lb_nl_table_full_fill(struct sk_buff *msg, struct l4lb_net *ln);

#endif /* _L4LB_NETLINK_MSG_H */
