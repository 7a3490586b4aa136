/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fake_msg.h - generic netlink messages of the l4lb family built with
 * libmnl the way the kernel builds them (kmod/l4lb_netlink.c,
 * l4lb_event.c), for the tests to decode, and the attributes of a message
 * collected by type.
 *
 * Addresses are dotted quads; ports are given in host byte order and put
 * in network byte order, as the module does.
 */
#ifndef L4LB_TESTS_FAKE_MSG_H
#define L4LB_TESTS_FAKE_MSG_H

#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

/* The generic netlink family id of the messages (and of the fake nl.c). */
#define FAKE_FAMILY_ID 0x2a

/**
 * fake_header() - start a message of command @cmd in @buf
 * @buf: room for the message, 4-byte aligned; not cleared
 * @cmd: enum l4lb_cmd
 *
 * Return: the nlmsghdr, of type FAKE_FAMILY_ID, with its genlmsghdr
 * (@cmd, L4LB_GENL_VERSION); append attributes with mnl_attr_put_*().
 */
struct nlmsghdr *fake_header(void *buf, uint8_t cmd);

/* A u64 the way nla_put_u64_64bit() writes it: an empty @pad, then it. */
void put_u64_pad(struct nlmsghdr *nlh, uint16_t type, uint64_t v,
		 uint16_t pad);

/*
 * @ip as attribute @type4 (be32) if it is IPv4 text, else as @type6 (a
 * struct in6_addr). Return: its family.
 */
uint16_t put_ip(struct nlmsghdr *nlh, uint16_t type4, uint16_t type6,
		const char *ip);

/*
 * The key of a service: L4LB_SVC_ATTR_AF, VIP (VIP6 if @vip is IPv6),
 * PORT and PROTO.
 */
void put_svc_fields(struct nlmsghdr *nlh, const char *vip, uint16_t port,
		    uint8_t proto);

/* An L4LB_ATTR_SERVICE nest with just the key, as backends and events carry. */
void put_svc_key(struct nlmsghdr *nlh, const char *vip, uint16_t port,
		 uint8_t proto);

/*
 * An L4LB_ATTR_SERVICE nest with the key and a PEERS nest of @n addresses,
 * @first (host byte order) and the ones after it.
 */
void put_svc_peers(struct nlmsghdr *nlh, const char *vip, uint16_t port,
		   uint8_t proto, uint32_t first, unsigned int n);

/*
 * The settings l4lb_nl_svc_fill() writes after the scheduler for a service
 * with the default timeouts: SNAT_ADDR 0 ("auto"), TIMEOUT_TCP 900,
 * TIMEOUT_TCP_FIN 120, TIMEOUT_UDP 300, TIMEOUT_SYN 60, PERSISTENCE 0,
 * CONN_MAX @conn_max, TIMEOUT_TCP_CLOSE 3, TIMEOUT_UDP_UNREPLIED 30.
 */
void put_svc_defaults(struct nlmsghdr *nlh, uint32_t conn_max);

/*
 * The first attributes of a backend nest: AF, ADDR @ip (ADDR6 if it is
 * IPv6), PORT @port, WEIGHT @weight, STATE @state, and REMOVED if @removed.
 */
void put_be_fields(struct nlmsghdr *nlh, const char *ip, uint16_t port,
		   uint32_t weight, uint8_t state, bool removed);

/*
 * An L4LB_ATTR_CONN nest of an AF_INET6 TCP row, ESTABLISHED, expiring in
 * 899 s: client [2001:db8:c::7]:51234, VIP [2001:db8::10]:443, local
 * [2001:db8:1::1]:40001, backend [2001:db8:1::2]:8080; of those four
 * addresses only the first @addrs (4 for a whole row).
 */
void put_conn6(struct nlmsghdr *nlh, unsigned int addrs);

/* The connection counters of a backend, as a BACKEND_GET reply carries. */
struct be_counters {
	uint32_t active;	/* L4LB_BE_ATTR_ACTIVE_CONNS */
	uint32_t inactive;	/* L4LB_BE_ATTR_INACTIVE_CONNS */
	uint64_t total;		/* L4LB_BE_ATTR_TOTAL_CONNS */
	uint64_t pkts_in;	/* L4LB_BE_ATTR_PKTS_IN */
	uint64_t pkts_out;	/* L4LB_BE_ATTR_PKTS_OUT */
	uint64_t bytes_in;	/* L4LB_BE_ATTR_BYTES_IN */
	uint64_t bytes_out;	/* L4LB_BE_ATTR_BYTES_OUT */
};

/* @c into the open L4LB_ATTR_BACKEND nest, the u64s with their PADs. */
void put_be_counters(struct nlmsghdr *nlh, const struct be_counters *c);

/*
 * An L4LB_ATTR_STATS nest of a few statistics: CONNS @conns, CONN_MAX
 * 1024, CONNS_CREATED @created and DROP_NO_ROUTE 1.
 */
void put_few_stats(struct nlmsghdr *nlh, uint32_t conns, uint64_t created);

/* The attributes of one level of a message by type, and how many. */
struct attrs {
	const struct nlattr *tb[32];
	int count;
};

/*
 * mnl_attr_parse() callback: adds @attr to the struct attrs @data;
 * asserts that its type is below 32. Start from a zeroed struct attrs.
 */
int attrs_cb(const struct nlattr *attr, void *data);

#endif /* L4LB_TESTS_FAKE_MSG_H */
