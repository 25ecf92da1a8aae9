/* Seed 001: migrate_vma of a zero-page PTE to device-private memory, with a second
 * hmm_mirror reading the page. Mirrors scenarios/seeds/001_migrate_zero_page.mnl
 * (default: Linux 6.1, migrate_vma_pages opens its own MIGRATE range and
 * migrate_vma_insert_page uses ptep_clear_flush_notify / set_pte_at_notify) and
 * 001_migrate_zero_page_patch.mnl (-DPATCH: no range in migrate_vma_pages, plain
 * ptep_clear_flush + set_pte_at). -DCHECK=stale|incoherent|uaf|notmigrated.
 * One page (0x1000), one mm. Frames: 0 = zero page, 1 = the device page.
 * TLBs: tlb 0 = cpu0, 1 = device owner's mirror, 2 = device other's mirror. */
#ifndef CHECK
#define CHECK stale
#endif
#define NT 3

/* PTE kinds */
#define NONE 0
#define PRESENT 1
#define DEVPRIV 2   /* device-private swap entry, writable, of frame pte_pfn */
byte pte_k = NONE; byte pte_pfn; bit pte_w;
bit ptl; byte mm_readers;
byte fr_data[2]; byte fr_gen[2]; byte fr_ref[2];
bit t_v[NT]; byte t_pfn[NT]; bit t_w[NT]; byte t_gen[NT];
byte ops;                 /* operations in flight on 0x1000 (op_begin .. op_end) */
bit wlog_v; byte wlog;
/* interval notifier: the mm's invalidate_seq (odd while frozen), active ranges, and
 * each interval's invalidate_seq (index = device) */
byte inv_seq = 2; byte inv_active; byte itv_seq[2] = 2;
bit devlock[2];
bit mapped;
bit uaf, stale, incoherent, notmigrated;
bit done[3];

inline mmap_read_lock() { mm_readers++ }   /* no writer in this scenario */
inline mmap_read_unlock() { mm_readers-- }
inline pte_lock() { atomic { !ptl -> ptl = 1 } }
inline pte_unlock() { ptl = 0 }
inline dev_lock(d) { atomic { !devlock[d] -> devlock[d] = 1 } }
inline dev_unlock(d) { devlock[d] = 0 }

inline op_end() {
  d_step {
    ops--;
    if
    :: ops == 0 ->
       i = 0;
       do
       :: i < NT ->
          if
          :: t_v[i] && (pte_k == NONE ||
                        (pte_k == DEVPRIV && t_pfn[i] != pte_pfn) ||
                        (pte_k == PRESENT && (t_pfn[i] != pte_pfn || (t_w[i] && !pte_w)))) ->
             stale = 1
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

/* access through tlb t; CPU (t == 0) walks on a miss, mirrors do not. res: value or 255 */
inline access(t, wr, val, res) {
  d_step {
    if
    :: !t_v[t] && t == 0 && pte_k == PRESENT && (!wr || pte_w) ->
       t_v[t] = 1; t_pfn[t] = pte_pfn; t_w[t] = pte_w; t_gen[t] = fr_gen[pte_pfn]
    :: else
    fi;
    if
    :: !t_v[t] || (wr && !t_w[t]) -> res = 255
    :: else ->
       if :: fr_gen[t_pfn[t]] != t_gen[t] || fr_ref[t_pfn[t]] == 0 -> uaf = 1 :: else fi;
       if
       :: wr -> fr_data[t_pfn[t]] = val; wlog_v = 1; wlog = val; res = 0
       :: else -> res = fr_data[t_pfn[t]];
          if :: wlog_v && wlog != res -> incoherent = 1 :: else fi
       fi
    fi
  }
}

/* handle_mm_fault(addr, 0) under the mmap read lock; ret 0 or 1 (error) */
inline handle_mm_fault_read(ret) {
  ops++;                              /* op_begin */
  orig = pte_k;                       /* pte_get */
  if
  :: orig == NONE ->                  /* do_anonymous_page, read: the zero page */
     pte_lock();
     if :: pte_k == NONE -> d_step { pte_k = PRESENT; pte_pfn = 0; pte_w = 0 } :: else fi;
     pte_unlock(); ret = 0
  :: orig == PRESENT ->               /* pte_same: nothing to do for a read */
     pte_lock(); pte_unlock(); ret = 0
  :: orig == DEVPRIV -> ret = 1       /* do_swap_page: not modelled (-1) */
  fi;
  op_end()
}

/* the interval part of mmu_notifier_invalidate_range_start_owner(MIGRATE, owner = 0):
 * the owner's interval is skipped, the other mirror's is invalidated */
inline range_start_owner() {
  d_step { if :: inv_active == 0 -> inv_seq++ :: else fi; inv_active++; cur = inv_seq }
  dev_lock(1);
  itv_seq[1] = cur;                   /* set_seq */
  t_v[2] = 0;                         /* iotlb_flush(other) */
  dev_unlock(1)
  /* mn_hlist_invalidate_range_start: no hlist subscriptions */
}
inline range_end() {                  /* mn_itree_end; no range/end subscriptions */
  d_step { inv_active--; if :: inv_active == 0 -> inv_seq++ :: else fi }
}

proctype P0() {   /* @cpu0: r0 = load(0x1000); mapped = 1 */
  byte r; byte orig; byte ret; byte i;
  do
  :: access(0, 0, 0, r);
     if
     :: r != 255 -> break
     :: else ->
        mmap_read_lock(); handle_mm_fault_read(ret); mmap_read_unlock();
        if :: ret -> break :: else fi
     fi
  od;
  mapped = 1;
  done[0] = 1
}

proctype D0() {   /* @owner: r0 = dmirror_migrate_to_device(0x1000); r1 = dma_write(0x1000, 9) */
  byte cur; byte i; byte r; bit ok; byte seq; byte p; bit flush;
  mapped;
  mmap_read_lock();
  ops++;                              /* op_begin */
  /* migrate_vma_setup */
  range_start_owner();
  pte_lock();
  ok = (pte_k == NONE || (pte_k == PRESENT && pte_pfn == 0));
  pte_unlock();
  range_end();
  if
  :: ok ->
     d_step { fr_ref[1] = 1; fr_data[1] = 0 }     /* alloc_device_page: page1 */
     /* migrate_vma_pages */
#ifndef PATCH
     range_start_owner();             /* notify: */
#endif
     /* migrate_vma_insert_page */
     pte_lock();
     if
     :: pte_k == PRESENT && pte_pfn != 0 -> pte_unlock()   /* unlock_abort */
     :: else ->
        flush = (pte_k == PRESENT);
        fr_ref[1]++;                  /* page_add_new_anon_rmap + get_page */
        if
        :: flush ->
           d_step { pte_k = NONE };   /* clear_pte: ptep_get_and_clear */
           t_v[0] = 0;                /* flush_tlb_page: native_flush_tlb_range */
           /* (notify) mmu_notifier_invalidate_range, change_pte: no subscriptions */
           d_step { pte_k = DEVPRIV; pte_pfn = 1; pte_w = 1 }   /* set_pte */
        :: else ->
           d_step { pte_k = DEVPRIV; pte_pfn = 1; pte_w = 1 }   /* set_pte_empty */
        fi;
        pte_unlock()
     fi;
#ifndef PATCH
     range_end();                     /* end: _only_end */
#endif
     dev_lock(0);
     d_step { t_v[1] = 1; t_pfn[1] = 1; t_w[1] = 1; t_gen[1] = fr_gen[1] }  /* map: mirror_install */
     dev_unlock(0);
     fr_ref[1]--                      /* finalize: put_page */
  :: else
  fi;
  op_end();
  mmap_read_unlock();
  if :: !ok -> notmigrated = 1 :: else fi;
  /* dmirror_write(0x1000, 9) */
  do
  :: access(1, 1, 9, r);
     if
     :: r != 255 -> break
     :: else ->   /* dmirror_fault(owner, write): hmm_range_fault sees its own entry */
        seq = itv_seq[0];
        mmap_read_lock();
        if
        :: pte_k == DEVPRIV -> p = 1
        :: else -> p = 0               /* (not reached in this scenario: give up) */
        fi;
        mmap_read_unlock();
        if :: p == 0 -> break :: else fi;
        dev_lock(0);
        if
        :: itv_seq[0] != seq -> dev_unlock(0)
        :: else -> d_step { t_v[1] = 1; t_pfn[1] = pte_pfn; t_w[1] = 1; t_gen[1] = fr_gen[pte_pfn] };
           dev_unlock(0)
        fi
     fi
  od;
  done[1] = 1
}

proctype D1() {   /* @other: three dma_read(0x1000) through dmirror_read */
  byte n; byte r; byte seq; byte orig; byte ret; byte res; byte i; byte pk; byte ppfn; bit pw;
  mapped;
  for (n : 1 .. 3) {
    do
    :: access(2, 0, 0, r);
       if
       :: r != 255 -> break
       :: else ->     /* dmirror_fault(other, addr, 0) */
          do
          :: atomic { itv_seq[1] != inv_seq -> seq = itv_seq[1] }  /* mmu_interval_read_begin */
             mmap_read_lock();
             /* hmm_range_fault */
             d_step { pk = pte_k; ppfn = pte_pfn; pw = pte_w }       /* pte_get */
             if
             :: pk == PRESENT -> res = 0
             :: else ->
                handle_mm_fault_read(ret);
                if :: ret -> res = 1 :: else -> res = 2 fi   /* -EFAULT or -EBUSY */
             fi;
             mmap_read_unlock();
             if
             :: res == 2 -> skip                         /* -EBUSY: again */
             :: res == 1 -> break                        /* -1 */
             :: res == 0 ->
                dev_lock(1);
                if
                :: itv_seq[1] != seq -> dev_unlock(1)    /* retry */
                :: else ->
                   d_step { t_v[2] = 1; t_pfn[2] = ppfn; t_w[2] = pw; t_gen[2] = fr_gen[ppfn] }  /* install */
                   dev_unlock(1);
                   break
                fi
             fi
          od;
          if :: res == 1 -> break :: else fi   /* dmirror_read returns -1 */
       fi
    od
  };
  done[2] = 1
}

init {
  fr_ref[0] = 1;   /* the zero page is never freed */
  atomic { run P0(); run D0(); run D1() }
  (done[0] && done[1] && done[2]);
  assert(!CHECK)
}
