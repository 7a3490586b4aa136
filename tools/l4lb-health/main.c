// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - l4lb-health, the health-check daemon of l4lb.
 *
 * Every interval it lists the backends of this network namespace's l4lb
 * services, checks each one (health_check.c), feeds the results to one
 * rise/fall state machine per backend (health_sm.c), and marks a backend
 * down or up in the kernel when its machine flips (health_kernel.c).
 *
 * A backend is a service's backend: the same IP:PORT in two services (a
 * TCP and a UDP service on one VIP:port, say) is two backends, followed,
 * checked and marked each on its own. While the namespace has more than
 * one service, log lines name the service too ("backend IP:PORT of
 * service VIP:PORT/PROTO ...").
 *
 * The check follows the service's protocol: a TCP connect (and dialogue)
 * for a TCP service, a request datagram and its reply for a UDP service
 * (health_check.h). A UDP backend that stays silent may be dead or may
 * just not answer what it was sent, so without a request to send (--send,
 * or --udp-send) UDP backends are not checked: they keep their state, and
 * each is logged once, when first found so, as "not checked".
 *
 * Who owns a backend's state. l4lb-health only moves backends between up
 * and down. It starts from whatever state the kernel reports, and whenever
 * the kernel reports a state it did not set itself (an operator ran
 * "l4lbctl set ... down", say), it adopts that state and starts counting
 * afresh. Backends in state drain are left alone, and not checked: drain
 * (or weight 0) is how an operator takes a backend out of service. (A
 * change an operator makes during a round, between our listing and our
 * BACKEND_SET, can still be overwritten; netlink has no compare-and-set.)
 *
 * Agent checks (--agent-port, health_agent.h). After the health checks
 * of a round, each backend's agent is asked for its line. A percentage
 * becomes the backend's weight percentage in the kernel (the configured
 * weight stays; with --agent-rtt it is first scaled by the RTT factor).
 * drain, maint and down put the backend in state drain or down and hold
 * it there: the health checks go on, and their flips are logged, but the
 * kernel state stays the agent's until the agent says ready or up; then
 * the state is the health checks' again. An operator's change of state
 * ends the agent's hold, as it restarts the health counting. An
 * unreachable agent, or a malformed line, changes nothing, and is logged
 * once, until the agent answers well again.
 *
 * Announcing (--announce IFACE, health_decide.h). After the checks of a
 * round the daemon decides whether this node can serve: the module is
 * loaded, every service announce-service selects has a usable backend (as
 * the kernel lists them after this round's changes), and the drain file
 * does not exist. It sets IFACE up if so and down if not; a routing
 * daemon announces the VIP on IFACE while it is up. While drained, it
 * logs the NAT rows left, then "node empty" or a timeout. A kernel error
 * other than "module not loaded" leaves IFACE as it is, as does stopping:
 * on SIGTERM the interface keeps its state, so that stopping (or
 * restarting) the checker does not withdraw a node that works; a node
 * that dies is the routing protocol's (BFD's, the router's) to notice.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <uapi/l4lb.h>

#include "error.h"
#include "fmt.h"
#include "health_agent.h"
#include "health_announce.h"
#include "health_check.h"
#include "health_config.h"
#include "health_decide.h"
#include "health_kernel.h"
#include "health_log.h"
#include "health_sm.h"
#include "names.h"
#include "sigfd.h"

#ifndef L4LBCTL_VERSION
#define L4LBCTL_VERSION "unknown"
#endif

/**
 * struct tracked - a backend l4lb-health follows
 * @svc: the key of its service, network byte order
 * @ep: address and port, network byte order
 * @kstate: the state the kernel last reported, or that we last set
 * @sm: the rise/fall state machine
 * @seen: listed by the kernel in this round
 * @told: "not checked" was logged for it (once per backend is enough)
 * @weight: its configured weight, as the kernel last listed it
 * @kpct: its weight percentage, as the kernel last listed it or we set it
 * @agent_pct: the agent's last percentage (with @has_agent_pct)
 * @has_agent_pct: the agent has given a percentage
 * @hold: the state its agent holds it in: AGENT_STATE_NONE, or
 *	AGENT_STATE_DRAIN or AGENT_STATE_DOWN (@kstate is then drain or down)
 * @trouble: the agent trouble last logged (enum agent_trouble)
 */
struct tracked {
	struct svc_sel svc;
	struct ipport ep;
	uint8_t kstate;
	struct health_sm sm;
	bool seen;
	bool told;
	uint32_t weight;
	uint32_t kpct;
	uint32_t agent_pct;
	bool has_agent_pct;
	enum health_agent_state hold;
	int trouble;
};

/* What is wrong with an agent; logged when it changes. */
enum agent_trouble {
	AGENT_FINE,
	AGENT_UNREACHABLE,
	AGENT_MALFORMED,
};

/* The backends followed, in the kernel's order. */
static struct tracked *tab;
static size_t ntab;

/* The last list had backends of more than one service. */
static bool several_services;

/*
 * The last kernel error logged. While the same error repeats round after
 * round (module unloaded, say) it is logged once; after a round without
 * kernel errors it would be logged again.
 */
static char last_kernel_err[512];
static bool kernel_error_this_round;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Longest be_str(): "IP:PORT of service VIP:PORT/PROTO". */
#define BE_STRLEN (IPPORT_STRLEN + sizeof(" of service ") + SVC_STRLEN)

static bool same_svc(const struct svc_sel *a, const struct svc_sel *b)
{
	return ipaddr_eq(&a->vip, &b->vip) && a->port == b->port &&
	       a->proto == b->proto;
}

/* Do the backends of @list belong to more than one service? */
static bool list_has_several_services(const struct health_backend *list,
				      size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (!same_svc(&list[i].svc, &list[0].svc))
			return true;
	return false;
}

/*
 * How a backend is named in the log and by --once: "10.0.1.1:10000", or,
 * while there are several services, "10.0.1.1:10000 of service
 * 10.0.0.1:20000/udp". @buf has BE_STRLEN bytes.
 */
static const char *be_str(const struct svc_sel *svc, const struct ipport *ep,
			  char *buf)
{
	char e[IPPORT_STRLEN], s[SVC_STRLEN];

	if (!several_services)
		return fmt_ipport(buf, ep);
	snprintf(buf, BE_STRLEN, "%s of service %s", fmt_ipport(e, ep),
		 fmt_svc(s, svc));
	return buf;
}

/* Log a kernel error, unless it is the one logged last. */
static void kernel_error(const char *what)
{
	char msg[sizeof(last_kernel_err)];

	kernel_error_this_round = true;
	snprintf(msg, sizeof(msg), "%s: %s", what, health_err_last());
	if (strcmp(msg, last_kernel_err)) {
		health_log(LOG_ERR, "%s", msg);
		snprintf(last_kernel_err, sizeof(last_kernel_err), "%s", msg);
	}
	health_err_clear();
}

static struct tracked *find(const struct svc_sel *svc, const struct ipport *ep)
{
	size_t i;

	for (i = 0; i < ntab; i++)
		if (ipport_eq(&tab[i].ep, ep) && same_svc(&tab[i].svc, svc))
			return &tab[i];
	return NULL;
}

/*
 * Bring the table in line with the kernel's list: new backends are added
 * in the state the kernel reports, backends gone (or removed and
 * draining) are dropped, and a state we did not set is adopted.
 * Returns 0, or -1 if memory ran out (the table is then unchanged).
 */
static int reconcile(const struct health_backend *list, size_t n)
{
	struct tracked *t, *grown;
	size_t i, j;

	grown = realloc(tab, (ntab + n + 1) * sizeof(*tab));
	if (!grown)
		return -1;
	tab = grown;
	several_services = list_has_several_services(list, n);
	for (i = 0; i < ntab; i++)
		tab[i].seen = false;
	for (i = 0; i < n; i++) {
		if (list[i].removed)
			continue;
		t = find(&list[i].svc, &list[i].ep);
		if (!t) {
			t = &tab[ntab++];
			t->svc = list[i].svc;
			t->ep = list[i].ep;
			t->kstate = list[i].state;
			t->told = false;
			t->has_agent_pct = false;
			t->hold = AGENT_STATE_NONE;
			t->trouble = AGENT_FINE;
			health_sm_init(&t->sm, list[i].state == L4LB_BE_STATE_UP);
		} else if (t->kstate != list[i].state) {
			/* Someone else's change: it ends the agent's hold. */
			t->kstate = list[i].state;
			t->hold = AGENT_STATE_NONE;
			health_sm_init(&t->sm, list[i].state == L4LB_BE_STATE_UP);
		}
		t->weight = list[i].weight;
		t->kpct = list[i].weight_pct;
		t->seen = true;
	}
	for (i = 0, j = 0; i < ntab; i++)
		if (tab[i].seen)
			tab[j++] = tab[i];
	ntab = j;
	return 0;
}

/*
 * Is this backend health-checked? Drained ones are the operator's, unless
 * their agent drained them.
 */
static bool checked(const struct tracked *t)
{
	return t->kstate == L4LB_BE_STATE_UP ||
	       t->kstate == L4LB_BE_STATE_DOWN || t->hold != AGENT_STATE_NONE;
}

/* Apply a flip of @t's state machine to the kernel, and log it. */
static void apply(const struct health_config *cfg, struct tracked *t,
		  enum health_flip flip, const char *why)
{
	bool down = flip == HEALTH_WENT_DOWN;
	bool now = down && cfg->on_down == HEALTH_DOWN_EXPIRE;
	uint8_t state = down ? L4LB_BE_STATE_DOWN : L4LB_BE_STATE_UP;
	char ep[BE_STRLEN];

	be_str(&t->svc, &t->ep, ep);
	if (health_kernel_set_state(&t->svc, &t->ep, state, now) != RC_OK) {
		char what[BE_STRLEN + 32];

		/* Undo: the next result of the same kind tries again. */
		health_sm_undo(&t->sm);
		snprintf(what, sizeof(what), "cannot mark backend %s %s", ep,
			 down ? "down" : "up");
		kernel_error(what);
		return;
	}
	t->kstate = state;
	if (down)
		health_log(LOG_WARNING, "backend %s down: %u consecutive failure%s (%s)%s",
			   ep, t->sm.failures, t->sm.failures == 1 ? "" : "s",
			   why, now ? "; its connections were removed" : "");
	else
		health_log(LOG_NOTICE, "backend %s up: %u consecutive success%s",
			   ep, t->sm.successes,
			   t->sm.successes == 1 ? "" : "es");
}

/* A health flip of a backend its agent holds: logged, the kernel kept. */
static void log_held_flip(struct tracked *t, enum health_flip flip,
			  const char *why)
{
	char ep[BE_STRLEN];

	be_str(&t->svc, &t->ep, ep);
	if (flip == HEALTH_WENT_DOWN)
		health_log(LOG_WARNING, "backend %s health down: %u consecutive failure%s (%s); its agent holds it %s",
			   ep, t->sm.failures, t->sm.failures == 1 ? "" : "s",
			   why, health_agent_state_name(t->hold));
	else
		health_log(LOG_NOTICE, "backend %s health up: %u consecutive success%s; its agent holds it %s",
			   ep, t->sm.successes,
			   t->sm.successes == 1 ? "" : "es",
			   health_agent_state_name(t->hold));
}

/* Log an agent's trouble, once until it changes or the agent recovers. */
static void agent_trouble(struct tracked *t, int trouble, const char *what,
			  const char *why)
{
	char ep[BE_STRLEN];

	if (t->trouble == trouble)
		return;
	t->trouble = trouble;
	health_log(LOG_WARNING, "agent of backend %s %s (%s); its weight and state are left as they are",
		   be_str(&t->svc, &t->ep, ep), what, why);
}

/* Set the weight percentage the agent (and the RTT factor) call for. */
static void agent_weight(struct tracked *t, uint32_t rtt_pct,
			 const char *line)
{
	uint32_t pct = health_combine_pct(t->has_agent_pct ? t->agent_pct :
					  L4LB_WEIGHT_PCT_DEFAULT, rtt_pct);
	char ep[BE_STRLEN];

	if (pct == t->kpct)
		return;
	be_str(&t->svc, &t->ep, ep);
	if (health_kernel_set_weight_pct(&t->svc, &t->ep, pct) != RC_OK) {
		char what[BE_STRLEN + 48];

		snprintf(what, sizeof(what),
			 "cannot set the weight of backend %s", ep);
		kernel_error(what);
		return;
	}
	health_log(LOG_NOTICE, "backend %s weight %u%% of %u, effective %u (was %u%%): agent says \"%s\", RTT factor %u%%",
		   ep, pct, t->weight, health_weight_effective(t->weight, pct),
		   t->kpct, line, rtt_pct);
	t->kpct = pct;
}

/* Apply the state word of an agent's line (enum health_agent_state). */
static void agent_state(struct tracked *t, enum health_agent_state state,
			const char *line)
{
	char ep[BE_STRLEN];
	uint8_t kstate;

	if (state == AGENT_STATE_NONE || state == t->hold)
		return;
	if (state == AGENT_STATE_UP) {
		if (t->hold == AGENT_STATE_NONE)
			return;	/* up and down are the health checks' */
		kstate = t->sm.up ? L4LB_BE_STATE_UP : L4LB_BE_STATE_DOWN;
	} else {
		/* An operator's drain is the operator's. */
		if (t->hold == AGENT_STATE_NONE &&
		    t->kstate == L4LB_BE_STATE_DRAIN)
			return;
		kstate = state == AGENT_STATE_DRAIN ? L4LB_BE_STATE_DRAIN :
						      L4LB_BE_STATE_DOWN;
	}
	be_str(&t->svc, &t->ep, ep);
	if (kstate != t->kstate &&
	    health_kernel_set_state(&t->svc, &t->ep, kstate, false) != RC_OK) {
		char what[BE_STRLEN + 48];

		snprintf(what, sizeof(what), "cannot mark backend %s %s", ep,
			 be_state_name(kstate, false));
		kernel_error(what);
		return;
	}
	t->kstate = kstate;
	t->hold = state == AGENT_STATE_UP ? AGENT_STATE_NONE : state;
	health_log(state == AGENT_STATE_UP ? LOG_NOTICE : LOG_WARNING,
		   "backend %s %s: agent says \"%s\"%s", ep,
		   be_state_name(kstate, false), line,
		   state == AGENT_STATE_UP ?
		   "; the health checks decide again" : "");
}

/* One agent's answer (or silence), applied. */
static void agent_result(struct tracked *t, const struct health_probe *p,
			 uint32_t rtt_pct)
{
	char err[HEALTH_AGENT_ERR_MAX], line[HEALTH_LINE_MAX * 4 + 4];
	struct health_agent_reply r;
	char ep[BE_STRLEN];

	if (p->result == HEALTH_LOCAL_ERROR) {
		health_log(LOG_ERR, "cannot ask the agent of backend %s: %s",
			   be_str(&t->svc, &t->ep, ep), p->why);
		return;
	}
	if (p->result != HEALTH_OK) {
		agent_trouble(t, AGENT_UNREACHABLE, "unreachable", p->why);
		return;
	}
	health_escape(line, sizeof(line), p->line, p->line_len,
		      HEALTH_LINE_MAX);
	if (health_agent_parse(p->line, p->line_len, &r, err) < 0) {
		char why[HEALTH_AGENT_ERR_MAX + sizeof(line) + 16];

		snprintf(why, sizeof(why), "\"%s\": %s", line, err);
		agent_trouble(t, AGENT_MALFORMED, "sent a malformed line", why);
		return;
	}
	if (t->trouble != AGENT_FINE)
		health_log(LOG_NOTICE, "agent of backend %s answers again: \"%s\"",
			   be_str(&t->svc, &t->ep, ep), line);
	t->trouble = AGENT_FINE;
	if (r.has_pct) {
		t->agent_pct = r.pct;
		t->has_agent_pct = true;
	}
	if (t->has_agent_pct || rtt_pct != 100)
		agent_weight(t, rtt_pct, line);
	agent_state(t, r.state, line);
}

/*
 * The agent checks of a round: every backend followed (of the services
 * agent-service selects), on the agent port of its address. Returns 1 if @stop_fd interrupted it, else 0.
 */
static int agent_round(const struct health_config *cfg, int stop_fd)
{
	struct health_spec spec = {
		.timeout_ms = cfg->timeout_ms,
		.send = cfg->agent_send_len ? cfg->agent_send : NULL,
		.send_len = cfg->agent_send_len,
		.line = true,
	};
	struct health_probe *probes = calloc(ntab + 1, sizeof(*probes));
	struct tracked **who = calloc(ntab + 1, sizeof(*who));
	uint32_t fastest = 0;
	size_t i, np = 0;
	int rc;

	if (!probes || !who) {
		health_log(LOG_ERR, "out of memory; skipping the agent checks");
		free(probes);
		free(who);
		return 0;
	}
	for (i = 0; i < ntab; i++) {
		if (!health_agent_wanted(&cfg->agent_service, &tab[i].svc))
			continue;
		probes[np].ep.addr = tab[i].ep.addr;
		probes[np].ep.port = htons(cfg->agent_port);
		probes[np].proto = IPPROTO_TCP;
		who[np++] = &tab[i];
	}
	rc = health_check_run(probes, np, &spec, stop_fd);
	for (i = 0; cfg->agent_rtt && i < np; i++)
		if (probes[i].connect_us &&
		    (!fastest || probes[i].connect_us < fastest))
			fastest = probes[i].connect_us;
	for (i = 0; rc == 0 && i < np; i++)
		agent_result(who[i], &probes[i],
			     cfg->agent_rtt && probes[i].connect_us ?
			     health_rtt_pct(probes[i].connect_us, fastest) :
			     100);
	free(probes);
	free(who);
	return rc;
}

/* A backend that cannot be checked: say so, once. Its state is not touched. */
static void tell_not_checked(struct tracked *t, const char *why)
{
	char ep[BE_STRLEN];

	if (t->told)
		return;
	t->told = true;
	health_log(LOG_WARNING, "backend %s not checked: %s; its state (%s) is left alone",
		   be_str(&t->svc, &t->ep, ep), why,
		   be_state_name(t->kstate, false));
}

/*
 * One round: list, check, flip. Returns 1 if @stop_fd interrupted it,
 * else 0. Kernel and local errors are logged; nothing here is fatal.
 */
static int round_once(const struct health_config *cfg, int stop_fd)
{
	struct health_backend *list;
	struct health_probe *probes;
	struct tracked **who;
	struct health_spec spec;
	size_t n, i, np = 0;
	int rc;

	if (health_kernel_list(&list, &n) != RC_OK) {
		kernel_error("cannot list backends");
		return 0;
	}
	rc = reconcile(list, n);
	free(list);
	probes = calloc(ntab + 1, sizeof(*probes));
	who = calloc(ntab + 1, sizeof(*who));
	if (rc < 0 || !probes || !who) {
		health_log(LOG_ERR, "out of memory; skipping this round");
		free(probes);
		free(who);
		return 0;
	}
	for (i = 0; i < ntab; i++) {
		if (!checked(&tab[i]))
			continue;
		probes[np].ep = tab[i].ep;
		probes[np].proto = tab[i].svc.proto;
		who[np++] = &tab[i];
	}
	health_config_spec(cfg, &spec);
	rc = health_check_run(probes, np, &spec, stop_fd);
	for (i = 0; rc == 0 && i < np; i++) {
		enum health_flip flip;

		if (probes[i].result == HEALTH_LOCAL_ERROR) {
			char ep[BE_STRLEN];

			health_log(LOG_ERR, "cannot check backend %s: %s",
				   be_str(&who[i]->svc, &who[i]->ep, ep),
				   probes[i].why);
			continue;
		}
		if (probes[i].result == HEALTH_NOT_CHECKED) {
			tell_not_checked(who[i], probes[i].why);
			continue;
		}
		flip = health_sm_feed(&who[i]->sm, probes[i].result == HEALTH_OK,
				      cfg->rise, cfg->fall);
		if (flip != HEALTH_STAY && who[i]->hold != AGENT_STATE_NONE)
			log_held_flip(who[i], flip, probes[i].why);
		else if (flip != HEALTH_STAY)
			apply(cfg, who[i], flip, probes[i].why);
	}
	free(probes);
	free(who);
	if (rc == 0 && cfg->agent_port)
		rc = agent_round(cfg, stop_fd);
	return rc;
}

/* What announcing remembers between rounds. */
static struct {
	bool logged;			/* @serve and @why were logged */
	bool serve;
	char why[HEALTH_REASON_MAX];
	char link_err[HEALTH_LINK_ERR_MAX];	/* the link error logged */
	struct health_drain drain;
} ann;

/*
 * Set the announce interface to @serve, and log a change of the decision
 * (or of its reason), or of the interface, once. An error (no such
 * interface, say) is logged once, and tried again next round.
 */
static void announce_set(const struct health_config *cfg, bool serve,
			 const char *why)
{
	char err[HEALTH_LINK_ERR_MAX];
	bool up = false, changed = false;
	int rc = health_link_get(cfg->announce, &up, err);

	if (rc == 0 && up != serve) {
		rc = health_link_set(cfg->announce, serve, err);
		changed = rc == 0;
	}
	if (rc < 0) {
		if (strcmp(err, ann.link_err))
			health_log(LOG_ERR, "announce %s: %s; trying again every round",
				   cfg->announce, err);
		snprintf(ann.link_err, sizeof(ann.link_err), "%s", err);
		ann.logged = false;	/* log the state once it is set */
		return;
	}
	ann.link_err[0] = '\0';
	if (!changed && ann.logged && ann.serve == serve &&
	    !strcmp(ann.why, why))
		return;
	if (serve)
		health_log(LOG_NOTICE, "announce %s up", cfg->announce);
	else
		health_log(LOG_WARNING, "announce %s down: %s", cfg->announce,
			   why);
	ann.logged = true;
	ann.serve = serve;
	snprintf(ann.why, sizeof(ann.why), "%s", why);
}

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* The drain report of this round. */
static void announce_drain(const struct health_config *cfg, bool drained,
			   bool module)
{
	bool known = false;
	uint64_t conns = 0;
	unsigned int ev;

	if (drained && module) {
		if (health_kernel_conns(&conns) == RC_OK)
			known = true;
		else
			kernel_error("cannot count the connections left");
	}
	ev = health_drain_step(&ann.drain, drained, known, conns, now_ms(),
			       cfg->drain_timeout_ms);
	if (ev & HEALTH_DRAIN_BEGIN)
		health_log(LOG_NOTICE, "drain: %llu connection%s left",
			   (unsigned long long)conns, plural(conns));
	if (ev & HEALTH_DRAIN_EMPTY)
		health_log(LOG_NOTICE, "drain: node empty");
	if (ev & HEALTH_DRAIN_TIMEOUT)
		health_log(LOG_WARNING, "drain: timeout, %llu connection%s left",
			   (unsigned long long)conns, plural(conns));
	if (ev & HEALTH_DRAIN_END)
		health_log(LOG_NOTICE, "drain: ended (%s is gone)",
			   cfg->drain_file);
}

/*
 * After the checks of a round: announce or withdraw (--announce). Kernel
 * errors other than "module not loaded" are logged and change nothing.
 */
static void announce_round(const struct health_config *cfg)
{
	struct health_serve_in in = {
		.drain_file = cfg->drain_file,
		.sel = &cfg->announce_service,
	};
	struct health_backend *bes = NULL;
	struct svc_sel *svcs = NULL;
	char why[HEALTH_REASON_MAX];
	int rc;

	in.drained = access(cfg->drain_file, F_OK) == 0;
	rc = health_kernel_list(&bes, &in.nbes);
	if (rc == RC_OK)
		rc = health_kernel_services(&svcs, &in.nsvcs);
	if (rc == RC_NO_MODULE) {
		health_err_clear();
	} else if (rc != RC_OK) {
		kernel_error("cannot list the services to announce");
		goto out;
	}
	in.module = rc == RC_OK;
	in.bes = bes;
	in.svcs = svcs;
	announce_set(cfg, health_serve(&in, why), why);
	announce_drain(cfg, in.drained, in.module);
out:
	free(bes);
	free(svcs);
}

/* --once: check every backend, print one line each, change nothing. */
static int run_once(const struct health_config *cfg)
{
	struct health_backend *list, **who;
	struct health_probe *probes;
	struct health_spec spec;
	size_t n, i, np = 0;
	int rc, healthy = 1;

	rc = health_kernel_list(&list, &n);
	if (rc != RC_OK) {
		health_log(LOG_ERR, "%s", health_err_last());
		return rc;
	}
	probes = calloc(n + 1, sizeof(*probes));
	who = calloc(n + 1, sizeof(*who));
	if (!probes || !who) {
		free(probes);
		free(who);
		free(list);
		health_log(LOG_ERR, "out of memory");
		return RC_KERNEL;
	}
	several_services = list_has_several_services(list, n);
	/* Removed backends only drain; they are no one's concern. */
	for (i = 0; i < n; i++) {
		if (list[i].removed)
			continue;
		who[np] = &list[i];
		probes[np].proto = list[i].svc.proto;
		probes[np++].ep = list[i].ep;
	}
	health_config_spec(cfg, &spec);
	health_check_run(probes, np, &spec, -1);
	for (i = 0; i < np; i++) {
		char ep[BE_STRLEN];

		be_str(&who[i]->svc, &who[i]->ep, ep);
		if (probes[i].result == HEALTH_OK) {
			printf("%s ok\n", ep);
			continue;
		}
		/* Unknown is not unhealthy: the exit status ignores it. */
		if (probes[i].result == HEALTH_NOT_CHECKED) {
			printf("%s not checked: %s\n", ep, probes[i].why);
			continue;
		}
		healthy = 0;
		printf("%s %s: %s\n", ep,
		       probes[i].result == HEALTH_FAIL ? "failed" : "error",
		       probes[i].why);
	}
	free(probes);
	free(who);
	free(list);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		health_log(LOG_ERR, "write error: %s", strerror(errno));
		return RC_KERNEL;
	}
	return healthy ? 0 : 1;
}

/* Wait until @deadline (CLOCK_MONOTONIC ms) or a signal; 1 on a signal. */
static int sleep_until(int64_t deadline, int sfd)
{
	for (;;) {
		struct pollfd p = { .fd = sfd, .events = POLLIN };
		int64_t left = deadline - now_ms();

		if (left <= 0)
			return 0;
		if (poll(&p, 1, (int)left) > 0)
			return 1;
	}
}

/* ", NAME \"STR\"" into @buf (@size bytes), or "" if @len is 0. */
static const char *log_str(char *buf, size_t size, const char *name,
			   const char *s, size_t len)
{
	buf[0] = '\0';
	if (len) {
		char esc[80];

		snprintf(buf, size, ", %s \"%s\"", name,
			 health_escape(esc, sizeof(esc), s, len, 16));
	}
	return buf;
}

static void log_start(const struct health_config *cfg)
{
	char iv[16], to[16], send[100], expect[100], usend[100], uexpect[100];
	char agent[64 + SVC_STRLEN] = "";
	char announce[96 + SVC_STRLEN + HEALTH_PATH_MAX] = "";

	if (cfg->agent_port) {
		char sel[SVC_STRLEN];

		snprintf(agent, sizeof(agent), ", agent-port %u%s%s%s",
			 cfg->agent_port, cfg->agent_rtt ? ", agent-rtt" : "",
			 cfg->agent_service.set ? ", agent-service " : "",
			 cfg->agent_service.set ?
			 fmt_svc(sel, &cfg->agent_service) : "");
	}
	if (cfg->announce[0]) {
		char sel[SVC_STRLEN], dt[16];

		snprintf(announce, sizeof(announce),
			 ", announce %s%s%s, drain-file %s%s%s",
			 cfg->announce,
			 cfg->announce_service.set ? ", announce-service " : "",
			 cfg->announce_service.set ?
			 fmt_svc(sel, &cfg->announce_service) : "",
			 cfg->drain_file,
			 cfg->drain_timeout_ms ? ", drain-timeout " : "",
			 cfg->drain_timeout_ms ?
			 health_format_ms(dt, sizeof(dt),
					  cfg->drain_timeout_ms) : "");
	}
	health_log(LOG_INFO, "started: every %s s, timeout %s s, rise %u, fall %u%s%s%s%s%s%s, on-down %s",
		   health_format_ms(iv, sizeof(iv), cfg->interval_ms),
		   health_format_ms(to, sizeof(to), cfg->timeout_ms),
		   cfg->rise, cfg->fall,
		   log_str(send, sizeof(send), "send", cfg->send, cfg->send_len),
		   log_str(expect, sizeof(expect), "expect", cfg->expect,
			   cfg->expect_len),
		   log_str(usend, sizeof(usend), "udp-send", cfg->udp_send,
			   cfg->udp_send_len),
		   log_str(uexpect, sizeof(uexpect), "udp-expect",
			   cfg->udp_expect, cfg->udp_expect_len), agent, announce,
		   cfg->on_down == HEALTH_DOWN_EXPIRE ? "expire" : "keep");
}

/* Say which signal stopped us (it is pending on @sfd). */
static void log_stop(int sfd)
{
	struct signalfd_siginfo si = { 0 };

	if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		si.ssi_signo = 0;
	health_log(LOG_INFO, "stopping on %s",
		   si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
}

static void print_help(void)
{
	printf("Usage: l4lb-health [OPTIONS]\n\n"
	       "Check the backends of this network namespace's l4lb services and mark\n"
	       "them down or up. Runs in the foreground; logs to stderr.\n\n"
	       "Options:\n"
	       "  --interval SEC      time between check rounds (default 2, 0.1-3600)\n"
	       "  --timeout SEC       limit of one check (default 1, at most the interval)\n"
	       "  --rise N            successes that mark a backend up (default 2, 1-100)\n"
	       "  --fall N            failures that mark a backend down (default 3, 1-100)\n"
	       "  --send STR          send STR after connecting (C escapes: \\n \\r \\t \\xHH ...);\n"
	       "                      for a UDP service, the request datagram (without\n"
	       "                      one, UDP backends are not checked)\n"
	       "  --expect STR        the reply must contain STR within the timeout\n"
	       "  --udp-send STR      for UDP services, send STR instead of --send ...\n"
	       "  --udp-expect STR    ... and expect STR instead of --expect\n"
	       "  --agent-port PORT   agent checks: read each backend's load line on PORT\n"
	       "                      (HAProxy agent-check words: N%%, drain, ready ...)\n"
	       "  --agent-send STR    send STR to the agent first\n"
	       "  --agent-rtt         also scale weights by the agents' connect times,\n"
	       "                      relative to the fastest backend's\n"
	       "  --agent-service SEL agent checks only for the services SEL selects\n"
	       "                      (VIP[:PORT][/tcp|/udp]; default all)\n"
	       "  --announce IFACE    set IFACE up while this node can serve, down while\n"
	       "                      not (module out, a service without a usable\n"
	       "                      backend, or drained); BIRD announces the VIP on it\n"
	       "  --announce-service SEL  the services that must each have a usable\n"
	       "                      backend (VIP[:PORT][/tcp|/udp]; default all)\n"
	       "  --drain-file PATH   while PATH exists the node is drained: IFACE down,\n"
	       "                      the connections left logged (default /run/l4lb/drain)\n"
	       "  --drain-timeout SEC report a drain's end after SEC s even if connections\n"
	       "                      are left (default 0: wait for them, 0-86400)\n"
	       "  --on-down keep|expire  keep a down backend's connections (default),\n"
	       "                      or remove them at once\n"
	       "  --syslog            log to syslog too\n"
	       "  --once              check each backend once, print the results, change\n"
	       "                      nothing; exit 1 if a check failed, else 0\n"
	       "  -c, --config FILE   read \"key = value\" lines (same keys, # comments);\n"
	       "                      options given on the command line win\n"
	       "  -V, --version       print the version and exit\n"
	       "  -h, --help          print this help and exit\n\n"
	       "Exit status: 0 stopped by SIGTERM/SIGINT (--once: all healthy), 1 error\n"
	       "(--once: a backend failed), 2 bad configuration, 3 l4lb module not loaded.\n"
	       "See l4lb-health(8).\n");
}

int main(int argc, char **argv)
{
	struct health_config cfg;
	char err[HEALTH_ERR_MAX];
	struct rlimit rl;
	int64_t next;
	int rc, sfd;

	health_log_init();

	health_config_init(&cfg);
	if (health_config_args(&cfg, argc, argv, err) < 0) {
		health_log(LOG_ERR, "%s", err);
		return RC_USAGE;
	}
	if (cfg.help || cfg.version) {
		if (cfg.help)
			print_help();
		else
			printf("l4lb-health %s (l4lb generic netlink version %d)\n",
			       L4LBCTL_VERSION, L4LB_GENL_VERSION);
		return fflush(stdout) == 0 ? RC_OK : RC_KERNEL;
	}
	/* One socket per backend per round: make room for many backends. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	health_log_open(cfg.syslog);
	rc = health_kernel_open();
	if (rc != RC_OK) {
		health_log(LOG_ERR, "%s", health_err_last());
		return rc;
	}
	if (cfg.once) {
		rc = run_once(&cfg);
		health_kernel_close();
		return rc;
	}

	sfd = sigfd_open(SFD_NONBLOCK);
	if (sfd < 0) {
		health_log(LOG_ERR, "cannot set up signal handling: %s",
			   strerror(errno));
		return RC_KERNEL;
	}
	log_start(&cfg);
	next = now_ms();
	for (;;) {
		kernel_error_this_round = false;
		if (round_once(&cfg, sfd))
			break;
		if (cfg.announce[0])
			announce_round(&cfg);
		if (!kernel_error_this_round)
			last_kernel_err[0] = '\0';
		/* Rounds start every interval; one that overran starts the next at once. */
		next += cfg.interval_ms;
		if (next < now_ms())
			next = now_ms();
		if (sleep_until(next, sfd))
			break;
	}

	/*
	 * The announce interface stays as it is: stopping the checker must
	 * not withdraw a node that serves (see the top of this file).
	 */
	log_stop(sfd);
	close(sfd);
	health_kernel_close();
	health_log_close();
	return RC_OK;
}
