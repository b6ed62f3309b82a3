// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-user-bad: split virtqueues.
 *
 * Taking requests off the available ring (direct and indirect descriptor
 * chains, turned into iovecs over our mapping of guest memory), putting
 * completions on the used ring and notifying the driver. Everything read
 * from guest memory is copied before it is checked, so a driver changing
 * the ring under us cannot make us walk out of bounds.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vub.h"

#define READ_ONCE(x)		(*(volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile typeof(x) *)&(x) = (v))

/*
 * The driver runs on other CPUs (vCPU threads): order our accesses to the
 * rings against its with the usual virtio pairing.
 */
static inline void smp_rmb(void)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
}

static inline void smp_wmb(void)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline void smp_mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

#define VUB_MAX_IOV	4096	/* iovecs per direction and request */

static bool vq_event_idx(const struct vub_dev *dev)
{
	return dev_has_feature(dev, VIRTIO_RING_F_EVENT_IDX);
}

static uint16_t *vq_used_event(struct vub_vq *vq)
{
	return &vq->avail->ring[vq->num];
}

static uint16_t *vq_avail_event(struct vub_vq *vq)
{
	return (uint16_t *)&vq->used->ring[vq->num];
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Back to the state of a queue the front-end has not set up. */
void vq_reset(struct vub_vq *vq)
{
	struct vub_vq_stats stats = vq->stats;
	unsigned int index = vq->index;

	close_fd(&vq->kick_fd);
	close_fd(&vq->call_fd);
	close_fd(&vq->err_fd);
	memset(vq, 0, sizeof(*vq));
	vq->index = index;
	vq->stats = stats;
	vq->kick_fd = vq->call_fd = vq->err_fd = -1;
}

/* Translate the ring addresses; needed again after every memory table. */
bool vq_map_rings(struct vub_dev *dev, struct vub_vq *vq)
{
	size_t n = vq->num;

	vq->desc = mem_qva(&dev->mem, vq->desc_qva, n * sizeof(struct vring_desc));
	vq->avail = mem_qva(&dev->mem, vq->avail_qva,
			    sizeof(struct vring_avail) + (n + 1) * sizeof(uint16_t));
	vq->used = mem_qva(&dev->mem, vq->used_qva,
			   sizeof(struct vring_used) +
			   n * sizeof(struct vring_used_elem) + sizeof(uint16_t));
	if (!n || !vq->desc || !vq->avail || !vq->used) {
		pr_info("q%u: cannot map the rings (num %zu desc 0x%llx avail 0x%llx used 0x%llx)\n",
			vq->index, n, (unsigned long long)vq->desc_qva,
			(unsigned long long)vq->avail_qva,
			(unsigned long long)vq->used_qva);
		vq->desc = NULL;
		vq->avail = NULL;
		vq->used = NULL;
		return false;
	}
	return true;
}

void req_free(struct vub_req *req)
{
	if (!req)
		return;
	free(req->out);
	free(req->in);
	free(req);
}

static struct vub_req *req_alloc(struct vub_vq *vq, uint16_t head)
{
	struct vub_req *req = calloc(1, sizeof(*req));

	if (!req)
		return NULL;
	req->max_iov = 16;
	req->out = calloc(req->max_iov, sizeof(struct iovec));
	req->in = calloc(req->max_iov, sizeof(struct iovec));
	if (!req->out || !req->in) {
		req_free(req);
		return NULL;
	}
	req->vq = vq;
	req->head = head;
	return req;
}

static int req_grow(struct vub_req *req)
{
	unsigned int max = req->max_iov * 2;
	struct iovec *out, *in;

	if (max > VUB_MAX_IOV)
		return -E2BIG;
	out = realloc(req->out, max * sizeof(*out));
	if (out)
		req->out = out;
	in = realloc(req->in, max * sizeof(*in));
	if (in)
		req->in = in;
	if (!out || !in)
		return -ENOMEM;
	req->max_iov = max;
	return 0;
}

/* Add one descriptor's buffer, split where guest RAM regions split. */
static int req_add_buf(struct vub_dev *dev, struct vub_req *req,
		       uint64_t addr, uint32_t len, bool write)
{
	uint64_t left = len;

	if (write && len)
		req->status_gpa = addr + len - 1;
	else if (!write && req->nin)
		return -EINVAL;		/* readable after writable */

	while (left) {
		uint64_t chunk = left;
		void *p = mem_gpa(&dev->mem, addr, &chunk);
		unsigned int *n = write ? &req->nin : &req->nout;
		int ret;

		if (!p)
			return -EFAULT;
		if (*n == req->max_iov) {
			ret = req_grow(req);
			if (ret)
				return ret;
		}
		if (write) {
			req->in[req->nin++] = (struct iovec){ p, chunk };
			req->in_len += chunk;
		} else {
			req->out[req->nout++] = (struct iovec){ p, chunk };
			req->out_len += chunk;
		}
		addr += chunk;
		left -= chunk;
	}
	return 0;
}

static const char *chain_error(int err)
{
	switch (err) {
	case -EFAULT:	return "buffer outside guest memory";
	case -EINVAL:	return "readable descriptor after a writable one";
	case -E2BIG:	return "too many buffers";
	case -ENOMEM:	return "out of memory";
	default:	return "bad chain";
	}
}

/* Walk the chain at head, direct or through one indirect table. */
static int vq_walk_chain(struct vub_dev *dev, struct vub_vq *vq,
			 struct vub_req *req)
{
	const struct vring_desc *table = vq->desc;
	unsigned int size = vq->num, i = req->head, n = 0;
	bool indirect = false;

	for (;;) {
		struct vring_desc d;
		uint16_t flags;
		int ret;

		if (i >= size) {
			pr_info("q%u: head %u: descriptor %u out of range (%u)\n",
				vq->index, req->head, i, size);
			return -1;
		}
		if (++n > size) {
			pr_info("q%u: head %u: descriptor chain loops\n",
				vq->index, req->head);
			return -1;
		}
		memcpy(&d, (const void *)&table[i], sizeof(d));
		flags = le16toh(d.flags);

		if (flags & VRING_DESC_F_INDIRECT) {
			uint64_t len = le32toh(d.len);

			if (indirect || n != 1 || (flags & VRING_DESC_F_NEXT) ||
			    !dev_has_feature(dev, VIRTIO_RING_F_INDIRECT_DESC) ||
			    !len || len % sizeof(struct vring_desc)) {
				pr_info("q%u: head %u: bad indirect descriptor (flags 0x%x len %llu)\n",
					vq->index, req->head, flags,
					(unsigned long long)len);
				return -1;
			}
			table = mem_gpa(&dev->mem, le64toh(d.addr), &len);
			if (!table || len != le32toh(d.len)) {
				pr_info("q%u: head %u: indirect table not in guest memory\n",
					vq->index, req->head);
				return -1;
			}
			size = len / sizeof(struct vring_desc);
			indirect = true;
			i = 0;
			n = 0;
			continue;
		}

		ret = req_add_buf(dev, req, le64toh(d.addr), le32toh(d.len),
				  flags & VRING_DESC_F_WRITE);
		if (ret) {
			pr_info("q%u: head %u: %s\n", vq->index, req->head,
				chain_error(ret));
			return -1;
		}
		if (!(flags & VRING_DESC_F_NEXT))
			return 0;
		i = le16toh(d.next);
	}
}

/*
 * Take the next available request. Returns 1 with *reqp set, 0 when the
 * ring is empty, -1 when the driver broke the ring (the queue is then
 * ignored until it is set up again).
 */
int vq_pop(struct vub_dev *dev, struct vub_vq *vq, struct vub_req **reqp)
{
	uint16_t avail_idx, head;
	struct vub_req *req;

	avail_idx = le16toh(READ_ONCE(vq->avail->idx));
	if (avail_idx == vq->last_avail_idx)
		return 0;
	if ((uint16_t)(avail_idx - vq->last_avail_idx) > vq->num) {
		pr_info("q%u: avail idx %u is %u ahead of %u, more than the ring size %u\n",
			vq->index, avail_idx,
			(uint16_t)(avail_idx - vq->last_avail_idx),
			vq->last_avail_idx, vq->num);
		vq->broken = true;
		return -1;
	}
	/* Read the ring entry only after the index that covers it. */
	smp_rmb();
	head = le16toh(READ_ONCE(vq->avail->ring[vq->last_avail_idx % vq->num]));
	vq->last_avail_idx++;

	req = req_alloc(vq, head);
	if (!req) {
		pr_info("q%u: out of memory\n", vq->index);
		vq->broken = true;
		return -1;
	}
	if (vq_walk_chain(dev, vq, req)) {
		req_free(req);
		vq->broken = true;
		return -1;
	}
	*reqp = req;
	return 1;
}

/* Is id waiting in the available ring (made available, not taken yet)? */
bool vq_in_avail(struct vub_vq *vq, uint16_t id)
{
	uint16_t idx = le16toh(READ_ONCE(vq->avail->idx));
	uint16_t i;

	smp_rmb();	/* entries after the index that covers them */
	for (i = vq->last_avail_idx; i != idx; i++) {
		if (le16toh(READ_ONCE(vq->avail->ring[i % vq->num])) == id)
			return true;
		if ((uint16_t)(i - vq->last_avail_idx) > vq->num)
			break;
	}
	return false;
}

/* Write one used element; the driver sees it after vq_publish(). */
void vq_push(struct vub_vq *vq, uint32_t id, uint32_t len)
{
	struct vring_used_elem *e = &vq->used->ring[vq->used_idx % vq->num];

	WRITE_ONCE(e->id, htole32(id));
	WRITE_ONCE(e->len, htole32(len));
	vq->used_idx++;
}

void vq_publish(struct vub_dev *dev, struct vub_vq *vq)
{
	/* The elements (and the data and status) before the index. */
	smp_wmb();
	WRITE_ONCE(vq->used->idx, htole16(vq->used_idx));
}

static bool vring_need_event(uint16_t event, uint16_t new, uint16_t old)
{
	return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

void vq_notify(struct vub_dev *dev, struct vub_vq *vq)
{
	uint64_t one = 1;

	/* The used index must be visible before we read the driver's flags. */
	smp_mb();
	if (vq_event_idx(dev)) {
		uint16_t event = le16toh(READ_ONCE(*vq_used_event(vq)));
		uint16_t old = vq->signalled_used;
		bool valid = vq->signalled_valid;

		vq->signalled_used = vq->used_idx;
		vq->signalled_valid = true;
		if (valid && !vring_need_event(event, vq->used_idx, old))
			return;
	} else if (le16toh(READ_ONCE(vq->avail->flags)) & VRING_AVAIL_F_NO_INTERRUPT) {
		return;
	}
	if (vq->call_fd < 0)
		return;
	vq->stats.nr_notify++;
	if (write(vq->call_fd, &one, sizeof(one)) != sizeof(one))
		pr_info("q%u: cannot signal the call eventfd\n", vq->index);
}

/* With EVENT_IDX, tell the driver which avail index to kick us at. */
void vq_update_avail_event(struct vub_dev *dev, struct vub_vq *vq)
{
	if (!vq_event_idx(dev))
		return;
	WRITE_ONCE(*vq_avail_event(vq), htole16(vq->last_avail_idx));
	smp_mb();	/* publish it before looking at avail idx again */
}
