// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_service.c - the virtual services: show them, create or change one
 * (set), delete one (del).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <uapi/l4lb.h>

#include "args.h"
#include "cmd.h"
#include "error.h"
#include "fmt.h"
#include "msg.h"
#include "names.h"
#include "output.h"

/* The one SERVICE_GET reply of "service show SEL", decoded. */
struct svc_reply {
	struct svc_info svc;
	bool got;
};

static int show_cb(const struct nlmsghdr *nlh, void *data)
{
	struct svc_reply *r = data;

	if (msg_get_service(nlh, &r->svc) < 0)
		return MNL_CB_ERROR;
	r->got = true;
	return MNL_CB_OK;
}

/* Each message of the SERVICE_GET dump, printed as it comes. */
static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct svc_info svc;

	if (msg_get_service(nlh, &svc) < 0)
		return MNL_CB_ERROR;
	out_service(data, &svc);
	return MNL_CB_OK;
}

/* "service [show]": every service, from a dump; none is no error. */
static int service_dump(const struct ctl *ctl)
{
	struct out out;
	int rc;

	out_init(&out, stdout, ctl->json);
	rc = ctl_get(L4LB_CMD_SERVICE_GET, true, NULL, NULL, dump_cb, &out);
	if (rc == RC_OK)
		out_services_end(&out);
	return rc;
}

/* "service show SEL": the one service SEL names, printed as a dump of one. */
static int service_show(const struct ctl *ctl, const struct svc_sel *sel)
{
	struct svc_reply r = { 0 };
	struct out out;
	int rc;

	rc = ctl_get(L4LB_CMD_SERVICE_GET, false, ctl_fill_svc_sel, sel,
		     show_cb, &r);
	if (rc)
		return rc;
	if (!r.got)
		return err_report(RC_KERNEL, "invalid reply from kernel: no service");
	out_init(&out, stdout, ctl->json);
	out_service(&out, &r.svc);
	out_services_end(&out);
	return RC_OK;
}

/* "service show [SEL]", after the word "show" (or nothing at all). */
static int service_show_cmd(const struct ctl *ctl, int argc, char **argv)
{
	struct svc_sel sel = { 0 };
	struct args a;
	const char *w;
	int rc;

	args_init(&a, argc, argv);
	w = args_next(&a);
	if (!w)
		return service_dump(ctl);
	rc = args_svc_sel_word(w, &sel);
	if (!rc)
		rc = args_end(&a);
	if (rc)
		return rc;
	return service_show(ctl, &sel);
}

/* "service del SEL", after the word "del": SEL is required. */
static int service_del_cmd(const struct ctl *ctl, int argc, char **argv)
{
	struct svc_sel sel = { 0 };
	struct args a;
	int rc;

	(void)ctl;
	args_init(&a, argc, argv);
	rc = args_svc_sel_word(args_next(&a), &sel);
	if (!rc)
		rc = args_end(&a);
	if (rc)
		return rc;
	return service_del_send(&sel);
}

int service_del_send(const struct svc_sel *sel)
{
	return ctl_do(L4LB_CMD_SERVICE_DEL, ctl_fill_svc_sel, sel);
}

/* "timeout KIND SECONDS", after the word "timeout". */
static int read_timeout(struct args *a, struct svc_info *svc)
{
	const char *kind, *val;
	uint16_t attr;
	int rc;

	rc = args_value(a, "timeout", &kind);
	if (rc)
		return rc;
	if (parse_timeout_kind(kind, &attr) < 0)
		return usage_error("unknown timeout \"%s\" (expected tcp, tcpfin, tcpclose, udp, udpunreplied or syn)",
				   kind);
	if (svc->present & ATTR_BIT(attr))
		return usage_error("\"timeout %s\" given twice", kind);
	svc->present |= ATTR_BIT(attr);
	rc = args_value(a, kind, &val);
	if (rc)
		return rc;
	if (parse_seconds(val, &svc->timeout[attr]) < 0)
		return usage_error("invalid timeout \"%s\" (expected seconds)", val);
	return RC_OK;
}

/* The value of "snat": "auto", or addresses and ranges. */
static int read_snat(const char *val, struct svc_info *svc)
{
	switch (parse_snat_pool(val, &svc->snat)) {
	case 0:
		return RC_OK;
	case -ERANGE:
		return usage_error("invalid snat \"%s\": a range ends below its start",
				   val);
	case -E2BIG:
		return usage_error("invalid snat \"%s\": more than %d addresses",
				   val, L4LB_SNAT_POOL_MAX);
	case -EEXIST:
		return usage_error("invalid snat \"%s\": an address is given twice",
				   val);
	case -EAFNOSUPPORT:
		return usage_error("invalid snat \"%s\": IPv4 and IPv6 addresses mixed",
				   val);
	case -EADDRNOTAVAIL:
		return usage_error("invalid snat \"%s\" (a zone index is not supported)",
				   val);
	default:
		return usage_error("invalid snat \"%s\" (expected auto, or IP and IP-IP, comma-separated)",
				   val);
	}
}

/* The value of "peers": "none", or addresses (and ranges). */
static int read_peers(const char *val, struct svc_info *svc)
{
	switch (parse_peers(val, &svc->peers)) {
	case 0:
		return RC_OK;
	case -ERANGE:
		return usage_error("invalid peers \"%s\": a range ends below its start",
				   val);
	case -E2BIG:
		return usage_error("invalid peers \"%s\": more than %d addresses",
				   val, L4LB_PEERS_MAX);
	case -EEXIST:
		return usage_error("invalid peers \"%s\": an address is given twice",
				   val);
	case -EDOM:
		return usage_error("invalid peers \"%s\": 0.0.0.0 or a multicast address",
				   val);
	case -EAFNOSUPPORT:
		return usage_error("invalid peers \"%s\": peers are IPv4 addresses",
				   val);
	default:
		return usage_error("invalid peers \"%s\" (expected none, or IP[,IP...])",
				   val);
	}
}

/* One "KEYWORD VALUE" pair of "service set"; @w is the keyword. */
static int read_setting(struct args *a, const char *w, struct svc_info *svc)
{
	const char *val;
	uint16_t attr;
	int rc;

	if (!strcmp(w, "timeout"))
		return read_timeout(a, svc);

	if (!strcmp(w, "vip"))
		attr = L4LB_SVC_ATTR_VIP;
	else if (!strcmp(w, "port"))
		attr = L4LB_SVC_ATTR_PORT;
	else if (!strcmp(w, "proto"))
		attr = L4LB_SVC_ATTR_PROTO;
	else if (!strcmp(w, "scheduler"))
		attr = L4LB_SVC_ATTR_SCHED;
	else if (!strcmp(w, "snat"))
		attr = L4LB_SVC_ATTR_SNAT_POOL;
	else if (!strcmp(w, "persistence"))
		attr = L4LB_SVC_ATTR_PERSISTENCE;
	else if (!strcmp(w, "client-addr"))
		attr = L4LB_SVC_ATTR_CLIENT_ADDR;
	else if (!strcmp(w, "peers"))
		attr = L4LB_SVC_ATTR_PEERS;
	else
		return args_unknown(w);

	rc = args_once(&svc->present, ATTR_BIT(attr), w);
	if (!rc)
		rc = args_value(a, w, &val);
	if (rc)
		return rc;

	switch (attr) {
	case L4LB_SVC_ATTR_VIP:
		rc = parse_ipaddr(val, &svc->vip);
		if (rc < 0)
			return args_bad_addr(val, rc);
		break;
	case L4LB_SVC_ATTR_PORT:
		if (parse_port(val, &svc->port) < 0)
			return usage_error("invalid port \"%s\" (expected 1-65535)", val);
		break;
	case L4LB_SVC_ATTR_PROTO:
		if (parse_proto(val, &svc->proto) < 0)
			return usage_error("unknown protocol \"%s\" (expected tcp or udp)", val);
		break;
	case L4LB_SVC_ATTR_SCHED:
		rc = parse_sched(val, svc->sched);
		if (rc == -ERANGE)
			return usage_error("scheduler name \"%s\" too long (at most %d characters)",
					   val, L4LB_SCHED_NAME_MAX - 1);
		if (rc < 0)
			return usage_error("invalid scheduler name \"%s\"", val);
		break;
	case L4LB_SVC_ATTR_SNAT_POOL:
		return read_snat(val, svc);
	case L4LB_SVC_ATTR_PERSISTENCE:
		if (parse_seconds(val, &svc->persistence) < 0)
			return usage_error("invalid persistence \"%s\" (expected seconds)", val);
		break;
	case L4LB_SVC_ATTR_CLIENT_ADDR:
		if (parse_client_addr(val, &svc->client_addr) < 0)
			return usage_error("invalid client-addr \"%s\" (expected none, proxy-v2, proxy-v1 or toa)",
					   val);
		break;
	case L4LB_SVC_ATTR_PEERS:
		return read_peers(val, svc);
	}
	return RC_OK;
}

/* A VIP of one family, a SNAT pool of the other: refused. */
static int check_family(const struct svc_info *svc)
{
	char ip[IPADDR_STRLEN], vip[sizeof("vip ") + IPADDR_STRLEN];

	if (!(svc->present & ATTR_BIT(L4LB_SVC_ATTR_VIP)) ||
	    !(svc->present & ATTR_BIT(L4LB_SVC_ATTR_SNAT_POOL)) ||
	    !svc->snat.n)
		return RC_OK;
	snprintf(vip, sizeof(vip), "vip %s", fmt_ipaddr(ip, &svc->vip));
	return args_same_family("snat", svc->snat.addr[0].af, vip,
				svc->vip.af);
}

static void put_service(struct nlmsghdr *nlh, const void *arg)
{
	msg_put_service(nlh, arg);
}

int service_set_parse(int argc, char **argv, struct svc_info *svc)
{
	struct args a;
	const char *w;

	memset(svc, 0, sizeof(*svc));
	args_init(&a, argc, argv);
	while ((w = args_next(&a))) {
		int rc = read_setting(&a, w, svc);

		if (rc)
			return rc;
	}
	if (!svc->present)
		return usage_error("service set: nothing to set");
	return check_family(svc);
}

int service_set_send(const struct svc_info *svc)
{
	return ctl_do(L4LB_CMD_SERVICE_SET, put_service, svc);
}

/* "service set ...", after the word "set". */
static int service_set_cmd(const struct ctl *ctl, int argc, char **argv)
{
	struct svc_info svc;
	int rc = service_set_parse(argc, argv, &svc);

	(void)ctl;
	return rc ? rc : service_set_send(&svc);
}

static const struct subcmd service_subcmds[] = {
	{ "show", service_show_cmd, "[SEL]",
	  "show the virtual services, or the one SEL selects" },
	{ "set", service_set_cmd,
	  "[vip IP] [port N] [proto tcp|udp] [scheduler NAME]\n"
	  "[snat auto|IP[-IP][,...]]\n"
	  "[timeout tcp|tcpfin|tcpclose|udp|udpunreplied|syn SECONDS]...\n"
	  "[persistence SECONDS] [client-addr none|proxy-v2|proxy-v1|toa]\n"
	  "[peers none|IP[,IP...]]",
	  "create a service, or change the one vip, port and proto select" },
	{ "del", service_del_cmd, "SEL",
	  "delete a service, with its backends and NAT rows" },
	{ "delete", service_del_cmd, NULL, NULL },
};

const struct object service_object = {
	"service", service_subcmds,
	sizeof(service_subcmds) / sizeof(service_subcmds[0]),
};

int cmd_service(const struct ctl *ctl, int argc, char **argv)
{
	return subcmd_run(ctl, &service_object, argc, argv);
}
