// SPDX-License-Identifier: GPL-2.0-only
/*
 * remap_summary.c - the I/O path's summary of the remap index; see
 * remap_summary.h.  Nothing here allocates or locks: the caller owns the
 * bitmap and serializes the changes.
 */
#include "remap_summary.h"

unsigned int remap_summary_shift(u64 nr_lunits, u64 max_bits)
{
	unsigned int shift = 0;

	if (!max_bits)
		max_bits = 1;
	while (shift < 63 && ((nr_lunits - 1) >> shift) + 1 > max_bits &&
	       nr_lunits)
		shift++;
	return shift;
}

static u64 rs_groups(u64 nr_lunits, unsigned int shift)
{
	return nr_lunits ? ((nr_lunits - 1) >> shift) + 1 : 0;
}

size_t remap_summary_longs(u64 nr_lunits, unsigned int shift)
{
	u64 g = rs_groups(nr_lunits, shift);

	return (size_t)(g / BITS_PER_LONG + !!(g % BITS_PER_LONG));
}

void remap_summary_init(struct remap_summary *s, unsigned long *bits,
			u64 nr_lunits, unsigned int shift)
{
	size_t longs = remap_summary_longs(nr_lunits, shift);

	s->bits = bits;
	s->shift = shift;
	s->nr_groups = rs_groups(nr_lunits, shift);
	if (longs)
		memset(bits, 0, longs * sizeof(*bits));
}

static void rs_set(struct remap_summary *s, u64 g)
{
	unsigned long *w = &s->bits[g / BITS_PER_LONG];
	unsigned long bit = 1UL << (unsigned int)(g % BITS_PER_LONG);

	if (!(*w & bit))
		WRITE_ONCE(*w, *w | bit);
}

static void rs_clear(struct remap_summary *s, u64 g)
{
	unsigned long *w = &s->bits[g / BITS_PER_LONG];
	unsigned long bit = 1UL << (unsigned int)(g % BITS_PER_LONG);

	if (*w & bit)
		WRITE_ONCE(*w, *w & ~bit);
}

void remap_summary_add(struct remap_summary *s, const struct remap_entry *e,
		       size_t n)
{
	size_t i;
	u64 g;

	for (i = 0; i < n; i++) {
		g = e[i].lunit >> s->shift;
		if (g < s->nr_groups)
			rs_set(s, g);
	}
}

void remap_summary_drop(struct remap_summary *s, const struct remap_entry *e,
			size_t n, const struct remap_entry *gone,
			size_t n_gone)
{
	u64 g, prev = U64_MAX, start;
	size_t i, pos;

	for (i = 0; i < n_gone; i++) {
		g = gone[i].lunit >> s->shift;
		if (g == prev || g >= s->nr_groups)
			continue;
		prev = g;
		start = g << s->shift;
		pos = remap_index_lower_bound(e, n, start);
		if (pos < n && (e[pos].lunit >> s->shift) == g)
			continue;	/* another unit of the group stays */
		rs_clear(s, g);
	}
}

bool remap_summary_any_groups(const struct remap_summary *s, u64 g0, u64 g1)
{
	size_t w0 = (size_t)(g0 / BITS_PER_LONG), w1 = (size_t)(g1 / BITS_PER_LONG);
	unsigned long lo = ~0UL << (unsigned int)(g0 % BITS_PER_LONG);
	unsigned long hi = ~0UL >> (unsigned int)(BITS_PER_LONG - 1 -
						  g1 % BITS_PER_LONG);
	size_t w;

	if (w0 == w1)
		return READ_ONCE(s->bits[w0]) & lo & hi;
	if (READ_ONCE(s->bits[w0]) & lo)
		return true;
	for (w = w0 + 1; w < w1; w++)
		if (READ_ONCE(s->bits[w]))
			return true;
	return READ_ONCE(s->bits[w1]) & hi;
}
