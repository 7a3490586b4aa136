/* SPDX-License-Identifier: GPL-2.0 */
/*
 * error.h - exit codes of l4lbctl and its one-line error messages.
 */
#ifndef L4LBCTL_ERROR_H
#define L4LBCTL_ERROR_H

/*
 * Exit codes. They are part of the command-line interface and are
 * documented in l4lbctl(8), EXIT STATUS.
 */
enum rc {
	RC_OK = 0,		/* success */
	RC_KERNEL = 1,		/* the kernel rejected the request, or netlink failed */
	RC_USAGE = 2,		/* bad command line */
	RC_NO_MODULE = 3,	/* generic netlink family "l4lb" not found */
	RC_PERM = 4,		/* EPERM/EACCES: CAP_NET_ADMIN missing */
};

/**
 * err_report() - print "l4lbctl: <message>" as one line on stderr
 * @rc: the exit code to hand back
 * @fmt: printf format of the message, without the trailing newline
 *
 * Control characters in the formatted message (for example a newline
 * inside a quoted argument) are replaced by '?' so that the message is
 * always exactly one line. Messages longer than 511 bytes are truncated.
 *
 * Return: @rc, so that callers can write "return err_report(RC_X, ...)".
 */
int err_report(int rc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * usage_error() - report a bad command line
 * @fmt: printf format of the message
 *
 * Same as err_report(RC_USAGE, ...). Never prints usage text.
 *
 * Return: RC_USAGE.
 */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * rc_from_errno() - exit code for an errno returned by the kernel
 * @err: errno value, positive or negative
 *
 * Return: RC_PERM for EPERM and EACCES, RC_OK for 0, RC_KERNEL otherwise.
 */
int rc_from_errno(int err);

/**
 * err_set_sink() - send error messages elsewhere than stderr
 * @sink: called with each sanitised message (no program name, no newline);
 *	NULL restores the default, which prints "l4lbctl: <message>"
 *
 * l4lb-health keeps the messages to log them its own way.
 */
void err_set_sink(void (*sink)(const char *msg));

/**
 * err_sanitize() - make a string safe to print on one line
 * @s: NUL-terminated string, modified in place
 *
 * Replaces every byte below 0x20 and 0x7f by '?'.
 */
void err_sanitize(char *s);

#endif /* L4LBCTL_ERROR_H */
