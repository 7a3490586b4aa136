// SPDX-License-Identifier: GPL-2.0
/*
 * test_json.c - json.c: escaping, commas, nesting, misuse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "json.h"

/* A writer on a memstream; done() closes it and returns the text. */
struct sink {
	struct json j;
	FILE *f;
	char *buf;
	size_t len;
};

static void sink_open(struct sink *s)
{
	s->buf = NULL;
	s->len = 0;
	s->f = open_memstream(&s->buf, &s->len);
	assert_non_null(s->f);
	json_init(&s->j, s->f);
}

/* Close @s, compare its text with @expected, free it. */
static void sink_expect(struct sink *s, const char *expected)
{
	assert_int_equal(fclose(s->f), 0);
	assert_string_equal(s->buf, expected);
	free(s->buf);
}

static void string_escapes_quote_and_backslash(void **state)
{
	struct sink s;

	(void)state;
	sink_open(&s);
	json_string(&s.j, "say \"hi\" \\o/");
	sink_expect(&s, "\"say \\\"hi\\\" \\\\o/\"");
}

static void string_escapes_control_characters(void **state)
{
	struct sink s;

	(void)state;
	sink_open(&s);
	json_string(&s.j, "a\bb\fc\nd\re\tf\001g\037h\177i");
	sink_expect(&s, "\"a\\bb\\fc\\nd\\re\\tf\\u0001g\\u001fh\177i\"");
}

static void string_keeps_utf8_and_slash(void **state)
{
	struct sink s;

	(void)state;
	sink_open(&s);
	json_string(&s.j, "caf\xc3\xa9 a/b");
	sink_expect(&s, "\"caf\xc3\xa9 a/b\"");
}

static void empty_string_array_and_object(void **state)
{
	struct sink s;

	(void)state;
	sink_open(&s);
	json_begin_array(&s.j);
	json_string(&s.j, "");
	json_begin_array(&s.j);
	json_end_array(&s.j);
	json_begin_object(&s.j);
	json_end_object(&s.j);
	json_end_array(&s.j);
	assert_false(json_failed(&s.j));
	sink_expect(&s, "[\"\",[],{}]");
}

static void object_members_are_comma_separated(void **state)
{
	struct sink s;

	(void)state;
	sink_open(&s);
	json_begin_object(&s.j);
	json_kv_string(&s.j, "a", "x");
	json_kv_uint(&s.j, "b", 0);
	json_kv_uint(&s.j, "c", UINT64_MAX);
	json_key(&s.j, "d");
	json_begin_array(&s.j);
	json_uint(&s.j, 1);
	json_uint(&s.j, 2);
	json_end_array(&s.j);
	json_key(&s.j, "e\"");
	json_begin_object(&s.j);
	json_end_object(&s.j);
	json_end_object(&s.j);
	assert_false(json_failed(&s.j));
	sink_expect(&s, "{\"a\":\"x\",\"b\":0,\"c\":18446744073709551615,"
			"\"d\":[1,2],\"e\\\"\":{}}");
}

static void array_of_objects(void **state)
{
	struct sink s;

	(void)state;
	sink_open(&s);
	json_begin_array(&s.j);
	json_begin_object(&s.j);
	json_kv_uint(&s.j, "n", 1);
	json_end_object(&s.j);
	json_begin_object(&s.j);
	json_kv_uint(&s.j, "n", 2);
	json_end_object(&s.j);
	json_end_array(&s.j);
	sink_expect(&s, "[{\"n\":1},{\"n\":2}]");
}

static void unbalanced_end_is_refused(void **state)
{
	struct sink s;

	(void)state;
	sink_open(&s);
	json_end_object(&s.j);
	assert_true(json_failed(&s.j));
	sink_expect(&s, "");
}

static void too_deep_nesting_is_refused(void **state)
{
	struct sink s;
	int i;

	(void)state;
	sink_open(&s);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_begin_array(&s.j);
	assert_false(json_failed(&s.j));
	json_begin_array(&s.j);
	assert_true(json_failed(&s.j));
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_end_array(&s.j);
	sink_expect(&s, "[[[[[[[[]]]]]]]]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(string_escapes_quote_and_backslash),
		cmocka_unit_test(string_escapes_control_characters),
		cmocka_unit_test(string_keeps_utf8_and_slash),
		cmocka_unit_test(empty_string_array_and_object),
		cmocka_unit_test(object_members_are_comma_separated),
		cmocka_unit_test(array_of_objects),
		cmocka_unit_test(unbalanced_end_is_refused),
		cmocka_unit_test(too_deep_nesting_is_refused),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
