// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_monitor.c - "monitor": join the l4lb family's multicast group of
 * events and print each event as one line (text or JSON, output.c), as
 * "ip monitor" and "conntrack -E" do, until SIGINT or SIGTERM.
 *
 * Each line is flushed as it is printed, so that the output can be piped
 * or written to a file and read as it grows. SIGINT and SIGTERM come as a
 * signalfd (sigfd.c), polled beside the socket: one that comes between
 * two events ends the loop at once, one that comes while a line is
 * printed ends it after that line.
 *
 * The monitor follows the module across rmmod and insmod: it also joins
 * nlctrl's group "notify", where the kernel announces each family that
 * comes (CTRL_CMD_NEWFAMILY, CTRL_CMD_NEWMCAST_GRP) and goes
 * (CTRL_CMD_DELFAMILY). When l4lb's family goes, the kernel drops every
 * member of its groups: the monitor prints "module-gone". When it comes
 * back, maybe with another family id and group id, the monitor joins the
 * new events group, prints "module-new", and matches events against the
 * new family id.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>

#include <uapi/l4lb.h>

#include "args.h"
#include "cmd.h"
#include "error.h"
#include "msg.h"
#include "nl.h"
#include "output.h"
#include "sigfd.h"

/*
 * The receive buffer asked for: room for a burst of some thousands of
 * events (a restore of a large configuration, say). Above rmem_max it
 * takes CAP_NET_ADMIN (SO_RCVBUFFORCE); otherwise rmem_max is what we get.
 */
#define MONITOR_RCVBUF	(4 << 20)

/* The generic netlink controller and its group of notifications. */
#define CTRL_GENL_NAME		"nlctrl"
#define CTRL_GENL_MCGRP_NOTIFY	"notify"

/*
 * The socket of the events, and one to resolve l4lb's group with; static
 * because struct nl holds 36 KiB of buffers.
 */
static struct nl mon_nl;
static struct nl res_nl;

/* What the callbacks need: where to print, and what was joined. */
struct monitor {
	struct out out;
	uint16_t family;	/* l4lb's family id; 0 while it is gone */
	uint32_t group;		/* its events group joined; 0 while gone */
	bool warned;		/* a malformed message was reported */
	int rc;			/* why a callback stopped the loop */
};

/* Say once that the kernel sent something we cannot read. */
static void warn_invalid(struct monitor *m)
{
	if (!m->warned)
		fprintf(stderr, "l4lbctl: warning: invalid event from kernel: %s\n",
			strerror(errno));
	m->warned = true;
}

/* Print a word alone ("module-gone", "module-new") as an event line. */
static void print_word(struct monitor *m, const char *word)
{
	out_event_word(&m->out, word);
	fflush(m->out.p.f);
}

/*
 * An nlctrl notification: follow l4lb's family as it goes and comes back.
 * A CTRL_CMD_NEWFAMILY lists the family's groups; CTRL_CMD_NEWMCAST_GRP,
 * one that comes later. Whichever names the events group first is
 * joined; the other, naming the same ids, changes nothing.
 */
static int ctrl_cb(const struct nlmsghdr *nlh, struct monitor *m)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct nl_family f;
	int rc;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return MNL_CB_OK;
	if (genl->cmd != CTRL_CMD_NEWFAMILY &&
	    genl->cmd != CTRL_CMD_DELFAMILY &&
	    genl->cmd != CTRL_CMD_NEWMCAST_GRP)
		return MNL_CB_OK;
	if (nl_family_parse(nlh, L4LB_GENL_MCGRP_EVENTS, &f) < 0) {
		warn_invalid(m);
		return MNL_CB_OK;
	}
	if (!f.name || strcmp(f.name, L4LB_GENL_NAME))
		return MNL_CB_OK;

	if (genl->cmd == CTRL_CMD_DELFAMILY) {
		/* The kernel dropped our membership with the family. */
		m->family = 0;
		m->group = 0;
		print_word(m, "module-gone");
		return MNL_CB_OK;
	}
	if (!f.id || !f.group_id)
		return MNL_CB_OK;	/* no events group (yet) */
	if (f.id == m->family && f.group_id == m->group)
		return MNL_CB_OK;	/* joined already */
	rc = nl_join_id(&mon_nl, L4LB_GENL_MCGRP_EVENTS, f.group_id);
	if (rc != RC_OK) {
		m->rc = rc;
		return MNL_CB_STOP;
	}
	m->family = f.id;
	m->group = f.group_id;
	print_word(m, "module-new");
	return MNL_CB_OK;
}

/*
 * Print one event; follow the family (ctrl_cb()); skip anything else the
 * groups may carry one day, and events of a family id that is gone.
 */
static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct monitor *m = data;
	static struct event_info ev;

	if (nlh->nlmsg_type == GENL_ID_CTRL)
		return ctrl_cb(nlh, m);
	if (!m->family || nlh->nlmsg_type != m->family ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl) ||
	    genl->cmd != L4LB_CMD_EVENT)
		return MNL_CB_OK;
	if (msg_get_event(nlh, &ev) < 0) {
		warn_invalid(m);
		return MNL_CB_OK;
	}
	out_event(&m->out, &ev);
	fflush(m->out.p.f);
	return MNL_CB_OK;
}

/* A bigger receive buffer than the default, if we may. */
static void grow_rcvbuf(int fd)
{
	int size = MONITOR_RCVBUF;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
		       sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

/*
 * Read events until SIGINT or SIGTERM (@sfd) or an error. A full receive
 * buffer (ENOBUFS: the kernel dropped events for us) is a warning, and
 * the loop goes on.
 */
static int monitor_loop(struct monitor *m, int sfd)
{
	struct pollfd pfd[2] = {
		{ .fd = mnl_socket_get_fd(mon_nl.sock), .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
	};
	ssize_t n;

	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return err_report(RC_KERNEL, "poll: %s", strerror(errno));
		}
		if (pfd[1].revents)
			return RC_OK;	/* SIGINT or SIGTERM */
		if (!pfd[0].revents)
			continue;
		n = recv(pfd[0].fd, mon_nl.rx, sizeof(mon_nl.rx), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				fprintf(stderr, "l4lbctl: warning: events lost\n");
				continue;
			}
			return err_report(RC_KERNEL, "netlink: %s", strerror(errno));
		}
		/* seq 0 and portid 0: notifications are no one's answer. */
		mnl_cb_run(mon_nl.rx, (size_t)n, 0, 0, event_cb, m);
		if (m->rc != RC_OK)
			return m->rc;	/* printed */
		if (ferror(m->out.p.f))
			return RC_OK;	/* main() reports the write error */
	}
}

/*
 * Join nlctrl's notifications, then l4lb's events. In that order, and
 * with l4lb's group resolved on a socket of its own (res_nl), a reload
 * at any moment is seen: either the ids resolved are the new ones, or the
 * notifications about the reload are queued on mon_nl. No request goes
 * over mon_nl once it has joined a group: a notification read among the
 * answer would be taken for it.
 */
static int monitor_join(struct monitor *m)
{
	int rc;

	rc = nl_join(&mon_nl, CTRL_GENL_NAME, CTRL_GENL_MCGRP_NOTIFY);
	if (rc != RC_OK)
		return rc;
	rc = nl_open(&res_nl, L4LB_GENL_NAME);
	if (rc != RC_OK)
		return rc;
	rc = nl_group(&res_nl, L4LB_GENL_NAME, L4LB_GENL_MCGRP_EVENTS,
		      &m->group);
	m->family = res_nl.family;
	nl_close(&res_nl);
	if (rc != RC_OK)
		return rc;
	return nl_join_id(&mon_nl, L4LB_GENL_MCGRP_EVENTS, m->group);
}

int cmd_monitor(const struct ctl *ctl, int argc, char **argv)
{
	struct monitor m = { .warned = false, .rc = RC_OK };
	bool json = ctl->json;
	int i, rc, sfd;

	/* "monitor -j" as well as "-j monitor". */
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-j") && strcmp(argv[i], "--json"))
			return args_unknown(argv[i]);
		json = true;
	}
	/* Not loaded: exit 3 with the one line every command prints. */
	rc = nl_open(&mon_nl, L4LB_GENL_NAME);
	if (rc != RC_OK)
		return rc;
	rc = monitor_join(&m);
	if (rc != RC_OK)
		goto out;
	grow_rcvbuf(mnl_socket_get_fd(mon_nl.sock));
	out_init(&m.out, stdout, json);

	sfd = sigfd_open(SFD_NONBLOCK);
	if (sfd < 0) {
		rc = err_report(RC_KERNEL, "signalfd: %s", strerror(errno));
		goto out;
	}
	rc = monitor_loop(&m, sfd);
	close(sfd);
out:
	nl_close(&mon_nl);
	return rc;
}
