/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: forced allocation failures, for the tests (l4lb_fault.c).
 */
#ifndef _L4LB_FAULT_H
#define _L4LB_FAULT_H

#include <linux/types.h>

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
void l4lb_fault_init(void);
void l4lb_fault_exit(void);
bool l4lb_fault_alloc(size_t size);
#else
static inline void l4lb_fault_init(void) {}
static inline void l4lb_fault_exit(void) {}
static inline bool l4lb_fault_alloc(size_t size) { return false; }
#endif

#endif /* _L4LB_FAULT_H */
