#!/bin/sh
# docs/tutorial.md's commands, run as written, with the outcomes the text promises.
set -u
M=${MNSIM:?}
S=${MNSIM_SOURCE_DIR:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$S" || exit 1
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# The code blocks of the tutorial, in order; build/mnsim is the binary under test.
mkdir -p "$T/build"
ln -s "$M" "$T/build/mnsim"
python3 - docs/tutorial.md "$T/blocks" <<'X'
import re, sys
text = open(sys.argv[1]).read()
blocks = re.findall(r"^```\n(.*?)^```\n", text, re.M | re.S)
open(sys.argv[2], "w").write("\n".join(f"# block {i}\n{b}" for i, b in enumerate(blocks)))
X
# the tutorial's /tmp files go to this run's own directory: the release and sanitizer
# builds run this test at the same time
mkdir -p "$T/tmp"
sed -i "s|/tmp/|$T/tmp/|g" "$T/blocks"
# run each block from a directory whose build/mnsim is the binary, sources at hand
for dir in lib scenarios; do ln -s "$S/$dir" "$T/$dir"; done
n=$(grep -c '^# block' "$T/blocks")
[ "$n" -ge 6 ] && ok || bad "only $n code blocks"
i=0
while [ "$i" -lt "$n" ]; do
	sed -n "/^# block $i\$/,/^# block $((i + 1))\$/p" "$T/blocks" | sed '$d' >"$T/b$i.sh"
	[ "$i" = $((n - 1)) ] && sed -n "/^# block $i\$/,\$p" "$T/blocks" >"$T/b$i.sh"
	(cd "$T" && sh "b$i.sh" >"out$i" 2>&1)
	echo $? >"$T/rc$i"
	i=$((i + 1))
done
# 1: writes the scenario. 2: holds. 3: the patch fails with stale and incoherent.
[ "$(cat "$T/rc1")" = 0 ] && grep -q "Observation stale Never" "$T/out1" && ok || bad "step 2: $(cat "$T/out1" | head -20)"
[ "$(cat "$T/rc2")" = 1 ] && grep -q "Expect stale Never: FAILED" "$T/out2" &&
	grep -q "Expect incoherent Never: FAILED" "$T/out2" && grep -q -- "<-- stale" "$T/out2" && ok ||
	bad "step 3: $(head -30 "$T/out2")"
# replay reproduces the failure; the drawing is SVG
grep -q "^Observation stale fired" "$T/out3" && ok || bad "replay: $(head -20 "$T/out3")"
[ "$(cat "$T/rc4")" = 0 ] && grep -q "<svg" "$T/tmp/review.svg" && ok || bad "svg"
# 4: the recorded verdicts hold
[ "$(cat "$T/rc5")" = 0 ] && ok || bad "step 4: $(head -20 "$T/out5")"
echo "RESULT passed=$pass failed=$fail"
[ "$fail" = 0 ]
