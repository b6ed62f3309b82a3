// SPDX-License-Identifier: GPL-2.0
/*
 * vng_prof: a sampling profiler for the benchmark's guest, where the perf
 * tool is not available. Not part of the series: built and loaded by
 * scripts/bench.sh --profile only.
 *
 * A pinned hrtimer on every online CPU fires every period_ns of guest time
 * and records the interrupted kernel address (user-mode samples are only
 * counted; "idle" counts the kernel samples taken in the idle task, whose
 * addresses are recorded too, as interrupts and softirqs run there). Under QEMU -icount shift=0 the guest clock counts
 * instructions, so samples fall on code in proportion to the instructions
 * it executes. The timers also wake idle CPUs, so do not measure with it
 * loaded and running.
 *
 *   echo 1 >/proc/vng_prof    clear and start
 *   echo 0 >/proc/vng_prof    stop
 *   cat /proc/vng_prof        "samples N user N idle N lost N", then
 *                             "COUNT function" per kernel function
 *                             (modules included), address order
 */
#include <linux/hrtimer.h>
#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/irq_regs.h>

static unsigned long period_ns = 20000;
module_param(period_ns, ulong, 0444);
MODULE_PARM_DESC(period_ns, "sampling period in guest ns (default 20000)");
static unsigned int max_samples = 1 << 18;
module_param(max_samples, uint, 0444);
MODULE_PARM_DESC(max_samples, "samples kept per CPU (default 262144)");

struct vp_cpu {
	struct hrtimer timer;
	unsigned long *ips;
	unsigned int n;
	unsigned long user, idle, lost;
};

static DEFINE_PER_CPU(struct vp_cpu, vp_cpus);
static DEFINE_MUTEX(vp_lock);
static bool vp_running;

static enum hrtimer_restart vp_tick(struct hrtimer *t)
{
	struct vp_cpu *c = container_of(t, struct vp_cpu, timer);
	struct pt_regs *regs = get_irq_regs();

	if (!READ_ONCE(vp_running))
		return HRTIMER_NORESTART;
	if (!regs || user_mode(regs)) {
		c->user++;
		goto out;
	}
	/* Interrupts and softirqs taken in the idle task count too. */
	if (is_idle_task(current))
		c->idle++;
	if (c->n < max_samples)
		c->ips[c->n++] = instruction_pointer(regs);
	else
		c->lost++;
out:
	hrtimer_forward_now(t, ns_to_ktime(period_ns));
	return HRTIMER_RESTART;
}

static void vp_start_one(void *unused)
{
	struct vp_cpu *c = this_cpu_ptr(&vp_cpus);

	hrtimer_start(&c->timer, ns_to_ktime(period_ns), HRTIMER_MODE_REL_PINNED_HARD);
}

static void vp_stop(void)
{
	int cpu;

	WRITE_ONCE(vp_running, false);
	for_each_possible_cpu(cpu)
		hrtimer_cancel(&per_cpu_ptr(&vp_cpus, cpu)->timer);
}

static void vp_start(void)
{
	int cpu;

	vp_stop();
	for_each_possible_cpu(cpu) {
		struct vp_cpu *c = per_cpu_ptr(&vp_cpus, cpu);

		c->n = 0;
		c->user = c->idle = c->lost = 0;
	}
	WRITE_ONCE(vp_running, true);
	on_each_cpu(vp_start_one, NULL, 1);
}

static int vp_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

static int vp_show(struct seq_file *m, void *v)
{
	char name[KSYM_SYMBOL_LEN], prev[KSYM_SYMBOL_LEN] = "";
	unsigned long user = 0, idle = 0, lost = 0, count = 0, *all;
	unsigned int total = 0, i, k = 0;
	int cpu;

	mutex_lock(&vp_lock);
	for_each_possible_cpu(cpu) {
		struct vp_cpu *c = per_cpu_ptr(&vp_cpus, cpu);

		total += c->n;
		user += c->user;
		idle += c->idle;
		lost += c->lost;
	}
	seq_printf(m, "samples %u user %lu idle %lu lost %lu period_ns %lu\n",
		   total, user, idle, lost, period_ns);
	all = vmalloc_array(total ? total : 1, sizeof(*all));
	if (!all) {
		mutex_unlock(&vp_lock);
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu) {
		struct vp_cpu *c = per_cpu_ptr(&vp_cpus, cpu);

		memcpy(all + k, c->ips, c->n * sizeof(*all));
		k += c->n;
	}
	mutex_unlock(&vp_lock);
	sort(all, total, sizeof(*all), vp_cmp, NULL);
	for (i = 0; i < total; i++) {
		if (i && all[i] == all[i - 1]) {
			count++;
			continue;
		}
		sprint_symbol_no_offset(name, all[i]);
		if (count && strcmp(name, prev)) {
			seq_printf(m, "%lu %s\n", count, prev);
			count = 0;
		}
		strscpy(prev, name, sizeof(prev));
		count++;
	}
	if (count)
		seq_printf(m, "%lu %s\n", count, prev);
	vfree(all);
	return 0;
}

static int vp_open(struct inode *inode, struct file *file)
{
	return single_open_size(file, vp_show, NULL, 1 << 20);
}

static ssize_t vp_write(struct file *file, const char __user *buf, size_t len,
			loff_t *ppos)
{
	char c;

	if (!len || get_user(c, buf))
		return -EFAULT;
	mutex_lock(&vp_lock);
	if (c == '1')
		vp_start();
	else
		vp_stop();
	mutex_unlock(&vp_lock);
	return len;
}

static const struct proc_ops vp_ops = {
	.proc_open	= vp_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
	.proc_write	= vp_write,
};

static void vp_free(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		vfree(per_cpu_ptr(&vp_cpus, cpu)->ips);
}

static int __init vp_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct vp_cpu *c = per_cpu_ptr(&vp_cpus, cpu);

		hrtimer_setup(&c->timer, vp_tick, CLOCK_MONOTONIC,
			      HRTIMER_MODE_REL_PINNED_HARD);
		c->ips = vmalloc_array(max_samples, sizeof(*c->ips));
		if (!c->ips) {
			vp_free();
			return -ENOMEM;
		}
	}
	if (!proc_create("vng_prof", 0644, NULL, &vp_ops)) {
		vp_free();
		return -ENOMEM;
	}
	return 0;
}

static void __exit vp_exit(void)
{
	remove_proc_entry("vng_prof", NULL);
	mutex_lock(&vp_lock);
	vp_stop();
	mutex_unlock(&vp_lock);
	vp_free();
}

module_init(vp_init);
module_exit(vp_exit);
MODULE_DESCRIPTION("Sampling profiler for the virtio-ng benchmark guest");
MODULE_LICENSE("GPL");
