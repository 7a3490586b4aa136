// SPDX-License-Identifier: GPL-2.0
/*
 * test_health_config.c - health_config.c: l4lb-health's settings from
 * flags and from a config file, their checks and error messages, and the
 * escapes of --send/--expect.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>

#include "health_config.h"
#include "addr_util.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static char err[HEALTH_ERR_MAX];

/* ---- durations ---- */

static void expect_secs(const char *s, int rc, uint32_t ms)
{
	uint32_t got = 12345;

	assert_int_equal(health_parse_seconds(s, HEALTH_SECS_MIN_MS,
					      HEALTH_SECS_MAX_MS, &got), rc);
	assert_int_equal(got, rc ? 12345 : ms);
}

static void seconds_accept_whole_and_fractional_values(void **state)
{
	(void)state;
	expect_secs("2", 0, 2000);
	expect_secs("0.5", 0, 500);
	expect_secs("0.1", 0, 100);
	expect_secs("1.25", 0, 1250);
	expect_secs("3600", 0, 3600000);
	expect_secs("3600.000", 0, 3600000);
	expect_secs("007", 0, 7000);
	/* The resolution is 1 ms: further digits are dropped. */
	expect_secs("1.2345", 0, 1234);
}

static void seconds_reject_out_of_range(void **state)
{
	(void)state;
	expect_secs("0", -1, 0);
	expect_secs("0.0", -1, 0);
	expect_secs("0.09", -1, 0);
	expect_secs("0.0999", -1, 0);
	expect_secs("3600.001", -1, 0);
	expect_secs("3601", -1, 0);
	expect_secs("99999999999999999999999", -1, 0);
}

static void seconds_reject_malformed_text(void **state)
{
	(void)state;
	expect_secs("", -1, 0);
	expect_secs("abc", -1, 0);
	expect_secs("-1", -1, 0);
	expect_secs("+1", -1, 0);
	expect_secs(" 1", -1, 0);
	expect_secs("1 ", -1, 0);
	expect_secs("1.", -1, 0);
	expect_secs(".5", -1, 0);
	expect_secs("1e3", -1, 0);
	expect_secs("0x10", -1, 0);
	expect_secs("1s", -1, 0);
	expect_secs("1,5", -1, 0);
	expect_secs(NULL, -1, 0);
}

static void format_ms_is_as_short_as_exact(void **state)
{
	char b[16];

	(void)state;
	assert_string_equal(health_format_ms(b, sizeof(b), 2000), "2");
	assert_string_equal(health_format_ms(b, sizeof(b), 500), "0.5");
	assert_string_equal(health_format_ms(b, sizeof(b), 1250), "1.25");
	assert_string_equal(health_format_ms(b, sizeof(b), 1001), "1.001");
}

/* ---- escapes ---- */

static void expect_unescape(const char *s, const char *want, size_t want_len)
{
	char out[64];
	size_t len = 999;

	assert_int_equal(health_unescape(s, out, sizeof(out), &len, err), 0);
	assert_int_equal(len, want_len);
	assert_memory_equal(out, want, want_len);
}

static void expect_bad_escape(const char *s, const char *msg)
{
	char out[64];
	size_t len = 999;

	assert_int_equal(health_unescape(s, out, sizeof(out), &len, err), -1);
	assert_int_equal(len, 999);
	assert_string_equal(err, msg);
}

static void unescape_resolves_c_escapes(void **state)
{
	(void)state;
	expect_unescape("HEALTH CHECK\\n", "HEALTH CHECK\n", 13);
	expect_unescape("GET / HTTP/1.0\\r\\n\\r\\n", "GET / HTTP/1.0\r\n\r\n", 18);
	expect_unescape("a\\tb", "a\tb", 3);
	expect_unescape("\\\\ \\\" \\'", "\\ \" '", 5);
	expect_unescape("\\x41\\x7a\\xFF", "Az\xff", 3);
	expect_unescape("plain", "plain", 5);
	expect_unescape("", "", 0);
}

static void unescape_keeps_nul_bytes(void **state)
{
	(void)state;
	expect_unescape("a\\0b", "a\0b", 3);
	expect_unescape("\\x00\\x01", "\0\1", 2);
}

static void unescape_rejects_unknown_and_incomplete_escapes(void **state)
{
	(void)state;
	expect_bad_escape("a\\qb",
			  "bad escape \"\\q\" (known: \\n \\r \\t \\0 \\\\ \\\" \\' \\xHH)");
	expect_bad_escape("\\x4", "bad escape \"\\x4\" (expected \\x and two hex digits)");
	expect_bad_escape("\\xZZ", "bad escape \"\\xZZ\" (expected \\x and two hex digits)");
	expect_bad_escape("\\x", "bad escape \"\\x\" (expected \\x and two hex digits)");
	expect_bad_escape("end\\", "trailing backslash");
}

static void unescape_refuses_to_overflow(void **state)
{
	char out[4];
	size_t len = 999;

	(void)state;
	assert_int_equal(health_unescape("abcd", out, sizeof(out), &len, err), 0);
	assert_int_equal(len, 4);
	assert_int_equal(health_unescape("abc\\n!", out, sizeof(out), &len, err), -1);
	assert_string_equal(err, "longer than 4 bytes");
}

/* ---- single keys ---- */

static void defaults_are_documented_ones(void **state)
{
	struct health_config c;

	(void)state;
	health_config_init(&c);
	assert_int_equal(c.interval_ms, 2000);
	assert_int_equal(c.timeout_ms, 1000);
	assert_int_equal(c.rise, 2);
	assert_int_equal(c.fall, 3);
	assert_int_equal(c.send_len, 0);
	assert_int_equal(c.expect_len, 0);
	assert_int_equal(c.udp_send_len, 0);
	assert_int_equal(c.udp_expect_len, 0);
	assert_int_equal(c.udp_expect_len, 0);
	assert_int_equal(c.agent_port, 0);
	assert_int_equal(c.agent_send_len, 0);
	assert_false(c.agent_rtt);
	assert_false(c.syslog);
	assert_false(c.once);
	assert_int_equal(c.given, 0);
}

static void set_accepts_every_key(void **state)
{
	struct health_config c;

	(void)state;
	health_config_init(&c);
	assert_int_equal(health_config_set(&c, "interval", "0.5", err), 0);
	assert_int_equal(health_config_set(&c, "timeout", "0.25", err), 0);
	assert_int_equal(health_config_set(&c, "rise", "1", err), 0);
	assert_int_equal(health_config_set(&c, "fall", "100", err), 0);
	assert_int_equal(health_config_set(&c, "send", "HEALTH CHECK\\n", err), 0);
	assert_int_equal(health_config_set(&c, "expect", "alive", err), 0);
	assert_int_equal(health_config_set(&c, "on-down", "expire", err), 0);
	assert_int_equal(health_config_set(&c, "syslog", "yes", err), 0);
	assert_int_equal(health_config_set(&c, "udp-send", "\\x00\\x01ping", err), 0);
	assert_int_equal(health_config_set(&c, "udp-expect", "pong", err), 0);
	assert_int_equal(health_config_set(&c, "agent-port", "9999", err), 0);
	assert_int_equal(health_config_set(&c, "agent-send", "load?\\n", err), 0);
	assert_int_equal(health_config_set(&c, "agent-rtt", "yes", err), 0);
	assert_int_equal(c.agent_port, 9999);
	assert_int_equal(c.agent_send_len, 6);
	assert_memory_equal(c.agent_send, "load?\n", 6);
	assert_true(c.agent_rtt);
	assert_int_equal(health_config_set(&c, "agent-service", "10.0.0.1/udp", err), 0);
	assert_true(c.agent_service.set);
	assert_false(c.agent_service.has_port);
	assert_int_equal(c.agent_service.proto, IPPROTO_UDP);
	assert_int_equal(health_config_set(&c, "announce", "l4lbvip0", err), 0);
	assert_int_equal(health_config_set(&c, "announce-service", "10.0.0.1", err), 0);
	assert_int_equal(health_config_set(&c, "drain-file", "/tmp/d", err), 0);
	assert_int_equal(health_config_set(&c, "drain-timeout", "0", err), 0);
	assert_true(c.announce_service.set);
	assert_string_equal(c.drain_file, "/tmp/d");
	assert_int_equal(c.udp_send_len, 6);
	assert_memory_equal(c.udp_send, "\0\1ping", 6);
	assert_int_equal(c.udp_expect_len, 4);
	assert_memory_equal(c.udp_expect, "pong", 4);
	assert_int_equal(c.interval_ms, 500);
	assert_int_equal(c.timeout_ms, 250);
	assert_int_equal(c.rise, 1);
	assert_int_equal(c.fall, 100);
	assert_int_equal(c.send_len, 13);
	assert_memory_equal(c.send, "HEALTH CHECK\n", 13);
	assert_int_equal(c.expect_len, 5);
	assert_memory_equal(c.expect, "alive", 5);
	assert_int_equal(c.on_down, HEALTH_DOWN_EXPIRE);
	assert_true(c.syslog);
	assert_int_equal(c.given, (1u << HEALTH_KEY_COUNT) - 1);
	assert_int_equal(health_config_set(&c, "on-down", "keep", err), 0);
	assert_int_equal(health_config_set(&c, "syslog", "no", err), 0);
	assert_int_equal(c.on_down, HEALTH_DOWN_KEEP);
	assert_false(c.syslog);
}

/* Set @key to @value, expect failure with @msg and no change at all. */
static void expect_set_error(const char *key, const char *value,
			     const char *msg)
{
	struct health_config c, before;

	health_config_init(&c);
	before = c;
	assert_int_equal(health_config_set(&c, key, value, err), -1);
	assert_string_equal(err, msg);
	assert_memory_equal(&c, &before, sizeof(c));
}

static void set_rejects_bad_values_with_one_line(void **state)
{
	(void)state;
	expect_set_error("interval", "0", "interval must be 0.1-3600 seconds, got \"0\"");
	expect_set_error("interval", "1h", "interval must be 0.1-3600 seconds, got \"1h\"");
	expect_set_error("timeout", "4000", "timeout must be 0.1-3600 seconds, got \"4000\"");
	expect_set_error("rise", "0", "rise must be 1-100, got \"0\"");
	expect_set_error("rise", "101", "rise must be 1-100, got \"101\"");
	expect_set_error("rise", "99999999999999999999", "rise must be 1-100, got \"99999999999999999999\"");
	expect_set_error("fall", "-3", "fall must be 1-100, got \"-3\"");
	expect_set_error("fall", "", "fall must be 1-100, got \"\"");
	expect_set_error("fall", "2x", "fall must be 1-100, got \"2x\"");
	expect_set_error("on-down", "drop", "on-down must be keep or expire, got \"drop\"");
	expect_set_error("syslog", "maybe", "syslog must be yes or no, got \"maybe\"");
	expect_set_error("send", "", "send must not be empty");
	expect_set_error("udp-send", "", "udp-send must not be empty");
	expect_set_error("udp-expect", "\\x4", "udp-expect: bad escape \"\\x4\" (expected \\x and two hex digits)");
	expect_set_error("udp_send", "x", "unknown key \"udp_send\"");
	expect_set_error("expect", "bad\\q", "expect: bad escape \"\\q\" (known: \\n \\r \\t \\0 \\\\ \\\" \\' \\xHH)");
	expect_set_error("intervall", "2", "unknown key \"intervall\"");
	expect_set_error("once", "yes", "unknown key \"once\"");
	expect_set_error("agent-port", "0", "agent-port must be 1-65535, got \"0\"");
	expect_set_error("agent-port", "65536", "agent-port must be 1-65535, got \"65536\"");
	expect_set_error("agent-port", "x", "agent-port must be 1-65535, got \"x\"");
	expect_set_error("agent-port", "", "agent-port must be 1-65535, got \"\"");
	expect_set_error("agent-send", "", "agent-send must not be empty");
	expect_set_error("agent-rtt", "on", "agent-rtt must be yes or no, got \"on\"");
	expect_set_error("agent-service", "10.0.0.1:0", "agent-service must be VIP[:PORT][/tcp|/udp], got \"10.0.0.1:0\"");
	expect_set_error("agent-service", "10.0.0.1/sctp", "agent-service must be VIP[:PORT][/tcp|/udp], got \"10.0.0.1/sctp\"");
}

static void set_rejects_strings_too_long(void **state)
{
	char big[HEALTH_SEND_MAX + 2];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	expect_set_error("send", big, "send: longer than 1024 bytes");
	expect_set_error("udp-send", big, "udp-send: longer than 1024 bytes");
	big[HEALTH_EXPECT_MAX + 1] = '\0';
	expect_set_error("expect", big, "expect: longer than 512 bytes");
	expect_set_error("udp-expect", big, "udp-expect: longer than 512 bytes");
	big[HEALTH_EXPECT_MAX] = '\0';
	{
		struct health_config c;

		health_config_init(&c);
		assert_int_equal(health_config_set(&c, "expect", big, err), 0);
		assert_int_equal(c.expect_len, HEALTH_EXPECT_MAX);
	}
}

/* ---- the file ---- */

static int read_text(struct health_config *c, const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int rc;

	assert_non_null(f);
	health_config_init(c);
	rc = health_config_read(c, f, err);
	fclose(f);
	return rc;
}

static void file_with_comments_blanks_and_quotes(void **state)
{
	struct health_config c;

	(void)state;
	assert_int_equal(read_text(&c,
		"# l4lb-health settings\n"
		"\n"
		"   # indented comment\n"
		"interval = 1\n"
		"timeout=0.5\n"
		"\trise\t=\t4   # trailing comment\n"
		"fall = 5\n"
		"send = \"HEALTH CHECK\\n\"  # quoted, with an escape\n"
		"expect = \" alive #1 \"\n"
		"on-down = expire\n"
		"syslog = yes\n"
		"\n"), 0);
	assert_int_equal(c.interval_ms, 1000);
	assert_int_equal(c.timeout_ms, 500);
	assert_int_equal(c.rise, 4);
	assert_int_equal(c.fall, 5);
	assert_int_equal(c.send_len, 13);
	assert_memory_equal(c.send, "HEALTH CHECK\n", 13);
	assert_int_equal(c.expect_len, 10);
	assert_memory_equal(c.expect, " alive #1 ", 10);
	assert_int_equal(c.on_down, HEALTH_DOWN_EXPIRE);
	assert_true(c.syslog);
}

static void file_value_may_hold_hash_and_escaped_quote(void **state)
{
	struct health_config c;

	(void)state;
	assert_int_equal(read_text(&c, "expect = a#b\nsend = \"say \\\"hi\\\"\"\n"), 0);
	assert_int_equal(c.expect_len, 3);
	assert_memory_equal(c.expect, "a#b", 3);
	assert_int_equal(c.send_len, 8);
	assert_memory_equal(c.send, "say \"hi\"", 8);
}

static void file_may_give_udp_strings(void **state)
{
	struct health_config c;

	(void)state;
	assert_int_equal(read_text(&c,
		"send = \"HEALTH CHECK\\n\"\n"
		"expect = alive\n"
		"udp-send = \"\\x12\\x34 ping\"   # binary is fine\n"
		"udp-expect = pong\n"), 0);
	assert_int_equal(c.send_len, 13);
	assert_int_equal(c.udp_send_len, 7);
	assert_memory_equal(c.udp_send, "\x12\x34 ping", 7);
	assert_int_equal(c.udp_expect_len, 4);
	assert_memory_equal(c.udp_expect, "pong", 4);
	/* udp-expect alone is caught by health_config_check(). */
	assert_int_equal(read_text(&c, "udp-expect = pong\n"), 0);
	assert_int_equal(health_config_check(&c, err), -1);
	assert_string_equal(err, "udp-expect needs udp-send");
}

static void file_without_final_newline_and_crlf(void **state)
{
	struct health_config c;

	(void)state;
	assert_int_equal(read_text(&c, "rise = 3\r\nfall = 7"), 0);
	assert_int_equal(c.rise, 3);
	assert_int_equal(c.fall, 7);
	assert_int_equal(read_text(&c, ""), 0);
	assert_int_equal(c.rise, 2);
}

static void expect_file_error(const char *text, const char *msg)
{
	struct health_config c;

	assert_int_equal(read_text(&c, text), -1);
	assert_string_equal(err, msg);
}

static void file_errors_name_the_line(void **state)
{
	(void)state;
	expect_file_error("# comment\ninterval = 1\nintervall = 2\n",
			  "config line 3: unknown key \"intervall\"");
	expect_file_error("interval 2\n",
			  "config line 1: expected \"key = value\"");
	expect_file_error("\n= 2\n",
			  "config line 2: expected \"key = value\"");
	expect_file_error("rise = 2\nfall = 0\n",
			  "config line 2: fall must be 1-100, got \"0\"");
	expect_file_error("interval = \n",
			  "config line 1: interval must be 0.1-3600 seconds, got \"\"");
	expect_file_error("rise = 2\n\nrise = 3\n",
			  "config line 3: \"rise\" given twice (first on line 1)");
	expect_file_error("send = \"abc\n",
			  "config line 1: missing closing quote");
	expect_file_error("send = \"abc\" def\n",
			  "config line 1: text after the closing quote");
	expect_file_error("on-down = keep please\n",
			  "config line 1: on-down must be keep or expire, got \"keep please\"");
	expect_file_error("once = yes\n",
			  "config line 1: unknown key \"once\"");
}

static void file_line_too_long_is_an_error(void **state)
{
	char *text = malloc(5000);

	(void)state;
	assert_non_null(text);
	memcpy(text, "send = ", 7);
	memset(text + 7, 'x', 4990);
	strcpy(text + 4997, "\n");
	expect_file_error(text, "config line 1: longer than 4094 bytes");
	free(text);
}

/* ---- the command line ---- */

/* Run health_config_args() on the words of a NULL-terminated array. */
static int args_of(struct health_config *c, const char *const *words)
{
	char *argv[32] = { "l4lb-health" };
	int argc = 1;

	health_config_init(c);
	for (; *words && argc < 31; words++)
		argv[argc++] = (char *)*words;
	return health_config_args(c, argc, argv, err);
}

/* args(&c, "--rise", "2"): health_config_args() on these words. */
#define args(c, ...) args_of(c, (const char *const[]){ __VA_ARGS__, NULL })

static char conf_path[] = "/tmp/test_health_config.XXXXXX";

static int make_conf(void **state)
{
	static const char text[] =
		"interval = 5\n"
		"fall = 4\n"
		"send = HELLO\\n\n";
	int fd = mkstemp(conf_path);

	(void)state;
	if (fd < 0 || write(fd, text, sizeof(text) - 1) != (ssize_t)(sizeof(text) - 1))
		return -1;
	close(fd);
	return 0;
}

static int remove_conf(void **state)
{
	(void)state;
	unlink(conf_path);
	return 0;
}

static void args_set_every_option(void **state)
{
	struct health_config c;

	(void)state;
	assert_int_equal(args(&c, "--interval", "1", "--timeout", "0.5",
			      "--rise", "2", "--fall", "2", "--send",
			      "HEALTH CHECK\\n", "--expect", "alive",
			      "--on-down", "expire", "--syslog", "--once"), 0);
	assert_int_equal(c.interval_ms, 1000);
	assert_int_equal(c.timeout_ms, 500);
	assert_int_equal(c.rise, 2);
	assert_int_equal(c.fall, 2);
	assert_int_equal(c.send_len, 13);
	assert_int_equal(c.expect_len, 5);
	assert_int_equal(c.on_down, HEALTH_DOWN_EXPIRE);
	assert_true(c.syslog);
	assert_true(c.once);
	assert_null(c.config_file);
}

static void args_take_equals_form(void **state)
{
	struct health_config c;

	(void)state;
	assert_int_equal(args(&c, "--interval=0.5", "--expect=a=b"), 0);
	assert_int_equal(c.interval_ms, 500);
	assert_int_equal(c.expect_len, 3);
	assert_memory_equal(c.expect, "a=b", 3);
	/* A value may start with '-'. */
	assert_int_equal(args(&c, "--send", "-h"), 0);
	assert_false(c.help);
	assert_int_equal(c.send_len, 2);
}

static void args_flags_override_the_file(void **state)
{
	struct health_config c;

	(void)state;
	assert_int_equal(args(&c, "--fall", "2", "-c", conf_path), 0);
	assert_string_equal(c.config_file, conf_path);
	assert_int_equal(c.interval_ms, 5000);	/* from the file */
	assert_int_equal(c.fall, 2);		/* flag wins */
	assert_int_equal(c.send_len, 6);
	assert_memory_equal(c.send, "HELLO\n", 6);
	assert_int_equal(args(&c, "--config", conf_path), 0);
	assert_int_equal(c.fall, 4);
}

/* args(...) must fail with @msg. */
#define expect_args_error(msg, ...) do {				\
	struct health_config c_;					\
									\
	assert_int_equal(args(&c_, __VA_ARGS__), -1);			\
	assert_string_equal(err, msg);					\
} while (0)

static void args_errors_are_one_line(void **state)
{
	(void)state;
	expect_args_error("unknown option \"--intervall\"", "--intervall", "2");
	expect_args_error("unknown option \"--foo\"", "--foo=1");
	expect_args_error("unknown option \"-x\"", "-x");
	expect_args_error("unexpected argument \"10.0.0.1\"", "10.0.0.1");
	expect_args_error("unexpected argument \"-\"", "-");
	expect_args_error("option \"--rise\" needs a value", "--rise");
	expect_args_error("option \"--syslog\" takes no value", "--syslog=yes");
	expect_args_error("option \"--rise\" given twice", "--rise", "2", "--rise", "3");
	expect_args_error("more than one config file (-c)", "-c", "a", "--config", "b");
	expect_args_error("interval must be 0.1-3600 seconds, got \"0\"", "--interval", "0");
	expect_args_error("rise must be 1-100, got \"0\"", "--rise", "0");
	expect_args_error("cannot open config file \"/nonexistent/health.conf\": No such file or directory",
			  "-c", "/nonexistent/health.conf");
	expect_args_error("timeout (2 s) must not be longer than interval (1 s)",
			  "--interval", "1", "--timeout", "2");
	expect_args_error("udp-expect needs udp-send", "--udp-expect", "pong");
	expect_args_error("udp-expect needs udp-send", "--send", "ping",
			  "--udp-expect", "pong");
	expect_args_error("option \"--udp-send\" given twice", "--udp-send",
			  "a", "--udp-send=b");
	expect_args_error("agent-send needs agent-port", "--agent-send", "x");
	expect_args_error("agent-rtt needs agent-port", "--agent-rtt");
	expect_args_error("agent-service needs agent-port", "--agent-service",
			  "10.0.0.1");
	expect_args_error("option \"--agent-rtt\" takes no value",
			  "--agent-port", "9", "--agent-rtt=yes");
}

static void args_set_the_agent_check(void **state)
{
	struct health_config c;

	(void)state;
	assert_int_equal(args(&c, "--agent-port", "10999"), 0);
	assert_int_equal(c.agent_port, 10999);
	assert_int_equal(c.agent_send_len, 0);
	assert_false(c.agent_rtt);
	assert_int_equal(args(&c, "--agent-port=7", "--agent-send", "hi\\n",
			      "--agent-rtt"), 0);
	assert_int_equal(c.agent_port, 7);
	assert_int_equal(c.agent_send_len, 3);
	assert_true(c.agent_rtt);
	/* An IPv6 service: in brackets before a port, no zone index. */
	assert_int_equal(args(&c, "--agent-port", "7", "--agent-service",
			      "[2001:db8::10]:443/tcp"), 0);
	assert_true(c.agent_service.set && c.agent_service.has_port);
	assert_ipaddr_equal(c.agent_service.vip, "2001:db8::10");
	assert_int_equal(c.agent_service.port, htons(443));
	expect_set_error("agent-service", "fe80::1%eth0",
			 "agent-service must be VIP[:PORT][/tcp|/udp], got \"fe80::1%eth0\"");
	expect_set_error("agent-service", "2001:db8::10]:443",
			 "agent-service must be VIP[:PORT][/tcp|/udp], got \"2001:db8::10]:443\"");
}

static void args_set_the_udp_strings(void **state)
{
	struct health_config c;

	(void)state;
	assert_int_equal(args(&c, "--send", "HEALTH CHECK\\n", "--expect",
			      "alive", "--udp-send=ping", "--udp-expect",
			      "pong"), 0);
	assert_int_equal(c.send_len, 13);
	assert_int_equal(c.expect_len, 5);
	assert_int_equal(c.udp_send_len, 4);
	assert_memory_equal(c.udp_send, "ping", 4);
	assert_int_equal(c.udp_expect_len, 4);
	assert_memory_equal(c.udp_expect, "pong", 4);
	/* udp-send alone: any reply will do for UDP. */
	assert_int_equal(args(&c, "--udp-send", "ping"), 0);
	assert_int_equal(c.udp_send_len, 4);
	assert_int_equal(c.udp_expect_len, 0);
}

/* A bool's byte as stored (reading a bool that is not 0 or 1 is undefined). */
static unsigned int byte_of(const bool *b)
{
	unsigned char v;

	memcpy(&v, b, 1);
	return v;
}

static void spec_is_filled_completely(void **state)
{
	struct health_config c;
	struct health_spec spec;

	(void)state;
	/* Whatever the stack held before: every field is set. */
	memset(&spec, 0xa5, sizeof(spec));
	assert_int_equal(args(&c, "--send", "HEALTH CHECK\\n", "--expect",
			      "alive"), 0);
	health_config_spec(&c, &spec);
	assert_int_equal(byte_of(&spec.line), 0);
	assert_int_equal(spec.timeout_ms, 1000);
	assert_ptr_equal(spec.expect, c.expect);
	assert_int_equal(spec.expect_len, 5);
	assert_ptr_equal(spec.udp_send, c.send);
	assert_ptr_equal(spec.udp_expect, c.expect);
	/* No send or expect: a plain connect, and an empty UDP datagram. */
	memset(&spec, 0xa5, sizeof(spec));
	assert_int_equal(args(&c, "--udp-send", "ping"), 0);
	health_config_spec(&c, &spec);
	assert_int_equal(byte_of(&spec.line), 0);
	assert_null(spec.send);
	assert_null(spec.expect);
	assert_int_equal(spec.udp_send_len, 4);
	assert_null(spec.udp_expect);
}

static void args_help_and_version_win(void **state)
{
	struct health_config c;

	(void)state;
	assert_int_equal(args(&c, "--interval", "0", "--help"), 0);
	assert_true(c.help);
	assert_int_equal(args(&c, "-h"), 0);
	assert_true(c.help);
	assert_int_equal(args(&c, "-V", "-c", "/nonexistent"), 0);
	assert_true(c.version);
}

static void short_interval_shortens_the_default_timeout(void **state)
{
	struct health_config c;

	(void)state;
	assert_int_equal(args(&c, "--interval", "0.5"), 0);
	assert_int_equal(c.timeout_ms, 500);
	assert_int_equal(args(&c, "--interval", "0.5", "--timeout", "0.2"), 0);
	assert_int_equal(c.timeout_ms, 200);
	assert_int_equal(args(&c, "--interval", "1", "--timeout", "1"), 0);
	assert_int_equal(c.timeout_ms, 1000);
}

static void args_set_announce_and_drain(void **state)
{
	struct health_config c;

	(void)state;
	assert_int_equal(args(&c, "--interval", "1"), 0);
	assert_string_equal(c.announce, "");
	assert_string_equal(c.drain_file, "/run/l4lb/drain");
	assert_int_equal(c.drain_timeout_ms, 0);
	assert_false(c.announce_service.set);
	assert_int_equal(args(&c, "--announce", "l4lbvip0",
			      "--announce-service", "10.0.0.1:20000/tcp",
			      "--drain-file=/tmp/drain",
			      "--drain-timeout", "1.5"), 0);
	assert_string_equal(c.announce, "l4lbvip0");
	assert_true(c.announce_service.set);
	assert_true(c.announce_service.has_port);
	assert_int_equal(c.announce_service.proto, IPPROTO_TCP);
	assert_string_equal(c.drain_file, "/tmp/drain");
	assert_int_equal(c.drain_timeout_ms, 1500);
	assert_int_equal(args(&c, "--announce", "l4lbvip0",
			      "--announce-service", "2001:db8::10/udp"), 0);
	assert_ipaddr_equal(c.announce_service.vip, "2001:db8::10");
	assert_false(c.announce_service.has_port);
	assert_int_equal(c.announce_service.proto, IPPROTO_UDP);
	assert_int_equal(args(&c, "--announce", "abcdefghijklmno"), 0);
	expect_set_error("announce", "abcdefghijklmnop",
			 "announce must be an interface name (1-15 bytes, no '/', ':' or blanks), got \"abcdefghijklmnop\"");
	expect_set_error("announce", "a/b",
			 "announce must be an interface name (1-15 bytes, no '/', ':' or blanks), got \"a/b\"");
	expect_set_error("announce", "",
			 "announce must be an interface name (1-15 bytes, no '/', ':' or blanks), got \"\"");
	expect_set_error("announce-service", "10.0.0.1/sctp",
			 "announce-service must be VIP[:PORT][/tcp|/udp], got \"10.0.0.1/sctp\"");
	expect_set_error("drain-file", "run/drain",
			 "drain-file must be an absolute path of at most 255 bytes, got \"run/drain\"");
	expect_set_error("drain-timeout", "86401",
			 "drain-timeout must be 0-86400 seconds, got \"86401\"");
	expect_args_error("drain-file needs announce", "--drain-file", "/x");
	expect_args_error("announce-service needs announce",
			  "--announce-service", "10.0.0.1");
	expect_args_error("drain-timeout needs announce",
			  "--drain-timeout", "5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seconds_accept_whole_and_fractional_values),
		cmocka_unit_test(seconds_reject_out_of_range),
		cmocka_unit_test(seconds_reject_malformed_text),
		cmocka_unit_test(format_ms_is_as_short_as_exact),
		cmocka_unit_test(unescape_resolves_c_escapes),
		cmocka_unit_test(unescape_keeps_nul_bytes),
		cmocka_unit_test(unescape_rejects_unknown_and_incomplete_escapes),
		cmocka_unit_test(unescape_refuses_to_overflow),
		cmocka_unit_test(defaults_are_documented_ones),
		cmocka_unit_test(set_accepts_every_key),
		cmocka_unit_test(set_rejects_bad_values_with_one_line),
		cmocka_unit_test(set_rejects_strings_too_long),
		cmocka_unit_test(file_with_comments_blanks_and_quotes),
		cmocka_unit_test(file_value_may_hold_hash_and_escaped_quote),
		cmocka_unit_test(file_may_give_udp_strings),
		cmocka_unit_test(file_without_final_newline_and_crlf),
		cmocka_unit_test(file_errors_name_the_line),
		cmocka_unit_test(file_line_too_long_is_an_error),
		cmocka_unit_test(args_set_every_option),
		cmocka_unit_test(args_take_equals_form),
		cmocka_unit_test(args_flags_override_the_file),
		cmocka_unit_test(args_errors_are_one_line),
		cmocka_unit_test(args_set_the_udp_strings),
		cmocka_unit_test(args_set_the_agent_check),
		cmocka_unit_test(spec_is_filled_completely),
		cmocka_unit_test(args_set_announce_and_drain),
		cmocka_unit_test(args_help_and_version_win),
		cmocka_unit_test(short_interval_shortens_the_default_timeout),
	};

	return cmocka_run_group_tests_name("health_config", tests, make_conf,
					   remove_conf);
}
