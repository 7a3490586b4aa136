/* SPDX-License-Identifier: GPL-2.0 */
/*
 * capture.h - what the code under test prints: stdout and stderr go to
 * temporary files between capture_begin() and capture_end(), which reads
 * them back into out_text and err_text. run() runs an l4lbctl command so.
 */
#ifndef L4LB_TESTS_CAPTURE_H
#define L4LB_TESTS_CAPTURE_H

#include <stdbool.h>

struct ctl;

#define OUT_TEXT_SIZE 32768
#define ERR_TEXT_SIZE 1024

/*
 * What was printed between the last capture_begin() and capture_end(),
 * NUL-terminated; the end of a longer text is cut off.
 */
extern char out_text[OUT_TEXT_SIZE];
extern char err_text[ERR_TEXT_SIZE];

/* Flush stdout and stderr, then point fds 1 and 2 at new temporary files. */
void capture_begin(void);

/* Flush stdout and stderr, put them back, and read what they got. */
void capture_end(void);

/**
 * run() - run an l4lbctl command handler with its output captured
 * @fn: the handler, e.g. cmd_add
 * @json: the -j option
 * @args: its arguments, words separated by single spaces (at most 63)
 *
 * Return: what @fn returned; its stdout in out_text, stderr in err_text.
 */
int run(int (*fn)(const struct ctl *, int, char **), bool json,
	const char *args);

#endif /* L4LB_TESTS_CAPTURE_H */
