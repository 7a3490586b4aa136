// SPDX-License-Identifier: GPL-2.0
/*
 * nl.c - generic netlink transport of the l4lb tools on top of libmnl.
 * See nl.h.
 *
 * One request is in flight at a time. Its answer is read until it ends:
 * the ACK (NLMSG_ERROR with error 0) for NLM_F_ACK requests, NLMSG_DONE
 * for dumps, or an NLMSG_ERROR / NLMSG_DONE carrying a negative errno and,
 * with NETLINK_EXT_ACK, the kernel's message in NLMSGERR_ATTR_MSG.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <uapi/l4lb.h>

#include "error.h"
#include "fmt.h"
#include "nl.h"

/* State of one request/answer exchange, shared by the callbacks. */
struct talk {
	uint16_t type;		/* nlmsg_type the data messages must have */
	mnl_cb_t cb;		/* caller's data callback, may be NULL */
	void *data;		/* its argument */
	int kerr;		/* positive errno the kernel answered, or 0 */
	bool bad_reply;		/* a data message was malformed */
	bool has_off;		/* the kernel pointed at an attribute */
	uint32_t off;		/* NLMSGERR_ATTR_OFFS: where, in the request */
	char msg[256];		/* NLMSGERR_ATTR_MSG, "" if none */
};

static int extack_attr_cb(const struct nlattr *attr, void *data)
{
	struct talk *t = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		/* An unterminated message is dropped; strerror() will do. */
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			break;
		snprintf(t->msg, sizeof(t->msg), "%s", mnl_attr_get_str(attr));
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			break;
		t->off = mnl_attr_get_u32(attr);
		t->has_off = true;
		break;
	}
	return MNL_CB_OK;
}

/*
 * Read the extended ACK attributes of @nlh, which start @offset bytes into
 * its payload. @offset comes partly from the kernel: check it first.
 */
static void read_extack(const struct nlmsghdr *nlh, uint64_t offset,
			struct talk *t)
{
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (offset > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_parse(nlh, (unsigned int)offset, extack_attr_cb, t);
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct talk *t = data;
	uint64_t offset = sizeof(*err);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err)) {
		t->bad_reply = true;
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	/*
	 * Unless NETLINK_CAP_ACK took effect, the kernel echoes our whole
	 * request before the extack attributes.
	 */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (err->msg.nlmsg_len < sizeof(struct nlmsghdr))
			offset = UINT64_MAX;	/* nonsense: skip extack */
		else
			offset += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	}
	read_extack(nlh, offset, t);

	if (err->error == 0) {
		/* The ACK. A message with it is a warning, not an error. */
		if (t->msg[0]) {
			err_sanitize(t->msg);
			fprintf(stderr, "l4lbctl: warning: %s\n", t->msg);
		}
		return MNL_CB_STOP;
	}
	t->kerr = err->error < 0 ? -err->error : err->error;
	return MNL_CB_ERROR;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	int err = 0;

	/* A failing dump ends with NLMSG_DONE carrying a negative errno. */
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err))
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err == 0)
		return MNL_CB_STOP;
	read_extack(nlh, sizeof(err), t);
	t->kerr = err < 0 ? -err : err;
	return MNL_CB_ERROR;
}

static int overrun_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	errno = ENOBUFS;
	return MNL_CB_ERROR;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	int ret;

	if (nlh->nlmsg_type != t->type) {
		t->bad_reply = true;
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	/* The table changed while it was dumped: the listing is not a
	 * snapshot. libmnl >= 1.0.4 reports this itself, as EINTR. */
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
		errno = EINTR;
		return MNL_CB_ERROR;
	}
	if (!t->cb)
		return MNL_CB_OK;
	errno = 0;
	ret = t->cb(nlh, t->data);
	if (ret == MNL_CB_ERROR) {
		t->bad_reply = true;
		if (!errno)
			errno = EBADMSG;
	}
	return ret;
}

/*
 * Send @req and run the answer through the callbacks until it ends.
 * Returns 0, or -1 with t->kerr set (the kernel said no) or errno set
 * (local failure or malformed answer).
 */
static int exchange(struct nl *nl, struct nlmsghdr *req, struct talk *t)
{
	/* libmnl's control callback table is not const. */
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR]	= error_cb,
		[NLMSG_DONE]	= done_cb,
		[NLMSG_OVERRUN]	= overrun_cb,
	};

	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -1;
	for (;;) {
		ssize_t n;
		int ret;

		n = mnl_socket_recvfrom(nl->sock, nl->rx, sizeof(nl->rx));
		if (n < 0)
			return -1;
		errno = 0;
		ret = mnl_cb_run2(nl->rx, (size_t)n, req->nlmsg_seq,
				  nl->portid, data_cb, t, ctl, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_STOP)
			return 0;
		if (ret < 0)
			return -1;
	}
}

const struct nlattr *nl_attr_at(const struct nlmsghdr *req, uint32_t off)
{
	const struct nlattr *a;

	if (off % NLA_ALIGNTO || off < NLMSG_HDRLEN ||
	    req->nlmsg_len < NLA_HDRLEN || off > req->nlmsg_len - NLA_HDRLEN)
		return NULL;
	a = (const struct nlattr *)((const char *)req + off);
	if (a->nla_len < NLA_HDRLEN || a->nla_len > req->nlmsg_len - off)
		return NULL;
	return a;
}

void nl_name_addr(char *msg, size_t size, const struct nlmsghdr *req,
		  uint32_t off)
{
	const struct nlattr *a;
	struct ipaddr addr = { 0 };
	char ip[IPADDR_STRLEN];
	size_t len = strlen(msg);

	if (!len)
		return;
	a = nl_attr_at(req, off);
	if (!a)
		return;
	if (mnl_attr_get_payload_len(a) == sizeof(uint32_t)) {
		addr = ipaddr_v4(mnl_attr_get_u32(a));
	} else if (mnl_attr_get_payload_len(a) == sizeof(addr.v6)) {
		addr.af = AF_INET6;
		memcpy(&addr.v6, mnl_attr_get_payload(a), sizeof(addr.v6));
	} else {
		return;
	}
	fmt_ipaddr(ip, &addr);
	if (!strstr(msg, ip) && len < size)
		snprintf(msg + len, size - len, ": %s", ip);
}

/*
 * An EADDRNOTAVAIL that points at an attribute of @req is about that
 * address (a SNAT address that is not local, say): name it in @t->msg,
 * unless the message already does (kernels from 6.2 format it in).
 */
static void name_bad_addr(struct talk *t, const struct nlmsghdr *req)
{
	if (t->kerr == EADDRNOTAVAIL && t->has_off)
		nl_name_addr(t->msg, sizeof(t->msg), req, t->off);
}

/* Print the error of a failed exchange(); @err is errno right after it. */
static int report(struct talk *t, int err, const struct nlmsghdr *req)
{
	if (t->kerr) {
		int rc = rc_from_errno(t->kerr);

		if (rc == RC_PERM)
			return err_report(rc, "permission denied (CAP_NET_ADMIN required)");
		name_bad_addr(t, req);
		if (t->msg[0])
			return err_report(rc, "%s", t->msg);
		return err_report(rc, "%s", strerror(t->kerr));
	}
	if (err == EINTR)
		return err_report(RC_KERNEL, "dump interrupted: the table changed while it was read; try again");
	if (t->bad_reply)
		return err_report(RC_KERNEL, "invalid reply from kernel: %s",
				  strerror(err));
	return err_report(RC_KERNEL, "netlink: %s", strerror(err));
}

/* What an nlctrl message is asked about, and what it says. */
struct family_query {
	const char *group;	/* a multicast group to find, or NULL */
	struct nl_family *f;	/* what the message says */
	const char *grp_name;	/* while one CTRL_ATTR_MCAST_GRP_* nest is read */
	uint32_t grp_id;
};

static int mcast_grp_attr_cb(const struct nlattr *attr, void *data)
{
	struct family_query *q = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_MCAST_GRP_NAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		q->grp_name = mnl_attr_get_str(attr);
		break;
	case CTRL_ATTR_MCAST_GRP_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		q->grp_id = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

/* CTRL_ATTR_MCAST_GROUPS: a nest of nests, one NAME and ID each. */
static int mcast_groups(const struct nlattr *groups, struct family_query *q)
{
	const struct nlattr *g;

	mnl_attr_for_each_nested(g, groups) {
		q->grp_name = NULL;
		q->grp_id = 0;
		if (mnl_attr_validate(g, MNL_TYPE_NESTED) < 0 ||
		    mnl_attr_parse_nested(g, mcast_grp_attr_cb, q) < 0)
			return MNL_CB_ERROR;
		if (q->group && q->grp_name && !strcmp(q->grp_name, q->group))
			q->f->group_id = q->grp_id;
	}
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct family_query *q = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_NAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		q->f->name = mnl_attr_get_str(attr);
		break;
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		q->f->id = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		q->f->version = mnl_attr_get_u32(attr);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		return mcast_groups(attr, q);
	}
	return MNL_CB_OK;
}

int nl_family_parse(const struct nlmsghdr *nlh, const char *group,
		    struct nl_family *f)
{
	struct family_query q = { .group = group, .f = f };

	memset(f, 0, sizeof(*f));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr)) {
		errno = EBADMSG;
		return -1;
	}
	errno = 0;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb,
			   &q) < 0) {
		if (!errno)
			errno = EBADMSG;
		return -1;
	}
	return 0;
}

/* What resolve_family() asks and learns. */
struct resolve {
	const char *group;	/* a multicast group to find, or NULL */
	struct nl_family f;	/* the answer */
};

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct resolve *r = data;

	if (nl_family_parse(nlh, r->group, &r->f) < 0)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

/*
 * Ask CTRL_CMD_GETFAMILY about @family: its id and version into @nl, and
 * the id of the multicast group @group (if not NULL) into @group_id (0 if
 * the family has none of that name). The error is printed.
 */
static int resolve_family(struct nl *nl, const char *family,
			  const char *group, uint32_t *group_id)
{
	struct resolve r = { .group = group };
	struct talk t = { .type = GENL_ID_CTRL, .cb = family_cb, .data = &r };
	struct genlmsghdr *genl;
	struct nlmsghdr *nlh;

	memset(nl->tx, 0, sizeof(nl->tx));
	nlh = mnl_nlmsg_put_header(nl->tx);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, family);

	if (exchange(nl, nlh, &t) < 0) {
		int err = errno;

		if (t.kerr == ENOENT)
			return err_report(RC_NO_MODULE,
					  "%s module not loaded (generic netlink family \"%s\" not found)",
					  family, family);
		return report(&t, err, nlh);
	}
	if (r.f.id == 0)
		return err_report(RC_KERNEL,
				  "invalid reply from kernel: no id for generic netlink family \"%s\"",
				  family);
	nl->family = r.f.id;
	nl->version = r.f.version;
	if (group_id)
		*group_id = r.f.group_id;
	return RC_OK;
}

int nl_open(struct nl *nl, const char *family)
{
	int one = 1;
	int rc;

	nl->family = 0;
	nl->version = 0;
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock)
		return err_report(RC_KERNEL, "cannot open generic netlink socket: %s",
				  strerror(errno));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = err_report(RC_KERNEL, "cannot bind generic netlink socket: %s",
				strerror(errno));
		nl_close(nl);
		return rc;
	}
	/*
	 * Kernels before 4.12 lack these options; errors then carry no
	 * message and are printed with strerror(), so failure is harmless.
	 */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (uint32_t)time(NULL);

	rc = resolve_family(nl, family, NULL, NULL);
	if (rc != RC_OK)
		nl_close(nl);
	return rc;
}

int nl_group(struct nl *nl, const char *family, const char *group,
	     uint32_t *id)
{
	int rc;

	rc = resolve_family(nl, family, group, id);
	if (rc != RC_OK)
		return rc;
	if (!*id)
		return err_report(RC_KERNEL,
				  "generic netlink family \"%s\" has no multicast group \"%s\" (module too old?)",
				  family, group);
	return RC_OK;
}

int nl_join_id(struct nl *nl, const char *group, uint32_t id)
{
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &id,
				  sizeof(id)) < 0)
		return err_report(RC_KERNEL,
				  "cannot join multicast group \"%s\": %s",
				  group, strerror(errno));
	return RC_OK;
}

int nl_join(struct nl *nl, const char *family, const char *group)
{
	uint32_t id;
	int rc;

	rc = nl_group(nl, family, group, &id);
	if (rc != RC_OK)
		return rc;
	return nl_join_id(nl, group, id);
}

void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

int nl_talk(struct nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	struct talk t = { .type = nl->family, .cb = cb, .data = data };

	if (exchange(nl, req, &t) < 0)
		return report(&t, errno, req);
	return RC_OK;
}
