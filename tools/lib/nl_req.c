// SPDX-License-Identifier: GPL-2.0
/*
 * nl_req.c - the header of a request, apart from the socket code of nl.c,
 * so that tests with a fake nl.c build their requests with this same code.
 * See nl.h.
 */
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <uapi/l4lb.h>

#include "nl.h"

struct nlmsghdr *nl_msg(struct nl *nl, uint8_t cmd, uint16_t flags)
{
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;

	/* libmnl does not clear attribute padding: start from zeroes. */
	memset(nl->tx, 0, sizeof(nl->tx));
	nlh = mnl_nlmsg_put_header(nl->tx);
	nlh->nlmsg_type = nl->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = L4LB_GENL_VERSION;
	return nlh;
}
