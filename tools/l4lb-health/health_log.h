/* SPDX-License-Identifier: GPL-2.0 */
/*
 * health_log.h - the log of l4lb-health: one line per event on stderr as
 * "l4lb-health: <message>", and with --syslog also to syslog (facility
 * daemon, ident "l4lb-health").
 *
 * health_log.c also implements error.h for l4lb-health, in place of
 * error.c: the netlink code (nl.c) reports through err_report(), and in a
 * daemon such a report must not go straight to stderr. It is kept instead,
 * so that the caller can log it with context ("cannot list backends: ...")
 * and leave out repeats; health_err_last() returns it.
 */
#ifndef L4LB_HEALTH_LOG_H
#define L4LB_HEALTH_LOG_H

#include <stdbool.h>
#include <syslog.h>

/**
 * health_log_init() - keep error.c's messages for health_err_last()
 *
 * Call first thing: nl.c reports its errors through error.c, and the
 * daemon logs them its own way instead of printing "l4lbctl: ...".
 */
void health_log_init(void);

/**
 * health_log_open() - start logging
 * @use_syslog: also send every line to syslog (openlog() with LOG_PID,
 *	facility LOG_DAEMON)
 */
void health_log_open(bool use_syslog);

/**
 * health_log_close() - stop logging to syslog (stderr stays)
 */
void health_log_close(void);

/**
 * health_log() - log one line
 * @prio: syslog priority, e.g. LOG_WARNING for "down", LOG_ERR for errors
 * @fmt: printf format of the message, without prefix or newline
 *
 * Control characters in the message become '?', so it stays one line.
 * Messages longer than 511 bytes are cut.
 */
void health_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * health_err_last() - the last message err_report() (via nl.c) kept
 *
 * Return: the message without prefix, "" if none since health_err_clear().
 */
const char *health_err_last(void);

/**
 * health_err_clear() - forget the kept message
 */
void health_err_clear(void);

#endif /* L4LB_HEALTH_LOG_H */
