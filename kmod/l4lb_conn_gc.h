/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: expiry of idle NAT table rows (l4lb_conn_gc.c).
 */
#ifndef _L4LB_CONN_GC_H
#define _L4LB_CONN_GC_H

#include <linux/types.h>

struct l4lb_conn_table;

unsigned long l4lb_conn_gc_period(const unsigned long *timeout, u8 proto);
void l4lb_conn_gc_set_period(struct l4lb_conn_table *tab, unsigned long period);
unsigned int l4lb_conn_gc_tick(struct l4lb_conn_table *tab, unsigned long now);

#endif /* _L4LB_CONN_GC_H */
