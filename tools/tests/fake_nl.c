// SPDX-License-Identifier: GPL-2.0
/*
 * fake_nl.c - the nl.h API without a socket, and a kernel that answers
 * from a queue. See fake_nl.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <uapi/l4lb.h>

#include "error.h"
#include "fake_nl.h"
#include "nl.h"

struct fake_nl fake;

/* Copies of the last FAKE_MAX_REQS requests, request i at i % FAKE_MAX_REQS. */
static char reqs[FAKE_MAX_REQS][NL_TX_SIZE] __attribute__((aligned(8)));

static char replies[FAKE_MAX_REPLIES][FAKE_REPLY_SIZE]
	__attribute__((aligned(8)));
static int n_replies;

/* Which requests fail, with what: see fake_fail*(). */
static int fail_rc;
static int fail_at;
static uint8_t fail_cmd;

static uint8_t msg_cmd(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);

	return genl->cmd;
}

int nl_open(struct nl *nl, const char *family)
{
	assert_string_equal(family, L4LB_GENL_NAME);
	fake.opens++;
	nl->sock = (struct mnl_socket *)1;
	nl->family = FAKE_FAMILY_ID;
	return RC_OK;
}

void nl_close(struct nl *nl)
{
	if (nl->sock)
		fake.closes++;
	nl->sock = NULL;
}

static bool fails(uint8_t cmd)
{
	return fail_rc != RC_OK && (!fail_at || fake.requests == fail_at) &&
	       (!fail_cmd || cmd == fail_cmd);
}

int nl_talk(struct nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	char *copy = reqs[fake.requests % FAKE_MAX_REQS];
	uint8_t cmd = msg_cmd(req);
	int i;

	assert_non_null(nl->sock);
	assert_true(req->nlmsg_len <= NL_TX_SIZE);
	memset(copy, 0, NL_TX_SIZE);
	memcpy(copy, req, req->nlmsg_len);
	/* The sequence number counts requests; it is not the command's. */
	((struct nlmsghdr *)copy)->nlmsg_seq = 0;
	fake.requests++;
	if (fails(cmd))
		return err_report(fail_rc, "fake failure");
	for (i = 0; i < n_replies; i++) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)replies[i];

		if (msg_cmd(nlh) != cmd)
			continue;
		assert_non_null(cb);
		if (cb(nlh, data) == MNL_CB_ERROR)
			return err_report(RC_KERNEL,
					  "invalid reply from kernel");
	}
	return RC_OK;
}

void fake_forget_requests(void)
{
	memset(reqs, 0, sizeof(reqs));
	fake.requests = 0;
}

void fake_reset(void)
{
	fake_forget_requests();
	fake.opens = 0;
	fake.closes = 0;
	n_replies = 0;
	fake_fail(RC_OK);
}

struct nlmsghdr *new_reply(uint8_t cmd)
{
	assert_true(n_replies < FAKE_MAX_REPLIES);
	return fake_header(replies[n_replies++], cmd);
}

void fake_fail(int rc)
{
	fail_rc = rc;
	fail_at = 0;
	fail_cmd = 0;
}

void fake_fail_at(int n, int rc)
{
	fake_fail(rc);
	fail_at = n;
}

void fake_fail_cmd(uint8_t cmd, int rc)
{
	fake_fail(rc);
	fail_cmd = cmd;
}

const struct nlmsghdr *req_at(int i)
{
	assert_true(i >= 0 && i < fake.requests);
	assert_true(i >= fake.requests - FAKE_MAX_REQS);
	return (const struct nlmsghdr *)reqs[i % FAKE_MAX_REQS];
}

uint8_t cmd_of(int i)
{
	return msg_cmd(req_at(i));
}

const struct nlmsghdr *req(void)
{
	/* None since fake_forget_requests(), which cleared them all. */
	if (!fake.requests)
		return (const struct nlmsghdr *)reqs[0];
	return req_at(fake.requests - 1);
}

uint8_t req_cmd(void)
{
	return msg_cmd(req());
}

struct attrs top_attrs(void)
{
	struct attrs a = { { NULL }, 0 };

	mnl_attr_parse(req(), sizeof(struct genlmsghdr), attrs_cb, &a);
	return a;
}

struct attrs nest_attrs(uint16_t nest)
{
	struct attrs top = top_attrs(), a = { { NULL }, 0 };

	assert_non_null(top.tb[nest]);
	assert_true(top.tb[nest]->nla_type & NLA_F_NESTED);
	mnl_attr_parse_nested(top.tb[nest], attrs_cb, &a);
	return a;
}
