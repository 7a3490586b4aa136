/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fake_nl.h - the part of a fake nl.c that every command test shares.
 * Requests are built by the real lib/nl_req.c; each test defines
 * nl_open() (resolving FAKE_FAMILY_ID), nl_close() and nl_talk() itself,
 * to answer as its fake kernel does.
 */
#ifndef L4LB_TESTS_FAKE_NL_H
#define L4LB_TESTS_FAKE_NL_H

/* FAKE_FAMILY_ID, the family id the fake nl_open() resolves. */
#include "fake_msg.h"

#endif /* L4LB_TESTS_FAKE_NL_H */
