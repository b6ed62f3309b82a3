#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare the vng_prof profiles of scripts/bench.sh --profile.

  profile.py --out FILE.md LOG...

Each profiled window has a BENCH line (I/Os and instructions of the window,
benchmon.c) and a PROF block ("COUNT function", the 80 hottest kernel
functions). A function's instructions per I/O are its share of the
window's non-idle kernel samples times the window's kernel+user
instructions per I/O, approximately: user-mode samples are counted, not
located, and the halt itself (the idle functions below) is not work.
Rounds are summed per driver and point.
"""
import argparse
import collections
import sys

# Where a halted vCPU's samples land; not work.
IDLE = {"default_idle", "pv_native_safe_halt", "native_safe_halt", "vc_enter",
        "arch_cpu_idle", "cpu_idle_poll", "poll_idle", "default_idle_call",
        "cpuidle_enter_state", "do_idle", "cpu_startup_entry"}


def parse(paths):
    prof = collections.defaultdict(lambda: {"funcs": collections.Counter(), "user": 0,
                                            "samples": 0, "ios": 0, "instr": 0,
                                            "irqs": 0, "runs": 0})
    for path in paths:
        bench = None
        cur = None
        with open(path, errors="replace") as f:
            for line in f:
                i = line.find("BENCH set=prof")
                if i >= 0:
                    bench = dict(w.split("=", 1) for w in line[i:].split()[1:] if "=" in w)
                    continue
                i = line.find("PROF-BEGIN")
                if i >= 0:
                    kv = dict(w.split("=", 1) for w in line[i:].split()[1:] if "=" in w)
                    words = line[i:].split()
                    hdr = dict(zip(words[4::2], words[5::2]))
                    cur = prof[(kv["drv"], kv["point"])]
                    cur["runs"] += 1
                    cur["user"] += int(hdr.get("user", 0))
                    if bench and bench.get("drv") == kv["drv"] and bench.get("point") == kv["point"]:
                        cur["ios"] += int(bench["ios"])
                        cur["instr"] += int(bench["instr"])
                        cur["irqs"] += int(bench.get("irqs", 0))
                    continue
                if "PROF-END" in line:
                    cur = None
                    continue
                if cur is not None:
                    # "COUNT name" or "COUNT name [module]", maybe after a
                    # console prefix
                    w = line.split()
                    for j, tok in enumerate(w[:-1]):
                        if tok.isdigit():
                            cur["funcs"][" ".join(w[j + 1:])] += int(tok)
                            break
    return prof


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("logs", nargs="+")
    a = ap.parse_args()
    prof = parse(a.logs)
    if not prof:
        sys.exit("profile.py: no PROF blocks")
    out = []
    points = sorted({p for _, p in prof})
    out.append("Guest kernel code by instructions per I/O (vng_prof samples every "
               "20 us of guest time, `scripts/bench.sh --profile`, null-co disk, the "
               "profiler itself adds ~1,500 instr/IO). "
               "Each figure is the code's share of the non-idle samples times the "
               "window's measured instructions per I/O. The guest lists the hottest "
               "functions of each window only (80 or 400), so small ones may be "
               "missing. A timer sample cannot land where interrupts are off: that "
               "time is charged to where they come back on (`_raw_spin_unlock_irq*`, "
               "the instruction after an MMIO exit such as `iowrite16`, the kick), so "
               "compare those lines with care.")
    out.append("")
    for pt in points:
        s, n = prof.get(("stock", pt)), prof.get(("ng", pt))
        if not s or not n:
            continue
        out.append("### %s" % pt)
        out.append("")
        rows = []
        per = {}
        for name, d in (("stock", s), ("ng", n)):
            work = {k: v for k, v in d["funcs"].items() if k.split(" [")[0] not in IDLE}
            ksamples = sum(work.values())
            total = ksamples + d["user"]
            ipio = d["instr"] / d["ios"] if d["ios"] else 0
            per[name] = {"work": work, "total": total, "ipio": ipio,
                         "irq_per_io": d["irqs"] / d["ios"] if d["ios"] else 0,
                         "user": d["user"], "ios": d["ios"], "runs": d["runs"]}
        out.append("stock: %d windows, %d I/Os, %.0f instr/IO, %.3f irqs/IO; "
                   "ours: %d windows, %d I/Os, %.0f instr/IO, %.3f irqs/IO" % (
                       per["stock"]["runs"], per["stock"]["ios"], per["stock"]["ipio"],
                       per["stock"]["irq_per_io"], per["ng"]["runs"], per["ng"]["ios"],
                       per["ng"]["ipio"], per["ng"]["irq_per_io"]))
        out.append("")
        # By module: the drivers' own code against the rest.
        mods = {}
        for k in ("stock", "ng"):
            p = per[k]
            for fn, c in p["work"].items():
                mod = fn.split(" [")[1].rstrip("]") if " [" in fn else "kernel"
                mods.setdefault(mod, {"stock": 0.0, "ng": 0.0})
                mods[mod][k] += c / p["total"] * p["ipio"] if p["total"] else 0
        out.append("| code | stock instr/IO | ours instr/IO |")
        out.append("|---|---:|---:|")
        for mod in sorted(mods, key=lambda m: -max(mods[m].values())):
            out.append("| %s | %.0f | %.0f |" % (mod, mods[mod]["stock"], mods[mod]["ng"]))
        out.append("| user (fio) | %.0f | %.0f |" % tuple(
            per[k]["user"] / per[k]["total"] * per[k]["ipio"] if per[k]["total"] else 0
            for k in ("stock", "ng")))
        out.append("")
        names = set(per["stock"]["work"]) | set(per["ng"]["work"]) | {"[user]"}
        names.discard("[user]")
        names.add("[user]")
        for fn in names:
            v = {}
            for k in ("stock", "ng"):
                p = per[k]
                c = p["user"] if fn == "[user]" else p["work"].get(fn, 0)
                v[k] = c / p["total"] * p["ipio"] if p["total"] else 0
            rows.append((fn, v["stock"], v["ng"]))
        rows.sort(key=lambda r: -max(r[1], r[2]))
        out.append("| function | stock instr/IO | ours instr/IO | ours - stock |")
        out.append("|---|---:|---:|---:|")
        for fn, a_, b_ in rows[:30]:
            out.append("| `%s` | %.0f | %.0f | %+.0f |" % (fn, a_, b_, b_ - a_))
        out.append("")
        diff = sorted(rows, key=lambda r: -(r[2] - r[1]))
        out.append("Largest differences (ours - stock, instr/IO): " + ", ".join(
            "`%s` %+.0f" % (fn, b_ - a_) for fn, a_, b_ in diff[:6] if b_ - a_ > 0) +
            "; and the other way: " + ", ".join(
            "`%s` %+.0f" % (fn, b_ - a_) for fn, a_, b_ in diff[::-1][:6] if b_ - a_ < 0))
        out.append("")
    with open(a.out, "w") as f:
        f.write("\n".join(out) + "\n")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
