// SPDX-License-Identifier: GPL-2.0
/*
 * error.c - one-line error messages and the errno to exit code mapping.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "error.h"

void err_sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void print_sink(const char *msg)
{
	fprintf(stderr, "l4lbctl: %s\n", msg);
}

static void (*err_sink)(const char *msg) = print_sink;

void err_set_sink(void (*sink)(const char *msg))
{
	err_sink = sink ? sink : print_sink;
}

static int vreport(int rc, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	err_sanitize(msg);
	err_sink(msg);
	return rc;
}

int err_report(int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(rc, fmt, ap);
	va_end(ap);
	return rc;
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(RC_USAGE, fmt, ap);
	va_end(ap);
	return RC_USAGE;
}

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
