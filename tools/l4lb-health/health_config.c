// SPDX-License-Identifier: GPL-2.0
/*
 * health_config.c - l4lb-health's settings: defaults, values, the config
 * file and the command line. See health_config.h.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include "health_config.h"
#include "parse.h"

/* Longest config file line, with its newline and the NUL. */
#define LINE_MAX_LEN 4096

static const char *const key_names[HEALTH_KEY_COUNT] = {
	[HEALTH_KEY_INTERVAL]	= "interval",
	[HEALTH_KEY_TIMEOUT]	= "timeout",
	[HEALTH_KEY_RISE]	= "rise",
	[HEALTH_KEY_FALL]	= "fall",
	[HEALTH_KEY_SEND]	= "send",
	[HEALTH_KEY_EXPECT]	= "expect",
	[HEALTH_KEY_ON_DOWN]	= "on-down",
	[HEALTH_KEY_SYSLOG]	= "syslog",
	[HEALTH_KEY_UDP_SEND]	= "udp-send",
	[HEALTH_KEY_UDP_EXPECT]	= "udp-expect",
	[HEALTH_KEY_AGENT_PORT]	= "agent-port",
	[HEALTH_KEY_AGENT_SEND]	= "agent-send",
	[HEALTH_KEY_AGENT_RTT]	= "agent-rtt",
	[HEALTH_KEY_AGENT_SERVICE] = "agent-service",
	[HEALTH_KEY_ANNOUNCE]	= "announce",
	[HEALTH_KEY_ANNOUNCE_SERVICE] = "announce-service",
	[HEALTH_KEY_DRAIN_FILE]	= "drain-file",
	[HEALTH_KEY_DRAIN_TIMEOUT] = "drain-timeout",
};

static int fail(char *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, HEALTH_ERR_MAX, fmt, ap);
	va_end(ap);
	return -1;
}

void health_config_init(struct health_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->interval_ms = 2000;
	cfg->timeout_ms = 1000;
	cfg->rise = 2;
	cfg->fall = 3;
	cfg->on_down = HEALTH_DOWN_KEEP;
	snprintf(cfg->drain_file, sizeof(cfg->drain_file), "%s",
		 HEALTH_DRAIN_FILE_DEFAULT);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int health_parse_seconds(const char *s, uint32_t min_ms, uint32_t max_ms,
			 uint32_t *ms)
{
	uint64_t whole = 0, frac = 0;
	const char *p = s;

	if (!s || !is_digit(*p))
		return -1;
	for (; is_digit(*p); p++) {
		whole = whole * 10 + (uint64_t)(*p - '0');
		if (whole > max_ms)	/* far out of range: stop before overflow */
			return -1;
	}
	if (*p == '.') {
		unsigned int decimals = 0;

		p++;
		if (!is_digit(*p))
			return -1;
		for (; is_digit(*p); p++) {
			if (decimals < 3) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				decimals++;
			}
		}
		for (; decimals < 3; decimals++)
			frac *= 10;
	}
	if (*p != '\0')
		return -1;
	whole = whole * 1000 + frac;
	if (whole < min_ms || whole > max_ms)
		return -1;
	*ms = (uint32_t)whole;
	return 0;
}

char *health_format_ms(char *buf, size_t size, uint32_t ms)
{
	unsigned int frac = ms % 1000;

	if (frac == 0)
		snprintf(buf, size, "%u", ms / 1000);
	else if (frac % 100 == 0)
		snprintf(buf, size, "%u.%u", ms / 1000, frac / 100);
	else if (frac % 10 == 0)
		snprintf(buf, size, "%u.%02u", ms / 1000, frac / 10);
	else
		snprintf(buf, size, "%u.%03u", ms / 1000, frac);
	return buf;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int health_unescape(const char *s, char *out, size_t size, size_t *len,
		    char *err)
{
	size_t n = 0;

	while (*s) {
		char c = *s++;

		if (c == '\\') {
			int hi, lo;

			c = *s++;
			switch (c) {
			case 'n':  c = '\n'; break;
			case 'r':  c = '\r'; break;
			case 't':  c = '\t'; break;
			case '0':  c = '\0'; break;
			case '\\': case '"': case '\'': break;
			case 'x':
				hi = hex_value(s[0]);
				lo = hi < 0 ? -1 : hex_value(s[1]);
				if (lo < 0)
					return fail(err, "bad escape \"\\x%.2s\" (expected \\x and two hex digits)",
						    s);
				c = (char)(hi << 4 | lo);
				s += 2;
				break;
			case '\0':
				return fail(err, "trailing backslash");
			default:
				return fail(err, "bad escape \"\\%c\" (known: \\n \\r \\t \\0 \\\\ \\\" \\' \\xHH)",
					    c);
			}
		}
		if (n == size)
			return fail(err, "longer than %zu bytes", size);
		out[n++] = c;
	}
	*len = n;
	return 0;
}

static int find_key(const char *key)
{
	int k;

	for (k = 0; k < HEALTH_KEY_COUNT; k++)
		if (!strcmp(key, key_names[k]))
			return k;
	return -1;
}

static int set_count(unsigned int *out, const char *name, const char *value,
		     char *err)
{
	unsigned int v = 0;
	const char *p;

	for (p = value; is_digit(*p) && v <= HEALTH_COUNT_MAX; p++)
		v = v * 10 + (unsigned int)(*p - '0');
	if (p == value || *p != '\0' || v < 1 || v > HEALTH_COUNT_MAX)
		return fail(err, "%s must be 1-%d, got \"%s\"", name,
			    HEALTH_COUNT_MAX, value);
	*out = v;
	return 0;
}

static int set_bytes(char *out, size_t size, size_t *len, const char *name,
		     const char *value, char *err)
{
	char tmp[HEALTH_SEND_MAX];
	char why[HEALTH_ERR_MAX];
	size_t n;

	/* Unescape into a scratch buffer so that failure changes nothing. */
	if (health_unescape(value, tmp, size < sizeof(tmp) ? size : sizeof(tmp),
			    &n, why) < 0)
		return fail(err, "%s: %s", name, why);
	if (n == 0)
		return fail(err, "%s must not be empty", name);
	memcpy(out, tmp, n);
	*len = n;
	return 0;
}

/* An interface name the kernel could have: 1-15 bytes, no '/' or blanks. */
static int set_ifname(char *out, const char *value, char *err)
{
	size_t len = strlen(value);

	if (len == 0 || len >= HEALTH_IFNAME_MAX || strpbrk(value, "/ \t:") ||
	    !strcmp(value, ".") || !strcmp(value, ".."))
		return fail(err, "announce must be an interface name (1-%d bytes, no '/', ':' or blanks), got \"%s\"",
			    HEALTH_IFNAME_MAX - 1, value);
	memcpy(out, value, len + 1);
	return 0;
}

static int set_yes_no(bool *out, const char *name, const char *value,
		      char *err)
{
	if (!strcmp(value, "yes"))
		*out = true;
	else if (!strcmp(value, "no"))
		*out = false;
	else
		return fail(err, "%s must be yes or no, got \"%s\"", name,
			    value);
	return 0;
}

int health_config_set(struct health_config *cfg, const char *key,
		      const char *value, char *err)
{
	int k = find_key(key);
	uint16_t port;
	uint32_t ms;

	switch (k) {
	case HEALTH_KEY_INTERVAL:
	case HEALTH_KEY_TIMEOUT:
		if (health_parse_seconds(value, HEALTH_SECS_MIN_MS,
					 HEALTH_SECS_MAX_MS, &ms) < 0)
			return fail(err, "%s must be 0.1-3600 seconds, got \"%s\"",
				    key, value);
		if (k == HEALTH_KEY_INTERVAL)
			cfg->interval_ms = ms;
		else
			cfg->timeout_ms = ms;
		break;
	case HEALTH_KEY_RISE:
		if (set_count(&cfg->rise, key, value, err) < 0)
			return -1;
		break;
	case HEALTH_KEY_FALL:
		if (set_count(&cfg->fall, key, value, err) < 0)
			return -1;
		break;
	case HEALTH_KEY_SEND:
		if (set_bytes(cfg->send, sizeof(cfg->send), &cfg->send_len,
			      key, value, err) < 0)
			return -1;
		break;
	case HEALTH_KEY_EXPECT:
		if (set_bytes(cfg->expect, sizeof(cfg->expect),
			      &cfg->expect_len, key, value, err) < 0)
			return -1;
		break;
	case HEALTH_KEY_UDP_SEND:
		if (set_bytes(cfg->udp_send, sizeof(cfg->udp_send),
			      &cfg->udp_send_len, key, value, err) < 0)
			return -1;
		break;
	case HEALTH_KEY_UDP_EXPECT:
		if (set_bytes(cfg->udp_expect, sizeof(cfg->udp_expect),
			      &cfg->udp_expect_len, key, value, err) < 0)
			return -1;
		break;
	case HEALTH_KEY_ON_DOWN:
		if (!strcmp(value, "keep"))
			cfg->on_down = HEALTH_DOWN_KEEP;
		else if (!strcmp(value, "expire"))
			cfg->on_down = HEALTH_DOWN_EXPIRE;
		else
			return fail(err, "on-down must be keep or expire, got \"%s\"",
				    value);
		break;
	case HEALTH_KEY_SYSLOG:
	case HEALTH_KEY_AGENT_RTT:
		if (set_yes_no(k == HEALTH_KEY_SYSLOG ? &cfg->syslog :
			       &cfg->agent_rtt, key, value, err) < 0)
			return -1;
		break;
	case HEALTH_KEY_AGENT_PORT:
		if (parse_port(value, &port) < 0)
			return fail(err, "agent-port must be 1-65535, got \"%s\"",
				    value);
		cfg->agent_port = ntohs(port);
		break;
	case HEALTH_KEY_AGENT_SERVICE:
		if (parse_svc_sel(value, &cfg->agent_service) < 0)
			return fail(err, "agent-service must be VIP[:PORT][/tcp|/udp], got \"%s\"",
				    value);
		break;
	case HEALTH_KEY_ANNOUNCE:
		if (set_ifname(cfg->announce, value, err) < 0)
			return -1;
		break;
	case HEALTH_KEY_ANNOUNCE_SERVICE:
		if (parse_svc_sel(value, &cfg->announce_service) < 0)
			return fail(err, "announce-service must be VIP[:PORT][/tcp|/udp], got \"%s\"",
				    value);
		break;
	case HEALTH_KEY_DRAIN_FILE:
		if (value[0] != '/' || strlen(value) >= sizeof(cfg->drain_file))
			return fail(err, "drain-file must be an absolute path of at most %zu bytes, got \"%s\"",
				    sizeof(cfg->drain_file) - 1, value);
		memcpy(cfg->drain_file, value, strlen(value) + 1);
		break;
	case HEALTH_KEY_DRAIN_TIMEOUT:
		if (health_parse_seconds(value, 0, HEALTH_DRAIN_TIMEOUT_MAX_MS,
					 &ms) < 0)
			return fail(err, "drain-timeout must be 0-86400 seconds, got \"%s\"",
				    value);
		cfg->drain_timeout_ms = ms;
		break;
	case HEALTH_KEY_AGENT_SEND:
		if (set_bytes(cfg->agent_send, sizeof(cfg->agent_send),
			      &cfg->agent_send_len, key, value, err) < 0)
			return -1;
		break;
	default:
		return fail(err, "unknown key \"%s\"", key);
	}
	cfg->given |= 1u << k;
	return 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char *skip_blanks(char *p)
{
	while (is_blank(*p))
		p++;
	return p;
}

/*
 * Cut the value out of the text after '=' (blanks already skipped): a
 * quoted string up to its closing quote (backslash escapes are kept for
 * health_unescape(), but \" does not close it), or everything up to a
 * "blank #" comment, without trailing blanks. Returns the value, or NULL
 * with @err set.
 */
static char *cut_value(char *p, char *err)
{
	char *end;

	if (*p == '"') {
		char *q = ++p;

		for (; *q && *q != '"'; q++)
			if (*q == '\\' && q[1])
				q++;
		if (*q != '"') {
			fail(err, "missing closing quote");
			return NULL;
		}
		*q++ = '\0';
		q = skip_blanks(q);
		if (*q && *q != '#') {
			fail(err, "text after the closing quote");
			return NULL;
		}
		return p;
	}
	for (end = p; *end; end++)
		if (*end == '#' && end > p && is_blank(end[-1]))
			break;
	while (end > p && is_blank(end[-1]))
		end--;
	*end = '\0';
	return p;
}

int health_config_read(struct health_config *cfg, FILE *f, char *err)
{
	unsigned int first_line[HEALTH_KEY_COUNT] = { 0 };
	char line[LINE_MAX_LEN];
	char why[HEALTH_ERR_MAX];
	unsigned int n = 0;

	while (fgets(line, sizeof(line), f)) {
		char *key, *p, *value;
		int k;

		n++;
		if (!strchr(line, '\n') && !feof(f))
			return fail(err, "config line %u: longer than %d bytes",
				    n, LINE_MAX_LEN - 2);
		p = skip_blanks(line);
		if (*p == '\0' || *p == '#')
			continue;
		key = p;
		while (*p && !is_blank(*p) && *p != '=')
			p++;
		if (p == key)
			return fail(err, "config line %u: expected \"key = value\"", n);
		value = skip_blanks(p);
		if (*value != '=')
			return fail(err, "config line %u: expected \"key = value\"", n);
		*p = '\0';
		k = find_key(key);
		if (k < 0)
			return fail(err, "config line %u: unknown key \"%s\"", n, key);
		if (first_line[k])
			return fail(err, "config line %u: \"%s\" given twice (first on line %u)",
				    n, key, first_line[k]);
		first_line[k] = n;
		value = cut_value(skip_blanks(value + 1), why);
		if (!value || health_config_set(cfg, key, value, why) < 0)
			return fail(err, "config line %u: %s", n, why);
	}
	if (ferror(f))
		return fail(err, "cannot read config file: %s", strerror(errno));
	return 0;
}

/*
 * getopt_long() values: a config key's option is OPT_KEY + its enum
 * health_key, and has the key's name (--syslog and --agent-rtt, flags,
 * set their key to yes). The others are -c/--config, -h/--help, -V/--version and --once.
 */
enum {
	OPT_KEY = 256,
	OPT_ONCE = OPT_KEY + HEALTH_KEY_COUNT,
};

static const char short_options[] = "-:c:hV";	/* '-': arguments in order */
static struct option long_options[HEALTH_KEY_COUNT + 5];

/* Fill long_options[]: one option per config key, then the others. */
static void init_options(void)
{
	static const struct option others[] = {
		{ "once",	no_argument,	   NULL, OPT_ONCE },
		{ "config",	required_argument, NULL, 'c' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ "version",	no_argument,	   NULL, 'V' },
		{ NULL,		0,		   NULL, 0 },
	};
	int k;

	for (k = 0; k < HEALTH_KEY_COUNT; k++) {
		long_options[k].name = key_names[k];
		long_options[k].has_arg = k == HEALTH_KEY_SYSLOG ||
					  k == HEALTH_KEY_AGENT_RTT ?
					  no_argument : required_argument;
		long_options[k].flag = NULL;
		long_options[k].val = OPT_KEY + k;
	}
	memcpy(&long_options[k], others, sizeof(others));
}

/* The long option of getopt value @val, or NULL. */
static const struct option *long_option(int val)
{
	const struct option *o;

	for (o = long_options; o->name; o++)
		if (o->val == val)
			return o;
	return NULL;
}

/*
 * The name of option @val for a message: "-c" if @arg, the argument that
 * gave it, is a short option, else "--NAME". In a static buffer.
 */
static const char *option_name(int val, const char *arg)
{
	const struct option *o = long_option(val);
	static char buf[32];

	if (strncmp(arg, "--", 2) && val < OPT_KEY)
		snprintf(buf, sizeof(buf), "-%c", val);
	else
		snprintf(buf, sizeof(buf), "--%s", o ? o->name : "?");
	return buf;
}

/* The message of getopt_long()'s '?' for the argument @arg. */
static int bad_option(const char *arg, char *err)
{
	size_t len = strcspn(arg, "=");
	const struct option *o;
	int n = 0;

	/* "--once=1": a known long option given a value. */
	if (optopt && !strncmp(arg, "--", 2) && arg[len] == '=')
		return fail(err, "option \"%s\" takes no value",
			    option_name(optopt, arg));
	if (optopt)
		return fail(err, "unknown option \"-%c\"", optopt);
	/* getopt_long() takes any unambiguous abbreviation; say why not. */
	for (o = long_options; o->name && len > 2; o++)
		if (!strncmp(o->name, arg + 2, len - 2))
			n++;
	if (n > 1)
		return fail(err, "ambiguous option \"%.*s\"", (int)len, arg);
	return fail(err, "unknown option \"%.*s\"", (int)len, arg);
}

/*
 * The next option of @argv: its getopt value (> 1), with its value in
 * *@value (NULL if it takes none); 0 after the last one; or -1 with @err
 * set for an unknown option, a missing or stray value, or an argument
 * that is not an option.
 */
static int next_option(int argc, char **argv, const char **value, char *err)
{
	int c = getopt_long(argc, argv, short_options, long_options, NULL);

	*value = optarg;
	switch (c) {
	case -1:
		/* Only what follows "--" is left. */
		if (optind < argc)
			return fail(err, "unexpected argument \"%s\"", argv[optind]);
		return 0;
	case 1:
		return fail(err, "unexpected argument \"%s\"", optarg);
	case ':':
		return fail(err, "option \"%s\" needs a value",
			    option_name(optopt, argv[optind - 1]));
	case '?':
		return bad_option(argv[optind - 1], err);
	default:
		return c;
	}
}

static int read_file(struct health_config *cfg, const char *path, char *err)
{
	char why[HEALTH_ERR_MAX];
	FILE *f = fopen(path, "re");
	int rc;

	if (!f)
		return fail(err, "cannot open config file \"%s\": %s", path,
			    strerror(errno));
	rc = health_config_read(cfg, f, why);
	fclose(f);
	if (rc < 0)
		return fail(err, "%s", why);
	return 0;
}

int health_config_args(struct health_config *cfg, int argc, char **argv,
		       char *err)
{
	uint32_t seen = 0;
	const char *value;
	int c;

	init_options();
	opterr = 0;	/* the messages are ours */

	/* 1. Syntax, and the config file, which the flags then override. */
	optind = 0;	/* glibc: start afresh, as for a new argv */
	while ((c = next_option(argc, argv, &value, err)) > 0) {
		if (c == 'h') {
			cfg->help = true;
			return 0;
		}
		if (c == 'V') {
			cfg->version = true;
			return 0;
		}
		if (c == 'c') {
			if (cfg->config_file)
				return fail(err, "more than one config file (-c)");
			cfg->config_file = value;
		}
	}
	if (c < 0)
		return -1;
	if (cfg->config_file && read_file(cfg, cfg->config_file, err) < 0)
		return -1;

	/* 2. The flags, left to right; the syntax is known to be good. */
	optind = 0;
	while ((c = next_option(argc, argv, &value, err)) > 0) {
		uint32_t bit;

		if (c < OPT_KEY)	/* -c: read above */
			continue;
		bit = 1u << (c - OPT_KEY);
		if (seen & bit)
			return fail(err, "option \"%s\" given twice",
				    option_name(c, "--"));
		seen |= bit;
		if (c == OPT_ONCE)
			cfg->once = true;
		else if (health_config_set(cfg, key_names[c - OPT_KEY],
					   value ? value : "yes", err) < 0)
			return -1;
	}
	return health_config_check(cfg, err);
}

int health_config_check(struct health_config *cfg, char *err)
{
	char t[16], iv[16];

	/* udp-expect replaces expect only together with its own request. */
	if (cfg->udp_expect_len && !cfg->udp_send_len)
		return fail(err, "udp-expect needs udp-send");
	if ((cfg->agent_send_len || cfg->agent_rtt ||
	     cfg->agent_service.set) && !cfg->agent_port)
		return fail(err, "%s needs agent-port",
			    cfg->agent_send_len ? "agent-send" :
			    cfg->agent_rtt ? "agent-rtt" : "agent-service");
	if (!cfg->announce[0]) {
		static const int needs[] = { HEALTH_KEY_ANNOUNCE_SERVICE,
			HEALTH_KEY_DRAIN_FILE, HEALTH_KEY_DRAIN_TIMEOUT };
		size_t i;

		for (i = 0; i < sizeof(needs) / sizeof(needs[0]); i++)
			if (cfg->given & (1u << needs[i]))
				return fail(err, "%s needs announce",
					    key_names[needs[i]]);
	}
	if (cfg->timeout_ms <= cfg->interval_ms)
		return 0;
	if (!(cfg->given & (1u << HEALTH_KEY_TIMEOUT))) {
		cfg->timeout_ms = cfg->interval_ms;
		return 0;
	}
	return fail(err, "timeout (%s s) must not be longer than interval (%s s)",
		    health_format_ms(t, sizeof(t), cfg->timeout_ms),
		    health_format_ms(iv, sizeof(iv), cfg->interval_ms));
}

void health_config_spec(const struct health_config *cfg,
			struct health_spec *spec)
{
	*spec = (struct health_spec){
		.timeout_ms = cfg->timeout_ms,
		.send = cfg->send_len ? cfg->send : NULL,
		.send_len = cfg->send_len,
		.expect = cfg->expect_len ? cfg->expect : NULL,
		.expect_len = cfg->expect_len,
	};
	if (cfg->udp_send_len) {
		spec->udp_send = cfg->udp_send;
		spec->udp_send_len = cfg->udp_send_len;
		spec->udp_expect = cfg->udp_expect_len ? cfg->udp_expect : NULL;
		spec->udp_expect_len = cfg->udp_expect_len;
	} else {
		spec->udp_send = spec->send;
		spec->udp_send_len = spec->send_len;
		spec->udp_expect = spec->expect;
		spec->udp_expect_len = spec->expect_len;
	}
}
