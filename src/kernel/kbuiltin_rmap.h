/* Built-ins for the reverse map of anonymous and KSM pages (Linux 6.1 mm/rmap.c
 * rmap_walk_anon, mm/ksm.c rmap_walk_ksm): which mms' VMAs an anon_vma holds, its rwsem,
 * the one stable node of the model's KSM, and what migration moves from the old page to
 * the new one. */
#ifndef MN_KBUILTIN_RMAP_H
#define MN_KBUILTIN_RMAP_H

#include "kbuiltin.h"

BI(kb_folio_anon_vma); BI(kb_anon_vma_lock_read); BI(kb_anon_vma_unlock_read);
BI(kb_anon_vma_address); EN(kb_vma_remove_en);
BI(kb_stable_tree_append); BI(kb_ksm_rmap_item); BI(kb_folio_migrate_flags);
BI(kb_is_writable_migration_entry);

#define MN_BUILTINS_RMAP                                                                         \
	KB("folio_anon_vma", 1, TY_INT, kb_folio_anon_vma, NULL,                                 \
	   "the anon_vma of an anonymous page that is not KSM, named by the mm whose VMA it is " \
	   "(where the page was faulted, or moved by page_move_anon_rmap); -1 for any other "   \
	   "page", TY_HANDLE)                                                                    \
	KB("anon_vma_lock_read", 1, TY_VOID, kb_anon_vma_lock_read, NULL,                        \
	   "down_read of the rwsem of anon_vma av's root (one per family of mms related by "    \
	   "fork); unlink_anon_vmas (vma_remove) waits for it", TY_INT)                          \
	KB("anon_vma_unlock_read", 1, TY_VOID, kb_anon_vma_unlock_read, NULL,                    \
	   "up_read of that rwsem", TY_INT)                                                      \
	KB("anon_vma_address", 2, TY_INT, kb_anon_vma_address, NULL,                             \
	   "anon_vma_address(av, addr): addr if the private anonymous VMA of the agent's mm "    \
	   "that holds addr is in anon_vma av's tree (the mm is av's, or was forked from it); " \
	   "else -1", TY_INT, TY_INT)                                                            \
	KB("stable_tree_append", 2, TY_VOID, kb_stable_tree_append, NULL,                        \
	   "stable_tree_append(kpage, addr): ksmd's rmap_item for (the agent's mm, addr) joins " \
	   "the stable node of KSM page kpage", TY_HANDLE, TY_INT)                               \
	KB("ksm_rmap_item", 2, TY_INT, kb_ksm_rmap_item, NULL,                                   \
	   "ksm_rmap_item(page, k): the k-th rmap_item of the KSM page's stable node as "        \
	   "mm * TASK_SIZE + address; -1 past the last, or when the page has no stable node",   \
	   TY_HANDLE, TY_INT)                                                                    \
	KB("folio_migrate_flags", 2, TY_VOID, kb_folio_migrate_flags, NULL,                      \
	   "folio_migrate_flags(newpage, page): the new page takes the old one's anon_vma "      \
	   "(folio_migrate_mapping) and, for a KSM page, its stable node (folio_migrate_ksm)",  \
	   TY_HANDLE, TY_HANDLE)                                                                 \
	KP("is_writable_migration_entry", 1, TY_INT, kb_is_writable_migration_entry,             \
	   "1 for a migration entry made from a writable PTE", TY_INT)

#endif
