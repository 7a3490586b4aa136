// SPDX-License-Identifier: GPL-2.0
/*
 * health_decide.c - announce or withdraw, and the drain report. See
 * health_decide.h.
 */
#include <stdio.h>

#include <uapi/l4lb.h>

#include "fmt.h"
#include "health_decide.h"

bool health_usable(const struct health_backend *be)
{
	return be->state == L4LB_BE_STATE_UP && be->weight_eff > 0 &&
	       !be->removed;
}

static bool same_key(const struct svc_sel *a, const struct svc_sel *b)
{
	return ipaddr_eq(&a->vip, &b->vip) && a->port == b->port &&
	       a->proto == b->proto;
}

/* Does @sel select the service @key, as the kernel matches selectors? */
static bool selects(const struct svc_sel *sel, const struct svc_sel *key)
{
	return !sel->set ||
	       (ipaddr_eq(&sel->vip, &key->vip) &&
		(!sel->has_port || sel->port == key->port) &&
		(!sel->has_proto || sel->proto == key->proto));
}

/* Has service @key a usable backend in @in->bes? */
static bool has_usable(const struct health_serve_in *in,
		       const struct svc_sel *key)
{
	size_t i;

	for (i = 0; i < in->nbes; i++)
		if (same_key(&in->bes[i].svc, key) &&
		    health_usable(&in->bes[i]))
			return true;
	return false;
}

bool health_serve(const struct health_serve_in *in, char *why)
{
	static const struct svc_sel all = { 0 };
	const struct svc_sel *sel = in->sel ? in->sel : &all;
	char s[SVC_STRLEN];
	size_t i, matched = 0;

	why[0] = '\0';
	if (!in->module) {
		snprintf(why, HEALTH_REASON_MAX, "l4lb module not loaded");
		return false;
	}
	if (in->drained) {
		snprintf(why, HEALTH_REASON_MAX, "drained (%s)", in->drain_file);
		return false;
	}
	for (i = 0; i < in->nsvcs; i++) {
		if (!selects(sel, &in->svcs[i]))
			continue;
		matched++;
		if (!has_usable(in, &in->svcs[i])) {
			snprintf(why, HEALTH_REASON_MAX,
				 "no usable backend in %s",
				 fmt_svc(s, &in->svcs[i]));
			return false;
		}
	}
	if (matched)
		return true;
	if (sel->set)
		snprintf(why, HEALTH_REASON_MAX, "no service matches %s",
			 fmt_svc(s, sel));
	else
		snprintf(why, HEALTH_REASON_MAX, "no service");
	return false;
}

unsigned int health_drain_step(struct health_drain *d, bool drained,
			       bool known, uint64_t conns, int64_t now_ms,
			       uint32_t timeout_ms)
{
	unsigned int ev = 0;

	if (!drained) {
		if (d->on)
			ev = HEALTH_DRAIN_END;
		*d = (struct health_drain){ 0 };
		return ev;
	}
	if (!d->on) {
		d->on = true;
		d->since_ms = now_ms;
	}
	if (d->done)
		return 0;
	if (known && !d->told_count) {
		d->told_count = true;
		ev |= HEALTH_DRAIN_BEGIN;
	}
	if (known && conns == 0) {
		d->done = true;
		ev |= HEALTH_DRAIN_EMPTY;
	} else if (timeout_ms && now_ms - d->since_ms >= timeout_ms) {
		d->done = true;
		ev |= HEALTH_DRAIN_TIMEOUT;
	}
	return ev;
}
