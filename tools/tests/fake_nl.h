/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fake_nl.h - the part of a fake nl.c that every command test shares:
 * nl_msg() builds requests as nl.c does, for a family of id
 * FAKE_FAMILY_ID. Each test defines nl_open(), nl_close() and nl_talk()
 * itself, to answer as its fake kernel does.
 */
#ifndef L4LB_TESTS_FAKE_NL_H
#define L4LB_TESTS_FAKE_NL_H

/* The generic netlink family id the fake nl_open() resolves. */
#define FAKE_FAMILY_ID 0x2a

#endif /* L4LB_TESTS_FAKE_NL_H */
