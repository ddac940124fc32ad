// SPDX-License-Identifier: GPL-2.0-only
/*
 * index_bench - the core remap index (core/remap_index.c) at 1,000, 100,000
 * and 1,000,000 scattered entries, under valgrind --tool=callgrind so the
 * counts are instructions, the same run after run.
 *
 *   index_bench N OP
 *     N   entries, logical units spread at random over 2^28 units
 *     OP  lookup   100,000 lookups of random units (about 1 in 2 hits)
 *         run      100,000 remap_index_run() calls over 8-unit windows
 *                  (what the I/O path asks for a 4 KiB..32 KiB bio)
 *         insert   100 single-entry inserts into a copy (a remap message)
 *         merge    one merge of N/10 new entries (a bulk import)
 * bench/index-bench.sh runs each under callgrind with --toggle-collect on
 * the bench_* function, so only the measured loop is counted (they are
 * noinline for that reason).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remap_index.h"
#include "core_test_only.h"

#define SPREAD (1ULL << 28)
#define NR_QUERIES 100000

static unsigned long long rng = 88172645463325252ULL;

static u64 next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int cmp(const void *a, const void *b)
{
	u64 x = ((const struct remap_entry *)a)->lunit;
	u64 y = ((const struct remap_entry *)b)->lunit;

	return x < y ? -1 : x > y;
}

/* @n distinct random units, sorted; spare units 0..n-1. */
static struct remap_entry *make(size_t n)
{
	struct remap_entry *e = calloc(n ? n : 1, sizeof(*e));
	size_t i, j;

	for (i = 0; i < n; i++)
		e[i].lunit = next() % SPREAD;
	qsort(e, n, sizeof(*e), cmp);
	for (i = j = 0; i < n; i++)
		if (!j || e[i].lunit != e[j - 1].lunit)
			e[j++].lunit = e[i].lunit;
	for (i = 0; i < j; i++)
		e[i].sunit = i;
	while (j < n) {		/* top up after duplicates, past the end */
		e[j].lunit = e[j - 1].lunit + 1;
		e[j].sunit = j;
		j++;
	}
	return e;
}

__attribute__((noinline)) u64 bench_lookup(const struct remap_entry *e, size_t n, const u64 *keys);
u64 bench_lookup(const struct remap_entry *e, size_t n, const u64 *keys)
{
	u64 hits = 0, s;
	size_t i;

	for (i = 0; i < NR_QUERIES; i++)
		hits += remap_index_lookup(e, n, keys[i], &s);
	return hits;
}

__attribute__((noinline)) u64 bench_run(const struct remap_entry *e, size_t n, const u64 *keys);
u64 bench_run(const struct remap_entry *e, size_t n, const u64 *keys)
{
	u64 total = 0, s;
	bool rm;
	size_t i;

	for (i = 0; i < NR_QUERIES; i++)
		total += remap_index_run(e, n, keys[i], 8, &rm, &s);
	return total;
}

__attribute__((noinline)) int bench_insert(struct remap_entry *dst,
		const struct remap_entry *e, size_t n, const u64 *keys);
int bench_insert(struct remap_entry *dst, const struct remap_entry *e,
		 size_t n, const u64 *keys)
{
	struct remap_entry ne;
	int r = 0, i;

	for (i = 0; i < 100; i++) {
		ne.lunit = keys[i];
		ne.sunit = n + i;
		r |= remap_index_insert_copy(dst, e, n, ne);
	}
	return r;
}

__attribute__((noinline)) int bench_merge(struct remap_entry *dst,
		const struct remap_entry *a, size_t na,
		const struct remap_entry *b, size_t nb);
int bench_merge(struct remap_entry *dst, const struct remap_entry *a,
		size_t na, const struct remap_entry *b, size_t nb)
{
	return remap_index_merge(dst, a, na, b, nb);
}

int main(int argc, char **argv)
{
	size_t n, i, nb;
	struct remap_entry *e, *b, *dst;
	u64 *keys;

	if (argc != 3) {
		fprintf(stderr, "usage: index_bench N lookup|run|insert|merge\n");
		return 2;
	}
	n = strtoull(argv[1], NULL, 10);
	e = make(n);
	keys = malloc(NR_QUERIES * sizeof(*keys));
	for (i = 0; i < NR_QUERIES; i++)	/* half present, half random */
		keys[i] = (i & 1 && n) ? e[next() % n].lunit : next() % SPREAD;
	if (!strcmp(argv[2], "lookup")) {
		printf("%llu\n", (unsigned long long)bench_lookup(e, n, keys));
	} else if (!strcmp(argv[2], "run")) {
		printf("%llu\n", (unsigned long long)bench_run(e, n, keys));
	} else if (!strcmp(argv[2], "insert")) {
		/* Keys past every entry (make() may top up past SPREAD). */
		for (i = 0; i < 100; i++)
			keys[i] = 4 * SPREAD + i;
		dst = malloc((n + 1) * sizeof(*dst));
		if (bench_insert(dst, e, n, keys)) {
			fprintf(stderr, "insert refused: the benchmark is wrong\n");
			return 1;
		}
	} else if (!strcmp(argv[2], "merge")) {
		nb = n / 10;
		b = calloc(nb ? nb : 1, sizeof(*b));
		for (i = 0; i < nb; i++) {
			b[i].lunit = 4 * SPREAD + i * 3;
			b[i].sunit = n + i;
		}
		dst = malloc((n + nb) * sizeof(*dst));
		if (bench_merge(dst, e, n, b, nb)) {
			fprintf(stderr, "merge refused: the benchmark is wrong\n");
			return 1;
		}
	} else {
		fprintf(stderr, "unknown op %s\n", argv[2]);
		return 2;
	}
	return 0;
}
