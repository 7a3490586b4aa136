// SPDX-License-Identifier: GPL-2.0
/*
 * test_output.c - output.c: tables and JSON rendered to exact strings.
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
#include <stdlib.h>

#include <uapi/l4lb.h>

#include "output.h"
#include "addr_util.h"

struct sink {
	struct out o;
	FILE *f;
	char *buf;
	size_t len;
};

static void sink_open(struct sink *s, bool json)
{
	s->buf = NULL;
	s->len = 0;
	s->f = open_memstream(&s->buf, &s->len);
	assert_non_null(s->f);
	out_init(&s->o, s->f, json);
}

static void sink_expect(struct sink *s, const char *expected)
{
	assert_int_equal(fclose(s->f), 0);
	assert_string_equal(s->buf, expected);
	free(s->buf);
}

static struct ipport ep(const char *ip, uint16_t port)
{
	return ipport_of(ip, port);
}

static struct be_info sample_backend(void)
{
	struct be_info be = {
		.present = ATTR_BIT(L4LB_BE_ATTR_ADDR) |
			   ATTR_BIT(L4LB_BE_ATTR_PORT) |
			   ATTR_BIT(L4LB_BE_ATTR_WEIGHT) |
			   ATTR_BIT(L4LB_BE_ATTR_STATE),
		.ep = ep("10.0.0.2", 8080),
		.weight = 3,
		.weight_pct = 50,
		.weight_eff = 1,
		.state = L4LB_BE_STATE_UP,
		.active_conns = 2,
		.inactive_conns = 1,
		.total_conns = 12345678901ULL,
		.pkts_in = 10,
		.pkts_out = 20,
		.bytes_in = 3000,
		.bytes_out = 18446744073709551615ULL,
		.svc = {
			.set = true, .has_port = true, .has_proto = true,
			.vip = addr_of("192.0.2.1"), .port = htons(80),
			.proto = IPPROTO_TCP,
		},
	};

	return be;
}

static struct conn_info sample_conn(void)
{
	struct conn_info c = {
		.proto = IPPROTO_TCP,
		.client = ep("198.51.100.7", 51234),
		.vip = ep("192.0.2.1", 80),
		.local = ep("10.0.0.1", 40001),
		.backend = ep("10.0.0.2", 8080),
		.state = L4LB_CONN_ESTABLISHED,
		.expires = 899,
	};

	return c;
}

#define BE_HEADER \
	"BACKEND               STATE    WEIGHT  PCT    EFF   ACTIVE INACTIVE" \
	"      TOTAL      PKTS_IN     PKTS_OUT       BYTES_IN      BYTES_OUT\n"
#define NAT_HEADER \
	"PROTO CLIENT                VIP                   LOCAL      " \
	"           BACKEND               STATE       EXPIRES\n"

static void ipport_formats_dotted_quad_and_host_order_port(void **state)
{
	char buf[IPPORT_STRLEN];
	struct ipport e = ep("255.255.255.255", 65535);

	(void)state;
	assert_string_equal(fmt_ipport(buf, &e), "255.255.255.255:65535");
	e = ep("0.0.0.0", 1);
	assert_string_equal(fmt_ipport(buf, &e), "0.0.0.0:1");
}

static void svc_formats_as_the_selector_syntax(void **state)
{
	char buf[SVC_STRLEN];
	struct svc_sel k = {
		.set = true, .has_port = true, .has_proto = true,
		.vip = addr_of("255.255.255.255"), .port = htons(65535),
		.proto = IPPROTO_UDP,
	};

	(void)state;
	assert_string_equal(fmt_svc(buf, &k), "255.255.255.255:65535/udp");
	k.proto = 99;
	assert_string_equal(fmt_svc(buf, &k), "255.255.255.255:65535/unknown");
	k.has_proto = false;
	assert_string_equal(fmt_svc(buf, &k), "255.255.255.255:65535");
	k.has_proto = true;
	k.proto = IPPROTO_TCP;
	k.has_port = false;
	assert_string_equal(fmt_svc(buf, &k), "255.255.255.255/tcp");
}

static void backend_row_as_table(void **state)
{
	struct be_info be = sample_backend();
	struct sink s;

	(void)state;
	sink_open(&s, false);
	out_backend(&s.o, &be);
	out_backends_end(&s.o);
	sink_expect(&s, "service 192.0.2.1:80/tcp\n" BE_HEADER
		"10.0.0.2:8080         up            3   50      1        2        1"
		" 12345678901           10           20           3000"
		" 18446744073709551615\n");
}

static void backends_are_grouped_by_service(void **state)
{
	struct be_info be = sample_backend();
	struct sink s;

	(void)state;
	sink_open(&s, false);
	out_backend(&s.o, &be);
	be.ep = ep("10.0.0.3", 8080);
	out_backend(&s.o, &be);
	/* Same VIP:port, other protocol: another service, another group. */
	be.svc.proto = IPPROTO_UDP;
	out_backend(&s.o, &be);
	out_backends_end(&s.o);
	sink_expect(&s, "service 192.0.2.1:80/tcp\n" BE_HEADER
		"10.0.0.2:8080         up            3   50      1        2        1"
		" 12345678901           10           20           3000"
		" 18446744073709551615\n"
		"10.0.0.3:8080         up            3   50      1        2        1"
		" 12345678901           10           20           3000"
		" 18446744073709551615\n"
		"\n"
		"service 192.0.2.1:80/udp\n" BE_HEADER
		"10.0.0.3:8080         up            3   50      1        2        1"
		" 12345678901           10           20           3000"
		" 18446744073709551615\n");
}

static void backend_row_as_json(void **state)
{
	struct be_info be = sample_backend();
	struct sink s;

	(void)state;
	sink_open(&s, true);
	out_backend(&s.o, &be);
	out_backends_end(&s.o);
	sink_expect(&s, "[{\"backend\":\"10.0.0.2:8080\",\"state\":\"up\","
		"\"weight\":3,\"weight_pct\":50,\"weight_eff\":1,\"active\":2,\"inactive\":1,"
		"\"total\":12345678901,\"pkts_in\":10,\"pkts_out\":20,"
		"\"bytes_in\":3000,\"bytes_out\":18446744073709551615,"
		"\"vip\":\"192.0.2.1\",\"vport\":80,\"proto\":\"tcp\"}]\n");
}

static void removed_backend_shows_draining(void **state)
{
	struct be_info be = sample_backend();
	struct sink s;

	(void)state;
	be.state = L4LB_BE_STATE_DRAIN;
	be.present |= ATTR_BIT(L4LB_BE_ATTR_REMOVED);
	be.weight = 0;
	be.weight_eff = 0;
	sink_open(&s, true);
	out_backend(&s.o, &be);
	be.present &= ~ATTR_BIT(L4LB_BE_ATTR_REMOVED);
	be.state = L4LB_BE_STATE_DOWN;
	out_backend(&s.o, &be);
	out_backends_end(&s.o);
	sink_expect(&s, "[{\"backend\":\"10.0.0.2:8080\",\"state\":\"draining\","
		"\"weight\":0,\"weight_pct\":50,\"weight_eff\":0,\"active\":2,\"inactive\":1,"
		"\"total\":12345678901,\"pkts_in\":10,\"pkts_out\":20,"
		"\"bytes_in\":3000,\"bytes_out\":18446744073709551615,"
		"\"vip\":\"192.0.2.1\",\"vport\":80,\"proto\":\"tcp\"},"
		"{\"backend\":\"10.0.0.2:8080\",\"state\":\"down\","
		"\"weight\":0,\"weight_pct\":50,\"weight_eff\":0,\"active\":2,\"inactive\":1,"
		"\"total\":12345678901,\"pkts_in\":10,\"pkts_out\":20,"
		"\"bytes_in\":3000,\"bytes_out\":18446744073709551615,"
		"\"vip\":\"192.0.2.1\",\"vport\":80,\"proto\":\"tcp\"}]\n");
}

static void empty_tables_print_header_or_empty_array(void **state)
{
	struct sink s;

	(void)state;
	sink_open(&s, false);
	out_backends_end(&s.o);
	sink_expect(&s, BE_HEADER);
	sink_open(&s, true);
	out_backends_end(&s.o);
	sink_expect(&s, "[]\n");
	sink_open(&s, false);
	out_conns_end(&s.o);
	sink_expect(&s, NAT_HEADER);
	sink_open(&s, true);
	out_conns_end(&s.o);
	sink_expect(&s, "[]\n");
}

static void nat_row_as_table(void **state)
{
	struct conn_info c = sample_conn();
	struct sink s;

	(void)state;
	sink_open(&s, false);
	out_conn(&s.o, &c);
	c.proto = IPPROTO_UDP;
	c.state = L4LB_CONN_UDP;
	c.expires = 0;
	out_conn(&s.o, &c);
	/* A word wider than its column pushes the next one right. */
	c.state = L4LB_CONN_UDP_UNREPLIED;
	c.expires = 30;
	out_conn(&s.o, &c);
	out_conns_end(&s.o);
	sink_expect(&s, NAT_HEADER
		"TCP   198.51.100.7:51234    192.0.2.1:80          "
		"10.0.0.1:40001        10.0.0.2:8080         ESTABLISHED     899\n"
		"UDP   198.51.100.7:51234    192.0.2.1:80          "
		"10.0.0.1:40001        10.0.0.2:8080         UDP               0\n"
		"UDP   198.51.100.7:51234    192.0.2.1:80          "
		"10.0.0.1:40001        10.0.0.2:8080         UDP_UNREPLIED      30\n");
}

static void nat_row_as_json(void **state)
{
	struct conn_info c = sample_conn();
	struct sink s;

	(void)state;
	sink_open(&s, true);
	out_conn(&s.o, &c);
	out_conns_end(&s.o);
	sink_expect(&s, "[{\"proto\":\"TCP\",\"client\":\"198.51.100.7:51234\","
		"\"vip\":\"192.0.2.1:80\",\"local\":\"10.0.0.1:40001\","
		"\"backend\":\"10.0.0.2:8080\",\"state\":\"ESTABLISHED\","
		"\"expires\":899}]\n");
}

static void nat_state_names_match_proc(void **state)
{
	static const char *const names[] = {
		"UNKNOWN", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
		"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "UDP",
		"PERSIST", "UDP_UNREPLIED", "UNKNOWN",
	};
	struct conn_info c = sample_conn();
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct sink s;
		char expect[256];

		c.state = (uint8_t)i;
		sink_open(&s, true);
		out_conn(&s.o, &c);
		out_conns_end(&s.o);
		snprintf(expect, sizeof(expect),
			 "[{\"proto\":\"TCP\",\"client\":\"198.51.100.7:51234\","
			 "\"vip\":\"192.0.2.1:80\",\"local\":\"10.0.0.1:40001\","
			 "\"backend\":\"10.0.0.2:8080\",\"state\":\"%s\","
			 "\"expires\":899}]\n", names[i]);
		sink_expect(&s, expect);
	}
}

static struct svc_info sample_service(void)
{
	struct svc_info svc = {
		.present = ATTR_BIT(L4LB_SVC_ATTR_VIP) |
			   ATTR_BIT(L4LB_SVC_ATTR_PORT) |
			   ATTR_BIT(L4LB_SVC_ATTR_PROTO) |
			   ATTR_BIT(L4LB_SVC_ATTR_SCHED) |
			   ATTR_BIT(L4LB_SVC_ATTR_SNAT_ADDR) |
			   ATTR_BIT(L4LB_SVC_ATTR_TIMEOUT_TCP) |
			   ATTR_BIT(L4LB_SVC_ATTR_TIMEOUT_TCP_FIN) |
			   ATTR_BIT(L4LB_SVC_ATTR_TIMEOUT_TCP_CLOSE) |
			   ATTR_BIT(L4LB_SVC_ATTR_TIMEOUT_UDP) |
			   ATTR_BIT(L4LB_SVC_ATTR_TIMEOUT_UDP_UNREPLIED) |
			   ATTR_BIT(L4LB_SVC_ATTR_TIMEOUT_SYN) |
			   ATTR_BIT(L4LB_SVC_ATTR_PERSISTENCE) |
			   ATTR_BIT(L4LB_SVC_ATTR_CLIENT_ADDR) |
			   ATTR_BIT(L4LB_SVC_ATTR_CONN_MAX),
		.vip = addr_of("192.0.2.1"),
		.port = htons(80),
		.proto = IPPROTO_TCP,
		.sched = "rr",
		.persistence = 0,
		.conn_max = 1048576,
	};

	svc.timeout[L4LB_SVC_ATTR_TIMEOUT_TCP] = 900;
	svc.timeout[L4LB_SVC_ATTR_TIMEOUT_TCP_FIN] = 120;
	svc.timeout[L4LB_SVC_ATTR_TIMEOUT_TCP_CLOSE] = 3;
	svc.timeout[L4LB_SVC_ATTR_TIMEOUT_UDP] = 300;
	svc.timeout[L4LB_SVC_ATTR_TIMEOUT_UDP_UNREPLIED] = 30;
	svc.timeout[L4LB_SVC_ATTR_TIMEOUT_SYN] = 60;
	return svc;
}

static void service_as_lines_and_json(void **state)
{
	struct svc_info svc = sample_service();
	struct sink s;

	(void)state;
	sink_open(&s, false);
	out_service(&s.o, &svc);
	out_services_end(&s.o);
	sink_expect(&s, "service 192.0.2.1:80/tcp\n"
		"vip 192.0.2.1\nport 80\nproto tcp\nscheduler rr\n"
		"snat auto\ntimeout_tcp 900\ntimeout_tcpfin 120\n"
		"timeout_tcpclose 3\ntimeout_udp 300\n"
		"timeout_udpunreplied 30\ntimeout_syn 60\npersistence 0\n"
		"client_addr none\nconn_max 1048576\n");

	svc.snat.n = 1;
	svc.snat.addr[0] = addr_of("10.0.0.1");
	svc.proto = IPPROTO_UDP;
	svc.client_addr = L4LB_CLIENT_ADDR_PROXY_V2;
	sink_open(&s, true);
	out_service(&s.o, &svc);
	out_services_end(&s.o);
	sink_expect(&s, "[{\"vip\":\"192.0.2.1\",\"port\":80,\"proto\":\"udp\","
		"\"scheduler\":\"rr\",\"snat\":\"10.0.0.1\","
		"\"timeout_tcp\":900,\"timeout_tcpfin\":120,"
		"\"timeout_tcpclose\":3,\"timeout_udp\":300,"
		"\"timeout_udpunreplied\":30,"
		"\"timeout_syn\":60,\"persistence\":0,"
		"\"client_addr\":\"proxy-v2\",\"conn_max\":1048576}]\n");
}

static void service_shows_its_peers(void **state)
{
#define HEAD "service 192.0.2.1:80/tcp\nvip 192.0.2.1\nport 80\nproto tcp\n"
	struct svc_info svc = { 0 };
	struct sink s;

	(void)state;
	svc.present = ATTR_BIT(L4LB_SVC_ATTR_VIP) | ATTR_BIT(L4LB_SVC_ATTR_PORT) |
		      ATTR_BIT(L4LB_SVC_ATTR_PROTO) | ATTR_BIT(L4LB_SVC_ATTR_PEERS);
	svc.vip = addr_of("192.0.2.1");
	svc.port = htons(80);
	svc.proto = IPPROTO_TCP;
	svc.peers.n = 2;
	svc.peers.addr[0] = inet_addr("10.0.0.11");
	svc.peers.addr[1] = inet_addr("10.0.0.12");
	sink_open(&s, false);
	out_service(&s.o, &svc);
	out_services_end(&s.o);
	sink_expect(&s, HEAD "peers 10.0.0.11,10.0.0.12\n");
	sink_open(&s, true);
	out_service(&s.o, &svc);
	out_services_end(&s.o);
	sink_expect(&s, "[{\"vip\":\"192.0.2.1\",\"port\":80,\"proto\":\"tcp\","
		    "\"peers\":[\"10.0.0.11\",\"10.0.0.12\"]}]\n");

	/* None: "none", []. */
	svc.peers.n = 0;
	sink_open(&s, false);
	out_service(&s.o, &svc);
	out_services_end(&s.o);
	sink_expect(&s, HEAD "peers none\n");
	sink_open(&s, true);
	out_service(&s.o, &svc);
	out_services_end(&s.o);
	sink_expect(&s, "[{\"vip\":\"192.0.2.1\",\"port\":80,\"proto\":\"tcp\","
		    "\"peers\":[]}]\n");

	/* Not sent (a UDP service, an older module): not shown. */
	svc.present &= ~ATTR_BIT(L4LB_SVC_ATTR_PEERS);
	sink_open(&s, false);
	out_service(&s.o, &svc);
	out_services_end(&s.o);
	sink_expect(&s, HEAD);
#undef HEAD
}

static void peers_format_as_a_plain_list(void **state)
{
	struct peer_list p = { 0 };
	char buf[PEERS_STRLEN];
	unsigned int i;

	(void)state;
	assert_string_equal(fmt_peers(buf, &p), "none");
	p.n = 3;
	p.addr[0] = inet_addr("10.0.0.1");
	p.addr[1] = inet_addr("10.0.0.2");
	p.addr[2] = inet_addr("192.0.2.9");
	/* No ranges: each address alone. */
	assert_string_equal(fmt_peers(buf, &p), "10.0.0.1,10.0.0.2,192.0.2.9");
	/* The longest text: 16 addresses of 15 characters. */
	p.n = L4LB_PEERS_MAX;
	for (i = 0; i < p.n; i++)
		p.addr[i] = htonl(0xffffff64 + i);	/* .100, .101 ... */
	fmt_peers(buf, &p);
	assert_int_equal(strlen(buf), 16 * 15 + 15);
	assert_string_equal(buf + strlen(buf) - 16, ",255.255.255.115");
	assert_true(strlen(buf) < PEERS_STRLEN);
}

static void several_services_as_blocks_and_array(void **state)
{
	struct svc_info tcp = sample_service(), udp = sample_service();
	struct sink s;

	(void)state;
	udp.proto = IPPROTO_UDP;
	tcp.present = udp.present = ATTR_BIT(L4LB_SVC_ATTR_VIP) |
		ATTR_BIT(L4LB_SVC_ATTR_PORT) | ATTR_BIT(L4LB_SVC_ATTR_PROTO) |
		ATTR_BIT(L4LB_SVC_ATTR_SCHED);
	sink_open(&s, false);
	out_service(&s.o, &tcp);
	out_service(&s.o, &udp);
	out_services_end(&s.o);
	sink_expect(&s, "service 192.0.2.1:80/tcp\n"
		"vip 192.0.2.1\nport 80\nproto tcp\nscheduler rr\n"
		"\n"
		"service 192.0.2.1:80/udp\n"
		"vip 192.0.2.1\nport 80\nproto udp\nscheduler rr\n");
	sink_open(&s, true);
	out_service(&s.o, &tcp);
	out_service(&s.o, &udp);
	out_services_end(&s.o);
	sink_expect(&s, "[{\"vip\":\"192.0.2.1\",\"port\":80,\"proto\":\"tcp\","
		"\"scheduler\":\"rr\"},"
		"{\"vip\":\"192.0.2.1\",\"port\":80,\"proto\":\"udp\","
		"\"scheduler\":\"rr\"}]\n");
}

static void no_services_print_nothing_or_empty_array(void **state)
{
	struct sink s;

	(void)state;
	sink_open(&s, false);
	out_services_end(&s.o);
	sink_expect(&s, "");
	sink_open(&s, true);
	out_services_end(&s.o);
	sink_expect(&s, "[]\n");
}

static void service_prints_only_what_the_kernel_sent(void **state)
{
	struct svc_info svc = sample_service();
	struct sink s;

	(void)state;
	svc.present = ATTR_BIT(L4LB_SVC_ATTR_SCHED);
	sink_open(&s, true);
	out_service(&s.o, &svc);
	out_services_end(&s.o);
	sink_expect(&s, "[{\"scheduler\":\"rr\"}]\n");
	/* Text: no VIP, no "service" heading. */
	sink_open(&s, false);
	out_service(&s.o, &svc);
	out_services_end(&s.o);
	sink_expect(&s, "scheduler rr\n");
}

/* A pool of the addresses in @list ("A B ..."), in that order. */
static struct snat_pool pool_of(const char *list)
{
	struct snat_pool p = { 0 };
	char buf[1024], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save))
		p.addr[p.n++] = addr_of(tok);
	return p;
}

static void snat_pool_formats_runs_as_ranges(void **state)
{
	char buf[SNAT_POOL_STRLEN];
	struct snat_pool p = { 0 };
	unsigned int i;

	(void)state;
	assert_string_equal(fmt_snat_pool(buf, &p), "auto");
	p = pool_of("10.0.1.250");
	assert_string_equal(fmt_snat_pool(buf, &p), "10.0.1.250");
	p = pool_of("10.0.1.250 10.0.1.251");
	assert_string_equal(fmt_snat_pool(buf, &p), "10.0.1.250-10.0.1.251");
	p = pool_of("10.0.1.254 10.0.1.255 10.0.2.0 10.0.2.9 192.0.2.1 192.0.2.2");
	assert_string_equal(fmt_snat_pool(buf, &p),
			    "10.0.1.254-10.0.2.0,10.0.2.9,192.0.2.1-192.0.2.2");
	/* Runs are taken in the order given (the kernel sorts). */
	p = pool_of("10.0.0.2 10.0.0.1");
	assert_string_equal(fmt_snat_pool(buf, &p), "10.0.0.2,10.0.0.1");
	/* The longest text: 64 lone addresses of 15 characters. */
	p.n = L4LB_SNAT_POOL_MAX;
	for (i = 0; i < p.n; i++)
		/* .100, .102 ... */
		p.addr[i] = ipaddr_v4(htonl(0xffffff64 + 2 * i));
	fmt_snat_pool(buf, &p);
	assert_int_equal(strlen(buf), 64 * 15 + 63);
	assert_string_equal(buf + strlen(buf) - 16, ",255.255.255.226");
}

/* A service with a pool of two, 20 rows on each, 3 connections refused. */
static struct svc_info pooled_service(void)
{
	struct svc_info svc = sample_service();

	svc.present = ATTR_BIT(L4LB_SVC_ATTR_VIP) |
		      ATTR_BIT(L4LB_SVC_ATTR_PORT) |
		      ATTR_BIT(L4LB_SVC_ATTR_PROTO) |
		      ATTR_BIT(L4LB_SVC_ATTR_SNAT_ADDR) |
		      ATTR_BIT(L4LB_SVC_ATTR_SNAT_POOL) |
		      ATTR_BIT(L4LB_SVC_ATTR_SNAT_USAGE) |
		      ATTR_BIT(L4LB_SVC_ATTR_SNAT_FAIL);
	svc.snat = pool_of("10.0.1.250 10.0.1.251");
	svc.nuse = 3;
	svc.use[0] = (struct snat_use) { addr_of("10.0.1.250"), 20 };
	svc.use[1] = (struct snat_use) { addr_of("10.0.1.251"), 20 };
	svc.use[2] = (struct snat_use) { addr_of("10.0.1.254"), 1 };
	svc.snat_fail = 3;
	return svc;
}

static void service_shows_its_snat_pool_usage_and_failures(void **state)
{
	struct svc_info svc = pooled_service();
	struct sink s;

	(void)state;
	sink_open(&s, false);
	out_service(&s.o, &svc);
	out_services_end(&s.o);
	sink_expect(&s, "service 192.0.2.1:80/tcp\n"
		"vip 192.0.2.1\nport 80\nproto tcp\n"
		"snat 10.0.1.250-10.0.1.251\n"
		"snat_usage 10.0.1.250=20 10.0.1.251=20 10.0.1.254=1\n"
		"snat_fail 3\n");

	sink_open(&s, true);
	out_service(&s.o, &svc);
	out_services_end(&s.o);
	sink_expect(&s, "[{\"vip\":\"192.0.2.1\",\"port\":80,\"proto\":\"tcp\","
		"\"snat\":\"10.0.1.250-10.0.1.251\","
		"\"snat_pool\":[\"10.0.1.250\",\"10.0.1.251\"],"
		"\"snat_usage\":[{\"address\":\"10.0.1.250\",\"ports_in_use\":20},"
		"{\"address\":\"10.0.1.251\",\"ports_in_use\":20},"
		"{\"address\":\"10.0.1.254\",\"ports_in_use\":1}],"
		"\"snat_fail\":3}]\n");

	/* "auto" with no rows: an empty pool and no usage. */
	svc.snat.n = 0;
	svc.nuse = 0;
	sink_open(&s, false);
	out_service(&s.o, &svc);
	out_services_end(&s.o);
	sink_expect(&s, "service 192.0.2.1:80/tcp\n"
		"vip 192.0.2.1\nport 80\nproto tcp\n"
		"snat auto\nsnat_usage none\nsnat_fail 3\n");
	sink_open(&s, true);
	out_service(&s.o, &svc);
	out_services_end(&s.o);
	sink_expect(&s, "[{\"vip\":\"192.0.2.1\",\"port\":80,\"proto\":\"tcp\","
		"\"snat\":\"auto\",\"snat_pool\":[],\"snat_usage\":[],"
		"\"snat_fail\":3}]\n");
}

static void ipv6_formats_bracketed_before_a_port(void **state)
{
	char buf[SVC_STRLEN];
	struct ipport e = ep("2001:db8::2", 8080);
	struct svc_sel k = {
		.set = true, .has_port = true, .has_proto = true,
		.vip = addr_of("2001:db8::10"), .port = htons(443),
		.proto = IPPROTO_TCP,
	};
	struct ipaddr a = addr_of("2001:db8::1");

	(void)state;
	assert_string_equal(fmt_ipaddr(buf, &a), "2001:db8::1");
	assert_string_equal(fmt_ipport(buf, &e), "[2001:db8::2]:8080");
	/* An IPv4-mapped address keeps its dotted tail. */
	e = ep("::ffff:255.255.255.255", 65535);
	assert_string_equal(fmt_ipport(buf, &e), "[::ffff:255.255.255.255]:65535");
	e = ep("1111:2222:3333:4444:5555:6666:7777:8888", 65535);
	assert_string_equal(fmt_ipport(buf, &e),
			    "[1111:2222:3333:4444:5555:6666:7777:8888]:65535");
	assert_string_equal(fmt_svc(buf, &k), "[2001:db8::10]:443/tcp");
	k.has_proto = false;
	assert_string_equal(fmt_svc(buf, &k), "[2001:db8::10]:443");
	/* Without a port, no brackets: the form parse_svc_sel() reads. */
	k.has_port = false;
	k.has_proto = true;
	assert_string_equal(fmt_svc(buf, &k), "2001:db8::10/tcp");
	k.has_proto = false;
	assert_string_equal(fmt_svc(buf, &k), "2001:db8::10");
}

static void ipv6_snat_pool_formats_runs_as_ranges(void **state)
{
	char buf[SNAT_POOL_STRLEN];
	struct snat_pool p;
	unsigned int i;

	(void)state;
	p = pool_of("2001:db8::ff 2001:db8::100 2001:db8::101 2001:db8::9");
	assert_string_equal(fmt_snat_pool(buf, &p),
			    "2001:db8::ff-2001:db8::101,2001:db8::9");
	/* No run across the top and round to 0. */
	p = pool_of("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ::");
	assert_string_equal(fmt_snat_pool(buf, &p),
			    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff,::");
	/* The longest text: 64 lone addresses of 39 characters. */
	p = pool_of("1111:2222:3333:4444:5555:6666:7777:8000");
	p.n = L4LB_SNAT_POOL_MAX;
	for (i = 1; i < p.n; i++) {
		p.addr[i] = p.addr[i - 1];
		ipaddr_inc(&p.addr[i]);
		ipaddr_inc(&p.addr[i]);
	}
	fmt_snat_pool(buf, &p);
	assert_int_equal(strlen(buf), 64 * 39 + 63);
	assert_string_equal(buf + strlen(buf) - 5, ":807e");
}

/* A backend of an IPv6 service. */
static struct be_info sample_backend6(void)
{
	struct be_info be = sample_backend();

	be.ep = ep("2001:db8::2", 8080);
	be.svc.vip = addr_of("2001:db8::10");
	be.svc.port = htons(443);
	return be;
}

static void ipv6_backend_row_as_table_and_json(void **state)
{
	struct be_info be = sample_backend6();
	struct sink s;

	(void)state;
	sink_open(&s, false);
	out_backend(&s.o, &be);
	/* Wider than the column: the rest of the row moves right. */
	be.ep = ep("2001:db8:aaaa:bbbb:cccc:dddd:eeee:2", 8080);
	out_backend(&s.o, &be);
	out_backends_end(&s.o);
	sink_expect(&s, "service [2001:db8::10]:443/tcp\n" BE_HEADER
		"[2001:db8::2]:8080    up            3   50      1        2        1"
		" 12345678901           10           20           3000"
		" 18446744073709551615\n"
		"[2001:db8:aaaa:bbbb:cccc:dddd:eeee:2]:8080 up            3   50"
		"      1        2        1"
		" 12345678901           10           20           3000"
		" 18446744073709551615\n");

	be = sample_backend6();
	sink_open(&s, true);
	out_backend(&s.o, &be);
	out_backends_end(&s.o);
	sink_expect(&s, "[{\"backend\":\"[2001:db8::2]:8080\",\"state\":\"up\","
		"\"weight\":3,\"weight_pct\":50,\"weight_eff\":1,\"active\":2,\"inactive\":1,"
		"\"total\":12345678901,\"pkts_in\":10,\"pkts_out\":20,"
		"\"bytes_in\":3000,\"bytes_out\":18446744073709551615,"
		"\"vip\":\"2001:db8::10\",\"vport\":443,\"proto\":\"tcp\"}]\n");
}

static void ipv6_nat_row_as_table_and_json(void **state)
{
	struct conn_info c = {
		.proto = IPPROTO_TCP,
		.client = ep("2001:db8:c::7", 51234),
		.vip = ep("2001:db8::10", 443),
		.local = ep("2001:db8:1::1", 40001),
		.backend = ep("2001:db8:1::2", 8080),
		.state = L4LB_CONN_ESTABLISHED,
		.expires = 899,
	};
	struct sink s;

	(void)state;
	sink_open(&s, false);
	out_conn(&s.o, &c);
	out_conns_end(&s.o);
	sink_expect(&s, NAT_HEADER
		"TCP   [2001:db8:c::7]:51234 [2001:db8::10]:443    "
		"[2001:db8:1::1]:40001 [2001:db8:1::2]:8080  ESTABLISHED     899\n");
	sink_open(&s, true);
	out_conn(&s.o, &c);
	out_conns_end(&s.o);
	sink_expect(&s, "[{\"proto\":\"TCP\",\"client\":\"[2001:db8:c::7]:51234\","
		"\"vip\":\"[2001:db8::10]:443\",\"local\":\"[2001:db8:1::1]:40001\","
		"\"backend\":\"[2001:db8:1::2]:8080\",\"state\":\"ESTABLISHED\","
		"\"expires\":899}]\n");
}

static void ipv6_service_shows_plain_addresses(void **state)
{
	struct svc_info svc = pooled_service();
	struct sink s;

	(void)state;
	svc.vip = addr_of("2001:db8::10");
	svc.port = htons(443);
	svc.snat = pool_of("2001:db8:1::5 2001:db8:1::6");
	svc.nuse = 2;
	svc.use[0] = (struct snat_use) { addr_of("2001:db8:1::5"), 20 };
	svc.use[1] = (struct snat_use) { addr_of("2001:db8:1::6"), 1 };
	sink_open(&s, false);
	out_service(&s.o, &svc);
	out_services_end(&s.o);
	sink_expect(&s, "service [2001:db8::10]:443/tcp\n"
		"vip 2001:db8::10\nport 443\nproto tcp\n"
		"snat 2001:db8:1::5-2001:db8:1::6\n"
		"snat_usage 2001:db8:1::5=20 2001:db8:1::6=1\n"
		"snat_fail 3\n");
	sink_open(&s, true);
	out_service(&s.o, &svc);
	out_services_end(&s.o);
	sink_expect(&s, "[{\"vip\":\"2001:db8::10\",\"port\":443,\"proto\":\"tcp\","
		"\"snat\":\"2001:db8:1::5-2001:db8:1::6\","
		"\"snat_pool\":[\"2001:db8:1::5\",\"2001:db8:1::6\"],"
		"\"snat_usage\":[{\"address\":\"2001:db8:1::5\",\"ports_in_use\":20},"
		"{\"address\":\"2001:db8:1::6\",\"ports_in_use\":1}],"
		"\"snat_fail\":3}]\n");
}

static void stats_one_counter_per_line(void **state)
{
	struct stats_info st = { 0 };
	struct sink s;
	uint16_t t;

	(void)state;
	for (t = L4LB_STATS_ATTR_CONNS; t <= L4LB_STATS_ATTR_MAX; t++) {
		st.present |= ATTR_BIT(t);
		st.val[t] = t * 10u;
	}
	sink_open(&s, false);
	out_stats(&s.o, &st);
	sink_expect(&s, "conns 20\nconn_max 30\nconns_created 40\n"
		"drop_no_backend 50\ndrop_table_full 60\ndrop_no_memory 70\n"
		"drop_no_route 80\ndrop_no_snat_port 90\ndrop_malformed 100\n"
		"drop_mtu 110\nstray 120\nfragments 130\n"
		"icmp_translated 140\ndrop_syn_limit 150\nhalf_open 160\n"
		"rst_ignored 170\nreclaim_unconfirmed 180\n"
		"reclaim_closed 190\nresets_sent 200\ntoa_no_room 210\n"
		"proxy_syn_data 220\npeer_sent 230\npeer_miss 240\n"
		"gc_runs 250\ngc_nsecs 260\n");

	st.present = ATTR_BIT(L4LB_STATS_ATTR_CONNS) |
		     ATTR_BIT(L4LB_STATS_ATTR_FRAGMENTS);
	sink_open(&s, true);
	out_stats(&s.o, &st);
	sink_expect(&s, "{\"conns\":20,\"fragments\":130}\n");
}

static void count_prints_the_number_only(void **state)
{
	struct sink s;

	(void)state;
	sink_open(&s, false);
	out_count(&s.o, 42);
	sink_expect(&s, "42\n");
	sink_open(&s, true);
	out_count(&s.o, 42);
	sink_expect(&s, "{\"conns\":42}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipport_formats_dotted_quad_and_host_order_port),
		cmocka_unit_test(svc_formats_as_the_selector_syntax),
		cmocka_unit_test(backend_row_as_table),
		cmocka_unit_test(backends_are_grouped_by_service),
		cmocka_unit_test(backend_row_as_json),
		cmocka_unit_test(removed_backend_shows_draining),
		cmocka_unit_test(empty_tables_print_header_or_empty_array),
		cmocka_unit_test(nat_row_as_table),
		cmocka_unit_test(nat_row_as_json),
		cmocka_unit_test(nat_state_names_match_proc),
		cmocka_unit_test(service_as_lines_and_json),
		cmocka_unit_test(service_prints_only_what_the_kernel_sent),
		cmocka_unit_test(snat_pool_formats_runs_as_ranges),
		cmocka_unit_test(service_shows_its_peers),
		cmocka_unit_test(peers_format_as_a_plain_list),
		cmocka_unit_test(service_shows_its_snat_pool_usage_and_failures),
		cmocka_unit_test(several_services_as_blocks_and_array),
		cmocka_unit_test(no_services_print_nothing_or_empty_array),
		cmocka_unit_test(stats_one_counter_per_line),
		cmocka_unit_test(count_prints_the_number_only),
		cmocka_unit_test(ipv6_formats_bracketed_before_a_port),
		cmocka_unit_test(ipv6_snat_pool_formats_runs_as_ranges),
		cmocka_unit_test(ipv6_backend_row_as_table_and_json),
		cmocka_unit_test(ipv6_nat_row_as_table_and_json),
		cmocka_unit_test(ipv6_service_shows_plain_addresses),
	};

	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
