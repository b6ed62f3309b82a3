#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise scripts/bench.sh boot logs.

  report.py --out DIR LOG...

Reads the guest's BENCH lines (selftests/bench/guest.sh) and writes
DIR/results.json (every run and the summary), DIR/results.csv (one row per
set and point), DIR/table.md (the tables for Documentation/benchmark.md)
and DIR/ratios.png (ours/stock per point).

Per run: IOPS = I/Os completed in the window / guest window time;
instructions per I/O = (window - time all CPUs were idle together) / I/Os:
at -icount shift=0 the guest clock counts the instructions of all vCPUs,
one per ns, plus the jumps made while all are halted (benchmon.c,
vng_cputime.c). ipio_cpuidle is the per-CPU busy time summed / I/Os, kept
for comparison (it counts twice when both vCPUs are busy).
Ratios ours/stock are taken per round (the two pairs ran next to each
other in the same boot) and summarised by their median and min..max.
"""
import argparse
import csv
import json
import os
import re
import statistics
import sys

ORDER = ["rr4k-qd1-j1", "rr4k-qd1-j2", "rr4k-qd32-j1", "rr4k-qd32-j2",
         "rw4k-qd1-j1", "rw4k-qd1-j2", "rw4k-qd32-j1", "rw4k-qd32-j2",
         "sr128k-qd32-j1", "pr4k-qd1-j1"]
SETS = ["null-co", "raw"]


def describe(point):
    m = re.match(r"(rr|rw|sr|pr)(\d+k)-qd(\d+)-j(\d+)$", point)
    if not m:
        return point
    kind = {"rr": "randread", "rw": "randwrite", "sr": "seq read",
            "pr": "polled randread"}[m.group(1)]
    qd = int(m.group(3))
    eng = "psync" if qd == 1 and m.group(1) != "pr" else "io_uring"
    if m.group(1) == "pr":
        eng = "io_uring hipri"
    return "%s %s QD%d %s, %s job%s" % (m.group(2), kind, qd, eng, m.group(4),
                                        "" if m.group(4) == "1" else "s")


def parse(logs):
    runs, meta = [], []
    for boot, path in enumerate(logs, 1):
        with open(path, errors="replace") as f:
            for line in f:
                i = line.find("BENCH set=")
                if i < 0:
                    for tag in ("PAIR ", "CLOCKSOURCE ", "CPUIDLE ", "DEVOPTS "):
                        j = line.find(tag)
                        if j >= 0:
                            meta.append({"boot": boot, "line": line[j:].strip()})
                    continue
                kv = dict(w.split("=", 1) for w in line[i:].split()[1:] if "=" in w)
                r = {"boot": boot, "set": kv["set"], "drv": kv["drv"],
                     "round": int(kv["round"]), "point": kv["point"],
                     "fio_rc": int(kv.get("fio_rc", -1))}
                try:
                    win, busy, ios = (int(kv["win_ns"]), int(kv["instr"]),
                                      int(kv["ios"]))
                    cbusy = int(kv.get("cpubusy_ns", -1))
                except (KeyError, ValueError):
                    r["error"] = "no benchmon data"
                    runs.append(r)
                    continue
                if "irqs" in kv and ios:
                    r["irqs"] = int(kv["irqs"])
                    r["irq_per_io"] = int(kv["irqs"]) / ios
                r.update(win_ns=win, busy_ns=busy, ios=ios,
                         cpuidle_busy_ns=cbusy,
                         iops=ios * 1e9 / win if win else 0.0,
                         ipio=busy / ios if ios else None,
                         ipio_cpuidle=cbusy / ios if ios and cbusy >= 0 else None)
                if r["fio_rc"] != 0 or not ios:
                    r["error"] = "fio failed" if r["fio_rc"] else "no I/O"
                runs.append(r)
    return runs, meta


def stats(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    med = statistics.median(vals)
    return {"median": med, "min": min(vals), "max": max(vals), "n": len(vals),
            "spread_pct": 100.0 * (max(vals) - min(vals)) / med if med else 0.0}


def summarise(runs):
    ok = [r for r in runs if "error" not in r]
    out = {"points": [], "nullblk": [], "nullblk_repeat": []}
    nb = {}
    for pt in ORDER:
        sel = [r for r in ok if r["set"] == "nullblk" and r["point"] == pt
               and r["round"] == 1]
        if sel:
            nb[pt] = {"iops": stats([r["iops"] for r in sel]),
                      "ipio": stats([r["ipio"] for r in sel]),
                      "ipio_cpuidle": stats([r["ipio_cpuidle"] for r in sel])}
            out["nullblk"].append(dict(point=pt, **nb[pt]))
    # The reference null_blk job: its run in round 1 (after a warm-up run,
    # round 0, while the boot settles) and again at the end (round 9).
    boots = sorted({r["boot"] for r in runs})
    for b in boots:
        last = [r for r in ok if r["boot"] == b and r["set"] == "nullblk" and r["round"] == 9]
        first = [r for r in ok if r["boot"] == b and r["set"] == "nullblk" and r["round"] == 1
                 and last and r["point"] == last[0]["point"]]
        if first and last:
            f, l = first[0], last[0]
            out["nullblk_repeat"].append({
                "boot": b, "point": f["point"],
                "iops_first": f["iops"], "iops_last": l["iops"],
                "iops_diff_pct": 100.0 * (l["iops"] - f["iops"]) / f["iops"],
                "ipio_first": f["ipio"], "ipio_last": l["ipio"],
                "ipio_diff_pct": 100.0 * (l["ipio"] - f["ipio"]) / f["ipio"]})
    for st in SETS:
        for pt in ORDER:
            sel = [r for r in ok if r["set"] == st and r["point"] == pt]
            if not sel:
                continue
            row = {"set": st, "point": pt, "desc": describe(pt)}
            for drv in ("stock", "ng"):
                d = [r for r in sel if r["drv"] == drv]
                row[drv] = {"iops": stats([r["iops"] for r in d]),
                            "ipio": stats([r["ipio"] for r in d]),
                            "ipio_cpuidle": stats([r["ipio_cpuidle"] for r in d]),
                            "irq_per_io": stats([r.get("irq_per_io") for r in d])}
            # Paired ratios: the same boot and round.
            pairs = {}
            for r in sel:
                pairs.setdefault((r["boot"], r["round"]), {})[r["drv"]] = r
            rs_iops, rs_ipio, rs_cipio = [], [], []
            for p in pairs.values():
                if "stock" in p and "ng" in p:
                    rs_iops.append(p["ng"]["iops"] / p["stock"]["iops"])
                    rs_ipio.append(p["ng"]["ipio"] / p["stock"]["ipio"])
                    if p["ng"]["ipio_cpuidle"] and p["stock"]["ipio_cpuidle"]:
                        rs_cipio.append(p["ng"]["ipio_cpuidle"] / p["stock"]["ipio_cpuidle"])
            row["ratio_iops"] = stats(rs_iops)
            row["ratio_ipio"] = stats(rs_ipio)
            row["ratio_ipio_cpuidle"] = stats(rs_cipio)
            if pt in nb and nb[pt]["ipio"]:
                floor = nb[pt]["ipio"]["median"]
                row["nullblk_ipio"] = floor
                for drv in ("stock", "ng"):
                    if row[drv]["ipio"]:
                        row[drv]["ipio_over_nullblk"] = row[drv]["ipio"]["median"] - floor
                        row[drv]["ipio_x_nullblk"] = row[drv]["ipio"]["median"] / floor
            out["points"].append(row)
    return out


def fmt_ratio(s):
    if not s:
        return "-"
    return "%.3f (%.3f..%.3f)" % (s["median"], s["min"], s["max"])


def fmt_med(s, fmt="%.0f"):
    if not s:
        return "-"
    return (fmt + " ±%.1f%%") % (s["median"], s["spread_pct"] / 2)


def table(summary, runs):
    lines = []
    nboots = len({r["boot"] for r in runs})
    lines.append("| set | point | IOPS stock | IOPS ours | IOPS ours/stock | "
                 "instr/IO stock | instr/IO ours | instr/IO ours/stock | "
                 "null_blk instr/IO | over null_blk stock / ours |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in summary["points"]:
        s, n = row["stock"], row["ng"]
        over = "-"
        if "ipio_over_nullblk" in s and "ipio_over_nullblk" in n:
            over = "%.0f / %.0f" % (s["ipio_over_nullblk"], n["ipio_over_nullblk"])
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            row["set"], row["desc"], fmt_med(s["iops"]), fmt_med(n["iops"]),
            fmt_ratio(row["ratio_iops"]), fmt_med(s["ipio"]), fmt_med(n["ipio"]),
            fmt_ratio(row["ratio_ipio"]),
            "%.0f" % row["nullblk_ipio"] if "nullblk_ipio" in row else "-", over))
    lines.append("")
    lines.append("Medians over %d boot(s) x rounds; ± is half the min..max spread; "
                 "ratios are per round (same boot, adjacent runs), median (min..max)."
                 % nboots)
    if any(r["stock"]["irq_per_io"] or r["ng"]["irq_per_io"] for r in summary["points"]):
        lines.append("")
        lines.append("Interrupts per I/O (the disk's MSI-X vectors in /proc/interrupts, same window):")
        lines.append("")
        lines.append("| set | point | stock | ours |")
        lines.append("|---|---|---:|---:|")
        for row in summary["points"]:
            f = lambda x: "%.3f" % x["median"] if x else "-"
            lines.append("| %s | %s | %s | %s |" % (row["set"], row["desc"],
                         f(row["stock"]["irq_per_io"]), f(row["ng"]["irq_per_io"])))
    lines.append("")
    lines.append("null_blk (the block layer's floor; irqmode=0, 2 submit queues + 1 poll queue):")
    lines.append("")
    lines.append("| point | IOPS | instr/IO |")
    lines.append("|---|---:|---:|")
    for r in summary["nullblk"]:
        lines.append("| %s | %s | %s |" % (describe(r["point"]), fmt_med(r["iops"]),
                                           fmt_med(r["ipio"])))
    lines.append("")
    lines.append("null_blk reference job at the start and the end of each boot:")
    lines.append("")
    lines.append("| boot | point | IOPS first | IOPS last | diff | instr/IO first | instr/IO last | diff |")
    lines.append("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in summary["nullblk_repeat"]:
        lines.append("| %d | %s | %.0f | %.0f | %+.2f%% | %.0f | %.0f | %+.2f%% |" % (
            r["boot"], r["point"], r["iops_first"], r["iops_last"], r["iops_diff_pct"],
            r["ipio_first"], r["ipio_last"], r["ipio_diff_pct"]))
    return "\n".join(lines) + "\n"


def plot(summary, path, devs=()):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = summary["points"]
    if not rows:
        return
    labels = ["%s\n%s" % (r["point"], r["set"]) for r in rows]
    x = list(range(len(rows)))
    fig, ax = plt.subplots(figsize=(max(8, len(rows) * 0.9), 5))
    w = 0.38
    for k, (key, name, off) in enumerate((("ratio_iops", "IOPS ours/stock (higher is better)", -w / 2),
                                          ("ratio_ipio", "instructions/IO ours/stock (lower is better)", w / 2))):
        med = [r[key]["median"] if r[key] else 0 for r in rows]
        lo = [r[key]["median"] - r[key]["min"] if r[key] else 0 for r in rows]
        hi = [r[key]["max"] - r[key]["median"] if r[key] else 0 for r in rows]
        ax.bar([i + off for i in x], med, w, yerr=[lo, hi], capsize=3, label=name)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_xticks(x)
    ax.set_xticklabels(labels, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("ratio ours / stock (median, min..max over rounds)")
    ax.set_title("virtio_blk_ng + virtio_pci_ng vs virtio_blk + virtio_pci "
                 "(QEMU TCG, -icount shift=0,sleep=off%s)"
                 % "".join(", " + d for d in devs), fontsize=10)
    lo_all = min([r["ratio_iops"]["min"] for r in rows if r["ratio_iops"]] +
                 [r["ratio_ipio"]["min"] for r in rows if r["ratio_ipio"]] + [0.9])
    hi_all = max([r["ratio_iops"]["max"] for r in rows if r["ratio_iops"]] +
                 [r["ratio_ipio"]["max"] for r in rows if r["ratio_ipio"]] + [1.1])
    ax.set_ylim(max(0, lo_all - 0.05), hi_all + 0.05)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("logs", nargs="+")
    a = ap.parse_args()
    logs = [l for l in a.logs if os.path.exists(l)]
    if not logs:
        sys.exit("report.py: no logs")
    runs, meta = parse(logs)
    if not runs:
        sys.exit("report.py: no BENCH lines in %s" % " ".join(logs))
    summary = summarise(runs)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump({"summary": summary, "runs": runs, "meta": meta}, f, indent=1)
    with open(os.path.join(a.out, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["set", "point", "stock_iops", "ng_iops", "ratio_iops",
                    "ratio_iops_min", "ratio_iops_max", "stock_instr_per_io",
                    "ng_instr_per_io", "ratio_instr", "ratio_instr_min",
                    "ratio_instr_max", "nullblk_instr_per_io", "rounds"])
        for r in summary["points"]:
            def g(d, k="median"):
                return "%.4g" % d[k] if d else ""
            w.writerow([r["set"], r["point"], g(r["stock"]["iops"]), g(r["ng"]["iops"]),
                        g(r["ratio_iops"]), g(r["ratio_iops"], "min"), g(r["ratio_iops"], "max"),
                        g(r["stock"]["ipio"]), g(r["ng"]["ipio"]), g(r["ratio_ipio"]),
                        g(r["ratio_ipio"], "min"), g(r["ratio_ipio"], "max"),
                        "%.4g" % r["nullblk_ipio"] if "nullblk_ipio" in r else "",
                        r["ratio_ipio"]["n"] if r["ratio_ipio"] else 0])
    t = table(summary, runs)
    devs = sorted({m["line"][len("DEVOPTS "):] for m in meta
                   if m["line"].startswith("DEVOPTS ")})
    if devs:
        t += "\nQEMU disks: %s (both, every boot).\n" % ", ".join(
            "`%s`" % d for d in devs)
    with open(os.path.join(a.out, "table.md"), "w") as f:
        f.write(t)
    bad = [r for r in runs if "error" in r]
    try:
        plot(summary, os.path.join(a.out, "ratios.png"), devs)
    except ImportError as e:
        print("report.py: no plot (%s)" % e, file=sys.stderr)
    sys.stdout.write(t)
    if bad:
        print("%d run(s) failed: %s" % (len(bad), ", ".join(
            "%s/%s/%s/r%d" % (r["set"], r["drv"], r["point"], r["round"]) for r in bad)))
    for r in summary["nullblk_repeat"]:
        if abs(r["ipio_diff_pct"]) > 0.5:
            print("warning: null_blk reference moved by %.2f%% in boot %d; the run is suspect"
                  % (r["ipio_diff_pct"], r["boot"]))


if __name__ == "__main__":
    main()
