// SPDX-License-Identifier: GPL-2.0
/*
 * test_prom.c - the Prometheus exposition format: lib/prom.c alone (the
 * escapes, the HELP and TYPE lines), then "stats --prometheus" end to
 * end, with the kernel replaced by a fake nl.c that answers each request
 * with the replies of its command, built the way the l4lb module builds
 * them.
 *
 * "test_prom --print" prints "stats --prometheus" of a fake kernel with a
 * bit of everything (every counter, backends in every state, a label to
 * escape) and exits: make check pipes it into "promtool check metrics".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <uapi/l4lb.h>

#include "capture.h"
#include "cmd.h"
#include "error.h"
#include "fake_nl.h"
#include "nl.h"
#include "prom.h"

static int reset(void **state)
{
	(void)state;
	fake_reset();
	return 0;
}

/* ---- The fake kernel's replies, each to the requests of its command. ---- */

/* STATS_GET: CONNS 3, CONN_MAX 1024, CONNS_CREATED 9, DROP_NO_ROUTE 1. */
static void add_few_stats(void)
{
	put_few_stats(new_reply(L4LB_CMD_STATS_GET), 3, 9);
}

/* STATS_GET with every counter, counter N of value 100 + N. */
static void add_all_stats(void)
{
	struct nlmsghdr *nlh = new_reply(L4LB_CMD_STATS_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_STATS);
	uint16_t t;

	for (t = L4LB_STATS_ATTR_CONNS; t <= L4LB_STATS_ATTR_MAX; t++) {
		if (t == L4LB_STATS_ATTR_CONNS || t == L4LB_STATS_ATTR_CONN_MAX ||
		    t == L4LB_STATS_ATTR_HALF_OPEN)
			mnl_attr_put_u32(nlh, t, 100 + t);
		else
			put_u64_pad(nlh, t, 100 + t, L4LB_STATS_ATTR_PAD);
	}
	mnl_attr_nest_end(nlh, nest);
}

/*
 * A SERVICE_GET dump message: the service's key, its scheduler, the SNAT
 * addresses @snat (NULL-terminated, or NULL) each holding 2 ports more
 * than the one before, from 2, and SNAT_FAIL @fail.
 */
static void add_service(const char *vip, uint16_t port, uint8_t proto,
			const char *sched, const char *const *snat,
			uint64_t fail)
{
	struct nlmsghdr *nlh = new_reply(L4LB_CMD_SERVICE_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	struct nlattr *use;
	uint32_t ports = 2;

	put_svc_fields(nlh, vip, port, proto);
	mnl_attr_put_strz(nlh, L4LB_SVC_ATTR_SCHED, sched);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_CONN_MAX, 1024);
	use = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_SNAT_USAGE);
	for (; snat && *snat; snat++, ports += 2) {
		struct nlattr *e = mnl_attr_nest_start(nlh, L4LB_SNAT_ATTR_ENTRY);

		put_ip(nlh, L4LB_SNAT_ATTR_ADDR, L4LB_SNAT_ATTR_ADDR6, *snat);
		mnl_attr_put_u32(nlh, L4LB_SNAT_ATTR_PORTS_IN_USE, ports);
		mnl_attr_nest_end(nlh, e);
	}
	mnl_attr_nest_end(nlh, use);
	put_u64_pad(nlh, L4LB_SVC_ATTR_SNAT_FAIL, fail, L4LB_SVC_ATTR_PAD);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * A BACKEND_GET dump message: backend @ip:@port of service @vip:80/@proto
 * in state @st (@removed: draining), weight 2, weight-pct @pct, effective
 * weight 2 * @pct / 100; connections 1 active, 2 inactive, @total in all;
 * 10 packets and 1000 bytes in, 9 and 900 out.
 */
static void add_backend(const char *vip, uint8_t proto, const char *ip,
			uint16_t port, uint8_t st, bool removed, uint32_t pct,
			uint64_t total)
{
	const struct be_counters c = { 1, 2, total, 10, 9, 1000, 900 };
	struct nlmsghdr *nlh = new_reply(L4LB_CMD_BACKEND_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);

	put_be_fields(nlh, ip, port, 2, st, removed);
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_WEIGHT_PCT, pct);
	mnl_attr_put_u32(nlh, L4LB_BE_ATTR_WEIGHT_EFF, 2 * pct / 100);
	put_be_counters(nlh, &c);
	mnl_attr_nest_end(nlh, nest);
	put_svc_key(nlh, vip, 80, proto);
}

/*
 * A bit of everything: every counter; a TCP service with two SNAT
 * addresses and backends up, down, drain and draining; a UDP service
 * whose scheduler name (which no real module sends) needs escapes; an
 * IPv6 service with a SNAT address and a backend.
 */
static void add_everything(void)
{
	static const char *const snat[] = { "10.0.1.250", "10.0.1.251", NULL };
	static const char *const snat6[] = { "2001:db8:1::5", NULL };

	add_all_stats();
	add_service("192.0.2.1", 80, IPPROTO_TCP, "wrr", snat, 4);
	add_service("192.0.2.2", 80, IPPROTO_UDP, "a\"b\\c", NULL, 0);
	add_backend("192.0.2.1", IPPROTO_TCP, "10.0.1.1", 8080,
		    L4LB_BE_STATE_UP, false, 100, 5);
	add_backend("192.0.2.1", IPPROTO_TCP, "10.0.1.2", 8080,
		    L4LB_BE_STATE_DOWN, false, 50, 6);
	add_backend("192.0.2.1", IPPROTO_TCP, "10.0.1.3", 8080,
		    L4LB_BE_STATE_DRAIN, false, 256, 7);
	add_backend("192.0.2.1", IPPROTO_TCP, "10.0.1.4", 8080,
		    L4LB_BE_STATE_DRAIN, true, 7, 8);
	add_backend("192.0.2.2", IPPROTO_UDP, "10.0.1.1", 53,
		    L4LB_BE_STATE_UP, false, 100, 9);
	add_service("2001:db8::10", 80, IPPROTO_TCP, "mh", snat6, 0);
	add_backend("2001:db8::10", IPPROTO_TCP, "2001:db8:1::1", 8080,
		    L4LB_BE_STATE_UP, false, 100, 10);
}

/* What lib/prom.c wrote through @fn, into @text. */
static void prom_text(void (*fn)(struct prom *p), char *text, size_t size)
{
	char *buf = NULL;
	size_t len = 0;
	struct prom p;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	prom_init(&p, f);
	fn(&p);
	fclose(f);
	snprintf(text, size, "%s", buf);
	free(buf);
}

/* ---- lib/prom.c ---- */

static void write_escapes(struct prom *p)
{
	const struct prom_label l[] = {
		{ "a", "say \"hi\"" },
		{ "b", "back\\slash" },
		{ "c", "two\nlines" },
	};

	prom_family(p, "x_total", PROM_COUNTER, "help with \\ and\nnewline, \"as is\"");
	prom_sample(p, l, 3, "1");
}

static void prom_escapes_label_values_and_help(void **state)
{
	char text[512];

	(void)state;
	prom_text(write_escapes, text, sizeof(text));
	assert_string_equal(text,
		"# HELP x_total help with \\\\ and\\nnewline, \"as is\"\n"
		"# TYPE x_total counter\n"
		"x_total{a=\"say \\\"hi\\\"\",b=\"back\\\\slash\",c=\"two\\nlines\"} 1\n");
}

static void write_families(struct prom *p)
{
	const struct prom_label l = { "k", "v" };

	prom_family(p, "empty", PROM_GAUGE, "no samples: left out");
	prom_family(p, "g", PROM_GAUGE, "a gauge");
	prom_sample_u64(p, NULL, 0, 18446744073709551615ull);
	prom_sample_u64(p, &l, 1, 0);
	prom_family(p, "c_total", PROM_COUNTER, "a counter");
	prom_sample(p, NULL, 0, "2");
}

static void prom_prints_help_and_type_once_per_family(void **state)
{
	char text[512];

	(void)state;
	prom_text(write_families, text, sizeof(text));
	assert_string_equal(text,
		"# HELP g a gauge\n"
		"# TYPE g gauge\n"
		"g 18446744073709551615\n"
		"g{k=\"v\"} 0\n"
		"# HELP c_total a counter\n"
		"# TYPE c_total counter\n"
		"c_total 2\n");
}

static void prom_fmt_centi_is_the_shortest_decimal(void **state)
{
	char buf[PROM_VALUE_LEN];

	(void)state;
	assert_string_equal(prom_fmt_centi(buf, 0), "0");
	assert_string_equal(prom_fmt_centi(buf, 7), "0.07");
	assert_string_equal(prom_fmt_centi(buf, 40), "0.4");
	assert_string_equal(prom_fmt_centi(buf, 100), "1");
	assert_string_equal(prom_fmt_centi(buf, 110), "1.1");
	assert_string_equal(prom_fmt_centi(buf, 256), "2.56");
	assert_string_equal(prom_fmt_centi(buf, 18446744073709551615ull),
			    "184467440737095516.15");
}

static void prom_fmt_nano_gives_seconds(void **state)
{
	char buf[PROM_VALUE_LEN];

	(void)state;
	assert_string_equal(prom_fmt_nano(buf, 0), "0");
	assert_string_equal(prom_fmt_nano(buf, 42), "0.000000042");
	assert_string_equal(prom_fmt_nano(buf, 1500000000), "1.5");
	assert_string_equal(prom_fmt_nano(buf, 3000000000ull), "3");
	assert_string_equal(prom_fmt_nano(buf, 18446744073709551615ull),
			    "18446744073.709551615");
}

/* ---- stats --prometheus ---- */

static void prometheus_prints_every_metric_of_a_small_case(void **state)
{
	static const char *const snat[] = { "10.0.1.254", NULL };

	(void)state;
	add_few_stats();
	add_service("192.0.2.1", 80, IPPROTO_TCP, "wrr", snat, 0);
	add_backend("192.0.2.1", IPPROTO_TCP, "10.0.1.1", 8080,
		    L4LB_BE_STATE_UP, false, 50, 3);
	assert_int_equal(run(cmd_stats, false, "--prometheus"), RC_OK);
	assert_string_equal(err_text, "");
	assert_int_equal(fake.requests, 3);
	assert_int_equal(cmd_of(0), L4LB_CMD_STATS_GET);
	assert_int_equal(req_at(0)->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(cmd_of(1), L4LB_CMD_SERVICE_GET);
	assert_int_equal(req_at(1)->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(cmd_of(2), L4LB_CMD_BACKEND_GET);
	assert_int_equal(req_at(2)->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
#define SVC "vip=\"192.0.2.1\",port=\"80\",proto=\"tcp\""
#define BE SVC ",backend=\"10.0.1.1:8080\""
	assert_string_equal(out_text,
		"# HELP l4lb_nat_entries Rows in the NAT table.\n"
		"# TYPE l4lb_nat_entries gauge\n"
		"l4lb_nat_entries 3\n"
		"# HELP l4lb_nat_entries_limit Most rows the NAT table may hold (conn_max).\n"
		"# TYPE l4lb_nat_entries_limit gauge\n"
		"l4lb_nat_entries_limit 1024\n"
		"# HELP l4lb_nat_entries_created_total Rows created.\n"
		"# TYPE l4lb_nat_entries_created_total counter\n"
		"l4lb_nat_entries_created_total 9\n"
		"# HELP l4lb_drops_total Packets dropped, by reason: no_backend, table_full, no_snat_port and syn_limit refuse a new flow; no_memory, no_route, malformed and mtu drop one packet (mtu answers with an ICMP error).\n"
		"# TYPE l4lb_drops_total counter\n"
		"l4lb_drops_total{reason=\"no_route\"} 1\n"
		"# HELP l4lb_service_info A virtual service, with its scheduler; always 1.\n"
		"# TYPE l4lb_service_info gauge\n"
		"l4lb_service_info{" SVC ",scheduler=\"wrr\"} 1\n"
		"# HELP l4lb_service_snat_ports_in_use Rows of the service that hold a SNAT port of address, summed over the backends.\n"
		"# TYPE l4lb_service_snat_ports_in_use gauge\n"
		"l4lb_service_snat_ports_in_use{" SVC ",address=\"10.0.1.254\"} 2\n"
		"# HELP l4lb_service_snat_failures_total New connections of the service refused for want of a free SNAT address and port.\n"
		"# TYPE l4lb_service_snat_failures_total counter\n"
		"l4lb_service_snat_failures_total{" SVC "} 0\n"
		"# HELP l4lb_backend_state State of the backend: 1 for the one it is in (up, down, drain, or draining once removed), 0 for the others.\n"
		"# TYPE l4lb_backend_state gauge\n"
		"l4lb_backend_state{" BE ",state=\"up\"} 1\n"
		"l4lb_backend_state{" BE ",state=\"down\"} 0\n"
		"l4lb_backend_state{" BE ",state=\"drain\"} 0\n"
		"l4lb_backend_state{" BE ",state=\"draining\"} 0\n"
		"# HELP l4lb_backend_weight Configured weight of the backend.\n"
		"# TYPE l4lb_backend_weight gauge\n"
		"l4lb_backend_weight{" BE "} 2\n"
		"# HELP l4lb_backend_weight_ratio Share of its configured weight the schedulers give the backend, as a load feedback agent set it (weight-pct / 100).\n"
		"# TYPE l4lb_backend_weight_ratio gauge\n"
		"l4lb_backend_weight_ratio{" BE "} 0.5\n"
		"# HELP l4lb_backend_weight_effective Weight the schedulers use: the configured weight times the weight ratio, rounded down, but at least 1 unless either is 0.\n"
		"# TYPE l4lb_backend_weight_effective gauge\n"
		"l4lb_backend_weight_effective{" BE "} 1\n"
		"# HELP l4lb_backend_connections_active Rows of the backend in ESTABLISHED.\n"
		"# TYPE l4lb_backend_connections_active gauge\n"
		"l4lb_backend_connections_active{" BE "} 1\n"
		"# HELP l4lb_backend_connections_inactive Rows of the backend in other states.\n"
		"# TYPE l4lb_backend_connections_inactive gauge\n"
		"l4lb_backend_connections_inactive{" BE "} 2\n"
		"# HELP l4lb_backend_connections_total Rows created towards the backend.\n"
		"# TYPE l4lb_backend_connections_total counter\n"
		"l4lb_backend_connections_total{" BE "} 3\n"
		"# HELP l4lb_backend_incoming_packets_total Packets from clients to the backend.\n"
		"# TYPE l4lb_backend_incoming_packets_total counter\n"
		"l4lb_backend_incoming_packets_total{" BE "} 10\n"
		"# HELP l4lb_backend_outgoing_packets_total Packets from the backend to clients.\n"
		"# TYPE l4lb_backend_outgoing_packets_total counter\n"
		"l4lb_backend_outgoing_packets_total{" BE "} 9\n"
		"# HELP l4lb_backend_incoming_bytes_total IP bytes from clients to the backend.\n"
		"# TYPE l4lb_backend_incoming_bytes_total counter\n"
		"l4lb_backend_incoming_bytes_total{" BE "} 1000\n"
		"# HELP l4lb_backend_outgoing_bytes_total IP bytes from the backend to clients.\n"
		"# TYPE l4lb_backend_outgoing_bytes_total counter\n"
		"l4lb_backend_outgoing_bytes_total{" BE "} 900\n");
#undef BE
#undef SVC
}

/* The name of the sample or family line @line: its first word, or after "# TYPE ". */
static void line_name(const char *line, char *name, size_t size)
{
	size_t n;

	if (!strncmp(line, "# HELP ", 7) || !strncmp(line, "# TYPE ", 7))
		line += 7;
	n = strcspn(line, "{ \n");
	assert_true(n < size);
	memcpy(name, line, n);
	name[n] = '\0';
}

static bool ends_with(const char *s, const char *end)
{
	size_t ls = strlen(s), le = strlen(end);

	return ls >= le && !strcmp(s + ls - le, end);
}

/*
 * Every line of the whole output: families come as HELP, TYPE, then
 * samples of that name only; no family twice; names l4lb_[a-z_]+;
 * counters, and only they, end in _total.
 */
static void prometheus_families_are_well_formed(void **state)
{
	char family[128] = "", name[128], seen[4096] = " ";
	const char *line;
	int counters = 0, gauges = 0;

	(void)state;
	add_everything();
	assert_int_equal(run(cmd_stats, false, "--prometheus"), RC_OK);
	for (line = out_text; *line; line = strchr(line, '\n') + 1) {
		line_name(line, name, sizeof(name));
		assert_int_equal(strncmp(name, "l4lb_", 5), 0);
		assert_int_equal(strspn(name, "abcdefghijklmnopqrstuvwxyz_4"),
				 strlen(name));
		if (!strncmp(line, "# HELP ", 7)) {
			char key[132];

			/* A new family, never seen before. */
			snprintf(key, sizeof(key), " %s ", name);
			assert_null(strstr(seen, key));
			strcat(seen, key + 1);
			snprintf(family, sizeof(family), "%s", name);
			/* TYPE follows HELP. */
			line = strchr(line, '\n') + 1;
			line_name(line, name, sizeof(name));
			assert_string_equal(name, family);
			if (!strncmp(line + 7 + strlen(name), " counter\n", 9)) {
				assert_true(ends_with(name, "_total"));
				counters++;
			} else {
				assert_int_equal(strncmp(line + 7 + strlen(name),
							 " gauge\n", 7), 0);
				assert_false(ends_with(name, "_total"));
				gauges++;
			}
			continue;
		}
		assert_int_not_equal(line[0], '#');
		assert_string_equal(name, family);
	}
	assert_int_equal(counters, 20);
	assert_int_equal(gauges, 11);
}

static void prometheus_backend_state_is_one_hot(void **state)
{
#define BE(ip) "{vip=\"192.0.2.1\",port=\"80\",proto=\"tcp\",backend=\"" ip ":8080\""
	static const char *const want[] = {
		"l4lb_backend_state" BE("10.0.1.1") ",state=\"up\"} 1\n",
		"l4lb_backend_state" BE("10.0.1.1") ",state=\"down\"} 0\n",
		"l4lb_backend_state" BE("10.0.1.2") ",state=\"up\"} 0\n",
		"l4lb_backend_state" BE("10.0.1.2") ",state=\"down\"} 1\n",
		"l4lb_backend_state" BE("10.0.1.3") ",state=\"drain\"} 1\n",
		"l4lb_backend_state" BE("10.0.1.3") ",state=\"draining\"} 0\n",
		"l4lb_backend_state" BE("10.0.1.4") ",state=\"drain\"} 0\n",
		"l4lb_backend_state" BE("10.0.1.4") ",state=\"draining\"} 1\n",
		/* The weight percentage as a ratio. */
		"l4lb_backend_weight_ratio" BE("10.0.1.2") "} 0.5\n",
		"l4lb_backend_weight_ratio" BE("10.0.1.3") "} 2.56\n",
		"l4lb_backend_weight_ratio" BE("10.0.1.4") "} 0.07\n",
	};
#undef BE
	size_t i;

	(void)state;
	add_everything();
	assert_int_equal(run(cmd_stats, false, "--prometheus"), RC_OK);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(out_text, want[i]))
			fail_msg("missing: %s", want[i]);
}

static void prometheus_escapes_what_the_kernel_sent(void **state)
{
	(void)state;
	add_everything();
	assert_int_equal(run(cmd_stats, false, "--prometheus"), RC_OK);
	assert_non_null(strstr(out_text,
		"l4lb_service_info{vip=\"192.0.2.2\",port=\"80\",proto=\"udp\","
		"scheduler=\"a\\\"b\\\\c\"} 1\n"));
	/* Every counter the kernel sent, with its value. */
	assert_non_null(strstr(out_text, "\nl4lb_nat_half_open_entries 116\n"));
	assert_non_null(strstr(out_text,
		"\nl4lb_drops_total{reason=\"syn_limit\"} 115\n"));
	assert_non_null(strstr(out_text,
		"\nl4lb_snat_reclaims_total{state=\"closed\"} 119\n"));
	assert_non_null(strstr(out_text,
		"\nl4lb_proxy_syn_data_dropped_total 122\n"));
	assert_non_null(strstr(out_text, "\nl4lb_peer_sent_total 123\n"));
	assert_non_null(strstr(out_text,
		"\nl4lb_peer_miss_dropped_total 124\n"));
	assert_non_null(strstr(out_text, "\nl4lb_gc_runs_total 125\n"));
	/* Nanoseconds in, seconds out. */
	assert_non_null(strstr(out_text,
		"\nl4lb_gc_seconds_total 0.000000126\n"));
	assert_non_null(strstr(out_text,
		"\nl4lb_service_snat_ports_in_use{vip=\"192.0.2.1\",port=\"80\","
		"proto=\"tcp\",address=\"10.0.1.251\"} 4\n"));
}

/* IPv6: the vip and address labels plain, the backend's in brackets. */
static void prometheus_labels_ipv6_as_l4lbctl_prints_it(void **state)
{
#define SVC6 "{vip=\"2001:db8::10\",port=\"80\",proto=\"tcp\""
	(void)state;
	add_everything();
	assert_int_equal(run(cmd_stats, false, "--prometheus"), RC_OK);
	assert_non_null(strstr(out_text,
		"\nl4lb_service_info" SVC6 ",scheduler=\"mh\"} 1\n"));
	assert_non_null(strstr(out_text,
		"\nl4lb_service_snat_ports_in_use" SVC6
		",address=\"2001:db8:1::5\"} 2\n"));
	assert_non_null(strstr(out_text,
		"\nl4lb_backend_state" SVC6
		",backend=\"[2001:db8:1::1]:8080\",state=\"up\"} 1\n"));
	assert_non_null(strstr(out_text,
		"\nl4lb_backend_connections_total" SVC6
		",backend=\"[2001:db8:1::1]:8080\"} 10\n"));
#undef SVC6
}

static void prometheus_without_services_prints_the_counters(void **state)
{
	(void)state;
	add_few_stats();
	assert_int_equal(run(cmd_stats, false, "--prometheus"), RC_OK);
	assert_int_equal(fake.requests, 3);
	assert_non_null(strstr(out_text, "\nl4lb_nat_entries_limit 1024\n"));
	assert_null(strstr(out_text, "l4lb_service"));
	assert_null(strstr(out_text, "l4lb_backend"));
}

static void prometheus_prints_nothing_if_a_request_fails(void **state)
{
	(void)state;
	add_everything();
	fake_fail_cmd(L4LB_CMD_BACKEND_GET, RC_PERM);
	assert_int_equal(run(cmd_stats, false, "--prometheus"), RC_PERM);
	assert_string_equal(out_text, "");
	assert_string_equal(err_text, "l4lbctl: fake failure\n");
	reset(NULL);
	assert_int_equal(run(cmd_stats, false, "--prometheus"), RC_KERNEL);
	assert_int_equal(fake.requests, 1);
	assert_string_equal(out_text, "");
	assert_string_equal(err_text,
			    "l4lbctl: invalid reply from kernel: no statistics\n");
}

/* The entries of directory @dir, but . and .., as " NAME" words. */
static void dir_names(const char *dir, char *names, size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	assert_non_null(d);
	names[0] = '\0';
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			snprintf(names + strlen(names), size - strlen(names),
				 " %s", e->d_name);
	closedir(d);
}

static void read_file(const char *path, char *text, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(text, 1, size - 1, f);
	text[n] = '\0';
	fclose(f);
}

static void prometheus_o_writes_the_file_whole(void **state)
{
	char dir[] = "/tmp/test_prom.XXXXXX", path[64], args[96];
	static char want[sizeof(out_text)], got[sizeof(out_text)];
	char names[256];
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/l4lb.prom", dir);
	snprintf(args, sizeof(args), "--prometheus -o %s", path);
	add_everything();
	assert_int_equal(run(cmd_stats, false, "--prometheus"), RC_OK);
	snprintf(want, sizeof(want), "%s", out_text);

	/* Written, readable by the exporter's user, nothing else left. */
	assert_int_equal(run(cmd_stats, false, args), RC_OK);
	assert_string_equal(out_text, "");
	assert_string_equal(err_text, "");
	read_file(path, got, sizeof(got));
	assert_string_equal(got, want);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	dir_names(dir, names, sizeof(names));
	assert_string_equal(names, " l4lb.prom");

	/* Replaced as a whole... */
	reset(NULL);
	add_few_stats();
	assert_int_equal(run(cmd_stats, false, args), RC_OK);
	read_file(path, got, sizeof(got));
	assert_null(strstr(got, "l4lb_backend"));
	assert_non_null(strstr(got, "l4lb_nat_entries 3\n"));

	/* ...and left as it was when the kernel fails. */
	fake_fail_cmd(L4LB_CMD_SERVICE_GET, RC_PERM);
	assert_int_equal(run(cmd_stats, false, args), RC_PERM);
	assert_string_equal(out_text, "");
	read_file(path, want, sizeof(want));
	assert_string_equal(want, got);
	dir_names(dir, names, sizeof(names));
	assert_string_equal(names, " l4lb.prom");

	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void prometheus_o_into_a_missing_directory_fails(void **state)
{
	(void)state;
	add_few_stats();
	assert_int_equal(run(cmd_stats, false,
			     "--prometheus -o /nonexistent/dir/l4lb.prom"),
			 RC_KERNEL);
	assert_string_equal(out_text, "");
	assert_string_equal(err_text,
		"l4lbctl: cannot write /nonexistent/dir/l4lb.prom: No such file or directory\n");
}

static void prometheus_usage_errors_send_nothing(void **state)
{
	static const struct {
		bool json;
		const char *args;
		const char *err;
	} cases[] = {
		{ false, "-o /tmp/x", "\"-o\" needs \"--prometheus\"" },
		{ true, "--prometheus", "\"--prometheus\" and \"-j\" exclude each other" },
		{ false, "--prometheus --prometheus", "\"--prometheus\" given twice" },
		{ false, "--prometheus -o", "missing value after \"-o\"" },
		{ false, "--prometheus -o a -o b", "\"-o\" given twice" },
		{ false, "--prometheus -j", "unknown argument \"-j\"" },
		{ false, "--prom", "unknown argument \"--prom\"" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char want[128];

		assert_int_equal(run(cmd_stats, cases[i].json, cases[i].args),
				 RC_USAGE);
		snprintf(want, sizeof(want), "l4lbctl: %s\n", cases[i].err);
		assert_string_equal(err_text, want);
		assert_string_equal(out_text, "");
	}
	assert_int_equal(fake.requests, 0);
}

/* "stats" without --prometheus is as it was: the counters, one request. */
static void stats_alone_prints_the_counters(void **state)
{
	(void)state;
	add_everything();
	assert_int_equal(run(cmd_stats, false, ""), RC_OK);
	assert_int_equal(fake.requests, 1);
	assert_non_null(strstr(out_text, "conns 102\nconn_max 103\n"));
}

#define T(f) cmocka_unit_test_setup(f, reset)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(prom_escapes_label_values_and_help),
		T(prom_prints_help_and_type_once_per_family),
		T(prom_fmt_centi_is_the_shortest_decimal),
		T(prom_fmt_nano_gives_seconds),
		T(prometheus_prints_every_metric_of_a_small_case),
		T(prometheus_families_are_well_formed),
		T(prometheus_backend_state_is_one_hot),
		T(prometheus_escapes_what_the_kernel_sent),
		T(prometheus_without_services_prints_the_counters),
		T(prometheus_prints_nothing_if_a_request_fails),
		T(prometheus_o_writes_the_file_whole),
		T(prometheus_o_into_a_missing_directory_fails),
		T(prometheus_usage_errors_send_nothing),
		T(stats_alone_prints_the_counters),
		T(prometheus_labels_ipv6_as_l4lbctl_prints_it),
	};

	if (argc == 2 && !strcmp(argv[1], "--print")) {
		char *args[] = { "--prometheus", NULL };
		struct ctl ctl = { 0 };

		reset(NULL);
		add_everything();
		return cmd_stats(&ctl, 1, args);
	}
	return cmocka_run_group_tests_name("prom", tests, NULL, NULL);
}
