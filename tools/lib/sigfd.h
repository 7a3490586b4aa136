/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sigfd.h - SIGTERM and SIGINT as a file descriptor, for the daemons'
 * poll() loops.
 */
#ifndef L4LB_SIGFD_H
#define L4LB_SIGFD_H

/**
 * sigfd_open() - block SIGTERM and SIGINT and return a signalfd for them
 * @flags: signalfd(2) flags besides SFD_CLOEXEC, e.g. SFD_NONBLOCK
 *
 * Context: call before starting threads; it changes the calling thread's
 * signal mask.
 * Return: the descriptor, or -1 with errno set.
 */
int sigfd_open(int flags);

#endif /* L4LB_SIGFD_H */
