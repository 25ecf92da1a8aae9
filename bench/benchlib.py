"""What bench/run.py and bench/scale.py share: running mnsim on one scenario."""
import json
import os
import subprocess
import sys
import tempfile
import time


def run_mnsim(mnsim, path, *opts):
    """Runs mnsim --json --no-min-cex on one file. Returns (test json, wall seconds, peak
    resident set of the run in KiB, from wait4's ru_maxrss)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([mnsim, "--json", "--no-min-cex", *opts, path],
                                stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if code not in (0, 1, 3):
        sys.exit(f"bench: mnsim failed on {path}: {stderr}")
    return json.loads(stdout)["tests"][0], wall, usage.ru_maxrss
