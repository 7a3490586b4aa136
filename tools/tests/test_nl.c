// SPDX-License-Identifier: GPL-2.0
/*
 * test_nl.c - nl.c against the running kernel. The l4lb module is not
 * needed: the kernel's own generic netlink controller ("nlctrl") answers
 * the same way any family does, so it exercises family resolution, dumps
 * ending in NLMSG_DONE, ACKs, and errors with and without an extack
 * message. Skipped where generic netlink sockets are not available.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "capture.h"
#include "error.h"
#include "nl.h"

static struct nl nl;

/* True if @s is exactly one line starting with "l4lbctl: ". */
static int one_error_line(const char *s)
{
	const char *nl_pos = strchr(s, '\n');

	return !strncmp(s, "l4lbctl: ", 9) && nl_pos && nl_pos[1] == '\0';
}

static int open_nlctrl(void **state)
{
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);

	(void)state;
	if (fd < 0)
		return 0;	/* each test skips */
	close(fd);
	return nl_open(&nl, "nlctrl") == RC_OK ? 0 : -1;
}

static int close_nlctrl(void **state)
{
	(void)state;
	nl_close(&nl);
	return 0;
}

#define NEED_NETLINK() do { if (!nl.sock) skip(); } while (0)

static void family_is_resolved_with_its_version(void **state)
{
	(void)state;
	NEED_NETLINK();
	assert_int_equal(nl.family, GENL_ID_CTRL);
	assert_true(nl.version >= 1);
}

static void unknown_family_means_module_not_loaded(void **state)
{
	struct nl other = { 0 };
	const char *err;
	int rc;

	(void)state;
	NEED_NETLINK();
	capture_begin();
	rc = nl_open(&other, "l4lb_nosuch");
	capture_end();
	err = err_text;
	assert_int_equal(rc, RC_NO_MODULE);
	assert_string_equal(err, "l4lbctl: l4lb_nosuch module not loaded "
			    "(generic netlink family \"l4lb_nosuch\" not found)\n");
	assert_null(other.sock);
}

struct names {
	int count;
	int saw_nlctrl;
};

static int name_attr_cb(const struct nlattr *attr, void *data)
{
	struct names *n = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_NAME &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0 &&
	    !strcmp(mnl_attr_get_str(attr), "nlctrl"))
		n->saw_nlctrl++;
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct names *n = data;

	n->count++;
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), name_attr_cb, n);
	return MNL_CB_OK;
}

static void dump_reads_every_message_until_done(void **state)
{
	struct names n = { 0, 0 };

	(void)state;
	NEED_NETLINK();
	assert_int_equal(nl_talk(&nl, nl_msg(&nl, CTRL_CMD_GETFAMILY,
					     NLM_F_DUMP), family_cb, &n), RC_OK);
	assert_true(n.count >= 1);
	assert_int_equal(n.saw_nlctrl, 1);
}

static void request_reads_reply_then_ack(void **state)
{
	struct names n = { 0, 0 };
	struct nlmsghdr *req;

	(void)state;
	NEED_NETLINK();
	req = nl_msg(&nl, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put_strz(req, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	assert_int_equal(nl_talk(&nl, req, family_cb, &n), RC_OK);
	assert_int_equal(n.count, 1);
	assert_int_equal(n.saw_nlctrl, 1);

	/* The socket is still in step for the next request. */
	n.count = 0;
	req = nl_msg(&nl, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put_strz(req, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	assert_int_equal(nl_talk(&nl, req, family_cb, &n), RC_OK);
	assert_int_equal(n.count, 1);
}

static void kernel_error_prints_extack_message(void **state)
{
	struct nlmsghdr *req;
	const char *err;
	int rc;

	(void)state;
	NEED_NETLINK();
	/* A family name longer than GENL_NAMSIZ fails policy validation,
	 * which the kernel explains in NLMSGERR_ATTR_MSG. */
	req = nl_msg(&nl, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put_strz(req, CTRL_ATTR_FAMILY_NAME,
			  "a-family-name-much-longer-than-sixteen-bytes");
	capture_begin();
	rc = nl_talk(&nl, req, NULL, NULL);
	capture_end();
	err = err_text;
	assert_int_equal(rc, RC_KERNEL);
	assert_true(one_error_line(err));
	assert_non_null(strstr(err, "validation"));
}

static void kernel_error_without_extack_prints_strerror(void **state)
{
	const char *err;
	int rc;

	(void)state;
	NEED_NETLINK();
	capture_begin();
	rc = nl_talk(&nl, nl_msg(&nl, 0xee, NLM_F_ACK), NULL, NULL);
	capture_end();
	err = err_text;
	assert_int_equal(rc, RC_KERNEL);
	assert_string_equal(err, "l4lbctl: Operation not supported\n");
}

static void ack_without_callback_is_silent_success(void **state)
{
	struct nlmsghdr *req;
	const char *err;
	int rc;

	(void)state;
	NEED_NETLINK();
	req = nl_msg(&nl, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put_strz(req, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	capture_begin();
	rc = nl_talk(&nl, req, NULL, NULL);
	capture_end();
	err = err_text;
	assert_int_equal(rc, RC_OK);
	assert_string_equal(err, "");
}

static int refuse_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_ERROR;
}

static void refused_reply_reports_invalid_reply(void **state)
{
	struct nlmsghdr *req;
	const char *err;
	int rc;

	(void)state;
	NEED_NETLINK();
	/* A data callback refusing the reply, as msg_get_*() would. */
	req = nl_msg(&nl, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	mnl_attr_put_strz(req, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	capture_begin();
	rc = nl_talk(&nl, req, refuse_cb, NULL);
	capture_end();
	err = err_text;
	assert_int_equal(rc, RC_KERNEL);
	assert_string_equal(err, "l4lbctl: invalid reply from kernel: Bad message\n");
	/* The ACK of that request is still queued: reopen for the others. */
	nl_close(&nl);
	assert_int_equal(nl_open(&nl, "nlctrl"), RC_OK);
}

/* A socket of its own: a joined one may get notifications in between. */
static struct nl joined;

static void join_finds_the_group_by_name_and_joins_it(void **state)
{
	uint32_t groups[8] = { 0 };
	socklen_t len = sizeof(groups);
	int fd;

	(void)state;
	NEED_NETLINK();
	assert_int_equal(nl_open(&joined, "nlctrl"), RC_OK);
	assert_int_equal(nl_join(&joined, "nlctrl", "notify"), RC_OK);
	/* nlctrl's one group, "notify", is GENL_ID_CTRL's (id 16). */
	fd = mnl_socket_get_fd(joined.sock);
	assert_int_equal(getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS,
				    groups, &len), 0);
	assert_true(groups[0] & (1u << (GENL_ID_CTRL - 1)));
	nl_close(&joined);
}

static void join_of_a_missing_group_is_one_line(void **state)
{
	const char *err;
	int rc;

	(void)state;
	NEED_NETLINK();
	assert_int_equal(nl_open(&joined, "nlctrl"), RC_OK);
	capture_begin();
	rc = nl_join(&joined, "nlctrl", "nosuch");
	capture_end();
	err = err_text;
	nl_close(&joined);
	assert_int_equal(rc, RC_KERNEL);
	assert_string_equal(err, "l4lbctl: generic netlink family \"nlctrl\" "
			    "has no multicast group \"nosuch\" (module too old?)\n");
}

static void group_resolves_the_id_without_joining(void **state)
{
	uint32_t groups[8] = { 0 };
	socklen_t len = sizeof(groups);
	uint32_t id = 0;

	(void)state;
	NEED_NETLINK();
	assert_int_equal(nl_open(&joined, "nlctrl"), RC_OK);
	assert_int_equal(nl_group(&joined, "nlctrl", "notify", &id), RC_OK);
	assert_int_equal(id, GENL_ID_CTRL);
	assert_int_equal(joined.family, GENL_ID_CTRL);
	assert_int_equal(getsockopt(mnl_socket_get_fd(joined.sock), SOL_NETLINK,
				    NETLINK_LIST_MEMBERSHIPS, groups, &len), 0);
	assert_int_equal(groups[0], 0);
	assert_int_equal(nl_join_id(&joined, "notify", id), RC_OK);
	len = sizeof(groups);
	assert_int_equal(getsockopt(mnl_socket_get_fd(joined.sock), SOL_NETLINK,
				    NETLINK_LIST_MEMBERSHIPS, groups, &len), 0);
	assert_true(groups[0] & (1u << (GENL_ID_CTRL - 1)));
	nl_close(&joined);
}

/* A message buffer aligned for struct nlmsghdr. */
union msgbuf {
	struct nlmsghdr align;
	char b[512];
};

/*
 * A CTRL_CMD_NEWFAMILY notification as the kernel's ctrl_fill_info()
 * writes it: name, id, version, then the groups, each a nest of ID and
 * NAME. @groups: how many of "other" (id 30) and "events" (id 31).
 */
static struct nlmsghdr *ctrl_notification(char *b, uint8_t cmd, int groups)
{
	struct nlattr *all, *one;
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;

	nlh = mnl_nlmsg_put_header(b);
	nlh->nlmsg_type = GENL_ID_CTRL;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = 2;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "l4lb");
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 0x1f);
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, 3);
	mnl_attr_put_u32(nlh, CTRL_ATTR_HDRSIZE, 0);
	if (!groups)
		return nlh;
	all = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	one = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 30);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, "other");
	mnl_attr_nest_end(nlh, one);
	if (groups > 1) {
		one = mnl_attr_nest_start(nlh, 2);
		mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 31);
		mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, "events");
		mnl_attr_nest_end(nlh, one);
	}
	mnl_attr_nest_end(nlh, all);
	return nlh;
}

static void family_parse_reads_a_notification(void **state)
{
	union msgbuf buf = { 0 };
	struct nl_family f;
	struct nlmsghdr *nlh;

	(void)state;
	nlh = ctrl_notification(buf.b, CTRL_CMD_NEWFAMILY, 2);
	assert_int_equal(nl_family_parse(nlh, "events", &f), 0);
	assert_string_equal(f.name, "l4lb");
	assert_int_equal(f.id, 0x1f);
	assert_int_equal(f.version, 3);
	assert_int_equal(f.group_id, 31);
	assert_int_equal(nl_family_parse(nlh, NULL, &f), 0);
	assert_int_equal(f.group_id, 0);

	/* Without the group, or without any: group_id 0, the rest read. */
	memset(&buf, 0, sizeof(buf));
	nlh = ctrl_notification(buf.b, CTRL_CMD_NEWFAMILY, 1);
	assert_int_equal(nl_family_parse(nlh, "events", &f), 0);
	assert_int_equal(f.group_id, 0);
	assert_int_equal(f.id, 0x1f);
	memset(&buf, 0, sizeof(buf));
	nlh = ctrl_notification(buf.b, CTRL_CMD_DELFAMILY, 0);
	assert_int_equal(nl_family_parse(nlh, "events", &f), 0);
	assert_string_equal(f.name, "l4lb");
	assert_int_equal(f.group_id, 0);
}

static void family_parse_refuses_malformed_messages(void **state)
{
	union msgbuf buf = { 0 };
	struct nl_family f;
	struct nlmsghdr *nlh;
	struct nlattr *name;

	(void)state;
	/* No room for the genetlink header. */
	nlh = mnl_nlmsg_put_header(buf.b);
	nlh->nlmsg_type = GENL_ID_CTRL;
	errno = 0;
	assert_int_equal(nl_family_parse(nlh, "events", &f), -1);
	assert_int_equal(errno, EBADMSG);

	/* A family name without its NUL. */
	nlh = ctrl_notification(buf.b, CTRL_CMD_NEWFAMILY, 2);
	name = mnl_nlmsg_get_payload_offset(nlh, sizeof(struct genlmsghdr));
	assert_int_equal(name->nla_type, CTRL_ATTR_FAMILY_NAME);
	((char *)mnl_attr_get_payload(name))[4] = 'x';
	errno = 0;
	assert_int_equal(nl_family_parse(nlh, "events", &f), -1);
	assert_int_not_equal(errno, 0);
}

static void errno_maps_to_exit_code(void **state)
{
	(void)state;
	assert_int_equal(rc_from_errno(0), RC_OK);
	assert_int_equal(rc_from_errno(-EPERM), RC_PERM);
	assert_int_equal(rc_from_errno(EACCES), RC_PERM);
	assert_int_equal(rc_from_errno(-EEXIST), RC_KERNEL);
	assert_int_equal(rc_from_errno(ENOENT), RC_KERNEL);
}

/* A request as nl_msg() builds it, with two attributes. */
static void attr_at_finds_only_whole_attributes_of_the_request(void **state)
{
	union {
		struct nlmsghdr align;
		char b[256];
	} buf = { 0 };
	struct nlmsghdr *req = mnl_nlmsg_put_header(buf.b);
	uint32_t first, second;

	(void)state;
	mnl_nlmsg_put_extra_header(req, sizeof(struct genlmsghdr));
	first = req->nlmsg_len;
	mnl_attr_put_u32(req, 7, 0x0a000001);
	second = req->nlmsg_len;
	mnl_attr_put_u16(req, 8, 80);

	assert_ptr_equal(nl_attr_at(req, first), buf.b + first);
	assert_int_equal(mnl_attr_get_type(nl_attr_at(req, first)), 7);
	assert_int_equal(mnl_attr_get_u32(nl_attr_at(req, first)), 0x0a000001);
	assert_int_equal(mnl_attr_get_type(nl_attr_at(req, second)), 8);
	/* Not aligned, inside the header, past the end. */
	assert_null(nl_attr_at(req, first + 2));
	assert_null(nl_attr_at(req, 4));
	assert_null(nl_attr_at(req, req->nlmsg_len));
	assert_null(nl_attr_at(req, UINT32_MAX - 3));
	/* An attribute whose length runs past the request. */
	((struct nlattr *)(buf.b + second))->nla_len = 64;
	assert_null(nl_attr_at(req, second));
}

/* An address the kernel refused is named in its message, of either family. */
static void refused_address_is_named_in_the_message(void **state)
{
	union {
		struct nlmsghdr align;
		char b[256];
	} buf = { 0 };
	struct nlmsghdr *req = mnl_nlmsg_put_header(buf.b);
	struct in6_addr a6;
	uint32_t v4, v6, port;
	char msg[128];

	(void)state;
	mnl_nlmsg_put_extra_header(req, sizeof(struct genlmsghdr));
	v4 = req->nlmsg_len;
	mnl_attr_put_u32(req, 7, htonl(0x0a000105));
	v6 = req->nlmsg_len;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:1::5", &a6), 1);
	mnl_attr_put(req, 5, sizeof(a6), &a6);
	port = req->nlmsg_len;
	mnl_attr_put_u16(req, 4, htons(80));

	strcpy(msg, "SNAT address is not local");
	nl_name_addr(msg, sizeof(msg), req, v4);
	assert_string_equal(msg, "SNAT address is not local: 10.0.1.5");
	strcpy(msg, "SNAT address is not local");
	nl_name_addr(msg, sizeof(msg), req, v6);
	assert_string_equal(msg, "SNAT address is not local: 2001:db8:1::5");
	/* Named already (kernels from 6.2): left as it is. */
	strcpy(msg, "SNAT address 2001:db8:1::5 is not local");
	nl_name_addr(msg, sizeof(msg), req, v6);
	assert_string_equal(msg, "SNAT address 2001:db8:1::5 is not local");
	/* Not an address, no message, no room: nothing added. */
	strcpy(msg, "bad port");
	nl_name_addr(msg, sizeof(msg), req, port);
	assert_string_equal(msg, "bad port");
	msg[0] = '\0';
	nl_name_addr(msg, sizeof(msg), req, v6);
	assert_string_equal(msg, "");
	strcpy(msg, "not local");
	nl_name_addr(msg, sizeof("not local") + 4, req, v6);
	assert_string_equal(msg, "not local: 20");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(family_is_resolved_with_its_version),
		cmocka_unit_test(unknown_family_means_module_not_loaded),
		cmocka_unit_test(dump_reads_every_message_until_done),
		cmocka_unit_test(request_reads_reply_then_ack),
		cmocka_unit_test(kernel_error_prints_extack_message),
		cmocka_unit_test(kernel_error_without_extack_prints_strerror),
		cmocka_unit_test(ack_without_callback_is_silent_success),
		cmocka_unit_test(refused_reply_reports_invalid_reply),
		cmocka_unit_test(join_finds_the_group_by_name_and_joins_it),
		cmocka_unit_test(join_of_a_missing_group_is_one_line),
		cmocka_unit_test(group_resolves_the_id_without_joining),
		cmocka_unit_test(family_parse_reads_a_notification),
		cmocka_unit_test(family_parse_refuses_malformed_messages),
		cmocka_unit_test(errno_maps_to_exit_code),
		cmocka_unit_test(attr_at_finds_only_whole_attributes_of_the_request),
		cmocka_unit_test(refused_address_is_named_in_the_message),
	};

	return cmocka_run_group_tests_name("nl", tests, open_nlctrl,
					   close_nlctrl);
}
