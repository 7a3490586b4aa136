// SPDX-License-Identifier: GPL-2.0
/*
 * subcmd.c - "l4lbctl OBJECT SUBCOMMAND ...": finding and running the
 * subcommand. See struct object in cmd.h.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "error.h"

const struct subcmd *subcmd_find(const struct object *obj, const char *name)
{
	size_t i;

	for (i = 0; i < obj->n; i++)
		if (!strcmp(name, obj->subs[i].name))
			return &obj->subs[i];
	return NULL;
}

/* "show, set or del": the subcommands help shows, into @buf. */
static const char *expected(const struct object *obj, char *buf, size_t size)
{
	size_t i, len = 0, left = 0;

	for (i = 0; i < obj->n; i++)
		left += obj->subs[i].args != NULL;
	buf[0] = '\0';
	for (i = 0; i < obj->n && len < size; i++) {
		if (!obj->subs[i].args)
			continue;
		left--;
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					obj->subs[i].name,
					left > 1 ? ", " : left ? " or " : "");
	}
	return buf;
}

int subcmd_run(const struct ctl *ctl, const struct object *obj, int argc,
	       char **argv)
{
	const char *name = argc > 0 ? argv[0] : "show";
	const struct subcmd *sub = subcmd_find(obj, name);

	if (!sub) {
		char list[128];

		return usage_error("unknown %s command \"%s\" (expected %s)",
				   obj->name, name,
				   expected(obj, list, sizeof(list)));
	}
	if (argc > 0) {
		argc--;
		argv++;
	}
	return sub->run(ctl, argc, argv);
}
