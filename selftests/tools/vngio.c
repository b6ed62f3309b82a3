// SPDX-License-Identifier: GPL-2.0
// vng-ldflags: -luring
/*
 * vngio: block I/O checks for the guest cases.
 *
 *   vngio write  DEV OFF LEN SEED   O_DIRECT pattern write (pwritev, mixed
 *                                   iovec sizes so requests have several
 *                                   segments)
 *   vngio verify DEV OFF LEN SEED   O_DIRECT read, compare with the pattern
 *   vngio zero   DEV OFF LEN        O_DIRECT read, every byte must be 0
 *   vngio discard|zeroout|secdiscard DEV OFF LEN    the block ioctls
 *   vngio punch  DEV OFF LEN        fallocate(PUNCH_HOLE): write zeroes
 *                                   that may unmap
 *   vngio flush  DEV                write one block through the page cache
 *                                   and fsync (a cache flush)
 *   vngio uring  DEV OFF LEN SEED [poll] [QD]
 *                                   io_uring O_DIRECT writes then reads of
 *                                   4 KiB, verified; "poll" sets
 *                                   IORING_SETUP_IOPOLL (needs poll queues)
 *   vngio expect ERRNO CMD ARGS...  CMD must fail with ERRNO (a name such
 *                                   as EOPNOTSUPP, or a number)
 *
 * OFF and LEN are bytes (suffixes k, m), multiples of 512. The pattern of
 * each 8-byte word depends on SEED and the word's device offset only, so
 * any part of a written range can be verified on its own.
 * Exit status: 0 on success, 1 on failure (message on stderr).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define CHUNK	(256 * 1024)
#define ALIGN	4096

/* Set by "expect": the errno a failing operation returned. */
static int last_errno;

static int fail(const char *what)
{
	last_errno = errno;
	fprintf(stderr, "vngio: %s: %s (errno %d)\n", what, strerror(errno),
		errno);
	return 1;
}

static int mismatch(const char *what, uint64_t off, uint64_t got,
		    uint64_t want)
{
	last_errno = 0;
	fprintf(stderr, "vngio: %s: mismatch at byte %llu: %#llx, want %#llx\n",
		what, (unsigned long long)off, (unsigned long long)got,
		(unsigned long long)want);
	return 1;
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	if (*end == 'k' || *end == 'K')
		v <<= 10;
	else if (*end == 'm' || *end == 'M')
		v <<= 20;
	else if (*end == 'g' || *end == 'G')
		v <<= 30;
	return v;
}

static uint64_t pattern(uint64_t seed, uint64_t off)
{
	uint64_t x = (seed + 1) * 0x9e3779b97f4a7c15ULL ^ off;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

static void fill(uint64_t *buf, size_t len, uint64_t seed, uint64_t off)
{
	size_t i;

	for (i = 0; i < len / 8; i++)
		buf[i] = pattern(seed, off + i * 8);
}

static int check(const char *what, const uint64_t *buf, size_t len,
		 uint64_t seed, uint64_t off)
{
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (buf[i] != pattern(seed, off + i * 8))
			return mismatch(what, off + i * 8, buf[i],
					pattern(seed, off + i * 8));
	return 0;
}

static void *xalloc(size_t len)
{
	void *p;

	if (posix_memalign(&p, ALIGN, len)) {
		perror("vngio: posix_memalign");
		exit(1);
	}
	return p;
}

static int open_dev(const char *dev, int flags)
{
	int fd = open(dev, flags);

	if (fd < 0)
		fail(dev);
	return fd;
}

/* Split a chunk into iovecs of 512, 1536, 2048, 4096 bytes, then the rest. */
static int make_iov(char *buf, size_t len, struct iovec *iov)
{
	static const size_t sizes[] = { 512, 1536, 2048, 4096 };
	size_t done = 0;
	int n = 0;

	while (done < len) {
		size_t sz = n < 4 ? sizes[n] : len - done;

		if (sz > len - done)
			sz = len - done;
		iov[n].iov_base = buf + done;
		iov[n].iov_len = sz;
		done += sz;
		n++;
	}
	return n;
}

static int do_write(const char *dev, uint64_t off, uint64_t len,
		    uint64_t seed)
{
	char *buf = xalloc(CHUNK);
	struct iovec iov[8];
	int fd, n, rc = 0;

	fd = open_dev(dev, O_WRONLY | O_DIRECT);
	if (fd < 0)
		return 1;
	while (len && !rc) {
		size_t sz = len < CHUNK ? len : CHUNK;
		ssize_t r;

		fill((uint64_t *)buf, sz, seed, off);
		n = make_iov(buf, sz, iov);
		r = pwritev(fd, iov, n, off);
		if (r != (ssize_t)sz)
			rc = r < 0 ? fail("pwritev") : mismatch("short write", off, r, sz);
		off += sz;
		len -= sz;
	}
	close(fd);
	free(buf);
	return rc;
}

static int do_read(const char *dev, uint64_t off, uint64_t len,
		   uint64_t seed, int zero)
{
	char *buf = xalloc(CHUNK);
	struct iovec iov[8];
	int fd, n, rc = 0;
	size_t i;

	fd = open_dev(dev, O_RDONLY | O_DIRECT);
	if (fd < 0)
		return 1;
	while (len && !rc) {
		size_t sz = len < CHUNK ? len : CHUNK;
		ssize_t r;

		memset(buf, 0xa5, sz);
		n = make_iov(buf, sz, iov);
		r = preadv(fd, iov, n, off);
		if (r != (ssize_t)sz) {
			rc = r < 0 ? fail("preadv") : mismatch("short read", off, r, sz);
			break;
		}
		if (!zero) {
			rc = check("verify", (uint64_t *)buf, sz, seed, off);
		} else {
			for (i = 0; i < sz / 8 && !rc; i++)
				if (((uint64_t *)buf)[i])
					rc = mismatch("zero", off + i * 8,
						      ((uint64_t *)buf)[i], 0);
		}
		off += sz;
		len -= sz;
	}
	close(fd);
	free(buf);
	return rc;
}

static int do_ioctl(const char *dev, const char *op, uint64_t off,
		    uint64_t len)
{
	uint64_t range[2] = { off, len };
	unsigned long req;
	int fd, rc = 0;

	if (!strcmp(op, "discard"))
		req = BLKDISCARD;
	else if (!strcmp(op, "zeroout"))
		req = BLKZEROOUT;
	else
		req = BLKSECDISCARD;
	fd = open_dev(dev, O_WRONLY);
	if (fd < 0)
		return 1;
	if (ioctl(fd, req, range))
		rc = fail(op);
	close(fd);
	return rc;
}

static int do_punch(const char *dev, uint64_t off, uint64_t len)
{
	int fd, rc = 0;

	fd = open_dev(dev, O_WRONLY);
	if (fd < 0)
		return 1;
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len))
		rc = fail("fallocate(PUNCH_HOLE)");
	close(fd);
	return rc;
}

static int do_flush(const char *dev)
{
	char buf[4096];
	int fd, rc = 0;

	fd = open_dev(dev, O_RDWR);
	if (fd < 0)
		return 1;
	if (pread(fd, buf, sizeof(buf), 0) != sizeof(buf))
		rc = fail("pread");
	else if (pwrite(fd, buf, sizeof(buf), 0) != sizeof(buf))
		rc = fail("pwrite");
	else if (fsync(fd))
		rc = fail("fsync");
	close(fd);
	return rc;
}

/*
 * io_uring: keep up to @qd 4 KiB requests in flight over [off, off+len).
 * Completions come in any order, so buffer slots are handed out from a
 * free list; the slot travels in the low bits of the (4 KiB aligned)
 * offset used as user data.
 */
static int uring_pass(struct io_uring *ring, int fd, char *bufs, int qd,
		      uint64_t off, uint64_t len, uint64_t seed, int write)
{
	uint64_t next = off, end = off + len;
	int free_slots[256], nfree = 0, inflight = 0, rc = 0, i;

	for (i = qd - 1; i >= 0; i--)
		free_slots[nfree++] = i;
	for (;;) {
		struct io_uring_cqe *cqe;
		struct io_uring_sqe *sqe;
		char *buf;
		int slot;

		while (nfree && next < end && !rc) {
			slot = free_slots[--nfree];
			buf = bufs + (size_t)slot * 4096;
			sqe = io_uring_get_sqe(ring);
			if (write) {
				fill((uint64_t *)buf, 4096, seed, next);
				io_uring_prep_write(sqe, fd, buf, 4096, next);
			} else {
				memset(buf, 0xa5, 4096);
				io_uring_prep_read(sqe, fd, buf, 4096, next);
			}
			io_uring_sqe_set_data64(sqe, next | slot);
			next += 4096;
			inflight++;
		}
		if (!inflight)
			break;
		i = io_uring_submit_and_wait(ring, 1);
		if (i < 0) {
			errno = -i;
			return fail("io_uring_submit_and_wait");
		}
		while (io_uring_peek_cqe(ring, &cqe) == 0) {
			uint64_t data = io_uring_cqe_get_data64(cqe);
			uint64_t at = data & ~4095ULL;

			slot = data & 4095;
			if (cqe->res != 4096 && !rc) {
				errno = cqe->res < 0 ? -cqe->res : EIO;
				rc = fail(write ? "io_uring write" : "io_uring read");
			} else if (!write && !rc) {
				rc = check("io_uring verify",
					   (uint64_t *)(bufs + (size_t)slot * 4096),
					   4096, seed, at);
			}
			io_uring_cqe_seen(ring, cqe);
			free_slots[nfree++] = slot;
			inflight--;
		}
	}
	return rc;
}

static int do_uring(const char *dev, uint64_t off, uint64_t len,
		    uint64_t seed, int poll, int qd)
{
	struct io_uring ring;
	char *bufs;
	int fd, rc;

	if (qd < 1 || qd > 256)
		qd = 16;
	fd = open_dev(dev, O_RDWR | O_DIRECT);
	if (fd < 0)
		return 1;
	rc = io_uring_queue_init(qd, &ring, poll ? IORING_SETUP_IOPOLL : 0);
	if (rc < 0) {
		errno = -rc;
		close(fd);
		return fail("io_uring_queue_init");
	}
	bufs = xalloc((size_t)qd * 4096);
	rc = uring_pass(&ring, fd, bufs, qd, off, len, seed, 1);
	if (!rc)
		rc = uring_pass(&ring, fd, bufs, qd, off, len, seed, 0);
	io_uring_queue_exit(&ring);
	close(fd);
	free(bufs);
	return rc;
}

static int errno_of(const char *s)
{
	static const struct { const char *name; int e; } names[] = {
		{ "EOPNOTSUPP", EOPNOTSUPP }, { "EIO", EIO },
		{ "EPERM", EPERM }, { "EACCES", EACCES }, { "EROFS", EROFS },
		{ "EINVAL", EINVAL }, { "ENOSPC", ENOSPC },
		{ "ENODEV", ENODEV }, { "ENXIO", ENXIO },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name))
			return names[i].e;
	return atoi(s);
}

static int usage(void)
{
	fprintf(stderr, "usage: vngio write|verify|zero|discard|zeroout|secdiscard|punch|flush|uring|expect ...\n");
	return 2;
}

static int run(int argc, char **argv)
{
	const char *cmd = argv[1];
	uint64_t off, len, seed = 0;

	if (argc < 3)
		return usage();
	if (!strcmp(cmd, "flush"))
		return do_flush(argv[2]);
	if (argc < 5)
		return usage();
	off = parse_size(argv[3]);
	len = parse_size(argv[4]);
	if (argc > 5)
		seed = strtoull(argv[5], NULL, 0);

	if (!strcmp(cmd, "write"))
		return do_write(argv[2], off, len, seed);
	if (!strcmp(cmd, "verify"))
		return do_read(argv[2], off, len, seed, 0);
	if (!strcmp(cmd, "zero"))
		return do_read(argv[2], off, len, 0, 1);
	if (!strcmp(cmd, "discard") || !strcmp(cmd, "zeroout") ||
	    !strcmp(cmd, "secdiscard"))
		return do_ioctl(argv[2], cmd, off, len);
	if (!strcmp(cmd, "punch"))
		return do_punch(argv[2], off, len);
	if (!strcmp(cmd, "uring"))
		return do_uring(argv[2], off, len, seed,
				argc > 6 && !strcmp(argv[6], "poll"),
				argc > 7 ? atoi(argv[7]) : 16);
	return usage();
}

int main(int argc, char **argv)
{
	int want, rc;

	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "expect"))
		return run(argc, argv);

	if (argc < 4)
		return usage();
	want = errno_of(argv[2]);
	rc = run(argc - 2, argv + 2);
	if (rc == 0) {
		fprintf(stderr, "vngio: %s succeeded, expected %s\n", argv[3],
			argv[2]);
		return 1;
	}
	if (last_errno != want) {
		fprintf(stderr, "vngio: %s failed with errno %d, expected %s\n",
			argv[3], last_errno, argv[2]);
		return 1;
	}
	return 0;
}
