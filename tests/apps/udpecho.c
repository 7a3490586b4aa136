// SPDX-License-Identifier: GPL-2.0
/*
 * udpecho PORT PREFIX - a UDP echo server that is always listening.
 *
 * Answers every datagram with "PREFIX " and the datagram, on one socket
 * bound once (socat's UDP-LISTEN,fork leaves short windows without a bound
 * socket, in which datagrams get port-unreachable). Runs until killed.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	char in[1500], out[1600];
	int fd, n, len;

	if (argc != 3) {
		fprintf(stderr, "usage: udpecho PORT PREFIX\n");
		return 2;
	}
	sin.sin_port = htons((unsigned short)atoi(argv[1]));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("udpecho");
		return 1;
	}
	printf("listen %s\n", argv[1]);
	fflush(stdout);
	for (;;) {
		struct sockaddr_in peer;
		socklen_t plen = sizeof(peer);

		n = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&peer,
			     &plen);
		if (n < 0)
			continue;
		len = snprintf(out, sizeof(out), "%s %.*s", argv[2], n, in);
		if (len > (int)sizeof(out))
			len = sizeof(out);
		sendto(fd, out, len, 0, (struct sockaddr *)&peer, plen);
	}
}
