// SPDX-License-Identifier: GPL-2.0
/*
 * print.c - text and JSON from one field table. See print.h.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "fmt.h"
#include "print.h"

void printer_init(struct printer *p, FILE *f, bool json)
{
	p->f = f;
	p->json = json;
	json_init(&p->j, f);
}

static bool is_number(const struct field *fd)
{
	return fd->kind == FK_U32 || fd->kind == FK_U64 || fd->kind == FK_PORT;
}

/* The value of a number field @fd of @obj, host byte order. */
static uint64_t number(const struct field *fd, const void *obj)
{
	const char *at = (const char *)obj + fd->off;
	uint64_t u64 = 0;
	uint32_t u32;
	uint16_t u16;

	switch (fd->kind) {
	case FK_U32:
		memcpy(&u32, at, sizeof(u32));
		return u32;
	case FK_U64:
		memcpy(&u64, at, sizeof(u64));
		return u64;
	case FK_PORT:
		memcpy(&u16, at, sizeof(u16));
		return ntohs(u16);
	default:
		return 0;
	}
}

/* The text of field @fd of @obj; @buf has FIELD_BUF_LEN bytes. */
static const char *text(const struct field *fd, const void *obj, char *buf)
{
	const char *at = (const char *)obj + fd->off;
	struct ipaddr addr;
	struct ipport ep;

	_Static_assert(FIELD_BUF_LEN >= IPPORT_STRLEN, "FIELD_BUF_LEN");
	switch (fd->kind) {
	case FK_ADDR:
		memcpy(&addr, at, sizeof(addr));
		return fmt_ipaddr(buf, &addr);
	case FK_IPPORT:
		memcpy(&ep, at, sizeof(ep));
		return fmt_ipport(buf, &ep);
	case FK_STR:
		return at;
	case FK_WORD:
		return fd->word(obj, buf);
	case FK_VALUE:
		return "";	/* never in a table column */
	default:
		snprintf(buf, FIELD_BUF_LEN, "%" PRIu64, number(fd, obj));
		return buf;
	}
}

/* JSON: the member of field @fd of @obj. */
static void member(struct printer *p, const struct field *fd, const void *obj)
{
	if (fd->kind == FK_VALUE) {
		json_key(&p->j, fd->key);
		fd->value(p, obj);
	} else if (is_number(fd)) {
		json_kv_uint(&p->j, fd->key, number(fd, obj));
	} else {
		char buf[FIELD_BUF_LEN];

		json_kv_string(&p->j, fd->key, text(fd, obj, buf));
	}
}

/* Text: the table line of @obj, or the header if @obj is NULL. */
static void line(struct printer *p, const struct field *fields, size_t n,
		 const void *obj)
{
	const char *sep = "";
	size_t i;

	for (i = 0; i < n; i++) {
		char buf[FIELD_BUF_LEN];

		if (!fields[i].width)
			continue;
		fprintf(p->f, "%s%*s", sep, fields[i].width,
			obj ? text(&fields[i], obj, buf) : fields[i].name);
		sep = " ";
	}
	fputc('\n', p->f);
}

void print_header(struct printer *p, const struct field *fields, size_t n)
{
	if (!p->json)
		line(p, fields, n, NULL);
}

void print_row(struct printer *p, const struct field *fields, size_t n,
	       const void *obj)
{
	size_t i;

	if (!p->json) {
		line(p, fields, n, obj);
		return;
	}
	json_begin_object(&p->j);
	for (i = 0; i < n; i++)
		member(p, &fields[i], obj);
	json_end_object(&p->j);
}

/*
 * The members of @obj that @present has, as JSON members, or as text
 * "<@pre>name value<@post>" each.
 */
static void fields_out(struct printer *p, const struct field *fields,
		       size_t n, const void *obj, uint32_t present,
		       const char *pre, const char *post)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct field *fd = &fields[i];

		if (fd->attr && !(present & (1u << fd->attr)))
			continue;
		if (p->json) {
			member(p, fd, obj);
		} else if (!fd->name) {
			continue;	/* JSON only */
		} else if (fd->kind == FK_VALUE) {
			fprintf(p->f, "%s%s ", pre, fd->name);
			fd->value(p, obj);
			fputs(post, p->f);
		} else {
			char buf[FIELD_BUF_LEN];

			fprintf(p->f, "%s%s %s%s", pre, fd->name,
				text(fd, obj, buf), post);
		}
	}
}

void print_record(struct printer *p, const struct field *fields, size_t n,
		  const void *obj, uint32_t present)
{
	if (p->json)
		json_begin_object(&p->j);
	fields_out(p, fields, n, obj, present, "", "\n");
	if (p->json)
		json_end_object(&p->j);
}

void print_inline(struct printer *p, const struct field *fields, size_t n,
		  const void *obj, uint32_t present)
{
	fields_out(p, fields, n, obj, present, " ", "");
}
