#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run QEMU with the guest console on a pipe, keep a log, act on guest requests.

The guest asks the host for device-level actions by printing lines on its
console:
    VNG-QMP: {"execute": "block_resize", ...}   send one QMP command
    VNG-QMP-PAUSE: 2                             stop the VM, wait, cont
    VNG-HOST: nbd0 hold 1048576 10 write         a line for the control
                                                 socket nbd0.ctl in --ctl-dir
                                                 (selftests/tools/nbd-stall.py)
The guest's script ends by printing "VNG-EXIT: <status>".

Exit status: the guest's, 124 on timeout, 123 when the guest never reported
one (panic, hang at boot), 125 when the log has a kernel splat, 126 when the
guest did not reach /init within --boot-timeout seconds.
"""
import argparse
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time

SPLAT = re.compile(
    r"(WARNING:|BUG:|BUG kmalloc|KASAN:|KFENCE:|UBSAN:|Call Trace:|"
    r"Kernel panic|general protection fault|Oops:|"
    r"possible recursive locking|possible circular locking|"
    r"inconsistent lock state|suspicious RCU usage|"
    r"INFO: task .* blocked for more than|"
    r"new suspected memory leaks|unreferenced object|"
    r"watchdog: BUG: soft lockup|rcu_sched detected stalls|"
    r"pagealloc: memory corruption|"
    r"rcu: INFO: rcu_preempt detected stalls)")
EXIT = re.compile(r"VNG-EXIT: (\d+)")
QMP = re.compile(r"VNG-QMP: (\{.*\})\s*$")
BOOTED = re.compile(r"^VNG-BOOTED: ")
PAUSE = re.compile(r"VNG-QMP-PAUSE: ([0-9.]+)")
HOST = re.compile(r"VNG-HOST: ([a-z0-9]+) (.*\S)\s*$")


def host_control(ctl_dir, name, line):
    """Send one line to a host helper's control socket, return its answer."""
    if not ctl_dir:
        return "error: no --ctl-dir"
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(os.path.join(ctl_dir, name + ".ctl"))
        s.sendall((line + "\n").encode())
        answer = s.makefile().readline().strip()
        s.close()
        return answer
    except OSError as e:
        return "error: " + str(e)


class Qmp:
    def __init__(self, path):
        self.path = path
        self.sock = None

    def connect(self):
        for _ in range(100):
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.path)
                self.sock = s
                self.f = s.makefile("rw")
                self.f.readline()  # greeting
                self.cmd({"execute": "qmp_capabilities"})
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("cannot connect to QMP at " + self.path)

    def cmd(self, obj):
        if self.sock is None and obj.get("execute") != "qmp_capabilities":
            self.connect()
        self.f.write(json.dumps(obj) + "\n")
        self.f.flush()
        while True:
            line = self.f.readline()
            if not line:
                return {"error": "QMP closed"}
            reply = json.loads(line)
            if "event" in reply:
                continue
            return reply


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    # Lines written at the top of the log (boot.sh: "# host: qemu: ...").
    ap.add_argument("--note", action="append", default=[])
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--qmp")
    ap.add_argument("--ctl-dir")
    # A guest that has not reached /init by then never will (a stalled TSC
    # calibration on microvm under TCG): give up early, exit 126.
    ap.add_argument("--boot-timeout", type=float, default=150)
    # Seconds the guest may take to end after "VNG-EXIT:" (a systemd
    # poweroff takes longer than busybox's reboot -f).
    ap.add_argument("--exit-grace", type=float, default=15)
    ap.add_argument("qemu", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.qemu[1:] if a.qemu and a.qemu[0] == "--" else a.qemu

    qmp = Qmp(a.qmp) if a.qmp else None
    log = open(a.log, "w", errors="replace")
    for note in a.note:
        log.write(note + "\n")
    log.flush()
    # Its own process group: killing QEMU must not stop at the timeout(1)
    # wrapper and leave QEMU running (a guest hung in a removal did).
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)

    def kill():
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
    deadline = time.monotonic() + a.timeout
    status = None
    splats = []
    buf = b""
    timed_out = False
    verbose = os.environ.get("VNG_VERBOSE") == "1"
    exit_deadline = [None]
    boot_deadline = [time.monotonic() + a.boot_timeout]
    boot_stalled = False

    def handle(line):
        nonlocal status
        log.write(line + "\n")
        log.flush()
        if verbose:
            print(line, flush=True)
        if SPLAT.search(line):
            splats.append(line.strip())
        if BOOTED.search(line):
            boot_deadline[0] = None
        m = EXIT.search(line)
        if m:
            status = int(m.group(1))
            # The result is in: a reboot that hangs (a removal stuck in
            # the kernel, say) costs 15 s, not the whole timeout.
            exit_deadline[0] = time.monotonic() + a.exit_grace
        m = QMP.search(line)
        if m and qmp:
            try:
                reply = qmp.cmd(json.loads(m.group(1)))
            except (ValueError, OSError, RuntimeError) as e:
                reply = {"error": str(e)}
            log.write("# host: QMP reply %s\n" % json.dumps(reply))
        m = HOST.search(line)
        if m:
            log.write("# host: %s: %s -> %s\n" % (
                m.group(1), m.group(2), host_control(a.ctl_dir, m.group(1), m.group(2))))
        m = PAUSE.search(line)
        if m and qmp:
            qmp.cmd({"execute": "stop"})
            time.sleep(float(m.group(1)))
            qmp.cmd({"execute": "cont"})
            log.write("# host: paused the VM for %s s\n" % m.group(1))

    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            kill()
            break
        if boot_deadline[0] is not None and time.monotonic() > boot_deadline[0]:
            log.write("# host: the guest did not reach /init in %d s; killed\n" % a.boot_timeout)
            boot_stalled = True
            kill()
            break
        if exit_deadline[0] is not None and time.monotonic() > exit_deadline[0]:
            log.write("# host: the guest did not reboot after reporting its status; killed\n")
            kill()
            break
        r, _, _ = select.select([proc.stdout], [], [], min(left, 1.0))
        if not r:
            if proc.poll() is not None:
                break
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            raw, buf = buf.split(b"\n", 1)
            handle(raw.decode("utf-8", "replace").rstrip("\r"))
    if buf:
        handle(buf.decode("utf-8", "replace"))
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        kill()
    log.close()

    if splats:
        sys.stderr.write("kernel splat in the guest log:\n  " + "\n  ".join(splats[:10]) + "\n")
        return 125
    if boot_stalled:
        sys.stderr.write("the guest did not boot within %d s\n" % a.boot_timeout)
        return 126
    if timed_out:
        sys.stderr.write("timeout after %d s\n" % a.timeout)
        return 124
    if status is None:
        sys.stderr.write("guest ended without reporting an exit status\n")
        return 123
    return status


if __name__ == "__main__":
    sys.exit(main())
