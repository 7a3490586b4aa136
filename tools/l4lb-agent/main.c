// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - l4lb-agent, a reference load-feedback agent for l4lb backends.
 *
 * It listens on a TCP port and answers every connection with one line in
 * the vocabulary of HAProxy's agent-check (what l4lb-health's agent checks
 * read, l4lb-health(8)), then closes it:
 *
 *   "N% ready\n"   N the load figure (agent_load.h), "ready" so that a
 *                  drain the agent asked for earlier is released
 *   "drain\n"      while the drain file exists
 *
 * The CPU figure needs two samples: /proc/stat is read every window, and
 * the answer uses the last complete window (before the first one ends,
 * the times since boot). Reading the files and answering happen in one
 * poll() loop; an answer is a few bytes into a fresh socket's buffer, so
 * a slow client delays no one.
 */
#define _GNU_SOURCE	/* accept4() */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "agent_load.h"
#include "parse.h"
#include "sigfd.h"

#ifndef L4LBCTL_VERSION
#define L4LBCTL_VERSION "unknown"
#endif

/* Exit statuses. */
enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,
	EXIT_USAGE = 2,
};

/* The largest /proc/stat we read: its "cpu" line comes first. */
#define READ_MAX 65536

/**
 * struct agent_cfg - the options
 * @addr: address to listen on, IPv4 or IPv6; of no family (the default):
 *	every address of both families (::, or 0.0.0.0 without IPv6)
 * @port: port, network byte order
 * @drain_file: answer "drain" while this file exists
 * @stat_file: the /proc/stat to read
 * @meminfo_file: the /proc/meminfo to read
 * @window_s: CPU sampling window, seconds
 * @source: enum load_source
 * @min: lowest figure answered
 * @max: highest figure answered
 */
struct agent_cfg {
	struct ipaddr addr;
	uint16_t port;
	const char *drain_file;
	const char *stat_file;
	const char *meminfo_file;
	uint32_t window_s;
	enum load_source source;
	uint32_t min;
	uint32_t max;
};

/* The CPU samples: the last complete window's figure. */
static struct cpu_sample last;
static uint32_t cpu_pct = 100;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("l4lb-agent: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Read a small text file into @buf (NUL-terminated); 0 or -1. */
static int read_text(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return 0;
}

/*
 * Take a CPU sample; with @update, the window that ends now is the figure.
 * A window in which the counters did not move (a --stat-file nobody
 * updates) carries no news: the figure and the sample stay.
 */
static void sample_cpu(const struct agent_cfg *cfg, bool update)
{
	static char buf[READ_MAX];
	static bool warned;
	struct cpu_sample cur;

	if (read_text(cfg->stat_file, buf, sizeof(buf)) < 0 ||
	    load_parse_stat(buf, &cur) < 0) {
		if (!warned)
			say("cannot read the cpu line of %s; the CPU figure stays %u%%",
			    cfg->stat_file, cpu_pct);
		warned = true;
		return;
	}
	warned = false;
	if (cur.total == last.total)
		return;
	if (update)
		cpu_pct = load_cpu_pct(&last, &cur);
	last = cur;
}

/* The memory figure now, or 100 if it cannot be read (logged once). */
static uint32_t mem_pct(const struct agent_cfg *cfg)
{
	static bool warned;
	char buf[8192];
	uint32_t pct;

	if (read_text(cfg->meminfo_file, buf, sizeof(buf)) < 0 ||
	    load_parse_meminfo(buf, &pct) < 0) {
		if (!warned)
			say("cannot read MemTotal and MemAvailable from %s; the memory figure is 100%%",
			    cfg->meminfo_file);
		warned = true;
		return 100;
	}
	warned = false;
	return pct;
}

/* The line to answer now, into @buf (@size bytes). */
static size_t answer(const struct agent_cfg *cfg, char *buf, size_t size)
{
	struct stat st;
	uint32_t mem = cfg->source == LOAD_CPU ? 100 : mem_pct(cfg);

	if (stat(cfg->drain_file, &st) == 0)
		return (size_t)snprintf(buf, size, "drain\n");
	return (size_t)snprintf(buf, size, "%u%% ready\n",
				load_figure(cfg->source, cpu_pct, mem,
					    cfg->min, cfg->max));
}

/* Accept one connection, answer, close. */
static void serve(const struct agent_cfg *cfg, int lfd)
{
	char line[32];
	size_t len;
	int fd;

	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	len = answer(cfg, line, sizeof(line));
	/* A fresh socket's buffer takes a few bytes; a failure is the peer's. */
	if (send(fd, line, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
	    errno != EPIPE && errno != ECONNRESET)
		say("send: %s", strerror(errno));
	close(fd);
}

/* A listening socket on @ep; IPv6 "::" takes IPv4 too if @dual. */
static int listen_at(const struct ipport *ep, bool dual)
{
	struct sockaddr_storage ss;
	socklen_t len = ipport_sockaddr(ep, &ss);
	int one = 1, v6only = !dual, fd;

	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (ss.ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
			sizeof(v6only)) < 0) ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    listen(fd, 128) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/*
 * The listening socket: on --listen's address, or on every address of
 * both families ("::", which takes IPv4 too), or of IPv4 alone where the
 * host has no IPv6 (0.0.0.0).
 */
static int listen_on(const struct agent_cfg *cfg)
{
	struct ipport ep = { .addr = cfg->addr, .port = cfg->port };
	int fd;

	if (cfg->addr.af)
		return listen_at(&ep, false);
	ep.addr.af = AF_INET6;
	ep.addr.v6 = in6addr_any;
	fd = listen_at(&ep, true);
	if (fd >= 0 || errno != EAFNOSUPPORT)
		return fd;
	ep.addr = ipaddr_v4(htonl(INADDR_ANY));
	return listen_at(&ep, false);
}

static void print_help(void)
{
	printf("Usage: l4lb-agent [OPTIONS]\n\n"
	       "Answer l4lb-health's agent checks (HAProxy agent-check protocol) with\n"
	       "this machine's load: \"N%% ready\", or \"drain\" while the drain file exists.\n\n"
	       "Options:\n"
	       "  -p, --port PORT         TCP port to listen on (default 10999)\n"
	       "  -l, --listen IP         address to listen on, IPv4 or IPv6 (default: every\n"
	       "                          address of both families)\n"
	       "  --drain-file PATH       answer \"drain\" while PATH exists\n"
	       "                          (default /run/l4lb-agent/drain)\n"
	       "  --source min|cpu|mem    the figure: the lower of idle CPU and available\n"
	       "                          memory (default), or one of them\n"
	       "  --window SEC            idle CPU is measured over SEC seconds (default 1,\n"
	       "                          1-3600)\n"
	       "  --min PCT, --max PCT    clamp the figure to [PCT, PCT] (default 1 and 100,\n"
	       "                          0-256)\n"
	       "  --stat-file PATH        read CPU times from PATH (default /proc/stat)\n"
	       "  --meminfo-file PATH     read memory from PATH (default /proc/meminfo)\n"
	       "  -V, --version           print the version and exit\n"
	       "  -h, --help              print this help and exit\n\n"
	       "Exit status: 0 stopped by SIGTERM/SIGINT, 1 error, 2 bad arguments.\n"
	       "See l4lb-agent(8).\n");
}

enum {
	OPT_DRAIN = 256,
	OPT_SOURCE,
	OPT_WINDOW,
	OPT_MIN,
	OPT_MAX,
	OPT_STAT,
	OPT_MEMINFO,
};

/* Parse @argv into @cfg; EXIT_OK to go on, -1 to exit 0, else EXIT_USAGE. */
static int parse_args(int argc, char **argv, struct agent_cfg *cfg)
{
	static const struct option opts[] = {
		{ "port",	  required_argument, NULL, 'p' },
		{ "listen",	  required_argument, NULL, 'l' },
		{ "drain-file",	  required_argument, NULL, OPT_DRAIN },
		{ "source",	  required_argument, NULL, OPT_SOURCE },
		{ "window",	  required_argument, NULL, OPT_WINDOW },
		{ "min",	  required_argument, NULL, OPT_MIN },
		{ "max",	  required_argument, NULL, OPT_MAX },
		{ "stat-file",	  required_argument, NULL, OPT_STAT },
		{ "meminfo-file", required_argument, NULL, OPT_MEMINFO },
		{ "help",	  no_argument,	     NULL, 'h' },
		{ "version",	  no_argument,	     NULL, 'V' },
		{ NULL,		  0,		     NULL, 0 },
	};
	char name[32];
	int c, idx;

	opterr = 0;
	while ((idx = -1,
		c = getopt_long(argc, argv, ":p:l:hV", opts, &idx)) != -1) {
		/* How the option was spelt, for messages. */
		if (idx >= 0)
			snprintf(name, sizeof(name), "--%s", opts[idx].name);
		else
			snprintf(name, sizeof(name), "-%c", c);
		switch (c) {
		case 'p':
			if (parse_port(optarg, &cfg->port) < 0)
				goto bad;
			break;
		case 'l':
			if (parse_ipaddr(optarg, &cfg->addr) < 0)
				goto bad;
			break;
		case OPT_DRAIN:
			cfg->drain_file = optarg;
			break;
		case OPT_STAT:
			cfg->stat_file = optarg;
			break;
		case OPT_MEMINFO:
			cfg->meminfo_file = optarg;
			break;
		case OPT_SOURCE:
			if (!strcmp(optarg, "min"))
				cfg->source = LOAD_MIN;
			else if (!strcmp(optarg, "cpu"))
				cfg->source = LOAD_CPU;
			else if (!strcmp(optarg, "mem"))
				cfg->source = LOAD_MEM;
			else
				goto bad;
			break;
		case OPT_WINDOW:
			if (parse_u32(optarg, 3600, &cfg->window_s) < 0 ||
			    !cfg->window_s)
				goto bad;
			break;
		case OPT_MIN:
		case OPT_MAX:
			if (parse_u32(optarg, 256, c == OPT_MIN ? &cfg->min :
				      &cfg->max) < 0)
				goto bad;
			break;
		case 'h':
			print_help();
			return -1;
		case 'V':
			printf("l4lb-agent %s\n", L4LBCTL_VERSION);
			return -1;
		case ':':
			say("option \"%s\" needs a value", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			say("unknown option \"%s\"", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		say("unexpected argument \"%s\"", argv[optind]);
		return EXIT_USAGE;
	}
	if (cfg->min > cfg->max) {
		say("--min (%u) must not be above --max (%u)", cfg->min,
		    cfg->max);
		return EXIT_USAGE;
	}
	return EXIT_OK;
bad:
	say("invalid value \"%s\" for %s", optarg, name);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct agent_cfg cfg = {
		.port = htons(10999),
		.drain_file = "/run/l4lb-agent/drain",
		.stat_file = "/proc/stat",
		.meminfo_file = "/proc/meminfo",
		.window_s = 1,
		.source = LOAD_MIN,
		.min = 1,
		.max = 100,
	};
	struct itimerspec its = { 0 };
	struct pollfd pfd[3];
	int rc, lfd, tfd, sfd;

	rc = parse_args(argc, argv, &cfg);
	if (rc)
		return rc < 0 ? (fflush(stdout) ? EXIT_ERROR : EXIT_OK) : rc;
	lfd = listen_on(&cfg);
	if (lfd < 0) {
		say("cannot listen on port %u: %s", ntohs(cfg.port),
		    strerror(errno));
		return EXIT_ERROR;
	}
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	sfd = sigfd_open(0);
	its.it_value.tv_sec = cfg.window_s;
	its.it_interval.tv_sec = cfg.window_s;
	if (tfd < 0 || sfd < 0 || timerfd_settime(tfd, 0, &its, NULL) < 0) {
		say("cannot set up timers and signals: %s", strerror(errno));
		return EXIT_ERROR;
	}
	/* Until the first window ends, the figure is the average since boot. */
	sample_cpu(&cfg, true);
	say("listening on port %u; drain file %s", ntohs(cfg.port),
	    cfg.drain_file);
	pfd[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = tfd, .events = POLLIN };
	pfd[2] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	for (;;) {
		uint64_t ticks;

		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			say("poll: %s", strerror(errno));
			return EXIT_ERROR;
		}
		if (pfd[2].revents)
			break;
		if (pfd[1].revents &&
		    read(tfd, &ticks, sizeof(ticks)) == (ssize_t)sizeof(ticks))
			sample_cpu(&cfg, true);
		if (pfd[0].revents)
			serve(&cfg, lfd);
	}
	say("stopping");
	close(lfd);
	return EXIT_OK;
}
