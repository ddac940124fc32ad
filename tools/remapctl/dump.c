// SPDX-License-Identifier: GPL-2.0-only
/*
 * dump.c - remapctl dump: the superblock, the remap table, the retired
 * spare units and the pending list of a metadata area, as text or as the
 * JSON that restore reads.
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

const char usage_dump[] =
"Usage: remapctl dump <spare_dev> [--spare-start N] [--json]\n"
"\n"
"Print the current superblock's fields, then the remapped units (one line\n"
"each: <lunit> <sunit> <logical_sector> <spare_sector>, by logical unit),\n"
"the retired spare units and the pending logical units.  logical_sector\n"
"counts from the start of the target; spare_sector is the sector of the\n"
"spare device (from the superblock's spare_start).\n"
"\n"
"Options:\n"
"  --spare-start N   sector of <spare_dev> where the metadata starts\n"
"                    (default 0)\n"
"  --json            one JSON object instead, the input of restore\n"
"  -h, --help        this help\n"
"\n"
"Exit status: 0 dumped; 2 no usable metadata (no valid superblock, a\n"
"block with no valid copy, or an invalid slot value: see check);\n"
"3 usage or I/O error.\n";


static int cmp_lunit(const void *x, const void *y)
{
	const struct remap_entry *a = x, *b = y;

	if (a->lunit != b->lunit)
		return a->lunit < b->lunit ? -1 : 1;
	return a->sunit < b->sunit ? -1 : (a->sunit > b->sunit);
}

/*
 * Whether the table can be dumped: a current superblock, a current copy of
 * every block, and slot values that are units or retired.
 */
static bool dumpable(const struct meta_img *m)
{
	size_t i;

	if (m->sb_pick < 0 || !m->loaded)
		return false;
	for (i = 0; i < m->sb.layout.pending_blocks; i++)
		if (m->pend_bi[i].pick < 0)
			return false;
	for (i = 0; i < m->init_blocks; i++)
		if (m->slot_bi[i].pick < 0)
			return false;
	for (i = 0; i < m->nr_slots; i++)
		if (m->slots[i] != REMAP_SLOT_FREE &&
		    m->slots[i] != REMAP_SLOT_RETIRED &&
		    m->slots[i] - 1 > REMAP_SLOT_MAX_LUNIT)
			return false;
	return true;
}

/* Sector arithmetic that cannot overflow for valid tables; saturates. */
u64 sat_mul_add(u64 a, u64 b, u64 c)
{
	if (b && a > (U64_MAX - c) / b)
		return U64_MAX;
	return a * b + c;
}

/* The superblock's numeric fields, in the order both dump formats use. */
struct sb_field {
	const char *name;
	unsigned long long v;
};

#define NR_SB_FIELDS 16

static size_t sb_fields(const struct remap_sb *sb, u64 seq,
			struct sb_field *f)
{
	const struct sb_field all[NR_SB_FIELDS] = {
		{ "version", sb->version },
		{ "unit_sectors", sb->unit_sectors },
		{ "logical_block_size", sb->logical_block_size },
		{ "flags", sb->flags },
		{ "main_dev_sectors", sb->main_dev_sectors },
		{ "main_start", sb->main_start },
		{ "spare_start", sb->spare_start },
		{ "meta_blocks", sb->layout.meta_blocks },
		{ "data_offset", sb->layout.data_offset },
		{ "slot_capacity", sb->layout.slot_capacity },
		{ "pending_blocks", sb->layout.pending_blocks },
		{ "slot_blocks", sb->layout.slot_blocks },
		{ "slot_blocks_init", sb->slot_blocks_init },
		{ "generation", sb->generation },
		{ "format_time", sb->format_time },
		{ "seq", seq },
	};

	memcpy(f, all, sizeof(all));
	return NR_SB_FIELDS;
}

int cmd_dump(int argc, char **argv)
{
	struct sb_field f[NR_SB_FIELDS];
	const struct remap_sb *sb;
	struct remap_entry *e;
	struct meta_img m;
	struct opts o;
	u64 i, n = 0, unit, base, k, nf;
	char uuid[37];
	int r;

	r = parse_opts("dump", usage_dump, "sj", argc, argv, &o);
	if (r >= 0)
		return r;
	if (meta_open(&m, o.dev, o.spare_start, false))
		return EXIT_USAGE;
	if (meta_load(&m)) {
		meta_close(&m);
		return EXIT_USAGE;
	}
	if (!dumpable(&m)) {
		fprintf(stderr, "remapctl dump: %s: no usable metadata at sector %llu:\n",
			o.dev, (unsigned long long)o.spare_start);
		for (i = 0; i < m.nr_problems; i++)
			if (m.problems[i].sev == SEV_BROKEN)
				fprintf(stderr, "  %s\n", m.problems[i].msg);
		meta_close(&m);
		return EXIT_BROKEN;
	}
	if (m.severity != SEV_NOTE)
		fprintf(stderr, "remapctl dump: warning: %s has metadata problems (run remapctl check); dumping the current copies\n",
			o.dev);
	sb = &m.sb;
	unit = sb->unit_sectors;
	base = sat_mul_add(1, sb->spare_start, sb->layout.data_offset);
	e = malloc((m.nr_remapped ? m.nr_remapped : 1) * sizeof(*e));
	if (!e) {
		fprintf(stderr, "remapctl: out of memory\n");
		meta_close(&m);
		return EXIT_USAGE;
	}
	for (i = 0; i < m.nr_slots; i++) {
		if (m.slots[i] == REMAP_SLOT_FREE ||
		    m.slots[i] == REMAP_SLOT_RETIRED)
			continue;
		e[n].lunit = m.slots[i] - 1;
		e[n].sunit = i;
		n++;
	}
	qsort(e, n, sizeof(*e), cmp_lunit);
	uuid_format(sb->uuid, uuid);
	nf = sb_fields(sb, m.max_seq, f);

	if (o.json) {
		const char *sep;

		printf("{\n");
		printf("  \"format\": \"dm-remap metadata\",\n");
		printf("  \"uuid\": \"%s\",\n", uuid);
		printf("  \"instance\": %llu,\n", (unsigned long long)sb->instance);
		for (k = 0; k < nf; k++)
			printf("  \"%s\": %llu,\n", f[k].name, f[k].v);
		printf("  \"counters\": [");
		for (k = 0; k < REMAP_META_NR_COUNTERS; k++)
			printf("%s%llu", k ? ", " : "",
			       (unsigned long long)sb->counters[k]);
		printf("],\n");
		printf("  \"remaps\": [");
		for (i = 0, sep = "\n"; i < n; i++, sep = ",\n")
			printf("%s    {\"lunit\": %llu, \"sunit\": %llu, \"logical_sector\": %llu, \"spare_sector\": %llu}",
			       sep, (unsigned long long)e[i].lunit,
			       (unsigned long long)e[i].sunit,
			       (unsigned long long)sat_mul_add(e[i].lunit, unit, 0),
			       (unsigned long long)sat_mul_add(e[i].sunit, unit, base));
		printf("%s],\n", n ? "\n  " : "");
		printf("  \"retired\": [");
		for (i = 0, sep = "\n"; i < m.nr_slots; i++) {
			if (m.slots[i] != REMAP_SLOT_RETIRED)
				continue;
			printf("%s    {\"sunit\": %llu, \"spare_sector\": %llu}", sep,
			       (unsigned long long)i,
			       (unsigned long long)sat_mul_add(i, unit, base));
			sep = ",\n";
		}
		printf("%s],\n", m.nr_retired ? "\n  " : "");
		printf("  \"pending\": [");
		for (i = 0, sep = "\n"; i < sb->layout.pending_blocks * PER; i++) {
			if (!m.pending[i])
				continue;
			printf("%s    {\"lunit\": %llu, \"logical_sector\": %llu}", sep,
			       (unsigned long long)(m.pending[i] - 1),
			       (unsigned long long)sat_mul_add(m.pending[i] - 1,
							       unit, 0));
			sep = ",\n";
		}
		printf("%s]\n", m.nr_pending ? "\n  " : "");
		printf("}\n");
	} else {
		printf("# dm-remap metadata on %s at sector %llu\n", o.dev,
		       (unsigned long long)o.spare_start);
		printf("uuid                %s\n", uuid);
		printf("instance            0x%016llx\n",
		       (unsigned long long)sb->instance);
		for (k = 0; k < nf; k++) {
			printf("%-20s%llu", f[k].name, f[k].v);
			if (!strcmp(f[k].name, "format_time")) {
				printf(" (");
				print_time(stdout, f[k].v);
				printf(")");
			}
			printf("\n");
		}
		for (k = 0; k < REMAP_META_NR_COUNTERS; k++) {
			if (k < 5)
				printf("%-20s%llu\n",
				       remap_fields[counter_fields[k]].key,
				       (unsigned long long)sb->counters[k]);
			else if (sb->counters[k])
				printf("counter_%-12llu%llu\n",
				       (unsigned long long)k,
				       (unsigned long long)sb->counters[k]);
		}
		printf("remapped %llu\n", (unsigned long long)n);
		printf("# lunit sunit logical_sector spare_sector\n");
		for (i = 0; i < n; i++)
			printf("%llu %llu %llu %llu\n",
			       (unsigned long long)e[i].lunit,
			       (unsigned long long)e[i].sunit,
			       (unsigned long long)sat_mul_add(e[i].lunit, unit, 0),
			       (unsigned long long)sat_mul_add(e[i].sunit, unit, base));
		printf("retired %llu\n", (unsigned long long)m.nr_retired);
		printf("# sunit spare_sector\n");
		for (i = 0; i < m.nr_slots; i++)
			if (m.slots[i] == REMAP_SLOT_RETIRED)
				printf("%llu %llu\n", (unsigned long long)i,
				       (unsigned long long)sat_mul_add(i, unit, base));
		printf("pending %llu\n", (unsigned long long)m.nr_pending);
		printf("# lunit logical_sector\n");
		for (i = 0; i < sb->layout.pending_blocks * PER; i++)
			if (m.pending[i])
				printf("%llu %llu\n",
				       (unsigned long long)(m.pending[i] - 1),
				       (unsigned long long)sat_mul_add(m.pending[i] - 1,
								       unit, 0));
	}
	free(e);
	meta_close(&m);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "remapctl dump: write error: %s\n",
			strerror(errno));
		return EXIT_USAGE;
	}
	return EXIT_HEALTHY;
}

