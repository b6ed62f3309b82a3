// SPDX-License-Identifier: GPL-2.0
/*
 * stallio: what a program sees when the host's storage stalls under one of
 * its O_DIRECT requests, and whether the device writes anything late.
 *
 *   stallio write DEV OFF SEED_A SEED_B
 *	Write 4 KiB of pattern SEED_A at OFF (the request the host holds).
 *	As soon as the write returns, reuse its buffer (fill it with 'X')
 *	and write pattern SEED_B to the same place from another buffer, as
 *	any program may once a write has returned. Once the host's hold has
 *	ended, OFF must read back SEED_B (vngio verify DEV OFF 4k SEED_B):
 *	a device that still performed the held request after the driver
 *	reported it done would leave SEED_A or 'X' there.
 *   stallio read DEV OFF SEED WAIT
 *	Read 4 KiB at OFF (the held request) into a locked buffer, check it
 *	holds pattern SEED, fill the buffer with 'Z' and watch it for WAIT
 *	seconds: a device writing the held read late into memory that the
 *	program reused changes it.
 *
 * The pattern is vngio's, so vngio write/verify interoperate. Prints how
 * long the held request took. Exit status 0 on success, 1 on failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define BLK	4096

static uint64_t pattern(uint64_t seed, uint64_t off)
{
	uint64_t x = (seed + 1) * 0x9e3779b97f4a7c15ULL ^ off;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

static void fill(uint64_t *buf, uint64_t seed, uint64_t off)
{
	size_t i;

	for (i = 0; i < BLK / 8; i++)
		buf[i] = pattern(seed, off + i * 8);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One page, resident and locked: the device sees the same frame throughout. */
static void *page(void)
{
	void *p = mmap(NULL, BLK, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED || mlock(p, BLK)) {
		perror("stallio: page");
		exit(1);
	}
	return p;
}

static int xpwrite(int fd, const void *buf, off_t off, const char *what)
{
	ssize_t n = pwrite(fd, buf, BLK, off);

	if (n != BLK) {
		fprintf(stderr, "stallio: %s: %s\n", what,
			n < 0 ? strerror(errno) : "short write");
		return 1;
	}
	return 0;
}

static int do_write(int fd, off_t off, uint64_t seed_a, uint64_t seed_b)
{
	uint64_t *held = page(), *next = page();
	double t0 = now();

	fill(held, seed_a, off);
	if (xpwrite(fd, held, off, "held write"))
		return 1;
	printf("held write returned after %.1f s\n", now() - t0);
	/* The write returned: the buffer is the program's again. */
	memset(held, 'X', BLK);
	fill(next, seed_b, off);
	if (xpwrite(fd, next, off, "second write"))
		return 1;
	printf("second write returned\n");
	return 0;
}

static int do_read(int fd, off_t off, uint64_t seed, unsigned int wait)
{
	unsigned char *buf = page();
	double t0 = now();
	ssize_t n;
	size_t i;

	memset(buf, 0x11, BLK);
	n = pread(fd, buf, BLK, off);
	if (n != BLK) {
		fprintf(stderr, "stallio: held read: %s\n",
			n < 0 ? strerror(errno) : "short read");
		return 1;
	}
	printf("held read returned after %.1f s\n", now() - t0);
	for (i = 0; i < BLK / 8; i++)
		if (((uint64_t *)buf)[i] != pattern(seed, off + i * 8)) {
			fprintf(stderr, "stallio: held read: wrong data at byte %zu\n",
				i * 8);
			return 1;
		}
	/* The read returned: reuse the buffer, then watch it. */
	memset(buf, 'Z', BLK);
	for (t0 = now(); now() - t0 < wait; usleep(100000))
		for (i = 0; i < BLK; i++)
			if (buf[i] != 'Z') {
				fprintf(stderr,
					"stallio: the device wrote into the reused buffer %.1f s after the read returned (byte %zu = %#x)\n",
					now() - t0, i, buf[i]);
				return 1;
			}
	printf("buffer untouched for %u s after the read\n", wait);
	return 0;
}

int main(int argc, char **argv)
{
	int fd;
	off_t off;

	if (argc != 6 || (strcmp(argv[1], "write") && strcmp(argv[1], "read"))) {
		fprintf(stderr, "usage: stallio write DEV OFF SEED_A SEED_B\n"
				"       stallio read DEV OFF SEED WAIT\n");
		return 2;
	}
	fd = open(argv[2], O_RDWR | O_DIRECT);
	if (fd < 0) {
		perror(argv[2]);
		return 1;
	}
	off = strtoull(argv[3], NULL, 0);
	if (!strcmp(argv[1], "write"))
		return do_write(fd, off, strtoull(argv[4], NULL, 0),
				strtoull(argv[5], NULL, 0));
	return do_read(fd, off, strtoull(argv[4], NULL, 0), atoi(argv[5]));
}
