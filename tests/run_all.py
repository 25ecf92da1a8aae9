#!/usr/bin/env python3
"""Runs the meson test suites of each build directory and prints `N passed, N failed`.

Each test program ends its output with `RESULT passed=N failed=M`; a program that dies
before printing it (a sanitizer report, a crash) counts as one failure.

With --conformance first, it also runs the live conformance harness (conformance/run
--compare: the real Linux 6.1 under QEMU against the model), which counts as one test and
fails loudly when QEMU or the kernel cannot be had."""
import json
import os
import re
import subprocess
import sys

passed = failed = 0
args = sys.argv[1:]
live = bool(args) and args[0] == "--conformance"
if live:
    args = args[1:]
for build in args:
    print(f"== tests in {build}", flush=True)
    subprocess.run(["meson", "test", "-C", build, "--print-errorlogs", "--num-processes", "1"])
    log = os.path.join(build, "meson-logs", "testlog.json")
    with open(log) as f:
        for line in f:
            t = json.loads(line)
            m = re.findall(r"RESULT passed=(\d+) failed=(\d+)", t.get("stdout", "") or "")
            if m:
                p, q = map(int, m[-1])
            else:
                p, q = 0, 0
            if t["result"] != "OK" and q == 0:
                q = 1
                print(f"{build}: {t['name']}: {t['result']} without a result line")
            passed += p
            failed += q
if live:
    print("== live conformance (conformance/run --compare)", flush=True)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    r = subprocess.run([sys.executable, os.path.join(here, "conformance", "run"), "--compare"])
    if r.returncode == 0:
        passed += 1
    else:
        failed += 1
        print(f"live conformance: FAILED (exit {r.returncode})")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
