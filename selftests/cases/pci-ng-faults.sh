#!/bin/sh
# Error paths of virtio_pci_ng under allocation failures: bind a
# virtio-rng function with the n-th slab allocation of the binding task
# failing (/proc/self/fail-nth), for n = 1, 2, ... until a bind gets
# through without reaching the n-th allocation; first with no virtio
# driver (probe, mapping, registration), then with virtio_rng (queue and
# interrupt setup in find_vqs). Every failure must unwind cleanly (KASAN,
# lockdep and kmemleak watch), and the device must work afterwards.
# The function has no MSI-X (vectors=0): failed allocations inside the
# MSI core make kernel/irq/proc.c WARN when the vectors are freed, a core
# issue this case would otherwise report as ours.
# vng-qemu: -object rng-builtin,id=r0 -device virtio-rng-pci,rng=r0,addr=0x4,vectors=0
# vng-timeout: 1200
# vng-needs: kmemleak
# INTx routing from the PIIX router: the pc machine's ACPI _PRT loop overruns
# ACPICA's 30 s loop timeout under TCG with the debug kernel.
# vng-kernel-args: acpi=noirq
. /vng/lib.sh
. /vng/pci-ng-lib.sh

FS=/sys/kernel/debug/failslab
bdf=0000:00:04.0
drv=/sys/bus/pci/drivers/virtio-pci-ng
if [ ! -e /proc/self/fail-nth ] || [ ! -d $FS ]; then
	skip "fault injection" "kernel without CONFIG_FAILSLAB"
	vng_done
fi

# bind_faults: bind with the n-th allocation failing, n = 1, 2, ... until
# a bind never reaches its n-th allocation. Prints "RUNS BOUND".
bind_faults() {
	_n=0 _bound=0
	while [ $_n -lt 3000 ]; do
		_n=$((_n + 1))
		echo $_n >/proc/self/fail-nth
		echo $bdf >$drv/bind 2>/dev/null
		_left=''
		read -r _left </proc/self/fail-nth 2>/dev/null
		echo 0 >/proc/self/fail-nth 2>/dev/null
		if [ -e /sys/bus/pci/devices/$bdf/driver ]; then
			_bound=$((_bound + 1))
			echo $bdf >$drv/unbind
		fi
		# The n-th allocation was never reached: every earlier one failed once.
		if [ -n "$_left" ] && [ "$_left" -gt 0 ]; then
			echo "$_n $_bound"
			return 0
		fi
	done
	return 1
}

vng_load virtio_pci_ng
check_eq "bound to virtio-pci-ng" "$(ng_drv $bdf)" virtio-pci-ng
check "unbind" sh -c "echo $bdf >$drv/unbind"
[ -w $KMEMLEAK ] && { sleep 5; echo scan >$KMEMLEAK; echo clear >$KMEMLEAK; }

# Fail GFP_KERNEL allocations too, quietly (a stack dump per failure
# would read as a kernel splat).
echo N >$FS/ignore-gfp-wait
echo 0 >$FS/verbose

# 1. The transport's probe and the virtio device's registration, with no
#    virtio driver to bind.
r=$(bind_faults)
check "probe: every allocation failed once (runs, binds: $r)" test -n "$r"

# 2. The same with virtio_rng, whose probe sets up the queue and vectors.
vng_load virtio_rng
r=$(bind_faults)
check "probe + find_vqs: every allocation failed once (runs, binds: $r)" test -n "$r"
echo Y >$FS/ignore-gfp-wait

check "bind without faults" sh -c "echo $bdf >$drv/bind"
check_eq "bound to virtio-pci-ng" "$(ng_drv $bdf)" virtio-pci-ng
check_eq "interrupt mode" "$(ng_mode $bdf)" intx
check "/dev/hwrng works" dd if=/dev/hwrng of=/dev/null bs=64 count=16 iflag=fullblock
check "unbind" sh -c "echo $bdf >$drv/unbind"
check "rmmod virtio_rng virtio_pci_ng" rmmod virtio_rng virtio_pci_ng

ng_kmemleak_check
vng_done
