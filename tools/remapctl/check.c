// SPDX-License-Identifier: GPL-2.0-only
/*
 * check.c - remapctl check: read both copies of every metadata block of a
 * spare area, choose as the module does (core/remap_meta.c), report every
 * problem, and repair what can be (metaimg.c does the reading).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "remap_args.h"
#include "remap_status.h"
#include "metaimg.h"
#include "json.h"
#include "remapctl.h"

const char usage_check[] =
"Usage: remapctl check <spare_dev> [--spare-start N] [--repair]\n"
"\n"
"Read both superblocks and both copies of every pending and slot block,\n"
"choose the current copies as the module does at table load, and report\n"
"the format, the remapped, retired and pending counts and every problem:\n"
"invalid copies, stale copies, logical units remapped twice, slot values\n"
"that are not allowed.\n"
"\n"
"Options:\n"
"  --spare-start N   sector of <spare_dev> where the metadata starts\n"
"                    (the table's <spare_start>; default 0)\n"
"  --repair          rewrite invalid and stale copies from the current\n"
"                    ones and retire the old slot of an interrupted\n"
"                    relocation (only when nothing is broken), then check\n"
"                    again\n"
"  -h, --help        this help\n"
"\n"
"Exit status:\n"
"  0  healthy\n"
"  1  repairable: some block has only one valid copy, or a stale copy,\n"
"     or a relocation a crash cut short (a logical unit in two slots of\n"
"     slot blocks with different seq: the older slot is retired); the\n"
"     module repairs this at table load; so does --repair\n"
"  2  broken: no valid superblock (also: an all-zero, never formatted\n"
"     area), a block with no valid copy, a logical unit remapped twice,\n"
"     a slot value that is not allowed, or copies that disagree\n"
"  3  usage or I/O error\n"
"With --repair the status is the one found after repairing.\n";


void print_problems(const struct meta_img *m)
{
	static const char *const tag[] = {
		"note", "repairable", "broken",
	};
	size_t i;

	for (i = 0; i < m->nr_problems; i++)
		printf("  %s: %s\n", tag[m->problems[i].sev],
		       m->problems[i].msg);
}

static void print_summary(const struct meta_img *m)
{
	const struct remap_sb *sb = &m->sb;
	const struct remap_meta_layout *l = &sb->layout;
	char uuid[37];

	if (m->sb_pick < 0)
		return;
	uuid_format(sb->uuid, uuid);
	printf("superblock: copy %s current (generation %llu)\n",
	       m->sb_pick ? "B" : "A", (unsigned long long)sb->generation);
	printf("format: version %u, uuid %s, unit %u sectors, logical block size %u\n",
	       sb->version, uuid, sb->unit_sectors, sb->logical_block_size);
	printf("layout: %llu metadata blocks, spare unit 0 at +%llu sectors, %llu slots (%llu slot blocks, %llu initialized), %llu pending block(s)\n",
	       (unsigned long long)l->meta_blocks,
	       (unsigned long long)l->data_offset,
	       (unsigned long long)l->slot_capacity,
	       (unsigned long long)l->slot_blocks,
	       (unsigned long long)remap_sb_init_blocks(sb),
	       (unsigned long long)l->pending_blocks);
	printf("devices: main %llu sectors from sector %llu (%llu units), spare_start %llu; formatted ",
	       (unsigned long long)sb->main_dev_sectors,
	       (unsigned long long)sb->main_start,
	       (unsigned long long)m->lunit_limit,
	       (unsigned long long)sb->spare_start);
	print_time(stdout, sb->format_time);
	printf("\n");
	print_protection(stdout, sb, "protected: ");
	printf("identity: name %s, main serial %s, WWN %s, partition %u\n",
	       sb->id.name[0] ? sb->id.name : "-",
	       sb->id.serial[0] ? sb->id.serial : "-",
	       sb->id.wwn[0] ? sb->id.wwn : "-", sb->id.partition);
	if (m->loaded)
		printf("table: %llu remapped, %llu retired, %llu pending; highest seq %llu\n",
		       (unsigned long long)m->nr_remapped,
		       (unsigned long long)m->nr_retired,
		       (unsigned long long)m->nr_pending,
		       (unsigned long long)m->max_seq);
}

static void print_status(const struct meta_img *m)
{
	size_t i, n = 0;

	for (i = 0; i < m->nr_problems; i++)
		n += m->problems[i].sev != SEV_NOTE;
	switch (m->severity) {
	case SEV_NOTE:
		printf("status: healthy\n");
		break;
	case SEV_REPAIRABLE:
		printf("status: repairable (%zu problem%s; the module repairs them at table load, or run check --repair)\n",
		       n, n == 1 ? "" : "s");
		break;
	default:
		printf("status: broken (%zu problem%s; the module refuses this metadata)\n",
		       n, n == 1 ? "" : "s");
		break;
	}
}

static void report(const struct meta_img *m)
{
	print_summary(m);
	if (m->nr_problems) {
		printf("problems:\n");
		print_problems(m);
	}
	print_status(m);
}

int cmd_check(int argc, char **argv)
{
	struct meta_img m;
	struct opts o;
	int r;

	r = parse_opts("check", usage_check, "sr", argc, argv, &o);
	if (r >= 0)
		return r;
	if (meta_open(&m, o.dev, o.spare_start, o.repair))
		return EXIT_USAGE;
	printf("remapctl check: %s, metadata at sector %llu\n", o.dev,
	       (unsigned long long)o.spare_start);
	if (meta_load(&m)) {
		meta_close(&m);
		return EXIT_USAGE;
	}
	report(&m);
	if (o.repair && m.severity == SEV_REPAIRABLE) {
		long n = meta_repair(&m);

		if (n < 0) {
			meta_close(&m);
			return EXIT_USAGE;
		}
		printf("repair: rewrote %ld block%s; checking again\n", n,
		       n == 1 ? "" : "s");
		if (meta_load(&m)) {
			meta_close(&m);
			return EXIT_USAGE;
		}
		report(&m);
	} else if (o.repair && m.severity == SEV_BROKEN) {
		printf("repair: not attempted, the metadata is broken (restore it from a dump)\n");
	}
	r = (int)m.severity;
	meta_close(&m);
	return r;
}

