/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * remap_summary.h - one bit per group of 2^shift logical units: set when a
 * unit of the group may be remapped.  The I/O path looks at it before the
 * io_srcu section and the index search, so that a bio far from every
 * remapped unit costs one load, however large the index.
 *
 * Exactness: a clear bit means no unit of its group is in the index.  The
 * module changes the bits only with st->lock held (one writer), in the
 * functions that publish index versions (dm-remap-state.c): bits are set
 * before a version that adds units is published, and recomputed from the
 * new version after one that drops units is.  Readers take no lock: a
 * word is loaded whole (READ_ONCE) and a stale set bit only sends a bio to
 * the slow path, which searches the index.
 *
 * Units past the groups the bitmap covers are always "maybe" (a longer
 * table than the state was created for).
 */
#ifndef DM_REMAP_CORE_SUMMARY_H
#define DM_REMAP_CORE_SUMMARY_H

#include "remap_types.h"
#include "remap_index.h"

#ifndef __KERNEL__
#ifndef READ_ONCE
#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#endif
#endif

/*
 * The bitmap's largest size: 2^25 bits, 4 MiB (32 units a bit at 4 TiB).
 * Scattered remaps mark about 32 times their share of the groups: at one
 * remapped unit in 1024, 3% of the groups, so 3% of 4 KiB bios search.
 */
#define REMAP_SUMMARY_MAX_BITS (1ULL << 25)

struct remap_summary {
	unsigned long *bits;
	u64 nr_groups;		/* groups (bits) the bitmap covers */
	unsigned int shift;	/* log2 of the units in a group */
};

/* The smallest shift that covers @nr_lunits with at most @max_bits bits. */
unsigned int remap_summary_shift(u64 nr_lunits, u64 max_bits);

/* Longs of a bitmap covering @nr_lunits units with groups of 2^@shift. */
size_t remap_summary_longs(u64 nr_lunits, unsigned int shift);

/* Start with no unit marked; @bits has remap_summary_longs() longs. */
void remap_summary_init(struct remap_summary *s, unsigned long *bits,
			u64 nr_lunits, unsigned int shift);

/* Mark the groups of the @n entries @e (any order). */
void remap_summary_add(struct remap_summary *s, const struct remap_entry *e,
		       size_t n);

/*
 * Entries @gone (sorted) were dropped; @e (@n entries, sorted) is the index
 * without them.  Clear the groups of @gone that no entry of @e is in.
 */
void remap_summary_drop(struct remap_summary *s, const struct remap_entry *e,
			size_t n, const struct remap_entry *gone,
			size_t n_gone);

/* Groups [g0, g1] (both covered): is a bit set? */
bool remap_summary_any_groups(const struct remap_summary *s, u64 g0, u64 g1);

/*
 * Is group @g's bit set?  A word loaded whole: test_bit() in the module
 * (one bit-test instruction on x86), READ_ONCE() and a shift elsewhere.
 */
static inline bool remap_summary_test(const struct remap_summary *s, u64 g)
{
#ifdef __KERNEL__
	return test_bit((unsigned long)g, s->bits);
#else
	return (READ_ONCE(s->bits[g / BITS_PER_LONG]) >>
		(g % BITS_PER_LONG)) & 1;
#endif
}

/*
 * May a unit of groups [g0, g1] be remapped?  False means certainly not.
 * The I/O path calls this with groups it computed from sectors in one
 * shift (unit and group shift added), which saves it a step; a bio within
 * one group, the usual case, is decided first by one bit.
 */
static inline bool remap_summary_maybe_groups(const struct remap_summary *s,
					      u64 g0, u64 g1)
{
	if (g0 == g1 && g1 < s->nr_groups)
		return remap_summary_test(s, g0);
	if (g1 >= s->nr_groups || g1 < g0)
		return true;
	return remap_summary_any_groups(s, g0, g1);
}

/*
 * May a unit of [first, last] be remapped?  False means certainly not.
 */
static inline bool remap_summary_maybe_in(const struct remap_summary *s,
					  u64 first, u64 last)
{
	return remap_summary_maybe_groups(s, first >> s->shift,
					  last >> s->shift);
}

/* The same for [first, first + n), n >= 1. */
static inline bool remap_summary_maybe(const struct remap_summary *s,
				       u64 first, u64 n)
{
	return remap_summary_maybe_in(s, first, first + n - 1);
}

#endif /* DM_REMAP_CORE_SUMMARY_H */
