/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fmt.h - addresses and service keys as text, the way the tools print
 * them and parse.h reads them back.
 */
#ifndef L4LBCTL_FMT_H
#define L4LBCTL_FMT_H

#include <stdint.h>

#include "parse.h"

/**
 * fmt_ipv4() - format an address as dotted quad
 * @buf: at least INET_ADDRSTRLEN (16) bytes
 * @addr: IPv4 address, network byte order
 *
 * Return: @buf.
 */
char *fmt_ipv4(char *buf, uint32_t addr);

/**
 * fmt_ipaddr() - format an address of either family, without brackets
 * @buf: at least IPADDR_STRLEN (46) bytes
 * @addr: the address: "10.0.0.1", "2001:db8::1" (inet_ntop()'s RFC 5952
 *	form); "-" for one of no family
 *
 * Return: @buf.
 */
char *fmt_ipaddr(char *buf, const struct ipaddr *addr);

/**
 * fmt_ipport() - format an endpoint as "a.b.c.d:port" or "[v6]:port"
 * @buf: at least IPPORT_STRLEN (54) bytes
 * @ep: address and port, network byte order
 *
 * Return: @buf.
 */
char *fmt_ipport(char *buf, const struct ipport *ep);

/**
 * fmt_svc() - format a service key or selector as "VIP[:PORT][/PROTO]"
 * @buf: at least SVC_STRLEN (62) bytes
 * @sel: the key; address and port in network byte order. PORT and PROTO
 *	are left out when not given (@sel->has_port, @sel->has_proto); PROTO
 *	is "tcp", "udp" or "unknown". An IPv6 VIP is in brackets when a
 *	PORT follows ("[2001:db8::10]:443/tcp"), plain otherwise
 *
 * The text is accepted back by parse_svc_sel() (for tcp and udp).
 *
 * Return: @buf.
 */
char *fmt_svc(char *buf, const struct svc_sel *sel);

/* Longest fmt_snat_pool() text, including the NUL: 64 lone addresses. */
#define SNAT_POOL_STRLEN (L4LB_SNAT_POOL_MAX * IPADDR_STRLEN)

/**
 * fmt_snat_pool() - format a SNAT pool the way parse_snat_pool() reads it
 * @buf: at least SNAT_POOL_STRLEN bytes
 * @pool: the addresses, of one family
 *
 * "auto" for the empty pool; otherwise comma-separated entries, each run
 * of consecutive addresses (in the order given) as one range "A-B", a lone
 * address as "A": { .250, .251, .252, .9 } is "10.0.1.250-10.0.1.252,
 * 10.0.1.9" (without the blank).
 *
 * Return: @buf.
 */
char *fmt_snat_pool(char *buf, const struct snat_pool *pool);

/* Longest fmt_peers() text, including the NUL: 16 addresses. */
#define PEERS_STRLEN (L4LB_PEERS_MAX * sizeof("255.255.255.255,"))

/**
 * fmt_peers() - format a service's peers the way parse_peers() reads them
 * @buf: at least PEERS_STRLEN bytes
 * @peers: the addresses, network byte order
 *
 * "none" for no peers, else the addresses comma-separated, in the order
 * given (the kernel's: ascending), each alone: no ranges.
 *
 * Return: @buf.
 */
char *fmt_peers(char *buf, const struct peer_list *peers);

#endif /* L4LBCTL_FMT_H */
