// SPDX-License-Identifier: GPL-2.0
/*
 * l4lb: forced allocation failures, for the tests.
 *
 * A fault attribute of l4lb's own (Documentation/fault-injection/
 * fault-injection.rst), as nvme and mmc have: /sys/kernel/debug/fail_l4lb/
 * holds its knobs (probability, interval, times, task-filter, verbose...).
 * l4lb's allocations of rows, backends and backend arrays ask it first, so
 * a test can fail those alone, from softirq and process context, without
 * touching the rest of the kernel. failslab cannot single them out on
 * x86_64 (no stack-trace filter there), and fail_function's kprobe draws
 * its random number in NMI context, which lockdep reports.
 *
 * Built only with CONFIG_FAULT_INJECTION_DEBUG_FS; otherwise
 * l4lb_fault_alloc() is false and compiles away.
 */
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fault-inject.h>

#include "l4lb_fault.h"

static DECLARE_FAULT_ATTR(l4lb_fail_alloc);
static struct dentry *l4lb_fault_dir;

/**
 * l4lb_fault_init() - create /sys/kernel/debug/fail_l4lb
 *
 * Injection stays off (probability 0) until a test turns it on. A failure
 * to create the directory only means no failures can be forced.
 *
 * Context: process, module init.
 */
void l4lb_fault_init(void)
{
	struct dentry *dir;

	dir = fault_create_debugfs_attr("fail_l4lb", NULL, &l4lb_fail_alloc);
	l4lb_fault_dir = IS_ERR(dir) ? NULL : dir;
}

/**
 * l4lb_fault_exit() - remove /sys/kernel/debug/fail_l4lb
 *
 * Context: process, module exit.
 */
void l4lb_fault_exit(void)
{
	debugfs_remove_recursive(l4lb_fault_dir);
	l4lb_fault_dir = NULL;
}

/**
 * l4lb_fault_alloc() - should this allocation of l4lb's fail?
 * @size: its size in bytes (the attribute's "space" knob counts it)
 *
 * Context: any.
 * Return: true if the caller must fail as if the allocation had failed.
 */
bool l4lb_fault_alloc(size_t size)
{
	return should_fail(&l4lb_fail_alloc, size);
}
