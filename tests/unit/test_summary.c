// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_summary.c - unit tests of core/remap_summary.c: the I/O path's
 * summary must never say "certainly not remapped" for a group that holds
 * a unit of the index (a randomized differential test against the index
 * itself, through inserts and deletes as the module makes them).
 */
#include "test_common.h"
#include "remap_summary.h"
#include "core_test_only.h"

#define E(l, s) ((struct remap_entry){ .lunit = (l), .sunit = (s) })

static void test_shift(void **state)
{
	(void)state;
	assert_int_equal(remap_summary_shift(0, 16), 0);
	assert_int_equal(remap_summary_shift(1, 16), 0);
	assert_int_equal(remap_summary_shift(16, 16), 0);
	assert_int_equal(remap_summary_shift(17, 16), 1);
	assert_int_equal(remap_summary_shift(32, 16), 1);
	assert_int_equal(remap_summary_shift(33, 16), 2);
	/* 4 TiB of 4 KiB units into 2^25 bits: 32 units a bit. */
	assert_int_equal(remap_summary_shift(1ULL << 30, REMAP_SUMMARY_MAX_BITS), 5);
	assert_int_equal(remap_summary_shift(U64_MAX, REMAP_SUMMARY_MAX_BITS), 39);
	assert_int_equal(remap_summary_longs(0, 0), 0);
	assert_int_equal(remap_summary_longs(1, 0), 1);
	assert_int_equal(remap_summary_longs(BITS_PER_LONG, 0), 1);
	assert_int_equal(remap_summary_longs(BITS_PER_LONG + 1, 0), 2);
	assert_int_equal(remap_summary_longs(1ULL << 30, 6), (1 << 24) / BITS_PER_LONG);
}

static void test_basic(void **state)
{
	struct remap_summary s;
	size_t longs = remap_summary_longs(1000, 3);
	unsigned long *bits = xmalloc(longs * sizeof(*bits));
	struct remap_entry e[] = { E(10, 0), E(500, 1), E(999, 2) };
	struct remap_entry keep[] = { E(10, 0) };

	(void)state;
	memset(bits, 0xa5, longs * sizeof(*bits));	/* init clears it */
	remap_summary_init(&s, bits, 1000, 3);
	assert_int_equal(s.nr_groups, 125);
	assert_false(remap_summary_maybe(&s, 0, 1000));
	remap_summary_add(&s, e, 3);
	assert_true(remap_summary_maybe(&s, 10, 1));
	/* Groups as the I/O path names them (unit 10 is in group 1). */
	assert_true(remap_summary_maybe_groups(&s, 1, 1));
	assert_false(remap_summary_maybe_groups(&s, 2, 2));
	assert_false(remap_summary_maybe_groups(&s, 2, 61));
	assert_true(remap_summary_maybe_groups(&s, 2, 62));	/* 500 */
	assert_true(remap_summary_maybe_groups(&s, 125, 125));	/* past */
	assert_true(remap_summary_maybe(&s, 8, 1));	/* same group */
	assert_false(remap_summary_maybe(&s, 16, 1));
	assert_false(remap_summary_maybe(&s, 16, 400));
	assert_true(remap_summary_maybe(&s, 16, 485));	/* reaches 500 */
	assert_true(remap_summary_maybe(&s, 0, 1000));
	assert_true(remap_summary_maybe(&s, 999, 1));
	/* Past the bitmap: always maybe. */
	assert_true(remap_summary_maybe(&s, 1000, 1));
	assert_true(remap_summary_maybe(&s, 990, 100));
	assert_true(remap_summary_maybe(&s, U64_MAX, 1));
	/* Drop 500 and 999: their groups clear, 10's stays. */
	remap_summary_drop(&s, keep, 1, e + 1, 2);
	assert_false(remap_summary_maybe(&s, 500, 1));
	assert_false(remap_summary_maybe(&s, 999, 1));
	assert_true(remap_summary_maybe(&s, 10, 1));
	/* Dropping 10 while 11 stays in the index keeps the group. */
	{
		struct remap_entry idx[] = { E(11, 5) };

		remap_summary_add(&s, idx, 1);
		remap_summary_drop(&s, idx, 1, keep, 1);
		assert_true(remap_summary_maybe(&s, 10, 1));
		remap_summary_drop(&s, NULL, 0, idx, 1);
		assert_false(remap_summary_maybe(&s, 0, 1000));
	}
	free(bits);
}

/* Ranges across word boundaries. */
static void test_words(void **state)
{
	u64 nl = 10 * BITS_PER_LONG;
	struct remap_summary s;
	size_t longs = remap_summary_longs(nl, 0);
	unsigned long *bits = xmalloc(longs * sizeof(*bits));
	u64 at = 3 * BITS_PER_LONG + 7, a, n;
	struct remap_entry e = E(at, 0);

	(void)state;
	remap_summary_init(&s, bits, nl, 0);
	remap_summary_add(&s, &e, 1);
	for (a = 0; a < nl; a++)
		for (n = 1; a + n <= nl; n += 5)
			assert_int_equal(remap_summary_maybe(&s, a, n),
					 a <= at && at < a + n);
	free(bits);
}

/*
 * The module's use: an index changed by sorted inserts and range deletes;
 * after each change every group with an entry must read "maybe", and with
 * this writer (bits recomputed on delete) every group without one "no".
 */
static void test_differential(void **state)
{
	enum { NL = 5000, ROUNDS = 3000 };
	struct remap_entry *idx = xmalloc(NL * sizeof(*idx));
	struct remap_entry *tmp = xmalloc(NL * sizeof(*tmp));
	struct remap_entry *gone = xmalloc(NL * sizeof(*gone));
	unsigned int shift, round;
	size_t n;
	unsigned int seed = 12345;

	(void)state;
	for (shift = 0; shift < 9; shift += 4) {
		struct remap_summary s;
		unsigned long *bits = xmalloc(remap_summary_longs(NL, shift) *
					      sizeof(*bits));

		remap_summary_init(&s, bits, NL, shift);
		n = 0;
		for (round = 0; round < ROUNDS; round++) {
			u64 a = rand_r(&seed) % NL, b = a + rand_r(&seed) % 40;
			size_t i, lo, hi, k;

			if (b >= NL)
				b = NL - 1;
			if (rand_r(&seed) % 3) {
				struct remap_entry ne = E(a, round);

				if (remap_index_insert_copy(tmp, idx, n, ne))
					continue;
				remap_summary_add(&s, &ne, 1);
				memcpy(idx, tmp, (n + 1) * sizeof(*idx));
				n++;
			} else {
				lo = remap_index_lower_bound(idx, n, a);
				hi = remap_index_lower_bound(idx, n, b + 1);
				memcpy(gone, idx + lo, (hi - lo) * sizeof(*gone));
				k = remap_index_delete_range_copy(tmp, idx, n, a,
								 b, NULL);
				assert_int_equal(k, hi - lo);
				n -= k;
				memcpy(idx, tmp, n * sizeof(*idx));
				remap_summary_drop(&s, idx, n, gone, k);
			}
			for (i = 0; i < 40; i++) {
				u64 f = rand_r(&seed) % NL, c = 1 + rand_r(&seed) % 70;
				bool any;

				if (f + c > NL)
					c = NL - f;
				lo = remap_index_lower_bound(idx, n, f);
				any = lo < n && idx[lo].lunit < f + c;
				if (any)
					assert_true(remap_summary_maybe(&s, f, c));
				if (!shift)
					assert_int_equal(remap_summary_maybe(&s, f, c), any);
			}
		}
		free(bits);
	}
	free(idx);
	free(tmp);
	free(gone);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_shift),
	cmocka_unit_test(test_basic),
	cmocka_unit_test(test_words),
	cmocka_unit_test(test_differential),
};

TEST_MAIN(tests)
