// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_index.c - libFuzzer harness for core/remap_index.c and
 * core/spare_pool.c.
 *
 * The input is a stream of operations applied both to the real index (a
 * sorted array rebuilt with insert_copy/delete_copy/merge, exactly sized
 * on the heap so ASan sees overruns) and to a naive model (an unsorted
 * list searched linearly).  Every answer is compared, and the whole index
 * is compared with the model after each operation.  A spare pool runs
 * alongside, against a naive bitmap.  Any disagreement aborts.
 *
 * Logical units come from one byte: 0..249 as is, 250..255 near U64_MAX,
 * so the extremes are exercised.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remap_index.h"
#include "spare_pool.h"
#include "fuzz_check.h"
#include "core_test_only.h"

#define MAX_ENTRIES 256
#define POOL_MAX 200

struct stream {
	const uint8_t *p;
	size_t left;
};

static uint8_t next_byte(struct stream *s)
{
	if (!s->left)
		return 0;
	s->left--;
	return *s->p++;
}

static u64 unit_from(uint8_t b)
{
	return b < 250 ? b : U64_MAX - (u64)(255 - b);
}

/* Spare units: small and often contiguous with the logical unit. */
static u64 spare_from(struct stream *s, u64 lunit)
{
	uint8_t b = next_byte(s);

	switch (b >> 6) {
	case 0:
		return lunit + (b & 7);
	case 1:
		return b & 63;
	case 2:
		return U64_MAX - (b & 3);
	default:
		return ((u64)b << 8) | next_byte(s);
	}
}

/* ---- the naive model: an unsorted list ---- */

struct model {
	struct remap_entry e[MAX_ENTRIES];
	size_t n;
};

static bool model_find(const struct model *m, u64 l, u64 *s)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		if (m->e[i].lunit == l) {
			*s = m->e[i].sunit;
			return true;
		}
	}
	return false;
}

static void model_del(struct model *m, u64 l)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		if (m->e[i].lunit == l) {
			m->e[i] = m->e[--m->n];
			return;
		}
	}
}

static u64 model_run(const struct model *m, u64 first, u64 max, bool *rm,
		     u64 *s)
{
	u64 k, s0, sk, next = U64_MAX;
	bool found = false;
	size_t i;

	*rm = false;
	*s = 0;
	if (!max)
		return 0;
	if (model_find(m, first, &s0)) {
		*rm = true;
		*s = s0;
		for (k = 1; k < max; k++) {
			if (first + k < first || s0 + k < s0)
				break;		/* wrapped */
			if (!model_find(m, first + k, &sk) || sk != s0 + k)
				break;
		}
		return k;
	}
	for (i = 0; i < m->n; i++) {
		if (m->e[i].lunit > first && m->e[i].lunit - first <= next) {
			next = m->e[i].lunit - first;
			found = true;
		}
	}
	if (!found)
		return max;
	return next < max ? next : max;
}

static void check_index(const struct model *m, const struct remap_entry *e,
			size_t n)
{
	size_t i;
	u64 s;

	CHECK(n == m->n);
	for (i = 0; i < n; i++) {
		if (i)
			CHECK(e[i - 1].lunit < e[i].lunit);
		CHECK(model_find(m, e[i].lunit, &s) && s == e[i].sunit);
	}
}

static struct remap_entry *alloc_entries(size_t n)
{
	struct remap_entry *p = malloc(n ? n * sizeof(*p) : 1);

	if (!p)
		abort();
	return p;
}

/* ---- the index ---- */

static void op_insert(struct stream *s, struct model *m,
		      struct remap_entry **idx, size_t *n)
{
	u64 l = unit_from(next_byte(s)), sp;
	struct remap_entry ne, *dst;
	bool present = model_find(m, l, &sp);
	/* In place only when it will succeed: a refused dst is undefined. */
	bool in_place = (next_byte(s) & 1) && !present;
	int r;

	ne.lunit = l;
	ne.sunit = spare_from(s, l);
	if (m->n >= MAX_ENTRIES && !present)
		return;
	if (in_place) {
		dst = realloc(*idx, (*n + 1) * sizeof(*dst));
		if (!dst)
			abort();
		*idx = dst;
	} else {
		dst = alloc_entries(*n + 1);
	}
	r = remap_index_insert_copy(dst, *idx, *n, ne);
	if (present) {
		CHECK(r == -EEXIST);
		free(dst);
		return;
	}
	CHECK(r == 0);
	if (!in_place)
		free(*idx);
	*idx = dst;
	(*n)++;
	m->e[m->n++] = ne;
}

static void op_delete(struct stream *s, struct model *m,
		      struct remap_entry **idx, size_t *n)
{
	u64 l = unit_from(next_byte(s)), want, got = 0x77;
	bool in_place = next_byte(s) & 1;
	bool present = model_find(m, l, &want);
	struct remap_entry *dst;
	int r;

	dst = in_place ? *idx : alloc_entries(*n ? *n - 1 : 0);
	r = remap_index_delete_copy(dst, *idx, *n, l, &got);
	if (!present) {
		CHECK(r == -ENOENT);
		CHECK(got == 0x77);
		if (!in_place)
			free(dst);
		return;
	}
	CHECK(r == 0);
	CHECK(got == want);
	if (!in_place)
		free(*idx);
	*idx = dst;
	(*n)--;
	model_del(m, l);
}

static void op_delete_range(struct stream *s, struct model *m,
			    struct remap_entry **idx, size_t *n)
{
	u64 first = unit_from(next_byte(s)), last = unit_from(next_byte(s));
	bool in_place = next_byte(s) & 1, with_dropped = next_byte(s) & 1;
	struct remap_entry *dst = in_place ? *idx : alloc_entries(*n);
	u64 *dropped = malloc(*n ? *n * sizeof(u64) : 1);
	size_t got, i, want = 0;

	if (!dropped)
		abort();
	for (i = 0; i < m->n; i++)
		want += m->e[i].lunit >= first && m->e[i].lunit <= last;
	got = remap_index_delete_range_copy(dst, *idx, *n, first, last,
					    with_dropped ? dropped : NULL);
	CHECK(got == want);
	if (with_dropped) {
		/* The dropped spare units, in lunit order (insertion sort). */
		struct remap_entry in[MAX_ENTRIES], t;
		size_t k = 0, j;

		for (i = 0; i < m->n; i++)
			if (m->e[i].lunit >= first && m->e[i].lunit <= last)
				in[k++] = m->e[i];
		for (i = 1; i < k; i++)
			for (j = i; j && in[j - 1].lunit > in[j].lunit; j--) {
				t = in[j];
				in[j] = in[j - 1];
				in[j - 1] = t;
			}
		for (i = 0; i < k; i++)
			CHECK(dropped[i] == in[i].sunit);
	}
	for (i = 0; i < m->n; ) {
		if (m->e[i].lunit >= first && m->e[i].lunit <= last)
			model_del(m, m->e[i].lunit);
		else
			i++;
	}
	if (!in_place)
		free(*idx);
	*idx = dst;
	*n -= got;
	free(dropped);
}

static void op_merge(struct stream *s, struct model *m,
		     struct remap_entry **idx, size_t *n)
{
	size_t nb = next_byte(s) % 24, i, k;
	struct remap_entry *b = alloc_entries(nb), *dst;
	bool clash = false, swap = next_byte(s) & 1;
	u64 sp;
	int r;

	for (i = 0; i < nb; i++) {
		b[i].lunit = unit_from(next_byte(s));
		b[i].sunit = spare_from(s, b[i].lunit);
	}
	remap_index_sort(b, nb);
	for (i = 1; i < nb; i++)
		CHECK(b[i - 1].lunit <= b[i].lunit);
	/* Drop duplicate lunits: merge wants duplicate-free batches. */
	for (i = 0, k = 0; i < nb; i++)
		if (!k || b[k - 1].lunit != b[i].lunit)
			b[k++] = b[i];
	nb = k;
	for (i = 0; i < nb; i++)
		if (model_find(m, b[i].lunit, &sp))
			clash = true;
	if (!clash && m->n + nb > MAX_ENTRIES) {
		free(b);
		return;
	}

	dst = alloc_entries(*n + nb);
	r = swap ? remap_index_merge(dst, b, nb, *idx, *n) :
		   remap_index_merge(dst, *idx, *n, b, nb);
	if (clash) {
		CHECK(r == -EEXIST);
		free(dst);
	} else {
		CHECK(r == 0);
		free(*idx);
		*idx = dst;
		*n += nb;
		for (i = 0; i < nb; i++)
			m->e[m->n++] = b[i];
	}
	free(b);
}

static void op_run(struct stream *s, const struct model *m,
		   const struct remap_entry *idx, size_t n)
{
	u64 first = unit_from(next_byte(s)), max, s1 = 1, s2 = 2;
	uint8_t mb = next_byte(s);
	bool r1 = true, r2 = false;
	u64 got, want;

	max = mb == 255 ? U64_MAX : mb == 254 ? U64_MAX - first : mb;
	got = remap_index_run(idx, n, first, max, &r1, &s1);
	want = model_run(m, first, max, &r2, &s2);
	CHECK(got == want);
	CHECK(got <= max && (got > 0 || max == 0));
	if (max) {
		CHECK(r1 == r2);
		if (r1)
			CHECK(s1 == s2);
	}
}

static void op_validate(struct stream *s, const struct model *m,
			const struct remap_entry *idx, size_t n)
{
	uint8_t a = next_byte(s), b = next_byte(s);
	u64 nl = a == 255 ? U64_MAX : a;
	u64 ns = b == 255 ? 0 : (u64)b << 4;
	size_t longs = (size_t)((ns + BITS_PER_LONG - 1) / BITS_PER_LONG);
	unsigned long *seen = malloc(longs ? longs * sizeof(*seen) : 1);
	bool want = true, use_seen = !(a & 1) || b == 255;
	size_t i, j;
	int r;

	if (!seen)
		abort();
	memset(seen, 0xff, longs * sizeof(*seen));
	for (i = 0; i < m->n; i++) {
		if (m->e[i].lunit >= nl || m->e[i].sunit >= ns)
			want = false;
		for (j = 0; use_seen && j < i; j++)
			if (m->e[j].sunit == m->e[i].sunit)
				want = false;
	}
	r = remap_index_validate(idx, n, nl, ns, use_seen ? seen : NULL);
	CHECK(r == 0 || r == -EINVAL);
	CHECK((r == 0) == want);
	free(seen);
}

static void op_sort(struct stream *s, const struct remap_entry *idx, size_t n)
{
	struct remap_entry *c = alloc_entries(n), t;
	size_t i, j;

	if (n)
		memcpy(c, idx, n * sizeof(*c));
	for (i = n; i > 1; i--) {
		j = next_byte(s) % i;
		t = c[i - 1];
		c[i - 1] = c[j];
		c[j] = t;
	}
	remap_index_sort(c, n);
	CHECK(!n || !memcmp(c, idx, n * sizeof(*c)));
	free(c);
}

/* ---- the spare pool ---- */

/* Exactly sized, with garbage in it. */
static unsigned long *alloc_bitmap(u64 nr)
{
	size_t bytes = spare_pool_bitmap_longs(nr) * sizeof(unsigned long);
	unsigned long *b = malloc(bytes ? bytes : 1);

	if (!b)
		abort();
	memset(b, 0xa5, bytes);
	return b;
}

struct pool_model {
	bool used[POOL_MAX];
	u64 nr, nr_used;
};

static void op_pool(struct stream *s, struct spare_pool *p,
		    unsigned long **bm, struct pool_model *pm)
{
	uint8_t what = next_byte(s) % 6;
	u64 u = next_byte(s), got = 0xabc, i;
	unsigned long *nb;
	bool fits;
	int r;

	switch (what) {
	case 0:
		for (i = 0; i < pm->nr && pm->used[i]; i++)
			;
		r = spare_pool_alloc(p, &got);
		if (i == pm->nr) {
			CHECK(r == -ENOSPC && got == 0xabc);
		} else {
			CHECK(r == 0 && got == i);
			pm->used[i] = true;
			pm->nr_used++;
		}
		break;
	case 1:
		r = spare_pool_free(p, u);
		if (u >= pm->nr) {
			CHECK(r == -ERANGE);
		} else if (!pm->used[u]) {
			CHECK(r == -ENOENT);
		} else {
			CHECK(r == 0);
			pm->used[u] = false;
			pm->nr_used--;
		}
		break;
	case 2:
		r = spare_pool_claim(p, u);
		if (u >= pm->nr) {
			CHECK(r == -ERANGE);
		} else if (pm->used[u]) {
			CHECK(r == -EEXIST);
		} else {
			CHECK(r == 0);
			pm->used[u] = true;
			pm->nr_used++;
		}
		break;
	case 3:
		CHECK(spare_pool_is_used(p, u) == (u < pm->nr && pm->used[u]));
		break;
	case 4:
		fits = true;
		for (i = u; i < pm->nr; i++)
			if (pm->used[i])
				fits = false;
		CHECK(spare_pool_fits(p, u) == fits);
		break;
	default:
		u %= POOL_MAX + 1;
		nb = alloc_bitmap(u);
		fits = true;
		for (i = u; i < pm->nr; i++)
			if (pm->used[i])
				fits = false;
		r = spare_pool_resize(p, nb, u);
		if (!fits) {
			CHECK(r == -EINVAL && p->used == *bm);
			free(nb);
		} else {
			CHECK(r == 0);
			free(*bm);
			*bm = nb;
			for (i = pm->nr; i < u; i++)
				pm->used[i] = false;
			pm->nr = u;
		}
	}
	CHECK(p->nr_units == pm->nr && p->nr_used == pm->nr_used);
	CHECK(p->hint <= p->nr_units);
	for (i = 0; i < p->hint; i++)
		CHECK(pm->used[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model m;
	struct pool_model pm;
	struct stream s = { data, size };
	struct remap_entry *idx = NULL;
	struct spare_pool pool;
	unsigned long *bm;
	size_t n = 0;
	u64 l, sp;
	bool hit;

	m.n = 0;
	memset(&pm, 0, sizeof(pm));
	pm.nr = next_byte(&s) % (POOL_MAX + 1);
	bm = alloc_bitmap(pm.nr);
	spare_pool_init(&pool, bm, pm.nr);

	while (s.left) {
		switch (next_byte(&s) % 9) {
		case 0:
		case 1:
			op_insert(&s, &m, &idx, &n);
			break;
		case 2:
			op_delete(&s, &m, &idx, &n);
			break;
		case 3:
			op_merge(&s, &m, &idx, &n);
			break;
		case 4:
			l = unit_from(next_byte(&s));
			sp = 0x55;
			hit = remap_index_lookup(idx, n, l, &sp);
			{
				u64 want;
				bool whit = model_find(&m, l, &want);

				CHECK(hit == whit);
				CHECK(hit ? sp == want : sp == 0x55);
			}
			break;
		case 5:
			op_run(&s, &m, idx, n);
			break;
		case 6: {
			size_t lb, c = 0, i;

			l = unit_from(next_byte(&s));
			lb = remap_index_lower_bound(idx, n, l);
			for (i = 0; i < m.n; i++)
				c += m.e[i].lunit < l;
			CHECK(lb == c);
			break;
		}
		case 7:
			switch (next_byte(&s) % 3) {
			case 0:
				op_validate(&s, &m, idx, n);
				break;
			case 1:
				op_sort(&s, idx, n);
				break;
			default:
				op_delete_range(&s, &m, &idx, &n);
			}
			break;
		default:
			op_pool(&s, &pool, &bm, &pm);
		}
		check_index(&m, idx, n);
	}
	free(idx);
	free(bm);
	return 0;
}
