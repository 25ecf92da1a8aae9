/* Built-ins of fork at run time (kernel/fork.c dup_mmap, mm/memory.c copy_page_range):
 * the forking agent fills an mm the scenario declared empty (the child), whose agents
 * wait in fork_wait until wake_up_new_task. The built-ins that write the child's mm name
 * it as their first argument; their footprints cover every mm (kfootprint.c). */
#ifndef MN_KBUILTIN_FORK_H
#define MN_KBUILTIN_FORK_H

#include "kbuiltin.h"

BI(kb_dup_vma); BI(kb_child_pte_alloc); BI(kb_child_set_pte_at); BI(kb_wake_up_new_task);
BI(kb_child_mmput);
BI(kb_fork_wait); EN(kb_fork_wait_en); BI(kb_page_try_dup_anon_rmap); BI(kb_vma_needs_copy);

#define MN_BUILTINS_FORK                                                                         \
	KB("dup_vma", 2, TY_VOID, kb_dup_vma, NULL,                                              \
	   "dup_mmap: the i-th VMA (by address) of the agent's mm is copied into the empty mm "  \
	   "child (vm_area_dup and the link into the child's tree)", TY_INT, TY_INT)             \
	KB("child_pte_alloc", 2, TY_INT, kb_child_pte_alloc, NULL,                               \
	   "pte_alloc in mm child: the tables down to addr's PTE; 0, or -1 when out of memory",  \
	   TY_INT, TY_INT)                                                                       \
	KB("child_set_pte_at", 3, TY_VOID, kb_child_set_pte_at, NULL,                            \
	   "set_pte_at(child, addr, pte) for copy_present_pte; a non-present PTE is an error "   \
	   "(copy_nonpresent_pte is not modelled)", TY_INT, TY_INT, TY_INT)                      \
	KB("wake_up_new_task", 1, TY_VOID, kb_wake_up_new_task, NULL,                            \
	   "the forked child may run: fork_wait in mm child returns; the child's memory "        \
	   "starts with the parent's last writes (for the checks)", TY_INT)                      \
	KB("child_mmput", 1, TY_VOID, kb_child_mmput, NULL,                                      \
	   "dup_mm's mmput of mm child after dup_mmap failed: the pages its PTEs map lose that "  \
	   "mapping and reference, its page tables and VMAs go (the task never ran)", TY_INT)   \
	KB("fork_wait", 0, TY_VOID, kb_fork_wait, kb_fork_wait_en,                               \
	   "blocks until a run-time fork has filled the agent's mm (the child runs only after "  \
	   "wake_up_new_task)", TY_VOID)                                                         \
	KB("page_try_dup_anon_rmap", 1, TY_INT, kb_page_try_dup_anon_rmap, NULL,                 \
	   "fork: one more PTE maps the anonymous page and it stops being exclusive; 0, or "     \
	   "-16 (-EBUSY) for an exclusive page that may be pinned (copy_present_page)",         \
	   TY_HANDLE)                                                                            \
	KB("vma_needs_copy", 1, TY_INT, kb_vma_needs_copy, NULL,                                 \
	   "fork: 1 when the VMA holding addr has an anon_vma (modelled: it is private and "     \
	   "some PTE of it is not empty), so copy_page_range copies it", TY_INT)

#endif
