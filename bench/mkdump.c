// SPDX-License-Identifier: GPL-2.0-only
/*
 * mkdump - write a "remapctl dump --json" document for a new metadata area
 * holding many remaps, for "make bench": remapctl restore turns it into
 * the metadata the module loads at table load (1,000,000 remaps without a
 * million copies).
 *
 *   mkdump UNIT_SECTORS LBS MAIN_DEV_SECTORS SPARE_DEV_SECTORS SPARE_START
 *          SPARE_LEN LUNIT_FILE > dump.json
 *
 * LUNIT_FILE: one logical unit a line (sorted or not, each once).  Spare
 * units are handed out in order, 0, 1, 2, ... as the module does for a
 * fresh pool.  The layout is the one the module gives a new area of that
 * geometry (core/remap_meta.c, remap_meta_layout_for_format), with the
 * slot blocks spare_len needs initialized (remap_meta_blocks_to_init), so the
 * table line's spare_len and spare_start must be these.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "remap_meta.h"

static unsigned long long num(const char *s, const char *what)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (!*s || *end) {
		fprintf(stderr, "mkdump: %s: '%s' is not a number\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct remap_meta_layout l;
	struct remap_sb init = { 0 };
	unsigned long long us, lbs, main_sectors, spare_dev, spare_start,
		spare_len, lunit, n = 0, units;
	uint8_t uuid[16];
	uint64_t instance = 0, seed;
	FILE *f;
	int i;

	if (argc != 8) {
		fprintf(stderr, "usage: mkdump UNIT_SECTORS LBS MAIN_DEV_SECTORS SPARE_DEV_SECTORS SPARE_START SPARE_LEN LUNIT_FILE\n");
		return 2;
	}
	us = num(argv[1], "unit_sectors");
	lbs = num(argv[2], "logical block size");
	main_sectors = num(argv[3], "main device sectors");
	spare_dev = num(argv[4], "spare device sectors");
	spare_start = num(argv[5], "spare_start");
	spare_len = num(argv[6], "spare_len");
	if (!remap_meta_layout_for_format(spare_dev, spare_start, spare_len,
					  (u32)us, &l)) {
		fprintf(stderr, "mkdump: no metadata layout for that geometry\n");
		return 2;
	}
	units = remap_meta_units(&l, spare_len, (u32)us);
	/* The version and slot_blocks_init the module's format gives. */
	init.layout = l;
	remap_sb_set_init_blocks(&init,
				 remap_meta_blocks_to_init(&l, spare_len, (u32)us));
	f = fopen(argv[7], "r");
	if (!f) {
		perror(argv[7]);
		return 2;
	}
	/* A uuid that differs from run to run, like the module's. */
	seed = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL ^
	       (uint64_t)clock();
	for (i = 0; i < 16; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		uuid[i] = (uint8_t)seed;
	}
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40);
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
	for (i = 7; i >= 0; i--)
		instance = instance << 8 | uuid[i];
	printf("{\n  \"format\": \"dm-remap metadata\",\n  \"version\": %u,\n",
	       init.version);
	printf("  \"uuid\": \"");
	for (i = 0; i < 16; i++)
		printf("%s%02x", i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "",
		       uuid[i]);
	printf("\",\n  \"instance\": %" PRIu64 ",\n", instance);
	printf("  \"unit_sectors\": %llu,\n  \"logical_block_size\": %llu,\n",
	       us, lbs);
	printf("  \"flags\": 0,\n  \"main_dev_sectors\": %llu,\n", main_sectors);
	printf("  \"main_start\": 0,\n  \"spare_start\": %llu,\n", spare_start);
	printf("  \"meta_blocks\": %llu,\n  \"data_offset\": %llu,\n",
	       (unsigned long long)l.meta_blocks,
	       (unsigned long long)l.data_offset);
	printf("  \"slot_capacity\": %llu,\n  \"pending_blocks\": %llu,\n",
	       (unsigned long long)l.slot_capacity,
	       (unsigned long long)l.pending_blocks);
	printf("  \"slot_blocks\": %llu,\n  \"slot_blocks_init\": %llu,\n",
	       (unsigned long long)l.slot_blocks,
	       (unsigned long long)init.slot_blocks_init);
	printf("  \"generation\": 1,\n");
	printf("  \"format_time\": %llu,\n  \"seq\": 1,\n",
	       (unsigned long long)time(NULL));
	printf("  \"counters\": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],\n");
	printf("  \"remaps\": [");
	while (fscanf(f, "%llu", &lunit) == 1) {
		if (n >= units) {
			fprintf(stderr, "mkdump: more remaps than the %llu spare units\n",
				units);
			return 2;
		}
		printf("%s\n    {\"lunit\": %llu, \"sunit\": %llu}",
		       n ? "," : "", lunit, n);
		n++;
	}
	if (!feof(f)) {
		fprintf(stderr, "mkdump: %s: not a list of numbers\n", argv[7]);
		return 2;
	}
	fclose(f);
	printf("\n  ],\n  \"retired\": [],\n  \"pending\": []\n}\n");
	fprintf(stderr, "mkdump: %llu remaps, %llu slots, %llu metadata blocks (data_offset %llu sectors)\n",
		n, (unsigned long long)l.slot_capacity,
		(unsigned long long)l.meta_blocks,
		(unsigned long long)l.data_offset);
	return 0;
}
