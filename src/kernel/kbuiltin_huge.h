/* Built-ins for hugetlb pages in shared PMD pages and their migration: kernel threads
 * borrowing an mm (the rmap walk visits every mm mapping the page), huge_pmd_unshare,
 * migration entries. */
#ifndef MN_KBUILTIN_HUGE_H
#define MN_KBUILTIN_HUGE_H

#include "kbuiltin.h"

BI(kb_kthread_use_mm); BI(kb_kthread_unuse_mm); BI(kb_mm_count); BI(kb_huge_pmd_unshare);
BI(kb_mk_migration_entry); BI(kb_pte_is_migration); BI(kb_mk_huge_pte); BI(kb_pte_pfn);

#define MN_BUILTINS_HUGE                                                                         \
	KB("kthread_use_mm", 1, TY_VOID, kb_kthread_use_mm, NULL,                                \
	   "a kernel thread (an agent without an mm) works on mm m until kthread_unuse_mm",     \
	   TY_INT)                                                                               \
	KB("kthread_unuse_mm", 0, TY_VOID, kb_kthread_unuse_mm, NULL,                            \
	   "the kernel thread lets go of the mm it borrowed", TY_VOID)                           \
	KP("mm_count", 0, TY_INT, kb_mm_count, "how many mms the scenario declares", TY_VOID)    \
	KB("huge_pmd_unshare", 1, TY_INT, kb_huge_pmd_unshare, NULL,                             \
	   "if addr's PMD page is shared, this mm lets go of it (its PUD entry is cleared, the " \
	   "whole PUD range unmapped here): 1; else 0. No flush.",                               \
	   TY_INT)                                                                               \
	KP("mk_migration_entry", 1, TY_INT, kb_mk_migration_entry,                               \
	   "a migration entry for the page a present PTE maps (huge stays huge)", TY_INT)        \
	KP("pte_is_migration", 1, TY_INT, kb_pte_is_migration, "1 for a migration entry",       \
	   TY_INT)                                                                               \
	KP("mk_huge_pte", 2, TY_INT, kb_mk_huge_pte,                                             \
	   "a present huge (PMD) entry for page, writable or not", TY_HANDLE, TY_INT)            \
	KP("pte_pfn", 1, TY_INT, kb_pte_pfn, "the frame number an entry names", TY_INT)

#endif
