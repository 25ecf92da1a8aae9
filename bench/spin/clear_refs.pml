/* Seed 004: clear_refs(4) with the 5.10 mmu_gather (fullmm, tlb_finish_mmu flushes only
 * when a PTE change was recorded), against a CPU that stores three times.
 * Mirrors scenarios/seeds/004_gather_regression.mnl (default) and
 * 004_gather_records_ptes.mnl (-DRECORDS: tlb_flush_pte_range after clear_soft_dirty).
 * One page (0x1000), one mm, one CPU TLB (cpu0). Check to test: -DCHECK=dirty|stale|...
 * The check is a sticky bit; it is judged at the end of complete executions. */
#ifndef CHECK
#define CHECK dirty
#endif

/* frames: 1 = page1 (populated) */
byte fr_data[2]; byte fr_gen[2]; byte fr_ref[2];
/* the PTE of 0x1000 */
bit pte_p = 1; byte pte_pfn = 1; bit pte_w = 1; bit pte_d = 1; bit pte_sd = 1; bit pte_a = 1;
bit ptl;                         /* the PT lock */
byte mm_readers; bit mm_writer;  /* mmap_lock */
/* cpu0's TLB entry for 0x1000 */
bit tlb_v; byte tlb_pfn; bit tlb_w; bit tlb_d; byte tlb_gen;
byte ops;                        /* operations in flight covering 0x1000 */
bit wlog_v; byte wlog;           /* the write log of 0x1000 */
byte flush_pending;              /* mm->tlb_flush_pending */
bit gather_recorded;             /* the gather's cleared_ptes bit */
bit uaf, stale, incoherent, dirty, lost_write;
bit done0, done1;

/* x86 store through cpu0's TLB (access.c mn_access, write). res: 0 ok, 1 fault */
inline hw_store(val, res) {
  d_step {
    res = 0;
    if
    :: tlb_v && !tlb_w -> tlb_v = 0; res = 1
    :: tlb_v && tlb_w && !tlb_d ->
       if
       :: !pte_p || !pte_w || pte_pfn != tlb_pfn -> tlb_v = 0; res = 1
       :: else -> pte_d = 1; pte_a = 1; tlb_d = 1
       fi
    :: tlb_v && tlb_w && tlb_d -> skip
    :: !tlb_v ->
       if
       :: !pte_p || !pte_w -> res = 1
       :: else -> pte_a = 1; pte_d = 1;
          tlb_v = 1; tlb_pfn = pte_pfn; tlb_w = pte_w; tlb_d = pte_d; tlb_gen = fr_gen[pte_pfn]
       fi
    fi;
    if
    :: res == 0 ->
       if :: fr_gen[tlb_pfn] != tlb_gen || fr_ref[tlb_pfn] == 0 -> uaf = 1 :: else fi;
       fr_data[tlb_pfn] = val; wlog_v = 1; wlog = val;
       /* dirty_check: the PTE still maps this frame, no operation covers it, no soft-dirty */
       if :: pte_p && pte_pfn == tlb_pfn && ops == 0 && !pte_sd -> dirty = 1 :: else fi
    :: else
    fi
  }
}

inline op_end() {
  d_step {
    ops--;
    if
    :: ops == 0 && tlb_v && (!pte_p || pte_pfn != tlb_pfn || (tlb_w && !pte_w)) -> stale = 1
    :: else
    fi
  }
}

inline mmap_read_lock() { atomic { !mm_writer -> mm_readers++ } }
inline mmap_read_unlock() { mm_readers-- }
inline pte_lock() { atomic { !ptl -> ptl = 1 } }
inline pte_unlock() { ptl = 0 }

/* store(): hw_store, else do_user_addr_fault(addr, 1) -> handle_mm_fault -> do_wp_page */
inline store(val) {
  do
  :: hw_store(val, r);
     if
     :: r == 0 -> break
     :: else ->
        mmap_read_lock();
        /* vma_flags: rw, so handle_mm_fault */
        ops++;                                  /* op_begin */
        orig_p = pte_p; orig_pfn = pte_pfn; orig_w = pte_w;  /* pte_get (orig) */
        if
        :: orig_p ->
           pte_lock();
           if
           :: pte_p != orig_p || pte_pfn != orig_pfn || pte_w != orig_w -> pte_unlock()
           :: else ->
              if
              :: !orig_w ->   /* do_wp_page: exclusive anon page -> wp_page_reuse */
                 d_step { pte_w = 1; pte_d = 1; pte_sd = 1 }   /* set_writable */
              :: else
              fi;
              pte_unlock()
           fi
        :: else   /* never here: the page stays mapped */
        fi;
        op_end();
        mmap_read_unlock()
     fi
  od
}

proctype P0() {
  bit r; bit orig_p; byte orig_pfn; bit orig_w;
  store(1); store(2); store(3);
  done0 = 1
}

proctype P1() {
  mmap_read_lock();                 /* override clear_refs.lock */
  ops++;                            /* op_begin(0, TASK_SIZE) */
  flush_pending++;                  /* tlb_gather_mmu_fullmm */
  /* mmu_notifier_invalidate_range_start: no subscriptions */
  pte_lock();
  d_step {                          /* clear_soft_dirty: wrprotect */
    if :: pte_p -> pte_w = 0; pte_sd = 0 :: else fi
  }
#ifdef RECORDS
  gather_recorded = 1;              /* tlb_flush_pte_range */
#endif
  pte_unlock();
  /* mmu_notifier_invalidate_range_end: no subscriptions */
  /* tlb_finish_mmu: mm_tlb_flush_nested() = 0 (no other gather) */
  d_step {                          /* tlb_flush: native_tlb_flush only if recorded */
    if :: gather_recorded -> tlb_v = 0; gather_recorded = 0 :: else fi
  }
  flush_pending--;                  /* tlb_gather_finish */
  op_end();
  mmap_read_unlock();
  done1 = 1
}

init {
  fr_ref[1] = 1; fr_gen[1] = 0;
  atomic { run P0(); run P1() }
  (done0 && done1);
  assert(!CHECK)
}
