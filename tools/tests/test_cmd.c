// SPDX-License-Identifier: GPL-2.0
/*
 * test_cmd.c - the commands end to end, with the kernel replaced by a fake
 * nl.c: each test runs a command's handler, then checks the request it
 * sent (command, flags, attributes) and what it printed for the replies
 * the fake kernel gave, built the way the l4lb module builds them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <uapi/l4lb.h>

#include "capture.h"
#include "cmd.h"
#include "error.h"
#include "fake_nl.h"
#include "nl.h"

/* Protocol of the service add_backend_reply() names. */
static uint8_t reply_proto;

static int reset(void **state)
{
	(void)state;
	fake_reset();
	reply_proto = IPPROTO_TCP;
	return 0;
}

/* ---- Tests ---- */

static void add_sends_backend_add_with_weight(void **state)
{
	struct attrs be, svc;

	(void)state;
	assert_int_equal(run(cmd_add, false, "10.0.0.2:80 weight 5"), RC_OK);
	assert_string_equal(out_text, "");
	assert_string_equal(err_text, "");
	assert_int_equal(fake.requests, 1);
	assert_int_equal(req()->nlmsg_type, FAKE_FAMILY_ID);
	assert_int_equal(req()->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(req_cmd(), L4LB_CMD_BACKEND_ADD);
	assert_int_equal(top_attrs().count, 2);
	be = nest_attrs(L4LB_ATTR_BACKEND);
	assert_int_equal(be.count, 4);
	assert_int_equal(mnl_attr_get_u16(be.tb[L4LB_BE_ATTR_AF]), AF_INET);
	assert_int_equal(mnl_attr_get_u32(be.tb[L4LB_BE_ATTR_ADDR]),
			 inet_addr("10.0.0.2"));
	assert_int_equal(mnl_attr_get_u16(be.tb[L4LB_BE_ATTR_PORT]), htons(80));
	assert_int_equal(mnl_attr_get_u32(be.tb[L4LB_BE_ATTR_WEIGHT]), 5);
	/* No selector: the backend's family selects the service. */
	svc = nest_attrs(L4LB_ATTR_SERVICE);
	assert_int_equal(svc.count, 1);
	assert_int_equal(mnl_attr_get_u16(svc.tb[L4LB_SVC_ATTR_AF]), AF_INET);
}

static void add_without_weight_leaves_the_default_to_the_kernel(void **state)
{
	(void)state;
	assert_int_equal(run(cmd_add, false, "10.0.0.2:80"), RC_OK);
	assert_null(nest_attrs(L4LB_ATTR_BACKEND).tb[L4LB_BE_ATTR_WEIGHT]);
}

static void add_with_a_state_sends_it(void **state)
{
	(void)state;
	assert_int_equal(run(cmd_add, false, "10.0.0.2:80 down weight 2"), RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_BACKEND_ADD);
	assert_int_equal(mnl_attr_get_u8(nest_attrs(L4LB_ATTR_BACKEND).tb[L4LB_BE_ATTR_STATE]),
			 L4LB_BE_STATE_DOWN);
}

static void remove_drains_by_default(void **state)
{
	(void)state;
	assert_int_equal(run(cmd_remove, false, "10.0.0.2:80"), RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_BACKEND_DEL);
	assert_null(top_attrs().tb[L4LB_ATTR_FLAGS]);
	assert_int_equal(nest_attrs(L4LB_ATTR_BACKEND).count, 3);
}

static void remove_now_sends_flag_now(void **state)
{
	struct attrs top;

	(void)state;
	assert_int_equal(run(cmd_remove, false, "10.0.0.2:80 --now"), RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_BACKEND_DEL);
	top = top_attrs();
	assert_non_null(top.tb[L4LB_ATTR_FLAGS]);
	assert_int_equal(mnl_attr_get_u32(top.tb[L4LB_ATTR_FLAGS]), L4LB_F_NOW);
}

static void set_sends_only_what_changes(void **state)
{
	struct attrs be;

	(void)state;
	assert_int_equal(run(cmd_set, false, "10.0.0.2:80 drain"), RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_BACKEND_SET);
	be = nest_attrs(L4LB_ATTR_BACKEND);
	assert_null(be.tb[L4LB_BE_ATTR_WEIGHT]);
	assert_int_equal(mnl_attr_get_u8(be.tb[L4LB_BE_ATTR_STATE]),
			 L4LB_BE_STATE_DRAIN);

	assert_int_equal(run(cmd_set, false, "10.0.0.2:80 weight 0 up"), RC_OK);
	be = nest_attrs(L4LB_ATTR_BACKEND);
	assert_int_equal(mnl_attr_get_u32(be.tb[L4LB_BE_ATTR_WEIGHT]), 0);
	assert_int_equal(mnl_attr_get_u8(be.tb[L4LB_BE_ATTR_STATE]),
			 L4LB_BE_STATE_UP);
}

static void set_weight_pct_sends_only_the_percentage(void **state)
{
	struct attrs be;

	(void)state;
	assert_int_equal(run(cmd_set, false, "10.0.0.2:80 weight-pct 25"),
			 RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_BACKEND_SET);
	be = nest_attrs(L4LB_ATTR_BACKEND);
	assert_null(be.tb[L4LB_BE_ATTR_WEIGHT]);
	assert_null(be.tb[L4LB_BE_ATTR_STATE]);
	assert_int_equal(mnl_attr_get_u32(be.tb[L4LB_BE_ATTR_WEIGHT_PCT]), 25);

	assert_int_equal(run(cmd_add, false,
			     "10.0.0.3:80 weight 4 weight-pct 256"), RC_OK);
	be = nest_attrs(L4LB_ATTR_BACKEND);
	assert_int_equal(mnl_attr_get_u32(be.tb[L4LB_BE_ATTR_WEIGHT]), 4);
	assert_int_equal(mnl_attr_get_u32(be.tb[L4LB_BE_ATTR_WEIGHT_PCT]), 256);
	assert_null(be.tb[L4LB_BE_ATTR_STATE]);

	/* "backend add" takes a state word and a percentage together. */
	assert_int_equal(run(cmd_add, false, "10.0.0.3:80 down weight-pct 50"),
			 RC_OK);
	be = nest_attrs(L4LB_ATTR_BACKEND);
	assert_int_equal(mnl_attr_get_u32(be.tb[L4LB_BE_ATTR_WEIGHT_PCT]), 50);
	assert_int_equal(mnl_attr_get_u8(be.tb[L4LB_BE_ATTR_STATE]),
			 L4LB_BE_STATE_DOWN);
}

static void bad_weight_pct_is_a_usage_error(void **state)
{
	(void)state;
	assert_int_equal(run(cmd_set, false, "10.0.0.2:80 weight-pct 257"),
			 RC_USAGE);
	assert_string_equal(err_text,
		"l4lbctl: invalid weight-pct \"257\" (expected 0-256)\n");
	assert_int_equal(run(cmd_set, false, "10.0.0.2:80 weight-pct 25%"),
			 RC_USAGE);
	assert_string_equal(err_text,
		"l4lbctl: invalid weight-pct \"25%\" (expected 0-256)\n");
	assert_int_equal(run(cmd_set, false,
			     "10.0.0.2:80 weight-pct 1 weight-pct 2"), RC_USAGE);
	assert_int_equal(run(cmd_set, false, "10.0.0.2:80 weight-pct"),
			 RC_USAGE);
	assert_int_equal(run(cmd_remove, false, "10.0.0.2:80 weight-pct 5"),
			 RC_USAGE);
	assert_int_equal(fake.requests, 0);
}

static void add_backend_reply(const char *ip, uint16_t port, uint8_t st,
			      bool removed, uint32_t weight, uint64_t total)
{
	const struct be_counters c = { 1, 2, total, 10, 9, 1000, 900 };
	struct nlmsghdr *nlh = new_reply(L4LB_CMD_BACKEND_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);

	put_be_fields(nlh, ip, port, weight, st, removed);
	put_be_counters(nlh, &c);
	mnl_attr_nest_end(nlh, nest);
	/* The key of its service, 192.0.2.1:80/reply_proto. */
	put_svc_key(nlh, "192.0.2.1", 80, reply_proto);
}

static void list_dumps_backends_as_table(void **state)
{
	(void)state;
	add_backend_reply("10.0.0.2", 80, L4LB_BE_STATE_UP, false, 1, 3);
	add_backend_reply("10.0.0.3", 80, L4LB_BE_STATE_DRAIN, true, 0, 4);
	assert_int_equal(run(cmd_list, false, ""), RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_BACKEND_GET);
	assert_int_equal(req()->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(top_attrs().count, 0);
	assert_string_equal(out_text,
		"service 192.0.2.1:80/tcp\n"
		"BACKEND               STATE    WEIGHT  PCT    EFF   ACTIVE INACTIVE      TOTAL      PKTS_IN     PKTS_OUT       BYTES_IN      BYTES_OUT\n"
		"10.0.0.2:80           up            1  100      1        1        2          3           10            9           1000            900\n"
		"10.0.0.3:80           draining      0  100      0        1        2          4           10            9           1000            900\n");
}

static void list_groups_backends_by_service(void **state)
{
	(void)state;
	add_backend_reply("10.0.0.2", 80, L4LB_BE_STATE_UP, false, 1, 3);
	reply_proto = IPPROTO_UDP;
	add_backend_reply("10.0.0.2", 80, L4LB_BE_STATE_DOWN, false, 1, 4);
	assert_int_equal(run(cmd_list, false, ""), RC_OK);
	assert_string_equal(out_text,
		"service 192.0.2.1:80/tcp\n"
		"BACKEND               STATE    WEIGHT  PCT    EFF   ACTIVE INACTIVE      TOTAL      PKTS_IN     PKTS_OUT       BYTES_IN      BYTES_OUT\n"
		"10.0.0.2:80           up            1  100      1        1        2          3           10            9           1000            900\n"
		"\n"
		"service 192.0.2.1:80/udp\n"
		"BACKEND               STATE    WEIGHT  PCT    EFF   ACTIVE INACTIVE      TOTAL      PKTS_IN     PKTS_OUT       BYTES_IN      BYTES_OUT\n"
		"10.0.0.2:80           down          1  100      1        1        2          4           10            9           1000            900\n");
}

static void list_service_sends_the_selector(void **state)
{
	struct attrs svc;

	(void)state;
	reply_proto = IPPROTO_UDP;
	add_backend_reply("10.0.0.2", 80, L4LB_BE_STATE_UP, false, 1, 3);
	assert_int_equal(run(cmd_list, true, "service 192.0.2.1:80/udp"), RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_BACKEND_GET);
	assert_int_equal(req()->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(top_attrs().count, 1);
	svc = nest_attrs(L4LB_ATTR_SERVICE);
	assert_int_equal(svc.count, 4);
	assert_int_equal(mnl_attr_get_u32(svc.tb[L4LB_SVC_ATTR_VIP]),
			 inet_addr("192.0.2.1"));
	assert_int_equal(mnl_attr_get_u16(svc.tb[L4LB_SVC_ATTR_PORT]), htons(80));
	assert_int_equal(mnl_attr_get_u8(svc.tb[L4LB_SVC_ATTR_PROTO]), IPPROTO_UDP);
	assert_string_equal(out_text,
		"[{\"backend\":\"10.0.0.2:80\",\"state\":\"up\",\"weight\":1,"
		"\"weight_pct\":100,\"weight_eff\":1,"
		"\"active\":1,\"inactive\":2,\"total\":3,\"pkts_in\":10,"
		"\"pkts_out\":9,\"bytes_in\":1000,\"bytes_out\":900,"
		"\"vip\":\"192.0.2.1\",\"vport\":80,\"proto\":\"udp\"}]\n");
}

static void list_shows_configured_and_effective_weight(void **state)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	(void)state;
	add_backend_reply("10.0.0.2", 80, L4LB_BE_STATE_UP, false, 4, 3);
	/* The same reply with a weight percentage of 25: effective 1. */
	nlh = new_reply(L4LB_CMD_BACKEND_GET);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_ADDR, inet_addr("10.0.0.3"));
	mnl_attr_put_u16(nlh, L4LB_BE_ATTR_PORT, htons(80));
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_WEIGHT, 4);
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_WEIGHT_PCT, 25);
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_WEIGHT_EFF, 1);
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_VIP, inet_addr("192.0.2.1"));
	mnl_attr_put_u16(nlh, L4LB_SVC_ATTR_PORT, htons(80));
	mnl_attr_put_u8(nlh, L4LB_SVC_ATTR_PROTO, IPPROTO_TCP);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(run(cmd_list, true, ""), RC_OK);
	assert_non_null(strstr(out_text,
		"\"backend\":\"10.0.0.2:80\",\"state\":\"up\",\"weight\":4,"
		"\"weight_pct\":100,\"weight_eff\":4,"));
	assert_non_null(strstr(out_text,
		"\"backend\":\"10.0.0.3:80\",\"state\":\"up\",\"weight\":4,"
		"\"weight_pct\":25,\"weight_eff\":1,"));
}

static void list_json_is_an_array_of_backends(void **state)
{
	(void)state;
	add_backend_reply("10.0.0.2", 80, L4LB_BE_STATE_DOWN, false, 2, 3);
	assert_int_equal(run(cmd_list, true, ""), RC_OK);
	assert_string_equal(out_text,
		"[{\"backend\":\"10.0.0.2:80\",\"state\":\"down\",\"weight\":2,"
		"\"weight_pct\":100,\"weight_eff\":2,"
		"\"active\":1,\"inactive\":2,\"total\":3,\"pkts_in\":10,"
		"\"pkts_out\":9,\"bytes_in\":1000,\"bytes_out\":900,"
		"\"vip\":\"192.0.2.1\",\"vport\":80,\"proto\":\"tcp\"}]\n");
}

static void list_prints_nothing_when_the_kernel_fails(void **state)
{
	(void)state;
	fake_fail(RC_PERM);
	assert_int_equal(run(cmd_list, true, ""), RC_PERM);
	assert_string_equal(out_text, "");
}

static void list_refuses_a_malformed_backend(void **state)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	(void)state;
	nlh = new_reply(L4LB_CMD_BACKEND_GET);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);
	mnl_attr_put_u16(nlh, L4LB_BE_ATTR_ADDR, 1);	/* be32 as 2 bytes */
	mnl_attr_put_u16(nlh, L4LB_BE_ATTR_PORT, htons(80));
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(run(cmd_list, false, ""), RC_KERNEL);
	assert_string_equal(out_text, "");
	/* (The error line is nl_talk()'s, here the fake's.) */
}

static void nat_dumps_rows(void **state)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	(void)state;
	nlh = new_reply(L4LB_CMD_CONN_GET);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_CONN);
	mnl_attr_put_u8(nlh, L4LB_CONN_ATTR_PROTO, IPPROTO_TCP);
	mnl_attr_put_u32(nlh, L4LB_CONN_ATTR_CLIENT_ADDR, inet_addr("198.51.100.7"));
	mnl_attr_put_u16(nlh, L4LB_CONN_ATTR_CLIENT_PORT, htons(51234));
	mnl_attr_put_u32(nlh, L4LB_CONN_ATTR_VIP_ADDR, inet_addr("192.0.2.1"));
	mnl_attr_put_u16(nlh, L4LB_CONN_ATTR_VIP_PORT, htons(80));
	mnl_attr_put_u32(nlh, L4LB_CONN_ATTR_LOCAL_ADDR, inet_addr("10.0.0.1"));
	mnl_attr_put_u16(nlh, L4LB_CONN_ATTR_LOCAL_PORT, htons(40001));
	mnl_attr_put_u32(nlh, L4LB_CONN_ATTR_BACKEND_ADDR, inet_addr("10.0.0.2"));
	mnl_attr_put_u16(nlh, L4LB_CONN_ATTR_BACKEND_PORT, htons(80));
	mnl_attr_put_u8(nlh, L4LB_CONN_ATTR_STATE, L4LB_CONN_TIME_WAIT);
	mnl_attr_put_u32(nlh, L4LB_CONN_ATTR_EXPIRES, 7);
	mnl_attr_nest_end(nlh, nest);

	assert_int_equal(run(cmd_nat, false, ""), RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_CONN_GET);
	assert_int_equal(req()->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_string_equal(out_text,
		"PROTO CLIENT                VIP                   LOCAL                 BACKEND               STATE       EXPIRES\n"
		"TCP   198.51.100.7:51234    192.0.2.1:80          10.0.0.1:40001        10.0.0.2:80           TIME_WAIT         7\n");
}

/* STATS_GET: CONNS 7, CONN_MAX 1024, CONNS_CREATED 99, DROP_NO_ROUTE 1. */
static void add_stats_reply(void)
{
	put_few_stats(new_reply(L4LB_CMD_STATS_GET), 7, 99);
}

static void count_prints_the_table_length(void **state)
{
	(void)state;
	add_stats_reply();
	assert_int_equal(run(cmd_count, false, ""), RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_STATS_GET);
	assert_int_equal(req()->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_string_equal(out_text, "7\n");
}

static void stats_prints_every_counter_sent(void **state)
{
	(void)state;
	add_stats_reply();
	assert_int_equal(run(cmd_stats, false, ""), RC_OK);
	assert_string_equal(out_text, "conns 7\nconn_max 1024\n"
			    "conns_created 99\ndrop_no_route 1\n");
	reset(NULL);
	add_stats_reply();
	assert_int_equal(run(cmd_stats, true, ""), RC_OK);
	assert_string_equal(out_text, "{\"conns\":7,\"conn_max\":1024,"
			    "\"conns_created\":99,\"drop_no_route\":1}\n");
}

static void stats_without_reply_is_an_error(void **state)
{
	(void)state;
	assert_int_equal(run(cmd_stats, false, ""), RC_KERNEL);
	assert_string_equal(out_text, "");
	assert_string_equal(err_text,
			    "l4lbctl: invalid reply from kernel: no statistics\n");
}

static void service_set_sends_every_setting(void **state)
{
	struct attrs svc;

	(void)state;
	assert_int_equal(run(cmd_service, false,
			     "set vip 192.0.2.1 port 443 proto udp scheduler rr "
			     "snat 10.0.0.1 timeout tcp 900 timeout tcpfin 10 "
			     "timeout tcpclose 3 timeout udp 30 "
			     "timeout udpunreplied 20 timeout syn 5 "
			     "persistence 60 client-addr toa"),
			 RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_SERVICE_SET);
	assert_int_equal(req()->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	svc = nest_attrs(L4LB_ATTR_SERVICE);
	assert_int_equal(svc.count, 14);
	assert_int_equal(mnl_attr_get_u16(svc.tb[L4LB_SVC_ATTR_AF]), AF_INET);
	assert_int_equal(mnl_attr_get_u32(svc.tb[L4LB_SVC_ATTR_VIP]),
			 inet_addr("192.0.2.1"));
	assert_int_equal(mnl_attr_get_u16(svc.tb[L4LB_SVC_ATTR_PORT]), htons(443));
	assert_int_equal(mnl_attr_get_u8(svc.tb[L4LB_SVC_ATTR_PROTO]), IPPROTO_UDP);
	assert_string_equal(mnl_attr_get_str(svc.tb[L4LB_SVC_ATTR_SCHED]), "rr");
	assert_int_equal(mnl_attr_get_u32(svc.tb[L4LB_SVC_ATTR_SNAT_ADDR]),
			 inet_addr("10.0.0.1"));
	assert_int_equal(mnl_attr_get_u32(svc.tb[L4LB_SVC_ATTR_TIMEOUT_TCP]), 900);
	assert_int_equal(mnl_attr_get_u32(svc.tb[L4LB_SVC_ATTR_TIMEOUT_TCP_FIN]), 10);
	assert_int_equal(mnl_attr_get_u32(svc.tb[L4LB_SVC_ATTR_TIMEOUT_TCP_CLOSE]), 3);
	assert_int_equal(mnl_attr_get_u32(svc.tb[L4LB_SVC_ATTR_TIMEOUT_UDP]), 30);
	assert_int_equal(mnl_attr_get_u32(svc.tb[L4LB_SVC_ATTR_TIMEOUT_UDP_UNREPLIED]), 20);
	assert_int_equal(mnl_attr_get_u32(svc.tb[L4LB_SVC_ATTR_TIMEOUT_SYN]), 5);
	assert_int_equal(mnl_attr_get_u32(svc.tb[L4LB_SVC_ATTR_PERSISTENCE]), 60);
	assert_int_equal(mnl_attr_get_u8(svc.tb[L4LB_SVC_ATTR_CLIENT_ADDR]),
			 L4LB_CLIENT_ADDR_TOA);
}

static void service_set_snat_auto_sends_zero(void **state)
{
	struct attrs svc;

	(void)state;
	assert_int_equal(run(cmd_service, false, "set vip 10.0.0.1 snat auto"),
			 RC_OK);
	svc = nest_attrs(L4LB_ATTR_SERVICE);
	assert_int_equal(svc.count, 3);
	assert_int_equal(mnl_attr_get_u16(svc.tb[L4LB_SVC_ATTR_AF]), AF_INET);
	assert_int_equal(mnl_attr_get_u32(svc.tb[L4LB_SVC_ATTR_SNAT_ADDR]), 0);
}

static void service_set_snat_auto_alone_sends_an_empty_pool(void **state)
{
	struct attrs svc;

	(void)state;
	/* No address, no family: the only service, IPv4 or IPv6. */
	assert_int_equal(run(cmd_service, false, "set snat auto"), RC_OK);
	svc = nest_attrs(L4LB_ATTR_SERVICE);
	assert_int_equal(svc.count, 1);
	assert_null(svc.tb[L4LB_SVC_ATTR_AF]);
	assert_int_equal(mnl_attr_get_payload_len(svc.tb[L4LB_SVC_ATTR_SNAT_POOL]),
			 0);
}

static void service_set_snat_pool_sends_its_addresses(void **state)
{
	const struct nlattr *a;
	struct attrs svc;
	uint32_t got[4];
	int n = 0;

	(void)state;
	assert_int_equal(run(cmd_service, false,
			     "set vip 192.0.2.1 snat 10.0.1.250-10.0.1.251,10.0.2.9"),
			 RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_SERVICE_SET);
	svc = nest_attrs(L4LB_ATTR_SERVICE);
	assert_int_equal(svc.count, 3);
	assert_null(svc.tb[L4LB_SVC_ATTR_SNAT_ADDR]);
	assert_non_null(svc.tb[L4LB_SVC_ATTR_SNAT_POOL]);
	assert_true(svc.tb[L4LB_SVC_ATTR_SNAT_POOL]->nla_type & NLA_F_NESTED);
	mnl_attr_for_each_nested(a, svc.tb[L4LB_SVC_ATTR_SNAT_POOL]) {
		assert_int_equal(mnl_attr_get_type(a), L4LB_SNAT_ATTR_ADDR);
		assert_true(n < 4);
		got[n++] = mnl_attr_get_u32(a);
	}
	assert_int_equal(n, 3);
	assert_int_equal(got[0], inet_addr("10.0.1.250"));
	assert_int_equal(got[1], inet_addr("10.0.1.251"));
	assert_int_equal(got[2], inet_addr("10.0.2.9"));

	/* One address goes as SNAT_ADDR, which older modules read too. */
	assert_int_equal(run(cmd_service, false, "set snat 10.0.1.250"), RC_OK);
	svc = nest_attrs(L4LB_ATTR_SERVICE);
	assert_int_equal(svc.count, 2);
	assert_int_equal(mnl_attr_get_u32(svc.tb[L4LB_SVC_ATTR_SNAT_ADDR]),
			 inet_addr("10.0.1.250"));
}

static void service_set_bad_snat_sends_nothing(void **state)
{
	(void)state;
	assert_int_equal(run(cmd_service, false,
			     "set snat 10.0.1.253-10.0.1.250"), RC_USAGE);
	assert_int_equal(fake.requests, 0);
	assert_string_equal(out_text, "");
	assert_string_equal(err_text,
			    "l4lbctl: invalid snat \"10.0.1.253-10.0.1.250\": "
			    "a range ends below its start\n");
}

/* The addresses of the PEERS nest of the request, as "a.b.c.d " words. */
static void sent_peers(char *out, size_t size)
{
	struct attrs svc = nest_attrs(L4LB_ATTR_SERVICE);
	const struct nlattr *a;
	size_t len = 0;

	assert_non_null(svc.tb[L4LB_SVC_ATTR_PEERS]);
	assert_true(svc.tb[L4LB_SVC_ATTR_PEERS]->nla_type & NLA_F_NESTED);
	out[0] = '\0';
	mnl_attr_for_each_nested(a, svc.tb[L4LB_SVC_ATTR_PEERS]) {
		struct in_addr in = { .s_addr = mnl_attr_get_u32(a) };

		assert_int_equal(mnl_attr_get_type(a), L4LB_PEER_ATTR_ADDR);
		assert_int_equal(mnl_attr_get_payload_len(a), 4);
		len += snprintf(out + len, size - len, "%s ", inet_ntoa(in));
	}
}

static void service_set_peers_sends_a_nest(void **state)
{
	char words[512];

	(void)state;
	assert_int_equal(run(cmd_service, false,
			     "set vip 192.0.2.1 peers 10.0.0.12,10.0.0.11"),
			 RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_SERVICE_SET);
	assert_int_equal(nest_attrs(L4LB_ATTR_SERVICE).count, 3);
	sent_peers(words, sizeof(words));
	assert_string_equal(words, "10.0.0.12 10.0.0.11 ");

	/* A range, expanded. */
	assert_int_equal(run(cmd_service, false,
			     "set peers 10.0.0.11-10.0.0.13"), RC_OK);
	sent_peers(words, sizeof(words));
	assert_string_equal(words, "10.0.0.11 10.0.0.12 10.0.0.13 ");

	/* "none": an empty nest, which empties the list. */
	assert_int_equal(run(cmd_service, false, "set peers none"), RC_OK);
	assert_int_equal(nest_attrs(L4LB_ATTR_SERVICE).count, 2);
	sent_peers(words, sizeof(words));
	assert_string_equal(words, "");
	assert_int_equal(mnl_attr_get_payload_len(
		nest_attrs(L4LB_ATTR_SERVICE).tb[L4LB_SVC_ATTR_PEERS]), 0);

	/* Not given: not sent. */
	assert_int_equal(run(cmd_service, false, "set persistence 5"), RC_OK);
	assert_null(nest_attrs(L4LB_ATTR_SERVICE).tb[L4LB_SVC_ATTR_PEERS]);
}

static void service_set_bad_peers_sends_nothing(void **state)
{
	static const struct {
		const char *args, *err;
	} bad[] = {
		{ "set peers 10.0.0.1,10.0.0.1",
		  "invalid peers \"10.0.0.1,10.0.0.1\": an address is given twice" },
		{ "set peers 10.0.0.1-10.0.0.17",
		  "invalid peers \"10.0.0.1-10.0.0.17\": more than 16 addresses" },
		{ "set peers 10.0.0.x",
		  "invalid peers \"10.0.0.x\" (expected none, or IP[,IP...])" },
		{ "set peers 239.0.0.1",
		  "invalid peers \"239.0.0.1\": 0.0.0.0 or a multicast address" },
		{ "set peers",
		  "missing value after \"peers\"" },
		{ "set peers none peers 10.0.0.1",
		  "\"peers\" given twice" },
	};
	char want[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		reset(NULL);
		assert_int_equal(run(cmd_service, false, bad[i].args), RC_USAGE);
		assert_int_equal(fake.requests, 0);
		assert_string_equal(out_text, "");
		snprintf(want, sizeof(want), "l4lbctl: %s\n", bad[i].err);
		assert_string_equal(err_text, want);
	}
}

/* A SERVICE_GET reply for 192.0.2.1:80/tcp with @n peers from 10.0.0.11. */
static void add_peers_service_reply(unsigned int n)
{
	put_svc_peers(new_reply(L4LB_CMD_SERVICE_GET), "192.0.2.1", 80,
		      IPPROTO_TCP, 0x0a00000b, n);
}

static void service_show_prints_peers(void **state)
{
	(void)state;
	add_peers_service_reply(2);
	add_peers_service_reply(0);
	assert_int_equal(run(cmd_service, false, ""), RC_OK);
	assert_string_equal(out_text,
		"service 192.0.2.1:80/tcp\nvip 192.0.2.1\nport 80\nproto tcp\n"
		"peers 10.0.0.11,10.0.0.12\n"
		"\n"
		"service 192.0.2.1:80/tcp\nvip 192.0.2.1\nport 80\nproto tcp\n"
		"peers none\n");

	reset(NULL);
	add_peers_service_reply(2);
	add_peers_service_reply(0);
	assert_int_equal(run(cmd_service, true, "show"), RC_OK);
	assert_string_equal(out_text,
		"[{\"vip\":\"192.0.2.1\",\"port\":80,\"proto\":\"tcp\","
		"\"peers\":[\"10.0.0.11\",\"10.0.0.12\"]},"
		"{\"vip\":\"192.0.2.1\",\"port\":80,\"proto\":\"tcp\","
		"\"peers\":[]}]\n");
}

/* A SERVICE_GET reply for 192.0.2.1:80/tcp with a pool of two, 20 rows
 * on each address and 1 refused, as the module builds it.
 */
static void add_pooled_service_reply(void)
{
	struct nlmsghdr *nlh = new_reply(L4LB_CMD_SERVICE_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	static const char *const addrs[] = { "10.0.1.250", "10.0.1.251" };
	struct nlattr *pool, *usage;
	unsigned int i;

	put_svc_fields(nlh, "192.0.2.1", 80, IPPROTO_TCP);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_SNAT_ADDR, inet_addr(addrs[0]));
	pool = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_SNAT_POOL);
	for (i = 0; i < 2; i++)
		mnl_attr_put_u32(nlh, L4LB_SNAT_ATTR_ADDR, inet_addr(addrs[i]));
	mnl_attr_nest_end(nlh, pool);
	put_u64_pad(nlh, L4LB_SVC_ATTR_SNAT_FAIL, 1, L4LB_SVC_ATTR_PAD);
	usage = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_SNAT_USAGE);
	for (i = 0; i < 2; i++) {
		struct nlattr *entry = mnl_attr_nest_start(nlh,
							   L4LB_SNAT_ATTR_ENTRY);

		mnl_attr_put_u32(nlh, L4LB_SNAT_ATTR_ADDR, inet_addr(addrs[i]));
		mnl_attr_put_u32(nlh, L4LB_SNAT_ATTR_PORTS_IN_USE, 20);
		mnl_attr_nest_end(nlh, entry);
	}
	mnl_attr_nest_end(nlh, usage);
	mnl_attr_nest_end(nlh, nest);
}

static void service_show_prints_snat_pool_usage_and_failures(void **state)
{
	(void)state;
	add_pooled_service_reply();
	assert_int_equal(run(cmd_service, false, ""), RC_OK);
	assert_string_equal(out_text,
		"service 192.0.2.1:80/tcp\nvip 192.0.2.1\nport 80\nproto tcp\n"
		"snat 10.0.1.250-10.0.1.251\n"
		"snat_usage 10.0.1.250=20 10.0.1.251=20\nsnat_fail 1\n");

	reset(NULL);
	add_pooled_service_reply();
	assert_int_equal(run(cmd_service, true, "show"), RC_OK);
	assert_string_equal(out_text,
		"[{\"vip\":\"192.0.2.1\",\"port\":80,\"proto\":\"tcp\","
		"\"snat\":\"10.0.1.250-10.0.1.251\","
		"\"snat_pool\":[\"10.0.1.250\",\"10.0.1.251\"],"
		"\"snat_usage\":[{\"address\":\"10.0.1.250\",\"ports_in_use\":20},"
		"{\"address\":\"10.0.1.251\",\"ports_in_use\":20}],"
		"\"snat_fail\":1}]\n");
}

/* A SERVICE_GET reply for 192.0.2.1:80/@proto, as the module builds it. */
static void add_service_reply(uint8_t proto)
{
	struct nlmsghdr *nlh = new_reply(L4LB_CMD_SERVICE_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);

	put_svc_fields(nlh, "192.0.2.1", 80, proto);
	mnl_attr_put_strz(nlh, L4LB_SVC_ATTR_SCHED, "rr");
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_SNAT_ADDR, 0);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_PERSISTENCE, 0);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_CONN_MAX, 4096);
	mnl_attr_nest_end(nlh, nest);
}

static void service_dumps_every_service(void **state)
{
	(void)state;
	add_service_reply(IPPROTO_TCP);
	assert_int_equal(run(cmd_service, true, ""), RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_SERVICE_GET);
	assert_int_equal(req()->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(top_attrs().count, 0);
	assert_string_equal(out_text,
		"[{\"vip\":\"192.0.2.1\",\"port\":80,\"proto\":\"tcp\","
		"\"scheduler\":\"rr\",\"snat\":\"auto\",\"persistence\":0,"
		"\"conn_max\":4096}]\n");

	/* "service show" is the same request; two services, two blocks. */
	reset(NULL);
	add_service_reply(IPPROTO_TCP);
	add_service_reply(IPPROTO_UDP);
	assert_int_equal(run(cmd_service, false, "show"), RC_OK);
	assert_int_equal(req()->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_string_equal(out_text,
		"service 192.0.2.1:80/tcp\nvip 192.0.2.1\nport 80\nproto tcp\n"
		"scheduler rr\nsnat auto\npersistence 0\nconn_max 4096\n"
		"\n"
		"service 192.0.2.1:80/udp\nvip 192.0.2.1\nport 80\nproto udp\n"
		"scheduler rr\nsnat auto\npersistence 0\nconn_max 4096\n");
}

static void service_dump_of_none_is_empty(void **state)
{
	(void)state;
	assert_int_equal(run(cmd_service, true, ""), RC_OK);
	assert_string_equal(out_text, "[]\n");
	assert_int_equal(run(cmd_service, false, ""), RC_OK);
	assert_string_equal(out_text, "");
	assert_string_equal(err_text, "");
}

static void service_show_sel_gets_the_one_selected(void **state)
{
	struct attrs svc;

	(void)state;
	add_service_reply(IPPROTO_UDP);
	assert_int_equal(run(cmd_service, true, "show 192.0.2.1/udp"), RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_SERVICE_GET);
	assert_int_equal(req()->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	svc = nest_attrs(L4LB_ATTR_SERVICE);
	assert_int_equal(svc.count, 3);
	assert_int_equal(mnl_attr_get_u32(svc.tb[L4LB_SVC_ATTR_VIP]),
			 inet_addr("192.0.2.1"));
	assert_null(svc.tb[L4LB_SVC_ATTR_PORT]);
	assert_int_equal(mnl_attr_get_u8(svc.tb[L4LB_SVC_ATTR_PROTO]), IPPROTO_UDP);
	/* Printed like a dump of one: an array. */
	assert_string_equal(out_text,
		"[{\"vip\":\"192.0.2.1\",\"port\":80,\"proto\":\"udp\","
		"\"scheduler\":\"rr\",\"snat\":\"auto\",\"persistence\":0,"
		"\"conn_max\":4096}]\n");

	/* The kernel acked without the service. */
	reset(NULL);
	assert_int_equal(run(cmd_service, false, "show 192.0.2.1"), RC_KERNEL);
	assert_string_equal(out_text, "");
	assert_string_equal(err_text,
			    "l4lbctl: invalid reply from kernel: no service\n");
}

static void service_del_sends_the_selector(void **state)
{
	struct attrs svc;

	(void)state;
	assert_int_equal(run(cmd_service, false, "del 10.0.0.1:20000/udp"), RC_OK);
	assert_string_equal(out_text, "");
	assert_string_equal(err_text, "");
	assert_int_equal(req_cmd(), L4LB_CMD_SERVICE_DEL);
	assert_int_equal(req()->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(top_attrs().count, 1);
	svc = nest_attrs(L4LB_ATTR_SERVICE);
	assert_int_equal(svc.count, 4);
	assert_int_equal(mnl_attr_get_u16(svc.tb[L4LB_SVC_ATTR_AF]), AF_INET);
	assert_int_equal(mnl_attr_get_u32(svc.tb[L4LB_SVC_ATTR_VIP]),
			 inet_addr("10.0.0.1"));
	assert_int_equal(mnl_attr_get_u16(svc.tb[L4LB_SVC_ATTR_PORT]), htons(20000));
	assert_int_equal(mnl_attr_get_u8(svc.tb[L4LB_SVC_ATTR_PROTO]), IPPROTO_UDP);

	assert_int_equal(run(cmd_service, false, "delete 10.0.0.1:20000"), RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_SERVICE_DEL);
	svc = nest_attrs(L4LB_ATTR_SERVICE);
	assert_int_equal(svc.count, 3);
	assert_null(svc.tb[L4LB_SVC_ATTR_PROTO]);
}

static void service_del_passes_the_kernel_error_on(void **state)
{
	(void)state;
	fake_fail(RC_KERNEL);
	assert_int_equal(run(cmd_service, false, "del 10.0.0.1"), RC_KERNEL);
	assert_string_equal(out_text, "");
	assert_int_equal(fake.requests, 1);
}

static void flush_sends_no_attributes(void **state)
{
	(void)state;
	assert_int_equal(run(cmd_flush, false, ""), RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_FLUSH);
	assert_int_equal(req()->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(top_attrs().count, 0);
}

static void flush_service_sends_the_selector(void **state)
{
	struct attrs svc;

	(void)state;
	assert_int_equal(run(cmd_flush, false, "service 10.0.0.1/udp"), RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_FLUSH);
	assert_int_equal(top_attrs().count, 1);
	svc = nest_attrs(L4LB_ATTR_SERVICE);
	assert_int_equal(svc.count, 3);
	assert_int_equal(mnl_attr_get_u32(svc.tb[L4LB_SVC_ATTR_VIP]),
			 inet_addr("10.0.0.1"));
	assert_null(svc.tb[L4LB_SVC_ATTR_PORT]);
	assert_int_equal(mnl_attr_get_u8(svc.tb[L4LB_SVC_ATTR_PROTO]), IPPROTO_UDP);
}

static void backend_commands_take_service_among_their_keywords(void **state)
{
	struct attrs top, svc, be;

	(void)state;
	assert_int_equal(run(cmd_add, false,
			     "10.0.1.1:10100 service 10.0.0.1:20000/udp weight 5"),
			 RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_BACKEND_ADD);
	top = top_attrs();
	assert_int_equal(top.count, 2);
	be = nest_attrs(L4LB_ATTR_BACKEND);
	assert_int_equal(be.count, 4);
	assert_int_equal(mnl_attr_get_u32(be.tb[L4LB_BE_ATTR_WEIGHT]), 5);
	svc = nest_attrs(L4LB_ATTR_SERVICE);
	assert_int_equal(svc.count, 4);
	assert_int_equal(mnl_attr_get_u8(svc.tb[L4LB_SVC_ATTR_PROTO]), IPPROTO_UDP);
	/* A selector changes no setting of the service. */
	assert_null(svc.tb[L4LB_SVC_ATTR_SCHED]);

	assert_int_equal(run(cmd_remove, false,
			     "10.0.1.1:10100 --now service 10.0.0.1/udp"), RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_BACKEND_DEL);
	top = top_attrs();
	assert_int_equal(top.count, 3);
	assert_int_equal(mnl_attr_get_u32(top.tb[L4LB_ATTR_FLAGS]), L4LB_F_NOW);
	assert_int_equal(nest_attrs(L4LB_ATTR_SERVICE).count, 3);

	assert_int_equal(run(cmd_set, false,
			     "10.0.1.1:10100 down service 10.0.0.1 weight 0"), RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_BACKEND_SET);
	be = nest_attrs(L4LB_ATTR_BACKEND);
	assert_int_equal(mnl_attr_get_u8(be.tb[L4LB_BE_ATTR_STATE]),
			 L4LB_BE_STATE_DOWN);
	assert_int_equal(mnl_attr_get_u32(be.tb[L4LB_BE_ATTR_WEIGHT]), 0);
	svc = nest_attrs(L4LB_ATTR_SERVICE);
	assert_int_equal(svc.count, 2);
	assert_int_equal(mnl_attr_get_u32(svc.tb[L4LB_SVC_ATTR_VIP]),
			 inet_addr("10.0.0.1"));
}

static void bad_selectors_send_nothing(void **state)
{
	(void)state;
	assert_int_equal(run(cmd_add, false, "10.0.0.2:80 service 10.0.0.1:0/udp"),
			 RC_USAGE);
	assert_string_equal(err_text,
		"l4lbctl: invalid service \"10.0.0.1:0/udp\" (expected VIP[:PORT][/tcp|/udp])\n");
	assert_int_equal(run(cmd_remove, false, "10.0.0.2:80 service 10.0.0.1/sctp"),
			 RC_USAGE);
	assert_string_equal(err_text,
		"l4lbctl: invalid service \"10.0.0.1/sctp\" (expected VIP[:PORT][/tcp|/udp])\n");
	assert_int_equal(run(cmd_set, false, "10.0.0.2:80 up service"), RC_USAGE);
	assert_string_equal(err_text, "l4lbctl: missing value after \"service\"\n");
	assert_int_equal(run(cmd_list, false, "service 10.0.0.1 service 10.0.0.1"),
			 RC_USAGE);
	assert_string_equal(err_text, "l4lbctl: \"service\" given twice\n");
	assert_int_equal(run(cmd_flush, false, "service 10.0.0.1:"), RC_USAGE);
	assert_string_equal(err_text,
		"l4lbctl: invalid service \"10.0.0.1:\" (expected VIP[:PORT][/tcp|/udp])\n");
	assert_int_equal(run(cmd_service, false, "del"), RC_USAGE);
	assert_string_equal(err_text,
		"l4lbctl: missing service (VIP[:PORT][/tcp|/udp])\n");
	assert_int_equal(run(cmd_service, false, "del 10.0.0.1 10.0.0.2"), RC_USAGE);
	assert_string_equal(err_text, "l4lbctl: unknown argument \"10.0.0.2\"\n");
	assert_int_equal(run(cmd_service, false, "show 10.0.0.1:20000/UDP"), RC_USAGE);
	assert_string_equal(err_text,
		"l4lbctl: invalid service \"10.0.0.1:20000/UDP\" (expected VIP[:PORT][/tcp|/udp])\n");
	assert_int_equal(run(cmd_service, false, "show 10.0.0.1 x"), RC_USAGE);
	assert_string_equal(err_text, "l4lbctl: unknown argument \"x\"\n");
	assert_int_equal(run(cmd_service, false, "remove 10.0.0.1"), RC_USAGE);
	assert_string_equal(err_text,
		"l4lbctl: unknown service command \"remove\" (expected show, set or del)\n");
	assert_string_equal(out_text, "");
	assert_int_equal(fake.requests, 0);
}

static void usage_errors_send_nothing(void **state)
{
	(void)state;
	assert_int_equal(run(cmd_add, false, "10.0.0.2:80 weight 70000"), RC_USAGE);
	assert_string_equal(err_text, "l4lbctl: invalid weight \"70000\" (expected 0-65535)\n");
	assert_int_equal(run(cmd_set, false, "10.0.0.2:80"), RC_USAGE);
	assert_string_equal(err_text, "l4lbctl: missing weight N, weight-pct N or up|down|drain\n");
	assert_int_equal(run(cmd_service, false, "set"), RC_USAGE);
	assert_string_equal(err_text, "l4lbctl: service set: nothing to set\n");
	assert_int_equal(run(cmd_list, false, "x"), RC_USAGE);
	assert_string_equal(err_text, "l4lbctl: unknown argument \"x\"\n");
	assert_string_equal(out_text, "");
	assert_int_equal(fake.requests, 0);
}

/*
 * Run @old_args with @old_fn, then @new_args with @new_fn, as text and as
 * JSON: the same requests, output, errors and exit codes.
 */
static void expect_same(int (*new_fn)(const struct ctl *, int, char **),
			const char *new_args,
			int (*old_fn)(const struct ctl *, int, char **),
			const char *old_args)
{
	static char req1[NL_TX_SIZE], out1[sizeof(out_text)],
		    err1[sizeof(err_text)];
	int json;

	for (json = 0; json < 2; json++) {
		int rc1, requests1;

		fake_forget_requests();
		rc1 = run(old_fn, json, old_args);
		requests1 = fake.requests;
		memcpy(req1, req(), sizeof(req1));
		memcpy(out1, out_text, sizeof(out1));
		memcpy(err1, err_text, sizeof(err1));

		fake_forget_requests();
		assert_int_equal(run(new_fn, json, new_args), rc1);
		assert_int_equal(fake.requests, requests1);
		assert_memory_equal(req(), req1, sizeof(req1));
		assert_string_equal(out_text, out1);
		assert_string_equal(err_text, err1);
	}
}

static void backend_forms_do_what_the_verbs_do(void **state)
{
	(void)state;
	expect_same(cmd_backend, "add 10.0.0.2:80 weight 5 service 10.0.0.1/udp",
		    cmd_add, "10.0.0.2:80 weight 5 service 10.0.0.1/udp");
	expect_same(cmd_backend, "del 10.0.0.2:80 --now",
		    cmd_remove, "10.0.0.2:80 --now");
	expect_same(cmd_backend, "delete 10.0.0.2:80 service 10.0.0.1",
		    cmd_remove, "10.0.0.2:80 service 10.0.0.1");
	expect_same(cmd_backend, "set 10.0.0.2:80 weight 0 up",
		    cmd_set, "10.0.0.2:80 weight 0 up");
	expect_same(cmd_backend, "set 10.0.0.2:80", cmd_set, "10.0.0.2:80");
	add_backend_reply("10.0.0.2", 80, L4LB_BE_STATE_UP, false, 1, 3);
	add_backend_reply("10.0.0.3", 80, L4LB_BE_STATE_DRAIN, true, 0, 4);
	expect_same(cmd_backend, "show", cmd_list, "");
	expect_same(cmd_backend, "", cmd_list, "");
	expect_same(cmd_backend, "show service 192.0.2.1:80/tcp",
		    cmd_list, "service 192.0.2.1:80/tcp");
}

static void conn_forms_do_what_the_verbs_do(void **state)
{
	(void)state;
	expect_same(cmd_conn, "show", cmd_nat, "");
	expect_same(cmd_conn, "", cmd_nat, "");
	expect_same(cmd_conn, "show x", cmd_nat, "x");
	expect_same(cmd_conn, "flush", cmd_flush, "");
	expect_same(cmd_conn, "flush service 10.0.0.1/udp",
		    cmd_flush, "service 10.0.0.1/udp");
	expect_same(cmd_conn, "count", cmd_count, "");	/* no reply: error */
	add_stats_reply();
	expect_same(cmd_conn, "count", cmd_count, "");
}

static void unknown_subcommands_send_nothing(void **state)
{
	(void)state;
	assert_int_equal(run(cmd_backend, false, "remove 10.0.0.2:80"), RC_USAGE);
	assert_string_equal(err_text,
			    "l4lbctl: unknown backend command \"remove\" "
			    "(expected add, del, set or show)\n");
	assert_int_equal(run(cmd_conn, false, "nat"), RC_USAGE);
	assert_string_equal(err_text,
			    "l4lbctl: unknown conn command \"nat\" "
			    "(expected show, flush or count)\n");
	assert_string_equal(out_text, "");
	assert_int_equal(fake.requests, 0);
}

/* ---- IPv6 ---- */

/* The 16 bytes of IPv6 attribute @a are @ip. */
static void assert_addr6(const struct nlattr *a, const char *ip)
{
	struct in6_addr want;

	assert_non_null(a);
	assert_int_equal(inet_pton(AF_INET6, ip, &want), 1);
	assert_int_equal(mnl_attr_get_payload_len(a), sizeof(want));
	assert_memory_equal(mnl_attr_get_payload(a), &want, sizeof(want));
}

static void ipv6_backend_commands_send_addr6_and_their_selector(void **state)
{
	struct attrs svc, be;

	(void)state;
	assert_int_equal(run(cmd_add, false,
			     "[2001:db8:1::2]:8080 service [2001:db8::10]:443/tcp weight 2"),
			 RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_BACKEND_ADD);
	be = nest_attrs(L4LB_ATTR_BACKEND);
	assert_int_equal(be.count, 4);
	assert_int_equal(mnl_attr_get_u16(be.tb[L4LB_BE_ATTR_AF]), AF_INET6);
	assert_null(be.tb[L4LB_BE_ATTR_ADDR]);
	assert_addr6(be.tb[L4LB_BE_ATTR_ADDR6], "2001:db8:1::2");
	assert_int_equal(mnl_attr_get_u16(be.tb[L4LB_BE_ATTR_PORT]), htons(8080));
	svc = nest_attrs(L4LB_ATTR_SERVICE);
	assert_int_equal(svc.count, 4);
	assert_int_equal(mnl_attr_get_u16(svc.tb[L4LB_SVC_ATTR_AF]), AF_INET6);
	assert_null(svc.tb[L4LB_SVC_ATTR_VIP]);
	assert_addr6(svc.tb[L4LB_SVC_ATTR_VIP6], "2001:db8::10");
	assert_int_equal(mnl_attr_get_u16(svc.tb[L4LB_SVC_ATTR_PORT]), htons(443));

	/* Without "service": the only service of the backend's family. */
	assert_int_equal(run(cmd_remove, false, "[2001:db8:1::2]:8080 --now"),
			 RC_OK);
	assert_int_equal(req_cmd(), L4LB_CMD_BACKEND_DEL);
	svc = nest_attrs(L4LB_ATTR_SERVICE);
	assert_int_equal(svc.count, 1);
	assert_int_equal(mnl_attr_get_u16(svc.tb[L4LB_SVC_ATTR_AF]), AF_INET6);

	/* A bare IPv6 VIP in a selector, without its port. */
	assert_int_equal(run(cmd_set, false,
			     "[2001:db8:1::2]:8080 down service 2001:db8::10"),
			 RC_OK);
	svc = nest_attrs(L4LB_ATTR_SERVICE);
	assert_int_equal(svc.count, 2);
	assert_addr6(svc.tb[L4LB_SVC_ATTR_VIP6], "2001:db8::10");

	assert_int_equal(run(cmd_flush, false, "service [2001:db8::10]/udp"),
			 RC_OK);
	svc = nest_attrs(L4LB_ATTR_SERVICE);
	assert_int_equal(svc.count, 3);
	assert_int_equal(mnl_attr_get_u8(svc.tb[L4LB_SVC_ATTR_PROTO]),
			 IPPROTO_UDP);
	assert_string_equal(err_text, "");
}

static void ipv6_service_set_sends_vip6_and_its_pool(void **state)
{
	static const char *const want[] = { "2001:db8:1::5", "2001:db8:1::6" };
	const struct nlattr *a;
	struct attrs svc;
	int n = 0;

	(void)state;
	assert_int_equal(run(cmd_service, false,
			     "set vip 2001:db8::10 port 443 proto tcp snat 2001:db8:1::5-2001:db8:1::6"),
			 RC_OK);
	svc = nest_attrs(L4LB_ATTR_SERVICE);
	assert_int_equal(svc.count, 5);
	assert_int_equal(mnl_attr_get_u16(svc.tb[L4LB_SVC_ATTR_AF]), AF_INET6);
	assert_addr6(svc.tb[L4LB_SVC_ATTR_VIP6], "2001:db8::10");
	assert_null(svc.tb[L4LB_SVC_ATTR_SNAT_ADDR]);
	mnl_attr_for_each_nested(a, svc.tb[L4LB_SVC_ATTR_SNAT_POOL]) {
		assert_int_equal(mnl_attr_get_type(a), L4LB_SNAT_ATTR_ADDR6);
		assert_true(n < 2);
		assert_addr6(a, want[n++]);
	}
	assert_int_equal(n, 2);

	/* One address is a nest too: IPv6 has no SNAT_ADDR. */
	assert_int_equal(run(cmd_service, false, "set snat 2001:db8:1::5"),
			 RC_OK);
	svc = nest_attrs(L4LB_ATTR_SERVICE);
	assert_int_equal(svc.count, 2);
	assert_int_equal(mnl_attr_get_u16(svc.tb[L4LB_SVC_ATTR_AF]), AF_INET6);
	assert_non_null(svc.tb[L4LB_SVC_ATTR_SNAT_POOL]);

	/* A link-local VIP is for the kernel to refuse, with its message. */
	assert_int_equal(run(cmd_service, false, "set vip fe80::1"), RC_OK);
	assert_addr6(nest_attrs(L4LB_ATTR_SERVICE).tb[L4LB_SVC_ATTR_VIP6],
		     "fe80::1");
}

/* Run @args with @fn: a usage error @msg, and nothing sent. */
static void expect_usage(int (*fn)(const struct ctl *, int, char **),
			 const char *args, const char *msg)
{
	fake_forget_requests();
	assert_int_equal(run(fn, false, args), RC_USAGE);
	assert_string_equal(err_text, msg);
	assert_string_equal(out_text, "");
	assert_int_equal(fake.requests, 0);
}

static void ipv6_mixed_families_and_zones_send_nothing(void **state)
{
	(void)state;
	expect_usage(cmd_add, "[2001:db8::2]:80 service 10.0.0.1:80/tcp",
		     "l4lbctl: backend [2001:db8::2]:80 is IPv6 but service "
		     "10.0.0.1:80/tcp is IPv4 (l4lb does no NAT64)\n");
	expect_usage(cmd_set, "10.0.0.2:80 up service [2001:db8::1]:80",
		     "l4lbctl: backend 10.0.0.2:80 is IPv4 but service "
		     "[2001:db8::1]:80 is IPv6 (l4lb does no NAT64)\n");
	expect_usage(cmd_remove, "10.0.0.2:80 service 2001:db8::1/udp",
		     "l4lbctl: backend 10.0.0.2:80 is IPv4 but service "
		     "2001:db8::1/udp is IPv6 (l4lb does no NAT64)\n");
	expect_usage(cmd_service, "set vip 2001:db8::1 snat 10.0.0.5",
		     "l4lbctl: snat is IPv4 but vip 2001:db8::1 is IPv6 "
		     "(l4lb does no NAT64)\n");
	expect_usage(cmd_service, "set snat 2001:db8::5 vip 10.0.0.1",
		     "l4lbctl: snat is IPv6 but vip 10.0.0.1 is IPv4 "
		     "(l4lb does no NAT64)\n");
	expect_usage(cmd_service, "set snat 10.0.0.5,2001:db8::5",
		     "l4lbctl: invalid snat \"10.0.0.5,2001:db8::5\": "
		     "IPv4 and IPv6 addresses mixed\n");
	expect_usage(cmd_service, "set peers 2001:db8::11",
		     "l4lbctl: invalid peers \"2001:db8::11\": "
		     "peers are IPv4 addresses\n");
	expect_usage(cmd_add, "[fe80::1%eth0]:80",
		     "l4lbctl: invalid address \"[fe80::1%eth0]:80\" "
		     "(a zone index is not supported)\n");
	expect_usage(cmd_service, "set vip fe80::1%eth0",
		     "l4lbctl: invalid address \"fe80::1%eth0\" "
		     "(a zone index is not supported)\n");
	expect_usage(cmd_service, "set snat fe80::1%eth0",
		     "l4lbctl: invalid snat \"fe80::1%eth0\" "
		     "(a zone index is not supported)\n");
	expect_usage(cmd_list, "service fe80::1%eth0/tcp",
		     "l4lbctl: invalid service \"fe80::1%eth0/tcp\" "
		     "(a zone index is not supported)\n");
	expect_usage(cmd_add, "2001:db8::2:80",
		     "l4lbctl: invalid address \"2001:db8::2:80\" "
		     "(expected [IPv6]:PORT)\n");
	expect_usage(cmd_add, "[2001:db8::2]",
		     "l4lbctl: invalid address \"[2001:db8::2]\" "
		     "(expected [IPv6]:PORT)\n");
	expect_usage(cmd_add, "[2001:db8::2]:0",
		     "l4lbctl: invalid address \"[2001:db8::2]:0\"\n");
	expect_usage(cmd_service, "set vip 2001:db8:::1",
		     "l4lbctl: invalid address \"2001:db8:::1\"\n");
	expect_usage(cmd_service, "del [2001:db8::1]:80/tcp/udp",
		     "l4lbctl: invalid service \"[2001:db8::1]:80/tcp/udp\" "
		     "(expected VIP[:PORT][/tcp|/udp])\n");
}

static void ipv6_list_and_nat_print_brackets(void **state)
{
	const struct be_counters c = { 1, 2, 3, 10, 9, 1000, 900 };
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	(void)state;
	nlh = new_reply(L4LB_CMD_BACKEND_GET);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);
	put_be_fields(nlh, "2001:db8:1::2", 8080, 1, L4LB_BE_STATE_UP, false);
	put_be_counters(nlh, &c);
	mnl_attr_nest_end(nlh, nest);
	put_svc_key(nlh, "2001:db8::10", 443, IPPROTO_TCP);
	assert_int_equal(run(cmd_list, false, ""), RC_OK);
	assert_string_equal(out_text,
		"service [2001:db8::10]:443/tcp\n"
		"BACKEND               STATE    WEIGHT  PCT    EFF   ACTIVE INACTIVE      TOTAL      PKTS_IN     PKTS_OUT       BYTES_IN      BYTES_OUT\n"
		"[2001:db8:1::2]:8080  up            1  100      1        1        2          3           10            9           1000            900\n");

	reset(NULL);
	put_conn6(new_reply(L4LB_CMD_CONN_GET), 4);
	assert_int_equal(run(cmd_nat, true, ""), RC_OK);
	assert_string_equal(out_text,
		"[{\"proto\":\"TCP\",\"client\":\"[2001:db8:c::7]:51234\","
		"\"vip\":\"[2001:db8::10]:443\",\"local\":\"[2001:db8:1::1]:40001\","
		"\"backend\":\"[2001:db8:1::2]:8080\",\"state\":\"ESTABLISHED\","
		"\"expires\":899}]\n");
}

#define T(f) cmocka_unit_test_setup(f, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(add_sends_backend_add_with_weight),
		T(ipv6_backend_commands_send_addr6_and_their_selector),
		T(ipv6_service_set_sends_vip6_and_its_pool),
		T(ipv6_mixed_families_and_zones_send_nothing),
		T(ipv6_list_and_nat_print_brackets),
		T(add_without_weight_leaves_the_default_to_the_kernel),
		T(add_with_a_state_sends_it),
		T(remove_drains_by_default),
		T(remove_now_sends_flag_now),
		T(set_sends_only_what_changes),
		T(set_weight_pct_sends_only_the_percentage),
		T(bad_weight_pct_is_a_usage_error),
		T(list_shows_configured_and_effective_weight),
		T(list_dumps_backends_as_table),
		T(list_json_is_an_array_of_backends),
		T(list_groups_backends_by_service),
		T(list_service_sends_the_selector),
		T(list_prints_nothing_when_the_kernel_fails),
		T(list_refuses_a_malformed_backend),
		T(nat_dumps_rows),
		T(count_prints_the_table_length),
		T(stats_prints_every_counter_sent),
		T(stats_without_reply_is_an_error),
		T(service_set_sends_every_setting),
		T(service_set_snat_auto_sends_zero),
		T(service_set_snat_auto_alone_sends_an_empty_pool),
		T(service_set_snat_pool_sends_its_addresses),
		T(service_set_bad_snat_sends_nothing),
		T(service_show_prints_snat_pool_usage_and_failures),
		T(service_set_peers_sends_a_nest),
		T(service_set_bad_peers_sends_nothing),
		T(service_show_prints_peers),
		T(service_dumps_every_service),
		T(service_dump_of_none_is_empty),
		T(service_show_sel_gets_the_one_selected),
		T(service_del_sends_the_selector),
		T(service_del_passes_the_kernel_error_on),
		T(flush_sends_no_attributes),
		T(flush_service_sends_the_selector),
		T(backend_commands_take_service_among_their_keywords),
		T(bad_selectors_send_nothing),
		T(usage_errors_send_nothing),
		T(backend_forms_do_what_the_verbs_do),
		T(conn_forms_do_what_the_verbs_do),
		T(unknown_subcommands_send_nothing),
	};

	return cmocka_run_group_tests_name("cmd", tests, NULL, NULL);
}
