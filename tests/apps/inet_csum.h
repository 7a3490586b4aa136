/* SPDX-License-Identifier: GPL-2.0 */
/*
 * inet_csum.h - the Internet checksum (RFC 1071) for the test apps that
 * forge packets (rstinject, icmpinject).
 */
#ifndef INET_CSUM_H
#define INET_CSUM_H

#include <arpa/inet.h>
#include <stddef.h>

/*
 * The one's complement of the one's complement sum of @len bytes at @buf,
 * plus @sum (a partial sum, host order, e.g. of a pseudo-header; 0 if
 * none). Returned in network byte order, ready to store in a header.
 */
static inline unsigned short inet_csum(const void *buf, size_t len,
				       unsigned long sum)
{
	const unsigned char *p = buf;

	while (len > 1) {
		sum += (p[0] << 8) | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

#endif /* INET_CSUM_H */
