#!/bin/sh
# The hardware-queue map of the stock virtio_blk and of virtio_blk_ng (both
# over virtio_pci), 4 CPUs: with one MSI-X vector per queue, hardware
# queue Q serves exactly the CPUs of the managed affinity of its vector
# (virtioN-req.Q), as blk_mq_map_hw_queues() takes it from
# get_vq_affinity(); that vector is managed (user space cannot move it)
# and fires on one of those CPUs. With 2 and 3 queues (3 on 4 CPUs is an
# uneven spread: 0-1, 2, 3). A third disk has fewer MSI-X vectors than
# queues (vectors=2): virtio_pci falls back to one shared vector,
# get_vq_affinity() answers NULL and the map is the block layer's own
# spread (blk_mq_map_queues()); it has no per-queue vector, and the shared
# one is not managed. Ours must map every disk exactly as stock does.
#
# What this cannot show: that the map of the first two disks came from
# the vectors rather than from blk_mq_map_queues(). Both spreads are
# group_cpus_evenly(number of queues) over the same present and possible
# CPUs at probe (irq_create_affinity_masks() for the vectors,
# blk_mq_map_queues() for the fallback), so they coincide for every -smp,
# num-queues and topology QEMU gives at boot; the shared-vector disk shows
# it (its map is printed next to the 2-queue disk's).
# vng-qemu: -smp 4
# vng-qemu: -drive if=none,id=d0,file=@DISK0@,format=raw -device virtio-blk-pci,drive=d0,serial=aff-2,num-queues=2
# vng-qemu: -drive if=none,id=d1,file=@DISK1@,format=raw -device virtio-blk-pci,drive=d1,serial=aff-3,num-queues=3
# vng-qemu: -drive if=none,id=d2,file=@DISK2@,format=raw -device virtio-blk-pci,drive=d2,serial=aff-shared,num-queues=2,vectors=2
# vng-timeout: 300
. /vng/lib.sh

# Few processes: under TCG each one costs the debug guest ~0.1 s.

# queues DISK VDEV: a line "Q HCTX_CPUS AFFINITY EFFECTIVE IRQ" per hardware
# queue, CPU lists as 0,1,3; AFFINITY, EFFECTIVE and IRQ are - when
# /proc/interrupts has no VDEV-req.Q vector.
queues() {
	awk -v d="$1" -v v="$2" '
	function norm(s,   n, a, i, r, lo, hi, c, out, seen) {
		gsub(/ /, "", s)
		n = split(s, a, ",")
		for (i = 1; i <= n; i++) {
			if (a[i] == "")
				continue
			if (split(a[i], r, "-") == 2) {
				lo = r[1] + 0; hi = r[2] + 0
			} else {
				lo = hi = a[i] + 0
			}
			for (c = lo; c <= hi; c++)
				seen[c] = 1
		}
		out = ""
		for (c = 0; c < 64; c++)
			if (c in seen)
				out = out (out == "" ? "" : ",") c
		return out
	}
	function first(f,   l) {
		l = ""
		getline l < f
		close(f)
		return l
	}
	BEGIN {
		while ((getline l < "/proc/interrupts") > 0) {
			n = split(l, w, " ")
			sub(":", "", w[1])
			irq[w[n]] = w[1]
		}
		for (q = 0; ; q++) {
			f = "/sys/block/" d "/mq/" q "/cpu_list"
			if ((getline l < f) <= 0)
				break
			close(f)
			name = v "-req." q
			if (name in irq) {
				i = irq[name]
				aff = norm(first("/proc/irq/" i "/smp_affinity_list"))
				eff = norm(first("/proc/irq/" i "/effective_affinity_list"))
			} else {
				i = "-"; aff = "-"; eff = "-"
			}
			print q, norm(l), aff, eff, i
		}
	}'
}

# once LISTS: the comma lists of all queues (",0,1,2,3") hold each of
# CPUs 0-3 exactly once and nothing else
once() {
	_r=${1#,} _n=0 _seen=,
	while [ -n "$_r" ]; do
		_c=${_r%%,*}
		case "$_seen" in *",$_c,"*) return 1 ;; esac
		_seen="$_seen$_c,"
		_n=$((_n + 1))
		[ "$_r" = "$_c" ] && break
		_r=${_r#*,}
	done
	[ $_n = 4 ] || return 1
	for _c in 0 1 2 3; do
		case "$_seen" in *",$_c,"*) ;; *) return 1 ;; esac
	done
}
# subset A B: list A is not empty and every CPU of it is in list B
subset() {
	_r=$1
	[ -n "$_r" ] || return 1
	while [ -n "$_r" ]; do
		_c=${_r%%,*}
		case ",$2," in *",$_c,"*) ;; *) return 1 ;; esac
		[ "$_r" = "$_c" ] && break
		_r=${_r#*,}
	done
}
# is DESC CMD..: ok or fail on CMD's status, without a subshell
is() {
	_d=$1
	shift
	if "$@"; then ok "$_d"; else fail "$_d"; fi
}

# run DRV: the checks on the driver now bound; the maps go to MAP_DRV_*
run() {
	drv=$1
	check "$drv: three disks" vng_wait_for /sys/block/vdc
	for spec in aff-2:2:2 aff-3:3:3 aff-shared:2:0; do
		ser=${spec%%:*} n=${spec#*:} own=${n#*:} n=${n%:*}
		vng_disk_by_serial "$ser"
		if [ -z "$D" ]; then
			fail "$drv $ser: no disk"
			continue
		fi
		check_eq "$drv $ser: bound to $drv" "$DRV" "$drv"
		rows=$(queues "$D" "$V")
		nq=0 all= map= vecs=0
		while read -r q hw aff eff irq; do
			[ -n "$q" ] || continue
			nq=$((nq + 1)) all="$all,$hw" map="$map${map:+|}$hw"
			echo "# $drv $ser ($D, $V): hctx $q CPUs $hw; IRQ $irq ($V-req.$q) affinity $aff, effective $eff"
			[ "$irq" = - ] && continue
			vecs=$((vecs + 1))
			check_eq "$drv $ser: hctx $q serves exactly the CPUs of its vector's affinity" "$hw" "$aff"
			is "$drv $ser: vector $q fires on one of them" subset "$eff" "$aff"
			if [ ! -e "/proc/irq/$irq/smp_affinity_list" ] ||
				echo "${aff%%,*}" 2>/dev/null >"/proc/irq/$irq/smp_affinity_list"; then
				fail "$drv $ser: vector $q is managed (user space cannot move it)"
			else
				ok "$drv $ser: vector $q is managed (user space cannot move it)"
			fi
		done <<ROWS_END
$rows
ROWS_END
		check_eq "$drv $ser: $n hardware queues" "$nq" "$n"
		check_eq "$drv $ser: a vector of its own for $own of them" "$vecs" "$own"
		is "$drv $ser: every CPU in exactly one hardware queue" once "$all"
		case $ser in
		aff-2) key=aff_2 ;;
		aff-3) key=aff_3 ;;
		*) key=aff_shared ;;
		esac
		eval "MAP_${drv}_$key=\$map"
	done

	# The shared-vector disk: one vector, not managed.
	vng_disk_by_serial aff-shared
	[ -n "$D" ] || return
	irq=$(awk -v n="$V-virtqueues" '$NF == n { sub(":", "", $1); print $1 }' /proc/interrupts)
	if [ -n "$irq" ]; then
		ok "$drv aff-shared: one vector for both queues ($V-virtqueues, IRQ $irq)"
		if echo 0 2>/dev/null >"/proc/irq/$irq/smp_affinity_list"; then
			ok "$drv aff-shared: that vector is not managed (user space can move it)"
		else
			fail "$drv aff-shared: that vector is not managed (user space can move it)"
		fi
	else
		fail "$drv aff-shared: one vector for both queues"
		grep virtio /proc/interrupts | sed 's/^/# /'
	fi
	eval "echo \"# $drv: aff-2 map (from the vectors) \$MAP_${drv}_aff_2, aff-shared map (blk_mq_map_queues) \$MAP_${drv}_aff_shared\""
}

check_eq "4 CPUs" "$(nproc)" 4
vng_load virtio_pci virtio_blk
run virtio_blk
check "rmmod virtio_blk" rmmod virtio_blk
vng_load virtio_blk_ng
run virtio_blk_ng

for k in aff_2 aff_3 aff_shared; do
	stock= ours=
	eval "stock=\$MAP_virtio_blk_$k ours=\$MAP_virtio_blk_ng_$k"
	[ -n "$stock" ] || fail "$k: a map from virtio_blk"
	check_eq "$k: virtio_blk_ng maps as virtio_blk ($stock)" "$ours" "$stock"
done
vng_done
