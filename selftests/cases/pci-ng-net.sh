#!/bin/sh
# Stock virtio_net over virtio_pci_ng: two NICs on one QEMU hub (nothing
# leaves QEMU; addresses are from the 192.0.2.0/24 documentation range).
# ARP requests sent from eth A must show up in eth B's rx counters, and
# both NICs' queue interrupts must fire on their own MSI-X vectors.
# vng-qemu: -netdev hubport,id=n0,hubid=0 -device virtio-net-pci,netdev=n0,addr=0x4,mac=52:54:00:00:00:04
# vng-qemu: -netdev hubport,id=n1,hubid=0 -device virtio-net-pci,netdev=n1,addr=0x5,mac=52:54:00:00:00:05
# vng-timeout: 300
# INTx routing from the PIIX router: the pc machine's ACPI _PRT loop overruns
# ACPICA's 30 s loop timeout under TCG with the debug kernel.
# vng-kernel-args: acpi=noirq
. /vng/lib.sh
. /vng/pci-ng-lib.sh

vng_load virtio_pci_ng virtio_net
a=0000:00:04.0 b=0000:00:05.0
for bdf in $a $b; do
	check_eq "$bdf: bound to virtio-pci-ng" "$(ng_drv $bdf)" virtio-pci-ng
	check_eq "$bdf: interrupt mode" "$(ng_mode $bdf)" msix-per-vq
done
va=$(ng_vdev $a) vb=$(ng_vdev $b)
ea=$(ng_child $a net) eb=$(ng_child $b net)
check "NIC A is $ea, NIC B is $eb" test -n "$ea" -a -n "$eb"
check_eq "MAC of A read from device config" "$(cat /sys/class/net/$ea/address)" 52:54:00:00:00:04
check_eq "MAC of B read from device config" "$(cat /sys/class/net/$eb/address)" 52:54:00:00:00:05
check_eq "A: rx/tx interrupts requested" "$(ng_irq_names "$va")" "config input.0 output.0 "
check_eq "A: VIRTIO_F_VERSION_1" "$(ng_feature "$va" 32)" 1
if [ "$(ng_feature "$va" 40)" = 1 ]; then
	ok "A: VIRTIO_F_RING_RESET negotiated (device offers it)"
else
	skip "A: VIRTIO_F_RING_RESET negotiated" "this QEMU does not offer it"
fi

check "A up" ip link set "$ea" up
check "B up" ip link set "$eb" up
check "A address" ip addr add 192.0.2.1/24 dev "$ea"
check "B address" ip addr add 192.0.2.2/24 dev "$eb"
# Link state comes from the device config (VIRTIO_NET_F_STATUS).
_i=0
while [ "$(cat /sys/class/net/$eb/carrier 2>/dev/null)" != 1 ] && [ $_i -lt 50 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
check_eq "B has carrier" "$(cat /sys/class/net/$eb/carrier)" 1

rx0=$(cat /sys/class/net/$eb/statistics/rx_packets)
tx0=$(cat /sys/class/net/$ea/statistics/tx_packets)
irq0=$(ng_irq_sum " $vb-input\.0")
# arping sends on A's link with a packet socket: the broadcasts reach B
# through the hub whatever the routing table says.
arping -c 5 -w 10 -I "$ea" 192.0.2.2 >/dev/null 2>&1
rx1=$(cat /sys/class/net/$eb/statistics/rx_packets)
tx1=$(cat /sys/class/net/$ea/statistics/tx_packets)
irq1=$(ng_irq_sum " $vb-input\.0")
check "A sent at least 5 frames ($tx0 -> $tx1)" test $((tx1 - tx0)) -ge 5
check "B received at least 5 frames ($rx0 -> $rx1)" test $((rx1 - rx0)) -ge 5
check "B's rx vector fired ($irq0 -> $irq1)" test "$irq1" -gt "$irq0"

# And the other way round.
rx0=$(cat /sys/class/net/$ea/statistics/rx_bytes)
arping -c 3 -w 10 -I "$eb" 192.0.2.1 >/dev/null 2>&1
rx1=$(cat /sys/class/net/$ea/statistics/rx_bytes)
check "A received B's frames ($rx0 -> $rx1 bytes)" test "$rx1" -gt "$rx0"
check "A down" ip link set "$ea" down
check "B down" ip link set "$eb" down
vng_done
