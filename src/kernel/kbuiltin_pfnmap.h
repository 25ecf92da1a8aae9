/* Built-ins for VM_PFNMAP mappings of device memory and their revocation (mm/memory.c
 * remap_pfn_range, vmf_insert_pfn, vm_normal_page, unmap_mapping_range; the driver side is
 * lib/linux-6.1/pfnmap.mnl): special PTEs, device-memory frames their driver revokes, the driver's lock and the device file's i_mmap_rwsem (the
 * special-PTE test pte_special is GUP-fast's, kbuiltin_gup.h; linear_page_index is the
 * model file's too, kbuiltin_file.h). */
#ifndef MN_KBUILTIN_PFNMAP_H
#define MN_KBUILTIN_PFNMAP_H

#include "kbuiltin.h"

BI(kb_pte_mkspecial); BI(kb_pfn_valid);
BI(kb_iomem_revoke); BI(kb_iomem_revoked); BI(kb_devfile_vma);
BI(kb_iomem_lock); EN(kb_iomem_lock_en); BI(kb_iomem_unlock);
BI(kb_devfile_i_mmap_lock_read); EN(kb_devfile_i_mmap_lock_read_en);
BI(kb_devfile_i_mmap_unlock_read);
BI(kb_devfile_i_mmap_lock_write); EN(kb_devfile_i_mmap_lock_write_en);
BI(kb_devfile_i_mmap_unlock_write);

#define MN_BUILTINS_PFNMAP                                                                       \
	KP("pte_mkspecial", 1, TY_INT, kb_pte_mkspecial, "the PTE with the special bit", TY_INT) \
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
	KB("devfile_vma", 2, TY_INT, kb_devfile_vma, NULL,                                       \
	   "the i-th VMA of the device file's i_mmap (VM_PFNMAP, munmap-detached ones until "   \
	   "vma_remove): field 0 start, 1 end, 2 flags, 3 vm_pgoff; -1 past the last",           \
	   TY_INT, TY_INT)                                                                       \
	KB("devfile_i_mmap_lock_read", 0, TY_VOID, kb_devfile_i_mmap_lock_read,                  \
	   kb_devfile_i_mmap_lock_read_en,                                                       \
	   "i_mmap_lock_read of the device file the agent's mm maps (a sleeping rwsem; blocks "  \
	   "while a writer holds it); the model file's is i_mmap_lock_read", TY_VOID)            \
	KB("devfile_i_mmap_unlock_read", 0, TY_VOID, kb_devfile_i_mmap_unlock_read, NULL,        \
	   "i_mmap_unlock_read of the device file", TY_VOID)                                     \
	KB("devfile_i_mmap_lock_write", 0, TY_VOID, kb_devfile_i_mmap_lock_write,                \
	   kb_devfile_i_mmap_lock_write_en,                                                      \
	   "i_mmap_lock_write of the device file (blocks while anyone holds it)", TY_VOID)       \
	KB("devfile_i_mmap_unlock_write", 0, TY_VOID, kb_devfile_i_mmap_unlock_write, NULL,      \
	   "i_mmap_unlock_write of the device file", TY_VOID)

#endif
