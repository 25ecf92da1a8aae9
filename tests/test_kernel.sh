#!/bin/sh
# The kernel model through the command: check scenarios (each check fires in one and not
# in its twin), counterexamples that replay, and --trace-notifier against the 6.1 order.
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

for f in tests/kernel/*.mnl; do
	"$M" --jobs 2 "$f" >"$T/out" 2>&1
	s=$?
	if [ "$s" != 0 ]; then
		bad "$f: status $s"
		grep -E "FAILED|rror" "$T/out" | head -5
		continue
	fi
	ok
	# every counterexample shown replays to the check it claims
	grep -E "^Counterexample [a-z_]+: fires" "$T/out" | sed 's/^Counterexample \([a-z_]*\):.*/\1/' >"$T/checks"
	sed -n 's/^Schedule //p' "$T/out" >"$T/scheds"
	n=$(wc -l <"$T/checks")
	i=1
	while [ "$i" -le "$n" ]; do
		c=$(sed -n "${i}p" "$T/checks")
		sched=$(sed -n "${i}p" "$T/scheds")
		"$M" --replay "$sched" "$f" >"$T/r" 2>&1
		grep -q "^Observation $c fired" "$T/r" && ok || bad "$f: $c does not replay from $sched"
		i=$((i + 1))
	done
done

# --trace-notifier: what Linux 6.1 emits for a CoW fault (wp_page_copy): start CLEAR,
# invalidate_range from ptep_clear_flush_notify, change_pte from set_pte_at_notify, end
# (_only_end: no second invalidate_range).
cat >"$T/cow.mnl" <<'X'
kernel linux-6.1
mm m { map 0x1000 anon rw }
P0 @cpu0 m { r0 = load(0x1000); store(0x1000, 1); }
X
"$M" --trace-notifier "$T/cow.mnl" >"$T/trace"
cat >"$T/want" <<'X'
invalidate_range_start CLEAR 0x1000 0x2000 1
invalidate_range - 0x1000 0x2000 -
change_pte - 0x1000 0x2000 -
invalidate_range_end CLEAR 0x1000 0x2000 1
X
cmp -s "$T/trace" "$T/want" && ok || { bad "CoW trace"; diff "$T/want" "$T/trace"; }

# munmap: UNMAP start, the end call's invalidate_range, end, then the mmu_gather flush's
# invalidate_range after the end (6.1 tlb_finish_mmu). No VMA is left, so free_pgtables
# frees the PTE table (and the tables above it): pte_free_tlb widens the gather's range to
# the PMD-aligned start of the table, 0x0 (what the kernel's trailing invalidate_range of
# munmap_unpopulated and mremap shows in conformance/expected/linux-6.1.trace).
cat >"$T/unmap.mnl" <<'X'
kernel linux-6.1
mm m { map 0x1000 anon rw populate }
P0 @cpu0 m { munmap(0x1000, 0x1000); }
X
"$M" --trace-notifier "$T/unmap.mnl" >"$T/trace"
cat >"$T/want" <<'X'
invalidate_range_start UNMAP 0x1000 0x2000 1
invalidate_range - 0x1000 0x2000 -
invalidate_range_end UNMAP 0x1000 0x2000 1
invalidate_range - 0x0 0x2000 -
X
cmp -s "$T/trace" "$T/want" && ok || { bad "munmap trace"; diff "$T/want" "$T/trace"; }

# munmap over several VMAs (mm/mmap.c unmap_region -> mm/memory.c unmap_vmas): one UNMAP
# range over the whole [start, end), whatever VMAs it holds, around unmap_single_vma for
# each, then free_pgtables and tlb_finish_mmu. Between VMAs, tlb_end_vma
# (include/asm-generic/tlb.h) flushes the gathered range (tlb_flush_mmu_tlbonly: CPU
# flush, invalidate_range, range reset) only if the architecture does not merge VMAs or
# the VMA is VM_PFNMAP; x86 selects MMU_GATHER_MERGE_VMAS. So two anonymous VMAs (a
# read-only and a writable one, which do not merge) give the single-VMA shape: the end
# call's invalidate_range over the range, then the gather's over both VMAs' PTEs and the
# freed tables' [0x0, ...). The real 6.1 shows the same for munmap_rest in
# conformance/expected/linux-6.1.trace (two VMAs with a hole between them, compared by
# tests/test_conformance.sh).
cat >"$T/munmap2.mnl" <<'X'
kernel linux-6.1
mm m { map 0x1000 anon ro populate; map 0x2000 anon rw populate }
P0 @cpu0 m { munmap(0x1000, 0x2000); }
X
"$M" --trace-notifier "$T/munmap2.mnl" >"$T/trace"
cat >"$T/want" <<'X'
invalidate_range_start UNMAP 0x1000 0x3000 1
invalidate_range - 0x1000 0x3000 -
invalidate_range_end UNMAP 0x1000 0x3000 1
invalidate_range - 0x0 0x3000 -
X
cmp -s "$T/trace" "$T/want" && ok || { bad "two-VMA munmap trace"; diff "$T/want" "$T/trace"; }

# The same with the second VMA VM_PFNMAP (a driver's device memory): tlb_end_vma flushes
# after it, inside the notifier range, the whole range gathered so far (the anonymous
# VMA's PTE too: the range is not reset at tlb_start_vma), and resets it; the gather's
# last flush then covers only the freed page tables.
cat >"$T/munmap_pfn.mnl" <<'X'
kernel linux-6.1
mm m { map 0x1000 anon rw populate; map 0x2000 pfnmap rw populate }
P0 @cpu0 m { munmap(0x1000, 0x2000); }
X
"$M" --trace-notifier "$T/munmap_pfn.mnl" >"$T/trace"
cat >"$T/want" <<'X'
invalidate_range_start UNMAP 0x1000 0x3000 1
invalidate_range - 0x1000 0x3000 -
invalidate_range - 0x1000 0x3000 -
invalidate_range_end UNMAP 0x1000 0x3000 1
invalidate_range - 0x0 0x1000 -
X
cmp -s "$T/trace" "$T/want" && ok || { bad "anon+pfnmap munmap trace"; diff "$T/want" "$T/trace"; }

# The VM_PFNMAP VMA first: its flush covers only its own page; the anonymous VMA's PTE is
# flushed by tlb_finish_mmu with the tables.
cat >"$T/munmap_pfn2.mnl" <<'X'
kernel linux-6.1
mm m { map 0x1000 pfnmap rw populate; map 0x2000 anon rw populate }
P0 @cpu0 m { munmap(0x1000, 0x2000); }
X
"$M" --trace-notifier "$T/munmap_pfn2.mnl" >"$T/trace"
cat >"$T/want" <<'X'
invalidate_range_start UNMAP 0x1000 0x3000 1
invalidate_range - 0x1000 0x2000 -
invalidate_range - 0x1000 0x3000 -
invalidate_range_end UNMAP 0x1000 0x3000 1
invalidate_range - 0x0 0x3000 -
X
cmp -s "$T/trace" "$T/want" && ok || { bad "pfnmap+anon munmap trace"; diff "$T/want" "$T/trace"; }

# Under linux-6.6 the flushes call arch_invalidate_secondary_tlbs and the end call none.
"$M" --kernel linux-6.6 --trace-notifier "$T/munmap_pfn.mnl" >"$T/trace"
cat >"$T/want" <<'X'
invalidate_range_start UNMAP 0x1000 0x3000 1
arch_invalidate_secondary_tlbs - 0x1000 0x3000 -
invalidate_range_end UNMAP 0x1000 0x3000 1
arch_invalidate_secondary_tlbs - 0x0 0x1000 -
X
cmp -s "$T/trace" "$T/want" && ok || { bad "6.6 anon+pfnmap munmap trace"; diff "$T/want" "$T/trace"; }

# A driver revoking its device memory (lib/linux-6.1/pfnmap.mnl pfnmap_revoke ->
# unmap_mapping_range -> zap_page_range_single, mm/memory.c 6.1 :3635, :1773): a CLEAR
# range over the VMA's part, tlb_end_vma's flush of the VM_PFNMAP VMA (invalidate_range),
# the end call's invalidate_range and end; tlb_finish_mmu finds nothing left to flush (no
# page to free, no table freed). Then the CPU's access faults and the driver answers
# SIGBUS: no notifier.
cat >"$T/revoke.mnl" <<'X'
kernel linux-6.1
mm m { map 0x1000 pfnmap rw populate }
P0 @cpu0 m { store(0x1000, 1); r0 = pfnmap_revoke(linear_page_index(0x1000), 1); r1 = load(0x1000); }
X
"$M" --trace-notifier "$T/revoke.mnl" >"$T/trace"
cat >"$T/want" <<'X'
invalidate_range_start CLEAR 0x1000 0x2000 1
invalidate_range - 0x1000 0x2000 -
invalidate_range - 0x1000 0x2000 -
invalidate_range_end CLEAR 0x1000 0x2000 1
X
cmp -s "$T/trace" "$T/want" && ok || { bad "unmap_mapping_range trace"; diff "$T/want" "$T/trace"; }

# The same CoW under linux-6.6: the secondary TLBs are invalidated by the CPU flush in
# ptep_clear_flush (arch_invalidate_secondary_tlbs), and the end call has no
# invalidate_range any more.
"$M" --kernel linux-6.6 --trace-notifier "$T/cow.mnl" >"$T/trace"
cat >"$T/want" <<'X'
invalidate_range_start CLEAR 0x1000 0x2000 1
arch_invalidate_secondary_tlbs - 0x1000 0x2000 -
change_pte - 0x1000 0x2000 -
invalidate_range_end CLEAR 0x1000 0x2000 1
X
cmp -s "$T/trace" "$T/want" && ok || { bad "6.6 CoW trace"; diff "$T/want" "$T/trace"; }

# linux-6.10: no change_pte any more.
"$M" --kernel linux-6.10 --trace-notifier "$T/cow.mnl" >"$T/trace"
grep -v change_pte "$T/want" >"$T/want10"
cmp -s "$T/trace" "$T/want10" && ok || { bad "6.10 CoW trace"; diff "$T/want10" "$T/trace"; }

# Recorded traces: clear_refs 4 (one SOFT_DIRTY range over the whole address space), fork.
# tests/kernel/trace/NAME.mnl: --trace-notifier must print exactly NAME.trace
for f in tests/kernel/trace/*.mnl; do
	w=${f%.mnl}.trace
	"$M" --trace-notifier "$f" >"$T/trace"
	cmp -s "$T/trace" "$w" && ok || { bad "$f trace"; diff "$w" "$T/trace"; }
done

# Reclaim (MADV_PAGEOUT of one page: folio_referenced's clear_flush_young, then
# try_to_unmap_one: start CLEAR, its own invalidate_range after the swap entry, end with
# invalidate_range; the mmu_gather's flush of the mkold last), the refault (do_swap_page:
# nothing), then move_pages (try_to_migrate_one: start CLEAR, end with invalidate_range;
# remove_migration_ptes: nothing). The madv_pageout, migrate_move_pages and
# migrate_mbind operations of conformance/ are the same shapes recorded on a real 6.1.
cat >"$T/reclaim.mnl" <<'X'
kernel linux-6.1
mm m { map 0x1000 anon rw populate }
P0 @cpu0 m { madvise_pageout(0x1000, 0x1000); r0 = load(0x1000); r1 = move_pages(0x1000, 1); }
X
"$M" --trace-notifier "$T/reclaim.mnl" >"$T/trace"
cat >"$T/want" <<'X'
clear_flush_young - 0x1000 0x2000 -
invalidate_range_start CLEAR 0x1000 0x2000 1
invalidate_range - 0x1000 0x2000 -
invalidate_range - 0x1000 0x2000 -
invalidate_range_end CLEAR 0x1000 0x2000 1
invalidate_range - 0x1000 0x2000 -
invalidate_range_start CLEAR 0x1000 0x2000 1
invalidate_range - 0x1000 0x2000 -
invalidate_range_end CLEAR 0x1000 0x2000 1
X
cmp -s "$T/trace" "$T/want" && ok || { bad "reclaim/migration trace"; diff "$T/want" "$T/trace"; }

# The same under linux-6.6: the batched unmap invalidates the secondary TLBs of the whole
# mm when it joins the batch (arch_tlbbatch_add_mm, 6bbd42e2df8f); migration's
# ptep_clear_flush does it for the page; the end calls no longer do.
"$M" --kernel linux-6.6 --trace-notifier "$T/reclaim.mnl" >"$T/trace"
cat >"$T/want" <<'X'
clear_flush_young - 0x1000 0x2000 -
invalidate_range_start CLEAR 0x1000 0x2000 1
arch_invalidate_secondary_tlbs - 0x0 0x1000000 -
invalidate_range_end CLEAR 0x1000 0x2000 1
arch_invalidate_secondary_tlbs - 0x1000 0x2000 -
invalidate_range_start CLEAR 0x1000 0x2000 1
arch_invalidate_secondary_tlbs - 0x1000 0x2000 -
invalidate_range_end CLEAR 0x1000 0x2000 1
X
cmp -s "$T/trace" "$T/want" && ok || { bad "6.6 reclaim/migration trace"; diff "$T/want" "$T/trace"; }

# The rmap walk over a page mapped in two mms (rmap.mnl), from an agent without an mm.
# move_pages_all (MPOL_MF_MOVE_ALL) of a page shared after fork, named by the child's
# mapping: try_to_migrate_one for each mapping the anon_vma's tree gives, the parent's VMA
# first: a CLEAR range over the page (not MIGRATE: 6.1's try_to_migrate_one initialises
# its range with MMU_NOTIFY_CLEAR), ptep_clear_flush (no _notify) and the migration entry,
# then the end call's invalidate_range (not _only_end); remove_migration_ptes emits
# nothing. Then kswapd_reclaim_all: clear_flush_young at each mapping for the age step and
# again for shrink_folio_list's folio_referenced, then try_to_unmap_one per mapping (start,
# its own invalidate_range after the swap entry, the end call's), and nothing from
# try_to_unmap_flush.
cat >"$T/rmapwalk.mnl" <<'X'
kernel linux-6.1
mm parent { map 0x1000 anon rw populate }
fork parent child
M0 { r0 = move_pages_all(1, 0x1000, 1); r1 = kswapd_reclaim_all(0, 0x1000); }
X
"$M" --trace-notifier "$T/rmapwalk.mnl" >"$T/trace"
cat >"$T/want" <<'X'
invalidate_range_start CLEAR 0x1000 0x2000 1
invalidate_range - 0x1000 0x2000 -
invalidate_range_end CLEAR 0x1000 0x2000 1
invalidate_range_start CLEAR 0x1000 0x2000 1
invalidate_range - 0x1000 0x2000 -
invalidate_range_end CLEAR 0x1000 0x2000 1
clear_flush_young - 0x1000 0x2000 -
clear_flush_young - 0x1000 0x2000 -
clear_flush_young - 0x1000 0x2000 -
clear_flush_young - 0x1000 0x2000 -
invalidate_range_start CLEAR 0x1000 0x2000 1
invalidate_range - 0x1000 0x2000 -
invalidate_range - 0x1000 0x2000 -
invalidate_range_end CLEAR 0x1000 0x2000 1
invalidate_range_start CLEAR 0x1000 0x2000 1
invalidate_range - 0x1000 0x2000 -
invalidate_range - 0x1000 0x2000 -
invalidate_range_end CLEAR 0x1000 0x2000 1
X
cmp -s "$T/trace" "$T/want" && ok || { bad "rmap walk trace"; diff "$T/want" "$T/trace"; }

# A KSM page in two mms: ksmd (a kernel thread) merges a's 0x1000 with b's 0x3000
# (write_protect_page of b's page, which becomes the KSM page: start, change_pte from
# set_pte_at_notify, the end call's invalidate_range; then write_protect_page and
# replace_page of a's), then move_pages_all walks the stable node's rmap_items, newest
# first (stable_tree_append adds at the head): b's mapping, then a's.
cat >"$T/ksmwalk.mnl" <<'X'
kernel linux-6.1
mm a { map 0x1000 anon rw populate }
mm b { map 0x3000 anon rw populate }
K0 { r0 = ksmd_merge_pages(0, 0x1000, 1, 0x3000); r1 = move_pages_all(0, 0x1000, 1); }
X
"$M" --trace-notifier "$T/ksmwalk.mnl" >"$T/trace"
cat >"$T/want" <<'X'
invalidate_range_start CLEAR 0x3000 0x4000 1
change_pte - 0x3000 0x4000 -
invalidate_range - 0x3000 0x4000 -
invalidate_range_end CLEAR 0x3000 0x4000 1
invalidate_range_start CLEAR 0x1000 0x2000 1
change_pte - 0x1000 0x2000 -
invalidate_range - 0x1000 0x2000 -
invalidate_range_end CLEAR 0x1000 0x2000 1
invalidate_range_start CLEAR 0x1000 0x2000 1
change_pte - 0x1000 0x2000 -
invalidate_range - 0x1000 0x2000 -
invalidate_range_end CLEAR 0x1000 0x2000 1
invalidate_range_start CLEAR 0x3000 0x4000 1
invalidate_range - 0x3000 0x4000 -
invalidate_range_end CLEAR 0x3000 0x4000 1
invalidate_range_start CLEAR 0x1000 0x2000 1
invalidate_range - 0x1000 0x2000 -
invalidate_range_end CLEAR 0x1000 0x2000 1
X
cmp -s "$T/trace" "$T/want" && ok || { bad "KSM rmap walk trace"; diff "$T/want" "$T/trace"; }

# Errors in kernel declarations are located.
printf 'kernel linux-6.1\nmm m { map 0x1000 anon rx }\nP0 @cpu0 m { }\n' >"$T/bad.mnl"
"$M" "$T/bad.mnl" >"$T/out" 2>"$T/err"
[ $? = 2 ] && grep -q "bad.mnl:2:24: unknown protection 'rx'" "$T/err" && ok || bad "bad protection: $(cat "$T/err")"
printf 'kernel linux-6.1\nmm m { map 0x1000 anon rw }\nP0 @cpu7 m { }\n' >"$T/bad.mnl"
"$M" "$T/bad.mnl" >"$T/out" 2>"$T/err"
[ $? = 2 ] && grep -q "bad.mnl:3:1: unknown placement 'cpu7'" "$T/err" && ok || bad "bad cpu: $(cat "$T/err")"

# THP (huge_memory.mnl): munmap of one page of a PMD-mapped THP. 6.1 splits the PMD first
# (vma_adjust_trans_huge -> __split_huge_pmd: its own CLEAR range over the whole PMD, ended
# with _only_end), then the UNMAP of the page; then MADV_COLLAPSE of the rest back is
# refused (a VMA no longer holds the PMD range), and a whole-PMD munmap of another THP
# zaps it with zap_huge_pmd: the mmu_gather's flush covers the PMD.
cat >"$T/thp.mnl" <<'X'
kernel linux-6.1
mm m { map 0x40000 0x8000 thp rw populate; map 0x80000 0x8000 thp rw populate }
P0 @cpu0 m { munmap(0x40000, 0x1000); r0 = madvise_collapse(0x40000, 0x8000); munmap(0x80000, 0x8000); }
X
"$M" --trace-notifier "$T/thp.mnl" >"$T/trace"
cat >"$T/want" <<'X'
invalidate_range_start CLEAR 0x40000 0x48000 1
invalidate_range_end CLEAR 0x40000 0x48000 1
invalidate_range_start UNMAP 0x40000 0x41000 1
invalidate_range - 0x40000 0x41000 -
invalidate_range_end UNMAP 0x40000 0x41000 1
invalidate_range - 0x40000 0x41000 -
invalidate_range_start UNMAP 0x80000 0x88000 1
invalidate_range - 0x80000 0x88000 -
invalidate_range_end UNMAP 0x80000 0x88000 1
invalidate_range - 0x80000 0x88000 -
X
cmp -s "$T/trace" "$T/want" && ok || { bad "THP trace"; diff "$T/want" "$T/trace"; }

# userfaultfd write-protect (userfaultfd.mnl), derived from 6.1's code: UFFDIO_WRITEPROTECT
# with MODE_WP is mwriteprotect_range -> uffd_wp_range -> change_protection(MM_CP_UFFD_WP)
# inside an mmu_gather: change_pmd_range's PROTECTION_VMA range over the populated PMD
# (start, the end call's invalidate_range, end), then tlb_finish_mmu's flush of the PTE
# recorded because write permission was dropped (pte_needs_flush), with its
# invalidate_range after the end. The resolve (MM_CP_UFFD_WP_RESOLVE) changes only the
# uffd-wp bit of a read-only PTE, which x86's pte_needs_flush ignores (a software bit):
# nothing is recorded, so no trailing invalidate_range. The write after it is a
# wp_page_reuse fault: no notifier. Registering (UFFDIO_REGISTER) calls none either.
cat >"$T/uffd.mnl" <<'X'
kernel linux-6.1
mm m { map 0x1000 anon rw populate }
P0 @cpu0 m {
	r0 = uffd_register_wp(0x1000, 0x1000);
	r1 = uffd_writeprotect(0x1000, 0x1000, 1);
	r2 = uffd_writeprotect(0x1000, 0x1000, 0);
	store(0x1000, 1);
}
X
"$M" --trace-notifier "$T/uffd.mnl" >"$T/trace"
cat >"$T/want" <<'X'
invalidate_range_start PROTECTION_VMA 0x1000 0x2000 1
invalidate_range - 0x1000 0x2000 -
invalidate_range_end PROTECTION_VMA 0x1000 0x2000 1
invalidate_range - 0x1000 0x2000 -
invalidate_range_start PROTECTION_VMA 0x1000 0x2000 1
invalidate_range - 0x1000 0x2000 -
invalidate_range_end PROTECTION_VMA 0x1000 0x2000 1
X
cmp -s "$T/trace" "$T/want" && ok || { bad "uffd-wp trace"; diff "$T/want" "$T/trace"; }

# The same under linux-6.6: no invalidate_range in the end calls; the write-protect's
# deferred CPU flush at tlb_finish_mmu reaches the secondary TLBs
# (arch_invalidate_secondary_tlbs); the resolve flushes nothing, so nothing reaches them.
"$M" --kernel linux-6.6 --trace-notifier "$T/uffd.mnl" >"$T/trace"
cat >"$T/want" <<'X'
invalidate_range_start PROTECTION_VMA 0x1000 0x2000 1
invalidate_range_end PROTECTION_VMA 0x1000 0x2000 1
arch_invalidate_secondary_tlbs - 0x1000 0x2000 -
invalidate_range_start PROTECTION_VMA 0x1000 0x2000 1
invalidate_range_end PROTECTION_VMA 0x1000 0x2000 1
X
cmp -s "$T/trace" "$T/want" && ok || { bad "6.6 uffd-wp trace"; diff "$T/want" "$T/trace"; }

# page_mkclean (writeback.mnl), derived from 6.1's code: write_one_page ->
# folio_clear_dirty_for_io -> folio_mkclean -> rmap_walk_file -> page_mkclean_one ->
# page_vma_mkclean_one: a PROTECTION_PAGE range over the page (vma_address_end), the PTE
# cleaned under the PT lock with ptep_clear_flush (a CPU flush only in 6.1, no notifier
# call of its own: "No need to call mmu_notifier_invalidate_range()"), then the end call,
# whose invalidate_range is 6.1's secondary-TLB invalidation. The write after the
# writeback (wp_page_shared -> ->page_mkwrite -> wp_page_reuse) calls no notifier.
cat >"$T/mkclean.mnl" <<'X'
kernel linux-6.1
mm m { map 0x1000 file rw populate }
W0 { r0 = write_one_page(0); }
P1 @cpu1 m { store(0x1000, 1); }
X
"$M" --trace-notifier "$T/mkclean.mnl" >"$T/trace"
cat >"$T/want" <<'X'
invalidate_range_start PROTECTION_PAGE 0x1000 0x2000 1
invalidate_range - 0x1000 0x2000 -
invalidate_range_end PROTECTION_PAGE 0x1000 0x2000 1
X
cmp -s "$T/trace" "$T/want" && ok || { bad "page_mkclean trace"; diff "$T/want" "$T/trace"; }

# The same under linux-6.6: ptep_clear_flush's CPU flush calls
# arch_invalidate_secondary_tlbs inside the range; the end call invalidates nothing.
"$M" --kernel linux-6.6 --trace-notifier "$T/mkclean.mnl" >"$T/trace"
cat >"$T/want" <<'X'
invalidate_range_start PROTECTION_PAGE 0x1000 0x2000 1
arch_invalidate_secondary_tlbs - 0x1000 0x2000 -
invalidate_range_end PROTECTION_PAGE 0x1000 0x2000 1
X
cmp -s "$T/trace" "$T/want" && ok || { bad "6.6 page_mkclean trace"; diff "$T/want" "$T/trace"; }

# munmap of a dirty page of a MAP_SHARED file in 6.1: zap_pte_range dirties the page and,
# for that (force_flush), flushes the TLBs under the PT lock, inside the UNMAP range:
# tlb_flush_mmu_tlbonly's invalidate_range of the zapped page comes before the end call's.
# free_pgtables then widens the reset gather to the PTE table's page only, [0x0, 0x1000).
cat >"$T/funmap.mnl" <<'X'
kernel linux-6.1
mm m { map 0x1000 file rw populate }
P0 @cpu0 m { munmap(0x1000, 0x1000); }
X
"$M" --trace-notifier "$T/funmap.mnl" >"$T/trace"
cat >"$T/want" <<'X'
invalidate_range_start UNMAP 0x1000 0x2000 1
invalidate_range - 0x1000 0x2000 -
invalidate_range - 0x1000 0x2000 -
invalidate_range_end UNMAP 0x1000 0x2000 1
invalidate_range - 0x0 0x1000 -
X
cmp -s "$T/trace" "$T/want" && ok || { bad "file munmap trace"; diff "$T/want" "$T/trace"; }
# GUP-fast (gup.mnl) calls no notifier itself. A write pin of a page fork left CoW-shared
# finds the PTE read-only, so the lock-free walk leaves it to the slow path, whose write
# fault is wp_page_copy's (start CLEAR, ptep_clear_flush_notify's invalidate_range,
# set_pte_at_notify's change_pte, _only_end). The second pin and the read reference then
# find a writable, exclusive page and take it lock-free: nothing more.
cat >"$T/gupfast.mnl" <<'X'
kernel linux-6.1
mm m { map 0x1000 anon rw populate }
fork m child
P0 @cpu0 m { r0 = pin_user_pages_fast(0x1000, 1); r1 = pin_user_pages_fast(0x1000, 1); r2 = get_user_pages_fast(0x1000, 0); }
X
"$M" --trace-notifier "$T/gupfast.mnl" >"$T/trace"
cat >"$T/want" <<'X'
invalidate_range_start CLEAR 0x1000 0x2000 1
invalidate_range - 0x1000 0x2000 -
change_pte - 0x1000 0x2000 -
invalidate_range_end CLEAR 0x1000 0x2000 1
X
cmp -s "$T/trace" "$T/want" && ok || { bad "GUP-fast trace"; diff "$T/want" "$T/trace"; }


# linux-4.12 (lib/linux-4.12): no events and no blockable flag (`-`), no _only_end, and
# the rmap side reports with invalidate_page. CoW: start, ptep_clear_flush_notify's
# invalidate_range, set_pte_at_notify's change_pte, then the full end (its
# invalidate_range, then invalidate_range_end).
"$M" --kernel linux-4.12 --trace-notifier "$T/cow.mnl" >"$T/trace"
cat >"$T/want" <<'X'
invalidate_range_start - 0x1000 0x2000 -
invalidate_range - 0x1000 0x2000 -
change_pte - 0x1000 0x2000 -
invalidate_range - 0x1000 0x2000 -
invalidate_range_end - 0x1000 0x2000 -
X
cmp -s "$T/trace" "$T/want" && ok || { bad "4.12 CoW trace"; diff "$T/want" "$T/trace"; }
# munmap in 4.12: unmap_vmas' start/end, then tlb_finish_mmu's invalidate_range
# (tlb_flush_mmu_tlbonly) over the range widened by the freed page table.
"$M" --kernel linux-4.12 --trace-notifier "$T/unmap.mnl" >"$T/trace"
cat >"$T/want" <<'X'
invalidate_range_start - 0x1000 0x2000 -
invalidate_range - 0x1000 0x2000 -
invalidate_range_end - 0x1000 0x2000 -
invalidate_range - 0x0 0x2000 -
X
cmp -s "$T/trace" "$T/want" && ok || { bad "4.12 munmap trace"; diff "$T/want" "$T/trace"; }
# kswapd reclaim in 4.12: clear_flush_young from the LRU aging and from
# page_check_references (page_referenced), once more from try_to_unmap_one (no
# TTU_IGNORE_ACCESS), then no start/end: invalidate_page after the swap entry is set.
cat >"$T/reclaim.mnl" <<'X'
kernel linux-4.12
mm m { map 0x1000 anon rw populate }
K0 m { r0 = kswapd_reclaim(0x1000); }
X
"$M" --trace-notifier "$T/reclaim.mnl" >"$T/trace"
cat >"$T/want" <<'X'
clear_flush_young - 0x1000 0x2000 -
clear_flush_young - 0x1000 0x2000 -
clear_flush_young - 0x1000 0x2000 -
invalidate_page - 0x1000 0x2000 -
X
cmp -s "$T/trace" "$T/want" && ok || { bad "4.12 reclaim trace"; diff "$T/want" "$T/trace"; }
# 4.12's replaced calls are where the kernel made them: invalidate_page under the PT lock
# (the step right after put_page, before pte_unlock), no start before the clear.
"$M" --replay "$(python3 -c "print('.'.join(['0'] * 200))")" "$T/reclaim.mnl" >"$T/r" 2>&1
grep -A4 "put: put_page" "$T/r" | grep -q "mn_nsubs" && grep -A8 "put: put_page" "$T/r" | grep -q "pte_unlock" &&
	ok || bad "4.12 try_to_unmap_one: invalidate_page not under the PT lock"
# writeback's page_mkclean_one in 4.12: invalidate_page, no start/end
cat >"$T/mkclean.mnl" <<'X'
kernel linux-4.12
mm m { map 0x1000 file rw populate }
W0 { r0 = write_one_page(0); }
X
"$M" --trace-notifier "$T/mkclean.mnl" >"$T/trace"
echo "invalidate_page - 0x1000 0x2000 -" >"$T/want"
cmp -s "$T/trace" "$T/want" && ok || { bad "4.12 page_mkclean trace"; diff "$T/want" "$T/trace"; }
# 4.12 has no HMM and this profile no 4.12 pins: both refused with the reason; its ODP is
# an hlist subscriber, so an interval is refused too.
cat >"$T/hmm.mnl" <<'X'
kernel linux-4.12
mm m { map 0x1000 anon rw }
device d = hmm_mirror(m)
D0 @d { r0 = dma_read(0x1000); }
X
"$M" "$T/hmm.mnl" >"$T/out" 2>&1
[ $? = 2 ] && grep -q "device type 'hmm_mirror' is not modelled by kernel profile 'linux-4.12': no HMM" "$T/out" &&
	ok || { bad "4.12 hmm_mirror not refused"; cat "$T/out"; }
sed 's/hmm_mirror/pinned/' "$T/hmm.mnl" >"$T/pin.mnl"
"$M" "$T/pin.mnl" >"$T/out" 2>&1
[ $? = 2 ] && grep -q "device type 'pinned' is not modelled by kernel profile 'linux-4.12'" "$T/out" &&
	ok || { bad "4.12 pinned not refused"; cat "$T/out"; }
sed 's/hmm_mirror(m)/odp(m) interval 0x1000 0x1000/' "$T/hmm.mnl" >"$T/odp.mnl"
"$M" "$T/odp.mnl" >"$T/out" 2>&1
[ $? = 2 ] && ok || { bad "4.12 odp interval not refused"; cat "$T/out"; }
# munmap's downgrade (tests/kernel/munmap_downgrade.mnl): in 6.1 the neighbour's fault
# runs to its end between munmap's downgrade and its zap; linux-4.12 keeps the write lock,
# so after munmap detached the VMA the fault (a CPU store, then mmap_read_lock) blocks.
f=tests/kernel/munmap_downgrade.mnl
rep() { n=$2; printf "%s" "$1"; while [ "$n" -gt 0 ]; do printf ".%s" "$1"; n=$((n - 1)); done; }
"$M" --replay "$(rep 0 80)" "$f" >"$T/alone" 2>&1
dg=$(grep -n "downgrade: mmap_write_downgrade" "$T/alone" | head -1 | sed 's/^[0-9]*: *\([0-9]*\) .*/\1/')
"$M" --replay "$(rep 0 $((dg - 1))).$(rep 1 80)" "$f" >"$T/p1" 2>&1
p1=$(sed -n 's/^Not final after \([0-9]*\) steps.*/\1/p' "$T/p1")
if [ -n "$dg" ] && [ -n "$p1" ]; then
	"$M" --replay "$(rep 0 $((dg - 1))).$(rep 1 $((p1 - dg - 1))).$(rep 0 80)" "$f" >"$T/r" 2>&1
	grep -q "^Final after" "$T/r" && grep -q "^Observation final holds" "$T/r" &&
		! grep -qE "^Observation [a-z_]+ fired" "$T/r" && ok ||
		{ bad "6.1 munmap: a fault does not run inside the downgraded munmap"; tail -15 "$T/r"; }
else
	bad "munmap_downgrade: no downgrade step ($dg) or P1 count ($p1)"
fi
"$M" --kernel linux-4.12 --replay "$(rep 0 80)" "$f" >"$T/alone" 2>&1
dt=$(grep -n "detach: vma_detach" "$T/alone" | head -1 | sed 's/^[0-9]*: *\([0-9]*\) .*/\1/')
"$M" --kernel linux-4.12 --replay "$(rep 0 $((dt - 1))).1.1" "$f" >"$T/r" 2>&1
grep -q "agent P1 cannot step (blocked)" "$T/r" && ok ||
	{ bad "4.12 munmap: a fault ran while munmap held mmap_lock for write"; tail -5 "$T/r"; }
# The matrix under linux-4.12 (scripts/gen_matrix.py's FIRES_412 says what fires and
# why): every expectation holds.
"$M" --jobs 2 scenarios/matrix/linux-4.12 >"$T/out" 2>&1 && ok ||
	{ bad "linux-4.12 matrix"; grep -E "FAILED|incomplete" "$T/out" | head; }

echo "RESULT passed=$pass failed=$fail"
[ "$fail" = 0 ]
