/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fake_nl.h - a fake nl.c for the tests of the code that talks to the
 * kernel: nl_open(), nl_close() and nl_talk() without a socket. Requests
 * are built by the real lib/nl_req.c; nl_talk() keeps a copy of each,
 * answers it with the replies queued for its command (new_reply()), or
 * fails it as told (fake_fail*()). Errors go through err_report() as the
 * real nl.c's do. Link fake_nl.o instead of nl.o, with fake_msg.o.
 *
 * The fake kernel's state is the test's: fake_reset() it before each.
 */
#ifndef L4LB_TESTS_FAKE_NL_H
#define L4LB_TESTS_FAKE_NL_H

#include <stdint.h>

#include <libmnl/libmnl.h>

/* FAKE_FAMILY_ID, the family id the fake nl_open() resolves; struct attrs. */
#include "fake_msg.h"

/* The replies that may be queued, and the size of each. */
#define FAKE_MAX_REPLIES 16
#define FAKE_REPLY_SIZE 2048
/* The requests of which a copy is kept: the last ones. */
#define FAKE_MAX_REQS 16

/* What the fake kernel saw since fake_reset(). */
struct fake_nl {
	int requests;		/* nl_talk() calls */
	int opens;		/* nl_open() calls */
	int closes;		/* nl_close() calls on an open socket */
};

extern struct fake_nl fake;

/* No requests, replies, failures or counts: a kernel that acks all. */
void fake_reset(void);

/* Forget the requests (fake.requests 0) but keep the replies. */
void fake_forget_requests(void);

/*
 * Queue a reply of command @cmd, given to each request of that command in
 * the order queued; fill it with mnl_attr_put_*(). Type FAKE_FAMILY_ID.
 */
struct nlmsghdr *new_reply(uint8_t cmd);

/* Every request fails with @rc and "fake failure" (RC_OK: none fails). */
void fake_fail(int rc);

/* Only request number @n (1: the first since fake_reset()) fails, with @rc. */
void fake_fail_at(int n, int rc);

/* Only requests of command @cmd fail, with @rc. */
void fake_fail_cmd(uint8_t cmd, int rc);

/*
 * The copy of request @i (0: the first since fake_reset()), its sequence
 * number 0; one of the last FAKE_MAX_REQS.
 */
const struct nlmsghdr *req_at(int i);

/* The genl command of req_at(@i). */
uint8_t cmd_of(int i);

/* The last request; NL_TX_SIZE zero bytes if there was none. */
const struct nlmsghdr *req(void);

/* The genl command of req(). */
uint8_t req_cmd(void);

/* The top-level attributes of req(). */
struct attrs top_attrs(void);

/* The attributes in nest @nest of req(), which must be there, nested. */
struct attrs nest_attrs(uint16_t nest);

#endif /* L4LB_TESTS_FAKE_NL_H */
