// SPDX-License-Identifier: GPL-2.0
/*
 * conf.c - reading a saved configuration file. See conf.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uapi/l4lb.h>

#include "conf.h"
#include "error.h"
#include "fmt.h"

/* Where the error messages point: set while a line is read or sent. */
static const char *err_name;
static unsigned int err_line;

static void located_sink(const char *msg)
{
	fprintf(stderr, "l4lbctl: %s:%u: %s\n", err_name, err_line, msg);
}

void conf_err_at(const char *name, unsigned int line)
{
	err_name = name;
	err_line = line;
	err_set_sink(name ? located_sink : NULL);
}

static bool same_key(const struct svc_sel *a, const struct svc_sel *b)
{
	return ipaddr_eq(&a->vip, &b->vip) && a->port == b->port &&
	       a->proto == b->proto;
}

const struct conf_svc *conf_find_svc(const struct conf *conf,
				     const struct svc_sel *key)
{
	size_t i;

	for (i = 0; i < conf->nsvcs; i++) {
		const struct svc_info *s = &conf->svcs[i].svc;
		struct svc_sel k = { .vip = s->vip, .port = s->port,
				     .proto = s->proto };

		if (same_key(&k, key))
			return &conf->svcs[i];
	}
	return NULL;
}

const struct conf_be *conf_find_be(const struct conf *conf,
				   const struct svc_sel *key,
				   const struct ipport *ep)
{
	size_t i;

	for (i = 0; i < conf->nbes; i++) {
		const struct be_req *r = &conf->bes[i].req;

		if (same_key(&r->sel, key) && ipport_eq(&r->be.ep, ep))
			return &conf->bes[i];
	}
	return NULL;
}

/* Grow @*arr of @n elements of @size by one; the new one is zeroed. */
static void *grow(void **arr, size_t n, size_t size)
{
	char *p = realloc(*arr, (n + 1) * size);

	if (!p)
		return NULL;
	*arr = p;
	memset(p + n * size, 0, size);
	return p + n * size;
}

/* "service set ..." after "set". */
static int read_service(struct conf *conf, int argc, char **argv,
			unsigned int line)
{
	const uint32_t key = ATTR_BIT(L4LB_SVC_ATTR_VIP) |
			     ATTR_BIT(L4LB_SVC_ATTR_PORT) |
			     ATTR_BIT(L4LB_SVC_ATTR_PROTO);
	const struct conf_svc *dup;
	struct conf_svc *cs;
	struct svc_info svc;
	struct svc_sel k;
	int rc;

	rc = service_set_parse(argc, argv, &svc);
	if (rc)
		return rc;
	if ((svc.present & key) != key)
		return usage_error("service set: missing vip, port or proto");
	k = (struct svc_sel){ .set = true, .has_port = true, .has_proto = true,
			      .vip = svc.vip, .port = svc.port,
			      .proto = svc.proto };
	dup = conf_find_svc(conf, &k);
	if (dup) {
		char buf[SVC_STRLEN];

		return usage_error("service %s defined twice (first on line %u)",
				   fmt_svc(buf, &k), dup->line);
	}
	cs = grow((void **)&conf->svcs, conf->nsvcs, sizeof(*cs));
	if (!cs)
		return usage_error("out of memory");
	cs->svc = svc;
	cs->line = line;
	conf->nsvcs++;
	return RC_OK;
}

/* "backend add ..." after "add". */
static int read_backend(struct conf *conf, int argc, char **argv,
			unsigned int line)
{
	char ep[IPPORT_STRLEN], key[SVC_STRLEN];
	const struct conf_be *dup;
	struct conf_be *cb;
	struct be_req req;
	int rc;

	rc = backend_add_parse(argc, argv, &req);
	if (rc)
		return rc;
	fmt_ipport(ep, &req.be.ep);
	if (!req.sel.set || !req.sel.has_port || !req.sel.has_proto)
		return usage_error("backend %s: missing \"service VIP:PORT/PROTO\"",
				   ep);
	fmt_svc(key, &req.sel);
	if (!conf_find_svc(conf, &req.sel))
		return usage_error("service %s is not defined above", key);
	dup = conf_find_be(conf, &req.sel, &req.be.ep);
	if (dup)
		return usage_error("backend %s of %s defined twice (first on line %u)",
				   ep, key, dup->line);
	cb = grow((void **)&conf->bes, conf->nbes, sizeof(*cb));
	if (!cb)
		return usage_error("out of memory");
	cb->req = req;
	cb->line = line;
	conf->nbes++;
	return RC_OK;
}

/* One line's words: which command, then its own parser. */
static int read_words(struct conf *conf, int argc, char **argv,
		      unsigned int line)
{
	const char *sub = argc > 1 ? argv[1] : "";

	if (!strcmp(argv[0], "add"))
		return read_backend(conf, argc - 1, argv + 1, line);
	if (!strcmp(argv[0], "backend") && !strcmp(sub, "add"))
		return read_backend(conf, argc - 2, argv + 2, line);
	if (!strcmp(argv[0], "service") && !strcmp(sub, "set"))
		return read_service(conf, argc - 2, argv + 2, line);
	if (!strcmp(argv[0], "backend") || !strcmp(argv[0], "service"))
		return usage_error("\"%s%s%s\" is not a configuration line (expected \"service set\" or \"backend add\")",
				   argv[0], *sub ? " " : "", sub);
	return usage_error("unknown command \"%s\" (expected \"service set\" or \"backend add\")",
			   argv[0]);
}

/* Split @s in place at blanks, up to a '#' word; return the word count. */
static int split(char *s, char **argv)
{
	int argc = 0;
	char *w;

	for (w = strtok(s, " \t\r\n"); w; w = strtok(NULL, " \t\r\n")) {
		if (w[0] == '#')
			break;
		if (argc == CONF_WORDS_MAX)
			return -1;
		argv[argc++] = w;
	}
	return argc;
}

int conf_read(FILE *f, const char *name, struct conf *conf)
{
	char buf[CONF_LINE_MAX + 2], *argv[CONF_WORDS_MAX];
	unsigned int line = 0;
	int rc = RC_OK;

	memset(conf, 0, sizeof(*conf));
	conf->name = name;
	while (rc == RC_OK && fgets(buf, sizeof(buf), f)) {
		size_t len = strlen(buf);
		int argc;

		conf_err_at(name, ++line);
		if (len == sizeof(buf) - 1 && buf[len - 1] != '\n') {
			rc = usage_error("line too long (more than %d characters)",
					 CONF_LINE_MAX);
			break;
		}
		argc = split(buf, argv);
		if (argc < 0)
			rc = usage_error("too many words (more than %d)",
					 CONF_WORDS_MAX);
		else if (argc > 0)
			rc = read_words(conf, argc, argv, line);
	}
	if (rc == RC_OK && ferror(f)) {
		conf_err_at(NULL, 0);
		rc = usage_error("%s: %s", name, strerror(errno));
	}
	conf_err_at(NULL, 0);
	return rc;
}

void conf_free(struct conf *conf)
{
	free(conf->svcs);
	free(conf->bes);
	conf->svcs = NULL;
	conf->bes = NULL;
	conf->nsvcs = 0;
	conf->nbes = 0;
}
