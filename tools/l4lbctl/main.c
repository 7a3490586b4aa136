// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - command-line control of the l4lb load balancer: global
 * options, command dispatch and help. The commands live in cmd_*.c.
 *
 *	l4lbctl [-j] OBJECT SUBCOMMAND [ARGS]	(backend add ...)
 *	l4lbctl [-j] VERB [ARGS]			(add ..., as before)
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
 * struct command - one entry of the command table, of one of three kinds
 * @name: the command word
 * @run: its handler (objects: their subcmd_run(); NULL for an alias)
 * @obj: an object ("backend"): its subcommands; an alias: the object of
 *	the subcommand it stands for
 * @alias: a verb of earlier versions ("add"): the subcommand of @obj it
 *	is another name for
 * @usage: a plain command ("stats"): its synopsis without "l4lbctl "
 * @summary: a plain command: what it does, for "l4lbctl help"
 */
struct command {
	const char *name;
	int (*run)(const struct ctl *ctl, int argc, char **argv);
	const struct object *obj;
	const char *alias;
	const char *usage;
	const char *summary;
};

static const struct command commands[] = {
	{ "backend", cmd_backend, &backend_object, NULL, NULL, NULL },
	{ "conn", cmd_conn, &conn_object, NULL, NULL, NULL },
	{ "service", cmd_service, &service_object, NULL, NULL, NULL },
	{ "stats", cmd_stats, NULL, NULL, "stats [--prometheus [-o FILE]]",
	  "show the global counters, or every counter as Prometheus metrics" },
	{ "monitor", cmd_monitor, NULL, NULL, "monitor [-j]",
	  "print changes as they happen, one line each, until interrupted" },
	{ "save", cmd_save, NULL, NULL, "save",
	  "print the configuration as l4lbctl command lines" },
	{ "restore", cmd_restore, NULL, NULL, "restore [--replace] [-f] FILE",
	  "apply a saved configuration; all of FILE is checked first" },
	{ "help", cmd_help, NULL, NULL, "help [COMMAND [SUBCOMMAND]]",
	  "show this help, or the usage of COMMAND" },
	/* The verbs of earlier versions. */
	{ "add", NULL, &backend_object, "add", NULL, NULL },
	{ "remove", NULL, &backend_object, "del", NULL, NULL },
	{ "set", NULL, &backend_object, "set", NULL, NULL },
	{ "list", NULL, &backend_object, "show", NULL, NULL },
	{ "nat", NULL, &conn_object, "show", NULL, NULL },
	{ "count", NULL, &conn_object, "count", NULL, NULL },
	{ "flush", NULL, &conn_object, "flush", NULL, NULL },
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
 * Print "  l4lbctl WORDS ARGS", where @args may hold several lines; the
 * lines after the first are indented to where ARGS starts.
 */
static void print_synopsis(const char *words, const char *args)
{
	int indent = (int)strlen("  l4lbctl ") + (int)strlen(words) + 1;
	const char *line = args, *nl;

	printf("  l4lbctl %s", words);
	if (!*args) {
		putchar('\n');
		return;
	}
	for (;;) {
		nl = strchr(line, '\n');
		printf("%*s%.*s\n", line == args ? 1 : indent, "",
		       nl ? (int)(nl - line) : (int)strlen(line), line);
		if (!nl)
			break;
		line = nl + 1;
	}
}

/* One subcommand: its synopsis, then its summary. */
static void print_subcmd(const struct object *obj, const struct subcmd *sub)
{
	char words[32];

	snprintf(words, sizeof(words), "%s %s", obj->name, sub->name);
	print_synopsis(words, sub->args);
	printf("        %s\n", sub->summary);
}

/* An alias: the synopsis of its subcommand, under its own name. */
static void print_alias(const struct command *cmd)
{
	const struct subcmd *sub = subcmd_find(cmd->obj, cmd->alias);

	print_synopsis(cmd->name, sub->args);
	printf("        same as \"%s %s\"\n", cmd->obj->name, sub->name);
}

/* The lines of @cmd in the help: one per subcommand, or its usage. */
static void print_command(const struct command *cmd)
{
	size_t i;

	if (cmd->alias) {
		print_alias(cmd);
	} else if (cmd->obj) {
		for (i = 0; i < cmd->obj->n; i++)
			if (cmd->obj->subs[i].args)
				print_subcmd(cmd->obj, &cmd->obj->subs[i]);
	} else {
		print_synopsis(cmd->usage, "");
		printf("        %s\n", cmd->summary);
	}
}

static void print_help(void)
{
	size_t i;

	printf("Usage: l4lbctl [OPTIONS] COMMAND [ARGS]\n\n"
	       "Control the l4lb in-kernel L4 load balancer of this network namespace.\n\n"
	       "Commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands) && !commands[i].alias; i++)
		print_command(&commands[i]);
	printf("\n\"backend\", \"conn\" or \"service\" alone is its \"show\".\n");
	printf("\nThe commands of earlier versions, still accepted:\n");
	for (; i < ARRAY_SIZE(commands); i++)
		print_command(&commands[i]);
	printf("\nSEL names a virtual service: VIP[:PORT][/tcp|/udp], e.g. 10.0.0.1:20000/udp;\n"
	       "a part left out matches anything. Without \"service SEL\" a command acts on\n"
	       "the only service (a backend command: the only one of the backend's family).\n"
	       "An IPv6 address is in brackets before a port: [2001:db8::2]:80,\n"
	       "[2001:db8::10]:443/tcp; alone it is plain: vip 2001:db8::10.\n");
	printf("\nOptions:\n"
	       "  -j, --json      print JSON (backend show, conn show, conn count, stats,\n"
	       "                  service show, monitor)\n"
	       "  -f, --file FILE same as \"restore FILE\"\n"
	       "  -V, --version   print the version and exit\n"
	       "  -h, --help      print this help and exit\n\n"
	       "Exit status: 0 success, 1 request failed, 2 usage error,\n"
	       "3 l4lb module not loaded, 4 permission denied. See l4lbctl(8).\n");
}

/* "help COMMAND [SUBCOMMAND]". */
static int cmd_help(const struct ctl *ctl, int argc, char **argv)
{
	const struct command *cmd;
	const struct subcmd *sub = NULL;

	(void)ctl;
	if (argc == 0) {
		print_help();
		return RC_OK;
	}
	cmd = find_command(argv[0]);
	if (!cmd)
		return usage_error("unknown command \"%s\"", argv[0]);
	if (argc > 1 && (!cmd->obj || cmd->alias))
		return usage_error("unknown argument \"%s\"", argv[1]);
	if (argc > 1) {
		sub = subcmd_find(cmd->obj, argv[1]);
		if (!sub)
			return usage_error("unknown %s command \"%s\"",
					   cmd->obj->name, argv[1]);
	}
	if (argc > 2)
		return usage_error("unknown argument \"%s\"", argv[2]);
	printf("Usage:\n");
	if (sub && !sub->args)	/* "delete": the entry before names it */
		sub--;
	if (sub) {
		print_subcmd(cmd->obj, sub);
	} else {
		print_command(cmd);
		if (cmd->alias)
			printf("\n%s\n", subcmd_find(cmd->obj, cmd->alias)->summary);
	}
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
	int (*run)(const struct ctl *ctl, int argc, char **argv);
	struct ctl ctl = { 0 };
	const struct command *cmd;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *opt = argv[i];

		if (!strcmp(opt, "-j") || !strcmp(opt, "--json")) {
			ctl.json = true;
		} else if (!strcmp(opt, "-V") || !strcmp(opt, "--version")) {
			printf("l4lbctl %s (l4lb generic netlink version %d)\n",
			       L4LBCTL_VERSION, L4LB_GENL_VERSION);
			return finish_output(RC_OK);
		} else if (!strcmp(opt, "-h") || !strcmp(opt, "--help")) {
			print_help();
			return finish_output(RC_OK);
		} else if (!strcmp(opt, "-f") || !strcmp(opt, "--file")) {
			/* Batch mode, as nft -f: "restore FILE". */
			if (i + 1 >= argc)
				return usage_error("missing value after \"%s\"", opt);
			if (i + 2 < argc)
				return usage_error("unknown argument \"%s\"",
						   argv[i + 2]);
			return finish_output(cmd_restore(&ctl, 1, argv + i + 1));
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
	run = cmd->run;
	if (cmd->alias)
		run = subcmd_find(cmd->obj, cmd->alias)->run;
	return finish_output(run(&ctl, argc - i - 1, argv + i + 1));
}
