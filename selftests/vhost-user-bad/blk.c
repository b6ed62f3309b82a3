// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-user-bad: the block device behind the rings.
 *
 * Storage is a raw file or anonymous memory in 512-byte sectors. This
 * file decodes virtio-blk requests, runs them against the storage, and
 * owns the config space the front-end reads with VHOST_USER_GET_CONFIG
 * (including the values --cfg garbles on purpose).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vub.h"

#define SECTOR_SIZE	(1u << VUB_SECTOR_SHIFT)

_Static_assert(sizeof(struct virtio_blk_config) == 60,
	       "virtio_blk_config must end after the write-zeroes fields");
_Static_assert(offsetof(struct virtio_blk_config, num_queues) == 34,
	       "virtio_blk_config layout");

const char *blk_type_name(uint32_t type)
{
	switch (type) {
	case VIRTIO_BLK_T_IN:		return "IN";
	case VIRTIO_BLK_T_OUT:		return "OUT";
	case VIRTIO_BLK_T_FLUSH:	return "FLUSH";
	case VIRTIO_BLK_T_GET_ID:	return "GET_ID";
	case VIRTIO_BLK_T_GET_LIFETIME:	return "GET_LIFETIME";
	case VIRTIO_BLK_T_DISCARD:	return "DISCARD";
	case VIRTIO_BLK_T_WRITE_ZEROES:	return "WRITE_ZEROES";
	case VIRTIO_BLK_T_SECURE_ERASE:	return "SECURE_ERASE";
	default:			return "UNKNOWN";
	}
}

/* ---- storage ----------------------------------------------------------- */

int blk_open(struct vub_blk *blk, const char *path, uint64_t size)
{
	struct stat st;

	blk->fd = -1;
	blk->path = path;
	if (!path) {
		if (!size)
			size = 64ULL << 20;
		size &= ~(uint64_t)(SECTOR_SIZE - 1);
		blk->mem = calloc(1, size ? size : 1);
		if (!blk->mem) {
			pr_info("cannot allocate %" PRIu64 " bytes\n", size);
			return -ENOMEM;
		}
		blk->size = size;
		return 0;
	}

	blk->fd = open(path, (blk->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (blk->fd < 0 || fstat(blk->fd, &st)) {
		pr_info("cannot open %s: %s\n", path, strerror(errno));
		return -errno;
	}
	if (!size) {
		size = st.st_size;
	} else if (S_ISREG(st.st_mode) && (uint64_t)st.st_size < size &&
		   ftruncate(blk->fd, size)) {
		pr_info("cannot grow %s to %" PRIu64 " bytes: %s\n", path, size,
			strerror(errno));
		return -errno;
	}
	blk->size = size & ~(uint64_t)(SECTOR_SIZE - 1);
	return 0;
}

/* Change the size of the storage (a file grows sparsely; memory is zeroed). */
static int blk_set_size(struct vub_blk *blk, uint64_t size)
{
	size &= ~(uint64_t)(SECTOR_SIZE - 1);
	if (blk->mem) {
		uint8_t *p = realloc(blk->mem, size ? size : 1);

		if (!p)
			return -ENOMEM;
		if (size > blk->size)
			memset(p + blk->size, 0, size - blk->size);
		blk->mem = p;
	} else if (size > blk->size) {
		struct stat st;

		if (fstat(blk->fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    (uint64_t)st.st_size < size && ftruncate(blk->fd, size))
			return -errno;
	}
	blk->size = size;
	return 0;
}

static bool blk_range_ok(const struct vub_blk *blk, uint64_t sector,
			 uint64_t bytes)
{
	uint64_t off;

	if (sector > (UINT64_MAX >> VUB_SECTOR_SHIFT))
		return false;
	off = sector << VUB_SECTOR_SHIFT;
	return off <= blk->size && bytes <= blk->size - off;
}

/* Copy between an iovec array (from byte skip on) and a flat buffer. */
static size_t iov_copy(const struct iovec *iov, unsigned int n, size_t skip,
		       void *buf, size_t len, bool to_iov)
{
	size_t done = 0;
	unsigned int i;

	for (i = 0; i < n && done < len; i++) {
		size_t l = iov[i].iov_len;
		uint8_t *p = iov[i].iov_base;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		p += skip;
		l -= skip;
		skip = 0;
		if (l > len - done)
			l = len - done;
		if (to_iov)
			memcpy(p, (uint8_t *)buf + done, l);
		else
			memcpy((uint8_t *)buf + done, p, l);
		done += l;
	}
	return done;
}

/*
 * Move len bytes between the storage at byte off and the iovecs (from
 * byte skip on). to_iov: a read from the device's point of view.
 */
static int blk_rw(struct vub_blk *blk, const struct iovec *iov, unsigned int n,
		  size_t skip, uint64_t off, size_t len, bool to_iov)
{
	unsigned int i;

	for (i = 0; i < n && len; i++) {
		size_t l = iov[i].iov_len;
		uint8_t *p = iov[i].iov_base;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		p += skip;
		l -= skip;
		skip = 0;
		if (l > len)
			l = len;
		if (blk->mem) {
			if (to_iov)
				memcpy(p, blk->mem + off, l);
			else
				memcpy(blk->mem + off, p, l);
		} else {
			size_t done = 0;

			while (done < l) {
				ssize_t r = to_iov ?
					pread(blk->fd, p + done, l - done, off + done) :
					pwrite(blk->fd, p + done, l - done, off + done);

				if (r < 0 && errno == EINTR)
					continue;
				if (r < 0)
					return -errno;
				if (r == 0) {
					if (!to_iov)
						return -EIO;
					/* a file shorter than the disk: zeroes */
					memset(p + done, 0, l - done);
					break;
				}
				done += r;
			}
		}
		off += l;
		len -= l;
	}
	return len ? -EIO : 0;
}

static int blk_zero(struct vub_blk *blk, uint64_t off, uint64_t len, bool punch)
{
	static const uint8_t zeroes[65536];

	if (blk->mem) {
		memset(blk->mem + off, 0, len);
		return 0;
	}
	if (fallocate(blk->fd, (punch ? FALLOC_FL_PUNCH_HOLE : FALLOC_FL_ZERO_RANGE) |
		      FALLOC_FL_KEEP_SIZE, off, len) == 0)
		return 0;
	while (len) {
		size_t l = len < sizeof(zeroes) ? len : sizeof(zeroes);
		ssize_t r = pwrite(blk->fd, zeroes, l, off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -EIO;
		off += r;
		len -= r;
	}
	return 0;
}

/* ---- requests ---------------------------------------------------------- */

/* Decode the header; the chain must have it and a status byte. */
int blk_parse(struct vub_dev *dev, struct vub_req *req)
{
	struct virtio_blk_outhdr hdr;

	if (req->out_len < sizeof(hdr) || req->in_len < 1) {
		pr_info("q%u: head %u: malformed request: %zu readable, %zu writable bytes\n",
			req->vq->index, req->head, req->out_len, req->in_len);
		return -EINVAL;
	}
	iov_copy(req->out, req->nout, 0, &hdr, sizeof(hdr), false);
	req->type = le32toh(hdr.type);
	req->sector = le64toh(hdr.sector);
	switch (req->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_GET_ID:
	case VIRTIO_BLK_T_GET_LIFETIME:
		req->data_len = req->in_len - 1;
		break;
	default:
		req->data_len = req->out_len - sizeof(hdr);
		break;
	}
	return 0;
}

static uint8_t blk_do_rw(struct vub_dev *dev, struct vub_req *req, bool write)
{
	struct vub_blk *blk = &dev->blk;
	int ret;

	if (write && blk->ro)
		return VIRTIO_BLK_S_IOERR;
	if (req->data_len % SECTOR_SIZE ||
	    !blk_range_ok(blk, req->sector, req->data_len)) {
		pr_info("q%u: req #%" PRIu64 " %s sector %" PRIu64
			" +%u: outside the disk or unaligned: IOERR\n",
			req->vq->index, req->seq, blk_type_name(req->type),
			req->sector, req->data_len);
		return VIRTIO_BLK_S_IOERR;
	}
	if (write)
		ret = blk_rw(blk, req->out, req->nout, sizeof(struct virtio_blk_outhdr),
			     req->sector << VUB_SECTOR_SHIFT, req->data_len, false);
	else
		ret = blk_rw(blk, req->in, req->nin, 0,
			     req->sector << VUB_SECTOR_SHIFT, req->data_len, true);
	if (ret) {
		pr_info("q%u: req #%" PRIu64 " %s: %s\n", req->vq->index, req->seq,
			blk_type_name(req->type), strerror(-ret));
		return VIRTIO_BLK_S_IOERR;
	}
	return VIRTIO_BLK_S_OK;
}

static uint8_t blk_do_dwz(struct vub_dev *dev, struct vub_req *req)
{
	bool wz = req->type == VIRTIO_BLK_T_WRITE_ZEROES;
	struct vub_blk *blk = &dev->blk;
	struct virtio_blk_dwz_seg seg;
	size_t off = sizeof(struct virtio_blk_outhdr);
	unsigned int i, n;

	if (!dev_has_feature(dev, wz ? VIRTIO_BLK_F_WRITE_ZEROES : VIRTIO_BLK_F_DISCARD))
		return VIRTIO_BLK_S_UNSUPP;
	if (blk->ro)
		return VIRTIO_BLK_S_IOERR;
	if (!req->data_len || req->data_len % sizeof(seg))
		return VIRTIO_BLK_S_IOERR;
	n = req->data_len / sizeof(seg);
	for (i = 0; i < n; i++, off += sizeof(seg)) {
		uint64_t sector;
		uint32_t nsec, flags;

		iov_copy(req->out, req->nout, off, &seg, sizeof(seg), false);
		sector = le64toh(seg.sector);
		nsec = le32toh(seg.num_sectors);
		flags = le32toh(seg.flags);
		if (flags & ~(uint32_t)VIRTIO_BLK_WZ_F_UNMAP ||
		    (!wz && flags))
			return VIRTIO_BLK_S_UNSUPP;
		if (!blk_range_ok(blk, sector, (uint64_t)nsec << VUB_SECTOR_SHIFT))
			return VIRTIO_BLK_S_IOERR;
		if (blk_zero(blk, sector << VUB_SECTOR_SHIFT,
			     (uint64_t)nsec << VUB_SECTOR_SHIFT, !wz))
			return VIRTIO_BLK_S_IOERR;
	}
	return VIRTIO_BLK_S_OK;
}

/* Run the request: sets req->status and req->used_len. */
/* GET_LIFETIME: three little-endian 16-bit fields (pre_eol_info, a, b). */
static void blk_do_lifetime(struct vub_dev *dev, struct vub_req *req)
{
	uint8_t lt[6];
	int i;

	if (!dev_has_feature(dev, VIRTIO_BLK_F_LIFETIME)) {
		req->status = VIRTIO_BLK_S_UNSUPP;
		return;
	}
	if (req->data_len < sizeof(lt)) {
		req->status = VIRTIO_BLK_S_IOERR;
		return;
	}
	for (i = 0; i < 3; i++) {
		lt[2 * i] = dev->blk.lifetime[i] & 0xff;
		lt[2 * i + 1] = dev->blk.lifetime[i] >> 8;
	}
	iov_copy(req->in, req->nin, 0, lt, sizeof(lt), true);
	req->used_len = sizeof(lt) + 1;
	req->status = VIRTIO_BLK_S_OK;
}

void blk_execute(struct vub_dev *dev, struct vub_req *req)
{
	struct vub_blk *blk = &dev->blk;
	uint8_t id[VUB_SERIAL_LEN];
	size_t n;

	req->used_len = 1;
	switch (req->type) {
	case VIRTIO_BLK_T_IN:
		req->status = blk_do_rw(dev, req, false);
		if (req->status == VIRTIO_BLK_S_OK)
			req->used_len = req->data_len + 1;
		break;
	case VIRTIO_BLK_T_OUT:
		req->status = blk_do_rw(dev, req, true);
		break;
	case VIRTIO_BLK_T_FLUSH:
		if (!dev_has_feature(dev, VIRTIO_BLK_F_FLUSH))
			req->status = VIRTIO_BLK_S_UNSUPP;
		else if (blk->fd >= 0 && fdatasync(blk->fd))
			req->status = VIRTIO_BLK_S_IOERR;
		else
			req->status = VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_GET_ID:
		memset(id, 0, sizeof(id));
		memcpy(id, blk->serial, strnlen(blk->serial, sizeof(id)));
		n = req->data_len < sizeof(id) ? req->data_len : sizeof(id);
		iov_copy(req->in, req->nin, 0, id, n, true);
		req->used_len = n + 1;
		req->status = VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_GET_LIFETIME:
		blk_do_lifetime(dev, req);
		break;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		req->status = blk_do_dwz(dev, req);
		break;
	default:
		req->status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	pr_trace("q%u: req #%" PRIu64 " head %u %s sector %" PRIu64 " +%u -> status %u\n",
		 req->vq->index, req->seq, req->head, blk_type_name(req->type),
		 req->sector, req->data_len, req->status);
}

/* ---- config space ------------------------------------------------------ */

struct cfg_field {
	const char *name;
	size_t off;
	size_t size;
	int feature;		/* turned on when the field is set, or -1 */
};

#define CFG(f, feat) { #f, offsetof(struct virtio_blk_config, f), \
		       sizeof(((struct virtio_blk_config *)0)->f), feat }

static const struct cfg_field cfg_fields[] = {
	CFG(capacity, -1),
	CFG(size_max, VIRTIO_BLK_F_SIZE_MAX),
	CFG(seg_max, VIRTIO_BLK_F_SEG_MAX),
	CFG(cylinders, VIRTIO_BLK_F_GEOMETRY),
	CFG(heads, VIRTIO_BLK_F_GEOMETRY),
	CFG(sectors, VIRTIO_BLK_F_GEOMETRY),
	CFG(blk_size, VIRTIO_BLK_F_BLK_SIZE),
	CFG(physical_block_exp, VIRTIO_BLK_F_TOPOLOGY),
	CFG(alignment_offset, VIRTIO_BLK_F_TOPOLOGY),
	CFG(min_io_size, VIRTIO_BLK_F_TOPOLOGY),
	CFG(opt_io_size, VIRTIO_BLK_F_TOPOLOGY),
	CFG(wce, VIRTIO_BLK_F_CONFIG_WCE),
	CFG(num_queues, VIRTIO_BLK_F_MQ),
	CFG(max_discard_sectors, VIRTIO_BLK_F_DISCARD),
	CFG(max_discard_seg, VIRTIO_BLK_F_DISCARD),
	CFG(discard_sector_alignment, VIRTIO_BLK_F_DISCARD),
	CFG(max_write_zeroes_sectors, VIRTIO_BLK_F_WRITE_ZEROES),
	CFG(max_write_zeroes_seg, VIRTIO_BLK_F_WRITE_ZEROES),
	CFG(write_zeroes_may_unmap, VIRTIO_BLK_F_WRITE_ZEROES),
};

static void cfg_store(struct virtio_blk_config *cfg, const struct cfg_field *f,
		      uint64_t v)
{
	uint8_t *p = (uint8_t *)cfg + f->off;
	size_t i;

	for (i = 0; i < f->size; i++)	/* little endian, any width */
		p[i] = v >> (8 * i);
}

/* Sane values from the storage and the options; --cfg comes after. */
void blk_init_config(struct vub_dev *dev)
{
	struct virtio_blk_config *cfg = &dev->blk.cfg;

	memset(cfg, 0, sizeof(*cfg));
	cfg->capacity = htole64(dev->blk.size >> VUB_SECTOR_SHIFT);
	cfg->seg_max = htole32(126);		/* queue-size 128 - 2 */
	cfg->blk_size = htole32(SECTOR_SIZE);
	cfg->wce = 1;
	cfg->num_queues = htole16(dev->max_queues);
	cfg->max_discard_sectors = htole32(32768);
	cfg->max_discard_seg = htole32(1);
	cfg->discard_sector_alignment = htole32(8);
	cfg->max_write_zeroes_sectors = htole32(32768);
	cfg->max_write_zeroes_seg = htole32(1);
	cfg->write_zeroes_may_unmap = 0;
}

/* --cfg FIELD=VALUE: report VALUE in FIELD, however wrong it is. */
int blk_set_config_field(struct vub_dev *dev, const char *spec)
{
	const char *eq = strchr(spec, '=');
	unsigned long long v;
	char *end;
	size_t i;

	if (!eq)
		return -EINVAL;
	errno = 0;
	v = strtoull(eq + 1, &end, 0);
	if (errno || end == eq + 1 || *end)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(cfg_fields); i++) {
		const struct cfg_field *f = &cfg_fields[i];

		if (strlen(f->name) != (size_t)(eq - spec) ||
		    strncmp(f->name, spec, eq - spec))
			continue;
		if (f->size < 8 && v >> (8 * f->size)) {
			fprintf(stderr, "--cfg %s: value does not fit %zu bytes\n",
				f->name, f->size);
			return -ERANGE;
		}
		cfg_store(&dev->blk.cfg, f, v);
		if (f->feature >= 0)
			dev->features |= BIT_ULL(f->feature);
		if (!strcmp(f->name, "capacity"))
			dev->blk.cfg_capacity_set = true;
		pr_info("config: %s = %llu (0x%llx)\n", f->name, v, v);
		return 0;
	}
	fprintf(stderr, "--cfg: unknown field; one of:");
	for (i = 0; i < ARRAY_SIZE(cfg_fields); i++)
		fprintf(stderr, " %s", cfg_fields[i].name);
	fprintf(stderr, "\n");
	return -EINVAL;
}

/* Runtime resize: storage and reported capacity both follow. */
int blk_resize(struct vub_dev *dev, uint64_t bytes)
{
	struct vub_blk *blk = &dev->blk;
	uint64_t old = le64toh(blk->cfg.capacity);
	int ret;

	ret = blk_set_size(blk, bytes);
	if (ret) {
		pr_info("resize to %" PRIu64 " bytes failed: %s\n", bytes,
			strerror(-ret));
		return ret;
	}
	blk->cfg.capacity = htole64(blk->size >> VUB_SECTOR_SHIFT);
	pr_info("capacity %" PRIu64 " -> %" PRIu64 " sectors\n", old,
		blk->size >> VUB_SECTOR_SHIFT);
	return 0;
}
