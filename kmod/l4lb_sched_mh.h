/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: the Maglev scheduler's table, for its KUnit suite
 * (l4lb_sched_mh.c).
 */
#ifndef _L4LB_SCHED_MH_H
#define _L4LB_SCHED_MH_H

#include <linux/types.h>

struct l4lb_backend;
struct l4lb_backend_array;
struct l4lb_mh_table;
struct l4lb_tuple;

unsigned int l4lb_mh_table_size(unsigned int n);
struct l4lb_mh_table *l4lb_mh_build(const struct l4lb_backend_array *arr,
				    u32 seed);
void l4lb_mh_table_free(struct l4lb_mh_table *tab);
struct l4lb_backend *l4lb_mh_lookup(const struct l4lb_mh_table *tab, u32 hash);
u32 l4lb_mh_hash(const struct l4lb_tuple *t, u32 seed, bool source_only);

#endif /* _L4LB_SCHED_MH_H */
