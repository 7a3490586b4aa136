// SPDX-License-Identifier: GPL-2.0
/*
 * sigfd.c - SIGTERM and SIGINT as a file descriptor. See sigfd.h.
 */
#include <signal.h>
#include <stddef.h>
#include <sys/signalfd.h>

#include "sigfd.h"

int sigfd_open(int flags)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | flags);
}
