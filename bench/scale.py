#!/usr/bin/env python3
"""The scale scenario and the MPI figures for `make bench`, printed last; each figure ends
as a line `bench: NAME VALUE UNIT`."""
import json
import math
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import run_mnsim  # noqa: E402

MNSIM = sys.argv[1] if len(sys.argv) > 1 else "build/mnsim"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
figures = []


def fig(name, value, unit):
    figures.append((name, value, unit))


def run(path, *opts):
    """Runs mnsim on one file; returns (test json, wall seconds); keeps its peak memory."""
    test, wall, rss = run_mnsim(MNSIM, path, *opts)
    test["peak_kb"] = rss
    return test, wall


def replays(path, sched):
    out = subprocess.run([MNSIM, "--replay", ".".join(map(str, sched)), path],
                         capture_output=True, text=True)
    return out.returncode == 0


def solo_steps(path):
    """Steps of each agent in the run where agents take turns, each running as far as it
    can (declaration order, round after round until none can step): the longest prefix of
    a's steps that replays, found by doubling then bisection."""
    sched, steps = [], []
    while replays(path, [len(steps)]):
        steps.append(0)
    moved = True
    while moved:
        moved = False
        for a in range(len(steps)):
            lo, hi = 0, 1
            while replays(path, sched + [a] * hi):
                lo, hi = hi, hi * 2
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if replays(path, sched + [a] * mid):
                    lo = mid
                else:
                    hi = mid
            sched += [a] * lo
            steps[a] += lo
            moved = moved or lo > 0
    return steps


def scale():
    """The scale scenario: its interleavings, counted analytically, against what mnsim
    explores (2 workers, then 1 MPI rank against 2 when mpirun is there)."""
    path = os.path.join(HERE, "scale.mnl")
    steps = solo_steps(path)
    naive = math.factorial(sum(steps))
    for n in steps:
        naive //= math.factorial(n)
    print()
    print("scale scenario (bench/scale.mnl): 3 CPUs, iommu_sva + hmm_mirror, CoW fault, "
          "munmap, migrate_vma")
    print(f"  agents' steps when each runs alone in turn: {steps}")
    print(f"  naive interleavings, analytic ((sum n)! / prod n!; too many for --no-reduction):"
          f" {naive:.3e}")
    t, wall = run(path, "--jobs", "2")
    print(f"  mnsim: {t['states']} states, {t['transitions']} transitions, "
          f"{t['executions']} executions, {t['finals']} finals, {t['seconds']:.1f} s "
          f"(2 workers){'  INCOMPLETE' if t.get('incomplete') else ''}")
    verdicts = {o["name"]: o["verdict"] for o in t["observations"]}
    print(f"  verdicts: {', '.join(f'{k} {v}' for k, v in verdicts.items())}")
    fig("scale-naive-interleavings", f"{naive:.3e}", "interleavings")
    fig("scale-states", t["states"], "states")
    fig("scale-transitions", t["transitions"], "transitions")
    fig("scale-time", f"{t['seconds']:.1f}", "s")
    print(f"  peak memory {t['peak_kb'] / 1024:.1f} MiB")
    fig("scale-peak-memory", f"{t['peak_kb'] / 1024:.1f}", "MiB")
    fig("scale-interleavings-per-state", f"{naive / max(t['states'], 1):.3e}", "x")


def mpi():
    """--mpi on one seed: 2 ranks against --jobs 1, with the counts compared."""
    if not shutil.which("mpirun"):
        print("\nmpirun not found: no MPI figures")
        return
    path = os.path.join(ROOT, "scenarios/seeds/000_two_cpus_a_b_notify.mnl")
    t1, _ = run(path, "--jobs", "1")
    res = {}
    for np in (1, 2):
        t0 = time.perf_counter()
        out = subprocess.run(["mpirun", "--allow-run-as-root", "--oversubscribe", "-np",
                              str(np), MNSIM, "--mpi", "--json", "--no-min-cex", path],
                             capture_output=True, text=True)
        wall = time.perf_counter() - t0
        t = json.loads(out.stdout)["tests"][0]
        assert (t["states"], t["transitions"], t["executions"], t["finals"]) == \
            (t1["states"], t1["transitions"], t1["executions"], t1["finals"]), \
            f"--mpi -np {np} counts differ from --jobs 1"
        res[np] = (t["seconds"], wall)
    print()
    print(f"--mpi on {t1['test']} ({t1['states']} states, counts identical): "
          f"--jobs 1 {t1['seconds']:.2f} s; -np 1 {res[1][0]:.2f} s; -np 2 {res[2][0]:.2f} s "
          f"(search only; mpirun adds {res[2][1] - res[2][0]:.1f} s of start-up)")
    fig("mpi-seconds-jobs-1", f"{t1['seconds']:.2f}", "s")
    fig("mpi-seconds-np-1", f"{res[1][0]:.2f}", "s")
    fig("mpi-seconds-np-2", f"{res[2][0]:.2f}", "s")
    fig("mpi-speedup-np-2", f"{t1['seconds'] / res[2][0]:.2f}", "x")


scale()
mpi()
print()
for name, value, unit in figures:
    print(f"bench: {name} {value} {unit}")
