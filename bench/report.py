#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""report.py RESULTS AREAS OUT WALL_SECONDS: the tables of "make bench".

Reads what bench/guest-bench.sh left in RESULTS (fio JSON per cell and
round, times.tsv, meminfo/slabinfo snapshots, info.txt) and writes to OUT:
  runs.tsv   every fio job: kind workload qd round device iops
  fio.tsv    medians over round pairs and ratios: kind workload qd device
             median_iops ratio
  plot-<kind>-iops.dat, plot-<kind>-ratio.dat   for bench/plot.gp
  fio.md     the tables, the goals and how each was met
Only numbers found in RESULTS are printed; nothing is assumed.
"""
import glob
import json
import os
import re
import statistics
import sys

res, areas_file, out, wall = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]

areas = {}
for line in open(areas_file):
    if line.startswith("#") or not line.strip():
        continue
    name, count, start, length, meta = line.split()
    areas[name] = dict(count=int(count), start=int(start), len=int(length),
                       meta=int(meta))

info = {}
for line in open(os.path.join(res, "info.txt")):
    k, _, v = line.rstrip("\n").partition(" ")
    info[k] = v

LABEL = {"lin": "linear", "lin2": "linear #2 (noise)", "r0": "0", "r1k": "1k", "r100k": "100k",
         "r1m": "1M", "hot": "10% hot", "adj": "10% in runs"}
WL = {"randread": "4k randread", "randwrite": "4k randwrite",
      "read": "128k seq read", "write": "128k seq write"}
KIND = {"nullb": "null_blk (no data)", "brd": "brd (RAM disk)"}

# ---- fio ----
runs = []
for f in sorted(glob.glob(os.path.join(res, "fio", "*.json"))):
    m = re.match(r"(\w+)-(\w+)-qd(\d+)-r(\d+)\.json$", os.path.basename(f))
    if not m:
        continue
    kind, wl, qd, rnd = m.group(1), m.group(2), int(m.group(3)), int(m.group(4))
    text = open(f).read()
    if "{" not in text:  # a run cut short: the job never finished
        print("report: %s: no fio result, skipped" % f, file=sys.stderr)
        continue
    # fio may print warnings before the JSON document
    d = json.loads(text[text.index("{"):])
    for j in d["jobs"]:
        io = j["write"] if "write" in wl else j["read"]
        runs.append((kind, wl, qd, rnd, j["jobname"], io["iops"],
                     io["lat_ns"]["mean"] / 1000.0))

kinds = [k for k in ("nullb", "brd") if any(r[0] == k for r in runs)]
wls = [w for w in ("randread", "randwrite", "read", "write")
       if any(r[1] == w for r in runs)]
qds = sorted({r[2] for r in runs})
devs = [d for d in ("lin", "r0", "r1k", "r100k", "r1m", "hot", "adj", "lin2")
        if any(r[4] == d for r in runs)]
sets = [d for d in devs if d != "lin"]
rounds = sorted({r[3] for r in runs})

# Rounds come in pairs: device order forward in round 2i-1, backward in
# round 2i.  A job's place in the order shifts its IOPS a little (the last
# job of a round ran about 0.25% slower than the first in the runs of
# 2026-12-06: dm-linear against the second dm-linear read 0.997x with a
# median of three rounds, two of them forward), so a pair, where each
# device is once at place p and once at place n+1-p, is the unit of
# measure: a device's pair value is the mean of its two rounds, its ratio
# in a pair is that over dm-linear's, and the cell reports the medians
# over the pairs.  A last round without its pair is left out.
pairs = [(rounds[i], rounds[i + 1]) for i in range(0, len(rounds) - 1, 2)
         if rounds[i + 1] == rounds[i] + 1 and rounds[i] % 2 == 1]
iops = {(r[0], r[1], r[2], r[3], r[4]): r[5] for r in runs}
med = {}
pair_ratio = {}
for k in kinds:
    for w in wls:
        for q in qds:
            for d in devs:
                v = [(iops[k, w, q, a, d] + iops[k, w, q, b, d]) / 2
                     for a, b in pairs
                     if (k, w, q, a, d) in iops and (k, w, q, b, d) in iops]
                if v:
                    med[k, w, q, d] = statistics.median(v)
                rv = [(iops[k, w, q, a, d] + iops[k, w, q, b, d]) /
                      (iops[k, w, q, a, "lin"] + iops[k, w, q, b, "lin"])
                      for a, b in pairs
                      if all((k, w, q, x, y) in iops
                             for x in (a, b) for y in (d, "lin"))]
                if rv:
                    pair_ratio[k, w, q, d] = statistics.median(rv)


def ratio(k, w, q, d):
    return pair_ratio.get((k, w, q, d))


os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "runs.tsv"), "w") as f:
    f.write("kind\tworkload\tqd\tround\tdevice\tiops\tmean_lat_us\n")
    for r in runs:
        f.write("%s\t%s\t%d\t%d\t%s\t%.1f\t%.2f\n" % r)
with open(os.path.join(out, "fio.tsv"), "w") as f:
    f.write("kind\tworkload\tqd\tdevice\tmedian_iops\tratio\n")
    for (k, w, q, d), v in sorted(med.items()):
        f.write("%s\t%s\t%d\t%s\t%.1f\t%.4f\n" % (k, w, q, d, v,
                                                   ratio(k, w, q, d)))

# Plot data: one row per remap count (the scattered sets), one column per cell.
scattered = [d for d in ("r0", "r1k", "r100k", "r1m") if d in sets]
for k in kinds:
    for what in ("iops", "ratio"):
        with open(os.path.join(out, "plot-%s-%s.dat" % (k, what)), "w") as f:
            f.write("remaps " + " ".join('"%s QD%d"' % (WL[w], q)
                                         for w in wls for q in qds) + "\n")
            for d in scattered:
                vals = []
                for w in wls:
                    for q in qds:
                        v = med.get((k, w, q, d)) if what == "iops" else \
                            ratio(k, w, q, d)
                        vals.append("%.4f" % v if v is not None else "NaN")
                f.write('"%s" %s\n' % (LABEL[d], " ".join(vals)))

# ---- times ----
times = {}
tpath = os.path.join(res, "times.tsv")
if os.path.exists(tpath):
    for line in open(tpath):
        f = line.rstrip("\n").split("\t")
        times[f[0], f[1]] = (float(f[2]), float(f[3]),
                             int(f[4]) if len(f) > 4 else None)

# ---- memory ----


def meminfo(name):
    p = os.path.join(res, "mem", name + ".meminfo")
    if not os.path.exists(p):
        return None
    m = {}
    for line in open(p):
        k, v = line.split(":")
        m[k] = int(v.split()[0]) * 1024
    return m


def slabs(name):
    p = os.path.join(res, "mem", name + ".slabinfo")
    s = {}
    if not os.path.exists(p):
        return s
    for line in open(p):
        if line.startswith(("slabinfo", "#")):
            continue
        f = line.split()
        s[f[0]] = int(f[2]) * int(f[3])  # num_objs * objsize
    return s


mem_rows = []
for kind, how in (("brd", "table load from metadata (persistent)"),
                  ("nullb", "remapctl import (volatile)")):
    for d in ["r0", "r1k", "r100k", "r1m", "hot", "adj", "pimp"]:
        name = d if d != "pimp" else "r1m"
        a, b = meminfo("%s-%s-before" % (kind, d)), \
            meminfo("%s-%s-after" % (kind, d))
        if not a or not b:
            continue
        n = areas[name]["count"]
        used = a["MemFree"] - b["MemFree"]
        slab = b["Slab"] - a["Slab"]
        vm = b["VmallocUsed"] - a["VmallocUsed"]
        pcpu = b.get("Percpu", 0) - a.get("Percpu", 0)
        sa, sb = slabs("%s-%s-before" % (kind, d)), slabs("%s-%s-after" % (kind, d))
        top = sorted(((sb.get(c, 0) - sa.get(c, 0), c) for c in set(sa) | set(sb)),
                     reverse=True)[:2]
        label = how if d != "pimp" else "remapctl import (persistent)"
        mem_rows.append((kind, label, d, n, used, slab, vm, pcpu, top))

# ---- markdown ----
L = []
L.append("# dm-remap against dm-linear: fio in a QEMU guest with -icount")
L.append("")
L.append("Produced by `make bench` (bench/bench.sh); raw numbers in "
         "[runs.tsv](runs.tsv), medians in [fio.tsv](fio.tsv), plot "
         "[fio.svg](fio.svg).")
L.append("")
L.append("- date: %s; guest kernel: %s; guest CPU: %s (QEMU TCG, "
         "`-icount shift=0,sleep=off`, 1 vCPU); %s"
         % (info.get("date"), info.get("kernel"), info.get("cpu"),
            info.get("fio")))
L.append("- %d round(s) of %s per job, in %d pair(s): device order "
         "forward, then backward, within each cell, so that each device is "
         "once at place p and once at place n+1-p of a pair. IOPS: median "
         "over the pairs of the device's mean over its pair; ratio: median "
         "over the pairs of (remap's IOPS in the pair) / (dm-linear's in "
         "the pair). Host wall time of the guest run: %s s."
         % (len(rounds), info.get("runtime"), len(pairs), wall))
L.append("- main device: %d GiB (%d units of %d sectors); fio on its first "
         "%d MiB (direct I/O, fixed random seed); remaps scattered at random "
         "over the whole device; \"10%% hot\": %d units, 10%% of the fio "
         "region's units, scattered inside it; \"10%% in runs\": %d units "
         "in runs of 64 adjacent units (256 KiB, adjacent spare units "
         "too), at random in the fio region (a scratched region)."
         % (int(info["dev_sectors"]) // 2097152,
            int(info["dev_sectors"]) // int(info["unit_sectors"]),
            int(info["unit_sectors"]), int(info["region_bytes"]) >> 20,
            areas.get("hot", {}).get("count", 0),
            areas.get("adj", {}).get("count", 0)))
L.append("- spare areas on a second device of the same kind. null_blk: "
         "`memory_backed=0`, `irqmode=0`, tables `volatile`, remaps loaded "
         "by `remapctl import`. brd: persistent tables, remaps loaded at "
         "table load from metadata written on the host by `remapctl restore`.")
L.append("")

goals = []
for k in kinds:
    L.append("## %s: IOPS (median over round pairs) and ratio to dm-linear" % KIND[k])
    L.append("")
    L.append("| cell | linear | " + " | ".join(
        "%s remaps" % LABEL[d] if d not in ("hot", "adj", "lin2") else LABEL[d]
        for d in sets) + " |")
    L.append("| --- | ---: | " + " | ".join("---:" for _ in sets) + " |")
    for w in wls:
        for q in qds:
            if (k, w, q, "lin") not in med:
                continue
            cells = []
            for d in sets:
                r = ratio(k, w, q, d)
                cells.append("%.0f (%.3fx)" % (med[k, w, q, d], r)
                             if r is not None else "-")
            L.append("| %s QD%d | %.0f | %s |" % (WL[w], q, med[k, w, q, "lin"],
                                                 " | ".join(cells)))
    L.append("")


def goal_line(d, want, what):
    vals = [(ratio(k, w, q, d), k, w, q) for k in kinds for w in wls
            for q in qds if ratio(k, w, q, d) is not None]
    if not vals:
        return "| %s | >= %.3fx | not measured | - |" % (what, want)
    lo = min(vals)
    miss = [v for v in vals if v[0] < want]
    return "| %s | >= %.3fx | lowest %.3fx (%s %s QD%d); %d of %d cells below | %s |" % (
        what, want, lo[0], KIND[lo[1]].split()[0], WL[lo[2]], lo[3],
        len(miss), len(vals), "met" if not miss else
        "missed by up to %.1f%%" % (100 * (want - lo[0]) / want))


L.append("## Goals")
L.append("")
L.append("| goal | target | measured | verdict |")
L.append("| --- | --- | --- | --- |")
L.append(goal_line("r0", 0.995, "0 remaps, every cell"))
L.append(goal_line("r1k", 0.985, "1,000 remaps scattered, every cell"))
L.append(goal_line("r1m", 0.985, "1,000,000 remaps scattered, every cell"))
for d in ("adj", "hot"):
    v = [(ratio(k, w, q, d), k, w, q) for k in kinds for w in ("read", "write")
         for q in qds if ratio(k, w, q, d) is not None]
    if v:
        lo = min(v)
        L.append("| %s, 128k cells (%s) | - | %.3fx-%.3fx (lowest %s %s QD%d) | - |"
                 % (LABEL[d], "a bio inside a run is one piece" if d == "adj"
                    else "scattered: bios cut at each remapped unit",
                    lo[0], max(v)[0], KIND[lo[1]].split()[0], WL[lo[2]], lo[3]))
noise = [ratio(k, w, q, "lin2") for k in kinds for w in wls for q in qds
         if ratio(k, w, q, "lin2") is not None]
if noise:
    L.append("| noise floor: a second dm-linear / the first | - | %.3fx-%.3fx "
             "(%d cells; largest deviation %.1f%%) | - |"
             % (min(noise), max(noise), len(noise),
                100 * max(abs(1 - v) for v in noise)))
m1 = [r for r in mem_rows if r[2] in ("r1m", "pimp")]
for r in m1:
    per = (r[5] + r[6] + r[7]) / r[3]
    L.append("| index memory at 1M, %s | <= 24 B/unit | %.1f B/unit "
             "(slab + vmalloc + percpu delta); %.1f B/unit of MemFree | %s |"
             % (r[1], per, r[4] / r[3], "met" if per <= 24 else
                "missed by %.1f B/unit" % (per - 24)))
for key, what in ((("brd", "table-load-r1m"), "1M at table load (brd, metadata)"),
                  (("nullb", "table-load-r1m"),
                   "1M at table load (null_blk spare, metadata from import)"),
                  (("nullb", "import-volatile-r1m"), "1M by remapctl import, volatile"),
                  (("nullb", "import-volatile-64k-r1m"),
                   "1M by remapctl import --message-size 65536, volatile"),
                  (("nullb", "import-persistent-r1m"),
                   "1M by remapctl import, persistent")):
    if key in times:
        el, busy, host = times[key]
        L.append("| load %s | < 10 s guest | %.2f s CPU busy (guest elapsed %.0f s, "
                 "host wall %s s) | %s |"
                 % (what, busy, el, host if host is not None else "-",
                    "met" if busy < 10 else
                    "missed by %.1f s (%.1fx)" % (busy - 10, busy / 10)))
L.append("")

L.append("Load times are judged on CPU busy time: the instructions the guest "
         "executed, at one per nanosecond under -icount. Guest elapsed time "
         "also counts idle stretches (waits for grace periods, for I/O "
         "completions), and with sleep=off an idle guest's clock jumps to "
         "its next timer, so their length is not meaningful; host wall time "
         "is on a 2-core host shared with other QEMU guests.")
L.append("")
L.append("## Load times (guest seconds under -icount)")
L.append("")
L.append("Elapsed: guest clock (under -icount it also runs on while the "
         "guest is idle, jumping to the next timer); CPU busy: non-idle "
         "jiffies of /proc/stat (the instructions executed, at 1 per ns); "
         "host wall: the emulated RTC, 1 s resolution, on this shared host.")
L.append("")
L.append("| kind | what | remaps | elapsed s | CPU busy s | host wall s |")
L.append("| --- | --- | ---: | ---: | ---: | ---: |")
for (kind, name), (el, busy, host) in sorted(times.items()):
    s = name.rsplit("-", 1)[1]
    L.append("| %s | %s | %s | %.3f | %.3f | %s |" % (
        kind, name.rsplit("-", 1)[0], areas.get(s, {}).get("count", "-"), el,
        busy, host if host is not None else "-"))
L.append("")

L.append("## Kernel memory per remapped unit (from /proc/meminfo and /proc/slabinfo)")
L.append("")
L.append("Snapshots before and after loading, page cache dropped. "
         "Persistent tables also keep, per slot block of the metadata (508 "
         "slots), its seq and checksum (12 B), and the spare pool's free map "
         "(1 bit per spare unit); the slot table itself is not kept in memory.")
L.append("")
L.append("| kind | how | remaps | MemFree delta | Slab delta | VmallocUsed delta | "
         "Percpu delta | (slab+vmalloc+percpu)/unit | same, minus the 0-remap load | "
         "MemFree/unit | largest slab growth |")
L.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
base = {}
for kind, how, d, n, used, slab, vm, pcpu, top in mem_rows:
    if d == "r0":
        base[kind] = slab + vm + pcpu
for kind, how, d, n, used, slab, vm, pcpu, top in mem_rows:
    k = slab + vm + pcpu
    per = "%.1f B" % (k / n) if n else "-"
    perb = "%.1f B" % ((k - base[kind]) / n) if n and kind in base and \
        d != "pimp" else "-"
    perm = "%.1f B" % (used / n) if n else "-"
    L.append("| %s | %s | %d | %d KiB | %d KiB | %d KiB | %d KiB | %s | %s | %s | %s |" % (
        kind, how, n, used // 1024, slab // 1024, vm // 1024, pcpu // 1024,
        per, perb, perm,
        ", ".join("%s %+d KiB" % (c, b // 1024) for b, c in top if b)))
L.append("")
L.append("brd: the snapshots bracket `dmsetup create` (the whole table load: "
         "index, metadata per-block seq and checksum, pool bitmap, kcopyd/dm-io clients and "
         "mempools); the 0-remap load (spare area of 1 GiB like 1k/100k/hot/adj, "
         "the 1M set has 5 GiB) gives the fixed part. null_blk: they bracket "
         "`remapctl import` into an existing volatile table (index and what "
         "the first copy sets up). import (persistent): the table existed "
         "with its metadata before the first snapshot.")
L.append("")

with open(os.path.join(out, "fio.md"), "w") as f:
    f.write("\n".join(L))
print("\n".join(L))
