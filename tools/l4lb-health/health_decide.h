/* SPDX-License-Identifier: GPL-2.0 */
/*
 * health_decide.h - whether this node should announce its VIP (the
 * --announce interface up) or withdraw it (down), and the drain report.
 * Pure logic: the caller gathers the kernel's answers, so all of it is
 * unit-tested (tests/test_health_decide.c).
 */
#ifndef L4LB_HEALTH_DECIDE_H
#define L4LB_HEALTH_DECIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "health_kernel.h"
#include "parse.h"

/* Room for a reason, including the NUL. */
#define HEALTH_REASON_MAX 320

/**
 * struct health_serve_in - what the decision looks at, this round
 * @module: the l4lb module is loaded (the kernel answered)
 * @drained: the drain file exists
 * @drain_file: its path, for the reason
 * @sel: the services that must each have a usable backend; NULL or not
 *	@sel->set: every service of @svcs
 * @svcs: the keys of the namespace's services (health_kernel_services())
 * @nsvcs: their number
 * @bes: the backends, as the kernel lists them after this round's changes
 * @nbes: their number
 */
struct health_serve_in {
	bool module;
	bool drained;
	const char *drain_file;
	const struct svc_sel *sel;
	const struct svc_sel *svcs;
	size_t nsvcs;
	const struct health_backend *bes;
	size_t nbes;
};

/**
 * health_usable() - can a backend take new connections?
 * @be: as listed: state up, effective weight > 0, and not removed
 *
 * Return: true if so.
 */
bool health_usable(const struct health_backend *be);

/**
 * health_serve() - should this node announce its VIP?
 * @in: this round's facts
 * @why: HEALTH_REASON_MAX bytes; when the answer is no, the first reason, in
 *	this order: "l4lb module not loaded", "drained (PATH)", "no service"
 *	(or "no service matches SEL"), "no usable backend in VIP:PORT/PROTO"
 *	(the first selected service without one); "" when the answer is yes
 *
 * Return: true to announce (interface up), false to withdraw (down).
 */
bool health_serve(const struct health_serve_in *in, char *why);

/**
 * struct health_drain - the drain report's memory between rounds
 * @on: the node is drained
 * @done: "node empty" or "timeout" was reported for this drain
 * @told_count: the count at the start of this drain was reported
 * @since_ms: when this drain began, CLOCK_MONOTONIC milliseconds
 *
 * All zero: not drained.
 */
struct health_drain {
	bool on;
	bool done;
	bool told_count;
	int64_t since_ms;
};

/* Events of health_drain_step(), a bitmask. */
#define HEALTH_DRAIN_BEGIN	0x1	/* log the count of connections left */
#define HEALTH_DRAIN_EMPTY	0x2	/* log "node empty" */
#define HEALTH_DRAIN_TIMEOUT	0x4	/* log "timeout, N connections left" */
#define HEALTH_DRAIN_END	0x8	/* the drain file went away */

/**
 * health_drain_step() - one round of the drain report
 * @d: the memory, updated
 * @drained: the drain file exists
 * @known: @conns could be read this round
 * @conns: the NAT rows of the namespace (meaningful with @known)
 * @now_ms: CLOCK_MONOTONIC milliseconds
 * @timeout_ms: drain-timeout; 0: wait for the rows to end
 *
 * BEGIN comes once per drain, in the first round with a known count;
 * then EMPTY (count 0) or TIMEOUT (@timeout_ms since the drain began),
 * once; END when the drain file is gone. A round may give BEGIN|EMPTY.
 *
 * Return: the HEALTH_DRAIN_* events of this round, 0 for none.
 */
unsigned int health_drain_step(struct health_drain *d, bool drained,
			       bool known, uint64_t conns, int64_t now_ms,
			       uint32_t timeout_ms);

#endif /* L4LB_HEALTH_DECIDE_H */
