// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_spare_pool.c - unit tests of core/spare_pool.c, including a
 * randomized differential test against a naive model.
 */
#include "test_common.h"
#include "spare_pool.h"
#include "core_test_only.h"

/* A bitmap of exactly the size the pool asks for, filled with garbage. */
static unsigned long *new_bitmap(u64 nr_units)
{
	size_t longs = spare_pool_bitmap_longs(nr_units);
	unsigned long *b = xmalloc(longs * sizeof(*b));

	memset(b, 0xa5, longs * sizeof(*b));
	return b;
}

static void assert_alloc(struct spare_pool *p, u64 want)
{
	u64 u = U64_MAX;

	assert_int_equal(spare_pool_alloc(p, &u), 0);
	assert_int_equal(u, want);
	assert_true(spare_pool_is_used(p, want));
}

static void assert_full(struct spare_pool *p)
{
	u64 u = 4242;

	assert_int_equal(spare_pool_alloc(p, &u), -ENOSPC);
	assert_int_equal(u, 4242);
	assert_int_equal(spare_pool_free_units(p), 0);
}

static void test_bitmap_longs(void **state)
{
	const u64 bpl = BITS_PER_LONG;

	(void)state;
	assert_int_equal(spare_pool_bitmap_longs(0), 0);
	assert_int_equal(spare_pool_bitmap_longs(1), 1);
	assert_int_equal(spare_pool_bitmap_longs(bpl - 1), 1);
	assert_int_equal(spare_pool_bitmap_longs(bpl), 1);
	assert_int_equal(spare_pool_bitmap_longs(bpl + 1), 2);
	assert_int_equal(spare_pool_bitmap_longs(1000 * bpl), 1000);
	if (sizeof(size_t) == 8)
		assert_int_equal(spare_pool_bitmap_longs(U64_MAX),
				 U64_MAX / bpl + 1);
}

static void test_init(void **state)
{
	struct spare_pool p;
	unsigned long *b = new_bitmap(130);
	u64 i;

	(void)state;
	memset(&p, 0x5a, sizeof(p));
	spare_pool_init(&p, b, 130);
	assert_int_equal(p.nr_units, 130);
	assert_int_equal(p.nr_used, 0);
	assert_int_equal(p.hint, 0);
	assert_ptr_equal(p.used, b);
	assert_int_equal(spare_pool_free_units(&p), 130);
	for (i = 0; i < 130; i++)
		assert_false(spare_pool_is_used(&p, i));
	assert_false(spare_pool_is_used(&p, 130));
	assert_false(spare_pool_is_used(&p, U64_MAX));
	free(b);
}

static void test_empty_pool(void **state)
{
	struct spare_pool p;

	(void)state;
	spare_pool_init(&p, NULL, 0);
	assert_full(&p);
	assert_int_equal(spare_pool_claim(&p, 0), -ERANGE);
	assert_int_equal(spare_pool_free(&p, 0), -ERANGE);
	assert_false(spare_pool_is_used(&p, 0));
}

static void test_alloc_order_and_enospc(void **state)
{
	static const u64 sizes[] = { 1, 2, 63, 64, 65, 130, 200 };
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		unsigned long *b = new_bitmap(sizes[k]);
		struct spare_pool p;
		u64 i;

		spare_pool_init(&p, b, sizes[k]);
		for (i = 0; i < sizes[k]; i++) {
			assert_alloc(&p, i);
			assert_int_equal(p.nr_used, i + 1);
			assert_int_equal(spare_pool_free_units(&p),
					 sizes[k] - i - 1);
		}
		assert_full(&p);
		assert_full(&p);
		free(b);
	}
}

static void test_free_realloc_lowest(void **state)
{
	unsigned long *b = new_bitmap(100);
	struct spare_pool p;
	u64 i;

	(void)state;
	spare_pool_init(&p, b, 100);
	for (i = 0; i < 100; i++)
		assert_alloc(&p, i);
	assert_int_equal(spare_pool_free(&p, 70), 0);
	assert_int_equal(spare_pool_free(&p, 5), 0);
	assert_int_equal(spare_pool_free(&p, 64), 0);
	assert_int_equal(spare_pool_free(&p, 99), 0);
	assert_int_equal(p.nr_used, 96);
	assert_true(p.hint <= 5);
	assert_false(spare_pool_is_used(&p, 5));
	assert_alloc(&p, 5);
	assert_alloc(&p, 64);
	assert_alloc(&p, 70);
	assert_alloc(&p, 99);
	assert_full(&p);

	/* Freeing the same unit twice. */
	assert_int_equal(spare_pool_free(&p, 0), 0);
	assert_int_equal(spare_pool_free(&p, 0), -ENOENT);
	assert_int_equal(spare_pool_free(&p, 100), -ERANGE);
	assert_int_equal(spare_pool_free(&p, U64_MAX), -ERANGE);
	assert_int_equal(p.nr_used, 99);
	assert_alloc(&p, 0);
	free(b);
}

static void test_free_unallocated(void **state)
{
	unsigned long *b = new_bitmap(10);
	struct spare_pool p;

	(void)state;
	spare_pool_init(&p, b, 10);
	assert_int_equal(spare_pool_free(&p, 3), -ENOENT);
	assert_int_equal(p.nr_used, 0);
	assert_alloc(&p, 0);
	free(b);
}

static void test_claim(void **state)
{
	unsigned long *b = new_bitmap(70);
	struct spare_pool p;

	(void)state;
	spare_pool_init(&p, b, 70);
	assert_int_equal(spare_pool_claim(&p, 0), 0);
	assert_int_equal(spare_pool_claim(&p, 2), 0);
	assert_int_equal(spare_pool_claim(&p, 69), 0);
	assert_int_equal(spare_pool_claim(&p, 2), -EEXIST);
	assert_int_equal(spare_pool_claim(&p, 70), -ERANGE);
	assert_int_equal(spare_pool_claim(&p, U64_MAX), -ERANGE);
	assert_int_equal(p.nr_used, 3);
	assert_true(spare_pool_is_used(&p, 69));
	assert_alloc(&p, 1);
	assert_alloc(&p, 3);
	/* Claim right at the hint, then allocate past it. */
	assert_int_equal(spare_pool_claim(&p, 4), 0);
	assert_alloc(&p, 5);
	/* Claimed units can be freed and handed out again. */
	assert_int_equal(spare_pool_free(&p, 2), 0);
	assert_alloc(&p, 2);
	assert_alloc(&p, 6);
	free(b);
}

static void test_claim_all_then_alloc(void **state)
{
	unsigned long *b = new_bitmap(65);
	struct spare_pool p;
	u64 i;

	(void)state;
	spare_pool_init(&p, b, 65);
	for (i = 65; i-- > 0; )
		assert_int_equal(spare_pool_claim(&p, i), 0);
	assert_full(&p);
	assert_int_equal(spare_pool_free(&p, 64), 0);
	assert_alloc(&p, 64);
	assert_full(&p);
	free(b);
}

static void test_resize_grow_keeps_used(void **state)
{
	unsigned long *b = new_bitmap(10), *b2 = new_bitmap(200);
	struct spare_pool p;
	u64 i;

	(void)state;
	spare_pool_init(&p, b, 10);
	for (i = 0; i < 10; i++)
		assert_alloc(&p, i);
	assert_full(&p);
	assert_int_equal(spare_pool_free(&p, 4), 0);
	assert_int_equal(spare_pool_resize(&p, b2, 200), 0);
	assert_ptr_equal(p.used, b2);
	assert_int_equal(p.nr_units, 200);
	assert_int_equal(p.nr_used, 9);
	assert_int_equal(spare_pool_free_units(&p), 191);
	for (i = 0; i < 10; i++)
		assert_int_equal(spare_pool_is_used(&p, i), i != 4);
	/* The garbage in the new bitmap was cleared. */
	for (i = 10; i < 200; i++)
		assert_false(spare_pool_is_used(&p, i));
	assert_alloc(&p, 4);
	for (i = 10; i < 200; i++)
		assert_alloc(&p, i);
	assert_full(&p);
	free(b);
	free(b2);
}

static void test_resize_shrink(void **state)
{
	unsigned long *b = new_bitmap(200), *b2 = new_bitmap(70);
	unsigned long *b3 = new_bitmap(0);
	struct spare_pool p;
	u64 i;

	(void)state;
	spare_pool_init(&p, b, 200);
	for (i = 0; i < 70; i++)
		assert_alloc(&p, i);
	assert_int_equal(spare_pool_free(&p, 69), 0);
	assert_int_equal(spare_pool_free(&p, 30), 0);
	for (i = 70; i < 100; i++)
		assert_int_equal(spare_pool_claim(&p, i), 0);
	for (i = 70; i < 100; i++)
		assert_int_equal(spare_pool_free(&p, i), 0);
	/* Hint beyond the new size must be pulled back. */
	assert_int_equal(spare_pool_resize(&p, b2, 70), 0);
	assert_int_equal(p.nr_units, 70);
	assert_int_equal(p.nr_used, 68);
	assert_true(p.hint <= 30);
	assert_alloc(&p, 30);
	assert_alloc(&p, 69);
	assert_full(&p);

	/* Empty pool shrinks to nothing. */
	for (i = 0; i < 70; i++)
		assert_int_equal(spare_pool_free(&p, i), 0);
	assert_int_equal(spare_pool_resize(&p, b3, 0), 0);
	assert_int_equal(p.nr_units, 0);
	assert_full(&p);
	free(b);
	free(b2);
	free(b3);
}

static void test_resize_shrink_refused(void **state)
{
	unsigned long *b = new_bitmap(200), *b2 = new_bitmap(150);
	unsigned long copy[4];
	struct spare_pool p, before;
	size_t longs = spare_pool_bitmap_longs(200);

	(void)state;
	assert_true(longs <= 4);
	spare_pool_init(&p, b, 200);
	assert_int_equal(spare_pool_claim(&p, 150), 0);
	assert_int_equal(spare_pool_claim(&p, 3), 0);
	memcpy(copy, b, longs * sizeof(*b));
	before = p;

	assert_int_equal(spare_pool_resize(&p, b2, 150), -EINVAL);
	assert_int_equal(spare_pool_resize(&p, b2, 100), -EINVAL);
	assert_int_equal(spare_pool_resize(&p, b2, 0), -EINVAL);
	/* Nothing changed. */
	assert_memory_equal(&p, &before, sizeof(p));
	assert_memory_equal(b, copy, longs * sizeof(*b));

	/* The last used unit just fits. */
	assert_int_equal(spare_pool_resize(&p, b2, 151), 0);
	assert_true(spare_pool_is_used(&p, 150));
	assert_true(spare_pool_is_used(&p, 3));
	assert_int_equal(p.nr_used, 2);
	free(b);
	free(b2);
}

static void test_resize_same_bitmap(void **state)
{
	unsigned long *b = new_bitmap(256);
	struct spare_pool p;
	u64 i;

	(void)state;
	/* The caller may keep its (big enough) bitmap. */
	spare_pool_init(&p, b, 64);
	for (i = 0; i < 64; i++)
		assert_alloc(&p, i);
	assert_int_equal(spare_pool_resize(&p, b, 256), 0);
	assert_int_equal(p.nr_used, 64);
	for (i = 64; i < 256; i++)
		assert_alloc(&p, i);
	assert_full(&p);
	free(b);
}

static void test_fits(void **state)
{
	unsigned long *b = new_bitmap(130);
	struct spare_pool p;

	(void)state;
	spare_pool_init(&p, NULL, 0);
	assert_true(spare_pool_fits(&p, 0));
	assert_true(spare_pool_fits(&p, U64_MAX));

	spare_pool_init(&p, b, 130);
	assert_true(spare_pool_fits(&p, 0));
	assert_true(spare_pool_fits(&p, 130));
	assert_true(spare_pool_fits(&p, U64_MAX));
	assert_int_equal(spare_pool_claim(&p, 70), 0);
	assert_false(spare_pool_fits(&p, 0));
	assert_false(spare_pool_fits(&p, 64));
	assert_false(spare_pool_fits(&p, 70));
	assert_true(spare_pool_fits(&p, 71));
	assert_true(spare_pool_fits(&p, 128));
	assert_int_equal(spare_pool_claim(&p, 129), 0);
	assert_false(spare_pool_fits(&p, 128));
	assert_false(spare_pool_fits(&p, 129));
	assert_true(spare_pool_fits(&p, 130));
	assert_true(spare_pool_fits(&p, 200));
	free(b);
}

/* ---- randomized differential test ---- */

#define MAXU 300

static void test_pool_differential(void **state)
{
	static bool used[MAXU];
	uint64_t rs = 0xa110c8ed;
	unsigned long *bm;
	struct spare_pool p;
	u64 nr = 100, nused = 0;
	int op;

	(void)state;
	bm = new_bitmap(nr);
	spare_pool_init(&p, bm, nr);
	memset(used, 0, sizeof(used));

	for (op = 0; op < 20000; op++) {
		unsigned int what = (unsigned int)rng_below(&rs, 100);
		u64 u = rng_below(&rs, nr + 3), got, i;
		int r;

		if (what < 35) {
			for (i = 0; i < nr && used[i]; i++)
				;
			r = spare_pool_alloc(&p, &got);
			if (i == nr) {
				assert_int_equal(r, -ENOSPC);
			} else {
				assert_int_equal(r, 0);
				assert_int_equal(got, i);
				used[i] = true;
				nused++;
			}
		} else if (what < 65) {
			r = spare_pool_free(&p, u);
			if (u >= nr) {
				assert_int_equal(r, -ERANGE);
			} else if (!used[u]) {
				assert_int_equal(r, -ENOENT);
			} else {
				assert_int_equal(r, 0);
				used[u] = false;
				nused--;
			}
		} else if (what < 80) {
			r = spare_pool_claim(&p, u);
			if (u >= nr) {
				assert_int_equal(r, -ERANGE);
			} else if (used[u]) {
				assert_int_equal(r, -EEXIST);
			} else {
				assert_int_equal(r, 0);
				used[u] = true;
				nused++;
			}
		} else if (what < 90) {
			assert_int_equal(spare_pool_is_used(&p, u),
					 u < nr && used[u]);
		} else if (what < 95) {
			bool fits = true;

			for (i = u; i < nr; i++)
				if (used[i])
					fits = false;
			assert_int_equal(spare_pool_fits(&p, u), fits);
		} else {
			u64 new_nr = rng_below(&rs, MAXU + 1);
			unsigned long *nb = new_bitmap(new_nr);
			bool fits = true;

			for (i = new_nr; i < nr; i++)
				if (used[i])
					fits = false;
			r = spare_pool_resize(&p, nb, new_nr);
			if (!fits) {
				assert_int_equal(r, -EINVAL);
				assert_ptr_equal(p.used, bm);
				assert_int_equal(p.nr_units, nr);
				free(nb);
			} else {
				assert_int_equal(r, 0);
				free(bm);
				bm = nb;
				for (i = nr; i < new_nr; i++)
					used[i] = false;
				nr = new_nr;
			}
		}
		assert_int_equal(p.nr_used, nused);
		assert_int_equal(p.nr_units, nr);
		assert_int_equal(spare_pool_free_units(&p), nr - nused);
		/* The hint invariant: nothing free below it. */
		for (i = 0; i < p.hint && i < nr; i++)
			assert_true(used[i]);
		assert_true(p.hint <= nr);
	}
	free(bm);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_bitmap_longs),
	cmocka_unit_test(test_init),
	cmocka_unit_test(test_empty_pool),
	cmocka_unit_test(test_alloc_order_and_enospc),
	cmocka_unit_test(test_free_realloc_lowest),
	cmocka_unit_test(test_free_unallocated),
	cmocka_unit_test(test_claim),
	cmocka_unit_test(test_claim_all_then_alloc),
	cmocka_unit_test(test_resize_grow_keeps_used),
	cmocka_unit_test(test_resize_shrink),
	cmocka_unit_test(test_resize_shrink_refused),
	cmocka_unit_test(test_resize_same_bitmap),
	cmocka_unit_test(test_fits),
	cmocka_unit_test(test_pool_differential),
};

TEST_MAIN(tests)
