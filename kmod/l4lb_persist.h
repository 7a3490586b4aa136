/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: persistence templates (l4lb_persist.c).
 */
#ifndef _L4LB_PERSIST_H
#define _L4LB_PERSIST_H

struct l4lb_backend;
struct l4lb_conn_table;
struct l4lb_tuple;
struct in6_addr;

struct l4lb_backend *l4lb_persist_find(struct l4lb_conn_table *tab,
				       const struct l4lb_tuple *orig,
				       const struct in6_addr *a6,
				       unsigned long persist);
void l4lb_persist_add(struct l4lb_conn_table *tab,
		      const struct l4lb_tuple *orig, const struct in6_addr *a6,
		      struct l4lb_backend *be, unsigned long persist);

#endif /* _L4LB_PERSIST_H */
