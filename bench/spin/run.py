#!/usr/bin/env python3
"""Side by side with SPIN: the Promela models in bench/spin/ against mnsim's seeds.

For each model variant, every check is one SPIN safety run (the check is a sticky bit,
asserted false once all processes have finished: an assertion violation means the check
fires in some complete execution, that is Sometimes; none means Never), plus one run
with the assertion off and invalid end states on (deadlock). pan runs with -c0, so it
explores the whole state space even after a violation. mnsim runs once on the matching
scenario (--json --jobs 1). Prints a table, then `bench: spin-ratio-NAME X x` (mnsim
wall seconds / summed pan wall seconds) and `bench: spin-agree-NAME 1|0`.

usage: bench/spin/run.py [MNSIM]   (default build/mnsim; run from the repository root or
anywhere: paths are resolved from this file). Exit 0 even when verdicts disagree.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MNSIM = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/mnsim")
SEEDS = os.path.join(ROOT, "scenarios/seeds")

# name, model, [(variant label, -D flags, mnsim scenario)], [(mnsim check, spin CHECK, negate)]
# negate: mnsim's `migrated Always` is SPIN's `notmigrated Never`.
# pan -w (hash table 2^w): big enough for the model, small enough not to dominate
HASH = {"cow": 24, "migrate": 18, "clear-refs": 16}

MODELS = [
    ("cow", "cow_iommu.pml", [
        ("notify", [], "000_cow_iommu.mnl"),
        ("clear_flush_only_end", ["-DONLY_END"], "000_cow_iommu_clear_flush_only_end.mnl"),
    ], [("uaf", "uaf", False), ("stale", "stale", False), ("incoherent", "incoherent", False)]),
    ("migrate", "migrate_zero.pml", [
        ("6.1", [], "001_migrate_zero_page.mnl"),
        ("patch", ["-DPATCH"], "001_migrate_zero_page_patch.mnl"),
    ], [("stale", "stale", False), ("incoherent", "incoherent", False), ("uaf", "uaf", False),
        ("migrated", "notmigrated", True)]),
    ("clear-refs", "clear_refs.pml", [
        ("regression", [], "004_gather_regression.mnl"),
        ("records_ptes", ["-DRECORDS"], "004_gather_records_ptes.mnl"),
    ], [("dirty", "dirty", False), ("stale", "stale", False), ("uaf", "uaf", False)]),
]

PAN_RUN = ["-c0", "-m100000"]


def sh(cmd, cwd):
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if out.returncode != 0 and cmd[0] != "./pan":
        sys.exit(f"bench/spin: {' '.join(cmd)} failed:\n{out.stdout}\n{out.stderr}")
    return out


def pan(model, defs, check, tmp, w):
    """Builds and runs one pan. check None: the deadlock run. Returns
    (fires, states, pan wall seconds, build seconds)."""
    t0 = time.perf_counter()
    cflag = "-DCHECK=" + (check if check else "0")
    sh(["spin", "-a", *defs, cflag, os.path.join(HERE, model)], tmp)
    sh(["gcc", "-O2", "-DSAFETY", "-DMEMLIM=8192", "-o", "pan", "pan.c"], tmp)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = sh(["./pan", *PAN_RUN, f"-w{w}", *([] if check is None else ["-E"])], tmp)
    wall = time.perf_counter() - t0
    text = out.stdout + out.stderr
    m = re.search(r"errors: (\d+)", text)
    s = re.search(r"(\d+) states, stored", text)
    if not m or not s:
        sys.exit(f"bench/spin: cannot read pan's output:\n{text}")
    if "max search depth too small" in text:
        print(f"warning: {model} {defs} {check}: search depth cut", file=sys.stderr)
    return int(m.group(1)) > 0, int(s.group(1)), wall, build


def mnsim(scenario):
    t0 = time.perf_counter()
    out = subprocess.run([MNSIM, "--json", "--jobs", "1", os.path.join(SEEDS, scenario)],
                         capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if out.returncode not in (0, 1, 3):
        sys.exit(f"bench/spin: mnsim failed on {scenario}: {out.stderr}")
    test = json.loads(out.stdout)["tests"][0]
    verdicts = {o["name"]: o["verdict"] for o in test["observations"]}
    return verdicts, test["states"], wall


def main():
    if not shutil.which("spin") or not shutil.which("gcc"):
        sys.exit("bench/spin: needs spin and gcc (apt-get install -y spin gcc)")
    print("SPIN vs mnsim (one core each); SPIN: one pan run per check, -c0 (full search)")
    hdr = (f"{'model':11} {'variant':21} {'check':10} {'mnsim':9} {'spin':9} "
           f"{'agree':5} {'spin states':>11}")
    print(hdr)
    summary = []
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, model, variants, checks in MODELS:
            m_secs = s_secs = b_secs = 0.0
            agree = True
            for label, defs, scen in variants:
                verdicts, m_states, m_wall = mnsim(scen)
                m_secs += m_wall
                s_states = []
                rows = [(mc, sc, neg) for mc, sc, neg in checks] + [("deadlock", None, False)]
                for mc, sc, neg in rows:
                    fires, states, wall, build = pan(model, defs, sc, tmp, HASH[name])
                    s_secs += wall
                    b_secs += build
                    s_states.append(states)
                    if neg:
                        sv = "Always" if not fires else "Sometimes"
                    else:
                        sv = "Sometimes" if fires else "Never"
                    mv = verdicts.get(mc, "?")
                    # SPIN can tell Never from not-Never only; Always counts as fires
                    ok = mv == sv or (not neg and sv == "Sometimes" and mv == "Always")
                    agree &= ok
                    print(f"{name:11} {label:21} {mc:10} {mv:9} {sv:9} "
                          f"{'yes' if ok else 'DISAGREE':5} {states:11}")
                summary.append((name, label, m_states, max(s_states), m_wall))
            ratio = m_secs / s_secs if s_secs else float("nan")
            nruns = len(variants) * (len(checks) + 1)
            print(f"{name:11} time: mnsim {m_secs:.3f} s, SPIN pan {s_secs:.3f} s in {nruns} runs "
                  f"({s_secs / nruns:.3f} s a run; + spin -a/gcc {b_secs:.1f} s), "
                  f"mnsim/SPIN {ratio:.2f}")
            if not agree:
                print(f"DISAGREE: {name}: mnsim and SPIN verdicts differ (see rows above)")
            figures.append((f"spin-ratio-{name}", f"{ratio:.3f}", "x"))
            figures.append((f"spin-agree-{name}", "1" if agree else "0", ""))
        print()
        print(f"{'model':11} {'variant':21} {'mnsim states':>12} {'SPIN states':>12} {'mnsim s':>8}")
        for name, label, ms, ss, mw in summary:
            print(f"{name:11} {label:21} {ms:12} {ss:12} {mw:8.3f}")
    print()
    for n, v, u in figures:
        print(f"bench: {n} {v} {u}".rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
