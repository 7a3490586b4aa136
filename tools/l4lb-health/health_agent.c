// SPDX-License-Identifier: GPL-2.0
/*
 * health_agent.c - the agent line parser and the weight arithmetic.
 * See health_agent.h.
 */
#include <stdio.h>
#include <string.h>

#include <uapi/l4lb.h>

#include "health_agent.h"
#include "health_check.h"

/* The kinds of word; each may appear once in a line. */
enum word_kind {
	KIND_PCT,
	KIND_ADMIN,	/* ready, drain, maint */
	KIND_OPER,	/* up, down, fail, stopped */
	KIND_MAXCONN,
	KIND_COUNT,
};

static const struct {
	const char *word;
	enum word_kind kind;
	enum health_agent_state state;
} words[] = {
	{ "ready",   KIND_ADMIN, AGENT_STATE_UP },
	{ "drain",   KIND_ADMIN, AGENT_STATE_DRAIN },
	{ "maint",   KIND_ADMIN, AGENT_STATE_DOWN },
	{ "up",      KIND_OPER,  AGENT_STATE_UP },
	{ "down",    KIND_OPER,  AGENT_STATE_DOWN },
	{ "fail",    KIND_OPER,  AGENT_STATE_DOWN },
	{ "stopped", KIND_OPER,  AGENT_STATE_DOWN },
};

static bool is_sep(char c)
{
	return c == ' ' || c == '\t' || c == ',';
}

/* The word @w (@len bytes) quoted for an error message. */
static void bad_word(char *err, const char *what, const char *w, size_t len)
{
	char esc[80];

	health_escape(esc, sizeof(esc), w, len, 16);
	snprintf(err, HEALTH_AGENT_ERR_MAX, "%s \"%s\"", what, esc);
}

/* "N%": 0 and the value (above L4LB_WEIGHT_PCT_MAX read as the max), or -1. */
static int parse_pct(const char *w, size_t len, uint32_t *pct)
{
	uint32_t v = 0;
	size_t i;

	if (len < 2 || w[len - 1] != '%')
		return -1;
	for (i = 0; i + 1 < len; i++) {
		if (w[i] < '0' || w[i] > '9')
			return -1;
		v = v * 10 + (uint32_t)(w[i] - '0');
		if (v > L4LB_WEIGHT_PCT_MAX)
			v = L4LB_WEIGHT_PCT_MAX + 1;	/* no overflow */
	}
	*pct = v > L4LB_WEIGHT_PCT_MAX ? L4LB_WEIGHT_PCT_MAX : v;
	return 0;
}

/* "maxconn:N", N decimal digits: 0, else -1. */
static int parse_maxconn(const char *w, size_t len)
{
	static const char prefix[] = "maxconn:";
	size_t i, plen = sizeof(prefix) - 1;

	if (len <= plen || memcmp(w, prefix, plen))
		return -1;
	for (i = plen; i < len; i++)
		if (w[i] < '0' || w[i] > '9')
			return -1;
	return 0;
}

/* The stronger of two states: down over drain over up over none. */
static enum health_agent_state stronger(enum health_agent_state a,
					enum health_agent_state b)
{
	return a > b ? a : b;
}

/*
 * One word into @r; @seen has a bit per kind already met. 0, or -1 with
 * @err set.
 */
static int take_word(const char *w, size_t len, unsigned int *seen,
		     struct health_agent_reply *r, char *err)
{
	enum word_kind kind;
	size_t i;

	if (parse_pct(w, len, &r->pct) == 0) {
		kind = KIND_PCT;
		r->has_pct = true;
	} else if (parse_maxconn(w, len) == 0) {
		kind = KIND_MAXCONN;
	} else {
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strlen(words[i].word) == len &&
			    !memcmp(words[i].word, w, len))
				break;
		if (i == sizeof(words) / sizeof(words[0])) {
			bad_word(err, w[0] >= '0' && w[0] <= '9' ?
				 "bad percentage" : "unknown word", w, len);
			return -1;
		}
		kind = words[i].kind;
		r->state = stronger(r->state, words[i].state);
	}
	if (*seen & (1u << kind)) {
		bad_word(err, kind == KIND_PCT ? "second percentage" :
			 kind == KIND_MAXCONN ? "second maxconn" :
			 "second state word", w, len);
		return -1;
	}
	*seen |= 1u << kind;
	return 0;
}

int health_agent_parse(const char *line, size_t len,
		       struct health_agent_reply *out, char *err)
{
	struct health_agent_reply r = { .state = AGENT_STATE_NONE };
	unsigned int seen = 0;
	size_t i = 0;

	while (i < len) {
		size_t start;

		if (is_sep(line[i])) {
			i++;
			continue;
		}
		if (line[i] == '#')	/* a description, to the end */
			break;
		start = i;
		while (i < len && !is_sep(line[i]) && line[i] != '#')
			i++;
		if (take_word(line + start, i - start, &seen, &r, err) < 0)
			return -1;
	}
	if (!seen) {
		snprintf(err, HEALTH_AGENT_ERR_MAX, "no word in the line");
		return -1;
	}
	*out = r;
	return 0;
}

const char *health_agent_state_name(enum health_agent_state state)
{
	switch (state) {
	case AGENT_STATE_UP:
		return "ready";
	case AGENT_STATE_DRAIN:
		return "drain";
	case AGENT_STATE_DOWN:
		return "down";
	default:
		return "none";
	}
}

bool health_agent_wanted(const struct svc_sel *sel, const struct svc_sel *key)
{
	return !sel->set ||
	       (ipaddr_eq(&sel->vip, &key->vip) &&
		(!sel->has_port || sel->port == key->port) &&
		(!sel->has_proto || sel->proto == key->proto));
}

/* @a × @b / 100, at least 1 unless @a or @b is 0, at most @max. */
static uint32_t pct_of(uint32_t a, uint32_t b, uint32_t max)
{
	uint64_t v = (uint64_t)a * b / 100;

	if (!a || !b)
		return 0;
	if (v < 1)
		return 1;
	return v > max ? max : (uint32_t)v;
}

uint32_t health_weight_effective(uint32_t weight, uint32_t pct)
{
	return pct_of(weight, pct, L4LB_WEIGHT_MAX);
}

uint32_t health_rtt_pct(uint32_t rtt_us, uint32_t fastest_us)
{
	uint64_t f;

	if (!rtt_us || rtt_us <= fastest_us)
		return 100;
	f = (uint64_t)fastest_us * 100 / rtt_us;
	return f < 1 ? 1 : (uint32_t)f;
}

uint32_t health_combine_pct(uint32_t agent_pct, uint32_t rtt_pct)
{
	return pct_of(agent_pct, rtt_pct, L4LB_WEIGHT_PCT_MAX);
}
