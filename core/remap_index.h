/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * remap_index.h - the remap index: which logical units live on the spare.
 *
 * The index is a sorted array of (logical unit, spare unit) pairs, strictly
 * increasing by logical unit.  Why an array:
 *  - lookups are a binary search with no pointers to chase and no locks: the
 *    module publishes each version of the array with rcu_assign_pointer() and
 *    readers only ever see a complete, immutable array;
 *  - 16 bytes per remapped unit, whatever the spread of the remaps (a radix
 *    tree or xarray costs hundreds of bytes per isolated entry);
 *  - an empty index is a NULL pointer, so a device with no remaps pays one
 *    load on its fast path.
 * Updates build a new array from the old one (insert/delete/merge below);
 * they are rare (a sector going bad), and bulk changes merge a whole sorted
 * batch in one pass, so loading a million remaps costs one copy, not a
 * million.
 *
 * Units are numbered from the start of the target (logical) and from the
 * start of the spare data area (spare).
 */
#ifndef DM_REMAP_CORE_INDEX_H
#define DM_REMAP_CORE_INDEX_H

#include "remap_types.h"

struct remap_entry {
	u64 lunit;	/* logical unit, target relative */
	u64 sunit;	/* spare unit, relative to the spare data area */
};

/* Position of the first entry with lunit >= key; n when there is none. */
size_t remap_index_lower_bound(const struct remap_entry *e, size_t n, u64 key);

/* The same over a sorted array of unit numbers (moving, pending units). */
size_t remap_u64_lower_bound(const u64 *a, size_t n, u64 key);

/*
 * Sorted sets of unit numbers in an array (the module's moving, pending
 * and doubt sets).  The count is stored with WRITE_ONCE: the module's map
 * path reads it without the lock that guards the set.
 */
bool remap_uset_has(const u64 *set, unsigned int nr, u64 u);
/* The smallest member in [first, first + n), or U64_MAX. */
u64 remap_uset_first_in(const u64 *set, unsigned int nr, u64 first, u64 n);
/* Add @u (already there: true); false when the set is full (@cap). */
bool remap_uset_add(u64 *set, unsigned int *nr, unsigned int cap, u64 u);
/* Remove @u; false when it was not there. */
bool remap_uset_del(u64 *set, unsigned int *nr, u64 u);

/* True when @lunit is remapped; its spare unit is stored in *sunit. */
bool remap_index_lookup(const struct remap_entry *e, size_t n, u64 lunit,
			u64 *sunit);

/*
 * The I/O path's question: starting at unit @first and looking at no more
 * than @max_units units, how many units in a row share the fate of @first?
 * Either all are plain (not remapped: *remapped = false), or all are
 * remapped to consecutive spare units starting at *sunit.  Returns the run
 * length, between 1 and @max_units (0 only when @max_units is 0).
 */
u64 remap_index_run(const struct remap_entry *e, size_t n, u64 first,
		    u64 max_units, bool *remapped, u64 *sunit);

/*
 * Copy @src (n entries) to @dst (room for n) without the entries whose
 * lunit lies in [first, last].  Returns how many were dropped; their spare
 * units are stored in @dropped (room for n) when it is not NULL.
 */
size_t remap_index_delete_range_copy(struct remap_entry *dst,
				     const struct remap_entry *src, size_t n,
				     u64 first, u64 last, u64 *dropped);

/*
 * Merge two sorted, duplicate-free arrays into @dst (room for na + nb).
 * -EEXIST when a logical unit is in both.
 */
int remap_index_merge(struct remap_entry *dst, const struct remap_entry *a,
		      size_t na, const struct remap_entry *b, size_t nb);

/*
 * Check that @e is strictly increasing by lunit, that every lunit is below
 * @nr_lunits and every sunit below @nr_sunits, and that no spare unit is
 * used twice (@seen: caller-provided bitmap of nr_sunits bits, cleared here;
 * may be NULL to skip that check).  0 or -EINVAL.
 */
int remap_index_validate(const struct remap_entry *e, size_t n,
			 u64 nr_lunits, u64 nr_sunits, unsigned long *seen);

/* Sort by lunit (heapsort: no allocation, no recursion, O(n log n)). */
void remap_index_sort(struct remap_entry *e, size_t n);

#endif /* DM_REMAP_CORE_INDEX_H */
