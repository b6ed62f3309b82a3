#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The matrix's fault cells from QEMU, on each driver pair (see /vng/kst.sh):
#   - blkdebug fails reads of sector 4096 and writes of sector 8192 with
#     EIO: the application gets EIO, the kernel logs the error, the rest
#     of the disk keeps working and the data around it is intact;
#   - QMP block_resize while io_uring I/O runs: the new size shows up and
#     the I/O completes verified;
#   - QMP stop, 3 s, cont of the whole VM while io_uring I/O runs: the I/O
#     completes verified, no request times out, nothing fails.
# Then vblk_stress on the grown disk, so the new capacity is used too.
# vng-qemu: -blockdev driver=file,node-name=f0,filename=@DISK0@
# vng-qemu: -blockdev driver=blkdebug,node-name=e0,image=f0,inject-error.0.event=read_aio,inject-error.0.errno=5,inject-error.0.sector=4096,inject-error.1.event=write_aio,inject-error.1.errno=5,inject-error.1.sector=8192
# vng-qemu: -blockdev driver=raw,node-name=r0,file=e0
# vng-qemu: -device virtio-blk-pci,drive=r0,serial=kf-eio,num-queues=2,werror=report,rerror=report
# vng-qemu: -drive if=none,id=s,file=@DISK1@,format=raw
# vng-qemu: -device virtio-blk-pci,drive=s,serial=kf-live,num-queues=2
# vng-timeout: 900
. /vng/lib.sh
. /vng/kst.sh

# size_of DISK: its size in bytes
size_of() { echo $(($(cat "/sys/block/$1/size") * 512)); }
# wait_size DISK BYTES: wait up to 20 s for DISK to have BYTES
wait_size() {
	_i=0
	while [ "$(size_of "$1")" != "$2" ]; do
		_i=$((_i + 1)); [ $_i -gt 200 ] && return 1
		sleep 0.1
	done
}
# io_start DISK SEED: verified io_uring I/O (QD32, 32 MiB) in the background
io_start() {
	vngio uring "/dev/$1" 0 32m "$2" nopoll 32 >/tmp/io.out 2>&1 &
	io_pid=$!
	sleep 1
}
# log_mark / new_log: the kernel log since the last log_mark
log_mark() { log_at=$(dmesg | wc -l); }
new_log() { dmesg | tail -n +$((log_at + 1)); }
log_has() { new_log | grep -q -- "$1"; }
log_lacks() { ! new_log | grep -i -- "$1"; }
# io_wait DESC: wait for the background I/O (not in a "check": a subshell
# cannot wait for it); it must have succeeded.
io_wait() {
	wait $io_pid
	_rc=$?
	sed 's/^/#   /' /tmp/io.out
	check_eq "$1" "$_rc" 0
}

i=0
size=67108864
for pair in $(kst_pairs); do
	i=$((i + 1))
	kst_load "$pair" || continue
	if ! e=$(kst_disk kf-eio) || ! s=$(kst_disk kf-live); then
		fail "$pair: disks kf-eio and kf-live appear"
		kst_unload
		continue
	fi
	seed=$((40 + i))

	# blkdebug: EIO for the read of sector 4096 and the write of 8192.
	log_mark
	check "$pair eio: write around the bad sectors" \
		vngio write "/dev/$e" 1m 2m "$seed"
	check "$pair eio: read of sector 4096 fails with EIO" \
		vngio expect EIO verify "/dev/$e" 2m 4k "$seed"
	check "$pair eio: write of sector 8192 fails with EIO" \
		vngio expect EIO write "/dev/$e" 4m 4k "$seed"
	check "$pair eio: the read error is logged" \
		log_has "I/O error, dev $e, sector 4096 "
	check "$pair eio: the write error is logged" \
		log_has "I/O error, dev $e, sector 8192 "
	check "$pair eio: the sectors around it read back" \
		sh -c "vngio verify /dev/$e 1m 1m $seed && vngio verify /dev/$e 2052k 1020k $seed"
	check "$pair eio: the disk keeps working" \
		sh -c "vngio write /dev/$e 8m 4m $seed && vngio verify /dev/$e 8m 4m $seed"

	# block_resize while I/O runs.
	log_mark
	size=$((size + 16 * 1048576))
	io_start "$s" "$seed"
	echo "VNG-QMP: {\"execute\": \"block_resize\", \"arguments\": {\"device\": \"s\", \"size\": $size}}" >/dev/console
	check "$pair resize: new size during I/O" wait_size "$s" "$size"
	kill -0 $io_pid 2>/dev/null && echo "# the I/O was still running"
	io_wait "$pair resize: the I/O completes verified"
	check "$pair resize: capacity change logged" \
		log_has "$s: detected capacity change"

	# stop/cont of the VM while I/O runs.
	log_mark
	io_start "$s" "$((seed + 100))"
	echo "VNG-QMP-PAUSE: 3" >/dev/console
	io_wait "$pair pause: the I/O completes verified"
	# (virtio_blk_ng logs each request timeout and recovery step; the
	# stock driver has no timeout handler.)
	check "$pair pause: no request timed out" \
		log_lacks 'timed out after\|requeued\|without an interrupt'
	check "$pair pause: no I/O error" log_lacks 'I/O error'

	kst_run "$pair live" vblk_stress VBLK_DISK="$s" VBLK_STRESS_SECS=5
	kst_unload
done
vng_done
