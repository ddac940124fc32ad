/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_check.h - CHECK(cond): the fuzzers' assertion.  A failed check is
 * printed with its place and aborts, which libFuzzer reports as a crash
 * and saves the input for.
 */
#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: check failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

#endif /* FUZZ_CHECK_H */
