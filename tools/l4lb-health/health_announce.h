/* SPDX-License-Identifier: GPL-2.0 */
/*
 * health_announce.h - the --announce interface: read its IFF_UP flag and
 * set it, over rtnetlink (libmnl). A routing daemon (BIRD's "direct"
 * protocol) announces the VIP on that interface while it is up.
 *
 * The interface is looked up by name on every call (if_nametoindex()), so
 * an interface that was deleted and created again is found again. Errors
 * are not printed: the message goes into a buffer for the caller to log.
 */
#ifndef L4LB_HEALTH_ANNOUNCE_H
#define L4LB_HEALTH_ANNOUNCE_H

#include <stdbool.h>

/* Room for an error message, including the NUL. */
#define HEALTH_LINK_ERR_MAX 160

/**
 * health_link_get() - is an interface up (IFF_UP)?
 * @name: the interface, in this network namespace
 * @up: set to its IFF_UP flag
 * @err: HEALTH_LINK_ERR_MAX bytes, e.g. "no such interface"
 *
 * Uses SIOCGIFFLAGS.
 *
 * Return: 0, -ENODEV if there is no such interface, or another -errno.
 */
int health_link_get(const char *name, bool *up, char *err);

/**
 * health_link_set() - set or clear an interface's IFF_UP flag
 * @name: the interface
 * @up: the flag wanted
 * @err: HEALTH_LINK_ERR_MAX bytes for the message
 *
 * Sends RTM_NEWLINK with ifi_change = IFF_UP to the interface's current
 * index and waits for the kernel's ack. Needs CAP_NET_ADMIN.
 *
 * Return: 0, -ENODEV if there is no such interface, or another -errno.
 */
int health_link_set(const char *name, bool up, char *err);

#endif /* L4LB_HEALTH_ANNOUNCE_H */
