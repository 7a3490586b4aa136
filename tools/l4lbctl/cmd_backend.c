// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_backend.c - backends: "backend add|del|set|show", also known by
 * the verbs of earlier versions, add, remove, set and list. Each takes an
 * optional "service SEL" among its keywords to name the service the
 * backend belongs to.
 */
#include <string.h>

#include <uapi/l4lb.h>

#include "args.h"
#include "cmd.h"
#include "error.h"
#include "fmt.h"
#include "msg.h"
#include "output.h"

static void put_be_req(struct nlmsghdr *nlh, const void *arg)
{
	const struct be_req *req = arg;

	msg_put_backend(nlh, &req->be);
	/* Without one, the selector is the family: v4 and v6 services apart. */
	if (req->sel.set)
		msg_put_svc_sel(nlh, &req->sel);
	else
		msg_put_af_sel(nlh, req->be.ep.addr.af);
	if (req->flags)
		msg_put_flags(nlh, req->flags);
}

/* The keywords a backend command takes besides "service SEL". */
enum {
	KW_WEIGHT = 1 << 0,	/* weight N */
	KW_STATE = 1 << 1,	/* up|down|drain */
	KW_NOW = 1 << 2,	/* --now */
	KW_PCT = 1 << 3,	/* weight-pct N */
};

/* The value after "weight". */
static int read_weight(struct args *a, struct be_info *be)
{
	const char *val;
	int rc;

	rc = args_once(&be->present, ATTR_BIT(L4LB_BE_ATTR_WEIGHT), "weight");
	if (!rc)
		rc = args_value(a, "weight", &val);
	if (rc)
		return rc;
	if (parse_weight(val, &be->weight) < 0)
		return usage_error("invalid weight \"%s\" (expected 0-%u)", val,
				   L4LB_WEIGHT_MAX);
	return RC_OK;
}

/* The value after "weight-pct". */
static int read_weight_pct(struct args *a, struct be_info *be)
{
	const char *val;
	int rc;

	rc = args_once(&be->present, ATTR_BIT(L4LB_BE_ATTR_WEIGHT_PCT),
		       "weight-pct");
	if (!rc)
		rc = args_value(a, "weight-pct", &val);
	if (rc)
		return rc;
	if (parse_weight_pct(val, &be->weight_pct) < 0)
		return usage_error("invalid weight-pct \"%s\" (expected 0-%u)",
				   val, L4LB_WEIGHT_PCT_MAX);
	return RC_OK;
}

/* A state word, @state; only one is allowed. */
static int read_state(struct be_info *be, uint8_t state)
{
	if (be->present & ATTR_BIT(L4LB_BE_ATTR_STATE))
		return usage_error("more than one state given (up, down, drain)");
	be->present |= ATTR_BIT(L4LB_BE_ATTR_STATE);
	be->state = state;
	return RC_OK;
}

static int read_now(struct be_req *req)
{
	if (req->flags & L4LB_F_NOW)
		return usage_error("\"--now\" given twice");
	req->flags |= L4LB_F_NOW;
	return RC_OK;
}

/* A backend of one family, a service of the other: refused. */
static int check_family(const struct be_req *req)
{
	char ep[IPPORT_STRLEN], key[SVC_STRLEN];
	char be[sizeof("backend ") + IPPORT_STRLEN];
	char svc[sizeof("service ") + SVC_STRLEN];

	if (!req->sel.set || req->sel.vip.af == req->be.ep.addr.af)
		return RC_OK;
	snprintf(be, sizeof(be), "backend %s", fmt_ipport(ep, &req->be.ep));
	snprintf(svc, sizeof(svc), "service %s", fmt_svc(key, &req->sel));
	return args_same_family(be, req->be.ep.addr.af, svc,
				req->sel.vip.af);
}

/*
 * Read "IP:PORT [KEYWORD]..." into @req: "service SEL", and the keywords
 * of @kws (KW_*). Anything else is an unknown argument.
 */
static int read_be_req(int argc, char **argv, unsigned int kws,
		       struct be_req *req)
{
	struct args a;
	const char *w;
	uint8_t state;
	int rc;

	memset(req, 0, sizeof(*req));
	args_init(&a, argc, argv);
	rc = args_ipport(&a, &req->be.ep);
	if (rc)
		return rc;
	req->be.present |= ATTR_BIT(L4LB_BE_ATTR_ADDR) |
			   ATTR_BIT(L4LB_BE_ATTR_PORT);
	while ((w = args_next(&a))) {
		if (!strcmp(w, "service"))
			rc = args_svc_sel(&a, &req->sel);
		else if ((kws & KW_WEIGHT) && !strcmp(w, "weight"))
			rc = read_weight(&a, &req->be);
		else if ((kws & KW_PCT) && !strcmp(w, "weight-pct"))
			rc = read_weight_pct(&a, &req->be);
		else if ((kws & KW_NOW) && !strcmp(w, "--now"))
			rc = read_now(req);
		else if ((kws & KW_STATE) && parse_be_state(w, &state) == 0)
			rc = read_state(&req->be, state);
		else
			rc = args_unknown(w);
		if (rc)
			return rc;
	}
	return check_family(req);
}

int backend_add_parse(int argc, char **argv, struct be_req *req)
{
	/* Without a state word a new backend starts up. */
	return read_be_req(argc, argv, KW_WEIGHT | KW_PCT | KW_STATE, req);
}

int backend_add_send(const struct be_req *req)
{
	return ctl_do(L4LB_CMD_BACKEND_ADD, put_be_req, req);
}

int cmd_add(const struct ctl *ctl, int argc, char **argv)
{
	struct be_req req;
	int rc = backend_add_parse(argc, argv, &req);

	(void)ctl;
	return rc ? rc : backend_add_send(&req);
}

int cmd_remove(const struct ctl *ctl, int argc, char **argv)
{
	struct be_req req;
	int rc = read_be_req(argc, argv, KW_NOW, &req);

	(void)ctl;
	return rc ? rc : backend_del_send(&req);
}

int cmd_set(const struct ctl *ctl, int argc, char **argv)
{
	const uint32_t settings = ATTR_BIT(L4LB_BE_ATTR_WEIGHT) |
				  ATTR_BIT(L4LB_BE_ATTR_WEIGHT_PCT) |
				  ATTR_BIT(L4LB_BE_ATTR_STATE);
	struct be_req req;
	int rc = read_be_req(argc, argv, KW_WEIGHT | KW_PCT | KW_STATE, &req);

	(void)ctl;
	if (rc)
		return rc;
	if (!(req.be.present & settings))
		return usage_error("missing weight N, weight-pct N or up|down|drain");
	return backend_set_send(&req);
}

int backend_set_send(const struct be_req *req)
{
	return ctl_do(L4LB_CMD_BACKEND_SET, put_be_req, req);
}

int backend_del_send(const struct be_req *req)
{
	return ctl_do(L4LB_CMD_BACKEND_DEL, put_be_req, req);
}

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct be_info be;

	if (msg_get_backend(nlh, &be) < 0)
		return MNL_CB_ERROR;
	out_backend(data, &be);
	return MNL_CB_OK;
}

int cmd_list(const struct ctl *ctl, int argc, char **argv)
{
	struct svc_sel sel = { 0 };
	struct out out;
	struct args a;
	int rc;

	args_init(&a, argc, argv);
	rc = args_only_svc_sel(&a, &sel);
	if (rc)
		return rc;
	out_init(&out, stdout, ctl->json);
	/* Without a selector: the backends of every service. */
	rc = ctl_get(L4LB_CMD_BACKEND_GET, true, ctl_fill_svc_sel, &sel,
		     list_cb, &out);
	if (rc == RC_OK)
		out_backends_end(&out);
	return rc;
}

static const struct subcmd backend_subcmds[] = {
	{ "add", cmd_add,
	  "IP:PORT [weight N] [weight-pct N] [up|down|drain] [service SEL]",
	  "add a backend (weight 0-65535, default 1; weight-pct 0-256, default 100; state default up)" },
	{ "del", cmd_remove, "IP:PORT [--now] [service SEL]",
	  "remove a backend; it drains, or with --now its connections are reset" },
	{ "delete", cmd_remove, NULL, NULL },
	{ "set", cmd_set,
	  "IP:PORT [weight N] [weight-pct N] [up|down|drain] [service SEL]",
	  "change the weight, weight percentage and/or state of a backend" },
	{ "show", cmd_list, "[service SEL]",
	  "show the backends, by service, with their connection and traffic counters" },
};

const struct object backend_object = {
	"backend", backend_subcmds,
	sizeof(backend_subcmds) / sizeof(backend_subcmds[0]),
};

int cmd_backend(const struct ctl *ctl, int argc, char **argv)
{
	return subcmd_run(ctl, &backend_object, argc, argv);
}
