// SPDX-License-Identifier: GPL-2.0
/*
 * fake_msg.c - l4lb messages as the kernel builds them. See fake_msg.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/genetlink.h>

#include <uapi/l4lb.h>

#include "fake_msg.h"

struct nlmsghdr *fake_header(void *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	nlh->nlmsg_type = FAKE_FAMILY_ID;
	genl->cmd = cmd;
	genl->version = L4LB_GENL_VERSION;
	return nlh;
}

void put_u64_pad(struct nlmsghdr *nlh, uint16_t type, uint64_t v,
		 uint16_t pad)
{
	mnl_attr_put(nlh, pad, 0, NULL);
	mnl_attr_put_u64(nlh, type, v);
}

uint16_t put_ip(struct nlmsghdr *nlh, uint16_t type4, uint16_t type6,
		const char *ip)
{
	struct in6_addr a6;

	if (inet_pton(AF_INET6, ip, &a6) == 1) {
		mnl_attr_put(nlh, type6, sizeof(a6), &a6);
		return AF_INET6;
	}
	mnl_attr_put_u32(nlh, type4, inet_addr(ip));
	return AF_INET;
}

static uint16_t family_of(const char *ip)
{
	struct in6_addr a6;

	return inet_pton(AF_INET6, ip, &a6) == 1 ? AF_INET6 : AF_INET;
}

void put_svc_fields(struct nlmsghdr *nlh, const char *vip, uint16_t port,
		    uint8_t proto)
{
	mnl_attr_put_u16(nlh, L4LB_SVC_ATTR_AF, family_of(vip));
	put_ip(nlh, L4LB_SVC_ATTR_VIP, L4LB_SVC_ATTR_VIP6, vip);
	mnl_attr_put_u16(nlh, L4LB_SVC_ATTR_PORT, htons(port));
	mnl_attr_put_u8(nlh, L4LB_SVC_ATTR_PROTO, proto);
}

void put_svc_key(struct nlmsghdr *nlh, const char *vip, uint16_t port,
		 uint8_t proto)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);

	put_svc_fields(nlh, vip, port, proto);
	mnl_attr_nest_end(nlh, nest);
}

void put_svc_peers(struct nlmsghdr *nlh, const char *vip, uint16_t port,
		   uint8_t proto, uint32_t first, unsigned int n)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	struct nlattr *peers;
	unsigned int i;

	put_svc_fields(nlh, vip, port, proto);
	peers = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_PEERS);
	for (i = 0; i < n; i++)
		mnl_attr_put_u32(nlh, L4LB_PEER_ATTR_ADDR, htonl(first + i));
	mnl_attr_nest_end(nlh, peers);
	mnl_attr_nest_end(nlh, nest);
}

void put_svc_defaults(struct nlmsghdr *nlh, uint32_t conn_max)
{
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_SNAT_ADDR, 0);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_TIMEOUT_TCP, 900);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_TIMEOUT_TCP_FIN, 120);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_TIMEOUT_UDP, 300);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_TIMEOUT_SYN, 60);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_PERSISTENCE, 0);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_CONN_MAX, conn_max);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_TIMEOUT_TCP_CLOSE, 3);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_TIMEOUT_UDP_UNREPLIED, 30);
}

void put_be_fields(struct nlmsghdr *nlh, const char *ip, uint16_t port,
		   uint32_t weight, uint8_t state, bool removed)
{
	mnl_attr_put_u16(nlh, L4LB_BE_ATTR_AF, family_of(ip));
	put_ip(nlh, L4LB_BE_ATTR_ADDR, L4LB_BE_ATTR_ADDR6, ip);
	mnl_attr_put_u16(nlh, L4LB_BE_ATTR_PORT, htons(port));
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_WEIGHT, weight);
	mnl_attr_put_u8(nlh, L4LB_BE_ATTR_STATE, state);
	if (removed)
		mnl_attr_put(nlh, L4LB_BE_ATTR_REMOVED, 0, NULL);
}

void put_conn6(struct nlmsghdr *nlh, unsigned int addrs)
{
	static const char *const ip[] = {
		"2001:db8:c::7", "2001:db8::10", "2001:db8:1::1", "2001:db8:1::2",
	};
	static const uint16_t type6[] = {
		L4LB_CONN_ATTR_CLIENT_ADDR6, L4LB_CONN_ATTR_VIP_ADDR6,
		L4LB_CONN_ATTR_LOCAL_ADDR6, L4LB_CONN_ATTR_BACKEND_ADDR6,
	};
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_CONN);
	unsigned int i;

	mnl_attr_put_u16(nlh, L4LB_CONN_ATTR_AF, AF_INET6);
	mnl_attr_put_u8(nlh, L4LB_CONN_ATTR_PROTO, IPPROTO_TCP);
	for (i = 0; i < addrs && i < 4; i++)
		put_ip(nlh, 0, type6[i], ip[i]);
	mnl_attr_put_u16(nlh, L4LB_CONN_ATTR_CLIENT_PORT, htons(51234));
	mnl_attr_put_u16(nlh, L4LB_CONN_ATTR_VIP_PORT, htons(443));
	mnl_attr_put_u16(nlh, L4LB_CONN_ATTR_LOCAL_PORT, htons(40001));
	mnl_attr_put_u16(nlh, L4LB_CONN_ATTR_BACKEND_PORT, htons(8080));
	mnl_attr_put_u8(nlh, L4LB_CONN_ATTR_STATE, L4LB_CONN_ESTABLISHED);
	mnl_attr_put_u32(nlh, L4LB_CONN_ATTR_EXPIRES, 899);
	mnl_attr_nest_end(nlh, nest);
}

void put_be_counters(struct nlmsghdr *nlh, const struct be_counters *c)
{
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_ACTIVE_CONNS, c->active);
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_INACTIVE_CONNS, c->inactive);
	put_u64_pad(nlh, L4LB_BE_ATTR_TOTAL_CONNS, c->total, L4LB_BE_ATTR_PAD);
	put_u64_pad(nlh, L4LB_BE_ATTR_PKTS_IN, c->pkts_in, L4LB_BE_ATTR_PAD);
	put_u64_pad(nlh, L4LB_BE_ATTR_PKTS_OUT, c->pkts_out, L4LB_BE_ATTR_PAD);
	put_u64_pad(nlh, L4LB_BE_ATTR_BYTES_IN, c->bytes_in, L4LB_BE_ATTR_PAD);
	put_u64_pad(nlh, L4LB_BE_ATTR_BYTES_OUT, c->bytes_out,
		    L4LB_BE_ATTR_PAD);
}

void put_few_stats(struct nlmsghdr *nlh, uint32_t conns, uint64_t created)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_STATS);

	mnl_attr_put_u32(nlh, L4LB_STATS_ATTR_CONNS, conns);
	mnl_attr_put_u32(nlh, L4LB_STATS_ATTR_CONN_MAX, 1024);
	put_u64_pad(nlh, L4LB_STATS_ATTR_CONNS_CREATED, created,
		    L4LB_STATS_ATTR_PAD);
	put_u64_pad(nlh, L4LB_STATS_ATTR_DROP_NO_ROUTE, 1, L4LB_STATS_ATTR_PAD);
	mnl_attr_nest_end(nlh, nest);
}

int attrs_cb(const struct nlattr *attr, void *data)
{
	struct attrs *a = data;

	assert_true(mnl_attr_get_type(attr) < 32);
	a->tb[mnl_attr_get_type(attr)] = attr;
	a->count++;
	return MNL_CB_OK;
}
