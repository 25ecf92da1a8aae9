#!/bin/sh
# The mnsim command as a user runs it: exit statuses, located errors, replay, JSON.
set -u
M=${MNSIM:?}
S=${MNSIM_SOURCE_DIR:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
status() { "$@" >"$T/out" 2>"$T/err"; echo $?; }

cd "$S" || exit 1

# The classic scenarios: every expectation holds.
[ "$(status "$M" scenarios/classic)" = 0 ] && ok || bad "scenarios/classic does not exit 0"
grep -q "^mnsim: .* 0 with a failed expectation, 0 incomplete" "$T/out" && ok || bad "summary line"

# Every malformed file: status 2, nothing on stdout, the error located as its header says.
n=0
for f in tests/malformed/*.mnl; do
	n=$((n + 1))
	want=$(sed -n '1s/^# expect-error: \([0-9]*:[0-9]*\):.*/\1/p' "$f")
	s=$(status "$M" "$f")
	if [ "$s" != 2 ] || [ -s "$T/out" ] || ! grep -q "^$f:$want: " "$T/err"; then
		bad "$f: status $s, stderr: $(head -c 200 "$T/err")"
	else
		ok
	fi
done
[ "$n" -ge 30 ] && ok || bad "only $n malformed files"

# One bad file among good ones: nothing runs.
mkdir "$T/mixed"
cp scenarios/classic/sb.mnl "$T/mixed/a.mnl"
printf 'shared x;\nP0 { y = 1; }\n' >"$T/mixed/b.mnl"
s=$(status "$M" "$T/mixed")
{ [ "$s" = 2 ] && ! grep -q '^Test' "$T/out" && grep -q "b.mnl:2:6: unknown variable" "$T/err"; } &&
	ok || bad "mixed directory: status $s"

# A failing expectation exits 1 and shows a counterexample that replays to the same failure.
cat >"$T/fail.mnl" <<'X'
shared x, y;
P0 { x = 1; r0 = y; }
P1 { y = 1; r0 = x; }
exists (P0:r0 == 1 && P1:r0 == 1);
expect exists Never;
X
s=$(status "$M" "$T/fail.mnl")
[ "$s" = 1 ] && grep -q "Expect exists Never: FAILED" "$T/out" && ok || bad "failing expectation: status $s"
sched=$(sed -n 's/^Schedule //p' "$T/out" | head -1)
[ -n "$sched" ] && ok || bad "no schedule printed"
s=$(status "$M" --replay "$sched" "$T/fail.mnl")
[ "$s" = 0 ] && grep -q "^Observation exists holds" "$T/out" && ok || bad "replay of $sched: status $s"

# The check that fires in broken Peterson replays to the assert.
"$M" scenarios/classic/peterson_broken.mnl >"$T/pb"
sched=$(sed -n 's/^Schedule //p' "$T/pb" | head -1)
"$M" --replay "$sched" scenarios/classic/peterson_broken.mnl >"$T/out"
grep -q -- "<-- assert" "$T/out" && grep -q "^Observation assert fired" "$T/out" && ok ||
	bad "peterson_broken replay"
s=$(status "$M" --replay "0.9" scenarios/classic/sb.mnl)
[ "$s" = 2 ] && ok || bad "bad schedule accepted: status $s"

# Bounds: incomplete, status 3, never "Never".
s=$(status "$M" --max-depth 3 scenarios/classic/peterson.mnl)
{ [ "$s" = 3 ] && grep -q "^Incomplete: --max-depth" "$T/out" && ! grep -q "Observation .* Never" "$T/out"; } &&
	ok || bad "--max-depth: status $s"
s=$(status "$M" --timeout 0.000001 --max-states 5 scenarios/classic/peterson.mnl)
[ "$s" = 3 ] && ok || bad "--max-states: status $s"

# Worker counts change nothing but the time.
"$M" --jobs 1 scenarios/classic | grep -v '^Time' >"$T/j1"
"$M" --jobs 2 scenarios/classic | grep -v '^Time' >"$T/j2"
cmp -s "$T/j1" "$T/j2" && ok || bad "--jobs 1 and --jobs 2 differ"

# The naive engine gives the same verdicts.
"$M" --no-reduction scenarios/classic | grep '^Observation' >"$T/n"
grep '^Observation' "$T/j1" >"$T/r"
cmp -s "$T/n" "$T/r" && ok || bad "--no-reduction verdicts differ"

# JSON is well formed and carries the same verdicts.
"$M" --json scenarios/classic >"$T/json"
python3 - "$T/json" <<'X' && ok || bad "json"
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["tests"]) >= 7
pb = [t for t in d["tests"] if t["test"] == "peterson_broken"][0]
a = [o for o in pb["observations"] if o["name"] == "assert"][0]
assert a["verdict"] == "Sometimes" and a["counterexample"]["trace"]["steps"]
X
"$M" --json --replay 0.1.1.0 scenarios/classic/sb.mnl | python3 -m json.tool >/dev/null && ok || bad "json replay"

# --report writes the tables and each counterexample as inline SVG.
"$M" --report "$T/rep" scenarios/classic >"$T/out"
{ [ -s "$T/rep/index.html" ] && grep -q "<svg" "$T/rep/index.html" &&
	grep -q "peterson_broken" "$T/rep/index.html" && grep -q "report written to" "$T/out"; } &&
	ok || bad "--report"
python3 -c "import html.parser,sys; html.parser.HTMLParser().feed(open(sys.argv[1]).read())" \
	"$T/rep/index.html" && ok || bad "report html"

# --count-traces: the counts after the report (sb: 3 traces, 4 persistent paths, see
# tests/test_traces.c); a scenario with a cycle, or with --json, is refused with status 2.
s=$(status "$M" --count-traces scenarios/classic/sb.mnl)
{ [ "$s" = 0 ] && grep -q "^Expect both_one Sometimes: ok" "$T/out" &&
	[ "$(sed -n '/^Time /,$p' "$T/out" | tail -n +2 | tr '\n' ' ')" = \
	  "Traces 3 Persistent-paths 4 Persistent-traces 3 Trace-ratio 1.333 Sleep-paths 3 " ]; } &&
	ok || bad "--count-traces sb: status $s, $(tail -5 "$T/out" | tr '\n' ' ')"
printf 'shared f, t;\nP0 { while (f == 0) { t = 1; } }\nP1 { f = 1; }\n' >"$T/cycle.mnl"
s=$(status "$M" --count-traces "$T/cycle.mnl")
{ [ "$s" = 2 ] && grep -q "^Traces incomplete" "$T/out" && grep -q "a cycle" "$T/err"; } &&
	ok || bad "--count-traces on a cycle: status $s"
[ "$(status "$M" --count-traces --json scenarios/classic/sb.mnl)" = 2 ] && [ ! -s "$T/out" ] &&
	ok || bad "--count-traces --json"

# Usage errors.
[ "$(status "$M" --jobs abc scenarios/classic)" = 2 ] && ok || bad "--jobs abc"
[ "$(status "$M" --frobnicate)" = 2 ] && ok || bad "unknown option"
[ "$(status "$M" no/such/file.mnl)" = 2 ] && grep -q "no/such/file.mnl:1:1: cannot read" "$T/err" && ok ||
	bad "missing file"
[ "$(status "$M" --help)" = 0 ] && grep -q -- "--max-preemptions" "$T/out" &&
	grep -q -- "--count-traces" "$T/out" && ok || bad "--help"

echo "RESULT passed=$pass failed=$fail"
[ "$fail" = 0 ]
