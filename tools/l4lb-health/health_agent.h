/* SPDX-License-Identifier: GPL-2.0 */
/*
 * health_agent.h - agent checks: load feedback from the backends.
 *
 * Besides its health check, each backend may run an agent: a TCP server
 * on the backend's address and the configured agent port that answers
 * every connection with one ASCII line and closes it. The line uses the
 * vocabulary of HAProxy's agent-check (HAProxy Configuration Manual,
 * section 5.2, "agent-check"): words separated by spaces, tabs or commas,
 * in any order, ended by "\n" (or "\r\n") or by the end of the connection:
 *
 *   N%                 a percentage of the configured weight, 0-256 here
 *                      (HAProxy caps weights at 256); more is read as 256
 *   ready, up          the agent no longer holds the backend out (below)
 *   drain              no new connections (l4lb state drain)
 *   maint              no new connections (l4lb state down)
 *   down, fail, stopped  no new connections (l4lb state down); the rest
 *                      of the line after a '#' is a description
 *   maxconn:N          accepted and ignored (l4lb has no per-backend
 *                      connection limit)
 *
 * At most one percentage, one of ready/drain/maint and one of
 * up/down/fail/stopped. Anything else makes the line malformed, and a
 * malformed line changes nothing.
 *
 * This file holds the pure part: the parser and the weight arithmetic.
 * The daemon (main.c) runs the checks through health_check.c's line mode
 * and applies the results with health_kernel.c.
 */
#ifndef L4LB_HEALTH_AGENT_H
#define L4LB_HEALTH_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

/* Room for a parse error message, including the NUL. */
#define HEALTH_AGENT_ERR_MAX 160

/**
 * enum health_agent_state - what the agent says of the backend's state
 * @AGENT_STATE_NONE: nothing (a percentage alone): the state stays
 * @AGENT_STATE_UP: ready or up: release what the agent held
 * @AGENT_STATE_DRAIN: drain: l4lb state drain
 * @AGENT_STATE_DOWN: maint, down, fail or stopped: l4lb state down
 */
enum health_agent_state {
	AGENT_STATE_NONE,
	AGENT_STATE_UP,
	AGENT_STATE_DRAIN,
	AGENT_STATE_DOWN,
};

/**
 * struct health_agent_reply - a parsed agent line
 * @has_pct: a percentage was given
 * @pct: the percentage, 0..L4LB_WEIGHT_PCT_MAX (with @has_pct)
 * @state: the state the agent asks for; when the line has both an
 *	administrative word (ready, drain, maint) and an operational one
 *	(up, down, fail, stopped), the stronger wins: down over drain over up
 */
struct health_agent_reply {
	bool has_pct;
	uint32_t pct;
	enum health_agent_state state;
};

/**
 * health_agent_parse() - parse an agent's line
 * @line: the line, without its "\n"; may contain NULs (which are malformed)
 * @len: its length in bytes
 * @out: the reply (set only on success)
 * @err: on failure, why, e.g. "unknown word \"busy\"" (HEALTH_AGENT_ERR_MAX)
 *
 * Return: 0, or -1 for a malformed line (empty, unknown word, bad
 * percentage, a kind of word given twice).
 */
int health_agent_parse(const char *line, size_t len,
		       struct health_agent_reply *out, char *err);

/**
 * health_agent_state_name() - the word for a state, for log lines
 * @state: the state
 *
 * Return: "ready", "drain", "down" or "none".
 */
const char *health_agent_state_name(enum health_agent_state state);

/**
 * health_agent_wanted() - does a backend's service get agent checks?
 * @sel: the agent-service selector (parse_svc_sel()); not @sel->set: every
 *	service does
 * @key: the key of the backend's service, every field given
 *
 * Return: true if @sel matches @key as the kernel matches selectors: the
 * VIP, and the port and the protocol where @sel gives them.
 */
bool health_agent_wanted(const struct svc_sel *sel, const struct svc_sel *key);

/**
 * health_weight_effective() - the weight the kernel's schedulers use
 * @weight: the configured weight, 0..L4LB_WEIGHT_MAX
 * @pct: the weight percentage, 0..L4LB_WEIGHT_PCT_MAX
 *
 * The kernel's rule (kmod/l4lb_backend.c, l4lb_weight_effective()), for
 * log lines: @weight * @pct / 100 rounded down, at least 1 unless @weight
 * or @pct is 0, at most L4LB_WEIGHT_MAX.
 *
 * Return: the effective weight.
 */
uint32_t health_weight_effective(uint32_t weight, uint32_t pct);

/**
 * health_rtt_pct() - the RTT factor of a backend, as a percentage
 * @rtt_us: its connect time this round, microseconds (> 0)
 * @fastest_us: the fastest connect time of the round's backends, > 0
 *
 * The fastest backend gets 100; one twice as slow 50, and so on:
 * 100 * @fastest_us / @rtt_us, rounded down, at least 1.
 *
 * Return: 1..100.
 */
uint32_t health_rtt_pct(uint32_t rtt_us, uint32_t fastest_us);

/**
 * health_combine_pct() - the weight percentage to set
 * @agent_pct: the agent's last percentage (100 without an agent figure)
 * @rtt_pct: the RTT factor (health_rtt_pct(); 100 without --agent-rtt)
 *
 * @agent_pct * @rtt_pct / 100, rounded down, at least 1 unless @agent_pct
 * is 0, so that the effective weight is base * agent% * rtt_factor
 * (kernel-side clamping as in health_weight_effective()).
 *
 * Return: 0..L4LB_WEIGHT_PCT_MAX.
 */
uint32_t health_combine_pct(uint32_t agent_pct, uint32_t rtt_pct);

#endif /* L4LB_HEALTH_AGENT_H */
