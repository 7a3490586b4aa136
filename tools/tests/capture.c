// SPDX-License-Identifier: GPL-2.0
/*
 * capture.c - stdout and stderr of the code under test into strings. See
 * capture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "cmd.h"

char out_text[OUT_TEXT_SIZE];
char err_text[ERR_TEXT_SIZE];

/* The temporary files, and the descriptors they stand in for. */
static FILE *out_tmp, *err_tmp;
static int saved_out = -1, saved_err = -1;

/* Point @fd at a fresh temporary file; return the saved original. */
static int redirect(int fd, FILE **tmp)
{
	int saved;

	*tmp = tmpfile();
	assert_non_null(*tmp);
	saved = dup(fd);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(*tmp), fd) >= 0);
	return saved;
}

/* Put @fd back and read what was written to it into @text. */
static void restore(int fd, int saved, FILE *tmp, char *text, size_t size)
{
	size_t n;

	dup2(saved, fd);
	close(saved);
	rewind(tmp);
	n = fread(text, 1, size - 1, tmp);
	text[n] = '\0';
	fclose(tmp);
}

void capture_begin(void)
{
	fflush(stdout);
	fflush(stderr);
	saved_out = redirect(STDOUT_FILENO, &out_tmp);
	saved_err = redirect(STDERR_FILENO, &err_tmp);
}

void capture_end(void)
{
	fflush(stdout);
	fflush(stderr);
	restore(STDERR_FILENO, saved_err, err_tmp, err_text, sizeof(err_text));
	restore(STDOUT_FILENO, saved_out, out_tmp, out_text, sizeof(out_text));
	saved_out = saved_err = -1;
}

int run(int (*fn)(const struct ctl *, int, char **), bool json,
	const char *args)
{
	struct ctl ctl = { .json = json };
	char buf[512], *argv[64], *tok;
	int argc = 0, rc;

	snprintf(buf, sizeof(buf), "%s", args);
	for (tok = strtok(buf, " "); tok; tok = strtok(NULL, " ")) {
		assert_true(argc < 63);
		argv[argc++] = tok;
	}
	argv[argc] = NULL;

	capture_begin();
	rc = fn(&ctl, argc, argv);
	capture_end();
	return rc;
}
