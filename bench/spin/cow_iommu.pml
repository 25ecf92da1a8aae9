/* Seed 000: CoW fault under an IOMMU (iommu_sva) that walks the CPU page tables and
 * caches translations in its IOTLB. Mirrors scenarios/seeds/000_cow_iommu.mnl (default:
 * wp_page_copy clears with ptep_clear_flush_notify, whose invalidate_range flushes the
 * IOTLB) and 000_cow_iommu_clear_flush_only_end.mnl (-DONLY_END: plain ptep_clear_flush;
 * the end call is _only_end in both, so nothing else reaches the IOTLB).
 * -DCHECK=uaf|stale|incoherent.
 * mm 0 = parent, mm 1 = child; one page (0x1000). Frames 1..3 (page1 is the shared
 * page after fork, 2 and 3 are what alloc_page hands out), 0 = the zero page.
 * TLBs: 0 = cpu0 (P0, parent), 1 = cpu1 (P1, parent), 2 = cpu2 (P2, child),
 *       3 = iommu0's IOTLB (parent). */
#ifndef CHECK
#define CHECK uaf
#endif
#define NT 4
#define NF 4

bit pte_p[2]; byte pte_pfn[2]; bit pte_w[2];
bit ptl[2];
byte mm_readers[2]; bit mm_writer[2];
byte fr_ref[NF]; byte fr_gen[NF]; byte fr_data[NF]; bit fr_excl[NF];
bit t_v[NT]; byte t_pfn[NT]; bit t_w[NT]; byte t_gen[NT];
byte t_mm[NT];
byte ops[2];
bit wlog_v[2]; byte wlog[2];
bit recorded; byte batch;          /* the child's mmu_gather */
bit uaf, stale, incoherent;
bit done[4];

inline mmap_read_lock(m) { atomic { !mm_writer[m] -> mm_readers[m]++ } }
inline mmap_read_unlock(m) { mm_readers[m]-- }
inline pte_lock(m) { atomic { !ptl[m] -> ptl[m] = 1 } }
inline pte_unlock(m) { ptl[m] = 0 }

inline op_end(m) {
  d_step {
    ops[m]--;
    if
    :: ops[m] == 0 ->
       i = 0;
       do
       :: i < NT ->
          if
          :: t_v[i] && t_mm[i] == m &&
             (!pte_p[m] || t_pfn[i] != pte_pfn[m] || (t_w[i] && !pte_w[m])) -> stale = 1
          :: else
          fi;
          i++
       :: else -> break
       od;
       i = 0
    :: else
    fi
  }
}

inline put_page(f) {
  d_step {
    if
    :: f == 0 -> skip
    :: fr_ref[f] == 0 -> uaf = 1          /* put_page of a free page (also an error) */
    :: else -> fr_ref[f]--;
       if :: fr_ref[f] == 0 -> fr_gen[f]++; fr_data[f] = 0; fr_excl[f] = 0 :: else fi
    fi
  }
}

/* hw_store / hw_load / hw_dma_read through tlb t of mm m (access.c mn_access, without
 * the A/D bits: every PTE here has D and soft-dirty, so dirty cannot fire). res 255 =
 * fault */
inline access(t, m, wr, val, res) {
  d_step {
    if
    :: t_v[t] && wr && !t_w[t] -> t_v[t] = 0; res = 255   /* protection fault drops it */
    :: t_v[t] && !(wr && !t_w[t]) -> res = 0
    :: !t_v[t] && (!pte_p[m] || (wr && !pte_w[m])) -> res = 255
    :: !t_v[t] && pte_p[m] && !(wr && !pte_w[m]) ->
       t_v[t] = 1; t_pfn[t] = pte_pfn[m]; t_w[t] = pte_w[m]; t_gen[t] = fr_gen[pte_pfn[m]];
       res = 0
    fi;
    if
    :: res == 0 ->
       if :: t_pfn[t] != 0 && (fr_gen[t_pfn[t]] != t_gen[t] || fr_ref[t_pfn[t]] == 0) -> uaf = 1
          :: else fi;
       if
       :: wr -> fr_data[t_pfn[t]] = val; wlog_v[m] = 1; wlog[m] = val
       :: else -> res = fr_data[t_pfn[t]];
          if :: wlog_v[m] && wlog[m] != res -> incoherent = 1 :: else fi
       fi
    :: else
    fi
  }
}

/* native_flush_tlb_range over the page: every CPU TLB of mm m */
inline native_flush(m) {
  d_step { i = 0; do :: i < 3 -> if :: t_mm[i] == m -> t_v[i] = 0 :: else fi; i++ :: else -> break od; i = 0 }
}

/* mm/memory.c wp_page_copy for the parent, old page `old` held (has_old = 1) */
inline wp_page_copy() {
  d_step {                                           /* alloc_page */
    nw = 1; do :: nw < NF && fr_ref[nw] != 0 -> nw++ :: else -> break od;
    if :: nw < NF -> fr_ref[nw] = 1; fr_data[nw] = 0; fr_excl[nw] = 0 :: else fi
  }
  if
  :: nw == NF -> put_page(old); ret = 1
  :: else ->
     d_step { if :: fr_ref[old] == 0 -> uaf = 1 :: else fi; fr_data[nw] = fr_data[old] }  /* copy */
     /* start: mmu_notifier_invalidate_range_start: no interval, no start callback */
     pte_lock(0);
     copied = 0;
     if
     :: pte_p[0] == op && pte_pfn[0] == opfn && pte_w[0] == ow ->   /* pte_same */
        pte_p[0] = 0;                                /* clear_pte: ptep_get_and_clear */
        native_flush(0);                             /* flush_tlb_page */
#ifndef ONLY_END
        t_v[3] = 0;                                  /* invalidate_range -> iotlb_flush */
#endif
        fr_excl[nw] = 1;                             /* rmap: page_add_new_anon_rmap */
        d_step { pte_p[0] = 1; pte_pfn[0] = nw; pte_w[0] = 1 }   /* set_pte (change_pte: none) */
        d_step { if :: fr_ref[old] == 0 -> uaf = 1 :: else fi }  /* remove_rmap */
        nw = old; copied = 1
     :: else
     fi;
     put_page(nw);                                   /* put_mapping_ref (has_old) */
     pte_unlock(0);
     /* end: mmu_notifier_invalidate_range_only_end: iommu_sva has no end callback */
     put_page(old);                                  /* put_old */
     ret = 0
  fi
}

/* do_user_addr_fault / iommu_sva_page_request on the parent: handle_mm_fault(0x1000, wr) */
inline fault(wr) {
  mmap_read_lock(0);
  ops[0]++;                                          /* op_begin */
  d_step { op = pte_p[0]; opfn = pte_pfn[0]; ow = pte_w[0] }   /* orig = pte_get */
  if
  :: !op ->                                          /* do_anonymous_page, read only here */
     pte_lock(0);
     if :: !pte_p[0] -> d_step { pte_p[0] = 1; pte_pfn[0] = 0; pte_w[0] = 0 } :: else fi;
     pte_unlock(0); ret = 0
  :: op ->
     pte_lock(0);
     if
     :: pte_p[0] != op || pte_pfn[0] != opfn || pte_w[0] != ow -> pte_unlock(0); ret = 0
     :: else ->
        if
        :: wr && !ow ->                              /* do_wp_page */
           old = opfn;
           if
           :: fr_excl[old] || fr_ref[old] == 1 ->
              fr_excl[old] = 1;                      /* reuse: page_move_anon_rmap */
              pte_w[0] = 1;                          /* set_writable */
              pte_unlock(0); ret = 0
           :: else ->
              d_step { if :: fr_ref[old] == 0 -> uaf = 1 :: else fi; fr_ref[old]++ }  /* copy: get_page */
              pte_unlock(0);
              wp_page_copy()
           fi
        :: else -> pte_unlock(0); ret = 0
        fi
     fi
  fi;
  op_end(0);
  mmap_read_unlock(0)
}

inline store(t, val) {
  do
  :: access(t, 0, 1, val, r);
     if :: r == 0 -> break :: else -> fault(1); if :: ret -> break :: else fi fi
  od
}

proctype P0() {
  byte r; byte ret; bit op; byte opfn; bit ow; byte old; byte nw; bit copied; byte i;
  store(0, 1); done[0] = 1
}
proctype P1() {
  byte r; byte ret; bit op; byte opfn; bit ow; byte old; byte nw; bit copied; byte i;
  store(1, 2); done[1] = 1
}

proctype P2() {   /* the child: munmap(0x1000, 0x1000) */
  byte i; bit p; byte pfn;
  atomic { !mm_writer[1] && mm_readers[1] == 0 -> mm_writer[1] = 1 }
  ops[1]++;                                          /* op_begin */
  /* remove_vma: vma_remove (no agent faults in the child afterwards) */
  /* gather: tlb_gather_mmu; start: the child has no notifiers */
  if
  :: pte_p[1] ->                                     /* zap_pte */
     pte_lock(1);
     d_step { p = pte_p[1]; pfn = pte_pfn[1]; pte_p[1] = 0; wlog_v[1] = 0 }  /* clear (+ wlog_discard) */
     if
     :: p ->
        recorded = 1;                                /* record: tlb_remove_tlb_entry */
        d_step { if :: fr_ref[pfn] == 0 -> uaf = 1 :: else fi }   /* page_remove_rmap */
        batch = pfn                                  /* gather: tlb_remove_page */
     :: else
     fi;
     pte_unlock(1)
  :: else
  fi;
  /* end: no notifiers; finish: tlb_finish_mmu, nested = 0 */
  d_step { if :: recorded -> native_flush(1); recorded = 0 :: else fi }   /* tlb_flush */
  if :: batch != 0 -> put_page(batch); batch = 0 :: else fi               /* free: tlb_batch_free */
  op_end(1);
  mm_writer[1] = 0;
  done[2] = 1
}

proctype D0() {   /* iommu0: r0 = dma_read(0x1000); r1 = dma_read(0x1000) */
  byte n; byte r; byte ret; bit op; byte opfn; bit ow; byte old; byte nw; bit copied; byte i;
  for (n : 1 .. 2) {
    do
    :: access(3, 0, 0, 0, r);
       if :: r != 255 -> break :: else -> fault(0); if :: ret -> break :: else fi fi
    od
  };
  done[3] = 1
}

init {
  d_step {
    /* populate + fork: both PTEs map page1 read-only, two references, not exclusive */
    fr_ref[0] = 1; fr_ref[1] = 2;
    pte_p[0] = 1; pte_pfn[0] = 1; pte_p[1] = 1; pte_pfn[1] = 1;
    t_mm[0] = 0; t_mm[1] = 0; t_mm[2] = 1; t_mm[3] = 0
  }
  atomic { run P0(); run P1(); run P2(); run D0() }
  (done[0] && done[1] && done[2] && done[3]);
  assert(!CHECK)
}
