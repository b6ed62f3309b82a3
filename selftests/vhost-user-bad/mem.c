// SPDX-License-Identifier: GPL-2.0
/*
 * vhost-user-bad: the guest memory table.
 *
 * VHOST_USER_SET_MEM_TABLE hands us one file descriptor per region of
 * guest RAM. We map each region and translate two kinds of addresses:
 * guest physical (descriptor buffers) and front-end virtual (the ring
 * addresses of VHOST_USER_SET_VRING_ADDR).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vub.h"

struct vu_mem_region_msg {
	uint64_t gpa;
	uint64_t size;
	uint64_t qva;
	uint64_t mmap_offset;
};

struct vu_mem_table_msg {
	uint32_t nregions;
	uint32_t padding;
	struct vu_mem_region_msg regions[VUB_MAX_REGIONS];
};

void mem_unmap_all(struct vub_mem *mem)
{
	unsigned int i;

	for (i = 0; i < mem->nregions; i++)
		munmap(mem->regions[i].mmap_addr, mem->regions[i].mmap_size);
	mem->nregions = 0;
}

/*
 * Replace the memory table. On failure the old table is gone too: the
 * front-end has to send a good one before the rings can run again.
 */
int mem_set_table(struct vub_mem *mem, const void *payload, size_t size,
		  const int *fds, int nfds)
{
	struct vu_mem_table_msg msg;
	unsigned int i;

	mem_unmap_all(mem);
	memset(&msg, 0, sizeof(msg));
	if (size < 8 || size > sizeof(msg)) {
		pr_info("SET_MEM_TABLE: bad payload size %zu\n", size);
		return -EINVAL;
	}
	memcpy(&msg, payload, size);
	if (msg.nregions > VUB_MAX_REGIONS ||
	    size < 8 + msg.nregions * sizeof(msg.regions[0]) ||
	    (int)msg.nregions != nfds) {
		pr_info("SET_MEM_TABLE: %u regions, %d fds, %zu bytes: malformed\n",
			msg.nregions, nfds, size);
		return -EINVAL;
	}

	for (i = 0; i < msg.nregions; i++) {
		const struct vu_mem_region_msg *m = &msg.regions[i];
		struct vub_region *r = &mem->regions[i];
		void *addr;

		if (!m->size || m->mmap_offset + m->size < m->size) {
			pr_info("SET_MEM_TABLE: region %u is empty or wraps\n", i);
			mem_unmap_all(mem);
			return -EINVAL;
		}
		addr = mmap(NULL, m->mmap_offset + m->size, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_NORESERVE, fds[i], 0);
		if (addr == MAP_FAILED) {
			int err = errno;

			pr_info("SET_MEM_TABLE: mmap of region %u failed: %s\n",
				i, strerror(err));
			mem_unmap_all(mem);
			return -err;
		}
		r->gpa = m->gpa;
		r->size = m->size;
		r->qva = m->qva;
		r->mmap_offset = m->mmap_offset;
		r->mmap_addr = addr;
		r->mmap_size = m->mmap_offset + m->size;
		r->hva = (uint8_t *)addr + m->mmap_offset;
		mem->nregions = i + 1;
		pr_debug("  region %u: gpa 0x%llx size 0x%llx qva 0x%llx off 0x%llx\n",
			 i, (unsigned long long)r->gpa, (unsigned long long)r->size,
			 (unsigned long long)r->qva,
			 (unsigned long long)r->mmap_offset);
	}
	return 0;
}

/*
 * Guest physical to our address. *len is the length wanted on entry and
 * the length contiguous in this region on return (never 0 on success).
 */
void *mem_gpa(const struct vub_mem *mem, uint64_t gpa, uint64_t *len)
{
	unsigned int i;

	for (i = 0; i < mem->nregions; i++) {
		const struct vub_region *r = &mem->regions[i];
		uint64_t off;

		if (gpa < r->gpa || gpa - r->gpa >= r->size)
			continue;
		off = gpa - r->gpa;
		if (*len > r->size - off)
			*len = r->size - off;
		return r->hva + off;
	}
	return NULL;
}

/* Front-end virtual to our address; all of [qva, qva + len) must map. */
void *mem_qva(const struct vub_mem *mem, uint64_t qva, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < mem->nregions; i++) {
		const struct vub_region *r = &mem->regions[i];
		uint64_t off;

		if (qva < r->qva || qva - r->qva >= r->size)
			continue;
		off = qva - r->qva;
		if (len > r->size - off)
			return NULL;
		return r->hva + off;
	}
	return NULL;
}
