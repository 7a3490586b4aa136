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

/* One socket per run; static because struct nl holds 36 KiB of buffers. */
static struct nl mon_nl;

/* What the callback needs: where to print, and the family's id. */
struct monitor {
	struct out out;
	uint16_t family;
	bool warned;	/* a malformed event was reported */
};

/* Print one event; skip anything else the group may carry one day. */
static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct monitor *m = data;
	static struct event_info ev;

	if (nlh->nlmsg_type != m->family ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl) ||
	    genl->cmd != L4LB_CMD_EVENT)
		return MNL_CB_OK;
	if (msg_get_event(nlh, &ev) < 0) {
		if (!m->warned)
			fprintf(stderr, "l4lbctl: warning: invalid event from kernel: %s\n",
				strerror(errno));
		m->warned = true;
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
		if (ferror(m->out.p.f))
			return RC_OK;	/* main() reports the write error */
	}
}

int cmd_monitor(const struct ctl *ctl, int argc, char **argv)
{
	struct monitor m = { .warned = false };
	bool json = ctl->json;
	int i, rc, sfd;

	/* "monitor -j" as well as "-j monitor". */
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-j") && strcmp(argv[i], "--json"))
			return args_unknown(argv[i]);
		json = true;
	}
	rc = nl_open(&mon_nl, L4LB_GENL_NAME);
	if (rc != RC_OK)
		return rc;
	rc = nl_join(&mon_nl, L4LB_GENL_NAME, L4LB_GENL_MCGRP_EVENTS);
	if (rc != RC_OK)
		goto out;
	grow_rcvbuf(mnl_socket_get_fd(mon_nl.sock));
	m.family = mon_nl.family;
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
