/* Built-ins for the model's one file (the page cache of MAP_SHARED `file` mappings, its
 * dirty pages and their writeback) and for userfaultfd write-protection (the uffd-wp PTE
 * bit, VM_UFFD_WP, the faulting thread's sleep in handle_userfault). Linux 6.1
 * mm/filemap.c, mm/page-writeback.c, mm/userfaultfd.c, fs/userfaultfd.c. */
#ifndef MN_KBUILTIN_FILE_H
#define MN_KBUILTIN_FILE_H

#include "kbuiltin.h"

/* userfaultfd write-protect */
BI(kb_pte_uffd_wp); BI(kb_pte_mkuffd_wp); BI(kb_pte_clear_uffd_wp);
BI(kb_uffd_wait_wp); EN(kb_uffd_wait_wp_en); BI(kb_vma_set_uffd_wp);
/* the page cache and writeback */
BI(kb_page_anon); BI(kb_linear_page_index); BI(kb_vma_address); BI(kb_detached_vma_address);
BI(kb_find_get_page);
BI(kb_filemap_add_page); BI(kb_page_test_clear_dirty); BI(kb_writepage);
BI(kb_i_mmap_lock_read); BI(kb_i_mmap_unlock_read); BI(kb_unlink_file_vma);
EN(kb_unlink_file_vma_en);

#define MN_BUILTINS_FILE                                                                         \
	KP("pte_uffd_wp", 1, TY_INT, kb_pte_uffd_wp,                                              \
	   "1 when the PTE is userfaultfd write-protected (a present PTE's uffd-wp bit)", TY_INT) \
	KP("pte_mkuffd_wp", 1, TY_INT, kb_pte_mkuffd_wp, "the PTE with the uffd-wp bit", TY_INT)  \
	KP("pte_clear_uffd_wp", 1, TY_INT, kb_pte_clear_uffd_wp,                                 \
	   "the PTE without the uffd-wp bit", TY_INT)                                            \
	KB("uffd_wait_wp", 1, TY_VOID, kb_uffd_wait_wp, kb_uffd_wait_wp_en,                      \
	   "handle_userfault's sleep for a write-protect fault at addr: blocks while addr's PTE " \
	   "is present and uffd-wp (the monitor's UFFDIO_WRITEPROTECT clearing it is the "       \
	   "wake-up)", TY_INT)                                                                   \
	KB("vma_set_uffd_wp", 3, TY_VOID, kb_vma_set_uffd_wp, NULL,                              \
	   "userfaultfd_register: VM_UFFD_WP set (on) or cleared on [start, end), splitting "    \
	   "VMAs at the edges", TY_INT, TY_INT, TY_INT)                                          \
	KP("page_anon", 1, TY_INT, kb_page_anon,                                                 \
	   "PageAnon: 1 for an anonymous (or device-private) page, 0 for a page cache page or "  \
	   "the zero page (pure: a page the caller maps or holds keeps its kind)", TY_HANDLE)    \
	KB("linear_page_index", 1, TY_INT, kb_linear_page_index, NULL,                           \
	   "the file page index addr maps in its `file` VMA (vmf->pgoff), or in its `pfnmap` "   \
	   "VMA the device file's page, which is the frame remap_pfn_range maps there; -1 if "   \
	   "no VMA that maps a file holds addr", TY_INT)                                         \
	KB("vma_address", 2, TY_INT, kb_vma_address, NULL,                                       \
	   "vma_address(page, i): where the i-th VMA (by start, a munmap's detached ones "       \
	   "included) of the agent's mm maps the page cache page, if it is a shared `file` VMA " \
	   "covering its index; else -1; -2 past the last VMA",                                  \
	   TY_HANDLE, TY_INT)                                                                    \
	KB("detached_vma_address", 1, TY_INT, kb_detached_vma_address, NULL,                    \
	   "where the part of a `file` VMA that munmap detached from the agent's mm, and that "  \
	   "stays in the file's rmap until unlink_file_vma, maps the page cache page; else -1",  \
	   TY_HANDLE)                                                                            \
	KB("find_get_page", 1, TY_HANDLE, kb_find_get_page, NULL,                                \
	   "the page cache's page of file page index, with a reference; or null", TY_INT)        \
	KB("filemap_add_page", 2, TY_INT, kb_filemap_add_page, NULL,                             \
	   "filemap_add_folio(page, index) and the read: a new page enters the page cache "     \
	   "(its reference taken) holding the disk's contents: 0; -17 (-EEXIST) if a page is "   \
	   "cached there already", TY_HANDLE, TY_INT)                                            \
	KB("page_test_clear_dirty", 1, TY_INT, kb_page_test_clear_dirty, NULL,                   \
	   "folio_test_clear_dirty: clears PageDirty, returns whether it was set", TY_HANDLE)    \
	KB("page_add_file_rmap", 1, TY_VOID, kb_page_add_anon_rmap, NULL,                        \
	   "one more PTE maps the page cache page (mapcount + 1)", TY_HANDLE)                    \
	KB("i_mmap_lock_read", 0, TY_VOID, kb_i_mmap_lock_read, NULL,                            \
	   "the model file's i_mmap_rwsem for read: an rmap walk of the file's mappings (the "   \
	   "device file of `pfnmap` mappings has its own, devfile_i_mmap_lock_read)", TY_VOID)   \
	KB("i_mmap_unlock_read", 0, TY_VOID, kb_i_mmap_unlock_read, NULL,                        \
	   "releases i_mmap_rwsem held for read", TY_VOID)                                       \
	KB("unlink_file_vma", 0, TY_VOID, kb_unlink_file_vma, kb_unlink_file_vma_en,             \
	   "free_pgtables' unlink of the VMAs munmap detached from the file's rmap "             \
	   "(i_mmap_lock_write): waits until no rmap walk is in progress", TY_VOID)              \
	KB("writepage", 1, TY_VOID, kb_writepage, NULL,                                          \
	   "->writepage of a page cache page: its contents go to its disk block (the I/O "       \
	   "completes at once)", TY_HANDLE)

#endif
