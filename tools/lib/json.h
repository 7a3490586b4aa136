/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json.h - a tiny streaming JSON writer: objects, arrays, strings and
 * unsigned numbers, written compactly (no whitespace) to a FILE *.
 *
 * The writer inserts the commas; the caller only says what comes next:
 *
 *	json_begin_object(&j);
 *	json_kv_string(&j, "backend", "10.0.0.2:80");
 *	json_kv_uint(&j, "weight", 1);
 *	json_end_object(&j);		-> {"backend":"10.0.0.2:80","weight":1}
 *
 * Misuse (nesting deeper than JSON_MAX_DEPTH, an end without a begin) is
 * not written and is remembered in json_failed().
 */
#ifndef L4LBCTL_JSON_H
#define L4LBCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 8

/**
 * struct json - writer state; initialise with json_init()
 * @f: where the text goes
 * @depth: number of open objects/arrays
 * @has_item: per depth, whether a member was written (a comma is due)
 * @after_key: a key was written, its value comes next (no comma)
 * @failed: the writer was misused
 */
struct json {
	FILE *f;
	unsigned int depth;
	bool has_item[JSON_MAX_DEPTH + 1];
	bool after_key;
	bool failed;
};

/**
 * json_init() - start a writer on @f
 * @j: writer
 * @f: output stream
 */
void json_init(struct json *j, FILE *f);

/** json_begin_object() - write "{" */
void json_begin_object(struct json *j);
/** json_end_object() - write "}" */
void json_end_object(struct json *j);
/** json_begin_array() - write "[" */
void json_begin_array(struct json *j);
/** json_end_array() - write "]" */
void json_end_array(struct json *j);

/**
 * json_key() - write an object member name; the next call writes its value
 * @j: writer
 * @key: member name, escaped like a string value
 */
void json_key(struct json *j, const char *key);

/**
 * json_string() - write a string value, quoted and escaped
 * @j: writer
 * @s: NUL-terminated bytes. '"' and '\' are backslash-escaped, \b \f \n
 *     \r \t use their short escapes, other bytes below 0x20 become \u00XX.
 *     Bytes from 0x20 up (including UTF-8 sequences) are copied as they are.
 */
void json_string(struct json *j, const char *s);

/**
 * json_uint() - write an unsigned integer value in decimal
 * @j: writer
 * @v: the value
 */
void json_uint(struct json *j, uint64_t v);

/**
 * json_next_document() - start another top-level value with no comma
 *	before it, for JSON Lines (one document a line, jsonlines.org)
 * @j: writer, at depth 0
 */
void json_next_document(struct json *j);

/** json_kv_string() - json_key() then json_string() */
void json_kv_string(struct json *j, const char *key, const char *s);
/** json_kv_uint() - json_key() then json_uint() */
void json_kv_uint(struct json *j, const char *key, uint64_t v);

/**
 * json_failed() - whether the writer was misused
 * @j: writer
 *
 * Return: true after an unbalanced end or too deep nesting.
 */
bool json_failed(const struct json *j);

#endif /* L4LBCTL_JSON_H */
