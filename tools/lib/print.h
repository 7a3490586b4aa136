/* SPDX-License-Identifier: GPL-2.0 */
/*
 * print.h - one description of an object's fields drives both ways of
 * printing it, as iproute2's print_*(PRINT_ANY, key, fmt, value) does:
 * text (an aligned table column, or a "name value" line) and JSON (an
 * object member).
 *
 * A field table says, for each field, its text name and column width, its
 * JSON key, what it is (number, address, word...) and where it is in the
 * object (FIELD_*() below), so the header, the row and the JSON object
 * cannot disagree:
 *
 *	static const struct field fields[] = {
 *		{ "BACKEND", -21, "backend", FIELD_IPPORT(struct be_info, ep) },
 *		{ "WEIGHT",    6, "weight",  FIELD_U32(struct be_info, weight) },
 *	};
 *	print_row(&p, fields, 2, &be);
 *		-> "10.0.0.2:80                1\n"
 *		or {"backend":"10.0.0.2:80","weight":1}
 */
#ifndef L4LBCTL_PRINT_H
#define L4LBCTL_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "parse.h"

/**
 * struct printer - where and how to print
 * @f: the stream
 * @json: JSON instead of text
 * @j: the JSON writer on @f
 */
struct printer {
	FILE *f;
	bool json;
	struct json j;
};

/**
 * printer_init() - start printing to @f
 * @p: printer
 * @f: destination
 * @json: JSON instead of text
 */
void printer_init(struct printer *p, FILE *f, bool json);

/*
 * Room a FIELD_WORD() function may use in its @buf, including the NUL; and
 * the text of any field (an IPv6 endpoint takes 54).
 */
#define FIELD_BUF_LEN 64

/* What a field holds, and how it is printed. */
enum field_kind {
	FK_U32,		/* uint32_t: a number */
	FK_U64,		/* uint64_t: a number */
	FK_PORT,	/* uint16_t, network byte order: a number */
	FK_ADDR,	/* struct ipaddr: "a.b.c.d" or "2001:db8::1" */
	FK_IPPORT,	/* struct ipport: "a.b.c.d:port", "[2001:db8::1]:port" */
	FK_STR,		/* char array, NUL-terminated */
	FK_WORD,	/* the string @word returns */
	FK_VALUE,	/* what @value prints: lists, long text; records only */
};

/**
 * struct field - one field of an object, for every way of printing it
 * @name: the text column header (table) or the text name (record); NULL
 *	for a field only JSON shows
 * @width: table column width as in printf "%*s": > 0 right-aligned, < 0
 *	left-aligned; 0 for a field the text table leaves out
 * @key: the JSON member name
 * @kind: what it is
 * @off: where it is in the object (FIELD_*() check its type)
 * @word: FK_WORD: returns the text for @obj; may write it into @buf
 *	(FIELD_BUF_LEN bytes) and return @buf
 * @value: FK_VALUE: prints the value of @obj itself: text on @p->f after
 *	the name and a blank, without a newline; or one JSON value with
 *	@p->j (a string, a number, an array...). Only in records
 *	(print_record()) and as JSON members of rows (width 0)
 * @attr: records only: printed only if ATTR_BIT(@attr) is in the object's
 *	present mask; 0 (UNSPEC) means always
 *
 * A record leaves a field without @name out of its text: JSON only.
 */
struct field {
	const char *name;
	int width;
	const char *key;
	enum field_kind kind;
	size_t off;
	const char *(*word)(const void *obj, char *buf);
	void (*value)(struct printer *p, const void *obj);
	uint16_t attr;
};

/* Offset of @member in @type, which must be of C type @ctype. */
#define FIELD_OFF(type, member, ctype)					\
	(offsetof(type, member) + 0 * sizeof(char[			\
		__builtin_types_compatible_p(				\
			__typeof__(((type *)0)->member), ctype) ? 1 : -1]))

/* The rest of a struct field initializer, after name, width and key. */
#define FIELD_U32(type, member) \
	.kind = FK_U32, .off = FIELD_OFF(type, member, uint32_t)
#define FIELD_U64(type, member) \
	.kind = FK_U64, .off = FIELD_OFF(type, member, uint64_t)
#define FIELD_PORT(type, member) \
	.kind = FK_PORT, .off = FIELD_OFF(type, member, uint16_t)
#define FIELD_ADDR(type, member) \
	.kind = FK_ADDR, .off = FIELD_OFF(type, member, struct ipaddr)
#define FIELD_IPPORT(type, member) \
	.kind = FK_IPPORT, .off = FIELD_OFF(type, member, struct ipport)
#define FIELD_STR(type, member) \
	.kind = FK_STR, .off = FIELD_OFF(type, member[0], char)
#define FIELD_WORD(fn) \
	.kind = FK_WORD, .word = (fn)
#define FIELD_VALUE(fn) \
	.kind = FK_VALUE, .value = (fn)

/**
 * print_header() - text: the header line of a table (each field with a
 * width, its name); JSON: nothing
 * @p: printer
 * @fields: the table's fields
 * @n: their number
 */
void print_header(struct printer *p, const struct field *fields, size_t n);

/**
 * print_row() - one table row: text, the fields with a width on one line,
 * one blank apart; JSON, an object with every field
 * @p: printer
 * @fields: the table's fields
 * @n: their number
 * @obj: the object @fields describe
 */
void print_row(struct printer *p, const struct field *fields, size_t n,
	       const void *obj);

/**
 * print_record() - one object as "name value" lines (text) or a JSON
 * object, with the fields @present has
 * @p: printer
 * @fields: the object's fields
 * @n: their number
 * @obj: the object @fields describe
 * @present: ATTR_BIT()s of the attributes @obj carries (see field.attr)
 */
void print_record(struct printer *p, const struct field *fields, size_t n,
		  const void *obj, uint32_t present);

/**
 * print_inline() - the fields @present has, within a line or an object
 * the caller started: text, " name value" for each (no newline; fields
 * without a name are left out); JSON, members of the open object
 * @p: printer
 * @fields: the object's fields
 * @n: their number
 * @obj: the object @fields describe
 * @present: ATTR_BIT()s of the attributes @obj carries (see field.attr)
 */
void print_inline(struct printer *p, const struct field *fields, size_t n,
		  const void *obj, uint32_t present);

#endif /* L4LBCTL_PRINT_H */
