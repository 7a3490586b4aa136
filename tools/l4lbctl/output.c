// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - tables, "name value" lines and JSON. See output.h.
 */
#include <inttypes.h>
#include <netinet/in.h>
#include <string.h>

#include "names.h"
#include "output.h"

/* Column layouts: the header and the rows must use the same widths. */
#define BE_HDR_FMT  "%-21s %-8s %6s %8s %8s %10s %12s %12s %14s %14s\n"
#define BE_ROW_FMT  "%-21s %-8s %6" PRIu32 " %8" PRIu32 " %8" PRIu32 \
		    " %10" PRIu64 " %12" PRIu64 " %12" PRIu64	\
		    " %14" PRIu64 " %14" PRIu64 "\n"
#define NAT_HDR_FMT "%-5s %-21s %-21s %-21s %-21s %-11s %7s\n"
#define NAT_ROW_FMT "%-5s %-21s %-21s %-21s %-21s %-11s %7" PRIu32 "\n"

void out_init(struct out *o, FILE *f, bool json)
{
	o->f = f;
	o->json = json;
	o->started = false;
	o->group[0] = '\0';
	json_init(&o->j, f);
}

static void backends_header(struct out *o)
{
	fprintf(o->f, BE_HDR_FMT, "BACKEND", "STATE", "WEIGHT", "ACTIVE",
		"INACTIVE", "TOTAL", "PKTS_IN", "PKTS_OUT", "BYTES_IN",
		"BYTES_OUT");
}

static void backends_start(struct out *o)
{
	if (o->started)
		return;
	o->started = true;
	if (o->json)
		json_begin_array(&o->j);
	else
		backends_header(o);
}

/* Text: start the group of service @svc unless it is the current one. */
static void backends_group(struct out *o, const char *svc)
{
	if (o->started && !strcmp(o->group, svc))
		return;
	if (o->started)
		fputc('\n', o->f);
	o->started = true;
	snprintf(o->group, sizeof(o->group), "%s", svc);
	fprintf(o->f, "service %s\n", svc);
	backends_header(o);
}

void out_backend(struct out *o, const struct be_info *be)
{
	char ep[IPPORT_STRLEN], svc[SVC_STRLEN], ip[INET_ADDRSTRLEN];
	const char *state;

	fmt_ipport(ep, &be->ep);
	fmt_svc(svc, &be->svc);
	if (o->json)
		backends_start(o);
	else
		backends_group(o, svc);
	state = be_state_name(be->state,
			      be->present & ATTR_BIT(L4LB_BE_ATTR_REMOVED));
	if (!o->json) {
		fprintf(o->f, BE_ROW_FMT, ep, state, be->weight,
			be->active_conns, be->inactive_conns, be->total_conns,
			be->pkts_in, be->pkts_out, be->bytes_in, be->bytes_out);
		return;
	}
	json_begin_object(&o->j);
	json_kv_string(&o->j, "backend", ep);
	json_kv_string(&o->j, "state", state);
	json_kv_uint(&o->j, "weight", be->weight);
	json_kv_uint(&o->j, "active", be->active_conns);
	json_kv_uint(&o->j, "inactive", be->inactive_conns);
	json_kv_uint(&o->j, "total", be->total_conns);
	json_kv_uint(&o->j, "pkts_in", be->pkts_in);
	json_kv_uint(&o->j, "pkts_out", be->pkts_out);
	json_kv_uint(&o->j, "bytes_in", be->bytes_in);
	json_kv_uint(&o->j, "bytes_out", be->bytes_out);
	json_kv_string(&o->j, "vip", fmt_ipv4(ip, be->svc.vip));
	json_kv_uint(&o->j, "vport", ntohs(be->svc.port));
	json_kv_string(&o->j, "proto", proto_name(be->svc.proto));
	json_end_object(&o->j);
}

/* Shared end of both tables: a header even when empty, then "]\n". */
static void table_end(struct out *o, void (*start)(struct out *))
{
	start(o);
	if (o->json) {
		json_end_array(&o->j);
		fputc('\n', o->f);
	}
}

void out_backends_end(struct out *o)
{
	table_end(o, backends_start);
}

static void conns_start(struct out *o)
{
	if (o->started)
		return;
	o->started = true;
	if (o->json)
		json_begin_array(&o->j);
	else
		fprintf(o->f, NAT_HDR_FMT, "PROTO", "CLIENT", "VIP", "LOCAL",
			"BACKEND", "STATE", "EXPIRES");
}

void out_conn(struct out *o, const struct conn_info *c)
{
	char client[IPPORT_STRLEN], vip[IPPORT_STRLEN];
	char local[IPPORT_STRLEN], backend[IPPORT_STRLEN];
	const char *proto = conn_proto_name(c->proto);
	const char *state = conn_state_name(c->state);

	conns_start(o);
	fmt_ipport(client, &c->client);
	fmt_ipport(vip, &c->vip);
	fmt_ipport(local, &c->local);
	fmt_ipport(backend, &c->backend);
	if (!o->json) {
		fprintf(o->f, NAT_ROW_FMT, proto, client, vip, local, backend,
			state, c->expires);
		return;
	}
	json_begin_object(&o->j);
	json_kv_string(&o->j, "proto", proto);
	json_kv_string(&o->j, "client", client);
	json_kv_string(&o->j, "vip", vip);
	json_kv_string(&o->j, "local", local);
	json_kv_string(&o->j, "backend", backend);
	json_kv_string(&o->j, "state", state);
	json_kv_uint(&o->j, "expires", c->expires);
	json_end_object(&o->j);
}

void out_conns_end(struct out *o)
{
	table_end(o, conns_start);
}

/* One member of a "name value" object: a line of text, or a JSON member. */
static void field_str(struct out *o, const char *name, const char *value)
{
	if (o->json)
		json_kv_string(&o->j, name, value);
	else
		fprintf(o->f, "%s %s\n", name, value);
}

static void field_uint(struct out *o, const char *name, uint64_t value)
{
	if (o->json)
		json_kv_uint(&o->j, name, value);
	else
		fprintf(o->f, "%s %" PRIu64 "\n", name, value);
}

static void object_begin(struct out *o)
{
	if (o->json)
		json_begin_object(&o->j);
}

static void object_end(struct out *o)
{
	if (o->json) {
		json_end_object(&o->j);
		fputc('\n', o->f);
	}
}

/*
 * Start the block of one service: text, a blank line after the block
 * before, then "service VIP:PORT/PROTO" (if the kernel sent the VIP);
 * JSON, the "[" before the first, then "{".
 */
static void service_begin(struct out *o, const struct svc_info *svc)
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
	bool first = !o->started;

	o->started = true;
	if (o->json) {
		if (first)
			json_begin_array(&o->j);
		json_begin_object(&o->j);
		return;
	}
	if (!first)
		fputc('\n', o->f);
	if (has & ATTR_BIT(L4LB_SVC_ATTR_VIP)) {
		char buf[SVC_STRLEN];

		fprintf(o->f, "service %s\n", fmt_svc(buf, &key));
	}
}

void out_service(struct out *o, const struct svc_info *svc)
{
	char ip[INET_ADDRSTRLEN];
	uint32_t has = svc->present;
	size_t i;

	service_begin(o, svc);
	if (has & ATTR_BIT(L4LB_SVC_ATTR_VIP))
		field_str(o, "vip", fmt_ipv4(ip, svc->vip));
	if (has & ATTR_BIT(L4LB_SVC_ATTR_PORT))
		field_uint(o, "port", ntohs(svc->port));
	if (has & ATTR_BIT(L4LB_SVC_ATTR_PROTO))
		field_str(o, "proto", proto_name(svc->proto));
	if (has & ATTR_BIT(L4LB_SVC_ATTR_SCHED))
		field_str(o, "scheduler", svc->sched);
	if (has & ATTR_BIT(L4LB_SVC_ATTR_SNAT_ADDR))
		field_str(o, "snat",
			  svc->snat ? fmt_ipv4(ip, svc->snat) : "auto");
	for (i = 0; i < timeout_kinds_count; i++) {
		uint16_t attr = timeout_kinds[i].attr;

		if (has & ATTR_BIT(attr))
			field_uint(o, timeout_kinds[i].key, svc->timeout[attr]);
	}
	if (has & ATTR_BIT(L4LB_SVC_ATTR_PERSISTENCE))
		field_uint(o, "persistence", svc->persistence);
	if (has & ATTR_BIT(L4LB_SVC_ATTR_CONN_MAX))
		field_uint(o, "conn_max", svc->conn_max);
	if (o->json)
		json_end_object(&o->j);
}

void out_services_end(struct out *o)
{
	if (!o->json)
		return;
	if (!o->started)
		json_begin_array(&o->j);
	o->started = true;
	json_end_array(&o->j);
	fputc('\n', o->f);
}

void out_stats(struct out *o, const struct stats_info *st)
{
	uint16_t t;

	object_begin(o);
	for (t = 0; t <= L4LB_STATS_ATTR_MAX; t++) {
		const char *name = stats_attr_name(t);

		if (name && (st->present & ATTR_BIT(t)))
			field_uint(o, name, st->val[t]);
	}
	object_end(o);
}

void out_count(struct out *o, uint64_t conns)
{
	if (o->json) {
		object_begin(o);
		field_uint(o, "conns", conns);
		object_end(o);
	} else {
		fprintf(o->f, "%" PRIu64 "\n", conns);
	}
}
