#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""nbd-stall: an NBD server whose storage can stall, for QEMU's own virtio-blk.

Serves one raw file over a unix socket (fixed newstyle handshake, simple
replies) and models the common real fault behind a virtio-blk timeout: the
host's storage stops answering for a while (a slow NFS/Ceph/LVM backend)
while QEMU's virtio-blk device still owns the guest's buffers. A held
request is performed when the hold ends, as a late storage answer would
be: a write with the data QEMU sent when it was submitted, a read with the
file's contents at that moment, copied by QEMU into the guest's buffer.

Holds are set at run time on a control socket (one line per connection,
answered "ok" or "error: ..."):
    hold OFF SECS [read|write|any]   hold the next request that covers byte
                                     OFF for SECS seconds (one shot)
    stall SECS                       hold every request that arrives in the
                                     next SECS seconds until they end
    stats                            "requests=N held=N"
Every hold and release is logged on stderr with its time.
"""
import argparse
import os
import socket
import struct
import sys
import threading
import time

NBDMAGIC = 0x4E42444D41474943
IHAVEOPT = 0x49484156454F5054
REPLY_MAGIC = 0x3E889045565A9
REQ_MAGIC = 0x25609513
SIMPLE_REPLY = 0x67446698
OPT_EXPORT_NAME, OPT_ABORT, OPT_GO = 1, 2, 7
REP_ACK, REP_INFO = 1, 3
REP_ERR_UNSUP = (1 << 31) + 1
FLAG_FIXED_NEWSTYLE, FLAG_NO_ZEROES = 1, 2
TFLAG_HAS_FLAGS, TFLAG_SEND_FLUSH = 1, 4
CMD_READ, CMD_WRITE, CMD_DISC, CMD_FLUSH = 0, 1, 2, 3
EIO, EINVAL = 5, 22


def log(msg):
    sys.stderr.write("%.3f %s\n" % (time.monotonic(), msg))
    sys.stderr.flush()


def recv_all(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


class Server:
    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR)
        self.size = os.fstat(self.fd).st_size
        self.lock = threading.Lock()
        self.send_lock = threading.Lock()
        self.holds = []          # [offset, secs, kind]
        self.stall_until = 0.0
        self.requests = 0
        self.held = 0

    # -- control --
    def control(self, line):
        w = line.split()
        with self.lock:
            if w[:1] == ["hold"] and len(w) in (3, 4):
                kind = w[3] if len(w) == 4 else "any"
                if kind not in ("read", "write", "any"):
                    return "error: kind"
                self.holds.append([int(w[1], 0), float(w[2]), kind])
                log("rule: hold %s at %s for %s s" % (kind, w[1], w[2]))
                return "ok"
            if w[:1] == ["stall"] and len(w) == 2:
                self.stall_until = time.monotonic() + float(w[1])
                log("rule: stall for %s s" % w[1])
                return "ok"
            if w == ["stats"]:
                return "requests=%d held=%d" % (self.requests, self.held)
        return "error: unknown command"

    def hold_for(self, cmd, off, length):
        """Seconds to hold this request, 0 for none."""
        kind = {CMD_READ: "read", CMD_WRITE: "write"}.get(cmd)
        with self.lock:
            self.requests += 1
            now = time.monotonic()
            if now < self.stall_until:
                self.held += 1
                return self.stall_until - now
            for h in self.holds:
                if h[2] in ("any", kind) and off <= h[0] < off + max(length, 1):
                    self.holds.remove(h)
                    self.held += 1
                    return h[1]
        return 0

    # -- handshake --
    def opt_reply(self, conn, opt, rtype, data=b""):
        conn.sendall(struct.pack(">QIII", REPLY_MAGIC, opt, rtype, len(data)) + data)

    def handshake(self, conn):
        conn.sendall(struct.pack(">QQH", NBDMAGIC, IHAVEOPT,
                                 FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES))
        cflags, = struct.unpack(">I", recv_all(conn, 4))
        tflags = TFLAG_HAS_FLAGS | TFLAG_SEND_FLUSH
        while True:
            magic, opt, length = struct.unpack(">QII", recv_all(conn, 16))
            if magic != IHAVEOPT:
                raise EOFError
            data = recv_all(conn, length)
            if opt == OPT_EXPORT_NAME:
                tail = b"" if cflags & FLAG_NO_ZEROES else b"\0" * 124
                conn.sendall(struct.pack(">QH", self.size, tflags) + tail)
                return
            if opt == OPT_GO:
                info = struct.pack(">HQH", 0, self.size, tflags)
                self.opt_reply(conn, opt, REP_INFO, info)
                self.opt_reply(conn, opt, REP_ACK)
                return
            if opt == OPT_ABORT:
                self.opt_reply(conn, opt, REP_ACK)
                raise EOFError
            # Structured replies, meta contexts, ...: simple replies only.
            self.opt_reply(conn, opt, REP_ERR_UNSUP)

    # -- transmission --
    def reply(self, conn, handle, err, data=b""):
        with self.send_lock:
            conn.sendall(struct.pack(">IIQ", SIMPLE_REPLY, err, handle) + data)

    def perform(self, conn, cmd, handle, off, length, payload, held):
        if held:
            time.sleep(held)
        err, data = 0, b""
        try:
            if off + length > self.size:
                err = EINVAL
            elif cmd == CMD_READ:
                data = os.pread(self.fd, length, off)
            elif cmd == CMD_WRITE:
                os.pwrite(self.fd, payload, off)
            elif cmd == CMD_FLUSH:
                os.fsync(self.fd)
            else:
                err = EINVAL
        except OSError:
            err, data = EIO, b""
        if held:
            log("released %s off=%d len=%d after %.1f s" %
                ("read" if cmd == CMD_READ else "write" if cmd == CMD_WRITE else
                 "cmd %d" % cmd, off, length, held))
        try:
            self.reply(conn, handle, err, data)
        except OSError:
            pass

    def serve(self, conn):
        try:
            self.handshake(conn)
            while True:
                magic, _flags, cmd, handle, off, length = struct.unpack(
                    ">IHHQQI", recv_all(conn, 28))
                if magic != REQ_MAGIC:
                    break
                if cmd == CMD_DISC:
                    break
                payload = recv_all(conn, length) if cmd == CMD_WRITE else b""
                held = self.hold_for(cmd, off, length)
                if held:
                    log("holding %s off=%d len=%d for %.1f s" %
                        ("read" if cmd == CMD_READ else "write" if cmd == CMD_WRITE
                         else "cmd %d" % cmd, off, length, held))
                    threading.Thread(target=self.perform, daemon=True,
                                     args=(conn, cmd, handle, off, length,
                                           payload, held)).start()
                else:
                    self.perform(conn, cmd, handle, off, length, payload, 0)
        except (EOFError, OSError):
            pass
        conn.close()


def listen(path):
    if os.path.exists(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(4)
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", required=True)
    ap.add_argument("--socket", required=True)
    ap.add_argument("--control", required=True)
    a = ap.parse_args()
    srv = Server(a.file)
    data, ctl = listen(a.socket), listen(a.control)

    def control_loop():
        while True:
            c, _ = ctl.accept()
            with c:
                line = c.makefile().readline().strip()
                c.sendall((srv.control(line) + "\n").encode())

    threading.Thread(target=control_loop, daemon=True).start()
    log("serving %s (%d bytes)" % (a.file, srv.size))
    while True:
        conn, _ = data.accept()
        threading.Thread(target=srv.serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
