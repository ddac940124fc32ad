/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dm-remap-compat.h - the differences between the kernels dm-remap supports
 * (Debian's 6.1 and 6.12), kept in one place.
 */
#ifndef DM_REMAP_COMPAT_H
#define DM_REMAP_COMPAT_H

#include <linux/version.h>
#include <linux/srcu.h>

/*
 * A bio holds an SRCU read section from map() to end_io(), which may run
 * on another CPU or in interrupt context.  Kernels from 6.3 have the
 * semaphore-like srcu_down_read()/srcu_up_read() for exactly that; on older
 * ones the same operations, without the lockdep annotation that would
 * object to the section leaving the task, are __srcu_read_lock/unlock().
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline int srcu_down_read(struct srcu_struct *ssp)
{
	return __srcu_read_lock(ssp);
}

static inline void srcu_up_read(struct srcu_struct *ssp, int idx)
{
	__srcu_read_unlock(ssp, idx);
}
#endif

/* The table's open mode: fmode_t until 6.5, blk_mode_t since. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
#define REMAP_MODE_WRITE FMODE_WRITE
#else
#define REMAP_MODE_WRITE BLK_OPEN_WRITE
#endif

#endif /* DM_REMAP_COMPAT_H */
