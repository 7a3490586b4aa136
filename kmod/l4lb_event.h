/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: live events (l4lb_event.c), the L4LB_CMD_EVENT notifications of
 * the family's multicast group L4LB_GENL_MCGRP_EVENTS (include/uapi/l4lb.h,
 * enum l4lb_event_kind).
 *
 * Who reports what:
 *  - the control plane (l4lb_ctl.c), what its commands changed, under the
 *    services lock, so that listeners see the changes in the order they
 *    were made;
 *  - the service core, the removed backends it reaps, through the hook
 *    l4lb_services::gone that l4lb_event_net_init() sets;
 *  - the packet path (l4lb_core.c), a full NAT table, at most once a
 *    second per namespace.
 */
#ifndef _L4LB_EVENT_H
#define _L4LB_EVENT_H

#include <linux/types.h>

struct genl_family;
struct l4lb_backend;
struct l4lb_net;
struct l4lb_service;

/* The index of the events group in the family's mcgrps[] (l4lb_netlink.c). */
#define L4LB_EVENT_GRP	0

void l4lb_event_register(const struct genl_family *family);
void l4lb_event_unregister(void);
void l4lb_event_net_init(struct l4lb_net *ln);

void l4lb_event_service(struct l4lb_net *ln, struct l4lb_service *svc,
			u8 kind);
void l4lb_event_backend(struct l4lb_net *ln, struct l4lb_backend *be,
			u8 kind);
void l4lb_event_flush(struct l4lb_net *ln, const struct l4lb_service *svc);
void l4lb_event_table_full(struct l4lb_net *ln,
			   const struct l4lb_service *svc);

bool l4lb_event_ratelimit(unsigned long *last, unsigned long now);

#endif /* _L4LB_EVENT_H */
