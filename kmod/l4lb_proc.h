/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: /proc/net/l4lb/nat (and /proc/l4lb, a link to it).
 */
#ifndef _L4LB_PROC_H
#define _L4LB_PROC_H

struct l4lb_net;

int l4lb_proc_net_init(struct l4lb_net *ln);
void l4lb_proc_net_exit(struct l4lb_net *ln);
int l4lb_proc_init(void);
void l4lb_proc_exit(void);

#endif /* _L4LB_PROC_H */
