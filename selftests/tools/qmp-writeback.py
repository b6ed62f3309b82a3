#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host check for a case's query-block answers.

Usage: qmp-writeback.py LOG DRIVE EXPECTED

LOG is the case log, where scripts/vng-qemu.py wrote each QMP reply as a
"# host: QMP reply {...}" line; DRIVE a -drive id; EXPECTED the writeback
flag the drive must show in each query-block answer, in order, as a comma
list of true/false. Exits 1 if the answers differ (or there are none).
"""
import json
import sys

MARK = "# host: QMP reply "


def writeback_flags(log, drive):
    flags = []
    with open(log) as f:
        for line in f:
            if MARK not in line:
                continue
            reply = json.loads(line.split(MARK, 1)[1])
            blocks = reply.get("return")
            if not isinstance(blocks, list):
                continue  # not a query-block answer
            for b in blocks:
                if b.get("device") == drive:
                    flags.append(b["inserted"]["cache"]["writeback"])
    return flags


def main():
    log, drive, expected = sys.argv[1:4]
    want = [w.strip().lower() == "true" for w in expected.split(",")]
    got = writeback_flags(log, drive)
    print("# host: %s writeback per query-block: %s (want %s)" % (drive, got, want))
    return 0 if got == want else 1


if __name__ == "__main__":
    sys.exit(main())
