// SPDX-License-Identifier: GPL-2.0
/*
 * metrics.c - the l4lb metrics of "stats --prometheus": one table per
 * object (the global counters, the services, the backends) of names,
 * types and help, printed with lib/prom.c. See metrics.h.
 *
 * Conventions (https://prometheus.io/docs/practices/naming/): prefix
 * l4lb_, counters end in _total, base units (bytes), ratios 0-1, and what
 * tells series of one metric apart in labels: vip, port, proto (the
 * service's key), backend ("IP:PORT"), and reason, state or address.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <uapi/l4lb.h>

#include "fmt.h"
#include "metrics.h"
#include "names.h"
#include "prom.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/**
 * struct stat_metric - a global counter as a metric
 * @attr: its enum l4lb_stats_attr; printed only if the kernel sent it
 * @name: the metric; entries of one metric follow each other
 * @type: its type
 * @help: its help (the same in each entry of the metric)
 * @label: the label that tells this entry apart, or NULL
 * @value: that label's value
 * @nano: the counter is in nanoseconds: print it in seconds
 */
struct stat_metric {
	uint16_t attr;
	const char *name;
	enum prom_type type;
	const char *help;
	const char *label;
	const char *value;
	bool nano;
};

#define GAUGE(a, name, help) { a, name, PROM_GAUGE, help, NULL, NULL, false }
#define COUNTER(a, name, help) \
	{ a, name, PROM_COUNTER, help, NULL, NULL, false }
#define SECONDS(a, name, help) \
	{ a, name, PROM_COUNTER, help, NULL, NULL, true }

#define DROP_HELP "Packets dropped, by reason: no_backend, table_full, " \
	"no_snat_port and syn_limit refuse a new flow; no_memory, no_route, " \
	"malformed and mtu drop one packet (mtu answers with an ICMP error)."
#define DROP(a, reason) \
	{ a, "l4lb_drops_total", PROM_COUNTER, DROP_HELP, "reason", reason, \
	  false }

#define RECLAIM_HELP "Rows whose SNAT port a new connection took, by the " \
	"row's state: unconfirmed (a handshake or UDP flow never confirmed) " \
	"or closed (TIME_WAIT or CLOSE, before its linger ended)."
#define RECLAIM(a, state) \
	{ a, "l4lb_snat_reclaims_total", PROM_COUNTER, RECLAIM_HELP, \
	  "state", state, false }

/* Every counter of STATS_GET, in the order printed. */
static const struct stat_metric stat_metrics[] = {
	GAUGE(L4LB_STATS_ATTR_CONNS, "l4lb_nat_entries",
	      "Rows in the NAT table."),
	GAUGE(L4LB_STATS_ATTR_CONN_MAX, "l4lb_nat_entries_limit",
	      "Most rows the NAT table may hold (conn_max)."),
	GAUGE(L4LB_STATS_ATTR_HALF_OPEN, "l4lb_nat_half_open_entries",
	      "Rows of TCP handshakes not completed and of UDP flows not confirmed (limited by syn_max)."),
	COUNTER(L4LB_STATS_ATTR_CONNS_CREATED, "l4lb_nat_entries_created_total",
		"Rows created."),
	DROP(L4LB_STATS_ATTR_DROP_NO_BACKEND, "no_backend"),
	DROP(L4LB_STATS_ATTR_DROP_TABLE_FULL, "table_full"),
	DROP(L4LB_STATS_ATTR_DROP_NO_SNAT_PORT, "no_snat_port"),
	DROP(L4LB_STATS_ATTR_DROP_SYN_LIMIT, "syn_limit"),
	DROP(L4LB_STATS_ATTR_DROP_NO_MEMORY, "no_memory"),
	DROP(L4LB_STATS_ATTR_DROP_NO_ROUTE, "no_route"),
	DROP(L4LB_STATS_ATTR_DROP_MALFORMED, "malformed"),
	DROP(L4LB_STATS_ATTR_DROP_MTU, "mtu"),
	COUNTER(L4LB_STATS_ATTR_STRAY, "l4lb_stray_packets_total",
		"TCP packets other than SYN to the VIP that match no row, passed to the stack unchanged."),
	COUNTER(L4LB_STATS_ATTR_FRAGMENTS, "l4lb_fragments_total",
		"IP fragments seen, passed unchanged."),
	COUNTER(L4LB_STATS_ATTR_ICMP_TRANSLATED, "l4lb_icmp_translated_total",
		"ICMP errors about a row's packets, translated and passed on."),
	COUNTER(L4LB_STATS_ATTR_RST_IGNORED, "l4lb_rst_ignored_total",
		"TCP RSTs outside the receiver's window (RFC 5961), passed on without ending their row."),
	RECLAIM(L4LB_STATS_ATTR_RECLAIM_UNCONFIRMED, "unconfirmed"),
	RECLAIM(L4LB_STATS_ATTR_RECLAIM_CLOSED, "closed"),
	COUNTER(L4LB_STATS_ATTR_RESETS_SENT, "l4lb_resets_sent_total",
		"RSTs sent to a backend to end its socket on a reclaimed tuple."),
	COUNTER(L4LB_STATS_ATTR_TOA_NO_ROOM, "l4lb_toa_no_room_total",
		"Segments of a TOA service sent without the TOA option, for want of room."),
	COUNTER(L4LB_STATS_ATTR_PROXY_SYN_DATA,
		"l4lb_proxy_syn_data_dropped_total",
		"SYNs to a PROXY protocol service whose data (TCP Fast Open) was dropped."),
	COUNTER(L4LB_STATS_ATTR_PEER_SENT, "l4lb_peer_sent_total",
		"TCP segments other than SYN with no row, sent in IPIP to the service's peers (daisy chaining)."),
	COUNTER(L4LB_STATS_ATTR_PEER_MISS, "l4lb_peer_miss_dropped_total",
		"TCP segments that came in on an IPIP device for a VIP with peers and had no row here either, dropped."),
	COUNTER(L4LB_STATS_ATTR_GC_RUNS, "l4lb_gc_runs_total",
		"Runs of the expiry worker (rows expired, drained backends reaped)."),
	SECONDS(L4LB_STATS_ATTR_GC_NSECS, "l4lb_gc_seconds_total",
		"Time the expiry worker took, from the start to the end of each run."),
};

/* A new counter in the header must get a line here too. */
_Static_assert(ARRAY_SIZE(stat_metrics) ==
	       L4LB_STATS_ATTR_MAX + 1 - L4LB_STATS_ATTR_CONNS,
	       "stat_metrics[] out of date");

/**
 * struct be_metric - a number of struct be_info as a metric
 * @name: the metric
 * @type: its type
 * @help: its help
 * @attr: its enum l4lb_be_attr, printed only if the kernel sent it; 0 for
 *	always (msg_get_backend() fills in a default)
 * @off: where the number is in struct be_info
 * @size: its size: 4 (uint32_t) or 8 (uint64_t)
 * @centi: the number is in hundredths (a percentage): print it divided by
 *	100, a ratio
 */
struct be_metric {
	const char *name;
	enum prom_type type;
	const char *help;
	uint16_t attr;
	size_t off;
	size_t size;
	bool centi;
};

#define BE_NUM(member) \
	.off = offsetof(struct be_info, member), \
	.size = sizeof(((struct be_info *)0)->member)

/* The backends' numbers, after their state (write_be_states()). */
static const struct be_metric be_metrics[] = {
	{ "l4lb_backend_weight", PROM_GAUGE,
	  "Configured weight of the backend.",
	  L4LB_BE_ATTR_WEIGHT, BE_NUM(weight) },
	{ "l4lb_backend_weight_ratio", PROM_GAUGE,
	  "Share of its configured weight the schedulers give the backend, as a load feedback agent set it (weight-pct / 100).",
	  0, BE_NUM(weight_pct), .centi = true },
	{ "l4lb_backend_weight_effective", PROM_GAUGE,
	  "Weight the schedulers use: the configured weight times the weight ratio, rounded down, but at least 1 unless either is 0.",
	  0, BE_NUM(weight_eff) },
	{ "l4lb_backend_connections_active", PROM_GAUGE,
	  "Rows of the backend in ESTABLISHED.",
	  L4LB_BE_ATTR_ACTIVE_CONNS, BE_NUM(active_conns) },
	{ "l4lb_backend_connections_inactive", PROM_GAUGE,
	  "Rows of the backend in other states.",
	  L4LB_BE_ATTR_INACTIVE_CONNS, BE_NUM(inactive_conns) },
	{ "l4lb_backend_connections_total", PROM_COUNTER,
	  "Rows created towards the backend.",
	  L4LB_BE_ATTR_TOTAL_CONNS, BE_NUM(total_conns) },
	{ "l4lb_backend_incoming_packets_total", PROM_COUNTER,
	  "Packets from clients to the backend.",
	  L4LB_BE_ATTR_PKTS_IN, BE_NUM(pkts_in) },
	{ "l4lb_backend_outgoing_packets_total", PROM_COUNTER,
	  "Packets from the backend to clients.",
	  L4LB_BE_ATTR_PKTS_OUT, BE_NUM(pkts_out) },
	{ "l4lb_backend_incoming_bytes_total", PROM_COUNTER,
	  "IP bytes from clients to the backend.",
	  L4LB_BE_ATTR_BYTES_IN, BE_NUM(bytes_in) },
	{ "l4lb_backend_outgoing_bytes_total", PROM_COUNTER,
	  "IP bytes from the backend to clients.",
	  L4LB_BE_ATTR_BYTES_OUT, BE_NUM(bytes_out) },
};

/* The words of l4lb_backend_state's label, as "l4lbctl list" prints them. */
static const char *const be_states[] = { "up", "down", "drain", "draining" };

/*
 * The labels of a service, and of a backend: vip, port, proto, then
 * backend, then room for one more.
 */
struct labels {
	char vip[IPADDR_STRLEN];
	char port[sizeof("65535")];
	char backend[IPPORT_STRLEN];
	struct prom_label l[5];
	size_t n;
};

/* vip, port and proto of a service key (address and port, network order). */
static void key_labels(struct labels *lb, const struct ipaddr *vip,
		       uint16_t port, uint8_t proto)
{
	fmt_ipaddr(lb->vip, vip);
	snprintf(lb->port, sizeof(lb->port), "%u", ntohs(port));
	lb->l[0] = (struct prom_label){ "vip", lb->vip };
	lb->l[1] = (struct prom_label){ "port", lb->port };
	lb->l[2] = (struct prom_label){ "proto", proto_name(proto) };
	lb->n = 3;
}

/* A backend's labels: its service's key, then backend. */
static void be_labels(struct labels *lb, const struct be_info *be)
{
	key_labels(lb, &be->svc.vip, be->svc.port, be->svc.proto);
	fmt_ipport(lb->backend, &be->ep);
	lb->l[lb->n++] = (struct prom_label){ "backend", lb->backend };
}

/* Sample of the current family with @lb's labels and one more. */
static void sample_with(struct prom *p, struct labels *lb, const char *name,
			const char *value, const char *v)
{
	lb->l[lb->n] = (struct prom_label){ name, value };
	prom_sample(p, lb->l, lb->n + 1, v);
}

static void write_stats(struct prom *p, const struct stats_info *st)
{
	char v[PROM_VALUE_LEN];
	const char *family = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stat_metrics); i++) {
		const struct stat_metric *s = &stat_metrics[i];
		struct prom_label l = { s->label, s->value };

		if (!family || strcmp(family, s->name)) {
			family = s->name;
			prom_family(p, s->name, s->type, s->help);
		}
		if (!(st->present & ATTR_BIT(s->attr)))
			continue;
		if (s->nano)
			prom_sample(p, &l, s->label ? 1 : 0,
				    prom_fmt_nano(v, st->val[s->attr]));
		else
			prom_sample_u64(p, &l, s->label ? 1 : 0,
					st->val[s->attr]);
	}
}

static void write_services(struct prom *p, const struct metrics *m)
{
	struct labels lb;
	char v[PROM_VALUE_LEN];
	size_t i;
	unsigned int j;

	prom_family(p, "l4lb_service_info", PROM_GAUGE,
		    "A virtual service, with its scheduler; always 1.");
	for (i = 0; i < m->nsvc; i++) {
		key_labels(&lb, &m->svc[i].vip, m->svc[i].port,
			   m->svc[i].proto);
		sample_with(p, &lb, "scheduler", m->svc[i].sched, "1");
	}
	prom_family(p, "l4lb_service_snat_ports_in_use", PROM_GAUGE,
		    "Rows of the service that hold a SNAT port of address, summed over the backends.");
	for (i = 0; i < m->nsvc; i++) {
		const struct svc_info *s = &m->svc[i];

		key_labels(&lb, &s->vip, s->port, s->proto);
		for (j = 0; j < s->nuse; j++) {
			char addr[IPADDR_STRLEN];

			snprintf(v, sizeof(v), "%u", s->use[j].ports);
			sample_with(p, &lb, "address",
				    fmt_ipaddr(addr, &s->use[j].addr), v);
		}
	}
	prom_family(p, "l4lb_service_snat_failures_total", PROM_COUNTER,
		    "New connections of the service refused for want of a free SNAT address and port.");
	for (i = 0; i < m->nsvc; i++) {
		const struct svc_info *s = &m->svc[i];

		if (!(s->present & ATTR_BIT(L4LB_SVC_ATTR_SNAT_FAIL)))
			continue;
		key_labels(&lb, &s->vip, s->port, s->proto);
		prom_sample_u64(p, lb.l, lb.n, s->snat_fail);
	}
}

/* The number @bm describes, of @be. */
static uint64_t be_value(const struct be_info *be, const struct be_metric *bm)
{
	const char *at = (const char *)be + bm->off;
	uint32_t v32;
	uint64_t v64;

	if (bm->size == sizeof(v32)) {
		memcpy(&v32, at, sizeof(v32));
		return v32;
	}
	memcpy(&v64, at, sizeof(v64));
	return v64;
}

/*
 * l4lb_backend_state: one series per state, 1 for the backend's own, 0
 * for the others (a state this header does not know: "unknown" 1).
 */
static void write_be_states(struct prom *p, const struct metrics *m)
{
	struct labels lb;
	size_t i, k;

	prom_family(p, "l4lb_backend_state", PROM_GAUGE,
		    "State of the backend: 1 for the one it is in (up, down, drain, or draining once removed), 0 for the others.");
	for (i = 0; i < m->nbe; i++) {
		const struct be_info *be = &m->be[i];
		const char *now;

		if (!(be->present & ATTR_BIT(L4LB_BE_ATTR_STATE)))
			continue;
		now = be_state_name(be->state,
				    be->present & ATTR_BIT(L4LB_BE_ATTR_REMOVED));
		be_labels(&lb, be);
		for (k = 0; k < ARRAY_SIZE(be_states); k++)
			sample_with(p, &lb, "state", be_states[k],
				    strcmp(now, be_states[k]) ? "0" : "1");
		if (!strcmp(now, "unknown"))
			sample_with(p, &lb, "state", now, "1");
	}
}

static void write_backends(struct prom *p, const struct metrics *m)
{
	struct labels lb;
	char v[PROM_VALUE_LEN];
	size_t i, k;

	write_be_states(p, m);
	for (k = 0; k < ARRAY_SIZE(be_metrics); k++) {
		const struct be_metric *bm = &be_metrics[k];

		prom_family(p, bm->name, bm->type, bm->help);
		for (i = 0; i < m->nbe; i++) {
			const struct be_info *be = &m->be[i];

			if (bm->attr && !(be->present & ATTR_BIT(bm->attr)))
				continue;
			be_labels(&lb, be);
			if (bm->centi)
				prom_sample(p, lb.l, lb.n,
					    prom_fmt_centi(v, be_value(be, bm)));
			else
				prom_sample_u64(p, lb.l, lb.n, be_value(be, bm));
		}
	}
}

void metrics_write(FILE *f, const struct metrics *m)
{
	struct prom p;

	prom_init(&p, f);
	write_stats(&p, &m->st);
	write_services(&p, m);
	write_backends(&p, m);
}
