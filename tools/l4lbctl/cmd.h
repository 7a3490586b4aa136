/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd.h - the commands of l4lbctl. Each one reads its own arguments first
 * (a bad command line fails with RC_USAGE before any netlink traffic),
 * then talks to the kernel, prints, and returns an exit code (enum rc).
 */
#ifndef L4LBCTL_CMD_H
#define L4LBCTL_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include "msg.h"

/**
 * struct ctl - global options, given before the command
 * @json: -j, print JSON
 */
struct ctl {
	bool json;
};

/**
 * struct subcmd - a subcommand of an object, as in "l4lbctl backend add"
 * @name: the word after the object's name
 * @run: its handler (below)
 * @args: its synopsis after "l4lbctl OBJECT NAME", for help ("" if it
 *	takes nothing); each '\n' starts a continuation line; NULL for a
 *	second name of the entry before it ("delete" for "del"), which help
 *	leaves out
 * @summary: what it does, for help
 */
struct subcmd {
	const char *name;
	int (*run)(const struct ctl *ctl, int argc, char **argv);
	const char *args;
	const char *summary;
};

/**
 * struct object - a command word with subcommands, iproute2 style
 * @name: the word ("backend", "conn", "service")
 * @subs: its subcommands; the word alone runs the one named "show"
 * @n: their number
 */
struct object {
	const char *name;
	const struct subcmd *subs;
	size_t n;
};

/* The objects, for help; the handlers below run them. */
extern const struct object backend_object;
extern const struct object conn_object;
extern const struct object service_object;

/**
 * subcmd_find() - the subcommand of @obj called @name
 * @obj: the object
 * @name: the word
 *
 * Return: the subcommand, or NULL.
 */
const struct subcmd *subcmd_find(const struct object *obj, const char *name);

/**
 * subcmd_run() - run "OBJECT [SUBCOMMAND [ARGS]]"
 * @ctl: global options
 * @obj: the object
 * @argc: number of words after the object's name
 * @argv: those words; none runs "show"
 *
 * Return: the subcommand's exit code, or RC_USAGE after printing
 * 'unknown OBJECT command "WORD" (expected A, B or C)'.
 */
int subcmd_run(const struct ctl *ctl, const struct object *obj, int argc,
	       char **argv);

/*
 * Command handlers. @argc/@argv are the words after the command name.
 * Return: exit code, see error.h; the error, if any, is already printed.
 */

/* backend add|del|set|show ...: the handlers below, by subcommand */
int cmd_backend(const struct ctl *ctl, int argc, char **argv);
/* conn show|flush|count ...: cmd_nat, cmd_flush, cmd_count */
int cmd_conn(const struct ctl *ctl, int argc, char **argv);

/*
 * SEL below is a service selector, VIP[:PORT][/tcp|/udp] (parse_svc_sel()).
 * Without "service SEL" the kernel acts on the namespace's only service
 * (and refuses with "several services match" if there are more).
 */

/*
 * add IP:PORT [weight N] [weight-pct N] [up|down|drain] [service SEL];
 * "backend add"
 */
int cmd_add(const struct ctl *ctl, int argc, char **argv);
/* remove IP:PORT [--now] [service SEL]; "backend del" */
int cmd_remove(const struct ctl *ctl, int argc, char **argv);
/*
 * set IP:PORT [weight N] [weight-pct N] [up|down|drain] [service SEL];
 * "backend set"
 */
int cmd_set(const struct ctl *ctl, int argc, char **argv);
/* list [service SEL]: every service's backends, or SEL's; "backend show" */
int cmd_list(const struct ctl *ctl, int argc, char **argv);
/* nat; "conn show" */
int cmd_nat(const struct ctl *ctl, int argc, char **argv);
/* flush [service SEL]: every row, or SEL's rows; "conn flush" */
int cmd_flush(const struct ctl *ctl, int argc, char **argv);
/* count; "conn count" */
int cmd_count(const struct ctl *ctl, int argc, char **argv);
/*
 * stats [--prometheus [-o FILE]]: the global counters; or those, the
 * services' and the backends' as Prometheus metrics (metrics.h), on
 * stdout or written to FILE through a temporary file and a rename
 */
int cmd_stats(const struct ctl *ctl, int argc, char **argv);
/* service [show [SEL]] | service set ... | service del SEL */
int cmd_service(const struct ctl *ctl, int argc, char **argv);

/*
 * monitor [-j]: print each event of the namespace (service, backend, table
 * full, flush) as one line, or one JSON object a line, until SIGINT or
 * SIGTERM; then exit 0. Goes on across rmmod and insmod of the module,
 * saying "module-gone" and "module-new". Exit 3 if it is not loaded at
 * the start.
 */
int cmd_monitor(const struct ctl *ctl, int argc, char **argv);

/* save: print the configuration as "service set" and "backend add" lines */
int cmd_save(const struct ctl *ctl, int argc, char **argv);
/* restore [--replace] [-f] FILE: apply a saved configuration */
int cmd_restore(const struct ctl *ctl, int argc, char **argv);

/*
 * Parsing apart from sending, for "restore", which reads every line of its
 * file before it sends anything. A *_parse() reads the words after the
 * command name exactly as the command line does and prints the same
 * one-line error (RC_USAGE); a *_send() sends the request and returns the
 * kernel's answer as an exit code, error printed (see ctl_do()).
 */

/**
 * struct be_req - a backend request
 * @be: the L4LB_ATTR_BACKEND nest (ADDR and PORT always present)
 * @sel: the service selector, if given
 * @flags: L4LB_ATTR_FLAGS, L4LB_F_NOW for "remove --now"
 */
struct be_req {
	struct be_info be;
	struct svc_sel sel;
	uint32_t flags;
};

/*
 * "backend add" after "add":
 * IP:PORT [weight N] [weight-pct N] [up|down|drain] [service SEL]
 */
int backend_add_parse(int argc, char **argv, struct be_req *req);
/* BACKEND_ADD of @req */
int backend_add_send(const struct be_req *req);
/* BACKEND_SET of @req (weight, weight percentage and/or state) */
int backend_set_send(const struct be_req *req);
/* BACKEND_DEL of @req; without L4LB_F_NOW in @req->flags it drains */
int backend_del_send(const struct be_req *req);
/* "service set" after "set": the settings; "nothing to set" if none */
int service_set_parse(int argc, char **argv, struct svc_info *svc);
/* SERVICE_SET of @svc: create the service or change its settings */
int service_set_send(const struct svc_info *svc);
/* SERVICE_DEL of the service @sel names, its backends and rows at once */
int service_del_send(const struct svc_sel *sel);

/**
 * ctl_do() - send one request that only needs an ACK
 * @cmd: enum l4lb_cmd
 * @fill: appends the request's attributes, may be NULL
 * @arg: passed to @fill
 *
 * Opens the socket, sends, waits for the ACK, closes.
 *
 * Return: exit code, error printed.
 */
int ctl_do(uint8_t cmd, void (*fill)(struct nlmsghdr *nlh, const void *arg),
	   const void *arg);

/**
 * ctl_get() - send a request and pass each reply message to @cb
 * @cmd: enum l4lb_cmd
 * @dump: true for an NLM_F_DUMP request, false for a plain NLM_F_ACK one
 * @fill: appends the request's attributes, may be NULL
 * @arg: passed to @fill
 * @cb: libmnl data callback for each reply message
 * @data: passed to @cb
 *
 * Return: exit code, error printed.
 */
int ctl_get(uint8_t cmd, bool dump,
	    void (*fill)(struct nlmsghdr *nlh, const void *arg),
	    const void *arg, mnl_cb_t cb, void *data);

/**
 * ctl_fill_svc_sel() - a @fill for ctl_do() and ctl_get() that appends a
 * service selector (msg_put_svc_sel(); nothing if it is not set)
 * @nlh: the request
 * @sel: a const struct svc_sel *
 */
void ctl_fill_svc_sel(struct nlmsghdr *nlh, const void *sel);

#endif /* L4LBCTL_CMD_H */
