#include "devtypes.h"

#include <string.h>

const char *const mn_dev_type_names[MN_NDEVTYPES] = {
	[MN_DEV_IOMMU_SVA] = "iommu_sva", [MN_DEV_KVM] = "kvm",
	[MN_DEV_HMM_MIRROR] = "hmm_mirror", [MN_DEV_ODP] = "odp",
	[MN_DEV_GRU] = "gru", [MN_DEV_PINNED] = "pinned",
	[MN_DEV_XPMEM] = "xpmem",
};

int mn_dev_type_find(const char *name)
{
	for (int i = 0; i < MN_NDEVTYPES; i++)
		if (!strcmp(mn_dev_type_names[i], name))
			return i;
	return -1;
}
