// SPDX-License-Identifier: GPL-2.0
/*
 * getgeo: what HDIO_GETGEO answers for a block device (disk or partition).
 *
 *   getgeo DEV
 *
 * Prints "heads=H sectors=S cylinders=C start=N" on one line. The
 * structure is poisoned before the call, so a field the kernel leaves
 * unwritten shows up as 165 / 42405 rather than as a plausible 0. Exit
 * status 0; 1 when DEV cannot be opened or the ioctl fails (the errno
 * name on stderr, e.g. "getgeo: HDIO_GETGEO: ENXIO (No such device or
 * address)"); 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/hdreg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int fail(const char *what)
{
	int e = errno;
	const char *name = strerrorname_np(e);

	fprintf(stderr, "getgeo: %s: %s (%s)\n", what, name ? name : "?",
		strerror(e));
	return 1;
}

int main(int argc, char **argv)
{
	struct hd_geometry geo;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: getgeo DEV\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(argv[1]);
	memset(&geo, 0xa5, sizeof(geo));
	if (ioctl(fd, HDIO_GETGEO, &geo)) {
		fail("HDIO_GETGEO");
		close(fd);
		return 1;
	}
	printf("heads=%u sectors=%u cylinders=%u start=%lu\n",
	       (unsigned int)geo.heads, (unsigned int)geo.sectors,
	       (unsigned int)geo.cylinders, geo.start);
	close(fd);
	return 0;
}
