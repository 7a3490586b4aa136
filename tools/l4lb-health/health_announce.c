// SPDX-License-Identifier: GPL-2.0
/*
 * health_announce.c - the --announce interface's IFF_UP flag, over
 * rtnetlink. See health_announce.h.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "health_announce.h"

static int link_err(char *err, int e, const char *what)
{
	if (e == ENODEV)
		snprintf(err, HEALTH_LINK_ERR_MAX, "no such interface");
	else
		snprintf(err, HEALTH_LINK_ERR_MAX, "%s: %s", what,
			 strerror(e));
	return -e;
}

int health_link_get(const char *name, bool *up, char *err)
{
	struct ifreq ifr;
	int fd, e = 0;

	memset(&ifr, 0, sizeof(ifr));
	if (strlen(name) >= sizeof(ifr.ifr_name))
		return link_err(err, ENODEV, "SIOCGIFFLAGS");
	strcpy(ifr.ifr_name, name);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return link_err(err, errno, "socket");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		e = errno;
	close(fd);
	if (e)
		return link_err(err, e, "SIOCGIFFLAGS");
	*up = ifr.ifr_flags & IFF_UP;
	return 0;
}

int health_link_set(const char *name, bool up, char *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE] __attribute__((aligned(8)));
	unsigned int index = if_nametoindex(name);
	struct mnl_socket *sock;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	uint32_t seq = (uint32_t)time(NULL), portid;
	ssize_t n;
	int ret, e = 0;

	if (!index)
		return link_err(err, errno == ENXIO ? ENODEV : errno,
				"if_nametoindex");
	sock = mnl_socket_open(NETLINK_ROUTE);
	if (!sock)
		return link_err(err, errno, "rtnetlink socket");
	if (mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		e = errno;
		goto out;
	}
	portid = mnl_socket_get_portid(sock);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)index;
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	if (mnl_socket_sendto(sock, nlh, nlh->nlmsg_len) < 0) {
		e = errno;
		goto out;
	}
	n = mnl_socket_recvfrom(sock, buf, sizeof(buf));
	if (n < 0) {
		e = errno;
		goto out;
	}
	/* The ack: an NLMSG_ERROR with error 0, or the kernel's errno. */
	ret = mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL);
	if (ret < 0)
		e = errno;
out:
	mnl_socket_close(sock);
	if (e)
		return link_err(err, e, "RTM_NEWLINK");
	return 0;
}
