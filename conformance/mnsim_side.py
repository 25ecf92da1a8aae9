#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The model's side of the conformance comparison.

Runs every conformance/scenarios/*.mnl with `mnsim --trace-notifier`, turns its output
into the kernel log's format (README.md "Normalisation": `op NAME` lines; addresses as
offsets from the window base, clipped to the window; records outside it dropped; a range
reaching the end of the model's address space stands for the kernel's [0, ULONG_MAX) and
is clipped to the window end), and compares it with a kernel trace, one operation at a
time. Each scenario names its operations (`# ops: a b`, marked in order by trace_op(1),
trace_op(2), ...) and the model address of the window base (`# base: 0x...`). A scenario
with `# geometry: scaled` has its offsets mapped from the model's page-table geometry (8
entries per level) onto the kernel's (512): see scaled().

  mnsim_side.py [--mnsim BIN] [--kernel-trace FILE] [--out FILE]

prints a per-operation verdict and `conformance: N of M operations identical`, then
checks that every operation that is not identical is listed in KNOWN_DIFFERENCES.md.
Exit status 0 when that holds."""
import argparse
import difflib
import glob
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WIN_SIZE = 0x40000000
MODEL_TASK_SIZE = 0x1000000  # TASK_SIZE of the model (mnsim --list-builtins)


def scaled(off):
    """A model offset in the kernel's geometry: the model has 8 entries per level (a PMD
    maps 0x8000, a PUD 0x40000), the kernel 512 (2 MiB, 1 GiB); each level's index is
    kept, so page i of PMD j of the model is page i of PMD j of the kernel."""
    if off < 0:
        return off
    pud, pmd, rest = off >> 18, (off >> 15) & 7, off & 0x7fff
    return (pud << 30) | (pmd << 21) | rest


def normalise(line, base, geometry=None):
    """One --trace-notifier line in the kernel log's shape, or None when outside. With
    geometry "scaled" the offsets are mapped onto the kernel's page-table geometry."""
    f = line.split()
    if len(f) < 5 or f[2] == "-":
        return " ".join(f)
    start, end = int(f[2], 16), int(f[3], 16)
    lo = start - base
    hi = WIN_SIZE if end >= MODEL_TASK_SIZE else end - base
    if geometry == "scaled":
        lo = scaled(lo)
        hi = WIN_SIZE if end >= MODEL_TASK_SIZE else scaled(hi)
    lo, hi = max(lo, 0), min(hi, WIN_SIZE)
    if hi <= lo:
        return None
    f[2], f[3] = "0x%x" % lo, "0x%x" % hi
    return " ".join(f)


def model_trace(mnsim):
    ops = []
    for path in sorted(glob.glob(os.path.join(HERE, "scenarios", "*.mnl"))):
        text = open(path).read()
        names = re.search(r"^# ops: (.*)$", text, re.M)
        base = re.search(r"^# base: (0x[0-9a-f]+)$", text, re.M)
        if not names or not base:
            sys.exit("%s: needs '# ops:' and '# base:' lines" % path)
        geometry = re.search(r"^# geometry: (\w+)$", text, re.M)
        geometry = geometry.group(1) if geometry else None
        if geometry not in (None, "scaled"):
            sys.exit("%s: unknown geometry %s" % (path, geometry))
        names, base = names.group(1).split(), int(base.group(1), 16)
        out = subprocess.run([mnsim, "--trace-notifier", path], capture_output=True,
                             text=True)
        if out.returncode:
            sys.exit("%s: mnsim failed: %s" % (path, out.stderr.strip()))
        cur = None
        for line in out.stdout.splitlines():
            m = re.match(r"op #(\d+)$", line)
            if m:
                cur = names[int(m.group(1)) - 1]
                ops.append((cur, []))
            elif cur is not None:
                n = normalise(line, base, geometry)
                if n:
                    ops[-1][1].append(n)
    return ops


def kernel_trace(path):
    ops = []
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("op "):
            ops.append((line[3:], []))
        else:
            ops[-1][1].append(" ".join(line.split()))
    return ops


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mnsim", default=os.path.join(ROOT, "build", "mnsim"))
    ap.add_argument("--kernel-trace", default=os.path.join(HERE, "expected", "linux-6.1.trace"))
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    model = model_trace(a.mnsim)
    if a.out:
        with open(a.out, "w") as f:
            for op, lines in model:
                f.write("op %s\n" % op)
                for line in lines:
                    f.write(line + "\n")
    kernel = kernel_trace(a.kernel_trace)
    mmap = dict(model)
    same, differ = 0, []
    for op, lines in kernel:
        if op not in mmap:
            print("  %-34s not modelled" % op)
            differ.append(op)
        elif mmap[op] == lines:
            same += 1
            print("  %-34s identical (%d callbacks)" % (op, len(lines)))
        else:
            print("  %-34s DIFFERS" % op)
            for d in difflib.unified_diff(lines, mmap[op], "kernel", "mnsim", lineterm="", n=1):
                print("      " + d)
            differ.append(op)
    print("conformance: %d of %d operations identical" % (same, len(kernel)))
    known = open(os.path.join(HERE, "KNOWN_DIFFERENCES.md")).read()
    unlisted = [op for op in differ if "`%s`" % op not in known]
    for op in unlisted:
        print("conformance: %s differs and is not in KNOWN_DIFFERENCES.md" % op)
    listed_but_same = [op for op, _ in kernel
                       if op not in differ and "`%s`" % op in known]
    for op in listed_but_same:
        print("conformance: %s is identical now: remove it from KNOWN_DIFFERENCES.md" % op)
    return 1 if unlisted or listed_but_same else 0


sys.exit(main())
