#include "builtin.h"

#include <string.h>

#include "../kernel/kbuiltin.h"
#include "../kernel/kbuiltin_tlb.h"
#include "../kernel/kbuiltin_hmm.h"
#include "../kernel/kbuiltin_huge.h"
#include "../kernel/kbuiltin_thp.h"
#include "../kernel/kbuiltin_2008.h"
#include "../kernel/kbuiltin_drv.h"
#include "../kernel/kbuiltin_fork.h"
#include "../kernel/kbuiltin_pgtable.h"
#include "../kernel/kbuiltin_reclaim.h"
#include "../kernel/kbuiltin_file.h"
#include "../kernel/kbuiltin_gup.h"
#include "../kernel/kbuiltin_pfnmap.h"
#include "../kernel/kbuiltin_rmap.h"
#include "../kernel/kstate.h"
#include "../machine/devtypes.h"
#include "builtins_sync.h"

const struct mn_builtin mn_builtins[] = {
	MN_BUILTINS_SYNC
	MN_BUILTINS_KERNEL
	MN_BUILTINS_TLB
	MN_BUILTINS_HMM
	MN_BUILTINS_HUGE
	MN_BUILTINS_THP
	MN_BUILTINS_2008
	MN_BUILTINS_DRV
	MN_BUILTINS_FORK
	MN_BUILTINS_PGTABLE
	MN_BUILTINS_RECLAIM
	MN_BUILTINS_FILE
	MN_BUILTINS_GUP
	MN_BUILTINS_PFNMAP
	MN_BUILTINS_RMAP
};

/* Names the library and scenarios use for the kernel's constants. The values are the
 * model's own encoding, not the kernel's numbers, except where noted. */
const struct mn_constant mn_constants[] = {
	{ "PAGE_SIZE", MN_PAGE_SIZE },
	{ "PMD_SIZE", 1 << MN_PUD_SHIFT >> MN_PT_BITS },
	{ "PUD_SIZE", 1 << MN_PUD_SHIFT },
	{ "TASK_SIZE", MN_VA_LIMIT }, /* the model's whole address space */
	{ "EAGAIN", 11 }, /* the kernel's value */
	{ "MMU_NOTIFY_UNMAP", MN_EV_UNMAP },
	{ "MMU_NOTIFY_CLEAR", MN_EV_CLEAR },
	{ "MMU_NOTIFY_PROTECTION_VMA", MN_EV_PROTECTION_VMA },
	{ "MMU_NOTIFY_PROTECTION_PAGE", MN_EV_PROTECTION_PAGE },
	{ "MMU_NOTIFY_SOFT_DIRTY", MN_EV_SOFT_DIRTY },
	{ "MMU_NOTIFY_RELEASE", MN_EV_RELEASE },
	{ "MMU_NOTIFY_MIGRATE", MN_EV_MIGRATE },
	{ "MMU_NOTIFY_EXCLUSIVE", MN_EV_EXCLUSIVE },
	{ "MN_OP_RELEASE", MN_OP_RELEASE },
	{ "MN_OP_CLEAR_FLUSH_YOUNG", MN_OP_CLEAR_FLUSH_YOUNG },
	{ "MN_OP_CLEAR_YOUNG", MN_OP_CLEAR_YOUNG },
	{ "MN_OP_TEST_YOUNG", MN_OP_TEST_YOUNG },
	{ "MN_OP_CHANGE_PTE", MN_OP_CHANGE_PTE },
	{ "MN_OP_INVALIDATE_RANGE_START", MN_OP_INVALIDATE_RANGE_START },
	{ "MN_OP_INVALIDATE_RANGE_END", MN_OP_INVALIDATE_RANGE_END },
	{ "MN_OP_INVALIDATE_RANGE", MN_OP_INVALIDATE_RANGE },
	{ "CB_RELEASE", 0 },
	{ "CB_CLEAR_FLUSH_YOUNG", 1 },
	{ "CB_CLEAR_YOUNG", 2 },
	{ "CB_TEST_YOUNG", 3 },
	{ "CB_CHANGE_PTE", 4 },
	{ "CB_INVALIDATE_RANGE_START", 5 },
	{ "CB_INVALIDATE_RANGE_END", 6 },
	{ "CB_INVALIDATE_RANGE", 7 },
	{ "CB_INTERVAL_INVALIDATE", 8 },
	{ "CB_ARCH_INVALIDATE_SECONDARY_TLBS", 9 },
	{ "CB_INVALIDATE_PAGE", 10 },
	{ "VM_READ", MN_VM_READ },
	{ "VM_WRITE", MN_VM_WRITE },
	{ "VM_SHARED", MN_VM_SHARED },
	{ "VM_ANON", MN_VM_ANON },
	{ "VM_HUGETLB", MN_VM_HUGETLB },
	{ "VM_PFNMAP", MN_VM_PFNMAP },
	{ "VM_HUGEPAGE", MN_VM_HUGEPAGE },
	{ "VM_FILE", MN_VM_FILE },
	{ "VM_UFFD_WP", MN_VM_UFFD_WP },
	{ "VM_FAULT_RETRY", 0x400 }, /* the kernel's value: handle_userfault dropped mmap_lock */
	{ "MM_CP_TRY_CHANGE_WRITABLE", 1 }, /* change_protection's cp_flags: the kernel's */
	{ "MM_CP_UFFD_WP", 4 },
	{ "MM_CP_UFFD_WP_RESOLVE", 8 },
	{ "DEV_IOMMU_SVA", MN_DEV_IOMMU_SVA },
	{ "DEV_KVM", MN_DEV_KVM },
	{ "DEV_HMM_MIRROR", MN_DEV_HMM_MIRROR },
	{ "DEV_ODP", MN_DEV_ODP },
	{ "DEV_GRU", MN_DEV_GRU },
	{ "DEV_PINNED", MN_DEV_PINNED },
	{ "DEV_XPMEM", MN_DEV_XPMEM },
	{ NULL, 0 },
};

int mn_constant_find(const char *name, mn_val *value)
{
	for (int i = 0; mn_constants[i].name; i++) {
		if (!strcmp(mn_constants[i].name, name)) {
			*value = mn_constants[i].value;
			return 1;
		}
	}
	return 0;
}

const int mn_nbuiltins = (int)(sizeof(mn_builtins) / sizeof(mn_builtins[0]));

int mn_builtin_find(const char *name)
{
	for (int i = 0; i < mn_nbuiltins; i++)
		if (!strcmp(mn_builtins[i].name, name))
			return i;
	return -1;
}
