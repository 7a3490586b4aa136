// SPDX-License-Identifier: GPL-2.0
/*
 * test_event.c - "monitor" from notification to line: L4LB_CMD_EVENT
 * messages built as the kernel builds them (kmod/l4lb_event.c), decoded by
 * msg_get_event() and printed by out_event(), as text and as JSON.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>

#include <uapi/l4lb.h>

#include "fake_msg.h"
#include "msg.h"
#include "output.h"

static union {
	struct nlmsghdr align;
	char b[4096];
} buf;

/* An event's header and its L4LB_ATTR_EVENT, as the kernel writes them. */
static struct nlmsghdr *event(uint8_t kind)
{
	struct nlmsghdr *nlh;

	memset(&buf, 0, sizeof(buf));
	nlh = fake_header(buf.b, L4LB_CMD_EVENT);
	mnl_attr_put_u8(nlh, L4LB_ATTR_EVENT, kind);
	return nlh;
}

/*
 * A service nest as l4lb_nl_svc_fill() writes it, without SNAT_USAGE;
 * @npeers peers from 10.0.0.11.
 */
static void put_service(struct nlmsghdr *nlh, const char *sched,
			unsigned int npeers)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	struct nlattr *pool, *peers;
	unsigned int i;

	put_svc_fields(nlh, "10.0.0.1", 80, IPPROTO_TCP);
	mnl_attr_put_strz(nlh, L4LB_SVC_ATTR_SCHED, sched);
	put_svc_defaults(nlh, 1048576);
	pool = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_SNAT_POOL);
	mnl_attr_nest_end(nlh, pool);
	put_u64_pad(nlh, L4LB_SVC_ATTR_SNAT_FAIL, 0, L4LB_SVC_ATTR_PAD);
	mnl_attr_put_u8(nlh, L4LB_SVC_ATTR_CLIENT_ADDR, L4LB_CLIENT_ADDR_NONE);
	peers = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_PEERS);
	for (i = 0; i < npeers; i++)
		mnl_attr_put_u32(nlh, L4LB_PEER_ATTR_ADDR, htonl(0x0a00000b + i));
	mnl_attr_nest_end(nlh, peers);
	mnl_attr_nest_end(nlh, nest);
}

/* A backend nest as l4lb_nl_be_fill() writes it. */
static void put_backend(struct nlmsghdr *nlh, uint32_t weight, uint8_t state,
			bool removed)
{
	static const struct be_counters c = { 1, 2, 7, 10, 20, 300, 400 };
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);

	put_be_fields(nlh, "10.0.1.2", 80, weight, state, removed);
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_WEIGHT_PCT, 100);
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_WEIGHT_EFF, weight);
	put_be_counters(nlh, &c);
	mnl_attr_nest_end(nlh, nest);
}

/* Decode @nlh and print it as one line, text or JSON; a static buffer. */
static const char *line_of(const struct nlmsghdr *nlh, bool json)
{
	static char text[2048];
	static struct event_info ev;
	struct out o;
	char *mem = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(msg_get_event(nlh, &ev), 0);
	f = open_memstream(&mem, &len);
	assert_non_null(f);
	out_init(&o, f, json);
	out_event(&o, &ev);
	assert_int_equal(fclose(f), 0);
	assert_true(len < sizeof(text));
	memcpy(text, mem, len + 1);
	free(mem);
	return text;
}

static void backend_change_is_one_line_with_its_service(void **state)
{
	struct nlmsghdr *nlh = event(L4LB_EVENT_BACKEND_CHANGE);

	(void)state;
	put_svc_key(nlh, "10.0.0.1", 80, IPPROTO_TCP);
	put_backend(nlh, 3, L4LB_BE_STATE_DOWN, false);
	assert_string_equal(line_of(nlh, false),
			    "backend-change 10.0.0.1:80/tcp 10.0.1.2:80 state down"
			    " weight 3 weight_pct 100 weight_eff 3 active 1"
			    " inactive 2 total 7\n");
}

static void backend_change_json_has_the_fields_of_list(void **state)
{
	struct nlmsghdr *nlh = event(L4LB_EVENT_BACKEND_CHANGE);

	(void)state;
	put_svc_key(nlh, "10.0.0.1", 80, IPPROTO_TCP);
	put_backend(nlh, 3, L4LB_BE_STATE_DOWN, false);
	assert_string_equal(line_of(nlh, true),
			    "{\"event\":\"backend-change\",\"backend\":\"10.0.1.2:80\","
			    "\"state\":\"down\",\"weight\":3,\"weight_pct\":100,"
			    "\"weight_eff\":3,\"active\":1,\"inactive\":2,"
			    "\"total\":7,\"pkts_in\":10,\"pkts_out\":20,"
			    "\"bytes_in\":300,\"bytes_out\":400,"
			    "\"vip\":\"10.0.0.1\",\"vport\":80,\"proto\":\"tcp\"}\n");
}

static void removed_backend_is_draining_then_gone(void **state)
{
	struct nlmsghdr *nlh = event(L4LB_EVENT_BACKEND_DEL);

	(void)state;
	put_svc_key(nlh, "10.0.0.1", 53, IPPROTO_UDP);
	put_backend(nlh, 1, L4LB_BE_STATE_DRAIN, true);
	assert_string_equal(line_of(nlh, false),
			    "backend-del 10.0.0.1:53/udp 10.0.1.2:80 state draining"
			    " weight 1 weight_pct 100 weight_eff 1 active 1"
			    " inactive 2 total 7\n");

	nlh = event(L4LB_EVENT_BACKEND_GONE);
	put_svc_key(nlh, "10.0.0.1", 53, IPPROTO_UDP);
	put_backend(nlh, 1, L4LB_BE_STATE_DRAIN, true);
	assert_non_null(strstr(line_of(nlh, true),
			       "{\"event\":\"backend-gone\",\"backend\":\"10.0.1.2:80\","
			       "\"state\":\"draining\","));
}

static void service_event_text_gives_the_settings(void **state)
{
	struct nlmsghdr *nlh = event(L4LB_EVENT_SERVICE_NEW);

	(void)state;
	put_service(nlh, "rr", 2);
	assert_string_equal(line_of(nlh, false),
			    "service-new 10.0.0.1:80/tcp scheduler rr snat auto"
			    " timeout_tcp 900 timeout_tcpfin 120"
			    " timeout_tcpclose 3 timeout_udp 300"
			    " timeout_udpunreplied 30 timeout_syn 60"
			    " persistence 0 client_addr none"
			    " peers 10.0.0.11,10.0.0.12\n");
}

static void service_event_json_has_the_fields_of_service(void **state)
{
	struct nlmsghdr *nlh = event(L4LB_EVENT_SERVICE_CHANGE);

	(void)state;
	put_service(nlh, "wrr", 0);
	assert_string_equal(line_of(nlh, true),
			    "{\"event\":\"service-change\",\"vip\":\"10.0.0.1\","
			    "\"port\":80,\"proto\":\"tcp\",\"scheduler\":\"wrr\","
			    "\"snat\":\"auto\",\"snat_pool\":[],\"snat_fail\":0,"
			    "\"timeout_tcp\":900,\"timeout_tcpfin\":120,"
			    "\"timeout_tcpclose\":3,\"timeout_udp\":300,"
			    "\"timeout_udpunreplied\":30,\"timeout_syn\":60,"
			    "\"persistence\":0,\"client_addr\":\"none\","
			    "\"peers\":[],\"conn_max\":1048576}\n");
}

static void table_full_gives_the_service_and_the_counters(void **state)
{
	struct nlmsghdr *nlh = event(L4LB_EVENT_TABLE_FULL);
	struct nlattr *nest;

	(void)state;
	put_svc_key(nlh, "10.0.0.1", 20000, IPPROTO_TCP);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_STATS);
	mnl_attr_put_u32(nlh, L4LB_STATS_ATTR_CONNS, 50);
	mnl_attr_put_u32(nlh, L4LB_STATS_ATTR_CONN_MAX, 50);
	put_u64_pad(nlh, L4LB_STATS_ATTR_DROP_TABLE_FULL, 7,
		    L4LB_STATS_ATTR_PAD);
	mnl_attr_nest_end(nlh, nest);
	assert_string_equal(line_of(nlh, false),
			    "table-full 10.0.0.1:20000/tcp conns 50 conn_max 50"
			    " drop_table_full 7\n");
	assert_string_equal(line_of(nlh, true),
			    "{\"event\":\"table-full\",\"vip\":\"10.0.0.1\","
			    "\"port\":20000,\"proto\":\"tcp\",\"conns\":50,"
			    "\"conn_max\":50,\"drop_table_full\":7}\n");
}

static void flush_names_its_service_or_nothing(void **state)
{
	struct nlmsghdr *nlh = event(L4LB_EVENT_FLUSH);

	(void)state;
	assert_string_equal(line_of(nlh, false), "flush\n");
	assert_string_equal(line_of(nlh, true), "{\"event\":\"flush\"}\n");
	put_svc_key(nlh, "10.0.0.1", 20001, IPPROTO_UDP);
	assert_string_equal(line_of(nlh, false), "flush 10.0.0.1:20001/udp\n");
}

/* JSON lines: each event its own document, never a comma before it. */
static void json_events_on_one_stream_are_separate_lines(void **state)
{
	struct nlmsghdr *nlh = event(L4LB_EVENT_FLUSH);
	static struct event_info ev;
	char *mem = NULL;
	size_t len = 0;
	struct out o;
	FILE *f;

	(void)state;
	assert_int_equal(msg_get_event(nlh, &ev), 0);
	f = open_memstream(&mem, &len);
	assert_non_null(f);
	out_init(&o, f, true);
	out_event(&o, &ev);
	out_event(&o, &ev);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(mem, "{\"event\":\"flush\"}\n{\"event\":\"flush\"}\n");
	free(mem);
}

/* monitor's own events (module-gone, module-new): the word alone. */
static void word_event_is_the_word_alone(void **state)
{
	char *mem = NULL;
	size_t len = 0;
	struct out o;
	FILE *f;

	(void)state;
	f = open_memstream(&mem, &len);
	assert_non_null(f);
	out_init(&o, f, false);
	out_event_word(&o, "module-gone");
	assert_int_equal(fclose(f), 0);
	assert_string_equal(mem, "module-gone\n");
	free(mem);

	mem = NULL;
	f = open_memstream(&mem, &len);
	assert_non_null(f);
	out_init(&o, f, true);
	out_event_word(&o, "module-gone");
	out_event_word(&o, "module-new");
	assert_int_equal(fclose(f), 0);
	assert_string_equal(mem, "{\"event\":\"module-gone\"}\n"
			    "{\"event\":\"module-new\"}\n");
	free(mem);
}

static void unknown_kind_is_printed_as_unknown(void **state)
{
	struct nlmsghdr *nlh = event(L4LB_EVENT_MAX + 1);

	(void)state;
	put_svc_key(nlh, "10.0.0.1", 80, IPPROTO_TCP);
	assert_string_equal(line_of(nlh, false), "unknown 10.0.0.1:80/tcp\n");
}

static void event_without_its_kind_is_refused(void **state)
{
	struct event_info ev;
	struct nlmsghdr *nlh;

	(void)state;
	memset(&buf, 0, sizeof(buf));
	nlh = fake_header(buf.b, L4LB_CMD_EVENT);
	put_svc_key(nlh, "10.0.0.1", 80, IPPROTO_TCP);
	errno = 0;
	assert_int_equal(msg_get_event(nlh, &ev), -1);
	assert_int_equal(errno, EBADMSG);
}

static void backend_event_without_service_key_is_refused(void **state)
{
	struct nlmsghdr *nlh = event(L4LB_EVENT_BACKEND_NEW);
	struct event_info ev;

	(void)state;
	put_backend(nlh, 1, L4LB_BE_STATE_UP, false);
	errno = 0;
	assert_int_equal(msg_get_event(nlh, &ev), -1);
	assert_int_equal(errno, EBADMSG);
}

/* IPv6: the same nests with VIP6, ADDR6 and a pool of ADDR6. */

static void ipv6_backend_event_brackets_its_endpoint(void **state)
{
	static const struct be_counters c = { 1, 2, 7, 10, 20, 300, 400 };
	struct nlmsghdr *nlh = event(L4LB_EVENT_BACKEND_NEW);
	struct nlattr *nest;

	(void)state;
	put_svc_key(nlh, "2001:db8::10", 443, IPPROTO_TCP);
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);
	put_be_fields(nlh, "2001:db8:1::2", 8080, 1, L4LB_BE_STATE_UP, false);
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_WEIGHT_PCT, 100);
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_WEIGHT_EFF, 1);
	put_be_counters(nlh, &c);
	mnl_attr_nest_end(nlh, nest);
	assert_string_equal(line_of(nlh, false),
			    "backend-new [2001:db8::10]:443/tcp [2001:db8:1::2]:8080"
			    " state up weight 1 weight_pct 100 weight_eff 1"
			    " active 1 inactive 2 total 7\n");
	assert_string_equal(line_of(nlh, true),
			    "{\"event\":\"backend-new\","
			    "\"backend\":\"[2001:db8:1::2]:8080\","
			    "\"state\":\"up\",\"weight\":1,\"weight_pct\":100,"
			    "\"weight_eff\":1,\"active\":1,\"inactive\":2,"
			    "\"total\":7,\"pkts_in\":10,\"pkts_out\":20,"
			    "\"bytes_in\":300,\"bytes_out\":400,"
			    "\"vip\":\"2001:db8::10\",\"vport\":443,"
			    "\"proto\":\"tcp\"}\n");
}

static void ipv6_service_event_gives_its_pool(void **state)
{
	struct nlmsghdr *nlh = event(L4LB_EVENT_SERVICE_NEW);
	struct nlattr *nest, *pool;

	(void)state;
	/* No SNAT_ADDR and no PEERS: an IPv6 service has neither. */
	nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	put_svc_fields(nlh, "2001:db8::10", 443, IPPROTO_TCP);
	mnl_attr_put_strz(nlh, L4LB_SVC_ATTR_SCHED, "mh");
	pool = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_SNAT_POOL);
	put_ip(nlh, 0, L4LB_SNAT_ATTR_ADDR6, "2001:db8:1::5");
	put_ip(nlh, 0, L4LB_SNAT_ATTR_ADDR6, "2001:db8:1::6");
	mnl_attr_nest_end(nlh, pool);
	mnl_attr_nest_end(nlh, nest);
	assert_string_equal(line_of(nlh, false),
			    "service-new [2001:db8::10]:443/tcp scheduler mh"
			    " snat 2001:db8:1::5-2001:db8:1::6\n");
	assert_string_equal(line_of(nlh, true),
			    "{\"event\":\"service-new\",\"vip\":\"2001:db8::10\","
			    "\"port\":443,\"proto\":\"tcp\",\"scheduler\":\"mh\","
			    "\"snat\":\"2001:db8:1::5-2001:db8:1::6\","
			    "\"snat_pool\":[\"2001:db8:1::5\",\"2001:db8:1::6\"]}\n");

	nlh = event(L4LB_EVENT_FLUSH);
	put_svc_key(nlh, "2001:db8::10", 53, IPPROTO_UDP);
	assert_string_equal(line_of(nlh, false),
			    "flush [2001:db8::10]:53/udp\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(backend_change_is_one_line_with_its_service),
		cmocka_unit_test(backend_change_json_has_the_fields_of_list),
		cmocka_unit_test(removed_backend_is_draining_then_gone),
		cmocka_unit_test(service_event_text_gives_the_settings),
		cmocka_unit_test(service_event_json_has_the_fields_of_service),
		cmocka_unit_test(table_full_gives_the_service_and_the_counters),
		cmocka_unit_test(flush_names_its_service_or_nothing),
		cmocka_unit_test(json_events_on_one_stream_are_separate_lines),
		cmocka_unit_test(word_event_is_the_word_alone),
		cmocka_unit_test(unknown_kind_is_printed_as_unknown),
		cmocka_unit_test(event_without_its_kind_is_refused),
		cmocka_unit_test(backend_event_without_service_key_is_refused),
		cmocka_unit_test(ipv6_backend_event_brackets_its_endpoint),
		cmocka_unit_test(ipv6_service_event_gives_its_pool),
	};

	return cmocka_run_group_tests_name("event", tests, NULL, NULL);
}
