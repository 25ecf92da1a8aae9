/* Built-ins for VM_PFNMAP mappings of device memory and their revocation (mm/memory.c
 * remap_pfn_range, vmf_insert_pfn, vm_normal_page, unmap_mapping_range; the driver side is
 * lib/linux-6.1/pfnmap.mnl): special PTEs, the linear PFN of a VMA, device-memory frames
 * their driver revokes, the driver's lock and the device file's i_mmap_rwsem. */
#ifndef MN_KBUILTIN_PFNMAP_H
#define MN_KBUILTIN_PFNMAP_H

#include "kbuiltin.h"

BI(kb_pte_special); BI(kb_pte_mkspecial); BI(kb_linear_page_index); BI(kb_pfn_valid);
BI(kb_iomem_revoke); BI(kb_iomem_revoked);
BI(kb_iomem_lock); EN(kb_iomem_lock_en); BI(kb_iomem_unlock);
BI(kb_i_mmap_lock_read); EN(kb_i_mmap_lock_read_en); BI(kb_i_mmap_unlock_read);
BI(kb_i_mmap_lock_write); EN(kb_i_mmap_lock_write_en); BI(kb_i_mmap_unlock_write);

#define MN_BUILTINS_PFNMAP                                                                       \
	KP("pte_special", 1, TY_INT, kb_pte_special,                                             \
	   "1 for a special PTE (the zero page, a VM_PFNMAP mapping's raw PFN): no struct page "  \
	   "is counted for it (vm_normal_page is NULL)", TY_INT)                                 \
	KP("pte_mkspecial", 1, TY_INT, kb_pte_mkspecial, "the PTE with the special bit", TY_INT) \
	KB("linear_page_index", 1, TY_INT, kb_linear_page_index, NULL,                           \
	   "vm_pgoff + the page offset of addr in the VMA holding it (for a VM_PFNMAP VMA, the " \
	   "frame remap_pfn_range maps there), -1 if no VMA holds addr", TY_INT)                 \
	KP("pfn_valid", 1, TY_INT, kb_pfn_valid,                                                 \
	   "1 when frame pfn is memory with a struct page the kernel counts; 0 for the device "  \
	   "memory of a pfnmap mapping", TY_INT)                                                 \
	KB("iomem_revoke", 1, TY_VOID, kb_iomem_revoke, NULL,                                    \
	   "the driver takes device-memory frame pfn away (device reset, buffer evicted): from " \
	   "now on any access to it fires `uaf`", TY_INT)                                        \
	KB("iomem_revoked", 1, TY_INT, kb_iomem_revoked, NULL,                                   \
	   "1 once device-memory frame pfn was revoked", TY_INT)                                 \
	KB("iomem_lock", 0, TY_VOID, kb_iomem_lock, kb_iomem_lock_en,                            \
	   "takes the mutex of the driver of the device file the agent's mm maps (blocks)",      \
	   TY_VOID)                                                                              \
	KB("iomem_unlock", 0, TY_VOID, kb_iomem_unlock, NULL, "releases the driver's mutex",     \
	   TY_VOID)                                                                              \
	KB("i_mmap_lock_read", 0, TY_VOID, kb_i_mmap_lock_read, kb_i_mmap_lock_read_en,          \
	   "i_mmap_lock_read of the device file the agent's mm maps (a sleeping rwsem; blocks "  \
	   "while a writer holds it)", TY_VOID)                                                  \
	KB("i_mmap_unlock_read", 0, TY_VOID, kb_i_mmap_unlock_read, NULL,                        \
	   "i_mmap_unlock_read", TY_VOID)                                                        \
	KB("i_mmap_lock_write", 0, TY_VOID, kb_i_mmap_lock_write, kb_i_mmap_lock_write_en,       \
	   "i_mmap_lock_write of that file (blocks while anyone holds it)", TY_VOID)             \
	KB("i_mmap_unlock_write", 0, TY_VOID, kb_i_mmap_unlock_write, NULL,                      \
	   "i_mmap_unlock_write", TY_VOID)

#endif
