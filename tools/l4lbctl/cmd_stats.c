// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_stats.c - global counters: count (the NAT table length), stats.
 */
#include <errno.h>
#include <stdbool.h>

#include <uapi/l4lb.h>

#include "args.h"
#include "cmd.h"
#include "error.h"
#include "msg.h"
#include "output.h"

/* The one STATS_GET reply, decoded. */
struct stats_reply {
	struct stats_info st;
	bool got;
};

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct stats_reply *r = data;

	if (msg_get_stats(nlh, &r->st) < 0)
		return MNL_CB_ERROR;
	r->got = true;
	return MNL_CB_OK;
}

/* Fetch the counters; fails if the kernel acked without sending them. */
static int get_stats(const struct ctl *ctl, int argc, char **argv,
		     struct stats_reply *r)
{
	struct args a;
	int rc;

	(void)ctl;
	args_init(&a, argc, argv);
	rc = args_end(&a);
	if (rc)
		return rc;
	rc = ctl_get(L4LB_CMD_STATS_GET, false, NULL, NULL, stats_cb, r);
	if (rc == RC_OK && !r->got)
		return err_report(RC_KERNEL, "invalid reply from kernel: no statistics");
	return rc;
}

/* "stats", or with @count "count": fetch the counters and print them. */
static int show_stats(const struct ctl *ctl, int argc, char **argv,
		      bool count)
{
	struct stats_reply r = { 0 };
	struct out out;
	int rc;

	rc = get_stats(ctl, argc, argv, &r);
	if (rc)
		return rc;
	if (count && !(r.st.present & ATTR_BIT(L4LB_STATS_ATTR_CONNS)))
		return err_report(RC_KERNEL, "invalid reply from kernel: no table length");
	out_init(&out, stdout, ctl->json);
	if (count)
		out_count(&out, r.st.val[L4LB_STATS_ATTR_CONNS]);
	else
		out_stats(&out, &r.st);
	return RC_OK;
}

int cmd_count(const struct ctl *ctl, int argc, char **argv)
{
	return show_stats(ctl, argc, argv, true);
}

int cmd_stats(const struct ctl *ctl, int argc, char **argv)
{
	return show_stats(ctl, argc, argv, false);
}
