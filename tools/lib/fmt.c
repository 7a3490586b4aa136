// SPDX-License-Identifier: GPL-2.0
/*
 * fmt.c - addresses and service keys as text. See fmt.h.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

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

char *fmt_snat_pool(char *buf, const struct snat_pool *pool)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	unsigned int i = 0, j;
	size_t len = 0;

	if (!pool->n)
		return strcpy(buf, "auto");
	buf[0] = '\0';
	while (i < pool->n) {
		/* The run i..j of consecutive addresses. */
		for (j = i; j + 1 < pool->n &&
		     ntohl(pool->addr[j + 1]) == ntohl(pool->addr[j]) + 1; j++)
			;
		fmt_ipv4(a, pool->addr[i]);
		if (len >= SNAT_POOL_STRLEN)	/* cannot happen: see fmt.h */
			break;
		if (j > i)
			len += snprintf(buf + len, SNAT_POOL_STRLEN - len,
					"%s%s-%s", len ? "," : "", a,
					fmt_ipv4(b, pool->addr[j]));
		else
			len += snprintf(buf + len, SNAT_POOL_STRLEN - len,
					"%s%s", len ? "," : "", a);
		i = j + 1;
	}
	return buf;
}

char *fmt_peers(char *buf, const struct peer_list *peers)
{
	char a[INET_ADDRSTRLEN];
	unsigned int i;
	size_t len = 0;

	if (!peers->n)
		return strcpy(buf, "none");
	/* 16 addresses of at most 15 characters and their commas fit. */
	for (i = 0; i < peers->n && i < L4LB_PEERS_MAX; i++)
		len += snprintf(buf + len, PEERS_STRLEN - len, "%s%s",
				i ? "," : "", fmt_ipv4(a, peers->addr[i]));
	return buf;
}
