#!/usr/bin/env python3
"""Turns the raw CSVs of bench/reproduce.sh into results.md, results.csv and the plot data files."""
import argparse
import csv
import datetime
import json
import os
import platform
import statistics
import subprocess

MODES = ["deterministic", "threads", "naive"]
# exec/s is also measured with no scheduler at all: the limit the engine can approach.
EXEC_MODES = MODES + ["sequential"]


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = int(open("/proc/meminfo").readline().split()[1])
    osname = "?"
    if os.path.exists("/etc/os-release"):
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                osname = line.split("=", 1)[1].strip().strip('"')
    cc = subprocess.run(["clang++-19", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    return f"{os.cpu_count()} cores ({cpu}), {mem_kb / 1024 / 1024:.0f} GiB, {osname}, {cc}"


def read_csv(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return list(csv.DictReader(f))


def median(xs):
    return statistics.median(xs) if xs else None


def fmt(x, spec="{:.2f}"):
    return "–" if x is None else spec.format(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--budget", type=float, required=True)
    ap.add_argument("--reruns", type=int, required=True)
    a = ap.parse_args()

    bugs = []
    for line in open(a.manifest):
        if line.startswith("#") or not line.strip():
            continue
        # bugs.tsv: name, target, build, expect, description, and (memory-order bugs) the memory model.
        name, target, build, expect, desc, *rest = line.rstrip("\n").split("\t")
        memory = rest[0] if rest else ""
        bugs.append(dict(name=name, target=target, build=build, expect=expect, desc=desc, memory=memory))
    rows = read_csv(os.path.join(a.out, "detection.csv"))
    by = {}
    for r in rows:
        by.setdefault((r["bug"], r["mode"]), []).append(r)
    modes = [m for m in MODES if any(k[1] == m for k in by)]
    bugs = [b for b in bugs if any((b["name"], m) in by for m in modes)]

    summary = []  # one per (bug, mode)
    for b in bugs:
        for m in modes:
            rs = by.get((b["name"], m), [])
            found = [r for r in rs if r["found"] == "1"]
            secs = [float(r["seconds"]) for r in found if r["seconds"]]
            execs = [int(r["execs"]) for r in found if r["execs"]]
            reruns = sum(int(r["reruns"]) for r in found)
            repro = sum(int(r["reproduced"]) for r in found)
            same = sum(int(r["same_summary"]) for r in found)
            full = sum(1 for r in found if int(r["reruns"]) > 0 and int(r["reproduced"]) == int(r["reruns"]))
            summary.append(dict(bug=b["name"], target=b["target"], build=b["build"], mode=m,
                                runs=len(rs), found=len(found), median_s=median(secs),
                                max_s=max(secs) if secs else None, median_execs=median(execs),
                                reruns=reruns, reproduced=repro, same_summary=same,
                                artifacts_always=full))
    with open(os.path.join(a.out, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(summary[0].keys()) if summary else ["bug"])
        w.writeheader()
        w.writerows(summary)

    # Plot data: one row per bug, one column per mode.
    def table(path, key, missing="NaN"):
        with open(os.path.join(a.out, path), "w") as f:
            f.write("bug " + " ".join(modes) + "\n")
            for b in bugs:
                vals = []
                for m in modes:
                    s = next(x for x in summary if x["bug"] == b["name"] and x["mode"] == m)
                    v = key(s)
                    vals.append(missing if v is None else f"{v:.4g}")
                f.write(b["name"] + " " + " ".join(vals) + "\n")
    table("detection_rate.dat", lambda s: 100.0 * s["found"] / s["runs"] if s["runs"] else None)
    table("time_to_detect.dat", lambda s: s["median_s"])

    execs = read_csv(os.path.join(a.out, "execs.csv"))
    ex = {}
    for r in execs:
        ex.setdefault((r["fuzzer"], r["build"]), {})[r["mode"]] = r
    with open(os.path.join(a.out, "execs.dat"), "w") as f:
        f.write("fuzzer " + " ".join(EXEC_MODES) + "\n")
        for (fz, bd), d in sorted(ex.items()):
            vals = [d.get(m, {}).get("execs_per_sec") or "NaN" for m in EXEC_MODES]
            f.write(f"{fz}({bd}) " + " ".join(vals) + "\n")

    md = []
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    md.append("# racefuzz: planted-bug detection and speed\n")
    md.append(f"Generated by `bench/reproduce.sh` on {now}.  ")
    md.append(f"Machine: {machine()}.  ")
    md.append(f"Parameters: {a.runs} runs per bug and mode (`-seed=1..{a.runs}`), "
              f"`-max_total_time={a.budget:g}`, {a.reruns} reruns of every saved crash input.\n")
    md.append("## Detection\n")
    md.append("found = runs that stopped with the expected report; time = wall time of the fuzzing "
              "process until the report (startup included), median over the runs that found it; "
              "execs = libFuzzer's executed inputs at the report (median); reproduce = reruns of the "
              "saved inputs that gave the expected report again (same SUMMARY line in parentheses).\n")
    md.append("| bug | target (build) | mode | found | median time (s) | max time (s) | median execs | reproduce |")
    md.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for s in summary:
        if s["runs"] == 0:
            md.append(f"| {s['bug']} | {s['target']} ({s['build']}) | {s['mode']} | n/a: the bug "
                      "exists in deterministic mode only | | | | |")
            continue
        rep = (f"{s['reproduced']}/{s['reruns']} ({s['same_summary']})" if s["reruns"] else "–")
        md.append(f"| {s['bug']} | {s['target']} ({s['build']}) | {s['mode']} | {s['found']}/{s['runs']} | "
                  f"{fmt(s['median_s'])} | {fmt(s['max_s'])} | {fmt(s['median_execs'], '{:.0f}')} | {rep} |")
    md.append("")
    md.append("Bugs: " + "; ".join(f"**{b['name']}**" + (f" (RACEFUZZ_MEMORY={b['memory']})" if b["memory"] else "")
                                  + f": {b['desc']}" for b in bugs) + "\n")

    md.append("## Goals (deterministic mode)\n")
    det = [s for s in summary if s["mode"] == "deterministic"]
    if det:
        all_found = [s["bug"] for s in det if s["found"] == s["runs"]]
        med = [s["median_s"] for s in det if s["median_s"] is not None]
        rr = sum(s["reruns"] for s in det)
        rp = sum(s["reproduced"] for s in det)
        md.append(f"- found in every run: {len(all_found)}/{len(det)} bugs "
                  f"(missing: {', '.join(s['bug'] for s in det if s['found'] < s['runs']) or 'none'})")
        md.append(f"- median of the per-bug median times to detect: {fmt(median(med))} s; worst per-bug "
                  f"median: {fmt(max(med) if med else None)} s")
        md.append(f"- crash inputs reproducing: {rp}/{rr} reruns "
                  f"({100.0 * rp / rr if rr else 0:.1f}%)")
    for m in modes:
        ms = [s for s in summary if s["mode"] == m]
        rr = sum(s["reruns"] for s in ms)
        rp = sum(s["reproduced"] for s in ms)
        md.append(f"- {m}: {sum(s['found'] for s in ms)}/{sum(s['runs'] for s in ms)} runs found their bug; "
                  f"reruns reproducing {rp}/{rr}")
    md.append("")

    if execs:
        md.append("## exec/s of every fuzzer (clean build, `-seed=1`, one process)\n")
        md.append("sequential = the same operations with no scheduler at all (`RACEFUZZ_MODE=sequential`: "
                  "each simulated thread runs to completion in turn), the limit deterministic mode can "
                  "approach; a fuzzer whose threads wait for each other cannot run that way (`report`).\n")
        md.append("| fuzzer | build | deterministic | threads | naive | sequential | deterministic / naive "
                  "| threads / naive | sequential / deterministic |")
        md.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        det_over_naive = {"tsan": [], "asan": []}
        for (fz, bd), d in sorted(ex.items()):
            def rate(m):
                v = d.get(m, {}).get("execs_per_sec")
                return float(v) if v and d[m]["status"] == "ok" else None
            det_r, thr_r, nai_r, seq_r = (rate(m) for m in EXEC_MODES)
            if det_r and nai_r:
                det_over_naive.setdefault(bd, []).append(det_r / nai_r)
            notes = [f"{m}: {d[m]['status']}" for m in EXEC_MODES if m in d and d[m]["status"] != "ok"]
            md.append(f"| {fz} | {bd} | {fmt(det_r, '{:.0f}')} | {fmt(thr_r, '{:.0f}')} | {fmt(nai_r, '{:.0f}')} | "
                      f"{fmt(seq_r, '{:.0f}')} | "
                      f"{fmt(det_r / nai_r if det_r and nai_r else None, '{:.1f}x')} | "
                      f"{fmt(thr_r / nai_r if thr_r and nai_r else None, '{:.1f}x')} | "
                      f"{fmt(seq_r / det_r if seq_r and det_r else None, '{:.1f}x')} |"
                      + (f" {'; '.join(notes)}" if notes else ""))
        md.append("")
        for bd, xs in det_over_naive.items():
            if xs:
                md.append(f"- {bd}: deterministic / naive, median over {len(xs)} fuzzers: "
                          f"{median(xs):.1f}x ({sum(1 for x in xs if x >= 10)} of {len(xs)} at 10x or more)")
        md.append("")

    for san in ["tsan", "asan"]:
        p = os.path.join(a.out, f"engine_{san}.txt")
        if os.path.exists(p):
            text = open(p).read()
            i = text.find("Ratios")
            md.append(f"## Engine benchmark ({san} build, `engine_bench --benchmark_min_time=1`)\n")
            md.append("```\n" + (text[i:] if i >= 0 else text).strip() + "\n```\n")

    md.append("Plots: `detection_rate.png`, `time_to_detect.png`, `execs.png`; raw data: `detection.csv` "
              "(one row per run), `execs.csv`, `results.csv` (one row per bug and mode).\n")
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write("\n".join(md))


if __name__ == "__main__":
    main()
