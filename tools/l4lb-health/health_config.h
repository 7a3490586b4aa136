/* SPDX-License-Identifier: GPL-2.0 */
/*
 * health_config.h - the settings of l4lb-health, from its command line and
 * from a "key = value" file. Pure parsing: nothing here talks to the kernel
 * or the network, so all of it is unit-tested.
 *
 * Every function that can fail writes a one-line message, without the
 * "l4lb-health: " prefix and without a newline, into an error buffer of
 * HEALTH_ERR_MAX bytes, and returns -1. The caller prints it and exits 2.
 */
#ifndef L4LB_HEALTH_CONFIG_H
#define L4LB_HEALTH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "health_check.h"
#include "parse.h"

/* Size of the error buffers below, including the NUL. */
#define HEALTH_ERR_MAX 256

/* Longest --send (--udp-send) and --expect (--udp-expect) strings, after
 * unescaping. */
#define HEALTH_SEND_MAX 1024
#define HEALTH_EXPECT_MAX 512

/* Range of interval and timeout, milliseconds. */
#define HEALTH_SECS_MIN_MS 100
#define HEALTH_SECS_MAX_MS 3600000u

/* Room for an interface name (IFNAMSIZ), and for the drain file's path. */
#define HEALTH_IFNAME_MAX 16
#define HEALTH_PATH_MAX 256

/* The default drain file, and the largest drain-timeout (1 day), ms. */
#define HEALTH_DRAIN_FILE_DEFAULT "/run/l4lb/drain"
#define HEALTH_DRAIN_TIMEOUT_MAX_MS 86400000u

/* Range of rise and fall. */
#define HEALTH_COUNT_MAX 100

/**
 * enum health_on_down - what a backend marked down does to its NAT rows
 * @HEALTH_DOWN_KEEP: rows are kept; they end on their own
 * @HEALTH_DOWN_EXPIRE: rows are removed at once (BACKEND_SET with L4LB_F_NOW)
 */
enum health_on_down {
	HEALTH_DOWN_KEEP,
	HEALTH_DOWN_EXPIRE,
};

/* Bits of struct health_config.given: which keys were set explicitly. */
enum health_key {
	HEALTH_KEY_INTERVAL,
	HEALTH_KEY_TIMEOUT,
	HEALTH_KEY_RISE,
	HEALTH_KEY_FALL,
	HEALTH_KEY_SEND,
	HEALTH_KEY_EXPECT,
	HEALTH_KEY_ON_DOWN,
	HEALTH_KEY_SYSLOG,
	HEALTH_KEY_UDP_SEND,
	HEALTH_KEY_UDP_EXPECT,
	HEALTH_KEY_AGENT_PORT,
	HEALTH_KEY_AGENT_SEND,
	HEALTH_KEY_AGENT_RTT,
	HEALTH_KEY_AGENT_SERVICE,
	HEALTH_KEY_ANNOUNCE,
	HEALTH_KEY_ANNOUNCE_SERVICE,
	HEALTH_KEY_DRAIN_FILE,
	HEALTH_KEY_DRAIN_TIMEOUT,
	HEALTH_KEY_COUNT,
};

/**
 * struct health_config - everything l4lb-health can be told
 * @interval_ms: time between the starts of two check rounds
 * @timeout_ms: limit of one check (connect, send and reply together);
 *	never more than @interval_ms
 * @rise: consecutive successes that mark a down backend up
 * @fall: consecutive failures that mark an up backend down
 * @send: bytes to send after connecting (escapes resolved); @send_len 0:
 *	send nothing. Also the request of UDP checks, unless @udp_send is set.
 * @send_len: length of @send
 * @expect: bytes the reply must contain; @expect_len 0: no reply needed.
 *	Also for UDP checks, unless @udp_send is set.
 * @expect_len: length of @expect
 * @udp_send: the request datagram of UDP checks, if it must differ from
 *	@send; @udp_send_len 0: UDP checks use @send and @expect
 * @udp_send_len: length of @udp_send
 * @udp_expect: with @udp_send, what a UDP reply must contain (@udp_expect_len
 *	0: any reply will do); only allowed with @udp_send
 * @udp_expect_len: length of @udp_expect
 * @agent_port: agent checks (health_agent.h): the TCP port, host byte
 *	order, of the agent on every backend's address; 0: no agent checks
 * @agent_send: sent to the agent once connected (HAProxy's agent-send)
 * @agent_send_len: length of @agent_send; 0: send nothing
 * @agent_rtt: scale weights by the backends' agent connect times too
 * @agent_service: agent checks only for the backends of the services this
 *	selector matches (parse_svc_sel()); not @agent_service.set: all
 * @announce: the interface set up while this node can serve and down
 *	while it cannot (health_decide.h); "": no announcing
 * @announce_service: the services that must each have a usable backend
 *	for the node to serve; not @announce_service.set: every service
 * @drain_file: while this file exists the node is drained (withdrawn)
 * @drain_timeout_ms: how long a drain waits for the NAT rows to end
 *	before it reports a timeout; 0: no limit
 * @on_down: enum health_on_down
 * @syslog: log to syslog too, not only to stderr
 * @once: check each backend once, print the results, change nothing, exit
 * @config_file: the -c FILE, or NULL (points into argv)
 * @help: -h or --help was given; nothing else was looked at
 * @version: -V or --version was given; nothing else was looked at
 * @given: bit (1 << enum health_key) of each key set by the file or a flag
 */
struct health_config {
	uint32_t interval_ms;
	uint32_t timeout_ms;
	unsigned int rise;
	unsigned int fall;
	char send[HEALTH_SEND_MAX];
	size_t send_len;
	char expect[HEALTH_EXPECT_MAX];
	size_t expect_len;
	char udp_send[HEALTH_SEND_MAX];
	size_t udp_send_len;
	char udp_expect[HEALTH_EXPECT_MAX];
	size_t udp_expect_len;
	uint16_t agent_port;
	char agent_send[HEALTH_SEND_MAX];
	size_t agent_send_len;
	bool agent_rtt;
	struct svc_sel agent_service;
	char announce[HEALTH_IFNAME_MAX];
	struct svc_sel announce_service;
	char drain_file[HEALTH_PATH_MAX];
	uint32_t drain_timeout_ms;
	enum health_on_down on_down;
	bool syslog;
	bool once;
	const char *config_file;
	bool help;
	bool version;
	uint32_t given;
};

/**
 * health_config_init() - the defaults: interval 2 s, timeout 1 s, rise 2,
 * fall 3, plain TCP connect (and UDP backends not checked), on-down keep,
 * no announcing, drain file /run/l4lb/drain, no drain timeout, stderr only
 * @cfg: filled in completely
 */
void health_config_init(struct health_config *cfg);

/**
 * health_parse_seconds() - parse a duration in seconds, fractions allowed
 * @s: decimal digits, optionally '.' and more digits ("2", "0.5", "1.25");
 *	no sign, blanks, exponent or unit. Digits past the third decimal are
 *	accepted and dropped (the resolution is 1 ms).
 * @min_ms: smallest accepted value, milliseconds
 * @max_ms: largest accepted value, milliseconds
 * @ms: the value in milliseconds; untouched on failure
 *
 * Return: 0, or -1 if @s is malformed or out of range.
 */
int health_parse_seconds(const char *s, uint32_t min_ms, uint32_t max_ms,
			 uint32_t *ms);

/**
 * health_unescape() - resolve the C escapes of a --send/--expect string
 * @s: the text; understands \n \r \t \0 \\ \" \' and \xHH (two hex digits)
 * @out: receives the bytes (not NUL-terminated; may contain NUL bytes)
 * @size: room in @out
 * @len: number of bytes written; untouched on failure
 * @err: HEALTH_ERR_MAX bytes for the message, e.g. 'bad escape "\q"'
 *
 * Return: 0, or -1 for an unknown or incomplete escape, or a result longer
 * than @size.
 */
int health_unescape(const char *s, char *out, size_t size, size_t *len,
		    char *err);

/**
 * health_config_set() - set one key, as from "key = value" or "--key value"
 * @cfg: the configuration
 * @key: "interval", "timeout", "rise", "fall", "send", "expect", "on-down",
 *	"syslog", "udp-send", "udp-expect", the agent keys, "announce",
 *	"announce-service", "drain-file" or "drain-timeout"
 * @value: its text. interval/timeout: seconds 0.1-3600; rise/fall: 1-100;
 *	announce: an interface name of 1-15 bytes, no '/' or blanks;
 *	announce-service: a selector; drain-file: an absolute path;
 *	drain-timeout: seconds 0-86400;
 *	send/expect/udp-send/udp-expect: 1 or more bytes after
 *	health_unescape(); on-down: "keep" or "expire"; syslog: "yes" or "no".
 * @err: HEALTH_ERR_MAX bytes, e.g. 'rise must be 1-100, got "0"' or
 *	'unknown key "intervall"'
 *
 * Sets the key's bit in @cfg->given. Setting a key twice is not an error
 * here (callers decide); the second value wins.
 *
 * Return: 0, or -1 with @cfg unchanged.
 */
int health_config_set(struct health_config *cfg, const char *key,
		      const char *value, char *err);

/**
 * health_config_read() - read a configuration file
 * @cfg: the configuration; each key found is set with health_config_set()
 * @f: the open file
 * @err: HEALTH_ERR_MAX bytes, e.g. 'config line 3: unknown key "intervall"'
 *
 * Format: one "key = value" per line; blank lines and lines whose first
 * non-blank character is '#' are ignored. Blanks around key and value are
 * dropped. A value may be put in double quotes (to keep blanks at its ends
 * or a '#'); a '#' after a blank ends an unquoted value (a comment). A key
 * given twice is an error. Lines longer than 4095 bytes are an error.
 *
 * Return: 0, or -1 at the first bad line (keys before it stay set).
 */
int health_config_read(struct health_config *cfg, FILE *f, char *err);

/**
 * health_config_args() - the command line, including -c FILE
 * @cfg: the configuration, from health_config_init()
 * @argc: argument count, as main() got it
 * @argv: the arguments; argv[0] is skipped
 * @err: HEALTH_ERR_MAX bytes for the message
 *
 * Options, read with getopt_long(): --interval SEC, --timeout SEC,
 * --rise N, --fall N, --send STR, --expect STR, --udp-send STR,
 * --udp-expect STR, --on-down keep|expire (the config keys, same names),
 * --syslog, --once, -c FILE (also --config FILE). "--opt=value" works as
 * well as "--opt value", and a long option may be shortened to any
 * unambiguous prefix; "--" ends the options. The file of -c is read first;
 * flags override its keys. An option given twice is an error. Then
 * health_config_check() runs. Uses (and resets) getopt's globals.
 *
 * -h/--help or -V/--version anywhere (except as the value of an option)
 * sets @cfg->help or @cfg->version and returns 0 at once, before the file
 * is read or anything is checked.
 *
 * Return: 0, or -1 with the message in @err.
 */
int health_config_args(struct health_config *cfg, int argc, char **argv,
		       char *err);

/**
 * health_config_check() - checks that involve more than one key
 * @cfg: the configuration; if the timeout was not given and the interval
 *	is shorter than the default timeout, the timeout becomes the interval
 * @err: HEALTH_ERR_MAX bytes, e.g. "timeout (2 s) must not be longer than
 *	interval (1 s)", or "udp-expect needs udp-send" (a UDP expect string
 *	with the TCP request would be a guess at what the user meant), or
 *	"drain-file needs announce" (the same for announce-service and
 *	drain-timeout)
 *
 * Return: 0, or -1.
 */
int health_config_check(struct health_config *cfg, char *err);

/**
 * health_format_ms() - a duration in seconds, as short as exact
 * @buf: receives e.g. "2", "0.5", "1.25"
 * @size: room in @buf (16 is plenty)
 * @ms: the duration in milliseconds
 *
 * Return: @buf.
 */
char *health_format_ms(char *buf, size_t size, uint32_t ms);

/**
 * health_config_spec() - what the checks of @cfg do, for health_check_run()
 * @cfg: a configuration health_config_check() accepted
 * @spec: filled in completely. UDP checks use udp-send and udp-expect when
 *	udp-send is given (udp-expect alone is refused by
 *	health_config_check()), else the same send and expect as TCP checks
 */
void health_config_spec(const struct health_config *cfg,
			struct health_spec *spec);

#endif /* L4LB_HEALTH_CONFIG_H */
