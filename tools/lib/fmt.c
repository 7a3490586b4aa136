// SPDX-License-Identifier: GPL-2.0
/*
 * fmt.c - addresses and service keys as text. See fmt.h.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>

#include "fmt.h"
#include "names.h"

char *fmt_ipv4(char *buf, uint32_t addr)
{
	struct in_addr in = { .s_addr = addr };

	/* Cannot fail: AF_INET and a buffer of INET_ADDRSTRLEN. */
	inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
	return buf;
}

char *fmt_ipport(char *buf, const struct ipport *ep)
{
	char ip[INET_ADDRSTRLEN];

	snprintf(buf, IPPORT_STRLEN, "%s:%u", fmt_ipv4(ip, ep->addr),
		 ntohs(ep->port));
	return buf;
}

char *fmt_svc(char *buf, const struct svc_sel *sel)
{
	char ip[INET_ADDRSTRLEN], port[8] = "", proto[16] = "";

	if (sel->has_port)
		snprintf(port, sizeof(port), ":%u", ntohs(sel->port));
	if (sel->has_proto)
		snprintf(proto, sizeof(proto), "/%s", proto_name(sel->proto));
	snprintf(buf, SVC_STRLEN, "%s%s%s", fmt_ipv4(ip, sel->vip), port,
		 proto);
	return buf;
}
