// SPDX-License-Identifier: GPL-2.0-only
/*
 * remap_index.c - the remap index: a sorted array of (lunit, sunit) pairs.
 *
 * See remap_index.h.  Nothing here allocates: every function works on
 * arrays its caller owns, and an empty index may be a NULL pointer.
 */
#include "remap_index.h"

/* log2(BITS_PER_LONG); the host's BITS_PER_LONG is not usable in #if. */
#define RI_LONG_SHIFT (BITS_PER_LONG == 64 ? 6 : 5)
#define RI_LONG_MASK ((u64)BITS_PER_LONG - 1)

/* Longs in a bitmap of @nbits bits, without overflowing near U64_MAX. */
static size_t ri_bitmap_longs(u64 nbits)
{
	return (size_t)((nbits >> RI_LONG_SHIFT) + !!(nbits & RI_LONG_MASK));
}

/* Set bit @nr; return whether it was already set. */
static bool ri_test_and_set_bit(unsigned long *map, u64 nr)
{
	unsigned long *word = &map[(size_t)(nr >> RI_LONG_SHIFT)];
	unsigned long bit = 1UL << (unsigned int)(nr & RI_LONG_MASK);
	bool old = *word & bit;

	*word |= bit;
	return old;
}

/*
 * Copy @n entries from src[soff] to dst[doff].  Pointers are only formed
 * when there is something to copy, so an empty (NULL) index is fine.
 */
static void ri_copy(struct remap_entry *dst, size_t doff,
		    const struct remap_entry *src, size_t soff, size_t n)
{
	if (n && dst + doff != src + soff)
		memmove(dst + doff, src + soff, n * sizeof(*dst));
}

size_t remap_index_lower_bound(const struct remap_entry *e, size_t n, u64 key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e[mid].lunit < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t remap_u64_lower_bound(const u64 *a, size_t n, u64 key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool remap_uset_has(const u64 *set, unsigned int nr, u64 u)
{
	size_t pos = remap_u64_lower_bound(set, nr, u);

	return pos < nr && set[pos] == u;
}

u64 remap_uset_first_in(const u64 *set, unsigned int nr, u64 first, u64 n)
{
	size_t pos = remap_u64_lower_bound(set, nr, first);

	return pos < nr && set[pos] - first < n ? set[pos] : U64_MAX;
}

bool remap_uset_add(u64 *set, unsigned int *nr, unsigned int cap, u64 u)
{
	size_t pos = remap_u64_lower_bound(set, *nr, u);

	if (pos < *nr && set[pos] == u)
		return true;
	if (*nr == cap)
		return false;
	memmove(&set[pos + 1], &set[pos], (*nr - pos) * sizeof(*set));
	set[pos] = u;
	WRITE_ONCE(*nr, *nr + 1);
	return true;
}

bool remap_uset_del(u64 *set, unsigned int *nr, u64 u)
{
	size_t pos = remap_u64_lower_bound(set, *nr, u);

	if (pos == *nr || set[pos] != u)
		return false;
	memmove(&set[pos], &set[pos + 1], (*nr - pos - 1) * sizeof(*set));
	WRITE_ONCE(*nr, *nr - 1);
	return true;
}

bool remap_index_lookup(const struct remap_entry *e, size_t n, u64 lunit,
			u64 *sunit)
{
	size_t i = remap_index_lower_bound(e, n, lunit);

	if (i == n || e[i].lunit != lunit)
		return false;
	*sunit = e[i].sunit;
	return true;
}

u64 remap_index_run(const struct remap_entry *e, size_t n, u64 first,
		    u64 max_units, bool *remapped, u64 *sunit)
{
	size_t i, j;
	u64 len;

	*remapped = false;
	*sunit = 0;
	if (!max_units)
		return 0;

	i = remap_index_lower_bound(e, n, first);
	if (i == n || e[i].lunit != first) {
		/* Plain: up to the next remapped unit, if any. */
		if (i == n)
			return max_units;
		len = e[i].lunit - first;
		return len < max_units ? len : max_units;
	}

	/* Remapped: extend while both unit numbers go up by one. */
	*remapped = true;
	*sunit = e[i].sunit;
	len = 1;
	for (j = i + 1; j < n && len < max_units; j++, len++) {
		if (e[j].lunit - e[j - 1].lunit != 1)
			break;
		if (e[j - 1].sunit == U64_MAX ||
		    e[j].sunit != e[j - 1].sunit + 1)
			break;
	}
	return len;
}

/*
 * Merge by runs: for each entry of @b, the entries of @a before it are
 * copied as one block (memcpy), found by a binary search.  Adding a batch
 * of a few thousand entries to an index of a million copies the index
 * once, at memcpy speed, instead of comparing every entry.  @b is
 * expected to be the smaller array; either order is correct.
 */
int remap_index_merge(struct remap_entry *dst, const struct remap_entry *a,
		      size_t na, const struct remap_entry *b, size_t nb)
{
	size_t i = 0, j, k = 0, pos;

	for (j = 0; j < nb; j++) {
		pos = i < na ? i + remap_index_lower_bound(a + i, na - i,
							   b[j].lunit) : na;
		if (pos < na && a[pos].lunit == b[j].lunit)
			return -EEXIST;
		ri_copy(dst, k, a, i, pos - i);
		k += pos - i;
		i = pos;
		dst[k++] = b[j];
	}
	ri_copy(dst, k, a, i, na - i);
	return 0;
}

int remap_index_validate(const struct remap_entry *e, size_t n,
			 u64 nr_lunits, u64 nr_sunits, unsigned long *seen)
{
	size_t i;

	if (seen) {
		size_t longs = ri_bitmap_longs(nr_sunits);

		if (longs)
			memset(seen, 0, longs * sizeof(*seen));
	}

	for (i = 0; i < n; i++) {
		if (i && e[i].lunit <= e[i - 1].lunit)
			return -EINVAL;
		if (e[i].lunit >= nr_lunits || e[i].sunit >= nr_sunits)
			return -EINVAL;
		if (seen && ri_test_and_set_bit(seen, e[i].sunit))
			return -EINVAL;
	}
	return 0;
}

/* Order by lunit; ties (only in unchecked input) by sunit, for determinism. */
static bool ri_less(const struct remap_entry *x, const struct remap_entry *y)
{
	if (x->lunit != y->lunit)
		return x->lunit < y->lunit;
	return x->sunit < y->sunit;
}

/* Restore the max-heap below @root within e[0..end). */
static void ri_sift_down(struct remap_entry *e, size_t root, size_t end)
{
	for (;;) {
		size_t child = 2 * root + 1;
		struct remap_entry tmp;

		if (child >= end)
			return;
		if (child + 1 < end && ri_less(&e[child], &e[child + 1]))
			child++;
		if (!ri_less(&e[root], &e[child]))
			return;
		tmp = e[root];
		e[root] = e[child];
		e[child] = tmp;
		root = child;
	}
}

void remap_index_sort(struct remap_entry *e, size_t n)
{
	size_t i;

	if (n < 2)
		return;

	for (i = n / 2; i-- > 0; )
		ri_sift_down(e, i, n);

	for (i = n - 1; i > 0; i--) {
		struct remap_entry tmp = e[0];

		e[0] = e[i];
		e[i] = tmp;
		ri_sift_down(e, 0, i);
	}
}

size_t remap_index_delete_range_copy(struct remap_entry *dst,
				     const struct remap_entry *src, size_t n,
				     u64 first, u64 last, u64 *dropped)
{
	size_t lo, hi, i;

	if (first > last) {
		ri_copy(dst, 0, src, 0, n);
		return 0;
	}
	lo = remap_index_lower_bound(src, n, first);
	hi = last == U64_MAX ? n : remap_index_lower_bound(src, n, last + 1);
	/* Collect before copying: @dst may be @src. */
	if (dropped)
		for (i = lo; i < hi; i++)
			dropped[i - lo] = src[i].sunit;
	ri_copy(dst, 0, src, 0, lo);
	ri_copy(dst, lo, src, hi, n - hi);
	return hi - lo;
}
