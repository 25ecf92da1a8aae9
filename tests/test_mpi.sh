#!/bin/sh
# --mpi under mpirun with 2 (and 3) local ranks: the same counts, verdicts and
# counterexamples as a local run, and witnesses stitched across ranks that replay.
set -u
M=${MNSIM:?}
S=${MNSIM_SOURCE_DIR:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

cd "$S" || exit 1

# Open MPI allocates at start-up what it never frees; under the sanitizer build LeakSanitizer
# would report it as mnsim's. Leak detection is off for the ranks only; the rest of the
# sanitizer build, and every other test, keeps it.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS
# --oversubscribe: the ranks may outnumber the cores of a small machine.
mpi() {
	np=$1
	shift
	mpirun --allow-run-as-root --oversubscribe -np "$np" "$M" --mpi "$@"
}
counts() { grep -E '^(Test|States|Transitions|Executions|Finals|Observation|Expect|Incomplete)' "$1"; }

if ! command -v mpirun >/dev/null 2>&1; then
	bad "mpirun not found (scripts/bootstrap.sh installs openmpi-bin)"
	echo "RESULT passed=$pass failed=$fail"
	exit 1
fi

SEEDS="scenarios/seeds/001_migrate_zero_page.mnl scenarios/seeds/002_hugetlb_shared_pmd_invalidate_page.mnl scenarios/seeds/003_new_ref_in_window.mnl"

# The whole report, counterexamples included (the smallest one is searched on rank 0 after
# the partitioned search), is the local run's but for the times.
"$M" --jobs 1 scenarios/classic $SEEDS >"$T/local"
s1=$?
mpi 2 scenarios/classic $SEEDS >"$T/mpi" 2>"$T/err"
s2=$?
[ "$s1" = "$s2" ] && ok || bad "exit status: local $s1, mpi $s2: $(head -c 300 "$T/err")"
grep -v '^Time' "$T/local" >"$T/l"
grep -v '^Time' "$T/mpi" >"$T/m"
if cmp -s "$T/l" "$T/m"; then ok; else bad "report differs from the local run: $(diff "$T/l" "$T/m" | head -5)"; fi
[ "$(grep -c '^States' "$T/m")" -ge 15 ] && ok || bad "not every test reported once"

# The first counterexample found (--no-min-cex) is a path whose parents live on several
# ranks: the counts stay the local run's and every schedule printed replays to its check.
total=0
for np in 2 3; do
	for f in scenarios/classic/peterson_broken.mnl $SEEDS; do
		"$M" --jobs 1 --no-min-cex "$f" >"$T/l1"
		mpi "$np" --no-min-cex "$f" >"$T/m1" 2>"$T/err"
		counts "$T/l1" >"$T/lc"
		counts "$T/m1" >"$T/mc"
		if [ -s "$T/mc" ] && cmp -s "$T/lc" "$T/mc"; then ok; else
			bad "-np $np $f: counts differ: $(diff "$T/lc" "$T/mc" | head -4) $(head -c 300 "$T/err")"
		fi
		n=0
		sed -n 's/^Counterexample \([a-z_]*\): fires.*/\1/p' "$T/m1" >"$T/names"
		sed -n 's/^Schedule //p' "$T/m1" >"$T/scheds"
		while read -r name && read -r sched <&3; do
			n=$((n + 1))
			"$M" --replay "$sched" "$f" >"$T/r" 2>&1
			grep -q "^Observation $name fired" "$T/r" && ok ||
				bad "-np $np $f: $name schedule $sched does not replay to it"
		done <"$T/names" 3<"$T/scheds"
		want=$(grep -c '^Counterexample' "$T/l1")
		[ "$n" = "$want" ] && ok || bad "-np $np $f: $n counterexamples, the local run has $want"
		total=$((total + n))
	done
done

[ "$total" -ge 6 ] && ok || bad "only $total counterexamples replayed"

# A failed expectation: status 1 from mpirun, and its counterexample replays.
cat >"$T/fail.mnl" <<'X'
shared x, y;
P0 { x = 1; r0 = y; }
P1 { y = 1; r0 = x; }
exists (P0:r0 == 1 && P1:r0 == 1);
expect exists Never;
X
mpi 2 --no-min-cex "$T/fail.mnl" >"$T/out" 2>/dev/null
s=$?
[ "$s" = 1 ] && grep -q "Expect exists Never: FAILED" "$T/out" && ok || bad "failed expectation: status $s"
sched=$(sed -n 's/^Schedule //p' "$T/out" | head -1)
"$M" --replay "$sched" "$T/fail.mnl" >"$T/r" 2>&1
grep -q "^Observation exists holds" "$T/r" && ok || bad "failed expectation: '$sched' does not replay"

# JSON comes once, from rank 0, with the local run's counts.
mpi 2 --json scenarios/classic/sb.mnl >"$T/json" 2>/dev/null
"$M" --json --jobs 1 scenarios/classic/sb.mnl >"$T/ljson"
python3 - "$T/json" "$T/ljson" <<'X' && ok || bad "json under mpi"
import json, sys
m, l = (json.load(open(p))["tests"][0] for p in sys.argv[1:])
for k in ("states", "transitions", "executions", "finals"):
    assert m[k] == l[k], (k, m[k], l[k])
X

# A bound cuts the run on every rank: incomplete, never a wrong Never.
mpi 2 --max-states 500 scenarios/seeds/002_hugetlb_shared_pmd_invalidate_page.mnl >"$T/out" 2>/dev/null
s=$?
[ "$s" = 3 ] || [ "$s" = 0 ] && grep -q "^Incomplete: --max-states reached" "$T/out" && ok ||
	bad "--max-states under mpi: status $s"

# Modes whose explored set depends on the order of search are refused before MPI starts.
"$M" --mpi --reduction sleep scenarios/classic/sb.mnl >/dev/null 2>"$T/err"
s=$?
[ "$s" = 2 ] && grep -q "^mnsim: --mpi: sleep sets" "$T/err" && ok || bad "--mpi --reduction sleep: status $s"
"$M" --mpi --no-reduction scenarios/classic/sb.mnl >/dev/null 2>"$T/err"
[ $? = 2 ] && ok || bad "--mpi --no-reduction accepted"

echo "RESULT passed=$pass failed=$fail"
[ "$fail" = 0 ]
