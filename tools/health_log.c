// SPDX-License-Identifier: GPL-2.0
/*
 * health_log.c - l4lb-health's log, and error.h for the code it shares
 * with l4lbctl. See health_log.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "error.h"
#include "health_log.h"

#define MSG_MAX 512

static bool log_syslog;
static char err_last[MSG_MAX];

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

/* ---- error.h, as l4lb-health needs it ---- */

void err_sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static int keep(int rc, const char *fmt, va_list ap)
{
	vsnprintf(err_last, sizeof(err_last), fmt, ap);
	err_sanitize(err_last);
	return rc;
}

int err_report(int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	keep(rc, fmt, ap);
	va_end(ap);
	return rc;
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	keep(RC_USAGE, fmt, ap);
	va_end(ap);
	return RC_USAGE;
}

/* The same mapping as error.c, which l4lb-health does not link. */
int rc_from_errno(int err)
{
	if (err < 0)
		err = -err;
	if (err == 0)
		return RC_OK;
	if (err == EPERM || err == EACCES)
		return RC_PERM;
	return RC_KERNEL;
}
