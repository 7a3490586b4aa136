// SPDX-License-Identifier: GPL-2.0
/*
 * test_msg.c - msg.c: requests carry exactly the attributes asked for, and
 * replies are decoded only when every attribute has the size the ABI says.
 * The messages are built here with libmnl the way the kernel builds them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>

#include "fake_msg.h"
#include "msg.h"
#include "addr_util.h"

static union {
	struct nlmsghdr align;
	char b[4096];
} buf;

/* A reply header as the kernel writes it, in a cleared buf. */
static struct nlmsghdr *reply(uint8_t cmd)
{
	memset(&buf, 0, sizeof(buf));
	return fake_header(buf.b, cmd);
}

/* A BACKEND_GET message: the service key, then the backend. */
static struct nlmsghdr *backend_reply(void)
{
	static const struct be_counters c = {
		4, 5, 1ULL << 40, 6, 7, 8, UINT64_MAX
	};
	struct nlmsghdr *nlh = reply(L4LB_CMD_BACKEND_GET);
	struct nlattr *nest;

	put_svc_key(nlh, "192.0.2.1", 20000, IPPROTO_UDP);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);
	put_be_fields(nlh, "10.0.0.2", 8080, 65535, L4LB_BE_STATE_DRAIN, false);
	put_be_counters(nlh, &c);
	/* From a newer module: must be ignored, not rejected. */
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_MAX + 1, 0xffffffff);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static void backend_reply_is_decoded_with_counters(void **state)
{
	struct be_info be;

	(void)state;
	assert_int_equal(msg_get_backend(backend_reply(), &be), 0);
	assert_ipaddr_equal(be.ep.addr, "10.0.0.2");
	assert_int_equal(be.ep.port, htons(8080));
	assert_int_equal(be.weight, 65535);
	assert_int_equal(be.state, L4LB_BE_STATE_DRAIN);
	assert_false(be.present & ATTR_BIT(L4LB_BE_ATTR_REMOVED));
	assert_false(be.present & ATTR_BIT(L4LB_BE_ATTR_PAD));
	assert_int_equal(be.active_conns, 4);
	assert_int_equal(be.inactive_conns, 5);
	assert_true(be.total_conns == 1ULL << 40);
	assert_true(be.pkts_in == 6);
	assert_true(be.pkts_out == 7);
	assert_true(be.bytes_in == 8);
	assert_true(be.bytes_out == UINT64_MAX);
	assert_true(be.svc.set && be.svc.has_port && be.svc.has_proto);
	assert_ipaddr_equal(be.svc.vip, "192.0.2.1");
	assert_int_equal(be.svc.port, htons(20000));
	assert_int_equal(be.svc.proto, IPPROTO_UDP);
}

static void backend_without_its_service_key_is_refused(void **state)
{
	struct nlmsghdr *nlh = reply(L4LB_CMD_BACKEND_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);
	struct be_info be;

	(void)state;
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_ADDR, inet_addr("10.0.0.3"));
	mnl_attr_put_u16(nlh, L4LB_BE_ATTR_PORT, htons(80));
	mnl_attr_nest_end(nlh, nest);
	errno = 0;
	assert_int_equal(msg_get_backend(nlh, &be), -1);
	assert_int_equal(errno, EBADMSG);

	/* A key without its protocol. */
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_VIP, inet_addr("192.0.2.1"));
	mnl_attr_put_u16(nlh, L4LB_SVC_ATTR_PORT, htons(80));
	mnl_attr_nest_end(nlh, nest);
	errno = 0;
	assert_int_equal(msg_get_backend(nlh, &be), -1);
	assert_int_equal(errno, EBADMSG);

	/* A key whose port has the wrong size. */
	nlh = reply(L4LB_CMD_BACKEND_GET);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_ADDR, inet_addr("10.0.0.3"));
	mnl_attr_put_u16(nlh, L4LB_BE_ATTR_PORT, htons(80));
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_VIP, inet_addr("192.0.2.1"));
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_PORT, htons(80));
	mnl_attr_put_u8(nlh, L4LB_SVC_ATTR_PROTO, IPPROTO_TCP);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(msg_get_backend(nlh, &be), -1);
	assert_int_equal(errno, ERANGE);
}

static void removed_flag_is_seen(void **state)
{
	struct nlmsghdr *nlh = reply(L4LB_CMD_BACKEND_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);
	struct be_info be;

	(void)state;
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_ADDR, inet_addr("10.0.0.3"));
	mnl_attr_put_u16(nlh, L4LB_BE_ATTR_PORT, htons(80));
	mnl_attr_put(nlh, L4LB_BE_ATTR_REMOVED, 0, NULL);
	mnl_attr_nest_end(nlh, nest);
	put_svc_key(nlh, "192.0.2.1", 80, IPPROTO_TCP);
	assert_int_equal(msg_get_backend(nlh, &be), 0);
	assert_true(be.present & ATTR_BIT(L4LB_BE_ATTR_REMOVED));
	assert_int_equal(be.weight, 0);
}

static void backend_without_address_is_refused(void **state)
{
	struct nlmsghdr *nlh = reply(L4LB_CMD_BACKEND_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);
	struct be_info be;

	(void)state;
	mnl_attr_put_u16(nlh, L4LB_BE_ATTR_PORT, htons(80));
	mnl_attr_nest_end(nlh, nest);
	errno = 0;
	assert_int_equal(msg_get_backend(nlh, &be), -1);
	assert_int_equal(errno, EBADMSG);
}

static void attribute_of_wrong_size_is_refused(void **state)
{
	struct nlmsghdr *nlh = reply(L4LB_CMD_BACKEND_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);
	struct be_info be;

	(void)state;
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_ADDR, inet_addr("10.0.0.3"));
	mnl_attr_put_u16(nlh, L4LB_BE_ATTR_PORT, htons(80));
	/* A u64 counter sent as u32. */
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_TOTAL_CONNS, 1);
	mnl_attr_nest_end(nlh, nest);
	errno = 0;
	assert_int_equal(msg_get_backend(nlh, &be), -1);
	assert_int_equal(errno, ERANGE);

	/* A be32 address with 8 bytes. */
	nlh = reply(L4LB_CMD_BACKEND_GET);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);
	mnl_attr_put_u64(nlh, L4LB_BE_ATTR_ADDR, 1);
	mnl_attr_put_u16(nlh, L4LB_BE_ATTR_PORT, htons(80));
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(msg_get_backend(nlh, &be), -1);
}

static void reply_without_nest_or_header_is_refused(void **state)
{
	struct nlmsghdr *nlh;
	struct nlattr *a;
	struct be_info be;

	(void)state;
	nlh = reply(L4LB_CMD_BACKEND_GET);
	errno = 0;
	assert_int_equal(msg_get_backend(nlh, &be), -1);
	assert_int_equal(errno, EBADMSG);

	/* A CONN nest where a BACKEND nest is expected. */
	nlh = backend_reply();
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == L4LB_ATTR_BACKEND)
			a->nla_type = L4LB_ATTR_CONN;
	assert_int_equal(msg_get_backend(nlh, &be), -1);

	/* Shorter than a genlmsghdr. */
	memset(&buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf.b);
	mnl_nlmsg_put_extra_header(nlh, 2);
	errno = 0;
	assert_int_equal(msg_get_backend(nlh, &be), -1);
	assert_int_equal(errno, EBADMSG);
}

static void truncated_nest_is_not_read_past_the_message(void **state)
{
	struct nlmsghdr *nlh = backend_reply();
	struct be_info be;

	(void)state;
	/* Cut the message in the middle of the nest. */
	nlh->nlmsg_len -= 16;
	assert_int_equal(msg_get_backend(nlh, &be), -1);
	assert_int_equal(errno, EBADMSG);
}

static void conn_reply_is_decoded(void **state)
{
	struct nlmsghdr *nlh = reply(L4LB_CMD_CONN_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_CONN);
	struct conn_info c;

	(void)state;
	mnl_attr_put_u8(nlh, L4LB_CONN_ATTR_PROTO, IPPROTO_UDP);
	mnl_attr_put_u32(nlh, L4LB_CONN_ATTR_CLIENT_ADDR, inet_addr("198.51.100.7"));
	mnl_attr_put_u16(nlh, L4LB_CONN_ATTR_CLIENT_PORT, htons(5353));
	mnl_attr_put_u32(nlh, L4LB_CONN_ATTR_VIP_ADDR, inet_addr("192.0.2.1"));
	mnl_attr_put_u16(nlh, L4LB_CONN_ATTR_VIP_PORT, htons(53));
	mnl_attr_put_u32(nlh, L4LB_CONN_ATTR_LOCAL_ADDR, inet_addr("10.0.0.1"));
	mnl_attr_put_u16(nlh, L4LB_CONN_ATTR_LOCAL_PORT, htons(40000));
	mnl_attr_put_u32(nlh, L4LB_CONN_ATTR_BACKEND_ADDR, inet_addr("10.0.0.2"));
	mnl_attr_put_u16(nlh, L4LB_CONN_ATTR_BACKEND_PORT, htons(53));
	mnl_attr_put_u8(nlh, L4LB_CONN_ATTR_STATE, L4LB_CONN_UDP);
	mnl_attr_put_u32(nlh, L4LB_CONN_ATTR_EXPIRES, 299);
	mnl_attr_nest_end(nlh, nest);

	assert_int_equal(msg_get_conn(nlh, &c), 0);
	assert_int_equal(c.proto, IPPROTO_UDP);
	assert_ipaddr_equal(c.client.addr, "198.51.100.7");
	assert_int_equal(c.client.port, htons(5353));
	assert_ipaddr_equal(c.vip.addr, "192.0.2.1");
	assert_int_equal(c.vip.port, htons(53));
	assert_ipaddr_equal(c.local.addr, "10.0.0.1");
	assert_int_equal(c.local.port, htons(40000));
	assert_ipaddr_equal(c.backend.addr, "10.0.0.2");
	assert_int_equal(c.backend.port, htons(53));
	assert_int_equal(c.state, L4LB_CONN_UDP);
	assert_int_equal(c.expires, 299);
}

static void conn_without_local_port_is_refused(void **state)
{
	struct nlmsghdr *nlh = reply(L4LB_CMD_CONN_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_CONN);
	struct conn_info c;

	(void)state;
	mnl_attr_put_u32(nlh, L4LB_CONN_ATTR_CLIENT_ADDR, 1);
	mnl_attr_put_u16(nlh, L4LB_CONN_ATTR_CLIENT_PORT, 1);
	mnl_attr_put_u32(nlh, L4LB_CONN_ATTR_VIP_ADDR, 1);
	mnl_attr_put_u16(nlh, L4LB_CONN_ATTR_VIP_PORT, 1);
	mnl_attr_put_u32(nlh, L4LB_CONN_ATTR_LOCAL_ADDR, 1);
	mnl_attr_put_u32(nlh, L4LB_CONN_ATTR_BACKEND_ADDR, 1);
	mnl_attr_put_u16(nlh, L4LB_CONN_ATTR_BACKEND_PORT, 1);
	mnl_attr_nest_end(nlh, nest);
	errno = 0;
	assert_int_equal(msg_get_conn(nlh, &c), -1);
	assert_int_equal(errno, EBADMSG);
}

static struct nlmsghdr *service_reply(const void *sched, size_t len)
{
	struct nlmsghdr *nlh = reply(L4LB_CMD_SERVICE_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);

	put_svc_fields(nlh, "192.0.2.1", 443, IPPROTO_TCP);
	mnl_attr_put(nlh, L4LB_SVC_ATTR_SCHED, len, sched);
	put_svc_defaults(nlh, 65536);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static void service_reply_is_decoded(void **state)
{
	struct svc_info svc;

	(void)state;
	assert_int_equal(msg_get_service(service_reply("rr", 3), &svc), 0);
	assert_ipaddr_equal(svc.vip, "192.0.2.1");
	assert_int_equal(svc.port, htons(443));
	assert_int_equal(svc.proto, IPPROTO_TCP);
	assert_string_equal(svc.sched, "rr");
	assert_true(svc.present & ATTR_BIT(L4LB_SVC_ATTR_SNAT_ADDR));
	/* No SNAT_POOL (an older module): the pool is SNAT_ADDR's, "auto". */
	assert_false(svc.present & ATTR_BIT(L4LB_SVC_ATTR_SNAT_POOL));
	assert_int_equal(svc.snat.n, 0);
	assert_int_equal(svc.nuse, 0);
	assert_int_equal(svc.timeout[L4LB_SVC_ATTR_TIMEOUT_TCP], 900);
	assert_int_equal(svc.timeout[L4LB_SVC_ATTR_TIMEOUT_TCP_FIN], 120);
	assert_int_equal(svc.timeout[L4LB_SVC_ATTR_TIMEOUT_UDP], 300);
	assert_int_equal(svc.timeout[L4LB_SVC_ATTR_TIMEOUT_SYN], 60);
	assert_int_equal(svc.timeout[L4LB_SVC_ATTR_TIMEOUT_TCP_CLOSE], 3);
	assert_int_equal(svc.timeout[L4LB_SVC_ATTR_TIMEOUT_UDP_UNREPLIED], 30);
	assert_true(svc.present & ATTR_BIT(L4LB_SVC_ATTR_TIMEOUT_TCP_CLOSE));
	assert_true(svc.present & ATTR_BIT(L4LB_SVC_ATTR_TIMEOUT_UDP_UNREPLIED));
	assert_true(svc.present & ATTR_BIT(L4LB_SVC_ATTR_PERSISTENCE));
	assert_int_equal(svc.conn_max, 65536);
}

/* A SERVICE_GET reply of a module with SNAT pools: the pool @addrs
 * (@n of them), 3 failures, and @nuse usage entries, 20 rows on each
 * pool address.
 */
static struct nlmsghdr *pool_reply(const char *const *addrs, unsigned int n,
				   unsigned int nuse)
{
	struct nlmsghdr *nlh = reply(L4LB_CMD_SERVICE_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	struct nlattr *pool, *usage;
	unsigned int i;

	/* An IPv6 pool has no SNAT_ADDR. */
	if (!n || !strchr(addrs[0], ':'))
		mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_SNAT_ADDR,
				 n ? inet_addr(addrs[0]) : 0);
	pool = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_SNAT_POOL);
	for (i = 0; i < n; i++)
		put_ip(nlh, L4LB_SNAT_ATTR_ADDR, L4LB_SNAT_ATTR_ADDR6, addrs[i]);
	mnl_attr_nest_end(nlh, pool);
	put_u64_pad(nlh, L4LB_SVC_ATTR_SNAT_FAIL, 3, L4LB_SVC_ATTR_PAD);
	usage = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_SNAT_USAGE);
	for (i = 0; i < nuse; i++) {
		struct nlattr *entry = mnl_attr_nest_start(nlh,
							   L4LB_SNAT_ATTR_ENTRY);

		put_ip(nlh, L4LB_SNAT_ATTR_ADDR, L4LB_SNAT_ATTR_ADDR6,
		       addrs[i % n]);
		mnl_attr_put_u32(nlh, L4LB_SNAT_ATTR_PORTS_IN_USE, 20);
		mnl_attr_nest_end(nlh, entry);
	}
	mnl_attr_nest_end(nlh, usage);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static void snat_pool_usage_and_failures_are_decoded(void **state)
{
	static const char *const two[] = { "10.0.1.250", "10.0.1.251" };
	struct svc_info svc;

	(void)state;
	assert_int_equal(msg_get_service(pool_reply(two, 2, 2), &svc), 0);
	assert_true(svc.present & ATTR_BIT(L4LB_SVC_ATTR_SNAT_POOL));
	assert_true(svc.present & ATTR_BIT(L4LB_SVC_ATTR_SNAT_USAGE));
	assert_true(svc.present & ATTR_BIT(L4LB_SVC_ATTR_SNAT_FAIL));
	assert_int_equal(svc.snat.n, 2);
	assert_ipaddr_equal(svc.snat.addr[0], "10.0.1.250");
	assert_ipaddr_equal(svc.snat.addr[1], "10.0.1.251");
	assert_int_equal(svc.nuse, 2);
	assert_ipaddr_equal(svc.use[0].addr, "10.0.1.250");
	assert_int_equal(svc.use[0].ports, 20);
	assert_ipaddr_equal(svc.use[1].addr, "10.0.1.251");
	assert_int_equal(svc.use[1].ports, 20);
	assert_int_equal(svc.snat_fail, 3);

	/* An empty pool nest is "auto", whatever SNAT_ADDR says. */
	assert_int_equal(msg_get_service(pool_reply(two, 0, 0), &svc), 0);
	assert_int_equal(svc.snat.n, 0);
	assert_int_equal(svc.nuse, 0);
}

static void snat_address_of_an_older_module_is_a_pool_of_one(void **state)
{
	struct nlmsghdr *nlh = reply(L4LB_CMD_SERVICE_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	struct svc_info svc;

	(void)state;
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_SNAT_ADDR, inet_addr("10.0.1.9"));
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(msg_get_service(nlh, &svc), 0);
	assert_int_equal(svc.snat.n, 1);
	assert_ipaddr_equal(svc.snat.addr[0], "10.0.1.9");
}

static void bad_snat_nests_are_refused(void **state)
{
	static const char *const many[] = { "10.0.0.1" };
	struct nlmsghdr *nlh;
	struct nlattr *nest, *pool, *usage, *entry;
	struct svc_info svc;
	unsigned int i;

	(void)state;
	/* A pool of 65 addresses. */
	nlh = reply(L4LB_CMD_SERVICE_GET);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	pool = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_SNAT_POOL);
	for (i = 0; i <= L4LB_SNAT_POOL_MAX; i++)
		mnl_attr_put_u32(nlh, L4LB_SNAT_ATTR_ADDR, htonl(0x0a000000 + i));
	mnl_attr_nest_end(nlh, pool);
	mnl_attr_nest_end(nlh, nest);
	errno = 0;
	assert_int_equal(msg_get_service(nlh, &svc), -1);
	assert_int_equal(errno, EBADMSG);

	/* A pool address of the wrong size. */
	nlh = reply(L4LB_CMD_SERVICE_GET);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	pool = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_SNAT_POOL);
	mnl_attr_put_u16(nlh, L4LB_SNAT_ATTR_ADDR, 1);
	mnl_attr_nest_end(nlh, pool);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(msg_get_service(nlh, &svc), -1);

	/* A usage entry without its address. */
	nlh = reply(L4LB_CMD_SERVICE_GET);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	usage = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_SNAT_USAGE);
	entry = mnl_attr_nest_start(nlh, L4LB_SNAT_ATTR_ENTRY);
	mnl_attr_put_u32(nlh, L4LB_SNAT_ATTR_PORTS_IN_USE, 1);
	mnl_attr_nest_end(nlh, entry);
	mnl_attr_nest_end(nlh, usage);
	mnl_attr_nest_end(nlh, nest);
	errno = 0;
	assert_int_equal(msg_get_service(nlh, &svc), -1);
	assert_int_equal(errno, EBADMSG);

	/* More usage entries than L4LB_SNAT_USAGE_MAX. */
	errno = 0;
	assert_int_equal(msg_get_service(pool_reply(many, 1,
						    L4LB_SNAT_USAGE_MAX + 1),
					 &svc), -1);
	assert_int_equal(errno, EBADMSG);
	assert_int_equal(msg_get_service(pool_reply(many, 1,
						    L4LB_SNAT_USAGE_MAX),
					 &svc), 0);
}

/* A SERVICE_GET reply with a PEERS nest of @n addresses from 10.0.0.1. */
static struct nlmsghdr *peers_reply(unsigned int n)
{
	struct nlmsghdr *nlh = reply(L4LB_CMD_SERVICE_GET);

	put_svc_peers(nlh, "192.0.2.1", 443, IPPROTO_TCP, 0x0a000001, n);
	return nlh;
}

static void peers_are_decoded(void **state)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest, *peers;
	struct svc_info svc;

	(void)state;
	assert_int_equal(msg_get_service(peers_reply(2), &svc), 0);
	assert_true(svc.present & ATTR_BIT(L4LB_SVC_ATTR_PEERS));
	assert_int_equal(svc.peers.n, 2);
	assert_int_equal(svc.peers.addr[0], inet_addr("10.0.0.1"));
	assert_int_equal(svc.peers.addr[1], inet_addr("10.0.0.2"));

	/* An empty nest: "none", but present. */
	assert_int_equal(msg_get_service(peers_reply(0), &svc), 0);
	assert_true(svc.present & ATTR_BIT(L4LB_SVC_ATTR_PEERS));
	assert_int_equal(svc.peers.n, 0);

	/* No nest (an older module, or a UDP service): not present. */
	assert_int_equal(msg_get_service(service_reply("rr", 3), &svc), 0);
	assert_false(svc.present & ATTR_BIT(L4LB_SVC_ATTR_PEERS));
	assert_int_equal(svc.peers.n, 0);

	/* L4LB_PEERS_MAX, then one more. */
	assert_int_equal(msg_get_service(peers_reply(L4LB_PEERS_MAX), &svc), 0);
	assert_int_equal(svc.peers.n, L4LB_PEERS_MAX);
	errno = 0;
	assert_int_equal(msg_get_service(peers_reply(L4LB_PEERS_MAX + 1), &svc),
			 -1);
	assert_int_equal(errno, EBADMSG);

	/* An address of the wrong size; an attribute newer than the header. */
	nlh = reply(L4LB_CMD_SERVICE_GET);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	peers = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_PEERS);
	mnl_attr_put_u16(nlh, L4LB_PEER_ATTR_ADDR, 1);
	mnl_attr_nest_end(nlh, peers);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(msg_get_service(nlh, &svc), -1);
	nlh = reply(L4LB_CMD_SERVICE_GET);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	peers = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_PEERS);
	mnl_attr_put_u64(nlh, L4LB_PEER_ATTR_MAX + 1, 1);
	mnl_attr_put_u32(nlh, L4LB_PEER_ATTR_ADDR, inet_addr("10.0.0.9"));
	mnl_attr_nest_end(nlh, peers);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(msg_get_service(nlh, &svc), 0);
	assert_int_equal(svc.peers.n, 1);
	assert_int_equal(svc.peers.addr[0], inet_addr("10.0.0.9"));
}

static void scheduler_name_must_be_terminated_and_fit(void **state)
{
	char longest[L4LB_SCHED_NAME_MAX];
	struct svc_info svc;

	(void)state;
	/* No NUL. */
	errno = 0;
	assert_int_equal(msg_get_service(service_reply("rrrr", 4), &svc), -1);
	assert_int_equal(errno, EINVAL);
	/* 16 characters and the NUL: one byte too many. */
	errno = 0;
	assert_int_equal(msg_get_service(service_reply("abcdefghijklmnop", 17),
					 &svc), -1);
	assert_int_equal(errno, ERANGE);
	/* 15 characters and the NUL fit exactly. */
	memset(longest, 'x', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	assert_int_equal(msg_get_service(service_reply(longest, sizeof(longest)),
					 &svc), 0);
	assert_string_equal(svc.sched, longest);
	/* Empty payload. */
	assert_int_equal(msg_get_service(service_reply("", 0), &svc), -1);
}

static void stats_reply_widens_u32_counters(void **state)
{
	struct nlmsghdr *nlh = reply(L4LB_CMD_STATS_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_STATS);
	struct stats_info st;

	(void)state;
	mnl_attr_put_u32(nlh, L4LB_STATS_ATTR_CONNS, 7);
	mnl_attr_put_u32(nlh, L4LB_STATS_ATTR_CONN_MAX, 1 << 20);
	put_u64_pad(nlh, L4LB_STATS_ATTR_CONNS_CREATED, 1ULL << 33,
		    L4LB_STATS_ATTR_PAD);
	put_u64_pad(nlh, L4LB_STATS_ATTR_FRAGMENTS, 3, L4LB_STATS_ATTR_PAD);
	mnl_attr_nest_end(nlh, nest);

	assert_int_equal(msg_get_stats(nlh, &st), 0);
	assert_int_equal(st.present, ATTR_BIT(L4LB_STATS_ATTR_CONNS) |
				     ATTR_BIT(L4LB_STATS_ATTR_CONN_MAX) |
				     ATTR_BIT(L4LB_STATS_ATTR_CONNS_CREATED) |
				     ATTR_BIT(L4LB_STATS_ATTR_FRAGMENTS));
	assert_true(st.val[L4LB_STATS_ATTR_CONNS] == 7);
	assert_true(st.val[L4LB_STATS_ATTR_CONN_MAX] == 1 << 20);
	assert_true(st.val[L4LB_STATS_ATTR_CONNS_CREATED] == 1ULL << 33);
	assert_true(st.val[L4LB_STATS_ATTR_FRAGMENTS] == 3);
}

/* The single top-level attribute of request @nlh, which must be @type. */
static const struct nlattr *only_top(const struct nlmsghdr *nlh, uint16_t type)
{
	const struct nlattr *a = mnl_nlmsg_get_payload_offset(nlh,
				sizeof(struct genlmsghdr));

	assert_int_equal(mnl_attr_get_type(a), type);
	return a;
}

static void add_request_carries_af_address_port_weight_only(void **state)
{
	struct be_info be = {
		.present = ATTR_BIT(L4LB_BE_ATTR_ADDR) |
			   ATTR_BIT(L4LB_BE_ATTR_PORT) |
			   ATTR_BIT(L4LB_BE_ATTR_WEIGHT),
		.ep = ipport_of("10.0.0.2", 80),
		.weight = 0,
		.state = L4LB_BE_STATE_DOWN,	/* not present: not sent */
	};
	struct nlmsghdr *nlh = reply(L4LB_CMD_BACKEND_ADD);
	const struct nlattr *nest;
	struct attrs s = { { NULL }, 0 };

	(void)state;
	msg_put_backend(nlh, &be);
	nest = only_top(nlh, L4LB_ATTR_BACKEND);
	/* Kernels >= 5.2 insist on NLA_F_NESTED in strict validation. */
	assert_true(nest->nla_type & NLA_F_NESTED);
	assert_int_equal(mnl_attr_parse_nested(nest, attrs_cb, &s), MNL_CB_OK);
	assert_int_equal(s.count, 4);
	assert_int_equal(mnl_attr_get_payload_len(s.tb[L4LB_BE_ATTR_AF]), 2);
	assert_int_equal(mnl_attr_get_u16(s.tb[L4LB_BE_ATTR_AF]), AF_INET);
	assert_int_equal(mnl_attr_get_payload_len(s.tb[L4LB_BE_ATTR_ADDR]), 4);
	assert_int_equal(mnl_attr_get_u32(s.tb[L4LB_BE_ATTR_ADDR]),
			 inet_addr("10.0.0.2"));
	assert_int_equal(mnl_attr_get_payload_len(s.tb[L4LB_BE_ATTR_PORT]), 2);
	assert_int_equal(mnl_attr_get_u16(s.tb[L4LB_BE_ATTR_PORT]), htons(80));
	assert_int_equal(mnl_attr_get_payload_len(s.tb[L4LB_BE_ATTR_WEIGHT]), 4);
	assert_int_equal(mnl_attr_get_u32(s.tb[L4LB_BE_ATTR_WEIGHT]), 0);
	assert_null(s.tb[L4LB_BE_ATTR_STATE]);
}

static void remove_now_request_carries_flags(void **state)
{
	struct be_info be = {
		.present = ATTR_BIT(L4LB_BE_ATTR_ADDR) |
			   ATTR_BIT(L4LB_BE_ATTR_PORT),
		.ep = ipport_of("10.0.0.2", 80),
	};
	struct nlmsghdr *nlh = reply(L4LB_CMD_BACKEND_DEL);
	const struct nlattr *a;
	int len;

	(void)state;
	msg_put_backend(nlh, &be);
	msg_put_flags(nlh, L4LB_F_NOW);
	a = mnl_attr_next(only_top(nlh, L4LB_ATTR_BACKEND));
	len = (int)((const char *)mnl_nlmsg_get_payload_tail(nlh) -
		    (const char *)a);
	assert_true(mnl_attr_ok(a, len));
	assert_int_equal(mnl_attr_get_type(a), L4LB_ATTR_FLAGS);
	assert_int_equal(mnl_attr_validate(a, MNL_TYPE_U32), 0);
	assert_int_equal(mnl_attr_get_u32(a), L4LB_F_NOW);
}

static void state_request_is_one_byte(void **state)
{
	struct be_info be = {
		.present = ATTR_BIT(L4LB_BE_ATTR_ADDR) |
			   ATTR_BIT(L4LB_BE_ATTR_PORT) |
			   ATTR_BIT(L4LB_BE_ATTR_STATE),
		.state = L4LB_BE_STATE_DRAIN,
	};
	struct nlmsghdr *nlh = reply(L4LB_CMD_BACKEND_SET);
	struct attrs s = { { NULL }, 0 };

	(void)state;
	msg_put_backend(nlh, &be);
	mnl_attr_parse_nested(only_top(nlh, L4LB_ATTR_BACKEND), attrs_cb, &s);
	assert_null(s.tb[L4LB_BE_ATTR_WEIGHT]);
	assert_int_equal(mnl_attr_get_payload_len(s.tb[L4LB_BE_ATTR_STATE]), 1);
	assert_int_equal(mnl_attr_get_u8(s.tb[L4LB_BE_ATTR_STATE]),
			 L4LB_BE_STATE_DRAIN);
}

/* The service nest of request @nlh, which must be its only attribute. */
static struct attrs selector_of(const struct nlmsghdr *nlh)
{
	struct attrs s = { { NULL }, 0 };
	const struct nlattr *nest = only_top(nlh, L4LB_ATTR_SERVICE);

	assert_true(nest->nla_type & NLA_F_NESTED);
	assert_ptr_equal(mnl_attr_next(nest), mnl_nlmsg_get_payload_tail(nlh));
	assert_int_equal(mnl_attr_parse_nested(nest, attrs_cb, &s), MNL_CB_OK);
	return s;
}

static void selector_carries_vip_port_proto_as_given(void **state)
{
	struct svc_sel sel = {
		.set = true, .has_port = true, .has_proto = true,
		.vip = addr_of("10.0.0.1"), .port = htons(20000),
		.proto = IPPROTO_UDP,
	};
	struct nlmsghdr *nlh = reply(L4LB_CMD_SERVICE_DEL);
	struct attrs s;

	(void)state;
	msg_put_svc_sel(nlh, &sel);
	s = selector_of(nlh);
	assert_int_equal(s.count, 4);
	assert_int_equal(mnl_attr_get_u16(s.tb[L4LB_SVC_ATTR_AF]), AF_INET);
	assert_int_equal(mnl_attr_get_payload_len(s.tb[L4LB_SVC_ATTR_VIP]), 4);
	assert_int_equal(mnl_attr_get_u32(s.tb[L4LB_SVC_ATTR_VIP]),
			 inet_addr("10.0.0.1"));
	assert_int_equal(mnl_attr_get_payload_len(s.tb[L4LB_SVC_ATTR_PORT]), 2);
	assert_int_equal(mnl_attr_get_u16(s.tb[L4LB_SVC_ATTR_PORT]), htons(20000));
	assert_int_equal(mnl_attr_get_payload_len(s.tb[L4LB_SVC_ATTR_PROTO]), 1);
	assert_int_equal(mnl_attr_get_u8(s.tb[L4LB_SVC_ATTR_PROTO]), IPPROTO_UDP);

	/* Parts left out are wildcards: not sent. */
	nlh = reply(L4LB_CMD_FLUSH);
	sel.has_port = false;
	msg_put_svc_sel(nlh, &sel);
	s = selector_of(nlh);
	assert_int_equal(s.count, 3);
	assert_null(s.tb[L4LB_SVC_ATTR_PORT]);
	assert_non_null(s.tb[L4LB_SVC_ATTR_PROTO]);

	nlh = reply(L4LB_CMD_FLUSH);
	sel.has_proto = false;
	msg_put_svc_sel(nlh, &sel);
	s = selector_of(nlh);
	assert_int_equal(s.count, 2);
	assert_non_null(s.tb[L4LB_SVC_ATTR_VIP]);
}

static void no_selector_sends_nothing(void **state)
{
	struct svc_sel sel = { .vip = addr_of("10.0.0.1") };
	struct nlmsghdr *nlh = reply(L4LB_CMD_FLUSH);
	uint32_t len = nlh->nlmsg_len;

	(void)state;
	msg_put_svc_sel(nlh, &sel);
	assert_int_equal(nlh->nlmsg_len, len);
}

static void service_set_request_carries_only_given_settings(void **state)
{
	struct svc_info svc = {
		.present = ATTR_BIT(L4LB_SVC_ATTR_SCHED) |
			   ATTR_BIT(L4LB_SVC_ATTR_SNAT_POOL) |
			   ATTR_BIT(L4LB_SVC_ATTR_TIMEOUT_UDP) |
			   ATTR_BIT(L4LB_SVC_ATTR_TIMEOUT_TCP_CLOSE) |
			   ATTR_BIT(L4LB_SVC_ATTR_CONN_MAX),
		.sched = "wrr",
		.conn_max = 5,			/* read only: never sent */
	};
	struct nlmsghdr *nlh = reply(L4LB_CMD_SERVICE_SET);
	struct attrs s = { { NULL }, 0 };

	(void)state;
	svc.timeout[L4LB_SVC_ATTR_TIMEOUT_UDP] = 30;
	svc.timeout[L4LB_SVC_ATTR_TIMEOUT_TCP_CLOSE] = 3;
	svc.timeout[L4LB_SVC_ATTR_TIMEOUT_UDP_UNREPLIED] = 99; /* not given */
	msg_put_service(nlh, &svc);
	mnl_attr_parse_nested(only_top(nlh, L4LB_ATTR_SERVICE), attrs_cb, &s);
	assert_int_equal(s.count, 4);
	/* No address, no family: the only service, of either family. */
	assert_null(s.tb[L4LB_SVC_ATTR_AF]);
	assert_int_equal(mnl_attr_validate(s.tb[L4LB_SVC_ATTR_SCHED],
					   MNL_TYPE_NUL_STRING), 0);
	assert_string_equal(mnl_attr_get_str(s.tb[L4LB_SVC_ATTR_SCHED]), "wrr");
	assert_int_equal(mnl_attr_get_u32(s.tb[L4LB_SVC_ATTR_TIMEOUT_UDP]), 30);
	assert_int_equal(mnl_attr_get_u32(s.tb[L4LB_SVC_ATTR_TIMEOUT_TCP_CLOSE]), 3);
	assert_null(s.tb[L4LB_SVC_ATTR_TIMEOUT_UDP_UNREPLIED]);
	assert_null(s.tb[L4LB_SVC_ATTR_CONN_MAX]);
	assert_null(s.tb[L4LB_SVC_ATTR_VIP]);
	/* "auto" of a service of either family: an empty SNAT_POOL. */
	assert_null(s.tb[L4LB_SVC_ATTR_SNAT_ADDR]);
	assert_int_equal(mnl_attr_get_payload_len(s.tb[L4LB_SVC_ATTR_SNAT_POOL]),
			 0);

	/* With an IPv4 VIP, "auto" is SNAT_ADDR 0, which every module reads. */
	svc.present |= ATTR_BIT(L4LB_SVC_ATTR_VIP);
	svc.vip = addr_of("192.0.2.1");
	nlh = reply(L4LB_CMD_SERVICE_SET);
	memset(&s, 0, sizeof(s));
	msg_put_service(nlh, &svc);
	mnl_attr_parse_nested(only_top(nlh, L4LB_ATTR_SERVICE), attrs_cb, &s);
	assert_int_equal(s.count, 6);
	assert_int_equal(mnl_attr_get_u16(s.tb[L4LB_SVC_ATTR_AF]), AF_INET);
	assert_int_equal(mnl_attr_get_u32(s.tb[L4LB_SVC_ATTR_VIP]),
			 inet_addr("192.0.2.1"));
	assert_int_equal(mnl_attr_get_u32(s.tb[L4LB_SVC_ATTR_SNAT_ADDR]), 0);
	assert_null(s.tb[L4LB_SVC_ATTR_SNAT_POOL]);
}

/*
 * The addresses of a SNAT_POOL nest, as "a.b.c.d " words, into @out; the
 * IPv6 ones (ADDR6) as "6:2001:db8::1 ".
 */
static void pool_words(const struct nlattr *pool, char *out, size_t size)
{
	const struct nlattr *a;
	size_t len = 0;

	out[0] = '\0';
	mnl_attr_for_each_nested(a, pool) {
		char ip[INET6_ADDRSTRLEN];

		if (mnl_attr_get_type(a) == L4LB_SNAT_ATTR_ADDR6) {
			assert_int_equal(mnl_attr_get_payload_len(a), 16);
			inet_ntop(AF_INET6, mnl_attr_get_payload(a), ip,
				  sizeof(ip));
			len += snprintf(out + len, size - len, "6:%s ", ip);
			continue;
		}
		assert_int_equal(mnl_attr_get_type(a), L4LB_SNAT_ATTR_ADDR);
		assert_int_equal(mnl_attr_get_payload_len(a), 4);
		inet_ntop(AF_INET, mnl_attr_get_payload(a), ip, sizeof(ip));
		len += snprintf(out + len, size - len, "%s ", ip);
	}
}

static void snat_pool_request_is_one_address_or_a_nest(void **state)
{
	struct svc_info svc = {
		.present = ATTR_BIT(L4LB_SVC_ATTR_SNAT_POOL),
		.snat = { 1, { addr_of("10.0.1.250") } },
	};
	struct nlmsghdr *nlh = reply(L4LB_CMD_SERVICE_SET);
	struct attrs s = { { NULL }, 0 };
	char words[256];

	(void)state;
	/* One address: SNAT_ADDR, as before pools. */
	msg_put_service(nlh, &svc);
	mnl_attr_parse_nested(only_top(nlh, L4LB_ATTR_SERVICE), attrs_cb, &s);
	assert_int_equal(s.count, 2);
	assert_int_equal(mnl_attr_get_u32(s.tb[L4LB_SVC_ATTR_SNAT_ADDR]),
			 inet_addr("10.0.1.250"));
	assert_null(s.tb[L4LB_SVC_ATTR_SNAT_POOL]);

	/* Several: a SNAT_POOL nest, in the order given; no SNAT_ADDR. */
	svc.snat.n = 3;
	svc.snat.addr[1] = addr_of("10.0.1.252");
	svc.snat.addr[2] = addr_of("10.0.1.251");
	nlh = reply(L4LB_CMD_SERVICE_SET);
	memset(&s, 0, sizeof(s));
	msg_put_service(nlh, &svc);
	mnl_attr_parse_nested(only_top(nlh, L4LB_ATTR_SERVICE), attrs_cb, &s);
	assert_int_equal(s.count, 2);
	assert_null(s.tb[L4LB_SVC_ATTR_SNAT_ADDR]);
	assert_non_null(s.tb[L4LB_SVC_ATTR_SNAT_POOL]);
	assert_true(mnl_attr_get_type(s.tb[L4LB_SVC_ATTR_SNAT_POOL]) ==
		    L4LB_SVC_ATTR_SNAT_POOL);
	assert_true(s.tb[L4LB_SVC_ATTR_SNAT_POOL]->nla_type & NLA_F_NESTED);
	pool_words(s.tb[L4LB_SVC_ATTR_SNAT_POOL], words, sizeof(words));
	assert_string_equal(words, "10.0.1.250 10.0.1.252 10.0.1.251 ");
}

static void peers_request_is_a_nest_empty_for_none(void **state)
{
	struct svc_info svc = {
		.present = ATTR_BIT(L4LB_SVC_ATTR_PEERS),
		.peers = { 2, { inet_addr("10.0.0.12"), inet_addr("10.0.0.11") } },
	};
	struct nlmsghdr *nlh = reply(L4LB_CMD_SERVICE_SET);
	struct attrs s = { { NULL }, 0 };
	const struct nlattr *a;
	unsigned int n = 0;

	(void)state;
	msg_put_service(nlh, &svc);
	mnl_attr_parse_nested(only_top(nlh, L4LB_ATTR_SERVICE), attrs_cb, &s);
	assert_int_equal(s.count, 2);		/* AF and PEERS */
	assert_non_null(s.tb[L4LB_SVC_ATTR_PEERS]);
	assert_true(s.tb[L4LB_SVC_ATTR_PEERS]->nla_type & NLA_F_NESTED);
	mnl_attr_for_each_nested(a, s.tb[L4LB_SVC_ATTR_PEERS]) {
		assert_int_equal(mnl_attr_get_type(a), L4LB_PEER_ATTR_ADDR);
		assert_int_equal(mnl_attr_get_payload_len(a), 4);
		assert_int_equal(mnl_attr_get_u32(a), svc.peers.addr[n]);
		n++;
	}
	assert_int_equal(n, 2);

	/* "none": an empty nest. */
	svc.peers.n = 0;
	nlh = reply(L4LB_CMD_SERVICE_SET);
	memset(&s, 0, sizeof(s));
	msg_put_service(nlh, &svc);
	mnl_attr_parse_nested(only_top(nlh, L4LB_ATTR_SERVICE), attrs_cb, &s);
	assert_int_equal(s.count, 2);
	assert_non_null(s.tb[L4LB_SVC_ATTR_PEERS]);
	assert_int_equal(mnl_attr_get_payload_len(s.tb[L4LB_SVC_ATTR_PEERS]), 0);

	/* Not given: not sent. */
	svc.present = ATTR_BIT(L4LB_SVC_ATTR_PERSISTENCE);
	nlh = reply(L4LB_CMD_SERVICE_SET);
	memset(&s, 0, sizeof(s));
	msg_put_service(nlh, &svc);
	mnl_attr_parse_nested(only_top(nlh, L4LB_ATTR_SERVICE), attrs_cb, &s);
	assert_null(s.tb[L4LB_SVC_ATTR_PEERS]);
}

/* IPv6: the same nests, with the *ADDR6 attributes. */

static void ipv6_backend_reply_is_decoded(void **state)
{
	struct nlmsghdr *nlh = reply(L4LB_CMD_BACKEND_GET);
	struct nlattr *nest;
	struct be_info be;

	(void)state;
	put_svc_key(nlh, "2001:db8::10", 443, IPPROTO_TCP);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);
	put_be_fields(nlh, "2001:db8:1::2", 8080, 3, L4LB_BE_STATE_UP, false);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(msg_get_backend(nlh, &be), 0);
	assert_ipaddr_equal(be.ep.addr, "2001:db8:1::2");
	assert_int_equal(be.ep.port, htons(8080));
	/* The IPv4 attribute's bit stands for the address of either family. */
	assert_true(be.present & ATTR_BIT(L4LB_BE_ATTR_ADDR));
	assert_ipaddr_equal(be.svc.vip, "2001:db8::10");
	assert_int_equal(be.svc.port, htons(443));
	assert_int_equal(be.weight, 3);
}

/* A CONN_GET reply of an AF_INET6 row, with @addrs of its four addresses. */
static struct nlmsghdr *conn6_reply(unsigned int addrs)
{
	struct nlmsghdr *nlh = reply(L4LB_CMD_CONN_GET);

	put_conn6(nlh, addrs);
	return nlh;
}

static void ipv6_conn_reply_is_decoded(void **state)
{
	struct conn_info c;

	(void)state;
	assert_int_equal(msg_get_conn(conn6_reply(4), &c), 0);
	assert_ipaddr_equal(c.client.addr, "2001:db8:c::7");
	assert_int_equal(c.client.port, htons(51234));
	assert_ipaddr_equal(c.vip.addr, "2001:db8::10");
	assert_ipaddr_equal(c.local.addr, "2001:db8:1::1");
	assert_ipaddr_equal(c.backend.addr, "2001:db8:1::2");
	assert_int_equal(c.backend.port, htons(8080));
	assert_true(c.present & ATTR_BIT(L4LB_CONN_ATTR_BACKEND_ADDR));
	assert_int_equal(c.expires, 899);

	/* AF_INET6 without one of its four addresses: refused. */
	errno = 0;
	assert_int_equal(msg_get_conn(conn6_reply(3), &c), -1);
	assert_int_equal(errno, EBADMSG);
}

static void ipv6_service_reply_with_pool_and_usage_is_decoded(void **state)
{
	static const char *const two[] = { "2001:db8:1::5", "2001:db8:1::6" };
	struct nlmsghdr *nlh = pool_reply(two, 2, 2);
	struct nlattr *nest;
	struct svc_info svc;

	(void)state;
	assert_int_equal(msg_get_service(nlh, &svc), 0);
	assert_int_equal(svc.snat.n, 2);
	assert_ipaddr_equal(svc.snat.addr[0], "2001:db8:1::5");
	assert_ipaddr_equal(svc.snat.addr[1], "2001:db8:1::6");
	assert_int_equal(svc.nuse, 2);
	assert_ipaddr_equal(svc.use[1].addr, "2001:db8:1::6");
	assert_int_equal(svc.use[1].ports, 20);
	/* No SNAT_ADDR came; the pool is what "snat" shows. */
	assert_true(svc.present & ATTR_BIT(L4LB_SVC_ATTR_SNAT_ADDR));

	nlh = reply(L4LB_CMD_SERVICE_GET);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	put_svc_fields(nlh, "2001:db8::10", 443, IPPROTO_TCP);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(msg_get_service(nlh, &svc), 0);
	assert_ipaddr_equal(svc.vip, "2001:db8::10");
	assert_true(svc.present & ATTR_BIT(L4LB_SVC_ATTR_VIP));
	assert_int_equal(svc.port, htons(443));
}

static void bad_ipv6_attributes_are_refused(void **state)
{
	static const char zeros[16];
	struct nlattr *nest, *pool;
	struct nlmsghdr *nlh;
	struct svc_info svc;
	struct be_info be;

	(void)state;
	/* A VIP6 of 15 bytes. */
	nlh = reply(L4LB_CMD_SERVICE_GET);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	mnl_attr_put(nlh, L4LB_SVC_ATTR_VIP6, 15, zeros);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(msg_get_service(nlh, &svc), -1);

	/* A backend ADDR6 of 4 bytes. */
	nlh = reply(L4LB_CMD_BACKEND_GET);
	put_svc_key(nlh, "2001:db8::10", 443, IPPROTO_TCP);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_ADDR6, 1);
	mnl_attr_put_u16(nlh, L4LB_BE_ATTR_PORT, htons(80));
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(msg_get_backend(nlh, &be), -1);

	/* A pool of both families. */
	nlh = reply(L4LB_CMD_SERVICE_GET);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	pool = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_SNAT_POOL);
	put_ip(nlh, L4LB_SNAT_ATTR_ADDR, L4LB_SNAT_ATTR_ADDR6, "2001:db8::5");
	put_ip(nlh, L4LB_SNAT_ATTR_ADDR, L4LB_SNAT_ATTR_ADDR6, "10.0.0.5");
	mnl_attr_nest_end(nlh, pool);
	mnl_attr_nest_end(nlh, nest);
	errno = 0;
	assert_int_equal(msg_get_service(nlh, &svc), -1);
	assert_int_equal(errno, EBADMSG);

	/* A pool address ADDR6 of the wrong size. */
	nlh = reply(L4LB_CMD_SERVICE_GET);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	pool = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_SNAT_POOL);
	mnl_attr_put(nlh, L4LB_SNAT_ATTR_ADDR6, 8, zeros);
	mnl_attr_nest_end(nlh, pool);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(msg_get_service(nlh, &svc), -1);
}

static void ipv6_backend_request_carries_af_and_addr6(void **state)
{
	struct be_info be = {
		.present = ATTR_BIT(L4LB_BE_ATTR_ADDR) |
			   ATTR_BIT(L4LB_BE_ATTR_PORT),
		.ep = ipport_of("2001:db8::2", 80),
	};
	struct nlmsghdr *nlh = reply(L4LB_CMD_BACKEND_ADD);
	struct attrs s = { { NULL }, 0 };

	(void)state;
	msg_put_backend(nlh, &be);
	mnl_attr_parse_nested(only_top(nlh, L4LB_ATTR_BACKEND), attrs_cb, &s);
	assert_int_equal(s.count, 3);
	assert_int_equal(mnl_attr_get_u16(s.tb[L4LB_BE_ATTR_AF]), AF_INET6);
	assert_null(s.tb[L4LB_BE_ATTR_ADDR]);
	assert_int_equal(mnl_attr_get_payload_len(s.tb[L4LB_BE_ATTR_ADDR6]), 16);
	assert_memory_equal(mnl_attr_get_payload(s.tb[L4LB_BE_ATTR_ADDR6]),
			    &be.ep.addr.v6, 16);
	assert_int_equal(mnl_attr_get_u16(s.tb[L4LB_BE_ATTR_PORT]), htons(80));

	/* An AF-only selector: the services of that family. */
	nlh = reply(L4LB_CMD_BACKEND_ADD);
	memset(&s, 0, sizeof(s));
	msg_put_af_sel(nlh, AF_INET6);
	s = selector_of(nlh);
	assert_int_equal(s.count, 1);
	assert_int_equal(mnl_attr_get_u16(s.tb[L4LB_SVC_ATTR_AF]), AF_INET6);
}

static void ipv6_selector_carries_af_and_vip6(void **state)
{
	struct svc_sel sel = {
		.set = true, .has_port = true, .has_proto = true,
		.vip = addr_of("2001:db8::10"), .port = htons(443),
		.proto = IPPROTO_TCP,
	};
	struct nlmsghdr *nlh = reply(L4LB_CMD_SERVICE_DEL);
	struct attrs s;

	(void)state;
	msg_put_svc_sel(nlh, &sel);
	s = selector_of(nlh);
	assert_int_equal(s.count, 4);
	assert_int_equal(mnl_attr_get_u16(s.tb[L4LB_SVC_ATTR_AF]), AF_INET6);
	assert_null(s.tb[L4LB_SVC_ATTR_VIP]);
	assert_int_equal(mnl_attr_get_payload_len(s.tb[L4LB_SVC_ATTR_VIP6]), 16);
	assert_memory_equal(mnl_attr_get_payload(s.tb[L4LB_SVC_ATTR_VIP6]),
			    &sel.vip.v6, 16);
	assert_int_equal(mnl_attr_get_u16(s.tb[L4LB_SVC_ATTR_PORT]), htons(443));
}

static void ipv6_service_set_sends_its_pool_as_a_nest(void **state)
{
	struct svc_info svc = {
		.present = ATTR_BIT(L4LB_SVC_ATTR_VIP) |
			   ATTR_BIT(L4LB_SVC_ATTR_SNAT_POOL),
		.vip = addr_of("2001:db8::10"),
		.snat = { 1, { addr_of("2001:db8:1::5") } },
	};
	struct nlmsghdr *nlh = reply(L4LB_CMD_SERVICE_SET);
	struct attrs s = { { NULL }, 0 };
	char words[256];

	(void)state;
	/* One address: still a SNAT_POOL nest, of ADDR6; no SNAT_ADDR. */
	msg_put_service(nlh, &svc);
	mnl_attr_parse_nested(only_top(nlh, L4LB_ATTR_SERVICE), attrs_cb, &s);
	assert_int_equal(s.count, 3);
	assert_int_equal(mnl_attr_get_u16(s.tb[L4LB_SVC_ATTR_AF]), AF_INET6);
	assert_non_null(s.tb[L4LB_SVC_ATTR_VIP6]);
	assert_null(s.tb[L4LB_SVC_ATTR_SNAT_ADDR]);
	pool_words(s.tb[L4LB_SVC_ATTR_SNAT_POOL], words, sizeof(words));
	assert_string_equal(words, "6:2001:db8:1::5 ");

	/* "auto": an empty nest. */
	svc.snat.n = 0;
	nlh = reply(L4LB_CMD_SERVICE_SET);
	memset(&s, 0, sizeof(s));
	msg_put_service(nlh, &svc);
	mnl_attr_parse_nested(only_top(nlh, L4LB_ATTR_SERVICE), attrs_cb, &s);
	assert_null(s.tb[L4LB_SVC_ATTR_SNAT_ADDR]);
	assert_int_equal(mnl_attr_get_payload_len(s.tb[L4LB_SVC_ATTR_SNAT_POOL]),
			 0);

	/* A pool without a VIP names the family too. */
	svc.present = ATTR_BIT(L4LB_SVC_ATTR_SNAT_POOL);
	svc.snat.n = 2;
	svc.snat.addr[1] = addr_of("2001:db8:1::7");
	nlh = reply(L4LB_CMD_SERVICE_SET);
	memset(&s, 0, sizeof(s));
	msg_put_service(nlh, &svc);
	mnl_attr_parse_nested(only_top(nlh, L4LB_ATTR_SERVICE), attrs_cb, &s);
	assert_int_equal(s.count, 2);
	assert_int_equal(mnl_attr_get_u16(s.tb[L4LB_SVC_ATTR_AF]), AF_INET6);
	pool_words(s.tb[L4LB_SVC_ATTR_SNAT_POOL], words, sizeof(words));
	assert_string_equal(words, "6:2001:db8:1::5 6:2001:db8:1::7 ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(backend_reply_is_decoded_with_counters),
		cmocka_unit_test(removed_flag_is_seen),
		cmocka_unit_test(backend_without_its_service_key_is_refused),
		cmocka_unit_test(backend_without_address_is_refused),
		cmocka_unit_test(attribute_of_wrong_size_is_refused),
		cmocka_unit_test(reply_without_nest_or_header_is_refused),
		cmocka_unit_test(truncated_nest_is_not_read_past_the_message),
		cmocka_unit_test(conn_reply_is_decoded),
		cmocka_unit_test(conn_without_local_port_is_refused),
		cmocka_unit_test(service_reply_is_decoded),
		cmocka_unit_test(snat_pool_usage_and_failures_are_decoded),
		cmocka_unit_test(snat_address_of_an_older_module_is_a_pool_of_one),
		cmocka_unit_test(bad_snat_nests_are_refused),
		cmocka_unit_test(peers_are_decoded),
		cmocka_unit_test(scheduler_name_must_be_terminated_and_fit),
		cmocka_unit_test(stats_reply_widens_u32_counters),
		cmocka_unit_test(add_request_carries_af_address_port_weight_only),
		cmocka_unit_test(remove_now_request_carries_flags),
		cmocka_unit_test(state_request_is_one_byte),
		cmocka_unit_test(service_set_request_carries_only_given_settings),
		cmocka_unit_test(snat_pool_request_is_one_address_or_a_nest),
		cmocka_unit_test(peers_request_is_a_nest_empty_for_none),
		cmocka_unit_test(selector_carries_vip_port_proto_as_given),
		cmocka_unit_test(no_selector_sends_nothing),
		cmocka_unit_test(ipv6_backend_reply_is_decoded),
		cmocka_unit_test(ipv6_conn_reply_is_decoded),
		cmocka_unit_test(ipv6_service_reply_with_pool_and_usage_is_decoded),
		cmocka_unit_test(bad_ipv6_attributes_are_refused),
		cmocka_unit_test(ipv6_backend_request_carries_af_and_addr6),
		cmocka_unit_test(ipv6_selector_carries_af_and_vip6),
		cmocka_unit_test(ipv6_service_set_sends_its_pool_as_a_nest),
	};

	return cmocka_run_group_tests_name("msg", tests, NULL, NULL);
}
