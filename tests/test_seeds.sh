#!/bin/sh
# Every seed scenario holds its SEEDS.md verdicts. Release build only: the seeds explore
# millions of states, which the sanitizer build would take many minutes over.
set -u
M=${MNSIM:?}
S=${MNSIM_SOURCE_DIR:?}
cd "$S" || exit 1
pass=0
fail=0
for f in scenarios/seeds/*.mnl; do
	if "$M" "$f" >/tmp/mnsim-seed.$$ 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $f"
		grep -E "FAILED|rror|Incomplete" /tmp/mnsim-seed.$$ | head -5
	fi
done
rm -f /tmp/mnsim-seed.$$
echo "RESULT passed=$pass failed=$fail"
[ "$fail" = 0 ]
