// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_index.c - unit tests of core/remap_index.c, including a randomized
 * differential test against a naive model.
 */
#include "test_common.h"
#include "remap_index.h"
#include "core_test_only.h"

#define E(l, s) ((struct remap_entry){ .lunit = (l), .sunit = (s) })

static void assert_entries(const struct remap_entry *got,
			   const struct remap_entry *want, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		assert_int_equal(got[i].lunit, want[i].lunit);
		assert_int_equal(got[i].sunit, want[i].sunit);
	}
}

/* Heap copy of exactly @n entries, so ASan sees any overrun. */
static struct remap_entry *dup_entries(const struct remap_entry *e, size_t n)
{
	struct remap_entry *d = xmalloc(n * sizeof(*d));

	if (n)
		memcpy(d, e, n * sizeof(*d));
	return d;
}

/* ---- lower_bound / lookup ---- */

/* The module's moving/pending/doubt sets, against a bitmap model. */
static void test_uset_model(void **state)
{
	enum { CAP = 16, RANGE = 40 };
	u64 set[CAP + 1];
	bool model[RANGE] = { false };
	unsigned int nr = 0, i, n, cnt;
	u64 u, first, len, want;
	unsigned long rnd = 12345;

	(void)state;
	set[CAP] = 0xdeadbeef;		/* must never be written */
	for (i = 0; i < 20000; i++) {
		rnd = rnd * 6364136223846793005UL + 1442695040888963407UL;
		u = (rnd >> 33) % RANGE;
		for (n = 0, cnt = 0; n < RANGE; n++)
			cnt += model[n];
		switch ((rnd >> 20) % 4) {
		case 0:
			assert_int_equal(remap_uset_add(set, &nr, CAP, u),
					 model[u] || cnt < CAP);
			if (cnt < CAP)
				model[u] = true;
			break;
		case 1:
			assert_int_equal(remap_uset_del(set, &nr, u), model[u]);
			model[u] = false;
			break;
		case 2:
			assert_int_equal(remap_uset_has(set, nr, u), model[u]);
			break;
		default:
			first = u;
			len = (rnd >> 40) % 12;
			want = U64_MAX;
			for (n = (unsigned int)first; n < first + len && n < RANGE; n++)
				if (model[n]) {
					want = n;
					break;
				}
			assert_true(remap_uset_first_in(set, nr, first, len) == want);
		}
		for (n = 0, cnt = 0; n < RANGE; n++)
			cnt += model[n];
		assert_int_equal(nr, cnt);
		for (n = 1; n < nr; n++)
			assert_true(set[n - 1] < set[n]);
		assert_true(set[CAP] == 0xdeadbeef);
	}
	/* first_in near the top of the range does not wrap. */
	nr = 0;
	assert_true(remap_uset_add(set, &nr, CAP, U64_MAX - 1));
	assert_true(remap_uset_first_in(set, nr, U64_MAX - 3, 2) == U64_MAX);
	assert_true(remap_uset_first_in(set, nr, U64_MAX - 3, 3) == U64_MAX - 1);
	assert_true(remap_uset_first_in(set, nr, 0, U64_MAX) == U64_MAX - 1);
}

static void test_lower_bound_empty(void **state)
{
	(void)state;
	assert_int_equal(remap_index_lower_bound(NULL, 0, 0), 0);
	assert_int_equal(remap_index_lower_bound(NULL, 0, U64_MAX), 0);
}

static void test_lower_bound_one(void **state)
{
	struct remap_entry e[] = { E(10, 0) };

	(void)state;
	assert_int_equal(remap_index_lower_bound(e, 1, 0), 0);
	assert_int_equal(remap_index_lower_bound(e, 1, 9), 0);
	assert_int_equal(remap_index_lower_bound(e, 1, 10), 0);
	assert_int_equal(remap_index_lower_bound(e, 1, 11), 1);
	assert_int_equal(remap_index_lower_bound(e, 1, U64_MAX), 1);
}

static void test_lower_bound_many(void **state)
{
	struct remap_entry e[] = {
		E(0, 5), E(2, 6), E(4, 7), E(6, 8), E(U64_MAX, 9)
	};

	(void)state;
	assert_int_equal(remap_index_lower_bound(e, 5, 0), 0);
	assert_int_equal(remap_index_lower_bound(e, 5, 1), 1);
	assert_int_equal(remap_index_lower_bound(e, 5, 2), 1);
	assert_int_equal(remap_index_lower_bound(e, 5, 3), 2);
	assert_int_equal(remap_index_lower_bound(e, 5, 6), 3);
	assert_int_equal(remap_index_lower_bound(e, 5, 7), 4);
	assert_int_equal(remap_index_lower_bound(e, 5, U64_MAX - 1), 4);
	assert_int_equal(remap_index_lower_bound(e, 5, U64_MAX), 4);
	/* A prefix of the array is an index too. */
	assert_int_equal(remap_index_lower_bound(e, 4, U64_MAX), 4);
}

static void test_lookup(void **state)
{
	struct remap_entry e[] = { E(0, 100), E(7, 3), E(U64_MAX, U64_MAX) };
	u64 s = 12345;

	(void)state;
	assert_false(remap_index_lookup(NULL, 0, 0, &s));
	assert_int_equal(s, 12345);
	assert_true(remap_index_lookup(e, 3, 0, &s));
	assert_int_equal(s, 100);
	assert_true(remap_index_lookup(e, 3, 7, &s));
	assert_int_equal(s, 3);
	assert_true(remap_index_lookup(e, 3, U64_MAX, &s));
	assert_int_equal(s, U64_MAX);
	s = 42;
	assert_false(remap_index_lookup(e, 3, 1, &s));
	assert_false(remap_index_lookup(e, 3, 6, &s));
	assert_false(remap_index_lookup(e, 3, 8, &s));
	assert_false(remap_index_lookup(e, 3, U64_MAX - 1, &s));
	assert_false(remap_index_lookup(e, 2, U64_MAX, &s));
	assert_int_equal(s, 42);
}

/* ---- run ---- */

static u64 run(const struct remap_entry *e, size_t n, u64 first, u64 max,
	       bool *rm, u64 *s)
{
	*rm = true;
	*s = 0xdead;
	return remap_index_run(e, n, first, max, rm, s);
}

static void test_run_zero_max(void **state)
{
	struct remap_entry e[] = { E(5, 1) };
	bool rm;
	u64 s;

	(void)state;
	assert_int_equal(run(NULL, 0, 0, 0, &rm, &s), 0);
	assert_int_equal(run(e, 1, 5, 0, &rm, &s), 0);
	assert_int_equal(run(e, 1, 0, 0, &rm, &s), 0);
}

static void test_run_empty(void **state)
{
	bool rm;
	u64 s;

	(void)state;
	assert_int_equal(run(NULL, 0, 0, 1, &rm, &s), 1);
	assert_false(rm);
	assert_int_equal(run(NULL, 0, 123, 1000, &rm, &s), 1000);
	assert_false(rm);
	assert_int_equal(run(NULL, 0, U64_MAX, U64_MAX, &rm, &s), U64_MAX);
	assert_false(rm);
}

static void test_run_plain(void **state)
{
	struct remap_entry e[] = { E(10, 0), E(20, 1) };
	bool rm;
	u64 s;

	(void)state;
	/* Ends at the next remapped unit... */
	assert_int_equal(run(e, 2, 0, 100, &rm, &s), 10);
	assert_false(rm);
	assert_int_equal(run(e, 2, 9, 100, &rm, &s), 1);
	assert_false(rm);
	assert_int_equal(run(e, 2, 11, 100, &rm, &s), 9);
	assert_false(rm);
	/* ...or at max_units... */
	assert_int_equal(run(e, 2, 0, 3, &rm, &s), 3);
	assert_false(rm);
	assert_int_equal(run(e, 2, 0, 10, &rm, &s), 10);
	assert_int_equal(run(e, 2, 0, 11, &rm, &s), 10);
	/* ...or never, past the last entry. */
	assert_int_equal(run(e, 2, 21, 7, &rm, &s), 7);
	assert_false(rm);
	assert_int_equal(run(e, 2, 21, U64_MAX, &rm, &s), U64_MAX);
	assert_false(rm);
}

static void test_run_plain_extremes(void **state)
{
	struct remap_entry e[] = { E(U64_MAX, 0) };
	bool rm;
	u64 s;

	(void)state;
	assert_int_equal(run(e, 1, 0, U64_MAX, &rm, &s), U64_MAX);
	assert_false(rm);
	assert_int_equal(run(e, 1, 1, U64_MAX, &rm, &s), U64_MAX - 1);
	assert_int_equal(run(e, 1, U64_MAX - 1, U64_MAX, &rm, &s), 1);
	assert_false(rm);
	assert_int_equal(run(e, 1, U64_MAX, U64_MAX, &rm, &s), 1);
	assert_true(rm);
	assert_int_equal(s, 0);
}

static void test_run_remapped(void **state)
{
	/* 3..6 -> 10..13 contiguous; 7 -> 20 breaks; 8 -> 21; 10 -> 22. */
	struct remap_entry e[] = {
		E(3, 10), E(4, 11), E(5, 12), E(6, 13), E(7, 20), E(8, 21),
		E(10, 22),
	};
	bool rm;
	u64 s;

	(void)state;
	assert_int_equal(run(e, 7, 3, 100, &rm, &s), 4);
	assert_true(rm);
	assert_int_equal(s, 10);
	assert_int_equal(run(e, 7, 5, 100, &rm, &s), 2);
	assert_true(rm);
	assert_int_equal(s, 12);
	assert_int_equal(run(e, 7, 3, 2, &rm, &s), 2);
	assert_true(rm);
	assert_int_equal(s, 10);
	assert_int_equal(run(e, 7, 3, 1, &rm, &s), 1);
	assert_int_equal(run(e, 7, 6, 100, &rm, &s), 1);
	assert_int_equal(s, 13);
	/* Spare discontinuity at 7, then a logical gap after 8. */
	assert_int_equal(run(e, 7, 7, 100, &rm, &s), 2);
	assert_true(rm);
	assert_int_equal(s, 20);
	assert_int_equal(run(e, 7, 9, 100, &rm, &s), 1);
	assert_false(rm);
	assert_int_equal(run(e, 7, 10, 100, &rm, &s), 1);
	assert_true(rm);
	assert_int_equal(s, 22);
	/* First and last entries. */
	assert_int_equal(run(e, 7, 0, 100, &rm, &s), 3);
	assert_false(rm);
	assert_int_equal(run(e, 7, 11, 100, &rm, &s), 100);
	assert_false(rm);
}

static void test_run_spare_wrap(void **state)
{
	/* U64_MAX + 1 wraps to 0 but is not the next spare unit. */
	struct remap_entry e[] = { E(1, U64_MAX), E(2, 0) };
	struct remap_entry f[] = { E(U64_MAX - 1, 4), E(U64_MAX, 5) };
	bool rm;
	u64 s;

	(void)state;
	assert_int_equal(run(e, 2, 1, 10, &rm, &s), 1);
	assert_true(rm);
	assert_int_equal(s, U64_MAX);
	assert_int_equal(run(f, 2, U64_MAX - 1, U64_MAX, &rm, &s), 2);
	assert_true(rm);
	assert_int_equal(s, 4);
}

/* ---- insert_copy / delete_copy ---- */

static void test_insert_empty(void **state)
{
	struct remap_entry *d = xmalloc(sizeof(*d));

	(void)state;
	assert_int_equal(remap_index_insert_copy(d, NULL, 0, E(5, 6)), 0);
	assert_int_equal(d[0].lunit, 5);
	assert_int_equal(d[0].sunit, 6);
	free(d);
}

static void test_insert_positions(void **state)
{
	struct remap_entry src[] = { E(10, 1), E(20, 2), E(30, 3) };
	struct remap_entry *s = dup_entries(src, 3);
	struct remap_entry *d = xmalloc(4 * sizeof(*d));
	struct remap_entry front[] = { E(0, 9), E(10, 1), E(20, 2), E(30, 3) };
	struct remap_entry mid[] = { E(10, 1), E(15, 9), E(20, 2), E(30, 3) };
	struct remap_entry end[] = {
		E(10, 1), E(20, 2), E(30, 3), E(U64_MAX, 9)
	};

	(void)state;
	assert_int_equal(remap_index_insert_copy(d, s, 3, E(0, 9)), 0);
	assert_entries(d, front, 4);
	assert_int_equal(remap_index_insert_copy(d, s, 3, E(15, 9)), 0);
	assert_entries(d, mid, 4);
	assert_int_equal(remap_index_insert_copy(d, s, 3, E(U64_MAX, 9)), 0);
	assert_entries(d, end, 4);
	/* Source untouched. */
	assert_entries(s, src, 3);
	free(s);
	free(d);
}

static void test_insert_exists(void **state)
{
	struct remap_entry src[] = { E(0, 1), E(20, 2), E(U64_MAX, 3) };
	struct remap_entry d[4];

	(void)state;
	assert_int_equal(remap_index_insert_copy(d, src, 3, E(0, 7)), -EEXIST);
	assert_int_equal(remap_index_insert_copy(d, src, 3, E(20, 7)),
			 -EEXIST);
	assert_int_equal(remap_index_insert_copy(d, src, 3, E(U64_MAX, 7)),
			 -EEXIST);
}

static void test_insert_in_place(void **state)
{
	struct remap_entry e[4] = { E(10, 1), E(20, 2), E(30, 3) };
	struct remap_entry want[] = { E(10, 1), E(20, 2), E(25, 9), E(30, 3) };

	(void)state;
	assert_int_equal(remap_index_insert_copy(e, e, 3, E(25, 9)), 0);
	assert_entries(e, want, 4);
}

static void test_delete(void **state)
{
	struct remap_entry src[] = { E(0, 1), E(20, 2), E(U64_MAX, 3) };
	struct remap_entry d2[2];
	struct remap_entry *d0;
	struct remap_entry nofirst[] = { E(20, 2), E(U64_MAX, 3) };
	struct remap_entry nomid[] = { E(0, 1), E(U64_MAX, 3) };
	struct remap_entry nolast[] = { E(0, 1), E(20, 2) };
	u64 s = 0;

	(void)state;
	assert_int_equal(remap_index_delete_copy(d2, src, 3, 0, &s), 0);
	assert_int_equal(s, 1);
	assert_entries(d2, nofirst, 2);
	assert_int_equal(remap_index_delete_copy(d2, src, 3, 20, &s), 0);
	assert_int_equal(s, 2);
	assert_entries(d2, nomid, 2);
	assert_int_equal(remap_index_delete_copy(d2, src, 3, U64_MAX, &s), 0);
	assert_int_equal(s, 3);
	assert_entries(d2, nolast, 2);

	/* Down to nothing: a zero-sized destination. */
	d0 = xmalloc(0);
	assert_int_equal(remap_index_delete_copy(d0, src + 1, 1, 20, &s), 0);
	assert_int_equal(s, 2);
	free(d0);
}

static void test_delete_missing(void **state)
{
	struct remap_entry src[] = { E(5, 1), E(7, 2) };
	struct remap_entry d[2];
	u64 s = 99;

	(void)state;
	assert_int_equal(remap_index_delete_copy(d, NULL, 0, 0, &s), -ENOENT);
	assert_int_equal(remap_index_delete_copy(d, src, 2, 6, &s), -ENOENT);
	assert_int_equal(remap_index_delete_copy(d, src, 2, 0, &s), -ENOENT);
	assert_int_equal(remap_index_delete_copy(d, src, 2, U64_MAX, &s),
			 -ENOENT);
	assert_int_equal(s, 99);
}

static void test_delete_in_place(void **state)
{
	struct remap_entry e[] = { E(1, 1), E(2, 2), E(3, 3), E(4, 4) };
	struct remap_entry want[] = { E(1, 1), E(3, 3), E(4, 4) };
	u64 s;

	(void)state;
	assert_int_equal(remap_index_delete_copy(e, e, 4, 2, &s), 0);
	assert_int_equal(s, 2);
	assert_entries(e, want, 3);
}

/* ---- delete_range_copy ---- */

static void test_delete_range_empty(void **state)
{
	u64 dropped[1] = { 42 };

	(void)state;
	assert_int_equal(remap_index_delete_range_copy(NULL, NULL, 0, 0,
						       U64_MAX, dropped), 0);
	assert_int_equal(remap_index_delete_range_copy(NULL, NULL, 0, 5, 1,
						       NULL), 0);
	assert_int_equal(dropped[0], 42);
}

static void test_delete_range(void **state)
{
	struct remap_entry src[] = {
		E(0, 10), E(3, 13), E(4, 14), E(9, 19), E(U64_MAX, 99)
	};
	struct remap_entry *d = xmalloc(5 * sizeof(*d));
	u64 *dr = xmalloc(5 * sizeof(*dr));
	struct remap_entry mid[] = { E(0, 10), E(9, 19), E(U64_MAX, 99) };
	struct remap_entry tail[] = { E(0, 10), E(3, 13), E(4, 14) };
	struct remap_entry head[] = { E(4, 14), E(9, 19), E(U64_MAX, 99) };

	(void)state;
	/* Nothing in range: a plain copy. */
	assert_int_equal(remap_index_delete_range_copy(d, src, 5, 5, 8, dr),
			 0);
	assert_entries(d, src, 5);
	/* first > last: an empty range. */
	assert_int_equal(remap_index_delete_range_copy(d, src, 5, 4, 3, dr),
			 0);
	assert_entries(d, src, 5);
	/* Middle, bounds inclusive. */
	assert_int_equal(remap_index_delete_range_copy(d, src, 5, 3, 4, dr),
			 2);
	assert_entries(d, mid, 3);
	assert_int_equal(dr[0], 13);
	assert_int_equal(dr[1], 14);
	/* Wider than the entries it hits. */
	assert_int_equal(remap_index_delete_range_copy(d, src, 5, 1, 8, dr),
			 2);
	assert_entries(d, mid, 3);
	/* A single unit. */
	assert_int_equal(remap_index_delete_range_copy(d, src, 5, 9, 9, dr),
			 1);
	assert_int_equal(dr[0], 19);
	assert_int_equal(d[3].lunit, U64_MAX);
	/* The tail, up to U64_MAX inclusive. */
	assert_int_equal(remap_index_delete_range_copy(d, src, 5, 5, U64_MAX,
						       dr), 2);
	assert_entries(d, tail, 3);
	assert_int_equal(dr[0], 19);
	assert_int_equal(dr[1], 99);
	assert_int_equal(remap_index_delete_range_copy(d, src, 5, U64_MAX,
						       U64_MAX, dr), 1);
	assert_int_equal(dr[0], 99);
	/* The head, from 0. */
	assert_int_equal(remap_index_delete_range_copy(d, src, 5, 0, 3, dr),
			 2);
	assert_entries(d, head, 3);
	assert_int_equal(dr[0], 10);
	assert_int_equal(dr[1], 13);
	/* Everything, with no room asked for the dropped units. */
	assert_int_equal(remap_index_delete_range_copy(d, src, 5, 0, U64_MAX,
						       NULL), 5);
	free(d);
	free(dr);
}

static void test_delete_range_in_place(void **state)
{
	struct remap_entry e[] = { E(1, 1), E(2, 2), E(3, 3), E(4, 4),
				   E(5, 5) };
	struct remap_entry want[] = { E(1, 1), E(5, 5) };
	u64 dr[5];

	(void)state;
	assert_int_equal(remap_index_delete_range_copy(e, e, 5, 2, 4, dr), 3);
	assert_entries(e, want, 2);
	assert_int_equal(dr[0], 2);
	assert_int_equal(dr[1], 3);
	assert_int_equal(dr[2], 4);
}

/* ---- merge ---- */

static void test_merge_empty(void **state)
{
	struct remap_entry a[] = { E(1, 1), E(3, 3) };
	struct remap_entry d[2];

	(void)state;
	assert_int_equal(remap_index_merge(NULL, NULL, 0, NULL, 0), 0);
	assert_int_equal(remap_index_merge(d, a, 2, NULL, 0), 0);
	assert_entries(d, a, 2);
	memset(d, 0, sizeof(d));
	assert_int_equal(remap_index_merge(d, NULL, 0, a, 2), 0);
	assert_entries(d, a, 2);
}

static void test_merge_interleave(void **state)
{
	struct remap_entry a[] = { E(0, 0), E(4, 4), E(5, 5), E(U64_MAX, 9) };
	struct remap_entry b[] = { E(1, 1), E(2, 2), E(6, 6) };
	struct remap_entry want[] = {
		E(0, 0), E(1, 1), E(2, 2), E(4, 4), E(5, 5), E(6, 6),
		E(U64_MAX, 9),
	};
	struct remap_entry *d = xmalloc(7 * sizeof(*d));

	(void)state;
	assert_int_equal(remap_index_merge(d, a, 4, b, 3), 0);
	assert_entries(d, want, 7);
	assert_int_equal(remap_index_merge(d, b, 3, a, 4), 0);
	assert_entries(d, want, 7);
	free(d);
}

static void test_merge_exists(void **state)
{
	struct remap_entry a[] = { E(0, 0), E(4, 4), E(U64_MAX, 9) };
	struct remap_entry b[] = { E(1, 1), E(4, 7) };
	struct remap_entry c[] = { E(U64_MAX, 1) };
	struct remap_entry d[5];

	(void)state;
	assert_int_equal(remap_index_merge(d, a, 3, b, 2), -EEXIST);
	assert_int_equal(remap_index_merge(d, b, 2, a, 3), -EEXIST);
	assert_int_equal(remap_index_merge(d, a, 3, c, 1), -EEXIST);
	assert_int_equal(remap_index_merge(d, a, 1, a, 1), -EEXIST);
}

/* ---- validate ---- */

static void test_validate_ok(void **state)
{
	struct remap_entry e[] = { E(0, 64), E(5, 0), E(9, 63) };
	unsigned long *seen = xmalloc(2 * sizeof(*seen));

	(void)state;
	memset(seen, 0xff, 2 * sizeof(*seen));
	assert_int_equal(remap_index_validate(NULL, 0, 0, 0, NULL), 0);
	assert_int_equal(remap_index_validate(NULL, 0, 0, 0, seen), 0);
	/* Garbage in @seen is cleared, not taken as used. */
	assert_int_equal(remap_index_validate(e, 3, 10, 65, seen), 0);
	assert_int_equal(remap_index_validate(e, 3, 10, 65, NULL), 0);
	assert_int_equal(remap_index_validate(e, 3, U64_MAX, U64_MAX, NULL),
			 0);
	free(seen);
}

static void test_validate_bad(void **state)
{
	struct remap_entry unsorted[] = { E(3, 0), E(2, 1) };
	struct remap_entry dup_l[] = { E(2, 0), E(2, 1) };
	struct remap_entry dup_s[] = { E(1, 7), E(2, 8), E(3, 7) };
	struct remap_entry ok[] = { E(0, 0), E(9, 4) };
	unsigned long *seen = xmalloc(sizeof(*seen));

	(void)state;
	assert_int_equal(remap_index_validate(unsorted, 2, 10, 10, NULL),
			 -EINVAL);
	assert_int_equal(remap_index_validate(dup_l, 2, 10, 10, NULL),
			 -EINVAL);
	assert_int_equal(remap_index_validate(dup_s, 3, 10, 10, seen),
			 -EINVAL);
	assert_int_equal(remap_index_validate(dup_s, 3, 10, 10, NULL), 0);
	/* Bounds: lunit < nr_lunits, sunit < nr_sunits, exactly. */
	assert_int_equal(remap_index_validate(ok, 2, 10, 5, seen), 0);
	assert_int_equal(remap_index_validate(ok, 2, 9, 5, seen), -EINVAL);
	assert_int_equal(remap_index_validate(ok, 2, 10, 4, seen), -EINVAL);
	assert_int_equal(remap_index_validate(ok, 2, 0, 0, NULL), -EINVAL);
	free(seen);
}

/* ---- sort ---- */

static int cmp_entry(const void *x, const void *y)
{
	const struct remap_entry *a = x, *b = y;

	if (a->lunit != b->lunit)
		return a->lunit < b->lunit ? -1 : 1;
	if (a->sunit != b->sunit)
		return a->sunit < b->sunit ? -1 : 1;
	return 0;
}

static void check_sort(struct remap_entry *e, size_t n)
{
	struct remap_entry *want = dup_entries(e, n);
	struct remap_entry *got = dup_entries(e, n);
	size_t i;

	qsort(want, n, sizeof(*want), cmp_entry);
	remap_index_sort(got, n);
	for (i = 1; i < n; i++)
		assert_true(got[i - 1].lunit <= got[i].lunit);
	/* Same multiset: both sorted by (lunit, sunit) must be equal. */
	qsort(got, n, sizeof(*got), cmp_entry);
	assert_entries(got, want, n);
	free(want);
	free(got);
}

static void test_sort_small(void **state)
{
	struct remap_entry one[] = { E(5, 5) };
	struct remap_entry two[] = { E(U64_MAX, 1), E(0, 2) };
	struct remap_entry rev[] = { E(5, 0), E(4, 1), E(3, 2), E(2, 3),
				     E(1, 4), E(0, 5) };
	struct remap_entry same[] = { E(7, 3), E(7, 1), E(7, 2) };

	(void)state;
	remap_index_sort(NULL, 0);
	remap_index_sort(one, 1);
	assert_int_equal(one[0].lunit, 5);
	remap_index_sort(two, 2);
	assert_int_equal(two[0].lunit, 0);
	assert_int_equal(two[0].sunit, 2);
	assert_int_equal(two[1].lunit, U64_MAX);
	remap_index_sort(rev, 6);
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(rev[i].lunit, i);
		assert_int_equal(rev[i].sunit, 5 - i);
	}
	check_sort(same, 3);
}

static void test_sort_random(void **state)
{
	uint64_t rs = 0x5eed0001;
	size_t n;

	(void)state;
	for (n = 0; n < 300; n++) {
		struct remap_entry *e = xmalloc(n * sizeof(*e));
		u64 range = n % 3 == 0 ? 8 : U64_MAX;

		for (size_t i = 0; i < n; i++)
			e[i] = E(rng_below(&rs, range), rng_next(&rs));
		check_sort(e, n);
		/* Already sorted input stays sorted. */
		qsort(e, n, sizeof(*e), cmp_entry);
		check_sort(e, n);
		free(e);
	}
}

/* ---- randomized differential test against a naive model ---- */

#define UNIVERSE 512
#define NO_SPARE UINT64_MAX

struct model {
	u64 sp[UNIVERSE];	/* spare unit, or NO_SPARE */
	size_t count;
};

static u64 model_run(const struct model *m, u64 first, u64 max, bool *rm,
		     u64 *s)
{
	u64 k;

	*rm = false;
	*s = 0;
	if (!max)
		return 0;
	if (first < UNIVERSE && m->sp[first] != NO_SPARE) {
		*rm = true;
		*s = m->sp[first];
		for (k = 1; k < max && first + k < UNIVERSE; k++)
			if (m->sp[first + k] != *s + k)
				break;
		return k;
	}
	for (k = 0; k < max; k++) {
		if (first + k >= UNIVERSE)
			return max;	/* plain forever after */
		if (m->sp[first + k] != NO_SPARE)
			break;
	}
	return k;
}

static void check_against_model(const struct model *m,
				const struct remap_entry *e, size_t n)
{
	size_t i = 0;
	u64 l;

	assert_int_equal(n, m->count);
	for (l = 0; l < UNIVERSE; l++) {
		if (m->sp[l] == NO_SPARE)
			continue;
		assert_true(i < n);
		assert_int_equal(e[i].lunit, l);
		assert_int_equal(e[i].sunit, m->sp[l]);
		i++;
	}
	assert_int_equal(i, n);
}

/* Naive validity: sunits unique and below @nr_sunits, lunits below @nr_l. */
static bool model_valid(const struct model *m, u64 nr_l, u64 nr_s)
{
	static unsigned char used[4 * UNIVERSE];
	u64 l;

	memset(used, 0, sizeof(used));
	for (l = 0; l < UNIVERSE; l++) {
		if (m->sp[l] == NO_SPARE)
			continue;
		if (l >= nr_l || m->sp[l] >= nr_s || used[m->sp[l]])
			return false;
		used[m->sp[l]] = 1;
	}
	return true;
}

/* A spare unit for @l: usually contiguous with its neighbours. */
static u64 pick_spare(uint64_t *rs, u64 l, u64 offset)
{
	if (rng_below(rs, 8))
		return (l + offset) % (4 * UNIVERSE);
	return rng_below(rs, 4 * UNIVERSE);
}

static void test_index_differential(void **state)
{
	static struct model m;
	uint64_t rs = 0xd1ff0000c0ffee;
	struct remap_entry *idx = NULL;
	size_t n = 0;
	u64 offset = 0;
	int op;

	(void)state;
	for (size_t l = 0; l < UNIVERSE; l++)
		m.sp[l] = NO_SPARE;
	m.count = 0;

	for (op = 0; op < 20000; op++) {
		u64 l = rng_below(&rs, UNIVERSE + 8), s, s2;
		unsigned int what = (unsigned int)rng_below(&rs, 100);
		struct remap_entry *next;
		bool hit, rm, rm2;
		int r;

		if (rng_below(&rs, 500) == 0)
			offset = rng_below(&rs, 4 * UNIVERSE);

		if (what < 30) {		/* insert */
			bool present;

			l %= UNIVERSE;
			present = m.sp[l] != NO_SPARE;
			s = pick_spare(&rs, l, offset);
			next = xmalloc((n + 1) * sizeof(*next));
			r = remap_index_insert_copy(next, idx, n, E(l, s));
			if (present) {
				assert_int_equal(r, -EEXIST);
				free(next);
			} else {
				assert_int_equal(r, 0);
				m.sp[l] = s;
				m.count++;
				free(idx);
				idx = next;
				n++;
			}
		} else if (what < 50) {		/* delete */
			bool present = l < UNIVERSE && m.sp[l] != NO_SPARE;

			next = xmalloc((n ? n - 1 : 0) * sizeof(*next));
			s = 77;
			r = remap_index_delete_copy(next, idx, n, l, &s);
			if (!present) {
				assert_int_equal(r, -ENOENT);
				assert_int_equal(s, 77);
				free(next);
			} else {
				assert_int_equal(r, 0);
				assert_int_equal(s, m.sp[l]);
				m.sp[l] = NO_SPARE;
				m.count--;
				free(idx);
				idx = next;
				n--;
			}
		} else if (what < 58) {		/* merge a batch */
			size_t nb = (size_t)rng_below(&rs, 40), i, j;
			struct remap_entry *b = xmalloc(nb * sizeof(*b));
			bool clash = false;
			u64 base = rng_below(&rs, UNIVERSE);

			/* Distinct lunits, shuffled, then sorted. */
			for (i = 0; i < nb; i++) {
				u64 bl;

				do {
					bl = rng_below(&rs, 4) ?
						(base + rng_below(&rs, 64)) %
						UNIVERSE :
						rng_below(&rs, UNIVERSE);
					for (j = 0; j < i; j++)
						if (b[j].lunit == bl)
							break;
				} while (j < i);
				b[i] = E(bl, pick_spare(&rs, bl, offset));
				if (m.sp[bl] != NO_SPARE)
					clash = true;
			}
			remap_index_sort(b, nb);
			next = xmalloc((n + nb) * sizeof(*next));
			r = rng_below(&rs, 2) ?
				remap_index_merge(next, idx, n, b, nb) :
				remap_index_merge(next, b, nb, idx, n);
			if (clash) {
				assert_int_equal(r, -EEXIST);
				free(next);
			} else {
				assert_int_equal(r, 0);
				for (i = 0; i < nb; i++)
					m.sp[b[i].lunit] = b[i].sunit;
				m.count += nb;
				free(idx);
				idx = next;
				n += nb;
			}
			free(b);
		} else if (what < 60 && rng_below(&rs, 2)) {
			/* delete a range */
			u64 first = rng_below(&rs, UNIVERSE + 8), last, k;
			u64 *dr = xmalloc(n * sizeof(*dr));
			size_t c = 0, got;

			last = rng_below(&rs, 4) ? first + rng_below(&rs, 40) :
				rng_below(&rs, 3) ? U64_MAX :
				rng_below(&rs, UNIVERSE);
			next = xmalloc(n * sizeof(*next));
			got = remap_index_delete_range_copy(next, idx, n,
							    first, last, dr);
			for (k = first; k <= last && k < UNIVERSE; k++) {
				if (m.sp[k] == NO_SPARE)
					continue;
				/* Dropped units come in lunit order. */
				assert_true(c < got);
				assert_int_equal(dr[c], m.sp[k]);
				c++;
				m.sp[k] = NO_SPARE;
			}
			assert_int_equal(got, c);
			m.count -= c;
			free(idx);
			free(dr);
			idx = next;
			n -= c;
		} else if (what < 60) {		/* clear everything */
			if (rng_below(&rs, 10) == 0) {
				for (size_t i = 0; i < UNIVERSE; i++)
					m.sp[i] = NO_SPARE;
				m.count = 0;
				free(idx);
				idx = NULL;
				n = 0;
			}
		} else if (what < 75) {		/* lookup */
			s = 5;
			hit = remap_index_lookup(idx, n, l, &s);
			if (l < UNIVERSE && m.sp[l] != NO_SPARE) {
				assert_true(hit);
				assert_int_equal(s, m.sp[l]);
			} else {
				assert_false(hit);
				assert_int_equal(s, 5);
			}
		} else if (what < 95) {		/* run */
			u64 max;

			switch (rng_below(&rs, 4)) {
			case 0:
				max = 0;
				break;
			case 1:
				max = U64_MAX;
				break;
			default:
				max = 1 + rng_below(&rs, 80);
			}
			s = s2 = 0;
			rm = rm2 = false;
			assert_int_equal(remap_index_run(idx, n, l, max, &rm,
							 &s),
					 model_run(&m, l, max, &rm2, &s2));
			if (max) {
				assert_int_equal(rm, rm2);
				if (rm)
					assert_int_equal(s, s2);
			}
		} else if (what < 98) {		/* lower_bound */
			size_t lb = remap_index_lower_bound(idx, n, l), c = 0;

			for (u64 k = 0; k < l && k < UNIVERSE; k++)
				c += m.sp[k] != NO_SPARE;
			assert_int_equal(lb, c);
		} else {			/* validate */
			u64 nl = rng_below(&rs, UNIVERSE + 1);
			u64 ns = rng_below(&rs, 4 * UNIVERSE + 1);
			size_t longs = (ns + BITS_PER_LONG - 1) /
				       BITS_PER_LONG;
			unsigned long *seen = xmalloc(longs * sizeof(*seen));

			if (rng_below(&rs, 2)) {
				nl = UNIVERSE;
				ns = 4 * UNIVERSE;
				free(seen);
				longs = ns / BITS_PER_LONG;
				seen = xmalloc(longs * sizeof(*seen));
			}
			memset(seen, 0xa5, longs * sizeof(*seen));
			assert_int_equal(remap_index_validate(idx, n, nl, ns,
							      seen) == 0,
					 model_valid(&m, nl, ns));
			free(seen);
		}
		if (op % 97 == 0 || op == 19999)
			check_against_model(&m, idx, n);
	}
	free(idx);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_uset_model),
	cmocka_unit_test(test_lower_bound_empty),
	cmocka_unit_test(test_lower_bound_one),
	cmocka_unit_test(test_lower_bound_many),
	cmocka_unit_test(test_lookup),
	cmocka_unit_test(test_run_zero_max),
	cmocka_unit_test(test_run_empty),
	cmocka_unit_test(test_run_plain),
	cmocka_unit_test(test_run_plain_extremes),
	cmocka_unit_test(test_run_remapped),
	cmocka_unit_test(test_run_spare_wrap),
	cmocka_unit_test(test_insert_empty),
	cmocka_unit_test(test_insert_positions),
	cmocka_unit_test(test_insert_exists),
	cmocka_unit_test(test_insert_in_place),
	cmocka_unit_test(test_delete),
	cmocka_unit_test(test_delete_missing),
	cmocka_unit_test(test_delete_in_place),
	cmocka_unit_test(test_delete_range_empty),
	cmocka_unit_test(test_delete_range),
	cmocka_unit_test(test_delete_range_in_place),
	cmocka_unit_test(test_merge_empty),
	cmocka_unit_test(test_merge_interleave),
	cmocka_unit_test(test_merge_exists),
	cmocka_unit_test(test_validate_ok),
	cmocka_unit_test(test_validate_bad),
	cmocka_unit_test(test_sort_small),
	cmocka_unit_test(test_sort_random),
	cmocka_unit_test(test_index_differential),
};

TEST_MAIN(tests)
