// SPDX-License-Identifier: GPL-2.0
/*
 * vu-io: exact block I/O for the vhost-user-bad cases. Every read and
 * write is O_DIRECT from a page-aligned buffer, so each becomes device
 * requests (busybox dd falls back to the page cache when its buffer is
 * not aligned), and errors are reported with their errno name.
 *
 *   vu-io read  DEV OFFSET LEN [FILE]   read LEN bytes (into FILE)
 *   vu-io write DEV OFFSET LEN FILE     write the first LEN bytes of FILE
 *   vu-io zero  DEV OFFSET LEN          BLKZEROOUT (WRITE_ZEROES requests)
 *   vu-io flush DEV                     fsync (a FLUSH request)
 *
 * -b BYTES before the command splits a read or write into system calls of
 * BYTES each. Exit status 0, or 1 after "vu-io: CMD: ERRNO-NAME (text)".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const char *errname(int err)
{
	switch (err) {
	case EIO:	return "EIO";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EINVAL:	return "EINVAL";
	case ENOSPC:	return "ENOSPC";
	case ENODEV:	return "ENODEV";
	case ENXIO:	return "ENXIO";
	case ETIMEDOUT:	return "ETIMEDOUT";
	case EAGAIN:	return "EAGAIN";
	case ENOLINK:	return "ENOLINK";
	case EREMOTEIO:	return "EREMOTEIO";
	case EBADE:	return "EBADE";
	case EILSEQ:	return "EILSEQ";
	case ENODATA:	return "ENODATA";
	case EPROTO:	return "EPROTO";
	case EROFS:	return "EROFS";
	case EPERM:	return "EPERM";
	default:	return "E?";
	}
}

static int die(const char *what)
{
	int err = errno;

	printf("vu-io: %s: %s (%s)\n", what, errname(err), strerror(err));
	return 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: vu-io [-b BYTES] read|write|zero|flush DEV [OFFSET LEN [FILE]]\n");
	return 2;
}

int main(int argc, char **argv)
{
	uint64_t off = 0, len = 0, chunk = 0, done;
	const char *cmd, *dev;
	int fd, ffd = -1;
	void *buf;

	if (argc > 2 && !strcmp(argv[1], "-b")) {
		chunk = strtoull(argv[2], NULL, 0);
		argv += 2;
		argc -= 2;
	}
	if (argc < 3)
		return usage();
	cmd = argv[1];
	dev = argv[2];
	if (strcmp(cmd, "flush")) {
		if (argc < 5)
			return usage();
		off = strtoull(argv[3], NULL, 0);
		len = strtoull(argv[4], NULL, 0);
	}
	if (!chunk || chunk > len)
		chunk = len;

	if (!strcmp(cmd, "flush")) {
		fd = open(dev, O_RDWR);
		if (fd < 0)
			return die("open");
		return fsync(fd) ? die("fsync") : 0;
	}
	if (!strcmp(cmd, "zero")) {
		uint64_t range[2] = { off, len };

		fd = open(dev, O_RDWR);
		if (fd < 0)
			return die("open");
		return ioctl(fd, BLKZEROOUT, range) ? die("BLKZEROOUT") : 0;
	}
	if (strcmp(cmd, "read") && strcmp(cmd, "write"))
		return usage();

	if (posix_memalign(&buf, 4096, chunk ? chunk : 4096))
		return die("memory");
	memset(buf, 0, chunk);
	fd = open(dev, (cmd[0] == 'r' ? O_RDONLY : O_WRONLY) | O_DIRECT);
	if (fd < 0)
		return die("open");
	if (argc > 5) {
		ffd = cmd[0] == 'r' ? open(argv[5], O_WRONLY | O_CREAT | O_TRUNC, 0644) :
				      open(argv[5], O_RDONLY);
		if (ffd < 0)
			return die(argv[5]);
	} else if (cmd[0] == 'w') {
		return usage();
	}

	for (done = 0; done < len; done += chunk) {
		ssize_t n;

		if (cmd[0] == 'w') {
			n = read(ffd, buf, chunk);
			if (n != (ssize_t)chunk) {
				errno = n < 0 ? errno : ENODATA;
				return die("input file too short");
			}
			n = pwrite(fd, buf, chunk, off + done);
			if (n < 0)
				return die("write");
		} else {
			n = pread(fd, buf, chunk, off + done);
			if (n < 0)
				return die("read");
			if (ffd >= 0 && write(ffd, buf, n) != n)
				return die(argv[5]);
		}
		if (n != (ssize_t)chunk) {
			printf("vu-io: %s: %zd of %llu bytes at %llu\n", cmd, n,
			       (unsigned long long)chunk,
			       (unsigned long long)(off + done));
			return 1;
		}
	}
	return 0;
}
