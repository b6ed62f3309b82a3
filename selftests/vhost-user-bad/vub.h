/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vhost-user-bad: a vhost-user-blk back-end that misbehaves on purpose.
 *
 * Shared definitions: the virtio structures we touch, the device state and
 * the interfaces between the parts (protocol, memory, virtqueue, block,
 * faults).
 */
#ifndef VUB_H
#define VUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define VUB_MAX_QUEUES		16
#define VUB_MAX_REGIONS		8
#define VUB_MAX_QUEUE_SIZE	1024
#define VUB_SECTOR_SHIFT	9
#define VUB_SERIAL_LEN		20	/* VIRTIO_BLK_ID_BYTES */
#define VUB_CONFIG_SPACE	256	/* largest config a front-end asks for */

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define BIT_ULL(n)		(1ULL << (n))

/* ---- virtio: feature bits ---------------------------------------------- */

#define VIRTIO_BLK_F_SIZE_MAX		1
#define VIRTIO_BLK_F_SEG_MAX		2
#define VIRTIO_BLK_F_GEOMETRY		4
#define VIRTIO_BLK_F_RO			5
#define VIRTIO_BLK_F_BLK_SIZE		6
#define VIRTIO_BLK_F_FLUSH		9
#define VIRTIO_BLK_F_TOPOLOGY		10
#define VIRTIO_BLK_F_CONFIG_WCE		11
#define VIRTIO_BLK_F_MQ			12
#define VIRTIO_BLK_F_DISCARD		13
#define VIRTIO_BLK_F_WRITE_ZEROES	14
#define VIRTIO_BLK_F_LIFETIME		15
#define VIRTIO_RING_F_INDIRECT_DESC	28
#define VIRTIO_RING_F_EVENT_IDX		29
#define VHOST_USER_F_PROTOCOL_FEATURES	30
#define VIRTIO_F_VERSION_1		32

/* vhost-user protocol feature bits (GET_PROTOCOL_FEATURES) */
#define VHOST_USER_PROTOCOL_F_MQ		0
#define VHOST_USER_PROTOCOL_F_REPLY_ACK		3
#define VHOST_USER_PROTOCOL_F_BACKEND_REQ	5
#define VHOST_USER_PROTOCOL_F_CONFIG		9

/* ---- virtio-blk: requests and config space ---------------------------- */

#define VIRTIO_BLK_T_IN			0
#define VIRTIO_BLK_T_OUT		1
#define VIRTIO_BLK_T_FLUSH		4
#define VIRTIO_BLK_T_GET_ID		8
#define VIRTIO_BLK_T_GET_LIFETIME	10
#define VIRTIO_BLK_T_DISCARD		11
#define VIRTIO_BLK_T_WRITE_ZEROES	13
#define VIRTIO_BLK_T_SECURE_ERASE	14

#define VIRTIO_BLK_S_OK			0
#define VIRTIO_BLK_S_IOERR		1
#define VIRTIO_BLK_S_UNSUPP		2

#define VIRTIO_BLK_WZ_F_UNMAP		1

struct virtio_blk_outhdr {
	uint32_t type;
	uint32_t ioprio;
	uint64_t sector;
};

struct virtio_blk_dwz_seg {
	uint64_t sector;
	uint32_t num_sectors;
	uint32_t flags;
};

/* The config layout of the virtio 1.2 spec, up to the write-zeroes fields. */
struct virtio_blk_config {
	uint64_t capacity;
	uint32_t size_max;
	uint32_t seg_max;
	uint16_t cylinders;
	uint8_t heads;
	uint8_t sectors;
	uint32_t blk_size;
	uint8_t physical_block_exp;
	uint8_t alignment_offset;
	uint16_t min_io_size;
	uint32_t opt_io_size;
	uint8_t wce;
	uint8_t unused0;
	uint16_t num_queues;
	uint32_t max_discard_sectors;
	uint32_t max_discard_seg;
	uint32_t discard_sector_alignment;
	uint32_t max_write_zeroes_sectors;
	uint32_t max_write_zeroes_seg;
	uint8_t write_zeroes_may_unmap;
	uint8_t unused1[3];
} __attribute__((packed));

/* ---- virtio: split ring ------------------------------------------------ */

#define VRING_DESC_F_NEXT		1
#define VRING_DESC_F_WRITE		2
#define VRING_DESC_F_INDIRECT		4
#define VRING_AVAIL_F_NO_INTERRUPT	1

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];	/* then: uint16_t used_event */
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];	/* then: uint16_t avail_event */
};

/* ---- logging ----------------------------------------------------------- */

extern int vub_verbose;
void vub_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define pr_info(...)	vub_log(__VA_ARGS__)
#define pr_debug(...)	do { if (vub_verbose >= 1) vub_log(__VA_ARGS__); } while (0)
#define pr_trace(...)	do { if (vub_verbose >= 2) vub_log(__VA_ARGS__); } while (0)

/* ---- guest memory (mem.c) ---------------------------------------------- */

struct vub_region {
	uint64_t gpa;		/* guest physical address */
	uint64_t size;
	uint64_t qva;		/* front-end (QEMU) virtual address */
	uint64_t mmap_offset;
	void *mmap_addr;
	size_t mmap_size;
	uint8_t *hva;		/* our address of gpa */
};

struct vub_mem {
	unsigned int nregions;
	struct vub_region regions[VUB_MAX_REGIONS];
};

int mem_set_table(struct vub_mem *mem, const void *payload, size_t size,
		  const int *fds, int nfds);
void mem_unmap_all(struct vub_mem *mem);
void *mem_gpa(const struct vub_mem *mem, uint64_t gpa, uint64_t *len);
void *mem_qva(const struct vub_mem *mem, uint64_t qva, uint64_t len);

/* ---- virtqueues (virtq.c) ---------------------------------------------- */

struct vub_dev;
struct vub_fault;

struct vub_vq {
	unsigned int index;
	unsigned int num;		/* ring size; 0 until SET_VRING_NUM */
	bool enabled;
	bool started;			/* between SET_VRING_KICK and GET_VRING_BASE */
	bool broken;			/* the driver broke the ring; ignore it */
	int kick_fd;
	int call_fd;
	int err_fd;
	uint64_t desc_qva, avail_qva, used_qva;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail_idx;	/* next avail entry we will take */
	uint16_t used_idx;		/* next used entry we will write */
	uint16_t signalled_used;	/* used_idx at the last notification */
	bool signalled_valid;
	struct vub_vq_stats {
		uint64_t nr_req;
		uint64_t nr_type[16];
		uint64_t nr_notify;
	} stats;			/* kept across resets */
};

/* One request: a descriptor chain split into what we read and write. */
struct vub_req {
	struct vub_vq *vq;
	uint16_t head;
	uint64_t seq;			/* device-wide request number, from 1 */
	struct iovec *out;		/* device-readable */
	struct iovec *in;		/* device-writable */
	unsigned int nout, nin, max_iov;
	size_t out_len, in_len;
	uint64_t status_gpa;		/* last byte of the last writable buffer */
	/* decoded request */
	uint32_t type;
	uint64_t sector;
	uint32_t data_len;
	/* result */
	uint8_t status;
	uint32_t used_len;		/* bytes we wrote to device-writable buffers */
	/* fault handling */
	const struct vub_fault *fault;
	uint64_t deadline_ns;		/* for a delayed completion; 0: never */
	struct vub_req *next;		/* on the held list */
};

void vq_reset(struct vub_vq *vq);
bool vq_map_rings(struct vub_dev *dev, struct vub_vq *vq);
int vq_pop(struct vub_dev *dev, struct vub_vq *vq, struct vub_req **reqp);
void vq_push(struct vub_vq *vq, uint32_t id, uint32_t len);
void vq_publish(struct vub_dev *dev, struct vub_vq *vq);
void vq_notify(struct vub_dev *dev, struct vub_vq *vq);
void vq_update_avail_event(struct vub_dev *dev, struct vub_vq *vq);
bool vq_in_avail(struct vub_vq *vq, uint16_t id);
void req_free(struct vub_req *req);

/* ---- block back-end (blk.c) ------------------------------------------- */

struct vub_blk {
	const char *path;		/* raw file, or NULL for memory */
	int fd;
	uint8_t *mem;
	uint64_t size;			/* bytes of backing store */
	bool ro;
	char serial[VUB_SERIAL_LEN + 1];
	struct virtio_blk_config cfg;	/* what GET_CONFIG reports */
	bool cfg_capacity_set;		/* capacity given with --cfg */
	uint16_t lifetime[3];		/* GET_LIFETIME: pre_eol, est_a, est_b */
};

int blk_open(struct vub_blk *blk, const char *path, uint64_t size);
void blk_init_config(struct vub_dev *dev);
int blk_set_config_field(struct vub_dev *dev, const char *spec);
void blk_execute(struct vub_dev *dev, struct vub_req *req);
int blk_parse(struct vub_dev *dev, struct vub_req *req);
int blk_resize(struct vub_dev *dev, uint64_t bytes);
const char *blk_type_name(uint32_t type);

/* ---- faults (fault.c) -------------------------------------------------- */

enum vub_fault_action {
	FA_NONE,
	FA_DROP,	/* never complete */
	FA_DELAY,	/* complete after arg ms */
	FA_LEN,		/* wrong used length */
	FA_ID,		/* wrong used id */
	FA_STATUS,	/* status byte arg, data transferred */
	FA_IOERR,	/* VIRTIO_BLK_S_IOERR, no transfer */
	FA_UNSUPP,	/* VIRTIO_BLK_S_UNSUPP, no transfer */
	FA_STALL,	/* from this request on, answer nothing */
	FA_RESIZE,	/* complete, then change capacity to arg bytes */
	FA_NOIRQ,	/* complete, but do not notify the driver */
};

enum vub_len_mode { LEN_ZERO, LEN_SHORT, LEN_LONG, LEN_LAX, LEN_VALUE };
enum vub_id_mode { ID_OOR, ID_FREE, ID_DUP };

#define FAULT_ANY	(-1)

struct vub_fault {
	enum vub_fault_action action;
	uint64_t arg;
	enum vub_len_mode len_mode;
	enum vub_id_mode id_mode;
	/* selection */
	int type;			/* VIRTIO_BLK_T_* or FAULT_ANY */
	int queue;			/* or FAULT_ANY */
	int64_t sector;			/* or FAULT_ANY */
	uint64_t nth;			/* first matching request to hit, from 1 */
	uint64_t count;			/* how many; 0: all from nth on */
	/* state */
	uint64_t seen;
	uint64_t fired;
	char text[160];
};

struct vub_faults {
	unsigned int n;
	struct vub_fault rules[64];
	uint64_t injected;
};

int parse_size(const char *s, uint64_t *v);
int fault_parse(struct vub_faults *faults, const char *rule);
int fault_parse_file(struct vub_faults *faults, const char *path);
const struct vub_fault *fault_match(struct vub_dev *dev, struct vub_req *req);

/* ---- the device (main.c, vhost_user.c) -------------------------------- */

struct vub_dev {
	/* options */
	const char *sock_path;
	unsigned int max_queues;
	uint64_t features;		/* offered */
	uint64_t protocol_features;	/* offered */
	/* negotiated */
	uint64_t acked_features;
	uint64_t acked_protocol_features;
	bool owner;
	/* connection */
	int listen_fd;
	int conn_fd;
	bool conn_error;		/* a reply could not be sent */
	int backend_fd;			/* back-end request channel, or -1 */
	struct vub_mem mem;
	struct vub_vq vqs[VUB_MAX_QUEUES];
	struct vub_blk blk;
	/* faults */
	struct vub_faults faults;
	bool stalled;
	struct vub_req *held;		/* dropped, delayed and stalled requests */
	uint64_t seq;
	uint64_t nr_completed;
};

static inline bool dev_has_feature(const struct vub_dev *dev, int bit)
{
	return dev->acked_features & BIT_ULL(bit);
}

int vu_handle_message(struct vub_dev *dev);
void vu_disconnect(struct vub_dev *dev);
int vu_send_config_change(struct vub_dev *dev);

/* main.c: request life cycle */
void dev_process_vq(struct vub_dev *dev, struct vub_vq *vq);
void dev_complete(struct vub_dev *dev, struct vub_req *req);
void dev_drop_held(struct vub_dev *dev, struct vub_vq *vq, const char *why);
uint64_t now_ns(void);

#endif /* VUB_H */
