#!/bin/sh
# Every seed counterexample draws as well-formed SVG (and dot) naming every agent.
set -u
M=${MNSIM:?}
S=${MNSIM_SOURCE_DIR:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$S" || exit 1
pass=0
fail=0
drawn=0
for f in scenarios/seeds/*.mnl tests/kernel/*.mnl; do
	# only scenarios with a counterexample to show
	"$M" --jobs 2 "$f" >"$T/out" 2>&1
	grep -q "^Counterexample" "$T/out" || continue
	drawn=$((drawn + 1))
	if ! "$M" --jobs 2 --svg "$T/c.svg" --dot "$T/c.dot" "$f" 2>"$T/err"; then
		fail=$((fail + 1))
		echo "FAIL: $f: $(cat "$T/err")"
		continue
	fi
	if python3 - "$T/c.svg" "$f" "$T/c.dot" <<'X'; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $f"; fi
import re, sys, xml.etree.ElementTree as ET
svg, scen, dot = sys.argv[1], sys.argv[2], sys.argv[3]
root = ET.parse(svg).getroot()
text = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
agents = re.findall(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:@\S+)?\s*(?:[A-Za-z_]\w*)?\s*\{", open(scen).read(), re.M)
agents = [a for a in agents if a not in ("mm",)]
missing = [a for a in agents if a not in text]
assert agents and not missing, f"agents missing from the drawing: {missing}"
d = open(dot).read()
assert d.startswith("digraph") and d.rstrip().endswith("}"), "dot file malformed"
for a in agents:
    assert f'label="{a}' in d, f"{a} missing from dot"
X
done
[ "$drawn" -ge 5 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: only $drawn drawn"; }
echo "RESULT passed=$pass failed=$fail"
[ "$fail" = 0 ]
