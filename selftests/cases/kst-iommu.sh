#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# DMA remapping, as an IOMMU-protected guest has it: q35 with QEMU's
# intel-iommu (device-iotlb=on), the kernel's Intel IOMMU driver on
# (intel_iommu=on, strict invalidation), and a disk behind a PCIe root
# port that offers VIRTIO_F_ACCESS_PLATFORM and ATS (iommu_platform=on,
# ats=on): virtio maps every buffer through the IOMMU, the device reaches
# only the I/O virtual addresses it was given. The disk's function must be
# in a DMA-translated IOMMU group with ATS enabled; the kselftests run on
# every driver pair (stock included) and fio verifies its data; DMA API
# debugging checks every mapping and must report nothing.
# vng-machine: q35
# vng-kernel-args: intel_iommu=on iommu.strict=1
# vng-needs: dma-debug fio
# vng-qemu: -device intel-iommu,device-iotlb=on
# vng-qemu: -device pcie-root-port,id=rp0,chassis=1
# vng-qemu: -drive if=none,id=a,file=@DISK0@,format=raw,discard=unmap
# vng-qemu: -device virtio-blk-pci,bus=rp0,drive=a,serial=kst-iommu-a,num-queues=2,queue-size=128,discard=on,write-zeroes=on,max-discard-sectors=2048,max-write-zeroes-sectors=2048,iommu_platform=on,ats=on,disable-legacy=on
# vng-timeout: 900
. /vng/lib.sh
. /vng/kst.sh
. /vng/pci-ng-lib.sh

KST_STOCK=1

# ext_cap BDF ID: offset of PCIe extended capability ID in BDF's config
# space (decimal), empty if it has none
ext_cap() {
	_o=256 _n=0
	while [ "$_o" -ge 256 ] && [ $_n -lt 64 ]; do
		_h=$(od -An -tu4 -j$_o -N4 "/sys/bus/pci/devices/$1/config" | tr -d ' ')
		[ -n "$_h" ] && [ "$_h" != 0 ] || return 0
		if [ $((_h & 65535)) = "$2" ]; then
			echo $_o
			return 0
		fi
		_o=$((_h >> 20)) _n=$((_n + 1))
	done
}

check "the Intel IOMMU is on" sh -c 'dmesg | grep -q "DMAR: IOMMU enabled"'
bdf=
for b in $(ng_bdfs 0x1042); do bdf=$b; done
check "the disk's function ($bdf)" test -n "$bdf"
g=$(readlink -f /sys/bus/pci/devices/$bdf/iommu_group)
check "it has an IOMMU group" test -d "$g"
check "the group translates DMA ($(cat $g/type 2>/dev/null))" \
	sh -c "grep -qE '^DMA' $g/type"

for pair in $(kst_pairs); do
	kst_load "$pair" || continue
	ats=$(ext_cap $bdf 15)
	check "$pair: ATS enabled on $bdf" sh -c "[ -n '$ats' ] && [ \$((\$(od -An -tu2 -j$((${ats:-0} + 6)) -N2 /sys/bus/pci/devices/$bdf/config) & 32768)) != 0 ]"
	kst_dma_cell "$pair" kst-iommu-a "the IOMMU"
	kst_unload
done
DMA=/sys/kernel/debug/dma-api
check "DMA API debugging tracked the disk's mappings" \
	test "$(cat $DMA/min_free_entries)" -lt "$(cat $DMA/nr_total_entries)"
check_eq "DMA API debugging found no error" "$(cat $DMA/error_count)" 0
check "no DMAR fault logged" sh -c '! dmesg | grep -q "DMAR: \[DMA"'
vng_done
