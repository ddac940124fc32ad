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

void print_protection(FILE *f, const struct remap_sb *sb, const char *prefix)
{
	const struct remap_protect *p = &sb->prot;
	u64 u = sb->unit_sectors;

	fputs(prefix, f);
	if (!remap_protect_on(p)) {
		fputs("no\n", f);
		return;
	}
	if (p->head)
		fprintf(f, "units 0-%llu (sectors 0-%llu)",
			(unsigned long long)p->head - 1,
			(unsigned long long)sat_mul_add(p->head, u, 0) - 1);
	if (p->tail)
		fprintf(f, "%sunits %llu-%llu (sectors %llu-%llu)",
			p->head ? ", " : "",
			(unsigned long long)p->tail_first,
			(unsigned long long)(p->tail_first + p->tail - 1),
			(unsigned long long)sat_mul_add(p->tail_first, u, 0),
			(unsigned long long)sat_mul_add(p->tail_first + p->tail,
							u, 0) - 1);
	fputs("; the main device holds the member signature there\n", f);
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

#define NR_SB_FIELDS 19

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
		{ "protect_head", sb->prot.head },
		{ "protect_tail", sb->prot.tail },
		{ "protect_tail_first", sb->prot.tail_first },
		{ "generation", sb->generation },
		{ "format_time", sb->format_time },
		{ "seq", seq },
	};

	memcpy(f, all, sizeof(all));
	return NR_SB_FIELDS;
}

/* What dump shows, gathered once for either writer. */
struct dump_view {
	struct meta_img m;
	const struct remap_sb *sb;
	struct remap_entry *e;		/* the remaps, by logical unit */
	u64 n;
	u64 unit, base;			/* unit sectors; spare unit 0's sector */
	char uuid[37];
	struct sb_field f[NR_SB_FIELDS];
	u64 nf;
};

static void dump_json(const struct dump_view *v)
{
	const char *sep;
	u64 i, k;

	printf("{\n");
	printf("  \"format\": \"dm-remap metadata\",\n");
	printf("  \"uuid\": \"%s\",\n", v->uuid);
	printf("  \"instance\": %llu,\n", (unsigned long long)v->sb->instance);
	for (k = 0; k < v->nf; k++)
		printf("  \"%s\": %llu,\n", v->f[k].name, v->f[k].v);
	printf("  \"name\": ");
	json_put_str(v->sb->id.name);
	printf(",\n  \"main_serial\": ");
	json_put_str(v->sb->id.serial);
	printf(",\n  \"main_wwn\": ");
	json_put_str(v->sb->id.wwn);
	printf(",\n  \"main_partition\": %u,\n", v->sb->id.partition);
	printf("  \"counters\": [");
	for (k = 0; k < REMAP_META_NR_COUNTERS; k++)
		printf("%s%llu", k ? ", " : "",
		       (unsigned long long)v->sb->counters[k]);
	printf("],\n");
	printf("  \"remaps\": [");
	for (i = 0, sep = "\n"; i < v->n; i++, sep = ",\n")
		printf("%s    {\"lunit\": %llu, \"sunit\": %llu, \"logical_sector\": %llu, \"spare_sector\": %llu}",
		       sep, (unsigned long long)v->e[i].lunit,
		       (unsigned long long)v->e[i].sunit,
		       (unsigned long long)sat_mul_add(v->e[i].lunit, v->unit, 0),
		       (unsigned long long)sat_mul_add(v->e[i].sunit, v->unit, v->base));
	printf("%s],\n", v->n ? "\n  " : "");
	printf("  \"retired\": [");
	for (i = 0, sep = "\n"; i < v->m.nr_slots; i++) {
		if (v->m.slots[i] != REMAP_SLOT_RETIRED)
			continue;
		printf("%s    {\"sunit\": %llu, \"spare_sector\": %llu}", sep,
		       (unsigned long long)i,
		       (unsigned long long)sat_mul_add(i, v->unit, v->base));
		sep = ",\n";
	}
	printf("%s],\n", v->m.nr_retired ? "\n  " : "");
	printf("  \"pending\": [");
	for (i = 0, sep = "\n"; i < v->sb->layout.pending_blocks * PER; i++) {
		if (!v->m.pending[i])
			continue;
		printf("%s    {\"lunit\": %llu, \"logical_sector\": %llu}", sep,
		       (unsigned long long)(v->m.pending[i] - 1),
		       (unsigned long long)sat_mul_add(v->m.pending[i] - 1,
						       v->unit, 0));
		sep = ",\n";
	}
	printf("%s]\n", v->m.nr_pending ? "\n  " : "");
	printf("}\n");
}

static void dump_text(const struct dump_view *v, const struct opts *o)
{
	u64 i, k;

	printf("# dm-remap metadata on %s at sector %llu\n", o->dev,
	       (unsigned long long)o->spare_start);
	printf("uuid                %s\n", v->uuid);
	printf("instance            0x%016llx\n",
	       (unsigned long long)v->sb->instance);
	for (k = 0; k < v->nf; k++) {
		printf("%-20s%llu", v->f[k].name, v->f[k].v);
		if (!strcmp(v->f[k].name, "format_time")) {
			printf(" (");
			print_time(stdout, v->f[k].v);
			printf(")");
		}
		printf("\n");
	}
	/* The identity; "-" where none is recorded. */
	printf("%-20s%s\n", "name", v->sb->id.name[0] ? v->sb->id.name : "-");
	printf("%-20s%s\n", "main_serial",
	       v->sb->id.serial[0] ? v->sb->id.serial : "-");
	printf("%-20s%s\n", "main_wwn", v->sb->id.wwn[0] ? v->sb->id.wwn : "-");
	printf("%-20s%u\n", "main_partition", v->sb->id.partition);
	for (k = 0; k < REMAP_META_NR_COUNTERS; k++) {
		const char *w = k == REMAP_SBW_SCRUB_STATE ?
			remap_scrub_state_str(v->sb->counters[k]) : NULL;

		if (w)
			printf("%-20s%s\n", remap_fields[counter_fields[k]].key,
			       w);
		else
			printf("%-20s%llu\n",
			       remap_fields[counter_fields[k]].key,
			       (unsigned long long)v->sb->counters[k]);
	}
	print_protection(stdout, v->sb, "protected           ");
	printf("remapped %llu\n", (unsigned long long)v->n);
	printf("# lunit sunit logical_sector spare_sector\n");
	for (i = 0; i < v->n; i++)
		printf("%llu %llu %llu %llu\n",
		       (unsigned long long)v->e[i].lunit,
		       (unsigned long long)v->e[i].sunit,
		       (unsigned long long)sat_mul_add(v->e[i].lunit, v->unit, 0),
		       (unsigned long long)sat_mul_add(v->e[i].sunit, v->unit, v->base));
	printf("retired %llu\n", (unsigned long long)v->m.nr_retired);
	printf("# sunit spare_sector\n");
	for (i = 0; i < v->m.nr_slots; i++)
		if (v->m.slots[i] == REMAP_SLOT_RETIRED)
			printf("%llu %llu\n", (unsigned long long)i,
			       (unsigned long long)sat_mul_add(i, v->unit, v->base));
	printf("pending %llu\n", (unsigned long long)v->m.nr_pending);
	printf("# lunit logical_sector\n");
	for (i = 0; i < v->sb->layout.pending_blocks * PER; i++)
		if (v->m.pending[i])
			printf("%llu %llu\n",
			       (unsigned long long)(v->m.pending[i] - 1),
			       (unsigned long long)sat_mul_add(v->m.pending[i] - 1,
							       v->unit, 0));
}

/* The remaps of @v->m, sorted by logical unit, into @v.  0 or -1. */
static int dump_gather(struct dump_view *v)
{
	u64 i;

	v->sb = &v->m.sb;
	v->unit = v->sb->unit_sectors;
	v->base = sat_mul_add(1, v->sb->spare_start,
			      v->sb->layout.data_offset);
	v->e = malloc((v->m.nr_remapped ? v->m.nr_remapped : 1) *
		      sizeof(*v->e));
	if (!v->e)
		return -1;
	v->n = 0;
	for (i = 0; i < v->m.nr_slots; i++) {
		if (v->m.slots[i] == REMAP_SLOT_FREE ||
		    v->m.slots[i] == REMAP_SLOT_RETIRED)
			continue;
		v->e[v->n].lunit = v->m.slots[i] - 1;
		v->e[v->n].sunit = i;
		v->n++;
	}
	qsort(v->e, v->n, sizeof(*v->e), cmp_lunit);
	uuid_format(v->sb->uuid, v->uuid);
	v->nf = sb_fields(v->sb, v->m.max_seq, v->f);
	return 0;
}

int cmd_dump(int argc, char **argv)
{
	struct dump_view v;
	struct opts o;
	u64 i;
	int r;

	r = parse_opts("dump", usage_dump, "sj", argc, argv, &o);
	if (r >= 0)
		return r;
	if (meta_open(&v.m, o.dev, o.spare_start, false))
		return EXIT_USAGE;
	if (meta_load(&v.m)) {
		meta_close(&v.m);
		return EXIT_USAGE;
	}
	if (!dumpable(&v.m)) {
		fprintf(stderr, "remapctl dump: %s: no usable metadata at sector %llu:\n",
			o.dev, (unsigned long long)o.spare_start);
		for (i = 0; i < v.m.nr_problems; i++)
			if (v.m.problems[i].sev == SEV_BROKEN)
				fprintf(stderr, "  %s\n", v.m.problems[i].msg);
		meta_close(&v.m);
		return EXIT_BROKEN;
	}
	if (v.m.severity != SEV_NOTE)
		fprintf(stderr, "remapctl dump: warning: %s has metadata problems (run remapctl check); dumping the current copies\n",
			o.dev);
	if (dump_gather(&v)) {
		fprintf(stderr, "remapctl: out of memory\n");
		meta_close(&v.m);
		return EXIT_USAGE;
	}
	if (o.json)
		dump_json(&v);
	else
		dump_text(&v, &o);
	free(v.e);
	meta_close(&v.m);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "remapctl dump: write error: %s\n",
			strerror(errno));
		return EXIT_USAGE;
	}
	return EXIT_HEALTHY;
}
