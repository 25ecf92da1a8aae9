#!/usr/bin/env python3
"""Runs the meson test suites of each build directory and prints `N passed, N failed`.

Each test program ends its output with `RESULT passed=N failed=M`; a program that dies
before printing it (a sanitizer report, a crash) counts as one failure."""
import json
import os
import re
import subprocess
import sys

passed = failed = 0
for build in sys.argv[1:]:
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
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
