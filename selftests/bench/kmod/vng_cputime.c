// SPDX-License-Identifier: GPL-2.0
/*
 * vng_cputime: the benchmark's CPU clock. /proc/vng_cputime shows, per
 * online CPU, its idle and iowait time in nanoseconds (kcpustat, the
 * accounting behind /proc/stat, but without /proc/stat's USER_HZ rounding
 * and including an idle period still under way), and the time of reading.
 *
 *   now NS
 *   cpuN IDLE_NS IOWAIT_NS
 *
 * Under QEMU -icount shift=0 one guest nanosecond is one instruction, so
 * the non-idle time of a window is the instructions the guest spent.
 * Not part of the series: built and loaded by scripts/bench.sh only.
 */
#include <linux/cpumask.h>
#include <linux/kernel_stat.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

static int vng_cputime_show(struct seq_file *m, void *v)
{
	int cpu;

	seq_printf(m, "now %llu\n", (unsigned long long)ktime_get_ns());
	for_each_online_cpu(cpu)
		seq_printf(m, "cpu%d %llu %llu\n", cpu,
			   (unsigned long long)kcpustat_field_idle(cpu),
			   (unsigned long long)kcpustat_field_iowait(cpu));
	return 0;
}

static int __init vng_cputime_init(void)
{
	if (!proc_create_single("vng_cputime", 0444, NULL, vng_cputime_show))
		return -ENOMEM;
	return 0;
}

static void __exit vng_cputime_exit(void)
{
	remove_proc_entry("vng_cputime", NULL);
}

module_init(vng_cputime_init);
module_exit(vng_cputime_exit);
MODULE_DESCRIPTION("Per-CPU idle time in ns for the virtio-ng benchmark");
MODULE_LICENSE("GPL");
