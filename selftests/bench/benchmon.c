// SPDX-License-Identifier: GPL-2.0
/*
 * benchmon: measure one window of a running benchmark job.
 *
 *   benchmon DEV WARMUP_MS WINDOW_MS [IRQNAME]
 *
 * Sleeps WARMUP_MS (the job starts up), then takes two snapshots
 * WINDOW_MS apart of the instruction clock (/proc/vng_cputime, from the
 * vng_cputime module) and of /sys/block/DEV/stat, and prints one line:
 *
 *   BENCHMON win_ns=N instr=N ios=N rd=N wr=N rsect=N wsect=N ncpu=N
 *            cpubusy_ns=N cpuidle_busy_ns=N busy0=N busy1=N ...
 *
 * instr is the window minus the time all CPUs were idle together: at QEMU
 * -icount shift=0 the guest instructions executed in the window, so
 * instr / ios is the instructions per I/O. No process is started inside
 * the window. For comparison: cpubusy_ns is the non-idle time summed over
 * the CPUs (kcpustat; busyN per CPU), which counts time twice when two
 * vCPUs share the one icount clock, and cpuidle_busy_ns the same from the
 * cpuidle states' residency (us, each CPU read while benchmon runs on it),
 * or -1 without a cpuidle driver. With IRQNAME (e.g. "virtio0-"), irqs=N
 * is the interrupts of the /proc/interrupts lines whose name starts with
 * it, all CPUs. Exit status 0, or 1 with a message on stderr.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXCPU 64

struct snap {
	unsigned long long now, idle, allidle, cidle_k[MAXCPU];
	int ncpu, cpuidle_ok, has_all;
	unsigned long long cnow[MAXCPU], cidle[MAXCPU], irqs;
	unsigned long long st[11];
};

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Sum of CPU @cpu's cpuidle state residencies (us); -1 without cpuidle. */
static long long cpuidle_us(int cpu)
{
	char path[128];
	unsigned long long v;
	long long sum = -1;
	FILE *f;
	int st;

	for (st = 0; st < 10; st++) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%d/cpuidle/state%d/time", cpu, st);
		f = fopen(path, "r");
		if (!f)
			break;
		if (fscanf(f, "%llu", &v) == 1)
			sum = (sum < 0 ? 0 : sum) + v;
		fclose(f);
	}
	return sum;
}

/* Interrupts counted on the lines whose name starts with @name. */
static unsigned long long irq_count(const char *name)
{
	static char line[4096];
	unsigned long long sum = 0;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':'), *last, *tok, *save;
		unsigned long long cnt = 0;
		int counting = 1;

		if (!p)
			continue;
		last = NULL;
		for (tok = strtok_r(p + 1, " \t\n", &save); tok;
		     tok = strtok_r(NULL, " \t\n", &save)) {
			char *end;
			unsigned long long v = strtoull(tok, &end, 10);

			if (counting && *end == '\0')
				cnt += v;
			else
				counting = 0;
			last = tok;
		}
		if (last && !strncmp(last, name, strlen(name)))
			sum += cnt;
	}
	fclose(f);
	return sum;
}

static const char *irq_name;

static int take(const char *dev, struct snap *s)
{
	char path[256], line[256];
	unsigned long long a, b;
	cpu_set_t set;
	FILE *f;
	int n, cpu;

	memset(s, 0, sizeof(*s));
	f = fopen("/proc/vng_cputime", "r");
	if (!f) {
		perror("benchmon: /proc/vng_cputime");
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "now %llu", &a) == 1) {
			s->now = a;
		} else if (sscanf(line, "allidle %llu", &a) == 1) {
			s->allidle = a;
			s->has_all = 1;
		} else if (sscanf(line, "cpu%d %llu %llu", &n, &a, &b) == 3) {
			s->idle += a + b;
			if (n >= 0 && n < MAXCPU)
				s->cidle_k[n] = a + b;
			s->ncpu++;
		}
	}
	fclose(f);
	/*
	 * The cpuidle residency of a CPU is brought up to date when it
	 * leaves idle, so read each CPU's while running on it.
	 */
	s->cpuidle_ok = 1;
	for (cpu = 0; cpu < s->ncpu && cpu < MAXCPU; cpu++) {
		long long us;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			s->cpuidle_ok = 0;
			break;
		}
		s->cnow[cpu] = now_ns();
		us = cpuidle_us(cpu);
		if (us < 0) {
			s->cpuidle_ok = 0;
			break;
		}
		s->cidle[cpu] = us;
	}
	CPU_ZERO(&set);
	for (cpu = 0; cpu < s->ncpu && cpu < MAXCPU; cpu++)
		CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);

	if (irq_name)
		s->irqs = irq_count(irq_name);
	snprintf(path, sizeof(path), "/sys/block/%s/stat", dev);
	f = fopen(path, "r");
	if (!f) {
		perror(path);
		return 1;
	}
	n = fscanf(f, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &s->st[0], &s->st[1], &s->st[2], &s->st[3], &s->st[4],
		   &s->st[5], &s->st[6], &s->st[7], &s->st[8], &s->st[9],
		   &s->st[10]);
	fclose(f);
	if (n != 11 || !s->ncpu || !s->now || !s->has_all) {
		fprintf(stderr, "benchmon: cannot parse the counters\n");
		return 1;
	}
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts))
		;
}

int main(int argc, char **argv)
{
	struct snap a, b;
	unsigned long long win, busy, instr, rd, wr;
	long long cbusy = -1;
	int cpu;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: benchmon DEV WARMUP_MS WINDOW_MS [IRQNAME]\n");
		return 2;
	}
	if (argc == 5)
		irq_name = argv[4];
	sleep_ms(atol(argv[2]));
	if (take(argv[1], &a))
		return 1;
	sleep_ms(atol(argv[3]));
	if (take(argv[1], &b))
		return 1;
	if (a.ncpu != b.ncpu) {
		fprintf(stderr, "benchmon: CPUs went on- or offline\n");
		return 1;
	}
	win = b.now - a.now;
	busy = (unsigned long long)a.ncpu * win - (b.idle - a.idle);
	instr = win - (b.allidle - a.allidle);
	if (a.cpuidle_ok && b.cpuidle_ok) {
		cbusy = 0;
		for (cpu = 0; cpu < a.ncpu && cpu < MAXCPU; cpu++)
			cbusy += (long long)(b.cnow[cpu] - a.cnow[cpu]) -
				 (long long)(b.cidle[cpu] - a.cidle[cpu]) * 1000;
	}
	rd = b.st[0] - a.st[0];
	wr = b.st[4] - a.st[4];
	printf("BENCHMON win_ns=%llu instr=%llu ios=%llu rd=%llu wr=%llu rsect=%llu wsect=%llu ncpu=%d cpubusy_ns=%llu cpuidle_busy_ns=%lld",
	       win, instr, rd + wr, rd, wr, b.st[2] - a.st[2], b.st[6] - a.st[6],
	       a.ncpu, busy, cbusy);
	for (cpu = 0; cpu < a.ncpu && cpu < MAXCPU; cpu++)
		printf(" busy%d=%lld", cpu, (long long)win -
		       (long long)(b.cidle_k[cpu] - a.cidle_k[cpu]));
	if (irq_name)
		printf(" irqs=%llu", b.irqs - a.irqs);
	printf("\n");
	return 0;
}
