/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: the control-plane operations of a namespace (l4lb_ctl.c), as the
 * netlink family and the module parameters request them.
 */
#ifndef _L4LB_CTL_H
#define _L4LB_CTL_H

#include <linux/netlink.h>
#include <linux/types.h>

#include "l4lb_service.h"

struct l4lb_net;

/**
 * struct l4lb_be_req - a request about one backend of one service
 * @sel: the service
 * @af: the family of @addr, AF_INET or AF_INET6, which must be the
 *	service's; 0 for the service's (a caller that made sure of it)
 * @addr: the backend's address, network byte order (.ip of an IPv4 one,
 *	the rest zero)
 * @port: the backend's port, network byte order
 * @weight: the weight to set (with @set_weight)
 * @weight_pct: the weight percentage to set (with @set_weight_pct),
 *	0..L4LB_WEIGHT_PCT_MAX
 * @state: the enum l4lb_be_state to set (with @set_state)
 * @set_weight: @weight is given
 * @set_weight_pct: @weight_pct is given
 * @set_state: @state is given
 * @now: remove the backend's rows at once (L4LB_F_NOW)
 */
struct l4lb_be_req {
	struct l4lb_svc_sel sel;
	u8 af;
	union nf_inet_addr addr;
	__be16 port;
	u32 weight;
	u32 weight_pct;
	u8 state;
	bool set_weight;
	bool set_weight_pct;
	bool set_state;
	bool now;
};

int l4lb_ctl_service_set(struct l4lb_net *ln,
			 const struct l4lb_service_cfg *cfg,
			 struct netlink_ext_ack *extack);
int l4lb_ctl_service_del(struct l4lb_net *ln, const struct l4lb_svc_sel *sel,
			 struct netlink_ext_ack *extack);
int l4lb_ctl_flush(struct l4lb_net *ln, const struct l4lb_svc_sel *sel,
		   struct netlink_ext_ack *extack);
int l4lb_ctl_backend_add(struct l4lb_net *ln, const struct l4lb_be_req *req,
			 struct netlink_ext_ack *extack);
int l4lb_ctl_backend_del(struct l4lb_net *ln, const struct l4lb_be_req *req,
			 struct netlink_ext_ack *extack);
int l4lb_ctl_backend_set(struct l4lb_net *ln, const struct l4lb_be_req *req,
			 struct netlink_ext_ack *extack);
void l4lb_ctl_net_exit(struct l4lb_net *ln);
void l4lb_ctl_init(void);

#endif /* _L4LB_CTL_H */
