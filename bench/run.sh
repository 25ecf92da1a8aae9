#!/bin/sh
# make bench: exploration figures on the classic tests and on scalable tests.
# Figures are printed, never asserted; this machine is shared and noisy.
set -eu
python3 "$(dirname "$0")/run.py" "$@"
# side by side with SPIN on three seed scenarios (bench/spin/README.md)
python3 "$(dirname "$0")/spin/run.py" "$@"
# the scale scenario (bench/scale.mnl) and --mpi against --jobs 1
python3 "$(dirname "$0")/scale.py" "$@"
