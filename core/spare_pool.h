/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * spare_pool.h - the allocator of spare units.
 *
 * A bitmap of the spare area's units; a unit is handed out at most once
 * until it is freed.  Allocation takes the lowest free unit, so the layout
 * is deterministic (tests and users can predict where a remap lands) and
 * the spare fills from its start.  The caller owns the bitmap memory
 * (spare_pool_bitmap_longs() longs).
 */
#ifndef DM_REMAP_CORE_SPARE_POOL_H
#define DM_REMAP_CORE_SPARE_POOL_H

#include "remap_types.h"

struct spare_pool {
	u64 nr_units;		/* units in the pool */
	u64 nr_used;		/* units handed out */
	u64 hint;		/* no free unit below this one */
	unsigned long *used;	/* bit set: unit handed out */
};

/* Longs needed for a bitmap of @nr_units bits. */
size_t spare_pool_bitmap_longs(u64 nr_units);

/* Start with every unit free; clears @bitmap. */
void spare_pool_init(struct spare_pool *p, unsigned long *bitmap,
		     u64 nr_units);

/* Hand out the lowest free unit: 0, or -ENOSPC when none is left. */
int spare_pool_alloc(struct spare_pool *p, u64 *unit);

/* Mark a given unit used (loading a saved table): -ERANGE, -EEXIST. */
int spare_pool_claim(struct spare_pool *p, u64 unit);

/* Give a unit back: -ERANGE, or -ENOENT when it was not handed out. */
int spare_pool_free(struct spare_pool *p, u64 unit);

static inline u64 spare_pool_free_units(const struct spare_pool *p)
{
	return p->nr_units - p->nr_used;
}

/* True when no used unit lies at or beyond @nr_units. */
bool spare_pool_fits(const struct spare_pool *p, u64 nr_units);

/*
 * Move the pool onto @new_bitmap with @new_nr units (a grown spare area):
 * used units are kept, the new ones are free.  -EINVAL when a used unit
 * would fall outside the new size (shrinking below what is in use).
 */
int spare_pool_resize(struct spare_pool *p, unsigned long *new_bitmap,
		      u64 new_nr);

#endif /* DM_REMAP_CORE_SPARE_POOL_H */
