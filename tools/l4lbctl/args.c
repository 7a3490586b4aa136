// SPDX-License-Identifier: GPL-2.0
/*
 * args.c - walking the arguments of one command. See args.h.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

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

int args_bad_addr(const char *w, int err)
{
	if (err == -EADDRNOTAVAIL)
		return usage_error("invalid address \"%s\" (a zone index is not supported)",
				   w);
	return usage_error("invalid address \"%s\"", w);
}

int args_ipport(struct args *a, struct ipport *ep)
{
	const char *w = args_next(a);
	struct ipaddr addr;
	int err;

	if (!w)
		return usage_error("missing IP:PORT");
	err = parse_ipport(w, ep);
	if (err == -EINVAL && parse_ipaddr(w, &addr) == 0 &&
	    addr.af == AF_INET6)
		return usage_error("invalid address \"%s\" (expected [IPv6]:PORT)",
				   w);
	if (err < 0)
		return args_bad_addr(w, err);
	return RC_OK;
}

static const char *af_name(uint16_t af)
{
	return af == AF_INET6 ? "IPv6" : "IPv4";
}

int args_same_family(const char *what_a, uint16_t af_a, const char *what_b,
		     uint16_t af_b)
{
	if (!af_a || !af_b || af_a == af_b)
		return RC_OK;
	return usage_error("%s is %s but %s is %s (l4lb does no NAT64)",
			   what_a, af_name(af_a), what_b, af_name(af_b));
}

int args_svc_sel_word(const char *w, struct svc_sel *sel)
{
	int err;

	if (!w)
		return usage_error("missing service (" SVC_SEL_SYNTAX ")");
	err = parse_svc_sel(w, sel);
	if (err == -EADDRNOTAVAIL)
		return usage_error("invalid service \"%s\" (a zone index is not supported)",
				   w);
	if (err < 0)
		return usage_error("invalid service \"%s\" (expected " SVC_SEL_SYNTAX ")",
				   w);
	return RC_OK;
}

int args_svc_sel(struct args *a, struct svc_sel *sel)
{
	const char *w;
	int rc;

	if (sel->set)
		return usage_error("\"service\" given twice");
	rc = args_value(a, "service", &w);
	if (rc)
		return rc;
	return args_svc_sel_word(w, sel);
}

int args_only_svc_sel(struct args *a, struct svc_sel *sel)
{
	const char *w;

	while ((w = args_next(a))) {
		int rc;

		if (strcmp(w, "service"))
			return args_unknown(w);
		rc = args_svc_sel(a, sel);
		if (rc)
			return rc;
	}
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

int args_none(int argc, char **argv)
{
	struct args a;

	args_init(&a, argc, argv);
	return args_end(&a);
}
