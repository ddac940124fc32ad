// SPDX-License-Identifier: GPL-2.0-only
/*
 * core_test_only.c - see core_test_only.h.
 */
#include "core_test_only.h"

/* memmove, none for no entries or the same place (as core's ri_copy). */
static void tc_copy(struct remap_entry *dst, size_t doff,
		    const struct remap_entry *src, size_t soff, size_t n)
{
	if (n && dst + doff != src + soff)
		memmove(dst + doff, src + soff, n * sizeof(*dst));
}

int remap_index_insert_copy(struct remap_entry *dst,
			    const struct remap_entry *src, size_t n,
			    struct remap_entry ne)
{
	size_t pos = remap_index_lower_bound(src, n, ne.lunit);

	if (pos < n && src[pos].lunit == ne.lunit)
		return -EEXIST;

	/* Tail first, so that dst == src (with room for n + 1) works too. */
	tc_copy(dst, pos + 1, src, pos, n - pos);
	dst[pos] = ne;
	tc_copy(dst, 0, src, 0, pos);
	return 0;
}

int remap_index_delete_copy(struct remap_entry *dst,
			    const struct remap_entry *src, size_t n, u64 lunit,
			    u64 *sunit)
{
	size_t pos = remap_index_lower_bound(src, n, lunit);

	if (pos == n || src[pos].lunit != lunit)
		return -ENOENT;

	*sunit = src[pos].sunit;
	/* Head first, so that dst == src works too. */
	tc_copy(dst, 0, src, 0, pos);
	tc_copy(dst, pos, src, pos + 1, n - pos - 1);
	return 0;
}

bool spare_pool_is_used(const struct spare_pool *p, u64 unit)
{
	return unit < p->nr_units &&
	       ((p->used[unit / BITS_PER_LONG] >> (unit % BITS_PER_LONG)) & 1);
}

int remap_sb_decode(const u8 *block, u64 block_nr, struct remap_sb *sb,
		    const char **error)
{
	enum remap_sb_status st = remap_sb_decode_copy(block, block_nr, sb);

	if (st == REMAP_SB_VALID)
		return 0;
	if (error)
		*error = remap_sb_status_str(st);
	return -EINVAL;
}

int remap_status_parse_stats(const char *text, struct remap_status *s)
{
	const char *p = text, *k, *val, *end;
	size_t klen, vlen;
	int f;
	u64 v;

	memset(s, 0, sizeof(*s));
	while (*p) {
		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		k = p;
		val = memchr(k, ' ', (size_t)(end - k));
		p = *end ? end + 1 : end;
		if (end == k)
			continue;
		if (!val)
			return -EINVAL;
		klen = (size_t)(val - k);
		val++;
		vlen = (size_t)(end - val);
		f = remap_field_by_key(k, klen);
		if (f < 0)
			continue;
		if (remap_field_parse((enum remap_field)f, val, vlen, false, &v))
			return -EINVAL;
		s->v[f] = v;
		s->have[f] = true;
	}
	return 0;
}
