/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sector-tag.h - the tagged sector format of the test tools (sectag,
 * tagio): 512 bytes that say which tag wrote them and for which logical
 * sector, so a read tells whose data it got.  One copy of the format.
 */
#ifndef DM_REMAP_SECTOR_TAG_H
#define DM_REMAP_SECTOR_TAG_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SECTOR 512
#define MAGIC 0x5345435441470a00ULL	/* "SECTAG\n\0" */

struct sector_head {
	uint64_t magic;
	uint64_t tag;
	uint64_t logical;
	uint64_t check;
};

static inline uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* The exact 512 bytes sector @logical carries under @tag. */
static inline void fill(unsigned char *p, uint64_t tag, uint64_t logical)
{
	struct sector_head h = { MAGIC, tag, logical, mix(tag ^ mix(logical)) };
	uint64_t *w = (uint64_t *)p;
	size_t i;

	memcpy(p, &h, sizeof(h));
	for (i = sizeof(h) / 8; i < SECTOR / 8; i++)
		w[i] = mix(h.check + i);
}

/* A whole unsigned number (decimal, 0x hex or 0 octal), nothing after it. */
static inline bool number(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

#endif
