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

char *fmt_ipaddr(char *buf, const struct ipaddr *addr)
{
	/* Cannot fail: a known family and a buffer of INET6_ADDRSTRLEN. */
	if (addr->af == AF_INET6)
		inet_ntop(AF_INET6, &addr->v6, buf, IPADDR_STRLEN);
	else if (addr->af == AF_INET)
		fmt_ipv4(buf, addr->v4);
	else
		strcpy(buf, "-");
	return buf;
}

/* @addr, in brackets if it is IPv6 (a port follows); @buf IPADDR_STRLEN + 2. */
static char *fmt_ipaddr_bracketed(char *buf, const struct ipaddr *addr)
{
	if (addr->af != AF_INET6)
		return fmt_ipaddr(buf, addr);
	buf[0] = '[';
	fmt_ipaddr(buf + 1, addr);
	strcat(buf, "]");
	return buf;
}

char *fmt_ipport(char *buf, const struct ipport *ep)
{
	char ip[IPADDR_STRLEN + 2];

	snprintf(buf, IPPORT_STRLEN, "%s:%u",
		 fmt_ipaddr_bracketed(ip, &ep->addr), ntohs(ep->port));
	return buf;
}

char *fmt_svc(char *buf, const struct svc_sel *sel)
{
	char ip[IPADDR_STRLEN + 2], port[8] = "", proto[16] = "";

	if (sel->has_port)
		snprintf(port, sizeof(port), ":%u", ntohs(sel->port));
	if (sel->has_proto)
		snprintf(proto, sizeof(proto), "/%s", proto_name(sel->proto));
	snprintf(buf, SVC_STRLEN, "%s%s%s",
		 sel->has_port ? fmt_ipaddr_bracketed(ip, &sel->vip) :
				 fmt_ipaddr(ip, &sel->vip),
		 port, proto);
	return buf;
}

/* Is @b the address after @a? */
static bool next_to(const struct ipaddr *a, const struct ipaddr *b)
{
	struct ipaddr n = *a;

	ipaddr_inc(&n);
	return ipaddr_eq(&n, b) && ipaddr_cmp(a, b) < 0;
}

char *fmt_snat_pool(char *buf, const struct snat_pool *pool)
{
	char a[IPADDR_STRLEN], b[IPADDR_STRLEN];
	unsigned int i = 0, j;
	size_t len = 0;

	if (!pool->n)
		return strcpy(buf, "auto");
	buf[0] = '\0';
	while (i < pool->n) {
		/* The run i..j of consecutive addresses. */
		for (j = i; j + 1 < pool->n &&
		     next_to(&pool->addr[j], &pool->addr[j + 1]); j++)
			;
		fmt_ipaddr(a, &pool->addr[i]);
		if (len >= SNAT_POOL_STRLEN)	/* cannot happen: see fmt.h */
			break;
		if (j > i)
			len += snprintf(buf + len, SNAT_POOL_STRLEN - len,
					"%s%s-%s", len ? "," : "", a,
					fmt_ipaddr(b, &pool->addr[j]));
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
