/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conf.h - a saved configuration ("l4lbctl save", "l4lbctl restore"):
 * reading its file into services and backends, checked, before anything
 * is sent. No netlink here.
 *
 * The file is l4lbctl's own command vocabulary, as ipvsadm-save writes
 * ipvsadm's: one command per line, without "l4lbctl", each read by the
 * same parser as on the command line (service_set_parse(),
 * backend_add_parse()). Words are separated by blanks (space, tab); '#'
 * at the start of a word begins a comment to the end of the line; blank
 * lines are ignored. A line is one of
 *
 *	service set vip IP port N proto tcp|udp [SETTING]...
 *	backend add IP:PORT [weight N] [weight-pct N] [up|down|drain]
 *		service VIP:PORT/PROTO
 *
 * with IPv6 addresses as on the command line: "vip 2001:db8::10",
 * "backend add [2001:db8::2]:80 ... service [2001:db8::10]:443/tcp".
 *	add IP:PORT ...			(the earlier verb of "backend add")
 *
 * A file names every service in full (vip, port and proto) and every
 * backend's service by its full key, defined on an earlier line; a
 * service or a backend of one service is defined once.
 */
#ifndef L4LBCTL_CONF_H
#define L4LBCTL_CONF_H

#include <stddef.h>
#include <stdio.h>

#include "cmd.h"
#include "msg.h"

/*
 * Longest line, without its newline: more than the longest line save
 * writes, about 2,900 characters (an IPv6 service with every setting at
 * its longest and 64 lone SNAT addresses of 39 characters; an IPv4 one
 * with 16 peers is about 1,600).
 */
#define CONF_LINE_MAX 4095
/* Most words on one line. */
#define CONF_WORDS_MAX 128

/**
 * struct conf_svc - a "service set" line
 * @svc: its settings; VIP, PORT and PROTO always present
 * @line: its line number, from 1
 */
struct conf_svc {
	struct svc_info svc;
	unsigned int line;
};

/**
 * struct conf_be - a "backend add" line
 * @req: the backend; @req.sel is the full key of its service
 * @line: its line number, from 1
 */
struct conf_be {
	struct be_req req;
	unsigned int line;
};

/**
 * struct conf - a configuration file, read
 * @name: the file name, for messages
 * @svcs: the services, in file order
 * @nsvcs: their number
 * @bes: the backends, in file order
 * @nbes: their number
 */
struct conf {
	const char *name;
	struct conf_svc *svcs;
	size_t nsvcs;
	struct conf_be *bes;
	size_t nbes;
};

/**
 * conf_read() - read and check a whole configuration file
 * @f: the open file
 * @name: its name, for messages
 * @conf: filled; conf_free() it whatever the result
 *
 * Stops at the first bad line and prints one line,
 * "l4lbctl: NAME:LINE: MESSAGE", where MESSAGE is the command line's own
 * error for that line, or one of: 'unknown command "WORD" (expected
 * "service set" or "backend add")', '"WORDS" is not a configuration line
 * (expected "service set" or "backend add")', 'line too long (more than 4095 characters)', 'too
 * many words (more than 128)', 'service set: missing vip, port or proto',
 * 'backend IP:PORT: missing "service VIP:PORT/PROTO"',
 * 'service KEY is not defined above', 'service KEY defined twice (first
 * on line N)', 'backend IP:PORT of KEY defined twice (first on line N)',
 * or a read error.
 *
 * Return: RC_OK, or RC_USAGE (bad line, read error, out of memory).
 */
int conf_read(FILE *f, const char *name, struct conf *conf);

/**
 * conf_free() - release what conf_read() allocated
 * @conf: the configuration; left empty
 */
void conf_free(struct conf *conf);

/**
 * conf_find_svc() - the service of @conf with key @key
 * @conf: the configuration
 * @key: a full key (VIP, port, proto)
 *
 * Return: the service, or NULL.
 */
const struct conf_svc *conf_find_svc(const struct conf *conf,
				     const struct svc_sel *key);

/**
 * conf_find_be() - the backend @ep of the service @key in @conf
 * @conf: the configuration
 * @key: a full service key
 * @ep: the backend's address and port, network byte order
 *
 * Return: the backend, or NULL.
 */
const struct conf_be *conf_find_be(const struct conf *conf,
				   const struct svc_sel *key,
				   const struct ipport *ep);

/**
 * conf_err_at() - prefix the error messages that follow with "NAME:LINE: "
 * @name: the file name, or NULL to go back to plain messages
 * @line: the line number
 *
 * For the kernel's answers to the requests of a line, printed by nl.c.
 */
void conf_err_at(const char *name, unsigned int line);

#endif /* L4LBCTL_CONF_H */
