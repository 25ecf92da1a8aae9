#!/bin/sh
# make bench: exploration figures on the classic tests and on scalable tests.
# Figures are printed, never asserted; this machine is shared and noisy.
set -eu
exec python3 "$(dirname "$0")/run.py" "$@"
