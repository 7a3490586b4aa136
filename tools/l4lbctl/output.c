// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - the field tables of the backends, the NAT rows, the services
 * and the counters, and how "list", "nat", "service", "stats", "count"
 * and "monitor" lay them out. See output.h; the printing itself is print.c's.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include <uapi/l4lb.h>

#include "names.h"
#include "output.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *be_state_word(const void *obj, char *buf)
{
	const struct be_info *be = obj;

	(void)buf;
	return be_state_name(be->state,
			     be->present & ATTR_BIT(L4LB_BE_ATTR_REMOVED));
}

static const char *be_proto_word(const void *obj, char *buf)
{
	(void)buf;
	return proto_name(((const struct be_info *)obj)->svc.proto);
}

/* "list": the columns, then the key of the backend's service (JSON only). */
static const struct field be_fields[] = {
	{ "BACKEND",   -21, "backend",   FIELD_IPPORT(struct be_info, ep) },
	{ "STATE",      -8, "state",     FIELD_WORD(be_state_word) },
	{ "WEIGHT",      6, "weight",    FIELD_U32(struct be_info, weight) },
	{ "PCT",         4, "weight_pct", FIELD_U32(struct be_info, weight_pct) },
	{ "EFF",         6, "weight_eff", FIELD_U32(struct be_info, weight_eff) },
	{ "ACTIVE",      8, "active",    FIELD_U32(struct be_info, active_conns) },
	{ "INACTIVE",    8, "inactive",  FIELD_U32(struct be_info, inactive_conns) },
	{ "TOTAL",      10, "total",     FIELD_U64(struct be_info, total_conns) },
	{ "PKTS_IN",    12, "pkts_in",   FIELD_U64(struct be_info, pkts_in) },
	{ "PKTS_OUT",   12, "pkts_out",  FIELD_U64(struct be_info, pkts_out) },
	{ "BYTES_IN",   14, "bytes_in",  FIELD_U64(struct be_info, bytes_in) },
	{ "BYTES_OUT",  14, "bytes_out", FIELD_U64(struct be_info, bytes_out) },
	{ NULL,          0, "vip",       FIELD_ADDR(struct be_info, svc.vip) },
	{ NULL,          0, "vport",     FIELD_PORT(struct be_info, svc.port) },
	{ NULL,          0, "proto",     FIELD_WORD(be_proto_word) },
};

/* "monitor": a backend's text after "EVENT SERVICE BACKEND". */
static const struct field ev_be_fields[] = {
	{ "state",      0, "state",      FIELD_WORD(be_state_word) },
	{ "weight",     0, "weight",     FIELD_U32(struct be_info, weight) },
	{ "weight_pct", 0, "weight_pct", FIELD_U32(struct be_info, weight_pct) },
	{ "weight_eff", 0, "weight_eff", FIELD_U32(struct be_info, weight_eff) },
	{ "active",     0, "active",     FIELD_U32(struct be_info, active_conns) },
	{ "inactive",   0, "inactive",   FIELD_U32(struct be_info, inactive_conns) },
	{ "total",      0, "total",      FIELD_U64(struct be_info, total_conns) },
};

static const char *conn_proto_word(const void *obj, char *buf)
{
	(void)buf;
	return conn_proto_name(((const struct conn_info *)obj)->proto);
}

static const char *conn_state_word(const void *obj, char *buf)
{
	(void)buf;
	return conn_state_name(((const struct conn_info *)obj)->state);
}

/* "nat": the columns and words of /proc/l4lb/nat. */
static const struct field conn_fields[] = {
	{ "PROTO",    -5, "proto",   FIELD_WORD(conn_proto_word) },
	{ "CLIENT",  -21, "client",  FIELD_IPPORT(struct conn_info, client) },
	{ "VIP",     -21, "vip",     FIELD_IPPORT(struct conn_info, vip) },
	{ "LOCAL",   -21, "local",   FIELD_IPPORT(struct conn_info, local) },
	{ "BACKEND", -21, "backend", FIELD_IPPORT(struct conn_info, backend) },
	{ "STATE",   -11, "state",   FIELD_WORD(conn_state_word) },
	{ "EXPIRES",   7, "expires", FIELD_U32(struct conn_info, expires) },
};

static const char *svc_proto_word(const void *obj, char *buf)
{
	(void)buf;
	return proto_name(((const struct svc_info *)obj)->proto);
}

/* "snat": the pool as l4lbctl reads it, "auto" or "A-B,C"; a JSON string. */
static void svc_snat_value(struct printer *p, const void *obj)
{
	const struct svc_info *svc = obj;
	char buf[SNAT_POOL_STRLEN];

	fmt_snat_pool(buf, &svc->snat);
	if (p->json)
		json_string(&p->j, buf);
	else
		fputs(buf, p->f);
}

/* "snat_pool" (JSON only): the pool's addresses, an array of strings. */
static void svc_snat_pool_value(struct printer *p, const void *obj)
{
	const struct svc_info *svc = obj;
	char buf[IPADDR_STRLEN];
	unsigned int i;

	json_begin_array(&p->j);
	for (i = 0; i < svc->snat.n; i++)
		json_string(&p->j, fmt_ipaddr(buf, &svc->snat.addr[i]));
	json_end_array(&p->j);
}

/*
 * "snat_usage": the service's rows by SNAT address. Text: "ADDR=N" words,
 * or "none"; JSON: an array of {"address":"ADDR","ports_in_use":N}.
 */
static void svc_snat_usage_value(struct printer *p, const void *obj)
{
	const struct svc_info *svc = obj;
	char buf[IPADDR_STRLEN];
	unsigned int i;

	if (!p->json) {
		for (i = 0; i < svc->nuse; i++)
			fprintf(p->f, "%s%s=%u", i ? " " : "",
				fmt_ipaddr(buf, &svc->use[i].addr),
				svc->use[i].ports);
		if (!svc->nuse)
			fputs("none", p->f);
		return;
	}
	json_begin_array(&p->j);
	for (i = 0; i < svc->nuse; i++) {
		json_begin_object(&p->j);
		json_kv_string(&p->j, "address",
			       fmt_ipaddr(buf, &svc->use[i].addr));
		json_kv_uint(&p->j, "ports_in_use", svc->use[i].ports);
		json_end_object(&p->j);
	}
	json_end_array(&p->j);
}

/*
 * "peers": text as l4lbctl reads it, "A,B" or "none"; JSON an array of
 * address strings, [] for none.
 */
static void svc_peers_value(struct printer *p, const void *obj)
{
	const struct svc_info *svc = obj;
	char buf[PEERS_STRLEN];
	unsigned int i;

	if (!p->json) {
		fputs(fmt_peers(buf, &svc->peers), p->f);
		return;
	}
	json_begin_array(&p->j);
	for (i = 0; i < svc->peers.n; i++)
		json_string(&p->j, fmt_ipv4(buf, svc->peers.addr[i]));
	json_end_array(&p->j);
}

static const char *svc_client_addr_word(const void *obj, char *buf)
{
	(void)buf;
	return client_addr_name(((const struct svc_info *)obj)->client_addr);
}

#define SVC_TIMEOUT(name, a) \
	{ name, 0, name, FIELD_U32(struct svc_info, timeout[a]), .attr = (a) }

/* "service": one "name value" line per setting the kernel sent. */
static const struct field svc_fields[] = {
	{ "vip", 0, "vip", FIELD_ADDR(struct svc_info, vip),
	  .attr = L4LB_SVC_ATTR_VIP },
	{ "port", 0, "port", FIELD_PORT(struct svc_info, port),
	  .attr = L4LB_SVC_ATTR_PORT },
	{ "proto", 0, "proto", FIELD_WORD(svc_proto_word),
	  .attr = L4LB_SVC_ATTR_PROTO },
	{ "scheduler", 0, "scheduler", FIELD_STR(struct svc_info, sched),
	  .attr = L4LB_SVC_ATTR_SCHED },
	{ "snat", 0, "snat", FIELD_VALUE(svc_snat_value),
	  .attr = L4LB_SVC_ATTR_SNAT_ADDR },
	{ NULL, 0, "snat_pool", FIELD_VALUE(svc_snat_pool_value),
	  .attr = L4LB_SVC_ATTR_SNAT_POOL },
	{ "snat_usage", 0, "snat_usage", FIELD_VALUE(svc_snat_usage_value),
	  .attr = L4LB_SVC_ATTR_SNAT_USAGE },
	{ "snat_fail", 0, "snat_fail", FIELD_U64(struct svc_info, snat_fail),
	  .attr = L4LB_SVC_ATTR_SNAT_FAIL },
	SVC_TIMEOUT("timeout_tcp", L4LB_SVC_ATTR_TIMEOUT_TCP),
	SVC_TIMEOUT("timeout_tcpfin", L4LB_SVC_ATTR_TIMEOUT_TCP_FIN),
	SVC_TIMEOUT("timeout_tcpclose", L4LB_SVC_ATTR_TIMEOUT_TCP_CLOSE),
	SVC_TIMEOUT("timeout_udp", L4LB_SVC_ATTR_TIMEOUT_UDP),
	SVC_TIMEOUT("timeout_udpunreplied", L4LB_SVC_ATTR_TIMEOUT_UDP_UNREPLIED),
	SVC_TIMEOUT("timeout_syn", L4LB_SVC_ATTR_TIMEOUT_SYN),
	{ "persistence", 0, "persistence",
	  FIELD_U32(struct svc_info, persistence),
	  .attr = L4LB_SVC_ATTR_PERSISTENCE },
	{ "client_addr", 0, "client_addr", FIELD_WORD(svc_client_addr_word),
	  .attr = L4LB_SVC_ATTR_CLIENT_ADDR },
	{ "peers", 0, "peers", FIELD_VALUE(svc_peers_value),
	  .attr = L4LB_SVC_ATTR_PEERS },
	{ "conn_max", 0, "conn_max", FIELD_U32(struct svc_info, conn_max),
	  .attr = L4LB_SVC_ATTR_CONN_MAX },
};

#define STAT(name, a) \
	{ name, 0, name, FIELD_U64(struct stats_info, val[a]), .attr = (a) }

/* "stats": every counter, in attribute order. */
static const struct field stats_fields[] = {
	STAT("conns", L4LB_STATS_ATTR_CONNS),
	STAT("conn_max", L4LB_STATS_ATTR_CONN_MAX),
	STAT("conns_created", L4LB_STATS_ATTR_CONNS_CREATED),
	STAT("drop_no_backend", L4LB_STATS_ATTR_DROP_NO_BACKEND),
	STAT("drop_table_full", L4LB_STATS_ATTR_DROP_TABLE_FULL),
	STAT("drop_no_memory", L4LB_STATS_ATTR_DROP_NO_MEMORY),
	STAT("drop_no_route", L4LB_STATS_ATTR_DROP_NO_ROUTE),
	STAT("drop_no_snat_port", L4LB_STATS_ATTR_DROP_NO_SNAT_PORT),
	STAT("drop_malformed", L4LB_STATS_ATTR_DROP_MALFORMED),
	STAT("drop_mtu", L4LB_STATS_ATTR_DROP_MTU),
	STAT("stray", L4LB_STATS_ATTR_STRAY),
	STAT("fragments", L4LB_STATS_ATTR_FRAGMENTS),
	STAT("icmp_translated", L4LB_STATS_ATTR_ICMP_TRANSLATED),
	STAT("drop_syn_limit", L4LB_STATS_ATTR_DROP_SYN_LIMIT),
	STAT("half_open", L4LB_STATS_ATTR_HALF_OPEN),
	STAT("rst_ignored", L4LB_STATS_ATTR_RST_IGNORED),
	STAT("reclaim_unconfirmed", L4LB_STATS_ATTR_RECLAIM_UNCONFIRMED),
	STAT("reclaim_closed", L4LB_STATS_ATTR_RECLAIM_CLOSED),
	STAT("resets_sent", L4LB_STATS_ATTR_RESETS_SENT),
	STAT("toa_no_room", L4LB_STATS_ATTR_TOA_NO_ROOM),
	STAT("proxy_syn_data", L4LB_STATS_ATTR_PROXY_SYN_DATA),
	STAT("peer_sent", L4LB_STATS_ATTR_PEER_SENT),
	STAT("peer_miss", L4LB_STATS_ATTR_PEER_MISS),
	STAT("gc_runs", L4LB_STATS_ATTR_GC_RUNS),
	STAT("gc_nsecs", L4LB_STATS_ATTR_GC_NSECS),
};

/* A new counter in the header must get a line here too. */
_Static_assert(ARRAY_SIZE(stats_fields) ==
	       L4LB_STATS_ATTR_MAX + 1 - L4LB_STATS_ATTR_CONNS,
	       "stats_fields[] out of date");

void out_init(struct out *o, FILE *f, bool json)
{
	printer_init(&o->p, f, json);
	o->started = false;
	o->group[0] = '\0';
}

/* Before the first row: the header, or the JSON "[". */
static void table_start(struct out *o, const struct field *fields, size_t n)
{
	if (o->started)
		return;
	o->started = true;
	if (o->p.json)
		json_begin_array(&o->p.j);
	else
		print_header(&o->p, fields, n);
}

/* After the last row: the header even when there were none, then "]\n". */
static void table_end(struct out *o, const struct field *fields, size_t n)
{
	table_start(o, fields, n);
	if (o->p.json) {
		json_end_array(&o->p.j);
		fputc('\n', o->p.f);
	}
}

/* Text: start the group of service @svc unless it is the current one. */
static void backends_group(struct out *o, const char *svc)
{
	if (o->started && !strcmp(o->group, svc))
		return;
	if (o->started)
		fputc('\n', o->p.f);
	o->started = true;
	snprintf(o->group, sizeof(o->group), "%s", svc);
	fprintf(o->p.f, "service %s\n", svc);
	print_header(&o->p, be_fields, ARRAY_SIZE(be_fields));
}

void out_backend(struct out *o, const struct be_info *be)
{
	if (o->p.json) {
		table_start(o, be_fields, ARRAY_SIZE(be_fields));
	} else {
		char svc[SVC_STRLEN];

		backends_group(o, fmt_svc(svc, &be->svc));
	}
	print_row(&o->p, be_fields, ARRAY_SIZE(be_fields), be);
}

void out_backends_end(struct out *o)
{
	table_end(o, be_fields, ARRAY_SIZE(be_fields));
}

void out_conn(struct out *o, const struct conn_info *c)
{
	table_start(o, conn_fields, ARRAY_SIZE(conn_fields));
	print_row(&o->p, conn_fields, ARRAY_SIZE(conn_fields), c);
}

void out_conns_end(struct out *o)
{
	table_end(o, conn_fields, ARRAY_SIZE(conn_fields));
}

/* The key of @svc as "VIP[:PORT][/PROTO]", with the parts the kernel sent. */
static char *svc_key_text(char *buf, const struct svc_info *svc)
{
	uint32_t has = svc->present;
	struct svc_sel key = {
		.set = true,
		.has_port = has & ATTR_BIT(L4LB_SVC_ATTR_PORT),
		.has_proto = has & ATTR_BIT(L4LB_SVC_ATTR_PROTO),
		.vip = svc->vip,
		.port = svc->port,
		.proto = svc->proto,
	};

	return fmt_svc(buf, &key);
}

/*
 * Before the settings of a service: text, a blank line after the block
 * before, then "service VIP:PORT/PROTO" (if the kernel sent the VIP);
 * JSON, the "[" before the first.
 */
static void service_start(struct out *o, const struct svc_info *svc)
{
	bool first = !o->started;

	o->started = true;
	if (o->p.json) {
		if (first)
			json_begin_array(&o->p.j);
		return;
	}
	if (!first)
		fputc('\n', o->p.f);
	if (svc->present & ATTR_BIT(L4LB_SVC_ATTR_VIP)) {
		char buf[SVC_STRLEN];

		fprintf(o->p.f, "service %s\n", svc_key_text(buf, svc));
	}
}

void out_service(struct out *o, const struct svc_info *svc)
{
	service_start(o, svc);
	print_record(&o->p, svc_fields, ARRAY_SIZE(svc_fields), svc,
		     svc->present);
}

void out_services_end(struct out *o)
{
	if (!o->p.json)
		return;
	if (!o->started)
		json_begin_array(&o->p.j);
	o->started = true;
	json_end_array(&o->p.j);
	fputc('\n', o->p.f);
}

void out_stats(struct out *o, const struct stats_info *st)
{
	print_record(&o->p, stats_fields, ARRAY_SIZE(stats_fields), st,
		     st->present);
	if (o->p.json)
		fputc('\n', o->p.f);
}

void out_count(struct out *o, uint64_t conns)
{
	struct stats_info st = { .present = ATTR_BIT(L4LB_STATS_ATTR_CONNS) };

	if (!o->p.json) {
		fprintf(o->p.f, "%" PRIu64 "\n", conns);
		return;
	}
	/* {"conns":N}: the counter as "stats" names it. */
	st.val[L4LB_STATS_ATTR_CONNS] = conns;
	out_stats(o, &st);
}

/* The key of a service, which the text of an event gives first. */
#define SVC_KEY_BITS (ATTR_BIT(L4LB_SVC_ATTR_VIP) | \
		      ATTR_BIT(L4LB_SVC_ATTR_PORT) | \
		      ATTR_BIT(L4LB_SVC_ATTR_PROTO))

/* An event line's start: its word, or {"event":"WORD" in JSON. */
static void event_begin(struct printer *p, const char *word)
{
	if (p->json) {
		json_begin_object(&p->j);
		json_kv_string(&p->j, "event", word);
	} else {
		fputs(word, p->f);
	}
}

/* An event line's end: one JSON document a line. */
static void event_end(struct printer *p)
{
	if (p->json) {
		json_end_object(&p->j);
		json_next_document(&p->j);	/* JSON lines */
	}
	fputc('\n', p->f);
}

void out_event_word(struct out *o, const char *word)
{
	event_begin(&o->p, word);
	event_end(&o->p);
}

void out_event(struct out *o, const struct event_info *ev)
{
	struct printer *p = &o->p;
	char svc[SVC_STRLEN];
	uint32_t present;

	event_begin(p, event_name(ev->kind));
	if (ev->has_be) {
		if (p->json) {
			print_inline(p, be_fields, ARRAY_SIZE(be_fields),
				     &ev->be, ~0u);
		} else {
			char ep[IPPORT_STRLEN];

			fprintf(p->f, " %s %s", fmt_svc(svc, &ev->be.svc),
				fmt_ipport(ep, &ev->be.ep));
			print_inline(p, ev_be_fields, ARRAY_SIZE(ev_be_fields),
				     &ev->be, ~0u);
		}
	} else if (ev->has_svc) {
		present = ev->svc.present;
		if (!p->json) {
			/* The key first; then the settings, not the counters. */
			if (present & ATTR_BIT(L4LB_SVC_ATTR_VIP))
				fprintf(p->f, " %s", svc_key_text(svc, &ev->svc));
			present &= ~(SVC_KEY_BITS |
				     ATTR_BIT(L4LB_SVC_ATTR_CONN_MAX) |
				     ATTR_BIT(L4LB_SVC_ATTR_SNAT_FAIL));
		}
		print_inline(p, svc_fields, ARRAY_SIZE(svc_fields), &ev->svc,
			     present);
	}
	if (ev->has_stats)
		print_inline(p, stats_fields, ARRAY_SIZE(stats_fields),
			     &ev->st, ev->st.present);
	event_end(p);
}
