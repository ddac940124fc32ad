/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * test_common.h - shared bits of the host unit tests (cmocka).
 *
 * Each test binary ends with TEST_MAIN(tests), which runs the group and
 * prints one machine-readable line, "RESULT <passed> <failed>", that
 * run_tests.sh adds up.  A binary that dies (sanitizer, crash) prints no
 * RESULT line, and run_tests.sh counts that as a failure.
 */
#ifndef DM_REMAP_TEST_COMMON_H
#define DM_REMAP_TEST_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* xorshift64*: a fixed, portable pseudo-random sequence. */
static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* Uniform-ish in [0, n); n > 0. */
static inline uint64_t rng_below(uint64_t *s, uint64_t n)
{
	return rng_next(s) % n;
}

/* malloc that never returns NULL for a zero size, and fails the test. */
static inline void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	assert_non_null(p);
	return p;
}

/*
 * A text file of the source tree (@path relative to its top, TOP_DIR,
 * which the Makefile defines), NUL-terminated; fails the test if it
 * cannot be read.  For the checks that a document and the code agree.
 */
#ifdef TOP_DIR
static inline char *read_tree_file(const char *path)
{
	char full[4096];
	size_t n = 0, cap = 4096;
	char *buf = xmalloc(cap);
	FILE *f;

	snprintf(full, sizeof(full), "%s/%s", TOP_DIR, path);
	f = fopen(full, "r");
	if (!f)
		fail_msg("cannot open %s", full);
	for (;;) {
		n += fread(buf + n, 1, cap - n - 1, f);
		if (n < cap - 1)
			break;
		cap *= 2;
		buf = realloc(buf, cap);
		assert_non_null(buf);
	}
	fclose(f);
	buf[n] = '\0';
	return buf;
}
#endif

#define TEST_MAIN(tests)						\
int main(void)								\
{									\
	size_t total = sizeof(tests) / sizeof((tests)[0]);		\
	int failed = cmocka_run_group_tests(tests, NULL, NULL);		\
									\
	if (failed < 0 || (size_t)failed > total)			\
		failed = (int)total;					\
	printf("RESULT %zu %d\n", total - (size_t)failed, failed);	\
	fflush(stdout);							\
	return failed ? 1 : 0;						\
}

#endif /* DM_REMAP_TEST_COMMON_H */
