/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: the packet path (netfilter hooks).
 */
#ifndef _L4LB_CORE_H
#define _L4LB_CORE_H

#include "l4lb_conn.h"

struct l4lb_net;

int l4lb_hooks_register(struct l4lb_net *ln);
void l4lb_hooks_unregister(struct l4lb_net *ln);
u8 l4lb_tcp_next_state(u8 state, u8 *flags, enum l4lb_dir dir, u8 tcp_flags);

#endif /* _L4LB_CORE_H */
