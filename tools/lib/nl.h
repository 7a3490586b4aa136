/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nl.h - the generic netlink socket of the l4lb tools (libmnl): open it,
 * resolve the "l4lb" family, send one request and read its answer to the
 * end, or join a multicast group; and read nlctrl's messages about a
 * family.
 *
 * Every function that talks to the kernel prints its own one-line error on
 * stderr and returns an exit code (enum rc in error.h):
 *   RC_OK         success
 *   RC_KERNEL     the kernel answered with an errno (the extack message, or
 *                 strerror() if there is none, is printed), or the socket
 *                 or the reply was broken
 *   RC_NO_MODULE  the generic netlink family was not found
 *   RC_PERM       EPERM or EACCES (CAP_NET_ADMIN missing)
 */
#ifndef L4LBCTL_NL_H
#define L4LBCTL_NL_H

#include <stdint.h>

#include <libmnl/libmnl.h>

/* Receive buffer: large enough for any dump message the kernel builds. */
#define NL_RX_SIZE 32768
/* Request buffer: l4lb requests are well under 1 KiB. */
#define NL_TX_SIZE 4096

/**
 * struct nl - a generic netlink socket bound to one family
 * @sock: the libmnl socket
 * @portid: our netlink port id, to check that answers are for us
 * @seq: sequence number of the last request sent
 * @family: generic netlink family id (the nlmsg_type of its messages)
 * @version: family version the kernel announced (CTRL_ATTR_VERSION)
 * @tx: request buffer, see nl_msg()
 * @rx: receive buffer
 */
struct nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;
	uint32_t version;
	char tx[NL_TX_SIZE] __attribute__((aligned(8)));
	char rx[NL_RX_SIZE] __attribute__((aligned(8)));
};

/**
 * nl_open() - open a generic netlink socket and resolve a family
 * @nl: state to fill; on failure nothing is left open
 * @family: family name, e.g. L4LB_GENL_NAME
 *
 * Turns on NETLINK_EXT_ACK (and NETLINK_CAP_ACK) so that errors carry the
 * kernel's message. Resolves @family with CTRL_CMD_GETFAMILY.
 *
 * Return: RC_OK; RC_NO_MODULE if the kernel does not know @family;
 * RC_KERNEL if the socket cannot be opened. The error is printed.
 */
int nl_open(struct nl *nl, const char *family);

/**
 * nl_group() - resolve the id of a multicast group of a family
 * @nl: open socket (nl_open())
 * @family: family name, e.g. L4LB_GENL_NAME
 * @group: group name, e.g. L4LB_GENL_MCGRP_EVENTS
 * @id: the group's id goes here
 *
 * Asks CTRL_CMD_GETFAMILY (CTRL_ATTR_MCAST_GROUPS). Like nl_open(), sets
 * @nl->family and @nl->version to @family's. Use a socket that has joined
 * no group yet: a notification read in the middle would be taken for
 * the answer.
 *
 * Return: RC_OK; RC_NO_MODULE if the kernel does not know @family;
 * RC_KERNEL if the family has no such group. The error is printed.
 */
int nl_group(struct nl *nl, const char *family, const char *group,
	     uint32_t *id);

/**
 * nl_join_id() - join a multicast group by its id (NETLINK_ADD_MEMBERSHIP)
 * @nl: open socket
 * @group: the group's name, for the error message
 * @id: the group's id (nl_group(), or a CTRL_CMD_NEWFAMILY notification)
 *
 * From then on the socket receives the group's notifications; read them
 * with recv() on mnl_socket_get_fd(@nl->sock).
 *
 * Return: RC_OK, or RC_KERNEL if joining failed. The error is printed.
 */
int nl_join_id(struct nl *nl, const char *group, uint32_t id);

/**
 * nl_join() - join a multicast group of a family: nl_group(), then
 *	nl_join_id()
 * @nl: open socket (nl_open()) that has joined no group yet
 * @family: family name, e.g. L4LB_GENL_NAME
 * @group: group name, e.g. L4LB_GENL_MCGRP_EVENTS
 *
 * Sets @nl->family and @nl->version to @family's.
 *
 * Return: RC_OK; RC_NO_MODULE if the kernel does not know @family;
 * RC_KERNEL if the family has no such group or joining failed. The error
 * is printed.
 */
int nl_join(struct nl *nl, const char *family, const char *group);

/**
 * struct nl_family - what a message of nlctrl (GENL_ID_CTRL) says about a
 *	family
 * @name: CTRL_ATTR_FAMILY_NAME, pointing into the message; NULL if absent
 * @id: CTRL_ATTR_FAMILY_ID; 0 if absent
 * @version: CTRL_ATTR_VERSION; 0 if absent
 * @group_id: the id of the group asked for in CTRL_ATTR_MCAST_GROUPS; 0 if
 *	not listed
 */
struct nl_family {
	const char *name;
	uint16_t id;
	uint32_t version;
	uint32_t group_id;
};

/**
 * nl_family_parse() - read what an nlctrl message says about a family
 * @nlh: a message of nlctrl: an answer to CTRL_CMD_GETFAMILY, or a
 *	notification of its group "notify" (CTRL_CMD_NEWFAMILY,
 *	CTRL_CMD_DELFAMILY, CTRL_CMD_NEWMCAST_GRP, ...)
 * @group: the multicast group whose id to find, or NULL
 * @f: filled in (zeroes for what is absent)
 *
 * This is what nl_open() and nl_group() read the answer with.
 *
 * Return: 0, or -1 with errno set if the message is malformed.
 */
int nl_family_parse(const struct nlmsghdr *nlh, const char *group,
		    struct nl_family *f);

/**
 * nl_close() - close the socket (safe on a closed or failed @nl)
 * @nl: state from nl_open()
 */
void nl_close(struct nl *nl);

/**
 * nl_msg() - start a request of the resolved family in @nl->tx
 * @nl: open socket
 * @cmd: generic netlink command (enum l4lb_cmd)
 * @flags: NLM_F_* flags besides NLM_F_REQUEST, e.g. NLM_F_ACK or NLM_F_DUMP
 *
 * Return: the message, with nlmsghdr and genlmsghdr written and a fresh
 * sequence number; append attributes with mnl_attr_put_*().
 */
struct nlmsghdr *nl_msg(struct nl *nl, uint8_t cmd, uint16_t flags);

/**
 * nl_talk() - send a request and process the answer until it ends
 * @nl: open socket
 * @req: the request from nl_msg()
 * @cb: called for each data message of the family (may be NULL); returns
 *	MNL_CB_OK to go on, or MNL_CB_ERROR with errno set if the message is
 *	malformed
 * @data: passed to @cb
 *
 * The answer ends with the ACK (requests with NLM_F_ACK) or with
 * NLMSG_DONE (dumps). A dump marked NLM_F_DUMP_INTR (the kernel's table
 * changed while it was read) fails with RC_KERNEL; rows already passed to
 * @cb stay printed. An extack message on a successful ACK is printed
 * as "l4lbctl: warning: ..." on stderr.
 *
 * After a failure the socket may still hold the rest of the answer: close
 * it rather than sending another request.
 *
 * An EADDRNOTAVAIL whose extack points (NLMSGERR_ATTR_OFFS) at an
 * address attribute of @req is about that address: the message names it,
 * "MESSAGE: a.b.c.d" or "MESSAGE: 2001:db8::1", unless the kernel's
 * message already does (nl_name_addr()).
 *
 * Return: an exit code, see the top of this file. The error is printed.
 */
int nl_talk(struct nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data);

/**
 * nl_attr_at() - the attribute of a request a kernel error points at
 * @req: the request
 * @off: the error's NLMSGERR_ATTR_OFFS: bytes from the start of @req
 *
 * Return: the attribute, or NULL unless @off is aligned and a whole
 * attribute header and payload lie there, after the netlink header.
 */
const struct nlattr *nl_attr_at(const struct nlmsghdr *req, uint32_t off);

/**
 * nl_name_addr() - name the address a kernel error points at
 * @msg: the kernel's extack message, NUL-terminated; appended to
 * @size: room in @msg
 * @req: the request
 * @off: the error's NLMSGERR_ATTR_OFFS
 *
 * If @off is at a 4-byte (IPv4) or 16-byte (IPv6) attribute of @req and
 * @msg is not empty and does not name that address yet, appends ": ADDR"
 * (cut to fit @size).
 */
void nl_name_addr(char *msg, size_t size, const struct nlmsghdr *req,
		  uint32_t off);

#endif /* L4LBCTL_NL_H */
