/* SPDX-License-Identifier: GPL-2.0 */
/*
 * l4lb: module parameters and their parsers.
 */
#ifndef _L4LB_PARAMS_H
#define _L4LB_PARAMS_H

#include <linux/netfilter.h>
#include <linux/types.h>

struct l4lb_service_cfg;

/**
 * struct l4lb_addr_port - an endpoint
 * @addr: address, network byte order (.ip of an IPv4 one, the rest zero)
 * @port: port, network byte order
 * @af: the family of @addr, AF_INET or AF_INET6
 */
struct l4lb_addr_port {
	union nf_inet_addr addr;
	__be16 port;
	u8 af;
};

int l4lb_parse_ipv4(const char *s, size_t len, __be32 *addr);
int l4lb_parse_ipv6(const char *s, size_t len, struct in6_addr *addr);
int l4lb_parse_addr(const char *s, size_t len, u8 *af,
		    union nf_inet_addr *addr);
int l4lb_parse_port(const char *s, size_t len, __be16 *port);
int l4lb_parse_addr_port(const char *s, size_t len, struct l4lb_addr_port *ap);
int l4lb_parse_backends(const char *s, struct l4lb_addr_port *out,
			unsigned int max, unsigned int *n, unsigned int *bad);
int l4lb_parse_snat_pool(const char *s, u8 af, union nf_inet_addr *out,
			 unsigned int max, unsigned int *n, unsigned int *bad);
int l4lb_parse_client_addr(const char *s, u8 *mode);

int l4lb_params_check(void);
int l4lb_params_cfg(struct l4lb_service_cfg *cfg,
		    struct l4lb_addr_port **backends, unsigned int *n);

#endif /* _L4LB_PARAMS_H */
