/* SPDX-License-Identifier: GPL-2.0 */
/*
 * metrics.h - "stats --prometheus": what the kernel sent, as Prometheus
 * metrics (lib/prom.h writes the format). The names, types, labels and
 * help of every metric are in metrics.c's tables and in l4lbctl(8),
 * PROMETHEUS METRICS.
 */
#ifndef L4LBCTL_METRICS_H
#define L4LBCTL_METRICS_H

#include <stddef.h>
#include <stdio.h>

#include "msg.h"

/**
 * struct metrics - one reading of the kernel's counters
 * @st: the global counters (STATS_GET)
 * @svc: every service (SERVICE_GET dump), in the kernel's order
 * @nsvc: their number
 * @be: every backend of every service (BACKEND_GET dump), in the
 *	kernel's order, each with its service's key
 * @nbe: their number
 *
 * Three requests, so not one atomic snapshot: a connection may begin or
 * end between them.
 */
struct metrics {
	struct stats_info st;
	struct svc_info *svc;
	size_t nsvc;
	struct be_info *be;
	size_t nbe;
};

/**
 * metrics_write() - print @m in the text exposition format
 * @f: the stream
 * @m: what the kernel sent
 *
 * The global counters (each only if the kernel sent it), then the
 * services' metrics, labelled vip, port and proto, then the backends',
 * labelled vip, port, proto and backend ("IP:PORT"). A family with no
 * sample (no services, say) is left out.
 */
void metrics_write(FILE *f, const struct metrics *m);

#endif /* L4LBCTL_METRICS_H */
