// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-user-bad: the vhost-user protocol, back-end side.
 *
 * One message at a time from the front-end socket: a 12-byte header
 * (request, flags, payload size), the payload, and file descriptors as
 * SCM_RIGHTS. Replies carry the request's number with the REPLY flag;
 * with REPLY_ACK negotiated, a request flagged NEED_REPLY that has no
 * reply of its own gets a u64 (0: success).
 *
 * Only what vhost-user-blk needs is implemented; anything else is
 * answered with an error (if a reply is wanted) and logged.
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vub.h"

#define VU_VERSION		0x1
#define VU_FLAG_REPLY		(1u << 2)
#define VU_FLAG_NEED_REPLY	(1u << 3)
#define VU_MAX_FDS		8
#define VU_VRING_IDX_MASK	0xff
#define VU_VRING_NOFD		(1u << 8)

enum vu_request {
	VU_GET_FEATURES = 1,
	VU_SET_FEATURES = 2,
	VU_SET_OWNER = 3,
	VU_RESET_OWNER = 4,
	VU_SET_MEM_TABLE = 5,
	VU_SET_LOG_BASE = 6,
	VU_SET_LOG_FD = 7,
	VU_SET_VRING_NUM = 8,
	VU_SET_VRING_ADDR = 9,
	VU_SET_VRING_BASE = 10,
	VU_GET_VRING_BASE = 11,
	VU_SET_VRING_KICK = 12,
	VU_SET_VRING_CALL = 13,
	VU_SET_VRING_ERR = 14,
	VU_GET_PROTOCOL_FEATURES = 15,
	VU_SET_PROTOCOL_FEATURES = 16,
	VU_GET_QUEUE_NUM = 17,
	VU_SET_VRING_ENABLE = 18,
	VU_SET_BACKEND_REQ_FD = 21,
	VU_GET_CONFIG = 24,
	VU_SET_CONFIG = 25,
	VU_RESET_DEVICE = 34,
	VU_REQUEST_MAX = 64,
};

/* Back-end to front-end requests, on the back-end channel. */
#define VU_BACKEND_CONFIG_CHANGE_MSG	2

struct vu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
} __attribute__((packed));

struct vu_vring_state {
	uint32_t index;
	uint32_t num;
};

struct vu_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc;
	uint64_t used;
	uint64_t avail;
	uint64_t log;
};

struct vu_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t region[VUB_CONFIG_SPACE];
};

#define VU_CONFIG_HDR	offsetof(struct vu_config, region)

struct vu_msg {
	struct vu_hdr hdr;
	union {
		uint64_t u64;
		struct vu_vring_state state;
		struct vu_vring_addr addr;
		struct vu_config config;
		uint8_t raw[1024];
	} payload;
	int fds[VU_MAX_FDS];
	int nfds;
};

/* ---- socket I/O -------------------------------------------------------- */

static int read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t r = read(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -ECONNRESET;
		p += r;
		len -= r;
	}
	return 0;
}

static int write_full(int fd, const struct iovec *iov, int n)
{
	struct iovec v[2];
	int i;

	for (i = 0; i < n; i++)
		v[i] = iov[i];
	i = 0;
	while (i < n) {
		struct msghdr mh = { .msg_iov = &v[i], .msg_iovlen = n - i };
		ssize_t w = sendmsg(fd, &mh, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		while (i < n && (size_t)w >= v[i].iov_len) {
			w -= v[i].iov_len;
			i++;
		}
		if (i < n) {
			v[i].iov_base = (uint8_t *)v[i].iov_base + w;
			v[i].iov_len -= w;
		}
	}
	return 0;
}

/* Returns 0, or -ECONNRESET at end of file, or another -errno. */
static int vu_read_msg(int fd, struct vu_msg *msg)
{
	char control[CMSG_SPACE(VU_MAX_FDS * sizeof(int))];
	struct iovec iov = { &msg->hdr, sizeof(msg->hdr) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg;
	ssize_t r;
	int ret;

	msg->nfds = 0;
	do {
		r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	} while (r < 0 && errno == EINTR);
	if (r <= 0)
		return r < 0 ? -errno : -ECONNRESET;

	for (cmsg = CMSG_FIRSTHDR(&mh); cmsg; cmsg = CMSG_NXTHDR(&mh, cmsg)) {
		int *fds = (int *)CMSG_DATA(cmsg);
		int n, i;

		if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			if (msg->nfds < VU_MAX_FDS)
				msg->fds[msg->nfds++] = fds[i];
			else
				close(fds[i]);
		}
	}
	if (mh.msg_flags & MSG_CTRUNC)
		pr_info("vhost-user: file descriptors were truncated\n");

	if ((size_t)r < sizeof(msg->hdr)) {
		ret = read_full(fd, (uint8_t *)&msg->hdr + r, sizeof(msg->hdr) - r);
		if (ret)
			return ret;
	}
	if (msg->hdr.size > sizeof(msg->payload)) {
		pr_info("vhost-user: request %u: payload of %u bytes is too big\n",
			msg->hdr.request, msg->hdr.size);
		return -EPROTO;
	}
	return read_full(fd, &msg->payload, msg->hdr.size);
}

static int vu_reply(struct vub_dev *dev, struct vu_msg *msg,
		    const void *payload, uint32_t size)
{
	struct vu_hdr hdr = {
		.request = msg->hdr.request,
		.flags = VU_VERSION | VU_FLAG_REPLY,
		.size = size,
	};
	struct iovec iov[2] = {
		{ &hdr, sizeof(hdr) },
		{ (void *)payload, size },
	};
	int ret = write_full(dev->conn_fd, iov, size ? 2 : 1);

	if (ret) {
		pr_info("vhost-user: cannot reply: %s\n", strerror(-ret));
		dev->conn_error = true;
	}
	return ret;
}

static int vu_reply_u64(struct vub_dev *dev, struct vu_msg *msg, uint64_t v)
{
	return vu_reply(dev, msg, &v, sizeof(v));
}

static int take_fd(struct vu_msg *msg)
{
	int fd;

	if (!msg->nfds)
		return -1;
	fd = msg->fds[0];
	memmove(msg->fds, msg->fds + 1, (msg->nfds - 1) * sizeof(int));
	msg->nfds--;
	return fd;
}

static struct vub_vq *msg_vq(struct vub_dev *dev, uint32_t index,
			     const char *what)
{
	if (index >= dev->max_queues) {
		pr_info("%s: queue %u out of range (%u queues)\n", what, index,
			dev->max_queues);
		return NULL;
	}
	return &dev->vqs[index];
}

/* ---- ring start and stop ----------------------------------------------- */

static void vq_start(struct vub_dev *dev, struct vub_vq *vq)
{
	vq->started = true;
	vq->broken = false;
	if (!vq_map_rings(dev, vq))
		return;
	/* Resume where the driver's used ring stands. */
	vq->used_idx = le16toh(vq->used->idx);
	vq->signalled_valid = false;
	if (vq->used_idx != vq->last_avail_idx)
		pr_info("q%u: starts with used idx %u, avail base %u: %u requests lost\n",
			vq->index, vq->used_idx, vq->last_avail_idx,
			(uint16_t)(vq->last_avail_idx - vq->used_idx));
	pr_debug("q%u: started (num %u, base %u, %s)\n", vq->index, vq->num,
		 vq->last_avail_idx, vq->enabled ? "enabled" : "disabled");
	dev_process_vq(dev, vq);
}

static void vq_stop(struct vub_dev *dev, struct vub_vq *vq)
{
	dev_drop_held(dev, vq, "queue stopped");
	vq->started = false;
	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
	if (vq->kick_fd >= 0)
		close(vq->kick_fd);
	vq->kick_fd = -1;
	if (vq->call_fd >= 0)
		close(vq->call_fd);
	vq->call_fd = -1;
}

static void reset_all_vqs(struct vub_dev *dev)
{
	unsigned int i;

	dev_drop_held(dev, NULL, "device reset");
	for (i = 0; i < VUB_MAX_QUEUES; i++)
		vq_reset(&dev->vqs[i]);
}

/* ---- request handlers -------------------------------------------------- */

/*
 * A handler returns 0 on success without a reply of its own (REPLY_ACK
 * then acks 0), 1 when it has replied, or a negative errno.
 */
typedef int (*vu_handler_t)(struct vub_dev *dev, struct vu_msg *msg);

static int vu_get_features(struct vub_dev *dev, struct vu_msg *msg)
{
	return vu_reply_u64(dev, msg, dev->features) ?: 1;
}

static const char *const feature_names[64] = {
	[VIRTIO_BLK_F_SIZE_MAX] = "SIZE_MAX",
	[VIRTIO_BLK_F_SEG_MAX] = "SEG_MAX",
	[VIRTIO_BLK_F_GEOMETRY] = "GEOMETRY",
	[VIRTIO_BLK_F_RO] = "RO",
	[VIRTIO_BLK_F_BLK_SIZE] = "BLK_SIZE",
	[VIRTIO_BLK_F_FLUSH] = "FLUSH",
	[VIRTIO_BLK_F_TOPOLOGY] = "TOPOLOGY",
	[VIRTIO_BLK_F_CONFIG_WCE] = "CONFIG_WCE",
	[VIRTIO_BLK_F_MQ] = "MQ",
	[VIRTIO_BLK_F_DISCARD] = "DISCARD",
	[VIRTIO_BLK_F_WRITE_ZEROES] = "WRITE_ZEROES",
	[VIRTIO_RING_F_INDIRECT_DESC] = "INDIRECT_DESC",
	[VIRTIO_RING_F_EVENT_IDX] = "EVENT_IDX",
	[VHOST_USER_F_PROTOCOL_FEATURES] = "PROTOCOL_FEATURES",
	[VIRTIO_F_VERSION_1] = "VERSION_1",
};

static int vu_set_features(struct vub_dev *dev, struct vu_msg *msg)
{
	uint64_t f = msg->payload.u64;
	char names[512] = "";
	size_t len = 0;
	unsigned int i;

	if (f & ~dev->features)
		pr_info("SET_FEATURES: 0x%" PRIx64 " has bits we did not offer: 0x%" PRIx64 "\n",
			f, f & ~dev->features);
	dev->acked_features = f;
	for (i = 0; i < 64 && len < sizeof(names); i++) {
		if (!(f & BIT_ULL(i)))
			continue;
		if (feature_names[i])
			len += snprintf(names + len, sizeof(names) - len, " %s",
					feature_names[i]);
		else
			len += snprintf(names + len, sizeof(names) - len, " bit%u", i);
	}
	pr_info("features: 0x%" PRIx64 ":%s\n", f, names);
	/* Without PROTOCOL_FEATURES there is no SET_VRING_ENABLE. */
	if (!(f & BIT_ULL(VHOST_USER_F_PROTOCOL_FEATURES)))
		for (i = 0; i < VUB_MAX_QUEUES; i++)
			dev->vqs[i].enabled = true;
	return 0;
}

static int vu_set_owner(struct vub_dev *dev, struct vu_msg *msg)
{
	dev->owner = true;
	return 0;
}

static int vu_reset_device(struct vub_dev *dev, struct vu_msg *msg)
{
	pr_info("%s: resetting all queues\n",
		msg->hdr.request == VU_RESET_OWNER ? "RESET_OWNER" : "RESET_DEVICE");
	reset_all_vqs(dev);
	dev->acked_features = 0;
	return 0;
}

static int vu_set_mem_table(struct vub_dev *dev, struct vu_msg *msg)
{
	unsigned int i;
	int ret;

	ret = mem_set_table(&dev->mem, &msg->payload, msg->hdr.size,
			    msg->fds, msg->nfds);
	/* The mappings hold the memory; the descriptors can go. */
	for (i = 0; i < (unsigned int)msg->nfds; i++)
		close(msg->fds[i]);
	msg->nfds = 0;
	if (ret)
		return ret;
	pr_debug("memory table: %u regions\n", dev->mem.nregions);
	for (i = 0; i < VUB_MAX_QUEUES; i++) {
		struct vub_vq *vq = &dev->vqs[i];

		if (vq->started)
			vq_map_rings(dev, vq);
	}
	return 0;
}

static int vu_set_vring_num(struct vub_dev *dev, struct vu_msg *msg)
{
	struct vub_vq *vq = msg_vq(dev, msg->payload.state.index, "SET_VRING_NUM");
	uint32_t num = msg->payload.state.num;

	if (!vq)
		return -EINVAL;
	if (!num || num > VUB_MAX_QUEUE_SIZE || (num & (num - 1))) {
		pr_info("SET_VRING_NUM: q%u: bad size %u\n", vq->index, num);
		return -EINVAL;
	}
	vq->num = num;
	return 0;
}

static int vu_set_vring_addr(struct vub_dev *dev, struct vu_msg *msg)
{
	const struct vu_vring_addr *a = &msg->payload.addr;
	struct vub_vq *vq = msg_vq(dev, a->index, "SET_VRING_ADDR");

	if (!vq)
		return -EINVAL;
	vq->desc_qva = a->desc;
	vq->avail_qva = a->avail;
	vq->used_qva = a->used;
	if (vq->started)
		vq_map_rings(dev, vq);
	return 0;
}

static int vu_set_vring_base(struct vub_dev *dev, struct vu_msg *msg)
{
	struct vub_vq *vq = msg_vq(dev, msg->payload.state.index, "SET_VRING_BASE");

	if (!vq)
		return -EINVAL;
	vq->last_avail_idx = msg->payload.state.num & 0xffff;
	return 0;
}

static int vu_get_vring_base(struct vub_dev *dev, struct vu_msg *msg)
{
	struct vub_vq *vq = msg_vq(dev, msg->payload.state.index, "GET_VRING_BASE");
	struct vu_vring_state st = { msg->payload.state.index, 0 };

	if (vq) {
		vq_stop(dev, vq);
		st.num = vq->last_avail_idx;
		pr_debug("q%u: stopped at avail %u used %u (%" PRIu64 " requests)\n",
			 vq->index, vq->last_avail_idx, vq->used_idx, vq->stats.nr_req);
	}
	return vu_reply(dev, msg, &st, sizeof(st)) ?: 1;
}

static int vu_set_vring_fd(struct vub_dev *dev, struct vu_msg *msg)
{
	uint64_t v = msg->payload.u64;
	struct vub_vq *vq = msg_vq(dev, v & VU_VRING_IDX_MASK, "SET_VRING_FD");
	int fd = (v & VU_VRING_NOFD) ? -1 : take_fd(msg);
	int *slot;

	if (!vq) {
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	switch (msg->hdr.request) {
	case VU_SET_VRING_KICK:
		slot = &vq->kick_fd;
		break;
	case VU_SET_VRING_CALL:
		slot = &vq->call_fd;
		break;
	default:
		slot = &vq->err_fd;
		break;
	}
	if (*slot >= 0)
		close(*slot);
	*slot = fd;

	if (msg->hdr.request == VU_SET_VRING_KICK) {
		if (fd < 0)
			pr_info("q%u: no kick fd: polling is not supported, the queue will not run\n",
				vq->index);
		vq_start(dev, vq);
	}
	return 0;
}

static int vu_get_protocol_features(struct vub_dev *dev, struct vu_msg *msg)
{
	return vu_reply_u64(dev, msg, dev->protocol_features) ?: 1;
}

static int vu_set_protocol_features(struct vub_dev *dev, struct vu_msg *msg)
{
	dev->acked_protocol_features = msg->payload.u64;
	pr_debug("protocol features: 0x%" PRIx64 "\n", msg->payload.u64);
	return 0;
}

static int vu_get_queue_num(struct vub_dev *dev, struct vu_msg *msg)
{
	return vu_reply_u64(dev, msg, dev->max_queues) ?: 1;
}

static int vu_set_vring_enable(struct vub_dev *dev, struct vu_msg *msg)
{
	struct vub_vq *vq = msg_vq(dev, msg->payload.state.index, "SET_VRING_ENABLE");

	if (!vq)
		return -EINVAL;
	vq->enabled = msg->payload.state.num != 0;
	pr_debug("q%u: %s\n", vq->index, vq->enabled ? "enabled" : "disabled");
	if (vq->enabled && vq->started)
		dev_process_vq(dev, vq);
	return 0;
}

static int vu_set_backend_req_fd(struct vub_dev *dev, struct vu_msg *msg)
{
	int fd = take_fd(msg);

	if (fd < 0)
		return -EINVAL;
	if (dev->backend_fd >= 0)
		close(dev->backend_fd);
	dev->backend_fd = fd;
	pr_debug("back-end channel set up\n");
	return 0;
}

static int vu_get_config(struct vub_dev *dev, struct vu_msg *msg)
{
	struct vu_config *c = &msg->payload.config;
	uint8_t space[VUB_CONFIG_SPACE] = { 0 };

	if (msg->hdr.size < VU_CONFIG_HDR || c->size > VUB_CONFIG_SPACE ||
	    c->offset > VUB_CONFIG_SPACE - c->size) {
		pr_info("GET_CONFIG: bad offset %u size %u\n", c->offset, c->size);
		/* The front-end waits for a reply: an empty one fails it. */
		return vu_reply(dev, msg, NULL, 0) ?: 1;
	}
	memcpy(space, &dev->blk.cfg, sizeof(dev->blk.cfg));
	memcpy(c->region, space + c->offset, c->size);
	pr_debug("GET_CONFIG: offset %u size %u (capacity %" PRIu64 ")\n",
		 c->offset, c->size, (uint64_t)le64toh(dev->blk.cfg.capacity));
	return vu_reply(dev, msg, c, VU_CONFIG_HDR + c->size) ?: 1;
}

static int vu_set_config(struct vub_dev *dev, struct vu_msg *msg)
{
	struct vu_config *c = &msg->payload.config;
	size_t wce = offsetof(struct virtio_blk_config, wce);

	if (msg->hdr.size < VU_CONFIG_HDR + c->size || c->size > VUB_CONFIG_SPACE)
		return -EINVAL;
	if (c->offset == wce && c->size == 1) {
		dev->blk.cfg.wce = c->region[0];
		pr_info("SET_CONFIG: wce = %u\n", c->region[0]);
		return 0;
	}
	pr_info("SET_CONFIG: offset %u size %u: read-only, ignored\n",
		c->offset, c->size);
	return -EPERM;
}

static const struct {
	const char *name;
	vu_handler_t fn;
	uint32_t min_size;
} vu_handlers[VU_REQUEST_MAX] = {
#define H(req, f, sz) [VU_##req] = { #req, f, sz }
	H(GET_FEATURES, vu_get_features, 0),
	H(SET_FEATURES, vu_set_features, 8),
	H(SET_OWNER, vu_set_owner, 0),
	H(RESET_OWNER, vu_reset_device, 0),
	H(SET_MEM_TABLE, vu_set_mem_table, 8),
	H(SET_LOG_BASE, NULL, 0),
	H(SET_LOG_FD, NULL, 0),
	H(SET_VRING_NUM, vu_set_vring_num, 8),
	H(SET_VRING_ADDR, vu_set_vring_addr, sizeof(struct vu_vring_addr)),
	H(SET_VRING_BASE, vu_set_vring_base, 8),
	H(GET_VRING_BASE, vu_get_vring_base, 8),
	H(SET_VRING_KICK, vu_set_vring_fd, 8),
	H(SET_VRING_CALL, vu_set_vring_fd, 8),
	H(SET_VRING_ERR, vu_set_vring_fd, 8),
	H(GET_PROTOCOL_FEATURES, vu_get_protocol_features, 0),
	H(SET_PROTOCOL_FEATURES, vu_set_protocol_features, 8),
	H(GET_QUEUE_NUM, vu_get_queue_num, 0),
	H(SET_VRING_ENABLE, vu_set_vring_enable, 8),
	H(SET_BACKEND_REQ_FD, vu_set_backend_req_fd, 0),
	H(GET_CONFIG, vu_get_config, VU_CONFIG_HDR),
	H(SET_CONFIG, vu_set_config, VU_CONFIG_HDR),
	H(RESET_DEVICE, vu_reset_device, 0),
#undef H
};

/*
 * Read and handle one message. Returns 0, or a negative errno when the
 * connection is unusable (the caller then disconnects).
 */
int vu_handle_message(struct vub_dev *dev)
{
	struct vu_msg msg;
	const char *name = "?";
	vu_handler_t fn = NULL;
	int ret, i;

	ret = vu_read_msg(dev->conn_fd, &msg);
	if (ret)
		return ret;

	if (msg.hdr.request < VU_REQUEST_MAX && vu_handlers[msg.hdr.request].name) {
		name = vu_handlers[msg.hdr.request].name;
		fn = vu_handlers[msg.hdr.request].fn;
		if (msg.hdr.size < vu_handlers[msg.hdr.request].min_size) {
			pr_info("vhost-user: %s: payload of %u bytes is too short\n",
				name, msg.hdr.size);
			fn = NULL;
		}
	}
	pr_debug("<- %s (%u) flags 0x%x size %u fds %d\n", name, msg.hdr.request,
		 msg.hdr.flags, msg.hdr.size, msg.nfds);
	if ((msg.hdr.flags & 3) != VU_VERSION)
		pr_info("vhost-user: %s: unexpected version in flags 0x%x\n",
			name, msg.hdr.flags);

	if (fn) {
		ret = fn(dev, &msg);
	} else {
		pr_info("vhost-user: request %u (%s) not supported\n",
			msg.hdr.request, name);
		ret = -EOPNOTSUPP;
	}
	for (i = 0; i < msg.nfds; i++)
		close(msg.fds[i]);

	if (ret < 0)
		pr_info("vhost-user: %s failed: %s\n", name, strerror(-ret));
	if (ret <= 0 && !dev->conn_error && (msg.hdr.flags & VU_FLAG_NEED_REPLY) &&
	    (dev->acked_protocol_features &
	     BIT_ULL(VHOST_USER_PROTOCOL_F_REPLY_ACK)))
		vu_reply_u64(dev, &msg, ret < 0);
	return dev->conn_error ? -EPIPE : 0;
}

/* The front-end went away: forget everything it set up. */
void vu_disconnect(struct vub_dev *dev)
{
	reset_all_vqs(dev);
	mem_unmap_all(&dev->mem);
	if (dev->backend_fd >= 0)
		close(dev->backend_fd);
	dev->backend_fd = -1;
	if (dev->conn_fd >= 0)
		close(dev->conn_fd);
	dev->conn_fd = -1;
	dev->conn_error = false;
	dev->acked_features = 0;
	dev->acked_protocol_features = 0;
	dev->owner = false;
}

/*
 * Tell the front-end the config space changed. Sent without NEED_REPLY:
 * the front-end answers it by sending us GET_CONFIG, which we could not
 * serve while blocked waiting for an ack.
 */
int vu_send_config_change(struct vub_dev *dev)
{
	struct vu_hdr hdr = {
		.request = VU_BACKEND_CONFIG_CHANGE_MSG,
		.flags = VU_VERSION,
		.size = 0,
	};
	struct iovec iov = { &hdr, sizeof(hdr) };
	int ret;

	if (dev->backend_fd < 0) {
		pr_info("config change: no back-end channel, the front-end is not told\n");
		return -ENOTCONN;
	}
	ret = write_full(dev->backend_fd, &iov, 1);
	if (ret)
		pr_info("config change: cannot send: %s\n", strerror(-ret));
	else
		pr_info("config change: sent CONFIG_CHANGE_MSG\n");
	return ret;
}
