// SPDX-License-Identifier: GPL-2.0
/*
 * prom.c - the Prometheus text exposition format. See prom.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "prom.h"

static const char *const type_names[] = {
	[PROM_GAUGE]	= "gauge",
	[PROM_COUNTER]	= "counter",
};

void prom_init(struct prom *p, FILE *f)
{
	p->f = f;
	p->name = NULL;
	p->help = NULL;
	p->type = PROM_GAUGE;
	p->started = false;
}

void prom_family(struct prom *p, const char *name, enum prom_type type,
		 const char *help)
{
	p->name = name;
	p->type = type;
	p->help = help;
	p->started = false;
}

/*
 * @s with the format's escapes: backslash and line feed always, the
 * double quote in label values (@quote) only.
 */
static void put_escaped(FILE *f, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '"' && quote)
			fputs("\\\"", f);
		else
			fputc(*s, f);
	}
}

void prom_sample(struct prom *p, const struct prom_label *labels, size_t n,
		 const char *value)
{
	size_t i;

	if (!p->started) {
		fprintf(p->f, "# HELP %s ", p->name);
		put_escaped(p->f, p->help, false);
		fprintf(p->f, "\n# TYPE %s %s\n", p->name, type_names[p->type]);
		p->started = true;
	}
	fputs(p->name, p->f);
	for (i = 0; i < n; i++) {
		fprintf(p->f, "%c%s=\"", i ? ',' : '{', labels[i].name);
		put_escaped(p->f, labels[i].value, true);
		fputc('"', p->f);
	}
	if (n)
		fputc('}', p->f);
	fprintf(p->f, " %s\n", value);
}

void prom_sample_u64(struct prom *p, const struct prom_label *labels,
		     size_t n, uint64_t value)
{
	char buf[PROM_VALUE_LEN];

	snprintf(buf, sizeof(buf), "%" PRIu64, value);
	prom_sample(p, labels, n, buf);
}

/* @v / 10^@digits as the shortest exact decimal. */
static char *fmt_scaled(char *buf, uint64_t v, unsigned int digits)
{
	uint64_t scale = 1;
	unsigned int i, frac;
	char *end;

	for (i = 0; i < digits; i++)
		scale *= 10;
	frac = (unsigned int)(v % scale);
	if (!frac) {
		snprintf(buf, PROM_VALUE_LEN, "%" PRIu64, v / scale);
		return buf;
	}
	snprintf(buf, PROM_VALUE_LEN, "%" PRIu64 ".%0*u", v / scale,
		 (int)digits, frac);
	end = buf + strlen(buf);
	while (end[-1] == '0')
		*--end = '\0';
	return buf;
}

char *prom_fmt_centi(char *buf, uint64_t centi)
{
	return fmt_scaled(buf, centi, 2);
}

char *prom_fmt_nano(char *buf, uint64_t nanos)
{
	return fmt_scaled(buf, nanos, 9);
}
