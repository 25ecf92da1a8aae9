#!/usr/bin/env python3
"""Writes scenarios/matrix/PROFILE/: each core-mm operation racing with each secondary MMU,
under linux-6.1, linux-6.6 and linux-4.12 (less what 4.12 lacks), expecting every check Never except where FIRES says
otherwise and why. Run it after adding an operation or a device; the files are committed
so that a reviewer reads what runs.

  scripts/gen_matrix.py [OUTDIR]
"""
import os
import sys
import textwrap

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "scenarios", "matrix")

# name: (what it models, mm declaration, extra declarations, CPU agents[, final state])
# The final state, when given, is a condition on the agents' registers that must hold in
# every final state (what memory holds afterwards, read back through the page tables).
OPS = {
    "anon_fault": (
        "do_anonymous_page: a CPU writes a page nobody touched yet",
        "mm m { map 0x1000 anon rw }", "",
        ["P0 @cpu0 m { store(0x1000, 1); }"]),
    "zero_page_cow": (
        "wp_page_copy from the zero page: a CPU reads, then writes",
        "mm m { map 0x1000 anon rw }", "",
        ["P0 @cpu0 m { r0 = load(0x1000); store(0x1000, 1); }"]),
    "fork_cow": (
        "wp_page_copy after fork, while the child unmaps its copy",
        "mm m { map 0x1000 anon rw populate }", "fork m child",
        ["P0 @cpu0 m { store(0x1000, 1); }",
         "P1 @cpu1 child { munmap(0x1000, 0x1000); }"]),
    "munmap": (
        "munmap: zap with mmu_gather, VMA removed",
        "mm m { map 0x1000 anon rw populate }", "",
        ["P0 @cpu0 m { munmap(0x1000, 0x1000); }"]),
    "madv_dontneed": (
        "MADV_DONTNEED (zap_page_range), then the CPU faults the page back",
        "mm m { map 0x1000 anon rw populate }", "",
        ["P0 @cpu0 m { madvise_dontneed(0x1000, 0x1000); r0 = load(0x1000); }"]),
    "madv_free": (
        "MADV_FREE with its deferred CPU flush, while another CPU writes",
        "mm m { map 0x1000 anon rw populate }", "",
        ["P0 @cpu0 m { madvise_free(0x1000, 0x1000); }",
         "P1 @cpu1 m { store(0x1000, 1); store(0x1000, 2); }"]),
    "ksm_merge": (
        "ksmd merges the page with the zero page (write_protect_page, replace_page)",
        "mm m { map 0x1000 anon rw populate }", "",
        ["K0 m { r0 = ksm_merge_zero_page(0x1000); }"]),
    "mprotect_ro": (
        "mprotect to read-only (change_protection, flush deferred to tlb_finish_mmu)",
        "mm m { map 0x1000 anon rw populate }", "",
        ["P0 @cpu0 m { mprotect(0x1000, 0x1000, 0); }"]),
    "exit": (
        "exit_mmap: mmu_notifier_release first, then the whole address space unmapped",
        "mm m { map 0x1000 anon rw populate }", "",
        ["P0 @cpu0 m { r0 = exit_mmap(); }"]),
    "clear_refs_4": (
        "clear_refs 4 (soft-dirty) while another CPU writes",
        "mm m { map 0x1000 anon rw populate }", "",
        ["P0 @cpu0 m { r0 = clear_refs(4); }",
         "P1 @cpu1 m { store(0x1000, 1); store(0x1000, 2); }"]),
    "fork": (
        "fork at run time (dup_mmap, copy_page_range), then the parent's CoW write "
        "and the child's read",
        "mm m { map 0x1000 anon rw populate }", "mm child { }",
        ["P0 @cpu0 m { store(0x1000, 1); fork(1); store(0x1000, 2); r0 = load(0x1000); }",
         "C0 @cpu1 child { fork_wait(); r0 = load(0x1000); }"],
        "P0:r0 == 2 && C0:r0 == 1"),
    "mremap": (
        "mremap with MREMAP_FIXED (move_page_tables, move_ptes, then the old range unmapped "
        "and its page tables freed)",
        "mm m { map 0x1000 anon rw populate }", "",
        ["P0 @cpu0 m { store(0x1000, 5); r0 = mremap(0x1000, 0x1000, 0x9000); "
         "r1 = load(0x9000); }"],
        "P0:r0 == 0x9000 && P0:r1 == 5"),
    # transparent huge pages (lib/linux-6.1/huge_memory.mnl, khugepaged.mnl); after the
    # operation the CPU agent reads the PMD/PTE state the operation must leave
    "thp_fault": (
        "do_huge_pmd_anonymous_page: a CPU writes a THP-eligible PMD range nobody touched",
        "mm m { map 0x40000 0x8000 thp rw }", "",
        ["P0 @cpu0 m { store(0x40000, 1); r1 = pmd_trans_huge(pte_get(0x40000)); "
         "r2 = load(0x40000); }"],
        "P0:r1 == 1 && P0:r2 == 1"),
    "thp_munmap": (
        "munmap of a whole PMD-mapped THP (zap_huge_pmd, tlb_remove_pmd_tlb_entry)",
        "mm m { map 0x40000 0x8000 thp rw populate }", "",
        ["P0 @cpu0 m { munmap(0x40000, 0x8000); r1 = pmd_get(0x40000); }"],
        "P0:r1 == 0"),
    "thp_munmap_partial": (
        "munmap of one page of a THP: __split_huge_pmd (vma_adjust_trans_huge), then zap",
        "mm m { map 0x40000 0x8000 thp rw populate }", "",
        ["P0 @cpu0 m { munmap(0x40000, 0x1000); r1 = pmd_trans_huge(pte_get(0x41000)); "
         "r2 = pte_present(pte_get(0x41000)); r3 = pte_none(pte_get(0x40000)); }"],
        "P0:r1 == 0 && P0:r2 == 1 && P0:r3 == 1"),
    "thp_mprotect_partial": (
        "mprotect of one page of a THP to read-only: split, then change_pte_range",
        "mm m { map 0x40000 0x8000 thp rw populate }", "",
        ["P0 @cpu0 m { mprotect(0x40000, 0x1000, 0); r1 = pte_write(pte_get(0x40000)); "
         "r2 = pmd_trans_huge(pte_get(0x41000)); }"],
        "P0:r1 == 0 && P0:r2 == 0"),
    "thp_mprotect": (
        "mprotect of a whole THP to read-only (change_huge_pmd, flush via the mmu_gather)",
        "mm m { map 0x40000 0x8000 thp rw populate }", "",
        ["P0 @cpu0 m { mprotect(0x40000, 0x8000, 0); r1 = pte_write(pte_get(0x40000)); "
         "r2 = pmd_trans_huge(pte_get(0x40000)); }"],
        "P0:r1 == 0 && P0:r2 == 1"),
    "thp_collapse": (
        "MADV_COLLAPSE of eight small pages into a THP (collapse_huge_page)",
        "mm m { map 0x40000 0x8000 anon rw populate }", "",
        ["P0 m { r0 = madvise_collapse(0x40000, 0x8000); "
         "r1 = pmd_trans_huge(pte_get(0x40000)); }"],
        "P0:r0 == 1 && P0:r1 == 1"),
    "madv_pageout": (
        "MADV_PAGEOUT (reclaim with the batched unmap flush, swap-out), then the CPU "
        "faults the page back from swap",
        "mm m { map 0x1000 anon rw populate }", "",
        ["P0 @cpu0 m { store(0x1000, 1); madvise_pageout(0x1000, 0x1000); "
         "r0 = load(0x1000); }"],
        "P0:r0 == 1 || P0:r0 == 7"),
    "kswapd_reclaim": (
        "kswapd reclaims the page (batched unmap flush, swap-out) while a CPU uses it",
        "mm m { map 0x1000 anon rw populate }", "",
        ["P0 @cpu0 m { store(0x1000, 1); }",
         "K0 m { r0 = kswapd_reclaim(0x1000); }"]),
    "move_pages": (
        "move_pages(2) to node 1 (try_to_migrate, copy, remove_migration_ptes), then the "
        "CPU reads the page",
        "mm m { map 0x1000 anon rw populate }", "",
        ["P0 @cpu0 m { store(0x1000, 1); r1 = move_pages(0x1000, 1); r0 = load(0x1000); }"],
        "P0:r0 == 1 || P0:r0 == 7"),
    # the rmap walk (lib/linux-6.1/rmap.mnl) over a page mapped in two mms: the device is
    # the parent's; tests/kernel/*_all_* put one in each mm
    "migrate_shared": (
        "move_pages(2) with MPOL_MF_MOVE_ALL, from an agent without an mm, of a page shared "
        "after fork: the rmap walk migrates the parent's mapping and the child's",
        "mm m { map 0x1000 anon rw populate }", "fork m child",
        ["M0 { r0 = move_pages_all(1, 0x1000, 1); }"]),
    "reclaim_shared": (
        "kswapd as a kernel thread reclaims a page shared after fork: the rmap walk "
        "unmaps the parent's mapping and the child's (batched flush, swap-out)",
        "mm m { map 0x1000 anon rw populate }", "fork m child",
        ["K0 { r0 = kswapd_reclaim_all(1, 0x1000); }"]),
    "mbind_move": (
        "mbind(MPOL_BIND to node 1, MPOL_MF_MOVE) migrates the page, then the CPU reads it",
        "mm m { map 0x1000 anon rw populate }", "",
        ["P0 @cpu0 m { store(0x1000, 1); r1 = mbind(0x1000, 0x1000, 1); r0 = load(0x1000); }"],
        "P0:r0 == 1 || P0:r0 == 7"),
    # VM_PFNMAP (lib/linux-6.1/pfnmap.mnl) and munmap over several VMAs (unmap.mnl)
    "pfnmap_revoke": (
        "a driver takes back its device memory, mapped VM_PFNMAP by remap_pfn_range "
        "(unmap_mapping_range, then the memory is gone); the CPU's access after it gets "
        "SIGBUS",
        "mm m { map 0x1000 pfnmap rw populate }", "",
        ["P0 @cpu0 m { store(0x1000, 1); r0 = pfnmap_revoke(linear_page_index(0x1000), 1); "
         "r1 = load(0x1000); }"],
        "P0:r1 == -1"),
    "munmap_vmas": (
        "munmap over two VMAs that do not merge, read-only then writable (unmap_vmas: one "
        "notifier range around the zap of each)",
        "mm m { map 0x1000 anon ro populate; map 0x2000 anon rw populate }", "",
        ["P0 @cpu0 m { munmap(0x1000, 0x2000); }"]),
    "munmap_pfnmap": (
        "munmap over an anonymous VMA and a VM_PFNMAP one (tlb_end_vma flushes after the "
        "latter)",
        "mm m { map 0x1000 anon rw populate; map 0x2000 pfnmap rw populate }", "",
        ["P0 @cpu0 m { munmap(0x1000, 0x2000); }"]),
    # userfaultfd write-protect (lib/linux-6.1/userfaultfd.mnl): between the monitor's
    # write-protect and its resolve, nobody may change the page
    # (the CPU writer that sleeps in handle_userfault is tests/kernel/uffd_wp_coherent.mnl)
    "uffd_wp": (
        "UFFDIO_WRITEPROTECT sets uffd-wp on the page (change_protection with MM_CP_UFFD_WP, "
        "PROTECTION_VMA, the flush deferred to tlb_finish_mmu), the monitor reads it twice, "
        "then resolves it (MM_CP_UFFD_WP_RESOLVE); a device write in between fails or, "
        "through GUP that may retry (KVM), sleeps in handle_userfault until then",
        "mm m { map 0x1000 anon rw populate }", "",
        ["M0 @cpu0 m { r0 = uffd_register_wp(0x1000, 0x1000); "
         "r1 = uffd_writeprotect(0x1000, 0x1000, 1); r2 = load(0x1000); r3 = load(0x1000); "
         "r4 = uffd_writeprotect(0x1000, 0x1000, 0); }"],
        "M0:r0 == 0 && M0:r1 == 0 && M0:r4 == 0 && M0:r2 == M0:r3"),
    # writeback of a MAP_SHARED file page (lib/linux-6.1/writeback.mnl, filemap.mnl):
    # lost_write also fires for a page left clean that differs from its disk block
    "page_mkclean": (
        "writeback of a dirty page of a MAP_SHARED file (write_one_page: "
        "folio_clear_dirty_for_io, folio_mkclean -> page_mkclean_one with "
        "PROTECTION_PAGE, writepage) while a CPU writes; a write after the mkclean faults "
        "(wp_page_shared -> page_mkwrite) and dirties the page again",
        "mm m { map 0x1000 file rw populate }", "",
        ["W0 { r0 = write_one_page(0); }",
         "P1 @cpu1 m { store(0x1000, 1); store(0x1000, 2); }"]),
    # GUP-fast (lib/linux-6.1/gup.mnl): the lock-free walk with interrupts disabled
    "gup_fast": (
        "pin_user_pages_fast(FOLL_WRITE) walks the page tables lock-free while munmap "
        "frees the page and its page tables (the flush IPIs wait for the walk)",
        "mm m { map 0x1000 anon rw populate }", "",
        ["P0 @cpu0 m { r0 = pin_user_pages_fast(0x1000, 1); }",
         "P1 @cpu1 m { munmap(0x1000, 0x1000); }"],
        "P0:r0 > 0 || P0:r0 == -14"),
    "gup_fast_fork": (
        "pin_user_pages_fast(FOLL_WRITE) while the process forks and writes the page: "
        "the pinned page stays the parent's (write_protect_seq, page_maybe_dma_pinned)",
        "mm m { map 0x1000 anon rw populate }", "mm child { }\nshared pinned;",
        ["P0 @cpu0 m { fork(1); await (pinned == 1); store(0x1000, 2); "
         "r1 = pte_pfn(pte_get(0x1000)); }",
         "P1 @cpu1 m { r0 = pin_user_pages_fast(0x1000, 1); r1 = pte_pfn(r0); pinned = 1; }"],
        "P0:r1 == P1:r1"),
}

# where the device accesses, and whether it writes (else it reads twice)
THP_ADDR = {"thp_fault": "0x41000", "thp_munmap": "0x40000", "thp_munmap_partial": "0x41000",
            "thp_mprotect_partial": "0x41000", "thp_mprotect": "0x41000",
            "thp_collapse": "0x41000"}
ADDR = dict(THP_ADDR, munmap_vmas="0x2000", munmap_pfnmap="0x2000")
WRITERS = ("munmap", "madv_dontneed", "ksm_merge", "mprotect_ro", "madv_pageout",
           "move_pages", "mbind_move", "thp_fault", "thp_munmap",
           "thp_munmap_partial", "thp_mprotect_partial", "thp_mprotect", "thp_collapse",
           "pfnmap_revoke", "munmap_vmas", "munmap_pfnmap",
           "uffd_wp", "page_mkclean", "gup_fast")

DEVICES = ["iommu_sva", "hmm_mirror", "kvm", "odp", "gru", "pinned"]

# (op, device): (checks that fire, why). Everything else must stay quiet, and the final
# condition hold Always; "final" in the list makes it Sometimes.
PINNED = ("a pinning driver has no notifier: the device keeps the translation it "
          "pinned while the process's mapping changes")
GRU = ("gru_try_dropin checks ms_range_active, then looks the page up with GUP and drops "
       "it in without a lock against invalidate_range_start: an invalidation that starts "
       "and ends in between is missed (with a GRU TLB purge that does not cancel a "
       "pending dropin, see lib/linux-6.1/drivers/gru.mnl)")
GUP_REF = ("the collapse succeeds only Sometimes: a device fault holds a GUP reference "
           "on a small page while it maps it, and collapse_huge_page refuses a page with "
           "an unexpected reference (is_refcount_suitable)")
FIRES = {
    ("munmap", "pinned"): (["stale"], PINNED + " (unmapped)"),
    ("mprotect_ro", "pinned"): (["stale"], PINNED + " (still writable)"),
    ("clear_refs_4", "pinned"): (["stale"], PINNED + " (still writable)"),
    ("madv_dontneed", "pinned"): (["stale", "lost_write", "incoherent"],
                                  PINNED + ": its writes go to the old page, the CPU "
                                  "faults in a new one"),
    ("mremap", "pinned"): (["stale"], PINNED + " (moved)"),
    ("fork", "gru"): (["stale", "incoherent"], GRU + ": the parent's CoW write after fork"),
    ("thp_mprotect", "pinned"): (["stale"], PINNED + " (still writable)"),
    ("thp_munmap", "pinned"): (["stale"], PINNED + " (unmapped)"),
    ("thp_collapse", "pinned"): (["final"], GUP_REF + " (here a pin, held for good)"),
    ("thp_collapse", "kvm"): (["final"], GUP_REF),
    ("thp_collapse", "gru"): (["final"], GUP_REF),
    ("kswapd_reclaim", "gru"): (["uaf", "stale", "incoherent"], GRU + "; kswapd holds no mmap_lock"),
    ("madv_pageout", "gru"): (["uaf", "stale", "lost_write", "incoherent"], GRU),
    ("move_pages", "gru"): (["uaf", "stale", "lost_write", "incoherent"], GRU),
    ("migrate_shared", "gru"): (["uaf", "stale"], GRU + "; the migration holds no mmap_lock "
                                "of the device's mm while it walks the page's mappings"),
    ("reclaim_shared", "gru"): (["uaf", "stale"], GRU + "; kswapd holds no mmap_lock"),
    ("anon_fault", "gru"): (["stale", "incoherent"], GRU + ": the zero page"),
    ("zero_page_cow", "gru"): (["stale", "incoherent"], GRU + ": the zero page"),
    ("fork_cow", "gru"): (["uaf", "stale", "incoherent"], GRU),
    ("exit", "gru"): (["uaf"], GRU + "; exit_mmap unmaps under mmap_read_lock"),
    ("ksm_merge", "gru"): (["uaf", "stale", "lost_write", "incoherent"], GRU),
    ("madv_dontneed", "gru"): (["uaf", "stale", "lost_write", "incoherent"], GRU),
    ("munmap_vmas", "pinned"): (["stale"], PINNED + " (unmapped)"),
    ("uffd_wp", "pinned"): (["stale", "final"],
                            PINNED + ": it writes the page the monitor write-protected"),
    ("uffd_wp", "gru"): (["stale", "final"],
                         GRU + "; UFFDIO_WRITEPROTECT runs under mmap_read_lock: the device "
                         "writes the write-protected page"),
    ("page_mkclean", "pinned"): (["stale", "lost_write"],
                                 PINNED + ": it writes the page after writeback cleaned it, "
                                 "and the kernel never writes that back (the long-standing "
                                 "GUP-and-writeback problem of file pages)"),
    ("page_mkclean", "gru"): (["stale", "lost_write"],
                              GRU + "; writeback holds no mmap_lock: the dropin of a writable "
                              "translation lands after page_mkclean, and its write is never "
                              "written back"),
    ("gup_fast", "pinned"): (["stale"], PINNED + " (unmapped)"),
    ("gup_fast_fork", "gru"): (["stale", "incoherent"], GRU + ": the parent's CoW write "
                               "after fork"),
}
PROFILES = ["linux-6.1", "linux-6.6", "linux-4.12"]

# linux-4.12 (lib/linux-4.12): the operations it did not have, and the device types it
# refuses (lib/linux-4.12/core), are left out of its matrix.
MISSING = {
    "linux-4.12": {
        "madv_pageout": "MADV_PAGEOUT came in 5.4",
        "thp_collapse": "MADV_COLLAPSE came in 6.1",
        "uffd_wp": "userfaultfd write-protect came in 5.7",
        "gup_fast": "pin_user_pages_fast (FOLL_PIN) came in 5.6",
        "gup_fast_fork": "FOLL_PIN came in 5.6 and mm->write_protect_seq in 5.10",
    },
}
PROFILE_DEVICES = {"linux-4.12": ["iommu_sva", "kvm", "odp", "gru"]}

# What fires under linux-4.12, and why (every other cell quiet): gru's dropin window is
# the same driver code as in 6.1, so its cells are 6.1's; ODP's callbacks sleep
# (umem_rwsem, umem_mutex), and 4.12 calls ->invalidate_page with the PT lock held.
ODP_412 = ("4.12's try_to_unmap_one and page_mkclean_one call ->invalidate_page at the end "
           "of the page_vma_mapped_walk loop, with the PT lock held (c7ab0d2fdc84, 4.11), "
           "and ib_umem_notifier_invalidate_page sleeps there (down_read(umem_rwsem), "
           "umem_mutex): sleeping in atomic context, the breakage 369ea8242c0f's cover "
           "letter names and 4.13 fixed by removing ->invalidate_page")
FIRES_412 = {k: v for k, v in FIRES.items() if k[1] == "gru" and k[0] not in
             ("madv_pageout", "thp_collapse", "uffd_wp", "gup_fast", "gup_fast_fork")}
FIRES_412.update({
    ("kswapd_reclaim", "odp"): (["protocol"], ODP_412 + " (reclaim's unmap)"),
    ("move_pages", "odp"): (["protocol:Always"], ODP_412 + " (migration's unmap)"),
    ("migrate_shared", "odp"): (["protocol:Always"], ODP_412 + " (migration's unmap)"),
    ("reclaim_shared", "odp"): (["protocol:Always"], ODP_412 + " (reclaim's unmap)"),
    ("mbind_move", "odp"): (["protocol:Always"], ODP_412 + " (migration's unmap)"),
    ("page_mkclean", "odp"): (["protocol:Always"], ODP_412 + " (writeback's page_mkclean)"),
})
FIRES_BY_PROFILE = {"linux-4.12": FIRES_412}
CHECKS = ["uaf", "stale", "lost_write", "incoherent", "dirty", "protocol", "error", "deadlock"]


def scenario(op, dev, profile):
    doc, mm, extra, cpus = OPS[op][:4]
    final = OPS[op][4] if len(OPS[op]) > 4 else None
    a = ADDR.get(op, "0x1000")
    # the device writes where the operation lets data be written, else reads
    access = (f"r0 = dma_write({a}, 7); r1 = dma_read({a});" if op in WRITERS else
              f"r0 = dma_read({a}); r1 = dma_read({a});")
    fires, why = FIRES_BY_PROFILE.get(profile, FIRES).get((op, dev), ([], ""))
    # a check may name its verdict ("protocol:Always"); Sometimes by default
    checks = [c.split(":")[0] for c in fires if c != "final"]
    verdict = ("every check must stay quiet" if not checks else
               f"{', '.join(checks)} fire{'s' if len(checks) == 1 else ''}")
    verdict += f": {why}." if why else "."
    lines = [
        "# generated by scripts/gen_matrix.py: do not edit, regenerate",
        f"# {op} x {dev}: {doc}, racing with the device's accesses.",
        *textwrap.wrap(f"Linux {profile[6:]} as it is: {verdict}", 88,
                       initial_indent="# ", subsequent_indent="# "),
        f"litmus matrix_{op}__{dev}",
        f"kernel {profile}",
        mm,
    ]
    if extra:
        lines.append(extra)
    lines.append(f"device dev = {dev}(m)")
    lines += cpus
    lines.append(f"D0 @dev {{ {access} }}")
    if final:
        lines.append(f"exists final ({final});")
        lines.append("expect final " + ("Sometimes" if "final" in fires else "Always"))
    lines.append("forbid " + ", ".join(c for c in CHECKS if c not in checks))
    lines += [f"expect {c.split(':')[0]} {(c.split(':') + ['Sometimes'])[1]}"
              for c in fires if c != "final"]
    return "\n".join(lines) + "\n"


def main():
    for profile in PROFILES:
        d = os.path.join(OUT, profile)
        os.makedirs(d, exist_ok=True)
        for name in os.listdir(d):
            if name.endswith(".mnl"):
                os.remove(os.path.join(d, name))
        for op in OPS:
            if op in MISSING.get(profile, {}):
                continue
            for dev in PROFILE_DEVICES.get(profile, DEVICES):
                with open(os.path.join(d, f"{op}__{dev}.mnl"), "w") as f:
                    f.write(scenario(op, dev, profile))


main()
