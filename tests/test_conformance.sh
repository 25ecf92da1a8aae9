#!/bin/sh
# The model's notifier traces against the real Linux 6.1 trace recorded by
# conformance/run (expected/linux-6.1.trace): every operation the model has must be
# identical, every other one listed in conformance/KNOWN_DIFFERENCES.md.
set -u
cd "${MNSIM_SOURCE_DIR:?}" || exit 1
if python3 conformance/mnsim_side.py --mnsim "${MNSIM:?}" >/tmp/mnsim-conf.$$ 2>&1; then
	tail -1 /tmp/mnsim-conf.$$
	echo "RESULT passed=1 failed=0"
	rm -f /tmp/mnsim-conf.$$
	exit 0
fi
cat /tmp/mnsim-conf.$$
rm -f /tmp/mnsim-conf.$$
echo "RESULT passed=0 failed=1"
exit 1
