// SPDX-License-Identifier: GPL-2.0
/*
 * args.c - walking the arguments of one command. See args.h.
 */
#include <stddef.h>

#include "args.h"
#include "error.h"

void args_init(struct args *a, int argc, char **argv)
{
	a->argc = argc;
	a->argv = argv;
	a->i = 0;
}

const char *args_next(struct args *a)
{
	if (a->i >= a->argc)
		return NULL;
	return a->argv[a->i++];
}

int args_value(struct args *a, const char *keyword, const char **val)
{
	*val = args_next(a);
	if (!*val)
		return usage_error("missing value after \"%s\"", keyword);
	return RC_OK;
}

int args_ipport(struct args *a, struct ipport *ep)
{
	const char *w = args_next(a);

	if (!w)
		return usage_error("missing IP:PORT");
	if (parse_ipport(w, ep) < 0)
		return usage_error("invalid address \"%s\"", w);
	return RC_OK;
}

int args_once(uint32_t *present, uint32_t bit, const char *keyword)
{
	if (*present & bit)
		return usage_error("\"%s\" given twice", keyword);
	*present |= bit;
	return RC_OK;
}

int args_unknown(const char *word)
{
	return usage_error("unknown argument \"%s\"", word);
}

int args_end(struct args *a)
{
	const char *w = args_next(a);

	if (w)
		return args_unknown(w);
	return RC_OK;
}
