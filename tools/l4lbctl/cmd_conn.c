// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_conn.c - the NAT table: "conn show" (dump it), "conn flush" (empty
 * it, or remove one service's rows), "conn count" (cmd_stats.c); also
 * known by the verbs of earlier versions, nat, flush and count.
 */
#include <string.h>

#include <uapi/l4lb.h>

#include "args.h"
#include "cmd.h"
#include "error.h"
#include "msg.h"
#include "output.h"

static int nat_cb(const struct nlmsghdr *nlh, void *data)
{
	struct conn_info c;

	if (msg_get_conn(nlh, &c) < 0)
		return MNL_CB_ERROR;
	out_conn(data, &c);
	return MNL_CB_OK;
}

int cmd_nat(const struct ctl *ctl, int argc, char **argv)
{
	struct out out;
	struct args a;
	const char *w;
	int rc;

	args_init(&a, argc, argv);
	w = args_next(&a);
	if (w)
		return args_unknown(w);
	out_init(&out, stdout, ctl->json);
	rc = ctl_get(L4LB_CMD_CONN_GET, true, NULL, NULL, nat_cb, &out);
	if (rc == RC_OK)
		out_conns_end(&out);
	return rc;
}

int cmd_flush(const struct ctl *ctl, int argc, char **argv)
{
	struct svc_sel sel = { 0 };
	struct args a;
	int rc;

	(void)ctl;
	args_init(&a, argc, argv);
	rc = args_only_svc_sel(&a, &sel);
	if (rc)
		return rc;
	/* Without a selector: every row of the namespace. */
	return ctl_do(L4LB_CMD_FLUSH, ctl_fill_svc_sel, &sel);
}

static const struct subcmd conn_subcmds[] = {
	{ "show", cmd_nat, "",
	  "show the NAT table" },
	{ "flush", cmd_flush, "[service SEL]",
	  "remove every NAT table row, or those of one service" },
	{ "count", cmd_count, "",
	  "show the number of NAT table rows" },
};

const struct object conn_object = {
	"conn", conn_subcmds, sizeof(conn_subcmds) / sizeof(conn_subcmds[0]),
};

int cmd_conn(const struct ctl *ctl, int argc, char **argv)
{
	return subcmd_run(ctl, &conn_object, argc, argv);
}
