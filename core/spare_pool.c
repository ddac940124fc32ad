// SPDX-License-Identifier: GPL-2.0-only
/*
 * spare_pool.c - the allocator of spare units: a bitmap, lowest free first.
 *
 * See spare_pool.h.  Invariant: no unit below p->hint is free, so an
 * allocation scans from the hint and never revisits the used prefix.
 */
#include "spare_pool.h"

/* log2(BITS_PER_LONG); the host's BITS_PER_LONG is not usable in #if. */
#define SP_LONG_SHIFT (BITS_PER_LONG == 64 ? 6 : 5)
#define SP_LONG_MASK ((u64)BITS_PER_LONG - 1)

static inline size_t sp_word(u64 nr)
{
	return (size_t)(nr >> SP_LONG_SHIFT);
}

static inline unsigned long sp_bit(u64 nr)
{
	return 1UL << (unsigned int)(nr & SP_LONG_MASK);
}

static inline bool sp_test_bit(const unsigned long *map, u64 nr)
{
	return map[sp_word(nr)] & sp_bit(nr);
}

/*
 * First bit at or after @start (below @nbits) whose value is @set;
 * @nbits when there is none.
 */
static u64 sp_find_next(const unsigned long *map, u64 nbits, u64 start,
			bool set)
{
	size_t w, last;
	unsigned long word;
	u64 bit;

	if (start >= nbits)
		return nbits;

	w = sp_word(start);
	last = sp_word(nbits - 1);
	word = set ? map[w] : ~map[w];
	/* Ignore the bits below @start in its word. */
	word &= ~0UL << (unsigned int)(start & SP_LONG_MASK);
	while (!word) {
		if (w == last)
			return nbits;
		w++;
		word = set ? map[w] : ~map[w];
	}
	bit = ((u64)w << SP_LONG_SHIFT) + (u64)__builtin_ctzl(word);
	return bit < nbits ? bit : nbits;
}

size_t spare_pool_bitmap_longs(u64 nr_units)
{
	return (size_t)((nr_units >> SP_LONG_SHIFT) +
			!!(nr_units & SP_LONG_MASK));
}

void spare_pool_init(struct spare_pool *p, unsigned long *bitmap,
		     u64 nr_units)
{
	size_t longs = spare_pool_bitmap_longs(nr_units);

	p->nr_units = nr_units;
	p->nr_used = 0;
	p->hint = 0;
	p->used = bitmap;
	if (longs)
		memset(bitmap, 0, longs * sizeof(*bitmap));
}

int spare_pool_alloc(struct spare_pool *p, u64 *unit)
{
	u64 u;

	if (p->nr_used >= p->nr_units)
		return -ENOSPC;

	u = sp_find_next(p->used, p->nr_units, p->hint, false);
	if (u >= p->nr_units)
		return -ENOSPC;	/* only with a corrupted nr_used */

	p->used[sp_word(u)] |= sp_bit(u);
	p->nr_used++;
	p->hint = u + 1;
	*unit = u;
	return 0;
}

int spare_pool_claim(struct spare_pool *p, u64 unit)
{
	if (unit >= p->nr_units)
		return -ERANGE;
	if (sp_test_bit(p->used, unit))
		return -EEXIST;

	p->used[sp_word(unit)] |= sp_bit(unit);
	p->nr_used++;
	if (unit == p->hint)
		p->hint = unit + 1;
	return 0;
}

int spare_pool_free(struct spare_pool *p, u64 unit)
{
	if (unit >= p->nr_units)
		return -ERANGE;
	if (!sp_test_bit(p->used, unit))
		return -ENOENT;

	p->used[sp_word(unit)] &= ~sp_bit(unit);
	p->nr_used--;
	if (unit < p->hint)
		p->hint = unit;
	return 0;
}

bool spare_pool_fits(const struct spare_pool *p, u64 nr_units)
{
	return nr_units >= p->nr_units ||
	       sp_find_next(p->used, p->nr_units, nr_units, true) >=
	       p->nr_units;
}

int spare_pool_resize(struct spare_pool *p, unsigned long *new_bitmap,
		      u64 new_nr)
{
	size_t old_longs = spare_pool_bitmap_longs(p->nr_units);
	size_t new_longs = spare_pool_bitmap_longs(new_nr);
	size_t ncopy = old_longs < new_longs ? old_longs : new_longs;

	/* Shrinking: nothing in use may be cut off. */
	if (!spare_pool_fits(p, new_nr))
		return -EINVAL;

	if (ncopy && new_bitmap != p->used)
		memmove(new_bitmap, p->used, ncopy * sizeof(*new_bitmap));
	if (new_longs > ncopy)
		memset(new_bitmap + ncopy, 0,
		       (new_longs - ncopy) * sizeof(*new_bitmap));

	p->used = new_bitmap;
	p->nr_units = new_nr;
	if (p->hint > new_nr)
		p->hint = new_nr;
	return 0;
}
