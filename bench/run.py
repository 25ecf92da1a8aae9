#!/usr/bin/env python3
"""Benchmarks for `make bench`. Each figure ends as a line `bench: NAME VALUE UNIT`."""
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import run_mnsim  # noqa: E402

MNSIM = sys.argv[1] if len(sys.argv) > 1 else "build/mnsim"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
figures = []


def fig(name, value, unit):
    figures.append((name, value, unit))


peak_kb = {}  # group -> the largest resident set of one mnsim run in it


def run(path, *opts, group=None):
    """Runs mnsim on one file; returns (test json, wall seconds). The run's peak resident
    set is kept as the largest of its group."""
    test, wall, rss = run_mnsim(MNSIM, path, *opts)
    if group:
        peak_kb[group] = max(peak_kb.get(group, 0), rss)
    return test, wall


def trace_counts(path):
    """`mnsim --count-traces` on one file: its Traces, Persistent-paths... lines as ints."""
    out = subprocess.run([MNSIM, "--count-traces", "--no-min-cex", "--jobs", "1", path],
                         capture_output=True, text=True)
    if out.returncode not in (0, 1, 3):
        sys.exit(f"bench: mnsim --count-traces failed on {path}: {out.stderr}")
    counts = {}
    for line in out.stdout.splitlines():
        key, _, value = line.partition(" ")
        if key in ("Test", "Traces", "Persistent-paths", "Persistent-traces", "Sleep-paths"):
            counts[key] = value if key == "Test" else int(value)
    return counts


def trace_ratios():
    """Persistent paths per Mazurkiewicz trace on the classic tests (issue 6, item 4)."""
    print("classic tests: Mazurkiewicz traces T, stateless paths with persistent sets P,")
    print("and with persistent and sleep sets S")
    print(f"{'test':18} {'T':>6} {'P':>8} {'P/T':>9} {'S':>6} {'S/T':>6}")
    ratios, sleep_ratios = [], []
    for path in sorted(glob.glob(os.path.join(ROOT, "scenarios/classic/*.mnl"))):
        c = trace_counts(path)
        t, p, s = c["Traces"], c["Persistent-paths"], c["Sleep-paths"]
        assert c["Persistent-traces"] == t, f"{path}: persistent sets lost a trace"
        ratios.append(p / t)
        sleep_ratios.append(s / t)
        print(f"{c['Test']:18} {t:6} {p:8} {p / t:9.3f} {s:6} {s / t:6.3f}")
    geo = 1.0
    for r in ratios:
        geo *= r
    geo **= 1 / len(ratios)
    # The target is "within 1.2x on the classic tests": the worst test is the figure.
    fig("trace-ratio-classic", f"{max(ratios):.3f}", "x")
    fig("trace-ratio-classic-geomean", f"{geo:.3f}", "x")
    fig("sleep-trace-ratio-classic", f"{max(sleep_ratios):.3f}", "x")


def gen(n, k, mode, tmp):
    path = os.path.join(tmp, f"{mode}_{n}x{k}.mnl")
    with open(path, "w") as f:
        subprocess.run(["sh", os.path.join(HERE, "gen_scalable.sh"), str(n), str(k), mode],
                       stdout=f, check=True)
    return path


def main():
    print(f"mnsim benchmarks, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores")
    print()
    print("classic tests (one worker): reduced vs naive enumeration")
    print(f"{'test':18} {'states':>8} {'naive':>9} {'ratio':>7} {'execs':>6} {'naive':>7}")
    ratios = []
    for path in sorted(glob.glob(os.path.join(ROOT, "scenarios/classic/*.mnl"))):
        red, _ = run(path, "--jobs", "1")
        nai, _ = run(path, "--no-reduction")
        ratio = nai["states"] / max(red["states"], 1)
        ratios.append(ratio)
        print(f"{red['test']:18} {red['states']:8} {nai['states']:9} {ratio:7.1f} "
              f"{red['executions']:6} {nai['executions']:7}")
    geo = 1.0
    for r in ratios:
        geo *= r
    geo **= 1 / len(ratios)
    fig("classic-reduction-ratio", f"{geo:.2f}", "x")
    print()
    trace_ratios()

    with tempfile.TemporaryDirectory() as tmp:
        print()
        print("scalable tests: N agents x K increments")
        print(f"{'test':20} {'states':>9} {'naive':>10} {'ratio':>8} {'seconds':>8} {'states/s':>10}")
        # The naive engine enumerates (N(2K+1))! / ((2K+1)!)^N paths: only the small ones.
        for n, k, mode in [(2, 2, "disjoint"), (3, 2, "disjoint"), (4, 3, "disjoint"),
                           (8, 4, "disjoint"), (2, 2, "shared"), (3, 2, "shared"),
                           (3, 3, "shared"), (4, 2, "shared")]:
            path = gen(n, k, mode, tmp)
            red, wall = run(path, "--jobs", "1")
            naive = "-"
            ratio = "-"
            if n * (2 * k + 1) <= 15:
                nai, _ = run(path, "--no-reduction")
                naive = nai["states"]
                ratio = f"{nai['states'] / max(red['states'], 1):.1f}"
            rate = red["states"] / max(red["seconds"], 1e-9)
            print(f"{red['test']:20} {red['states']:9} {naive!s:>10} {ratio:>8} "
                  f"{red['seconds']:8.3f} {rate:10.0f}")
            if ratio != "-":
                fig(f"reduction-ratio-{mode}-{n}x{k}", ratio, "x")

        # The stateful search's reductions side by side (one worker each).
        print()
        print("reductions of the stateful search (one worker): states / transitions / seconds")
        cases = sorted(glob.glob(os.path.join(ROOT, "scenarios/classic/*.mnl")))
        cases += [gen(4, 3, "disjoint", tmp), gen(3, 3, "locked", tmp), gen(4, 3, "shared", tmp)]
        print(f"{'mode':12} {'classic states':>15} {'classic trans':>14} "
              f"{'scalable states':>16} {'scalable trans':>15} {'seconds':>8}")
        for mode in ["persistent", "sleep", "both", "none"]:
            cs = ct = ss = st = 0
            secs = 0.0
            for path in cases:
                t, _ = run(path, "--jobs", "1", "--reduction", mode)
                if "/classic/" in path:
                    cs += t["states"]
                    ct += t["transitions"]
                else:
                    ss += t["states"]
                    st += t["transitions"]
                secs += t["seconds"]
            print(f"{mode:12} {cs:15} {ct:14} {ss:16} {st:15} {secs:8.3f}")
            fig(f"reduction-{mode}-seconds", f"{secs:.3f}", "s")
            fig(f"reduction-{mode}-states", ss + cs, "states")

        # The kernel model: every seed and matrix scenario, one worker and two.
        print()
        print("kernel scenarios: states / seconds with 1 and 2 workers")
        for group in ["scenarios/seeds", "scenarios/matrix"]:
            paths = sorted(glob.glob(os.path.join(ROOT, group, "**", "*.mnl"), recursive=True))
            st = s1 = s2 = 0.0
            for path in paths:
                t1, _ = run(path, "--jobs", "1", group=group)
                t2, _ = run(path, "--jobs", "2", group=group)
                assert t1["states"] == t2["states"], f"{path}: counts differ between job counts"
                st += t1["states"]
                s1 += t1["seconds"]
                s2 += t2["seconds"]
            name = os.path.basename(group)
            print(f"  {name:8} {len(paths):3} scenarios {st:12.0f} states  {s1:7.2f} s  {s2:7.2f} s")
            fig(f"{name}-states", f"{st:.0f}", "states")
            fig(f"{name}-seconds-1-job", f"{s1:.2f}", "s")
            fig(f"{name}-seconds-2-jobs", f"{s2:.2f}", "s")
            fig(f"{name}-states-per-s", f"{st / max(s1, 1e-9):.0f}", "states/s")
            print(f"  {name:8} peak memory of one run: {peak_kb[group] / 1024:.1f} MiB")
            fig(f"{name}-peak-memory", f"{peak_kb[group] / 1024:.1f}", "MiB")
        cow = os.path.join(ROOT, "scenarios/seeds/000_cow_iommu.mnl")
        red, _ = run(cow, "--jobs", "1")
        full, _ = run(cow, "--jobs", "1", "--reduction", "none")
        print(f"  seed000_cow_notify: {red['states']} states reduced, {full['states']} without")
        fig("reduction-ratio-seed000-cow", f"{full['states'] / red['states']:.2f}", "x")

        # Throughput on a test big enough to measure, one worker and two.
        big = gen(4, 3, "shared", tmp)
        r1, _ = run(big, "--jobs", "1", group="big")
        r2, _ = run(big, "--jobs", "2", group="big")
        assert (r1["states"], r1["transitions"]) == (r2["states"], r2["transitions"]), \
            "counts differ between --jobs 1 and --jobs 2"
        print()
        print(f"throughput on {r1['test']}: {r1['states']} states, "
              f"{r1['transitions']} transitions, {r1['executions']} executions")
        print(f"  1 worker  {r1['seconds']:.3f} s;  2 workers  {r2['seconds']:.3f} s")
        fig("states-per-s", f"{r1['states'] / r1['seconds']:.0f}", "states/s")
        fig("transitions-per-s", f"{r1['transitions'] / r1['seconds']:.0f}", "transitions/s")
        fig("executions-per-s", f"{r1['executions'] / r1['seconds']:.0f}", "executions/s")
        fig("speedup-2-jobs", f"{r1['seconds'] / r2['seconds']:.2f}", "x")
        print(f"  peak memory {peak_kb['big'] / 1024:.1f} MiB")
        fig("peak-memory-throughput-test", f"{peak_kb['big'] / 1024:.1f}", "MiB")

    print()
    for name, value, unit in figures:
        print(f"bench: {name} {value} {unit}")


main()
