/* Built-ins of the kernel model: memory access by CPUs and devices, page tables, pages,
 * locks, TLB flushes, the notifier core and device hardware. Each one is one step. */
#ifndef MN_KBUILTIN_H
#define MN_KBUILTIN_H

#include "../lang/builtin.h"

struct mn_kstate;

/* The kernel state of the world the built-in runs on; NULL (with ctx->err set) when the
 * scenario has no kernel model. */
struct mn_kstate *mn_kctx(struct mn_ctx *ctx);
/* The mm the calling agent works on (its own, its device's, or the one a kernel thread
 * borrowed with kthread_use_mm); -1 with ctx->err set. */
int mn_kctx_mm(struct mn_ctx *ctx);
/* The same without setting an error (for enabled checks); -1 when none. */
int mn_agent_mm(const struct mn_ctx *ctx);
/* The common start of a kernel built-in on the agent's mm: ks, mm and m, or return -1. */
#define MN_KSTART                                     \
	struct mn_kstate *ks = mn_kctx(ctx);          \
	if (!ks)                                      \
		return -1;                            \
	int mm = mn_kctx_mm(ctx);                     \
	if (mm < 0)                                   \
		return -1;                            \
	struct mn_mm *m = &ks->mm[mm];                \
	(void)m

struct mn_dev;
struct mn_page;
struct mn_gather;

/* Argument checks that set ctx->err and return 1 when the argument is bad. */
int mn_bad_addr(struct mn_ctx *ctx, mn_val addr);
/* [start, end) inside the model's address space; nonempty also refuses end == start. */
int mn_bad_range(struct mn_ctx *ctx, mn_val start, mn_val end, int nonempty);
/* Device d of the scenario, or NULL with ctx->err set. */
struct mn_dev *mn_kctx_dev(struct mn_ctx *ctx, mn_val d);
/* The page a handle names, or NULL with ctx->err set; touching a freed one fires uaf. */
struct mn_page *mn_kctx_page(struct mn_ctx *ctx, mn_val h);
/* Drops a reference to a page that has one (not the zero page); the last one frees it
 * (put_page). */
void mn_page_put(struct mn_kstate *ks, struct mn_page *f);
struct mn_cpu;
/* One CPU's flush of mm: INVLPG at start, start + stride, ... < end; with it every
 * paging-structure-cache entry of the mm goes. */
void mn_flush_cpu(struct mn_cpu *c, int mm, uint32_t start, uint32_t end, uint32_t stride);
/* Flushes [start, end) of mm from every CPU TLB. */
void mn_flush_cpus(struct mn_kstate *ks, int mm, uint32_t start, uint32_t end);
/* The agent read the PMD entry of va (pmd_none: found when it names a table or is a huge
 * leaf) for its next pte_lock there; forget: it has read nothing it will lock through. */
void mn_ptwalk_note(struct mn_kstate *ks, int agent, int mm, uint32_t va, int found);
void mn_ptwalk_forget(struct mn_kstate *ks, int agent);
struct mn_mm;
/* split_vma of the VMA holding addr at addr (0, or -1 when no VMA slot is free), and the
 * sort that keeps VMA slots canonical afterwards (src/kernel/kbuiltin.c). */
int mn_vma_split(struct mn_mm *m, uint32_t addr);
void mn_vma_sort(struct mn_mm *m);
/* Sets (on) or clears a VM_* flag on the VMAs within [start, end), splitting those that
 * straddle its ends; -1 with ctx->err when the VMAs do not fit. */
int mn_vma_set_flag(struct mn_ctx *ctx, struct mn_mm *m, uint32_t start, uint32_t end,
		    uint16_t flag, int on);
/* A split PT lock, that of page-table page t (-1: no table): whether it is free (the
 * enabled function of pte_lock/pmd_lock), and taking it (when t < 0, the error
 * "what(addr): no table"). */
int mn_pt_lock_free(const struct mn_kstate *ks, int t);
int mn_pt_lock_take(struct mn_ctx *ctx, struct mn_kstate *ks, int t, const char *what,
		    const char *table, mn_val addr);
/* The agent's mmu_gather slot (made when create), or NULL. */
struct mn_gather *mn_gather_of(struct mn_kstate *ks, int agent, int create);

/* What kernel built-in bi touches (src/kernel/kfootprint.c); built-ins it does not
 * describe touch everything. */
void mn_kernel_fp(const struct mn_prog *prog, int bi, int agent, const mn_val *args,
		  struct mn_fp *fp);
/* Finds each built-in's row of the footprint table once per program. */
void mn_kernel_fp_prepare(struct mn_prog *prog);

#define KB(name, n, ret, fn, en, doc, ...) \
	{ name, n, { __VA_ARGS__ }, ret, MN_BI_STEP, fn, en, mn_kernel_fp, doc },
#define KP(name, n, ret, fn, doc, ...) { name, n, { __VA_ARGS__ }, ret, 0, fn, NULL, NULL, doc },

#define BI(fn) int fn(struct mn_ctx *ctx, const mn_val *a, mn_val *ret)
#define EN(fn) int fn(const struct mn_ctx *ctx, const mn_val *a)

/* memory access */
BI(kb_cpu_load); BI(kb_cpu_store); BI(kb_dma_read); BI(kb_dma_write);
/* locks */
BI(kb_mmap_read_lock); EN(kb_mmap_read_lock_en); BI(kb_mmap_read_unlock);
BI(kb_mmap_write_lock); EN(kb_mmap_write_lock_en); BI(kb_mmap_write_unlock);
BI(kb_mmap_write_downgrade); BI(kb_vma_detach);
BI(kb_pte_lock); EN(kb_pte_lock_en); BI(kb_pte_unlock);
/* page tables and TLBs */
BI(kb_pte_get); BI(kb_pte_alloc); BI(kb_set_pte_at); BI(kb_ptep_get_and_clear);
BI(kb_ptep_set_wrprotect); 
BI(kb_flush_tlb_range); BI(kb_vma_flags);
/* the enabled test of x86 TLB flushes: their IPIs wait for CPUs with interrupts disabled
 * (kbuiltin_gup.c) */
EN(kb_ipi_en);
/* pure PTE helpers */
BI(kb_pte_none); BI(kb_pte_present); BI(kb_pte_write); BI(kb_pte_dirty); BI(kb_pte_page);
BI(kb_pte_mkwrite); BI(kb_pte_mkdirty); BI(kb_pte_mkclean); BI(kb_pte_mkold); BI(kb_pte_young); BI(kb_page_mark_lazyfree); BI(kb_pte_wrprotect); BI(kb_mk_pte); BI(kb_is_null);
/* pages */
BI(kb_alloc_page); BI(kb_copy_page); BI(kb_get_page); BI(kb_put_page); BI(kb_page_count);
BI(kb_page_mapcount); BI(kb_page_add_new_anon_rmap); BI(kb_page_add_anon_rmap);
BI(kb_page_remove_rmap); BI(kb_page_try_share_anon_rmap); BI(kb_pages_identical); BI(kb_page_anon_exclusive); BI(kb_page_set_ksm); BI(kb_page_ksm); BI(kb_page_move_anon_rmap); BI(kb_zero_page); BI(kb_is_zero_page);
/* mmu_gather and VMAs */
BI(kb_tlb_remove_page); BI(kb_tlb_batch_free); BI(kb_vma_remove); BI(kb_vma_set_write);
/* operation boundaries (for `stale`) */
BI(kb_op_begin); BI(kb_op_end); BI(kb_wlog_discard); BI(kb_op_widen); BI(kb_op_active);
EN(kb_vma_remove_en); /* kbuiltin_rmap.c */
/* notifier core */
BI(kb_mn_nsubs); BI(kb_mn_sub_at); BI(kb_mn_sub_dev); BI(kb_mn_sub_type); BI(kb_mn_trace);
BI(kb_mn_release_all); BI(kb_trace_op); BI(kb_mn_sub_of_dev); BI(kb_mn_unregister);
/* device hardware */
BI(kb_iotlb_flush); BI(kb_iotlb_flush_leaf); BI(kb_dev_stop);

#define MN_BUILTINS_KERNEL                                                                      \
	KB("hw_load", 1, TY_INT, kb_cpu_load, NULL,                                            \
	   "CPU load through the TLB; walks on a miss; -1 on a page fault", TY_INT)             \
	KB("hw_store", 2, TY_INT, kb_cpu_store, NULL,                                          \
	   "CPU store (value >= 0) through the TLB; 0, or -1 on a page fault", TY_INT, TY_INT)  \
	KB("hw_dma_read", 1, TY_INT, kb_dma_read, NULL,                                            \
	   "device read through its IOTLB and walker; -1 fault, -2 device stopped", TY_INT)     \
	KB("hw_dma_write", 2, TY_INT, kb_dma_write, NULL,                                          \
	   "device write (value >= 0); 0, -1 fault, -2 device stopped", TY_INT, TY_INT)         \
	KB("mmap_read_lock", 0, TY_VOID, kb_mmap_read_lock, kb_mmap_read_lock_en,               \
	   "takes the mm's mmap_lock for read (blocks while a writer holds it)", TY_VOID)      \
	KB("mmap_read_unlock", 0, TY_VOID, kb_mmap_read_unlock, NULL, "releases mmap_lock held for read", TY_VOID)              \
	KB("mmap_write_lock", 0, TY_VOID, kb_mmap_write_lock, kb_mmap_write_lock_en,            \
	   "takes the mm's mmap_lock for write", TY_VOID)                                       \
	KB("mmap_write_unlock", 0, TY_VOID, kb_mmap_write_unlock, NULL, "releases mmap_lock held for write", TY_VOID)            \
	KB("mmap_write_downgrade", 0, TY_VOID, kb_mmap_write_downgrade, NULL,                   \
	   "mmap_lock held for write becomes held for read, with no writer in between", TY_VOID)\
	KB("pte_lock", 1, TY_VOID, kb_pte_lock, kb_pte_lock_en,                                 \
	   "takes the split PT lock of the page table holding addr's PTE, through the PMD "     \
	   "entry the agent's pmd_none read (uaf when that PMD table was freed since)", TY_INT) \
	KB("pte_unlock", 1, TY_VOID, kb_pte_unlock, NULL, "releases the PT lock taken by pte_lock", TY_INT)                           \
	KB("pte_get", 1, TY_INT, kb_pte_get, NULL, "reads addr's PTE (0: none)", TY_INT)        \
	KB("pte_alloc", 1, TY_INT, kb_pte_alloc, NULL,                                          \
	   "allocates the tables down to addr's PTE; 0, or -1 when out of memory", TY_INT)      \
	KB("set_pte_at", 2, TY_VOID, kb_set_pte_at, NULL, "writes addr's PTE", TY_INT, TY_INT)  \
	KB("ptep_get_and_clear", 1, TY_INT, kb_ptep_get_and_clear, NULL,                        \
	   "clears addr's PTE, returns the old one (no flush)", TY_INT)                         \
	KB("ptep_set_wrprotect", 1, TY_VOID, kb_ptep_set_wrprotect, NULL, "clears the write bit of addr's PTE (no flush)", TY_INT)           \
	KB("native_flush_tlb_range", 2, TY_VOID, kb_flush_tlb_range, kb_ipi_en,                 \
	   "x86's flush of [start, end) from every CPU TLB of the mm (IPIs modelled as atomic, " \
	   "waiting while another agent has interrupts disabled); "                             \
	   "flush_tlb_range (library) adds what the profile does for secondary TLBs",           \
	   TY_INT, TY_INT)                                                                      \
	KB("vma_flags", 1, TY_INT, kb_vma_flags, NULL,                                          \
	   "VM_* flags of the VMA holding addr, -1 if none", TY_INT)                            \
	KP("pte_none", 1, TY_INT, kb_pte_none, "1 for an empty PTE", TY_INT)                                      \
	KP("pte_present", 1, TY_INT, kb_pte_present, "1 for a present PTE", TY_INT)                                \
	KP("pte_write", 1, TY_INT, kb_pte_write, "1 when the PTE allows writes", TY_INT)                                    \
	KP("pte_dirty", 1, TY_INT, kb_pte_dirty, "1 when the PTE is dirty", TY_INT)                                    \
	KP("pte_page", 1, TY_HANDLE, kb_pte_page, "the page a present PTE maps", TY_INT)        \
	KP("pte_mkwrite", 1, TY_INT, kb_pte_mkwrite, "the PTE with the write bit", TY_INT)                                \
	KP("pte_mkdirty", 1, TY_INT, kb_pte_mkdirty, "the PTE dirty (and soft-dirty, as on x86)", TY_INT)                                \
	KP("pte_mkold", 1, TY_INT, kb_pte_mkold, "the PTE without the accessed bit", TY_INT)    \
	KP("pte_young", 1, TY_INT, kb_pte_young, "1 when the accessed bit is set", TY_INT)      \
	KP("pte_mkclean", 1, TY_INT, kb_pte_mkclean, "the PTE without the dirty bit", TY_INT)   \
	KP("pte_wrprotect", 1, TY_INT, kb_pte_wrprotect, "the PTE without the write bit", TY_INT)                            \
	KP("mk_pte", 1, TY_INT, kb_mk_pte, "a present, read-only, young PTE for page",          \
	   TY_HANDLE)                                                                           \
	KP("is_null", 1, TY_INT, kb_is_null, "1 for the null handle", TY_HANDLE)              \
	KB("alloc_page", 0, TY_HANDLE, kb_alloc_page, NULL,                                     \
	   "a free frame with refcount 1, or the null handle", TY_VOID)                         \
	KB("copy_page", 2, TY_VOID, kb_copy_page, NULL, "copy_page(dst, src)", TY_HANDLE,       \
	   TY_HANDLE)                                                                           \
	KB("get_page", 1, TY_VOID, kb_get_page, NULL, "takes a reference on the page", TY_HANDLE)                            \
	KB("put_page", 1, TY_VOID, kb_put_page, NULL,                                           \
	   "drops a reference; the last one frees the frame", TY_HANDLE)                        \
	KB("page_count", 1, TY_INT, kb_page_count, NULL, "the page's reference count", TY_HANDLE)                         \
	KB("page_mapcount", 1, TY_INT, kb_page_mapcount, NULL, "how many PTEs map the page", TY_HANDLE)                   \
	KB("page_add_new_anon_rmap", 1, TY_VOID, kb_page_add_new_anon_rmap, NULL, "maps a new anonymous page (mapcount 1, exclusive)",           \
	   TY_HANDLE)                                                                           \
	KB("page_add_anon_rmap", 1, TY_VOID, kb_page_add_anon_rmap, NULL, "one more PTE maps the page", TY_HANDLE)        \
	KB("page_anon_exclusive", 1, TY_INT, kb_page_anon_exclusive, NULL, "PageAnonExclusive",  \
	   TY_HANDLE)                                                                           \
	KB("page_set_ksm", 1, TY_VOID, kb_page_set_ksm, NULL,                                   \
	   "set_page_stable_node: the page becomes a KSM page (PageKsm); the zero page stays as it is", \
	   TY_HANDLE)                                                                           \
	KB("page_ksm", 1, TY_INT, kb_page_ksm, NULL, "PageKsm", TY_HANDLE)                      \
	KB("page_move_anon_rmap", 1, TY_VOID, kb_page_move_anon_rmap, NULL,                     \
	   "the reusing mm takes the page: it becomes exclusive", TY_HANDLE)                    \
	KB("page_try_share_anon_rmap", 1, TY_INT, kb_page_try_share_anon_rmap, NULL,          \
	   "the page stops being exclusive (before it is write-protected); 0", TY_HANDLE)       \
	KB("pages_identical", 2, TY_INT, kb_pages_identical, NULL,                              \
	   "1 when both pages hold the same data (memcmp)", TY_HANDLE, TY_HANDLE)               \
	KB("page_mark_lazyfree", 1, TY_VOID, kb_page_mark_lazyfree, NULL,                      \
	   "MADV_FREE: reclaim may drop the page while its PTE stays clean", TY_HANDLE)         \
	KB("page_remove_rmap", 1, TY_VOID, kb_page_remove_rmap, NULL, "one PTE less maps the page", TY_HANDLE)            \
	KP("zero_page", 0, TY_HANDLE, kb_zero_page, "the shared zero page", TY_VOID)            \
	KP("is_zero_page", 1, TY_INT, kb_is_zero_page, "1 for the zero page", TY_HANDLE)                           \
	KB("tlb_remove_page", 1, TY_VOID, kb_tlb_remove_page, NULL,                             \
	   "mmu_gather: the page is freed by tlb_batch_free, after the flush", TY_HANDLE)       \
	KB("tlb_batch_free", 0, TY_VOID, kb_tlb_batch_free, NULL,                               \
	   "frees the pages gathered by this agent (tlb_batch_pages_flush)", TY_VOID)           \
	KB("vma_set_write", 3, TY_VOID, kb_vma_set_write, NULL,                                 \
	   "mprotect_fixup: [start, end) becomes writable or not, splitting VMAs at the edges",  \
	   TY_INT, TY_INT, TY_INT)                                                              \
	KB("vma_remove", 2, TY_VOID, kb_vma_remove, kb_vma_remove_en,                           \
	   "removes [start, end) from the agent's mm VMAs; free_pgtables' unlink_anon_vmas: "    \
	   "blocks while an rmap walk holds the anon_vma lock of the mm's family",               \
	   TY_INT, TY_INT)                                                                       \
	KB("vma_detach", 2, TY_VOID, kb_vma_detach, NULL,                                       \
	   "munmap: [start, end) leaves the mm's VMA tree (split at the edges); only "          \
	   "detached_vma sees it until vma_remove", TY_INT, TY_INT)                              \
	KB("wlog_discard", 1, TY_VOID, kb_wlog_discard, NULL,                                   \
	   "the operation discards addr's data on purpose (zap): forget its last write", TY_INT)\
	KB("op_begin", 2, TY_VOID, kb_op_begin, NULL,                                           \
	   "a core-mm operation on [start, end) of the agent's mm begins", TY_INT, TY_INT)      \
	KB("op_end", 0, TY_VOID, kb_op_end, NULL,                                               \
	   "it returns (on the agent's mm): `stale` looks at every TLB for its range", TY_VOID) \
	KB("op_widen", 2, TY_VOID, kb_op_widen, NULL,                                           \
	   "the agent's operation also covers [start, end) of the mm it works on (begun there " \
	   "if it was not): a kernel thread's rmap walk, one operation over every mapping",     \
	   TY_INT, TY_INT)                                                                       \
	KB("op_active", 0, TY_INT, kb_op_active, NULL,                                          \
	   "1 when the agent's operation is on the mm it works on", TY_VOID)                    \
	KB("mn_nsubs", 1, TY_INT, kb_mn_nsubs, NULL,                                            \
	   "hashed subscriptions of the mm implementing any of the MN_OP_* bits", TY_INT)       \
	KB("mn_sub_at", 2, TY_HANDLE, kb_mn_sub_at, NULL,                                       \
	   "the i-th of them in hlist order, or the null handle", TY_INT, TY_INT)               \
	KP("mn_sub_dev", 1, TY_INT, kb_mn_sub_dev, "device index of a subscription", TY_HANDLE) \
	KP("mn_sub_type", 1, TY_INT, kb_mn_sub_type, "device type of a subscription",     \
	   TY_HANDLE)                                                                           \
	KP("mn_trace", 5, TY_VOID, kb_mn_trace,                                                 \
	   "records a notifier callback for --trace-notifier (-1: the field does not apply)",    \
	   TY_INT, TY_INT, TY_INT, TY_INT,                                                      \
	   TY_INT)                                                                              \
	KP("trace_op", 1, TY_VOID, kb_trace_op,                                                  \
	   "marks the start of the n-th operation in --trace-notifier output (`op #n`)",        \
	   TY_INT)                                                                              \
	KB("mn_sub_of_dev", 1, TY_HANDLE, kb_mn_sub_of_dev, NULL,                               \
	   "the hashed subscription of device d in the agent's mm, or the null handle", TY_INT)  \
	KB("mn_unregister", 1, TY_VOID, kb_mn_unregister, NULL,                                 \
	   "takes the subscription off the list and frees it (after ->release; the SRCU grace " \
	   "period is immediate)", TY_HANDLE)                                                   \
	KB("mn_release_all", 0, TY_VOID, kb_mn_release_all, NULL,                               \
	   "unhashes every subscription (end of __mmu_notifier_release)", TY_VOID)              \
	KB("iotlb_flush", 3, TY_VOID, kb_iotlb_flush, NULL,                                     \
	   "device hardware drops IOTLB entries in [start, end), and its walker's "             \
	   "paging-structure-cache entries for PMD ranges meeting it (VT-d ih=0)",              \
	   TY_INT, TY_INT, TY_INT)                                                              \
	KB("iotlb_flush_leaf", 3, TY_VOID, kb_iotlb_flush_leaf, NULL,                           \
	   "iotlb_flush that keeps the paging-structure caches (VT-d invalidation hint ih=1: "  \
	   "only leaf entries changed)", TY_INT, TY_INT, TY_INT)                                \
	KB("dev_stop", 1, TY_VOID, kb_dev_stop, NULL,                                           \
	   "device hardware stops using the mm (after release): its IOTLB and "                 \
	   "paging-structure caches are emptied", TY_INT)

#endif
