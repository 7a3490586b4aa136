/* SPDX-License-Identifier: GPL-2.0 */
/*
 * args.h - walking the arguments of one command. Each helper that fails
 * prints the one-line usage error itself and returns RC_USAGE, so a
 * command reads as a list of "rc = args_...; if (rc) return rc;".
 */
#ifndef L4LBCTL_ARGS_H
#define L4LBCTL_ARGS_H

#include <stdint.h>

#include "parse.h"

/**
 * struct args - the words after the command name
 * @argc: number of words
 * @argv: the words
 * @i: index of the next word to read
 */
struct args {
	int argc;
	char **argv;
	int i;
};

/**
 * args_init() - start reading @argv
 * @a: cursor
 * @argc: number of words
 * @argv: the words
 */
void args_init(struct args *a, int argc, char **argv);

/**
 * args_next() - take the next word
 * @a: cursor
 *
 * Return: the word, or NULL if there are no more.
 */
const char *args_next(struct args *a);

/**
 * args_value() - take the value that must follow @keyword
 * @a: cursor, just past @keyword
 * @keyword: the keyword, for the error message
 * @val: the value
 *
 * Return: RC_OK, or RC_USAGE after printing 'missing value after "KEYWORD"'.
 */
int args_value(struct args *a, const char *keyword, const char **val);

/**
 * args_ipport() - take the mandatory IP:PORT word
 * @a: cursor
 * @ep: the endpoint, network byte order; an IPv6 address is written in
 *	brackets, "[2001:db8::2]:80"
 *
 * Return: RC_OK, or RC_USAGE after printing "missing IP:PORT" or
 * 'invalid address "WORD"', with "(expected [IPv6]:PORT)" after an IPv6
 * address without brackets or port, or "(a zone index is not
 * supported)" after one with a zone index ("fe80::1%eth0").
 */
int args_ipport(struct args *a, struct ipport *ep);

/**
 * args_bad_addr() - report an address parse_ipaddr() refused
 * @w: the word
 * @err: parse_ipaddr()'s error
 *
 * Return: RC_USAGE, after printing 'invalid address "WORD"', with
 * "(a zone index is not supported)" for -EADDRNOTAVAIL.
 */
int args_bad_addr(const char *w, int err);

/**
 * args_same_family() - refuse addresses of two families in one request
 * @what_a: the first address, as the message names it ("snat")
 * @af_a: its family; 0 if not given
 * @what_b: the other ("vip 2001:db8::1")
 * @af_b: its family; 0 if not given
 *
 * l4lb does no NAT64: a service's VIP, backends and SNAT pool are of one
 * family. The kernel refuses a mix too; this says so before asking.
 *
 * Return: RC_OK if either is not given or both are of one family, else
 * RC_USAGE after printing 'WHAT_A is IPv4 but WHAT_B is IPv6 (l4lb does
 * no NAT64)' (or the other way round).
 */
int args_same_family(const char *what_a, uint16_t af_a, const char *what_b,
		     uint16_t af_b);

/*
 * What a service selector looks like, for the error messages. An IPv6 VIP
 * is in brackets before a port: [2001:db8::10]:443/tcp.
 */
#define SVC_SEL_SYNTAX "VIP[:PORT][/tcp|/udp]"

/**
 * args_svc_sel() - take the SEL of "service SEL"
 * @a: cursor, just past the word "service"
 * @sel: the selector; refused if @sel->set already (given twice)
 *
 * Return: RC_OK, or RC_USAGE after printing '"service" given twice',
 * 'missing value after "service"' or
 * 'invalid service "WORD" (expected VIP[:PORT][/tcp|/udp])'.
 */
int args_svc_sel(struct args *a, struct svc_sel *sel);

/**
 * args_svc_sel_word() - parse @w as a mandatory service selector
 * @w: the word, or NULL if there was none
 * @sel: the selector
 *
 * Return: RC_OK, or RC_USAGE after printing
 * 'missing service (VIP[:PORT][/tcp|/udp])',
 * 'invalid service "WORD" (expected VIP[:PORT][/tcp|/udp])' or
 * 'invalid service "WORD" (a zone index is not supported)'.
 */
int args_svc_sel_word(const char *w, struct svc_sel *sel);

/**
 * args_only_svc_sel() - read what is left: nothing, or "service SEL"
 * @a: cursor
 * @sel: the selector, if given
 *
 * Return: RC_OK, or RC_USAGE after printing the error of args_svc_sel(),
 * or 'unknown argument "WORD"' for any other word.
 */
int args_only_svc_sel(struct args *a, struct svc_sel *sel);

/**
 * args_once() - refuse a keyword given twice
 * @present: bitmask of what was given so far, updated
 * @bit: the bit of this keyword
 * @keyword: the keyword, for the error message
 *
 * Return: RC_OK, or RC_USAGE after printing '"KEYWORD" given twice'.
 */
int args_once(uint32_t *present, uint32_t bit, const char *keyword);

/**
 * args_unknown() - report an argument the command does not take
 * @word: the argument
 *
 * Return: RC_USAGE, after printing 'unknown argument "WORD"'.
 */
int args_unknown(const char *word);

/**
 * args_end() - check that every word was used
 * @a: cursor
 *
 * Return: RC_OK, or RC_USAGE after printing 'unknown argument "WORD"'
 * for the first word left.
 */
int args_end(struct args *a);

/**
 * args_none() - check that a command that takes no words got none
 * @argc: number of words
 * @argv: the words
 *
 * Return: RC_OK, or RC_USAGE as args_end().
 */
int args_none(int argc, char **argv);

#endif /* L4LBCTL_ARGS_H */
