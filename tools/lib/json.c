// SPDX-License-Identifier: GPL-2.0
/*
 * json.c - tiny streaming JSON writer. See json.h.
 */
#include <inttypes.h>
#include <string.h>

#include "json.h"

void json_init(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

/* Called before every value and every key: writes the comma if one is due. */
static void separate(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->has_item[j->depth])
		fputc(',', j->f);
	j->has_item[j->depth] = true;
}

static void begin(struct json *j, char c)
{
	if (j->depth >= JSON_MAX_DEPTH) {
		j->failed = true;
		return;
	}
	separate(j);
	fputc(c, j->f);
	j->depth++;
	j->has_item[j->depth] = false;
}

static void end(struct json *j, char c)
{
	if (j->depth == 0 || j->after_key) {
		j->failed = true;
		return;
	}
	j->depth--;
	fputc(c, j->f);
}

void json_begin_object(struct json *j)
{
	begin(j, '{');
}

void json_end_object(struct json *j)
{
	end(j, '}');
}

void json_begin_array(struct json *j)
{
	begin(j, '[');
}

void json_end_array(struct json *j)
{
	end(j, ']');
}

static void write_escaped(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void json_key(struct json *j, const char *key)
{
	separate(j);
	write_escaped(j->f, key);
	fputc(':', j->f);
	j->after_key = true;
}

void json_string(struct json *j, const char *s)
{
	separate(j);
	write_escaped(j->f, s);
}

void json_uint(struct json *j, uint64_t v)
{
	separate(j);
	fprintf(j->f, "%" PRIu64, v);
}

void json_next_document(struct json *j)
{
	if (j->depth)
		j->failed = true;
	else
		j->has_item[0] = false;
}

void json_kv_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

void json_kv_uint(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_uint(j, v);
}

bool json_failed(const struct json *j)
{
	return j->failed;
}
