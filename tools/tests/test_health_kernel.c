// SPDX-License-Identifier: GPL-2.0
/*
 * test_health_kernel.c - health_kernel.c with the kernel replaced by a
 * fake nl.c: the requests l4lb-health sends (BACKEND_SET with STATE and
 * the service's key as selector, and L4LB_F_NOW only for "expire"), the
 * backends it reads from a dump (the REMOVED flag and the service key
 * included), and what it does with its socket after a failure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <uapi/l4lb.h>

#include "error.h"
#include "fake_nl.h"
#include "health_kernel.h"
#include "health_log.h"
#include "nl.h"
#include "addr_util.h"

/* The service key every add_backend() reply carries unless changed. */
static const char *reply_vip = "10.0.0.1";
static uint16_t reply_vport = 20000;
static uint8_t reply_proto = IPPROTO_TCP;

/* Each test starts with the socket open, as the daemon does after start. */
static int reset(void **state)
{
	(void)state;
	health_kernel_close();
	assert_int_equal(health_kernel_open(), RC_OK);
	fake_reset();
	health_err_clear();
	reply_vip = "10.0.0.1";
	reply_vport = 20000;
	reply_proto = IPPROTO_TCP;
	return 0;
}

/*
 * Add a BACKEND_GET reply for IP:PORT in @state, REMOVED if @removed, of
 * the service reply_vip:reply_vport/reply_proto.
 */
static void add_backend(const char *ip, uint16_t port, uint8_t state,
			bool removed)
{
	struct nlmsghdr *nlh = new_reply(L4LB_CMD_BACKEND_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);

	put_be_fields(nlh, ip, port, 1, state, removed);
	mnl_attr_put_u64(nlh, L4LB_BE_ATTR_TOTAL_CONNS, 7);
	mnl_attr_nest_end(nlh, nest);
	put_svc_key(nlh, reply_vip, reply_vport, reply_proto);
}

/* ---- Looking at the request. ---- */

static struct attrs backend_attrs(void)
{
	return nest_attrs(L4LB_ATTR_BACKEND);
}

static struct ipport ep(const char *ip, uint16_t port)
{
	struct ipport e = { ipaddr_v4(inet_addr(ip)), htons(port) };

	return e;
}

/* The key of service VIP:PORT/PROTO, as health_kernel_list() gives it. */
static struct svc_sel key(const char *vip, uint16_t port, uint8_t proto)
{
	struct svc_sel k = {
		.set = true, .has_port = true, .has_proto = true,
		.vip = ipaddr_v4(inet_addr(vip)), .port = htons(port),
		.proto = proto,
	};

	return k;
}

/* The reference service, 10.0.0.1:20000/tcp. */
static struct svc_sel ref_key(void)
{
	return key("10.0.0.1", 20000, IPPROTO_TCP);
}

/* ---- Tests ---- */

static void mark_down_keep_sends_state_without_flags(void **state)
{
	struct ipport e = ep("10.0.1.1", 10000);
	struct svc_sel k = ref_key();
	struct attrs a;

	(void)state;
	assert_int_equal(health_kernel_set_state(&k, &e, L4LB_BE_STATE_DOWN,
						 false), RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_BACKEND_SET);
	assert_true(req()->nlmsg_flags & NLM_F_ACK);
	assert_null(top_attrs().tb[L4LB_ATTR_FLAGS]);
	a = backend_attrs();
	assert_int_equal(mnl_attr_get_u32(a.tb[L4LB_BE_ATTR_ADDR]), e.addr.v4);
	assert_int_equal(mnl_attr_get_u16(a.tb[L4LB_BE_ATTR_PORT]), e.port);
	assert_int_equal(mnl_attr_get_u8(a.tb[L4LB_BE_ATTR_STATE]),
			 L4LB_BE_STATE_DOWN);
	/* Only the state changes: the weight is left to the operator. */
	assert_null(a.tb[L4LB_BE_ATTR_WEIGHT]);
}

static void mark_down_expire_sends_flag_now(void **state)
{
	struct ipport e = ep("10.0.3.1", 10002);
	struct svc_sel k = ref_key();
	struct attrs top;

	(void)state;
	assert_int_equal(health_kernel_set_state(&k, &e, L4LB_BE_STATE_DOWN,
						 true), RC_OK);
	top = top_attrs();
	assert_non_null(top.tb[L4LB_ATTR_FLAGS]);
	assert_int_equal(mnl_attr_get_u32(top.tb[L4LB_ATTR_FLAGS]), L4LB_F_NOW);
	assert_int_equal(mnl_attr_get_u8(backend_attrs().tb[L4LB_BE_ATTR_STATE]),
			 L4LB_BE_STATE_DOWN);
}

static void mark_up_sends_state_up(void **state)
{
	struct ipport e = ep("10.0.2.1", 10001);
	struct svc_sel k = ref_key();

	(void)state;
	assert_int_equal(health_kernel_set_state(&k, &e, L4LB_BE_STATE_UP,
						 false), RC_OK);
	assert_int_equal(mnl_attr_get_u8(backend_attrs().tb[L4LB_BE_ATTR_STATE]),
			 L4LB_BE_STATE_UP);
}

static void list_reads_every_backend_with_its_state(void **state)
{
	struct health_backend *list;
	size_t n;

	(void)state;
	add_backend("10.0.1.1", 10000, L4LB_BE_STATE_UP, false);
	add_backend("10.0.2.1", 10001, L4LB_BE_STATE_DOWN, false);
	add_backend("10.0.3.1", 10002, L4LB_BE_STATE_DRAIN, true);
	assert_int_equal(health_kernel_list(&list, &n), RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_BACKEND_GET);
	assert_true(req()->nlmsg_flags & NLM_F_DUMP);
	assert_int_equal(n, 3);
	assert_ipaddr_equal(list[0].ep.addr, "10.0.1.1");
	assert_int_equal(list[0].ep.port, htons(10000));
	assert_int_equal(list[0].state, L4LB_BE_STATE_UP);
	assert_false(list[0].removed);
	assert_int_equal(list[1].state, L4LB_BE_STATE_DOWN);
	assert_false(list[1].removed);
	assert_int_equal(list[2].state, L4LB_BE_STATE_DRAIN);
	assert_true(list[2].removed);
	free(list);
}

static void set_state_names_the_service_by_its_key(void **state)
{
	struct ipport e = ep("10.0.1.1", 10000);
	struct svc_sel k = key("10.0.0.1", 20000, IPPROTO_UDP);
	struct attrs svc;

	(void)state;
	assert_int_equal(health_kernel_set_state(&k, &e, L4LB_BE_STATE_DOWN,
						 false), RC_OK);
	svc = nest_attrs(L4LB_ATTR_SERVICE);
	assert_int_equal(mnl_attr_get_u16(svc.tb[L4LB_SVC_ATTR_AF]), AF_INET);
	assert_int_equal(mnl_attr_get_u32(svc.tb[L4LB_SVC_ATTR_VIP]),
			 inet_addr("10.0.0.1"));
	assert_int_equal(mnl_attr_get_u16(svc.tb[L4LB_SVC_ATTR_PORT]),
			 htons(20000));
	assert_int_equal(mnl_attr_get_u8(svc.tb[L4LB_SVC_ATTR_PROTO]),
			 IPPROTO_UDP);
	/* Nothing else: a selector changes no setting. */
	assert_null(svc.tb[L4LB_SVC_ATTR_SCHED]);
	assert_null(svc.tb[L4LB_SVC_ATTR_TIMEOUT_TCP]);
}

static void list_reads_the_service_of_each_backend(void **state)
{
	struct health_backend *list;
	size_t n;

	(void)state;
	add_backend("10.0.1.1", 10000, L4LB_BE_STATE_UP, false);
	reply_proto = IPPROTO_UDP;
	add_backend("10.0.1.1", 10000, L4LB_BE_STATE_DOWN, false);
	assert_int_equal(health_kernel_list(&list, &n), RC_OK);
	assert_int_equal(n, 2);
	/* The same IP:PORT in two services: two backends. */
	assert_true(ipaddr_eq(&list[0].ep.addr, &list[1].ep.addr));
	assert_int_equal(list[0].ep.port, list[1].ep.port);
	assert_true(list[0].svc.set && list[0].svc.has_port &&
		    list[0].svc.has_proto);
	assert_ipaddr_equal(list[0].svc.vip, "10.0.0.1");
	assert_int_equal(list[0].svc.port, htons(20000));
	assert_int_equal(list[0].svc.proto, IPPROTO_TCP);
	assert_int_equal(list[1].svc.proto, IPPROTO_UDP);
	assert_int_equal(list[1].state, L4LB_BE_STATE_DOWN);
	free(list);
}

static void ipv6_backends_are_listed_and_marked(void **state)
{
	struct health_backend *list;
	struct attrs svc, be;
	struct in6_addr a6;
	size_t n;

	(void)state;
	reply_vip = "2001:db8::10";
	reply_vport = 443;
	add_backend("2001:db8:1::2", 8080, L4LB_BE_STATE_UP, false);
	assert_int_equal(health_kernel_list(&list, &n), RC_OK);
	assert_int_equal(n, 1);
	assert_ipaddr_equal(list[0].ep.addr, "2001:db8:1::2");
	assert_int_equal(list[0].ep.port, htons(8080));
	assert_ipaddr_equal(list[0].svc.vip, "2001:db8::10");
	assert_int_equal(list[0].svc.port, htons(443));

	/* Marked down by the key and address the list gave. */
	assert_int_equal(health_kernel_set_state(&list[0].svc, &list[0].ep,
						 L4LB_BE_STATE_DOWN, false),
			 RC_OK);
	be = backend_attrs();
	assert_int_equal(mnl_attr_get_u16(be.tb[L4LB_BE_ATTR_AF]), AF_INET6);
	assert_null(be.tb[L4LB_BE_ATTR_ADDR]);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:1::2", &a6), 1);
	assert_memory_equal(mnl_attr_get_payload(be.tb[L4LB_BE_ATTR_ADDR6]),
			    &a6, sizeof(a6));
	svc = nest_attrs(L4LB_ATTR_SERVICE);
	assert_int_equal(mnl_attr_get_u16(svc.tb[L4LB_SVC_ATTR_AF]), AF_INET6);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::10", &a6), 1);
	assert_memory_equal(mnl_attr_get_payload(svc.tb[L4LB_SVC_ATTR_VIP6]),
			    &a6, sizeof(a6));
	assert_int_equal(mnl_attr_get_u16(svc.tb[L4LB_SVC_ATTR_PORT]),
			 htons(443));
	free(list);
}

static void backend_without_its_service_is_malformed(void **state)
{
	struct health_backend *list;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	size_t n;

	(void)state;
	nlh = new_reply(L4LB_CMD_BACKEND_GET);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_ADDR, inet_addr("10.0.1.1"));
	mnl_attr_put_u16(nlh, L4LB_BE_ATTR_PORT, htons(10000));
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(health_kernel_list(&list, &n), RC_KERNEL);
	assert_null(list);
	assert_int_equal(n, 0);
}

static void list_of_no_backends_is_empty(void **state)
{
	struct health_backend *list = (struct health_backend *)1;
	size_t n = 99;

	(void)state;
	assert_int_equal(health_kernel_list(&list, &n), RC_OK);
	assert_null(list);
	assert_int_equal(n, 0);
}

static void malformed_reply_fails_and_closes_the_socket(void **state)
{
	struct health_backend *list;
	struct nlmsghdr *nlh;
	size_t n;

	(void)state;
	add_backend("10.0.1.1", 10000, L4LB_BE_STATE_UP, false);
	/* A second reply whose nest has no address. */
	nlh = new_reply(L4LB_CMD_BACKEND_GET);
	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND));
	assert_int_equal(health_kernel_list(&list, &n), RC_KERNEL);
	assert_null(list);
	assert_int_equal(n, 0);
	assert_int_equal(fake.closes, 1);
	assert_string_equal(health_err_last(), "invalid reply from kernel");
}

static void socket_stays_open_between_requests(void **state)
{
	struct ipport e = ep("10.0.1.1", 10000);
	struct svc_sel k = ref_key();
	struct health_backend *list;
	size_t n;

	(void)state;
	assert_int_equal(health_kernel_open(), RC_OK);
	assert_int_equal(health_kernel_list(&list, &n), RC_OK);
	assert_int_equal(health_kernel_set_state(&k, &e, L4LB_BE_STATE_UP,
						 false), RC_OK);
	assert_int_equal(health_kernel_list(&list, &n), RC_OK);
	/* Opened once, by reset(). */
	assert_int_equal(fake.opens, 0);
	assert_int_equal(fake.closes, 0);
}

static void after_a_failure_a_missing_module_is_not_loaded_on_demand(void **state)
{
	struct health_backend *list;
	size_t n;

	(void)state;
	/* The family check below asks the real kernel of this host. */
	if (access("/sys/module/l4lb", F_OK) == 0)
		skip();
	fake_fail(RC_KERNEL);
	assert_int_equal(health_kernel_list(&list, &n), RC_KERNEL);
	assert_int_equal(fake.closes, 1);
	/* This host has no l4lb family: reported without nl_open(), which
	 * would have the kernel run modprobe. */
	fake_fail(RC_OK);
	assert_int_equal(health_kernel_list(&list, &n), RC_NO_MODULE);
	assert_int_equal(fake.opens, 0);
	assert_string_equal(health_err_last(),
			    "l4lb module not loaded (generic netlink family \"l4lb\" not found)");
}

static void services_gives_every_key(void **state)
{
	struct nlmsghdr *nlh;
	struct svc_sel *list, k;
	struct nlattr *nest;
	size_t n;

	(void)state;
	nlh = new_reply(L4LB_CMD_SERVICE_GET);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	put_svc_fields(nlh, "10.0.0.1", 20000, IPPROTO_TCP);
	put_svc_defaults(nlh, 1024);
	mnl_attr_nest_end(nlh, nest);
	nlh = new_reply(L4LB_CMD_SERVICE_GET);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	put_svc_fields(nlh, "10.0.0.2", 53, IPPROTO_UDP);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(health_kernel_services(&list, &n), RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_SERVICE_GET);
	assert_true(req()->nlmsg_flags & NLM_F_DUMP);
	assert_int_equal(n, 2);
	assert_true(list[0].set && list[0].has_port && list[0].has_proto);
	k = ref_key();
	assert_true(ipaddr_eq(&list[0].vip, &k.vip));
	assert_int_equal(list[0].port, ref_key().port);
	assert_int_equal(list[0].proto, IPPROTO_TCP);
	assert_int_equal(list[1].vip.af, AF_INET);
	assert_int_equal(list[1].vip.v4, inet_addr("10.0.0.2"));
	assert_int_equal(list[1].port, htons(53));
	assert_int_equal(list[1].proto, IPPROTO_UDP);
	free(list);
}

static void conns_reads_the_stats_count(void **state)
{
	uint64_t conns = 99;

	(void)state;
	put_few_stats(new_reply(L4LB_CMD_STATS_GET), 3, 10);
	assert_int_equal(health_kernel_conns(&conns), RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_STATS_GET);
	assert_false(req()->nlmsg_flags & NLM_F_DUMP);
	assert_int_equal(conns, 3);
	/* An ack without the counter is a kernel error. */
	fake_reset();
	assert_int_equal(health_kernel_conns(&conns), RC_KERNEL);
	assert_int_equal(conns, 3);
}

#define T(f) cmocka_unit_test_setup(f, reset)

int main(void)
{
	health_log_init();
	const struct CMUnitTest tests[] = {
		T(mark_down_keep_sends_state_without_flags),
		T(mark_down_expire_sends_flag_now),
		T(mark_up_sends_state_up),
		T(list_reads_every_backend_with_its_state),
		T(set_state_names_the_service_by_its_key),
		T(list_reads_the_service_of_each_backend),
		T(backend_without_its_service_is_malformed),
		T(list_of_no_backends_is_empty),
		T(malformed_reply_fails_and_closes_the_socket),
		T(socket_stays_open_between_requests),
		T(after_a_failure_a_missing_module_is_not_loaded_on_demand),
		T(services_gives_every_key),
		T(conns_reads_the_stats_count),
		T(ipv6_backends_are_listed_and_marked),
	};

	return cmocka_run_group_tests_name("health_kernel", tests, NULL, NULL);
}
