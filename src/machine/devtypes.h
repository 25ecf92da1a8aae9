/* The secondary MMUs of DESIGN §5. */
#ifndef MN_DEVTYPES_H
#define MN_DEVTYPES_H

enum mn_dev_type {
	MN_DEV_IOMMU_SVA,
	MN_DEV_KVM,
	MN_DEV_HMM_MIRROR,
	MN_DEV_ODP,
	MN_DEV_GRU,
	MN_DEV_PINNED,
	MN_DEV_XPMEM, /* SGI's cross-partition memory driver of the 2008 proposal */
	MN_NDEVTYPES
};

extern const char *const mn_dev_type_names[MN_NDEVTYPES];
int mn_dev_type_find(const char *name);

#endif
