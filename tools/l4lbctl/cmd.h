/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmd.h - the commands of l4lbctl. Each one reads its own arguments first
 * (a bad command line fails with RC_USAGE before any netlink traffic),
 * then talks to the kernel, prints, and returns an exit code (enum rc).
 */
#ifndef L4LBCTL_CMD_H
#define L4LBCTL_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

/**
 * struct ctl - global options, given before the command
 * @json: -j, print JSON
 * @numeric: -n, print numbers instead of names (always the case today)
 */
struct ctl {
	bool json;
	bool numeric;
};

/*
 * Command handlers. @argc/@argv are the words after the command name.
 * Return: exit code, see error.h; the error, if any, is already printed.
 */

/*
 * SEL below is a service selector, VIP[:PORT][/tcp|/udp] (parse_svc_sel()).
 * Without "service SEL" the kernel acts on the namespace's only service
 * (and refuses with "several services match" if there are more).
 */

/* add IP:PORT [weight N] [service SEL] */
int cmd_add(const struct ctl *ctl, int argc, char **argv);
/* remove IP:PORT [--now] [service SEL] */
int cmd_remove(const struct ctl *ctl, int argc, char **argv);
/* set IP:PORT [weight N] [up|down|drain] [service SEL] */
int cmd_set(const struct ctl *ctl, int argc, char **argv);
/* list [service SEL]: every service's backends, or SEL's */
int cmd_list(const struct ctl *ctl, int argc, char **argv);
/* nat [-n] */
int cmd_nat(const struct ctl *ctl, int argc, char **argv);
/* flush [service SEL]: every row, or SEL's rows */
int cmd_flush(const struct ctl *ctl, int argc, char **argv);
/* count */
int cmd_count(const struct ctl *ctl, int argc, char **argv);
/* stats */
int cmd_stats(const struct ctl *ctl, int argc, char **argv);
/* service [show [SEL]] | service set ... | service del SEL */
int cmd_service(const struct ctl *ctl, int argc, char **argv);

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
