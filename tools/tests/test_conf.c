// SPDX-License-Identifier: GPL-2.0
/*
 * test_conf.c - "save" and "restore": the file parser (conf.c), each bad
 * line it refuses with its FILE:LINE message, and the requests restore
 * sends, with the kernel replaced by a fake nl.c that answers the two
 * dumps from a table and acknowledges everything else.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <uapi/l4lb.h>

#include "capture.h"
#include "cmd.h"
#include "conf.h"
#include "error.h"
#include "fake_nl.h"
#include "nl.h"

/* ---- The fake kernel. ---- */

/* A service or backend the fake kernel has. */
struct entry {
	const char *vip;
	uint16_t port;
	uint8_t proto;
	const char *be;		/* backend address, NULL for a service */
	uint16_t be_port;
	uint8_t state;
	bool removed;
	const char *peers;	/* a service's peers, "A B", or NULL: no nest */
};

/* A PEERS nest of the addresses in @list ("A B ..."; "" for none). */
static void put_peers(struct nlmsghdr *nlh, const char *list)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_PEERS);
	char buf[256], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save))
		mnl_attr_put_u32(nlh, L4LB_PEER_ATTR_ADDR, inet_addr(tok));
	mnl_attr_nest_end(nlh, nest);
}

/* Queue the replies to the dumps of @table, which ends with a NULL vip. */
static void set_kernel(const struct entry *table)
{
	const struct entry *f;

	for (f = table; f->vip; f++) {
		struct nlmsghdr *nlh;
		struct nlattr *nest;

		if (!f->be) {
			nlh = new_reply(L4LB_CMD_SERVICE_GET);
			nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
			put_svc_fields(nlh, f->vip, f->port, f->proto);
			mnl_attr_put_strz(nlh, L4LB_SVC_ATTR_SCHED, "wrr");
			/* "auto": an IPv6 service sends its empty pool only. */
			if (strchr(f->vip, ':'))
				mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh,
						  L4LB_SVC_ATTR_SNAT_POOL));
			else
				mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_SNAT_ADDR, 0);
			mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_TIMEOUT_TCP, 900);
			mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_PERSISTENCE, 0);
			mnl_attr_put_u8(nlh, L4LB_SVC_ATTR_CLIENT_ADDR, 0);
			if (f->peers)
				put_peers(nlh, f->peers);
			mnl_attr_nest_end(nlh, nest);
			continue;
		}
		nlh = new_reply(L4LB_CMD_BACKEND_GET);
		put_svc_key(nlh, f->vip, f->port, f->proto);
		nest = mnl_attr_nest_start(nlh, L4LB_ATTR_BACKEND);
		put_ip(nlh, L4LB_BE_ATTR_ADDR, L4LB_BE_ATTR_ADDR6, f->be);
		mnl_attr_put_u16(nlh, L4LB_BE_ATTR_PORT, htons(f->be_port));
		mnl_attr_put_u32(nlh, L4LB_BE_ATTR_WEIGHT, 2);
		/* An agent's figure, which save leaves out. */
		mnl_attr_put_u32(nlh, L4LB_BE_ATTR_WEIGHT_PCT, 40);
		mnl_attr_put_u32(nlh, L4LB_BE_ATTR_WEIGHT_EFF, 1);
		mnl_attr_put_u8(nlh, L4LB_BE_ATTR_STATE, f->state);
		if (f->removed)
			mnl_attr_put(nlh, L4LB_BE_ATTR_REMOVED, 0, NULL);
		mnl_attr_nest_end(nlh, nest);
	}
}

static int reset(void **state)
{
	(void)state;
	fake_reset();
	return 0;
}

/* ---- Requests. ---- */

/* Attribute @type of nest @nest of request @i, or NULL. */
static const struct nlattr *attr_of(int i, uint16_t nest, uint16_t type)
{
	const struct nlattr *top, *a;

	mnl_attr_for_each(top, req_at(i), sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(top) != nest)
			continue;
		mnl_attr_for_each_nested(a, top)
			if (mnl_attr_get_type(a) == type)
				return a;
	}
	return NULL;
}

/* ---- Running restore and save with stdout and stderr captured. ---- */

/* Write @text to a temporary file; its name in @path. */
static void write_file(char *path, const char *text)
{
	int fd;

	strcpy(path, "/tmp/test_conf.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* restore [OPTS] of a file holding @text. */
static int restore_text(const char *opts, const char *text)
{
	char path[32], args[64];
	int rc;

	write_file(path, text);
	snprintf(args, sizeof(args), "%s %s", opts, path);
	rc = run(cmd_restore, false, args);
	unlink(path);
	return rc;
}

/* conf_read() of @text as file "t.conf", stderr captured. */
static int read_text(const char *text, struct conf *conf)
{
	FILE *f;
	int rc;

	f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(f);
	capture_begin();
	rc = conf_read(f, "t.conf", conf);
	capture_end();
	fclose(f);
	return rc;
}

#define SVC1 "service set vip 10.0.0.1 port 80 proto tcp scheduler wrr\n"
#define SVC2 "service set vip 10.0.0.1 port 53 proto udp timeout udp 10\n"
#define SVC1_PEERS \
	"service set vip 10.0.0.1 port 80 proto tcp peers 10.0.0.11,10.0.0.12\n"

/* ---- The parser. ---- */

static void conf_reads_lines_comments_and_aliases(void **state)
{
	struct conf conf;

	(void)state;
	assert_int_equal(read_text("# a comment\n\n" SVC1 "\t" SVC2
				   "backend add 10.0.0.2:80 weight 3 service 10.0.0.1:80/tcp # web\n"
				   "add 10.0.0.3:80 drain service 10.0.0.1:80/tcp\n"
				   "backend add 10.0.0.2:53 service 10.0.0.1:53/udp",
				   &conf), RC_OK);
	assert_string_equal(err_text, "");
	assert_int_equal(conf.nsvcs, 2);
	assert_int_equal(conf.nbes, 3);
	assert_int_equal(conf.svcs[1].line, 4);
	assert_int_equal(conf.svcs[1].svc.timeout[L4LB_SVC_ATTR_TIMEOUT_UDP], 10);
	assert_int_equal(conf.bes[0].req.be.weight, 3);
	assert_int_equal(conf.bes[1].req.be.state, L4LB_BE_STATE_DRAIN);
	assert_int_equal(conf.bes[2].line, 7);
	conf_free(&conf);
}

/* Each bad line, last in a file whose lines before it are good. */
static void conf_refuses_each_bad_line(void **state)
{
	static const struct {
		const char *line, *msg;
	} cases[] = {
		{ "frob", "unknown command \"frob\" (expected \"service set\" or \"backend add\")" },
		{ "list", "unknown command \"list\" (expected \"service set\" or \"backend add\")" },
		{ "service del 10.0.0.1:80/tcp",
		  "\"service del\" is not a configuration line (expected \"service set\" or \"backend add\")" },
		{ "backend", "\"backend\" is not a configuration line (expected \"service set\" or \"backend add\")" },
		{ "backend set 10.0.0.2:80 down",
		  "\"backend set\" is not a configuration line (expected \"service set\" or \"backend add\")" },
		{ "backend add 10.0.0.300:80 service 10.0.0.1:80/tcp",
		  "invalid address \"10.0.0.300:80\"" },
		{ "backend add 10.0.0.2:80 weight 70000 service 10.0.0.1:80/tcp",
		  "invalid weight \"70000\" (expected 0-65535)" },
		{ "backend add 10.0.0.2:80 weight-pct 300 service 10.0.0.1:80/tcp",
		  "invalid weight-pct \"300\" (expected 0-256)" },
		{ "backend add 10.0.0.2:80 weight-pct 5 weight-pct 5 service 10.0.0.1:80/tcp",
		  "\"weight-pct\" given twice" },
		{ "backend add 10.0.0.2:80 up down service 10.0.0.1:80/tcp",
		  "more than one state given (up, down, drain)" },
		{ "backend add 10.0.0.2:80 --now service 10.0.0.1:80/tcp",
		  "unknown argument \"--now\"" },
		{ "backend add 10.0.0.2:80 service 10.0.0.1:99999",
		  "invalid service \"10.0.0.1:99999\" (expected VIP[:PORT][/tcp|/udp])" },
		{ "service set vip 10.0.0.9 port 80 proto tcp scheduler a/b",
		  "invalid scheduler name \"a/b\"" },
		{ "service set vip 10.0.0.9 port 80 proto sctp",
		  "unknown protocol \"sctp\" (expected tcp or udp)" },
		{ "service set vip 10.0.0.9 port 80 proto tcp timeout tcp x",
		  "invalid timeout \"x\" (expected seconds)" },
		{ "service set vip 10.0.0.9 port 80 proto tcp client-addr x",
		  "invalid client-addr \"x\" (expected none, proxy-v2, proxy-v1 or toa)" },
		{ "service set", "service set: nothing to set" },
		{ "service set vip 10.0.0.9 port 80",
		  "service set: missing vip, port or proto" },
		{ "backend add 10.0.0.2:80",
		  "backend 10.0.0.2:80: missing \"service VIP:PORT/PROTO\"" },
		{ "backend add 10.0.0.2:80 service 10.0.0.1/tcp",
		  "backend 10.0.0.2:80: missing \"service VIP:PORT/PROTO\"" },
		{ "backend add 10.0.0.2:80 service 10.0.0.9:80/tcp",
		  "service 10.0.0.9:80/tcp is not defined above" },
		{ "service set vip 10.0.0.1 port 80 proto tcp scheduler rr",
		  "service 10.0.0.1:80/tcp defined twice (first on line 1)" },
		{ "add 10.0.0.2:80 weight 1 service 10.0.0.1:80/tcp",
		  "backend 10.0.0.2:80 of 10.0.0.1:80/tcp defined twice (first on line 2)" },
		{ "backend add [2001:db8::2]:80 service 10.0.0.1:80/tcp",
		  "backend [2001:db8::2]:80 is IPv6 but service 10.0.0.1:80/tcp is IPv4 (l4lb does no NAT64)" },
		{ "backend add 2001:db8::2:80 service 10.0.0.1:80/tcp",
		  "invalid address \"2001:db8::2:80\" (expected [IPv6]:PORT)" },
		{ "service set vip 2001:db8::9 port 80 proto tcp snat 10.0.0.5",
		  "snat is IPv4 but vip 2001:db8::9 is IPv6 (l4lb does no NAT64)" },
		{ "service set vip fe80::9%eth0 port 80 proto tcp",
		  "invalid address \"fe80::9%eth0\" (a zone index is not supported)" },
		{ "backend add [2001:db8::2]:80 service [2001:db8::9]:80/tcp",
		  "service [2001:db8::9]:80/tcp is not defined above" },
	};
	char text[256], want[256];
	struct conf conf;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), SVC1
			 "backend add 10.0.0.2:80 service 10.0.0.1:80/tcp\n"
			 "# comment\n%s\n", cases[i].line);
		snprintf(want, sizeof(want), "l4lbctl: t.conf:4: %s\n",
			 cases[i].msg);
		assert_int_equal(read_text(text, &conf), RC_USAGE);
		assert_string_equal(err_text, want);
		conf_free(&conf);
	}
}

static void conf_refuses_an_over_long_line(void **state)
{
	char text[CONF_LINE_MAX + 64];
	struct conf conf;

	(void)state;
	/* Exactly CONF_LINE_MAX characters is fine... */
	snprintf(text, sizeof(text), "# %-*s\n", CONF_LINE_MAX - 2, "x");
	assert_int_equal(read_text(text, &conf), RC_OK);
	conf_free(&conf);
	/* ...one more is not. */
	snprintf(text, sizeof(text), "\n# %-*s\n", CONF_LINE_MAX - 1, "x");
	assert_int_equal(read_text(text, &conf), RC_USAGE);
	assert_string_equal(err_text,
			    "l4lbctl: t.conf:2: line too long (more than 4095 characters)\n");
	conf_free(&conf);
}

static void conf_refuses_too_many_words(void **state)
{
	char text[CONF_LINE_MAX + 1] = "service set";
	struct conf conf;
	int i;

	(void)state;
	for (i = 0; i < CONF_WORDS_MAX / 2; i++)
		strcat(text, " persistence 1");
	strcat(text, "\n");
	assert_int_equal(read_text(text, &conf), RC_USAGE);
	assert_string_equal(err_text,
			    "l4lbctl: t.conf:1: too many words (more than 128)\n");
	conf_free(&conf);
}

/* ---- restore ---- */

static void restore_of_a_missing_file_sends_nothing(void **state)
{
	(void)state;
	assert_int_equal(run(cmd_restore, false, "/nonexistent/l4lb.conf"),
			 RC_USAGE);
	assert_string_equal(err_text,
			    "l4lbctl: /nonexistent/l4lb.conf: No such file or directory\n");
	assert_int_equal(fake.requests, 0);
}

static void restore_usage_errors(void **state)
{
	(void)state;
	assert_int_equal(run(cmd_restore, false, ""), RC_USAGE);
	assert_string_equal(err_text, "l4lbctl: missing FILE\n");
	assert_int_equal(run(cmd_restore, false, "a b"), RC_USAGE);
	assert_string_equal(err_text, "l4lbctl: unknown argument \"b\"\n");
	assert_int_equal(run(cmd_restore, false, "--replace --replace a"),
			 RC_USAGE);
	assert_string_equal(err_text, "l4lbctl: \"--replace\" given twice\n");
	assert_int_equal(run(cmd_restore, false, "-f"), RC_USAGE);
	assert_string_equal(err_text, "l4lbctl: missing value after \"-f\"\n");
	assert_int_equal(run(cmd_restore, false, "--now a"), RC_USAGE);
	assert_string_equal(err_text, "l4lbctl: unknown argument \"--now\"\n");
	assert_int_equal(fake.requests, 0);
}

static void restore_with_a_bad_last_line_sends_nothing(void **state)
{
	(void)state;
	assert_int_equal(restore_text("", SVC1 SVC2
				      "backend add 10.0.0.2:80 service 10.0.0.1:80/tcp\n"
				      "backend add 10.0.0.3:80 weight x service 10.0.0.1:80/tcp\n"),
			 RC_USAGE);
	assert_non_null(strstr(err_text, ":4: invalid weight \"x\" (expected 0-65535)\n"));
	assert_int_equal(fake.requests, 0);
}

static void restore_with_a_bad_weight_pct_sends_nothing(void **state)
{
	(void)state;
	assert_int_equal(restore_text("", SVC1
				      "backend add 10.0.0.2:80 weight-pct 50 service 10.0.0.1:80/tcp\n"
				      "backend add 10.0.0.3:80 weight-pct 300 service 10.0.0.1:80/tcp\n"),
			 RC_USAGE);
	assert_non_null(strstr(err_text, ":3: invalid weight-pct \"300\" (expected 0-256)\n"));
	assert_int_equal(fake.requests, 0);
}

static void restore_sends_services_then_backends(void **state)
{
	(void)state;
	assert_int_equal(restore_text("", SVC1
				      "backend add 10.0.0.3:80 drain service 10.0.0.1:80/tcp\n"
				      SVC2), RC_OK);
	assert_string_equal(err_text, "");
	assert_int_equal(fake.requests, 5);
	assert_int_equal(cmd_of(0), L4LB_CMD_SERVICE_GET);
	assert_int_equal(cmd_of(1), L4LB_CMD_BACKEND_GET);
	assert_int_equal(cmd_of(2), L4LB_CMD_SERVICE_SET);
	assert_int_equal(cmd_of(3), L4LB_CMD_SERVICE_SET);
	assert_int_equal(mnl_attr_get_u16(attr_of(3, L4LB_ATTR_SERVICE,
						  L4LB_SVC_ATTR_PORT)), htons(53));
	assert_int_equal(cmd_of(4), L4LB_CMD_BACKEND_ADD);
	assert_int_equal(mnl_attr_get_u8(attr_of(4, L4LB_ATTR_BACKEND,
						 L4LB_BE_ATTR_STATE)),
			 L4LB_BE_STATE_DRAIN);
	assert_int_equal(mnl_attr_get_u16(attr_of(4, L4LB_ATTR_SERVICE,
						  L4LB_SVC_ATTR_PORT)), htons(80));
}

static const struct entry two_services[] = {
	{ "10.0.0.1", 80, IPPROTO_TCP, NULL, 0, 0, false, NULL },
	{ "10.0.0.7", 80, IPPROTO_TCP, NULL, 0, 0, false, NULL },
	{ "10.0.0.1", 80, IPPROTO_TCP, "10.0.0.2", 80, L4LB_BE_STATE_DOWN, false, NULL },
	{ "10.0.0.1", 80, IPPROTO_TCP, "10.0.0.4", 80, L4LB_BE_STATE_UP, false, NULL },
	{ "10.0.0.1", 80, IPPROTO_TCP, "10.0.0.5", 80, L4LB_BE_STATE_DRAIN, true, NULL },
	{ "10.0.0.7", 80, IPPROTO_TCP, "10.0.0.8", 80, L4LB_BE_STATE_UP, false, NULL },
	{ NULL, 0, 0, NULL, 0, 0, false, NULL },
};

static void restore_sets_a_backend_that_is_there(void **state)
{
	(void)state;
	set_kernel(two_services);
	assert_int_equal(restore_text("", SVC1
				      "backend add 10.0.0.2:80 service 10.0.0.1:80/tcp\n"
				      "backend add 10.0.0.5:80 service 10.0.0.1:80/tcp\n"),
			 RC_OK);
	assert_int_equal(fake.requests, 5);
	/* Present: made what the line says, weight 1 and up by default. */
	assert_int_equal(cmd_of(3), L4LB_CMD_BACKEND_SET);
	assert_int_equal(mnl_attr_get_u32(attr_of(3, L4LB_ATTR_BACKEND,
						  L4LB_BE_ATTR_WEIGHT)), 1);
	assert_int_equal(mnl_attr_get_u8(attr_of(3, L4LB_ATTR_BACKEND,
						 L4LB_BE_ATTR_STATE)),
			 L4LB_BE_STATE_UP);
	/* An agent's weight percentage is left as it is. */
	assert_null(attr_of(3, L4LB_ATTR_BACKEND, L4LB_BE_ATTR_WEIGHT_PCT));
	/* Removed and draining: added again, as "backend add" revives it. */
	assert_int_equal(cmd_of(4), L4LB_CMD_BACKEND_ADD);
}

/* A line with weight-pct: read, and sent to a new and an existing backend. */
static void restore_sends_a_weight_pct_line(void **state)
{
	static const char text[] = SVC1
		"backend add 10.0.0.2:80 weight-pct 50 service 10.0.0.1:80/tcp\n"
		"backend add 10.0.0.3:80 weight 4 weight-pct 0 service 10.0.0.1:80/tcp\n";
	struct conf conf;

	(void)state;
	assert_int_equal(read_text(text, &conf), RC_OK);
	assert_int_equal(conf.nbes, 2);
	assert_true(conf.bes[0].req.be.present &
		    ATTR_BIT(L4LB_BE_ATTR_WEIGHT_PCT));
	assert_int_equal(conf.bes[0].req.be.weight_pct, 50);
	assert_int_equal(conf.bes[1].req.be.weight_pct, 0);
	conf_free(&conf);

	set_kernel(two_services);
	assert_int_equal(restore_text("", text), RC_OK);
	assert_string_equal(err_text, "");
	assert_int_equal(fake.requests, 5);
	/* 10.0.0.2 is there: set, weight 1 and up by default, and 50%. */
	assert_int_equal(cmd_of(3), L4LB_CMD_BACKEND_SET);
	assert_int_equal(mnl_attr_get_u32(attr_of(3, L4LB_ATTR_BACKEND,
						  L4LB_BE_ATTR_WEIGHT_PCT)), 50);
	assert_int_equal(mnl_attr_get_u32(attr_of(3, L4LB_ATTR_BACKEND,
						  L4LB_BE_ATTR_WEIGHT)), 1);
	/* 10.0.0.3 is new: added with its weight and 0%. */
	assert_int_equal(cmd_of(4), L4LB_CMD_BACKEND_ADD);
	assert_int_equal(mnl_attr_get_u32(attr_of(4, L4LB_ATTR_BACKEND,
						  L4LB_BE_ATTR_WEIGHT)), 4);
	assert_int_equal(mnl_attr_get_u32(attr_of(4, L4LB_ATTR_BACKEND,
						  L4LB_BE_ATTR_WEIGHT_PCT)), 0);
}

static void restore_replace_drains_and_deletes_what_is_not_named(void **state)
{
	(void)state;
	set_kernel(two_services);
	assert_int_equal(restore_text("--replace", SVC1
				      "backend add 10.0.0.2:80 service 10.0.0.1:80/tcp\n"),
			 RC_OK);
	assert_string_equal(err_text, "");
	assert_int_equal(fake.requests, 6);
	assert_int_equal(cmd_of(3), L4LB_CMD_BACKEND_SET);
	assert_null(attr_of(3, L4LB_ATTR_BACKEND, L4LB_BE_ATTR_WEIGHT_PCT));
	/* 10.0.0.4 drains: BACKEND_DEL without L4LB_F_NOW. */
	assert_int_equal(cmd_of(4), L4LB_CMD_BACKEND_DEL);
	assert_int_equal(mnl_attr_get_u32(attr_of(4, L4LB_ATTR_BACKEND,
						  L4LB_BE_ATTR_ADDR)),
			 inet_addr("10.0.0.4"));
	assert_null(attr_of(4, L4LB_ATTR_BACKEND, L4LB_BE_ATTR_STATE));
	/* The service the file does not name goes, its backends with it. */
	assert_int_equal(cmd_of(5), L4LB_CMD_SERVICE_DEL);
	assert_int_equal(mnl_attr_get_u32(attr_of(5, L4LB_ATTR_SERVICE,
						  L4LB_SVC_ATTR_VIP)),
			 inet_addr("10.0.0.7"));
}

static void restore_names_the_line_the_kernel_refused(void **state)
{
	(void)state;
	fake_fail_at(4, RC_KERNEL);
	assert_int_equal(restore_text("", SVC1 "\n"
				      "backend add 10.0.0.2:80 service 10.0.0.1:80/tcp\n"
				      "backend add 10.0.0.3:80 service 10.0.0.1:80/tcp\n"),
			 RC_KERNEL);
	assert_non_null(strstr(err_text, ":3: fake failure\n"));
	/* It stops there. */
	assert_int_equal(fake.requests, 4);
}

static void restore_without_the_module_fails_after_the_check(void **state)
{
	(void)state;
	fake_fail_at(1, RC_KERNEL);
	assert_int_equal(restore_text("", SVC1), RC_KERNEL);
	assert_string_equal(err_text, "l4lbctl: fake failure\n");
}

/* ---- save ---- */

/* The fake kernel's backends are at 40%: not in the file. */
static void save_prints_lines_restore_reads_back(void **state)
{
	struct conf conf;

	(void)state;
	set_kernel(two_services);
	assert_int_equal(run(cmd_save, false, ""), RC_OK);
	assert_string_equal(err_text, "");
	assert_string_equal(out_text,
		"# l4lb configuration, written by \"l4lbctl save\";\n"
		"# apply it with \"l4lbctl restore FILE\".\n\n"
		"service set vip 10.0.0.1 port 80 proto tcp scheduler wrr snat auto timeout tcp 900 persistence 0 client-addr none\n"
		"backend add 10.0.0.2:80 weight 2 down service 10.0.0.1:80/tcp\n"
		"backend add 10.0.0.4:80 weight 2 service 10.0.0.1:80/tcp\n\n"
		"service set vip 10.0.0.7 port 80 proto tcp scheduler wrr snat auto timeout tcp 900 persistence 0 client-addr none\n"
		"backend add 10.0.0.8:80 weight 2 service 10.0.0.7:80/tcp\n");
	assert_int_equal(read_text(out_text, &conf), RC_OK);
	assert_int_equal(conf.nsvcs, 2);
	assert_int_equal(conf.nbes, 3);
	conf_free(&conf);
}

/* Peers only when there are some: UDP and older modules refuse "peers". */
static void save_and_restore_peers(void **state)
{
	static const struct entry peered[] = {
		{ "10.0.0.1", 80, IPPROTO_TCP, NULL, 0, 0, false,
		  "10.0.0.11 10.0.0.12" },
		{ "10.0.0.2", 80, IPPROTO_TCP, NULL, 0, 0, false, "" },
		{ "10.0.0.3", 53, IPPROTO_UDP, NULL, 0, 0, false, NULL },
		{ NULL, 0, 0, NULL, 0, 0, false, NULL },
	};
	static const char *const want[] = { "10.0.0.11", "10.0.0.12" };
	const struct nlattr *peers, *a;
	struct conf conf;
	char text[1024];
	unsigned int n = 0;

	(void)state;
	set_kernel(peered);
	assert_int_equal(run(cmd_save, false, ""), RC_OK);
	assert_string_equal(err_text, "");
	assert_non_null(strstr(out_text,
		"service set vip 10.0.0.1 port 80 proto tcp scheduler wrr snat auto timeout tcp 900 persistence 0 client-addr none peers 10.0.0.11,10.0.0.12\n"));
	assert_non_null(strstr(out_text,
		"service set vip 10.0.0.2 port 80 proto tcp scheduler wrr snat auto timeout tcp 900 persistence 0 client-addr none\n"));
	assert_non_null(strstr(out_text,
		"service set vip 10.0.0.3 port 53 proto udp scheduler wrr snat auto timeout tcp 900 persistence 0 client-addr none\n"));
	assert_int_equal(read_text(out_text, &conf), RC_OK);
	assert_int_equal(conf.nsvcs, 3);
	assert_true(conf.svcs[0].svc.present & ATTR_BIT(L4LB_SVC_ATTR_PEERS));
	assert_int_equal(conf.svcs[0].svc.peers.n, 2);
	assert_int_equal(conf.svcs[0].svc.peers.addr[1], inet_addr("10.0.0.12"));
	assert_false(conf.svcs[1].svc.present & ATTR_BIT(L4LB_SVC_ATTR_PEERS));
	assert_false(conf.svcs[2].svc.present & ATTR_BIT(L4LB_SVC_ATTR_PEERS));
	conf_free(&conf);

	/* Restore sends them as a nest; "peers none" as an empty one. */
	snprintf(text, sizeof(text), "%s",
		 SVC1_PEERS "service set vip 10.0.0.2 port 80 proto tcp peers none\n");
	reset(NULL);
	assert_int_equal(restore_text("", text), RC_OK);
	assert_string_equal(err_text, "");
	assert_int_equal(fake.requests, 4);
	assert_int_equal(cmd_of(2), L4LB_CMD_SERVICE_SET);
	peers = attr_of(2, L4LB_ATTR_SERVICE, L4LB_SVC_ATTR_PEERS);
	assert_non_null(peers);
	mnl_attr_for_each_nested(a, peers) {
		assert_int_equal(mnl_attr_get_type(a), L4LB_PEER_ATTR_ADDR);
		assert_true(n < 2);
		assert_int_equal(mnl_attr_get_u32(a), inet_addr(want[n]));
		n++;
	}
	assert_int_equal(n, 2);
	peers = attr_of(3, L4LB_ATTR_SERVICE, L4LB_SVC_ATTR_PEERS);
	assert_non_null(peers);
	assert_int_equal(mnl_attr_get_payload_len(peers), 0);

	/* A bad list: the line and the one-line message; nothing sent. */
	reset(NULL);
	assert_int_equal(restore_text("", SVC1
				      "service set vip 10.0.0.2 port 80 proto tcp peers 10.0.0.1,10.0.0.1\n"),
			 RC_USAGE);
	assert_non_null(strstr(err_text,
		":2: invalid peers \"10.0.0.1,10.0.0.1\": an address is given twice\n"));
	assert_int_equal(fake.requests, 0);
}

/*
 * The longest line save writes: every setting at its longest, a pool of
 * 64 lone addresses and 16 peers. Restore must read it back.
 */
static void save_of_the_longest_service_reads_back(void **state)
{
	static const uint16_t timeouts[] = {
		L4LB_SVC_ATTR_TIMEOUT_TCP, L4LB_SVC_ATTR_TIMEOUT_TCP_FIN,
		L4LB_SVC_ATTR_TIMEOUT_TCP_CLOSE, L4LB_SVC_ATTR_TIMEOUT_UDP,
		L4LB_SVC_ATTR_TIMEOUT_UDP_UNREPLIED, L4LB_SVC_ATTR_TIMEOUT_SYN,
	};
	struct nlmsghdr *nlh = new_reply(L4LB_CMD_SERVICE_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	struct nlattr *list;
	struct conf conf;
	unsigned int i;

	(void)state;
	put_svc_fields(nlh, "255.255.255.255", 65535, IPPROTO_TCP);
	mnl_attr_put_strz(nlh, L4LB_SVC_ATTR_SCHED, "123456789012345");
	/* .100, .102, ...: no two consecutive, so no range. */
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_SNAT_ADDR, htonl(0xffffff64));
	list = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_SNAT_POOL);
	for (i = 0; i < L4LB_SNAT_POOL_MAX; i++)
		mnl_attr_put_u32(nlh, L4LB_SNAT_ATTR_ADDR,
				 htonl(0xffffff64 + 2 * i));
	mnl_attr_nest_end(nlh, list);
	for (i = 0; i < sizeof(timeouts) / sizeof(timeouts[0]); i++)
		mnl_attr_put_u32(nlh, timeouts[i], UINT32_MAX);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_PERSISTENCE, UINT32_MAX);
	mnl_attr_put_u8(nlh, L4LB_SVC_ATTR_CLIENT_ADDR,
			L4LB_CLIENT_ADDR_PROXY_V2);
	list = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_PEERS);
	for (i = 0; i < L4LB_PEERS_MAX; i++)
		mnl_attr_put_u32(nlh, L4LB_PEER_ATTR_ADDR,
				 htonl(0xdfffff64 + 2 * i));
	mnl_attr_nest_end(nlh, list);
	mnl_attr_nest_end(nlh, nest);

	assert_int_equal(run(cmd_save, false, ""), RC_OK);
	assert_string_equal(err_text, "");
	assert_int_equal(read_text(out_text, &conf), RC_OK);
	assert_int_equal(conf.nsvcs, 1);
	assert_int_equal(conf.svcs[0].svc.snat.n, L4LB_SNAT_POOL_MAX);
	assert_int_equal(conf.svcs[0].svc.peers.n, L4LB_PEERS_MAX);
	assert_int_equal(conf.svcs[0].svc.timeout[L4LB_SVC_ATTR_TIMEOUT_SYN],
			 UINT32_MAX);
	conf_free(&conf);
}

static void save_takes_no_argument(void **state)
{
	(void)state;
	assert_int_equal(run(cmd_save, false, "x"), RC_USAGE);
	assert_string_equal(err_text, "l4lbctl: unknown argument \"x\"\n");
	assert_int_equal(fake.requests, 0);
}

/* A v6 and a v4 service side by side, as save writes and restore reads. */
static const struct entry dual_stack[] = {
	{ "2001:db8::10", 443, IPPROTO_TCP, NULL, 0, 0, false, NULL },
	{ "10.0.0.1", 443, IPPROTO_TCP, NULL, 0, 0, false, NULL },
	{ "2001:db8::10", 443, IPPROTO_TCP, "2001:db8:1::2", 8080,
	  L4LB_BE_STATE_DOWN, false, NULL },
	{ "2001:db8::10", 443, IPPROTO_TCP, "2001:db8:1::3", 8080,
	  L4LB_BE_STATE_UP, false, NULL },
	{ "10.0.0.1", 443, IPPROTO_TCP, "10.0.0.2", 8080,
	  L4LB_BE_STATE_UP, false, NULL },
	{ NULL, 0, 0, NULL, 0, 0, false, NULL },
};

#define SAVED6 \
	"service set vip 2001:db8::10 port 443 proto tcp scheduler wrr snat auto timeout tcp 900 persistence 0 client-addr none\n" \
	"backend add [2001:db8:1::2]:8080 weight 2 down service [2001:db8::10]:443/tcp\n" \
	"backend add [2001:db8:1::3]:8080 weight 2 service [2001:db8::10]:443/tcp\n"

static void save_and_restore_ipv6_services(void **state)
{
	static char saved[sizeof(out_text)];
	struct in6_addr want;
	const struct nlattr *a;
	struct conf conf;

	(void)state;
	set_kernel(dual_stack);
	assert_int_equal(run(cmd_save, false, ""), RC_OK);
	assert_string_equal(err_text, "");
	assert_string_equal(out_text,
		"# l4lb configuration, written by \"l4lbctl save\";\n"
		"# apply it with \"l4lbctl restore FILE\".\n\n"
		SAVED6 "\n"
		"service set vip 10.0.0.1 port 443 proto tcp scheduler wrr snat auto timeout tcp 900 persistence 0 client-addr none\n"
		"backend add 10.0.0.2:8080 weight 2 service 10.0.0.1:443/tcp\n");
	snprintf(saved, sizeof(saved), "%s", out_text);
	assert_int_equal(read_text(saved, &conf), RC_OK);
	assert_int_equal(conf.nsvcs, 2);
	assert_int_equal(conf.nbes, 3);
	assert_int_equal(conf.svcs[0].svc.vip.af, AF_INET6);
	assert_int_equal(conf.bes[1].req.be.ep.addr.af, AF_INET6);
	assert_int_equal(conf.bes[1].req.sel.vip.af, AF_INET6);
	conf_free(&conf);

	/*
	 * Restored onto the same kernel: services set, the backends that
	 * are there set (found by their IPv6 key), nothing added.
	 */
	reset(NULL);
	set_kernel(dual_stack);
	assert_int_equal(restore_text("", saved), RC_OK);
	assert_string_equal(err_text, "");
	assert_int_equal(fake.requests, 7);
	assert_int_equal(cmd_of(2), L4LB_CMD_SERVICE_SET);
	assert_int_equal(mnl_attr_get_u16(attr_of(2, L4LB_ATTR_SERVICE,
						  L4LB_SVC_ATTR_AF)), AF_INET6);
	a = attr_of(2, L4LB_ATTR_SERVICE, L4LB_SVC_ATTR_VIP6);
	assert_non_null(a);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::10", &want), 1);
	assert_memory_equal(mnl_attr_get_payload(a), &want, sizeof(want));
	/* "snat auto" of an IPv6 service: an empty pool, no SNAT_ADDR. */
	assert_null(attr_of(2, L4LB_ATTR_SERVICE, L4LB_SVC_ATTR_SNAT_ADDR));
	assert_int_equal(mnl_attr_get_payload_len(attr_of(2, L4LB_ATTR_SERVICE,
						L4LB_SVC_ATTR_SNAT_POOL)), 0);
	assert_int_equal(cmd_of(3), L4LB_CMD_SERVICE_SET);
	assert_int_equal(cmd_of(4), L4LB_CMD_BACKEND_SET);
	assert_int_equal(cmd_of(5), L4LB_CMD_BACKEND_SET);
	assert_int_equal(mnl_attr_get_u8(attr_of(4, L4LB_ATTR_BACKEND,
						 L4LB_BE_ATTR_STATE)),
			 L4LB_BE_STATE_DOWN);
	a = attr_of(5, L4LB_ATTR_BACKEND, L4LB_BE_ATTR_ADDR6);
	assert_non_null(a);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:1::3", &want), 1);
	assert_memory_equal(mnl_attr_get_payload(a), &want, sizeof(want));
	assert_non_null(attr_of(5, L4LB_ATTR_SERVICE, L4LB_SVC_ATTR_VIP6));
	assert_int_equal(cmd_of(6), L4LB_CMD_BACKEND_SET);

	/* --replace: the IPv6 backend the file leaves out drains. */
	reset(NULL);
	set_kernel(dual_stack);
	assert_int_equal(restore_text("--replace",
				      "service set vip 2001:db8::10 port 443 proto tcp\n"
				      "backend add [2001:db8:1::3]:8080 service [2001:db8::10]:443/tcp\n"),
			 RC_OK);
	assert_string_equal(err_text, "");
	assert_int_equal(fake.requests, 6);
	assert_int_equal(cmd_of(3), L4LB_CMD_BACKEND_SET);
	assert_int_equal(cmd_of(4), L4LB_CMD_BACKEND_DEL);
	a = attr_of(4, L4LB_ATTR_BACKEND, L4LB_BE_ATTR_ADDR6);
	assert_non_null(a);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:1::2", &want), 1);
	assert_memory_equal(mnl_attr_get_payload(a), &want, sizeof(want));
	assert_non_null(attr_of(4, L4LB_ATTR_SERVICE, L4LB_SVC_ATTR_VIP6));
	/* The IPv4 service the file does not name goes. */
	assert_int_equal(cmd_of(5), L4LB_CMD_SERVICE_DEL);
	assert_int_equal(mnl_attr_get_u16(attr_of(5, L4LB_ATTR_SERVICE,
						  L4LB_SVC_ATTR_AF)), AF_INET);
}

/* The longest IPv6 line: 64 lone SNAT addresses of 39 characters. */
static void save_of_the_longest_ipv6_service_reads_back(void **state)
{
	struct nlmsghdr *nlh = new_reply(L4LB_CMD_SERVICE_GET);
	struct nlattr *nest = mnl_attr_nest_start(nlh, L4LB_ATTR_SERVICE);
	struct nlattr *list;
	struct conf conf;
	unsigned int i;

	(void)state;
	put_svc_fields(nlh, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 65535,
		       IPPROTO_UDP);
	mnl_attr_put_strz(nlh, L4LB_SVC_ATTR_SCHED, "123456789012345");
	list = mnl_attr_nest_start(nlh, L4LB_SVC_ATTR_SNAT_POOL);
	for (i = 0; i < L4LB_SNAT_POOL_MAX; i++) {
		char ip[64];

		/* ...:8000, ...:8002, ...: no two consecutive, so no range. */
		snprintf(ip, sizeof(ip), "1111:2222:3333:4444:5555:6666:7777:%x",
			 0x8000 + 2 * i);
		put_ip(nlh, 0, L4LB_SNAT_ATTR_ADDR6, ip);
	}
	mnl_attr_nest_end(nlh, list);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_TIMEOUT_UDP_UNREPLIED, UINT32_MAX);
	mnl_attr_put_u32(nlh, L4LB_SVC_ATTR_PERSISTENCE, UINT32_MAX);
	mnl_attr_nest_end(nlh, nest);
	assert_true(nlh->nlmsg_len <= FAKE_REPLY_SIZE);

	assert_int_equal(run(cmd_save, false, ""), RC_OK);
	assert_string_equal(err_text, "");
	assert_true(strlen(out_text) > 2600);
	assert_int_equal(read_text(out_text, &conf), RC_OK);
	assert_int_equal(conf.nsvcs, 1);
	assert_int_equal(conf.svcs[0].svc.snat.n, L4LB_SNAT_POOL_MAX);
	assert_int_equal(conf.svcs[0].svc.snat.addr[63].af, AF_INET6);
	conf_free(&conf);
}

#define T(f) cmocka_unit_test_setup(f, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(conf_reads_lines_comments_and_aliases),
		T(conf_refuses_each_bad_line),
		T(conf_refuses_an_over_long_line),
		T(conf_refuses_too_many_words),
		T(restore_of_a_missing_file_sends_nothing),
		T(restore_usage_errors),
		T(restore_with_a_bad_last_line_sends_nothing),
		T(restore_with_a_bad_weight_pct_sends_nothing),
		T(restore_sends_services_then_backends),
		T(restore_sets_a_backend_that_is_there),
		T(restore_sends_a_weight_pct_line),
		T(restore_replace_drains_and_deletes_what_is_not_named),
		T(restore_names_the_line_the_kernel_refused),
		T(restore_without_the_module_fails_after_the_check),
		T(save_prints_lines_restore_reads_back),
		T(save_and_restore_peers),
		T(save_of_the_longest_service_reads_back),
		T(save_takes_no_argument),
		T(save_and_restore_ipv6_services),
		T(save_of_the_longest_ipv6_service_reads_back),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
