// SPDX-License-Identifier: GPL-2.0
/*
 * mnlog - log every MMU-notifier callback on a process's mm.
 *
 * Part of mnsim's conformance harness (conformance/README.md). A misc device
 * /dev/mnlog; each open file can register one mmu_notifier on the calling
 * process's mm and insert up to MNLOG_MAX_INTERVALS interval notifiers.
 * Every callback appends a record to one global ring, shared by all open
 * files, so a parent can read what happened in a child's mm after the child
 * has exited. Callbacks can run with a page-table lock held (change_pte,
 * invalidate_range, clear_flush_young) or from ksmd/kswapd: the ring is a
 * fixed array under an irq-safe spinlock, and no callback sleeps or fails.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/uaccess.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/mmu_notifier.h>
#include <linux/string.h>

#include "mnlog_uapi.h"

static unsigned int ring_records = 1 << 16;
module_param(ring_records, uint, 0444);
MODULE_PARM_DESC(ring_records, "capacity of the record ring");

static struct mnlog_rec *ring;
static u64 ring_head, ring_tail;	/* head: next to write; tail: next to read */
static u64 ring_seq;
static u64 ring_dropped;
static DEFINE_SPINLOCK(ring_lock);
static atomic_t file_ids = ATOMIC_INIT(0);

/* range->owner is only meaningful when a caller set it (migrate_vma,
 * make_device_exclusive): we log whether it equals our own cookie. */
static int mnlog_owner_cookie;

struct mnlog_file;

struct mnlog_iv {
	struct mmu_interval_notifier mni;
	struct mnlog_file *f;
	unsigned int idx;
	bool live;
};

struct mnlog_file {
	struct mutex lock;
	u32 id;
	struct mmu_notifier mn;
	bool registered;
	struct mnlog_iv iv[MNLOG_MAX_INTERVALS];
};

static void mnlog_emit(u16 kind, u16 event, u8 flags, u64 start, u64 end,
		       u64 cur_seq, u64 aux, u32 sub)
{
	struct mnlog_rec *r;
	unsigned long irqf;

	spin_lock_irqsave(&ring_lock, irqf);
	if (ring_head - ring_tail >= ring_records) {
		ring_dropped++;
		spin_unlock_irqrestore(&ring_lock, irqf);
		return;
	}
	r = &ring[ring_head % ring_records];
	memset(r, 0, sizeof(*r));
	r->seq = ++ring_seq;
	r->kind = kind;
	r->event = event;
	r->flags = flags;
	r->start = start;
	r->end = end;
	r->cur_seq = cur_seq;
	r->aux = aux;
	r->sub = sub;
	r->pid = current->pid;
	strscpy(r->comm, current->comm, sizeof(r->comm));
	ring_head++;
	spin_unlock_irqrestore(&ring_lock, irqf);
}

static u8 range_flags(const struct mmu_notifier_range *range)
{
	u8 fl = MNLOG_F_RANGE;

	if (mmu_notifier_range_blockable(range))
		fl |= MNLOG_F_BLOCKABLE;
	if (range->owner == &mnlog_owner_cookie)
		fl |= MNLOG_F_OWNER;
	return fl;
}

static inline u32 mn_sub(struct mmu_notifier *mn)
{
	return container_of(mn, struct mnlog_file, mn)->id << 8;
}

/* ---- mmu_notifier ops ---------------------------------------------------- */

static void mnlog_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	mnlog_emit(MNLOG_RELEASE, MNLOG_NO_EVENT, 0, 0, 0, 0, 0, mn_sub(mn));
}

static int mnlog_clear_flush_young(struct mmu_notifier *mn,
				   struct mm_struct *mm,
				   unsigned long start, unsigned long end)
{
	mnlog_emit(MNLOG_CLEAR_FLUSH_YOUNG, MNLOG_NO_EVENT, MNLOG_F_RANGE,
		   start, end, 0, 0, mn_sub(mn));
	return 0;
}

static int mnlog_clear_young(struct mmu_notifier *mn, struct mm_struct *mm,
			     unsigned long start, unsigned long end)
{
	mnlog_emit(MNLOG_CLEAR_YOUNG, MNLOG_NO_EVENT, MNLOG_F_RANGE,
		   start, end, 0, 0, mn_sub(mn));
	return 0;
}

static int mnlog_test_young(struct mmu_notifier *mn, struct mm_struct *mm,
			    unsigned long address)
{
	mnlog_emit(MNLOG_TEST_YOUNG, MNLOG_NO_EVENT, MNLOG_F_ADDR,
		   address, address + PAGE_SIZE, 0, 0, mn_sub(mn));
	return 0;
}

static void mnlog_change_pte(struct mmu_notifier *mn, struct mm_struct *mm,
			     unsigned long address, pte_t pte)
{
	mnlog_emit(MNLOG_CHANGE_PTE, MNLOG_NO_EVENT, MNLOG_F_ADDR,
		   address, address + PAGE_SIZE, 0, pte_val(pte), mn_sub(mn));
}

static int mnlog_invalidate_range_start(struct mmu_notifier *mn,
					const struct mmu_notifier_range *range)
{
	mnlog_emit(MNLOG_INVALIDATE_RANGE_START, range->event,
		   range_flags(range), range->start, range->end, 0, 0,
		   mn_sub(mn));
	return 0;
}

static void mnlog_invalidate_range_end(struct mmu_notifier *mn,
				       const struct mmu_notifier_range *range)
{
	mnlog_emit(MNLOG_INVALIDATE_RANGE_END, range->event,
		   range_flags(range), range->start, range->end, 0, 0,
		   mn_sub(mn));
}

static void mnlog_invalidate_range(struct mmu_notifier *mn,
				   struct mm_struct *mm,
				   unsigned long start, unsigned long end)
{
	mnlog_emit(MNLOG_INVALIDATE_RANGE, MNLOG_NO_EVENT, MNLOG_F_RANGE,
		   start, end, 0, 0, mn_sub(mn));
}

static const struct mmu_notifier_ops mnlog_mn_ops = {
	.release = mnlog_release,
	.clear_flush_young = mnlog_clear_flush_young,
	.clear_young = mnlog_clear_young,
	.test_young = mnlog_test_young,
	.change_pte = mnlog_change_pte,
	.invalidate_range_start = mnlog_invalidate_range_start,
	.invalidate_range_end = mnlog_invalidate_range_end,
	.invalidate_range = mnlog_invalidate_range,
};

/* ---- interval notifier ops ----------------------------------------------- */

static bool mnlog_iv_invalidate(struct mmu_interval_notifier *mni,
				const struct mmu_notifier_range *range,
				unsigned long cur_seq)
{
	struct mnlog_iv *iv = container_of(mni, struct mnlog_iv, mni);

	mnlog_emit(MNLOG_INTERVAL_INVALIDATE, range->event, range_flags(range),
		   range->start, range->end, cur_seq, 0,
		   (iv->f->id << 8) | (iv->idx + 1));
	/* No reader to serialise against: the ring lock is not needed here. */
	mmu_interval_set_seq(mni, cur_seq);
	return true;
}

static const struct mmu_interval_notifier_ops mnlog_iv_ops = {
	.invalidate = mnlog_iv_invalidate,
};

/* ---- file operations ----------------------------------------------------- */

static int mnlog_open(struct inode *inode, struct file *file)
{
	struct mnlog_file *f = kzalloc(sizeof(*f), GFP_KERNEL);
	unsigned int i;

	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	f->id = (u32)atomic_inc_return(&file_ids) & 0xffffff;
	for (i = 0; i < MNLOG_MAX_INTERVALS; i++) {
		f->iv[i].f = f;
		f->iv[i].idx = i;
	}
	file->private_data = f;
	return 0;
}

static int mnlog_release_file(struct inode *inode, struct file *file)
{
	struct mnlog_file *f = file->private_data;
	unsigned int i;

	/*
	 * At process exit this runs after exit_mmap(): the mm is dead but
	 * still allocated (the notifier and each interval hold mmgrab).
	 */
	for (i = 0; i < MNLOG_MAX_INTERVALS; i++) {
		if (f->iv[i].live) {
			mmu_interval_notifier_remove(&f->iv[i].mni);
			f->iv[i].live = false;
		}
	}
	if (f->registered) {
		/* logs a release only if exit_mmap has not already done so */
		mmu_notifier_unregister(&f->mn, f->mn.mm);
		f->registered = false;
	}
	kfree(f);
	return 0;
}

static long mnlog_read_records(struct mnlog_read __user *uarg)
{
	struct mnlog_read arg;
	struct mnlog_rec *tmp;
	unsigned long irqf;
	u32 n = 0, chunk;
	u64 dropped;
	int ret = 0;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	chunk = 256;
	tmp = kmalloc_array(chunk, sizeof(*tmp), GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	while (n < arg.max) {
		u32 want = min_t(u32, chunk, arg.max - n), got = 0;

		spin_lock_irqsave(&ring_lock, irqf);
		while (got < want && ring_tail != ring_head) {
			tmp[got++] = ring[ring_tail % ring_records];
			ring_tail++;
		}
		spin_unlock_irqrestore(&ring_lock, irqf);
		if (!got)
			break;
		/* records copied out are consumed even if the copy fails */
		if (copy_to_user((void __user *)(uintptr_t)(arg.buf +
				 (u64)n * sizeof(*tmp)), tmp,
				 (size_t)got * sizeof(*tmp))) {
			ret = -EFAULT;
			break;
		}
		n += got;
	}
	kfree(tmp);
	if (ret)
		return ret;
	spin_lock_irqsave(&ring_lock, irqf);
	dropped = ring_dropped;
	spin_unlock_irqrestore(&ring_lock, irqf);
	arg.count = n;
	arg.dropped = dropped;
	if (copy_to_user(uarg, &arg, sizeof(arg)))
		return -EFAULT;
	return 0;
}

static long mnlog_ioctl(struct file *file, unsigned int cmd, unsigned long a)
{
	struct mnlog_file *f = file->private_data;
	void __user *uarg = (void __user *)a;
	struct mnlog_interval ivarg;
	long ret = 0;
	u64 v;
	int i;

	switch (cmd) {
	case MNLOG_IOC_MARKER:
		if (copy_from_user(&v, uarg, sizeof(v)))
			return -EFAULT;
		mnlog_emit(MNLOG_MARKER, MNLOG_NO_EVENT, 0, 0, 0, 0, v,
			   f->id << 8);
		return 0;
	case MNLOG_IOC_READ:
		return mnlog_read_records(uarg);
	}

	if (!current->mm)
		return -EINVAL;
	mutex_lock(&f->lock);
	switch (cmd) {
	case MNLOG_IOC_REGISTER:
		if (f->registered) {
			ret = -EBUSY;
			break;
		}
		f->mn.ops = &mnlog_mn_ops;
		ret = mmu_notifier_register(&f->mn, current->mm);
		if (!ret)
			f->registered = true;
		break;
	case MNLOG_IOC_UNREGISTER:
		if (!f->registered || f->mn.mm != current->mm) {
			ret = -EINVAL;
			break;
		}
		mmu_notifier_unregister(&f->mn, current->mm);
		f->registered = false;
		break;
	case MNLOG_IOC_INSERT_INTERVAL:
		if (copy_from_user(&ivarg, uarg, sizeof(ivarg))) {
			ret = -EFAULT;
			break;
		}
		for (i = 0; i < MNLOG_MAX_INTERVALS && f->iv[i].live; i++)
			;
		if (i == MNLOG_MAX_INTERVALS) {
			ret = -ENOSPC;
			break;
		}
		ret = mmu_interval_notifier_insert(&f->iv[i].mni, current->mm,
						   ivarg.start, ivarg.length,
						   &mnlog_iv_ops);
		if (!ret) {
			f->iv[i].live = true;
			ret = i;
		}
		break;
	case MNLOG_IOC_REMOVE_INTERVAL:
		if (copy_from_user(&v, uarg, sizeof(v))) {
			ret = -EFAULT;
			break;
		}
		if (v >= MNLOG_MAX_INTERVALS || !f->iv[v].live) {
			ret = -EINVAL;
			break;
		}
		mmu_interval_notifier_remove(&f->iv[v].mni);
		f->iv[v].live = false;
		break;
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&f->lock);
	return ret;
}

static const struct file_operations mnlog_fops = {
	.owner = THIS_MODULE,
	.open = mnlog_open,
	.release = mnlog_release_file,
	.unlocked_ioctl = mnlog_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice mnlog_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "mnlog",
	.fops = &mnlog_fops,
	.mode = 0666,
};

static int __init mnlog_init(void)
{
	int ret;

	if (!ring_records)
		return -EINVAL;
	ring = vmalloc(array_size(ring_records, sizeof(*ring)));
	if (!ring)
		return -ENOMEM;
	ret = misc_register(&mnlog_dev);
	if (ret) {
		vfree(ring);
		return ret;
	}
	pr_info("mnlog: /dev/mnlog ready, %u records of %zu bytes\n",
		ring_records, sizeof(struct mnlog_rec));
	return 0;
}

static void __exit mnlog_exit(void)
{
	misc_deregister(&mnlog_dev);
	/* every file is closed, so every notifier is unregistered; wait for
	 * SRCU callbacks that may still reference our ops */
	mmu_notifier_synchronize();
	vfree(ring);
}

module_init(mnlog_init);
module_exit(mnlog_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Log MMU-notifier callbacks for mnsim conformance tests");
