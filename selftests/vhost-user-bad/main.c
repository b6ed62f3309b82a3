// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-user-bad: a vhost-user-blk back-end that misbehaves on purpose,
 * for testing guest virtio-blk drivers against a device that drops,
 * delays or garbles completions and reports garbled config.
 *
 * This file: options, the event loop (one thread: the vhost-user socket,
 * the queues' kick eventfds, and a timer for delayed completions) and the
 * life of a request from the available ring to the used ring, where the
 * fault engine gets its say.
 */
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vub.h"

int vub_verbose;
static uint64_t start_ns;
static volatile sig_atomic_t quit_signal;

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void vub_log(const char *fmt, ...)
{
	uint64_t t = now_ns() - start_ns;
	va_list ap;

	fprintf(stderr, "[%5" PRIu64 ".%03" PRIu64 "] vub: ", t / 1000000000,
		t / 1000000 % 1000);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* ---- held requests: dropped, delayed, stalled --------------------------- */

static void dev_hold(struct vub_dev *dev, struct vub_req *req, uint64_t deadline)
{
	req->deadline_ns = deadline;
	req->next = dev->held;
	dev->held = req;
}

/* Forget held requests of vq (all queues if NULL): the ring is gone. */
void dev_drop_held(struct vub_dev *dev, struct vub_vq *vq, const char *why)
{
	struct vub_req **pp = &dev->held;
	unsigned int n = 0;

	while (*pp) {
		struct vub_req *req = *pp;

		if (vq && req->vq != vq) {
			pp = &req->next;
			continue;
		}
		*pp = req->next;
		pr_debug("q%u: req #%" PRIu64 " head %u never completed (%s)\n",
			 req->vq->index, req->seq, req->head, why);
		req_free(req);
		n++;
	}
	if (n)
		pr_info("%s: %u uncompleted requests forgotten\n", why, n);
}

static int dev_timeout_ms(struct vub_dev *dev)
{
	uint64_t now = now_ns(), first = 0;
	struct vub_req *req;

	if (dev->stalled)
		return -1;
	for (req = dev->held; req; req = req->next)
		if (req->deadline_ns && (!first || req->deadline_ns < first))
			first = req->deadline_ns;
	if (!first)
		return -1;
	if (first <= now)
		return 0;
	return (first - now + 999999) / 1000000;
}

static void dev_run_timers(struct vub_dev *dev)
{
	struct vub_req **pp = &dev->held;
	uint64_t now = now_ns();

	if (dev->stalled)
		return;
	while (*pp) {
		struct vub_req *req = *pp;

		if (!req->deadline_ns || req->deadline_ns > now) {
			pp = &req->next;
			continue;
		}
		*pp = req->next;
		pr_info("q%u: req #%" PRIu64 " head %u: delayed completion now\n",
			req->vq->index, req->seq, req->head);
		dev_complete(dev, req);
		pp = &dev->held;	/* the list may have changed */
	}
}

/* ---- completion, with the faults that act on it ------------------------ */

/* An id that is neither in flight with us nor waiting in the avail ring. */
static uint16_t pick_free_id(struct vub_dev *dev, struct vub_req *req)
{
	struct vub_vq *vq = req->vq;
	unsigned int i;

	for (i = 1; i < vq->num; i++) {
		uint16_t id = (req->head + i) % vq->num;
		struct vub_req *h;
		bool busy = vq_in_avail(vq, id);

		for (h = dev->held; h && !busy; h = h->next)
			busy = h->vq == vq && h->head == id;
		if (!busy)
			return id;
	}
	return req->head;
}

void dev_complete(struct vub_dev *dev, struct vub_req *req)
{
	const struct vub_fault *f = req->fault;
	struct vub_vq *vq = req->vq;
	uint32_t id = req->head, len = req->used_len;
	uint8_t status = req->status;
	bool dup = false;

	if (!vq->started || !vq->used) {
		pr_info("q%u: req #%" PRIu64 ": queue stopped, completion discarded\n",
			vq->index, req->seq);
		req_free(req);
		return;
	}
	if (f) {
		switch (f->action) {
		case FA_STATUS:
			status = f->arg;
			pr_info("  -> status %u instead of %u\n", status, req->status);
			break;
		case FA_LEN:
			switch (f->len_mode) {
			case LEN_ZERO:
				len = 0;
				break;
			case LEN_SHORT:
				len = req->used_len / 2;
				break;
			case LEN_LONG:
				len = req->in_len + 4096;
				break;
			case LEN_LAX:
				/* The quirk of a device that counts its data but not the status byte. */
				len = req->used_len ? req->used_len - 1 : 0;
				break;
			case LEN_VALUE:
				len = f->arg;
				break;
			}
			pr_info("  -> used len %u instead of %u (writable buffer %zu)\n",
				len, req->used_len, req->in_len);
			break;
		case FA_ID:
			if (f->id_mode == ID_OOR) {
				id = vq->num + 7;
				pr_info("  -> used id %u (ring size %u) instead of %u; the request is lost\n",
					id, vq->num, req->head);
			} else if (f->id_mode == ID_FREE) {
				id = pick_free_id(dev, req);
				pr_info("  -> used id %u (not in flight) instead of %u; the request is lost\n",
					id, req->head);
			} else {
				dup = true;
				pr_info("  -> completed twice: id %u in two used entries\n",
					id);
			}
			break;
		default:
			break;
		}
	}

	{
		uint64_t l = 1;
		uint8_t *p = mem_gpa(&dev->mem, req->status_gpa, &l);

		if (p)
			*p = status;
		else
			pr_info("q%u: req #%" PRIu64 ": status byte not in guest memory\n",
				vq->index, req->seq);
	}
	vq_push(vq, id, len);
	if (dup)
		vq_push(vq, id, len);
	vq_publish(dev, vq);
	if (f && f->action == FA_NOIRQ)
		pr_info("  -> completed without notifying the driver\n");
	else
		vq_notify(dev, vq);
	dev->nr_completed++;
	req_free(req);
}

/* ---- a request from the available ring ---------------------------------- */

static void dev_handle_req(struct vub_dev *dev, struct vub_req *req)
{
	struct vub_vq *vq = req->vq;
	const struct vub_fault *f;
	enum vub_fault_action action;

	if (blk_parse(dev, req)) {
		/* No header or no status byte: nothing sane to answer. */
		vq_push(vq, req->head, 0);
		vq_publish(dev, vq);
		vq_notify(dev, vq);
		req_free(req);
		return;
	}
	req->seq = ++dev->seq;
	vq->stats.nr_req++;
	vq->stats.nr_type[req->type < 16 ? req->type : 15]++;

	f = fault_match(dev, req);
	req->fault = f;
	action = f ? f->action : FA_NONE;

	switch (action) {
	case FA_STALL:
		dev->stalled = true;
		pr_info("  -> device stalls: from now on no request is completed or even read\n");
		dev_hold(dev, req, 0);
		return;
	case FA_IOERR:
	case FA_UNSUPP:
		req->status = action == FA_IOERR ? VIRTIO_BLK_S_IOERR :
						   VIRTIO_BLK_S_UNSUPP;
		req->used_len = 1;
		pr_info("  -> status %s, no data transferred\n",
			action == FA_IOERR ? "IOERR" : "UNSUPP");
		break;
	default:
		blk_execute(dev, req);
		break;
	}

	switch (action) {
	case FA_DROP:
		pr_info("  -> dropped: never completed\n");
		dev_hold(dev, req, 0);
		return;
	case FA_DELAY:
		pr_info("  -> completion delayed by %" PRIu64 " ms\n", f->arg);
		dev_hold(dev, req, now_ns() + f->arg * 1000000ULL);
		return;
	default:
		break;
	}

	dev_complete(dev, req);

	if (action == FA_RESIZE) {
		pr_info("  -> resize to %" PRIu64 " bytes\n", f->arg);
		if (!blk_resize(dev, f->arg))
			vu_send_config_change(dev);
	}
}

void dev_process_vq(struct vub_dev *dev, struct vub_vq *vq)
{
	struct vub_req *req;
	int ret;

	if (!vq->started || !vq->enabled || vq->broken || !vq->avail)
		return;
	for (;;) {
		if (dev->stalled)
			return;
		ret = vq_pop(dev, vq, &req);
		if (ret < 0)
			return;
		if (ret == 0) {
			/* With EVENT_IDX: ask for a kick, then look once more. */
			vq_update_avail_event(dev, vq);
			ret = vq_pop(dev, vq, &req);
			if (ret <= 0)
				return;
		}
		dev_handle_req(dev, req);
	}
}

/* ---- options ------------------------------------------------------------ */

/* "P,A,B": the three 16-bit lifetime fields. */
static int parse_lifetime(const char *s, uint16_t out[3])
{
	unsigned int v[3];
	char end;

	if (sscanf(s, "%u,%u,%u%c", &v[0], &v[1], &v[2], &end) != 3 ||
	    v[0] > 0xffff || v[1] > 0xffff || v[2] > 0xffff)
		return -1;
	out[0] = v[0];
	out[1] = v[1];
	out[2] = v[2];
	return 0;
}

static void usage(FILE *fp)
{
	fprintf(fp,
"usage: vhost-user-bad --socket PATH [options]\n"
"\n"
"A vhost-user-blk back-end for QEMU's vhost-user-blk-pci that can misbehave.\n"
"\n"
"device:\n"
"  --socket PATH       listen on this unix socket (required)\n"
"  --file PATH         raw image file (default: memory)\n"
"  --size BYTES        disk size (K/M/G suffixes; default: the file's, or 64M)\n"
"  --queues N          queues offered (GET_QUEUE_NUM; default 8)\n"
"  --serial STR        GET_ID answer (default vhost-user-bad)\n"
"  --ro                read-only (VIRTIO_BLK_F_RO)\n"
"  --discard           offer DISCARD\n"
"  --write-zeroes      offer WRITE_ZEROES\n"
"  --no-flush          do not offer FLUSH\n"
"  --no-indirect       do not offer INDIRECT_DESC\n"
"  --event-idx         offer EVENT_IDX\n"
"  --lifetime P,A,B    offer LIFETIME; GET_LIFETIME answers pre_eol_info P,\n"
"                      device_lifetime_est_typ_a A and _b B\n"
"  --feature [+-]BIT   add or remove a virtio feature bit from the offer\n"
"  --once              exit when the first front-end disconnects\n"
"\n"
"misbehaviour:\n"
"  --cfg FIELD=VALUE   report VALUE in config FIELD (capacity, size_max,\n"
"                      seg_max, cylinders, heads, sectors, blk_size,\n"
"                      physical_block_exp, alignment_offset, min_io_size,\n"
"                      opt_io_size, wce, num_queues, max_discard_sectors,\n"
"                      max_discard_seg, discard_sector_alignment,\n"
"                      max_write_zeroes_sectors, max_write_zeroes_seg,\n"
"                      write_zeroes_may_unmap); turns on the field's feature\n"
"  --fault RULE        inject a fault (repeatable), see below\n"
"  --fault-file PATH   fault rules, one a line, '#' comments\n"
"  -v, --verbose       log protocol messages (-vv: every request)\n"
"\n"
"RULE: ACTION [type=T] [queue=Q] [sector=S] [nth=N] [count=C|all]\n"
"  ACTION: drop | delay=MS | len=zero|short|long|N | id=oor|free|dup |\n"
"          status=N | ioerr | unsupp | stall | resize=BYTES\n"
"  T: in out flush getid discard wz any (or a number)\n"
"  the rule fires on the Nth request matching T/Q/S (default 1), and on\n"
"  C-1 more (default count=1); words may be separated by commas.\n");
}

enum {
	OPT_SOCKET = 256, OPT_FILE, OPT_SIZE, OPT_QUEUES, OPT_SERIAL, OPT_RO,
	OPT_DISCARD, OPT_WZ, OPT_NO_FLUSH, OPT_NO_INDIRECT, OPT_EVENT_IDX,
	OPT_FEATURE, OPT_ONCE, OPT_CFG, OPT_FAULT, OPT_FAULT_FILE, OPT_LIFETIME,
};

static const struct option options[] = {
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "file", required_argument, NULL, OPT_FILE },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "queues", required_argument, NULL, OPT_QUEUES },
	{ "serial", required_argument, NULL, OPT_SERIAL },
	{ "ro", no_argument, NULL, OPT_RO },
	{ "discard", no_argument, NULL, OPT_DISCARD },
	{ "write-zeroes", no_argument, NULL, OPT_WZ },
	{ "no-flush", no_argument, NULL, OPT_NO_FLUSH },
	{ "no-indirect", no_argument, NULL, OPT_NO_INDIRECT },
	{ "event-idx", no_argument, NULL, OPT_EVENT_IDX },
	{ "lifetime", required_argument, NULL, OPT_LIFETIME },
	{ "feature", required_argument, NULL, OPT_FEATURE },
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "cfg", required_argument, NULL, OPT_CFG },
	{ "fault", required_argument, NULL, OPT_FAULT },
	{ "fault-file", required_argument, NULL, OPT_FAULT_FILE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* ---- the event loop ----------------------------------------------------- */

static void on_signal(int sig)
{
	quit_signal = sig;
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		pr_info("socket path too long: %s\n", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1)) {
		pr_info("cannot listen on %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void print_stats(struct vub_dev *dev)
{
	unsigned int i, held = 0;
	struct vub_req *req;

	for (req = dev->held; req; req = req->next)
		held++;
	pr_info("stats: %" PRIu64 " requests, %" PRIu64 " completed, %u held, %"
		PRIu64 " faults injected%s\n", dev->seq, dev->nr_completed, held,
		dev->faults.injected, dev->stalled ? ", stalled" : "");
	for (i = 0; i < dev->max_queues; i++) {
		const struct vub_vq_stats *st = &dev->vqs[i].stats;

		if (!st->nr_req)
			continue;
		pr_info("stats: q%u: %" PRIu64 " requests: in %" PRIu64 " out %"
			PRIu64 " flush %" PRIu64 " getid %" PRIu64 " discard %"
			PRIu64 " wz %" PRIu64 "; %" PRIu64 " notifications\n",
			i, st->nr_req, st->nr_type[VIRTIO_BLK_T_IN],
			st->nr_type[VIRTIO_BLK_T_OUT], st->nr_type[VIRTIO_BLK_T_FLUSH],
			st->nr_type[VIRTIO_BLK_T_GET_ID],
			st->nr_type[VIRTIO_BLK_T_DISCARD],
			st->nr_type[VIRTIO_BLK_T_WRITE_ZEROES], st->nr_notify);
	}
	for (i = 0; i < dev->faults.n; i++)
		pr_info("stats: rule '%s': matched %" PRIu64 ", fired %" PRIu64 "\n",
			dev->faults.rules[i].text, dev->faults.rules[i].seen,
			dev->faults.rules[i].fired);
}

static void run(struct vub_dev *dev, bool once)
{
	struct pollfd pfd[1 + VUB_MAX_QUEUES];
	struct vub_vq *pvq[1 + VUB_MAX_QUEUES];
	sigset_t empty;

	sigemptyset(&empty);
	while (!quit_signal) {
		struct timespec ts, *tsp = NULL;
		int timeout = dev_timeout_ms(dev);
		unsigned int i, n = 0;
		int ret;

		pfd[n].fd = dev->conn_fd >= 0 ? dev->conn_fd : dev->listen_fd;
		pfd[n].events = POLLIN;
		pvq[n++] = NULL;
		for (i = 0; i < dev->max_queues; i++) {
			struct vub_vq *vq = &dev->vqs[i];

			if (!vq->started || vq->kick_fd < 0)
				continue;
			pfd[n].fd = vq->kick_fd;
			pfd[n].events = POLLIN;
			pvq[n++] = vq;
		}
		if (timeout >= 0) {
			ts.tv_sec = timeout / 1000;
			ts.tv_nsec = timeout % 1000 * 1000000L;
			tsp = &ts;
		}
		/* Signals are blocked except while we wait here. */
		ret = ppoll(pfd, n, tsp, &empty);
		if (ret < 0 && errno != EINTR) {
			pr_info("poll: %s\n", strerror(errno));
			break;
		}
		if (quit_signal)
			break;

		if (ret > 0 && pfd[0].revents) {
			if (dev->conn_fd < 0) {
				dev->conn_fd = accept4(dev->listen_fd, NULL, NULL,
						       SOCK_CLOEXEC);
				if (dev->conn_fd >= 0)
					pr_info("front-end connected\n");
			} else if (vu_handle_message(dev) < 0) {
				pr_info("front-end disconnected\n");
				vu_disconnect(dev);
				if (once)
					break;
			}
		}
		for (i = 1; ret > 0 && i < n; i++) {
			struct vub_vq *vq = pvq[i];
			uint64_t v;

			/* A message may have replaced or closed the kick fd. */
			if (!pfd[i].revents || vq->kick_fd != pfd[i].fd)
				continue;
			if (read(vq->kick_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				pr_info("q%u: kick read: %s\n", vq->index, strerror(errno));
			dev_process_vq(dev, vq);
		}
		dev_run_timers(dev);
	}
	if (quit_signal)
		pr_info("signal %d: exiting\n", (int)quit_signal);
}

int main(int argc, char **argv)
{
	static struct vub_dev dev;
	const char *file = NULL, *cfgs[64];
	unsigned int ncfg = 0, i;
	uint64_t size = 0, v;
	struct sigaction sa;
	bool once = false;
	sigset_t block;
	int opt;

	start_ns = now_ns();
	setvbuf(stderr, NULL, _IOLBF, 0);
	dev.conn_fd = dev.listen_fd = dev.backend_fd = -1;
	dev.blk.fd = -1;
	dev.max_queues = 8;
	for (i = 0; i < VUB_MAX_QUEUES; i++) {
		dev.vqs[i].index = i;
		dev.vqs[i].kick_fd = dev.vqs[i].call_fd = dev.vqs[i].err_fd = -1;
	}
	strcpy(dev.blk.serial, "vhost-user-bad");
	dev.features = BIT_ULL(VIRTIO_F_VERSION_1) |
		       BIT_ULL(VHOST_USER_F_PROTOCOL_FEATURES) |
		       BIT_ULL(VIRTIO_BLK_F_SEG_MAX) |
		       BIT_ULL(VIRTIO_BLK_F_BLK_SIZE) |
		       BIT_ULL(VIRTIO_BLK_F_FLUSH) |
		       BIT_ULL(VIRTIO_BLK_F_MQ) |
		       BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC);
	dev.protocol_features = BIT_ULL(VHOST_USER_PROTOCOL_F_MQ) |
				BIT_ULL(VHOST_USER_PROTOCOL_F_REPLY_ACK) |
				BIT_ULL(VHOST_USER_PROTOCOL_F_BACKEND_REQ) |
				BIT_ULL(VHOST_USER_PROTOCOL_F_CONFIG);

	while ((opt = getopt_long(argc, argv, "vh", options, NULL)) != -1) {
		switch (opt) {
		case OPT_SOCKET:
			dev.sock_path = optarg;
			break;
		case OPT_FILE:
			file = optarg;
			break;
		case OPT_SIZE:
			if (parse_size(optarg, &size) || !size) {
				fprintf(stderr, "bad --size %s\n", optarg);
				return 2;
			}
			break;
		case OPT_QUEUES:
			if (parse_size(optarg, &v) || !v || v > VUB_MAX_QUEUES) {
				fprintf(stderr, "--queues: 1..%d\n", VUB_MAX_QUEUES);
				return 2;
			}
			dev.max_queues = v;
			break;
		case OPT_SERIAL:
			snprintf(dev.blk.serial, sizeof(dev.blk.serial), "%s", optarg);
			break;
		case OPT_RO:
			dev.blk.ro = true;
			dev.features |= BIT_ULL(VIRTIO_BLK_F_RO);
			break;
		case OPT_DISCARD:
			dev.features |= BIT_ULL(VIRTIO_BLK_F_DISCARD);
			break;
		case OPT_WZ:
			dev.features |= BIT_ULL(VIRTIO_BLK_F_WRITE_ZEROES);
			break;
		case OPT_NO_FLUSH:
			dev.features &= ~BIT_ULL(VIRTIO_BLK_F_FLUSH);
			break;
		case OPT_NO_INDIRECT:
			dev.features &= ~BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC);
			break;
		case OPT_EVENT_IDX:
			dev.features |= BIT_ULL(VIRTIO_RING_F_EVENT_IDX);
			break;
		case OPT_LIFETIME:
			if (parse_lifetime(optarg, dev.blk.lifetime)) {
				fprintf(stderr, "--lifetime: P,A,B (each 0..65535)\n");
				return 2;
			}
			dev.features |= BIT_ULL(VIRTIO_BLK_F_LIFETIME);
			break;
		case OPT_FEATURE:
			if ((optarg[0] != '+' && optarg[0] != '-') ||
			    parse_size(optarg + 1, &v) || v > 63) {
				fprintf(stderr, "--feature: +BIT or -BIT\n");
				return 2;
			}
			if (optarg[0] == '+')
				dev.features |= BIT_ULL(v);
			else
				dev.features &= ~BIT_ULL(v);
			break;
		case OPT_ONCE:
			once = true;
			break;
		case OPT_CFG:
			if (ncfg == ARRAY_SIZE(cfgs)) {
				fprintf(stderr, "too many --cfg\n");
				return 2;
			}
			cfgs[ncfg++] = optarg;
			break;
		case OPT_FAULT:
			if (fault_parse(&dev.faults, optarg))
				return 2;
			break;
		case OPT_FAULT_FILE:
			if (fault_parse_file(&dev.faults, optarg))
				return 2;
			break;
		case 'v':
			vub_verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!dev.sock_path || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (dev.max_queues == 1)
		dev.features &= ~BIT_ULL(VIRTIO_BLK_F_MQ);

	if (blk_open(&dev.blk, file, size))
		return 1;
	blk_init_config(&dev);
	for (i = 0; i < ncfg; i++)
		if (blk_set_config_field(&dev, cfgs[i]))
			return 2;

	/* SIGTERM/SIGINT end the loop (and print statistics) in ppoll(). */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, NULL);

	dev.listen_fd = listen_on(dev.sock_path);
	if (dev.listen_fd < 0)
		return 1;
	pr_info("listening on %s: %s %" PRIu64 " bytes, %u queues, features 0x%"
		PRIx64 ", %u fault rules\n",
		dev.sock_path, file ? file : "memory", dev.blk.size, dev.max_queues,
		dev.features, dev.faults.n);
	for (i = 0; i < dev.faults.n; i++)
		pr_info("fault rule %u: %s\n", i + 1, dev.faults.rules[i].text);

	run(&dev, once);

	print_stats(&dev);
	vu_disconnect(&dev);
	close(dev.listen_fd);
	unlink(dev.sock_path);
	if (dev.blk.fd >= 0)
		close(dev.blk.fd);
	free(dev.blk.mem);
	return 0;
}
