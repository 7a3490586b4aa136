// SPDX-License-Identifier: GPL-2.0
/*
 * health_log.c - l4lb-health's log, and error.h for the code it shares
 * with l4lbctl. See health_log.h.
 */
#include <stdarg.h>
#include <stdio.h>

#include "error.h"
#include "health_log.h"

#define MSG_MAX 512

static bool log_syslog;
static char err_last[MSG_MAX];

static void keep(const char *msg);

void health_log_init(void)
{
	err_set_sink(keep);
}

void health_log_open(bool use_syslog)
{
	log_syslog = use_syslog;
	if (use_syslog)
		openlog("l4lb-health", LOG_PID, LOG_DAEMON);
}

void health_log_close(void)
{
	if (log_syslog)
		closelog();
	log_syslog = false;
}

void health_log(int prio, const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_sanitize(msg);
	fprintf(stderr, "l4lb-health: %s\n", msg);
	if (log_syslog)
		syslog(prio, "%s", msg);
}

const char *health_err_last(void)
{
	return err_last;
}

void health_err_clear(void)
{
	err_last[0] = '\0';
}

/* The error.c sink: keep the message for the caller to log. */
static void keep(const char *msg)
{
	snprintf(err_last, sizeof(err_last), "%s", msg);
}
