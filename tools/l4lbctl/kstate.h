/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kstate.h - the services and backends the kernel has, read whole: for
 * "save" and "restore" (cmd_conf.c) and "stats --prometheus"
 * (cmd_stats.c).
 */
#ifndef L4LBCTL_KSTATE_H
#define L4LBCTL_KSTATE_H

#include <stddef.h>

#include "msg.h"

/**
 * struct kstate - the services and backends the kernel has
 * @svcs: services, in creation order
 * @nsvcs: their number
 * @bes: backends, each with its service's key in @svc, in dump order
 * @nbes: their number
 * @by_key: @bes sorted by service key, then address and port, for
 *	kstate_find_be()
 *
 * Two dumps, so not one atomic snapshot. A namespace may hold 65536
 * backends (backend_max): lookups are O(log n), so that restoring a file
 * of as many stays linear-ish.
 */
struct kstate {
	struct svc_info *svcs;
	size_t nsvcs;
	struct be_info *bes;
	size_t nbes;
	const struct be_info **by_key;
};

/**
 * kstate_read() - dump every service, then every backend, and index them
 * @ks: out; kstate_free() it after RC_OK
 *
 * Return: RC_OK, or an exit code after its one-line message (nothing is
 * left to free then).
 */
int kstate_read(struct kstate *ks);

/** kstate_free() - free what kstate_read() allocated in @ks */
void kstate_free(struct kstate *ks);

/**
 * kstate_find_be() - the backend @ep of service @key, not removed, or NULL
 * @ks: from kstate_read()
 * @key: the service's key (vip, port, proto, all set)
 * @ep: the backend's address and port
 *
 * A service has one backend of an address and port at most, removed
 * (draining) or not.
 */
const struct be_info *kstate_find_be(const struct kstate *ks,
				     const struct svc_sel *key,
				     const struct ipport *ep);

#endif /* L4LBCTL_KSTATE_H */
