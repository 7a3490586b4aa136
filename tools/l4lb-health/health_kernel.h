/* SPDX-License-Identifier: GPL-2.0 */
/*
 * health_kernel.h - what l4lb-health asks of the l4lb module: the list of
 * backends, and marking one up or down. Built on nl.c and msg.c.
 *
 * One generic netlink socket is kept open between calls. After any
 * failure it is closed (nl.h: the socket may hold the rest of a failed
 * answer) and the next call opens a new one, resolving the family again,
 * so l4lb-health survives the module being reloaded. Only
 * health_kernel_open() may make the kernel load the module on demand (as
 * l4lbctl does); the reopening after a failure first checks that the
 * family is registered, so a daemon waiting for the module does not run
 * modprobe every round.
 *
 * Every function returns an exit code (enum rc in error.h): RC_OK,
 * RC_KERNEL (the kernel refused, or netlink failed), RC_NO_MODULE (no
 * "l4lb" generic netlink family) or RC_PERM (CAP_NET_ADMIN missing). The
 * message is not printed: it is in health_err_last() (health_log.h).
 */
#ifndef L4LB_HEALTH_KERNEL_H
#define L4LB_HEALTH_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

/**
 * struct health_backend - a backend as the kernel lists it
 * @svc: the key (VIP, PORT, PROTO) of the service it belongs to; address
 *	and port in network byte order
 * @ep: address and port, network byte order
 * @state: enum l4lb_be_state
 * @removed: removed and draining (L4LB_BE_ATTR_REMOVED)
 * @weight: the configured weight
 * @weight_pct: the weight percentage (load feedback; 100 from an older
 *	module)
 * @weight_eff: the effective weight the schedulers use (@weight from an
 *	older module)
 *
 * The same address and port may be a backend of several services: each
 * is a backend of its own, listed once per service.
 */
struct health_backend {
	struct svc_sel svc;
	struct ipport ep;
	uint8_t state;
	bool removed;
	uint32_t weight;
	uint32_t weight_pct;
	uint32_t weight_eff;
};

/**
 * health_kernel_open() - open the socket now, if it is not open
 *
 * Resolving the family lets the kernel load the l4lb module on demand if
 * it is installed (request_module()), as for l4lbctl.
 *
 * Return: an exit code, see above. RC_NO_MODULE means the l4lb module is
 * not loaded.
 */
int health_kernel_open(void);

/**
 * health_kernel_close() - close the socket (safe if it is not open)
 */
void health_kernel_close(void);

/**
 * health_kernel_list() - dump the backends of every service of this
 * namespace
 * @list: set to a malloc()ed array the caller frees (NULL if empty)
 * @n: set to its length
 *
 * Return: an exit code; on failure *@list is NULL and *@n is 0. A reply
 * that cannot be decoded, or a dump interrupted by a change of the
 * kernel's table, is RC_KERNEL (try again next round).
 */
int health_kernel_list(struct health_backend **list, size_t *n);

/**
 * health_kernel_set_state() - mark a backend up or down (BACKEND_SET)
 * @svc: the key of its service, as health_kernel_list() gave it; sent as
 *	the service selector, so the request names one service even when
 *	the namespace has several
 * @ep: the backend, network byte order
 * @state: L4LB_BE_STATE_UP or L4LB_BE_STATE_DOWN, or L4LB_BE_STATE_DRAIN
 *	for an agent's drain
 * @now: send L4LB_F_NOW, so that the kernel removes the backend's NAT
 *	rows at once (only meaningful with L4LB_BE_STATE_DOWN)
 *
 * Return: an exit code; RC_KERNEL with "no such backend" style messages
 * if the backend was removed meanwhile.
 */
int health_kernel_set_state(const struct svc_sel *svc, const struct ipport *ep,
			    uint8_t state, bool now);

/**
 * health_kernel_set_weight_pct() - set a backend's weight percentage
 *	(BACKEND_SET with L4LB_BE_ATTR_WEIGHT_PCT only)
 * @svc: the key of its service, as for health_kernel_set_state()
 * @ep: the backend, network byte order
 * @pct: 0..L4LB_WEIGHT_PCT_MAX; the configured weight is not touched
 *
 * Return: an exit code, as health_kernel_set_state().
 */
int health_kernel_set_weight_pct(const struct svc_sel *svc,
				 const struct ipport *ep, uint32_t pct);

/**
 * health_kernel_services() - dump the keys of every service of this
 * namespace (SERVICE_GET), with or without backends
 * @list: set to a malloc()ed array the caller frees (NULL if empty); each
 *	a key: @set, @has_port and @has_proto true, network byte order
 * @n: set to its length
 *
 * Return: an exit code, as health_kernel_list().
 */
int health_kernel_services(struct svc_sel **list, size_t *n);

/**
 * health_kernel_conns() - the NAT rows of this namespace now
 *	(STATS_GET, L4LB_STATS_ATTR_CONNS)
 * @conns: set to the count
 *
 * Return: an exit code; RC_KERNEL if the reply has no such counter.
 */
int health_kernel_conns(uint64_t *conns);

#endif /* L4LB_HEALTH_KERNEL_H */
