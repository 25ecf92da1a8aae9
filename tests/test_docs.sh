#!/bin/sh
# The documentation against the binary, so that it cannot go stale: the built-in tables of
# docs/builtins.md are exactly what `mnsim --list-builtins` prints, docs/checks.md has one
# section per check and no other, and the files the docs cite exist.
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

# docs/builtins.md: its table lines are the binary's, in the same order, and no others.
if "$M" --list-builtins >"$T/list" 2>"$T/err"; then
	ok
else
	bad "--list-builtins failed: $(head -c 200 "$T/err")"
fi
grep '^|' "$T/list" >"$T/want"
grep '^|' docs/builtins.md >"$T/have"
[ -s "$T/want" ] && ok || bad "--list-builtins printed no table"
if cmp -s "$T/want" "$T/have"; then
	ok
else
	bad "docs/builtins.md tables differ from --list-builtins (regenerate: see the top of docs/builtins.md)"
	diff "$T/want" "$T/have" | head -20
fi

# docs/checks.md: one `## \`NAME\`` section per check. A kernel scenario reports every
# check (plain scenarios omit the kernel ones), and uaf_zap has no named conditions.
"$M" --jobs 1 tests/kernel/uaf_zap.mnl >"$T/out" 2>&1
s=$?
[ "$s" = 0 ] && ok || bad "tests/kernel/uaf_zap.mnl: status $s"
sed -n 's/^Observation \([a-z_]*\) .*/\1/p' "$T/out" | sort >"$T/checks"
sed -n 's/^## `\([a-z_]*\)`.*/\1/p' docs/checks.md | sort >"$T/documented"
[ "$(wc -l <"$T/checks")" -ge 9 ] && ok || bad "only $(wc -l <"$T/checks") checks reported"
for c in $(cat "$T/documented"); do
	grep -qx "$c" "$T/checks" && ok || bad "docs/checks.md documents '$c', which is not a check"
done
for c in $(cat "$T/checks"); do
	grep -qx "$c" "$T/documented" && ok || bad "check '$c' has no section in docs/checks.md"
done
[ "$(uniq -d "$T/documented" | wc -l)" = 0 ] && ok || bad "a check has two sections in docs/checks.md"

# Every scenario, test and library file the docs name exists.
for d in docs/model.md docs/checks.md docs/builtins.md; do
	[ -f "$d" ] && ok || { bad "$d missing"; continue; }
	for f in $(grep -o '\(scenarios\|tests\|lib\)/[A-Za-z0-9_./-]*\.\(mnl\|sh\|c\)' "$d" | sort -u); do
		[ -f "$f" ] && ok || bad "$d cites $f, which does not exist"
	done
done

echo "RESULT passed=$pass failed=$fail"
[ "$fail" = 0 ]
