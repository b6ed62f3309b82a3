// SPDX-License-Identifier: GPL-2.0
/*
 * vng_cputime: the benchmark's instruction clock. Not part of the series:
 * built and loaded by scripts/bench.sh only.
 *
 * Under QEMU -icount shift=0 the guest clock counts the instructions of
 * all vCPUs together (TCG runs them in turn on one clock), plus the jumps
 * it makes when every vCPU is halted (sleep=off). So the instructions the
 * guest executed in a window are the window's length minus the time all
 * CPUs were idle at once. Per-CPU idle time cannot tell that (two busy
 * CPUs share one clock), so this module is the guest's cpuidle driver:
 * one state that halts like the default idle, and counts how long all
 * online CPUs were in it together. The interrupt that ends an idle period
 * is handled inside the halt, so its hard and soft IRQ time (from
 * IRQ_TIME_ACCOUNTING) is taken off the all-idle time.
 *
 * /proc/vng_cputime:
 *   now NS            ktime_get_mono_fast_ns()
 *   allidle NS        time all CPUs were idle together
 *   cpuN IDLE IOWAIT  per-CPU idle and iowait (kcpustat, ns)
 */
#include <linux/cpu.h>
#include <linux/cpuidle.h>
#include <linux/cpumask.h>
#include <linux/kernel_stat.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/sched/idle.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>

static DEFINE_RAW_SPINLOCK(vc_lock);
static unsigned int vc_nidle, vc_ncpus;
static u64 vc_all_start, vc_all_total;

static __always_inline u64 vc_irqtime(void)
{
	const u64 *cs = kcpustat_this_cpu->cpustat;

	return READ_ONCE(cs[CPUTIME_IRQ]) + READ_ONCE(cs[CPUTIME_SOFTIRQ]);
}

static __cpuidle int vc_enter(struct cpuidle_device *dev,
			      struct cpuidle_driver *drv, int index)
{
	u64 irq0, now;
	bool all;

	if (current_clr_polling_and_test())
		return index;

	irq0 = vc_irqtime();
	raw_spin_lock(&vc_lock);
	if (++vc_nidle == vc_ncpus)
		vc_all_start = ktime_get_mono_fast_ns();
	raw_spin_unlock(&vc_lock);

	arch_cpu_idle();	/* sti; hlt: the waking interrupt runs in here */

	raw_spin_lock(&vc_lock);
	all = vc_nidle-- == vc_ncpus;
	if (all) {
		u64 irq = vc_irqtime() - irq0;

		now = ktime_get_mono_fast_ns();
		if (now > vc_all_start + irq)
			vc_all_total += now - vc_all_start - irq;
	}
	raw_spin_unlock(&vc_lock);
	return index;
}

static struct cpuidle_driver vc_driver = {
	.name = "vng_cputime",
	.states = {
		{
			.enter			= vc_enter,
			.exit_latency		= 1,
			.target_residency	= 1,
			.name			= "HALT",
			.desc			= "halt, counted",
		},
	},
	.state_count = 1,
};

static int vng_cputime_show(struct seq_file *m, void *v)
{
	unsigned long flags;
	u64 all;
	int cpu;

	raw_spin_lock_irqsave(&vc_lock, flags);
	all = vc_all_total;
	raw_spin_unlock_irqrestore(&vc_lock, flags);
	seq_printf(m, "now %llu\n", (unsigned long long)ktime_get_mono_fast_ns());
	seq_printf(m, "allidle %llu\n", (unsigned long long)all);
	for_each_online_cpu(cpu)
		seq_printf(m, "cpu%d %llu %llu\n", cpu,
			   (unsigned long long)kcpustat_field_idle(cpu),
			   (unsigned long long)kcpustat_field_iowait(cpu));
	return 0;
}

static int __init vng_cputime_init(void)
{
	int err;

	/* CPUs going on- or offline would break the count: benchmon checks. */
	vc_ncpus = num_online_cpus();
	err = cpuidle_register(&vc_driver, NULL);
	if (err)
		return err;
	if (!proc_create_single("vng_cputime", 0444, NULL, vng_cputime_show)) {
		cpuidle_unregister(&vc_driver);
		return -ENOMEM;
	}
	return 0;
}

static void __exit vng_cputime_exit(void)
{
	remove_proc_entry("vng_cputime", NULL);
	cpuidle_unregister(&vc_driver);
}

module_init(vng_cputime_init);
module_exit(vng_cputime_exit);
MODULE_DESCRIPTION("All-CPUs-idle time for the virtio-ng benchmark");
MODULE_LICENSE("GPL");
