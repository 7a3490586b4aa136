// SPDX-License-Identifier: GPL-2.0
/*
 * reread FILE GO - read FILE twice on one descriptor.
 *
 * Reads FILE to its end in 4 KiB read()s, as cat does, and prints
 * "first N" (N lines). Then waits, up to 60 s, until the file GO exists,
 * seeks FILE back to offset 0 with lseek() and reads it to its end again,
 * printing "second N". For seq_file iterators that must start over after
 * a seek. Exit status 0, 1 on an I/O error or time-out, 2 on usage.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static long count_lines(int fd)
{
	char buf[4096];
	long lines = 0;
	ssize_t n, i;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			lines += buf[i] == '\n';
	return n < 0 ? -1 : lines;
}

int main(int argc, char **argv)
{
	long lines;
	int fd, i;

	if (argc != 3) {
		fprintf(stderr, "usage: reread FILE GO\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror("reread: open");
		return 1;
	}
	lines = count_lines(fd);
	if (lines < 0) {
		perror("reread: read");
		return 1;
	}
	printf("first %ld\n", lines);
	fflush(stdout);
	for (i = 0; access(argv[2], F_OK); i++) {
		if (i == 600) {
			fprintf(stderr, "reread: %s never appeared\n", argv[2]);
			return 1;
		}
		usleep(100000);
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		perror("reread: lseek");
		return 1;
	}
	lines = count_lines(fd);
	if (lines < 0) {
		perror("reread: read");
		return 1;
	}
	printf("second %ld\n", lines);
	return 0;
}
