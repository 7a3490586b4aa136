// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - command-line control of the l4lb load balancer: global
 * options, command dispatch and help. The commands live in cmd_*.c.
 *
 *	l4lbctl [-j] [-n] COMMAND [ARGS]
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <uapi/l4lb.h>

#include "cmd.h"
#include "error.h"

#ifndef L4LBCTL_VERSION
#define L4LBCTL_VERSION "unknown"
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int cmd_help(const struct ctl *ctl, int argc, char **argv);

/**
 * struct command - one entry of the command table
 * @name: the command word
 * @run: its handler
 * @usage: its synopsis without "l4lbctl ", one or more lines; a line that
 *	starts with a blank continues the line before it
 * @summary: what it does, for "l4lbctl help"
 */
struct command {
	const char *name;
	int (*run)(const struct ctl *ctl, int argc, char **argv);
	const char *usage;
	const char *summary;
};

static const struct command commands[] = {
	{ "add", cmd_add, "add IP:PORT [weight N] [service SEL]",
	  "add a backend (weight 0-65535, default 1)" },
	{ "remove", cmd_remove, "remove IP:PORT [--now] [service SEL]",
	  "remove a backend; it drains, or with --now its connections are reset" },
	{ "set", cmd_set, "set IP:PORT [weight N] [up|down|drain] [service SEL]",
	  "change the weight and/or state of a backend" },
	{ "list", cmd_list, "list [service SEL]",
	  "show the backends, by service, with their connection and traffic counters" },
	{ "nat", cmd_nat, "nat [-n]",
	  "show the NAT table" },
	{ "count", cmd_count, "count",
	  "show the number of NAT table rows" },
	{ "stats", cmd_stats, "stats",
	  "show the global counters" },
	{ "service", cmd_service,
	  "service [show [SEL]]\n"
	  "service set [vip IP] [port N] [proto tcp|udp] [scheduler NAME]\n"
	  "            [snat IP|auto] [timeout tcp|tcpfin|udp|syn SECONDS]...\n"
	  "            [persistence SECONDS]\n"
	  "service del SEL",
	  "show the virtual services, create or change one (set), delete one" },
	{ "flush", cmd_flush, "flush [service SEL]",
	  "remove every NAT table row, or those of one service" },
	{ "help", cmd_help, "help [COMMAND]",
	  "show this help, or the usage of COMMAND" },
};

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

/*
 * Print @usage, one synopsis per line, each after @indent and "l4lbctl ";
 * continuation lines are indented as far instead.
 */
static void print_usage(const char *indent, const char *usage)
{
	const char *line = usage, *nl;

	for (;;) {
		nl = strchr(line, '\n');
		printf("%s%s%.*s\n", indent, line[0] == ' ' ? "        " : "l4lbctl ",
		       nl ? (int)(nl - line) : (int)strlen(line), line);
		if (!nl)
			break;
		line = nl + 1;
	}
}

static void print_help(void)
{
	size_t i;

	printf("Usage: l4lbctl [OPTIONS] COMMAND [ARGS]\n\n"
	       "Control the l4lb in-kernel L4 load balancer of this network namespace.\n\n"
	       "Commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		print_usage("  ", commands[i].usage);
		printf("        %s\n", commands[i].summary);
	}
	printf("\nSEL names a virtual service: VIP[:PORT][/tcp|/udp], e.g. 10.0.0.1:20000/udp;\n"
	       "a part left out matches anything. Without \"service SEL\" a command acts on\n"
	       "the only service.\n");
	printf("\nOptions:\n"
	       "  -j, --json      print JSON (list, nat, count, stats, service)\n"
	       "  -n, --numeric   print addresses numerically (always the case)\n"
	       "  -V, --version   print the version and exit\n"
	       "  -h, --help      print this help and exit\n\n"
	       "Exit status: 0 success, 1 request failed, 2 usage error,\n"
	       "3 l4lb module not loaded, 4 permission denied. See l4lbctl(8).\n");
}

static int cmd_help(const struct ctl *ctl, int argc, char **argv)
{
	const struct command *cmd;

	(void)ctl;
	if (argc == 0) {
		print_help();
		return RC_OK;
	}
	if (argc > 1)
		return usage_error("unknown argument \"%s\"", argv[1]);
	cmd = find_command(argv[0]);
	if (!cmd)
		return usage_error("unknown command \"%s\"", argv[0]);
	printf("Usage:\n");
	print_usage("  ", cmd->usage);
	printf("\n%s\n", cmd->summary);
	return RC_OK;
}

/* stdout may be a full disk or a closed pipe: say so, once. */
static int finish_output(int rc)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	if (rc != RC_OK)
		return rc;
	return err_report(RC_KERNEL, "write error: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	struct ctl ctl = { 0 };
	const struct command *cmd;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *opt = argv[i];

		if (!strcmp(opt, "-j") || !strcmp(opt, "--json")) {
			ctl.json = true;
		} else if (!strcmp(opt, "-n") || !strcmp(opt, "--numeric")) {
			ctl.numeric = true;
		} else if (!strcmp(opt, "-V") || !strcmp(opt, "--version")) {
			printf("l4lbctl %s (l4lb generic netlink version %d)\n",
			       L4LBCTL_VERSION, L4LB_GENL_VERSION);
			return finish_output(RC_OK);
		} else if (!strcmp(opt, "-h") || !strcmp(opt, "--help")) {
			print_help();
			return finish_output(RC_OK);
		} else if (!strcmp(opt, "--")) {
			i++;
			break;
		} else {
			return usage_error("unknown option \"%s\"", opt);
		}
	}
	if (i >= argc)
		return usage_error("missing command (try \"l4lbctl help\")");
	cmd = find_command(argv[i]);
	if (!cmd)
		return usage_error("unknown command \"%s\"", argv[i]);
	return finish_output(cmd->run(&ctl, argc - i - 1, argv + i + 1));
}
