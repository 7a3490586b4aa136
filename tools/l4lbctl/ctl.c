// SPDX-License-Identifier: GPL-2.0
/*
 * ctl.c - the request/answer pattern shared by every command: open the
 * l4lb family, send one request, read its answer, close. See cmd.h.
 */
#include <linux/netlink.h>

#include <uapi/l4lb.h>

#include "cmd.h"
#include "error.h"
#include "msg.h"
#include "nl.h"

/* One socket per run; static because struct nl holds 36 KiB of buffers. */
static struct nl nl;

int ctl_do(uint8_t cmd, void (*fill)(struct nlmsghdr *nlh, const void *arg),
	   const void *arg)
{
	struct nlmsghdr *nlh;
	int rc;

	rc = nl_open(&nl, L4LB_GENL_NAME);
	if (rc != RC_OK)
		return rc;
	nlh = nl_msg(&nl, cmd, NLM_F_ACK);
	if (fill)
		fill(nlh, arg);
	rc = nl_talk(&nl, nlh, NULL, NULL);
	nl_close(&nl);
	return rc;
}

int ctl_get(uint8_t cmd, bool dump,
	    void (*fill)(struct nlmsghdr *nlh, const void *arg),
	    const void *arg, mnl_cb_t cb, void *data)
{
	struct nlmsghdr *nlh;
	int rc;

	rc = nl_open(&nl, L4LB_GENL_NAME);
	if (rc != RC_OK)
		return rc;
	/* A dump ends with NLMSG_DONE; NLM_F_ACK would add nothing. */
	nlh = nl_msg(&nl, cmd, dump ? NLM_F_DUMP : NLM_F_ACK);
	if (fill)
		fill(nlh, arg);
	rc = nl_talk(&nl, nlh, cb, data);
	nl_close(&nl);
	return rc;
}

void ctl_fill_svc_sel(struct nlmsghdr *nlh, const void *sel)
{
	msg_put_svc_sel(nlh, sel);
}
