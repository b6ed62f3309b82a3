// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-user-bad: the fault engine.
 *
 * A fault rule is an action and a selection:
 *
 *   ACTION[=ARG] [type=T] [queue=Q] [sector=S] [nth=N] [count=C]
 *
 * (words separated by spaces or commas). Every rule counts the requests
 * that match its type/queue/sector filters; it fires on the nth of them
 * and the count-1 after it (count=all: every one from nth on). When
 * several rules fire on one request, the first one given wins; all of
 * them still count it. See README.md for the actions.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vub.h"

static const struct {
	const char *name;
	int type;
} type_names[] = {
	{ "in", VIRTIO_BLK_T_IN },
	{ "read", VIRTIO_BLK_T_IN },
	{ "out", VIRTIO_BLK_T_OUT },
	{ "write", VIRTIO_BLK_T_OUT },
	{ "flush", VIRTIO_BLK_T_FLUSH },
	{ "getid", VIRTIO_BLK_T_GET_ID },
	{ "lifetime", VIRTIO_BLK_T_GET_LIFETIME },
	{ "discard", VIRTIO_BLK_T_DISCARD },
	{ "wz", VIRTIO_BLK_T_WRITE_ZEROES },
	{ "write-zeroes", VIRTIO_BLK_T_WRITE_ZEROES },
	{ "erase", VIRTIO_BLK_T_SECURE_ERASE },
	{ "any", FAULT_ANY },
};

/* A number (any base), with an optional K, M or G suffix. */
int parse_size(const char *s, uint64_t *v)
{
	unsigned int shift = 0;
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	}
	if (shift) {
		if (*v > (UINT64_MAX >> shift))
			return -ERANGE;
		*v <<= shift;
		end++;
	}
	return *end ? -EINVAL : 0;
}

static int parse_action(struct vub_fault *f, const char *word)
{
	const char *arg = strchr(word, '=');
	size_t len = arg ? (size_t)(arg - word) : strlen(word);

	if (arg)
		arg++;
#define IS(s) (len == strlen(s) && !strncmp(word, s, len))
	if (IS("drop") && !arg) {
		f->action = FA_DROP;
	} else if (IS("delay") && arg) {
		f->action = FA_DELAY;
		return parse_size(arg, &f->arg);
	} else if (IS("len") && arg) {
		f->action = FA_LEN;
		if (!strcmp(arg, "zero"))
			f->len_mode = LEN_ZERO;
		else if (!strcmp(arg, "short"))
			f->len_mode = LEN_SHORT;
		else if (!strcmp(arg, "long"))
			f->len_mode = LEN_LONG;
		else if (!strcmp(arg, "lax"))
			f->len_mode = LEN_LAX;
		else if (parse_size(arg, &f->arg) == 0 && f->arg <= UINT32_MAX)
			f->len_mode = LEN_VALUE;
		else
			return -EINVAL;
	} else if (IS("id") && arg) {
		f->action = FA_ID;
		if (!strcmp(arg, "oor"))
			f->id_mode = ID_OOR;
		else if (!strcmp(arg, "free"))
			f->id_mode = ID_FREE;
		else if (!strcmp(arg, "dup"))
			f->id_mode = ID_DUP;
		else
			return -EINVAL;
	} else if (IS("status") && arg) {
		f->action = FA_STATUS;
		if (parse_size(arg, &f->arg) || f->arg > 255)
			return -EINVAL;
	} else if (IS("ioerr") && !arg) {
		f->action = FA_IOERR;
	} else if (IS("unsupp") && !arg) {
		f->action = FA_UNSUPP;
	} else if (IS("stall") && !arg) {
		f->action = FA_STALL;
		f->count = 0;
	} else if (IS("noirq") && !arg) {
		f->action = FA_NOIRQ;
	} else if (IS("resize") && arg) {
		f->action = FA_RESIZE;
		return parse_size(arg, &f->arg);
	} else {
		return -EINVAL;
	}
#undef IS
	return 0;
}

static int parse_selector(struct vub_fault *f, const char *word)
{
	const char *v = strchr(word, '=');
	uint64_t n;
	size_t i;

	if (!v)
		return -EINVAL;
	v++;
	if (!strncmp(word, "type=", 5)) {
		for (i = 0; i < ARRAY_SIZE(type_names); i++) {
			if (!strcmp(v, type_names[i].name)) {
				f->type = type_names[i].type;
				return 0;
			}
		}
		if (parse_size(v, &n) || n > INT32_MAX)
			return -EINVAL;
		f->type = n;
	} else if (!strncmp(word, "queue=", 6)) {
		if (!strcmp(v, "any")) {
			f->queue = FAULT_ANY;
			return 0;
		}
		if (parse_size(v, &n) || n >= VUB_MAX_QUEUES)
			return -EINVAL;
		f->queue = n;
	} else if (!strncmp(word, "sector=", 7)) {
		if (!strcmp(v, "any")) {
			f->sector = FAULT_ANY;
			return 0;
		}
		if (parse_size(v, &n) || n > INT64_MAX)
			return -EINVAL;
		f->sector = n;
	} else if (!strncmp(word, "nth=", 4)) {
		if (parse_size(v, &n) || !n)
			return -EINVAL;
		f->nth = n;
	} else if (!strncmp(word, "count=", 6)) {
		if (!strcmp(v, "all"))
			n = 0;
		else if (parse_size(v, &n) || !n)
			return -EINVAL;
		f->count = n;
	} else {
		return -EINVAL;
	}
	return 0;
}

int fault_parse(struct vub_faults *faults, const char *rule)
{
	struct vub_fault f = {
		.type = FAULT_ANY, .queue = FAULT_ANY, .sector = FAULT_ANY,
		.nth = 1, .count = 1,
	};
	char buf[sizeof(f.text)], *save, *word;
	bool first = true;

	if (strlen(rule) >= sizeof(buf)) {
		fprintf(stderr, "fault rule too long: %s\n", rule);
		return -EINVAL;
	}
	if (faults->n == ARRAY_SIZE(faults->rules)) {
		fprintf(stderr, "too many fault rules\n");
		return -ENOSPC;
	}
	strcpy(buf, rule);
	for (word = strtok_r(buf, " \t,", &save); word;
	     word = strtok_r(NULL, " \t,", &save)) {
		int ret = first ? parse_action(&f, word) : parse_selector(&f, word);

		if (ret) {
			fprintf(stderr, "fault rule '%s': cannot parse '%s'\n",
				rule, word);
			return ret;
		}
		first = false;
	}
	if (first) {
		fprintf(stderr, "empty fault rule\n");
		return -EINVAL;
	}
	strcpy(f.text, rule);
	faults->rules[faults->n++] = f;
	return 0;
}

/* One rule a line; '#' starts a comment. */
int fault_parse_file(struct vub_faults *faults, const char *path)
{
	char line[256];
	FILE *fp = fopen(path, "r");
	int ret = 0;

	if (!fp) {
		fprintf(stderr, "cannot open fault file %s\n", path);
		return -ENOENT;
	}
	while (!ret && fgets(line, sizeof(line), fp)) {
		char *p = strchr(line, '#'), *s = line, *e;

		if (p)
			*p = 0;
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
			*--e = 0;
		if (*s)
			ret = fault_parse(faults, s);
	}
	fclose(fp);
	return ret;
}

/* Count the request against every rule; return the rule that fires. */
const struct vub_fault *fault_match(struct vub_dev *dev, struct vub_req *req)
{
	struct vub_faults *faults = &dev->faults;
	struct vub_fault *hit = NULL;
	unsigned int i;

	for (i = 0; i < faults->n; i++) {
		struct vub_fault *f = &faults->rules[i];

		if (f->type != FAULT_ANY && (uint32_t)f->type != req->type)
			continue;
		if (f->queue != FAULT_ANY && (unsigned int)f->queue != req->vq->index)
			continue;
		if (f->sector != FAULT_ANY && (uint64_t)f->sector != req->sector)
			continue;
		f->seen++;
		if (hit || f->seen < f->nth ||
		    (f->count && f->seen - f->nth >= f->count))
			continue;
		hit = f;
	}
	if (!hit)
		return NULL;
	hit->fired++;
	faults->injected++;
	pr_info("FAULT %" PRIu64 ": q%u req #%" PRIu64 " head %u %s sector %"
		PRIu64 " +%u hits rule '%s' (match %" PRIu64 ")\n",
		faults->injected, req->vq->index, req->seq, req->head,
		blk_type_name(req->type), req->sector, req->data_len, hit->text,
		hit->seen);
	return hit;
}
